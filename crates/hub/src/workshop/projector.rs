//! The projector view at `/projector`: what the class does, live and large
//! enough to read from the back of a hall. Listings arriving, orders placed
//! and accepted, each tablet's latest sync, and the class's network.
//!
//! The page is server-rendered (maud) and then kept current by server-sent
//! events from `/projector/events`: each event carries the whole board as
//! an HTML fragment, sent when the hub's [`ChangeMarker`] moves and at
//! least every [`REFRESH`] (so "12 s ago" keeps counting). A fragment of a
//! few kilobytes for a dozen tablets costs less than any diffing would, and
//! the browser's EventSource reconnects by itself when the Wi-Fi drops.
//!
//! The page needs no sign-in: it is mounted only on a workshop hub, and it
//! shows what the class is meant to see on the wall, listings' photos
//! included (`/projector/photos/{sha256}.jpg`, any photo the hub holds:
//! on a workshop hub, the demo's and the trainees').

use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream};
use highland_domain::PhotoSubject;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use tokio::sync::watch;

use super::network::{self, NetworkSwitch};
use super::{ChangeMarker, Trainee, WorkshopError, blocking};
use crate::AppState;
use crate::Storage;
use crate::catalog::{CatalogListing, ListingQuery, PageSize};
use crate::console::yuan;
use crate::http::page_headers::{PagePolicy, page_headers};
use crate::http::photos::{Caching, serve_named_file};
use crate::photos::PhotoReader;
use crate::views::OrderView;
use highland_exchange::orders::OrderFilter;

/// The longest the board goes without a fresh copy.
const REFRESH: Duration = Duration::from_secs(10);

/// How many listings and orders the board shows: what fits on a wall.
const SHOWN: u32 = 8;

/// What the projector's handlers share.
#[derive(Clone)]
pub(crate) struct ProjectorState {
    /// The workshop hub's own state: its storage, clock, photos, and its
    /// LAN address (`public_url`), which the board shows.
    pub app: AppState,
    /// How often the event stream looks for changes.
    pub poll: Duration,
    /// Turns true when the workshop stops: streams end, so the server can.
    pub stop: watch::Receiver<bool>,
}

pub(crate) fn routes(state: ProjectorState) -> Router {
    Router::new()
        .route("/projector", get(page))
        .route("/projector/events", get(events))
        .route("/projector/photos/{file}", get(photo))
        .layer(axum::middleware::from_fn_with_state(
            PagePolicy::projector(STYLE, SCRIPT),
            page_headers,
        ))
        .with_state(state)
}

/// Everything the board shows, read at one moment.
struct Board {
    now_ms: u64,
    hub_url: String,
    network: NetworkSwitch,
    listings: Vec<CatalogListing>,
    /// Each shown listing's first photo whose thumbnail has arrived.
    thumbnails: HashMap<String, String>,
    orders: Vec<OrderView>,
    trainees: Vec<Trainee>,
}

fn read_board(store: &dyn Storage, now_ms: u64, hub_url: String) -> Result<Board, WorkshopError> {
    let size = PageSize::new(Some(SHOWN)).map_err(WorkshopError::Task)?;
    let listings = store
        .catalog_listings(&ListingQuery {
            size,
            ..ListingQuery::default()
        })?
        .items;
    let mut thumbnails = HashMap::new();
    for l in &listings {
        let id = l.listing.id.parse().map_err(|_| {
            crate::Error::BadRecord(format!("stored listing id {:?}", l.listing.id))
        })?;
        let shown = store
            .photos_of(PhotoSubject::Listing(id))?
            .into_iter()
            .find(|p| p.thumbnail_stored);
        if let Some(photo) = shown {
            thumbnails.insert(l.listing.id.clone(), photo.thumbnail.file_name());
        }
    }
    Ok(Board {
        now_ms,
        hub_url,
        network: network::network(store)?,
        listings,
        thumbnails,
        orders: store
            .orders(&OrderFilter {
                limit: SHOWN as usize,
                newest_first: true,
                ..OrderFilter::default()
            })?
            .orders,
        trainees: store.trainees()?,
    })
}

