//! The public trace page: what a buyer sees after scanning the QR code on a
//! jar, or typing the code printed beside it, at `/t/{code}`.
//!
//! Public and read-only: no sign-in, no cookies, no JavaScript, one small
//! page (inline styles) for a slow phone link, in the language the phone
//! asks for (Chinese, Tibetan or English). It shows the lot's origin as its
//! seller recorded it and the products made from it, never the seller's
//! name or phone. A code that is mistyped or unknown gets a page that says
//! so in words, with a 404.

pub mod chain;
pub mod labels;
mod page;
pub mod record;
mod words;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use highland_domain::{Gtin, PhotoSubject, ProductLot, TraceCode};
use highland_label::trace_url;

use chain::{ChainLot, LotOrigin};
use serde::Deserialize;
use tower_http::compression::CompressionLayer;

use crate::AppState;
use crate::http::blocking;
pub(crate) use words::Lang;

/// The address a lot's QR code opens: its GS1 Digital Link when its product
/// has a GTIN, so that any GS1 scanner knows it, else the short `/t/` page.
pub fn lot_url(hub_base_url: &str, lot: &ChainLot) -> String {
    match &lot.origin {
        LotOrigin::Product {
            product: ProductLot {
                gtin: Some(gtin), ..
            },
            ..
        } => format!(
            "{}/01/{gtin}/10/{}",
            hub_base_url.trim_end_matches('/'),
            lot.code.as_str()
        ),
        _ => trace_url(hub_base_url, &lot.code),
    }
}

pub(crate) fn routes(state: AppState) -> Router {
    Router::new()
        .route("/t/{code}", get(trace_page))
        // GS1 Digital Link: GTIN (AI 01) and batch or lot (AI 10), which
        // Highland prints as the lot's trace code.
        .route("/01/{gtin}/10/{lot}", get(digital_link_page))
        .layer(axum::middleware::from_fn_with_state(
            page::policy(),
            crate::http::page_headers::page_headers,
        ))
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
    let lang = language(&query, &headers);
    let Ok(code) = TraceCode::parse(&typed) else {
        return answer(StatusCode::NOT_FOUND, page::mistyped(lang, &typed));
    };
    let here = format!("/t/{}", code.as_str());
    show(state, lang, code, None, here).await
}

async fn digital_link_page(
    State(state): State<AppState>,
    Path((gtin, typed)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = language(&query, &headers);
    let (Ok(gtin), Ok(code)) = (Gtin::parse(&gtin), TraceCode::parse(&typed)) else {
        return answer(StatusCode::NOT_FOUND, page::mistyped(lang, &typed));
    };
    let here = format!("/01/{gtin}/10/{}", code.as_str());
    show(state, lang, code, Some(gtin), here).await
}

fn language(query: &LangQuery, headers: &HeaderMap) -> Lang {
    query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        })
}

async fn show(
    state: AppState,
    lang: Lang,
    code: TraceCode,
    gtin: Option<Gtin>,
    here: String,
) -> Response {
    let store = state.store.clone();
    let found = {
        let code = code.clone();
        blocking(move || {
            let Some(chain) = store.trace_chain(&code, gtin.as_ref())? else {
                return Ok(None);
            };
            // The village lots' photos: the harvest is what a photo shows.
            let mut photos = Vec::new();
            for lot in &chain.lots {
                if matches!(lot.origin, LotOrigin::Harvest { .. }) {
                    photos.push((lot.id, store.photos_of(PhotoSubject::Lot(lot.id))?));
                }
            }
            Ok(Some((chain, photos)))
        })
        .await
    };
    match found {
        Ok(Some((chain, photos))) => {
            answer(StatusCode::OK, page::chain(lang, &chain, &photos, &here))
        }
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
