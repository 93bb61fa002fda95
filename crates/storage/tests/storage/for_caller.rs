//! The caller and their page together, as a List-sessions request reads
//! them: the same caller as `find_caller`, the same pages as `list`, and no
//! page without a membership in the selected organization.

use sessions_domain::{
    AccessDenied, ApiKeySecret, Caller, Cursor, Limit, OrganizationId, Page, Role, User,
};
use sessions_storage::testing::{TestDb, member, new_session, organization, session_at};
use sessions_storage::{DbConnection, api_keys, sessions, users};

use crate::limit;

sessions_storage::on_both_backends!(
    unknown_and_revoked_keys_find_nothing,
    a_member_pages_newest_first_as_list_does,
    the_page_is_the_selected_organizations,
    a_non_member_gets_the_caller_without_a_page,
    a_key_bound_elsewhere_is_refused_whatever_was_read,
    a_removed_member_gets_no_page_at_once,
    an_organization_without_sessions_has_an_empty_last_page,
);

fn read(
    conn: &mut DbConnection,
    secret: &ApiKeySecret,
    requested: Option<OrganizationId>,
    limit: Limit,
    cursor: Option<Cursor>,
) -> (Caller, Option<Page>) {
    sessions::list_for_caller(conn, &secret.digest(), requested, limit, cursor)
        .expect("query")
        .expect("a live key")
}

/// A user with an unbound key, a member of a new organization holding
/// `count` sessions a second apart.
fn member_with_sessions(
    conn: &mut DbConnection,
    count: i64,
) -> (OrganizationId, User, ApiKeySecret) {
    let org = organization(conn).id;
    let user = member(conn, org, Role::ReadOnly);
    for i in 0..count {
        session_at(
            conn,
            org,
            &user,
            &format!("2026-01-01T00:{:02}:{:02}.5Z", i / 60, i % 60),
        );
    }
    let (_, secret) = api_keys::create(conn, user.id, None, None).expect("key");
    (org, user, secret)
}

fn unknown_and_revoked_keys_find_nothing(db: &TestDb) {
    let mut conn = db.connect();
    let (org, user, _) = member_with_sessions(&mut conn, 3);
    let unknown = ApiKeySecret::generate();
    for requested in [None, Some(org)] {
        assert_eq!(
            sessions::list_for_caller(&mut conn, &unknown.digest(), requested, limit(10), None)
                .expect("query"),
            None
        );
    }
    let (key, secret) = api_keys::create(&mut conn, user.id, Some(org), None).expect("key");
    assert!(read(&mut conn, &secret, None, limit(10), None).1.is_some());
    api_keys::revoke(&mut conn, key.id).expect("revoke");
    assert_eq!(
        sessions::list_for_caller(&mut conn, &secret.digest(), None, limit(10), None)
            .expect("query"),
        None
    );
}

