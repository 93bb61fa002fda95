//! The route table, and the JSON answers for paths and methods it lacks.

mod sessions;

use actix_web::web;

use crate::ApiError;

pub(crate) fn register(config: &mut web::ServiceConfig) {
    config
        .service(
            web::resource("/api/v1/sessions")
                .route(web::get().to(sessions::list))
                .default_service(web::to(|| async {
                    Err::<(), _>(ApiError::MethodNotAllowed { allowed: "GET" })
                })),
        )
        .default_service(web::to(|| async { Err::<(), _>(ApiError::NotFound) }));
}
