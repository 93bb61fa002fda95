//! `sessions-api serve`: listen, migrate, optionally seed the demo, then
//! serve.

use std::net::TcpListener;

use actix_web::middleware::Logger;
use actix_web::{App, HttpServer};
use anyhow::Context;
use sessions_http::AppState;
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

    let state = AppState::new(pool(database, options.pool()));
    actix_web::rt::System::new().block_on(async move {
        // The default access log: peer, request line, status, size, Referer,
        // User-Agent, time. No other header, so never Authorization.
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Logger::default())
                .configure(sessions_http::configure(state.clone()))
        })
        .listen(listener)
        .with_context(|| format!("cannot serve on {address}"))?;
        eprintln!(
            "sessions-api listening on http://{address} ({} database {database})",
            database.backend()
        );
        server
            .run()
            .await
            .context("the server stopped with an error")
    })
}
