//! The real `highland-hub workshop`, on a fresh data directory: what a
//! trainer starts in a village hall, and what it prints for the class.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use tempfile::TempDir;

use crate::bins::{HIGHLAND_HUB, bin};
use crate::hub::operator_json;
use crate::process::{self, KillOnDrop};
use crate::views::{Listing, Sale};

/// Seeding demo data and issuing codes takes longer than `serve`'s start.
const STARTUP_LIMIT: Duration = Duration::from_secs(120);

/// What `workshop --json` prints once the hub is ready.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkshopInfo {
    pub hub_url: String,
    pub console_url: String,
    pub projector_url: String,
    pub staff_token: String,
    pub trainees: Vec<TraineeCard>,
}

/// One trainee's card: the code to type, and the QR code's text.
#[derive(Debug, Clone, Deserialize)]
pub struct TraineeCard {
    pub name: String,
    pub code: String,
    pub enroll_text: String,
}

/// A running workshop hub; killed when dropped.
pub struct WorkshopHub {
    pub info: WorkshopInfo,
    _child: KillOnDrop,
    log: PathBuf,
    data: PathBuf,
    _root: TempDir,
}

impl WorkshopHub {
    /// `highland-hub workshop --json ARGS` on a fresh data directory; waits
    /// for the line that says it is ready.
    pub fn start(args: &[&str]) -> anyhow::Result<WorkshopHub> {
        let root = tempfile::Builder::new()
            .prefix("highland-workshop-")
            .tempdir()?;
        let data = root.path().join("data");
        let log = root.path().join("hub.log");
        let mut command = Command::new(bin(HIGHLAND_HUB));
        command
            .env_remove("HIGHLAND_HUB_DATA_DIR")
            .args(["workshop", "--json", "--data-dir"])
            .arg(&data)
            .args(args)
            .stdin(Stdio::null())
            .stderr(File::create(&log)?);
        let (child, line) = process::spawn_for_first_line(&mut command, STARTUP_LIMIT)
            .context("starting highland-hub workshop")?;
        let info: WorkshopInfo = match serde_json::from_str(line.trim()) {
            Ok(info) => info,
            Err(e) => bail!(
                "highland-hub workshop did not print its card ({e}; first line {line:?}); its log:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ),
        };
        Ok(WorkshopHub {
            info,
            _child: child,
            log,
            data,
            _root: root,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Every listing as merged on the hub, oldest first.
    pub fn listings(&self) -> anyhow::Result<Vec<Listing>> {
        operator_json(&self.data, &["listing", "list"])
    }

    /// Every sale the hub holds, oldest first.
    pub fn sales(&self) -> anyhow::Result<Vec<Sale>> {
        operator_json(&self.data, &["sale", "list"])
    }

    /// The hub's log so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
