//! The HTTP API of sessions-api: routes, what a request may carry and how it
//! is read, the JSON shapes of answers, and the one mapping from any failure
//! to the error envelope (see [`error`]).

mod credentials;
mod dto;
pub mod error;
pub mod guard;
pub mod openapi;
mod params;
mod routes;
mod server;
mod state;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{App, web};

pub use dto::{DeviceBody, ErrorBody, ErrorDetail, SessionBody, SessionList};
pub use error::ApiError;
pub use server::{ServerOptions, server, server_with};
pub use state::AppState;

/// The readers of untrusted request text, for the fuzz targets in `fuzz/`
/// only: outside that build they stay private to this crate.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    pub use crate::credentials::bearer_secret;
    pub use crate::params::{PageParams, requested_organization};
}

/// The whole API as an actix `App`, as the server runs it and the tests call
/// it: its routes inside the middleware of [`app_with`].
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    app_with(configure(state))
}

/// An `App` with the API's middleware around the given routes. Every
/// answer, success or error, is private to its caller and is exactly the
/// JSON it says it is: `Cache-Control: no-store`,
/// `X-Content-Type-Options: nosniff`; and every request is logged.
pub fn app_with(
    routes: impl FnOnce(&mut web::ServiceConfig),
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(
            DefaultHeaders::new()
                .add((header::CACHE_CONTROL, "no-store"))
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
        )
        // The default access log: peer, request line, status, size,
        // Referer, User-Agent, time. No other header, so never
        // Authorization.
        .wrap(Logger::default())
        .configure(routes)
}

/// Registers the routes, including the JSON answers for unknown paths and
/// methods.
fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config.app_data(web::Data::new(state));
        routes::register(config);
    }
}
