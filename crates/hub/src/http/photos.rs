//! Photo files over HTTP (docs/sync-protocol.md, section 13): resumable
//! uploads by devices (`HEAD`/`PATCH /v1/photos/{sha256}/upload`), downloads
//! by devices and staff (`GET /v1/photos/{sha256}`), and the public
//! thumbnails of lots' photos (`GET /p/{sha256}.jpg`). The rules are in
//! [`crate::photos`]; these handlers read headers and frames and answer.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use highland_domain::Sha256;
use http_body_util::BodyExt;

use super::body::is_length_limit;
use super::staff::StaffAuth;
use super::sync::Authenticated;
use super::{HttpError, blocking};
use crate::AppState;
use crate::http::openapi::ApiError;
use crate::photos::frames::{FrameError, FrameReader};
use crate::photos::{PhotoReader, UploadError, UploadStatus, upload};
use crate::secret::STAFF_TOKEN_PREFIX;

/// The media type of an upload's framed body.
pub const FRAMES_MEDIA_TYPE: &str = "application/vnd.highland.photo-frames";
const UPLOAD_OFFSET: &str = "upload-offset";
const UPLOAD_LENGTH: &str = "upload-length";

/// Where the hub's copy of a file stands.
#[utoipa::path(
    head,
    path = "/v1/photos/{sha256}/upload",
    tag = "devices",
    params(("sha256" = String, Path, description = "The file's SHA-256, 64 hex digits")),
    security(("device_token" = [])),
    responses(
        (status = 200, description = "`Upload-Offset` is what the hub holds, `Upload-Length` \
                                      the file's length; equal when the file is whole and verified",
         headers(("upload-offset" = u64), ("upload-length" = u64))),
        (status = 401, description = "`unauthorized`"),
        (status = 403, description = "`device_revoked`"),
        (status = 404, description = "`unknown_photo`: no photo of this seller names the file"),
    )
)]
pub(crate) async fn upload_status(
    State(state): State<AppState>,
    Authenticated(device): Authenticated,
    Path(name): Path<String>,
) -> Result<Response, HttpError> {
    let name = file_name(&name)?;
    let status = current_status(&state, device.seller, name).await?;
    Ok(with_offsets(StatusCode::OK, status).into_response())
}

/// Sends the next bytes of a file, as frames.
#[utoipa::path(
    patch,
    path = "/v1/photos/{sha256}/upload",
    tag = "devices",
    params(
        ("sha256" = String, Path, description = "The file's SHA-256, 64 hex digits"),
        ("upload-offset" = u64, Header, description = "The offset the device believes the hub holds"),
    ),
    security(("device_token" = [])),
    request_body(content = Vec<u8>, content_type = "application/vnd.highland.photo-frames",
                 description = "Frames: a 4-byte big-endian length (1 to 65,536), a 4-byte \
                                big-endian CRC-32 (IEEE) of the data, the data"),
    responses(
        (status = 204, description = "Every frame kept; `Upload-Offset` is the new offset",
         headers(("upload-offset" = u64), ("upload-length" = u64))),
        (status = 400, body = ApiError, description = "`bad_request`: no readable `Upload-Offset`"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`device_revoked`"),
        (status = 404, body = ApiError, description = "`unknown_photo`"),
        (status = 409, body = ApiError, description = "`offset_mismatch`; `Upload-Offset` gives the hub's"),
        (status = 413, body = ApiError, description = "`too_large`: past the file's length, or a frame over 64 KiB"),
        (status = 415, body = ApiError, description = "`unsupported_media_type`"),
        (status = 422, body = ApiError, description = "`chunk_corrupted` (the frames before it were \
                                                         kept; `Upload-Offset` says how far) or \
                                                         `photo_corrupted` (the file was dropped)"),
        (status = 429, body = ApiError, description = "`too_many_uploads`"),
    )
)]
pub(crate) async fn upload(
    State(state): State<AppState>,
    Authenticated(device): Authenticated,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HttpError> {
    let name = file_name(&name)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case(FRAMES_MEDIA_TYPE)
    {
        return Err(HttpError::UnsupportedMediaType {
            sent: content_type.to_owned(),
            expected: FRAMES_MEDIA_TYPE,
        });
    }
    let claimed = headers
        .get(UPLOAD_OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            HttpError::BadRequest("Upload-Offset must be the offset, a whole number".to_owned())
        })?;
    let status = current_status(&state, device.seller, name).await?;
    if claimed != status.offset {
        return Err(UploadError::OffsetMismatch {
            held: status.offset,
        }
        .into());
    }
    if status.stored {
        return Ok(with_offsets(StatusCode::NO_CONTENT, status).into_response());
    }
    let now_ms = state.clock.now_ms();
    let store = state.store.clone();
    blocking_upload(move || store.start_upload(device, name, status.length, now_ms)).await?;

    let keeper = upload::keep(
        state.store.clone(),
        state.photos.clone(),
        device.seller,
        name,
        status,
        now_ms,
    );
    let stopped = read_frames(body, &keeper.frames, status).await;
    drop(keeper.frames);
    let kept = keeper
        .done
        .await
        .map_err(|e| HttpError::Internal(format!("upload keeper failed: {e}")))??;
    match stopped {
        Stop::Ended => Ok(with_offsets(StatusCode::NO_CONTENT, kept).into_response()),
        Stop::Corrupted => Err(UploadError::ChunkCorrupted { held: kept.offset }.into()),
        Stop::TooLarge => Err(UploadError::TooLarge { held: kept.offset }.into()),
        Stop::Unreadable(why) => Err(HttpError::BadRequest(why)),
    }
}

