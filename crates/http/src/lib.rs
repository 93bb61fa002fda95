//! The HTTP API of sessions-api: routes, what a request may carry and how it
//! is read, the JSON shapes of answers, and the one mapping from any failure
//! to the error envelope (see [`error`]).

mod credentials;
mod dto;
pub mod error;
mod params;
mod routes;

use actix_web::web;
use sessions_storage::Pool;

pub use dto::{DeviceBody, SessionBody, SessionList};
pub use error::ApiError;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pool: Pool,
}

impl AppState {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

/// Registers the whole API on an actix `App`, including the JSON answers for
/// unknown routes and methods: `App::new().configure(sessions_http::configure(state))`.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config.app_data(web::Data::new(state));
        routes::register(config);
    }
}
