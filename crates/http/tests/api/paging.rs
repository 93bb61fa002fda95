//! The 200 answer: shape, order, and walking every page.

use serde_json::{Value, json};
use sessions_domain::{DeviceType, Platform, Timestamp};
use sessions_storage::sessions;
use sessions_storage::testing::{at, new_session, session_at};

use crate::{Tenant, TestApp};

sessions_storage::on_both_backends!(with crate::run:
    answers_the_exact_contract_shape,
    next_cursor_appears_only_while_older_sessions_remain,
    walking_by_next_cursor_or_last_created_at_yields_each_session_once,
    before_is_strictly_before_at_full_precision,
    limit_defaults_to_100,
    unknown_parameters_are_ignored,
);

async fn answers_the_exact_contract_shape(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    let mut held = new_session(
        tenant.organization,
        &tenant.user,
        Some(at("2026-01-02T03:04:05.678901Z")),
    );
    held.device.device_id = "emulator-5554".into();
    held.device.platform = Platform::Android;
    held.device.device_type = DeviceType::Emulator;
    held.device.name = "Pixel 8".into();
    held.device.os_version = "15".into();
    let held = sessions::create(&mut conn, &held).expect("session");
    let released = session_at(
        &mut conn,
        tenant.organization,
        &tenant.user,
        "2026-01-01T00:00:00Z",
    );
    sessions::release(&mut conn, released.id, Some(at("2026-01-01T00:30:00.5Z"))).expect("release");

    let reply = app.get("/api/v1/sessions", &tenant.key, None).await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(
        reply.body,
        json!({
            "sessions": [
                {
                    "sessionId": held.id.to_string(),
                    "organizationId": tenant.organization.get(),
                    "userId": tenant.user.id.to_string(),
                    "device": {
                        "deviceId": "emulator-5554",
                        "platform": "android",
                        "type": "emulator",
                        "name": "Pixel 8",
                        "osVersion": "15"
                    },
                    "createdAt": "2026-01-02T03:04:05.678901Z",
                    "releasedAt": null
                },
                {
                    "sessionId": released.id.to_string(),
                    "organizationId": tenant.organization.get(),
                    "userId": tenant.user.id.to_string(),
                    "device": {
                        "deviceId": "00008110-000A1C2E3C3B801E",
                        "platform": "ios",
                        "type": "real",
                        "name": "iPhone 15",
                        "osVersion": "18.1"
                    },
                    "createdAt": "2026-01-01T00:00:00Z",
                    "releasedAt": "2026-01-01T00:30:00.5Z"
                }
            ]
        })
    );
}

