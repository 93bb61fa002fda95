//! `X-Organization-Id` and `OrganizationId`: never panic; accept exactly the
//! canonical decimal text of 1..=i64::MAX, which formats back to itself; the
//! header reader agrees with the parser.

#![no_main]

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use sessions_domain::OrganizationId;
use sessions_http::fuzzing::requested_organization;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = text.parse::<OrganizationId>().ok();

    // The rule, restated: `[1-9][0-9]*` that fits an i64.
    let canonical =
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0');
    let expected = canonical.then(|| text.parse::<i64>().ok()).flatten();
    assert_eq!(parsed.map(OrganizationId::get), expected, "{text:?}");

    if let Some(id) = parsed {
        assert_eq!(id.to_string(), text);
        assert_eq!(id.to_string().parse(), Ok(id));
        assert_eq!(OrganizationId::new(id.get()), Some(id));
    }

    // The same bytes as the header: read iff they are the canonical text.
    if let Ok(value) = HeaderValue::from_bytes(data) {
        let mut headers = HeaderMap::new();
        headers.insert(HeaderName::from_static("x-organization-id"), value.clone());
        let read = requested_organization(&headers);
        match std::str::from_utf8(data) {
            Ok(exact) => assert_eq!(
                read.as_ref().ok().copied().flatten(),
                exact.parse::<OrganizationId>().ok(),
                "{exact:?}"
            ),
            Err(_) => assert!(read.is_err()),
        }
        // Twice is refused, whatever the value.
        headers.append(HeaderName::from_static("x-organization-id"), value);
        assert!(requested_organization(&headers).is_err());
    }
});
