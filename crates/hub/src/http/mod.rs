//! The HTTP side: thin handlers that read a request, call the storage or
//! the rules, and map errors; and the middleware that keeps every error
//! response a JSON [`ErrorBody`](highland_domain::wire::ErrorBody).

mod api;
mod body;
mod enroll;
mod error;
pub(crate) mod openapi;
pub(crate) mod page_headers;
pub(crate) mod photos;
pub(crate) mod releases;
pub(crate) mod staff;
mod sync;
mod workshop;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub(crate) use error::HttpError;
pub(crate) use releases::RELEASE_MEDIA_TYPE;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{AppState, Limits};

/// Every route the hub serves, each with its OpenAPI description. A route
/// is added here, with `routes!` and a `#[utoipa::path]` on its handler,
/// and nowhere else: that is what keeps `/v1/openapi.json` true.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(healthz))
        .routes(routes!(openapi::document))
        .routes(routes!(enroll::enroll))
        .routes(routes!(sync::sync))
        .routes(routes!(photos::upload_status, photos::upload))
        .routes(routes!(photos::download))
        .routes(routes!(releases::newest))
        .routes(routes!(releases::file))
        .routes(routes!(
            staff::session::log_in,
            staff::session::who_am_i,
            staff::session::log_out
        ))
        .routes(routes!(workshop::network_now, workshop::switch_network))
        .merge(api::routes())
}

/// `GET /healthz`: the process answers. It does not touch the database, so
/// a load balancer never queues health checks behind a long sync.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "meta",
    responses((status = 200, description = "The process answers", body = String,
               content_type = "text/plain", example = "ok"))
)]
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

pub(crate) async fn not_found() -> HttpError {
    HttpError::NotFound
}

/// Runs blocking storage work off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<T, HttpError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HttpError::Internal(format!("storage task failed: {e}")))?
        .map_err(HttpError::from)
}

/// The first of the languages an `Accept-Language` header lists, by
/// preference (`q`), that `parse` knows; `parse` gets each primary tag
/// ("zh" of "zh-CN") in lower case.
pub(crate) fn preferred_language<L>(
    header: Option<&str>,
    parse: impl Fn(&str) -> Option<L>,
) -> Option<L> {
    let mut choices: Vec<(f32, L)> = header
        .unwrap_or("")
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next()?;
            parse(primary).map(|lang| (q, lang))
        })
        .collect();
    // Stable: among equal preferences the header's order stands.
    choices.sort_by(|a, b| b.0.total_cmp(&a.0));
    choices.into_iter().next().map(|(_, lang)| lang)
}

/// Bounds every request body as it travels: photo uploads by
/// [`Limits::upload_body_bytes`] (frames of a whole photo fit in one), any
/// other by [`Limits::compressed_body_bytes`]. A body whose declared length
/// is over gets 413 at once; one that runs over is cut where it does, and
/// the handler reading it answers 413.
pub(crate) async fn limit_bodies(
    State(limits): State<Limits>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let limit = if request.method() == Method::PATCH
        && path.starts_with("/v1/photos/")
        && path.ends_with("/upload")
    {
        limits.upload_body_bytes
    } else {
        limits.compressed_body_bytes
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return HttpError::TooLarge.into_response();
    }
    next.run(request.map(|body| Body::new(http_body_util::Limited::new(body, limit))))
        .await
}

/// Refuses a body compressed in a way the decompression layer cannot read,
/// with a JSON error rather than that layer's empty 415.
pub(crate) async fn refuse_unknown_encodings(request: Request, next: Next) -> Response {
    // Exactly the values the decompression layer matches: one coding, as is.
    let codings: Vec<_> = request
        .headers()
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .collect();
    let readable = match codings.as_slice() {
        [] => true,
        [one] => [&b"zstd"[..], b"gzip", b"identity"].contains(&one.as_bytes()),
        _ => false,
    };
    if !readable {
        let sent = codings
            .iter()
            .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        return HttpError::UnsupportedEncoding(sent).into_response();
    }
    next.run(request).await
}

/// Gives every error response without a JSON body one: the body limit's
/// plain-text 413, the router's empty 405, and anything else a layer makes.
pub(crate) async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let body = serde_json::to_vec(&error::for_status(status)).unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, Body::from(body))
}
