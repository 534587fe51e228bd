//! Reading a request body: bounded, decompressed, JSON, right protocol, and
//! straight into the route's own request type.
//!
//! No untrusted body is ever built into a `serde_json::Value`: a tree of
//! maps costs tens of times the bytes it came from, so a small compressed
//! body could claim hundreds of megabytes. Each route reads at most its own
//! budget of decompressed bytes (an enrollment needs a few hundred, a sync
//! page of operations a few megabytes) and parses them into its type, whose
//! unknown fields serde skips without keeping them.

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use highland_domain::wire::{OLDEST_SERVED_PROTOCOL, PROTOCOL_VERSION};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use super::HttpError;

/// Reads the (already decompressed) body, at most `limit` bytes, after
/// checking that it says it is JSON. Only the bytes: the caller parses them
/// into its type.
pub(crate) async fn read_bytes(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, HttpError> {
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
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            HttpError::TooLarge
        } else {
            HttpError::BadRequest(format!(
                "the body could not be read; is it compressed as its Content-Encoding says? ({e})"
            ))
        }
    })
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

/// Refuses a device request for another protocol version before reading
/// anything else, so a newer app gets this clear error whatever shape the
/// rest of its body has. Only `protocol` is looked at; every other field is
/// skipped, not kept.
pub(crate) fn check_protocol(bytes: &[u8]) -> Result<(), HttpError> {
    #[derive(Deserialize)]
    struct Probe<'a> {
        #[serde(borrow)]
        protocol: Option<&'a RawValue>,
    }
    require_object(bytes)?;
    let probe: Probe<'_> = serde_json::from_slice(bytes)
        .map_err(|e| HttpError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    match probe.protocol.map(RawValue::get) {
        None => Err(HttpError::BadRequest(format!(
            "the body has no \"protocol\" field; this hub speaks version {PROTOCOL_VERSION}"
        ))),
        Some(sent) => match sent.parse::<u32>() {
            Ok(v) if (OLDEST_SERVED_PROTOCOL..=PROTOCOL_VERSION).contains(&v) => Ok(()),
            _ => Err(HttpError::UnsupportedProtocol(
                sent.chars().take(40).collect(),
            )),
        },
    }
}

/// Reads the body into its request type.
pub(crate) fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, HttpError> {
    require_object(bytes)?;
    serde_json::from_slice(bytes)
        .map_err(|e| HttpError::BadRequest(format!("the request is not as expected: {e}")))
}

/// A request is a JSON object. serde would also read a struct from an
/// array of its fields in order, which no client of ours sends.
fn require_object(bytes: &[u8]) -> Result<(), HttpError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(()),
        _ => Err(HttpError::BadRequest(
            "the body must be a JSON object".to_owned(),
        )),
    }
}

/// Reads a staff API request's JSON body, at most `limit` bytes, into its
/// type. The staff API is versioned by its path (`/v1`), so there is no
/// `protocol` field to check.
pub(crate) async fn read_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<T, HttpError> {
    let bytes = read_bytes(headers, body, limit).await?;
    parse(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_protocol_is_read_alone_and_must_be_this_hubs() {
        assert!(check_protocol(br#"{"protocol": 1, "rest": [1, {"a": 0}]}"#).is_ok());
        for body in [
            &br#"{"protocol": 2}"#[..],
            br#"{"protocol": 0}"#,
            br#"{"protocol": "1"}"#,
        ] {
            assert!(
                matches!(check_protocol(body), Err(HttpError::UnsupportedProtocol(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        for body in [&b"[1]"[..], b"{}", b"{\"protocol\": 1", b"", b"  "] {
            assert!(
                matches!(check_protocol(body), Err(HttpError::BadRequest(_))),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_struct_is_never_read_from_an_array() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Pair {
            a: u8,
            b: u8,
        }
        assert!(parse::<Pair>(br#"{"a": 1, "b": 2, "c": [3]}"#).is_ok());
        assert!(matches!(
            parse::<Pair>(b"[1, 2]"),
            Err(HttpError::BadRequest(message)) if message.contains("JSON object")
        ));
    }
}
