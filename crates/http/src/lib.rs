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

/// The readers of untrusted request text, for the fuzz targets in `fuzz/`
/// only: outside that build they stay private to this crate.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    pub use crate::credentials::bearer_secret;
    pub use crate::params::{PageParams, requested_organization};
}

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