/// Why reading a body's frames stopped.
enum Stop {
    /// At the end of the body, or because the keeper stopped taking frames
    /// (its own error is the answer then).
    Ended,
    Corrupted,
    TooLarge,
    Unreadable(String),
}

/// Hands every verified frame to the keeper, until the body ends or a
/// frame is wrong.
async fn read_frames(
    mut body: Body,
    keeper: &tokio::sync::mpsc::Sender<Vec<u8>>,
    status: UploadStatus,
) -> Stop {
    let mut reader = FrameReader::new();
    let mut offset = status.offset;
    loop {
        let chunk = match body.frame().await {
            None if reader.has_partial_frame() => return Stop::Corrupted,
            None => return Stop::Ended,
            Some(Err(e)) if is_length_limit(&e) => return Stop::TooLarge,
            Some(Err(e)) => return Stop::Unreadable(format!("the body could not be read: {e}")),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue, // trailers
            },
        };
        reader.push(&chunk);
        loop {
            match reader.next_frame() {
                Ok(Some(data)) => {
                    offset += data.len() as u64;
                    if offset > status.length {
                        return Stop::TooLarge;
                    }
                    if keeper.send(data).await.is_err() {
                        return Stop::Ended;
                    }
                }
                Ok(None) => break,
                Err(FrameError::Corrupted) => return Stop::Corrupted,
                Err(FrameError::TooLarge) => return Stop::TooLarge,
            }
        }
    }
}

/// The upload's status, finishing a file whose every byte arrived but that
/// a stopped hub did not get to store.
async fn current_status(
    state: &AppState,
    seller: crate::SellerId,
    name: Sha256,
) -> Result<UploadStatus, HttpError> {
    let store = state.store.clone();
    let status = blocking(move || store.upload_status(seller, name))
        .await?
        .ok_or(UploadError::UnknownPhoto)?;
    if status.offset == status.length && !status.stored {
        upload::finish(
            &state.store,
            &state.photos,
            name,
            status.length,
            state.clock.now_ms(),
        )
        .await?;
        return Ok(UploadStatus {
            stored: true,
            ..status
        });
    }
    Ok(status)
}

fn with_offsets(status: StatusCode, upload: UploadStatus) -> impl IntoResponse {
    (
        status,
        [
            (UPLOAD_OFFSET, HeaderValue::from(upload.offset)),
            (UPLOAD_LENGTH, HeaderValue::from(upload.length)),
        ],
    )
}

async fn blocking_upload<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, UploadError> + Send + 'static,
) -> Result<T, HttpError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| HttpError::Internal(format!("storage task failed: {e}")))?
        .map_err(HttpError::from)
}

/// A name as the device writes it: 64 hex digits. Anything else names no
/// photo.
fn file_name(name: &str) -> Result<Sha256, HttpError> {
    Sha256::parse(name).map_err(|_| UploadError::UnknownPhoto.into())
}

/// Who downloads: a device (its seller's photos) or staff (any).
pub(crate) struct Downloader(PhotoReader);

impl FromRequestParts<AppState> for Downloader {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|h| h.split_once(' '))
            .map(|(_, token)| token.trim().to_owned());
        match bearer {
            Some(token) if !token.starts_with(STAFF_TOKEN_PREFIX) => {
                let Authenticated(device) = Authenticated::from_request_parts(parts, state).await?;
                Ok(Downloader(PhotoReader::Seller(device.seller)))
            }
            _ => {
                StaffAuth::from_request_parts(parts, state).await?;
                Ok(Downloader(PhotoReader::Staff))
            }
        }
    }
}

