//! The paging rules of List sessions: how many, from where, and whether there
//! is more.

use std::str::FromStr;

use crate::rfc3339::{self, InvalidTimestamp};
use crate::{Session, Timestamp};

/// How many sessions one page holds: 1 to 500, 100 unless asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Limit(u16);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer from 1 to 500")]
pub struct InvalidLimit;

impl Limit {
    pub const DEFAULT: Self = Self(100);
    pub const MAX: Self = Self(500);

    pub fn new(value: u16) -> Option<Self> {
        (1..=Self::MAX.0).contains(&value).then_some(Self(value))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Only the canonical decimal form: `5`, never `+5`, `05`, `5.0` or ` 5`.
/// Out-of-range values are refused, not clamped.
impl FromStr for Limit {
    type Err = InvalidLimit;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let canonical = (1..=3).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_digit())
            && !text.starts_with('0');
        if !canonical {
            return Err(InvalidLimit);
        }
        text.parse().ok().and_then(Self::new).ok_or(InvalidLimit)
    }
}

/// Where a page starts: sessions created strictly before an instant given at
/// any precision.
///
/// Stored instants are whole microseconds, so "strictly before `t`" is
/// "strictly before `t` rounded up to the next whole microsecond": a cursor of
/// `…:00.0000015Z` includes a session at `…:00.000001Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// `None` when the instant lies past [`Timestamp::MAX`]: nothing storable
    /// is excluded.
    created_before: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct InvalidCursor(#[from] InvalidTimestamp);

impl Cursor {
    /// The cursor that continues after a session created at `created_at`.
    pub fn before(created_at: Timestamp) -> Self {
        Self {
            created_before: Some(created_at),
        }
    }

    /// The exclusive upper bound on `createdAt`, if any storable instant lies
    /// at or past it.
    pub fn created_before(self) -> Option<Timestamp> {
        self.created_before
    }
}

impl FromStr for Cursor {
    type Err = InvalidCursor;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let instant = rfc3339::parse(text)?;
        let bound = if instant.leap_second {
            // Every instant in a leap second follows all of second :59 and
            // precedes the next minute, so the bound is that next minute.
            instant.unix_micros.div_euclid(1_000_000) * 1_000_000 + 1_000_000
        } else if instant.beyond_micros {
            instant.unix_micros + 1
        } else {
            instant.unix_micros
        };
        let created_before = if bound > Timestamp::MAX.unix_micros() {
            None
        } else {
            // Nothing is stored before MIN, so a bound below it selects
            // nothing, exactly as MIN does.
            Timestamp::from_unix_micros(bound).or(Some(Timestamp::MIN))
        };
        Ok(Self { created_before })
    }
}

/// One page of sessions, newest first, and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub sessions: Vec<Session>,
    /// The last session's `createdAt`, present only when older sessions
    /// remain.
    pub next_cursor: Option<Timestamp>,
}

