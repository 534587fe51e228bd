use std::sync::Mutex;

use highland_domain::wire::{EnrollRequest, PROTOCOL_VERSION, SyncRequest};
use highland_domain::{CheckedCode, OperationId, Platform};

pub use super::attempt::{HUB_UNSETTLED, SyncError, SyncEvent, SyncOptions, SyncReport};
use super::attempt::{Retry, enrolled_hub, lock, note_stopped, token_refused};
use super::link::Link;
use super::state::Enrollment;
use super::transport::{HubClient, HubError};
use super::trust::HubCa;
use crate::Store;

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

async fn exchange(
    store: &Mutex<Store>,
    through: Option<&str>,
    options: &SyncOptions,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncReport, SyncError> {
    let (enrollment, client) = enrolled_hub(store, through)?;
    let mut retry = Retry::new(&client, options);
    let mut report = operations(store, &enrollment.device_token, &mut retry, on_event).await?;
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

/// The operations' part of [`sync`] through any [`Link`], without the
/// photo files: everything pending pushed (or refused) and everything the
/// hub has for this device pulled, retrying until `options.deadline`. A
/// simulation runs it over its own network and clock.
pub async fn sync_operations<L: Link>(
    store: &Mutex<Store>,
    link: &L,
    options: &SyncOptions,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncReport, SyncError> {
    let outcome = async {
        let enrollment = lock(store).enrollment()?.ok_or(SyncError::NotEnrolled)?;
        let mut retry = Retry::new(link, options);
        let report = operations(store, &enrollment.device_token, &mut retry, on_event).await?;
        on_event(SyncEvent::Finished(report.clone()));
        Ok(report)
    }
    .await;
    if let Err(error) = &outcome {
        note_stopped(store, error);
    }
    outcome
}

/// Exchanges operations with the hub until nothing is left to send and
/// nothing to pull.
async fn operations<L: Link>(
    store: &Mutex<Store>,
    token: &str,
    retry: &mut Retry<'_, L>,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<SyncReport, SyncError> {
    let device_id = lock(store).device_id();
    let mut report = SyncReport {
        pending_ops: lock(store).pending_count()?,
        ..SyncReport::default()
    };
    on_event(SyncEvent::Started {
        pending_ops: report.pending_ops,
    });
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
            resent: push.resent,
            incarnation: push.incarnation,
        };
        let device_time = lock(store).device_clock().now();
        let outcome = retry
            .before_deadline(retry.link.sync(token, &request))
            .await;
        match outcome {
            Ok((response, traffic)) => {
                report.bytes_up += traffic.body_bytes;
                report.round_trips += 1;
                // The hub's clock read about half a round trip before the answer came.
                let half_trip = chrono::Duration::from_std(traffic.took / 2).unwrap_or_default();
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
    Ok(report)
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
    use highland_domain::wire::HubErrorCode;

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
