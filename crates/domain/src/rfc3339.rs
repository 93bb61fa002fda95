//! A strict RFC 3339 `date-time` reader that keeps every digit it is given.
//!
//! `time`'s own parser stops at nanoseconds and has its own ideas about leap
//! seconds; the cursor rule needs to know whether anything at all follows the
//! microsecond, so this reads the grammar itself.

/// Why a string is not an RFC 3339 date-time we can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTimestamp {
    #[error("must be an RFC 3339 date-time with an offset, such as 2026-01-01T00:00:00Z")]
    Syntax,
    #[error("is not a valid calendar date and time")]
    NoSuchDate,
    #[error("falls on a leap second, which cannot be stored")]
    LeapSecond,
    #[error("must lie between 0001-01-01 and 9999-12-31 UTC")]
    OutOfRange,
}

/// An instant as written, reduced to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant {
    /// Microseconds since the Unix epoch, truncated (towards the past).
    pub unix_micros: i64,
    /// Some digit after the sixth fractional one was not zero.
    pub beyond_micros: bool,
    /// The seconds field was `60`; `unix_micros` then counts it as `59`.
    pub leap_second: bool,
}

pub(crate) fn parse(text: &str) -> Result<Instant, InvalidTimestamp> {
    use InvalidTimestamp::{NoSuchDate, Syntax};

    let b = text.as_bytes();
    if b.len() < 20 {
        return Err(Syntax);
    }
    let number = |range: std::ops::Range<usize>| -> Result<u32, InvalidTimestamp> {
        b[range]
            .iter()
            .try_fold(0u32, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
            })
            .ok_or(Syntax)
    };
    let expect = |at: usize, allowed: &[u8]| {
        if allowed.contains(&b[at]) {
            Ok(())
        } else {
            Err(Syntax)
        }
    };

    let year = number(0..4)?;
    expect(4, b"-")?;
    let month = number(5..7)?;
    expect(7, b"-")?;
    let day = number(8..10)?;
    expect(10, b"Tt")?;
    let hour = number(11..13)?;
    expect(13, b":")?;
    let minute = number(14..16)?;
    expect(16, b":")?;
    let second = number(17..19)?;

    let mut at = 19;
    let mut micros = 0u32;
    let mut beyond_micros = false;
    if b[at] == b'.' {
        let digits = b[at + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .count();
        if digits == 0 {
            return Err(Syntax);
        }
        for (i, &d) in b[at + 1..at + 1 + digits].iter().enumerate() {
            if i < 6 {
                micros = micros * 10 + u32::from(d - b'0');
            } else if d != b'0' {
                beyond_micros = true;
            }
        }
        micros *= 10u32.pow(6u32.saturating_sub(digits as u32));
        at += 1 + digits;
    }

    let offset_seconds: i64 = match &b[at..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digit = |d: u8| {
                d.is_ascii_digit()
                    .then(|| i64::from(d - b'0'))
                    .ok_or(Syntax)
            };
            let (hours, minutes) = (
                digit(*h1)? * 10 + digit(*h2)?,
                digit(*m1)? * 10 + digit(*m2)?,
            );
            if hours > 23 || minutes > 59 {
                return Err(NoSuchDate);
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return Err(Syntax),
    };

    if hour > 23 || minute > 59 || second > 60 {
        return Err(NoSuchDate);
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(NoSuchDate)?;
    let date =
        time::Date::from_calendar_date(year as i32, month, day as u8).map_err(|_| NoSuchDate)?;
    let leap_second = second == 60;
    let local = time::PrimitiveDateTime::new(
        date,
        time::Time::from_hms(hour as u8, minute as u8, second.min(59) as u8)
            .map_err(|_| NoSuchDate)?,
    );
    let utc_seconds = local.assume_utc().unix_timestamp() - offset_seconds;
    Ok(Instant {
        unix_micros: utc_seconds * 1_000_000 + i64::from(micros),
        beyond_micros,
        leap_second,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(text: &str) -> i64 {
        parse(text).expect(text).unix_micros
    }

    #[test]
    fn reads_utc_with_either_case_of_t_and_z() {
        assert_eq!(micros("1970-01-01T00:00:00Z"), 0);
        assert_eq!(micros("1970-01-01t00:00:01z"), 1_000_000);
    }

    #[test]
    fn applies_the_offset() {
        assert_eq!(micros("1970-01-01T02:00:00+02:00"), 0);
        assert_eq!(micros("1969-12-31T22:30:00-01:30"), 0);
        assert_eq!(micros("1970-01-01T00:00:00-00:00"), 0);
    }

    #[test]
    fn keeps_microseconds_and_notes_finer_digits() {
        let exact = parse("1970-01-01T00:00:00.000001Z").expect("valid");
        assert_eq!((exact.unix_micros, exact.beyond_micros), (1, false));
        let finer = parse("1970-01-01T00:00:00.0000015Z").expect("valid");
        assert_eq!((finer.unix_micros, finer.beyond_micros), (1, true));
        let zeros = parse("1970-01-01T00:00:00.000001000000000000000000000000Z").expect("valid");
        assert_eq!((zeros.unix_micros, zeros.beyond_micros), (1, false));
        assert_eq!(micros("1970-01-01T00:00:00.5Z"), 500_000);
        assert_eq!(micros("1970-01-01T00:00:00.25Z"), 250_000);
    }

    #[test]
    fn before_the_epoch_truncates_towards_the_past() {
        let instant = parse("1969-12-31T23:59:59.9999999Z").expect("valid");
        assert_eq!((instant.unix_micros, instant.beyond_micros), (-1, true));
    }

    #[test]
    fn notes_a_leap_second() {
        let instant = parse("2016-12-31T23:59:60.5Z").expect("valid");
        assert!(instant.leap_second);
        assert_eq!(instant.unix_micros, micros("2016-12-31T23:59:59.5Z"));
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for bad in [
            "",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-01-01 00:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0200",
            "2026-01-01T00:00:00+02",
            "2026-01-01T00:00:00Zjunk",
            "2026-1-01T00:00:00Z",
            "+2026-01-01T00:00:00Z",
            "２０２６-01-01T00:00:00Z",
            "1767225600",
        ] {
            assert_eq!(parse(bad), Err(InvalidTimestamp::Syntax), "{bad:?}");
        }
    }

    #[test]
    fn rejects_dates_and_times_that_do_not_exist() {
        for bad in [
            "2026-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-01-00T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z",
            "2026-01-01T00:00:61Z",
            "2026-01-01T00:00:00+24:00",
            "2026-01-01T00:00:00+00:60",
        ] {
            assert_eq!(parse(bad), Err(InvalidTimestamp::NoSuchDate), "{bad:?}");
        }
        assert!(parse("2024-02-29T00:00:00Z").is_ok());
    }
}
