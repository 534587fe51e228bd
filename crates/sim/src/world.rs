//! One run: the hub, the sellers and their devices, the true time, and the
//! scheduler that picks, step by step, what happens next.
//!
//! Everything is chosen by the run's seed; the parts run on this thread
//! only, and every id they make comes from the seed too
//! ([`highland_domain::ids::seed_ids`]), so a seed replays the same run.
//!
//! A fault switched off changes as little of the run as can be: the
//! scheduler draws its choices with every fault's weight, and a fault that
//! is off does nothing when chosen; each kind of fault draws its details
//! (which backup, where a body is cut) from a stream of its own. So the run
//! without a fault is the same run, minus that fault and what followed
//! from it, and a failing seed can be narrowed down.

use std::path::PathBuf;
use std::sync::Arc;

use highland_domain::{DeviceId, ShortText};
use highland_engine::sync::Enrollment;
use highland_hub::SellerId;
use highland_hub::admin::{self, NewSeller};

use crate::config::{Config, Fault, Faults};
use crate::device::{Activity, SimDevice};
use crate::error::{Result, SimError};
use crate::hub::{Database, SimHub};
use crate::ledger::Ledger;
use crate::postgres::RunDatabase;
use crate::rng::SimRng;
use crate::stats::RunStats;
use crate::trace::Trace;

/// When every run starts, by the true clock: a market morning.
const START_MS: u64 = 1_795_852_800_000; // 2026-11-28T08:00:00Z

/// The hub's address as the devices keep it; nothing dials it.
const HUB_URL: &str = "http://hub.sim";

pub struct Seller {
    pub id: SellerId,
    pub name: String,
    /// A tablet of this seller on a newer Highland, enrolled but not run:
    /// the author of what a newer hub logged ([`Fault::MixedVersions`]).
    pub newer_tablet: DeviceId,
}

pub struct World {
    /// What happens when, and what people do.
    pub(crate) rng: SimRng,
    /// Each kind of fault's own stream, in the order of [`Fault::ALL`].
    fault_rngs: Vec<SimRng>,
    pub(crate) faults: Faults,
    pub(crate) trace: Trace,
    pub(crate) stats: RunStats,
    /// Holds every file of the run; removed when the run ends.
    pub(crate) dir: tempfile::TempDir,
    /// The true time.
    pub(crate) true_ms: u64,
    /// How far the hub's clock is from the true time.
    pub(crate) hub_skew_ms: i64,
    pub(crate) hub_clock: Arc<highland_hub::ManualClock>,
    pub(crate) hub: SimHub,
    pub(crate) sellers: Vec<Seller>,
    pub(crate) devices: Vec<SimDevice>,
    pub(crate) ledger: Ledger,
    /// Backups of the hub taken so far, oldest first.
    pub(crate) backups: Vec<PathBuf>,
    /// Set while everyone syncs to the end: nothing is lost or cut.
    pub(crate) calm: bool,
    /// Pictures for the photos the sellers add.
    pub(crate) pictures: Vec<Vec<u8>>,
    /// Makes every title, description and reason written unique.
    next_text: u64,
}

impl World {
    pub fn new(seed: u64, config: &Config, trace: Trace) -> Result<World> {
        let dir = run_dir()?;
        let hub_clock = Arc::new(highland_hub::ManualClock::at(START_MS));
        let database = match &config.postgres_url {
            Some(admin) => Database::Postgres(RunDatabase::create(
                admin,
                &format!("highland_sim_{}_{seed}", std::process::id()),
            )?),
            None => Database::Sqlite(dir.path().join("hub")),
        };
        let hub = SimHub::open(database, hub_clock.clone())?;
        let pictures = (0..2)
            .map(|n| {
                let picture = highland_engine::photos::sample::synthetic_photo(48, 32, seed + n);
                highland_engine::photos::sample::jpeg(&picture, 70)
            })
            .collect();
        let mut world = World {
            faults: config.faults.clone(),
            trace,
            stats: RunStats::default(),
            dir,
            true_ms: START_MS,
            hub_skew_ms: 0,
            hub_clock,
            hub,
            sellers: Vec::new(),
            devices: Vec::new(),
            ledger: Ledger::default(),
            backups: Vec::new(),
            calm: false,
            pictures,
            next_text: 0,
            rng: SimRng::new(seed),
            fault_rngs: Fault::ALL
                .iter()
                .enumerate()
                .map(|(n, _)| SimRng::new(seed ^ (0x5EED_0000 + n as u64).rotate_left(40)))
                .collect(),
        };
        world.populate()?;
        Ok(world)
    }

