//! Tenant isolation as a property: random worlds of organizations, users,
//! memberships, keys and sessions, random requests against them, and every
//! answer checked against an oracle written from the contract alone.
//!
//! The oracle (`expected`) does not call the domain's selection rule: it is
//! the contract's text ("Which organization", "Authentication") restated
//! over the world as the test built it. A 200 must list exactly the selected
//! organization's sessions, across every page; anything else must be the
//! contract's error envelope with the status and code the oracle names.
//! SQLite only: a fresh temp-file database per world.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::test::TestRequest;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use sessions_domain::{ApiKeySecret, OrganizationId, Role, SessionId, Timestamp, UserId};
use sessions_storage::testing::{TestDb, at, new_session};
use sessions_storage::{DbConnection, api_keys, organizations, sessions, users};

use crate::{Reply, TestApp};

const MAX_SHARED: usize = 3;
const MAX_USERS: usize = 4;
const MAX_ORGS: usize = MAX_SHARED + MAX_USERS;

// ------------------------------------------------------------ the world

#[derive(Debug, Clone)]
struct UserSpec {
    /// For each organization, by position (shared ones first, then each
    /// user's Personal one): join it with this role. The user's own
    /// Personal organization is theirs already.
    joins: Vec<Option<Role>>,
    /// Which of the organizations they belong to is their default.
    default: Index,
    /// Keys: bound to one of their organizations or not, revoked or not.
    keys: Vec<(Option<Index>, bool)>,
    /// After the keys exist, leave these organizations (never the default).
    leaves: Vec<bool>,
}

#[derive(Debug, Clone)]
struct SessionSpec {
    organization: Index,
    creator: Index,
    /// An instant from a small set shared by every organization (so that
    /// cursors of one organization land on instants of another), or the
    /// store's choice.
    slot: Option<u8>,
}

#[derive(Debug, Clone)]
struct WorldSpec {
    shared: usize,
    users: Vec<UserSpec>,
    sessions: Vec<SessionSpec>,
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Admin),
        Just(Role::ReadWrite),
        Just(Role::ReadOnly)
    ]
}

fn user_spec() -> impl Strategy<Value = UserSpec> {
    (
        proptest::collection::vec(proptest::option::weighted(0.4, role()), MAX_ORGS),
        any::<Index>(),
        proptest::collection::vec(
            (
                proptest::option::of(any::<Index>()),
                proptest::bool::weighted(0.2),
            ),
            1..=3,
        ),
        proptest::collection::vec(proptest::bool::weighted(0.3), MAX_ORGS),
    )
        .prop_map(|(joins, default, keys, leaves)| UserSpec {
            joins,
            default,
            keys,
            leaves,
        })
}

fn world_spec() -> impl Strategy<Value = WorldSpec> {
    (
        1..=MAX_SHARED,
        proptest::collection::vec(user_spec(), 1..=MAX_USERS),
        proptest::collection::vec(
            (
                any::<Index>(),
                any::<Index>(),
                proptest::option::weighted(0.8, 0u8..6),
            )
                .prop_map(|(organization, creator, slot)| SessionSpec {
                    organization,
                    creator,
                    slot,
                }),
            0..=14,
        ),
    )
        .prop_map(|(shared, users, sessions)| WorldSpec {
            shared,
            users,
            sessions,
        })
}

#[derive(Debug)]
struct Key {
    secret: ApiKeySecret,
    user: UserId,
    bound: Option<OrganizationId>,
    revoked: bool,
}

/// The world as built: what the oracle reads.
#[derive(Debug, Default)]
struct World {
    organizations: Vec<OrganizationId>,
    memberships: BTreeSet<(UserId, OrganizationId)>,
    defaults: BTreeMap<UserId, OrganizationId>,
    keys: Vec<Key>,
    /// Each organization's sessions, newest first.
    sessions: BTreeMap<OrganizationId, Vec<(Timestamp, SessionId)>>,
}

impl World {
    fn members_of(&self, organization: OrganizationId) -> Vec<UserId> {
        self.memberships
            .iter()
            .filter(|(_, org)| *org == organization)
            .map(|(user, _)| *user)
            .collect()
    }

