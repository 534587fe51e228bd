//! A seller's device: the real `highland` binary on its own fresh data directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::de::DeserializeOwned;
use tempfile::TempDir;

use crate::bins::{HIGHLAND, bin};
use crate::process::{self, Finished, KillOnDrop};
use crate::views::{Listing, Sale, Status, SyncReport};

/// Local commands never touch the network; this only turns a hang into a failure.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);
/// `highland sync --timeout N` checks its deadline between attempts, so an attempt under way
/// when it passes still finishes (the client's own request timeout is 40 s plus a second per
/// KiB); past this much grace, the sync is declared hung.
const SYNC_GRACE: Duration = Duration::from_secs(120);
/// How long [`Device::sync_all`] gives a sync over loopback or a LAN.
const GOOD_LINK_SYNC: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct Device {
    name: String,
    data: PathBuf,
    _root: TempDir,
}

/// Why `highland sync` did not finish.
#[derive(Debug, Clone)]
pub enum SyncFailure {
    /// It gave up, with a non-zero status and its reason on stderr: a seller runs it again.
    Failed { status: String, stderr: String },
    /// It ran far past its `--timeout` and was killed: a bug.
    Hung(String),
}

impl SyncFailure {
    pub fn is_hang(&self) -> bool {
        matches!(self, SyncFailure::Hung(_))
    }
}

impl std::fmt::Display for SyncFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncFailure::Failed { status, stderr } => write!(f, "{status}: {}", stderr.trim()),
            SyncFailure::Hung(what) => write!(f, "hung: {what}"),
        }
    }
}

/// Every attempt [`Device::sync_until_done`] made.
#[derive(Debug, Clone, Default)]
pub struct SyncRuns {
    /// The report of the attempt that finished.
    pub report: SyncReport,
    pub failures: Vec<SyncFailure>,
}

impl Device {
    /// A fresh, empty data directory; `name` labels failure messages.
    pub fn new(name: &str) -> anyhow::Result<Device> {
        let root = tempfile::Builder::new()
            .prefix(&format!("highland-{name}-"))
            .tempdir()?;
        Ok(Device {
            name: name.to_owned(),
            data: root.path().join("data"),
            _root: root,
        })
    }

