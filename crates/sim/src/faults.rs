//! The faults that happen between requests: clocks that jump, the hub's
//! backups and restores, and changes from newer versions of Highland.
//! (What happens to a request on the wire is in [`crate::network`].)

use highland_domain::{Hlc, OperationId};

use crate::config::Fault;
use crate::error::Result;
use crate::hub_log::{self, Logged};
use crate::workload::short;
use crate::world::{World, skew_text, some_skew};

/// The kind of change a newer Highland makes, which this build does not know.
const NEWER_KIND: &str = "round_joined";

impl World {
    /// A device's clock jumps: set by hand, a dead battery, a new SIM;
    /// backwards as often as forwards.
    pub(crate) fn clock_jumps(&mut self) -> Result<()> {
        let devices = self.devices.len() as u64;
        let rng = self.fault_rng(Fault::ClockSkew);
        let d = rng.below(devices) as usize;
        let how = rng.below(4);
        let skew = some_skew(rng);
        let before = self.devices[d].skew_ms;
        let after = match how {
            0 => 0,
            // Backwards from wherever it is.
            1 => before - skew.abs(),
            _ => skew,
        };
        self.devices[d].skew_ms = after;
        self.set_clocks();
        self.stats.fault(Fault::ClockSkew);
        self.trace.note(format!(
            "{}'s clock jumps from {} to {}",
            self.devices[d].name,
            skew_text(before),
            skew_text(after)
        ));
        Ok(())
    }

    /// The hub's clock is stepped back (a correction by NTP, a laptop's
    /// clock set by hand), or put right again.
    pub(crate) fn hub_clock_steps_back(&mut self) -> Result<()> {
        let rng = self.fault_rng(Fault::HubClockBack);
        let right_again = rng.percent(50);
        let back = rng.between(1_000, 3_600_000);
        let before = self.hub_skew_ms;
        self.hub_skew_ms = if before < 0 && right_again {
            0
        } else {
            before - back
        };
        self.set_clocks();
        self.stats.fault(Fault::HubClockBack);
        self.trace.note(format!(
            "the hub's clock goes from {} to {}",
            skew_text(before),
            skew_text(self.hub_skew_ms)
        ));
        Ok(())
    }

    /// A backup of the hub, taken while it serves.
    pub(crate) fn back_up(&mut self) -> Result<()> {
        let dir = self.dir.path().join("backups");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!("hub-{}.backup", self.backups.len()));
        self.hub.back_up(&file)?;
        let log = self.hub.storage()?.log_length()?;
        self.trace.note(format!(
            "the hub is backed up (backup {}, a log of {log})",
            self.backups.len()
        ));
        self.backups.push(file);
        Ok(())
    }

    /// The hub's database is put back from one of its backups.
    pub(crate) fn restore(&mut self) -> Result<()> {
        let backups = self.backups.len() as u64;
        let rng = self.fault_rng(Fault::HubRestored);
        let b = rng.below(backups) as usize;
        let command = rng.percent(60);
        let Some(backup) = self.backups.get(b).cloned() else {
            return Ok(());
        };
        // Only SQLite can be copied back by hand; PostgreSQL goes back
        // with its own tools, then `highland-hub restore`.
        let by_command = self.hub.sqlite_file().is_none() || command;
        let log_before = self.hub.storage()?.log_length()?;
        self.hub.restore(&backup, by_command)?;
        let log_after = self.hub.storage()?.log_length()?;
        self.stats.fault(Fault::HubRestored);
        self.trace.note(format!(
            "the hub is put back from backup {b} ({}): its log goes from {log_before} to {log_after}",
            if by_command {
                "highland-hub restore"
            } else {
                "copied back by hand"
            }
        ));
        Ok(())
    }

    /// A seller updates one device to a newer Highland, which records a
    /// change of a kind this hub does not know.
    pub(crate) fn newer_app_writes(&mut self) -> Result<()> {
        let devices = self.devices.len() as u64;
        let d = self.fault_rng(Fault::MixedVersions).below(devices) as usize;
        let op_id = OperationId::new().to_string();
        let round = self.unique("round");
        self.devices[d].record_newer(
            &op_id,
            &round,
            serde_json::json!({"kind": NEWER_KIND, "round_id": round, "note": "雨崩 Thursday"}),
        )?;
        self.ledger.newer_on_devices.push((d, op_id.clone()));
        self.stats.fault(Fault::MixedVersions);
        self.trace.note(format!(
            "{} runs a newer Highland for a moment: it records {} of a kind this hub does not know",
            self.devices[d].name,
            short(&op_id)
        ));
        Ok(())
    }

    /// A newer hub logged a change of a kind this build does not know, from
    /// a seller's newer tablet, and was rolled back to this build.
    pub(crate) fn newer_hub_logged(&mut self) -> Result<()> {
        let sellers = self.sellers.len() as u64;
        let s = self.fault_rng(Fault::MixedVersions).below(sellers) as usize;
        let round = self.unique("round");
        let seller = &self.sellers[s];
        let op_id = OperationId::new().to_string();
        let at_ms = self.hub.now_ms();
        let hlc = Hlc::from_wall_ms(at_ms).as_i64();
        let body = serde_json::json!({
            "id": op_id,
            "device_id": seller.newer_tablet,
            "hlc": hlc,
            "payload": {"kind": NEWER_KIND, "round_id": round, "note": "from a newer hub"},
        });
        let entry = Logged {
            op_id: op_id.clone(),
            seller: seller.id.to_string(),
            device: seller.newer_tablet.to_string(),
            hlc,
            body: body.to_string(),
            at_ms,
        };
        hub_log::append(&self.hub, &entry)?;
        let name = seller.name.clone();
        self.ledger.newer_on_hub.push((s, op_id.clone()));
        self.stats.fault(Fault::MixedVersions);
        self.trace.note(format!(
            "a newer hub logs {} for {name}'s newer tablet, and is rolled back",
            short(&op_id)
        ));
        Ok(())
    }
}
