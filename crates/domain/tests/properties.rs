//! Properties of every parser of untrusted text in the domain: `Limit`,
//! `Cursor`, `Timestamp` (RFC 3339), `OrganizationId` and `ApiKeySecret`.
//!
//! For each: no input makes it panic; every valid value survives format then
//! parse; what it accepts is exactly the canonical form the contract and the
//! unit tests beside the code decided. Expected instants come from the `time`
//! crate, not from the reader under test.

use proptest::prelude::*;
use proptest::sample::Index;
use sessions_domain::{ApiKeySecret, Cursor, InvalidTimestamp, Limit, OrganizationId, Timestamp};
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

const MICROS: i64 = 1_000_000;
const KEY_ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Arbitrary text: any `char`s, and any bytes read as UTF-8 the way a lossy
/// decoder would.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(any::<u8>(), 0..64)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
}

/// Text that looks like a number and often is one, in every shape a client
/// might try: signs, leading zeros, spaces, dots, exponents; short ones
/// often, since that is where the valid values are.
fn numberish() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex("[-+ 0]?[0-9]{1,3}[ .]?").expect("regex"),
        proptest::string::string_regex("[-+ ]?[0-9]{0,25}([.eE][0-9]{0,3})?[ ]?").expect("regex"),
    ]
}

// ---------------------------------------------------------------- Limit

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn limit_never_panics(text in prop_oneof![any_text(), numberish()]) {
        let _ = text.parse::<Limit>();
    }

    /// What `Limit` accepts is exactly the canonical decimal text of 1..=500.
    #[test]
    fn limit_accepts_only_its_own_canonical_text(text in prop_oneof![any_text(), numberish()]) {
        if let Ok(limit) = text.parse::<Limit>() {
            prop_assert_eq!(limit.get().to_string(), text);
        }
    }

    #[test]
    fn limit_round_trips_from_1_to_500(value in 1u16..=500) {
        let limit = Limit::new(value).expect("in range");
        prop_assert_eq!(limit.get(), value);
        prop_assert_eq!(limit.get().to_string().parse::<Limit>(), Ok(limit));
    }

    /// Out of range is refused, never clamped.
    #[test]
    fn limit_refuses_every_other_integer(value in prop_oneof![Just(0u64), 501u64..]) {
        prop_assert!(value.to_string().parse::<Limit>().is_err());
        if let Ok(small) = u16::try_from(value) {
            prop_assert_eq!(Limit::new(small), None);
        }
        let negative = format!("-{value}");
        prop_assert!(negative.parse::<Limit>().is_err());
    }

    /// `+5`, `05`, ` 5`, `5 `, `5.0`: the value is fine, the spelling is not.
    #[test]
    fn limit_refuses_non_canonical_spellings(value in 1u16..=500, zeros in 1usize..4) {
        for text in [
            format!("+{value}"),
            format!("{}{value}", "0".repeat(zeros)),
            format!(" {value}"),
            format!("{value} "),
            format!("{value}.0"),
            format!("{value}e0"),
        ] {
            prop_assert!(text.parse::<Limit>().is_err(), "{:?}", text);
        }
    }
}

// ------------------------------------------------------ OrganizationId

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn organization_id_never_panics(text in prop_oneof![any_text(), numberish()]) {
        let _ = text.parse::<OrganizationId>();
    }

    /// Accepted text is exactly the id's own decimal form.
    #[test]
    fn organization_id_accepts_only_its_own_canonical_text(
        text in prop_oneof![any_text(), numberish()],
    ) {
        if let Ok(id) = text.parse::<OrganizationId>() {
            prop_assert_eq!(id.to_string(), text);
            prop_assert!(id.get() > 0);
        }
    }

    /// Every positive `i64`, up to `i64::MAX`, round-trips through text.
    #[test]
    fn organization_id_round_trips_over_all_positive_i64(value in 1i64..=i64::MAX) {
        let id = OrganizationId::new(value).expect("positive");
        prop_assert_eq!(id.get(), value);
        prop_assert_eq!(id.to_string(), value.to_string());
        prop_assert_eq!(id.to_string().parse::<OrganizationId>(), Ok(id));
    }

    #[test]
    fn organization_id_refuses_zero_and_negatives(value in i64::MIN..=0) {
        prop_assert_eq!(OrganizationId::new(value), None);
        prop_assert!(value.to_string().parse::<OrganizationId>().is_err());
    }

    /// Past `i64::MAX` (the rest of the `u64` range, and 40-digit numbers)
    /// is refused, not wrapped or saturated.
    #[test]
    fn organization_id_refuses_what_does_not_fit_an_i64(
        beyond in (i64::MAX as u64 + 1)..=u64::MAX,
        long in proptest::string::string_regex("[1-9][0-9]{19,60}").expect("regex"),
    ) {
        prop_assert!(beyond.to_string().parse::<OrganizationId>().is_err());
        prop_assert!(long.parse::<OrganizationId>().is_err(), "{:?}", long);
    }

    #[test]
    fn organization_id_refuses_non_canonical_spellings(
        value in 1i64..=i64::MAX,
        zeros in 1usize..4,
    ) {
        for text in [
            format!("+{value}"),
            format!("{}{value}", "0".repeat(zeros)),
            format!(" {value}"),
            format!("{value} "),
            format!("{value}.0"),
        ] {
            prop_assert!(text.parse::<OrganizationId>().is_err(), "{:?}", text);
        }
    }
}

