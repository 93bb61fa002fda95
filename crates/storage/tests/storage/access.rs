//! Finding the caller behind an API key, with their membership in the
//! organization the request selects.

use sessions_domain::{AccessDenied, ApiKeySecret, Caller, OrganizationId, Role};
use sessions_storage::testing::TestDb;
use sessions_storage::{DbConnection, api_keys, users};

use sessions_storage::testing::{member, organization};

sessions_storage::on_both_backends!(
    an_unbound_key_acts_on_the_default_organization,
    an_unbound_key_may_name_any_organization_of_its_user,
    a_bound_key_acts_on_its_organization_only,
    unknown_and_revoked_keys_find_no_caller,
    a_removed_member_loses_access_at_once,
    a_nonexistent_organization_looks_like_any_other_foreign_one,
);

fn caller(
    conn: &mut DbConnection,
    secret: &ApiKeySecret,
    requested: Option<OrganizationId>,
) -> Caller {
    api_keys::find_caller(conn, &secret.digest(), requested)
        .expect("query")
        .expect("a live key")
}

fn an_unbound_key_acts_on_the_default_organization(db: &TestDb) {
    let mut conn = db.connect();
    let user = users::create(&mut conn, Some("ada@example.com")).expect("user");
    let (_, secret) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    let membership = caller(&mut conn, &secret, None)
        .authorize(None)
        .expect("allowed");
    assert_eq!(membership.organization_id, user.default_organization_id);
    assert_eq!(membership.role, Role::Admin);
}

fn an_unbound_key_may_name_any_organization_of_its_user(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::ReadOnly);
    let (_, secret) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    let membership = caller(&mut conn, &secret, Some(org))
        .authorize(Some(org))
        .expect("allowed");
    assert_eq!(
        (membership.organization_id, membership.role),
        (org, Role::ReadOnly)
    );
    let foreign = organization(&mut conn).id;
    assert_eq!(
        caller(&mut conn, &secret, Some(foreign)).authorize(Some(foreign)),
        Err(AccessDenied::NotAMember(foreign))
    );
}

fn a_bound_key_acts_on_its_organization_only(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::ReadWrite);
    let (key, secret) = api_keys::create(&mut conn, user.id, Some(org), Some("ci")).expect("key");
    assert_eq!(key.organization_id, Some(org));
    assert_eq!(
        caller(&mut conn, &secret, None)
            .authorize(None)
            .map(|m| m.organization_id),
        Ok(org)
    );
    assert_eq!(
        caller(&mut conn, &secret, Some(org))
            .authorize(Some(org))
            .map(|m| m.organization_id),
        Ok(org)
    );
    // The user's own Personal organization is still off limits to this key.
    let personal = user.default_organization_id;
    assert_eq!(
        caller(&mut conn, &secret, Some(personal)).authorize(Some(personal)),
        Err(AccessDenied::KeyBoundElsewhere {
            bound: org,
            requested: personal
        })
    );
}

fn unknown_and_revoked_keys_find_no_caller(db: &TestDb) {
    let mut conn = db.connect();
    let user = users::create(&mut conn, None).expect("user");
    let unknown = ApiKeySecret::generate();
    assert_eq!(
        api_keys::find_caller(&mut conn, &unknown.digest(), None).expect("query"),
        None
    );
    let (key, secret) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    api_keys::revoke(&mut conn, key.id).expect("revoke");
    assert_eq!(
        api_keys::find_caller(&mut conn, &secret.digest(), None).expect("query"),
        None
    );
}

fn a_removed_member_loses_access_at_once(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let (_, bound) = api_keys::create(&mut conn, user.id, Some(org), None).expect("key");
    let (_, unbound) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    assert!(caller(&mut conn, &bound, None).authorize(None).is_ok());
    users::remove_member(&mut conn, org, user.id).expect("remove");
    assert_eq!(
        caller(&mut conn, &bound, None).authorize(None),
        Err(AccessDenied::NotAMember(org))
    );
    assert_eq!(
        caller(&mut conn, &unbound, Some(org)).authorize(Some(org)),
        Err(AccessDenied::NotAMember(org))
    );
}

fn a_nonexistent_organization_looks_like_any_other_foreign_one(db: &TestDb) {
    let mut conn = db.connect();
    let user = users::create(&mut conn, None).expect("user");
    let (_, secret) = api_keys::create(&mut conn, user.id, None, None).expect("key");
    let missing = OrganizationId::new(i64::MAX).expect("positive");
    assert_eq!(
        caller(&mut conn, &secret, Some(missing)).authorize(Some(missing)),
        Err(AccessDenied::NotAMember(missing))
    );
}
