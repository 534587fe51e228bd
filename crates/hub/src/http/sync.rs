use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use highland_domain::wire::{AckOutcome, SyncResponse};
use highland_domain::{DeviceId, Operation, OperationId};
use serde::Deserialize;
use serde_json::Value;

use super::body::{check_protocol, parse, read_json};
use super::{HttpError, blocking};
use crate::AppState;
use crate::http::openapi::ApiError;
use crate::secret::STAFF_TOKEN_PREFIX;
use crate::secret::SecretHash;
use crate::storage::EnrolledDevice;
use crate::sync::{PullRequest, Pushed};

/// [`highland_domain::wire::SyncRequest`] with its operations still JSON, so
/// each is read on its own and one the hub cannot read refuses only itself.
#[derive(Deserialize)]
struct SyncBody {
    device_id: DeviceId,
    cursor: u64,
    operations: Vec<Value>,
    max_pull_bytes: u32,
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
        (status = 403, body = ApiError, description = "`wrong_device`"),
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
    let body = read_json(&headers, body, state.limits.body_bytes).await?;
    check_protocol(&body)?;
    let request: SyncBody = parse(body)?;
    if request.device_id != device.id {
        return Err(HttpError::WrongDevice);
    }
    let max = state.limits.operations_per_sync;
    if request.operations.len() > max {
        return Err(HttpError::TooManyOperations {
            sent: request.operations.len(),
            max,
        });
    }
    let pushed = request
        .operations
        .into_iter()
        .enumerate()
        .map(|(index, op)| read_operation(index, op))
        .collect::<Result<Vec<_>, _>>()?;
    let pull = PullRequest {
        cursor: request.cursor,
        max_bytes: request.max_pull_bytes,
    };
    let now_ms = state.clock.now_ms();
    let store = state.store.clone();
    let response = blocking(move || store.exchange(device, pushed, pull, now_ms)).await?;
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

fn read_operation(index: usize, op: Value) -> Result<Pushed, HttpError> {
    let id = op
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<OperationId>().ok());
    match serde_json::from_value::<Operation>(op) {
        Ok(op) => Ok(Pushed::Operation(op)),
        Err(e) => match id {
            Some(id) => Ok(Pushed::Unreadable {
                id,
                detail: e.to_string(),
            }),
            None => Err(HttpError::BadRequest(format!(
                "operation {index} has no readable id, so it cannot be acknowledged: {e}"
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
        blocking(move || store.device_by_token(&hash))
            .await?
            .map(Authenticated)
            .ok_or(HttpError::Unauthorized(
                "this device token is not known to the hub",
            ))
    }
}
