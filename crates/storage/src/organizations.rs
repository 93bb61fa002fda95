//! Organizations.

use diesel::prelude::*;
use sessions_domain::{Organization, OrganizationId, Timestamp};

use crate::columns::{Instant, OrgId};
use crate::schema::organizations;
use crate::{DbConnection, StorageError};

#[derive(Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub(crate) struct OrganizationRow {
    id: OrgId,
    name: Option<String>,
    created_at: Instant,
}

impl From<OrganizationRow> for Organization {
    fn from(row: OrganizationRow) -> Self {
        Self {
            id: row.id.0,
            name: row.name,
            created_at: row.created_at.0,
        }
    }
}

/// Creates an organization; `None` as the name makes a Personal one.
pub fn create(conn: &mut DbConnection, name: Option<&str>) -> Result<Organization, StorageError> {
    let row = diesel::insert_into(organizations::table)
        .values((
            organizations::name.eq(name),
            organizations::created_at.eq(Timestamp::now().to_utc_datetime()),
        ))
        .returning((
            organizations::id,
            organizations::name,
            organizations::created_at,
        ))
        .get_result::<OrganizationRow>(conn)?;
    Ok(row.into())
}

pub fn find(
    conn: &mut DbConnection,
    id: OrganizationId,
) -> Result<Option<Organization>, StorageError> {
    Ok(organizations::table
        .find(id.get())
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?
        .map(Organization::from))
}

/// Runs `work` in one write transaction if, and only if, the store holds no
/// organization yet (a fresh database); `None` otherwise. Callers take turns:
/// on PostgreSQL the table lock also holds off any new organization until
/// commit; on SQLite `BEGIN IMMEDIATE` holds the database's write lock.
pub fn when_none_exist<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, StorageError>,
) -> Result<Option<T>, StorageError> {
    conn.write(|conn| {
        if let DbConnection::Postgres(conn) = conn {
            diesel::sql_query("LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE")
                .execute(conn)?;
        }
        let any: Option<i64> = organizations::table
            .select(organizations::id)
            .first(conn)
            .optional()?;
        match any {
            Some(_) => Ok(None),
            None => work(conn).map(Some),
        }
    })
}

/// Takes the organization's row lock for the rest of the write transaction,
/// so that writers of one organization's sessions take turns. On SQLite the
/// `BEGIN IMMEDIATE` of [`DbConnection::write`] already holds the database's
/// write lock. Returns whether the organization exists.
pub(crate) fn lock(conn: &mut DbConnection, id: OrganizationId) -> Result<bool, StorageError> {
    let query = organizations::table
        .find(id.get())
        .select(organizations::id);
    let found = match conn {
        DbConnection::Postgres(conn) => query.for_update().first::<i64>(conn).optional()?,
        DbConnection::Sqlite(conn) => query.first::<i64>(conn).optional()?,
    };
    Ok(found.is_some())
}
