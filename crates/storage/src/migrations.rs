//! Schema migrations, embedded per backend and applied at most once even
//! when several servers start together.

use diesel::RunQueryDsl;
use diesel::connection::TransactionManager;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbConnection, StorageError};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Any constant will do; it only has to be the same for every server.
const POSTGRES_MIGRATION_LOCK: i64 = 0x5e55_1025;

/// Applies the migrations not yet applied, in one write transaction; returns
/// their versions. A second server doing the same waits for the first (the
/// write lock on SQLite, an advisory lock on PostgreSQL), then finds nothing
/// left to do.
pub fn run_pending_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StorageError> {
    conn.write(|conn| {
        let applied = match conn {
            DbConnection::Sqlite(conn) => conn.run_pending_migrations(SQLITE),
            DbConnection::Postgres(conn) => {
                diesel::sql_query(format!(
                    "SELECT pg_advisory_xact_lock({POSTGRES_MIGRATION_LOCK})"
                ))
                .execute(conn)?;
                conn.run_pending_migrations(POSTGRES)
            }
        };
        applied
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|error| StorageError::Migration(error.to_string()))
    })
}

/// Whether the schema lacks migrations this build knows (a new or older
/// database). Asking changes nothing: diesel creates its bookkeeping table
/// when it is missing, so the question runs in a transaction rolled back.
pub fn has_pending_migrations(conn: &mut DbConnection) -> Result<bool, StorageError> {
    <DbConnection as TransactionManager<DbConnection>>::begin_transaction(conn)?;
    let pending = match conn {
        DbConnection::Sqlite(conn) => conn.has_pending_migration(SQLITE),
        DbConnection::Postgres(conn) => conn.has_pending_migration(POSTGRES),
    };
    <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn)?;
    pending.map_err(|error| StorageError::Migration(error.to_string()))
}
