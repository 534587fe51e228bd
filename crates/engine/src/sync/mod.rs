//! Sync with the hub.
//!
//! The lifecycle of one sync, which `sync` runs to completion:
//! 1. Read the oldest pending operations from the outbox (a batch sized for
//!    the link) and the cursor: how far into the hub's log this device has
//!    committed what it pulled.
//! 2. POST them in one compressed request. The hub applies each at most once
//!    (by operation id), answers an acknowledgement or a refusal for each, and
//!    sends a page of its log after the cursor that this device may see.
//! 3. Commit the answer in one transaction: acknowledged operations leave the
//!    queue, refused ones stay visible with the hub's reason, pulled
//!    operations are applied by the same rules as local writes, and the cursor
//!    moves. A crash or a lost response before this point costs a retry only.
//! 4. Repeat until nothing is pending and the hub has nothing more; while the
//!    hub is unreachable, wait with exponential backoff and jitter, and send
//!    smaller batches, until the deadline.
//! 5. Then the photo files (`photos`): upload what the hub acknowledged but
//!    does not hold, thumbnails first, resuming from the hub's offset; then
//!    fetch other devices' photos, unless data saver is on.
//!
//! Steps 1 to 4 run over a [`Link`]: HTTP and the system's clock in the app
//! and the command line ([`HubClient`]); a simulated network and clock in
//! highland-sim, which runs them alone ([`sync_operations`]).

mod attempt;
mod backoff;
mod history;
mod link;
mod photo_transport;
mod photos;
mod pulled;
mod release;
mod session;
mod state;
mod transport;
mod trust;
mod workshop;

pub use backoff::Backoff;
pub use link::Link;
pub use photo_transport::{FRAME_DATA, FRAMES_MEDIA_TYPE, Held, frames};
pub(crate) use pulled::{apply_waiting, waiting_count};
pub use release::{
    APP_VERSION, DownloadedRelease, ReleaseError, ReleaseEvent, ReleaseReady, download_release,
};
pub use session::{
    HUB_UNSETTLED, SyncError, SyncEvent, SyncOptions, SyncReport, enroll, sync, sync_operations,
    sync_through,
};
pub use state::{
    Committed, Enrollment, HubWentBack, MAX_CLOCK_AHEAD_MS, OwnRecovered, Push, RefusedOp,
    SyncStatus,
};
pub use transport::{HubClient, HubError, Sent, USER_AGENT, encode_body, read_answer};
pub use trust::{CaError, HUB_CA_FILE, HubCa};
pub use workshop::{ClassNetwork, class_network};
