//! Schema migrations, embedded per backend and applied at most once even
//! when several servers start together.

use diesel::RunQueryDsl;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbConnection, StorageError};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Any constant will do; it only has to be the same for every server.
const POSTGRES_MIGRATION_LOCK: i64 = 0x5e55_1025;

/// Applies the migrations not yet applied; returns their versions.
pub fn run_pending_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StorageError> {
    let applied = match conn {
        // BEGIN IMMEDIATE makes a second process wait for the first, then
        // find nothing left to do.
        DbConnection::Sqlite(conn) => {
            AnsiTransactionManager::begin_transaction_sql(&mut *conn, "BEGIN IMMEDIATE")?;
            let result = conn
                .run_pending_migrations(SQLITE)
                .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>());
            match result {
                Ok(versions) => {
                    AnsiTransactionManager::commit_transaction(conn)?;
                    Ok(versions)
                }
                Err(error) => {
                    let _rolled_back = AnsiTransactionManager::rollback_transaction(conn);
                    Err(error)
                }
            }
        }
        DbConnection::Postgres(conn) => {
            diesel::sql_query(format!(
                "SELECT pg_advisory_lock({POSTGRES_MIGRATION_LOCK})"
            ))
            .execute(conn)?;
            let result = conn
                .run_pending_migrations(POSTGRES)
                .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>());
            diesel::sql_query(format!(
                "SELECT pg_advisory_unlock({POSTGRES_MIGRATION_LOCK})"
            ))
            .execute(conn)?;
            result
        }
    };
    applied.map_err(|error| StorageError::Migration(error.to_string()))
}
