//! The error policy, in one place.
//!
//! Every response the application gives that is not a success is
//! `application/json`:
//! `{"error": {"code": "<stable snake_case>", "message": "<for humans>"}}`,
//! whoever produced it: a handler, the parsing of a header or query, an
//! unknown route or method. The codes are a contract and never change:
//!
//! | code                  | status | when |
//! | --------------------- | ------ | ---- |
//! | `invalid_parameter`   | 400    | a query parameter or header is malformed; the message names it |
//! | `unauthorized`        | 401    | the bearer token is missing, malformed, unknown or revoked |
//! | `forbidden`           | 403    | the caller may not act on the selected organization |
//! | `not_found`           | 404    | no such route |
//! | `method_not_allowed`  | 405    | the route exists, the method does not (`Allow` lists them) |
//! | `service_unavailable` | 503    | the database is unreachable or busy (`Retry-After` says when to retry) |
//! | `internal_error`      | 500    | a bug; the body says nothing more, the cause goes to the log |
//!
//! Causes are logged where an error is converted, never sent.
//!
//! | `uri_too_long`        | 414    | the request line is over 16 KiB |
//! | `headers_too_large`   | 431    | the request head is over 32 KiB or has more than 64 header lines |
//! | `malformed_request`   | 400    | the request head is not HTTP/1.x |
//!
//! The last three are decided by [`crate::guard::HeadGuard`] before
//! actix-http parses the head: actix-http's own answers to such heads have
//! an empty body and no hook.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use sessions_domain::AccessDenied;
use sessions_storage::{StorageError, Unavailability};

use crate::dto::{ErrorBody, ErrorDetail};
use crate::guard::{self, Refusal};

/// Seconds a client should wait before retrying after a 503.
const RETRY_AFTER_SECONDS: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{parameter} {problem}")]
    InvalidParameter {
        parameter: &'static str,
        problem: String,
    },
    #[error("{0}")]
    Unauthorized(Unauthorized),
    #[error("{0}")]
    Forbidden(#[from] AccessDenied),
    #[error("there is nothing at this path")]
    NotFound,
    #[error("this path answers only {allowed}")]
    MethodNotAllowed { allowed: &'static str },
    #[error("the service is temporarily unavailable; retry shortly")]
    ServiceUnavailable,
    #[error("internal error")]
    Internal,
    #[error("the request line is longer than {} bytes", guard::MAX_REQUEST_LINE)]
    UriTooLong,
    #[error(
        "the request head is longer than {} bytes or has more than {} header lines",
        guard::MAX_HEAD,
        guard::MAX_HEADERS
    )]
    HeadersTooLarge,
    #[error("the request is not HTTP/1.x")]
    MalformedRequest,
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::UriTooLong => Self::UriTooLong,
            Refusal::HeadTooLarge => Self::HeadersTooLarge,
            Refusal::Malformed => Self::MalformedRequest,
        }
    }
}

/// Why a request was not authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unauthorized {
    #[error("missing Authorization header; send `Authorization: Bearer <API key>`")]
    Missing,
    #[error("the Authorization header must be `Bearer <API key>`")]
    NotBearer,
    /// Malformed, unknown and revoked keys look the same to the caller.
    #[error("invalid or revoked API key")]
    InvalidKey,
}

impl ApiError {
    pub fn invalid(parameter: &'static str, problem: impl ToString) -> Self {
        Self::InvalidParameter {
            parameter,
            problem: problem.to_string(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidParameter { .. } => "invalid_parameter",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::ServiceUnavailable => "service_unavailable",
            Self::Internal => "internal_error",
            Self::UriTooLong => "uri_too_long",
            Self::HeadersTooLarge => "headers_too_large",
            Self::MalformedRequest => "malformed_request",
        }
    }
}

impl From<Unauthorized> for ApiError {
    fn from(reason: Unauthorized) -> Self {
        Self::Unauthorized(reason)
    }
}

impl Unavailability for ApiError {
    fn is_unavailable(&self) -> bool {
        matches!(self, Self::ServiceUnavailable)
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        if error.is_unavailable() {
            log::warn!("database unavailable: {error}");
            Self::ServiceUnavailable
        } else {
            log::error!("storage failure: {error}");
            Self::Internal
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        log::warn!("blocking pool unavailable: {error}");
        Self::ServiceUnavailable
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::MalformedRequest => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unauthorized(_) => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::MethodNotAllowed { allowed } => {
                response.insert_header((header::ALLOW, HeaderValue::from_static(allowed)));
            }
            Self::ServiceUnavailable => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
            }
            _ => {}
        }
        response.json(ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::to_bytes;

    use super::*;

    async fn body_of(error: ApiError) -> (u16, serde_json::Value) {
        let response = error.error_response();
        let status = response.status().as_u16();
        let bytes = to_bytes(response.into_body()).await.expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON"))
    }

    #[actix_web::test]
    async fn a_bug_is_a_500_that_tells_nothing_of_its_cause() {
        let error = ApiError::from(StorageError::Corrupt(
            "sessions.platform = \"secret\"".into(),
        ));
        let (status, body) = body_of(error).await;
        assert_eq!(status, 500);
        assert_eq!(
            body,
            serde_json::json!({ "error": { "code": "internal_error", "message": "internal error" } })
        );
    }

    #[actix_web::test]
    async fn an_unavailable_database_is_a_503_that_tells_nothing_of_its_cause() {
        let error = ApiError::from(StorageError::Unavailable(
            "connection to 10.0.0.7 refused".into(),
        ));
        let (status, body) = body_of(error).await;
        assert_eq!(status, 503);
        assert!(!body.to_string().contains("10.0.0.7"));
    }
}
