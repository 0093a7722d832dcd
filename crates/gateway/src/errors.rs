//! The gateway's error answers: a status code and `{"success": false, "error": {code,
//! message, fields}}`, with `Retry-After` where the caller should come back.

use crate::admission::Refusal;
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use revops_core::FieldError;
use serde::Serialize;

/// Seconds a caller is asked to wait after a `503`.
pub const RETRY_AFTER_SECONDS: u32 = 5;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    fields: Vec<FieldError>,
    retry_after: Option<u64>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    success: bool,
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    fields: &'a [FieldError],
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// `400`: the body is not JSON, or not an object.
    pub fn invalid_json(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_json", message)
    }

    /// `400`: fields break the contract's rules; every one is listed.
    pub fn invalid_fields(fields: Vec<FieldError>) -> Self {
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        let message = format!("invalid field(s): {}", names.join(", "));
        Self {
            fields,
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_fields", message)
        }
    }

    /// `415`: the content type is not JSON.
    pub fn unsupported_media_type(got: Option<&str>) -> Self {
        let message = match got {
            Some(got) => format!("content-type must be application/json (got {got:?})"),
            None => "content-type must be application/json (none given)".to_owned(),
        };
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    /// `413`: the body is over the limit.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("body must be at most {limit} bytes"),
        )
    }

    /// `401` with `WWW-Authenticate`: no valid credentials; nothing was queued.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// `429` with `Retry-After`: the caller's `source_system` is over its rate limit.
    pub fn rate_limited(source_system: &str, retry_after: std::time::Duration) -> Self {
        let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
        Self {
            retry_after: Some(seconds),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "source_system {source_system:?} is over its rate limit; retry in {seconds} s"
                ),
            )
        }
    }

    /// `400`: a header breaks a rule.
    pub fn invalid_header(name: &str, problem: &str) -> Self {
        Self::invalid_fields(vec![FieldError::new(name, problem)])
    }

    /// `404`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// `503` with `Retry-After`: nothing was accepted; try again.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// `503` with the `Retry-After` of a refusal the host put in force: nothing was
    /// accepted; try again then.
    pub fn refused(refusal: &Refusal) -> Self {
        Self {
            retry_after: Some(refusal.retry_after_seconds),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                refusal.code,
                refusal.message,
            )
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The machine-readable code (`invalid_fields`, …), also the rejection metric's reason.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            success: false,
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                fields: &self.fields,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        let retry_after = match self.status {
            StatusCode::SERVICE_UNAVAILABLE => {
                self.retry_after.or(Some(u64::from(RETRY_AFTER_SECONDS)))
            }
            _ => self.retry_after,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
