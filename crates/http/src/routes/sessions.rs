//! `GET /api/v1/sessions`: one page of the selected organization's sessions.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use sessions_domain::Page;
use sessions_storage::{api_keys, sessions};

use crate::dto::ErrorBody;
use crate::error::Unauthorized;
use crate::openapi::{OrganizationHeader, PageQuery};
use crate::params::{PageParams, no_body, requested_organization};
use crate::{ApiError, AppState, SessionList};

/// List sessions: the selected organization's sessions, newest first.
///
/// The organization is the one `X-Organization-Id` names, else the one the
/// API key is bound to, else the caller's default organization; the caller
/// must be a member of it. Pages follow `nextCursor` until it is absent.
#[utoipa::path(
    get,
    path = "/api/v1/sessions",
    operation_id = "listSessions",
    tag = "sessions",
    params(PageQuery, OrganizationHeader),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of sessions, newest first", body = SessionList),
        (status = 400, description = "A query parameter or header is malformed", body = ErrorBody),
        (status = 401, description = "Missing, malformed, unknown or revoked Bearer key", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The caller is not a member of the selected organization, or the key is bound to another", body = ErrorBody),
        (status = 414, description = "The request line is over 16 KiB", body = ErrorBody),
        (status = 431, description = "The request head is over 32 KiB or has more than 64 header lines", body = ErrorBody),
        (status = 503, description = "The database is unreachable or busy", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    ),
)]
pub(crate) async fn list(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    // Authentication comes first: a caller without a live key learns nothing
    // else, not even that a parameter is malformed. Then the parameters, then
    // the organization, then the page. With valid parameters the key, user,
    // membership and page are read together (one statement on PostgreSQL);
    // otherwise only the key, user and membership.
    let digest = crate::credentials::bearer_secret(request.headers())?.digest();
    let requested = requested_organization(request.headers());
    let params =
        no_body(request.headers()).and_then(|()| PageParams::from_query(request.query_string()));
    let page = state
        .with_connection(move |conn| -> Result<Page, ApiError> {
            let found = match (&requested, &params) {
                (Ok(requested), Ok(params)) => sessions::list_for_caller(
                    conn,
                    &digest,
                    *requested,
                    params.limit,
                    params.cursor,
                )?,
                _ => api_keys::find_caller(
                    conn,
                    &digest,
                    requested.as_ref().ok().copied().flatten(),
                )?
                .map(|caller| (caller, None)),
            };
            let (caller, page) = found.ok_or(Unauthorized::InvalidKey)?;
            let (requested, params) = (requested?, params?);
            let membership = caller.authorize(requested)?;
            // `list_for_caller` reads a page with every membership it finds,
            // so this is the page of the organization `authorize` accepted;
            // `list` only stands in should it ever not.
            match page {
                Some(page) => Ok(page),
                None => Ok(sessions::list(
                    conn,
                    membership.organization_id,
                    params.limit,
                    params.cursor,
                )?),
            }
        })
        .await?;

    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(SessionList::from(&page).to_json()))
}
