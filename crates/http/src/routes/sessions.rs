//! `GET /api/v1/sessions`: one page of the selected organization's sessions.

use actix_web::{HttpRequest, HttpResponse, web};
use sessions_domain::Page;
use sessions_storage::{StorageError, api_keys, sessions};

use crate::error::Unauthorized;
use crate::params::{PageParams, requested_organization};
use crate::{ApiError, AppState, SessionList};

/// Authentication comes first: a caller without a live key learns nothing
/// else, not even that a parameter is malformed. Then the parameters, then
/// the organization, then the page. The key, user and membership are read in
/// one query and the page in a second, on one pooled connection.
pub(crate) async fn list(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let digest = crate::credentials::bearer_secret(request.headers())?.digest();
    let requested = requested_organization(request.headers());
    let params = PageParams::from_query(request.query_string());
    let pool = state.pool.clone();

    let page = web::block(move || -> Result<Page, ApiError> {
        let mut conn = pool.get().map_err(StorageError::from)?;
        let caller = api_keys::find_caller(
            &mut conn,
            &digest,
            requested.as_ref().ok().copied().flatten(),
        )?
        .ok_or(Unauthorized::InvalidKey)?;
        let (requested, params) = (requested?, params?);
        let membership = caller.authorize(requested)?;
        Ok(sessions::list(
            &mut conn,
            membership.organization_id,
            params.limit,
            params.cursor,
        )?)
    })
    .await??;

    Ok(HttpResponse::Ok().json(SessionList::from(page)))
}
