//! Moving photo files, after the operations that name them
//! (docs/sync-protocol.md, section 13).
//!
//! Uploads go smallest first, so every photo's thumbnail reaches the hub
//! before any display version. Each file resumes from the offset the hub
//! reports; each request carries about ten seconds of the link's measured
//! rate, in checksummed frames, so a cut costs at most a frame and a
//! damaged frame is sent again, not the file. Downloads resume from the
//! bytes already here and are kept only when they hash to their name.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use highland_domain::wire::HubErrorCode;
use highland_domain::{PhotoRef, Sha256};

use super::attempt::{Retry, SyncError, SyncEvent, SyncOptions, SyncReport, lock, token_refused};
use super::photo_transport::Held;
use super::transport::{HubClient, HubError};
use crate::Store;

/// The smallest and largest request bodies, and the first guess: 16 KiB is
/// about six seconds of the mountain uplink.
const MIN_PART: usize = 8 * 1024;
const START_PART: usize = 16 * 1024;
const MAX_PART: usize = 1024 * 1024;
/// How long one request should take at the measured rate: long enough that
/// its round trip (2 s on the mountain) is a small share. A cut costs only
/// the frame on the wire, not the request, so longer is no risk.
const PART_TIME: Duration = Duration::from_secs(20);

/// Request sizes that follow the link: the measured rate of the last request
/// that got through. A cut does not shrink them (the frames before it were
/// kept); a hub too busy to answer does.
struct PartSize(usize);

impl PartSize {
    fn went_through(&mut self, bytes: usize, took: Duration) {
        let rate = bytes as f64 / took.as_secs_f64().max(0.001);
        self.0 = ((rate * PART_TIME.as_secs_f64()) as usize).clamp(MIN_PART, MAX_PART);
    }

    fn failed(&mut self) {
        self.0 = (self.0 / 2).max(MIN_PART);
    }
}

/// What to do after a file's transfer failed.
enum Failure {
    /// The link or a busy hub: wait, then try again from the hub's offset.
    Retry(HubError),
    /// The hub and this device disagree about the offset, or a frame was
    /// damaged on the way: ask the offset again at once.
    Resume(HubError),
    /// Nothing another attempt in this sync would change (the hub does not
    /// know the photo, refuses the file): leave this file for the next sync.
    Skip(String),
    Stop(SyncError),
}

fn sort(error: HubError) -> Failure {
    if let Some(stop) = token_refused(&error) {
        return Failure::Stop(stop);
    }
    match &error {
        _ if error.is_retryable() => Failure::Retry(error),
        HubError::Refused {
            code:
                HubErrorCode::OffsetMismatch
                | HubErrorCode::ChunkCorrupted
                | HubErrorCode::PhotoCorrupted,
            ..
        } => Failure::Resume(error),
        _ => Failure::Skip(error.to_string()),
    }
}

/// Consecutive immediate resumptions of one file before waiting as for a
/// bad link: a hub that keeps disagreeing must not be hammered.
const MAX_RESUMES: u32 = 5;

