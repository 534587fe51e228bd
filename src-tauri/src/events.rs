//! What the app tells the UI without being asked: how a background sync goes,
//! and that orders came in. Declared here, exported to TypeScript with the
//! commands (`events.syncStarted.listen(...)` in `ui/src/bindings.ts`).

use highland_engine::sync::SyncReport;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};

/// A sync began; `pending_ops` changes wait to be sent.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct SyncStarted {
    pub pending_ops: u64,
}

/// A round trip was committed: what is sent and pulled so far.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct SyncProgress {
    pub pushed: u64,
    pub pulled: u64,
    pub refused: u64,
    pub pending_ops: u64,
    /// Why the last attempt failed, while the sync retries; null otherwise.
    pub retrying: Option<ErrorCode>,
    #[serde(flatten)]
    pub photos: PhotoProgress,
}

/// How the photos' files move in a sync (after its operations): what went
/// up and came down so far, and what is left to upload.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct PhotoProgress {
    /// Photo files the hub now holds that it did not before this sync.
    pub photos_uploaded: u64,
    /// Photo bytes sent so far, including attempts cut short.
    pub photo_bytes_up: u64,
    /// Photo bytes still to upload.
    pub photo_bytes_left: u64,
    /// Other devices' photo files fetched.
    pub photos_downloaded: u64,
    pub photo_bytes_down: u64,
}

/// The sync finished: nothing waits, and the hub has nothing more.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct SyncFinished {
    pub pushed: u64,
    pub pulled: u64,
    pub refused: u64,
    pub pending_ops: u64,
    #[serde(flatten)]
    pub photos: PhotoProgress,
}

/// How the download of a newer Highland goes: `have` of `total` bytes, or
/// a wait for the link (`retrying`, with no count).
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct UpdateProgress {
    pub have: u64,
    pub total: u64,
    pub retrying: bool,
}

/// The sync gave up; the app tries again later by itself.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct SyncFailed {
    pub error: AppError,
}

/// Orders from the buyer arrived that wait for the seller's answer.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct NewOrders {
    /// How many arrived in this sync.
    pub count: u64,
    /// How many wait for an answer in all.
    pub to_answer: u64,
}

/// The practice network changed without the seller touching this
/// tablet: the trainer switched the whole class from the hub.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type, tauri_specta::Event,
)]
pub struct PracticeNetworkChanged {
    /// Its slug ("offline", "mountain_2g", "3g", "good"), or null for the
    /// real network.
    pub network: Option<String>,
}

impl From<&SyncReport> for SyncProgress {
    fn from(r: &SyncReport) -> Self {
        SyncProgress {
            pushed: r.pushed,
            pulled: r.pulled,
            refused: r.refused,
            pending_ops: r.pending_ops,
            retrying: None,
            photos: PhotoProgress::from(r),
        }
    }
}

impl From<&SyncReport> for SyncFinished {
    fn from(r: &SyncReport) -> Self {
        SyncFinished {
            pushed: r.pushed,
            pulled: r.pulled,
            refused: r.refused,
            pending_ops: r.pending_ops,
            photos: PhotoProgress::from(r),
        }
    }
}

impl From<&SyncReport> for PhotoProgress {
    fn from(r: &SyncReport) -> Self {
        PhotoProgress {
            photos_uploaded: r.photos_uploaded,
            photo_bytes_up: r.photo_bytes_up,
            photo_bytes_left: r.photo_bytes_left,
            photos_downloaded: r.photos_downloaded,
            photo_bytes_down: r.photo_bytes_down,
        }
    }
}

/// Any of the above, for whatever delivers them: the Tauri app, or a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppEvent {
    SyncStarted(SyncStarted),
    SyncProgress(SyncProgress),
    SyncFinished(SyncFinished),
    SyncFailed(SyncFailed),
    NewOrders(NewOrders),
    PracticeNetworkChanged(PracticeNetworkChanged),
    UpdateProgress(UpdateProgress),
}

/// Where events go.
pub type EventSink = std::sync::Arc<dyn Fn(AppEvent) + Send + Sync>;
