//! `/v1/orders`: staff place orders and record hand-over, receipt, payment
//! and cancellation. Thin: each handler reads its request into domain
//! values and calls one [`crate::Storage`] method, whose rules are in
//! [`highland_exchange::orders`]; the member of staff is named in the order's history.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use highland_domain::{
    Description, ListingId, Money, OrderAction, OrderId, OrderState, PaymentMethod, Price,
    Quantity, Reason, RoundId, StopId, Unit,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::{page_size, parsed, query};
use crate::http::body::read_body;
use crate::http::openapi::ApiError;
use crate::http::staff::StaffAuth;
use crate::http::{HttpError, blocking};
use crate::views::{OrderDetail, OrderView};
use crate::{AppState, SellerId};
use highland_domain::wire::HubErrorCode;
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};
use highland_exchange::rounds::RoundChoice;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlaceOrder {
    /// A UUID the client makes, so that a retry after a lost answer is
    /// recognised (409 `order_exists`) rather than placed twice. The hub
    /// makes one when absent.
    #[schema(value_type = Option<String>)]
    id: Option<OrderId>,
    #[schema(value_type = String)]
    listing_id: ListingId,
    /// In the listing's base unit (its `stock_unit`): grams for a listing
    /// sold by the kg or jin, millilitres, or a count of jars, pieces, bags.
    quantity: i64,
    /// The price per unit of the listing (per kg, per jar), in fen.
    price_fen: i64,
    /// The day the buyer wants the goods handed over by, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    hand_over_by: Option<NaiveDate>,
    /// A note for the seller.
    note: Option<String>,
    /// A planned or loading collection round for the order to ride.
    #[schema(value_type = Option<String>)]
    round_id: Option<RoundId>,
    /// The round's stop the seller brings it to; without one, the stop at
    /// the seller's village (409 `no_stop_for_village` when it has none).
    #[schema(value_type = Option<String>)]
    stop_id: Option<StopId>,
}

