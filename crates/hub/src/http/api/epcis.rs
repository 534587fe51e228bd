//! `GET /v1/epcis/events?lot=CODE`: a lot's whole chain as an EPCIS 2.0
//! JSON-LD document (written by [`crate::epcis`]), for the buyer's systems
//! and for regulators.

use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::query;
use crate::AppState;
use crate::http::openapi::ApiError;
use crate::http::staff::StaffAuth;
use crate::http::{HttpError, blocking};
use crate::trace::record::lot_code;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EpcisParams {
    /// The lot's trace code, as on its label (K7QM-4XRP-Y2AB-C, with or
    /// without dashes), or its id.
    lot: String,
}

/// A lot's chain, back to the village harvests, as EPCIS 2.0 events.
#[utoipa::path(
    get,
    path = "/v1/epcis/events",
    tag = "trace",
    params(EpcisParams),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, content_type = "application/ld+json", body = serde_json::Value,
         description = "An EPCISDocument: harvests as commissioning ObjectEvents, \
                        processing as TransformationEvents, inspections with a conformant \
                        or non_conformant disposition, receiving and shipping with their order"),
        (status = 400, body = ApiError,
         description = "`invalid_code`, `code_mistyped` or `bad_request` (no `lot`)"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_lot`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn events(
    State(state): State<AppState>,
    _staff: StaffAuth,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, HttpError> {
    let params: EpcisParams = query(&uri)?;
    let code = lot_code(&params.lot)?;
    let base = state.public_base(&headers);
    let created = chrono::DateTime::from_timestamp_millis(
        i64::try_from(state.clock.now_ms()).unwrap_or(i64::MAX),
    )
    .unwrap_or_default();
    let store = state.store.clone();
    let grouped = code.grouped();
    let chain = blocking(move || store.trace_chain(&code, None))
        .await?
        .ok_or(HttpError::Hub(crate::Error::UnknownLot(grouped)))?;
    let document = crate::epcis::document(&chain, &base, created);
    Ok((
        [(header::CONTENT_TYPE, "application/ld+json")],
        serde_json::to_string(&document)
            .map_err(|e| HttpError::Internal(format!("EPCIS document: {e}")))?,
    )
        .into_response())
}
