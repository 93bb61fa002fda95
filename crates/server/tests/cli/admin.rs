//! Operator commands: one JSON object on success; one line on stderr, a
//! non-zero exit and no change on failure.

use serde_json::json;
use sessions_storage::testing::TestDb;

use crate::Operator;

sessions_storage::on_both_backends!(
    commands_print_one_json_object_each,
    refusals_are_one_line_and_change_nothing,
);

fn commands_print_one_json_object_each(db: &TestDb) {
    let operator = Operator::new(db);
    let admin = |args: &[&str]| operator.admin(args).json();

    let org = admin(&["org", "create", "--name", "Acme"]);
    assert_eq!(org["name"], "Acme");
    let org_id = org["id"].as_i64().expect("id").to_string();

    let user = admin(&["user", "create", "--email", "ada@example.com"]);
    assert_eq!(user["email"], "ada@example.com");
    assert!(user["defaultOrganizationId"].as_i64().expect("default") > 0);
    let user_id = user["id"].as_str().expect("id").to_owned();

    assert_eq!(
        admin(&[
            "member",
            "add",
            "--org",
            &org_id,
            "--user",
            &user_id,
            "--role",
            "readwrite"
        ]),
        json!({ "organizationId": org["id"], "userId": user_id, "role": "readwrite" })
    );
    let moved = admin(&[
        "user",
        "set-default-org",
        "--user",
        &user_id,
        "--org",
        &org_id,
    ]);
    assert_eq!(moved["defaultOrganizationId"], org["id"]);

    let key = admin(&[
        "key", "create", "--user", &user_id, "--org", &org_id, "--name", "ci",
    ]);
    let secret = key["apiKey"].as_str().expect("apiKey");
    assert!(
        secret.starts_with("mob_") && secret.ends_with(key["suffix"].as_str().expect("suffix"))
    );
    assert_eq!(
        (&key["organizationId"], &key["name"], &key["revokedAt"]),
        (&org["id"], &json!("ci"), &json!(null))
    );

    let session = admin(&[
        "session",
        "create",
        "--org",
        &org_id,
        "--user",
        &user_id,
        "--platform",
        "android",
        "--device-type",
        "emulator",
        "--device-name",
        "Pixel 8",
        "--os-version",
        "15",
        "--device-id",
        "emulator-5554",
        "--created-at",
        "2026-01-01T01:00:00.1234567+01:00",
    ]);
    assert_eq!(
        session,
        json!({
            "sessionId": session["sessionId"],
            "organizationId": org["id"],
            "userId": user_id,
            "device": {
                "deviceId": "emulator-5554", "platform": "android", "type": "emulator",
                "name": "Pixel 8", "osVersion": "15"
            },
            "createdAt": "2026-01-01T00:00:00.123456Z",
            "releasedAt": null
        })
    );
    let session_id = session["sessionId"].as_str().expect("sessionId");
    let released = admin(&[
        "session",
        "release",
        "--id",
        session_id,
        "--at",
        "2026-01-01T00:10:00Z",
    ]);
    assert_eq!(released["releasedAt"], "2026-01-01T00:10:00Z");

    let revoked = admin(&["key", "revoke", "--id", key["id"].as_str().expect("id")]);
    assert!(revoked["revokedAt"].is_string());
    assert_eq!(revoked.get("apiKey"), None, "the secret is shown only once");

    let removed = admin(&[
        "member",
        "remove",
        "--org",
        &user["defaultOrganizationId"].to_string(),
        "--user",
        &user_id,
    ]);
    assert_eq!(removed["role"], "admin");
}

fn refusals_are_one_line_and_change_nothing(db: &TestDb) {
    let operator = Operator::new(db);
    let admin = |args: &[&str]| operator.admin(args);

    let org = admin(&["org", "create", "--name", "Acme"]).json()["id"].to_string();
    let user = admin(&["user", "create"]).json();
    let user_id = user["id"].as_str().expect("id");
    let personal = user["defaultOrganizationId"].to_string();
    let create_session = |at: &str| {
        admin(&[
            "session",
            "create",
            "--org",
            &org,
            "--user",
            user_id,
            "--platform",
            "ios",
            "--device-type",
            "real",
            "--device-name",
            "iPhone",
            "--os-version",
            "18",
            "--created-at",
            at,
        ])
    };

    assert_eq!(
        create_session("2026-01-01T00:00:00Z").failure(),
        format!("error: user {user_id} is not a member of organization {org}")
    );
    admin(&[
        "member", "add", "--org", &org, "--user", user_id, "--role", "readonly",
    ])
    .json();
    create_session("2026-01-01T00:00:00Z").json();
    assert_eq!(
        create_session("2026-01-01T00:00:00.000000Z").failure(),
        format!("error: organization {org} already has a session created at 2026-01-01T00:00:00Z")
    );
    assert_eq!(
        admin(&["member", "remove", "--org", &personal, "--user", user_id]).failure(),
        format!(
            "error: organization {personal} is the default organization of user {user_id}; set another default first"
        )
    );
    assert_eq!(
        admin(&[
            "member", "add", "--org", &org, "--user", user_id, "--role", "admin"
        ])
        .failure(),
        format!("error: user {user_id} is already a member of organization {org}")
    );
    let usage = admin(&["org", "create", "--name", ""]);
    assert!(
        usage.failure().contains("must not be empty"),
        "{}",
        usage.stderr
    );
    let usage = admin(&["org"]);
    assert_eq!(
        usage.failure(),
        "error: 'sessions-api admin org' requires a subcommand but one was not provided \
         [subcommands: create, help] (see --help)"
    );
    let usage = admin(&[
        "member", "add", "--org", &org, "--user", user_id, "--role", "owner",
    ]);
    assert!(
        usage
            .failure()
            .contains("must be one of admin, readwrite, readonly"),
        "{}",
        usage.stderr
    );
    let usage = admin(&["key", "create", "--user", "not-a-uuid"]);
    assert!(
        usage.failure().contains("must be a UUID"),
        "{}",
        usage.stderr
    );
    let usage = admin(&[
        "session",
        "release",
        "--id",
        user_id,
        "--at",
        "2016-12-31T23:59:60Z",
    ]);
    assert!(usage.failure().contains("leap second"), "{}", usage.stderr);
    // The refused `member add` left the first role in place. (The refused
    // session before the membership added nothing either, or the session at
    // the same instant after it would have been refused.)
    assert_eq!(
        admin(&["member", "remove", "--org", &org, "--user", user_id]).json()["role"],
        "readonly"
    );
}
