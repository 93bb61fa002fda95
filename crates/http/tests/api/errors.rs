//! Every failure is the JSON envelope: bad parameters, unknown routes and
//! methods, and a database that is not there.

use std::time::{Duration, Instant};

use actix_web::test::TestRequest;
use sessions_domain::ApiKeySecret;
use sessions_http::AppState;
use sessions_storage::testing::{TestDb, execute};
use sessions_storage::{DatabaseUrl, PoolOptions, pool};

use crate::{Tenant, TestApp, error};

sessions_storage::on_both_backends!(with crate::run:
    a_bad_limit_is_refused_not_clamped,
    a_bad_before_is_refused,
    a_repeated_parameter_is_refused,
    an_unknown_path_is_not_found,
    another_method_is_not_allowed,
    an_exhausted_pool_is_service_unavailable_until_a_connection_frees,
);

const LIMIT: &str = "limit must be an integer from 1 to 500";
const BEFORE: &str =
    "before must be an RFC 3339 date-time with an offset, such as 2026-01-01T00:00:00Z";

/// `GET /api/v1/sessions?QUERY` is a 400 naming the parameter.
async fn assert_refused(app: &TestApp, tenant: &Tenant, query: &str, message: &str) {
    let reply = app
        .get(&format!("/api/v1/sessions?{query}"), &tenant.key, None)
        .await;
    assert_eq!(
        (reply.status, &reply.body),
        (400, &error("invalid_parameter", message)),
        "{query}"
    );
}

async fn a_bad_limit_is_refused_not_clamped(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    for value in [
        "0",
        "501",
        "-1",
        "abc",
        "1.5",
        "",
        "%2B5",
        "05",
        "1e2",
        "99999999999999999999999",
    ] {
        assert_refused(&app, &tenant, &format!("limit={value}"), LIMIT).await;
    }
}

async fn a_bad_before_is_refused(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    for value in [
        "",
        "yesterday",
        "2026-01-01",
        "2026-01-01T00:00:00",
        "2026-01-01%2000:00:00Z",
        "1767225600",
        "2026-01-01T00:00:00%2B0200",
        "2026-01-01T02:00:00+02:00",
    ] {
        assert_refused(&app, &tenant, &format!("before={value}"), BEFORE).await;
    }
    let no_such_date = "before is not a valid calendar date and time";
    assert_refused(&app, &tenant, "before=2026-02-30T00:00:00Z", no_such_date).await;
}

async fn a_repeated_parameter_is_refused(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    let reply = app
        .get("/api/v1/sessions?limit=5&limit=5", &tenant.key, None)
        .await;
    assert_eq!(
        (reply.status, &reply.body),
        (
            400,
            &error("invalid_parameter", "limit must be given at most once")
        )
    );
}

async fn an_unknown_path_is_not_found(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    for uri in [
        "/",
        "/api/v1/session",
        "/api/v1/sessions/",
        "/api/v2/sessions",
    ] {
        let reply = app.get(uri, &tenant.key, None).await;
        assert_eq!(
            (reply.status, &reply.body),
            (404, &error("not_found", "there is nothing at this path")),
            "{uri}"
        );
        assert_eq!(reply.header("content-type"), Some("application/json"));
    }
}

async fn another_method_is_not_allowed(app: TestApp) {
    for request in [
        TestRequest::post(),
        TestRequest::put(),
        TestRequest::delete(),
        TestRequest::patch(),
    ] {
        let reply = app.call(request.uri("/api/v1/sessions")).await;
        assert_eq!(
            (reply.status, &reply.body),
            (
                405,
                &error("method_not_allowed", "this path answers only GET")
            )
        );
        assert_eq!(reply.header("allow"), Some("GET"));
    }
}

async fn an_exhausted_pool_is_service_unavailable_until_a_connection_frees(app: TestApp) {
    let tenant = Tenant::new(&mut app.conn());
    let options = PoolOptions {
        max_size: 1,
        checkout_timeout: Duration::from_millis(200),
        ..PoolOptions::default()
    };
    let (app, pool) = app.with_pool(options);
    let held = pool.get().expect("the only connection");
    let reply = app.get("/api/v1/sessions", &tenant.key, None).await;
    assert_eq!(
        (reply.status, &reply.body),
        (
            503,
            &error(
                "service_unavailable",
                "the service is temporarily unavailable; retry shortly"
            )
        )
    );
    assert_eq!(reply.header("retry-after"), Some("1"));
    drop(held);
    assert_eq!(
        app.get("/api/v1/sessions", &tenant.key, None).await.status,
        200
    );
}

