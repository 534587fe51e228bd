//! The HTTP application: routes and layers over the shared state. Tests call
//! [`app`] directly; [`crate::server`] puts it on a socket.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::middleware::from_fn;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::http;
use crate::photos::PhotoStore;
use crate::releases::ReleaseShelf;
use crate::staff::{LoginRules, RateLimiter, RatePolicy};
use crate::{Storage, WallClock};

/// How much one request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The body as it travels, compressed or not.
    pub compressed_body_bytes: usize,
    /// A sync's body once decompressed: a small zstd body can expand a
    /// thousandfold, so this bounds the memory a request can claim.
    pub body_bytes: usize,
    /// An enrollment's body once decompressed. Anyone may send one, and
    /// it needs a few hundred bytes.
    pub enroll_body_bytes: usize,
    pub operations_per_sync: usize,
    /// The JSON body of a staff API request (an order, a receipt, a
    /// login): small, so the staff API cannot be used to fill memory.
    pub api_body_bytes: usize,
    /// The body of one photo upload request, as it travels: a whole photo
    /// in frames (frames add 8 bytes per 4 KiB), with room to spare.
    pub upload_body_bytes: usize,
    /// How many requests one member of staff may make (per process).
    pub staff_requests: RatePolicy,
    /// How many failed logins lock a name or an address, and how long a
    /// console session lasts.
    pub login: LoginRules,
    /// How long a connection may take and how many may be open at once.
    pub connections: crate::server::ConnectionLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            compressed_body_bytes: 1024 * 1024,
            body_bytes: 8 * 1024 * 1024,
            enroll_body_bytes: 1024,
            operations_per_sync: 1000,
            api_body_bytes: 64 * 1024,
            upload_body_bytes: 9 * 1024 * 1024,
            staff_requests: RatePolicy::default(),
            login: LoginRules::default(),
            connections: crate::server::ConnectionLimits::default(),
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Storage>,
    pub clock: Arc<dyn WallClock>,
    pub limits: Limits,
    /// The staff's request budgets, in this process's memory (see
    /// [`crate::staff`] for why that is enough).
    pub rate_limiter: Arc<RateLimiter>,
    /// The hub's address as buyers' phones reach it (`--public-url`), for
    /// the QR codes the console shows and prints; when unset, the address
    /// the request came to.
    pub public_url: Option<String>,
    /// Where verified photo files are kept. [`AppState::new`] keeps them in
    /// memory; `highland-hub serve` sets a folder or a bucket.
    pub photos: PhotoStore,
    /// The app's release files, kept beside the photos.
    pub releases: ReleaseShelf,
    /// Whether this hub runs a workshop (`highland-hub workshop`), which
    /// opens the class's network switch.
    pub workshop: bool,
    /// How the console's session cookie is sent: `Secure` unless the hub
    /// serves plain HTTP on a LAN.
    pub session_cookie: crate::staff::SessionCookie,
}

impl AppState {
    pub fn new(store: Arc<dyn Storage>, clock: Arc<dyn WallClock>) -> AppState {
        let photos = PhotoStore::in_memory();
        AppState {
            store,
            clock,
            limits: Limits::default(),
            rate_limiter: Arc::new(RateLimiter::new()),
            public_url: None,
            releases: ReleaseShelf::beside(&photos),
            photos,
            workshop: false,
            session_cookie: crate::staff::SessionCookie::Secure,
        }
    }

    /// Keeps photos, and the release files beside them, in `photos`.
    pub fn keep_files_in(&mut self, photos: PhotoStore) {
        self.releases = ReleaseShelf::beside(&photos);
        self.photos = photos;
    }
}

/// The hub's routes with their layers, outermost first: a request id, a
/// log span carrying it, response compression, JSON error bodies, the
/// encoding check, the size limit as sent (larger for photo uploads), then
/// decompression. The
/// decompressed-size limit applies where handlers read the body.
///
/// Every route is registered with its OpenAPI description
/// ([`http::routes`]), so the document at `/v1/openapi.json` and the router
/// come from the same list.
pub fn app(state: AppState) -> Router {
    let limits = state.limits;
    let (routes, _) = http::routes().split_for_parts();
    let console = crate::console::routes(state.clone());
    let state_for_trace = state.clone();
    routes
        .fallback(http::not_found)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                // Release files are compressed already (AppImage, APK);
                // compressing them again costs the hub and saves nothing.
                .layer(
                    CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                        NotForContentType::const_new(crate::http::RELEASE_MEDIA_TYPE),
                    )),
                )
                .layer(from_fn(http::page_headers::api_headers))
                .layer(from_fn(http::json_errors))
                .layer(from_fn(http::refuse_unknown_encodings))
                .layer(axum::middleware::from_fn_with_state(
                    limits,
                    http::limit_bodies,
                ))
                .layer(RequestDecompressionLayer::new()),
        )
        // After the layers: they answer every error in JSON, and the console's
        // errors are pages (see crate::console).
        .merge(console)
        .merge(crate::http::photos::public_routes(state_for_trace.clone()))
        .merge(crate::trace::routes(state_for_trace))
}

fn request_span(request: &Request<Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        path = request.uri().path(),
    )
}

/// The OpenAPI document of every route [`app`] serves (what
/// `GET /v1/openapi.json` answers).
pub fn openapi() -> utoipa::openapi::OpenApi {
    http::routes().split_for_parts().1
}