/// Every page, for every limit, is the one `list` reads, with the caller
/// `find_caller` finds; following `nextCursor` walks every session once.
fn a_member_pages_newest_first_as_list_does(db: &TestDb) {
    let mut conn = db.connect();
    let (org, _, secret) = member_with_sessions(&mut conn, 25);
    let expected_caller = api_keys::find_caller(&mut conn, &secret.digest(), Some(org))
        .expect("query")
        .expect("a live key");
    for page_size in [1, 7, 25, 100] {
        let mut cursor = None;
        let mut walked = Vec::new();
        loop {
            let (caller, page) = read(&mut conn, &secret, Some(org), limit(page_size), cursor);
            assert_eq!(caller, expected_caller);
            let page = page.expect("a member's page");
            assert_eq!(
                page,
                sessions::list(&mut conn, org, limit(page_size), cursor).expect("page"),
                "limit={page_size} cursor={cursor:?}"
            );
            assert!(page.sessions.len() <= usize::from(page_size));
            walked.extend(page.sessions);
            match page.next_cursor {
                Some(at) => cursor = Some(at.to_string().parse().expect("a cursor")),
                None => break,
            }
        }
        assert_eq!(walked.len(), 25, "limit={page_size}");
        assert!(walked.windows(2).all(|w| w[0].created_at > w[1].created_at));
        assert!(walked.iter().all(|s| s.organization_id == org));
    }
    let (_, page) = read(&mut conn, &secret, Some(org), limit(3), None);
    let listed: Vec<String> = page
        .expect("a page")
        .sessions
        .iter()
        .map(|s| s.created_at.to_string())
        .collect();
    assert_eq!(
        listed,
        [
            "2026-01-01T00:00:24.5Z",
            "2026-01-01T00:00:23.5Z",
            "2026-01-01T00:00:22.5Z"
        ]
    );
    // A cursor between two sessions, at a finer precision than stored.
    let cursor = "2026-01-01T00:00:22.5000001Z".parse().expect("a cursor");
    let (_, page) = read(&mut conn, &secret, Some(org), limit(2), Some(cursor));
    let page = page.expect("a page");
    assert_eq!(
        page.sessions
            .iter()
            .map(|s| s.created_at.to_string())
            .collect::<Vec<_>>(),
        ["2026-01-01T00:00:22.5Z", "2026-01-01T00:00:21.5Z"]
    );
    assert_eq!(
        page.next_cursor.map(|at| at.to_string()).as_deref(),
        Some("2026-01-01T00:00:21.5Z")
    );
}

/// The header's organization, else the key's, else the default: the page
/// read is the one of the organization `authorize` then accepts.
fn the_page_is_the_selected_organizations(db: &TestDb) {
    let mut conn = db.connect();
    let (other, user, unbound) = member_with_sessions(&mut conn, 2);
    let bound_org = organization(&mut conn).id;
    users::add_member(&mut conn, bound_org, user.id, Role::ReadWrite).expect("membership");
    let personal = user.default_organization_id;
    for (org, count) in [(personal, 3), (bound_org, 4)] {
        for _ in 0..count {
            sessions::create(&mut conn, &new_session(org, &user, None)).expect("session");
        }
    }
    let (_, bound) = api_keys::create(&mut conn, user.id, Some(bound_org), None).expect("key");
    for (secret, requested, selected, count) in [
        (&unbound, None, personal, 3),
        (&unbound, Some(personal), personal, 3),
        (&unbound, Some(other), other, 2),
        (&unbound, Some(bound_org), bound_org, 4),
        (&bound, None, bound_org, 4),
        (&bound, Some(bound_org), bound_org, 4),
    ] {
        let (caller, page) = read(&mut conn, secret, requested, limit(100), None);
        let membership = caller.authorize(requested).expect("allowed");
        assert_eq!(membership.organization_id, selected, "{requested:?}");
        let page = page.expect("a member's page");
        assert_eq!(page.sessions.len(), count, "{requested:?}");
        assert!(page.sessions.iter().all(|s| s.organization_id == selected));
    }
}

fn a_non_member_gets_the_caller_without_a_page(db: &TestDb) {
    let mut conn = db.connect();
    let (_, _, secret) = member_with_sessions(&mut conn, 2);
    let (foreign, _, _) = member_with_sessions(&mut conn, 3);
    let missing = OrganizationId::new(i64::MAX).expect("positive");
    for requested in [foreign, missing] {
        let (caller, page) = read(&mut conn, &secret, Some(requested), limit(10), None);
        assert_eq!(caller.membership, None);
        assert_eq!(page, None);
        assert_eq!(
            caller.authorize(Some(requested)),
            Err(AccessDenied::NotAMember(requested))
        );
    }
}

/// A bound key naming another organization of its user finds that
/// membership, and perhaps its page, but `authorize` refuses it.
fn a_key_bound_elsewhere_is_refused_whatever_was_read(db: &TestDb) {
    let mut conn = db.connect();
    let (named, user, _) = member_with_sessions(&mut conn, 3);
    let bound_org = organization(&mut conn).id;
    users::add_member(&mut conn, bound_org, user.id, Role::Admin).expect("membership");
    let (_, bound) = api_keys::create(&mut conn, user.id, Some(bound_org), None).expect("key");
    let (caller, page) = read(&mut conn, &bound, Some(named), limit(10), None);
    assert_eq!(
        caller.authorize(Some(named)),
        Err(AccessDenied::KeyBoundElsewhere {
            bound: bound_org,
            requested: named
        })
    );
    if let Some(page) = page {
        assert!(page.sessions.iter().all(|s| s.organization_id == named));
    }
}

