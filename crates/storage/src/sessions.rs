//! Sessions: the page query (alone, or with the caller behind the key), and
//! the writes (one at a time, or imported in bulk) that keep `created_at`
//! unique within an organization.

use diesel::connection::DefaultLoadingMode;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sessions_domain::{
    CompactString, Cursor, Device, DeviceType, Limit, NewSession, OrganizationId, Page, Platform,
    Session, SessionId, Timestamp, UserId,
};
use time::PrimitiveDateTime;

mod for_caller;
mod import;

pub use for_caller::list_for_caller;
pub use import::{ImportError, Imported, LineError, import};

use crate::columns::{Instant, OrgId, Parsed};
use crate::connection::on_backend;
use crate::schema::sessions;
use crate::{DbConnection, Rejection, StorageError, organizations, users};

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions)]
struct SessionRow {
    id: Parsed<SessionId>,
    organization_id: OrgId,
    user_id: Parsed<UserId>,
    device_id: Parsed<CompactString>,
    platform: Parsed<Platform>,
    device_type: Parsed<DeviceType>,
    device_name: Parsed<CompactString>,
    os_version: Parsed<CompactString>,
    created_at: Instant,
    released_at: Option<Instant>,
}

impl From<SessionRow> for Session {
    fn from(row: SessionRow) -> Self {
        Self {
            id: row.id.0,
            organization_id: row.organization_id.0,
            user_id: row.user_id.0,
            device: Device {
                device_id: row.device_id.0,
                platform: row.platform.0,
                device_type: row.device_type.0,
                name: row.device_name.0,
                os_version: row.os_version.0,
            },
            created_at: row.created_at.0,
            released_at: row.released_at.map(|at| at.0),
        }
    }
}

/// One page of an organization's sessions, newest first: a single range scan
/// of the unique key `(organization_id, created_at)`.
pub fn list(
    conn: &mut DbConnection,
    organization: OrganizationId,
    limit: Limit,
    cursor: Option<Cursor>,
) -> Result<Page, StorageError> {
    let page = sessions::table
        .filter(sessions::organization_id.eq(organization.get()))
        .order(sessions::created_at.desc())
        // One more than asked, to learn whether another page follows.
        .limit(i64::from(limit.get()) + 1);
    let before = cursor
        .and_then(Cursor::created_before)
        .map(Timestamp::to_utc_datetime);
    // Rows become sessions as they are read, into a vector the page's size.
    let capacity = usize::from(limit.get()) + 1;
    let sessions = on_backend!(conn, |conn| {
        let page = page.select(SessionRow::as_select());
        match before {
            Some(before) => sessions_from(
                page.filter(sessions::created_at.lt(before))
                    .load_iter::<SessionRow, DefaultLoadingMode>(conn)?,
                capacity,
            )?,
            None => sessions_from(
                page.load_iter::<SessionRow, DefaultLoadingMode>(conn)?,
                capacity,
            )?,
        }
    });
    Ok(Page::from_newest_first(sessions, limit))
}

fn sessions_from(
    rows: impl Iterator<Item = QueryResult<SessionRow>>,
    capacity: usize,
) -> QueryResult<Vec<Session>> {
    let mut sessions = Vec::with_capacity(capacity);
    for row in rows {
        sessions.push(Session::from(row?));
    }
    Ok(sessions)
}

pub fn find(conn: &mut DbConnection, id: SessionId) -> Result<Option<Session>, StorageError> {
    Ok(sessions::table
        .find(id.to_string())
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .map(Session::from))
}

/// A session as it is inserted: the one conversion site from [`NewSession`],
/// for [`create`] and [`import`]. It owns its values, so that a statement
/// inserting a fixed number of them can be prepared once and reused.
#[derive(Insertable)]
#[diesel(table_name = sessions, treat_none_as_default_value = false)]
pub(crate) struct NewSessionRow {
    id: String,
    organization_id: i64,
    user_id: String,
    device_id: String,
    platform: &'static str,
    device_type: &'static str,
    device_name: String,
    os_version: String,
    created_at: PrimitiveDateTime,
    released_at: Option<PrimitiveDateTime>,
}

