//! `/v1/rounds`: staff plan collection rounds, move them on, record loads
//! at a stop and the trip's cost; `/v1/orders/{id}/round` puts an order on
//! a round; `/v1/listings/{id}/weight` weighs a unit of a listing. Thin:
//! each handler reads its request into domain values and calls one
//! [`crate::Storage`] method, whose rules are in [`highland_exchange::rounds`].

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use highland_domain::round::parse_time;
use highland_domain::wire::HubErrorCode;
use highland_domain::{
    ListingId, Money, OrderId, Quantity, RoundCost, RoundId, RoundState, ShortText, StopId, Unit,
    Weight,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{parsed, query};
use crate::http::body::read_body;
use crate::http::openapi::ApiError;
use crate::http::staff::StaffAuth;
use crate::http::{HttpError, blocking};
use crate::views::{ListingView, OrderDetail};
use crate::{AppState, Storage};
use highland_exchange::rounds::costs::CostReport;
use highland_exchange::rounds::view::RoundDetail;
use highland_exchange::rounds::{LoadEntry, PlannedStop, RoundChoice, RoundError, RoundPlan};

/// A round's plan as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanBody {
    /// A UUID the client makes when creating, so that a retry after a lost
    /// answer is recognised (409 `round_exists`). The hub makes one when
    /// absent. Not allowed when editing.
    #[schema(value_type = Option<String>)]
    id: Option<RoundId>,
    /// The day of the trip, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    date: NaiveDate,
    /// The truck, as staff name it: one line, up to 100 characters.
    vehicle: String,
    /// What the truck carries, in grams.
    capacity_g: i64,
    /// In the order the truck makes them.
    stops: Vec<StopBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StopBody {
    /// When editing: the stop's id, so the orders on it stay on it. A stop
    /// without one keeps the id of the stop at the same place, if any.
    #[schema(value_type = Option<String>)]
    id: Option<StopId>,
    /// A village or a named collection point.
    place: String,
    /// `HH:MM`, China Standard Time.
    expected_at: String,
}

impl PlanBody {
    fn plan(&self) -> Result<RoundPlan, HttpError> {
        let stops = self
            .stops
            .iter()
            .map(|s| {
                Ok::<_, HttpError>(PlannedStop {
                    id: s.id,
                    place: ShortText::parse(&s.place)?,
                    expected_at: parse_time(&s.expected_at)?,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(RoundPlan {
            date: self.date,
            vehicle: ShortText::parse(&self.vehicle)?,
            capacity: Weight::from_grams(self.capacity_g)?,
            stops,
        })
    }
}

/// Runs a round's storage work off the async runtime.
async fn round_work<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&dyn Storage, u64) -> Result<T, RoundError> + Send + 'static,
) -> Result<T, HttpError> {
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    Ok(blocking(move || Ok(work(store.as_ref(), now_ms))).await??)
}

/// Plan a collection round: a day, a truck and its capacity, and its stops.
#[utoipa::path(
    post,
    path = "/v1/rounds",
    tag = "rounds",
    operation_id = "plan_round",
    request_body = PlanBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 201, body = RoundDetail, description = "Planned",
         headers(("location" = String, description = "/v1/rounds/{id}"))),
        (status = 400, body = ApiError,
         description = "`bad_request`, `invalid_time`, `no_stops`, `too_many_stops`, `stop_repeated`, `stops_out_of_order`, `not_positive`, `empty`, `too_long`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 409, body = ApiError, description = "`round_exists`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    _staff: StaffAuth,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HttpError> {
    let request: PlanBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let plan = request.plan()?;
    let id = request.id.unwrap_or_default();
    let round = round_work(&state, move |store, now| store.plan_round(id, &plan, now)).await?;
    let location = HeaderValue::try_from(format!("/v1/rounds/{}", round.id))
        .map_err(|e| HttpError::Internal(format!("location: {e}")))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(round),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RoundParams {
    /// Only rounds on or after this day, `YYYY-MM-DD`.
    from: Option<String>,
}

/// A list of rounds.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct RoundList {
    items: Vec<RoundDetail>,
}

/// The most recent rounds (at most 200), newest first, with their loads.
#[utoipa::path(
    get,
    path = "/v1/rounds",
    tag = "rounds",
    operation_id = "list_rounds",
    params(RoundParams),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = RoundList),
        (status = 400, body = ApiError, description = "`invalid_date`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    _staff: StaffAuth,
    uri: Uri,
) -> Result<Json<RoundList>, HttpError> {
    let params: RoundParams = query(&uri)?;
    let from = parsed(params.from, |d| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| HttpError::InvalidParameter {
            code: HubErrorCode::InvalidDate,
            message: format!("{d:?} is not a date such as 2026-10-15"),
        })
    })?;
    let store = state.store.clone();
    let items = blocking(move || store.rounds(from, 200)).await?;
    Ok(Json(RoundList { items }))
}

