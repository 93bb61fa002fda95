//! `sessions-api`: serves the API, applies migrations, and carries the
//! operator commands. Configuration comes from flags and the environment
//! (see [`cli`]); everything else lives in the library crates.

mod admin;
mod cli;
mod demo;
mod log_queue;
mod serve;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use sessions_storage::{DatabaseUrl, DbConnection, has_pending_migrations, run_pending_migrations};

use crate::cli::{Cli, Command};
use crate::log_queue::LogQueue;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return cli::report_usage_error(error),
    };
    let log = init_logging(&cli.command);
    let result = run(cli);
    if let Some(log) = log {
        log.drain();
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line: the error and its causes, outermost first, with the
            // line breaks some drivers put in their messages folded away.
            let reason = format!("{error:#}");
            eprintln!(
                "error: {}",
                reason.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let database = cli.database;
    match cli.command {
        Command::Serve(options) => serve::serve(&database, &options),
        Command::Migrate => {
            let mut conn = open(&database)?;
            let applied = run_pending_migrations(&mut conn)?;
            eprintln!("{} migration(s) applied to {database}", applied.len());
            Ok(())
        }
        Command::Admin(command) => admin::run(&mut open_migrated(&database)?, command),
        Command::Openapi => {
            let document = sessions_http::openapi::document();
            std::io::stdout()
                .write_all(document.as_bytes())
                .context("cannot write the document")
        }
    }
}

pub(crate) fn open(database: &DatabaseUrl) -> anyhow::Result<DbConnection> {
    DbConnection::open(database)
        .with_context(|| format!("cannot open the {} database {database}", database.backend()))
}

/// For commands that only change data: the database must exist with its
/// schema up to date, so that a mistyped path creates no file and an old
/// schema gets a clear word rather than a query error.
fn open_migrated(database: &DatabaseUrl) -> anyhow::Result<DbConnection> {
    if let DatabaseUrl::Sqlite(path) = database
        && !path.exists()
    {
        anyhow::bail!(
            "no SQLite database at {}; `sessions-api migrate` creates it",
            path.display()
        );
    }
    let mut conn = open(database)?;
    if has_pending_migrations(&mut conn)? {
        anyhow::bail!("the database {database} needs migrations; run `sessions-api migrate` first");
    }
    Ok(conn)
}

/// Request logs at `info` while serving, written to stderr by a thread of
/// their own ([`log_queue`]); only warnings for one-shot commands, whose
/// stdout is their answer, written in place. `RUST_LOG` overrides both.
fn init_logging(command: &Command) -> Option<LogQueue> {
    let serving = matches!(command, Command::Serve(_));
    let default = if serving { "info" } else { "warn" };
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default));
    // Should the thread not start, the records are written in place.
    let queue = serving.then(LogQueue::to_stderr).and_then(Result::ok);
    if let Some(queue) = &queue {
        // Through a pipe env_logger cannot see the terminal to colour for.
        if std::env::var_os("RUST_LOG_STYLE").is_none() && std::io::stderr().is_terminal() {
            builder.write_style(env_logger::WriteStyle::Always);
        }
        builder.target(env_logger::Target::Pipe(Box::new(queue.clone())));
    }
    builder.init();
    queue
}
