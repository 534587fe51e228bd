//! The one error type of the HTTP layer. Every error response is an
//! [`ErrorBody`] with a stable code; internal errors are logged with their
//! detail and answered with none.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use highland_domain::DomainError;
use highland_domain::wire::{ErrorBody, HubErrorCode as Code};
use highland_domain::wire::{OLDEST_SERVED_PROTOCOL, PROTOCOL_VERSION};

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
        code: Code,
        message: String,
    },
    UnknownListing(String),
    Order(highland_exchange::orders::OrderError),
    Round(highland_exchange::rounds::RoundError),
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
    fn status_and_body(&self) -> (StatusCode, Code, String) {
        use HttpError::*;
        match self {
            BadRequest(message) => (StatusCode::BAD_REQUEST, Code::BadRequest, message.clone()),
            Invalid(e) => (StatusCode::BAD_REQUEST, Code::from(e.code()), e.to_string()),
            UnsupportedProtocol(sent) => (
                StatusCode::BAD_REQUEST,
                Code::UnsupportedProtocol,
                unsupported_protocol(sent),
            ),
            Unauthorized(why) => (
                StatusCode::UNAUTHORIZED,
                Code::Unauthorized,
                format!("{why}; enroll this device again with a new code"),
            ),
            StaffUnauthorized(why) => (
                StatusCode::UNAUTHORIZED,
                Code::Unauthorized,
                format!(
                    "{why}; send a staff token (from `highland-hub staff add`) as \
                     \"Authorization: Bearer hls_...\", or log in to the console"
                ),
            ),
            NotStaff => (
                StatusCode::FORBIDDEN,
                Code::NotStaff,
                "this is a device's token; only the buyer's staff may use this address".to_owned(),
            ),
            CrossSite => (
                StatusCode::FORBIDDEN,
                Code::CrossSite,
                "this request came from another site; it was not taken".to_owned(),
            ),
            LoginRefused => (
                StatusCode::UNAUTHORIZED,
                Code::LoginRefused,
                "the name or the token is wrong, or the token was revoked".to_owned(),
            ),
            LoginThrottled { retry_after_ms } => (
                StatusCode::TOO_MANY_REQUESTS,
                Code::TooManyAttempts,
                format!(
                    "too many failed logins for this name or from this address; try again in {} s",
                    retry_after_secs(*retry_after_ms)
                ),
            ),
            RateLimited { retry_after_ms } => (
                StatusCode::TOO_MANY_REQUESTS,
                Code::RateLimited,
                format!(
                    "too many requests with this staff credential; try again in {} s",
                    retry_after_secs(*retry_after_ms)
                ),
            ),
            InvalidParameter { code, message } => {
                (StatusCode::BAD_REQUEST, code.clone(), message.clone())
            }
            UnknownListing(id) => (
                StatusCode::NOT_FOUND,
                Code::UnknownListing,
                format!("no listing with id {id}"),
            ),
            Order(e) => order_error(e),
            Round(e) => round_error(e),
            WrongDevice => (
                StatusCode::FORBIDDEN,
                Code::WrongDevice,
                "the device id in the request is not the device this token was issued to"
                    .to_owned(),
            ),
            NotFound => (
                StatusCode::NOT_FOUND,
                Code::NotFound,
                "there is nothing at this address".to_owned(),
            ),
            TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                Code::TooLarge,
                "the request is larger than the hub accepts; send fewer changes at a time"
                    .to_owned(),
            ),
            TooManyOperations { sent, max } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                Code::TooManyOperations,
                format!("the request carries {sent} changes; send at most {max} at a time"),
            ),
            UnsupportedEncoding(sent) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::UnsupportedEncoding,
                format!(
                    "the hub cannot read a body with Content-Encoding {sent:?}; \
                     use zstd, gzip or none"
                ),
            ),
            UnsupportedMediaType { sent, expected } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Code::UnsupportedMediaType,
                format!("the body must be {expected}, not {sent:?}"),
            ),
            Upload(e) => upload_error(e),
            RangeNotSatisfiable { length } => (
                StatusCode::RANGE_NOT_SATISFIABLE,
                Code::RangeNotSatisfiable,
                format!("the file has {length} bytes; ask for a range that starts within it"),
            ),
            Hub(e) => hub_error(e),
            Internal(_) => internal(),
        }
    }
}

/// Says which side is behind, so the right person updates.
fn unsupported_protocol(sent: &str) -> String {
    let served = if OLDEST_SERVED_PROTOCOL == PROTOCOL_VERSION {
        format!("version {PROTOCOL_VERSION}")
    } else {
        format!("versions {OLDEST_SERVED_PROTOCOL} to {PROTOCOL_VERSION}")
    };
    match sent.parse::<u32>() {
        Ok(v) if v > PROTOCOL_VERSION => format!(
            "this app speaks sync protocol version {v}, newer than this hub's {served}; \
             update the hub (nothing on the device was lost)"
        ),
        Ok(v) => format!(
            "this app speaks sync protocol version {v}, older than this hub serves \
             ({served}); ask your trainer to update Highland on this device \
             (nothing on it was lost)"
        ),
        Err(_) => format!("this hub speaks sync protocol {served}, and the request uses {sent}"),
    }
}

