//! Workshop mode: a hub for teaching online selling in a village hall with
//! no internet (`highland-hub workshop`, or the desktop app's "Start a
//! workshop"). One call to [`start`] opens (or creates) the hub's data
//! directory, seeds the demo village sellers once ([`seed`]), gives the
//! trainer a fresh staff token and every trainee not yet enrolled a fresh
//! code ([`trainees`]), serves the hub on the LAN with the projector view
//! ([`projector`]) mounted, runs the workshop's buyer ([`buyer`]) and, when
//! asked, advertises the hub by mDNS.
//!
//! Everything the workshop keeps is in the hub's database (the class's
//! network switch, which sellers are trainees, whether the demo is seeded),
//! so a restart on the same directory picks the class up where it was.

mod addresses;
mod buyer;
pub mod network;
mod photos;
pub(crate) mod projector;
mod round;
mod seed;
pub mod trainees;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::photos::{PhotoStore, PhotoStoreError, UploadError};
use crate::{AppState, SellerId, Storage, SystemClock, WallClock};

pub use addresses::lan_addresses;

pub use highland_discovery::SERVICE_TYPE;

/// A workshop setting as stored: its value (`None` once cleared) and when
/// it was last set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkshopSetting {
    pub value: Option<String>,
    pub set_at_ms: u64,
}

/// A trainee as the hub keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trainee {
    /// 1 for "Trainee 1".
    pub number: u32,
    pub seller_id: SellerId,
    pub name: String,
    /// How many devices enrolled with the trainee's codes.
    pub devices: u32,
    /// The latest sync of any of their devices, by the hub's clock.
    pub last_sync_at_ms: Option<u64>,
}

/// What changes whenever the log grows, a device syncs or a setting is
/// changed; the projector redraws when it differs. Sums, not maxima: two
/// syncs or two switches in the same millisecond still move it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChangeMarker {
    pub log: u64,
    pub synced: u64,
    pub settings: u64,
}

/// How to run a workshop.
#[derive(Debug, Clone)]
pub struct WorkshopOptions {
    /// Where the hub keeps its database and photos.
    pub data_dir: PathBuf,
    /// Usually `0.0.0.0:7878`: every interface, so the tablets reach it.
    pub listen: SocketAddr,
    /// How many trainees (sellers "Trainee 1..N") the class has.
    pub trainees: u16,
    /// Whether to advertise the hub on the LAN by mDNS.
    pub advertise: bool,
}

/// The pace of the workshop's background work; tests make it quick.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// How long after a trainee's new listing arrives the buyer orders it.
    pub buyer_delay: Duration,
    /// How often the buyer and the projector look for changes.
    pub poll: Duration,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            buyer_delay: Duration::from_secs(8),
            poll: Duration::from_secs(1),
        }
    }
}

/// What the trainer needs to run the class: printed by the command,
/// shown by the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkshopInfo {
    /// The address tablets enroll and sync with, such as `http://192.168.4.1:7878`.
    pub hub_url: String,
    /// This machine's non-loopback IPv4 addresses; empty with loopback only.
    pub lan_addresses: Vec<IpAddr>,
    /// The trainer's page in the staff console (network switch, cards).
    pub console_url: String,
    pub projector_url: String,
    /// The trainer's staff token for the console, new at every start.
    pub staff_token: String,
    /// A card for every trainee not yet enrolled, each with a fresh code.
    pub trainees: Vec<TraineeCard>,
}

/// One trainee's enrollment card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraineeCard {
    pub name: String,
    /// The one-time code, grouped for reading aloud.
    pub code: String,
    /// What the card's QR code holds: `highland://enroll?hub=…&code=…`.
    pub enroll_text: String,
}

