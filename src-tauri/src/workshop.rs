//! "Start a workshop" on the desktop: the workshop hub (highland-hub's
//! workshop mode) served from inside the app, on the LAN, with its data in
//! `<app data>/workshop-hub`. Only on desktop builds with the `workshop`
//! feature (a tablet is a trainee, not a hub); elsewhere the commands say
//! it cannot be done here.

use std::path::Path;

use serde::Serialize;

use crate::error::{AppError, AppResult, ErrorCode};

/// The workshop hub's data directory, inside the app's.
pub const WORKSHOP_DIR: &str = "workshop-hub";
/// Where the workshop hub listens: every interface, the hub's usual port.
pub const WORKSHOP_LISTEN: &str = "0.0.0.0:7878";
/// How many trainees a workshop started from the app has.
pub const WORKSHOP_TRAINEES: u16 = 10;

/// Whether this build of the app can run a workshop hub.
pub const CAN_HOST: bool = cfg!(all(desktop, feature = "workshop"));

/// A running workshop, as the trainer's screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct WorkshopView {
    /// The address tablets enroll and sync with, such as `http://192.168.4.1:7878`.
    pub hub_url: String,
    /// This computer's LAN addresses.
    pub lan_addresses: Vec<String>,
    /// The trainer's page in the hub's console (network switch, cards).
    pub console_url: String,
    /// The projector page, to open in a browser on the projector.
    pub projector_url: String,
    /// The trainer's staff token for the console.
    pub staff_token: String,
    pub trainees: Vec<TraineeView>,
}

/// One trainee's enrollment card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TraineeView {
    pub name: String,
    /// The one-time code, to type.
    pub code: String,
    /// What the QR code holds: `highland://enroll?hub=…&code=…`.
    pub enroll_text: String,
    /// The QR code as an SVG document (highland-label), to show.
    pub qr_svg: String,
}

#[cfg(all(desktop, feature = "workshop"))]
mod hosted {
    use std::net::SocketAddr;

    use highland_hub::workshop::{self, RunningWorkshop, WorkshopError, WorkshopOptions};

    use super::*;

    /// The workshop hub serving in this process, if one was started.
    #[derive(Default)]
    pub(crate) struct Hosting {
        running: tokio::sync::Mutex<Option<RunningWorkshop>>,
    }

    fn view(running: &RunningWorkshop) -> AppResult<WorkshopView> {
        let info = running.info();
        let trainees = info
            .trainees
            .iter()
            .map(|card| {
                let qr = highland_label::Qr::new(&card.enroll_text)
                    .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
                Ok(TraineeView {
                    name: card.name.clone(),
                    code: card.code.clone(),
                    enroll_text: card.enroll_text.clone(),
                    qr_svg: qr.svg(None, &card.name),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(WorkshopView {
            hub_url: info.hub_url.clone(),
            lan_addresses: info.lan_addresses.iter().map(|a| a.to_string()).collect(),
            console_url: info.console_url.clone(),
            projector_url: info.projector_url.clone(),
            staff_token: info.staff_token.clone(),
            trainees,
        })
    }

    fn explain(e: WorkshopError) -> AppError {
        let message = e.to_string();
        match e {
            // Most often another hub (or workshop) already on the port.
            WorkshopError::Listen { .. } => AppError::new(ErrorCode::Busy, message),
            _ => AppError::new(ErrorCode::Internal, message),
        }
    }

    impl Hosting {
        /// Starts the workshop hub with its data in `data_dir` (or shows the
        /// one running).
        pub(crate) async fn start(&self, data_dir: &Path) -> AppResult<WorkshopView> {
            let mut running = self.running.lock().await;
            if let Some(r) = running.as_ref() {
                return view(r);
            }
            let listen: SocketAddr = WORKSHOP_LISTEN.parse().expect("a socket address");
            let started = workshop::start(WorkshopOptions {
                data_dir: data_dir.to_owned(),
                listen,
                trainees: WORKSHOP_TRAINEES,
                advertise: true,
            })
            .await
            .map_err(explain)?;
            let shown = view(&started)?;
            *running = Some(started);
            Ok(shown)
        }

        pub(crate) async fn view(&self) -> AppResult<Option<WorkshopView>> {
            self.running.lock().await.as_ref().map(view).transpose()
        }

        pub(crate) async fn stop(&self) -> AppResult<()> {
            if let Some(r) = self.running.lock().await.take() {
                r.shutdown().await;
            }
            Ok(())
        }
    }
}

#[cfg(all(desktop, feature = "workshop"))]
pub(crate) use hosted::Hosting;

/// Nothing to hold where no workshop hub can run.
#[cfg(not(all(desktop, feature = "workshop")))]
#[derive(Default)]
pub(crate) struct Hosting {}

#[cfg(not(all(desktop, feature = "workshop")))]
impl Hosting {
    pub(crate) async fn start(&self, _data_dir: &Path) -> AppResult<WorkshopView> {
        Err(AppError::new(
            ErrorCode::Internal,
            "a workshop hub runs on a computer, from the desktop app",
        ))
    }

    pub(crate) async fn view(&self) -> AppResult<Option<WorkshopView>> {
        Ok(None)
    }

    pub(crate) async fn stop(&self) -> AppResult<()> {
        Ok(())
    }
}
