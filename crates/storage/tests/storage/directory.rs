//! Organizations, users, memberships and keys, as the operator CLI changes
//! them: each refusal changes nothing.

use sessions_domain::{ApiKeyId, OrganizationId, Role, UserId};
use sessions_storage::testing::TestDb;

use crate::rejection;
use sessions_storage::{Rejection, api_keys, organizations, run_pending_migrations, users};

use sessions_storage::testing::{member, organization};

sessions_storage::on_both_backends!(
    a_new_user_administers_a_personal_default_organization,
    emails_are_unique,
    the_default_organization_must_be_one_of_the_users,
    the_default_organization_cannot_be_left,
    memberships_are_added_once,
    bound_keys_need_a_membership,
    keys_are_revoked_once,
    migrations_apply_once,
    a_default_change_and_a_removal_take_turns,
);

fn a_new_user_administers_a_personal_default_organization(db: &TestDb) {
    let mut conn = db.connect();
    let user = users::create(&mut conn, Some("grace@example.com")).expect("user");
    assert_eq!(user.email.as_deref(), Some("grace@example.com"));
    let personal = organizations::find(&mut conn, user.default_organization_id)
        .expect("query")
        .expect("personal organization");
    assert_eq!(personal.name, None);
    let membership = users::find_membership(&mut conn, personal.id, user.id).expect("query");
    assert_eq!(membership.map(|m| m.role), Some(Role::Admin));
}

fn emails_are_unique(db: &TestDb) {
    let mut conn = db.connect();
    users::create(&mut conn, Some("a@example.com")).expect("user");
    assert_eq!(
        rejection(users::create(&mut conn, Some("a@example.com"))),
        Rejection::EmailTaken("a@example.com".into())
    );
    users::create(&mut conn, None).expect("users without email do not collide");
    users::create(&mut conn, None).expect("users without email do not collide");
}

fn the_default_organization_must_be_one_of_the_users(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = users::create(&mut conn, None).expect("user");
    assert_eq!(
        rejection(users::set_default_organization(&mut conn, user.id, org)),
        Rejection::NotAMember {
            organization: org,
            user: user.id
        }
    );
    users::add_member(&mut conn, org, user.id, Role::ReadOnly).expect("membership");
    let updated = users::set_default_organization(&mut conn, user.id, org).expect("default");
    assert_eq!(updated.default_organization_id, org);
    let nobody = UserId::random();
    assert_eq!(
        rejection(users::set_default_organization(&mut conn, nobody, org)),
        Rejection::NoSuchUser(nobody)
    );
}

fn the_default_organization_cannot_be_left(db: &TestDb) {
    let mut conn = db.connect();
    let user = users::create(&mut conn, None).expect("user");
    let personal = user.default_organization_id;
    assert_eq!(
        rejection(users::remove_member(&mut conn, personal, user.id)),
        Rejection::DefaultOrganization {
            organization: personal,
            user: user.id
        }
    );
    assert!(
        users::find_membership(&mut conn, personal, user.id)
            .expect("query")
            .is_some()
    );
}

fn memberships_are_added_once(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = member(&mut conn, org, Role::ReadOnly);
    assert_eq!(
        rejection(users::add_member(&mut conn, org, user.id, Role::Admin)),
        Rejection::AlreadyAMember {
            organization: org,
            user: user.id
        }
    );
    assert_eq!(
        users::find_membership(&mut conn, org, user.id)
            .expect("query")
            .map(|m| m.role),
        Some(Role::ReadOnly)
    );
    let missing = OrganizationId::new(999_999).expect("positive");
    assert_eq!(
        rejection(users::add_member(&mut conn, missing, user.id, Role::Admin)),
        Rejection::NoSuchOrganization(missing)
    );
}

fn bound_keys_need_a_membership(db: &TestDb) {
    let mut conn = db.connect();
    let org = organization(&mut conn).id;
    let user = users::create(&mut conn, None).expect("user");
    assert_eq!(
        rejection(api_keys::create(&mut conn, user.id, Some(org), None)),
        Rejection::NotAMember {
            organization: org,
            user: user.id
        }
    );
    let nobody = UserId::random();
    assert_eq!(
        rejection(api_keys::create(&mut conn, nobody, None, None)),
        Rejection::NoSuchUser(nobody)
    );
}

fn keys_are_revoked_once(db: &TestDb) {
    let mut conn = db.connect();
    let user = users::create(&mut conn, None).expect("user");
    let (key, secret) = api_keys::create(&mut conn, user.id, None, Some("laptop")).expect("key");
    assert_eq!(key.suffix, secret.suffix());
    assert_eq!(key.name.as_deref(), Some("laptop"));
    let revoked = api_keys::revoke(&mut conn, key.id).expect("revoke");
    assert!(revoked.revoked_at.is_some());
    assert_eq!(
        rejection(api_keys::revoke(&mut conn, key.id)),
        Rejection::AlreadyRevoked(key.id)
    );
    let unknown = ApiKeyId::random();
    assert_eq!(
        rejection(api_keys::revoke(&mut conn, unknown)),
        Rejection::NoSuchApiKey(unknown)
    );
}

fn migrations_apply_once(db: &TestDb) {
    assert_eq!(
        run_pending_migrations(&mut db.connect()).expect("migrations"),
        Vec::<String>::new()
    );
}

/// Racing "make X the default" against "leave X": whichever goes first, the
/// other is refused, and the default stays an organization of the user's.
fn a_default_change_and_a_removal_take_turns(db: &TestDb) {
    let mut conn = db.connect();
    let (mut first, mut second) = (db.connect(), db.connect());
    for _ in 0..20 {
        let org = organization(&mut conn).id;
        let user = member(&mut conn, org, Role::ReadOnly);
        let (set, removed) = std::thread::scope(|scope| {
            let set = scope.spawn(|| users::set_default_organization(&mut first, user.id, org));
            let removed = scope.spawn(|| users::remove_member(&mut second, org, user.id));
            (set.join().expect("set"), removed.join().expect("remove"))
        });
        match (set, removed) {
            (Ok(_), removed) => assert_eq!(
                rejection(removed),
                Rejection::DefaultOrganization {
                    organization: org,
                    user: user.id
                }
            ),
            (set, Ok(_)) => assert_eq!(
                rejection(set),
                Rejection::NotAMember {
                    organization: org,
                    user: user.id
                }
            ),
            (set, removed) => panic!("both refused: {set:?}, {removed:?}"),
        }
        let now = users::find(&mut conn, user.id)
            .expect("query")
            .expect("user");
        let membership = users::find_membership(&mut conn, now.default_organization_id, user.id);
        assert!(
            membership.expect("query").is_some(),
            "the default is the user's"
        );
    }
}