pub(super) async fn transfer(
    store: &Mutex<Store>,
    client: &HubClient,
    token: &str,
    options: &SyncOptions,
    retry: &mut Retry<'_, HubClient>,
    report: &mut SyncReport,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<(), SyncError> {
    upload(store, client, token, retry, report, on_event).await?;
    if options.fetch_photos {
        download(store, client, token, retry, report, on_event).await?;
    }
    Ok(())
}

async fn upload(
    store: &Mutex<Store>,
    client: &HubClient,
    token: &str,
    retry: &mut Retry<'_, HubClient>,
    report: &mut SyncReport,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<(), SyncError> {
    let photos = lock(store).photo_store()?;
    let mut part = PartSize(START_PART);
    let mut skipped: HashSet<Sha256> = HashSet::new();
    let mut resumes = 0;
    loop {
        let waiting: Vec<PhotoRef> = lock(store)
            .uploads_waiting()?
            .into_iter()
            .filter(|f| !skipped.contains(&f.sha256()))
            .collect();
        report.photo_bytes_left = waiting.iter().map(|f| f.bytes()).sum();
        let Some(file) = waiting.first().copied() else {
            return Ok(());
        };
        let Some(bytes) = photos.read_verified(&file).map_err(store_error)? else {
            // Missing or damaged on this device: nothing good to send.
            let message = format!("the photo file {} is damaged on this device", file.sha256());
            let _ = lock(store).note_sync_error(&message);
            skipped.insert(file.sha256());
            continue;
        };
        let outcome = upload_file(
            client, token, retry, file, &bytes, &mut part, report, on_event,
        )
        .await;
        match outcome {
            Ok(()) => {
                lock(store).mark_on_hub(file.sha256())?;
                report.photos_uploaded += 1;
                resumes = 0;
                retry.succeeded();
            }
            Err(Failure::Resume(error)) => {
                resumes += 1;
                if resumes > MAX_RESUMES {
                    resumes = 0;
                    retry
                        .wait(store, &error.to_string(), report, on_event)
                        .await?;
                }
            }
            Err(Failure::Retry(error)) => {
                part.failed();
                retry
                    .wait(store, &error.to_string(), report, on_event)
                    .await?;
            }
            Err(Failure::Skip(message)) => {
                let _ = lock(store).note_sync_error(&message);
                skipped.insert(file.sha256());
            }
            Err(Failure::Stop(error)) => return Err(error),
        }
        on_event(SyncEvent::Progress(report.clone()));
    }
}

/// Sends one file from the hub's offset to its end.
#[allow(clippy::too_many_arguments)]
async fn upload_file(
    client: &HubClient,
    token: &str,
    retry: &mut Retry<'_, HubClient>,
    file: PhotoRef,
    bytes: &[u8],
    part: &mut PartSize,
    report: &mut SyncReport,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<(), Failure> {
    let sha256 = file.sha256();
    let held: Held = retry
        .before_deadline(client.photo_held(token, sha256))
        .await
        .map_err(sort)?;
    if held.length != bytes.len() as u64 {
        return Err(Failure::Skip(format!(
            "the hub expects {} bytes of photo {sha256}, this device has {}",
            held.length,
            bytes.len()
        )));
    }
    let mut offset = held.offset as usize;
    let left_before = report.photo_bytes_left;
    while offset < bytes.len() {
        let end = (offset + part.0).min(bytes.len());
        let started = Instant::now();
        let sent = super::photo_transport::framed_len(end - offset) as u64;
        let answer = retry
            .before_deadline(client.upload_photo_part(
                token,
                sha256,
                offset as u64,
                &bytes[offset..end],
            ))
            .await;
        report.photo_bytes_up += sent;
        match answer {
            Ok(new_offset) => {
                // Progress: the link works, so the next cut waits from the
                // shortest backoff again, not the longest so far.
                retry.succeeded();
                part.went_through(end - offset, started.elapsed());
                offset = new_offset as usize;
                report.photo_bytes_left = left_before.saturating_sub(offset as u64);
                on_event(SyncEvent::Progress(report.clone()));
            }
            Err(error) => return Err(sort(error)),
        }
    }
    Ok(())
}

async fn download(
    store: &Mutex<Store>,
    client: &HubClient,
    token: &str,
    retry: &mut Retry<'_, HubClient>,
    report: &mut SyncReport,
    on_event: &mut (dyn FnMut(SyncEvent) + Send),
) -> Result<(), SyncError> {
    let photos = lock(store).photo_store()?;
    let mut skipped: HashSet<Sha256> = HashSet::new();
    loop {
        let waiting = lock(store).downloads_waiting(false)?;
        let Some(file) = waiting.into_iter().find(|f| !skipped.contains(&f.sha256())) else {
            return Ok(());
        };
        let sha256 = file.sha256();
        let path = photos.download_path(sha256);
        let mut partial = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await
            .map_err(|e| store_error(e.into()))?;
        let from = partial
            .metadata()
            .await
            .map_err(|e| store_error(e.into()))?
            .len();
        let answer = if from >= file.bytes() {
            Ok(0)
        } else {
            retry
                .before_deadline(client.download_photo(token, sha256, from, &mut partial))
                .await
        };
        drop(partial);
        match answer {
            Ok(got) => {
                report.photo_bytes_down += got;
                let have = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                if have < file.bytes() {
                    continue;
                }
                if photos.accept_download(sha256).map_err(store_error)? {
                    lock(store).mark_here(sha256)?;
                    report.photos_downloaded += 1;
                    retry.succeeded();
                } else {
                    let message =
                        format!("photo {sha256} arrived damaged; it will be fetched again");
                    retry.wait(store, &message, report, on_event).await?;
                }
            }
            Err(error) => match sort(error) {
                Failure::Retry(error) | Failure::Resume(error) => {
                    retry
                        .wait(store, &error.to_string(), report, on_event)
                        .await?;
                }
                // Not on the hub yet (its device has not uploaded it): later.
                Failure::Skip(_) => {
                    skipped.insert(sha256);
                }
                Failure::Stop(error) => return Err(error),
            },
        }
        on_event(SyncEvent::Progress(report.clone()));
    }
}

fn store_error(e: crate::PhotoError) -> SyncError {
    SyncError::Store(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revoked_device_stops_its_photos_too() {
        let revoked = HubError::Refused {
            status: 403,
            code: HubErrorCode::DeviceRevoked,
            message: "revoked".to_owned(),
        };
        assert!(matches!(
            sort(revoked),
            Failure::Stop(SyncError::DeviceRevoked)
        ));
        let elsewhere = HubError::Refused {
            status: 403,
            code: "not_your_photo".into(),
            message: "another seller's".to_owned(),
        };
        assert!(matches!(sort(elsewhere), Failure::Skip(_)));
    }
}
