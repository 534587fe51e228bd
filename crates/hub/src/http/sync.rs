use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use highland_domain::wire::{AckOutcome, LogMark, LoggedOperation, SyncResponse};
use highland_domain::{DeviceId, Operation, OperationId, Payload};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::body::{check_protocol, parse, read_bytes};
use super::{HttpError, blocking};
use crate::AppState;
use crate::http::openapi::ApiError;
use crate::secret::STAFF_TOKEN_PREFIX;
use crate::secret::SecretHash;
use crate::storage::EnrolledDevice;
use highland_exchange::sync::{PullRequest, Pushed};

/// [`highland_domain::wire::SyncRequest`] with its operations still the
/// text they came as (borrowed from the body, not copied), so each is read
/// on its own and one the hub cannot read refuses only itself.
#[derive(Deserialize)]
struct SyncBody<'a> {
    protocol: u32,
    device_id: DeviceId,
    cursor: u64,
    #[serde(borrow)]
    operations: &'a RawValue,
    max_pull_bytes: u32,
    #[serde(default)]
    last_pulled: Option<LogMark>,
    #[serde(default)]
    own_too: bool,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    resent: Vec<OperationId>,
    #[serde(default)]
    incarnation: Option<String>,
}

/// `POST /v1/sync`: push unacknowledged operations, pull what is new.
#[utoipa::path(
    post,
    path = "/v1/sync",
    tag = "devices",
    security(("device_token" = [])),
    request_body(content = serde_json::Value,
                 description = "`SyncRequest`; see docs/sync-protocol.md. May be sent compressed (zstd, gzip)"),
    responses(
        (status = 200, body = serde_json::Value, description = "`SyncResponse`: acks and the next page of the log"),
        (status = 400, body = ApiError, description = "`bad_request`, `unsupported_protocol`"),
        (status = 401, body = ApiError, description = "`unauthorized`: no device token, an unknown one, or a staff token"),
        (status = 403, body = ApiError, description = "`wrong_device`; `device_revoked`: staff revoked this device"),
        (status = 413, body = ApiError, description = "`too_large`, `too_many_operations`"),
        (status = 415, body = ApiError, description = "`unsupported_encoding`, `unsupported_media_type`"),
    )
)]
pub(crate) async fn sync(
    State(state): State<AppState>,
    Authenticated(device): Authenticated,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<SyncResponse>, HttpError> {
    let body = read_bytes(&headers, body, state.limits.body_bytes).await?;
    check_protocol(&body)?;
    let request: SyncBody<'_> = parse(&body)?;
    if request.device_id != device.id {
        return Err(HttpError::WrongDevice);
    }
    let mut pushed = read_operations(request.operations, state.limits.operations_per_sync)?;
    mark_resent(&mut pushed, &request.resent);
    let pull = PullRequest {
        cursor: request.cursor,
        max_bytes: request.max_pull_bytes,
        last_pulled: request.last_pulled,
        own_too: request.own_too,
        protocol: request.protocol,
        incarnation: request.incarnation,
    };
    let now_ms = state.clock.now_ms();
    let store = state.store.clone();
    let mut response = blocking(move || store.exchange(device, pushed, pull, now_ms)).await?;
    // A platform this hub does not know, from a newer app, is no error:
    // there is simply no release to offer it.
    if let Some(platform) = request.platform.and_then(|p| p.parse().ok()) {
        response.newest_release = super::releases::notice_for(&state, platform).await;
    }
    let refused = response
        .acks
        .iter()
        .filter(|a| matches!(a.outcome, AckOutcome::Refused { .. }))
        .count();
    tracing::info!(
        device = %device.id,
        pushed = response.acks.len(),
        refused,
        pulled = response.operations.len(),
        cursor = response.cursor,
        more = response.more,
        "synced"
    );
    Ok(Json(response))
}

/// The pushed operations, each read on its own. They are counted first,
/// without keeping anything (`IgnoredAny` takes no memory), so a batch over
/// the limit is refused before a single one is read.
fn read_operations(operations: &RawValue, max: usize) -> Result<Vec<Pushed>, HttpError> {
    let not_a_list = |e: serde_json::Error| {
        HttpError::BadRequest(format!("\"operations\" must be a list of operations: {e}"))
    };
    let sent = serde_json::from_str::<Vec<IgnoredAny>>(operations.get())
        .map_err(not_a_list)?
        .len();
    if sent > max {
        return Err(HttpError::TooManyOperations { sent, max });
    }
    serde_json::from_str::<Vec<&RawValue>>(operations.get())
        .map_err(not_a_list)?
        .into_iter()
        .enumerate()
        .map(|(index, op)| read_operation(index, op))
        .collect()
}

/// Marks the operations the request names as sent again; a name that is
/// none of its readable operations' means nothing.
fn mark_resent(pushed: &mut [Pushed], resent: &[OperationId]) {
    if resent.is_empty() {
        return;
    }
    let named: std::collections::HashSet<&OperationId> = resent.iter().collect();
    for item in pushed.iter_mut() {
        if let Pushed::Operation { op, resent, .. } = item {
            *resent = named.contains(&op.id);
        }
    }
}

/// The largest operation the hub reads. The largest a device makes (a lot
/// with every text at its limit) is under 16 KiB. serde buffers an
/// operation's payload while it finds its kind, so this bounds what one
/// operation can claim while it is read.
pub(crate) const MAX_OPERATION_BYTES: usize = 64 * 1024;

fn read_operation(index: usize, op: &RawValue) -> Result<Pushed, HttpError> {
    // Each read alone, so that a payload the hub cannot even probe (its
    // `kind` twice, or not a string) still leaves the id to acknowledge.
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<OperationId>,
    }
    #[derive(Deserialize)]
    struct KindOnly {
        payload: Option<PayloadKind>,
    }
    #[derive(Deserialize)]
    struct PayloadKind {
        kind: Option<String>,
    }
    let text = op.get();
    let read = if text.len() > MAX_OPERATION_BYTES {
        Err(format!(
            "the operation is {} bytes; at most {MAX_OPERATION_BYTES} are read",
            text.len()
        ))
    } else {
        serde_json::from_str::<Operation>(text).map_err(|e| e.to_string())
    };
    match read {
        Ok(read) => Ok(Pushed::Operation {
            resent: false,
            op: read,
            text: LoggedOperation::from_text(text.to_owned())
                .map_err(|e| HttpError::BadRequest(format!("operation {index}: {e}")))?,
        }),
        Err(detail) => match serde_json::from_str::<IdOnly>(text) {
            Ok(IdOnly { id: Some(id) }) => {
                let kind = serde_json::from_str::<KindOnly>(text)
                    .ok()
                    .and_then(|k| k.payload)
                    .and_then(|p| p.kind);
                let known_kind = kind.is_some_and(|k| Payload::KINDS.contains(&k.as_str()));
                Ok(Pushed::Unreadable {
                    id,
                    known_kind,
                    detail,
                })
            }
            _ => Err(HttpError::BadRequest(format!(
                "operation {index} has no readable id, so it cannot be acknowledged: {detail}"
            ))),
        },
    }
}

