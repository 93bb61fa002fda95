//! The storage suite. Every test runs on SQLite, and again on PostgreSQL when
//! `TEST_DATABASE_URL` is set; each run gets its own database.

mod access;
mod directory;
mod for_caller;
mod import;
mod paging;
mod writes;

use sessions_domain::Limit;
use sessions_storage::{Rejection, StorageError};

/// A page size the test knows is valid.
pub fn limit(value: u16) -> Limit {
    Limit::new(value).expect("valid limit")
}

/// The refusal a write ended in; anything else fails the test.
pub fn rejection<T: std::fmt::Debug>(result: Result<T, StorageError>) -> Rejection {
    match result {
        Err(StorageError::Rejected(rejection)) => rejection,
        other => panic!("expected a rejection, got {other:?}"),
    }
}