    /// One to three sellers with two to five devices between them, each
    /// enrolled through the hub's `POST /v1/enroll`.
    fn populate(&mut self) -> Result<()> {
        let sellers = self.rng.between(1, 3) as usize;
        let devices = (self.rng.between(2, 5) as usize).max(sellers);
        let now = self.hub.now_ms();
        let mut first_codes = Vec::new();
        for s in 0..sellers {
            let name = ["Dolma", "Tashi", "Pema"][s];
            let added = admin::add_seller(
                self.hub.storage()?,
                NewSeller {
                    name: text(name)?,
                    village: text("Yubeng")?,
                    phone: None,
                },
                now,
            )?;
            let id: SellerId = added
                .seller_id
                .parse()
                .map_err(|_| SimError::Setup(format!("a seller id {:?}", added.seller_id)))?;
            first_codes.push(added.code);
            let newer_tablet = DeviceId::new();
            if self.faults.on(Fault::MixedVersions) {
                let code = admin::issue_device_code(self.hub.storage()?, id, now)?.code;
                self.hub.enroll(newer_tablet, &code)?;
            }
            self.sellers.push(Seller {
                id,
                name: name.to_owned(),
                newer_tablet,
            });
        }
        for d in 0..devices {
            let seller = d % sellers;
            let code = if d < sellers {
                first_codes[seller].clone()
            } else {
                admin::issue_device_code(self.hub.storage()?, self.sellers[seller].id, now)?.code
            };
            let skewed = self.fault_rng(Fault::ClockSkew).percent(50);
            let skew = some_skew(self.fault_rng(Fault::ClockSkew));
            let skew_ms = if skewed && self.faults.on(Fault::ClockSkew) {
                self.stats.fault(Fault::ClockSkew);
                skew
            } else {
                0
            };
            let name = format!("tablet {d} ({})", self.sellers[seller].name);
            let device = SimDevice::create(
                name,
                seller,
                &self.dir.path().join(format!("device-{d}")),
                self.true_ms,
                skew_ms,
                self.rng.fork(),
            )?;
            let enrolled = self.hub.enroll(device.id, &code)?;
            device.store()?.save_enrollment(&Enrollment {
                hub_url: HUB_URL.to_owned(),
                seller_id: enrolled.seller_id,
                seller_name: enrolled.seller_name,
                village: enrolled.village,
                device_token: enrolled.device_token,
            })?;
            self.trace.note(format!(
                "{} enrolled, its clock {}",
                device.name,
                skew_text(skew_ms)
            ));
            self.devices.push(device);
        }
        let offline = self.fault_rng(Fault::DeviceOffline).percent(35);
        let d = self.fault_rng(Fault::DeviceOffline).below(devices as u64) as usize;
        if offline && self.faults.on(Fault::DeviceOffline) {
            self.devices[d].offline = true;
            self.stats.fault(Fault::DeviceOffline);
            self.trace.note(format!(
                "{} stays offline until the end",
                self.devices[d].name
            ));
        }
        Ok(())
    }

    /// Plays the run: its steps, then the last phase, in which every fault
    /// stops and every device comes online and syncs; the invariants are
    /// checked at quiescent points on the way and at the end.
    pub fn play(&mut self) -> Result<()> {
        let steps = self.rng.between(120, 260) as u64;
        for step in 1..=steps {
            self.trace.at_step(step);
            self.stats.steps += 1;
            self.step()?;
        }
        self.trace.at_step(steps + 1);
        self.trace
            .note("the last phase: every fault stops, every device comes online and syncs");
        for device in &mut self.devices {
            device.offline = false;
        }
        let everyone: Vec<usize> = (0..self.devices.len()).collect();
        self.quiesce(&everyone)?;
        self.check_quiescent(&everyone)
    }

    /// What the run counted and traced; its files go, unless `keep`: then
    /// the folder that holds them.
    pub fn into_parts(self, keep: bool) -> (RunStats, Trace, Option<PathBuf>) {
        let kept = keep.then(|| self.dir.keep());
        (self.stats, self.trace, kept)
    }

