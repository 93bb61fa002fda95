//! `admin session import`: sessions from NDJSON, one a line in the API's own
//! JSON shape, read as a stream and handed to [`sessions::import`], which
//! writes all of them or none.
//!
//! A line may leave out `sessionId` (a new one is made), `createdAt` (the
//! store picks it), `releasedAt`, `organizationId` (it must otherwise be
//! `--org`) and `userId` (then `--user` is the user). Blank lines, `\r\n`
//! endings and a byte-order mark are fine; unknown fields are refused.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::marker::PhantomData;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Deserialize;
use sessions_domain::{
    CompactString, Device, NewSession, OrganizationId, SessionId, Timestamp, UserId,
};
use sessions_storage::sessions::{self, Imported};
use sessions_storage::{DbConnection, users};

use crate::cli::ImportArgs;

/// Lines between two updates of the progress bar.
const PROGRESS_EVERY: u64 = 4096;

pub fn run(conn: &mut DbConnection, args: &ImportArgs) -> anyhow::Result<Imported> {
    if let Some(user) = args.user {
        // Checked even if no line needs it: a wrong flag is a mistake.
        users::require_member(conn, args.org, user)?;
    }
    let (reader, size): (Box<dyn BufRead>, Option<u64>) = if args.file.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = File::open(&args.file)
            .with_context(|| format!("cannot open {}", args.file.display()))?;
        let meta = file
            .metadata()
            .with_context(|| format!("cannot read {}", args.file.display()))?;
        if meta.is_dir() {
            anyhow::bail!("{} is a directory", args.file.display());
        }
        let size = Some(meta.len());
        (Box::new(BufReader::with_capacity(1 << 16, file)), size)
    };
    let progress = progress_bar(size);
    let lines = Lines {
        reader,
        buffer: Vec::new(),
        line: 0,
        bytes: 0,
        done: false,
        organization: args.org,
        user: args.user,
        progress: progress.clone(),
    };
    let imported = sessions::import(conn, args.org, lines);
    progress.finish_and_clear();
    Ok(imported?)
}

/// A bar on stderr when it is a terminal (by bytes for a file, a count for
/// standard input); nothing otherwise.
fn progress_bar(size: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match size {
        Some(size) if size > 0 => ProgressBar::with_draw_target(
            Some(size),
            ProgressDrawTarget::stderr(),
        )
        .with_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes}, {msg} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        _ => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()).with_style(
            ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar.set_message("0 lines");
    bar
}

/// The input as numbered sessions (or the reason a line is not one),
/// blank lines skipped.
struct Lines {
    reader: Box<dyn BufRead>,
    buffer: Vec<u8>,
    line: u64,
    bytes: u64,
    done: bool,
    organization: OrganizationId,
    user: Option<UserId>,
    progress: ProgressBar,
}

impl Iterator for Lines {
    type Item = (u64, Result<NewSession, BadLine>);

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buffer.clear();
            self.line += 1;
            let read = match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(read) => read,
                Err(error) => {
                    self.done = true;
                    return Some((self.line, Err(BadLine::Read(error))));
                }
            };
            if read == 0 {
                self.done = true;
                self.progress.set_message(format!(
                    "{} lines read; writing the last ones",
                    self.line - 1
                ));
                break;
            }
            self.bytes += read as u64;
            if self.line.is_multiple_of(PROGRESS_EVERY) {
                self.progress.set_position(self.bytes);
                self.progress.set_message(format!("{} lines", self.line));
            }
            if self.buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some((self.line, self.session()));
        }
        None
    }
}

