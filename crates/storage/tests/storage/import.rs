//! Bulk import: every session or none, the line of the first bad one named,
//! and `createdAt` unique within the organization as for single writes.

use std::collections::HashSet;
use std::io;

use sessions_domain::{Cursor, Limit, NewSession, OrganizationId, Role, SessionId, Timestamp};
use sessions_storage::sessions::{ImportError, Imported, LineError};
use sessions_storage::testing::{TestDb, at, member, new_session, organization, session_at};
use sessions_storage::{DbConnection, Rejection, StorageError, sessions};

sessions_storage::on_both_backends!(
    an_import_writes_every_session_in_one_go,
    an_empty_import_writes_nothing_and_says_so,
    a_line_that_is_not_a_session_writes_nothing,
    a_refused_line_writes_nothing,
    an_instant_twice_in_the_input_is_refused,
    an_instant_already_stored_is_refused_with_its_line,
    the_earliest_bad_line_is_the_one_reported,
    a_session_id_twice_or_already_stored_is_refused,
    absent_instants_come_after_the_newest_one_by_one,
    sessions_of_another_organization_are_refused,
    an_unknown_organization_is_refused,
    concurrent_writers_wait_and_never_collide_with_an_import,
);

type Item = (u64, Result<NewSession, io::Error>);

/// Lines numbered from 1.
fn numbered(sessions: impl IntoIterator<Item = NewSession>) -> Vec<Item> {
    (1..).zip(sessions.into_iter().map(Ok)).collect()
}

fn micros(offset: i64) -> Timestamp {
    Timestamp::from_unix_micros(at("2026-01-01T00:00:00Z").unix_micros() + offset).expect("range")
}

/// `n` sessions a millisecond apart, in a scrambled order (7919 is prime).
fn scrambled(org: OrganizationId, user: &sessions_domain::User, n: i64) -> Vec<NewSession> {
    (0..n)
        .map(|i| new_session(org, user, Some(micros((i * 7919 % n) * 1000))))
        .collect()
}

/// The refusal an import ended in, and its line.
fn refused_line(result: Result<Imported, ImportError<io::Error>>) -> (u64, Rejection) {
    match result {
        Err(ImportError::Line {
            line,
            reason: LineError::Rejected(rejection),
        }) => (line, rejection),
        other => panic!("expected a refused line, got {other:?}"),
    }
}

/// Every session of the organization, newest first.
fn all(conn: &mut DbConnection, org: OrganizationId) -> Vec<sessions_domain::Session> {
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = sessions::list(conn, org, Limit::MAX, cursor).expect("page");
        all.extend(page.sessions);
        match page.next_cursor {
            Some(at) => cursor = Some(Cursor::before(at)),
            None => return all,
        }
    }
}

fn an_import_writes_every_session_in_one_go(db: &TestDb) {
    const N: i64 = 10_000;
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::ReadWrite);
    let mut input = scrambled(org, &user, N);
    input[5].released_at = Some(micros(5 * 7919 % N * 1000 + 1));
    let imported = sessions::import(&mut conn, org, numbered(input.clone())).expect("import");
    assert_eq!(
        imported,
        Imported {
            organization: org,
            count: N as u64,
            oldest: Some(micros(0)),
            newest: Some(micros((N - 1) * 1000)),
        }
    );
    let stored = all(&mut conn, org);
    assert_eq!(stored.len(), N as usize);
    assert!(stored.windows(2).all(|w| w[0].created_at > w[1].created_at));
    for new in [&input[0], &input[5], &input[9_999]] {
        let session = sessions::find(&mut conn, new.id)
            .expect("query")
            .expect("imported");
        assert_eq!(
            (
                session.organization_id,
                session.user_id,
                &session.device,
                Some(session.created_at),
                session.released_at
            ),
            (
                new.organization_id,
                new.user_id,
                &new.device,
                new.created_at,
                new.released_at
            )
        );
    }
}

fn an_empty_import_writes_nothing_and_says_so(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    assert_eq!(
        sessions::import(&mut conn, org, numbered([])).expect("import"),
        Imported {
            organization: org,
            count: 0,
            oldest: None,
            newest: None
        }
    );
}

fn a_line_that_is_not_a_session_writes_nothing(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let before = session_at(&mut conn, org, &user, "2020-01-01T00:00:00Z");
    // Two batches are written before the bad line comes.
    let mut input = numbered(scrambled(org, &user, 9_000));
    input.push((9_001, Err(io::Error::other("not JSON"))));
    input.push((9_002, Ok(new_session(org, &user, None))));
    match sessions::import(&mut conn, org, input) {
        Err(ImportError::Line {
            line: 9_001,
            reason: LineError::Invalid(error),
        }) => assert_eq!(error.to_string(), "not JSON"),
        other => panic!("expected line 9001, got {other:?}"),
    }
    assert_eq!(all(&mut conn, org), vec![before]);
}