/// Why a workshop could not start.
#[derive(Debug, Error)]
pub enum WorkshopError {
    #[error("cannot listen on {listen}: {source}")]
    Listen {
        listen: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the workshop's data directory {dir}: {source}")]
    DataDir {
        dir: PathBuf,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("a workshop needs at least one trainee and at most 200, not {0}")]
    Trainees(u16),
    #[error("the demo data is invalid: {0}")]
    Demo(#[from] highland_domain::DomainError),
    #[error("storing a demo photo failed: {0}")]
    Photo(String),
    #[error(transparent)]
    Hub(#[from] crate::Error),
    #[error("placing a demo order failed: {0}")]
    Order(#[from] highland_exchange::orders::OrderError),
    #[error("planning the demo round failed: {0}")]
    Round(#[from] highland_exchange::rounds::RoundError),
    #[error("a background task failed: {0}")]
    Task(String),
}

impl From<UploadError> for WorkshopError {
    fn from(e: UploadError) -> Self {
        WorkshopError::Photo(e.to_string())
    }
}

impl From<PhotoStoreError> for WorkshopError {
    fn from(e: PhotoStoreError) -> Self {
        WorkshopError::Photo(e.to_string())
    }
}

/// The most trainees one workshop takes: a hall, not a town.
pub const MAX_TRAINEES: u16 = 200;

/// A workshop hub serving in this process.
pub struct RunningWorkshop {
    info: WorkshopInfo,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    buyer: JoinHandle<()>,
    advertisement: Option<highland_discovery::Advertisement>,
}

impl RunningWorkshop {
    pub fn info(&self) -> &WorkshopInfo {
        &self.info
    }

    /// The address the hub listens on (with the port port 0 picked).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Withdraws the advertisement, stops the buyer, stops accepting,
    /// lets requests in flight finish (projector streams end), and waits.
    pub async fn shutdown(self) {
        drop(self.advertisement);
        let _ = self.stop.send(true);
        if let Err(e) = self.buyer.await {
            tracing::warn!("the workshop's buyer ended badly: {e}");
        }
        match self.server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("the workshop hub stopped with an error: {e}"),
            Err(e) => tracing::warn!("the workshop hub's task failed: {e}"),
        }
    }
}

/// Starts a workshop on a SQLite database and a photo folder in
/// `options.data_dir`, at the normal pace.
pub async fn start(options: WorkshopOptions) -> Result<RunningWorkshop, WorkshopError> {
    start_with(options, Tuning::default()).await
}

/// As [`start`], at the pace `tuning` sets.
pub async fn start_with(
    options: WorkshopOptions,
    tuning: Tuning,
) -> Result<RunningWorkshop, WorkshopError> {
    check_trainees(options.trainees)?;
    let dir = options.data_dir.clone();
    let data_dir_error =
        |source: Box<dyn std::error::Error + Send + Sync>| WorkshopError::DataDir {
            dir: dir.clone(),
            source,
        };
    let database = crate::Database::in_dir(&options.data_dir);
    let opening = database.clone();
    let store: Arc<dyn Storage> = tokio::task::spawn_blocking(move || {
        crate::open_storage(&opening).map_err(|e| Box::new(e) as Box<_>)
    })
    .await
    .map_err(|e| WorkshopError::Task(e.to_string()))?
    .map_err(data_dir_error)?;
    let photos = PhotoStore::local(&options.data_dir.join("photos"))
        .map_err(|e| data_dir_error(Box::new(e)))?;
    start_on(store, photos, Arc::new(SystemClock), options, tuning).await
}

/// A workshop hub's routes: the hub's own and the projector's, which
/// looks for changes every `poll` and ends its streams once `stop` turns
/// true.
pub fn router(state: AppState, poll: Duration, stop: watch::Receiver<bool>) -> axum::Router {
    let projector = projector::ProjectorState {
        app: state.clone(),
        poll,
        stop,
    };
    crate::app(state).merge(projector::routes(projector))
}

/// As [`start_with`], on a storage and photo store the caller opened (any
/// back end; `options.data_dir` is not used).
pub async fn start_on(
    store: Arc<dyn Storage>,
    photos: PhotoStore,
    clock: Arc<dyn WallClock>,
    options: WorkshopOptions,
    tuning: Tuning,
) -> Result<RunningWorkshop, WorkshopError> {
    check_trainees(options.trainees)?;
    let listener =
        TcpListener::bind(options.listen)
            .await
            .map_err(|source| WorkshopError::Listen {
                listen: options.listen,
                source,
            })?;
    let addr = listener
        .local_addr()
        .map_err(|source| WorkshopError::Listen {
            listen: options.listen,
            source,
        })?;
    let lan = lan_addresses();
    let host = addresses::advertised_ip(addr.ip(), &lan);
    let hub_url = format!("http://{}", SocketAddr::new(host, addr.port()));

    let now_ms = clock.now_ms();
    seed::seed(&store, &photos, now_ms).await?;
    let (staff_token, cards) = {
        let (store, url) = (store.clone(), hub_url.clone());
        let count = u32::from(options.trainees);
        blocking(move || {
            let token = trainees::trainer_token(store.as_ref(), now_ms)?;
            let cards = trainees::prepare(store.as_ref(), Some(count), &url, now_ms)?;
            Ok((token, cards))
        })
        .await?
    };

    let (stop, stopped) = watch::channel(false);
    let mut state = AppState::new(store.clone(), clock.clone());
    state.keep_files_in(photos);
    state.workshop = true;
    // A workshop is plain HTTP on the hall's LAN (see SessionCookie).
    state.session_cookie = crate::staff::SessionCookie::PlainHttp;
    // The QR codes the console prints (lot labels) point into the hall's LAN.
    state.public_url = Some(hub_url.clone());
    let limits = state.limits.connections;
    let router = router(state, tuning.poll, stopped.clone());
    let mut server_stop = stopped.clone();
    let server = tokio::spawn(async move {
        crate::server::serve_router(listener, router, limits, async move {
            let _ = server_stop.wait_for(|stop| *stop).await;
        })
        .await
    });
    let buyer = tokio::spawn(buyer::run(store, clock, tuning, stopped));

    let advertisement = if options.advertise {
        advertise(&hub_url, addr.port())
    } else {
        None
    };
    let info = WorkshopInfo {
        console_url: format!("{hub_url}/console/workshop"),
        projector_url: format!("{hub_url}/projector"),
        hub_url,
        lan_addresses: lan,
        staff_token,
        trainees: cards,
    };
    tracing::info!(hub = %info.hub_url, trainees = info.trainees.len(), "workshop serving");
    Ok(RunningWorkshop {
        info,
        addr,
        stop,
        server,
        buyer,
        advertisement,
    })
}

/// Refused before anything is opened or bound.
fn check_trainees(count: u16) -> Result<(), WorkshopError> {
    if count == 0 || count > MAX_TRAINEES {
        return Err(WorkshopError::Trainees(count));
    }
    Ok(())
}

/// Advertises the hub by mDNS; a LAN without multicast still has the
/// printed address, so a failure is only logged.
fn advertise(hub_url: &str, port: u16) -> Option<highland_discovery::Advertisement> {
    match highland_discovery::advertise("Highland workshop", hub_url, port) {
        Ok(advertisement) => {
            tracing::info!(service = SERVICE_TYPE, url = hub_url, "advertised by mDNS");
            Some(advertisement)
        }
        Err(e) => {
            tracing::warn!("cannot advertise the hub by mDNS ({e}); tablets must type its address");
            None
        }
    }
}

/// Runs storage work off the async runtime (PostgreSQL's client must not
/// block a runtime thread).
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, WorkshopError> + Send + 'static,
) -> Result<T, WorkshopError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| WorkshopError::Task(e.to_string()))?
}