// -------------------------------------------------------- ApiKeySecret

fn key_body() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9_-]{43}").expect("regex")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn api_key_never_panics(text in prop_oneof![
        any_text(),
        any_text().prop_map(|rest| format!("mob_{rest}")),
    ]) {
        let _ = text.parse::<ApiKeySecret>();
    }

    /// Accepted text is exactly `mob_` and 43 characters of the URL-safe
    /// alphabet, kept as given.
    #[test]
    fn api_key_accepts_only_the_key_format(text in prop_oneof![
        any_text(),
        any_text().prop_map(|rest| format!("mob_{rest}")),
        proptest::string::string_regex("mob_[A-Za-z0-9_+/=.~-]{40,46}").expect("regex"),
    ]) {
        if let Ok(key) = text.parse::<ApiKeySecret>() {
            prop_assert_eq!(key.expose(), text.as_str());
            let body = text.strip_prefix("mob_").expect("prefix");
            prop_assert_eq!(body.len(), 43);
            prop_assert!(body.chars().all(|c| KEY_ALPHABET.contains(c)));
        }
    }

    #[test]
    fn every_well_formed_key_round_trips(body in key_body()) {
        let text = format!("mob_{body}");
        let key: ApiKeySecret = text.parse().expect("well formed");
        prop_assert_eq!(key.expose(), text.as_str());
        prop_assert_eq!(key.suffix(), &text[text.len() - 4..]);
        prop_assert_eq!(key.expose().parse::<ApiKeySecret>(), Ok(key.clone()));
        prop_assert_eq!(key.digest(), text.parse::<ApiKeySecret>().expect("again").digest());
        let debug = format!("{key:?}");
        prop_assert!(!debug.contains(&body), "{}", debug);
    }

    /// One character too many, too few, or outside the alphabet, a wrong
    /// prefix or surrounding space: refused.
    #[test]
    fn near_misses_are_refused(
        body in key_body(),
        at in any::<Index>(),
        stray in any::<char>().prop_filter("outside the alphabet", |c| !KEY_ALPHABET.contains(*c)),
    ) {
        let mut replaced: Vec<char> = body.chars().collect();
        replaced[at.index(43)] = stray;
        let replaced: String = replaced.into_iter().collect();
        for text in [
            format!("mob_{body}A"),
            format!("mob_{}", &body[1..]),
            format!("mob_{replaced}"),
            format!("MOB_{body}"),
            format!("mob-{body}"),
            body.clone(),
            format!(" mob_{body}"),
            format!("mob_{body} "),
        ] {
            prop_assert!(text.parse::<ApiKeySecret>().is_err(), "{:?}", text);
        }
    }
}

#[test]
fn generated_keys_always_parse_back() {
    for _ in 0..256 {
        let key = ApiKeySecret::generate();
        assert_eq!(key.expose().parse(), Ok(key.clone()));
    }
}

#[test]
fn a_megabyte_token_is_refused() {
    let token = format!("mob_{}", "A".repeat(1 << 20));
    assert!(token.parse::<ApiKeySecret>().is_err());
}

// ------------------------------------------- RFC 3339: Timestamp, Cursor