impl NewSessionRow {
    /// `created_at` is the instant the store settled on, whether or not
    /// `new` named one.
    pub(crate) fn new(new: NewSession, created_at: Timestamp) -> Self {
        Self {
            id: new.id.to_string(),
            organization_id: new.organization_id.get(),
            user_id: new.user_id.to_string(),
            device_id: new.device.device_id.into_string(),
            platform: new.device.platform.as_str(),
            device_type: new.device.device_type.as_str(),
            device_name: new.device.name.into_string(),
            os_version: new.device.os_version.into_string(),
            created_at: created_at.to_utc_datetime(),
            released_at: new.released_at.map(Timestamp::to_utc_datetime),
        }
    }
}

/// Records a session. Without a `created_at` it gets `max(now, newest + 1µs)`
/// in its organization; a `created_at` already taken there is refused.
/// Writers of one organization take turns (see [`organizations::lock`]), so
/// concurrent writers neither collide nor lose an insert.
pub fn create(conn: &mut DbConnection, new: &NewSession) -> Result<Session, StorageError> {
    let organization = new.organization_id;
    conn.write(|conn| {
        if !organizations::lock(conn, organization)? {
            return Err(Rejection::NoSuchOrganization(organization).into());
        }
        users::require_member(conn, organization, new.user_id)?;
        let created_at = match new.created_at {
            Some(at) => at,
            None => instant_after(newest(conn, organization)?, organization)?,
        };
        if let Some(released_at) = new.released_at
            && released_at < created_at
        {
            return Err(Rejection::ReleasedBeforeCreated {
                created_at,
                released_at,
            }
            .into());
        }
        let inserted = diesel::insert_into(sessions::table)
            .values(NewSessionRow::new(new.clone(), created_at))
            .execute(conn);
        match inserted {
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info))
                if info
                    .constraint_name()
                    .is_none_or(|name| name.contains("created_at")) =>
            {
                return Err(Rejection::CreatedAtTaken {
                    organization,
                    at: created_at,
                }
                .into());
            }
            other => other?,
        };
        find(conn, new.id)?.ok_or(Rejection::NoSuchSession(new.id).into())
    })
}

/// The organization's newest `created_at`, if it has a session.
pub(crate) fn newest(
    conn: &mut DbConnection,
    organization: OrganizationId,
) -> Result<Option<Timestamp>, StorageError> {
    let newest: Option<Instant> = sessions::table
        .filter(sessions::organization_id.eq(organization.get()))
        .select(diesel::dsl::max(sessions::created_at))
        .first(conn)?;
    Ok(newest.map(|at| at.0))
}

/// `max(now, newest + 1µs)`: after every session the organization has, and
/// never in the past.
pub(crate) fn instant_after(
    newest: Option<Timestamp>,
    organization: OrganizationId,
) -> Result<Timestamp, Rejection> {
    let now = Timestamp::now();
    match newest {
        None => Ok(now),
        Some(newest) => {
            let after = newest
                .next_microsecond()
                .ok_or(Rejection::NoInstantLeft(organization))?;
            Ok(now.max(after))
        }
    }
}

/// Marks a held session released, now or at `at`. The update itself checks
/// that the session is still held, so of two concurrent releases exactly one
/// succeeds.
pub fn release(
    conn: &mut DbConnection,
    id: SessionId,
    at: Option<Timestamp>,
) -> Result<Session, StorageError> {
    let released_at = at.unwrap_or_else(Timestamp::now);
    conn.write(|conn| {
        let stamp = released_at.to_utc_datetime();
        let updated = diesel::update(
            sessions::table
                .find(id.to_string())
                .filter(sessions::released_at.is_null())
                .filter(sessions::created_at.le(stamp)),
        )
        .set(sessions::released_at.eq(stamp))
        .execute(conn)?;
        let session = find(conn, id)?.ok_or(Rejection::NoSuchSession(id))?;
        match session.released_at {
            Some(at) if updated == 1 && at == released_at => Ok(session),
            Some(_) => Err(Rejection::AlreadyReleased(id).into()),
            None => Err(Rejection::ReleasedBeforeCreated {
                created_at: session.created_at,
                released_at,
            }
            .into()),
        }
    })
}
