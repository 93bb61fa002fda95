//! Columns read straight into domain values. diesel's own types would go
//! through an owned `String` for every id and enum, and on SQLite through a
//! general date parser that tries up to 18 formats for every instant; these
//! read the backend's bytes where they lie. A page of 100 sessions reads
//! 1,010 columns, so how a column is read is much of what a page costs
//! (docs/PERFORMANCE.md).
//!
//! A value that does not decode is a damaged database, never user input: it
//! becomes [`crate::StorageError::Corrupt`].

use std::any::type_name;
use std::str::FromStr;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::{self, BigInt, Text};
use diesel::sqlite::{Sqlite, SqliteType, SqliteValue};
use sessions_domain::{OrganizationId, Timestamp};
use time::{Date, Month, PrimitiveDateTime, Time};

use crate::connection::{MultiBackend, MultiRawValue};

/// A value stored as its text form (ids, platforms, device types, roles, a
/// device's `CompactString`s), parsed from the column's bytes without an
/// intermediate `String`.
#[derive(FromSqlRow)]
pub(crate) struct Parsed<T>(pub(crate) T);

fn parse<T: FromStr>(text: &str) -> deserialize::Result<Parsed<T>> {
    text.parse()
        .map(Parsed)
        .map_err(|_| format!("{text:?} is not a valid {}", short_name::<T>()).into())
}

fn short_name<T>() -> &'static str {
    let name = type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

impl<T: FromStr> FromSql<Text, Sqlite> for Parsed<T> {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        parse(value.read_text())
    }
}

impl<T: FromStr> FromSql<Text, Pg> for Parsed<T> {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        parse(std::str::from_utf8(value.as_bytes())?)
    }
}

impl<T: FromStr> FromSql<Text, MultiBackend> for Parsed<T> {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, Text>()
    }
}

/// An organization's id, wherever a column holds one.
#[derive(FromSqlRow)]
pub(crate) struct OrgId(pub(crate) OrganizationId);

impl OrgId {
    fn new(id: i64) -> deserialize::Result<Self> {
        OrganizationId::new(id)
            .map(Self)
            .ok_or_else(|| format!("{id} is not an organization id").into())
    }
}

impl FromSql<BigInt, Sqlite> for OrgId {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        Self::new(<i64 as FromSql<BigInt, Sqlite>>::from_sql(value)?)
    }
}

impl FromSql<BigInt, Pg> for OrgId {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        Self::new(<i64 as FromSql<BigInt, Pg>>::from_sql(value)?)
    }
}

impl FromSql<BigInt, MultiBackend> for OrgId {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, BigInt>()
    }
}

/// A `TIMESTAMP` column as a [`Timestamp`].
#[derive(FromSqlRow)]
pub(crate) struct Instant(pub(crate) Timestamp);

impl Instant {
    fn from_datetime(datetime: PrimitiveDateTime) -> deserialize::Result<Self> {
        Timestamp::from_utc_datetime(datetime)
            .map(Self)
            .ok_or_else(|| format!("{datetime} is outside years 1 to 9999").into())
    }
}

impl FromSql<sql_types::Timestamp, Sqlite> for Instant {
    /// diesel writes `YYYY-MM-DD HH:MM:SS[.fraction]`; that is read here
    /// directly. Anything else (text written by other tools, a Julian day
    /// number) goes through diesel's own reader, which knows every form
    /// SQLite's date functions accept.
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if value.value_type() == Some(SqliteType::Text)
            && let Some(datetime) = stored_datetime(value.read_text())
        {
            return Self::from_datetime(datetime);
        }
        Self::from_datetime(<PrimitiveDateTime as FromSql<
            sql_types::Timestamp,
            Sqlite,
        >>::from_sql(value)?)
    }
}

/// 2000-01-01T00:00:00Z, PostgreSQL's epoch, in microseconds after 1970's.
const POSTGRES_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

impl FromSql<sql_types::Timestamp, Pg> for Instant {
    /// PostgreSQL sends a `timestamp` as microseconds after its epoch: one
    /// shift makes it a [`Timestamp`], with no calendar in between.
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        let micros = <i64 as FromSql<BigInt, Pg>>::from_sql(value)?;
        micros
            .checked_add(POSTGRES_EPOCH_UNIX_MICROS)
            .and_then(Timestamp::from_unix_micros)
            .map(Self)
            .ok_or_else(|| {
                format!("{micros} µs after 2000-01-01 is outside years 1 to 9999").into()
            })
    }
}

