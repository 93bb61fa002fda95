//! The HTTP suite: in-process requests against the whole API, on SQLite and,
//! with `TEST_DATABASE_URL`, on PostgreSQL, asserting exact JSON bodies.

mod auth;
mod errors;
mod isolation;
mod openapi;
mod organizations;
mod paging;

use std::future::Future;

use actix_web::http::header::HeaderMap;
use actix_web::test;
use serde_json::Value;
use sessions_domain::{ApiKeySecret, OrganizationId, Role, User};
use sessions_http::AppState;
use sessions_storage::testing::{TestDb, member, organization};
use sessions_storage::{DbConnection, Pool, PoolOptions, api_keys};

#[derive(Debug)]
pub struct TestApp {
    pub db: TestDb,
    state: AppState,
}

/// The answer to a request, with its body read as JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// One field of each listed session, in the order served.
    pub fn listed(&self, field: &str) -> Vec<Value> {
        assert_eq!(self.status, 200, "{}", self.body);
        let sessions = self.body["sessions"].as_array().expect("sessions");
        sessions
            .iter()
            .map(|session| session[field].clone())
            .collect()
    }
}

impl TestApp {
    pub fn new(db: TestDb) -> Self {
        let state = AppState::new(db.pool(), PoolOptions::default().deadline());
        Self { db, state }
    }

    /// An app over another pool (an unreachable database, say).
    pub fn with_state(db: TestDb, state: AppState) -> Self {
        Self { db, state }
    }

    /// The same database behind a pool configured otherwise; the pool is
    /// returned too, so that a test can hold its connections.
    pub fn with_pool(self, options: PoolOptions) -> (Self, Pool) {
        let pool = sessions_storage::pool(self.db.url(), options);
        let state = AppState::new(pool.clone(), options.deadline());
        (Self { db: self.db, state }, pool)
    }

    pub fn conn(&self) -> DbConnection {
        self.db.connect()
    }

    pub async fn call(&self, request: test::TestRequest) -> Reply {
        let app = test::init_service(sessions_http::app(self.state.clone())).await;
        let response = test::call_service(&app, request.to_request()).await;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        // Every answer, success or not, is JSON, private and not to be
        // sniffed as anything else.
        for (name, value) in [
            ("content-type", "application/json"),
            ("cache-control", "no-store"),
            ("x-content-type-options", "nosniff"),
        ] {
            assert_eq!(
                headers.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name} of a {status}"
            );
        }
        let bytes = test::read_body(response).await;
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            panic!(
                "status {status}: body is not JSON: {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `GET uri` with a bearer key and, optionally, `X-Organization-Id`.
    pub async fn get(&self, uri: &str, key: &ApiKeySecret, organization: Option<&str>) -> Reply {
        let mut request = test::TestRequest::get()
            .uri(uri)
            .insert_header(("Authorization", format!("Bearer {}", key.expose())));
        if let Some(organization) = organization {
            request = request.insert_header(("X-Organization-Id", organization));
        }
        self.call(request).await
    }
}

/// An organization with one member holding a key bound to it.
#[derive(Debug)]
pub struct Tenant {
    pub organization: OrganizationId,
    pub user: User,
    pub key: ApiKeySecret,
}

impl Tenant {
    pub fn new(conn: &mut DbConnection) -> Self {
        let organization = organization(conn).id;
        let user = member(conn, organization, Role::ReadOnly);
        let (_, key) = api_keys::create(conn, user.id, Some(organization), None).expect("key");
        Self {
            organization,
            user,
            key,
        }
    }
}

pub fn error(code: &str, message: &str) -> Value {
    serde_json::json!({ "error": { "code": code, "message": message } })
}

/// Runs an async test on a fresh app over `db`.
pub fn run<F, Fut>(test: F, db: TestDb)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    actix_web::rt::System::new().block_on(test(TestApp::new(db)));
}
