//! `admin session import`: NDJSON in, one summary object out; or one line
//! naming the bad input line, and nothing written.

use serde_json::{Value, json};
use sessions_domain::{Limit, OrganizationId};
use sessions_storage::sessions;
use sessions_storage::testing::TestDb;

use crate::Operator;

sessions_storage::on_both_backends!(
    a_file_is_imported_and_summed_up,
    standard_input_is_read_from_a_dash,
    a_bad_line_is_named_and_nothing_is_written,
    a_taken_instant_or_a_non_member_is_refused_with_its_line,
);

/// An organization and a member of it, through the binary.
fn setup(operator: &Operator) -> (String, String) {
    let org = operator.admin(&["org", "create", "--name", "Acme"]).json()["id"].to_string();
    let user = operator.admin(&["user", "create"]).json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    operator
        .admin(&[
            "member",
            "add",
            "--org",
            &org,
            "--user",
            &user,
            "--role",
            "readwrite",
        ])
        .json();
    (org, user)
}

fn stored(db: &TestDb, org: &str) -> usize {
    let org = OrganizationId::new(org.parse().expect("id")).expect("positive");
    sessions::list(&mut db.connect(), org, Limit::MAX, None)
        .expect("page")
        .sessions
        .len()
}

fn device(id: &str) -> Value {
    json!({"deviceId": id, "platform": "android", "type": "emulator", "name": "Pixel 8", "osVersion": "15"})
}

fn a_file_is_imported_and_summed_up(db: &TestDb) {
    let operator = Operator::new(db);
    let (org, user) = setup(&operator);
    let full = json!({
        "sessionId": "0b7e4b52-6c3d-4f7e-9a43-5c1d2b3a4f01",
        "organizationId": org.parse::<i64>().expect("id"),
        "userId": user,
        "device": device("emulator-5554"),
        "createdAt": "2026-01-01T01:00:00.1234567+01:00",
        "releasedAt": "2026-01-01T00:30:00Z"
    });
    let bare = json!({"device": device("emulator-5556")});
    let older = json!({"device": device("emulator-5558"), "createdAt": "2025-06-01T00:00:00Z", "releasedAt": null});
    // A byte-order mark, a blank line and a CRLF ending are fine.
    let input = format!("\u{feff}{full}\n\n{bare}\r\n{older}");
    std::fs::write(operator.dir.path().join("sessions.ndjson"), input).expect("write");

    let out = operator.admin(&[
        "session",
        "import",
        "--org",
        &org,
        "--user",
        &user,
        "sessions.ndjson",
    ]);
    assert_eq!(out.stderr, "", "no progress bar off a terminal");
    let summary = out.json();
    let newest = summary["newest"].as_str().expect("newest").to_owned();
    assert_eq!(
        summary,
        json!({"organizationId": org.parse::<i64>().expect("id"), "imported": 3,
               "oldest": "2025-06-01T00:00:00Z", "newest": newest})
    );
    assert!(newest.as_str() > "2026-01-01T00:00:00.123456Z", "{newest}");
    assert_eq!(stored(db, &org), 3);

    let session = sessions::find(
        &mut db.connect(),
        "0b7e4b52-6c3d-4f7e-9a43-5c1d2b3a4f01"
            .parse()
            .expect("uuid"),
    )
    .expect("query")
    .expect("imported");
    assert_eq!(
        session.created_at.to_string(),
        "2026-01-01T00:00:00.123456Z"
    );
    assert_eq!(
        session.released_at.map(|at| at.to_string()).as_deref(),
        Some("2026-01-01T00:30:00Z")
    );
    assert_eq!(session.device.device_id, "emulator-5554");
}

fn standard_input_is_read_from_a_dash(db: &TestDb) {
    let operator = Operator::new(db);
    let (org, user) = setup(&operator);
    let input: String = (0..50)
        .map(|i| {
            format!(
                "{}\n",
                json!({"userId": user, "device": device(&format!("d{i}")),
                       "createdAt": format!("2026-02-01T00:00:{i:02}Z")})
            )
        })
        .collect();
    let summary = operator
        .admin_with_input(&["session", "import", "--org", &org, "-"], &input)
        .json();
    assert_eq!(
        (&summary["imported"], &summary["oldest"], &summary["newest"]),
        (
            &json!(50),
            &json!("2026-02-01T00:00:00Z"),
            &json!("2026-02-01T00:00:49Z")
        )
    );
    assert_eq!(stored(db, &org), 50);

    let empty = operator
        .admin_with_input(&["session", "import", "--org", &org, "-"], "")
        .json();
    assert_eq!(
        empty,
        json!({"organizationId": org.parse::<i64>().expect("id"), "imported": 0, "oldest": null, "newest": null})
    );
}

