//! Reading what a List-sessions request asks for: the page (query) and the
//! organization (header). Unknown query parameters are ignored; a known one
//! given twice is an error, since either reading would be a guess.

use actix_web::http::header::{self, HeaderMap};
use actix_web::web;
use sessions_domain::{Cursor, Limit, OrganizationId};

use crate::ApiError;

pub(crate) const ORGANIZATION_HEADER: &str = "X-Organization-Id";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParams {
    pub limit: Limit,
    pub cursor: Option<Cursor>,
}

impl PageParams {
    pub fn from_query(query: &str) -> Result<Self, ApiError> {
        let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
            .map_err(|_| ApiError::invalid("query", "is not a valid query string"))?;
        let (mut limit, mut cursor) = (None, None);
        for (name, value) in pairs.into_inner() {
            match name.as_str() {
                "limit" => set_once(
                    &mut limit,
                    "limit",
                    value.parse().map_err(|e| ApiError::invalid("limit", e))?,
                )?,
                "before" => set_once(
                    &mut cursor,
                    "before",
                    value.parse().map_err(|e| ApiError::invalid("before", e))?,
                )?,
                _ => {}
            }
        }
        Ok(Self {
            limit: limit.unwrap_or_default(),
            cursor,
        })
    }
}

fn set_once<T>(slot: &mut Option<T>, parameter: &'static str, value: T) -> Result<(), ApiError> {
    match slot.replace(value) {
        None => Ok(()),
        Some(_) => Err(ApiError::invalid(parameter, "must be given at most once")),
    }
}

/// The organization named by `X-Organization-Id`, if the header is present.
pub fn requested_organization(headers: &HeaderMap) -> Result<Option<OrganizationId>, ApiError> {
    let mut values = headers.get_all(ORGANIZATION_HEADER);
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::invalid(
            ORGANIZATION_HEADER,
            "must be given at most once",
        ));
    }
    value
        .to_str()
        .ok()
        .and_then(|text| text.parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::invalid(ORGANIZATION_HEADER, "must be a positive integer"))
}

/// A GET carries no content; one that does is refused rather than read
/// past, so that a client never believes its body meant something.
pub(crate) fn no_body(headers: &HeaderMap) -> Result<(), ApiError> {
    let announced = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0");
    if announced {
        Err(ApiError::invalid("body", "must be empty: a GET takes none"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(result: Result<PageParams, ApiError>) -> String {
        result.expect_err("an error").to_string()
    }

    #[test]
    fn defaults_to_the_newest_hundred() {
        assert_eq!(
            PageParams::from_query("").ok(),
            Some(PageParams {
                limit: Limit::DEFAULT,
                cursor: None
            })
        );
    }

    #[test]
    fn reads_percent_encoded_values_and_ignores_unknown_names() {
        let page = PageParams::from_query("x=1&limit=7&before=2026-01-01T02%3A00%3A00%2B02%3A00&y")
            .expect("valid");
        assert_eq!(page.limit.get(), 7);
        assert_eq!(
            page.cursor,
            Some("2026-01-01T00:00:00Z".parse().expect("valid"))
        );
    }

    #[test]
    fn a_plus_must_be_percent_encoded() {
        // Form encoding turns a bare `+` into a space, which no date-time has.
        assert!(PageParams::from_query("before=2026-01-01T02:00:00+02:00").is_err());
        assert!(PageParams::from_query("before=2026-01-01T02:00:00%2B02:00").is_ok());
    }

    #[test]
    fn errors_name_the_parameter() {
        assert_eq!(
            message(PageParams::from_query("limit=0")),
            "limit must be an integer from 1 to 500"
        );
        assert_eq!(
            message(PageParams::from_query("limit=")),
            "limit must be an integer from 1 to 500"
        );
        assert_eq!(
            message(PageParams::from_query("before=yesterday")),
            "before must be an RFC 3339 date-time with an offset, such as 2026-01-01T00:00:00Z"
        );
        assert_eq!(
            message(PageParams::from_query("limit=1&limit=1")),
            "limit must be given at most once"
        );
    }

    mod properties {
        use actix_web::http::header::HeaderValue;
        use proptest::prelude::*;
        use sessions_domain::Timestamp;

        use super::*;

        /// Every byte as `%XX`: the query text a careful client would send.
        fn percent_encoded(text: &str) -> String {
            text.bytes().map(|b| format!("%{b:02X}")).collect()
        }

        fn organization_header(value: &HeaderValue) -> Result<Option<OrganizationId>, ApiError> {
            let mut headers = HeaderMap::new();
            headers.insert(
                actix_web::http::header::HeaderName::from_static("x-organization-id"),
                value.clone(),
            );
            requested_organization(&headers)
        }

        fn query() -> impl Strategy<Value = String> {
            let name = prop_oneof![Just("limit"), Just("before"), Just("x"), Just("")];
            let value = prop_oneof![
                any::<String>(),
                any::<String>().prop_map(|text| percent_encoded(&text)),
                "[0-9%+&=;.:TZ-]{0,30}",
            ];
            prop_oneof![
                any::<String>(),
                proptest::collection::vec((name, value), 0..4).prop_map(|pairs| {
                    pairs
                        .iter()
                        .map(|(name, value)| format!("{name}={value}"))
                        .collect::<Vec<_>>()
                        .join("&")
                }),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1024))]

            #[test]
            fn queries_never_panic(query in query()) {
                let _ = PageParams::from_query(&query);
            }

            #[test]
            fn a_valid_page_is_read_whatever_else_the_query_holds(
                limit in 1u16..=500,
                micros in Timestamp::MIN.unix_micros()..=Timestamp::MAX.unix_micros(),
                noise in "[a-z]{1,8}=[a-z0-9]{0,8}"
                    .prop_filter("another name", |n| !n.starts_with("limit=") && !n.starts_with("before=")),
            ) {
                let at = Timestamp::from_unix_micros(micros).expect("in range");
                let query = format!(
                    "{noise}&limit={limit}&before={}&{noise}",
                    percent_encoded(&at.to_string())
                );
                let page = PageParams::from_query(&query).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(page.limit.get(), limit);
                prop_assert_eq!(page.cursor, Some(Cursor::before(at)));
            }

            /// No header value panics, and one is read only when it is the
            /// id's own decimal text.
            #[test]
            fn organization_headers_are_read_only_when_canonical(
                bytes in prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..40),
                    "[-+ 0-9]{0,25}".prop_map(String::into_bytes),
                ],
            ) {
                if let Ok(value) = HeaderValue::from_bytes(&bytes)
                    && let Ok(Some(id)) = organization_header(&value)
                {
                    prop_assert_eq!(id.to_string().into_bytes(), bytes);
                }
            }

            #[test]
            fn every_organization_id_is_read_back(value in 1i64..=i64::MAX) {
                let header = HeaderValue::from_str(&value.to_string()).expect("header value");
                prop_assert_eq!(
                    organization_header(&header).ok().flatten().map(OrganizationId::get),
                    Some(value)
                );
            }
        }
    }
}
