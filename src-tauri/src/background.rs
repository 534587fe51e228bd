//! Sync in the background: on start, after every local write, and on a
//! timer, with exponential backoff and jitter while the hub cannot be
//! reached. One sync at a time; the UI hears how each goes through events.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use highland_domain::SimulatedNetwork;
use highland_engine::Profile;
use highland_engine::sync::{self, SyncEvent, SyncOptions, SyncReport};
use highland_seller::{SyncSchedule, Turn};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{AppEvent, NewOrders, SyncFailed, SyncFinished, SyncProgress, SyncStarted};
use crate::highland::{Highland, SyncStatusView};

/// How long one background sync may retry through a bad link before it
/// gives up and waits for the next turn.
const BACKGROUND_LIMIT: Duration = Duration::from_secs(60);
/// How long a sync the seller asked for may take.
const ASKED_LIMIT: Duration = Duration::from_secs(30);

/// With no signal at all a phone knows at once that nothing can be sent:
/// on the practice network "offline", a sync gives up after a few tries
/// instead of retrying for its whole time.
const OFFLINE_LIMIT: Duration = Duration::from_secs(5);

fn limit_on(network: Option<SimulatedNetwork>, limit: Duration) -> Duration {
    match network {
        Some(SimulatedNetwork::Offline) => limit.min(OFFLINE_LIMIT),
        _ => limit,
    }
}

/// Who started a sync: the seller's own "Sync now", or the background loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    BySeller,
    InBackground,
}

impl Highland {
    /// Asks the background sync to run now (or right after the one running).
    pub fn kick_sync(&self) {
        self.sync.kick.notify_one();
    }

    /// Runs a sync now and says where sync stands after it. The seller
    /// asked for it, so it fetches other devices' photos even with data
    /// saver on.
    pub async fn sync_now(&self) -> AppResult<SyncStatusView> {
        self.sync_once(ASKED_LIMIT, Asked::BySeller).await?;
        self.sync_status()
    }

    /// One sync of the active profile, after any other finishes. The demo
    /// and a profile not enrolled have nothing to sync with: that is an
    /// error for the caller, but no event.
    pub async fn sync_once(&self, limit: Duration, asked: Asked) -> AppResult<SyncReport> {
        let _turn = self.sync.turn.lock().await;
        let (profile, store) = self.active_store();
        if profile == Profile::Demo {
            return Err(AppError::new(
                ErrorCode::DemoProfile,
                "the demo does not sync with a hub",
            ));
        }
        let orders_before = store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .status()?
            .orders;
        let network = self.get_settings()?.practice_network;
        let through = match self.route_to_hub(&store).await {
            Ok(through) => through,
            Err(error) if error.code == ErrorCode::NotEnrolled => return Err(error),
            Err(error) => {
                // The hub's name could not be looked up: the sync failed
                // before it began, and says so as any failed sync does.
                *self
                    .sync
                    .last_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                (self.events)(AppEvent::SyncFailed(SyncFailed {
                    error: error.clone(),
                }));
                return Err(error);
            }
        };
        self.sync.running.store(true, Ordering::SeqCst);
        let events = self.events.clone();
        // A retry repeats the progress so far, with the reason.
        let mut so_far = SyncProgress::default();
        // The engine holds no lock on the store while it reports a retry.
        let counted = store.clone();
        let mut on_event = move |event: SyncEvent| {
            events(match event {
                SyncEvent::Started { pending_ops } => {
                    so_far.pending_ops = pending_ops;
                    AppEvent::SyncStarted(SyncStarted { pending_ops })
                }
                SyncEvent::Progress(report) => {
                    so_far = SyncProgress::from(&report);
                    AppEvent::SyncProgress(so_far.clone())
                }
                SyncEvent::Retrying { .. } => {
                    // What waits now: while the link is down the seller
                    // goes on recording sales, and the bar must count them.
                    if let Ok(n) = counted
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .pending_count()
                    {
                        so_far.pending_ops = n;
                    }
                    AppEvent::SyncProgress(SyncProgress {
                        retrying: Some(ErrorCode::HubUnreachable),
                        ..so_far.clone()
                    })
                }
                SyncEvent::Finished(report) => AppEvent::SyncFinished(SyncFinished::from(&report)),
            })
        };
        let data_saver = store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .settings()?
            .data_saver;
        let options = SyncOptions {
            deadline: Some(Instant::now() + limit_on(network, limit)),
            first_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(10),
            fetch_photos: highland_seller::photos::fetch_other_devices_photos(
                data_saver,
                asked == Asked::BySeller,
            ),
        };
        let outcome = sync::sync_through(&store, through.as_deref(), &options, &mut on_event).await;
        self.sync.running.store(false, Ordering::SeqCst);
        let mut last_error = self
            .sync
            .last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(report) => {
                *last_error = None;
                drop(last_error);
                let status = store.lock().unwrap_or_else(|p| p.into_inner()).status()?;
                if status.orders > orders_before {
                    (self.events)(AppEvent::NewOrders(NewOrders {
                        count: (status.orders - orders_before) as u64,
                        to_answer: status.orders_to_answer as u64,
                    }));
                }
                Ok(report)
            }
            Err(e) => {
                let error = AppError::from(e);
                *last_error = Some(error.clone());
                drop(last_error);
                (self.events)(AppEvent::SyncFailed(SyncFailed {
                    error: error.clone(),
                }));
                Err(error)
            }
        }
    }
}