fn a_bad_line_is_named_and_nothing_is_written(db: &TestDb) {
    let operator = Operator::new(db);
    let (org, user) = setup(&operator);
    let good = |i: u32| {
        json!({"device": device("d"), "createdAt": format!("2026-03-01T00:00:{i:02}Z")}).to_string()
    };
    let import = |bad: &str| {
        let input = format!("{}\n{}\n\n{bad}\n{}\n", good(1), good(2), good(3));
        operator.admin_with_input(
            &["session", "import", "--org", &org, "--user", &user, "-"],
            &input,
        )
    };
    let mut unknown = json!({"device": device("d"), "colour": "red"});
    assert!(
        import(&unknown.to_string())
            .failure()
            .starts_with("error: line 4: unknown field `colour`, expected one of"),
    );
    unknown["device"]["colour"] = json!("red");
    unknown.as_object_mut().expect("object").remove("colour");
    assert!(
        import(&unknown.to_string())
            .failure()
            .starts_with("error: line 4: unknown field `colour`"),
    );
    assert_eq!(
        import(r#"{"device": "#).failure(),
        "error: line 4: invalid JSON: EOF while parsing a value (column 11)"
    );
    let mut bad = json!({"device": device("d")});
    bad["device"]["platform"] = json!("windows");
    assert_eq!(
        import(&bad.to_string()).failure(),
        "error: line 4: device.platform: must be ios or android"
    );
    assert_eq!(
        import(&json!({"device": device(" ")}).to_string()).failure(),
        "error: line 4: device.deviceId: must not be empty"
    );
    assert!(
        import(&json!({"device": device("d"), "createdAt": "yesterday"}).to_string())
            .failure()
            .starts_with("error: line 4: createdAt: must be an RFC 3339 date-time")
    );
    assert_eq!(
        import(
            &json!({"device": device("d"), "createdAt": "2026-03-01T00:00:10Z",
                    "releasedAt": "2026-03-01T00:00:09Z"})
            .to_string()
        )
        .failure(),
        "error: line 4: a session cannot be released (2026-03-01T00:00:09Z) before it was created (2026-03-01T00:00:10Z)"
    );
    assert_eq!(
        import(&good(2)).failure(),
        "error: line 4: an earlier session of this import was created at 2026-03-01T00:00:02Z too"
    );
    assert_eq!(
        import(&json!({"device": device("d"), "organizationId": 99999}).to_string()).failure(),
        format!("error: line 4: the session belongs to organization 99999, not {org}")
    );
    assert_eq!(
        import(&json!({"device": device("d"), "sessionId": "nope"}).to_string()).failure(),
        "error: line 4: sessionId: must be a UUID"
    );
    // Without --user, a line must name its user.
    assert_eq!(
        operator
            .admin_with_input(&["session", "import", "--org", &org, "-"], &good(1))
            .failure(),
        "error: line 1: no userId, and no --user to supply one"
    );
    assert_eq!(stored(db, &org), 0);
}

fn a_taken_instant_or_a_non_member_is_refused_with_its_line(db: &TestDb) {
    let operator = Operator::new(db);
    let (org, user) = setup(&operator);
    let outsider = operator.admin(&["user", "create"]).json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    operator
        .admin_with_input(
            &["session", "import", "--org", &org, "--user", &user, "-"],
            &json!({"device": device("d"), "createdAt": "2026-04-01T00:00:00Z"}).to_string(),
        )
        .json();
    let line = |at: &str, who: &str| {
        json!({"device": device("d"), "createdAt": at, "userId": who}).to_string()
    };
    let input = [
        line("2026-04-01T00:00:01Z", &user),
        line("2026-04-01T02:00:00+02:00", &user),
    ]
    .join("\n");
    std::fs::write(operator.dir.path().join("in.ndjson"), input).expect("write");
    assert_eq!(
        operator
            .admin(&["session", "import", "--org", &org, "in.ndjson"])
            .failure(),
        format!(
            "error: line 2: organization {org} already has a session created at 2026-04-01T00:00:00Z"
        )
    );
    // A line's own userId wins over --user, and must be a member too.
    let input = [
        line("2026-04-01T00:00:01Z", &user),
        line("2026-04-01T00:00:02Z", &outsider),
    ]
    .join("\n");
    assert_eq!(
        operator
            .admin_with_input(
                &["session", "import", "--org", &org, "--user", &user, "-"],
                &input
            )
            .failure(),
        format!("error: line 2: user {outsider} is not a member of organization {org}")
    );
    // --user is checked even when no line needs it.
    assert_eq!(
        operator
            .admin_with_input(
                &["session", "import", "--org", &org, "--user", &outsider, "-"],
                &line("2026-04-01T00:00:01Z", &user)
            )
            .failure(),
        format!("error: user {outsider} is not a member of organization {org}")
    );
    assert_eq!(
        operator
            .admin(&["session", "import", "--org", &org, "missing.ndjson"])
            .failure(),
        "error: cannot open missing.ndjson: No such file or directory (os error 2)"
    );
    assert_eq!(
        operator
            .admin(&["session", "import", "--org", &org, "."])
            .failure(),
        "error: . is a directory"
    );
    assert_eq!(stored(db, &org), 1);
}
