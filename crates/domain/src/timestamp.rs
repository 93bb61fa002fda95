//! An instant at microsecond precision, the resolution every backend keeps.

use std::fmt;

use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use crate::rfc3339::{self, InvalidTimestamp};

const MICROS_PER_SECOND: i64 = 1_000_000;

/// A UTC instant with whole microseconds, between [`Timestamp::MIN`] and
/// [`Timestamp::MAX`] (years 1 to 9999, which both backends and RFC 3339 can
/// hold).
///
/// Displays as RFC 3339 in UTC with `Z`, with trailing zero fractional digits
/// trimmed: `2026-01-01T00:00:00Z`, `2026-01-01T00:00:00.25Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 0001-01-01T00:00:00Z
    pub const MIN: Self = Self(-62_135_596_800 * MICROS_PER_SECOND);
    /// 9999-12-31T23:59:59.999999Z
    pub const MAX: Self = Self(253_402_300_799 * MICROS_PER_SECOND + 999_999);

    /// Now, truncated to the microsecond.
    pub fn now() -> Self {
        let micros = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000;
        // A clock outside years 1 to 9999 is broken; stay within range.
        Self(micros.clamp(i128::from(Self::MIN.0), i128::from(Self::MAX.0)) as i64)
    }

    pub fn from_unix_micros(micros: i64) -> Option<Self> {
        (Self::MIN.0..=Self::MAX.0)
            .contains(&micros)
            .then_some(Self(micros))
    }

    pub fn unix_micros(self) -> i64 {
        self.0
    }

    /// Reads a UTC wall-clock time as the databases store it, dropping any
    /// digits below the microsecond.
    pub fn from_utc_datetime(datetime: PrimitiveDateTime) -> Option<Self> {
        // Whole seconds, then the microseconds within the last one: no
        // 128-bit nanoseconds to divide.
        let seconds = datetime.assume_utc().unix_timestamp();
        Self::from_unix_micros(
            seconds.checked_mul(MICROS_PER_SECOND)? + i64::from(datetime.microsecond()),
        )
    }

    /// The UTC wall-clock time, as the databases store it.
    pub fn to_utc_datetime(self) -> PrimitiveDateTime {
        let instant = OffsetDateTime::UNIX_EPOCH + Duration::microseconds(self.0);
        PrimitiveDateTime::new(instant.date(), instant.time())
    }

    /// The instant one microsecond later, if there is one.
    pub fn next_microsecond(self) -> Option<Self> {
        Self::from_unix_micros(self.0 + 1)
    }

    /// Reads an RFC 3339 date-time to store. Digits below the microsecond are
    /// dropped, as for every stored instant; a leap second is refused, since
    /// no backend can hold it.
    pub fn parse_rfc3339(text: &str) -> Result<Self, InvalidTimestamp> {
        let instant = rfc3339::parse(text)?;
        if instant.leap_second {
            return Err(InvalidTimestamp::LeapSecond);
        }
        Self::from_unix_micros(instant.unix_micros).ok_or(InvalidTimestamp::OutOfRange)
    }
}

impl Timestamp {
    /// The RFC 3339 text this instant displays as, in a buffer of its own:
    /// writers of JSON copy its bytes with no formatting machinery between.
    pub fn to_rfc3339(self) -> Rfc3339Text {
        let datetime = self.to_utc_datetime();
        let (date, time) = (datetime.date(), datetime.time());
        // YYYY-MM-DDTHH:MM:SS.ffffffZ; the year is 1 to 9999 (the type's
        // range), so always four digits.
        let mut bytes = *b"0000-00-00T00:00:00.000000Z";
        put_digits(&mut bytes[0..4], date.year().unsigned_abs());
        put_digits(&mut bytes[5..7], u32::from(u8::from(date.month())));
        put_digits(&mut bytes[8..10], u32::from(date.day()));
        put_digits(&mut bytes[11..13], u32::from(time.hour()));
        put_digits(&mut bytes[14..16], u32::from(time.minute()));
        put_digits(&mut bytes[17..19], u32::from(time.second()));
        let mut end = 19;
        if time.microsecond() != 0 {
            put_digits(&mut bytes[20..26], time.microsecond());
            end = 26;
            while bytes[end - 1] == b'0' {
                end -= 1;
            }
        }
        bytes[end] = b'Z';
        Rfc3339Text {
            bytes,
            len: end + 1,
        }
    }
}

/// A [`Timestamp`]'s RFC 3339 text: ASCII digits, `-`, `:`, `.`, `T` and `Z`.
#[derive(Debug, Clone, Copy)]
pub struct Rfc3339Text {
    bytes: [u8; 27],
    len: usize,
}