async fn next_cursor_appears_only_while_older_sessions_remain(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    for instant in [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:02Z",
    ] {
        session_at(&mut conn, tenant.organization, &tenant.user, instant);
    }
    let first = app.get("/api/v1/sessions?limit=2", &tenant.key, None).await;
    assert_eq!(
        first.listed("createdAt"),
        ["2026-01-01T00:00:02Z", "2026-01-01T00:00:01Z"]
    );
    assert_eq!(first.body["nextCursor"], "2026-01-01T00:00:01Z");

    let last = app
        .get(
            "/api/v1/sessions?limit=2&before=2026-01-01T00:00:01Z",
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(last.listed("createdAt"), ["2026-01-01T00:00:00Z"]);
    assert_eq!(last.body.get("nextCursor"), None, "absent, not null");

    let exact = app.get("/api/v1/sessions?limit=3", &tenant.key, None).await;
    assert_eq!(exact.body.get("nextCursor"), None);
    let beyond = app
        .get(
            "/api/v1/sessions?before=2026-01-01T00:00:00Z",
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(beyond.body, json!({ "sessions": [] }));
}

async fn walking_by_next_cursor_or_last_created_at_yields_each_session_once(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    let noise = Tenant::new(&mut conn);
    let base = at("2026-06-01T00:00:00Z").unix_micros();
    let mut expected: Vec<Value> = Vec::new();
    for i in 0..250i64 {
        let created_at =
            Timestamp::from_unix_micros(base + i * 1_000_000 + (i % 5) * 1_111).expect("in range");
        let session = sessions::create(
            &mut conn,
            &new_session(tenant.organization, &tenant.user, Some(created_at)),
        )
        .expect("session");
        expected.push(Value::from(session.id.to_string()));
        sessions::create(
            &mut conn,
            &new_session(noise.organization, &noise.user, Some(created_at)),
        )
        .expect("noise");
    }
    expected.reverse();

    for limit in [1, 7, 100, 500] {
        for own_cursor in [false, true] {
            let mut seen: Vec<Value> = Vec::new();
            let mut uri = format!("/api/v1/sessions?limit={limit}");
            loop {
                let reply = app.get(&uri, &tenant.key, None).await;
                let page = reply.listed("sessionId");
                assert!(page.len() <= limit);
                seen.extend(page);
                let Some(cursor) = reply.body.get("nextCursor").and_then(Value::as_str) else {
                    break;
                };
                let last_created_at = reply.listed("createdAt").pop().expect("a full page");
                assert_eq!(cursor, last_created_at);
                let next = if own_cursor {
                    as_a_client_writes_it(cursor)
                } else {
                    cursor.to_owned()
                };
                uri = format!("/api/v1/sessions?limit={limit}&before={next}");
            }
            assert_eq!(seen, expected, "limit={limit}, own cursor: {own_cursor}");
        }
    }
}

/// The same instant as a client might render it: at +02:00, to the
/// nanosecond, percent-encoded.
fn as_a_client_writes_it(created_at: &str) -> String {
    let instant = Timestamp::parse_rfc3339(created_at).expect("createdAt");
    let two_hours = 2 * 3_600 * 1_000_000;
    let local = Timestamp::from_unix_micros(instant.unix_micros() + two_hours)
        .expect("in range")
        .to_string();
    let local = local.trim_end_matches('Z');
    let (seconds, fraction) = local.split_once('.').unwrap_or((local, ""));
    format!("{seconds}.{fraction:0<9}%2B02:00")
}

async fn before_is_strictly_before_at_full_precision(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    for instant in [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000001Z",
        "2026-01-01T00:00:00.000002Z",
    ] {
        session_at(&mut conn, tenant.organization, &tenant.user, instant);
    }
    let page = |before: &'static str| {
        let app = &app;
        let key = &tenant.key;
        async move {
            app.get(&format!("/api/v1/sessions?before={before}"), key, None)
                .await
        }
    };
    let finer = page("2026-01-01T00:00:00.0000015Z").await;
    assert_eq!(
        finer.listed("createdAt"),
        ["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00Z"]
    );
    let exact = page("2026-01-01T00:00:00.000001Z").await;
    assert_eq!(exact.listed("createdAt"), ["2026-01-01T00:00:00Z"]);
    let offset = page("2026-01-01T02:00:00.000002%2B02:00").await;
    assert_eq!(
        offset.listed("createdAt"),
        ["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00Z"]
    );
    let lower = page("2026-01-01t00:00:00.000002z").await;
    assert_eq!(
        lower.listed("createdAt"),
        ["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00Z"]
    );
}

async fn limit_defaults_to_100(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    for _ in 0..101 {
        sessions::create(
            &mut conn,
            &new_session(tenant.organization, &tenant.user, None),
        )
        .expect("session");
    }
    let reply = app.get("/api/v1/sessions", &tenant.key, None).await;
    assert_eq!(reply.listed("createdAt").len(), 100);
    assert!(reply.body["nextCursor"].is_string());
}

async fn unknown_parameters_are_ignored(app: TestApp) {
    let mut conn = app.conn();
    let tenant = Tenant::new(&mut conn);
    session_at(
        &mut conn,
        tenant.organization,
        &tenant.user,
        "2026-01-01T00:00:00Z",
    );
    let reply = app
        .get(
            "/api/v1/sessions?page=3&sort=asc&limit=1",
            &tenant.key,
            None,
        )
        .await;
    assert_eq!(reply.listed("createdAt"), ["2026-01-01T00:00:00Z"]);
}