fn a_removed_member_gets_no_page_at_once(db: &TestDb) {
    let mut conn = db.connect();
    let (org, user, unbound) = member_with_sessions(&mut conn, 2);
    let (_, bound) = api_keys::create(&mut conn, user.id, Some(org), None).expect("key");
    assert!(read(&mut conn, &bound, None, limit(10), None).1.is_some());
    users::remove_member(&mut conn, org, user.id).expect("remove");
    for (secret, requested) in [(&bound, None), (&unbound, Some(org))] {
        let (caller, page) = read(&mut conn, secret, requested, limit(10), None);
        assert_eq!(page, None);
        assert_eq!(
            caller.authorize(requested),
            Err(AccessDenied::NotAMember(org))
        );
    }
}

fn an_organization_without_sessions_has_an_empty_last_page(db: &TestDb) {
    let mut conn = db.connect();
    let empty = Page {
        sessions: Vec::new(),
        next_cursor: None,
    };
    let before = "2026-01-01T00:00:00Z".parse().expect("a cursor");
    let (org, _, secret) = member_with_sessions(&mut conn, 0);
    for cursor in [None, Some(before)] {
        let (caller, page) = read(&mut conn, &secret, Some(org), limit(10), cursor);
        assert!(caller.authorize(Some(org)).is_ok());
        assert_eq!(page.as_ref(), Some(&empty));
    }
    // Sessions only after the cursor: an empty page too.
    let (org, _, secret) = member_with_sessions(&mut conn, 2);
    let (_, page) = read(&mut conn, &secret, Some(org), limit(10), Some(before));
    assert_eq!(page, Some(empty));
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Prepared {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    statements: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    generic_plans: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    custom_plans: i64,
}

/// PostgreSQL: whatever the request (a first page or a later one, with the
/// header or without, any limit, a member or not), a pooled connection runs
/// one statement, prepared once and executed again after that, with the
/// plan it made once: neither sent, parsed nor planned again.
#[test]
fn on_postgres_the_statement_is_prepared_and_planned_once_per_connection() {
    use diesel::RunQueryDsl;

    let Some(db) = TestDb::postgres() else {
        return;
    };
    let mut setup = db.connect();
    let (org, _, secret) = member_with_sessions(&mut setup, 3);
    let (foreign, _, _) = member_with_sessions(&mut setup, 1);
    let cursor: Cursor = "2026-01-01T00:00:01.5Z".parse().expect("a cursor");
    let requests = [
        (None, None, 1),
        (Some(org), None, 100),
        (None, Some(cursor), 7),
        (Some(org), Some(cursor), 500),
        (Some(foreign), None, 10),
        (None, None, 2),
        (None, None, 3),
    ];
    let pool = db.pool();
    let mut conn = pool.get().expect("a pooled connection");
    for (requested, cursor, size) in requests {
        read(&mut conn, &secret, requested, limit(size), cursor);
    }
    let DbConnection::Postgres(pg) = &mut *conn else {
        panic!("a PostgreSQL connection");
    };
    let prepared: Prepared = diesel::sql_query(
        "SELECT count(*) AS statements, \
         coalesce(sum(generic_plans), 0)::bigint AS generic_plans, \
         coalesce(sum(custom_plans), 0)::bigint AS custom_plans \
         FROM pg_prepared_statements WHERE statement LIKE '%LATERAL%'",
    )
    .get_result(pg)
    .expect("prepared statements");
    assert_eq!(
        prepared,
        Prepared {
            statements: 1,
            generic_plans: requests.len() as i64,
            custom_plans: 0,
        }
    );
}
