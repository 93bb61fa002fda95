//! Which organization a request acts on, and 403 when the caller may not.

use sessions_domain::{OrganizationId, Role};
use sessions_storage::testing::{member, organization, session_at};
use sessions_storage::{api_keys, users};

use crate::{Tenant, TestApp, error};

sessions_storage::on_both_backends!(with crate::run:
    the_header_selects_one_of_the_callers_organizations,
    a_bound_key_acts_on_its_organization,
    a_bound_key_may_name_only_its_own_organization,
    an_unbound_key_without_header_acts_on_the_default_organization,
    a_changed_default_takes_effect_at_once,
    a_non_member_is_forbidden_even_where_no_organization_exists,
    a_removed_member_is_forbidden_at_once_bound_keys_included,
    every_role_may_list,
    a_malformed_header_is_a_bad_request,
    a_repeated_header_is_a_bad_request,
);

async fn the_header_selects_one_of_the_callers_organizations(app: TestApp) {
    let mut conn = app.conn();
    let first = organization(&mut conn).id;
    let second = organization(&mut conn).id;
    let user = member(&mut conn, first, Role::ReadOnly);
    users::add_member(&mut conn, second, user.id, Role::ReadOnly).expect("membership");
    session_at(&mut conn, first, &user, "2026-01-01T00:00:00Z");
    session_at(&mut conn, second, &user, "2026-01-01T00:00:00Z");
    let (_, key) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    let reply = app
        .get("/api/v1/sessions", &key, Some(&second.to_string()))
        .await;
    assert_eq!(reply.listed("organizationId"), [second.get()]);
    let reply = app
        .get("/api/v1/sessions", &key, Some(&first.to_string()))
        .await;
    assert_eq!(reply.listed("organizationId"), [first.get()]);
}

async fn a_bound_key_acts_on_its_organization(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    session_at(
        &mut conn,
        tenant.organization,
        &tenant.user,
        "2026-01-01T00:00:00Z",
    );
    let reply = app.get("/api/v1/sessions", &tenant.key, None).await;
    assert_eq!(reply.listed("organizationId"), [tenant.organization.get()]);
    let reply = app
        .get(
            "/api/v1/sessions",
            &tenant.key,
            Some(&tenant.organization.to_string()),
        )
        .await;
    assert_eq!(reply.listed("organizationId"), [tenant.organization.get()]);
}

async fn a_bound_key_may_name_only_its_own_organization(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    let personal = tenant.user.default_organization_id;
    let reply = app
        .get("/api/v1/sessions", &tenant.key, Some(&personal.to_string()))
        .await;
    let message = format!(
        "this API key is bound to organization {} and cannot act on organization {personal}",
        tenant.organization
    );
    assert_eq!(
        (reply.status, &reply.body),
        (403, &error("forbidden", &message))
    );
}

async fn an_unbound_key_without_header_acts_on_the_default_organization(app: TestApp) {
    let mut conn = app.conn();
    let user = users::create(&mut conn, None).expect("user");
    let other = organization(&mut conn).id;
    users::add_member(&mut conn, other, user.id, Role::Admin).expect("membership");
    session_at(
        &mut conn,
        user.default_organization_id,
        &user,
        "2026-01-01T00:00:00Z",
    );
    session_at(&mut conn, other, &user, "2026-01-01T00:00:00Z");
    let (_, key) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    let reply = app.get("/api/v1/sessions", &key, None).await;
    assert_eq!(
        reply.listed("organizationId"),
        [user.default_organization_id.get()]
    );
}

async fn a_changed_default_takes_effect_at_once(app: TestApp) {
    let mut conn = app.conn();
    let user = users::create(&mut conn, None).expect("user");
    let other = organization(&mut conn).id;
    users::add_member(&mut conn, other, user.id, Role::Admin).expect("membership");
    session_at(&mut conn, other, &user, "2026-01-01T00:00:00Z");
    let (_, key) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    assert_eq!(
        app.get("/api/v1/sessions", &key, None)
            .await
            .listed("organizationId"),
        Vec::<i64>::new()
    );
    users::set_default_organization(&mut conn, user.id, other).expect("default");
    assert_eq!(
        app.get("/api/v1/sessions", &key, None)
            .await
            .listed("organizationId"),
        [other.get()]
    );
}

async fn a_non_member_is_forbidden_even_where_no_organization_exists(app: TestApp) {
    let mut conn = app.conn();
    let user = users::create(&mut conn, None).expect("user");
    let (_, key) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    let foreign = organization(&mut conn).id;
    let missing = OrganizationId::new(9_000_000_000).expect("positive");
    for organization in [foreign, missing] {
        let reply = app
            .get("/api/v1/sessions", &key, Some(&organization.to_string()))
            .await;
        let message = format!("you are not a member of organization {organization}");
        assert_eq!(
            (reply.status, &reply.body),
            (403, &error("forbidden", &message))
        );
    }
}

async fn a_removed_member_is_forbidden_at_once_bound_keys_included(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    let (_, unbound) = api_keys::create(&mut conn, tenant.user.id, None, None).expect("key");
    let org = tenant.organization.to_string();
    assert_eq!(
        app.get("/api/v1/sessions", &tenant.key, None).await.status,
        200
    );
    assert_eq!(
        app.get("/api/v1/sessions", &unbound, Some(&org))
            .await
            .status,
        200
    );
    users::remove_member(&mut conn, tenant.organization, tenant.user.id).expect("remove");
    let expected = error(
        "forbidden",
        &format!("you are not a member of organization {org}"),
    );
    let reply = app.get("/api/v1/sessions", &tenant.key, None).await;
    assert_eq!((reply.status, &reply.body), (403, &expected));
    let reply = app.get("/api/v1/sessions", &unbound, Some(&org)).await;
    assert_eq!((reply.status, &reply.body), (403, &expected));
}

async fn every_role_may_list(app: TestApp) {
    let mut conn = app.conn();
    let org = organization(&mut conn).id;
    for role in [Role::Admin, Role::ReadWrite, Role::ReadOnly] {
        let user = member(&mut conn, org, role);
        let (_, key) = api_keys::create(&mut conn, user.id, Some(org), None).expect("key");
        assert_eq!(
            app.get("/api/v1/sessions", &key, None).await.status,
            200,
            "{role}"
        );
    }
}

async fn a_repeated_header_is_a_bad_request(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    let org = tenant.organization.to_string();
    let request = actix_web::test::TestRequest::get()
        .uri("/api/v1/sessions")
        .insert_header(("Authorization", format!("Bearer {}", tenant.key.expose())))
        .append_header(("X-Organization-Id", org.as_str()))
        .append_header(("X-Organization-Id", org.as_str()));
    let reply = app.call(request).await;
    assert_eq!(
        (reply.status, &reply.body),
        (
            400,
            &error(
                "invalid_parameter",
                "X-Organization-Id must be given at most once"
            )
        )
    );
}

async fn a_malformed_header_is_a_bad_request(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    let expected = error(
        "invalid_parameter",
        "X-Organization-Id must be a positive integer",
    );
    for value in [
        "abc",
        "0",
        "-1",
        "+5",
        "05",
        "1.5",
        "",
        "1234567890123456789012345678901234567890",
    ] {
        let reply = app.get("/api/v1/sessions", &tenant.key, Some(value)).await;
        assert_eq!((reply.status, &reply.body), (400, &expected), "{value:?}");
    }
}
