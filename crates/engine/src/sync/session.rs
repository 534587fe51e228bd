use std::sync::Mutex;
use std::time::{Duration, Instant};

use highland_domain::wire::{EnrollRequest, HubErrorCode, PROTOCOL_VERSION, SyncRequest};
use highland_domain::{CheckedCode, OperationId, Platform};
use serde::Serialize;
use thiserror::Error;

use super::backoff::Backoff;
use super::state::{DEVICE_REVOKED, Enrollment};
use super::transport::{HubClient, HubError};
use super::trust::HubCa;
use crate::{Store, StoreError};

/// Why an attempt was abandoned when the caller's deadline passed mid-request.
const DEADLINE_PASSED: &str = "the hub had not answered when the time ran out";

/// The most operations one request carries, whatever their size.
const MAX_OPS_PER_PUSH: usize = 500;
/// Batch sizes in bytes of uncompressed JSON; zstd shrinks them about five
/// times. The smallest crosses the mountain uplink in about a second.
const MIN_BATCH: usize = 4 * 1024;
const START_BATCH: usize = 32 * 1024;
const MAX_BATCH: usize = 256 * 1024;

/// How many rounds of one sync may each find the hub gone back in time
/// (docs/sync-protocol.md section 14) before the sync stops: a real restore
/// is found once.
const MAX_WENT_BACK: u32 = 2;

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

/// Exchanges a one-time enrollment code for this device's token and keeps
/// it. `ca` is an extra certificate authority to trust for an `https://` hub
/// with a certificate of its own; it is kept for every later sync, and
/// enrolling without one forgets any kept before.
pub async fn enroll(
    store: &Mutex<Store>,
    hub_url: &str,
    code: CheckedCode,
    ca: Option<HubCa>,
) -> Result<Enrollment, SyncError> {
    let client = HubClient::new(hub_url, ca.as_ref())?;
    let device_id = lock(store).device_id();
    let response = client
        .enroll(&EnrollRequest {
            protocol: PROTOCOL_VERSION,
            code,
            device_id,
        })
        .await
        .map_err(|e| match e {
            HubError::Refused { code, message, .. } => SyncError::Refused { code, message },
            other => other.into(),
        })?;
    let enrollment = Enrollment {
        hub_url: client.base_url().to_owned(),
        seller_id: response.seller_id,
        seller_name: response.seller_name,
        village: response.village,
        device_token: response.device_token,
    };
    let mut store = lock(store);
    store.set_hub_ca(ca.as_ref())?;
    store.save_enrollment(&enrollment)?;
    Ok(enrollment)
}

