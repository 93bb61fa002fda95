//! `sessions-api serve`: migrate, optionally seed the demo, then serve.

use actix_web::middleware::Logger;
use actix_web::{App, HttpServer};
use anyhow::Context;
use sessions_http::AppState;
use sessions_storage::{DatabaseUrl, pool, run_pending_migrations};

use crate::cli::ServeOptions;
use crate::demo;

pub fn serve(database: &DatabaseUrl, options: &ServeOptions) -> anyhow::Result<()> {
    let mut conn = crate::open(database)?;
    let applied = run_pending_migrations(&mut conn)?;
    if !applied.is_empty() {
        log::info!("applied {} migration(s) to {database}", applied.len());
    }
    let demo = if options.demo {
        Some(demo::seed(&mut conn)?)
    } else {
        None
    };
    drop(conn);

    let state = AppState::new(pool(database, options.pool()));
    actix_web::rt::System::new().block_on(async move {
        // The default access log: peer, request line, status, size, referer,
        // user agent, time. It never includes the Authorization header.
        let server = HttpServer::new(move || {
            App::new()
                .wrap(Logger::default())
                .configure(sessions_http::configure(state.clone()))
        })
        .bind(options.bind)
        .with_context(|| format!("cannot listen on {}", options.bind))?;
        let address = server.addrs().first().copied().unwrap_or(options.bind);
        if let Some(outcome) = demo {
            demo::announce(&outcome, address)?;
        }
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
