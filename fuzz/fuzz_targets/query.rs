//! The query string of List sessions: never panics, and reads exactly what
//! the readers of each parameter read on their own: `limit` and `before` at
//! most once each, other names ignored, `limit` 100 when absent.

#![no_main]

use actix_web::web::Query;
use libfuzzer_sys::fuzz_target;
use sessions_domain::{Cursor, Limit};
use sessions_http::fuzzing::PageParams;

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let read = PageParams::from_query(&query).ok();

    let expected = Query::<Vec<(String, String)>>::from_query(&query)
        .ok()
        .and_then(|pairs| {
            let values = |name: &str| -> Vec<String> {
                pairs
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            };
            let (limits, befores) = (values("limit"), values("before"));
            if limits.len() > 1 || befores.len() > 1 {
                return None;
            }
            let limit = match limits.first() {
                Some(text) => text.parse::<Limit>().ok()?,
                None => Limit::DEFAULT,
            };
            let cursor = match befores.first() {
                Some(text) => Some(text.parse::<Cursor>().ok()?),
                None => None,
            };
            Some(PageParams { limit, cursor })
        });
    assert_eq!(read, expected, "{query:?}");

    if let Some(cursor) = read.and_then(|page| page.cursor)
        && let Some(bound) = cursor.created_before()
    {
        assert_eq!(bound.to_string().parse::<Cursor>(), Ok(cursor));
    }
});