impl Lines {
    fn session(&self) -> Result<NewSession, BadLine> {
        let text = self.buffer.strip_suffix(b"\n").unwrap_or(&self.buffer);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        // Some editors start a UTF-8 file with a byte-order mark.
        let text = match self.line {
            1 => text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text),
            _ => text,
        };
        let mut json = serde_json::Deserializer::from_slice(text);
        let line: SessionLine<'_> = object(&mut json)
            .and_then(|line| json.end().map(|()| line))
            .map_err(BadLine::Json)?;
        let user_id = match line.user_id {
            Some(id) => parsed("userId", &id)?,
            None => self.user.ok_or(BadLine::NoUser)?,
        };
        let organization_id = match line.organization_id {
            Some(id) => OrganizationId::new(id)
                .ok_or_else(|| BadLine::field("organizationId", "must be a positive integer"))?,
            None => self.organization,
        };
        Ok(NewSession {
            id: match line.session_id {
                Some(id) => parsed("sessionId", &id)?,
                None => SessionId::random(),
            },
            organization_id,
            user_id,
            device: Device {
                device_id: non_empty("device.deviceId", line.device.device_id)?,
                platform: parsed("device.platform", &line.device.platform)?,
                device_type: parsed("device.type", &line.device.device_type)?,
                name: non_empty("device.name", line.device.name)?,
                os_version: non_empty("device.osVersion", line.device.os_version)?,
            },
            created_at: line
                .created_at
                .map(|at| timestamp("createdAt", &at))
                .transpose()?,
            released_at: line
                .released_at
                .map(|at| timestamp("releasedAt", &at))
                .transpose()?,
        })
    }
}

/// One line: `SessionBody` of the API, read back. Strings borrow from the
/// line when they have no escapes.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionLine<'a> {
    #[serde(borrow)]
    session_id: Option<Cow<'a, str>>,
    organization_id: Option<i64>,
    #[serde(borrow)]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, deserialize_with = "object")]
    device: DeviceLine<'a>,
    #[serde(borrow)]
    created_at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    released_at: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DeviceLine<'a> {
    #[serde(borrow)]
    device_id: Cow<'a, str>,
    #[serde(borrow)]
    platform: Cow<'a, str>,
    #[serde(borrow, rename = "type")]
    device_type: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow)]
    os_version: Cow<'a, str>,
}

/// `T` from a JSON object only: derived structs would also take an array of
/// their fields in order, which no line should be.
fn object<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    struct Object<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Object<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }

    deserializer.deserialize_map(Object(PhantomData))
}

fn parsed<T: std::str::FromStr<Err: fmt::Display>>(
    field: &'static str,
    text: &str,
) -> Result<T, BadLine> {
    text.parse()
        .map_err(|error: T::Err| BadLine::field(field, error))
}

fn timestamp(field: &'static str, text: &str) -> Result<Timestamp, BadLine> {
    Timestamp::parse_rfc3339(text).map_err(|error| BadLine::field(field, error))
}

/// The same rule as the flags of `session create`.
fn non_empty(field: &'static str, text: Cow<'_, str>) -> Result<CompactString, BadLine> {
    if text.trim().is_empty() {
        Err(BadLine::field(field, "must not be empty"))
    } else {
        Ok(CompactString::from(text))
    }
}

/// Why a line is not a session.
#[derive(Debug)]
pub enum BadLine {
    Json(serde_json::Error),
    Field { field: &'static str, reason: String },
    NoUser,
    Read(std::io::Error),
}

impl BadLine {
    fn field(field: &'static str, reason: impl fmt::Display) -> Self {
        Self::Field {
            field,
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(error) => {
                // serde_json counts lines within the one line it was given:
                // only the column says anything.
                let message = error.to_string();
                let suffix = format!(" at line {} column {}", error.line(), error.column());
                let message = message.strip_suffix(&suffix).unwrap_or(&message);
                if error.is_syntax() || error.is_eof() {
                    write!(f, "invalid JSON: {message} (column {})", error.column())
                } else {
                    write!(f, "{message}")
                }
            }
            Self::Field { field, reason } => write!(f, "{field}: {reason}"),
            Self::NoUser => f.write_str("no userId, and no --user to supply one"),
            Self::Read(error) => write!(f, "cannot read the input: {error}"),
        }
    }
}

impl std::error::Error for BadLine {}
