//! What runs did, counted: the figures `--seeds N` prints.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use crate::config::Fault;

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunStats {
    pub steps: u64,
    /// Operations recorded: the sellers' writes on their devices and the
    /// staff's actions on the hub.
    pub operations: u64,
    /// Sync requests put on the simulated wire.
    pub exchanges: u64,
    /// Faults injected, by kind.
    pub faults: BTreeMap<Fault, u64>,
    /// Invariants checked (each check of one invariant on one part counts once).
    pub checks: u64,
}

impl RunStats {
    pub fn fault(&mut self, fault: Fault) {
        *self.faults.entry(fault).or_default() += 1;
    }

    pub fn add(&mut self, other: &RunStats) {
        self.steps += other.steps;
        self.operations += other.operations;
        self.exchanges += other.exchanges;
        self.checks += other.checks;
        for (fault, n) in &other.faults {
            *self.faults.entry(*fault).or_default() += n;
        }
    }
}

/// Many runs.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub runs: u64,
    pub totals: RunStats,
    /// Seeds that failed, with why.
    pub failures: Vec<(u64, String)>,
    pub wall: Duration,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.totals;
        let secs = self.wall.as_secs_f64();
        writeln!(
            f,
            "runs: {} in {secs:.1} s ({:.1} seeds/s)",
            self.runs,
            self.runs as f64 / secs.max(0.001)
        )?;
        writeln!(
            f,
            "steps: {}, operations: {}, sync requests: {}, invariant checks: {}",
            t.steps, t.operations, t.exchanges, t.checks
        )?;
        writeln!(f, "faults injected:")?;
        for fault in Fault::ALL {
            let n = t.faults.get(&fault).copied().unwrap_or(0);
            writeln!(f, "  {:<15} {n}", fault.name())?;
        }
        write!(f, "failures: {}", self.failures.len())?;
        for (seed, why) in &self.failures {
            let first = why.lines().next().unwrap_or_default();
            write!(f, "\n  seed {seed}: {first}")?;
        }
        Ok(())
    }
}
