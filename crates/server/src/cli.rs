//! The command line: flags, environment and defaults, parsed into typed
//! values before anything runs.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use sessions_domain::{
    ApiKeyId, DeviceType, OrganizationId, Platform, Role, SessionId, Timestamp, UserId,
};
use sessions_storage::{DatabaseUrl, PoolOptions};

#[derive(Debug, Parser)]
#[command(
    name = "sessions-api",
    version,
    about = "The record of device sessions, served over a REST API."
)]
pub struct Cli {
    /// sqlite://PATH, a file path, or postgres://… (default: sessions.db here).
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        global = true,
        default_value = "sessions.db",
        hide_env_values = true,
        value_parser = DatabaseUrl::parse
    )]
    pub database: DatabaseUrl,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the API.
    Serve(ServeOptions),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document of the API (as served at
    /// /api/v1/openapi.json) and exit.
    Openapi,
    /// Operator commands; each prints one JSON object.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Args)]
pub struct ServeOptions {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// On an empty database, create demo data and print an API key for it.
    #[arg(long)]
    pub demo: bool,
    /// Database connections kept by each server.
    #[arg(long, env = "SESSIONS_API_POOL_SIZE", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub pool_size: u32,
    /// Milliseconds a request waits for a database connection before it is
    /// answered 503.
    #[arg(long, env = "SESSIONS_API_POOL_TIMEOUT_MS", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub pool_timeout_ms: u64,
    /// Milliseconds a statement may run (PostgreSQL) or wait for a lock
    /// (both backends) before it is given up and the request answered 503.
    #[arg(long, env = "SESSIONS_API_STATEMENT_TIMEOUT_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub statement_timeout_ms: u64,
    /// Seconds that requests in flight at SIGTERM or SIGINT may take to
    /// finish before their connections are closed.
    #[arg(long, env = "SESSIONS_API_SHUTDOWN_GRACE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_grace_secs: u64,
}

impl ServeOptions {
    pub fn pool(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.pool_size,
            checkout_timeout: Duration::from_millis(self.pool_timeout_ms),
            statement_timeout: Duration::from_millis(self.statement_timeout_ms),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// Memberships of users in organizations.
    #[command(subcommand)]
    Member(MemberCommand),
    /// API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sessions.
    #[command(subcommand)]
    Session(SessionCommand),
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization.
    Create {
        #[arg(long, value_parser = non_empty)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user, with their Personal organization as default.
    Create {
        #[arg(long, value_parser = email)]
        email: Option<String>,
    },
    /// Change a user's default organization (they must be a member).
    SetDefaultOrg {
        #[arg(long)]
        user: UserId,
        #[arg(long)]
        org: OrganizationId,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add a user to an organization.
    Add {
        #[arg(long)]
        org: OrganizationId,
        #[arg(long)]
        user: UserId,
        #[arg(long)]
        role: Role,
    },
    /// Remove a user from an organization (not their default one).
    Remove {
        #[arg(long)]
        org: OrganizationId,
        #[arg(long)]
        user: UserId,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key; the secret is printed once.
    Create {
        #[arg(long)]
        user: UserId,
        /// Bind the key to this organization (the user must be a member).
        #[arg(long)]
        org: Option<OrganizationId>,
        #[arg(long, value_parser = non_empty)]
        name: Option<String>,
    },
    /// Revoke an API key.
    Revoke {
        #[arg(long)]
        id: ApiKeyId,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Record a session.
    Create(NewSessionArgs),
    /// Import sessions from NDJSON, all or nothing.
    Import(ImportArgs),
    /// Release a held session.
    Release {
        #[arg(long)]
        id: SessionId,
        /// When it was released (default: now).
        #[arg(long, value_parser = timestamp)]
        at: Option<Timestamp>,
    },
}

#[derive(Debug, Args)]
pub struct NewSessionArgs {
    #[arg(long)]
    pub org: OrganizationId,
    #[arg(long)]
    pub user: UserId,
    #[arg(long)]
    pub platform: Platform,
    #[arg(long)]
    pub device_type: DeviceType,
    #[arg(long, value_parser = non_empty)]
    pub device_name: String,
    #[arg(long, value_parser = non_empty)]
    pub os_version: String,
    /// The device's own id (default: a new UUID).
    #[arg(long, value_parser = non_empty)]
    pub device_id: Option<String>,
    /// When the session began (default: chosen by the store, unique in the
    /// organization).
    #[arg(long, value_parser = timestamp)]
    pub created_at: Option<Timestamp>,
    #[arg(long, value_parser = timestamp)]
    pub released_at: Option<Timestamp>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The organization to import into.
    #[arg(long)]
    pub org: OrganizationId,
    /// The user of each line that names none (a line's own userId wins).
    #[arg(long)]
    pub user: Option<UserId>,
    /// One session a line, in the API's JSON shape; `-` reads standard input.
    #[arg(value_name = "FILE|-")]
    pub file: PathBuf,
}

fn timestamp(text: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(text).map_err(|error| error.to_string())
}

fn non_empty(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(text.to_owned())
    }
}

fn email(text: &str) -> Result<String, String> {
    match text.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !text.contains(char::is_whitespace) =>
        {
            Ok(text.to_owned())
        }
        _ => Err("must be an email address".into()),
    }
}

/// Help and version print as usual; a usage error becomes one line on
/// stderr, like every other failure.
pub fn report_usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _printed = error.print();
        return ExitCode::SUCCESS;
    }
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprintln!("error: a subcommand is required (see --help)");
        return ExitCode::from(2);
    }
    let rendered = error.render().to_string();
    let reason: Vec<&str> = rendered
        .lines()
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    eprintln!("{} (see --help)", reason.join(" "));
    ExitCode::from(2)
}
