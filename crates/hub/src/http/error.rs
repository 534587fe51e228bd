//! The one error type of the HTTP layer. Every error response is an
//! [`ErrorBody`] with a stable code; internal errors are logged with their
//! detail and answered with none.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use highland_domain::DomainError;
use highland_domain::wire::ErrorBody;
use highland_domain::wire::PROTOCOL_VERSION;

#[derive(Debug)]
pub(crate) enum HttpError {
    BadRequest(String),
    /// A value in the request broke a domain rule; its code says which.
    Invalid(DomainError),
    /// The request's protocol version, as sent.
    UnsupportedProtocol(String),
    Unauthorized(&'static str),
    WrongDevice,
    /// A staff route without a staff credential that works; says which.
    StaffUnauthorized(&'static str),
    /// A device's token on a staff route.
    NotStaff,
    /// A state-changing request with the session cookie, from another site.
    CrossSite,
    /// The login's name and token do not match an active member of staff.
    LoginRefused,
    /// Too many failed logins for this name or from this address.
    LoginThrottled {
        retry_after_ms: u64,
    },
    /// This member of staff made more requests than their budget allows.
    RateLimited {
        retry_after_ms: u64,
    },
    /// A query parameter is wrong; the code says which rule it broke.
    InvalidParameter {
        code: &'static str,
        message: String,
    },
    UnknownListing(String),
    Order(crate::orders::OrderError),
    NotFound,
    TooLarge,
    TooManyOperations {
        sent: usize,
        max: usize,
    },
    UnsupportedEncoding(String),
    /// The body's `Content-Type` as sent, and the one the route takes.
    UnsupportedMediaType {
        sent: String,
        expected: &'static str,
    },
    /// A photo upload or download that was not taken; see
    /// [`crate::photos::UploadError`].
    Upload(crate::photos::UploadError),
    /// A `Range` that starts at or past the end of the file.
    RangeNotSatisfiable {
        length: u64,
    },
    Hub(crate::Error),
    Internal(String),
}

impl HttpError {
    fn status_and_body(&self) -> (StatusCode, &'static str, String) {
        use HttpError::*;
        match self {
            BadRequest(message) => (StatusCode::BAD_REQUEST, "bad_request", message.clone()),
            Invalid(e) => (StatusCode::BAD_REQUEST, e.code(), e.to_string()),
            UnsupportedProtocol(sent) => (
                StatusCode::BAD_REQUEST,
                "unsupported_protocol",
                format!(
                    "this hub speaks sync protocol version {PROTOCOL_VERSION} only, and the \
                     request uses {sent}; update the app or the hub"
                ),
            ),
            Unauthorized(why) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!("{why}; enroll this device again with a new code"),
            ),
            StaffUnauthorized(why) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                format!(
                    "{why}; send a staff token (from `highland-hub staff add`) as \
                     \"Authorization: Bearer hls_...\", or log in to the console"
                ),
            ),
            NotStaff => (
                StatusCode::FORBIDDEN,
                "not_staff",
                "this is a device's token; only the buyer's staff may use this address".to_owned(),
            ),
            CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site",
                "this request came from another site; it was not taken".to_owned(),
            ),
            LoginRefused => (
                StatusCode::UNAUTHORIZED,
                "login_refused",
                "the name or the token is wrong, or the token was revoked".to_owned(),
            ),
            LoginThrottled { retry_after_ms } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!(
                    "too many failed logins for this name or from this address; try again in {} s",
                    retry_after_secs(*retry_after_ms)
                ),
            ),
            RateLimited { retry_after_ms } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many requests with this staff credential; try again in {} s",
                    retry_after_secs(*retry_after_ms)
                ),
            ),
            InvalidParameter { code, message } => (StatusCode::BAD_REQUEST, code, message.clone()),
            UnknownListing(id) => (
                StatusCode::NOT_FOUND,
                "unknown_listing",
                format!("no listing with id {id}"),
            ),
            Order(e) => order_error(e),
            WrongDevice => (
                StatusCode::FORBIDDEN,
                "wrong_device",
                "the device id in the request is not the device this token was issued to"
                    .to_owned(),
            ),
            NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "there is nothing at this address".to_owned(),
            ),
            TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the request is larger than the hub accepts; send fewer changes at a time"
                    .to_owned(),
            ),
            TooManyOperations { sent, max } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_many_operations",
                format!("the request carries {sent} changes; send at most {max} at a time"),
            ),
            UnsupportedEncoding(sent) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_encoding",
                format!(
                    "the hub cannot read a body with Content-Encoding {sent:?}; \
                     use zstd, gzip or none"
                ),
            ),
            UnsupportedMediaType { sent, expected } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("the body must be {expected}, not {sent:?}"),
            ),
            Upload(e) => upload_error(e),
            RangeNotSatisfiable { length } => (
                StatusCode::RANGE_NOT_SATISFIABLE,
                "range_not_satisfiable",
                format!("the file has {length} bytes; ask for a range that starts within it"),
            ),
            Hub(e) => hub_error(e),
            Internal(_) => internal(),
        }
    }
}