/// Runs one sync to completion: everything pending pushed (or refused) and
/// everything the hub has for this device pulled. Retries through a bad link
/// until `options.deadline`.
pub async fn sync(
    store: &Mutex<Store>,
    options: &SyncOptions,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncReport, SyncError> {
    sync_through(store, None, options, on_event).await
}

/// [`sync`], sending every request (photos too) to `through` when given
/// instead of the enrolled hub's address: the workshop's network
/// simulator, a proxy in front of that hub on this device.
pub async fn sync_through(
    store: &Mutex<Store>,
    through: Option<&str>,
    options: &SyncOptions,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncReport, SyncError> {
    let outcome = exchange(store, through, options, on_event).await;
    if let Err(error) = &outcome {
        note_stopped(store, error);
    }
    outcome
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

async fn exchange(
    store: &Mutex<Store>,
    through: Option<&str>,
    options: &SyncOptions,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncReport, SyncError> {
    let (enrollment, client) = enrolled_hub(store, through)?;
    let device_id = lock(store).device_id();
    let mut report = SyncReport {
        pending_ops: lock(store).pending_count()?,
        ..SyncReport::default()
    };
    on_event(SyncEvent::Started {
        pending_ops: report.pending_ops,
    });
    let mut retry = Retry::new(options);
    let mut batch = START_BATCH;
    let mut pull_page = START_BATCH * 2;
    let mut went_back = 0;

    loop {
        let push = lock(store).next_push(batch, MAX_OPS_PER_PUSH)?;
        let sent: Vec<OperationId> = push.ids;
        let request = SyncRequest {
            protocol: PROTOCOL_VERSION,
            device_id,
            cursor: push.cursor,
            operations: push.operations,
            max_pull_bytes: pull_page as u32,
            last_pulled: push.last_pulled,
            own_too: push.own_too,
            // Once a sync is enough for the hub to say whether it carries
            // a newer release.
            platform: (report.round_trips == 0)
                .then(Platform::current)
                .flatten()
                .map(|p| p.to_string()),
        };
        let asked_at = Instant::now();
        let device_time = lock(store).device_clock().now();
        let outcome = retry
            .before_deadline(client.sync(&enrollment.device_token, &request))
            .await;
        match outcome {
            Ok((response, traffic)) => {
                report.bytes_up += traffic.body_bytes;
                report.round_trips += 1;
                // The hub's clock read about half a round trip before the answer came.
                let half_trip =
                    chrono::Duration::from_std(asked_at.elapsed() / 2).unwrap_or_default();
                let offset_ms =
                    response.hub_time_ms as i64 - (device_time + half_trip).timestamp_millis();
                let done = lock(store).commit_sync(&sent, &response, offset_ms)?;
                // The answer to the request that named this device's
                // platform says what the hub carries for it, or that it
                // carries nothing (any more).
                if request.platform.is_some() {
                    lock(store).note_newest_release(response.newest_release.as_ref())?;
                }
                report.pushed += done.acked;
                report.refused += done.refused;
                report.pulled += done.pulled;
                report.pending_ops = lock(store).pending_count()?;
                retry.succeeded();
                batch = (batch * 2).min(MAX_BATCH);
                pull_page = (pull_page * 2).min(MAX_BATCH * 2);
                // A hub that went back in time: its log is pulled again
                // from the start, in the rounds that follow. One that goes
                // back again and again is not one hub (two behind one
                // address, say): this sync stops rather than send the same
                // operations round after round.
                if done.hub_went_back {
                    went_back += 1;
                    if went_back > MAX_WENT_BACK {
                        return Err(SyncError::HubUnsettled);
                    }
                }
                // Done when nothing is left to send (an operation the hub
                // deferred waits for another version of it) and nothing to pull.
                if !response.more && !done.restarts() && lock(store).sendable_count()? == 0 {
                    break;
                }
                on_event(SyncEvent::Progress(report.clone()));
            }
            Err(error) => {
                report.bytes_up += request_size_hint(&request);
                let error = classify(error, &mut batch)?;
                batch = (batch / 2).max(MIN_BATCH);
                pull_page = (pull_page / 2).max(MIN_BATCH * 2);
                retry
                    .wait(store, &error.to_string(), &mut report, on_event)
                    .await?;
            }
        }
    }
    on_event(SyncEvent::Progress(report.clone()));
    super::photos::transfer(
        store,
        &client,
        &enrollment.device_token,
        options,
        &mut retry,
        &mut report,
        on_event,
    )
    .await?;
    on_event(SyncEvent::Finished(report.clone()));
    Ok(report)
}

/// Waiting out a failed attempt, shared by the operations and the photos
/// that follow them: backoff with jitter, never past the deadline.
pub(super) struct Retry<'a> {
    backoff: Backoff,
    options: &'a SyncOptions,
}

impl<'a> Retry<'a> {
    pub(super) fn new(options: &'a SyncOptions) -> Retry<'a> {
        Retry {
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
        let wait = self.backoff.next_wait(rand::random::<f64>());
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
        tokio::time::sleep(wait).await;
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

/// Sorts a failed request into "try again" (returned) and "stop" (the error).
fn classify(error: HubError, batch: &mut usize) -> Result<HubError, SyncError> {
    if let Some(stop) = token_refused(&error) {
        return Err(stop);
    }
    match &error {
        _ if error.is_retryable() => Ok(error),
        HubError::Refused { status: 413, .. } if *batch > MIN_BATCH => {
            // Too large for this hub: the retry halves the batch.
            *batch = MIN_BATCH.max(*batch / 2) * 2;
            Ok(error)
        }
        HubError::Refused { code, message, .. } => Err(SyncError::Refused {
            code: code.clone(),
            message: message.clone(),
        }),
        _ => Err(error.into()),
    }
}

/// Failed attempts may have put their body on the wire, in part or whole;
/// count it, so reports never understate what a bad link cost.
fn request_size_hint(request: &SyncRequest) -> u64 {
    serde_json::to_vec(request)
        .ok()
        .and_then(|json| zstd::encode_all(json.as_slice(), 3).ok())
        .map_or(0, |z| z.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(status: u16, code: &str) -> HubError {
        HubError::Refused {
            status,
            code: code.into(),
            message: "as the hub put it".to_owned(),
        }
    }

    #[test]
    fn a_revoked_device_stops_at_once_with_its_own_code() {
        let mut batch = START_BATCH;
        let error = classify(refused(403, "device_revoked"), &mut batch).unwrap_err();
        assert!(matches!(error, SyncError::DeviceRevoked), "{error:?}");
        assert_eq!(error.code(), "device_revoked");
        assert!(error.to_string().contains("nothing was lost"), "{error}");
        assert_eq!(batch, START_BATCH);
    }

    #[test]
    fn other_refusals_keep_their_meaning() {
        let mut batch = START_BATCH;
        assert!(matches!(
            classify(refused(401, "unauthorized"), &mut batch),
            Err(SyncError::Unauthorized)
        ));
        assert!(matches!(
            classify(refused(403, "wrong_device"), &mut batch),
            Err(SyncError::Refused {
                code: HubErrorCode::WrongDevice,
                ..
            })
        ));
        assert!(classify(refused(503, "busy"), &mut batch).is_ok());
    }
}