    /// One step: a little time passes, then one thing happens.
    fn step(&mut self) -> Result<()> {
        let ms = self.rng.below(2_000);
        self.time_passes(ms);
        let in_flight = self.devices_where(|d| d.activity() == Activity::InFlight);
        let paused = self.devices_where(|d| matches!(d.activity(), Activity::Paused(_)));
        let idle = self.devices_where(|d| d.activity() == Activity::Idle && !d.offline);
        let choice = self.rng.weighted(&[
            (30, Step::Seller),
            (5, Step::Staff),
            (if idle.is_empty() { 0 } else { 12 }, Step::StartSync),
            (if in_flight.is_empty() { 0 } else { 25 }, Step::Deliver),
            (if paused.is_empty() { 0 } else { 8 }, Step::WaitOut),
            (3, Step::TimePasses),
            (1, Step::Checkpoint),
            (2, Step::ClockJump),
            (1, Step::HubClockBack),
            (2, Step::BackUp),
            (1, Step::Restore),
            (1, Step::NewerApp),
            (1, Step::NewerHub),
        ]);
        // A fault switched off does nothing when its turn comes.
        let off = |fault| !self.faults.on(fault);
        let skipped = match choice {
            Some(Step::ClockJump) => off(Fault::ClockSkew),
            Some(Step::HubClockBack) => off(Fault::HubClockBack),
            Some(Step::BackUp | Step::Restore) => off(Fault::HubRestored),
            Some(Step::NewerApp | Step::NewerHub) => off(Fault::MixedVersions),
            _ => false,
        };
        if skipped {
            return Ok(());
        }
        match choice {
            Some(Step::Seller) => self.seller_acts(),
            Some(Step::Staff) => self.staff_acts(),
            Some(Step::StartSync) => {
                let d = self.pick(&idle);
                self.start_sync(d).map(|_| ())
            }
            Some(Step::Deliver) => {
                let d = self.pick(&in_flight);
                let fate = self.fate();
                self.deliver(d, fate).map(|_| ())
            }
            Some(Step::WaitOut) => {
                let d = self.pick(&paused);
                self.wait_out(d).map(|_| ())
            }
            Some(Step::TimePasses) => {
                let ms = self.rng.between(60_000, 6 * 3_600_000) as u64;
                self.trace.note(format!("{} minutes pass", ms / 60_000));
                self.time_passes(ms);
                Ok(())
            }
            Some(Step::Checkpoint) => {
                let online = self.devices_where(|d| !d.offline);
                self.trace
                    .note("checkpoint: faults pause, the online devices sync to the end");
                self.quiesce(&online)?;
                self.check_quiescent(&online)
            }
            Some(Step::ClockJump) => self.clock_jumps(),
            Some(Step::HubClockBack) => self.hub_clock_steps_back(),
            Some(Step::BackUp) => self.back_up(),
            Some(Step::Restore) => self.restore(),
            Some(Step::NewerApp) => self.newer_app_writes(),
            Some(Step::NewerHub) => self.newer_hub_logged(),
            None => Ok(()),
        }
    }

    pub(crate) fn devices_where(&self, which: impl Fn(&SimDevice) -> bool) -> Vec<usize> {
        (0..self.devices.len())
            .filter(|&d| which(&self.devices[d]))
            .collect()
    }

    /// The stream `fault` draws its details from.
    pub(crate) fn fault_rng(&mut self, fault: Fault) -> &mut SimRng {
        let n = Fault::ALL.iter().position(|f| *f == fault).unwrap_or(0);
        &mut self.fault_rngs[n]
    }

    pub(crate) fn pick(&mut self, among: &[usize]) -> usize {
        self.rng.pick(among).copied().unwrap_or(0)
    }

    /// The true time moves on; every clock follows, each with its skew.
    pub(crate) fn time_passes(&mut self, ms: u64) {
        self.true_ms += ms;
        self.set_clocks();
    }

    pub(crate) fn set_clocks(&self) {
        self.hub_clock
            .set((self.true_ms as i64).saturating_add(self.hub_skew_ms) as u64);
        for device in &self.devices {
            device.set_clock(self.true_ms);
        }
    }

    /// A text no other write has, so the checks can tell writes apart.
    pub(crate) fn unique(&mut self, what: &str) -> String {
        self.next_text += 1;
        format!("{what} {}", self.next_text)
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy)]
enum Step {
    Seller,
    Staff,
    StartSync,
    Deliver,
    WaitOut,
    TimePasses,
    Checkpoint,
    ClockJump,
    HubClockBack,
    BackUp,
    Restore,
    NewerApp,
    NewerHub,
}

/// A clock minutes to days off, either way.
pub(crate) fn some_skew(rng: &mut SimRng) -> i64 {
    const MINUTE: i64 = 60_000;
    let magnitude = match rng.below(3) {
        0 => rng.between(1, 59) * MINUTE,
        1 => rng.between(1, 23) * 60 * MINUTE,
        _ => rng.between(1, 6) * 24 * 60 * MINUTE,
    };
    if rng.percent(50) {
        magnitude
    } else {
        -magnitude
    }
}

pub(crate) fn skew_text(ms: i64) -> String {
    const MINUTE: i64 = 60_000;
    let sign = if ms < 0 { "-" } else { "+" };
    let minutes = ms.abs() / MINUTE;
    match minutes {
        0 => "right".to_owned(),
        m if m < 60 => format!("{sign}{m} min"),
        m if m < 24 * 60 => format!("{sign}{} h {} min", m / 60, m % 60),
        m => format!("{sign}{} d {} h", m / (24 * 60), m % (24 * 60) / 60),
    }
}

pub(crate) fn text(s: &str) -> Result<ShortText> {
    ShortText::parse(s).map_err(|e| SimError::Setup(format!("{s:?}: {e}")))
}

/// A temporary directory for the run's files: in memory (`/dev/shm`) where
/// there is one, since every device write syncs its file.
fn run_dir() -> Result<tempfile::TempDir> {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::Builder::new()
            .prefix("highland-sim-")
            .tempdir_in(shm)
    } else {
        tempfile::Builder::new().prefix("highland-sim-").tempdir()
    };
    Ok(dir?)
}
