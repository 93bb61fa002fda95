//! `sessions-api serve`: listen, migrate, optionally seed the demo, then
//! serve.

use std::net::TcpListener;
use std::task::Poll;
use std::time::Duration;

use anyhow::Context;
use sessions_http::{AppState, ServerOptions};
use sessions_storage::{DatabaseUrl, pool, run_pending_migrations};

use crate::cli::ServeOptions;
use crate::demo;

pub fn serve(database: &DatabaseUrl, options: &ServeOptions) -> anyhow::Result<()> {
    // Listen first: a taken port must fail before the demo creates data and
    // a key that nobody would ever see.
    let listener = TcpListener::bind(options.bind)
        .with_context(|| format!("cannot listen on {}", options.bind))?;
    let address = listener.local_addr()?;

    let mut conn = crate::open(database)?;
    let applied = run_pending_migrations(&mut conn)?;
    if !applied.is_empty() {
        log::info!("applied {} migration(s) to {database}", applied.len());
    }
    if options.demo {
        demo::announce(&demo::seed(&mut conn)?, address)?;
    }
    drop(conn);

    let pool_options = options.pool();
    let state = AppState::new(pool(database, pool_options), pool_options.deadline());
    actix_web::rt::System::new().block_on(async move {
        let stop = stop_signal().context("cannot listen for signals")?;
        let server_options = ServerOptions {
            shutdown_grace: Duration::from_secs(options.shutdown_grace_secs),
            blocking_threads: pool_options.max_size as usize,
        };
        let server = sessions_http::server(listener, state, server_options, stop)
            .with_context(|| format!("cannot serve on {address}"))?;
        eprintln!(
            "sessions-api listening on http://{address} ({} database {database})",
            database.backend()
        );
        server.await.context("the server stopped with an error")?;
        // The workers, and with them every clone of the pool, are gone: the
        // connections are closed.
        log::info!("stopped");
        Ok(())
    })
}

/// Resolves at the first SIGTERM or SIGINT, after which the server stops
/// accepting, gives requests in flight the grace period, and returns. Both
/// signals are graceful (actix's own handling forces a stop on SIGINT); the
/// handlers are installed before the server starts, so an early signal is
/// not lost.
fn stop_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = std::future::poll_fn(|cx| {
            if terminate.poll_recv(cx).is_ready() {
                Poll::Ready("SIGTERM")
            } else if interrupt.poll_recv(cx).is_ready() {
                Poll::Ready("SIGINT")
            } else {
                Poll::Pending
            }
        })
        .await;
        log::info!("{name}: stopping; requests in flight may finish");
    })
}
