//! `GET /v1/listings`, `GET /v1/listings/{id}`, `GET /v1/sellers`: what the
//! buyer's staff read across villages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use highland_domain::{Category, DomainError, ListingId, ListingStatus};
use serde::Deserialize;
use utoipa::IntoParams;

use super::params::{cursor, given, page_size, parsed, query};
use crate::AppState;
use crate::catalog::{ListingDetail, ListingPage, ListingQuery, SellerPage, SellerQuery};
use crate::http::openapi::ApiError;
use crate::http::staff::StaffAuth;
use crate::http::{HttpError, blocking};

impl From<DomainError> for HttpError {
    fn from(e: DomainError) -> Self {
        HttpError::Invalid(e)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListingParams {
    /// Only listings of sellers in this village, written exactly as when
    /// the seller was added.
    village: Option<String>,
    /// Only this category: yak-meat, yak-butter, yak-cheese, honey,
    /// matsutake, other-mushrooms, cordyceps, highland-barley, walnuts,
    /// medicinal-herbs, handicrafts or other.
    category: Option<String>,
    /// Only this status: draft, listed, sold-out or archived.
    status: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50); more is a 400 `invalid_limit`.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// Every village's listings, newest first, with their sellers.
#[utoipa::path(
    get,
    path = "/v1/listings",
    tag = "catalog",
    params(ListingParams),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = ListingPage),
        (status = 400, body = ApiError,
         description = "`unknown_category`, `unknown_choice` (status), `invalid_limit`, \
                        `invalid_cursor` or `bad_request` (an unknown parameter)"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn listings(
    State(state): State<AppState>,
    _staff: StaffAuth,
    uri: Uri,
) -> Result<Json<ListingPage>, HttpError> {
    let params: ListingParams = query(&uri)?;
    let query = ListingQuery {
        village: given(params.village),
        category: parsed(params.category, str::parse::<Category>)?,
        status: parsed(params.status, str::parse::<ListingStatus>)?,
        after: cursor(params.cursor)?,
        size: page_size(params.limit)?,
    };
    let store = state.store.clone();
    let page = blocking(move || store.catalog_listings(&query)).await?;
    Ok(Json(page.into()))
}

/// One listing with its seller and its lot.
#[utoipa::path(
    get,
    path = "/v1/listings/{id}",
    tag = "catalog",
    params(("id" = String, Path, description = "The listing's id")),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = ListingDetail),
        (status = 400, body = ApiError, description = "`invalid_id`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 404, body = ApiError, description = "`unknown_listing`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn listing(
    State(state): State<AppState>,
    _staff: StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<ListingDetail>, HttpError> {
    let listing: ListingId = id.parse()?;
    let store = state.store.clone();
    blocking(move || store.catalog_listing(listing))
        .await?
        .map(Json)
        .ok_or(HttpError::UnknownListing(id))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SellerParams {
    /// Only sellers in this village, written exactly as when they were added.
    village: Option<String>,
    /// The previous page's `next_cursor`.
    cursor: Option<String>,
    /// Items per page, 1 to 200 (default 50); more is a 400 `invalid_limit`.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// The sellers, newest first, with how many devices and listings each has.
#[utoipa::path(
    get,
    path = "/v1/sellers",
    tag = "catalog",
    params(SellerParams),
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = SellerPage),
        (status = 400, body = ApiError, description = "`invalid_limit`, `invalid_cursor` or `bad_request`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn sellers(
    State(state): State<AppState>,
    _staff: StaffAuth,
    uri: Uri,
) -> Result<Json<SellerPage>, HttpError> {
    let params: SellerParams = query(&uri)?;
    let query = SellerQuery {
        village: given(params.village),
        after: cursor(params.cursor)?,
        size: page_size(params.limit)?,
    };
    let store = state.store.clone();
    let page = blocking(move || store.catalog_sellers(&query)).await?;
    Ok(Json(page.into()))
}
