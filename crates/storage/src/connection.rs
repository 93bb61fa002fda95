//! One connection type over both backends, set up the same way every time.

use std::fmt;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::{DatabaseUrl, StorageError};

/// A connection to either backend. Queries written once run on both; the few
/// statements that differ match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(_) => f.write_str("DbConnection::Sqlite"),
            Self::Postgres(_) => f.write_str("DbConnection::Postgres"),
        }
    }
}

/// Evaluates `$body` with `$conn` bound to the backend's own connection
/// (`SqliteConnection` or `PgConnection`). The query in `$body` is written
/// once and runs on both, but each backend then reads its rows with its own
/// types, without the multi-backend layer between every column and its
/// value, and caches the statement by its type rather than by its SQL text.
/// For the queries every request makes (docs/PERFORMANCE.md).
macro_rules! on_backend {
    ($conn:expr, |$inner:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Sqlite($inner) => $body,
            $crate::DbConnection::Postgres($inner) => $body,
        }
    };
}
pub(crate) use on_backend;

/// `busy_timeout` comes first: switching to WAL may itself wait for a lock.
const SQLITE_SETUP: &str = "PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;";

const POSTGRES_SETUP: &str = "SET TIME ZONE 'UTC'";

impl DbConnection {
    /// Connects to the backend the URL names, and nothing else: diesel's own
    /// `establish` for a multi-connection tries each backend in turn.
    pub fn open(url: &DatabaseUrl) -> Result<Self, StorageError> {
        match url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    StorageError::Unavailable(
                        format!("the SQLite path {} is not UTF-8", path.display()).into(),
                    )
                })?;
                let mut conn = SqliteConnection::establish(path)?;
                conn.batch_execute(SQLITE_SETUP)?;
                Ok(Self::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                conn.batch_execute(POSTGRES_SETUP)?;
                Ok(Self::Postgres(conn))
            }
        }
    }

    /// Runs `work` in a write transaction: `BEGIN IMMEDIATE` on SQLite, so
    /// that a transaction that reads before it writes never fails to upgrade
    /// its lock; a plain `BEGIN` on PostgreSQL, where each write that reads
    /// before it writes locks the row it depends on (`FOR UPDATE`) or puts its
    /// condition in the `UPDATE` itself.
    ///
    /// Inside another write, `work` simply joins it, so that writes compose
    /// into one atomic change.
    pub fn write<T>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        self.write_with(work)
    }

    /// [`write`](Self::write) for work with an error type of its own (one a
    /// [`StorageError`] converts into): any error rolls the work back.
    pub fn write_with<T, E: From<StorageError> + fmt::Display>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T, E>,
    ) -> Result<T, E> {
        let depth = <Self as TransactionManager<Self>>::transaction_manager_status_mut(self)
            .transaction_depth()
            .map_err(StorageError::from)?;
        if depth.is_some() {
            return work(self);
        }
        match self {
            Self::Sqlite(conn) => {
                AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE")
                    .map_err(StorageError::from)?
            }
            Self::Postgres(_) => <Self as TransactionManager<Self>>::begin_transaction(self)
                .map_err(StorageError::from)?,
        }
        match work(self) {
            Ok(value) => {
                <Self as TransactionManager<Self>>::commit_transaction(self)
                    .map_err(StorageError::from)?;
                Ok(value)
            }
            Err(error) => {
                if let Err(rollback) =
                    <Self as TransactionManager<Self>>::rollback_transaction(self)
                {
                    log::warn!("rollback failed after {error}: {rollback}");
                }
                Err(error)
            }
        }
    }
}
