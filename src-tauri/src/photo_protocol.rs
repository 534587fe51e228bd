//! The `photo:` protocol: how the window shows stored photo files. An
//! `<img>` asks for `photo://localhost/<sha256>.jpg` (on Android and
//! Windows `http://photo.localhost/<sha256>.jpg`; the UI builds either with
//! `convertFileSrc(name, "photo")`), and gets that file from the photo
//! store of the profile in use, or 404.
//!
//! Chosen over Tauri's asset protocol: that serves any path its scope
//! allows, so the window would hold file paths and the scope would have to
//! follow the data directory (which `HIGHLAND_APP_DATA_DIR` moves) and the
//! demo's; it also needs tauri's `protocol-asset` feature and its extra
//! crate. Here nothing but a name made of 64 hex digits and `.jpg` is read,
//! and only from the active store's `photos/`. Files are named by their
//! content, so the answer never changes and is cached for good.

use tauri::http::{Response, StatusCode, header};

use crate::Highland;

/// The scheme registered with Tauri, as the UI names it.
pub const PHOTO_SCHEME: &str = "photo";

/// The answer to a request for `path` (`/<sha256>.jpg`).
pub fn respond(app: &Highland, path: &str) -> Response<Vec<u8>> {
    let name = path.trim_start_matches('/');
    let (status, body) = match app.photo_file(name) {
        Ok(Some(bytes)) => {
            return Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "image/jpeg")
                .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
                .body(bytes)
                .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, ""));
        }
        Ok(None) => (StatusCode::NOT_FOUND, "not on this device"),
        Err(e) if e.code == crate::ErrorCode::InvalidId => (StatusCode::NOT_FOUND, "no such photo"),
        Err(e) => {
            tracing::warn!("a photo could not be read: {}", e.message);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the photo could not be read",
            )
        }
    };
    plain(status, body)
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    let mut response = Response::new(text.as_bytes().to_vec());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain"),
    );
    response
}