/// The background sync, for as long as the app runs, on highland-seller's
/// schedule; a local write or the seller asking starts a turn at once.
pub async fn keep_in_sync(app: &Highland) {
    let mut schedule = SyncSchedule::default();
    // The first turn comes at once: a sync on start.
    let mut wait = Duration::ZERO;
    loop {
        tokio::select! {
            () = app.sync.kick.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
        // A turn comes at least hourly, so a store the app keeps open for
        // days is still checked in full daily.
        if let Err(e) = app.check_store_if_due().await {
            tracing::warn!(code = ?e.code, "the store's daily check failed: {}", e.message);
        }
        // The hub's staff revoked this device: every request would get the
        // same answer until it is enrolled again (which clears this), so
        // only the seller's own "Sync now" still asks.
        let turn = if app.is_revoked() {
            Turn::NothingToSyncWith
        } else {
            match app.sync_once(BACKGROUND_LIMIT, Asked::InBackground).await {
                Ok(_) => Turn::Synced,
                Err(e)
                    if matches!(
                        e.code,
                        ErrorCode::NotEnrolled | ErrorCode::DemoProfile | ErrorCode::DeviceRevoked
                    ) =>
                {
                    Turn::NothingToSyncWith
                }
                Err(e) => {
                    tracing::info!(code = ?e.code, "background sync failed: {}", e.message);
                    Turn::Failed
                }
            }
        };
        let data_saver = app.get_settings().map(|s| s.data_saver).unwrap_or(false);
        wait = schedule.after(turn, data_saver, rand::random::<f64>());
    }
}

/// How often a tablet asks its hub which network the trainer set.
const CLASS_POLL: Duration = Duration::from_secs(5);

/// Follows the trainer's class-wide network switch for as long as the app
/// runs: while the seller's own profile is enrolled, asks the hub every few
/// seconds, straight (never through the simulator it controls). A hub that
/// is not a workshop hub is not asked again until the enrollment changes.
pub async fn follow_the_class(app: &Highland) {
    let mut not_a_workshop: Option<String> = None;
    loop {
        tokio::time::sleep(CLASS_POLL).await;
        let hub = match app.sync_status() {
            Ok(s) if s.enrolled && s.profile == Profile::Real => s.hub_url,
            _ => None,
        };
        let Some(hub) = hub else { continue };
        if app.is_revoked() {
            continue;
        }
        if not_a_workshop.as_deref() == Some(hub.as_str()) {
            continue;
        }
        match app.follow_class_once().await {
            Ok(true) => {}
            Ok(false) => not_a_workshop = Some(hub),
            Err(e) => tracing::debug!(code = ?e.code, "the class network: {}", e.message),
        }
    }
}

impl Highland {
    /// Where requests for the enrolled hub go: the workshop's network
    /// simulator in front of it when a practice network is set, else
    /// straight to it (`None`).
    pub(crate) async fn route_to_hub(
        &self,
        store: &std::sync::Mutex<highland_engine::Store>,
    ) -> AppResult<Option<String>> {
        let Some(enrollment) = store
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .enrollment()?
        else {
            return Err(sync::SyncError::NotEnrolled.into());
        };
        let network = self.get_settings()?.practice_network;
        self.simulator.route(&enrollment.hub_url, network).await
    }
}
