//! The route table, and the JSON answers for paths and methods it lacks.

pub(crate) mod sessions;

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, Route, web};

use crate::ApiError;
use crate::guard::{self, Refusal};

pub(crate) fn register(config: &mut web::ServiceConfig) {
    config
        .service(get_only("/api/v1/sessions", web::get().to(sessions::list)))
        .service(get_only(
            "/api/v1/openapi.json",
            web::get().to(openapi_json),
        ))
        .route(
            &format!("{}/{{status}}", guard::REFUSED_PATH),
            web::get().to(refused),
        )
        .default_service(web::to(|| async { Err::<(), _>(ApiError::NotFound) }));
}

/// A path that answers GET, and 405 with `Allow: GET` to any other method.
fn get_only(path: &str, get: Route) -> actix_web::Resource {
    web::resource(path)
        .route(get)
        .default_service(web::to(|| async {
            Err::<(), _>(ApiError::MethodNotAllowed { allowed: "GET" })
        }))
}

/// The answer to a head the guard refused (see [`crate::guard`]); asked
/// directly, the same answer.
async fn refused(status: web::Path<u16>) -> Result<HttpResponse, ApiError> {
    Err([
        Refusal::UriTooLong,
        Refusal::HeadTooLarge,
        Refusal::Malformed,
    ]
    .into_iter()
    .find(|refusal| refusal.status() == *status)
    .map_or(ApiError::NotFound, ApiError::from))
}

/// The OpenAPI document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openApiDocument",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object)),
)]
pub(crate) async fn openapi_json(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    crate::params::no_body(request.headers())?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(crate::openapi::document()))
}