    /// A new device whose data directory is a copy of this one's, as if restored from a
    /// backup: the same device id, records, enrollment and outbox. Copy only while no
    /// `highland` process runs on this one.
    pub fn copy_as(&self, name: &str) -> anyhow::Result<Device> {
        let copy = Device::new(name)?;
        std::fs::create_dir_all(&copy.data)?;
        for entry in std::fs::read_dir(&self.data)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), copy.data.join(entry.file_name()))?;
            }
        }
        Ok(copy)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The SQLite file that holds everything the device recorded.
    pub fn db_path(&self) -> PathBuf {
        self.data.join("highland.db")
    }

    /// `highland --data-dir DIR`, ready for arguments.
    pub fn command(&self) -> Command {
        let mut command = Command::new(bin(HIGHLAND));
        command
            .env_remove("HIGHLAND_DATA_DIR")
            .arg("--data-dir")
            .arg(&self.data);
        command
    }

    /// Runs `highland ARGS`, returning its output whatever its status.
    pub fn run(&self, args: &[&str], limit: Duration) -> anyhow::Result<Finished> {
        process::run(self.command().args(args), limit)
            .with_context(|| format!("{}: highland {args:?}", self.name))
    }

    /// Runs `highland ARGS` and returns its trimmed stdout; an error carries its stderr.
    pub fn ok(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = self.run(args, COMMAND_LIMIT)?;
        if !out.status.success() {
            bail!(
                "{}: highland {args:?} failed ({}): {}",
                self.name,
                out.status,
                out.stderr.trim()
            );
        }
        Ok(out.stdout.trim().to_owned())
    }

    fn json<T: DeserializeOwned>(&self, args: &[&str]) -> anyhow::Result<T> {
        let mut args = args.to_vec();
        args.push("--json");
        let out = self.ok(&args)?;
        serde_json::from_str(&out).with_context(|| format!("{}: highland {args:?}", self.name))
    }

    /// One attempt to enroll with a hub (or a link in front of it). The device keeps the URL
    /// and syncs with it from then on.
    pub fn enroll(&self, hub_url: &str, code: &str) -> anyhow::Result<()> {
        self.ok(&["enroll", "--hub", hub_url, "--code", code])
            .map(drop)
    }

    /// Enrolls again and again, up to `attempts` times, while the answer gets lost on a bad
    /// link: the device that used a code may use it again. Returns how many attempts it took.
    pub fn enroll_retrying(
        &self,
        hub_url: &str,
        code: &str,
        attempts: usize,
    ) -> anyhow::Result<usize> {
        let mut errors = Vec::new();
        for attempt in 1..=attempts {
            match self.enroll(hub_url, code) {
                Ok(()) => return Ok(attempt),
                Err(e) => errors.push(format!("{e:#}")),
            }
        }
        bail!("{} could not enroll: {errors:#?}", self.name)
    }

    /// Adds a listing in `category` and `unit` with `stock` received; returns its id.
    pub fn add_listing(
        &self,
        title: &str,
        category: &str,
        unit: &str,
        price_yuan: &str,
        stock: &str,
    ) -> anyhow::Result<String> {
        self.ok(&[
            "listing",
            "add",
            "--title",
            title,
            "--category",
            category,
            "--unit",
            unit,
            "--price",
            price_yuan,
            "--stock",
            stock,
        ])
    }

    /// Records a sale of `quantity` (in the listing's unit) at the listing's price; returns the
    /// sale's id.
    pub fn sell(&self, listing_id: &str, quantity: &str) -> anyhow::Result<String> {
        self.ok(&[
            "sale",
            "add",
            "--listing",
            listing_id,
            "--quantity",
            quantity,
        ])
    }

    pub fn edit_price(&self, listing_id: &str, price_yuan: &str) -> anyhow::Result<()> {
        self.ok(&["listing", "edit", listing_id, "--price", price_yuan])
            .map(drop)
    }

    pub fn edit_title(&self, listing_id: &str, title: &str) -> anyhow::Result<()> {
        self.ok(&["listing", "edit", listing_id, "--title", title])
            .map(drop)
    }

    pub fn listings(&self) -> anyhow::Result<Vec<Listing>> {
        self.json(&["listing", "list"])
    }

    pub fn sales(&self) -> anyhow::Result<Vec<Sale>> {
        self.json(&["sale", "list"])
    }

    pub fn status(&self) -> anyhow::Result<Status> {
        self.json(&["status"])
    }

    /// One `highland sync --json --timeout SECS`.
    pub fn sync(&self, timeout: Duration) -> Result<SyncReport, SyncFailure> {
        let secs = timeout.as_secs().max(1).to_string();
        let out = match self.run(
            &["sync", "--json", "--timeout", &secs],
            timeout + SYNC_GRACE,
        ) {
            Ok(out) => out,
            Err(e) => return Err(SyncFailure::Hung(format!("{e:#}"))),
        };
        if !out.status.success() {
            return Err(SyncFailure::Failed {
                status: out.status.to_string(),
                stderr: out.stderr,
            });
        }
        serde_json::from_str(out.stdout.trim()).map_err(|e| SyncFailure::Failed {
            status: format!("exit 0 but its report does not parse ({e})"),
            stderr: format!("stdout: {}\nstderr: {}", out.stdout, out.stderr),
        })
    }

    /// One sync with a hub on a good link, which must finish with nothing
    /// left to send.
    pub fn sync_all(&self) -> anyhow::Result<()> {
        let report = self
            .sync(GOOD_LINK_SYNC)
            .map_err(|f| anyhow::anyhow!("{} sync: {f}", self.name))?;
        anyhow::ensure!(report.pending_ops == 0, "{}: {report:?}", self.name);
        Ok(())
    }

    /// Runs `highland sync --timeout` again and again, as a seller would, until one finishes;
    /// gives up (with every failure) after `attempts`, or at once if one hangs.
    pub fn sync_until_done(&self, timeout: Duration, attempts: usize) -> anyhow::Result<SyncRuns> {
        let mut runs = SyncRuns::default();
        for _ in 0..attempts {
            match self.sync(timeout) {
                Ok(report) => {
                    runs.report = report;
                    return Ok(runs);
                }
                Err(failure) if failure.is_hang() => {
                    bail!("{}: highland sync {failure}", self.name)
                }
                Err(failure) => runs.failures.push(failure),
            }
        }
        let failures: Vec<String> = runs.failures.iter().map(|f| f.to_string()).collect();
        bail!(
            "{}: highland sync did not finish in {attempts} attempts of {timeout:?}:\n{}",
            self.name,
            failures.join("\n")
        )
    }

    /// Starts `highland sync` (no deadline) in the background, its output discarded; the child
    /// is killed if dropped.
    pub fn spawn_sync(&self) -> std::io::Result<KillOnDrop> {
        KillOnDrop::spawn(
            self.command()
                .args(["sync", "--json"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )
    }
}
