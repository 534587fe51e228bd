//! What every exchange with the hub shares (the operations' sync, the
//! photos after it, a release download): its options, its report and
//! events, its errors, the enrolled hub's client, and waiting out a failed
//! attempt with backoff, never past the deadline.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use highland_domain::wire::HubErrorCode;
use serde::Serialize;
use thiserror::Error;

use super::backoff::Backoff;
use super::link::Link;
use super::state::{DEVICE_REVOKED, Enrollment};
use super::transport::{HubClient, HubError};
use crate::{Store, StoreError};

/// Why an attempt was abandoned when the caller's deadline passed mid-request.
pub(super) const DEADLINE_PASSED: &str = "the hub had not answered when the time ran out";

/// The code of a sync stopped because the hub's history kept changing.
pub const HUB_UNSETTLED: &str = "hub_unsettled";

#[derive(Debug, Error)]
pub enum SyncError {
    #[error(
        "this device is not enrolled with a hub yet; run `highland enroll --hub URL --code CODE`"
    )]
    NotEnrolled,
    #[error(
        "the hub no longer accepts this device's token; enroll it again with a new code from the hub"
    )]
    Unauthorized,
    /// The hub's staff revoked this device. Final, like [`Self::Unauthorized`],
    /// until it is enrolled again; what it recorded stays here.
    #[error(
        "this device was removed from the hub (revoked by its staff); nothing was lost here; \
         ask your trainer or the buyer to enroll it again"
    )]
    DeviceRevoked,
    #[error("{message}")]
    Refused { code: HubErrorCode, message: String },
    /// The hub's history changed at every answer of one sync.
    #[error(
        "the hub's history changed at every answer, as if several hubs answered at one \
         address; nothing was lost here, and the next sync tries again"
    )]
    HubUnsettled,
    #[error("the sync did not finish in time: {last_error}")]
    TimedOut { last_error: String },
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// A stable name for the kind of error, for front ends that translate.
    pub fn code(&self) -> &str {
        match self {
            SyncError::NotEnrolled => "not_enrolled",
            SyncError::Unauthorized => "unauthorized",
            SyncError::DeviceRevoked => DEVICE_REVOKED,
            SyncError::Refused { code, .. } => code.as_str(),
            SyncError::HubUnsettled => HUB_UNSETTLED,
            SyncError::TimedOut { .. } => "timed_out",
            SyncError::Hub(HubError::UntrustedCertificate(_)) => "untrusted_certificate",
            SyncError::Hub(HubError::NotTls(_)) => "not_tls",
            SyncError::Hub(_) => "hub",
            SyncError::Store(e) => e.code(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Give up (with [`SyncError::TimedOut`]) when this moment passes.
    pub deadline: Option<Instant>,
    pub first_wait: Duration,
    pub max_wait: Duration,
    /// Download the photos of the seller's other devices. Off with "data
    /// saver", unless the seller asks or the link is Wi-Fi.
    pub fetch_photos: bool,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            deadline: None,
            first_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(30),
            fetch_photos: true,
        }
    }
}

/// What a sync did, reported as it goes and at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncReport {
    /// Operations the hub acknowledged.
    pub pushed: u64,
    /// Operations the hub refused for good.
    pub refused: u64,
    /// Operations pulled from the hub and new here.
    pub pulled: u64,
    /// Requests that got an answer.
    pub round_trips: u32,
    /// Requests that failed and were retried.
    pub retries: u32,
    /// Compressed request bodies sent, including those of failed attempts.
    pub bytes_up: u64,
    pub pending_ops: u64,
    /// Photo files the hub now holds that it did not before this sync.
    pub photos_uploaded: u64,
    /// Photo bytes sent, as frames, including attempts cut short.
    pub photo_bytes_up: u64,
    /// Photo bytes still to upload.
    pub photo_bytes_left: u64,
    /// Other devices' photo files fetched and checked.
    pub photos_downloaded: u64,
    pub photo_bytes_down: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncEvent {
    Started { pending_ops: u64 },
    Progress(SyncReport),
    Retrying { error: String, wait: Duration },
    Finished(SyncReport),
}

