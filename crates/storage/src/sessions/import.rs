//! Bulk import: a stream of sessions into one organization, in one write
//! transaction, all or nothing, thousands of rows a statement.
//!
//! The rules are those of [`create`](super::create), applied to each session in
//! turn as if created one after the other: the user must be a member, a
//! session without `created_at` gets `max(now, newest + 1µs)` (the newest
//! counting the sessions imported before it), `released_at` is not before
//! `created_at`, and neither an instant of the organization nor a session id
//! is used twice. The organization stays locked throughout, as for
//! `create`, so concurrent writers wait rather than collide.
//!
//! Duplicates within the import are caught in memory (a set of instants and
//! one of ids, 8 and 16 bytes a session); duplicates of stored sessions by
//! the unique indexes, and only when a batch breaks one is the offending
//! line looked for, after the rollback. So an import costs no lookups of its
//! own per session.

use std::collections::HashSet;
use std::fmt;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sessions_domain::{NewSession, OrganizationId, SessionId, Timestamp, UserId};
use time::PrimitiveDateTime;

use super::NewSessionRow;
use crate::schema::sessions;
use crate::{DbConnection, Rejection, StorageError, organizations, users};

/// Sessions written at a time: one `COPY` on PostgreSQL, a few statements on
/// SQLite. Also the most rows searched after a conflict.
const BATCH: usize = 4096;

/// Rows of one SQLite `INSERT`: 10 columns each, 5 120 variables, well under
/// SQLite's limit of 32 766.
const SQLITE_ROWS: usize = 512;

/// Ids or instants looked up in one query after a conflict.
const LOOKUP: usize = 500;

/// SQLite's page cache during an import, in KiB (the default is 2 MiB): the
/// indexes being written, the one on random ids above all, then stay in
/// memory instead of being read and spilled again and again.
const SQLITE_CACHE_KIB: i64 = 512 * 1024;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub organization: OrganizationId,
    pub count: u64,
    /// The earliest and latest `created_at` imported; `None` when none was.
    pub oldest: Option<Timestamp>,
    pub newest: Option<Timestamp>,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError<E> {
    /// The first line found wrong (the earliest, when several are).
    #[error("line {line}: {reason}")]
    Line { line: u64, reason: LineError<E> },
    /// Not the fault of any one line: the organization, the database.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, thiserror::Error)]
pub enum LineError<E> {
    /// The line is not a session at all (the caller's parse error).
    #[error(transparent)]
    Invalid(E),
    /// A session the store refuses.
    #[error(transparent)]
    Rejected(Rejection),
}

/// Imports `sessions` into `organization`: each item is a line number and
/// either a session or why that line is not one. Stops at the first bad
/// line and writes nothing; the input is read once, in order, and never
/// held whole. Must not run inside another write, whose transaction a
/// conflict would end.
pub fn import<E, I>(
    conn: &mut DbConnection,
    organization: OrganizationId,
    sessions: I,
) -> Result<Imported, ImportError<E>>
where
    E: fmt::Display,
    I: IntoIterator<Item = (u64, Result<NewSession, E>)>,
{
    let tuned = SqliteSettings::tune(conn)?;
    let imported = import_in_one_write(conn, organization, sessions);
    if let Some(settings) = tuned
        && let Err(error) = settings.restore(conn)
    {
        log::warn!("could not restore SQLite's settings after an import: {error}");
    }
    imported
}

fn import_in_one_write<E, I>(
    conn: &mut DbConnection,
    organization: OrganizationId,
    sessions: I,
) -> Result<Imported, ImportError<E>>
where
    E: fmt::Display,
    I: IntoIterator<Item = (u64, Result<NewSession, E>)>,
{
    let outcome = conn.write_with(|conn| {
        if !organizations::lock(conn, organization)? {
            return Err(StorageError::from(Rejection::NoSuchOrganization(organization)).into());
        }
        let mut importer = Importer::new(organization, super::newest(conn, organization)?);
        for (line, item) in sessions {
            let accepted = match item {
                Ok(session) => importer.accept(conn, line, session),
                Err(error) => Err(Abort::line(line, LineError::Invalid(error))),
            };
            if let Err(abort) = accepted {
                if let Abort::Failed(ImportError::Line { .. }) = abort {
                    // An earlier line may clash with a stored session: the
                    // earliest bad line is the one to report.
                    importer.flush(conn)?;
                }
                return Err(abort);
            }
            if importer.pending.len() >= BATCH {
                importer.flush(conn)?;
            }
        }
        importer.flush(conn)?;
        Ok(importer.summary())
    });
    match outcome {
        Ok(imported) => Ok(imported),
        Err(Abort::Failed(error)) => Err(error),
        Err(Abort::Conflict { batch, cause }) => match find_conflict(conn, organization, &batch)? {
            Some((line, rejection)) => Err(ImportError::Line {
                line,
                reason: LineError::Rejected(rejection),
            }),
            None => Err(cause.into()),
        },
    }
}

struct Importer {
    organization: OrganizationId,
    /// The newest instant of the organization, stored or imported so far.
    newest: Option<Timestamp>,
    instants: HashSet<i64>,
    ids: HashSet<u128>,
    members: HashSet<UserId>,
    /// Sessions checked and waiting to be written, and for each its line,
    /// id and instant, to find the one that clashed should the write fail.
    pending: Vec<NewSessionRow>,
    pending_keys: Vec<(u64, SessionId, Timestamp)>,
    count: u64,
    oldest: Option<Timestamp>,
    newest_imported: Option<Timestamp>,
}

/// Why the transaction ends: a refusal known at once, or a batch that broke
/// a unique index, whose line is looked for once the transaction is over
/// (on PostgreSQL the failed `COPY` has ended it).
enum Abort<E> {
    Failed(ImportError<E>),
    Conflict {
        batch: Vec<(u64, SessionId, Timestamp)>,
        cause: StorageError,
    },
}

impl<E> Abort<E> {
    fn line(line: u64, reason: LineError<E>) -> Self {
        Self::Failed(ImportError::Line { line, reason })
    }
}

impl<E> From<StorageError> for Abort<E> {
    fn from(error: StorageError) -> Self {
        Self::Failed(ImportError::Storage(error))
    }
}

impl<E: fmt::Display> fmt::Display for Abort<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(error) => error.fmt(f),
            Self::Conflict { cause, .. } => cause.fmt(f),
        }
    }
}

