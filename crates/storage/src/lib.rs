//! Storage for sessions-api: one diesel schema over SQLite (embedded, the
//! default) and PostgreSQL, their migrations, the connection pool, and the
//! queries and writes the service needs. Functions take and return domain
//! types; rows never leave this crate.

pub mod api_keys;
mod columns;
mod connection;
mod error;
mod migrations;
pub mod organizations;
mod pool;
mod schema;
pub mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
mod url;
pub mod users;

pub use connection::DbConnection;
pub use error::{Rejection, StorageError};
pub use migrations::{has_pending_migrations, run_pending_migrations};
pub use pool::{ConnectionManager, Pool, PoolOptions, Unavailability, pool, with_connection};
pub use url::{DatabaseUrl, InvalidDatabaseUrl};
