//! Which database to use, read from a URL or a path.

use std::fmt;
use std::path::PathBuf;

/// A database location, with its backend decided once, here.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDatabaseUrl {
    #[error(
        "unsupported database URL scheme `{0}://` (use sqlite://PATH, a file path, or postgres://…)"
    )]
    UnsupportedScheme(String),
    #[error("the database URL names no SQLite file")]
    EmptyPath,
    #[error("an in-memory SQLite database cannot be shared by a connection pool; name a file")]
    InMemory,
}

impl DatabaseUrl {
    /// `sqlite://PATH`, a plain file path, or `postgres://…` /
    /// `postgresql://…`. Any other scheme is refused, never guessed.
    pub fn parse(text: &str) -> Result<Self, InvalidDatabaseUrl> {
        let path = match text.split_once("://") {
            Some(("postgres" | "postgresql", _)) => return Ok(Self::Postgres(text.to_owned())),
            Some(("sqlite", path)) => path,
            Some((scheme, _)) if is_scheme(scheme) => {
                return Err(InvalidDatabaseUrl::UnsupportedScheme(scheme.to_owned()));
            }
            _ => text,
        };
        if path.is_empty() {
            return Err(InvalidDatabaseUrl::EmptyPath);
        }
        if path == ":memory:" || path.starts_with("file::memory:") {
            return Err(InvalidDatabaseUrl::InMemory);
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The URL with its password, for handing to another process.
    pub fn unredacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => url.clone(),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }
}

/// RFC 3986: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Prints the URL with any password replaced, so it can be logged.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Self::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_and_plain_paths_are_sqlite() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/s.db"),
            Ok(DatabaseUrl::Sqlite("data/s.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/s.db"),
            Ok(DatabaseUrl::Sqlite("/tmp/s.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sessions.db"),
            Ok(DatabaseUrl::Sqlite("sessions.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("C:/x.db"),
            Ok(DatabaseUrl::Sqlite("C:/x.db".into()))
        );
    }

    #[test]
    fn postgres_urls_are_postgres() {
        for url in [
            "postgres://u@h/db",
            "postgresql://u:p@h:5432/db?sslmode=require",
        ] {
            assert_eq!(
                DatabaseUrl::parse(url),
                Ok(DatabaseUrl::Postgres(url.into()))
            );
        }
    }

    #[test]
    fn other_schemes_are_refused_by_name() {
        assert_eq!(
            DatabaseUrl::parse("mysql://u@h/db"),
            Err(InvalidDatabaseUrl::UnsupportedScheme("mysql".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite3://x.db"),
            Err(InvalidDatabaseUrl::UnsupportedScheme("sqlite3".into()))
        );
    }

    #[test]
    fn empty_and_in_memory_sqlite_are_refused() {
        assert_eq!(DatabaseUrl::parse(""), Err(InvalidDatabaseUrl::EmptyPath));
        assert_eq!(
            DatabaseUrl::parse("sqlite://"),
            Err(InvalidDatabaseUrl::EmptyPath)
        );
        assert_eq!(
            DatabaseUrl::parse(":memory:"),
            Err(InvalidDatabaseUrl::InMemory)
        );
    }

    #[test]
    fn display_hides_the_password() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db:5432/sessions").expect("valid");
        assert_eq!(url.to_string(), "postgres://app:***@db:5432/sessions");
        let url = DatabaseUrl::parse("postgres://app@db/sessions").expect("valid");
        assert_eq!(url.to_string(), "postgres://app@db/sessions");
    }
}
