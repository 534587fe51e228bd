//! The buyer's staff console under `/console`: server-rendered HTML (maud),
//! one stylesheet, no JavaScript, in Chinese and English ([`i18n`]).
//!
//! It is another face of the `/v1` staff API, not another set of rules:
//! handlers read a form, call the same [`crate::Storage`] methods and
//! [`crate::admin`] functions, and render a page ([`pages`]). Sign-in uses
//! the API's session machinery ([`crate::http::staff::session::start`]), and
//! every page takes the same [`StaffAuth`] as the API, which also refuses a
//! cross-site POST.
//!
//! Templates are maud rather than askama: they are Rust, checked when the
//! hub compiles against the very types the handlers pass, escaped unless
//! marked otherwise, and there are no template files to ship or keep in step.
//!
//! Every form carries a CSRF token derived from the session: SHA-256 of the
//! session id under a fixed label. The session id is a 256-bit secret the
//! browser keeps in an `HttpOnly` cookie, so a page on another site can
//! neither read nor compute the token, and the hub stores nothing more. A
//! POST without the right token gets a 403 page and changes nothing.
//!
//! Lots ([`lots`]) are recorded through [`crate::trace::record`], as on the
//! command line, and their labels printed through highland-print.
//!
//! These routes are merged after the API's layers (see [`crate::app::app`]):
//! those turn every error response into JSON, and a console's error is a page.

mod chart;
mod devices;
mod i18n;
mod lots;
mod pages;
mod qr;
mod round_pages;
mod rounds;
mod workshop;

