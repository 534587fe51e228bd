//! `/v1/workshop/network`: the class-wide network switch of a workshop
//! hub. Tablets read it (with their device token) and shape their own link
//! to match; the trainer sets it (with a staff token or the console). A
//! hub that is not running a workshop answers 404 `not_found`, which tells
//! a tablet there is nothing to follow.

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use highland_domain::SimulatedNetwork;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::body::read_body;
use crate::http::openapi::ApiError;
use crate::http::photos::Downloader;
use crate::http::staff::StaffAuth;
use crate::http::{HttpError, blocking};
use crate::workshop::network::{self, NetworkSwitch};

/// An enrolled device or a member of staff: the class and its trainer.
pub(crate) struct ClassMember;

impl FromRequestParts<AppState> for ClassMember {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        // A photo's downloader is exactly that: a device or staff.
        Downloader::from_request_parts(parts, state).await?;
        Ok(ClassMember)
    }
}

fn workshop_only(state: &AppState) -> Result<(), HttpError> {
    if state.workshop {
        Ok(())
    } else {
        Err(HttpError::NotFound)
    }
}

/// The network the trainer has switched the class to.
#[utoipa::path(
    get,
    path = "/v1/workshop/network",
    tag = "workshop",
    security(("device_token" = []), ("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = NetworkSwitch, description = "The class's network; `network` null when not switched"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`device_revoked`"),
        (status = 404, body = ApiError, description = "`not_found`: this hub is not running a workshop"),
    )
)]
pub(crate) async fn network_now(
    State(state): State<AppState>,
    _member: ClassMember,
) -> Result<Json<NetworkSwitch>, HttpError> {
    workshop_only(&state)?;
    let store = state.store.clone();
    Ok(Json(
        blocking(move || network::network(store.as_ref())).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SwitchNetwork {
    /// `offline`, `mountain_2g`, `3g` or `good`; null puts every tablet back
    /// on its real link.
    #[schema(value_type = Option<String>, example = "mountain_2g")]
    network: Option<SimulatedNetwork>,
}

/// Switch every tablet of the class to a simulated network.
#[utoipa::path(
    put,
    path = "/v1/workshop/network",
    tag = "workshop",
    request_body = SwitchNetwork,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = NetworkSwitch, description = "Switched; tablets follow within seconds"),
        (status = 400, body = ApiError, description = "`bad_request`: not one of the networks"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`not_found`: this hub is not running a workshop"),
    )
)]
pub(crate) async fn switch_network(
    State(state): State<AppState>,
    _staff: StaffAuth,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<NetworkSwitch>, HttpError> {
    workshop_only(&state)?;
    let request: SwitchNetwork = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    Ok(Json(
        blocking(move || network::set_network(store.as_ref(), request.network, now_ms)).await?,
    ))
}
