//! `Authorization: Bearer <key>` and `ApiKeySecret`: never panic; accept
//! exactly `bearer` (any case), one or more spaces and a well-formed key,
//! and hand back that key unchanged.

#![no_main]

use actix_web::http::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use sessions_domain::ApiKeySecret;
use sessions_http::error::Unauthorized;
use sessions_http::fuzzing::bearer_secret;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn is_key(text: &str) -> bool {
    text.strip_prefix("mob_")
        .is_some_and(|body| body.len() == 43 && body.bytes().all(|b| ALPHABET.contains(&b)))
}

fuzz_target!(|data: &[u8]| {
    // The secret alone.
    let text = String::from_utf8_lossy(data);
    match text.parse::<ApiKeySecret>() {
        Ok(key) => {
            assert!(is_key(&text), "{text:?}");
            assert_eq!(key.expose(), text);
            assert_eq!(key.expose().parse::<ApiKeySecret>(), Ok(key.clone()));
            assert_eq!(key.suffix(), &text[text.len() - 4..]);
        }
        Err(_) => assert!(!is_key(&text), "{text:?}"),
    }

    // The bytes as one header value, then as two (split at the first NUL).
    let (first, second) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let Ok(first) = HeaderValue::from_bytes(first) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, first.clone());
    let read = bearer_secret(&headers);
    let expected = match first.to_str() {
        Err(_) => Err(Unauthorized::NotBearer),
        Ok(value) => match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                let token = token.trim_start_matches(' ');
                if is_key(token) {
                    Ok(token.to_owned())
                } else {
                    Err(Unauthorized::InvalidKey)
                }
            }
            _ => Err(Unauthorized::NotBearer),
        },
    };
    assert_eq!(
        read.map(|key| key.expose().to_owned()),
        expected,
        "{first:?}"
    );

    if let Some(Ok(second)) = second.map(HeaderValue::from_bytes) {
        headers.append(AUTHORIZATION, second);
        assert_eq!(bearer_secret(&headers), Err(Unauthorized::NotBearer));
    }
});