/// One round, stop by stop and order by order, with its loads.
#[utoipa::path(
    get,
    path = "/v1/rounds/{id}",
    tag = "rounds",
    operation_id = "round",
    params(("id" = String, Path, description = "The round's id")),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 400, body = ApiError, description = "`invalid_id`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_round`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    _staff: StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<RoundDetail>, HttpError> {
    let id: RoundId = id.parse()?;
    let store = state.store.clone();
    blocking(move || store.round(id))
        .await?
        .map(Json)
        .ok_or(HttpError::Round(RoundError::UnknownRound(id)))
}

/// Replace an open round's plan; its sellers hear on their next sync.
#[utoipa::path(
    put,
    path = "/v1/rounds/{id}",
    tag = "rounds",
    operation_id = "edit_round",
    params(("id" = String, Path, description = "The round's id")),
    request_body = PlanBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 400, body = ApiError,
         description = "`bad_request`, `invalid_id`, `invalid_time`, `no_stops`, `stop_repeated`, `stops_out_of_order`…"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_round`"),
        (status = 409, body = ApiError, description = "`round_closed`, `unknown_stop`, `stop_has_orders`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn edit(
    State(state): State<AppState>,
    _staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<RoundDetail>, HttpError> {
    let id: RoundId = id.parse()?;
    let request: PlanBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    if request.id.is_some_and(|sent| sent != id) {
        return Err(HttpError::BadRequest(
            "the body names another round than the address".into(),
        ));
    }
    let plan = request.plan()?;
    let round = round_work(&state, move |store, now| store.edit_round(id, &plan, now)).await?;
    Ok(Json(round))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoveBody {
    /// loading, on-the-road, done, or cancelled.
    state: String,
}

/// Move a round on (planned → loading → on the road → done) or cancel it.
#[utoipa::path(
    post,
    path = "/v1/rounds/{id}/state",
    tag = "rounds",
    operation_id = "move_round",
    params(("id" = String, Path, description = "The round's id")),
    request_body = MoveBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 400, body = ApiError, description = "`invalid_id`, `unknown_choice`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_round`"),
        (status = 409, body = ApiError, description = "`round_move_refused`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn move_to(
    State(state): State<AppState>,
    _staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<RoundDetail>, HttpError> {
    let id: RoundId = id.parse()?;
    let request: MoveBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let to: RoundState = request.state.parse()?;
    let round = round_work(&state, move |store, now| store.move_round(id, to, now)).await?;
    Ok(Json(round))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CostBody {
    fuel_fen: i64,
    driver_fen: i64,
    tolls_fen: i64,
}

/// Record what a done round cost; the buyer's own, never sent to devices.
#[utoipa::path(
    post,
    path = "/v1/rounds/{id}/cost",
    tag = "rounds",
    operation_id = "record_round_cost",
    params(("id" = String, Path, description = "The round's id")),
    request_body = CostBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 400, body = ApiError, description = "`invalid_id`, `not_positive`, `too_large`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_round`"),
        (status = 409, body = ApiError, description = "`round_not_done`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn cost(
    State(state): State<AppState>,
    _staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<RoundDetail>, HttpError> {
    let id: RoundId = id.parse()?;
    let request: CostBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let cost = RoundCost {
        fuel: Money::from_fen(request.fuel_fen)?,
        driver: Money::from_fen(request.driver_fen)?,
        tolls: Money::from_fen(request.tolls_fen)?,
    };
    let round = round_work(&state, move |store, now| {
        store.record_round_cost(id, &cost, now)
    })
    .await?;
    Ok(Json(round))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoadsBody {
    /// The stop where these were loaded.
    #[schema(value_type = String)]
    stop_id: StopId,
    loads: Vec<LoadBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoadBody {
    #[schema(value_type = String)]
    order_id: OrderId,
    /// In the order's base unit (`quantity_unit`); it may differ from the order's.
    quantity: i64,
    /// What the scale said, in grams: needed unless the order is sold by weight.
    weight_g: Option<i64>,
}

/// Record what was loaded at a stop, all or none: each order is handed over.
#[utoipa::path(
    post,
    path = "/v1/rounds/{id}/loads",
    tag = "rounds",
    operation_id = "record_loads",
    params(("id" = String, Path, description = "The round's id")),
    request_body = LoadsBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = RoundDetail),
        (status = 400, body = ApiError,
         description = "`invalid_id`, `not_positive`, `weight_needed`, `unit_mismatch`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_round`, `unknown_order`"),
        (status = 409, body = ApiError,
         description = "`round_not_loading`, `unknown_stop`, `order_not_at_stop`, `order_not_loadable`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn loads(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<RoundDetail>, HttpError> {
    let id: RoundId = id.parse()?;
    let request: LoadsBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let name = staff.member.name;
    let round = round_work(&state, move |store, now| {
        let mut entries = Vec::with_capacity(request.loads.len());
        for load in &request.loads {
            let order = store
                .order(load.order_id)?
                .ok_or(RoundError::UnknownOrder(load.order_id))?;
            let unit: Unit = order.order.unit.parse()?;
            entries.push(LoadEntry {
                order: load.order_id,
                quantity: Quantity::from_base(load.quantity, unit)?,
                weight: load.weight_g.map(Weight::from_grams).transpose()?,
            });
        }
        store.load_at_stop(id, request.stop_id, &entries, Some(&name), now)
    })
    .await?;
    Ok(Json(round))
}

/// What each kilogram carried cost, per done round and per village, oldest first.
#[utoipa::path(
    get,
    path = "/v1/rounds/costs",
    tag = "rounds",
    operation_id = "round_costs",
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = CostReport),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn costs(
    State(state): State<AppState>,
    _staff: StaffAuth,
) -> Result<Json<CostReport>, HttpError> {
    let store = state.store.clone();
    Ok(Json(blocking(move || store.round_costs()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RouteBody {
    /// A planned or loading round.
    #[schema(value_type = String)]
    round_id: RoundId,
    /// Its stop; without one, the stop at the seller's village.
    #[schema(value_type = Option<String>)]
    stop_id: Option<StopId>,
}

/// Put a placed or accepted order on a round, or move it to another.
#[utoipa::path(
    post,
    path = "/v1/orders/{id}/round",
    tag = "rounds",
    operation_id = "route_order",
    params(("id" = String, Path, description = "The order's id")),
    request_body = RouteBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError, description = "`invalid_id`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`, `unknown_round`"),
        (status = 409, body = ApiError,
         description = "`order_not_routable`, `round_closed`, `unknown_stop`, `no_stop_for_village`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn route(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let request: RouteBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let to = RoundChoice {
        round: request.round_id,
        stop: request.stop_id,
    };
    let name = staff.member.name;
    let order = round_work(&state, move |store, now| {
        store.route_order(id, Some(to), Some(&name), now)
    })
    .await?;
    Ok(Json(order))
}

/// Take an order off its round.
#[utoipa::path(
    delete,
    path = "/v1/orders/{id}/round",
    tag = "rounds",
    operation_id = "take_order_off_round",
    params(("id" = String, Path, description = "The order's id")),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError, description = "`invalid_id`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`"),
        (status = 409, body = ApiError, description = "`order_not_routable`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn unroute(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let name = staff.member.name;
    let order = round_work(&state, move |store, now| {
        store.route_order(id, None, Some(&name), now)
    })
    .await?;
    Ok(Json(order))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WeightBody {
    /// What one unit (a jar, a bag, a litre) weighs, in grams; null or
    /// absent to forget it.
    weight_per_unit_g: Option<i64>,
}

/// Set what one unit of a listing not sold by weight weighs; its seller's devices get it too.
#[utoipa::path(
    put,
    path = "/v1/listings/{id}/weight",
    tag = "rounds",
    operation_id = "weigh_listing",
    params(("id" = String, Path, description = "The listing's id")),
    request_body = WeightBody,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = ListingView),
        (status = 400, body = ApiError,
         description = "`invalid_id`, `not_positive`, `weight_not_needed`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_listing`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn weigh(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ListingView>, HttpError> {
    let id: ListingId = id.parse()?;
    let request: WeightBody = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let weight = request
        .weight_per_unit_g
        .map(Weight::from_grams)
        .transpose()?;
    let name = staff.member.name;
    let listing = round_work(&state, move |store, now| {
        store.weigh_listing(id, weight, Some(&name), now)
    })
    .await?;
    Ok(Json(listing))
}
