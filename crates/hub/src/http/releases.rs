//! `/v1/releases`: the app's release files this hub carries
//! ([`crate::releases`]), in the shape Tauri's updater reads, and each file
//! resumable from any byte (a download over the mountain link is cut many
//! times). Public, like the app itself: a tablet that is not enrolled yet,
//! or whose token was revoked, may still update.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use highland_domain::wire::{ReleaseManifest, ReleaseNotice};
use highland_domain::{AppVersion, Platform};

use super::HttpError;
use crate::AppState;
use crate::http::openapi::ApiError;
use crate::releases::{Release, ReleaseError};

/// The media type of a release file: already compressed (an AppImage, an
/// APK), so the compression layer leaves it alone.
pub(crate) const RELEASE_MEDIA_TYPE: &str = "application/octet-stream";

/// `GET /v1/releases/{platform}/{current_version}`: the newest release for
/// a platform when it is newer than the asker's version.
#[utoipa::path(
    get,
    path = "/v1/releases/{platform}/{current_version}",
    tag = "devices",
    params(
        ("platform" = String, Path, description = "`linux-x86_64`, `windows-x86_64`, `darwin-aarch64`, `android-aarch64`, ..."),
        ("current_version" = String, Path, description = "The asking app's version, such as 0.1.0"),
    ),
    responses(
        (status = 200, body = serde_json::Value, description = "`ReleaseManifest`: the newer release (Tauri's updater format, plus `size` and `sha256`)"),
        (status = 204, description = "Nothing newer for this platform"),
        (status = 400, body = ApiError, description = "`unknown_choice`: not a platform or not a version"),
    )
)]
pub(crate) async fn newest(
    State(state): State<AppState>,
    Path((platform, current)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let platform: Platform = platform.parse().map_err(HttpError::Invalid)?;
    let current: AppVersion = current.parse().map_err(HttpError::Invalid)?;
    let newest = state.releases.newest(platform).await.map_err(stored)?;
    Ok(match newest.filter(|r| r.version > current) {
        None => StatusCode::NO_CONTENT.into_response(),
        Some(release) => {
            let url = format!(
                "{}/v1/releases/{}/{}/file",
                state.public_base(&headers),
                release.platform,
                release.version
            );
            Json(ReleaseManifest {
                version: release.version,
                notes: release.notes,
                pub_date: release.added_at,
                url,
                signature: release.signature,
                size: release.size,
                sha256: release.sha256,
            })
            .into_response()
        }
    })
}

/// `GET /v1/releases/{platform}/{version}/file`: the release file, or the
/// rest of it from `Range: bytes=n-`.
#[utoipa::path(
    get,
    path = "/v1/releases/{platform}/{version}/file",
    tag = "devices",
    params(
        ("platform" = String, Path, description = "As the manifest names it"),
        ("version" = String, Path, description = "As the manifest names it"),
    ),
    responses(
        (status = 200, content_type = "application/octet-stream", description = "The whole file"),
        (status = 206, content_type = "application/octet-stream", description = "The rest of the file from `Range: bytes=n-`"),
        (status = 404, body = ApiError, description = "`not_found`"),
        (status = 416, body = ApiError, description = "`range_not_satisfiable`"),
    )
)]
pub(crate) async fn file(
    State(state): State<AppState>,
    Path((platform, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let (Ok(platform), Ok(version)) = (platform.parse(), version.parse()) else {
        return Err(HttpError::NotFound);
    };
    let release = state
        .releases
        .get(platform, &version)
        .await
        .map_err(stored)?
        .ok_or(HttpError::NotFound)?;
    let from = match headers.get(header::RANGE) {
        None => 0,
        Some(range) => super::photos::range_start(range, release.size)?,
    };
    let stream = state
        .releases
        .read_from(&release, from)
        .await
        .map_err(stored)?;
    let common = [
        (header::CONTENT_TYPE, RELEASE_MEDIA_TYPE.to_owned()),
        (header::ETAG, format!("\"{}\"", release.sha256)),
        (header::ACCEPT_RANGES, "bytes".to_owned()),
        (header::CONTENT_LENGTH, (release.size - from).to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(&release)),
        ),
    ];
    let body = Body::from_stream(stream);
    Ok(if from == 0 {
        (StatusCode::OK, common, body).into_response()
    } else {
        let range = format!("bytes {from}-{}/{}", release.size - 1, release.size);
        (
            StatusCode::PARTIAL_CONTENT,
            common,
            [(header::CONTENT_RANGE, range)],
            body,
        )
            .into_response()
    })
}

/// What a sync answer says of the newest release for `platform`. A store
/// that cannot be read is logged, not an error: the sync itself went well.
pub(crate) async fn notice_for(state: &AppState, platform: Platform) -> Option<ReleaseNotice> {
    match state.releases.newest(platform).await {
        Ok(newest) => newest.map(|r| ReleaseNotice {
            version: r.version,
            size: r.size,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "the release store could not be read");
            None
        }
    }
}

/// The name as added, kept to the characters every browser and shell
/// takes in a header.
fn file_name(release: &Release) -> String {
    release
        .file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect()
}

fn stored(e: ReleaseError) -> HttpError {
    HttpError::Internal(e.to_string())
}
