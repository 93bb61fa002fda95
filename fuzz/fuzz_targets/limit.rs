//! `limit`: never panics; accepts exactly the canonical decimal text of
//! 1..=500, which formats back to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sessions_domain::Limit;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = text.parse::<Limit>().ok().map(Limit::get);

    // The rule, restated: `[1-9][0-9]{0,2}` and at most 500.
    let canonical = !text.is_empty()
        && text.len() <= 3
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0');
    let expected = canonical
        .then(|| text.parse::<u16>().ok())
        .flatten()
        .filter(|value| *value <= 500);
    assert_eq!(parsed, expected, "{text:?}");

    if let Some(value) = parsed {
        let limit = Limit::new(value).expect("in range");
        assert_eq!(value.to_string(), text);
        assert_eq!(value.to_string().parse::<Limit>(), Ok(limit));
    }
});
