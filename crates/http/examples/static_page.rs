//! The framework floor of `scripts/bench`: a file's bytes served as
//! `application/json` at any GET path, through the API's own HTTP stack
//! (`server_with`: the same workers and head guard; `app_with`: the same
//! headers and access log) and nothing else: no database, no JSON
//! serialization. What this serves per second is the most the API could
//! serve a page of that size.
//!
//!     cargo run --release -p sessions-http --example static_page -- PAGE [ADDRESS]
//!
//! `ADDRESS` defaults to `127.0.0.1:0`; `RUST_LOG` works as for
//! `sessions-api serve` (default `info`: every request logged to stderr).

use std::net::TcpListener;
use std::task::Poll;
use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use sessions_http::{ServerOptions, app_with, server_with};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(page), address, None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: static_page PAGE [ADDRESS]");
        std::process::exit(2);
    };
    let body = Bytes::from(std::fs::read(&page)?);
    let listener = TcpListener::bind(address.as_deref().unwrap_or("127.0.0.1:0"))?;
    let address = listener.local_addr()?;
    // As `sessions-api serve` sets up its logging.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();

    let size = body.len();
    let make_app = move || {
        let body = body.clone();
        app_with(move |config| {
            config.route(
                "/{path:.*}",
                web::get().to(move || {
                    let body = body.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type(ContentType::json())
                            .body(body)
                    }
                }),
            );
        })
    };
    let options = ServerOptions {
        shutdown_grace: Duration::from_secs(1),
        // Nothing here blocks; as `serve`'s default pool size.
        blocking_threads: 10,
    };
    actix_web::rt::System::new().block_on(async move {
        let server = server_with(listener, make_app, options, stop_signal()?)?;
        eprintln!("static_page listening on http://{address} ({size} bytes of {page})");
        server.await
    })
}

/// Resolves at the first SIGTERM or SIGINT. (`server_with` installs no
/// signal handlers of its own.)
fn stop_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(std::future::poll_fn(move |cx| {
        if terminate.poll_recv(cx).is_ready() || interrupt.poll_recv(cx).is_ready() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }))
}