fn a_refused_line_writes_nothing(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let outsider = sessions_storage::users::create(&mut conn, None).expect("user");

    let mut input = scrambled(org, &user, 6_000);
    input[5_999].user_id = outsider.id;
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input))),
        (
            6_000,
            Rejection::NotAMember {
                organization: org,
                user: outsider.id
            }
        )
    );

    let mut input = scrambled(org, &user, 3);
    input[2].released_at = Some(micros(-1));
    let created_at = input[2].created_at.expect("set");
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input))),
        (
            3,
            Rejection::ReleasedBeforeCreated {
                created_at,
                released_at: micros(-1)
            }
        )
    );
    assert_eq!(all(&mut conn, org), vec![]);
}

fn an_instant_twice_in_the_input_is_refused(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let mut input = scrambled(org, &user, 5_000);
    let again = input[16].created_at;
    input.push(new_session(org, &user, again));
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input))),
        (
            5_001,
            Rejection::CreatedAtRepeated(again.expect("explicit"))
        )
    );
    assert_eq!(all(&mut conn, org), vec![]);
}

fn an_instant_already_stored_is_refused_with_its_line(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let input = scrambled(org, &user, 9_000);
    // Stored before: the instant of line 8500, in the third batch.
    let stored = sessions::create(&mut conn, &new_session(org, &user, input[8_499].created_at))
        .expect("stored");
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input))),
        (
            8_500,
            Rejection::CreatedAtTaken {
                organization: org,
                at: stored.created_at
            }
        )
    );
    assert_eq!(all(&mut conn, org), vec![stored.clone()]);

    // The same instants in another organization are fine.
    let other = organization(&mut conn).id;
    let other_user = member(&mut conn, other, Role::Admin);
    let imported = sessions::import(
        &mut conn,
        other,
        numbered(scrambled(other, &other_user, 9_000)),
    )
    .expect("import");
    assert_eq!(imported.count, 9_000);
}

fn the_earliest_bad_line_is_the_one_reported(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let stored = session_at(&mut conn, org, &user, "2026-01-01T00:00:00.5Z");
    // Line 10 clashes with the stored session, but that is only found when
    // its batch is written, after line 20 has been read.
    let mut input = numbered(scrambled(org, &user, 30));
    input[9].1 = Ok(new_session(org, &user, Some(stored.created_at)));
    input[19].1 = Err(io::Error::other("not JSON"));
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, input)),
        (
            10,
            Rejection::CreatedAtTaken {
                organization: org,
                at: stored.created_at
            }
        )
    );
    assert_eq!(all(&mut conn, org), vec![stored]);
}

fn a_session_id_twice_or_already_stored_is_refused(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);

    let mut input = scrambled(org, &user, 5);
    input[2].id = input[0].id;
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input.clone()))),
        (3, Rejection::SessionIdRepeated(input[0].id))
    );

    // Ids are unique across organizations.
    let other = organization(&mut conn).id;
    let other_user = member(&mut conn, other, Role::Admin);
    let elsewhere = session_at(&mut conn, other, &other_user, "2020-01-01T00:00:00Z");
    let mut input = scrambled(org, &user, 5_000);
    input[4_500].id = elsewhere.id;
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input))),
        (4_501, Rejection::SessionIdTaken(elsewhere.id))
    );
    assert_eq!(all(&mut conn, org), vec![]);
    assert_eq!(all(&mut conn, other), vec![elsewhere]);
}

