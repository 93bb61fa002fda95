//! Listing an organization's sessions: order, cursor and page boundaries.

use std::collections::HashSet;

use sessions_domain::{Cursor, Role, Session, Timestamp};
use sessions_storage::testing::TestDb;
use sessions_storage::{DbConnection, sessions};

use crate::limit;

use sessions_storage::testing::{at, member, new_session, organization, session_at};

sessions_storage::on_both_backends!(
    walking_every_page_yields_every_session_once_newest_first,
    sessions_are_newest_first_across_second_boundaries,
    cursor_is_strictly_before_at_full_precision,
    other_organizations_sessions_are_never_listed,
    last_page_has_no_cursor,
    instants_read_back_exactly_across_the_whole_range,
);

fn cursor(text: &str) -> Cursor {
    text.parse().expect(text)
}

/// Every page, following `nextCursor` as a client would (through its text).
fn walk(
    conn: &mut DbConnection,
    org: sessions_domain::OrganizationId,
    page_size: u16,
) -> Vec<Session> {
    let mut all = Vec::new();
    let mut next: Option<Cursor> = None;
    loop {
        let page = sessions::list(conn, org, limit(page_size), next).expect("page");
        assert!(page.sessions.len() <= usize::from(page_size));
        all.extend(page.sessions);
        match page.next_cursor {
            Some(at) => next = Some(cursor(&at.to_string())),
            None => return all,
        }
    }
}

fn walking_every_page_yields_every_session_once_newest_first(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::ReadOnly);
    let base = at("2026-01-01T00:00:00Z").unix_micros();
    let mut expected = Vec::new();
    for i in 0..250i64 {
        // Irregular gaps: whole seconds, single microseconds, fractions.
        let offset = i * 1_000_000 + (i % 3) + (i % 4) * 200_000;
        let created_at = Timestamp::from_unix_micros(base + offset).expect("in range");
        let session = sessions::create(&mut conn, &new_session(org, &user, Some(created_at)))
            .expect("session");
        expected.push(session.id);
    }
    expected.reverse();
    for page_size in [1, 7, 100, 500] {
        let walked = walk(&mut conn, org, page_size);
        assert_eq!(
            walked.iter().map(|s| s.id).collect::<Vec<_>>(),
            expected,
            "limit={page_size}"
        );
        assert!(walked.windows(2).all(|w| w[0].created_at > w[1].created_at));
    }
}

fn sessions_are_newest_first_across_second_boundaries(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let instants = [
        "2026-01-01T00:00:00.5Z",
        "2026-01-01T00:00:01Z",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.25Z",
        "2026-01-01T00:00:00.000001Z",
        "2025-12-31T23:59:59.999999Z",
        "0999-01-01T00:00:00Z",
    ];
    for instant in instants {
        session_at(&mut conn, org, &user, instant);
    }
    let page = sessions::list(&mut conn, org, limit(10), None).expect("page");
    let listed: Vec<String> = page
        .sessions
        .iter()
        .map(|s| s.created_at.to_string())
        .collect();
    assert_eq!(
        listed,
        [
            "2026-01-01T00:00:01Z",
            "2026-01-01T00:00:00.5Z",
            "2026-01-01T00:00:00.25Z",
            "2026-01-01T00:00:00.000001Z",
            "2026-01-01T00:00:00Z",
            "2025-12-31T23:59:59.999999Z",
            "0999-01-01T00:00:00Z",
        ]
    );
}

