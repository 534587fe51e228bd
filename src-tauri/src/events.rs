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

impl From<&SyncReport> for SyncProgress {
    fn from(r: &SyncReport) -> Self {
        SyncProgress {
            pushed: r.pushed,
            pulled: r.pulled,
            refused: r.refused,
            pending_ops: r.pending_ops,
            retrying: None,
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
}

/// Where events go.
pub type EventSink = std::sync::Arc<dyn Fn(AppEvent) + Send + Sync>;