/// Place an order for a listing; its seller's devices receive it on their next sync.
#[utoipa::path(
    post,
    path = "/v1/orders",
    tag = "orders",
    request_body = PlaceOrder,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 201, body = OrderDetail, description = "Placed",
         headers(("location" = String, description = "/v1/orders/{id}"))),
        (status = 400, body = ApiError,
         description = "`bad_request`, `not_positive`, `too_large`, `too_long`, `invalid_quantity`…"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_listing`, `unknown_round`"),
        (status = 409, body = ApiError,
         description = "`order_exists`, `listing_not_open`, `round_closed`, `unknown_stop`, `no_stop_for_village`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn place(
    State(state): State<AppState>,
    staff: StaffAuth,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HttpError> {
    let request: PlaceOrder = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let listing_id = request.listing_id;
    let store = state.store.clone();
    let listing = blocking(move || store.listing(listing_id))
        .await?
        .ok_or(HttpError::Order(OrderError::UnknownListing(listing_id)))?;
    let unit: Unit = listing
        .unit
        .parse()
        .map_err(|e| HttpError::Internal(format!("listing {listing_id} has unit {e}")))?;
    let order = NewOrder {
        // A new id (UUIDv7) when the client sent none.
        id: request.id.unwrap_or_default(),
        listing_id,
        quantity: Quantity::from_base(request.quantity, unit)?,
        unit_price: Price::from_fen(request.price_fen)?,
        hand_over_by: request.hand_over_by,
        note: request
            .note
            .as_deref()
            .map(Description::parse)
            .transpose()?,
        round: request.round_id.map(|round| RoundChoice {
            round,
            stop: request.stop_id,
        }),
    };
    let (store, now_ms, name) = (state.store.clone(), state.clock.now_ms(), staff.member.name);
    let placed = blocking(move || Ok(store.place_order(&order, Some(&name), now_ms))).await??;
    let location = HeaderValue::try_from(format!("/v1/orders/{}", placed.order.id))
        .map_err(|e| HttpError::Internal(format!("location: {e}")))?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(placed),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct OrderParams {
    /// Only orders in this state: placed, accepted, declined, handed-over,
    /// received, paid or cancelled.
    state: Option<String>,
    /// Only this seller's orders.
    seller: Option<String>,
    /// Only orders for this listing.
    listing: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50); more is a 400 `invalid_limit`.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A page of orders.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct OrderList {
    items: Vec<OrderView>,
    /// Pass as `cursor` for the next page; null on the last page.
    next_cursor: Option<String>,
}

/// Orders with their states, newest first.
#[utoipa::path(
    get,
    path = "/v1/orders",
    tag = "orders",
    params(OrderParams),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderList),
        (status = 400, body = ApiError,
         description = "`unknown_choice` (state), `invalid_id`, `invalid_limit`, `invalid_cursor`, `bad_request`"),
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
) -> Result<Json<OrderList>, HttpError> {
    let params: OrderParams = query(&uri)?;
    let filter = OrderFilter {
        state: parsed(params.state, str::parse::<OrderState>)?,
        seller: parsed(params.seller, str::parse::<SellerId>)?,
        listing: parsed(params.listing, str::parse::<ListingId>)?,
        after: parsed(params.cursor, |c| {
            c.parse::<OrderId>()
                .map_err(|_| HttpError::InvalidParameter {
                    code: HubErrorCode::InvalidCursor,
                    message: format!(
                        "{c:?} is not a cursor this hub made; start from the first page"
                    ),
                })
        })?,
        limit: page_size(params.limit)?.get() as usize,
        newest_first: true,
    };
    let store = state.store.clone();
    let page = blocking(move || store.orders(&filter)).await?;
    Ok(Json(OrderList {
        items: page.orders,
        next_cursor: page.next_after,
    }))
}

/// One order with its history.
#[utoipa::path(
    get,
    path = "/v1/orders/{id}",
    tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError, description = "`invalid_id`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn one(
    State(state): State<AppState>,
    _staff: StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let store = state.store.clone();
    blocking(move || store.order(id))
        .await?
        .map(Json)
        .ok_or(HttpError::Order(OrderError::UnknownOrder(id)))
}

/// Records a staff action and answers with the order as it now is.
async fn act(
    state: &AppState,
    staff: StaffAuth,
    id: OrderId,
    action: OrderAction,
) -> Result<Json<OrderDetail>, HttpError> {
    let (store, now_ms, name) = (state.store.clone(), state.clock.now_ms(), staff.member.name);
    let detail =
        blocking(move || Ok(store.act_on_order(id, action, Some(&name), now_ms))).await??;
    Ok(Json(detail))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordHandOver {}

/// Record that the seller handed the goods over (when the seller's device did not).
#[utoipa::path(
    post,
    path = "/v1/orders/{id}/hand-over",
    tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    request_body(content = RecordHandOver, description = "An empty object, or no body"),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError, description = "`invalid_id`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`"),
        (status = 409, body = ApiError, description = "`order_transition_refused`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn hand_over(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let bytes = axum::body::to_bytes(body, state.limits.api_body_bytes)
        .await
        .map_err(|_| HttpError::TooLarge)?;
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        let _: RecordHandOver =
            read_body(&headers, Body::from(bytes), state.limits.api_body_bytes).await?;
    }
    act(&state, staff, id, OrderAction::HandOver).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordReceipt {
    /// What the buyer received, in the order's base unit (`quantity_unit`);
    /// it may differ from the quantity ordered. The receipt records the
    /// sale, at the order's price.
    quantity: i64,
}

/// Record what the buyer received.
#[utoipa::path(
    post,
    path = "/v1/orders/{id}/receipt",
    tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    request_body = RecordReceipt,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError, description = "`invalid_id`, `not_positive`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`"),
        (status = 409, body = ApiError, description = "`order_transition_refused`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn receipt(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let request: RecordReceipt = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let store = state.store.clone();
    let order = blocking(move || store.order(id))
        .await?
        .ok_or(HttpError::Order(OrderError::UnknownOrder(id)))?;
    let unit: Unit = order
        .order
        .unit
        .parse()
        .map_err(|e| HttpError::Internal(format!("order {id} has unit {e}")))?;
    let quantity = Quantity::from_base(request.quantity, unit)?;
    act(&state, staff, id, OrderAction::Receive { quantity }).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordPayment {
    amount_fen: i64,
    /// cash, wechat, alipay, bank or other.
    method: String,
}

/// Record that the buyer paid for a received order.
#[utoipa::path(
    post,
    path = "/v1/orders/{id}/payment",
    tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    request_body = RecordPayment,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError,
         description = "`invalid_id`, `not_positive`, `invalid_money`, `unknown_choice` (method), `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`"),
        (status = 409, body = ApiError, description = "`order_transition_refused`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn payment(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let request: RecordPayment = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let action = OrderAction::Pay {
        amount: Money::from_fen(request.amount_fen)?,
        method: request.method.parse::<PaymentMethod>()?,
    };
    act(&state, staff, id, action).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecordCancellation {
    /// Why, for the seller: one line, up to 200 characters.
    reason: String,
}

/// Cancel an order that is placed or accepted.
#[utoipa::path(
    post,
    path = "/v1/orders/{id}/cancellation",
    tag = "orders",
    params(("id" = String, Path, description = "The order's id")),
    request_body = RecordCancellation,
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = OrderDetail),
        (status = 400, body = ApiError, description = "`invalid_id`, `empty`, `too_long`, `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_order`"),
        (status = 409, body = ApiError, description = "`order_transition_refused`"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn cancellation(
    State(state): State<AppState>,
    staff: StaffAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<OrderDetail>, HttpError> {
    let id: OrderId = id.parse()?;
    let request: RecordCancellation =
        read_body(&headers, body, state.limits.api_body_bytes).await?;
    let action = OrderAction::Cancel {
        reason: Reason::parse(&request.reason)?,
    };
    act(&state, staff, id, action).await
}
