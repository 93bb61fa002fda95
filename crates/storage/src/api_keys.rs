//! API keys, and who is calling with one.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use sessions_domain::{
    ApiKey, ApiKeyDigest, ApiKeyId, ApiKeySecret, Caller, Membership, OrganizationId, Timestamp,
    UserId,
};

use crate::columns::{Instant, OrgId, Parsed};
use crate::connection::on_backend;
use crate::schema::{api_keys, memberships, users};
use crate::{DbConnection, Rejection, StorageError, users as user_store};

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct ApiKeyRow {
    id: Parsed<ApiKeyId>,
    user_id: Parsed<UserId>,
    organization_id: Option<OrgId>,
    name: Option<String>,
    suffix: String,
    created_at: Instant,
    revoked_at: Option<Instant>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: row.id.0,
            user_id: row.user_id.0,
            organization_id: row.organization_id.map(|id| id.0),
            name: row.name,
            suffix: row.suffix,
            created_at: row.created_at.0,
            revoked_at: row.revoked_at.map(|at| at.0),
        }
    }
}

/// Creates a key for `user`, bound to `organization` when given (the user
/// must be a member of it). The secret is returned once and never stored.
pub fn create(
    conn: &mut DbConnection,
    user: UserId,
    organization: Option<OrganizationId>,
    name: Option<&str>,
) -> Result<(ApiKey, ApiKeySecret), StorageError> {
    conn.write(|conn| {
        user_store::require_user(conn, user)?;
        if let Some(organization) = organization
            && user_store::find_membership(conn, organization, user)?.is_none()
        {
            return Err(Rejection::NotAMember { organization, user }.into());
        }
        let secret = ApiKeySecret::generate();
        let id = ApiKeyId::random();
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::id.eq(id.to_string()),
                api_keys::user_id.eq(user.to_string()),
                api_keys::organization_id.eq(organization.map(OrganizationId::get)),
                api_keys::name.eq(name),
                api_keys::digest.eq(secret.digest().as_bytes().as_slice()),
                api_keys::suffix.eq(secret.suffix()),
                api_keys::created_at.eq(Timestamp::now().to_utc_datetime()),
            ))
            .execute(conn)?;
        Ok((find(conn, id)?.ok_or(Rejection::NoSuchApiKey(id))?, secret))
    })
}

pub fn find(conn: &mut DbConnection, id: ApiKeyId) -> Result<Option<ApiKey>, StorageError> {
    Ok(api_keys::table
        .find(id.to_string())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?
        .map(ApiKey::from))
}

/// Revokes a key: from now on it is unknown. The update itself checks that
/// the key is live, so of two concurrent revocations exactly one succeeds.
pub fn revoke(conn: &mut DbConnection, id: ApiKeyId) -> Result<ApiKey, StorageError> {
    conn.write(|conn| {
        let updated = diesel::update(
            api_keys::table
                .find(id.to_string())
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Timestamp::now().to_utc_datetime()))
        .execute(conn)?;
        let key = find(conn, id)?.ok_or(Rejection::NoSuchApiKey(id))?;
        if updated == 0 {
            return Err(Rejection::AlreadyRevoked(id).into());
        }
        Ok(key)
    })
}

diesel::define_sql_function! {
    /// `COALESCE` of two values, as both backends spell it.
    fn coalesce(first: Nullable<BigInt>, second: BigInt) -> BigInt;
}

/// The caller's columns, as [`find_caller`] and
/// [`crate::sessions::list_for_caller`] select them from
/// `api_keys ⋈ users ⟕ memberships`.
#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub(crate) struct CallerRow {
    user_id: Parsed<UserId>,
    #[diesel(column_name = organization_id)]
    key_organization: Option<OrgId>,
    #[diesel(select_expression = users::default_organization_id)]
    default_organization: OrgId,
    #[diesel(embed)]
    membership: Option<user_store::MembershipRow>,
}

/// The holder of the live key with this digest, with their membership in
/// the organization the request selects: `requested`, else the key's, else
/// their default (the rule of [`sessions_domain::select_organization`],
/// which [`Caller::authorize`] applies and checks again). One query; a
/// request with a page to read asks [`crate::sessions::list_for_caller`]
/// instead, which on PostgreSQL joins the page onto this same query.
pub fn find_caller(
    conn: &mut DbConnection,
    digest: &ApiKeyDigest,
    requested: Option<OrganizationId>,
) -> Result<Option<Caller>, StorageError> {
    let selected = coalesce(
        requested
            .map(OrganizationId::get)
            .into_sql::<Nullable<BigInt>>(),
        coalesce(api_keys::organization_id, users::default_organization_id),
    );
    let caller = api_keys::table
        .inner_join(users::table)
        .left_join(
            memberships::table.on(memberships::user_id
                .eq(api_keys::user_id)
                .and(memberships::organization_id.eq(selected))),
        )
        .filter(api_keys::digest.eq(digest.as_bytes().as_slice()))
        .filter(api_keys::revoked_at.is_null());
    let row: Option<CallerRow> = on_backend!(conn, |conn| caller
        .select(CallerRow::as_select())
        .first(conn)
        .optional()?);
    Ok(row.map(Caller::from))
}

impl From<CallerRow> for Caller {
    fn from(row: CallerRow) -> Self {
        Self {
            user_id: row.user_id.0,
            key_organization: row.key_organization.map(|id| id.0),
            default_organization: row.default_organization.0,
            membership: row.membership.map(Membership::from),
        }
    }
}
