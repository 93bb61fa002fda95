//! What a List-sessions request reads: the caller behind the key and the
//! page of the organization the request selects. On PostgreSQL every
//! statement is a round trip, so one statement reads both; SQLite, in
//! process and without `LATERAL`, runs the caller's query, then the page's.

use std::cmp::Reverse;

use diesel::dsl::SqlTypeOf;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Binary, Nullable, Timestamp as SqlTimestamp};
use sessions_domain::{
    ApiKeyDigest, Caller, Cursor, Limit, OrganizationId, Page, Session, Timestamp,
};
use time::PrimitiveDateTime;

use super::{SessionRow, list};
use crate::api_keys::{CallerRow, find_caller};
use crate::{DbConnection, StorageError};

/// The holder of the live key with this digest, as [`find_caller`] finds
/// them, and, when they are a member of the organization the request selects, that
/// organization's page, as [`list`] reads it. `None` for an unknown or
/// revoked key.
///
/// The page comes with the membership, before [`Caller::authorize`] has had
/// its say: the caller of this function authorizes, and drops the page when
/// it is refused (a key bound to another organization of the same user).
pub fn list_for_caller(
    conn: &mut DbConnection,
    digest: &ApiKeyDigest,
    requested: Option<OrganizationId>,
    limit: Limit,
    cursor: Option<Cursor>,
) -> Result<Option<(Caller, Option<Page>)>, StorageError> {
    let DbConnection::Postgres(pg) = conn else {
        let Some(caller) = find_caller(conn, digest, requested)? else {
            return Ok(None);
        };
        let page = caller
            .membership
            .map(|membership| list(conn, membership.organization_id, limit, cursor))
            .transpose()?;
        return Ok(Some((caller, page)));
    };
    let statement = CallerAndPage {
        requested: requested.map(OrganizationId::get),
        digest: digest.as_bytes(),
        before: cursor
            .and_then(Cursor::created_before)
            .map(Timestamp::to_utc_datetime),
        // One more than asked, to learn whether another page follows.
        limit: i64::from(limit.get()) + 1,
    };
    let rows = statement.load::<(Option<CallerRow>, Option<SessionRow>)>(pg)?;
    let mut caller = None;
    let mut sessions = Vec::with_capacity(rows.len());
    for (caller_row, session_row) in rows {
        if let Some(row) = caller_row {
            caller = Some(Caller::from(row));
        }
        if let Some(row) = session_row {
            sessions.push(Session::from(row));
        }
    }
    let Some(caller) = caller else {
        return Ok(None);
    };
    let page = caller.membership.is_some().then(|| {
        // The sessions come newest first, in the order of the page's scan,
        // but only an `ORDER BY` around the whole statement would promise
        // it, and PostgreSQL runs that as a sort step that cost nearly as
        // much as the rest of the statement. On sorted input this is one
        // pass of comparisons.
        sessions.sort_unstable_by_key(|session| Reverse(session.created_at));
        Page::from_newest_first(sessions, limit)
    });
    Ok(Some((caller, page)))
}

/// The statement for PostgreSQL. The caller is found as [`find_caller`]
/// finds them (`api_keys ⋈ users ⟕ memberships`, the membership joined on
/// the organization the request selects), and the page is read as [`list`]
/// reads it, for that membership's organization (`LATERAL`, so nothing
/// without one):
///
/// ```sql
/// WITH caller AS (
///   SELECT api_keys.user_id, api_keys.organization_id, users.default_organization_id,
///          memberships.organization_id AS member_of, memberships.user_id, memberships.role
///   FROM api_keys
///   INNER JOIN users ON users.id = api_keys.user_id
///   LEFT JOIN memberships ON memberships.user_id = api_keys.user_id
///     AND memberships.organization_id = COALESCE($1, api_keys.organization_id, users.default_organization_id)
///   WHERE api_keys.digest = $2 AND api_keys.revoked_at IS NULL)
/// SELECT caller.*, NULL, … FROM caller
/// UNION ALL
/// SELECT NULL, …, page.* FROM caller CROSS JOIN LATERAL (
///   SELECT id, organization_id, … FROM sessions
///   WHERE organization_id = caller.member_of AND created_at < COALESCE($3, 'infinity')
///   ORDER BY created_at DESC LIMIT $4) AS page
/// ```
///
/// One row is the caller and the others the page's sessions, each with
/// `NULL`s in the other's columns: joined, every session would repeat the
/// caller's six columns, which cost more to send and read than the round
/// trip they replace. No row means no live key. The columns are
/// [`CallerRow`]'s and [`SessionRow`]'s, in their order; the storage suite
/// checks the results against [`find_caller`] and [`list`].
///
/// A first page stands its missing cursor as `'infinity'`, so that one
/// statement, a type with one [`QueryId`], serves every request and diesel
/// prepares it once per connection (diesel's DSL has no `LATERAL`, and it
/// never caches a `sql_query`). The pool's connections have PostgreSQL plan
/// it once too ([`crate::ConnectionManager`]).
#[derive(QueryId)]
struct CallerAndPage<'a> {
    requested: Option<i64>,
    digest: &'a [u8],
    before: Option<PrimitiveDateTime>,
    limit: i64,
}

type CallerColumns = SqlTypeOf<<CallerRow as Selectable<Pg>>::SelectExpression>;
type SessionColumns = SqlTypeOf<<SessionRow as Selectable<Pg>>::SelectExpression>;

impl Query for CallerAndPage<'_> {
    type SqlType = (Nullable<CallerColumns>, Nullable<SessionColumns>);
}

impl<C> RunQueryDsl<C> for CallerAndPage<'_> {}

impl QueryFragment<Pg> for CallerAndPage<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "WITH caller AS (\
             SELECT api_keys.user_id, api_keys.organization_id, users.default_organization_id, \
             memberships.organization_id AS member_of, memberships.user_id, memberships.role \
             FROM api_keys \
             INNER JOIN users ON users.id = api_keys.user_id \
             LEFT JOIN memberships ON memberships.user_id = api_keys.user_id \
             AND memberships.organization_id = COALESCE(",
        );
        out.push_bind_param::<Nullable<BigInt>, _>(&self.requested)?;
        out.push_sql(
            ", api_keys.organization_id, users.default_organization_id) \
             WHERE api_keys.digest = ",
        );
        out.push_bind_param::<Binary, _>(self.digest)?;
        out.push_sql(
            " AND api_keys.revoked_at IS NULL) \
             SELECT caller.*, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL \
             FROM caller \
             UNION ALL \
             SELECT NULL, NULL, NULL, NULL, NULL, NULL, page.* \
             FROM caller CROSS JOIN LATERAL (\
             SELECT id, organization_id, user_id, device_id, platform, device_type, \
             device_name, os_version, created_at, released_at \
             FROM sessions \
             WHERE organization_id = caller.member_of AND created_at < COALESCE(",
        );
        out.push_bind_param::<Nullable<SqlTimestamp>, _>(&self.before)?;
        out.push_sql(", 'infinity') ORDER BY created_at DESC LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(") AS page");
        Ok(())
    }
}
