//! What every handler shares, and the one way a handler reaches the
//! database.

use std::sync::Arc;
use std::time::Duration;

use actix_web::rt::time::timeout;
use actix_web::web;
use sessions_storage::{DbConnection, Pool, StorageError, with_connection};
use tokio::sync::Semaphore;

use crate::ApiError;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pool: Pool,
    /// One turn per pooled connection. Requests wait for a turn here, in
    /// arrival order and without a thread each, so the blocking pool runs
    /// only work that has a connection. Waiting in the pool instead, a
    /// thread each, let late arrivals take a freed connection before
    /// earlier waiters and stretched the latency's tail.
    turns: Arc<Semaphore>,
    /// The longest a request waits for the database before it is answered
    /// 503, even if its statement is still stuck (an unreachable host, a
    /// lock SQLite keeps retrying past `busy_timeout`).
    deadline: Duration,
}

impl AppState {
    /// Usually `AppState::new(pool(url, options), options.deadline())`.
    pub fn new(pool: Pool, deadline: Duration) -> Self {
        let turns = Arc::new(Semaphore::new(pool.max_size() as usize));
        Self {
            pool,
            turns,
            deadline,
        }
    }

    /// Runs `work` on a pooled connection, off the reactor: it waits for a
    /// turn (no longer than the pool's checkout timeout), then runs on the
    /// blocking pool. Past the deadline the request is answered 503; work
    /// already running keeps its turn until it ends.
    pub(crate) async fn with_connection<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.pool.clone();
        let turns = Arc::clone(&self.turns);
        let run = async move {
            let patience = pool.connection_timeout();
            let turn = timeout(patience, turns.acquire_owned())
                .await
                .map_err(|_| unavailable(format!("no connection free within {patience:?}")))?
                // Never closed: this is only here so that nothing panics.
                .map_err(|closed| unavailable(closed.to_string()))?;
            web::block(move || {
                let _turn = turn;
                with_connection(&pool, work)
            })
            .await?
        };
        timeout(self.deadline, run).await.map_err(|_| {
            unavailable(format!(
                "no answer within the deadline of {:?}",
                self.deadline
            ))
        })?
    }
}

fn unavailable(why: String) -> StorageError {
    StorageError::Unavailable(why.into())
}