fn upload_error(e: &crate::photos::UploadError) -> (StatusCode, Code, String) {
    use crate::photos::UploadError::*;
    let (status, code) = match e {
        UnknownPhoto => (StatusCode::NOT_FOUND, Code::UnknownPhoto),
        OffsetMismatch { .. } => (StatusCode::CONFLICT, Code::OffsetMismatch),
        TooManyUploads { .. } => (StatusCode::TOO_MANY_REQUESTS, Code::TooManyUploads),
        UploadElsewhere => (StatusCode::CONFLICT, Code::UploadElsewhere),
        ChunkCorrupted { .. } => (StatusCode::UNPROCESSABLE_ENTITY, Code::ChunkCorrupted),
        PhotoCorrupted => (StatusCode::UNPROCESSABLE_ENTITY, Code::PhotoCorrupted),
        TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, Code::TooLarge),
        Hub(e) => return hub_error(e),
        Store(_) => return internal(),
    };
    (status, code, e.to_string())
}

fn hub_error(e: &crate::Error) -> (StatusCode, Code, String) {
    use crate::Error::*;
    let (status, code) = match e {
        Invalid(d) => (StatusCode::BAD_REQUEST, Code::from(d.code())),
        CodeUnknown => (StatusCode::NOT_FOUND, Code::CodeUnknown),
        CodeUsed => (StatusCode::CONFLICT, Code::CodeUsed),
        CodeExpired => (StatusCode::GONE, Code::CodeExpired),
        DeviceEnrolledElsewhere => (StatusCode::CONFLICT, Code::DeviceEnrolledElsewhere),
        UnknownSeller(_) => (StatusCode::NOT_FOUND, Code::UnknownSeller),
        StaffNameTaken(_) => (StatusCode::CONFLICT, Code::StaffNameTaken),
        UnknownStaff(_) => (StatusCode::NOT_FOUND, Code::UnknownStaff),
        DeviceRevoked => (StatusCode::FORBIDDEN, Code::DeviceRevoked),
        UnknownDevice(_) => (StatusCode::NOT_FOUND, Code::UnknownDevice),
        UnknownLot(_) => (StatusCode::NOT_FOUND, Code::UnknownLot),
        LotExists(_) => (StatusCode::CONFLICT, Code::LotExists),
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

fn order_error(e: &highland_exchange::orders::OrderError) -> (StatusCode, Code, String) {
    use highland_exchange::orders::OrderError::*;
    let status = match e {
        UnknownOrder(_) | UnknownListing(_) => StatusCode::NOT_FOUND,
        ListingNotOpen { .. } | OrderExists(_) | Transition(_) => StatusCode::CONFLICT,
        SellerOnly { .. } => StatusCode::FORBIDDEN,
        Invalid(_) => StatusCode::BAD_REQUEST,
        Round(e) => return round_error(e),
        Hub(e) => return hub_error(e),
    };
    (status, Code::from(e.code()), e.to_string())
}

fn round_error(e: &highland_exchange::rounds::RoundError) -> (StatusCode, Code, String) {
    use highland_exchange::rounds::RoundError::*;
    let status = match e {
        Invalid(_) => StatusCode::BAD_REQUEST,
        Hub(e) => return hub_error(e),
        missing if missing.is_missing() => StatusCode::NOT_FOUND,
        // Another stop or another state would have taken it: the request
        // was well formed but the round or order stands otherwise now.
        _ => StatusCode::CONFLICT,
    };
    (status, Code::from(e.code()), e.to_string())
}

/// Whole seconds for `Retry-After` and for messages.
fn retry_after_secs(ms: u64) -> u64 {
    crate::staff::retry_after_secs(ms)
}

fn internal() -> (StatusCode, Code, String) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Code::Internal,
        "the hub failed to answer; try again later".to_owned(),
    )
}

impl From<highland_exchange::orders::OrderError> for HttpError {
    fn from(e: highland_exchange::orders::OrderError) -> Self {
        HttpError::Order(e)
    }
}

impl From<highland_exchange::rounds::RoundError> for HttpError {
    fn from(e: highland_exchange::rounds::RoundError) -> Self {
        HttpError::Round(e)
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
                HttpError::Hub(e)
                | HttpError::Order(highland_exchange::orders::OrderError::Hub(e)) => {
                    tracing::error!(error = %e, source = ?std::error::Error::source(e), "request failed")
                }
                HttpError::Internal(detail) => tracing::error!(error = %detail, "request failed"),
                HttpError::Upload(e) => tracing::error!(error = %e, "request failed"),
                _ => {}
            }
        } else {
            tracing::info!(
                status = status.as_u16(),
                code = code.as_str(),
                "request refused"
            );
        }
        let mut response = (status, Json(ErrorBody { code, message })).into_response();
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
        StatusCode::BAD_REQUEST => (Code::BadRequest, "the request could not be read"),
        StatusCode::NOT_FOUND => (Code::NotFound, "there is nothing at this address"),
        StatusCode::METHOD_NOT_ALLOWED => (
            Code::MethodNotAllowed,
            "this address does not take that method",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            Code::TooLarge,
            "the request is larger than the hub accepts; send fewer changes at a time",
        ),
        StatusCode::TOO_MANY_REQUESTS => (Code::RateLimited, "too many requests; try again later"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            Code::UnsupportedEncoding,
            "the hub cannot read this body; send JSON, compressed with zstd or gzip or not at all",
        ),
        s if s.is_server_error() => (Code::Internal, "the hub failed to answer; try again later"),
        _ => (Code::Error, "the request was refused"),
    };
    ErrorBody {
        code,
        message: message.to_owned(),
    }
}
