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

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{BigInt, Text};
    use diesel::{Connection, QueryableByName, SqliteConnection};

    use super::*;

    #[derive(QueryableByName, Debug, PartialEq)]
    struct Stored {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = BigInt)]
        organization_id: i64,
        #[diesel(sql_type = Text)]
        created_at: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        released_at: Option<String>,
    }

    fn stored(conn: &mut SqliteConnection) -> Vec<Stored> {
        diesel::sql_query(
            "SELECT id, organization_id, created_at, released_at FROM sessions ORDER BY id",
        )
        .load(conn)
        .expect("sessions")
    }

    #[test]
    fn clustering_sqlite_sessions_keeps_every_session_and_constraint() {
        let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
        conn.batch_execute("PRAGMA foreign_keys = ON")
            .expect("pragma");
        conn.run_next_migration(SQLITE).expect("first migration");
        conn.batch_execute(
            "INSERT INTO organizations (id, created_at) VALUES (1, '2026-01-01 00:00:00'), (2, '2026-01-01 00:00:00');
             INSERT INTO users VALUES ('u', NULL, 1, '2026-01-01 00:00:00');
             INSERT INTO sessions VALUES
               ('b', 1, 'u', 'd', 'ios', 'real', 'n', '18', '2026-01-02 00:00:00.5', NULL),
               ('a', 1, 'u', 'd', 'ios', 'real', 'n', '18', '2026-01-02 00:00:00', '2026-01-03 00:00:00'),
               ('c', 2, 'u', 'd', 'android', 'emulator', 'n', '14', '2026-01-02 00:00:00', NULL);",
        )
        .expect("rows");
        let before = stored(&mut conn);

        conn.run_pending_migrations(SQLITE).expect("the rest");

        assert_eq!(stored(&mut conn), before);
        for refused in [
            // The same instant in the same organization.
            "INSERT INTO sessions VALUES ('d', 1, 'u', 'd', 'ios', 'real', 'n', '18', '2026-01-02 00:00:00', NULL)",
            // The same id.
            "INSERT INTO sessions VALUES ('a', 2, 'u', 'd', 'ios', 'real', 'n', '18', '2026-01-09 00:00:00', NULL)",
            // No such organization.
            "INSERT INTO sessions VALUES ('e', 3, 'u', 'd', 'ios', 'real', 'n', '18', '2026-01-09 00:00:00', NULL)",
        ] {
            assert!(conn.batch_execute(refused).is_err(), "{refused}");
        }

        conn.revert_last_migration(SQLITE).expect("down");
        assert_eq!(stored(&mut conn), before);
    }
}