/// A database that cannot be reached answers 503 with `Retry-After`, fast.
#[actix_web::test]
async fn an_unreachable_database_is_service_unavailable() {
    let unreachable = [
        DatabaseUrl::parse("postgres://nobody@127.0.0.1:1/none?connect_timeout=1").expect("url"),
        DatabaseUrl::Sqlite("/nonexistent-dir/for/sure/sessions.db".into()),
    ];
    for url in unreachable {
        let options = PoolOptions {
            max_size: 2,
            checkout_timeout: Duration::from_millis(300),
            ..PoolOptions::default()
        };
        let app = TestApp::with_state(
            TestDb::sqlite(),
            AppState::new(pool(&url, options), options.deadline()),
        );
        let reply = app
            .get("/api/v1/sessions", &ApiKeySecret::generate(), None)
            .await;
        assert_eq!(
            (reply.status, &reply.body),
            (
                503,
                &error(
                    "service_unavailable",
                    "the service is temporarily unavailable; retry shortly"
                )
            ),
            "{url}"
        );
        assert_eq!(reply.header("retry-after"), Some("1"));
    }
}

/// Runs `test` with an app and a tenant on a fresh PostgreSQL database, when
/// `TEST_DATABASE_URL` names a server (the lock tests need one).
fn on_postgres<F: Future<Output = ()>>(test: impl FnOnce(TestApp, Tenant) -> F) {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    actix_web::rt::System::new().block_on(async move {
        let app = TestApp::new(db);
        let tenant = Tenant::new(&mut app.conn());
        test(app, tenant).await;
    });
}

/// PostgreSQL: a statement stuck behind another session's lock is cancelled
/// after the statement timeout and answered 503, then the service recovers.
#[test]
fn on_postgres_a_statement_stuck_behind_a_lock_is_service_unavailable() {
    on_postgres(|app, tenant| async move {
        let options = PoolOptions {
            statement_timeout: Duration::from_millis(300),
            ..PoolOptions::default()
        };
        let (app, _pool) = app.with_pool(options);
        let mut locker = app.conn();
        execute(
            &mut locker,
            "BEGIN; LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE",
        );
        let reply = app.get("/api/v1/sessions", &tenant.key, None).await;
        assert_eq!(
            (reply.status, reply.body["error"]["code"].as_str()),
            (503, Some("service_unavailable"))
        );
        execute(&mut locker, "ROLLBACK");
        assert_eq!(
            app.get("/api/v1/sessions", &tenant.key, None).await.status,
            200
        );
    });
}

/// PostgreSQL: while the pool's only connection is stuck behind a lock, the
/// next request waits for it no longer than the pool timeout: it is refused
/// before the stuck statement's own timeout ends that one.
#[test]
fn on_postgres_a_request_waits_for_a_busy_pool_no_longer_than_the_pool_timeout() {
    on_postgres(|app, tenant| async move {
        let options = PoolOptions {
            max_size: 1,
            checkout_timeout: Duration::from_millis(200),
            statement_timeout: Duration::from_millis(2_000),
        };
        let (app, _pool) = app.with_pool(options);
        let mut locker = app.conn();
        execute(
            &mut locker,
            "BEGIN; LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE",
        );
        let answered = |reply: crate::Reply| (reply.status, Instant::now());
        let (stuck, waiting) = tokio::join!(
            async { answered(app.get("/api/v1/sessions", &tenant.key, None).await) },
            async {
                // Let the first request take the connection.
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                answered(app.get("/api/v1/sessions", &tenant.key, None).await)
            },
        );
        execute(&mut locker, "ROLLBACK");
        assert_eq!((stuck.0, waiting.0), (503, 503));
        assert!(
            waiting.1 < stuck.1,
            "the waiting request was answered only after the stuck one"
        );
        assert_eq!(
            app.get("/api/v1/sessions", &tenant.key, None).await.status,
            200
        );
    });
}