impl FromSql<sql_types::Timestamp, MultiBackend> for Instant {
    fn from_sql(value: MultiRawValue<'_>) -> deserialize::Result<Self> {
        value.from_sql::<Self, sql_types::Timestamp>()
    }
}

/// `YYYY-MM-DD HH:MM:SS`, optionally followed by `.` and 1 to 9 digits: the
/// form diesel writes. `None` for anything else, including valid forms this
/// does not know.
fn stored_datetime(text: &str) -> Option<PrimitiveDateTime> {
    let bytes = text.as_bytes();
    let (whole, fraction) = match bytes.get(19) {
        None => (bytes, None),
        Some(b'.') => (&bytes[..19], Some(&bytes[20..])),
        Some(_) => return None,
    };
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b' ',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
    ] = *whole
    else {
        return None;
    };
    let nanos = match fraction {
        None => 0,
        Some(fraction) if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        Some(_) => return None,
    };
    let year = i32::try_from(digits(&[y0, y1, y2, y3])?).ok()?;
    let month = Month::try_from(two(m0, m1)?).ok()?;
    let date = Date::from_calendar_date(year, month, two(d0, d1)?).ok()?;
    let time = Time::from_hms_nano(two(h0, h1)?, two(i0, i1)?, two(s0, s1)?, nanos).ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

fn two(tens: u8, ones: u8) -> Option<u8> {
    u8::try_from(digits(&[tens, ones])?).ok()
}

/// The value of ASCII decimal digits (at most 9 of them); 0 for none.
fn digits(text: &[u8]) -> Option<u32> {
    text.iter().try_fold(0u32, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn reads_the_forms_diesel_writes() {
        assert_eq!(
            stored_datetime("2026-01-02 03:04:05"),
            Some(datetime!(2026-01-02 03:04:05))
        );
        assert_eq!(
            stored_datetime("2026-01-02 03:04:05.25"),
            Some(datetime!(2026-01-02 03:04:05.25))
        );
        assert_eq!(
            stored_datetime("0001-01-01 00:00:00.000001"),
            Some(datetime!(0001-01-01 00:00:00.000001))
        );
        assert_eq!(
            stored_datetime("9999-12-31 23:59:59.999999999"),
            Some(datetime!(9999-12-31 23:59:59.999999999))
        );
    }

    #[test]
    fn leaves_every_other_form_to_diesel() {
        for text in [
            "",
            "2026-01-02",
            "2026-01-02T03:04:05",
            "2026-01-02 03:04:05Z",
            "2026-01-02 03:04:05.",
            "2026-01-02 03:04:05.1234567890",
            "2026-01-02 03:04:05+01:00",
            "2026-01-02 03:04",
            "2026-13-02 03:04:05",
            "2026-02-30 03:04:05",
            "2026-01-02 24:00:00",
            "2026-01-02 03:04:60",
            "+2026-01-02 03:04:05",
            "2026-01-02 03:04:0x",
            "٢٠٢٦-01-02 03:04:05",
        ] {
            assert_eq!(stored_datetime(text), None, "{text:?}");
        }
    }

    #[test]
    fn agrees_with_diesel_on_what_diesel_writes() {
        use diesel::{Connection, IntoSql, RunQueryDsl, SqliteConnection};

        let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
        let seconds = datetime!(2026-03-04 05:06:07);
        for micros in [0, 1, 10, 250_000, 999_999, 123_456, 100_000, 5] {
            let written = seconds + time::Duration::microseconds(micros);
            // Bound as diesel writes it, returned by SQLite as that text.
            let read: Instant = diesel::select(written.into_sql::<sql_types::Timestamp>())
                .get_result(&mut conn)
                .expect("an instant");
            assert_eq!(
                Some(read.0),
                Timestamp::from_utc_datetime(written),
                "{written}"
            );
        }
    }

    #[test]
    fn falls_back_to_diesel_for_other_forms() {
        use diesel::dsl::sql;
        use diesel::{Connection, RunQueryDsl, SqliteConnection};

        let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
        for (expression, expected) in [
            ("'2026-01-02T03:04:05.5'", datetime!(2026-01-02 03:04:05.5)),
            (
                "julianday('2026-01-02 12:00:00')",
                datetime!(2026-01-02 12:00:00),
            ),
        ] {
            let read: Instant = diesel::select(sql::<sql_types::Timestamp>(expression))
                .get_result(&mut conn)
                .expect("an instant");
            assert_eq!(
                Some(read.0),
                Timestamp::from_utc_datetime(expected),
                "{expression}"
            );
        }
    }
}
