//! Reading what a List-sessions request asks for: the page (query) and the
//! organization (header). Unknown query parameters are ignored; a known one
//! given twice is an error, since either reading would be a guess.

use actix_web::http::header::{self, HeaderMap};
use actix_web::web;
use sessions_domain::{Cursor, Limit, OrganizationId};

use crate::ApiError;

pub(crate) const ORGANIZATION_HEADER: &str = "X-Organization-Id";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageParams {
    pub limit: Limit,
    pub cursor: Option<Cursor>,
}

impl PageParams {
    pub(crate) fn from_query(query: &str) -> Result<Self, ApiError> {
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
pub(crate) fn requested_organization(
    headers: &HeaderMap,
) -> Result<Option<OrganizationId>, ApiError> {
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
}
