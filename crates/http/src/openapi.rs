//! The machine-readable contract: an OpenAPI 3.1 document derived from the
//! DTOs the handlers return and the domain's own limits, served at
//! `GET /api/v1/openapi.json` and checked in as `docs/openapi.json`.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use crate::dto::{DeviceBody, ErrorBody, ErrorDetail, SessionBody, SessionList};

/// The document, built once per call; [`document`] renders it.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "sessions-api",
        description = "The record of device sessions in a mobile device cloud: which user of an organization held which iOS or Android device, real or virtual, from `createdAt` until `releasedAt`.",
    ),
    paths(crate::routes::sessions::list, crate::routes::openapi_json),
    components(schemas(SessionList, SessionBody, DeviceBody, ErrorBody, ErrorDetail)),
    modifiers(&BearerKeys),
    tags((name = "sessions", description = "Device sessions")),
)]
pub struct ApiDoc;

/// The document as served: pretty-printed JSON with a trailing newline, so
/// that the checked-in copy diffs line by line.
pub fn document() -> String {
    let mut json = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    json.push('\n');
    json
}

/// `Authorization: Bearer mob_…`, the only way in.
#[derive(Debug)]
struct BearerKeys;

/// The scheme's name, as the operations' `security` refer to it.
const BEARER: &str = "bearer";

impl Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("mob_ followed by 43 URL-safe base64 characters".to_owned());
        scheme.description =
            Some("An API key, created with `sessions-api admin key create`.".to_owned());
        components.add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The query of List sessions, for the document only: the handler reads the
/// raw query itself ([`crate::params`]), refusing repeats and non-canonical
/// numbers, which a derived extractor would not.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct PageQuery {
    /// Maximum sessions to return: a canonical decimal integer from 1 to 500.
    #[param(nullable = false, minimum = 1, maximum = 500, default = 100)]
    limit: Option<u16>,
    /// Cursor: return sessions created strictly before this RFC 3339
    /// timestamp (any offset and precision; usually the previous page's
    /// `nextCursor`).
    #[param(nullable = false, format = DateTime)]
    before: Option<String>,
}

/// The header that selects an organization.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub(crate) struct OrganizationHeader {
    /// Selects which of the caller's organizations the request acts on: a
    /// canonical positive decimal integer. When omitted, the organization
    /// the API key is bound to, otherwise the caller's default organization.
    #[param(rename = "X-Organization-Id", nullable = false, format = Int64, minimum = 1)]
    x_organization_id: Option<i64>,
}
