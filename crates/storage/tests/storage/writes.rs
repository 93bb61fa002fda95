//! Recording and releasing sessions: `createdAt` stays unique within an
//! organization, whoever writes and however many write at once.

use std::collections::HashSet;

use sessions_domain::{Cursor, Limit, OrganizationId, Role, SessionId, Timestamp};
use sessions_storage::testing::TestDb;

use crate::rejection;
use sessions_storage::{DbConnection, Rejection, sessions};

use sessions_storage::testing::{at, member, new_session, organization, session_at};

sessions_storage::on_both_backends!(
    a_taken_instant_is_refused_and_nothing_is_written,
    the_store_picks_the_instant_after_the_newest,
    the_store_picks_now_when_the_newest_is_older,
    concurrent_writers_get_distinct_instants_and_lose_nothing,
    sessions_need_a_member_of_an_existing_organization,
    a_session_is_released_once_and_not_before_it_began,
    of_two_concurrent_releases_exactly_one_wins,
);

fn count(conn: &mut DbConnection, org: OrganizationId) -> usize {
    sessions::list(conn, org, Limit::MAX, None)
        .expect("page")
        .sessions
        .len()
}

fn a_taken_instant_is_refused_and_nothing_is_written(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    session_at(&mut conn, org, &user, "2026-01-01T00:00:00.123456Z");
    let duplicate = new_session(org, &user, Some(at("2026-01-01T01:00:00.123456+01:00")));
    assert_eq!(
        rejection(sessions::create(&mut conn, &duplicate)),
        Rejection::CreatedAtTaken {
            organization: org,
            at: at("2026-01-01T00:00:00.123456Z")
        }
    );
    assert_eq!(count(&mut conn, org), 1);
    assert_eq!(
        sessions::find(&mut conn, duplicate.id).expect("query"),
        None
    );
    // The same instant in another organization is fine.
    let other = organization(&mut conn).id;
    let other_user = member(&mut conn, other, Role::Admin);
    session_at(&mut conn, other, &other_user, "2026-01-01T00:00:00.123456Z");
}

fn the_store_picks_the_instant_after_the_newest(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let future = session_at(&mut conn, org, &user, "2999-01-01T00:00:00Z");
    let next = sessions::create(&mut conn, &new_session(org, &user, None)).expect("session");
    assert_eq!(next.created_at.to_string(), "2999-01-01T00:00:00.000001Z");
    assert!(next.created_at > future.created_at);
}

fn the_store_picks_now_when_the_newest_is_older(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    session_at(&mut conn, org, &user, "2001-01-01T00:00:00Z");
    let before = Timestamp::now();
    let created = sessions::create(&mut conn, &new_session(org, &user, None)).expect("session");
    assert!(created.created_at >= before && created.created_at <= Timestamp::now());
}

fn concurrent_writers_get_distinct_instants_and_lose_nothing(db: &TestDb) {
    const WRITERS: usize = 16;
    const EACH: usize = 50;
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    // With the newest session in the future, every writer must read it and
    // add 1µs, rather than take a clock that is unlikely to tie anyway: the
    // path where a race between writers would show.
    let future = session_at(&mut conn, org, &user, "2999-01-01T00:00:00Z");
    let mut written: Vec<SessionId> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut conn = db.connect();
                    (0..EACH)
                        .map(|_| {
                            sessions::create(&mut conn, &new_session(org, &user, None))
                                .expect("insert")
                                .id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().expect("writer"))
            .collect()
    });
    assert_eq!(written.len(), WRITERS * EACH);
    written.push(future.id);

    let mut listed = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page =
            sessions::list(&mut conn, org, Limit::new(97).expect("valid"), cursor).expect("page");
        listed.extend(page.sessions);
        match page.next_cursor {
            Some(at) => cursor = Some(Cursor::before(at)),
            None => break,
        }
    }
    assert!(
        listed.windows(2).all(|w| w[0].created_at > w[1].created_at),
        "strictly decreasing"
    );
    let listed_ids: HashSet<_> = listed.iter().map(|s| s.id).collect();
    assert_eq!(listed.len(), WRITERS * EACH + 1, "each listed once");
    assert_eq!(listed_ids, written.into_iter().collect::<HashSet<_>>());
}

fn sessions_need_a_member_of_an_existing_organization(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let outsider = sessions_storage::users::create(&mut conn, None).expect("user");
    assert_eq!(
        rejection(sessions::create(
            &mut conn,
            &new_session(org, &outsider, None)
        )),
        Rejection::NotAMember {
            organization: org,
            user: outsider.id
        }
    );
    let missing = OrganizationId::new(424_242).expect("positive");
    assert_eq!(
        rejection(sessions::create(
            &mut conn,
            &new_session(missing, &user, None)
        )),
        Rejection::NoSuchOrganization(missing)
    );
    assert_eq!(count(&mut conn, org), 0);
}

fn a_session_is_released_once_and_not_before_it_began(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let session = session_at(&mut conn, org, &user, "2026-01-01T00:00:00Z");
    assert_eq!(
        rejection(sessions::release(
            &mut conn,
            session.id,
            Some(at("2025-12-31T23:59:59.999999Z"))
        )),
        Rejection::ReleasedBeforeCreated {
            created_at: session.created_at,
            released_at: at("2025-12-31T23:59:59.999999Z")
        }
    );
    let released = sessions::release(&mut conn, session.id, Some(at("2026-01-01T00:30:00Z")))
        .expect("release");
    assert_eq!(released.released_at, Some(at("2026-01-01T00:30:00Z")));
    assert_eq!(
        sessions::find(&mut conn, session.id).expect("query"),
        Some(released)
    );
    assert_eq!(
        rejection(sessions::release(&mut conn, session.id, None)),
        Rejection::AlreadyReleased(session.id)
    );
    let mut born_released = new_session(org, &user, Some(at("2026-02-01T00:00:00Z")));
    born_released.released_at = Some(at("2026-01-31T00:00:00Z"));
    assert!(matches!(
        rejection(sessions::create(&mut conn, &born_released)),
        Rejection::ReleasedBeforeCreated { .. }
    ));
}

fn of_two_concurrent_releases_exactly_one_wins(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::Admin);
    let (mut first, mut second) = (db.connect(), db.connect());
    for _ in 0..20 {
        let session = sessions::create(&mut conn, &new_session(org, &user, None)).expect("session");
        let (a, b) = std::thread::scope(|scope| {
            let a = scope.spawn(|| sessions::release(&mut first, session.id, None));
            let b = scope.spawn(|| sessions::release(&mut second, session.id, None));
            (a.join().expect("first"), b.join().expect("second"))
        });
        let (winner, loser) = if a.is_ok() { (a, b) } else { (b, a) };
        let released = winner.expect("one release wins");
        assert_eq!(rejection(loser), Rejection::AlreadyReleased(session.id));
        let stored = sessions::find(&mut conn, session.id)
            .expect("query")
            .expect("session");
        assert_eq!(
            stored.released_at, released.released_at,
            "the winner's instant stays"
        );
    }
}
