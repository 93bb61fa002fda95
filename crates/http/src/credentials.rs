//! Reading the API key from `Authorization: Bearer <key>`.

use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use sessions_domain::ApiKeySecret;

use crate::error::Unauthorized;

/// The scheme is matched case-insensitively (RFC 9110 §11.1); one or more
/// spaces may follow it.
pub fn bearer_secret(headers: &HeaderMap) -> Result<ApiKeySecret, Unauthorized> {
    let mut values = headers.get_all(AUTHORIZATION);
    let value = values.next().ok_or(Unauthorized::Missing)?;
    if values.next().is_some() {
        return Err(Unauthorized::NotBearer);
    }
    let value = value.to_str().map_err(|_| Unauthorized::NotBearer)?;
    let (scheme, token) = value.split_once(' ').ok_or(Unauthorized::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Unauthorized::NotBearer);
    }
    token
        .trim_start_matches(' ')
        .parse()
        .map_err(|_| Unauthorized::InvalidKey)
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderValue;

    use super::*;

    fn read(values: &[&str]) -> Result<ApiKeySecret, Unauthorized> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(
                AUTHORIZATION,
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        bearer_secret(&headers)
    }

    #[test]
    fn the_scheme_is_case_insensitive() {
        let key = ApiKeySecret::generate();
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            assert_eq!(
                read(&[&format!("{scheme} {}", key.expose())]),
                Ok(key.clone())
            );
        }
        assert_eq!(
            read(&[&format!("Bearer   {}", key.expose())]),
            Ok(key.clone())
        );
    }

    #[test]
    fn missing_other_schemes_and_bad_tokens_are_refused() {
        let key = ApiKeySecret::generate();
        assert_eq!(read(&[]), Err(Unauthorized::Missing));
        assert_eq!(
            read(&[&format!("Basic {}", key.expose())]),
            Err(Unauthorized::NotBearer)
        );
        assert_eq!(read(&["Bearer"]), Err(Unauthorized::NotBearer));
        assert_eq!(read(&[key.expose()]), Err(Unauthorized::NotBearer));
        assert_eq!(read(&["Bearer mob_short"]), Err(Unauthorized::InvalidKey));
        assert_eq!(read(&["Bearer "]), Err(Unauthorized::InvalidKey));
        let twice = format!("Bearer {}", key.expose());
        assert_eq!(read(&[&twice, &twice]), Err(Unauthorized::NotBearer));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        fn with_values(values: &[HeaderValue]) -> Result<ApiKeySecret, Unauthorized> {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(AUTHORIZATION, value.clone());
            }
            bearer_secret(&headers)
        }

        fn key() -> impl Strategy<Value = ApiKeySecret> {
            proptest::string::string_regex("mob_[A-Za-z0-9_-]{43}")
                .expect("regex")
                .prop_map(|text| text.parse().expect("well formed"))
        }

        /// Any case of `bearer`.
        fn scheme() -> impl Strategy<Value = String> {
            proptest::collection::vec(any::<bool>(), 6).prop_map(|upper| {
                "bearer"
                    .chars()
                    .zip(upper)
                    .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
                    .collect()
            })
        }

        /// Header values as a client may send them: any bytes a header may
        /// carry, and near misses of `Bearer mob_…`.
        fn value() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..80),
                (scheme(), " {0,3}", any::<String>())
                    .prop_map(
                        |(scheme, spaces, rest)| format!("{scheme}{spaces}{rest}").into_bytes()
                    ),
                (scheme(), "[ \t]{0,3}", key(), "[ \t=]{0,2}").prop_map(
                    |(scheme, spaces, key, tail)| {
                        format!("{scheme}{spaces}{}{tail}", key.expose()).into_bytes()
                    }
                ),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1024))]

            #[test]
            fn never_panics(values in proptest::collection::vec(value(), 0..3)) {
                let values: Vec<HeaderValue> = values
                    .iter()
                    .filter_map(|bytes| HeaderValue::from_bytes(bytes).ok())
                    .collect();
                let _ = with_values(&values);
            }

            /// Only one value, `bearer` in any case, spaces, and a key exactly
            /// as it is: nothing before, between or after.
            #[test]
            fn accepts_only_bearer_spaces_and_a_key(bytes in value()) {
                let Ok(value) = HeaderValue::from_bytes(&bytes) else {
                    return Ok(());
                };
                if let Ok(key) = with_values(std::slice::from_ref(&value)) {
                    let text = value.to_str().expect("accepted text is visible ASCII");
                    let (scheme, rest) = text.split_at(6);
                    prop_assert!(scheme.eq_ignore_ascii_case("bearer"), "{:?}", text);
                    let token = rest.trim_start_matches(' ');
                    prop_assert!(token.len() < rest.len(), "{:?}", text);
                    prop_assert_eq!(token, key.expose());
                }
            }

            #[test]
            fn every_key_is_read_back_whatever_the_case_and_spacing(
                key in key(),
                scheme in scheme(),
                spaces in 1usize..8,
            ) {
                let text = format!("{scheme}{}{}", " ".repeat(spaces), key.expose());
                let value = HeaderValue::from_str(&text).expect("header value");
                prop_assert_eq!(with_values(&[value]), Ok(key));
            }

            #[test]
            fn another_scheme_is_not_bearer(
                scheme in "[!-~]{1,12}".prop_filter("not bearer", |s| !s.eq_ignore_ascii_case("bearer")),
                key in key(),
            ) {
                let value = HeaderValue::from_str(&format!("{scheme} {}", key.expose()))
                    .expect("header value");
                prop_assert_eq!(with_values(&[value]), Err(Unauthorized::NotBearer));
            }

            #[test]
            fn a_token_that_is_not_a_key_is_an_invalid_key(
                scheme in scheme(),
                token in "[!-~]{0,100}".prop_filter("not a key", |t| t.parse::<ApiKeySecret>().is_err()),
            ) {
                let value = HeaderValue::from_str(&format!("{scheme} {token}")).expect("header value");
                prop_assert_eq!(with_values(&[value]), Err(Unauthorized::InvalidKey));
            }

            /// Two `Authorization` headers are refused even when both are fine.
            #[test]
            fn two_values_are_never_accepted(first in key(), second in key()) {
                let values = [first, second].map(|key| {
                    HeaderValue::from_str(&format!("Bearer {}", key.expose())).expect("header value")
                });
                prop_assert_eq!(with_values(&values), Err(Unauthorized::NotBearer));
            }
        }

        #[test]
        fn a_megabyte_token_is_an_invalid_key() {
            let value = format!("Bearer mob_{}", "A".repeat(1 << 20));
            assert_eq!(read(&[&value]), Err(Unauthorized::InvalidKey));
        }
    }
}