impl Importer {
    fn new(organization: OrganizationId, newest: Option<Timestamp>) -> Self {
        Self {
            organization,
            newest,
            instants: HashSet::new(),
            ids: HashSet::new(),
            members: HashSet::new(),
            pending: Vec::with_capacity(BATCH),
            pending_keys: Vec::with_capacity(BATCH),
            count: 0,
            oldest: None,
            newest_imported: None,
        }
    }

    /// Checks one session against the rules and the sessions before it, and
    /// queues it.
    fn accept<E>(
        &mut self,
        conn: &mut DbConnection,
        line: u64,
        session: NewSession,
    ) -> Result<(), Abort<E>> {
        let refuse = |rejection| Abort::line(line, LineError::Rejected(rejection));
        if session.organization_id != self.organization {
            return Err(refuse(Rejection::OtherOrganization {
                expected: self.organization,
                found: session.organization_id,
            }));
        }
        if !self.members.contains(&session.user_id) {
            match users::require_member(conn, self.organization, session.user_id) {
                Ok(_) => self.members.insert(session.user_id),
                Err(StorageError::Rejected(rejection)) => return Err(refuse(rejection)),
                Err(error) => return Err(error.into()),
            };
        }
        let created_at = match session.created_at {
            Some(at) => at,
            None => super::instant_after(self.newest, self.organization).map_err(refuse)?,
        };
        if let Some(released_at) = session.released_at
            && released_at < created_at
        {
            return Err(refuse(Rejection::ReleasedBeforeCreated {
                created_at,
                released_at,
            }));
        }
        if !self.instants.insert(created_at.unix_micros()) {
            return Err(refuse(Rejection::CreatedAtRepeated(created_at)));
        }
        if !self.ids.insert(session.id.as_uuid().as_u128()) {
            return Err(refuse(Rejection::SessionIdRepeated(session.id)));
        }
        self.newest = self.newest.max(Some(created_at));
        self.newest_imported = self.newest_imported.max(Some(created_at));
        self.oldest = Some(
            self.oldest
                .map_or(created_at, |oldest| oldest.min(created_at)),
        );
        self.count += 1;
        self.pending_keys.push((line, session.id, created_at));
        self.pending.push(NewSessionRow::new(session, created_at));
        Ok(())
    }

    /// Writes the queued sessions.
    fn flush<E>(&mut self, conn: &mut DbConnection) -> Result<(), Abort<E>> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let written = match conn {
            DbConnection::Sqlite(conn) => insert_sqlite(conn, &self.pending),
            DbConnection::Postgres(conn) => diesel::copy_from(sessions::table)
                .from_insertable(&self.pending)
                .execute(conn)
                .map(drop),
        };
        self.pending.clear();
        match written {
            Ok(()) => {
                self.pending_keys.clear();
                Ok(())
            }
            Err(error @ DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                Err(Abort::Conflict {
                    batch: std::mem::take(&mut self.pending_keys),
                    cause: error.into(),
                })
            }
            Err(error) => Err(StorageError::from(error).into()),
        }
    }

    fn summary(&self) -> Imported {
        Imported {
            organization: self.organization,
            count: self.count,
            oldest: self.oldest,
            newest: self.newest_imported,
        }
    }
}

