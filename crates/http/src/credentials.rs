//! Reading the API key from `Authorization: Bearer <key>`.

use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use sessions_domain::ApiKeySecret;

use crate::error::Unauthorized;

/// The scheme is matched case-insensitively (RFC 9110 §11.1); one or more
/// spaces may follow it.
pub(crate) fn bearer_secret(headers: &HeaderMap) -> Result<ApiKeySecret, Unauthorized> {
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
}