/// A whole, verified file.
#[utoipa::path(
    get,
    path = "/v1/photos/{sha256}",
    tag = "devices",
    params(("sha256" = String, Path, description = "The file's SHA-256, 64 hex digits")),
    security(("device_token" = []), ("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, content_type = "image/jpeg", body = Vec<u8>,
         description = "The file; `ETag: \"<sha256>\"`, immutable"),
        (status = 206, content_type = "image/jpeg", body = Vec<u8>,
         description = "The rest of the file from `Range: bytes=n-`"),
        (status = 304, description = "`If-None-Match` named this file"),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`device_revoked`"),
        (status = 404, body = ApiError, description = "`not_found`: no such file, not whole yet, or not the asker's"),
        (status = 416, body = ApiError, description = "`range_not_satisfiable`"),
    )
)]
pub(crate) async fn download(
    State(state): State<AppState>,
    Downloader(reader): Downloader,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let name = Sha256::parse(&name).map_err(|_| HttpError::NotFound)?;
    serve_file(&state, name, reader, &headers, Caching::Private).await
}

/// How a file may be cached: by the asker only, or by anyone.
#[derive(Clone, Copy)]
pub(crate) enum Caching {
    Private,
    Public,
}

/// A stored file that `reader` may see, with its caching headers, `Range`
/// and `If-None-Match` honoured. A file's name is its digest, so it never
/// changes: immutable for a year.
async fn serve_file(
    state: &AppState,
    name: Sha256,
    reader: PhotoReader,
    headers: &HeaderMap,
    caching: Caching,
) -> Result<Response, HttpError> {
    let store = state.store.clone();
    blocking(move || store.photo_file(name, reader))
        .await?
        .ok_or(HttpError::NotFound)?;
    let etag = format!("\"{name}\"");
    let cache_control = match caching {
        Caching::Private => "private, max-age=31536000, immutable",
        Caching::Public => "public, max-age=31536000, immutable",
    };
    let common = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, cache_control.to_owned()),
        (header::ACCEPT_RANGES, "bytes".to_owned()),
    ];
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if not_modified {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let file = state.photos.get(name).await.map_err(UploadError::from)?;
    let from = match headers.get(header::RANGE) {
        None => None,
        Some(range) => Some(range_start(range, file.len() as u64)?),
    };
    let image = [(header::CONTENT_TYPE, "image/jpeg".to_owned())];
    Ok(match from {
        None => (StatusCode::OK, common, image, Body::from(file)).into_response(),
        Some(from) => {
            let total = file.len();
            let rest: Bytes = file.slice(from as usize..);
            let content_range = format!("bytes {from}-{}/{total}", total - 1);
            (
                StatusCode::PARTIAL_CONTENT,
                common,
                image,
                [(header::CONTENT_RANGE, content_range)],
                Body::from(rest),
            )
                .into_response()
        }
    })
}

/// The `n` of `Range: bytes=n-`, the only form a resuming download sends.
pub(crate) fn range_start(range: &HeaderValue, length: u64) -> Result<u64, HttpError> {
    let from = range
        .to_str()
        .ok()
        .and_then(|r| r.trim().strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<u64>().ok());
    match from {
        Some(n) if n < length => Ok(n),
        _ => Err(HttpError::RangeNotSatisfiable { length }),
    }
}

/// The public side: `/p/{sha256}.jpg`, the files of photos on lots, for
/// the trace page's thumbnails. Merged after the API's layers, like the
/// trace page: no token, and a miss is a plain 404.
pub(crate) fn public_routes(state: AppState) -> Router {
    Router::new()
        .route("/p/{file}", get(public_photo))
        .layer(axum::middleware::from_fn(super::page_headers::api_headers))
        .with_state(state)
}

async fn public_photo(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    serve_named_file(
        &state,
        &file,
        PhotoReader::Public,
        &headers,
        Caching::Public,
    )
    .await
}

/// [`serve_file`] for a file named in a path as `<sha256>.jpg`, as the
/// pages link them; any other name is not found.
pub(crate) async fn serve_named_file(
    state: &AppState,
    file: &str,
    reader: PhotoReader,
    headers: &HeaderMap,
    caching: Caching,
) -> Response {
    let Some(name) = file
        .strip_suffix(".jpg")
        .and_then(|n| Sha256::parse(n).ok())
    else {
        return HttpError::NotFound.into_response();
    };
    serve_file(state, name, reader, headers, caching)
        .await
        .into_response()
}

impl From<UploadError> for HttpError {
    fn from(e: UploadError) -> Self {
        HttpError::Upload(e)
    }
}