pub(super) fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    // A panic while holding the store left no half-done transaction behind
    // (SQLite rolled it back), so the store is still good to use.
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The enrolled hub (or `through`, a proxy in front of it) and a client
/// for it that trusts what this device was told to trust.
pub(super) fn enrolled_hub(
    store: &Mutex<Store>,
    through: Option<&str>,
) -> Result<(Enrollment, HubClient), SyncError> {
    let mut enrollment = lock(store).enrollment()?.ok_or(SyncError::NotEnrolled)?;
    if let Some(through) = through {
        enrollment.hub_url = through.to_owned();
    }
    // Enrolling over http:// keeps no CA; one put there by hand means nothing.
    let ca = if enrollment.hub_url.starts_with("https://") {
        lock(store).hub_ca()?
    } else {
        None
    };
    let client = HubClient::new(&enrollment.hub_url, ca.as_ref())?;
    Ok((enrollment, client))
}

/// Waiting out a failed attempt, shared by the operations and the photos
/// that follow them: backoff with jitter, never past the deadline, in the
/// time of the `Link` the attempts go over.
pub(super) struct Retry<'a, L> {
    pub(super) link: &'a L,
    backoff: Backoff,
    options: &'a SyncOptions,
}

impl<'a, L: Link> Retry<'a, L> {
    pub(super) fn new(link: &'a L, options: &'a SyncOptions) -> Retry<'a, L> {
        Retry {
            link,
            backoff: Backoff::new(options.first_wait, options.max_wait),
            options,
        }
    }

    pub(super) fn succeeded(&mut self) {
        self.backoff.reset();
    }

    /// Notes why the attempt failed and waits before the next one, or
    /// gives up with [`SyncError::TimedOut`] when the deadline has passed.
    pub(super) async fn wait(
        &mut self,
        store: &Mutex<Store>,
        message: &str,
        report: &mut SyncReport,
        on_event: &mut (dyn FnMut(SyncEvent) + Send),
    ) -> Result<(), SyncError> {
        report.retries += 1;
        // Best effort: the reason is for the seller's eyes, not the sync.
        // Every retry here is an attempt that did not get through, so the
        // hub counts as out of reach until one does.
        {
            let mut store = lock(store);
            let _ = store.note_sync_error(message);
            let _ = store.note_link(false);
        }
        let wait = self.backoff.next_wait(self.link.jitter());
        let wait = match self.options.deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(SyncError::TimedOut {
                        last_error: message.to_owned(),
                    });
                }
                wait.min(left)
            }
            None => wait,
        };
        on_event(SyncEvent::Retrying {
            error: message.to_owned(),
            wait,
        });
        self.link.pause(wait).await;
        Ok(())
    }

    /// Runs one request, abandoning it when the deadline passes: a link that
    /// went silent would otherwise hold the sync for the whole read timeout.
    pub(super) async fn before_deadline<T>(
        &self,
        attempt: impl std::future::Future<Output = Result<T, HubError>>,
    ) -> Result<T, HubError> {
        match self.options.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), attempt)
                .await
                .unwrap_or_else(|_| Err(HubError::Unreachable(DEADLINE_PASSED.to_owned()))),
            None => attempt.await,
        }
    }
}

/// The hub's answers that say this device's token is done for: no retry,
/// in this sync or a later one, gets another answer until the device is
/// enrolled again. The code decides a revocation, whatever the status, as
/// codes are what the hub keeps stable.
pub(super) fn token_refused(error: &HubError) -> Option<SyncError> {
    match error {
        HubError::Refused {
            code: HubErrorCode::DeviceRevoked,
            ..
        } => Some(SyncError::DeviceRevoked),
        HubError::Refused { status: 401, .. } => Some(SyncError::Unauthorized),
        _ => None,
    }
}

/// Keeps what stopped a sync, with its code, for `status` after the
/// process is gone and for the app's background sync. Best effort: the
/// error itself is what the caller acts on.
pub(super) fn note_stopped(store: &Mutex<Store>, error: &SyncError) {
    match error {
        // Nothing was tried, or the store itself is what failed.
        SyncError::NotEnrolled | SyncError::Store(_) => {}
        _ => {
            let _ = lock(store).note_sync_stopped(error.code(), &error.to_string());
        }
    }
}
