//! `serve` and `migrate` against real databases, and the database URL rules.

use serde_json::json;
use sessions_storage::testing::TestDb;

use crate::{Operator, sessions_api};

sessions_storage::on_both_backends!(
    serves_what_the_operator_created,
    demo_seeds_an_empty_database_once,
);

fn serves_what_the_operator_created(db: &TestDb) {
    let operator = Operator::new(db);
    let admin = |args: &[&str]| operator.admin(args).json();
    let org = admin(&["org", "create", "--name", "Acme"])["id"].to_string();
    let user = admin(&["user", "create"])["id"]
        .as_str()
        .expect("id")
        .to_owned();
    admin(&[
        "member", "add", "--org", &org, "--user", &user, "--role", "readonly",
    ]);
    let key = admin(&["key", "create", "--user", &user, "--org", &org]);
    let secret = key["apiKey"].as_str().expect("apiKey");
    for at in [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:02Z",
    ] {
        admin(&[
            "session",
            "create",
            "--org",
            &org,
            "--user",
            &user,
            "--platform",
            "ios",
            "--device-type",
            "simulator",
            "--device-name",
            "iPhone 16",
            "--os-version",
            "18.2",
            "--created-at",
            at,
        ]);
    }

    let server = operator.serve(&[]);
    let (status, body) = server.get("/api/v1/sessions?limit=2", Some(secret));
    assert_eq!(status, 200);
    assert_eq!(body["sessions"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["nextCursor"], "2026-01-01T00:00:01Z");
    let (_, last) = server.get(
        "/api/v1/sessions?limit=2&before=2026-01-01T00:00:01Z",
        Some(secret),
    );
    assert_eq!(last["sessions"][0]["createdAt"], "2026-01-01T00:00:00Z");
    assert_eq!(last.get("nextCursor"), None);

    let (status, body) = server.get("/api/v1/sessions", None);
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (401, json!("unauthorized"))
    );

    // A key revoked while the server runs is refused on the next request.
    admin(&["key", "revoke", "--id", key["id"].as_str().expect("id")]);
    let (status, _) = server.get("/api/v1/sessions", Some(secret));
    assert_eq!(status, 401);
}

fn demo_seeds_an_empty_database_once(db: &TestDb) {
    let operator = Operator::new(db);
    let first = operator.serve(&["--demo"]);
    let printed = first.printed().join("\n");
    let secret = printed
        .split_whitespace()
        .find(|word| word.starts_with("mob_"))
        .expect("the key is printed")
        .trim_end_matches('\'')
        .to_owned();
    assert!(
        printed.contains(&format!(
            "curl -s 'http://{}/api/v1/sessions?limit=2'",
            first.address
        )),
        "{printed}"
    );
    let (status, page) = first.get("/api/v1/sessions", Some(&secret));
    assert_eq!(status, 200);
    assert_eq!(page["sessions"].as_array().map(Vec::len), Some(100));
    assert!(page["nextCursor"].is_string());
    drop(first);

    let again = operator.serve(&["--demo"]);
    assert_eq!(
        again.printed(),
        Vec::<String>::new(),
        "no secret the second time"
    );
    let (_, page) = again.get("/api/v1/sessions?limit=500", Some(&secret));
    assert_eq!(
        page["sessions"].as_array().map(Vec::len),
        Some(300),
        "nothing added"
    );
}

#[test]
fn migrate_applies_pending_migrations_once() {
    let dir = tempfile::tempdir().expect("dir");
    let first = sessions_api(dir.path(), "sqlite://fresh.db", &["migrate"]);
    assert_eq!(
        (first.code, first.stderr.trim()),
        (Some(0), "2 migration(s) applied to sqlite://fresh.db")
    );
    let second = sessions_api(dir.path(), "sqlite://fresh.db", &["migrate"]);
    assert_eq!(
        (second.code, second.stderr.trim()),
        (Some(0), "0 migration(s) applied to sqlite://fresh.db")
    );
}

#[test]
fn the_default_database_is_sessions_db_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_sessions-api"))
        .arg("migrate")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert!(dir.path().join("sessions.db").exists());
}

#[test]
fn an_unusable_database_url_is_a_clear_error_never_a_fallback() {
    let dir = tempfile::tempdir().expect("dir");
    let scheme = sessions_api(dir.path(), "mysql://root@127.0.0.1/test", &["migrate"]);
    assert_eq!(
        scheme.failure(),
        "error: invalid value 'mysql://root@127.0.0.1/test' for '--database-url <DATABASE>': \
         unsupported database URL scheme `mysql://` (use sqlite://PATH, a file path, or postgres://…) \
         (see --help)"
    );
    let unreachable = sessions_api(
        dir.path(),
        "postgres://nobody@127.0.0.1:1/none",
        &["serve", "--bind", "127.0.0.1:0"],
    );
    let reason = unreachable.failure();
    assert!(
        reason.starts_with(
            "error: cannot open the PostgreSQL database postgres://nobody@127.0.0.1:1/none: "
        ),
        "{reason}"
    );
    assert!(reason.contains("port 1 failed"), "{reason}");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "no SQLite file was created"
    );
}

#[test]
fn a_taken_port_fails_before_the_demo_creates_anything() {
    let dir = tempfile::tempdir().expect("dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = taken.local_addr().expect("address").to_string();
    let refused = sessions_api(
        dir.path(),
        "sqlite://demo.db",
        &["serve", "--demo", "--bind", &address],
    );
    assert!(
        refused
            .failure()
            .starts_with(&format!("error: cannot listen on {address}: "))
    );
    drop(taken);
    // The database was never touched, so a later --demo still seeds it.
    assert!(!dir.path().join("demo.db").exists());
}

#[test]
fn admin_commands_need_a_migrated_database_and_create_no_file() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = sessions_api(
        dir.path(),
        "typo.db",
        &["admin", "org", "create", "--name", "Acme"],
    );
    assert_eq!(
        missing.failure(),
        "error: no SQLite database at typo.db; `sessions-api migrate` creates it"
    );
    assert!(!dir.path().join("typo.db").exists());
}

/// No log line carries a key or an `Authorization` value, even at the most
/// verbose level, whatever the key: valid, unknown, revoked or absurd.
#[test]
fn no_key_reaches_the_log() {
    let db = TestDb::sqlite();
    let operator = Operator::new(&db);
    let server =
        crate::Server::start_logging(operator.dir.path(), &operator.url, &["--demo"], "trace");
    let key = server.demo_key();
    let unknown = format!("mob_{}", "u".repeat(43));
    let absurd = format!("mob_{}", "x".repeat(50_000));
    for token in [key.as_str(), &unknown, &absurd, "mob_short", "not-a-key"] {
        for authorization in [
            format!("Bearer {token}"),
            format!("Basic {token}"),
            token.to_owned(),
        ] {
            server.call(
                "/api/v1/sessions?limit=1",
                &[("Authorization", &authorization)],
            );
        }
    }
    let log = server.log().join("\n");
    assert!(
        log.contains("GET /api/v1/sessions?limit=1"),
        "the requests were logged: {log}"
    );
    for secret in [
        key.as_str(),
        &unknown,
        "mob_",
        "x".repeat(64).as_str(),
        "Bearer ",
        "Basic ",
        "not-a-key",
    ] {
        assert!(!log.contains(secret), "{secret:?} in the log: {log}");
    }
    assert!(
        !log.to_ascii_lowercase().contains("authorization:"),
        "{log}"
    );
}