/// The SQLite settings an import changes, as they were.
#[derive(QueryableByName)]
struct SqliteSettings {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    cache_size: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    foreign_keys: i64,
}

impl SqliteSettings {
    /// A big page cache (see [`SQLITE_CACHE_KIB`]), and no foreign-key
    /// checks: the import itself finds each user's membership, which
    /// implies the user, inside the transaction that holds the database's
    /// write lock, and the organization is the one it locked. Without them,
    /// and with `OR IGNORE`, a multi-row `INSERT` cannot fail half-way, so
    /// SQLite keeps no statement journal (a copy of every page it changes).
    /// Both are set outside the transaction: `foreign_keys` cannot change
    /// inside one.
    fn tune(conn: &mut DbConnection) -> Result<Option<Self>, StorageError> {
        let DbConnection::Sqlite(conn) = conn else {
            return Ok(None);
        };
        let before: Self = diesel::sql_query(
            "SELECT cache_size, foreign_keys FROM pragma_cache_size, pragma_foreign_keys",
        )
        .get_result(conn)?;
        conn.batch_execute(&format!(
            "PRAGMA cache_size = -{SQLITE_CACHE_KIB}; PRAGMA foreign_keys = OFF;"
        ))?;
        Ok(Some(before))
    }

    fn restore(&self, conn: &mut DbConnection) -> Result<(), StorageError> {
        Ok(conn.batch_execute(&format!(
            "PRAGMA cache_size = {}; PRAGMA foreign_keys = {};",
            self.cache_size, self.foreign_keys
        ))?)
    }
}

/// Multi-row `INSERT OR IGNORE`s: a row that breaks a unique index is
/// skipped rather than failing the statement (which would need a statement
/// journal), and a statement that writes fewer rows than it was given is
/// taken for a conflict. Rows were checked for every other constraint.
fn insert_sqlite(
    conn: &mut diesel::SqliteConnection,
    rows: &[NewSessionRow],
) -> Result<(), DieselError> {
    let mut chunks = rows.chunks_exact(SQLITE_ROWS);
    for chunk in &mut chunks {
        // A fixed number of rows: one statement, prepared once.
        let full: &[NewSessionRow; SQLITE_ROWS] = chunk
            .try_into()
            .map_err(|_| DieselError::QueryBuilderError("a chunk of the wrong size".into()))?;
        let written = diesel::insert_or_ignore_into(sessions::table)
            .values(full)
            .execute(conn)?;
        all_written(written, SQLITE_ROWS)?;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let written = diesel::insert_or_ignore_into(sessions::table)
            .values(rest)
            .execute(conn)?;
        all_written(written, rest.len())?;
    }
    Ok(())
}

/// Rows an `INSERT OR IGNORE` skipped broke a unique index.
fn all_written(written: usize, given: usize) -> Result<(), DieselError> {
    if written == given {
        return Ok(());
    }
    Err(DieselError::DatabaseError(
        DatabaseErrorKind::UniqueViolation,
        Box::new(format!(
            "{} of {given} rows were not written",
            given - written
        )),
    ))
}

/// The first line of a batch that clashes with a stored session, by id (in
/// any organization) or by instant (in this one). Runs after the rollback,
/// so what it finds was stored before the import; duplicates within the
/// import were caught before they were written.
fn find_conflict(
    conn: &mut DbConnection,
    organization: OrganizationId,
    batch: &[(u64, SessionId, Timestamp)],
) -> Result<Option<(u64, Rejection)>, StorageError> {
    let mut taken_ids = HashSet::new();
    let mut taken_instants = HashSet::new();
    for chunk in batch.chunks(LOOKUP) {
        let ids: Vec<String> = chunk.iter().map(|(_, id, _)| id.to_string()).collect();
        taken_ids.extend(
            sessions::table
                .filter(sessions::id.eq_any(&ids))
                .select(sessions::id)
                .load::<String>(conn)?,
        );
        let instants: Vec<PrimitiveDateTime> = chunk
            .iter()
            .map(|(_, _, at)| at.to_utc_datetime())
            .collect();
        taken_instants.extend(
            sessions::table
                .filter(sessions::organization_id.eq(organization.get()))
                .filter(sessions::created_at.eq_any(&instants))
                .select(sessions::created_at)
                .load::<PrimitiveDateTime>(conn)?
                .into_iter()
                .filter_map(Timestamp::from_utc_datetime),
        );
    }
    Ok(batch.iter().find_map(|&(line, id, at)| {
        if taken_ids.contains(&id.to_string()) {
            Some((line, Rejection::SessionIdTaken(id)))
        } else if taken_instants.contains(&at) {
            Some((line, Rejection::CreatedAtTaken { organization, at }))
        } else {
            None
        }
    }))
}
