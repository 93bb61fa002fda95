//! A pool of connections to the one backend the URL names.

use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::r2d2;

use crate::{DatabaseUrl, DbConnection, StorageError};

pub type Pool = r2d2::Pool<ConnectionManager>;

/// How the pool behaves. A checkout that waits longer than
/// `checkout_timeout` fails, and on PostgreSQL a statement that runs (or
/// waits for a lock) longer than `statement_timeout` is cancelled, so that a
/// request never hangs on a busy, locked or absent database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    pub max_size: u32,
    pub checkout_timeout: Duration,
    pub statement_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            checkout_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

/// Opens connections with [`DbConnection::open`]: the backend is the URL's,
/// never a fallback.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    statement_timeout: Duration,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = StorageError;

    fn connect(&self) -> Result<DbConnection, StorageError> {
        let mut conn = DbConnection::open(&self.url)?;
        if let DbConnection::Postgres(_) = conn {
            let millis = self.statement_timeout.as_millis();
            conn.batch_execute(&format!("SET statement_timeout = {millis}"))?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), StorageError> {
        Ok(conn.batch_execute("SELECT 1")?)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as TransactionManager<DbConnection>>::is_broken_transaction_manager(conn)
    }
}

/// Builds the pool without waiting for its connections: call this after
/// [`DbConnection::open`] has shown that the database can be reached.
pub fn pool(url: &DatabaseUrl, options: PoolOptions) -> Pool {
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.checkout_timeout)
        .build_unchecked(ConnectionManager {
            url: url.clone(),
            statement_timeout: options.statement_timeout,
        })
}
