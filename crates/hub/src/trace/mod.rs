//! The public trace page: what a buyer sees after scanning the QR code on a
//! jar, or typing the code printed beside it, at `/t/{code}`.
//!
//! Public and read-only: no sign-in, no cookies, no JavaScript, one small
//! page (inline styles) for a slow phone link, in the language the phone
//! asks for (Chinese, Tibetan or English). It shows the lot's origin as its
//! seller recorded it and the products made from it, never the seller's
//! name or phone. A code that is mistyped or unknown gets a page that says
//! so in words, with a 404.

mod page;
mod words;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use highland_domain::TraceCode;
use serde::{Deserialize, Serialize};
use tower_http::compression::CompressionLayer;

use crate::AppState;
use crate::catalog::LotView;
use crate::http::blocking;
pub(crate) use words::Lang;

/// A lot as the trace page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceView {
    pub code: TraceCode,
    pub lot: LotView,
    pub listings: Vec<TraceListing>,
}

/// A product made from the lot, by the name its seller gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceListing {
    pub title: String,
}

pub(crate) fn routes(state: AppState) -> Router {
    Router::new()
        .route("/t/{code}", get(trace_page))
        .layer(CompressionLayer::new())
        .with_state(state)
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn trace_page(
    State(state): State<AppState>,
    Path(typed): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        });
    let Ok(code) = TraceCode::parse(&typed) else {
        return answer(StatusCode::NOT_FOUND, page::mistyped(lang, &typed));
    };
    let store = state.store.clone();
    let found = {
        let code = code.clone();
        blocking(move || store.trace_lot(&code)).await
    };
    match found {
        Ok(Some(view)) => answer(StatusCode::OK, page::lot(lang, &view)),
        Ok(None) => answer(StatusCode::NOT_FOUND, page::unknown(lang, &code)),
        Err(_) => answer(StatusCode::SERVICE_UNAVAILABLE, page::unavailable(lang)),
    }
}

fn answer(status: StatusCode, html: maud::Markup) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // A lot's page changes only as its chain grows; a few minutes
            // of caching spares a slow link a second download.
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::VARY, "Accept-Language"),
        ],
        html,
    )
        .into_response()
}