/// A date-time as a client may write it, with what it means by the `time`
/// crate's reckoning.
#[derive(Debug, Clone)]
struct Written {
    text: String,
    /// Whole microseconds since the epoch, truncated towards the past.
    unix_micros: i64,
    /// A non-zero digit follows the sixth fractional one.
    beyond_micros: bool,
    leap_second: bool,
}

/// Any calendar date in years 0..=9999 (year 0 exists in RFC 3339 and lies
/// before `Timestamp::MIN`).
fn date() -> impl Strategy<Value = Date> {
    (0i32..=9999, 1u8..=12, any::<Index>()).prop_map(|(year, month, day)| {
        let month = Month::try_from(month).expect("1..=12");
        let day = day.index(usize::from(month.length(year))) as u8 + 1;
        Date::from_calendar_date(year, month, day).expect("valid date")
    })
}

/// Fractional digits: none, up to six, or many more (30 and beyond), often
/// ending in zeros.
fn fraction() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        proptest::string::string_regex("[0-9]{1,9}")
            .expect("regex")
            .prop_map(Some),
        proptest::string::string_regex("[0-9]{1,6}0{0,30}")
            .expect("regex")
            .prop_map(Some),
        proptest::string::string_regex("[0-9]{7,40}")
            .expect("regex")
            .prop_map(Some),
    ]
}

/// `Z`, `z`, or `±hh:mm` with hours 0..=23 and minutes 0..=59.
fn offset() -> impl Strategy<Value = (String, i64)> {
    prop_oneof![
        Just(("Z".to_owned(), 0)),
        Just(("z".to_owned(), 0)),
        (any::<bool>(), 0i64..=23, 0i64..=59).prop_map(|(negative, h, m)| {
            let sign = if negative { '-' } else { '+' };
            let seconds = (h * 3600 + m * 60) * if negative { -1 } else { 1 };
            (format!("{sign}{h:02}:{m:02}"), seconds)
        }),
    ]
}

fn written(leap_seconds: bool) -> impl Strategy<Value = Written> {
    (
        date(),
        0u8..=23,
        0u8..=59,
        0u8..=59,
        prop_oneof![Just('T'), Just('t')],
        fraction(),
        offset(),
        proptest::bool::weighted(if leap_seconds { 0.2 } else { 0.0 }),
    )
        .prop_map(
            |(date, h, m, s, t, fraction, (offset, offset_seconds), leap)| {
                let second = if leap { 60 } else { s };
                let mut text = format!(
                    "{:04}-{:02}-{:02}{t}{h:02}:{m:02}:{second:02}",
                    date.year(),
                    u8::from(date.month()),
                    date.day()
                );
                let (mut micros, mut beyond_micros) = (0i64, false);
                if let Some(digits) = &fraction {
                    text.push('.');
                    text.push_str(digits);
                    let first: String = digits.chars().chain("000000".chars()).take(6).collect();
                    micros = first.parse().expect("digits");
                    beyond_micros = digits.chars().skip(6).any(|d| d != '0');
                }
                text.push_str(&offset);
                let local = PrimitiveDateTime::new(
                    date,
                    Time::from_hms(h, m, if leap { 59 } else { s }).expect("valid time"),
                );
                let utc = local
                    .assume_offset(
                        UtcOffset::from_whole_seconds(offset_seconds as i32).expect("offset"),
                    )
                    .unix_timestamp();
                Written {
                    text,
                    unix_micros: utc * MICROS + micros,
                    beyond_micros,
                    leap_second: leap,
                }
            },
        )
}

/// Any storable instant, with the ends of the range and the epoch often.
fn instant() -> impl Strategy<Value = Timestamp> {
    let (min, max) = (Timestamp::MIN.unix_micros(), Timestamp::MAX.unix_micros());
    prop_oneof![
        8 => min..=max,
        1 => min..min + 2 * MICROS,
        1 => max - 2 * MICROS..=max,
        1 => -2 * MICROS..2 * MICROS,
        // Whole seconds and milliseconds, which display shorter.
        1 => (min / MICROS..=max / MICROS).prop_map(|s| s * MICROS),
        1 => (min / 1000..=max / 1000).prop_map(|ms| ms * 1000),
    ]
    .prop_map(|micros| Timestamp::from_unix_micros(micros).expect("in range"))
}

