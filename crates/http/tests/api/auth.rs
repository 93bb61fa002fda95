//! 401: missing, malformed, unknown or revoked credentials.

use actix_web::test::TestRequest;
use sessions_domain::ApiKeySecret;
use sessions_storage::api_keys;

use crate::{Tenant, TestApp, error};

sessions_storage::on_both_backends!(with crate::run:
    a_missing_header_is_unauthorized,
    other_schemes_and_malformed_keys_are_unauthorized,
    an_unknown_key_is_unauthorized,
    a_revoked_key_is_unauthorized_at_once,
    the_scheme_is_case_insensitive,
    authentication_is_checked_before_parameters,
);

const MISSING: &str = "missing Authorization header; send `Authorization: Bearer <API key>`";
const NOT_BEARER: &str = "the Authorization header must be `Bearer <API key>`";
const INVALID: &str = "invalid or revoked API key";

async fn with_authorization(app: &TestApp, value: &str) -> crate::Reply {
    app.call(
        TestRequest::get()
            .uri("/api/v1/sessions")
            .insert_header(("Authorization", value)),
    )
    .await
}

async fn a_missing_header_is_unauthorized(app: TestApp) {
    let reply = app.call(TestRequest::get().uri("/api/v1/sessions")).await;
    assert_eq!(
        (reply.status, &reply.body),
        (401, &error("unauthorized", MISSING))
    );
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

async fn other_schemes_and_malformed_keys_are_unauthorized(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    let key = tenant.key.expose();
    for value in [
        format!("Basic {key}"),
        key.to_owned(),
        "Bearer".to_owned(),
        format!("Token {key}"),
    ] {
        let reply = with_authorization(&app, &value).await;
        assert_eq!(
            (reply.status, &reply.body),
            (401, &error("unauthorized", NOT_BEARER)),
            "{value}"
        );
    }
    for value in [
        format!("Bearer {key}x"),
        format!("Bearer {}", &key[..key.len() - 1]),
        "Bearer mob_".to_owned(),
    ] {
        let reply = with_authorization(&app, &value).await;
        assert_eq!(
            (reply.status, &reply.body),
            (401, &error("unauthorized", INVALID)),
            "{value}"
        );
    }
}

async fn an_unknown_key_is_unauthorized(app: TestApp) {
    Tenant::new(&mut app.conn());
    let reply = app
        .get("/api/v1/sessions", &ApiKeySecret::generate(), None)
        .await;
    assert_eq!(
        (reply.status, &reply.body),
        (401, &error("unauthorized", INVALID))
    );
}

async fn a_revoked_key_is_unauthorized_at_once(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    let (key, secret) = api_keys::create(&mut conn, tenant.user.id, None, None).expect("key");
    assert_eq!(app.get("/api/v1/sessions", &secret, None).await.status, 200);
    api_keys::revoke(&mut conn, key.id).expect("revoke");
    let reply = app.get("/api/v1/sessions", &secret, None).await;
    assert_eq!(
        (reply.status, &reply.body),
        (401, &error("unauthorized", INVALID))
    );
}

async fn the_scheme_is_case_insensitive(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    for scheme in ["bearer", "BEARER", "Bearer", "bEARER"] {
        let reply = with_authorization(&app, &format!("{scheme} {}", tenant.key.expose())).await;
        assert_eq!(reply.status, 200, "{scheme}");
    }
}

async fn authentication_is_checked_before_parameters(app: TestApp) {
    let reply = app
        .get(
            "/api/v1/sessions?limit=0",
            &ApiKeySecret::generate(),
            Some("abc"),
        )
        .await;
    assert_eq!(
        (reply.status, &reply.body),
        (401, &error("unauthorized", INVALID))
    );
    let reply = app
        .call(
            TestRequest::get()
                .uri("/api/v1/sessions?limit=0")
                .insert_header(("X-Organization-Id", "0")),
        )
        .await;
    assert_eq!(
        (reply.status, &reply.body),
        (401, &error("unauthorized", MISSING))
    );
}