    fn organizations_of(&self, user: UserId) -> Vec<OrganizationId> {
        // The default first, then the others in the order they were made.
        let mut orgs: Vec<OrganizationId> = self
            .organizations
            .iter()
            .copied()
            .filter(|org| self.memberships.contains(&(user, *org)))
            .collect();
        orgs.sort_by_key(|org| *org != self.defaults[&user]);
        orgs
    }

    fn build(spec: &WorldSpec, conn: &mut DbConnection) -> Self {
        let mut world = Self::default();
        for n in 0..spec.shared {
            let org = organizations::create(conn, Some(&format!("Org {n}"))).expect("organization");
            world.organizations.push(org.id);
        }
        let mut people = Vec::new();
        for _ in &spec.users {
            let user = users::create(conn, None).expect("user");
            world.organizations.push(user.default_organization_id);
            world
                .memberships
                .insert((user.id, user.default_organization_id));
            world.defaults.insert(user.id, user.default_organization_id);
            people.push(user.id);
        }
        for (user_spec, &user) in spec.users.iter().zip(&people) {
            for (position, role) in user_spec.joins.iter().enumerate() {
                let (Some(role), Some(&org)) = (role, world.organizations.get(position)) else {
                    continue;
                };
                if world.memberships.insert((user, org)) {
                    users::add_member(conn, org, user, *role).expect("membership");
                }
            }
        }
        for (user_spec, &user) in spec.users.iter().zip(&people) {
            let theirs = world.organizations_of(user);
            let default = theirs[user_spec.default.index(theirs.len())];
            if default != world.defaults[&user] {
                users::set_default_organization(conn, user, default).expect("default");
                world.defaults.insert(user, default);
            }
            for &(bound, revoked) in &user_spec.keys {
                let bound = bound.map(|i| theirs[i.index(theirs.len())]);
                let (key, secret) = api_keys::create(conn, user, bound, None).expect("key");
                if revoked {
                    api_keys::revoke(conn, key.id).expect("revoke");
                }
                world.keys.push(Key {
                    secret,
                    user,
                    bound,
                    revoked,
                });
            }
        }
        for session in &spec.sessions {
            let org = world.organizations[session.organization.index(world.organizations.len())];
            let members = world.members_of(org);
            if members.is_empty() {
                continue;
            }
            let creator = members[session.creator.index(members.len())];
            let created_at = session
                .slot
                .map(|slot| at(&format!("2026-01-01T00:00:00.00000{slot}Z")));
            let taken = world.sessions.get(&org).is_some_and(|listed| {
                listed
                    .iter()
                    .any(|(instant, _)| Some(*instant) == created_at)
            });
            if taken {
                continue;
            }
            let creator = users::find(conn, creator).expect("find").expect("user");
            let created =
                sessions::create(conn, &new_session(org, &creator, created_at)).expect("session");
            let listed = world.sessions.entry(org).or_default();
            listed.push((created.created_at, created.id));
            listed.sort_by(|a, b| b.cmp(a));
        }
        for (user_spec, &user) in spec.users.iter().zip(&people) {
            for (position, &leave) in user_spec.leaves.iter().enumerate() {
                let Some(&org) = world.organizations.get(position) else {
                    continue;
                };
                if leave && world.defaults[&user] != org && world.memberships.remove(&(user, org)) {
                    users::remove_member(conn, org, user).expect("leave");
                }
            }
        }
        world
    }
}

// --------------------------------------------------------- the requests

#[derive(Debug, Clone)]
enum KeyChoice {
    /// One of the keys the world issued (live or revoked).
    Issued(Index),
    /// Well formed, never issued.
    Unknown,
    Malformed(Index),
    Missing,
}

#[derive(Debug, Clone)]
enum OrganizationChoice {
    Absent,
    /// One of the world's organizations, which the caller may or may not
    /// belong to.
    Existing(Index),
    /// A well-formed id no organization has.
    Nonexistent(bool),
    Malformed(Index),
}

#[derive(Debug, Clone)]
struct RequestSpec {
    key: KeyChoice,
    organization: OrganizationChoice,
    limit: Option<u16>,
}

const MALFORMED_AUTHORIZATION: &[&str] = &[
    "Bearer",
    "Bearer ",
    "Bearer mob_",
    "Bearer mob_short",
    "Basic dXNlcjpwYXNz",
    "Bearer mob_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*",
    "Bearer mob_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "mob_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "Token mob_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
];

