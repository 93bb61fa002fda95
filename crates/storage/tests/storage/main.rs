//! The storage suite. Every test runs on SQLite, and again on PostgreSQL when
//! `TEST_DATABASE_URL` is set; each run gets its own database.

mod access;
mod directory;
mod fixtures;
mod paging;
mod writes;

/// Declares each named test once per backend: `<module>::sqlite::<test>` and
/// `<module>::postgres::<test>`, each calling `<test>(&TestDb)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $test() {
                    super::$test(&sessions_storage::testing::TestDb::sqlite());
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $test() {
                    if let Some(db) = sessions_storage::testing::TestDb::postgres() {
                        super::$test(&db);
                    }
                }
            )*
        }
    };
}