/// A valid date-time with one edit: a character replaced, inserted or
/// removed, or the text cut short. Reaches the reader's deeper branches far
/// more often than random text does.
fn near_date_time() -> impl Strategy<Value = String> {
    (written(true), any::<Index>(), any::<char>(), 0u8..4).prop_map(|(w, at, c, edit)| {
        let mut chars: Vec<char> = w.text.chars().collect();
        let at = at.index(chars.len());
        match edit {
            0 => chars[at] = c,
            1 => chars.insert(at, c),
            2 => {
                chars.remove(at);
            }
            _ => chars.truncate(at),
        }
        chars.into_iter().collect()
    })
}

fn date_timeish() -> impl Strategy<Value = String> {
    prop_oneof![
        any_text(),
        near_date_time(),
        proptest::string::string_regex("[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:?[0-9]{2})?")
            .expect("regex"),
    ]
}

/// The instant a cursor bounds at, by the contract: the next whole
/// microsecond at or after what was written (the next minute for a leap
/// second), `None` past `Timestamp::MAX`, `Timestamp::MIN` before it.
fn expected_bound(w: &Written) -> Option<Timestamp> {
    let bound = if w.leap_second {
        // The written second is 60, read as 59: the bound is the next minute.
        (w.unix_micros.div_euclid(MICROS) + 1) * MICROS
    } else if w.beyond_micros {
        w.unix_micros + 1
    } else {
        w.unix_micros
    };
    if bound > Timestamp::MAX.unix_micros() {
        None
    } else {
        Some(Timestamp::from_unix_micros(bound).unwrap_or(Timestamp::MIN))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn rfc3339_readers_never_panic(text in date_timeish()) {
        let _ = Timestamp::parse_rfc3339(&text);
        let _ = text.parse::<Cursor>();
    }

    /// Whatever is accepted is in range, and formats to text that reads back
    /// as the same value.
    #[test]
    fn what_is_accepted_round_trips(text in date_timeish()) {
        if let Ok(stamp) = Timestamp::parse_rfc3339(&text) {
            prop_assert!((Timestamp::MIN..=Timestamp::MAX).contains(&stamp));
            prop_assert_eq!(Timestamp::parse_rfc3339(&stamp.to_string()), Ok(stamp));
        }
        if let Ok(cursor) = text.parse::<Cursor>()
            && let Some(bound) = cursor.created_before()
        {
            prop_assert_eq!(bound.to_string().parse::<Cursor>(), Ok(cursor));
        }
    }

    /// Where the `time` crate's RFC 3339 reader reads a date-time written
    /// with `T` or `t` and not in a leap second (`time` allows any separator,
    /// and leap seconds only at 23:59:60 UTC), this reads the same instant,
    /// to the microsecond; where `time` refuses, so does this.
    #[test]
    fn agrees_with_the_time_crate(text in date_timeish()) {
        use time::format_description::well_known::Rfc3339;
        let ours = Timestamp::parse_rfc3339(&text);
        let with_t = matches!(text.as_bytes().get(10), Some(b'T' | b't'));
        let leap = text.get(17..19) == Some("60");
        match time::OffsetDateTime::parse(&text, &Rfc3339) {
            Ok(theirs) if with_t && !leap => {
                let micros = i64::try_from(theirs.unix_timestamp_nanos().div_euclid(1000))
                    .expect("years 0 to 9999 fit");
                let expected = Timestamp::from_unix_micros(micros).ok_or(InvalidTimestamp::OutOfRange);
                prop_assert_eq!(ours, expected, "{:?}", text);
            }
            Ok(_) => {}
            Err(_) => prop_assert!(ours.is_err(), "{:?}: {:?}", text, ours),
        }
    }

    /// Format then parse is the identity over the whole range, years 1 to
    /// 9999, at microsecond precision; and the text is what `time` writes.
    #[test]
    fn every_timestamp_round_trips(stamp in instant()) {
        let text = stamp.to_string();
        prop_assert_eq!(Timestamp::parse_rfc3339(&text), Ok(stamp));
        prop_assert_eq!(text.parse::<Cursor>(), Ok(Cursor::before(stamp)));
        let by_time = stamp
            .to_utc_datetime()
            .assume_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .expect("formattable");
        prop_assert_eq!(&text, &by_time);
        prop_assert_eq!(Timestamp::from_utc_datetime(stamp.to_utc_datetime()), Some(stamp));
    }

    /// Canonical text (UTC, `Z`, trailing zeros trimmed) is a fixed point.
    #[test]
    fn canonical_text_is_a_fixed_point(stamp in instant()) {
        let text = stamp.to_string();
        prop_assert!(text.ends_with('Z'));
        prop_assert!(!text.contains('.') || !text.trim_end_matches('Z').ends_with('0'));
        let again = Timestamp::parse_rfc3339(&text).expect("canonical").to_string();
        prop_assert_eq!(again, text);
    }

    /// Every spelling RFC 3339 allows (offsets, `t`/`z`, any number of
    /// fractional digits) means the instant `time` says it does; digits
    /// below the microsecond are dropped.
    #[test]
    fn timestamps_read_what_was_written(w in written(false)) {
        let expected = Timestamp::from_unix_micros(w.unix_micros)
            .ok_or(InvalidTimestamp::OutOfRange);
        prop_assert_eq!(Timestamp::parse_rfc3339(&w.text), expected, "{:?}", w);
    }

    /// A leap second cannot be stored, whatever its date.
    #[test]
    fn timestamps_refuse_leap_seconds(
        w in written(true).prop_filter("a leap second", |w| w.leap_second),
    ) {
        prop_assert_eq!(Timestamp::parse_rfc3339(&w.text), Err(InvalidTimestamp::LeapSecond));
    }

    /// The cursor bound is what was written, rounded up to the microsecond
    /// (to the next minute in a leap second), saturating at both ends.
    #[test]
    fn cursors_bound_at_the_next_whole_microsecond(w in written(true)) {
        let cursor: Cursor = w.text.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(cursor.created_before(), expected_bound(&w), "{:?}", w);
    }

    /// "Strictly before the cursor" keeps exactly the stored instants
    /// strictly before what was written.
    #[test]
    fn a_cursor_keeps_exactly_the_instants_before_it(w in written(true), stamp in instant()) {
        let cursor: Cursor = w.text.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let kept = cursor.created_before().is_none_or(|bound| stamp < bound);
        // Compare in (seconds, micros, finer) against the written instant.
        let written_second = w.unix_micros.div_euclid(MICROS);
        let before = if w.leap_second {
            stamp.unix_micros().div_euclid(MICROS) <= written_second
        } else {
            stamp.unix_micros() < w.unix_micros
                || (stamp.unix_micros() == w.unix_micros && w.beyond_micros)
        };
        prop_assert_eq!(kept, before, "{:?} vs {}", w, stamp);
    }

    /// More than four year digits, one-digit fields, spaces, a missing
    /// offset or seconds: refused.
    #[test]
    fn non_canonical_shapes_are_refused(w in written(false)) {
        let text = &w.text;
        for bad in [
            format!("1{text}"),
            format!("+{text}"),
            format!(" {text}"),
            format!("{text} "),
            text.replacen('-', "-0", 1),
            text.replacen(['T', 't'], " ", 1),
            text.trim_end_matches(['Z', 'z']).to_owned(),
            text[..16].to_owned() + &text[19..],
        ] {
            if bad != *text {
                prop_assert!(Timestamp::parse_rfc3339(&bad).is_err(), "{:?}", bad);
                prop_assert!(bad.parse::<Cursor>().is_err(), "{:?}", bad);
            }
        }
    }
}

#[test]
fn thirty_fractional_digits_are_read_in_full() {
    let exact = "2026-01-01T00:00:00.000001000000000000000000000000Z";
    let finer = "2026-01-01T00:00:00.000001000000000000000000000001Z";
    let at = Timestamp::parse_rfc3339("2026-01-01T00:00:00.000001Z").expect("valid");
    assert_eq!(Timestamp::parse_rfc3339(exact), Ok(at));
    assert_eq!(Timestamp::parse_rfc3339(finer), Ok(at));
    assert_eq!(exact.parse::<Cursor>(), Ok(Cursor::before(at)));
    assert_eq!(
        finer.parse::<Cursor>(),
        Ok(Cursor::before(at.next_microsecond().expect("in range")))
    );
}

#[test]
fn a_megabyte_of_fractional_digits_is_read_in_full() {
    let text = format!("2026-01-01T00:00:00.{}1Z", "0".repeat(1 << 20));
    let at = Timestamp::parse_rfc3339("2026-01-01T00:00:00Z").expect("valid");
    assert_eq!(Timestamp::parse_rfc3339(&text), Ok(at));
    assert_eq!(
        text.parse::<Cursor>(),
        Ok(Cursor::before(at.next_microsecond().expect("in range")))
    );
}
