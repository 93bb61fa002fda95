//! What can go wrong in the store, sorted by what the caller should do.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sessions_domain::{ApiKeyId, OrganizationId, SessionId, Timestamp, UserId};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database could not be reached, timed out or failed: worth trying
    /// again later.
    #[error("the database is unavailable: {0}")]
    Unavailable(BoxError),
    /// The write contradicts what is stored; nothing was changed.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// A bug or a damaged database: a row that is not a valid domain value.
    #[error("unexpected data in the database: {0}")]
    Corrupt(String),
    #[error("applying migrations failed: {0}")]
    Migration(String),
    #[error("unexpected database error: {0}")]
    Internal(DieselError),
}

/// A write refused because of what is (or is not) stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("no organization {0}")]
    NoSuchOrganization(OrganizationId),
    #[error("no user {0}")]
    NoSuchUser(UserId),
    #[error("no API key {0}")]
    NoSuchApiKey(ApiKeyId),
    #[error("no session {0}")]
    NoSuchSession(SessionId),
    #[error("a user with email {0} already exists")]
    EmailTaken(String),
    #[error("user {user} is not a member of organization {organization}")]
    NotAMember {
        organization: OrganizationId,
        user: UserId,
    },
    #[error("user {user} is already a member of organization {organization}")]
    AlreadyAMember {
        organization: OrganizationId,
        user: UserId,
    },
    #[error(
        "organization {organization} is the default organization of user {user}; set another default first"
    )]
    DefaultOrganization {
        organization: OrganizationId,
        user: UserId,
    },
    #[error("API key {0} is already revoked")]
    AlreadyRevoked(ApiKeyId),
    #[error("organization {organization} already has a session created at {at}")]
    CreatedAtTaken {
        organization: OrganizationId,
        at: Timestamp,
    },
    #[error("a session with id {0} already exists")]
    SessionIdTaken(SessionId),
    #[error("the session belongs to organization {found}, not {expected}")]
    OtherOrganization {
        expected: OrganizationId,
        found: OrganizationId,
    },
    #[error("an earlier session of this import was created at {0} too")]
    CreatedAtRepeated(Timestamp),
    #[error("an earlier session of this import has id {0} too")]
    SessionIdRepeated(SessionId),
    #[error("no instant is left after the newest session of organization {0}")]
    NoInstantLeft(OrganizationId),
    #[error("session {0} was already released")]
    AlreadyReleased(SessionId),
    #[error("a session cannot be released ({released_at}) before it was created ({created_at})")]
    ReleasedBeforeCreated {
        created_at: Timestamp,
        released_at: Timestamp,
    },
}

/// Messages of errors that pass: the database is busy, restarting, out of
/// reach or cut a statement short. Neither backend gives these a kind of
/// their own through diesel (PostgreSQL's SQLSTATE is not exposed).
const TRANSIENT: [&str; 13] = [
    // SQLite: another writer holds the lock past busy_timeout; another
    // process holds the WAL index's locks (SQLITE_PROTOCOL); the disk.
    "database is locked",
    "locking protocol",
    "database table is locked",
    "disk I/O error",
    // PostgreSQL: statement_timeout / lock_timeout, deadlock, shutdown.
    "canceling statement due to",
    "deadlock detected",
    "terminating connection",
    "the database system is",
    // libpq: the connection is gone (the first is what a pooled connection
    // says once its server has closed it).
    "no connection to the server",
    "server closed the connection",
    "could not receive data from server",
    "could not send data to server",
    "connection has been closed unexpectedly",
];

impl From<DieselError> for StorageError {
    /// A lost connection, a conflict worth retrying or a busy or restarting
    /// database is [`StorageError::Unavailable`]; anything else (a constraint
    /// the code should have checked, a schema that does not match) is a bug.
    fn from(error: DieselError) -> Self {
        match &error {
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::SerializationFailure
                | DatabaseErrorKind::ReadOnlyTransaction,
                _,
            ) => Self::Unavailable(Box::new(error)),
            DieselError::DatabaseError(_, info)
                if TRANSIENT
                    .iter()
                    .any(|marker| info.message().contains(marker)) =>
            {
                Self::Unavailable(Box::new(error))
            }
            DieselError::DeserializationError(cause) => Self::Corrupt(cause.to_string()),
            _ => Self::Internal(error),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StorageError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(Box::new(error))
    }
}

impl From<diesel::ConnectionError> for StorageError {
    fn from(error: diesel::ConnectionError) -> Self {
        Self::Unavailable(Box::new(error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unavailability;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> StorageError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned())).into()
    }

    #[test]
    fn lost_connections_and_busy_databases_are_unavailable() {
        for (kind, message) in [
            (
                DatabaseErrorKind::ClosedConnection,
                "server closed the connection unexpectedly",
            ),
            (
                DatabaseErrorKind::SerializationFailure,
                "could not serialize access",
            ),
            (DatabaseErrorKind::Unknown, "database is locked"),
            (DatabaseErrorKind::Unknown, "locking protocol"),
            (
                DatabaseErrorKind::Unknown,
                "canceling statement due to statement timeout",
            ),
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            (DatabaseErrorKind::Unknown, "no connection to the server\n"),
        ] {
            assert!(database_error(kind, message).is_unavailable(), "{message}");
        }
    }

    #[test]
    fn schema_and_constraint_errors_are_bugs() {
        for (kind, message) in [
            (DatabaseErrorKind::Unknown, "no such table: organizations"),
            (
                DatabaseErrorKind::Unknown,
                "relation \"sessions\" does not exist",
            ),
            (
                DatabaseErrorKind::UniqueViolation,
                "UNIQUE constraint failed: users.email",
            ),
            (DatabaseErrorKind::CheckViolation, "CHECK constraint failed"),
        ] {
            assert!(
                matches!(database_error(kind, message), StorageError::Internal(_)),
                "{message}"
            );
        }
    }
}