/// The device whose bearer token the request carries.
pub(crate) struct Authenticated(pub EnrolledDevice);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(HttpError::Unauthorized(
                "the request carries no device token",
            ))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|token| !token.is_empty())
            .ok_or(HttpError::Unauthorized(
                "the Authorization header must be \"Bearer\" and the device token",
            ))?;
        // A staff token never stands for a device, whatever the database holds.
        if token.starts_with(STAFF_TOKEN_PREFIX) {
            return Err(HttpError::Unauthorized(
                "this is a staff token; only an enrolled device can sync",
            ));
        }
        let hash = SecretHash::of(token);
        let store = state.store.clone();
        let holder = blocking(move || store.device_by_token(&hash))
            .await?
            .ok_or(HttpError::Unauthorized(
                "this device token is not known to the hub",
            ))?;
        if holder.revoked {
            return Err(crate::Error::DeviceRevoked.into());
        }
        // Written only when it changes: once per update of the app.
        let says = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .and_then(app_version);
        if let Some(version) = says.filter(|v| holder.app_version.as_deref() != Some(v)) {
            let store = state.store.clone();
            let device = holder.device.id;
            let version = version.to_owned();
            blocking(move || store.set_app_version(device, &version)).await?;
        }
        Ok(Authenticated(holder.device))
    }
}

/// The version in a Highland app's User-Agent (`highland/0.1.0`), when it
/// is one and looks like a version.
fn app_version(user_agent: &str) -> Option<&str> {
    let version = user_agent
        .split_whitespace()
        .find_map(|product| product.strip_prefix("highland/"))?;
    let plausible = !version.is_empty()
        && version.len() <= 32
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+".contains(&b));
    plausible.then_some(version)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_app_version_is_read_from_a_highland_user_agent_only() {
        let cases = [
            ("highland/0.1.0", Some("0.1.0")),
            ("highland/0.2.0-beta.1 (Android 9)", Some("0.2.0-beta.1")),
            ("reqwest/0.13", None),
            ("highland/", None),
            ("highland/0.1.0<script>", None),
            ("", None),
        ];
        for (user_agent, version) in cases {
            assert_eq!(super::app_version(user_agent), version, "{user_agent:?}");
        }
    }
}
