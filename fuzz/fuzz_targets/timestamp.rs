//! RFC 3339 (`before`, `Timestamp`, `Cursor`): never panic; every accepted
//! instant formats to canonical text that reads back as itself; a cursor
//! bounds at the instant a timestamp reads or the next microsecond; and
//! where the `time` crate reads a date-time with `T`/`t` outside a leap
//! second, the instant is the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sessions_domain::{Cursor, InvalidCursor, InvalidTimestamp, Timestamp};
use time::format_description::well_known::Rfc3339;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let stamp = Timestamp::parse_rfc3339(&text);
    let cursor = text.parse::<Cursor>();

    if let Ok(stamp) = stamp {
        assert!((Timestamp::MIN..=Timestamp::MAX).contains(&stamp));
        let canonical = stamp.to_string();
        assert_eq!(Timestamp::parse_rfc3339(&canonical), Ok(stamp));
        assert_eq!(canonical.parse::<Cursor>(), Ok(Cursor::before(stamp)));
        assert_eq!(
            Timestamp::parse_rfc3339(&canonical).map(|t| t.to_string()),
            Ok(canonical)
        );
    }
    if let Ok(cursor) = cursor
        && let Some(bound) = cursor.created_before()
    {
        assert_eq!(bound.to_string().parse::<Cursor>(), Ok(cursor));
    }

    // A timestamp and a cursor read the same grammar; only a leap second or
    // an instant out of range separates them.
    match stamp {
        Ok(stamp) => match cursor.map(Cursor::created_before) {
            Ok(Some(bound)) => assert!(
                bound == stamp || Some(bound) == stamp.next_microsecond(),
                "{text:?}"
            ),
            Ok(None) => assert_eq!(stamp, Timestamp::MAX, "{text:?}"),
            Err(error) => panic!("{text:?}: a timestamp but not a cursor: {error}"),
        },
        Err(error @ (InvalidTimestamp::Syntax | InvalidTimestamp::NoSuchDate)) => {
            assert_eq!(cursor, Err(InvalidCursor::from(error)), "{text:?}");
        }
        Err(InvalidTimestamp::LeapSecond | InvalidTimestamp::OutOfRange) => {
            assert!(cursor.is_ok(), "{text:?}");
        }
    }

    let with_t = matches!(text.as_bytes().get(10), Some(b'T' | b't'));
    let leap = text.get(17..19) == Some("60");
    match time::OffsetDateTime::parse(&text, &Rfc3339) {
        Ok(theirs) if with_t && !leap => {
            let micros = i64::try_from(theirs.unix_timestamp_nanos().div_euclid(1000))
                .expect("years 0 to 9999 fit");
            let expected = Timestamp::from_unix_micros(micros).ok_or(InvalidTimestamp::OutOfRange);
            assert_eq!(stamp, expected, "{text:?}");
        }
        Ok(_) => {}
        Err(_) => assert!(stamp.is_err(), "{text:?}: {stamp:?}"),
    }
});
