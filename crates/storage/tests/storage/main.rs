//! The storage suite. Every test runs on SQLite, and again on PostgreSQL when
//! `TEST_DATABASE_URL` is set; each run gets its own database.

mod access;
mod directory;
mod paging;
mod writes;
