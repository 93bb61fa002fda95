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

impl StorageError {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<DieselError> for StorageError {
    /// Errors the database reports (lost connection, lock timeout, server
    /// shutting down) mean it is unavailable; the rest are ours.
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation
                | DatabaseErrorKind::ForeignKeyViolation
                | DatabaseErrorKind::CheckViolation
                | DatabaseErrorKind::NotNullViolation,
                _,
            ) => Self::Internal(error),
            DieselError::DatabaseError(..) => Self::Unavailable(Box::new(error)),
            DieselError::DeserializationError(cause) => Self::Corrupt(cause.to_string()),
            other => Self::Internal(other),
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
