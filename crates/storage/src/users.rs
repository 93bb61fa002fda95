//! Users and their memberships of organizations.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sessions_domain::{Membership, OrganizationId, Role, Timestamp, User, UserId};

use crate::columns::{Instant, OrgId, Parsed};
use crate::schema::{memberships, users};
use crate::{DbConnection, Rejection, StorageError, organizations};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
struct UserRow {
    id: Parsed<UserId>,
    email: Option<String>,
    default_organization_id: OrgId,
    created_at: Instant,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: row.id.0,
            email: row.email,
            default_organization_id: row.default_organization_id.0,
            created_at: row.created_at.0,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = memberships)]
pub(crate) struct MembershipRow {
    organization_id: OrgId,
    user_id: Parsed<UserId>,
    role: Parsed<Role>,
}

impl From<MembershipRow> for Membership {
    fn from(row: MembershipRow) -> Self {
        Self {
            organization_id: row.organization_id.0,
            user_id: row.user_id.0,
            role: row.role.0,
        }
    }
}

/// Creates a user with their Personal organization, which they administer
/// and which becomes their default.
pub fn create(conn: &mut DbConnection, email: Option<&str>) -> Result<User, StorageError> {
    conn.write(|conn| {
        let personal = organizations::create(conn, None)?;
        let id = UserId::random();
        let now = Timestamp::now().to_utc_datetime();
        let inserted = diesel::insert_into(users::table)
            .values((
                users::id.eq(id.to_string()),
                users::email.eq(email),
                users::default_organization_id.eq(personal.id.get()),
                users::created_at.eq(now),
            ))
            .execute(conn);
        match inserted {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Err(Rejection::EmailTaken(email.unwrap_or_default().to_owned()).into());
            }
            other => other?,
        };
        insert_membership(conn, personal.id, id, Role::Admin)?;
        find(conn, id)?.ok_or(StorageError::Corrupt(format!(
            "user {id} vanished while created"
        )))
    })
}

pub fn find(conn: &mut DbConnection, id: UserId) -> Result<Option<User>, StorageError> {
    Ok(users::table
        .find(id.to_string())
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::from))
}

/// Makes `organization` the user's default; the user must be a member.
pub fn set_default_organization(
    conn: &mut DbConnection,
    user: UserId,
    organization: OrganizationId,
) -> Result<User, StorageError> {
    conn.write(|conn| {
        lock(conn, user)?;
        if find_membership(conn, organization, user)?.is_none() {
            return Err(Rejection::NotAMember { organization, user }.into());
        }
        diesel::update(users::table.find(user.to_string()))
            .set(users::default_organization_id.eq(organization.get()))
            .execute(conn)?;
        find(conn, user)?.ok_or(Rejection::NoSuchUser(user).into())
    })
}

pub fn find_membership(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: UserId,
) -> Result<Option<Membership>, StorageError> {
    Ok(memberships::table
        .find((user.to_string(), organization.get()))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?
        .map(Membership::from))
}

pub fn add_member(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: UserId,
    role: Role,
) -> Result<Membership, StorageError> {
    conn.write(|conn| {
        if organizations::find(conn, organization)?.is_none() {
            return Err(Rejection::NoSuchOrganization(organization).into());
        }
        lock(conn, user)?;
        if find_membership(conn, organization, user)?.is_some() {
            return Err(Rejection::AlreadyAMember { organization, user }.into());
        }
        insert_membership(conn, organization, user, role)
    })
}

/// Removes a membership. The user's default organization cannot be left
/// until another default is set, so that the default is always theirs.
/// Membership changes lock the user's row (see [`lock`]), so a concurrent
/// change of default cannot slip between the check and the delete.
pub fn remove_member(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: UserId,
) -> Result<Membership, StorageError> {
    conn.write(|conn| {
        let found = lock(conn, user)?;
        let membership = find_membership(conn, organization, user)?
            .ok_or(Rejection::NotAMember { organization, user })?;
        if found.default_organization_id == organization {
            return Err(Rejection::DefaultOrganization { organization, user }.into());
        }
        diesel::delete(memberships::table.find((user.to_string(), organization.get())))
            .execute(conn)?;
        Ok(membership)
    })
}

fn insert_membership(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: UserId,
    role: Role,
) -> Result<Membership, StorageError> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::organization_id.eq(organization.get()),
            memberships::user_id.eq(user.to_string()),
            memberships::role.eq(role.as_str()),
            memberships::created_at.eq(Timestamp::now().to_utc_datetime()),
        ))
        .execute(conn)?;
    Ok(Membership {
        organization_id: organization,
        user_id: user,
        role,
    })
}

/// The user's membership of the organization; refused, saying which is
/// missing, when there is none.
pub fn require_member(
    conn: &mut DbConnection,
    organization: OrganizationId,
    user: UserId,
) -> Result<Membership, StorageError> {
    if let Some(membership) = find_membership(conn, organization, user)? {
        return Ok(membership);
    }
    if organizations::find(conn, organization)?.is_none() {
        return Err(Rejection::NoSuchOrganization(organization).into());
    }
    require_user(conn, user)?;
    Err(Rejection::NotAMember { organization, user }.into())
}

pub(crate) fn require_user(conn: &mut DbConnection, user: UserId) -> Result<User, StorageError> {
    find(conn, user)?.ok_or(Rejection::NoSuchUser(user).into())
}

/// Finds the user and, for the rest of the write transaction, locks their row,
/// so that changes to their memberships and default organization take turns
/// and each sees the last one's result. On SQLite the `BEGIN IMMEDIATE` of
/// [`DbConnection::write`] already holds the database's write lock.
fn lock(conn: &mut DbConnection, user: UserId) -> Result<User, StorageError> {
    let query = users::table.find(user.to_string()).select(users::id);
    match conn {
        DbConnection::Postgres(conn) => query.for_update().first::<String>(conn).optional()?,
        DbConnection::Sqlite(conn) => query.first::<String>(conn).optional()?,
    };
    require_user(conn, user)
}