fn cursor_is_strictly_before_at_full_precision(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    for instant in [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.000001Z",
        "2026-01-01T00:00:00.000002Z",
    ] {
        session_at(&mut conn, org, &user, instant);
    }
    let listed = |conn: &mut DbConnection, before: &str| -> Vec<String> {
        let page = sessions::list(conn, org, limit(10), Some(cursor(before))).expect("page");
        page.sessions
            .iter()
            .map(|s| s.created_at.to_string())
            .collect()
    };
    assert_eq!(
        listed(&mut conn, "2026-01-01T00:00:00.000001Z"),
        ["2026-01-01T00:00:00Z"]
    );
    assert_eq!(
        listed(&mut conn, "2026-01-01T00:00:00.0000015Z"),
        ["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00Z"]
    );
    assert_eq!(
        listed(&mut conn, "2026-01-01T02:00:00.000002+02:00"),
        ["2026-01-01T00:00:00.000001Z", "2026-01-01T00:00:00Z"]
    );
    assert_eq!(
        listed(&mut conn, "2026-01-01T00:00:00Z"),
        Vec::<String>::new()
    );
    assert_eq!(listed(&mut conn, "9999-12-31T23:59:59.9999999Z").len(), 3);
    assert_eq!(listed(&mut conn, "0000-01-01T00:00:00Z").len(), 0);
}

fn other_organizations_sessions_are_never_listed(db: &TestDb) {
    let mut conn = db.connect();
    let ours = organization(&mut conn).id;
    let theirs = organization(&mut conn).id;
    let user = member(&mut conn, ours, Role::Admin);
    sessions_storage::users::add_member(&mut conn, theirs, user.id, Role::Admin)
        .expect("membership");
    let mine: HashSet<_> = (0..5)
        .map(|_| {
            sessions::create(&mut conn, &new_session(ours, &user, None))
                .expect("session")
                .id
        })
        .collect();
    for _ in 0..5 {
        sessions::create(&mut conn, &new_session(theirs, &user, None)).expect("session");
    }
    let page = sessions::list(&mut conn, ours, limit(100), None).expect("page");
    assert_eq!(
        page.sessions.iter().map(|s| s.id).collect::<HashSet<_>>(),
        mine
    );
    assert!(page.sessions.iter().all(|s| s.organization_id == ours));
}

fn last_page_has_no_cursor(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let empty = sessions::list(&mut conn, org, limit(2), None).expect("page");
    assert_eq!((empty.sessions.len(), empty.next_cursor), (0, None));
    session_at(&mut conn, org, &user, "2026-01-01T00:00:00Z");
    let second = session_at(&mut conn, org, &user, "2026-01-01T00:00:01Z");
    let exact = sessions::list(&mut conn, org, limit(2), None).expect("page");
    assert_eq!((exact.sessions.len(), exact.next_cursor), (2, None));
    let partial = sessions::list(&mut conn, org, limit(1), None).expect("page");
    assert_eq!(partial.next_cursor, Some(second.created_at));
}

/// Each backend stores instants its own way (SQLite as text, PostgreSQL as
/// microseconds after 2000-01-01); every one reads back to the microsecond,
/// before either epoch, across leap days and at both ends of the range.
fn instants_read_back_exactly_across_the_whole_range(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::ReadOnly);
    let instants = [
        Timestamp::MIN,
        at("0001-01-01T00:00:00.000001Z"),
        at("1600-02-29T12:34:56.7Z"),
        at("1969-12-31T23:59:59.999999Z"),
        at("1970-01-01T00:00:00Z"),
        at("1999-12-31T23:59:59.999999Z"),
        at("2000-01-01T00:00:00.000001Z"),
        at("2024-02-29T23:59:59.5Z"),
        at("2100-03-01T00:00:00.000123Z"),
        Timestamp::MAX,
    ];
    for created_at in instants {
        let mut new = new_session(org, &user, Some(created_at));
        new.released_at = Some(created_at);
        sessions::create(&mut conn, &new).expect("session");
    }
    let page = sessions::list(&mut conn, org, limit(100), None).expect("page");
    let read: Vec<_> = page
        .sessions
        .iter()
        .map(|s| (s.created_at, s.released_at))
        .collect();
    let expected: Vec<_> = instants.iter().rev().map(|&at| (at, Some(at))).collect();
    assert_eq!(read, expected);
}