fn upload_error(e: &crate::photos::UploadError) -> (StatusCode, &'static str, String) {
    use crate::photos::UploadError::*;
    let (status, code) = match e {
        UnknownPhoto => (StatusCode::NOT_FOUND, "unknown_photo"),
        OffsetMismatch { .. } => (StatusCode::CONFLICT, "offset_mismatch"),
        TooManyUploads { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_uploads"),
        UploadElsewhere => (StatusCode::CONFLICT, "upload_elsewhere"),
        ChunkCorrupted { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "chunk_corrupted"),
        PhotoCorrupted => (StatusCode::UNPROCESSABLE_ENTITY, "photo_corrupted"),
        TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
        Hub(e) => return hub_error(e),
        Store(_) => return internal(),
    };
    (status, code, e.to_string())
}

fn hub_error(e: &crate::Error) -> (StatusCode, &'static str, String) {
    use crate::Error::*;
    let (status, code) = match e {
        Invalid(d) => (StatusCode::BAD_REQUEST, d.code()),
        CodeUnknown => (StatusCode::NOT_FOUND, "code_unknown"),
        CodeUsed => (StatusCode::CONFLICT, "code_used"),
        CodeExpired => (StatusCode::GONE, "code_expired"),
        DeviceEnrolledElsewhere => (StatusCode::CONFLICT, "device_enrolled_elsewhere"),
        UnknownSeller(_) => (StatusCode::NOT_FOUND, "unknown_seller"),
        StaffNameTaken(_) => (StatusCode::CONFLICT, "staff_name_taken"),
        UnknownStaff(_) => (StatusCode::NOT_FOUND, "unknown_staff"),
        DeviceRevoked => (StatusCode::FORBIDDEN, "device_revoked"),
        UnknownDevice(_) => (StatusCode::NOT_FOUND, "unknown_device"),
        UnknownLot(_) => (StatusCode::NOT_FOUND, "unknown_lot"),
        LotExists(_) => (StatusCode::CONFLICT, "lot_exists"),
        NotHubDatabase { .. }
        | DatabaseTooNew { .. }
        | DatabaseUrl(_)
        | BadRecord(_)
        | Database(_)
        | Io(_) => {
            return internal();
        }
    };
    (status, code, e.to_string())
}

fn order_error(e: &crate::orders::OrderError) -> (StatusCode, &'static str, String) {
    use crate::orders::OrderError::*;
    let status = match e {
        UnknownOrder(_) | UnknownListing(_) => StatusCode::NOT_FOUND,
        ListingNotOpen { .. } | OrderExists(_) | Transition(_) => StatusCode::CONFLICT,
        SellerOnly { .. } => StatusCode::FORBIDDEN,
        Invalid(_) => StatusCode::BAD_REQUEST,
        Hub(e) => return hub_error(e),
    };
    (status, e.code(), e.to_string())
}

/// Whole seconds for `Retry-After` and for messages.
fn retry_after_secs(ms: u64) -> u64 {
    crate::staff::retry_after_secs(ms)
}

fn internal() -> (StatusCode, &'static str, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the hub failed to answer; try again later".to_owned(),
    )
}

impl From<crate::orders::OrderError> for HttpError {
    fn from(e: crate::orders::OrderError) -> Self {
        HttpError::Order(e)
    }
}

impl From<crate::Error> for HttpError {
    fn from(e: crate::Error) -> Self {
        HttpError::Hub(e)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.status_and_body();
        if status.is_server_error() {
            match &self {
                HttpError::Hub(e) | HttpError::Order(crate::orders::OrderError::Hub(e)) => {
                    tracing::error!(error = %e, source = ?std::error::Error::source(e), "request failed")
                }
                HttpError::Internal(detail) => tracing::error!(error = %detail, "request failed"),
                HttpError::Upload(e) => tracing::error!(error = %e, "request failed"),
                _ => {}
            }
        } else {
            tracing::info!(status = status.as_u16(), code, "request refused");
        }
        let mut response = (
            status,
            Json(ErrorBody {
                code: code.to_owned(),
                message,
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(held) = match &self {
            HttpError::Upload(e) => e.held(),
            _ => None,
        } {
            response
                .headers_mut()
                .insert("upload-offset", HeaderValue::from(held));
        }
        if let HttpError::RangeNotSatisfiable { length } = &self
            && let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}"))
        {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        if let HttpError::LoginThrottled { retry_after_ms }
        | HttpError::RateLimited { retry_after_ms } = &self
        {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs(*retry_after_ms)),
            );
        }
        response
    }
}

/// The code and message for an error response that a layer below the
/// handlers (the body limit, the router) made without a JSON body.
pub(crate) fn for_status(status: StatusCode) -> ErrorBody {
    let (code, message) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request could not be read"),
        StatusCode::NOT_FOUND => ("not_found", "there is nothing at this address"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this address does not take that method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            "the request is larger than the hub accepts; send fewer changes at a time",
        ),
        StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "too many requests; try again later"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_encoding",
            "the hub cannot read this body; send JSON, compressed with zstd or gzip or not at all",
        ),
        s if s.is_server_error() => ("internal", "the hub failed to answer; try again later"),
        _ => ("error", "the request was refused"),
    };
    ErrorBody {
        code: code.to_owned(),
        message: message.to_owned(),
    }
}
