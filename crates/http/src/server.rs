//! Serving the API: actix-server and actix-http put together as actix-web's
//! `HttpServer` does, with one difference: every connection is read through
//! a [`HeadGuard`], so that heads actix-http would refuse with an empty body
//! get the JSON envelope instead.

use std::future::Future;
use std::net::TcpListener;
use std::time::Duration;

use actix_http::HttpService;
use actix_http::error::DispatchError;
use actix_service::{
    IntoServiceFactory, ServiceFactory, ServiceFactoryExt, fn_service, map_config,
};
use actix_web::App;
use actix_web::body::MessageBody;
use actix_web::dev::{AppConfig, Server, ServiceRequest, ServiceResponse};
use actix_web::rt::net::TcpStream;

use crate::guard::HeadGuard;
use crate::{AppState, app};

/// How the server runs and stops.
#[derive(Debug, Clone, Copy)]
pub struct ServerOptions {
    /// How long requests in flight may take to finish once `stop` resolves.
    pub shutdown_grace: Duration,
    /// Threads each worker may run database work on. More than the pool's
    /// connections would only wait for one, each with its own stack and
    /// allocator arena: under load the default (256) let the server's
    /// memory creep up by half in a minute.
    pub blocking_threads: usize,
}

/// Serves the API on `listener` until `stop` resolves; then it stops
/// accepting, tells idle keep-alive connections to close, gives requests in
/// flight the grace period and returns.
pub fn server(
    listener: TcpListener,
    state: AppState,
    options: ServerOptions,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Server> {
    server_with(listener, move || app(state.clone()), options, stop)
}

/// [`server`] with another app, built by `make_app` once per worker: the
/// same workers, head guard, timeouts and shutdown. For measuring this stack
/// on its own (`examples/static_page.rs`); the API itself is served by
/// [`server`].
pub fn server_with<F, T, B>(
    listener: TcpListener,
    make_app: F,
    options: ServerOptions,
    stop: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<Server>
where
    F: Fn() -> App<T> + Send + Clone + 'static,
    T: ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: MessageBody + 'static,
{
    let local = listener.local_addr()?;
    let builder = Server::build();
    let closing = builder.graceful_shutdown_signal();
    Ok(builder
        .shutdown_signal(stop)
        .shutdown_timeout(options.shutdown_grace.as_secs())
        .worker_max_blocking_threads(options.blocking_threads.max(1))
        .listen("sessions-api", listener, move || {
            let closing = closing.clone();
            let app = make_app()
                .into_factory()
                .map_err(|error| error.error_response());
            let http = HttpService::build()
                .graceful_shutdown_signal(move || {
                    let closing = closing.clone();
                    async move { closing.notified().await }
                })
                // As actix-web's: a second for a client to read an answer
                // before its connection is closed.
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(local)
                .h1(map_config(app, |()| AppConfig::default()));
            fn_service(|io: TcpStream| async move {
                io.set_nodelay(true).map_err(DispatchError::Io)?;
                let peer = io.peer_addr().ok();
                Ok::<_, DispatchError>((HeadGuard::new(io), peer))
            })
            .and_then(http)
        })?
        .run())
}