fn absent_instants_come_after_the_newest_one_by_one(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    session_at(&mut conn, org, &user, "2999-01-01T00:00:00Z");
    let input = vec![
        new_session(org, &user, None),
        new_session(org, &user, None),
        new_session(org, &user, Some(at("2999-01-01T00:00:01Z"))),
        new_session(org, &user, None),
        new_session(org, &user, Some(at("2001-01-01T00:00:00Z"))),
        new_session(org, &user, None),
    ];
    let imported = sessions::import(&mut conn, org, numbered(input.clone())).expect("import");
    assert_eq!(
        (imported.count, imported.oldest, imported.newest),
        (
            6,
            Some(at("2001-01-01T00:00:00Z")),
            Some(at("2999-01-01T00:00:01.000002Z"))
        )
    );
    let created: Vec<String> = input
        .iter()
        .map(|new| {
            sessions::find(&mut conn, new.id)
                .expect("query")
                .expect("imported")
                .created_at
                .to_string()
        })
        .collect();
    assert_eq!(
        created,
        [
            "2999-01-01T00:00:00.000001Z",
            "2999-01-01T00:00:00.000002Z",
            "2999-01-01T00:00:01Z",
            "2999-01-01T00:00:01.000001Z",
            "2001-01-01T00:00:00Z",
            "2999-01-01T00:00:01.000002Z",
        ]
    );

    // With nothing newer than now, the first absent instant is about now.
    let fresh = organization(&mut conn).id;
    let fresh_user = member(&mut conn, fresh, Role::Admin);
    let before = Timestamp::now();
    let imported = sessions::import(
        &mut conn,
        fresh,
        numbered([new_session(fresh, &fresh_user, None)]),
    )
    .expect("import");
    let first = imported.oldest.expect("one");
    assert!(before <= first && first <= Timestamp::now());
}

fn sessions_of_another_organization_are_refused(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let other = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let input = vec![
        new_session(org, &user, None),
        new_session(other, &user, None),
    ];
    assert_eq!(
        refused_line(sessions::import(&mut conn, org, numbered(input))),
        (
            2,
            Rejection::OtherOrganization {
                expected: org,
                found: other
            }
        )
    );
    assert_eq!(all(&mut conn, org), vec![]);
}

fn an_unknown_organization_is_refused(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let missing = OrganizationId::new(424_242).expect("positive");
    match sessions::import(
        &mut conn,
        missing,
        numbered([new_session(missing, &user, None)]),
    ) {
        Err(ImportError::Storage(StorageError::Rejected(rejection))) => {
            assert_eq!(rejection, Rejection::NoSuchOrganization(missing));
        }
        other => panic!("expected no such organization, got {other:?}"),
    }
}

fn concurrent_writers_wait_and_never_collide_with_an_import(db: &TestDb) {
    const IMPORTED: usize = 3_000;
    const CREATED: usize = 30;
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    // The newest session in the future: every instant the store picks is
    // newest + 1µs, so writers that did not take turns would collide.
    let future = session_at(&mut conn, org, &user, "2999-01-01T00:00:00Z");
    let input: Vec<NewSession> = (0..IMPORTED)
        .map(|_| new_session(org, &user, None))
        .collect();
    let mut written: HashSet<SessionId> = input.iter().map(|new| new.id).collect();
    let created = std::thread::scope(|scope| {
        let importer = scope
            .spawn(|| sessions::import(&mut db.connect(), org, numbered(input)).expect("import"));
        let creator = scope.spawn(|| {
            let mut conn = db.connect();
            (0..CREATED)
                .map(|_| {
                    sessions::create(&mut conn, &new_session(org, &user, None))
                        .expect("create")
                        .id
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(importer.join().expect("importer").count, IMPORTED as u64);
        creator.join().expect("creator")
    });
    written.extend(created);
    written.insert(future.id);
    let stored = all(&mut conn, org);
    assert_eq!(stored.len(), IMPORTED + CREATED + 1);
    assert!(stored.windows(2).all(|w| w[0].created_at > w[1].created_at));
    assert_eq!(stored.iter().map(|s| s.id).collect::<HashSet<_>>(), written);
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct SqliteSettings {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cache_size: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    foreign_keys: i64,
}

fn sqlite_settings(conn: &mut DbConnection) -> SqliteSettings {
    use diesel::RunQueryDsl;
    let DbConnection::Sqlite(conn) = conn else {
        panic!("a SQLite connection");
    };
    diesel::sql_query("SELECT cache_size, foreign_keys FROM pragma_cache_size, pragma_foreign_keys")
        .get_result(conn)
        .expect("settings")
}

/// The import tunes its SQLite connection (a big cache, no foreign-key
/// checks) and gives it back as it was, whether it succeeded or not.
#[test]
fn an_import_gives_the_sqlite_connection_back_as_it_was() {
    let db = TestDb::sqlite();
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let before = sqlite_settings(&mut conn);
    assert_eq!(before.foreign_keys, 1);
    sessions::import(&mut conn, org, numbered(scrambled(org, &user, 10))).expect("import");
    assert_eq!(sqlite_settings(&mut conn), before);
    let mut input = numbered(scrambled(org, &user, 10));
    input.push((11, Err(io::Error::other("not JSON"))));
    assert!(sessions::import(&mut conn, org, input).is_err());
    assert_eq!(sqlite_settings(&mut conn), before);
}
