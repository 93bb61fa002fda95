//! Sessions: the page query and the writes that keep `created_at` unique
//! within an organization.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sessions_domain::{
    Cursor, Device, Limit, NewSession, OrganizationId, Page, Session, SessionId, Timestamp,
};
use time::PrimitiveDateTime;

use crate::schema::sessions;
use crate::{DbConnection, Rejection, StorageError, convert, organizations, users};

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions)]
struct SessionRow {
    id: String,
    organization_id: i64,
    user_id: String,
    device_id: String,
    platform: String,
    device_type: String,
    device_name: String,
    os_version: String,
    created_at: PrimitiveDateTime,
    released_at: Option<PrimitiveDateTime>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StorageError;

    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        Ok(Self {
            id: convert::parsed("sessions.id", &row.id)?,
            organization_id: convert::organization_id(
                "sessions.organization_id",
                row.organization_id,
            )?,
            user_id: convert::parsed("sessions.user_id", &row.user_id)?,
            device: Device {
                device_id: row.device_id,
                platform: convert::parsed("sessions.platform", &row.platform)?,
                device_type: convert::parsed("sessions.device_type", &row.device_type)?,
                name: row.device_name,
                os_version: row.os_version,
            },
            created_at: convert::timestamp("sessions.created_at", row.created_at)?,
            released_at: convert::optional_timestamp("sessions.released_at", row.released_at)?,
        })
    }
}

/// One page of an organization's sessions, newest first: a single range scan
/// of the `(organization_id, created_at)` index.
pub fn list(
    conn: &mut DbConnection,
    organization: OrganizationId,
    limit: Limit,
    cursor: Option<Cursor>,
) -> Result<Page, StorageError> {
    let mut query = sessions::table
        .filter(sessions::organization_id.eq(organization.get()))
        .order(sessions::created_at.desc())
        // One more than asked, to learn whether another page follows.
        .limit(i64::from(limit.get()) + 1)
        .select(SessionRow::as_select())
        .into_boxed();
    if let Some(before) = cursor.and_then(Cursor::created_before) {
        query = query.filter(sessions::created_at.lt(before.to_utc_datetime()));
    }
    let sessions = query
        .load(conn)?
        .into_iter()
        .map(Session::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_newest_first(sessions, limit))
}

pub fn find(conn: &mut DbConnection, id: SessionId) -> Result<Option<Session>, StorageError> {
    sessions::table
        .find(id.to_string())
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .map(Session::try_from)
        .transpose()
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
        users::require_user(conn, new.user_id)?;
        if users::find_membership(conn, organization, new.user_id)?.is_none() {
            return Err(Rejection::NotAMember {
                organization,
                user: new.user_id,
            }
            .into());
        }
        let created_at = match new.created_at {
            Some(at) => at,
            None => next_instant(conn, organization)?,
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
            .values((
                sessions::id.eq(new.id.to_string()),
                sessions::organization_id.eq(organization.get()),
                sessions::user_id.eq(new.user_id.to_string()),
                sessions::device_id.eq(&new.device.device_id),
                sessions::platform.eq(new.device.platform.as_str()),
                sessions::device_type.eq(new.device.device_type.as_str()),
                sessions::device_name.eq(&new.device.name),
                sessions::os_version.eq(&new.device.os_version),
                sessions::created_at.eq(created_at.to_utc_datetime()),
                sessions::released_at.eq(new.released_at.map(Timestamp::to_utc_datetime)),
            ))
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

/// `max(now, newest + 1µs)`: after every session the organization has, and
/// never in the past.
fn next_instant(
    conn: &mut DbConnection,
    organization: OrganizationId,
) -> Result<Timestamp, StorageError> {
    let newest: Option<PrimitiveDateTime> = sessions::table
        .filter(sessions::organization_id.eq(organization.get()))
        .select(diesel::dsl::max(sessions::created_at))
        .first(conn)?;
    let now = Timestamp::now();
    match convert::optional_timestamp("sessions.created_at", newest)? {
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