const MALFORMED_ORGANIZATION: &[&str] = &[
    "abc",
    "0",
    "-1",
    "+5",
    "05",
    "1.5",
    "",
    "1234567890123456789012345678901234567890",
];

fn request_spec() -> impl Strategy<Value = RequestSpec> {
    let key = prop_oneof![
        20 => any::<Index>().prop_map(KeyChoice::Issued),
        1 => Just(KeyChoice::Unknown),
        2 => any::<Index>().prop_map(KeyChoice::Malformed),
        1 => Just(KeyChoice::Missing),
    ];
    let organization = prop_oneof![
        4 => Just(OrganizationChoice::Absent),
        6 => any::<Index>().prop_map(OrganizationChoice::Existing),
        2 => any::<bool>().prop_map(OrganizationChoice::Nonexistent),
        1 => any::<Index>().prop_map(OrganizationChoice::Malformed),
    ];
    (key, organization, proptest::option::of(1u16..=3)).prop_map(|(key, organization, limit)| {
        RequestSpec {
            key,
            organization,
            limit,
        }
    })
}

/// A request made concrete against a world.
#[derive(Debug)]
struct Request {
    authorization: Option<String>,
    /// The key presented, when it is one the world issued.
    key: Option<usize>,
    organization: Option<String>,
    limit: Option<u16>,
}

impl Request {
    fn new(spec: &RequestSpec, world: &World) -> Self {
        let (authorization, key) = match &spec.key {
            KeyChoice::Issued(i) if !world.keys.is_empty() => {
                let i = i.index(world.keys.len());
                let secret = world.keys[i].secret.expose();
                (Some(format!("Bearer {secret}")), Some(i))
            }
            KeyChoice::Issued(_) | KeyChoice::Unknown => (
                Some(format!("Bearer {}", ApiKeySecret::generate().expose())),
                None,
            ),
            KeyChoice::Malformed(i) => (
                Some(MALFORMED_AUTHORIZATION[i.index(MALFORMED_AUTHORIZATION.len())].to_owned()),
                None,
            ),
            KeyChoice::Missing => (None, None),
        };
        let beyond = world
            .organizations
            .iter()
            .map(|org| org.get())
            .max()
            .unwrap_or(0);
        let organization = match &spec.organization {
            OrganizationChoice::Absent => None,
            OrganizationChoice::Existing(i) => {
                Some(world.organizations[i.index(world.organizations.len())].to_string())
            }
            OrganizationChoice::Nonexistent(far) => Some(if *far {
                i64::MAX.to_string()
            } else {
                (beyond + 1).to_string()
            }),
            OrganizationChoice::Malformed(i) => {
                Some(MALFORMED_ORGANIZATION[i.index(MALFORMED_ORGANIZATION.len())].to_owned())
            }
        };
        Self {
            authorization,
            key,
            organization,
            limit: spec.limit,
        }
    }

    fn to_test_request(&self, before: Option<&str>) -> TestRequest {
        let mut query = Vec::new();
        if let Some(limit) = self.limit {
            query.push(format!("limit={limit}"));
        }
        if let Some(before) = before {
            query.push(format!("before={before}"));
        }
        let mut request = TestRequest::get().uri(&format!("/api/v1/sessions?{}", query.join("&")));
        if let Some(authorization) = &self.authorization {
            request = request.insert_header(("Authorization", authorization.as_str()));
        }
        if let Some(organization) = &self.organization {
            request = request.insert_header(("X-Organization-Id", organization.as_str()));
        }
        request
    }
}

// ------------------------------------------------------------ the oracle

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Lists(OrganizationId),
    BadRequest,
    Unauthorized,
    Forbidden,
}

