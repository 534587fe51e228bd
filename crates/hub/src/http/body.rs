//! Reading a request body: bounded, decompressed, JSON, right protocol.

use axum::body::Body;
use axum::http::{HeaderMap, header};
use highland_domain::wire::PROTOCOL_VERSION;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::HttpError;

/// Reads the (already decompressed) body, at most `limit` bytes, as JSON.
/// Only the shape of JSON is checked here; [`check_protocol`] comes next,
/// before any field is interpreted.
pub(crate) async fn read_json(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Value, HttpError> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let value = content_type.to_str().unwrap_or("");
        let essence = value.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(HttpError::UnsupportedMediaType {
                sent: value.to_owned(),
                expected: "JSON (application/json)",
            });
        }
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            HttpError::TooLarge
        } else {
            HttpError::BadRequest(format!(
                "the body could not be read; is it compressed as its Content-Encoding says? ({e})"
            ))
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| HttpError::BadRequest(format!("the body is not valid JSON: {e}")))
}

/// Whether reading failed because a size limit was reached: the compressed
/// one (tower-http's body limit) or the decompressed one (`to_bytes`).
pub(crate) fn is_length_limit(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(e);
    while let Some(e) = current {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// Refuses a request for another protocol version before reading anything
/// else, so a newer app gets this clear error whatever shape its body has.
pub(crate) fn check_protocol(body: &Value) -> Result<(), HttpError> {
    let Some(object) = body.as_object() else {
        return Err(HttpError::BadRequest(
            "the body must be a JSON object".to_owned(),
        ));
    };
    match object.get("protocol") {
        None => Err(HttpError::BadRequest(format!(
            "the body has no \"protocol\" field; this hub speaks version {PROTOCOL_VERSION}"
        ))),
        Some(v) if v.as_u64() == Some(u64::from(PROTOCOL_VERSION)) => Ok(()),
        Some(v) => Err(HttpError::UnsupportedProtocol(v.to_string())),
    }
}

/// Reads the checked body into its request type.
pub(crate) fn parse<T: DeserializeOwned>(body: Value) -> Result<T, HttpError> {
    serde_json::from_value(body)
        .map_err(|e| HttpError::BadRequest(format!("the request is not as expected: {e}")))
}

/// Reads a staff API request's JSON body, at most `limit` bytes, into its
/// type. The staff API is versioned by its path (`/v1`), so there is no
/// `protocol` field to check.
pub(crate) async fn read_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<T, HttpError> {
    let value = read_json(headers, body, limit).await?;
    if !value.is_object() {
        return Err(HttpError::BadRequest(
            "the body must be a JSON object".to_owned(),
        ));
    }
    parse(value)
}