use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::NaiveDate;
use highland_domain::{
    Category, Description, DomainError, ListingId, ListingStatus, Money, OrderAction, OrderId,
    OrderState, PaymentMethod, PhotoSubject, Price, Quantity, Reason, ShortText, Unit,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub(crate) use i18n::Lang;
pub(crate) use pages::yuan;

use crate::admin::{self, NewSeller};
use crate::catalog::{Cursor, ListingQuery, SellerQuery};
use crate::http::page_headers::{PagePolicy, page_headers};
use crate::http::photos::{Caching, serve_named_file};
use crate::http::staff::session;
use crate::http::staff::{ClientAddr, Credential, StaffAuth};
use crate::http::{HttpError, blocking};
use crate::photos::{PhotoReader, PhotoView};
use crate::staff::{StaffMember, retry_after_secs};
use crate::{AppState, SellerId};
use highland_exchange::orders::{NewOrder, OrderError, OrderFilter};

const STYLESHEET: &str = include_str!("console.css");

/// The console's routes, with their state; [`crate::app::app`] merges them.
pub(crate) fn routes(state: AppState) -> Router {
    Router::new()
        .route("/console", get(home))
        .route("/console/", get(home))
        .route("/console/static/console.css", get(stylesheet))
        .route("/console/login", get(login_page).post(log_in))
        .route("/console/logout", post(log_out))
        .route("/console/listings", get(listings))
        .route("/console/listings/{id}", get(listing))
        .route("/console/listings/{id}/orders", post(place_order))
        .route("/console/photos/{file}", get(photo))
        .route("/console/sellers", get(sellers).post(add_seller))
        .route("/console/sellers/{id}/codes", post(new_code))
        .route("/console/sellers/{id}/devices", get(devices::page))
        .route(
            "/console/sellers/{id}/devices/{device}/revoke",
            post(devices::revoke),
        )
        .route("/console/orders", get(orders))
        .route("/console/orders/{id}", get(order))
        .route("/console/orders/{id}/{action}", post(act))
        .route("/console/orders/{id}/round", post(route_order))
        .route("/console/listings/{id}/weight", post(weigh_listing))
        .route("/console/rounds", get(rounds::list).post(rounds::create))
        .route("/console/rounds/costs", get(rounds::costs))
        .route("/console/rounds/{id}", get(rounds::round))
        .route("/console/rounds/{id}/{action}", post(rounds::act))
        .route(
            "/console/rounds/{id}/loading-sheet.pdf",
            get(rounds::loading_sheet),
        )
        .route("/console/lots", get(lots::list).post(lots::process))
        .route("/console/lots/labels.pdf", get(lots::labels))
        .route("/console/lots/{code}", get(lots::lot))
        .route("/console/lots/{code}/{step}", post(lots::record_about))
        .route("/console/workshop", get(workshop::page))
        .route("/console/workshop/network", post(workshop::switch_network))
        .route("/console/workshop/cards", post(workshop::print_cards))
        .layer(from_fn(language))
        .layer(from_fn_with_state(PagePolicy::console(), page_headers))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

// ---------------------------------------------------------------------------
// Language, the signed-in member, CSRF

/// Picks the page's language and, when `?lang=` chose it, remembers it in a
/// cookie for the next pages.
async fn language(mut request: Request, next: Next) -> Response {
    #[derive(Deserialize)]
    struct LangQuery {
        lang: Option<String>,
    }
    let from_query = Query::<LangQuery>::try_from_uri(request.uri())
        .ok()
        .and_then(|Query(q)| q.lang)
        .and_then(|l| Lang::parse(&l));
    let headers = request.headers();
    let from_cookie = cookie(headers, "lang").and_then(Lang::parse);
    let lang = from_query.or(from_cookie).unwrap_or_else(|| {
        Lang::from_accept_language(
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    });
    request.extensions_mut().insert(lang);
    let mut response = next.run(request).await;
    if let Some(lang) = from_query {
        let cookie = format!(
            "lang={}; Path=/console; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(value) = HeaderValue::try_from(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Lang>().copied().unwrap_or(Lang::Zh))
    }
}

/// A member of staff signed in to the console with a session, the CSRF
/// token of that session, and the page's language. Without a session the
/// request is sent to the login page.
pub(crate) struct Console {
    pub member: StaffMember,
    pub csrf: String,
    pub lang: Lang,
    /// The request's query without `lang` (see [`pages::Frame::query`]).
    pub query: String,
    /// Whether this hub runs a workshop (its page is in the menu).
    pub workshop: bool,
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or(Lang::Zh);
        match StaffAuth::from_request_parts(parts, state).await {
            Ok(StaffAuth {
                member,
                credential: Credential::Session,
            }) => {
                let session = state
                    .session_cookie
                    .find_in(&parts.headers)
                    .unwrap_or_default();
                let query = parts
                    .uri
                    .query()
                    .unwrap_or("")
                    .split('&')
                    .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
                    .collect::<Vec<_>>()
                    .join("&");
                Ok(Console {
                    member,
                    csrf: csrf_token(session),
                    lang,
                    query,
                    workshop: state.workshop,
                })
            }
            // A staff token, a device's token or no credential at all: the
            // console is signed in to with a session, so each is sent to sign in.
            Ok(_) | Err(HttpError::StaffUnauthorized(_) | HttpError::NotStaff) => {
                Err(Redirect::to("/console/login").into_response())
            }
            Err(e) => Err(error_page(lang, &e)),
        }
    }
}

impl Console {
    /// The 403 page for a form whose CSRF token is not this session's;
    /// `None` when it is.
    fn refuse_forged(&self, sent: &str) -> Option<Response> {
        let expected = self.csrf.as_bytes();
        let sent = sent.as_bytes();
        let same = expected.len() == sent.len()
            && expected
                .iter()
                .zip(sent)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same {
            None
        } else {
            tracing::warn!(staff = %self.member.id, "console form without its CSRF token");
            Some(pages::error(
                self.lang,
                StatusCode::FORBIDDEN,
                self.lang.t("error.csrf"),
            ))
        }
    }

    fn page(&self) -> pages::Frame<'_> {
        pages::Frame {
            lang: self.lang,
            staff: Some((&self.member.name, &self.csrf)),
            query: &self.query,
            workshop: self.workshop,
        }
    }
}

/// The CSRF token of a session: not the session id, and not usable to find it.
pub(crate) fn csrf_token(session_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"highland console csrf\0")
        .chain_update(session_id.as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An error as a page: the status of the API's error, a sentence in the
/// page's language. Internal errors are logged, never shown.
fn error_page(lang: Lang, error: &HttpError) -> Response {
    let (status, key) = match error {
        HttpError::CrossSite => (StatusCode::FORBIDDEN, "error.cross_site"),
        HttpError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "error.rate_limited"),
        HttpError::NotFound => (StatusCode::NOT_FOUND, "error.not_found"),
        other => {
            tracing::error!(error = ?other, "console request failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
        }
    };
    pages::error(lang, status, lang.t(key))
}

fn not_found(lang: Lang) -> Response {
    pages::error(lang, StatusCode::NOT_FOUND, lang.t("error.not_found"))
}

/// The sentence for an error a form's input caused, and its status.
fn refusal(lang: Lang, error: &OrderError) -> (StatusCode, String) {
    let status = match error {
        OrderError::Invalid(_) => StatusCode::BAD_REQUEST,
        OrderError::UnknownOrder(_) | OrderError::UnknownListing(_) => StatusCode::NOT_FOUND,
        OrderError::Hub(e) => {
            tracing::error!(error = %e, "console order action failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                lang.t("error.internal").to_owned(),
            );
        }
        _ => StatusCode::CONFLICT,
    };
    (status, sentence(lang, error.code(), &error.to_string()))
}

/// The console's words for an error code; in English, the rule's own
/// sentence, which says more.
fn sentence(lang: Lang, code: &str, english: &str) -> String {
    match (lang, i18n::error_key(code)) {
        (Lang::Zh, Some(key)) => lang.t(key).to_owned(),
        (Lang::En, Some(key)) if code == "order_transition_refused" => {
            format!("{} ({english})", lang.t(key))
        }
        (_, Some(key)) => lang.t(key).to_owned(),
        (_, None) => format!("{}: {english}", lang.t("error.refused")),
    }
}

fn invalid(lang: Lang, e: &DomainError) -> String {
    sentence(lang, e.code(), &e.to_string())
}

// ---------------------------------------------------------------------------
// Sign in and out

async fn home() -> Redirect {
    Redirect::to("/console/listings")
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
        .into_response()
}

async fn login_page(lang: Lang) -> Response {
    pages::login(lang, "", None).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    name: String,
    token: String,
}

async fn log_in(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !same_site(&headers) {
        return error_page(lang, &HttpError::CrossSite);
    }
    match session::start(&state, &form.name, &form.token, client).await {
        Ok(started) => (
            [(header::SET_COOKIE, started.set_cookie)],
            Redirect::to("/console/listings"),
        )
            .into_response(),
        Err(HttpError::LoginRefused) => (
            StatusCode::UNAUTHORIZED,
            pages::login(lang, &form.name, Some(lang.t("login.refused"))),
        )
            .into_response(),
        Err(HttpError::LoginThrottled { retry_after_ms }) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(
                header::RETRY_AFTER,
                retry_after_secs(retry_after_ms).to_string(),
            )],
            pages::login(lang, &form.name, Some(lang.t("login.throttled"))),
        )
            .into_response(),
        Err(e) => error_page(lang, &e),
    }
}

/// The login form has no session yet, so no CSRF token: it is refused when
/// the browser says another site sent it (the same rule [`StaffAuth`]
/// applies to session requests).
fn same_site(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (header("sec-fetch-site"), header("origin")) {
        (Some(site), _) => site == "same-origin" || site == "none",
        (None, Some(origin)) => {
            let host = origin.split_once("://").map(|(_, h)| h);
            host.is_some() && host == header("host")
        }
        (None, None) => true,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CsrfForm {
    csrf: String,
}

async fn log_out(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    match session::end(&state, &headers).await {
        Ok(cookie) => (
            [(header::SET_COOKIE, cookie)],
            Redirect::to("/console/login"),
        )
            .into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}

// ---------------------------------------------------------------------------
// Listings

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ListingFilter {
    pub village: String,
    pub category: String,
    pub status: String,
    pub cursor: String,
}

async fn listings(
    State(state): State<AppState>,
    console: Console,
    Query(filter): Query<ListingFilter>,
) -> Response {
    let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let query = ListingQuery {
        village: given(&filter.village),
        category: given(&filter.category).and_then(|c| c.parse::<Category>().ok()),
        status: given(&filter.status).and_then(|s| s.parse::<ListingStatus>().ok()),
        after: given(&filter.cursor).and_then(|c| Cursor::decode(&c).ok()),
        ..ListingQuery::default()
    };
    let store = state.store.clone();
    match blocking(move || store.catalog_listings(&query)).await {
        Ok(page) => pages::listings(console.page(), &filter, &page).into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}

/// What the order form holds: empty, or as the member typed it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct OrderForm {
    pub csrf: String,
    pub quantity: String,
    pub price: String,
    pub hand_over_by: String,
    pub note: String,
    /// The round and stop the order rides (`ROUND:STOP`); empty for none.
    pub round: String,
}

async fn listing(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<ListingId>() else {
        return not_found(console.lang);
    };
    match listing_with_photos(&state, id).await {
        Ok(Some((detail, photos, sales, rounds))) => {
            let form = OrderForm {
                price: Money::from_fen(detail.listing.price_fen)
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
                ..OrderForm::default()
            };
            let page = pages::ListingPage {
                detail: &detail,
                photos: &photos,
                sales: &sales,
                rounds: &rounds,
            };
            pages::listing(console.page(), &page, &form, None).into_response()
        }
        Ok(None) => not_found(console.lang),
        Err(e) => error_page(console.lang, &e),
    }
}

/// What a listing's page shows: the listing, its photos, its sales, and
/// the rounds an order for it may ride.
type ListingPage = (
    crate::catalog::ListingDetail,
    Vec<PhotoView>,
    Vec<crate::SaleView>,
    Vec<highland_domain::Round>,
);

async fn listing_with_photos(
    state: &AppState,
    id: ListingId,
) -> Result<Option<ListingPage>, HttpError> {
    let store = state.store.clone();
    blocking(move || {
        let Some(detail) = store.catalog_listing(id)? else {
            return Ok(None);
        };
        let photos = store.photos_of(PhotoSubject::Listing(id))?;
        let sales = store.listing_sales(id)?;
        let rounds = store.open_rounds()?;
        Ok(Some((detail, photos, sales, rounds)))
    })
    .await
}

/// A photo file of any listing, for the console's pages: the session's
/// cookie rides on the `<img>` requests, which a bearer token cannot.
async fn photo(
    State(state): State<AppState>,
    _console: Console,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_named_file(
        &state,
        &file,
        PhotoReader::Staff,
        &headers,
        Caching::Private,
    )
    .await
}

async fn place_order(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(form): Form<OrderForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let lang = console.lang;
    let Ok(listing_id) = id.parse::<ListingId>() else {
        return not_found(lang);
    };
    let (detail, photos, sales, rounds) = match listing_with_photos(&state, listing_id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(lang),
        Err(e) => return error_page(lang, &e),
    };
    let Ok(unit) = detail.listing.unit.parse::<Unit>() else {
        return error_page(lang, &HttpError::Internal("a listing's unit".into()));
    };
    let order = (|| {
        let hand_over_by = match form.hand_over_by.trim() {
            "" => None,
            date => Some(
                NaiveDate::parse_from_str(date, "%Y-%m-%d")
                    .map_err(|_| lang.t("error.invalid_date").to_owned())?,
            ),
        };
        let note = match form.note.trim() {
            "" => None,
            note => Some(Description::parse(note).map_err(|e| invalid(lang, &e))?),
        };
        Ok::<_, String>(NewOrder {
            id: OrderId::new(),
            listing_id,
            quantity: Quantity::parse(form.quantity.trim(), unit).map_err(|e| invalid(lang, &e))?,
            unit_price: Price::parse_yuan(form.price.trim()).map_err(|e| invalid(lang, &e))?,
            hand_over_by,
            note,
            round: round_pages::parse_choice(&form.round).map_err(|e| invalid(lang, &e))?,
        })
    })();
    // The form again, as typed, with what was wrong.
    let refused = |status: StatusCode, message: &str| {
        let page = pages::ListingPage {
            detail: &detail,
            photos: &photos,
            sales: &sales,
            rounds: &rounds,
        };
        (
            status,
            pages::listing(console.page(), &page, &form, Some(message)),
        )
            .into_response()
    };
    let order = match order {
        Ok(order) => order,
        Err(message) => return refused(StatusCode::BAD_REQUEST, &message),
    };
    let (store, now_ms, name) = (
        state.store.clone(),
        state.clock.now_ms(),
        console.member.name.clone(),
    );
    match order_work(move || store.place_order(&order, Some(&name), now_ms)).await {
        Ok(placed) => Redirect::to(&format!("/console/orders/{}", placed.order.id)).into_response(),
        Err(e) => {
            let (status, message) = refusal(lang, &e);
            refused(status, &message)
        }
    }
}

// ---------------------------------------------------------------------------
// Sellers

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SellerForm {
    pub csrf: String,
    pub name: String,
    pub village: String,
    pub phone: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageParams {
    cursor: String,
}

async fn sellers(
    State(state): State<AppState>,
    console: Console,
    Query(params): Query<PageParams>,
) -> Response {
    sellers_page(
        &state,
        &console,
        &params.cursor,
        &SellerForm::default(),
        None,
    )
    .await
}

async fn sellers_page(
    state: &AppState,
    console: &Console,
    cursor: &str,
    form: &SellerForm,
    message: Option<&str>,
) -> Response {
    let query = SellerQuery {
        after: Cursor::decode(cursor).ok(),
        ..SellerQuery::default()
    };
    let store = state.store.clone();
    match blocking(move || store.catalog_sellers(&query)).await {
        Ok(page) => {
            let status = if message.is_some() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (status, pages::sellers(console.page(), &page, form, message)).into_response()
        }
        Err(e) => error_page(console.lang, &e),
    }
}

async fn add_seller(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Form(form): Form<SellerForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let lang = console.lang;
    let new = (|| {
        let phone = match form.phone.trim() {
            "" => None,
            phone => Some(ShortText::parse(phone)?),
        };
        Ok::<_, DomainError>(NewSeller {
            name: ShortText::parse(&form.name)?,
            village: ShortText::parse(&form.village)?,
            phone,
        })
    })();
    let new = match new {
        Ok(new) => new,
        Err(e) => {
            return sellers_page(&state, &console, "", &form, Some(&invalid(lang, &e))).await;
        }
    };
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    match blocking(move || admin::add_seller(store.as_ref(), new, now_ms)).await {
        Ok(added) => {
            tracing::info!(seller = %added.seller_id, staff = %console.member.id, "seller added from the console");
            pages::code(
                console.page(),
                &added.name,
                &added.code,
                &admin::enrollment_text(Some(&state.public_base(&headers)), &added.code),
                &added.code_expires_at,
            )
            .into_response()
        }
        Err(e) => error_page(lang, &e),
    }
}

async fn new_code(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let Ok(seller) = id.parse::<SellerId>() else {
        return not_found(console.lang);
    };
    let (store, now_ms) = (state.store.clone(), state.clock.now_ms());
    match blocking(move || admin::issue_device_code(store.as_ref(), seller, now_ms)).await {
        Ok(issued) => pages::code(
            console.page(),
            &issued.name,
            &issued.code,
            &admin::enrollment_text(Some(&state.public_base(&headers)), &issued.code),
            &issued.code_expires_at,
        )
        .into_response(),
        Err(HttpError::Hub(crate::Error::UnknownSeller(_))) => not_found(console.lang),
        Err(e) => error_page(console.lang, &e),
    }
}

// ---------------------------------------------------------------------------
// Orders

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct OrderTab {
    pub state: String,
    pub cursor: String,
}

async fn orders(
    State(state): State<AppState>,
    console: Console,
    Query(tab): Query<OrderTab>,
) -> Response {
    let filter = OrderFilter {
        state: tab.state.parse::<OrderState>().ok(),
        after: tab.cursor.parse::<OrderId>().ok(),
        newest_first: true,
        ..OrderFilter::default()
    };
    let store = state.store.clone();
    match blocking(move || store.orders(&filter)).await {
        Ok(page) => pages::orders(console.page(), &tab, &page).into_response(),
        Err(e) => error_page(console.lang, &e),
    }
}

/// What an action's form holds, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct ActionForm {
    pub csrf: String,
    pub quantity: String,
    pub amount: String,
    pub method: String,
    pub reason: String,
    /// The round and stop to put the order on (`ROUND:STOP`), or empty.
    pub round: String,
}

/// An order with the rounds it may be put on.
async fn order_and_rounds(
    state: &AppState,
    id: OrderId,
) -> Result<Option<(crate::OrderDetail, Vec<highland_domain::Round>)>, HttpError> {
    let store = state.store.clone();
    blocking(move || {
        let Some(detail) = store.order(id)? else {
            return Ok(None);
        };
        Ok(Some((detail, store.open_rounds()?)))
    })
    .await
}

async fn order(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<OrderId>() else {
        return not_found(console.lang);
    };
    match order_and_rounds(&state, id).await {
        Ok(Some((detail, rounds))) => {
            pages::order(console.page(), &detail, &rounds, None).into_response()
        }
        Ok(None) => not_found(console.lang),
        Err(e) => error_page(console.lang, &e),
    }
}

async fn act(
    State(state): State<AppState>,
    console: Console,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let lang = console.lang;
    let Ok(id) = id.parse::<OrderId>() else {
        return not_found(lang);
    };
    let (detail, rounds) = match order_and_rounds(&state, id).await {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(lang),
        Err(e) => return error_page(lang, &e),
    };
    let Ok(unit) = detail.order.unit.parse::<Unit>() else {
        return error_page(lang, &HttpError::Internal("an order's unit".into()));
    };
    let parsed: Result<OrderAction, DomainError> = match action.as_str() {
        "hand-over" => Ok(OrderAction::HandOver),
        "receive" => Quantity::parse(form.quantity.trim(), unit)
            .map(|quantity| OrderAction::Receive { quantity }),
        "pay" => Money::parse_yuan(form.amount.trim()).and_then(|amount| {
            Ok(OrderAction::Pay {
                amount,
                method: form.method.parse::<PaymentMethod>()?,
            })
        }),
        "cancel" => Reason::parse(&form.reason).map(|reason| OrderAction::Cancel { reason }),
        _ => return not_found(lang),
    };
    let rejected = |status, message: String| {
        let kept = pages::Kept {
            action: &action,
            form: &form,
            message: &message,
        };
        (
            status,
            pages::order(console.page(), &detail, &rounds, Some(kept)),
        )
            .into_response()
    };
    let action_taken = match parsed {
        Ok(a) => a,
        Err(e) => return rejected(StatusCode::BAD_REQUEST, invalid(lang, &e)),
    };
    let (store, now_ms, name) = (
        state.store.clone(),
        state.clock.now_ms(),
        console.member.name.clone(),
    );
    match order_work(move || store.act_on_order(id, action_taken, Some(&name), now_ms)).await {
        Ok(_) => Redirect::to(&format!("/console/orders/{id}")).into_response(),
        Err(e) => {
            let (status, message) = refusal(lang, &e);
            rejected(status, message)
        }
    }
}

/// Puts an order on a round's stop, or takes it off any.
async fn route_order(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let lang = console.lang;
    let Ok(id) = id.parse::<OrderId>() else {
        return not_found(lang);
    };
    let done = match round_pages::parse_choice(&form.round) {
        Ok(to) => {
            let name = console.member.name.clone();
            rounds::round_work(&state, move |store, now| {
                store.route_order(id, to, Some(&name), now)
            })
            .await
        }
        Err(e) => Err(e.into()),
    };
    let message = match done {
        Ok(_) => return Redirect::to(&format!("/console/orders/{id}")).into_response(),
        Err(e) if e.is_missing() => return not_found(lang),
        Err(e) => sentence(lang, e.code(), &e.to_string()),
    };
    match order_and_rounds(&state, id).await {
        Ok(Some((detail, rounds))) => {
            let kept = pages::Kept {
                action: "round",
                form: &form,
                message: &message,
            };
            let page = pages::order(console.page(), &detail, &rounds, Some(kept));
            (StatusCode::CONFLICT, page).into_response()
        }
        Ok(None) => not_found(lang),
        Err(e) => error_page(lang, &e),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WeightForm {
    csrf: String,
    /// In kg; empty forgets it.
    weight: String,
}

/// Sets what one unit of a listing weighs (a jar, a bag).
async fn weigh_listing(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(form): Form<WeightForm>,
) -> Response {
    if let Some(refused) = console.refuse_forged(&form.csrf) {
        return refused;
    }
    let lang = console.lang;
    let Ok(listing_id) = id.parse::<ListingId>() else {
        return not_found(lang);
    };
    let weight = match form.weight.trim() {
        "" => Ok(None),
        typed => highland_domain::Weight::parse_kg(typed).map(Some),
    };
    let done = match weight {
        Ok(weight) => {
            let name = console.member.name.clone();
            rounds::round_work(&state, move |store, now| {
                store.weigh_listing(listing_id, weight, Some(&name), now)
            })
            .await
        }
        Err(e) => Err(e.into()),
    };
    let message = match done {
        Ok(_) => {
            return Redirect::to(&format!("/console/listings/{listing_id}")).into_response();
        }
        Err(e) if e.is_missing() => return not_found(lang),
        Err(e) => sentence(lang, e.code(), &e.to_string()),
    };
    match listing_with_photos(&state, listing_id).await {
        Ok(Some((detail, photos, sales, rounds))) => {
            let page = pages::ListingPage {
                detail: &detail,
                photos: &photos,
                sales: &sales,
                rounds: &rounds,
            };
            let form = OrderForm::default();
            let body = pages::listing_weighed(console.page(), &page, &form, &message);
            (StatusCode::BAD_REQUEST, body).into_response()
        }
        Ok(None) => not_found(lang),
        Err(e) => error_page(lang, &e),
    }
}

/// Runs an order's storage work off the async runtime, keeping its error.
async fn order_work<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, OrderError> + Send + 'static,
) -> Result<T, OrderError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(OrderError::Hub(crate::Error::Io(std::io::Error::other(
            format!("storage task failed: {e}"),
        ))))
    })
}
