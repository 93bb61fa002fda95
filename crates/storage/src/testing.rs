//! Throw-away databases for tests: a temp SQLite file always, and a fresh
//! PostgreSQL database per test when `TEST_DATABASE_URL` names a server.
//! Each is migrated on creation and removed when dropped. Also the builders
//! tests use for the rows they need.

use diesel::{Connection, PgConnection, RunQueryDsl};
use sessions_domain::{
    Device, DeviceType, NewSession, Organization, OrganizationId, Platform, Role, Session,
    SessionId, Timestamp, User,
};

use crate::{
    DatabaseUrl, DbConnection, Pool, PoolOptions, organizations, run_pending_migrations, sessions,
    users,
};

/// The variable naming a PostgreSQL server (and a database on it that may be
/// used to create others).
pub const TEST_DATABASE_URL: &str = "TEST_DATABASE_URL";

/// Declares each named test once per backend, as `sqlite::<test>` and
/// `postgres::<test>` in the invoking module. Each calls `<test>(&TestDb)`,
/// or, with `with RUN:`, `RUN(<test>, TestDb)` (for async tests).
#[macro_export]
macro_rules! on_both_backends {
    (with $run:path: $($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    $run(super::$test, $crate::testing::TestDb::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $test() {
                    if let Some(db) = $crate::testing::TestDb::postgres() {
                        $run(super::$test, db);
                    }
                }
            )*
        }
    };
    ($($test:ident),* $(,)?) => {
        $crate::on_both_backends!(with $crate::testing::run: $($test),*);
    };
}

/// Runs a synchronous test on a database.
pub fn run(test: fn(&TestDb), db: TestDb) {
    test(&db);
}

#[derive(Debug)]
pub struct TestDb {
    url: DatabaseUrl,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    SqliteDir(#[allow(dead_code)] tempfile::TempDir),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir for the test database");
        let db = Self {
            url: DatabaseUrl::Sqlite(dir.path().join("test.db")),
            cleanup: Cleanup::SqliteDir(dir),
        };
        db.migrate();
        db
    }

    /// `None` when `TEST_DATABASE_URL` is unset or empty. When it is set, a server
    /// that cannot be used fails the test rather than skipping it.
    pub fn postgres() -> Option<Self> {
        let admin_url = std::env::var(TEST_DATABASE_URL)
            .ok()
            .filter(|url| !url.is_empty())?;
        let name = format!("sessions_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|error| panic!("{TEST_DATABASE_URL} is set but unusable: {error}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("CREATE DATABASE for a test");
        let db = Self {
            url: DatabaseUrl::Postgres(with_database(&admin_url, &name)),
            cleanup: Cleanup::PostgresDatabase { admin_url, name },
        };
        db.migrate();
        Some(db)
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub fn connect(&self) -> DbConnection {
        DbConnection::open(&self.url).expect("a connection to the test database")
    }

    pub fn pool(&self) -> Pool {
        crate::pool(&self.url, PoolOptions::default())
    }

    fn migrate(&self) {
        run_pending_migrations(&mut self.connect()).expect("migrations apply");
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::PostgresDatabase { admin_url, name } = &self.cleanup
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let dropped = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
            if let Err(error) = dropped {
                eprintln!("could not drop test database {name}: {error}");
            }
        }
    }
}

/// Runs raw SQL, for tests that need to do to the database what the service
/// never does (hold a lock, say).
pub fn execute(conn: &mut DbConnection, sql: &str) {
    diesel::connection::SimpleConnection::batch_execute(conn, sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// An instant from its RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).expect(text)
}

pub fn organization(conn: &mut DbConnection) -> Organization {
    organizations::create(conn, Some("Acme")).expect("organization")
}

/// A new user who is a member of `organization`.
pub fn member(conn: &mut DbConnection, organization: OrganizationId, role: Role) -> User {
    let user = users::create(conn, None).expect("user");
    users::add_member(conn, organization, user.id, role).expect("membership");
    user
}

pub fn new_session(
    organization: OrganizationId,
    user: &User,
    created_at: Option<Timestamp>,
) -> NewSession {
    NewSession {
        id: SessionId::random(),
        organization_id: organization,
        user_id: user.id,
        device: Device {
            device_id: "00008110-000A1C2E3C3B801E".into(),
            platform: Platform::Ios,
            device_type: DeviceType::Real,
            name: "iPhone 15".into(),
            os_version: "18.1".into(),
        },
        created_at,
        released_at: None,
    }
}

/// A session created at the instant `text` names.
pub fn session_at(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: &User,
    text: &str,
) -> Session {
    sessions::create(conn, &new_session(organization, user, Some(at(text)))).expect("session")
}

/// The same server URL with another database name in its path.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |at| at + 3);
    let server = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_only_the_database_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/ci", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
        assert_eq!(
            with_database("postgres://u@h/ci?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
