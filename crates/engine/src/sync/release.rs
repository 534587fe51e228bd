//! A newer Highland on the hub (docs/releases.md): what a sync learned of
//! it, and downloading its file over a link that is cut every minute or
//! so. The download resumes where the last attempt stopped (a `.part`
//! file beside the final one) and ends with the file's SHA-256 and its
//! publisher's signature checked. What installs it is the app's shell:
//! Tauri's updater on desktop, Android's package installer on a tablet.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use highland_domain::release::{ReleaseSignature, SignatureError};
use highland_domain::wire::{ReleaseManifest, ReleaseNotice};
use highland_domain::{AppVersion, Platform, Sha256};
use reqwest::StatusCode;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::Digest;

use super::attempt::{Retry, SyncError, SyncEvent, SyncOptions, SyncReport, enrolled_hub};
use super::transport::{HubClient, HubError, refusal};
use crate::{Result, Store, StoreError};

/// This build's version. Every crate of the workspace, and the app's
/// tauri.conf.json, carry the same one (a test in the app checks).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

const NEWEST_RELEASE: &str = "hub_newest_release";

/// A newer Highland that the hub carries for this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReleaseReady {
    pub version: String,
    /// The file's size, for "12 MB: about 8 minutes here".
    pub size_bytes: u64,
}

impl Store {
    /// Keeps what the hub said of its newest release for this device's
    /// platform; `None` when it carries none (any more).
    pub(crate) fn note_newest_release(&mut self, notice: Option<&ReleaseNotice>) -> Result<()> {
        match notice {
            Some(notice) => {
                let value = serde_json::to_string(notice)
                    .map_err(|e| StoreError::BadRecord(format!("release notice: {e}")))?;
                self.conn.execute(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![NEWEST_RELEASE, value],
                )?;
            }
            None => {
                self.conn
                    .execute("DELETE FROM settings WHERE key = ?1", [NEWEST_RELEASE])?;
            }
        }
        Ok(())
    }

    /// The hub's newest release, when it is newer than this build.
    pub fn release_ready(&self) -> Result<Option<ReleaseReady>> {
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [NEWEST_RELEASE],
                |r| r.get(0),
            )
            .optional()?;
        // A record this build cannot read is one a newer build wrote: no
        // reason to stop anything, and the next sync writes it again.
        let Some(notice) = stored.and_then(|s| serde_json::from_str::<ReleaseNotice>(&s).ok())
        else {
            return Ok(None);
        };
        let this_build: Option<AppVersion> = APP_VERSION.parse().ok();
        Ok(
            (Some(&notice.version) > this_build.as_ref()).then(|| ReleaseReady {
                version: notice.version.to_string(),
                size_bytes: notice.size,
            }),
        )
    }
}

/// A release file downloaded whole, its digest and signature checked.
#[derive(Debug, Clone)]
pub struct DownloadedRelease {
    pub manifest: ReleaseManifest,
    pub path: PathBuf,
}

/// Why a release could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error("the hub carries no newer Highland for this device")]
    NothingNewer,
    #[error("this kind of device ({0}) gets no Highland releases")]
    UnknownPlatform(String),
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("the downloaded file is not the release the hub announced; it was removed")]
    Corrupted,
    #[error("the download could not be kept: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

/// How a release download goes, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReleaseEvent {
    /// `have` of `total` bytes are here.
    Progress { have: u64, total: u64 },
    /// The link failed; trying again after `wait_ms`.
    Retrying { error: String, wait_ms: u64 },
}