impl Rfc3339Text {
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever written into `bytes`.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl fmt::Display for Timestamp {
    /// One write of [`Timestamp::to_rfc3339`]'s text, rather than `write!`
    /// with padded arguments, whose machinery was a tenth of a request's CPU
    /// when pages were written through `Display` (docs/PERFORMANCE.md).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to_rfc3339().as_str())
    }
}

/// `value` as `digits.len()` decimal digits, zero-padded on the left.
fn put_digits(digits: &mut [u8], mut value: u32) {
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).expect(text)
    }

    #[test]
    fn displays_utc_with_z_and_trimmed_microseconds() {
        assert_eq!(
            ts("2026-01-01T00:00:00Z").to_string(),
            "2026-01-01T00:00:00Z"
        );
        assert_eq!(
            ts("2026-01-01T00:00:00.250Z").to_string(),
            "2026-01-01T00:00:00.25Z"
        );
        assert_eq!(
            ts("2026-01-01T00:00:00.000001Z").to_string(),
            "2026-01-01T00:00:00.000001Z"
        );
        assert_eq!(
            ts("2026-01-01T02:00:00.123456+02:00").to_string(),
            "2026-01-01T00:00:00.123456Z"
        );
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999999Z");
    }

    #[test]
    fn display_matches_the_padded_format_it_replaced() {
        fn padded(stamp: Timestamp) -> String {
            let datetime = stamp.to_utc_datetime();
            let (date, time) = (datetime.date(), datetime.time());
            let mut text = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                date.year(),
                u8::from(date.month()),
                date.day(),
                time.hour(),
                time.minute(),
                time.second()
            );
            let mut micros = time.microsecond();
            if micros != 0 {
                let mut width = 6;
                while micros % 10 == 0 {
                    micros /= 10;
                    width -= 1;
                }
                text.push_str(&format!(".{micros:0width$}"));
            }
            text + "Z"
        }
        // Every fraction length, both ends of the range, and a walk across
        // it in steps that land on every field value.
        let step = (Timestamp::MAX.0 - Timestamp::MIN.0) / 100_003;
        let walk = (0..=100_003).map(|n| Timestamp::MIN.0 + n * step);
        let edges = [0, 1, 10, 100_000, 120_000, 123_456, 999_999, -1, -10];
        for micros in walk.chain(edges).chain([Timestamp::MAX.0]) {
            let stamp = Timestamp::from_unix_micros(micros).expect("in range");
            assert_eq!(stamp.to_string(), padded(stamp), "{micros}");
        }
    }

    #[test]
    fn display_and_parse_are_inverse() {
        for micros in [
            0,
            1,
            -1,
            999_999,
            1_767_225_600_123_400,
            Timestamp::MIN.0,
            Timestamp::MAX.0,
        ] {
            let stamp = Timestamp::from_unix_micros(micros).expect("in range");
            assert_eq!(ts(&stamp.to_string()), stamp);
        }
    }

    #[test]
    fn parsing_drops_digits_below_the_microsecond() {
        assert_eq!(
            ts("2026-01-01T00:00:00.0000019Z"),
            ts("2026-01-01T00:00:00.000001Z")
        );
    }

    #[test]
    fn parsing_refuses_leap_seconds_and_years_out_of_range() {
        assert_eq!(
            Timestamp::parse_rfc3339("2016-12-31T23:59:60Z"),
            Err(InvalidTimestamp::LeapSecond)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("0000-12-31T23:59:59Z"),
            Err(InvalidTimestamp::OutOfRange)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("0001-01-01T00:30:00+01:00"),
            Err(InvalidTimestamp::OutOfRange)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("9999-12-31T23:00:00-01:00"),
            Err(InvalidTimestamp::OutOfRange)
        );
    }

    #[test]
    fn database_datetimes_convert_both_ways() {
        let stamp = ts("2026-03-04T05:06:07.080901Z");
        assert_eq!(
            Timestamp::from_utc_datetime(stamp.to_utc_datetime()),
            Some(stamp)
        );
        let with_nanos = stamp.to_utc_datetime() + Duration::nanoseconds(999);
        assert_eq!(Timestamp::from_utc_datetime(with_nanos), Some(stamp));
    }

    proptest::proptest! {
        #[test]
        fn every_instant_survives_the_databases_datetime(
            micros in Timestamp::MIN.0..=Timestamp::MAX.0,
        ) {
            let stamp = Timestamp(micros);
            proptest::prop_assert_eq!(
                Timestamp::from_utc_datetime(stamp.to_utc_datetime()),
                Some(stamp)
            );
        }
    }

    #[test]
    fn next_microsecond_stops_at_the_end_of_time() {
        assert_eq!(
            ts("2026-01-01T00:00:00Z").next_microsecond(),
            Some(ts("2026-01-01T00:00:00.000001Z"))
        );
        assert_eq!(Timestamp::MAX.next_microsecond(), None);
    }
}