async fn board(state: &ProjectorState) -> Result<Markup, WorkshopError> {
    let (store, now_ms) = (state.app.store.clone(), state.app.clock.now_ms());
    let url = state.app.public_url.clone().unwrap_or_default();
    let board = blocking(move || read_board(store.as_ref(), now_ms, url)).await?;
    Ok(render_board(&board))
}

async fn page(State(state): State<ProjectorState>) -> Response {
    match board(&state).await {
        Ok(board) => Html(render_page(board).into_string()).into_response(),
        Err(e) => {
            tracing::warn!("the projector could not read the hub: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The hub cannot read its records right now; the page will work when it can.",
            )
                .into_response()
        }
    }
}

/// A photo's file, by its name (`<sha256>.jpg`).
async fn photo(
    State(state): State<ProjectorState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_named_file(
        &state.app,
        &file,
        PhotoReader::Staff,
        &headers,
        Caching::Public,
    )
    .await
}

/// The event stream: the board now, then again whenever it changes.
async fn events(
    State(state): State<ProjectorState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = stream::unfold(
        (state, None::<ChangeMarker>, tokio::time::Instant::now()),
        |(mut state, last, sent_at)| async move {
            loop {
                let store = state.app.store.clone();
                let marker = blocking(move || Ok(store.change_marker()?)).await.ok();
                let changed = marker.is_some() && marker != last;
                let due = changed || sent_at.elapsed() >= REFRESH;
                if due && let Ok(board) = board(&state).await {
                    let event = Event::default().event("board").data(board.into_string());
                    let seen = marker.or(last);
                    return Some((Ok(event), (state, seen, tokio::time::Instant::now())));
                }
                tokio::select! {
                    _ = state.stop.wait_for(|stop| *stop) => return None,
                    () = tokio::time::sleep(state.poll) => {}
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:1.6rem/1.35 'Noto Sans Tibetan','Noto Sans CJK SC',system-ui,sans-serif;background:#10161f;color:#f4f1ea}\
header{display:flex;justify-content:space-between;align-items:baseline;padding:.6rem 1.2rem;background:#1c2a3a}\
header h1{margin:0;font-size:2.2rem}\
.join{font-size:1.5rem}.join b{font-size:2rem;color:#ffd166}\
main{display:grid;grid-template-columns:repeat(3,1fr);gap:1rem;padding:1rem}\
section{background:#182230;border-radius:.6rem;padding:.6rem 1rem}\
h2{margin:.2rem 0 .6rem;font-size:1.7rem;color:#8ecae6}\
ol{list-style:none;margin:0;padding:0}li{padding:.35rem 0;border-bottom:1px solid #2b3a4d}\
li.listing img{float:right;margin:0 0 .2rem .6rem;border-radius:.4rem;object-fit:cover}li.listing::after{content:'';display:block;clear:both}\
.muted{color:#a9b4c2;font-size:1.2rem}.price{color:#ffd166}\
.state{display:inline-block;padding:0 .5rem;border-radius:.4rem;font-size:1.2rem;background:#33485f}\
.state-accepted,.state-received,.state-paid{background:#1d7a2f}.state-declined,.state-cancelled{background:#b3261e}\
.fresh{color:#7ddc8a}.stale{color:#f4a259}\
.network{font-size:1.4rem;padding:.1rem .6rem;border-radius:.4rem;background:#6c3d9c}\
body[data-live='0'] header{background:#7a3b1d}";

const SCRIPT: &str = "\
const board=document.getElementById('board');\
const events=new EventSource('/projector/events');\
events.addEventListener('board',e=>{board.innerHTML=e.data;document.body.dataset.live='1';});\
events.onerror=()=>{document.body.dataset.live='0';};";

fn render_page(board: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-Hans" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Highland 工作坊 Workshop" }
                style { (PreEscaped(STYLE)) }
            }
            body data-live="1" {
                div id="board" { (board) }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
}

fn render_board(board: &Board) -> Markup {
    html! {
        header {
            h1 { "ཚོང་ར། Highland 工作坊 Workshop" }
            @if let Some(network) = board.network.network {
                span class="network" data-testid="projector-network" {
                    (network_name(network))
                }
            }
            span class="join" { "连接 Join: " b data-testid="projector-hub" { (board.hub_url) } }
        }
        main {
            section data-testid="projector-listings" {
                h2 { "ཚོང་ཟོག་གསར་པ། 新商品 New listings" }
                ol {
                    @for l in &board.listings {
                        li.listing {
                            @if let Some(file) = board.thumbnails.get(&l.listing.id) {
                                img src={ "/projector/photos/" (file) } alt="" width="96" height="72";
                            }
                            strong { (l.listing.title) } " "
                            span class="price" { (yuan(l.listing.price_fen)) " / " (l.listing.unit) }
                            br;
                            span class="muted" { (l.seller_name) " · " (l.village) " · " (l.listing.stock_display) " " (l.listing.unit) }
                        }
                    }
                    @if board.listings.is_empty() { li class="muted" { "—" } }
                }
            }
            section data-testid="projector-orders" {
                h2 { "ཉོ་འདོད། 订单 Orders" }
                ol {
                    @for o in &board.orders {
                        li {
                            strong { (o.listing_title) } " × " (o.quantity_display) " " (o.unit) " "
                            span class={ "state state-" (o.state) } data-testid="projector-order-state" { (state_name(&o.state)) }
                            br;
                            span class="muted" { (yuan(o.total_fen)) }
                        }
                    }
                    @if board.orders.is_empty() { li class="muted" { "—" } }
                }
            }
            section data-testid="projector-tablets" {
                h2 { "ཐེབ་ལེབ། 平板 Tablets" }
                ol {
                    @for t in &board.trainees {
                        li {
                            strong { (t.name) } br;
                            (last_sync(t, board.now_ms))
                        }
                    }
                    @if board.trainees.is_empty() { li class="muted" { "—" } }
                }
            }
        }
    }
}

fn last_sync(trainee: &Trainee, now_ms: u64) -> Markup {
    match trainee.last_sync_at_ms {
        _ if trainee.devices == 0 => html! { span class="muted" { "尚未加入 Not joined yet" } },
        None => html! { span class="muted" { "已加入，未同步 Joined, not synced yet" } },
        Some(at) => {
            let secs = now_ms.saturating_sub(at) / 1000;
            let class = if secs < 120 { "fresh" } else { "stale" };
            html! { span class=(class) { "同步 Synced " (ago(secs)) } }
        }
    }
}

/// "12 s ago", "3 min ago", "2 h ago".
fn ago(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs} 秒前 s ago"),
        60..=3599 => format!("{} 分钟前 min ago", secs / 60),
        _ => format!("{} 小时前 h ago", secs / 3600),
    }
}

fn network_name(network: highland_domain::SimulatedNetwork) -> &'static str {
    use highland_domain::SimulatedNetwork::*;
    match network {
        Offline => "ཐག་བཅད། 断网 Offline",
        Mountain2g => "山区 2G Mountain 2G",
        ThreeG => "3G",
        Good => "信号好 Good signal",
    }
}

fn state_name(state: &str) -> &str {
    match state {
        "placed" => "新 New",
        "accepted" => "已接受 Accepted",
        "declined" => "已拒绝 Declined",
        "handed-over" => "已交货 Handed over",
        "received" => "已收货 Received",
        "paid" => "已付款 Paid",
        "cancelled" => "已取消 Cancelled",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_the_largest_whole_unit() {
        assert_eq!(ago(0), "0 秒前 s ago");
        assert_eq!(ago(59), "59 秒前 s ago");
        assert_eq!(ago(60), "1 分钟前 min ago");
        assert_eq!(ago(3599), "59 分钟前 min ago");
        assert_eq!(ago(7200), "2 小时前 h ago");
    }
}