impl Page {
    /// Builds a page from up to `limit + 1` sessions, newest first: the extra
    /// one, when present, only says that there is more.
    pub fn from_newest_first(mut sessions: Vec<Session>, limit: Limit) -> Self {
        let limit = usize::from(limit.get());
        let more = sessions.len() > limit;
        sessions.truncate(limit);
        let next_cursor = if more {
            sessions.last().map(|session| session.created_at)
        } else {
            None
        };
        Self {
            sessions,
            next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_to_100() {
        assert_eq!(Limit::default().get(), 100);
    }

    #[test]
    fn limit_accepts_1_to_500() {
        for (text, value) in [("1", 1), ("7", 7), ("100", 100), ("500", 500)] {
            assert_eq!(text.parse::<Limit>().map(Limit::get), Ok(value));
        }
    }

    #[test]
    fn limit_refuses_everything_else_without_clamping() {
        for bad in [
            "0",
            "501",
            "-1",
            "abc",
            "1.5",
            "",
            "+5",
            "05",
            " 5",
            "5 ",
            "1e2",
            "99999999999999999999",
        ] {
            assert_eq!(bad.parse::<Limit>(), Err(InvalidLimit), "{bad:?}");
        }
    }

    fn bound(text: &str) -> Option<String> {
        let cursor: Cursor = text.parse().expect(text);
        cursor.created_before().map(|t| t.to_string())
    }

    #[test]
    fn cursor_at_whole_microseconds_is_exact() {
        assert_eq!(
            bound("2026-01-01T00:00:00.000001Z").as_deref(),
            Some("2026-01-01T00:00:00.000001Z")
        );
        assert_eq!(
            bound("2026-01-01T02:00:00+02:00").as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
    }

    #[test]
    fn cursor_rounds_finer_digits_up_to_the_next_microsecond() {
        // …:00.0000015 is after …:00.000001, so a session there is included.
        assert_eq!(
            bound("2026-01-01T00:00:00.0000015Z").as_deref(),
            Some("2026-01-01T00:00:00.000002Z")
        );
        assert_eq!(
            bound("2026-01-01T00:00:00.000001000000000000000000000001Z").as_deref(),
            Some("2026-01-01T00:00:00.000002Z")
        );
        assert_eq!(
            bound("2026-01-01T00:00:00.0000010000Z").as_deref(),
            Some("2026-01-01T00:00:00.000001Z")
        );
    }

    #[test]
    fn cursor_in_a_leap_second_bounds_at_the_next_minute() {
        assert_eq!(
            bound("2016-12-31T23:59:60Z").as_deref(),
            Some("2017-01-01T00:00:00Z")
        );
        assert_eq!(
            bound("2016-12-31T23:59:60.999Z").as_deref(),
            Some("2017-01-01T00:00:00Z")
        );
    }

    #[test]
    fn cursor_beyond_the_storable_range_saturates() {
        assert_eq!(bound("9999-12-31T23:59:59.9999999Z"), None);
        assert_eq!(bound("9999-12-31T23:00:00-05:00"), None);
        assert_eq!(
            bound("9999-12-31T23:59:59.999999Z").as_deref(),
            Some("9999-12-31T23:59:59.999999Z")
        );
        assert_eq!(
            bound("0000-01-01T00:00:00Z").as_deref(),
            Some("0001-01-01T00:00:00Z")
        );
    }

    #[test]
    fn cursor_refuses_what_is_not_a_date_time() {
        for bad in [
            "",
            "abc",
            "2026-01-01",
            "1767225600",
            "2026-02-30T00:00:00Z",
            "2026-01-01T00:00:00",
        ] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad:?}");
        }
    }

    fn sessions_at(micros: &[i64]) -> Vec<Session> {
        micros
            .iter()
            .map(|&at| Session {
                id: crate::SessionId::random(),
                organization_id: crate::OrganizationId::new(1).expect("positive"),
                user_id: crate::UserId::random(),
                device: crate::Device {
                    device_id: "d".into(),
                    platform: crate::Platform::Ios,
                    device_type: crate::DeviceType::Real,
                    name: "iPhone".into(),
                    os_version: "18.0".into(),
                },
                created_at: Timestamp::from_unix_micros(at).expect("in range"),
                released_at: None,
            })
            .collect()
    }

    #[test]
    fn a_page_with_more_behind_it_points_at_its_last_session() {
        let limit = Limit::new(2).expect("valid");
        let page = Page::from_newest_first(sessions_at(&[30, 20, 10]), limit);
        assert_eq!(page.sessions.len(), 2);
        assert_eq!(page.next_cursor.map(Timestamp::unix_micros), Some(20));
    }

    #[test]
    fn the_last_page_has_no_cursor() {
        let limit = Limit::new(2).expect("valid");
        assert_eq!(
            Page::from_newest_first(sessions_at(&[30, 20]), limit).next_cursor,
            None
        );
        assert_eq!(
            Page::from_newest_first(sessions_at(&[]), limit).next_cursor,
            None
        );
    }
}
