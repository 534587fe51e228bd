//! Keeping an upload's frames, and finishing the file.
//!
//! The request handler reads frames and hands each verified one to a
//! keeper ([`keep`]): a task of its own, spawned on the runtime, that
//! writes them to the database every [`FLUSH_BYTES`] and when its channel
//! closes. When a client's connection is cut mid-body, hyper drops the
//! handler's future, and with it the channel's sender; the keeper still
//! writes every frame it was handed, so a cut loses at most the frame that
//! was on the wire. When the offset reaches the file's length, the keeper
//! [`finish`]es the file.

use std::sync::Arc;

use axum::body::Bytes;
use highland_domain::Sha256;
use sha2::Digest;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::{PhotoReader, PhotoStore, UploadError, UploadStatus};
use crate::{SellerId, Storage};

/// How much the keeper gathers before writing: one write per 16 of the
/// device's 4 KiB frames, so a request of 1 MiB is 16 transactions.
pub const FLUSH_BYTES: usize = 64 * 1024;

/// How many frames may wait between the handler and the keeper; bounds the
/// memory one upload holds to about 1 MiB.
const QUEUE_FRAMES: usize = 16;

/// The handler's side of a keeper.
pub struct Keeper {
    pub frames: mpsc::Sender<Vec<u8>>,
    /// Where the upload stands when the keeper is done: every frame handed
    /// to it written, and the file finished if it is whole.
    pub done: JoinHandle<Result<UploadStatus, UploadError>>,
}

/// Starts a keeper for `seller`'s upload of `name`, which stands at `status`.
pub fn keep(
    store: Arc<dyn Storage>,
    photos: PhotoStore,
    seller: SellerId,
    name: Sha256,
    status: UploadStatus,
    now_ms: u64,
) -> Keeper {
    let (frames, mut received) = mpsc::channel::<Vec<u8>>(QUEUE_FRAMES);
    let done = tokio::spawn(async move {
        let mut offset = status.offset;
        let mut pending = Vec::with_capacity(FLUSH_BYTES + super::MAX_FRAME_BYTES);
        while let Some(frame) = received.recv().await {
            pending.extend_from_slice(&frame);
            if pending.len() >= FLUSH_BYTES {
                offset = write(&store, seller, name, offset, std::mem::take(&mut pending)).await?;
            }
        }
        if !pending.is_empty() {
            offset = write(&store, seller, name, offset, pending).await?;
        }
        let status = UploadStatus { offset, ..status };
        if offset == status.length && !status.stored {
            finish(&store, &photos, name, status.length, now_ms).await?;
            return Ok(UploadStatus {
                stored: true,
                ..status
            });
        }
        Ok(status)
    });
    Keeper { frames, done }
}

async fn write(
    store: &Arc<dyn Storage>,
    seller: SellerId,
    name: Sha256,
    offset: u64,
    bytes: Vec<u8>,
) -> Result<u64, UploadError> {
    let store = store.clone();
    blocking(move || store.append_upload(seller, name, offset, &bytes)).await
}

/// Checks the whole file against its name and, if it matches, stores it
/// and forgets its parts; otherwise drops the upload, so it starts again
/// from nothing. A file that does not match is never stored nor served.
pub async fn finish(
    store: &Arc<dyn Storage>,
    photos: &PhotoStore,
    name: Sha256,
    length: u64,
    now_ms: u64,
) -> Result<(), UploadError> {
    let reading = store.clone();
    let file = blocking(move || Ok(reading.upload_bytes(name)?)).await?;
    let digest = Sha256::from_digest(sha2::Sha256::digest(&file).into());
    if file.len() as u64 != length || digest != name {
        // Another request (on this hub or another) may have finished the
        // file and cleared its parts between our reading the status and
        // the parts: that is done, not corrupted.
        let checking = store.clone();
        let stored = blocking(move || Ok(checking.photo_file(name, PhotoReader::Staff)?)).await?;
        if stored.is_some() {
            return Ok(());
        }
        let dropping = store.clone();
        blocking(move || Ok(dropping.drop_upload(name)?)).await?;
        tracing::warn!(photo = %name, got = %digest, "an upload did not hash to its name; dropped");
        return Err(UploadError::PhotoCorrupted);
    }
    // The file first, then the record: a hub stopped between the two left
    // a file nobody is told about, and the next request stores it again.
    photos.put(name, Bytes::from(file)).await?;
    let recording = store.clone();
    blocking(move || Ok(recording.finish_upload(name, length, now_ms)?)).await?;
    tracing::info!(photo = %name, bytes = length, "photo stored");
    Ok(())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, UploadError> + Send + 'static,
) -> Result<T, UploadError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| crate::Error::Io(std::io::Error::other(format!("storage task failed: {e}"))))?
}
