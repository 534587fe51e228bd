use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use highland_domain::wire::EnrollResponse;
use highland_domain::wire::PROTOCOL_VERSION;
use highland_domain::{CheckedCode, DeviceId};
use serde::Deserialize;

use super::body::{check_protocol, parse, read_bytes};
use super::{HttpError, blocking};
use crate::AppState;
use crate::http::openapi::ApiError;
use crate::secret::{SecretHash, code_hash, new_device_token};
use crate::storage::Enrollment;

/// [`highland_domain::wire::EnrollRequest`] with the code as typed, so that a
/// mistyped code gets its own error code rather than a generic one.
#[derive(Deserialize)]
struct EnrollBody {
    code: String,
    device_id: DeviceId,
}

/// `POST /v1/enroll`: a one-time code for a device token.
#[utoipa::path(
    post,
    path = "/v1/enroll",
    tag = "devices",
    request_body(content = serde_json::Value,
                 description = "`EnrollRequest`: {protocol, code, device_id}; see docs/sync-protocol.md"),
    responses(
        (status = 200, body = serde_json::Value,
         description = "`EnrollResponse`: {protocol, device_token, seller_id, seller_name, village}"),
        (status = 400, body = ApiError, description = "`code_mistyped`, `invalid_code`, `bad_request`, `unsupported_protocol`"),
        (status = 404, body = ApiError, description = "`code_unknown`"),
        (status = 409, body = ApiError, description = "`code_used`, `device_enrolled_elsewhere`"),
        (status = 413, body = ApiError, description = "`too_large`: an enrollment is a few hundred bytes"),
        (status = 410, body = ApiError, description = "`code_expired`"),
    )
)]
pub(crate) async fn enroll(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<EnrollResponse>, HttpError> {
    let body = read_bytes(&headers, body, state.limits.enroll_body_bytes).await?;
    check_protocol(&body)?;
    let request: EnrollBody = parse(&body)?;
    let code = CheckedCode::parse(&request.code).map_err(HttpError::Invalid)?;
    let token = new_device_token();
    let enrollment = Enrollment {
        code: code_hash(&code),
        device: request.device_id,
        token: SecretHash::of(&token),
        now_ms: state.clock.now_ms(),
    };
    let store = state.store.clone();
    let seller = blocking(move || store.enroll(&enrollment)).await?;
    tracing::info!(device = %request.device_id, seller = %seller.id, "device enrolled");
    Ok(Json(EnrollResponse {
        protocol: PROTOCOL_VERSION,
        device_token: token,
        seller_id: seller.id.to_string(),
        seller_name: seller.name,
        village: seller.village,
    }))
}