/// The contract, restated. Authentication first: missing, malformed,
/// unknown or revoked is 401. Then the organization: the header's (which
/// must be a positive integer, else 400; a key bound elsewhere gets 403),
/// else the bound key's, else the caller's default; and the caller must be
/// a member of it now, else 403, also when it does not exist.
fn expected(request: &Request, world: &World) -> Expected {
    let Some(key) = request.key.map(|i| &world.keys[i]) else {
        return Expected::Unauthorized;
    };
    if key.revoked {
        return Expected::Unauthorized;
    }
    let named = match &request.organization {
        None => None,
        Some(text) => {
            let positive_integer = !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit())
                && !text.starts_with('0')
                && text.parse::<i64>().is_ok();
            if !positive_integer {
                return Expected::BadRequest;
            }
            Some(text.parse::<i64>().expect("checked"))
        }
    };
    let selected = match (named, key.bound) {
        (Some(named), Some(bound)) if named != bound.get() => return Expected::Forbidden,
        (Some(named), _) => named,
        (None, Some(bound)) => bound.get(),
        (None, None) => world.defaults[&key.user].get(),
    };
    match world
        .memberships
        .iter()
        .find(|(user, org)| *user == key.user && org.get() == selected)
    {
        Some(&(_, org)) => Expected::Lists(org),
        None => Expected::Forbidden,
    }
}

/// The error envelope, exactly: one `error` holding a `code` and a
/// non-empty `message`, nothing else.
fn assert_envelope(reply: &Reply, status: u16, code: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(reply.status, status, "{}", reply.body);
    let envelope = reply.body.as_object().expect("an object");
    prop_assert_eq!(envelope.len(), 1, "{}", reply.body);
    let error = reply.body["error"].as_object().expect("an error object");
    prop_assert_eq!(error.len(), 2, "{}", reply.body);
    prop_assert_eq!(error.get("code").and_then(Value::as_str), Some(code));
    prop_assert!(
        error
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty()),
        "{}",
        reply.body
    );
    if status == 401 {
        prop_assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    }
    Ok(())
}

/// Walks every page by `nextCursor` and checks that together they are
/// exactly the organization's sessions, newest first, and nothing else.
async fn assert_lists(
    app: &TestApp,
    request: &Request,
    first: Reply,
    organization: OrganizationId,
    world: &World,
) -> Result<(), TestCaseError> {
    let page_size = usize::from(request.limit.unwrap_or(100));
    let mut reply = first;
    let mut listed = Vec::new();
    loop {
        prop_assert_eq!(reply.status, 200, "{}", reply.body);
        let page = reply.body["sessions"].as_array().expect("sessions");
        prop_assert!(page.len() <= page_size);
        for session in page {
            prop_assert_eq!(
                session["organizationId"].as_i64(),
                Some(organization.get()),
                "a session of another organization: {}",
                session
            );
            listed.push((
                session["createdAt"].as_str().expect("createdAt").to_owned(),
                session["sessionId"].as_str().expect("sessionId").to_owned(),
            ));
        }
        let Some(cursor) = reply.body.get("nextCursor") else {
            break;
        };
        let cursor = cursor.as_str().expect("a cursor string").to_owned();
        prop_assert_eq!(page.len(), page_size, "a short page with a cursor");
        reply = app.call(request.to_test_request(Some(&cursor))).await;
    }
    let expected: Vec<(String, String)> = world
        .sessions
        .get(&organization)
        .map(|all| {
            all.iter()
                .map(|(at, id)| (at.to_string(), id.to_string()))
                .collect()
        })
        .unwrap_or_default();
    prop_assert_eq!(listed, expected);
    Ok(())
}

async fn check(app: &TestApp, world: &World, spec: &RequestSpec) -> Result<(), TestCaseError> {
    let request = Request::new(spec, world);
    let reply = app.call(request.to_test_request(None)).await;
    match expected(&request, world) {
        Expected::Lists(organization) => {
            assert_lists(app, &request, reply, organization, world).await?;
        }
        Expected::BadRequest => assert_envelope(&reply, 400, "invalid_parameter")?,
        Expected::Unauthorized => assert_envelope(&reply, 401, "unauthorized")?,
        Expected::Forbidden => assert_envelope(&reply, 403, "forbidden")?,
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_answer_is_what_the_contract_selects(
        spec in world_spec(),
        requests in proptest::collection::vec(request_spec(), 4..=10),
    ) {
        let app = TestApp::new(TestDb::sqlite());
        let world = World::build(&spec, &mut app.conn());
        actix_web::rt::System::new().block_on(async {
            for request in &requests {
                check(&app, &world, request).await?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}
