//! A newer Highland from the hub (docs/releases.md). Tablets in China get
//! no app-store updates, so the hub carries the release files and a sync
//! says when a newer one is there. The engine downloads it, resuming
//! through the link's cuts, and checks the publisher's signature; then
//! Tauri's updater installs it on desktop. On Android the APK goes to the
//! system's installer (docs/android.md).

use std::path::Path;

use highland_engine::sync::{self, ReleaseError, ReleaseEvent, SyncOptions};
use serde::Serialize;

use crate::error::{AppError, AppResult, ErrorCode, file_not_saved};
use crate::events::{AppEvent, UpdateProgress};
use crate::highland::Highland;
use crate::release_key::release_key;

/// Where downloads wait, in the app's data directory.
const UPDATES_DIR: &str = "updates";

/// How long one attempt at a download may take, retries included: a 30 MB
/// APK over the mountain uplink's 50 kbit/s down needs about 80 minutes.
const DOWNLOAD_LIMIT: std::time::Duration = std::time::Duration::from_secs(3 * 60 * 60);

/// What installing an update did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UpdateOutcome {
    /// Installed: it runs from the next start ([`crate::commands::restart_app`]).
    Installed { version: String },
    /// Downloaded and checked; Android's installer takes it from here.
    Downloaded { version: String, path: String },
}

impl Highland {
    /// Downloads the hub's newer release into the data directory, with its
    /// progress as [`UpdateProgress`] events; a cut download resumes.
    pub async fn download_update(&self) -> AppResult<sync::DownloadedRelease> {
        let key = release_key().ok_or_else(|| {
            AppError::new(
                ErrorCode::UpdateNotInstallable,
                "this build of Highland was made without a release key, so it cannot update itself",
            )
        })?;
        let store = self.real_store();
        let through = self.route_to_hub(&store).await?;
        let events = self.events.clone();
        let mut on_event = move |event: ReleaseEvent| {
            events(AppEvent::UpdateProgress(match event {
                ReleaseEvent::Progress { have, total } => UpdateProgress {
                    have,
                    total,
                    retrying: false,
                },
                ReleaseEvent::Retrying { .. } => UpdateProgress {
                    have: 0,
                    total: 0,
                    retrying: true,
                },
            }))
        };
        let options = SyncOptions {
            deadline: Some(std::time::Instant::now() + DOWNLOAD_LIMIT),
            ..SyncOptions::default()
        };
        let dir = self.data_dir().join(UPDATES_DIR);
        sync::download_release(
            &store,
            through.as_deref(),
            &dir,
            key,
            &options,
            &mut on_event,
        )
        .await
        .map_err(|e| release_error(e, &dir))
    }
}

/// Downloads the newer release and installs it: by Tauri's updater on
/// desktop, which checks the signature again and replaces the app (an
/// AppImage, a .deb, an installer on Windows); on Android the checked APK
/// is handed back for the system's installer.
pub async fn install(handle: &tauri::AppHandle, highland: &Highland) -> AppResult<UpdateOutcome> {
    let downloaded = highland.download_update().await?;
    let version = downloaded.manifest.version.to_string();
    #[cfg(desktop)]
    {
        install_on_desktop(handle, &downloaded).await?;
        Ok(UpdateOutcome::Installed { version })
    }
    #[cfg(mobile)]
    {
        let _ = handle;
        Ok(UpdateOutcome::Downloaded {
            version,
            path: downloaded.path.display().to_string(),
        })
    }
}

#[cfg(desktop)]
async fn install_on_desktop(
    handle: &tauri::AppHandle,
    downloaded: &sync::DownloadedRelease,
) -> AppResult<()> {
    use tauri_plugin_updater::UpdaterExt;
    let not_installed = |e: tauri_plugin_updater::Error| {
        tracing::error!(error = %e, "the update was not installed");
        let code = match e {
            tauri_plugin_updater::Error::Minisign(_)
            | tauri_plugin_updater::Error::SignedVersionMismatch { .. }
            | tauri_plugin_updater::Error::MissingSignedVersion => ErrorCode::UpdateRejected,
            _ => ErrorCode::UpdateNotInstallable,
        };
        AppError::new(code, format!("the update was not installed: {e}"))
    };
    let key = release_key().unwrap_or_default();
    // The manifest as the hub sent it: the updater checks the signature
    // against the version it names, with no second request.
    let manifest = serde_json::to_value(&downloaded.manifest)
        .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    let endpoint =
        downloaded.manifest.url.parse().map_err(|e| {
            AppError::new(ErrorCode::HubRefused, format!("the release's address: {e}"))
        })?;
    let updater = handle
        .updater_builder()
        .pubkey(key)
        .endpoints(vec![endpoint])
        .and_then(|b| b.build())
        .map_err(not_installed)?;
    let update = updater
        .restore_update(manifest)
        .map_err(not_installed)?
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::NoUpdate,
                "the release on the hub is not newer than this app",
            )
        })?;
    let bytes =
        std::fs::read(&downloaded.path).map_err(|e| file_not_saved(&e, &downloaded.path))?;
    update.install(bytes).map_err(not_installed)?;
    // Installed: the download is not needed again.
    let _ = std::fs::remove_file(&downloaded.path);
    Ok(())
}

fn release_error(e: ReleaseError, dir: &Path) -> AppError {
    let message = e.to_string();
    match e {
        ReleaseError::NothingNewer => AppError::new(ErrorCode::NoUpdate, message),
        ReleaseError::UnknownPlatform(_) => AppError::new(ErrorCode::UpdateNotInstallable, message),
        ReleaseError::Signature(_) | ReleaseError::Corrupted => {
            AppError::new(ErrorCode::UpdateRejected, message)
        }
        ReleaseError::Io(io) => file_not_saved(&io, dir),
        ReleaseError::Sync(s) => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_the_engine_and_tauri_conf_carry_one_version() {
        let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json"))
            .expect("tauri.conf.json reads");
        assert_eq!(conf["version"], sync::APP_VERSION);
        assert_eq!(env!("CARGO_PKG_VERSION"), sync::APP_VERSION);
    }

    #[test]
    fn a_download_that_fails_its_signature_is_said_as_rejected() {
        let e = release_error(
            ReleaseError::Signature(highland_domain::release::SignatureError::Mismatch),
            Path::new("updates"),
        );
        assert_eq!(e.code, ErrorCode::UpdateRejected);
        let e = release_error(ReleaseError::NothingNewer, Path::new("updates"));
        assert_eq!(e.code, ErrorCode::NoUpdate);
    }
}
