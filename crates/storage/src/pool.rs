//! A pool of connections to the one backend the URL names.

use std::time::Duration;

use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::r2d2;

use crate::{DatabaseUrl, DbConnection, StorageError};

pub type Pool = r2d2::Pool<ConnectionManager>;

/// How the pool behaves. A checkout that waits longer than
/// `checkout_timeout` fails; a statement that runs or waits for a lock longer
/// than `statement_timeout` is cancelled on PostgreSQL and gives up waiting
/// for the file lock on SQLite (`busy_timeout`). Together they bound how long
/// a request can wait on a busy, locked or absent database.
///
/// Connections are not tested with a query at checkout: that would be one
/// more round trip on every request. A connection that lost its server fails
/// its next query instead, which answers that one request 503, and
/// [`with_connection`] then drops it rather than return it to the pool, so
/// the pool heals itself one request per stale connection.
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
            checkout_timeout: Duration::from_millis(500),
            statement_timeout: Duration::from_secs(1),
        }
    }
}

impl PoolOptions {
    /// How long a request may wait on the database in all: a checkout, then
    /// a statement.
    pub fn deadline(&self) -> Duration {
        self.checkout_timeout + self.statement_timeout
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
        let millis = self.statement_timeout.as_millis();
        match conn {
            DbConnection::Sqlite(_) => {
                conn.batch_execute(&format!("PRAGMA busy_timeout = {millis}"))?
            }
            // A prepared statement is planned once per connection. Left to
            // choose, PostgreSQL plans the request's statement again on
            // every execution (a custom plan): guessing that `LIMIT $n`
            // keeps a tenth of the rows, it finds the generic plan costlier,
            // though it is the same plan, and planning costs more than
            // running it (docs/STORAGE.md).
            DbConnection::Postgres(_) => conn.batch_execute(&format!(
                "SET statement_timeout = {millis}; SET plan_cache_mode = force_generic_plan"
            ))?,
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

/// An error that may mean the database is unavailable, whatever else it
/// carries.
pub trait Unavailability {
    fn is_unavailable(&self) -> bool;
}

impl Unavailability for StorageError {
    fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Runs `work` on a connection from the pool. A connection on which `work`
/// met an unavailable database is closed instead of returned: it may be one
/// whose server has gone (libpq then says "no connection to the server" on
/// every later use, which diesel does not count as broken), and a new one
/// costs little next to serving 503s from a dead one.
pub fn with_connection<T, E>(
    pool: &Pool,
    work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StorageError> + Unavailability,
{
    let mut conn = pool.get().map_err(StorageError::from)?;
    let result = work(&mut conn);
    if result.as_ref().is_err_and(E::is_unavailable) {
        // Seen as broken by `has_broken`, so the pool drops it.
        <DbConnection as TransactionManager<DbConnection>>::transaction_manager_status_mut(
            &mut conn,
        )
        .set_in_error();
    }
    result
}

/// Builds the pool without waiting for its connections: call this after
/// [`DbConnection::open`] has shown that the database can be reached.
pub fn pool(url: &DatabaseUrl, options: PoolOptions) -> Pool {
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.checkout_timeout)
        .test_on_check_out(false)
        .build_unchecked(ConnectionManager {
            url: url.clone(),
            statement_timeout: options.statement_timeout,
        })
}