/// Downloads the hub's newest release for this device into `dir`,
/// resuming a `.part` file a cut left there, retrying through the link's
/// cuts until `options.deadline`. `public_key` is the publisher's (base64,
/// as in tauri.conf.json): a file it did not sign is removed, not kept.
/// `through` is a proxy in front of the hub, as for [`super::sync_through`].
pub async fn download_release(
    store: &Mutex<Store>,
    through: Option<&str>,
    dir: &Path,
    public_key: &str,
    options: &SyncOptions,
    on_event: &mut (dyn FnMut(ReleaseEvent) + Send),
) -> std::result::Result<DownloadedRelease, ReleaseError> {
    let platform = Platform::current()
        .ok_or_else(|| ReleaseError::UnknownPlatform(std::env::consts::OS.to_owned()))?;
    let (_, client) = enrolled_hub(store, through)?;
    let mut retry = Retry::new(&client, options);
    let mut report = SyncReport::default();
    let manifest = loop {
        match retry
            .before_deadline(client.release_manifest(platform, APP_VERSION))
            .await
        {
            Ok(Some(manifest)) => break manifest,
            Ok(None) => return Err(ReleaseError::NothingNewer),
            Err(e) if e.is_retryable() => {
                retry
                    .wait(store, &e.to_string(), &mut report, &mut |event| {
                        relay(on_event, event)
                    })
                    .await?
            }
            Err(e) => return Err(SyncError::from(e).into()),
        }
    };
    let signature = ReleaseSignature::parse(&manifest.signature)?;
    std::fs::create_dir_all(dir)?;
    let name = format!("highland-{}-{platform}", manifest.version);
    let part = dir.join(format!("{name}.part"));
    let path = dir.join(name);
    let file_path = format!("/v1/releases/{platform}/{}/file", manifest.version);
    let etag = format!("\"{}\"", manifest.sha256);
    loop {
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&part)
            .await?;
        let from = file.metadata().await?.len();
        if from > manifest.size {
            // Not this release's bytes (a release replaced on the hub).
            file.set_len(0).await?;
            continue;
        }
        on_event(ReleaseEvent::Progress {
            have: from,
            total: manifest.size,
        });
        if from == manifest.size {
            break;
        }
        let answer = retry
            .before_deadline(client.download(&file_path, None, &etag, from, &mut file))
            .await;
        drop(file);
        let have = std::fs::metadata(&part).map_or(from, |m| m.len());
        match answer {
            Ok(_) => retry.succeeded(),
            // A cut after some bytes came: that was progress, and the next
            // attempt goes on from there at once; a link that gives bytes
            // between cuts is not one to back off from.
            Err(e) if e.is_retryable() && have > from => retry.succeeded(),
            Err(e) if e.is_retryable() => {
                retry
                    .wait(store, &e.to_string(), &mut report, &mut |event| {
                        relay(on_event, event)
                    })
                    .await?
            }
            Err(e) => return Err(SyncError::from(e).into()),
        }
    }
    let bytes = tokio::fs::read(&part).await?;
    let intact = Sha256::from_digest(sha2::Sha256::digest(&bytes).into()) == manifest.sha256;
    let checked = if intact {
        signature
            .verify(&bytes, public_key, &manifest.version)
            .map_err(ReleaseError::from)
    } else {
        Err(ReleaseError::Corrupted)
    };
    if let Err(e) = checked {
        // Never kept, never resumed: the next attempt starts clean.
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    std::fs::rename(&part, &path)?;
    Ok(DownloadedRelease { manifest, path })
}

/// A retry's wait, said as a release event.
fn relay(on_event: &mut (dyn FnMut(ReleaseEvent) + Send), event: SyncEvent) {
    if let SyncEvent::Retrying { error, wait } = event {
        on_event(ReleaseEvent::Retrying {
            error,
            wait_ms: wait.as_millis() as u64,
        });
    }
}

impl HubClient {
    /// `GET /v1/releases/{platform}/{current_version}`: the newest release
    /// when it is newer than `current`.
    pub async fn release_manifest(
        &self,
        platform: Platform,
        current: &str,
    ) -> std::result::Result<Option<ReleaseManifest>, HubError> {
        let response = self
            .http()
            .get(self.url(&format!("/v1/releases/{platform}/{current}")))
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .map_err(|e| self.failed(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.failed(e))?;
        match status {
            StatusCode::NO_CONTENT => Ok(None),
            s if s.is_success() => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| HubError::BadResponse(e.to_string())),
            s => Err(refusal(s, &bytes)),
        }
    }
}
