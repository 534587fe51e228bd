//! A deterministic simulation of the whole system: one seed runs the real
//! hub (its router, sync rules and `Storage`, on SQLite or PostgreSQL) and
//! two to five real devices (highland-engine stores on their own SQLite
//! files, syncing through the engine's own sync loop) in one process, over
//! a simulated network and clocks that lose, cut, kill, restore, skew and
//! mix versions as the seed says, and checks the system's promises at every
//! quiescent point. The same seed replays the same run, step for step.
//!
//! Only the transport and the clocks are the simulation's: requests travel
//! as the real client encodes them into the hub's real HTTP router, and
//! every write and merge is the parts' own code. Nothing here models how the
//! parts should behave; [`ledger`] only records what was asked of them.
//!
//! [`run::run`] plays one seed, [`batch::run_all`] many over the cores; the
//! `highland-sim` binary is their command line.

pub mod batch;
mod checks;
pub mod config;
mod crash;
mod device;
pub mod error;
mod faults;
mod hub;
mod hub_log;
pub mod ledger;
mod link;
mod network;
mod postgres;
pub mod rng;
pub mod run;
pub mod stats;
mod task;
pub mod trace;
mod views;
mod workload;
mod world;

pub use batch::{Seed, default_jobs, read_regressions, run_all};
pub use config::{Config, Fault, Faults};
pub use run::{Outcome, capture_panics, run};
pub use stats::{RunStats, Summary};
pub use trace::TraceMode;

/// The seeds that once failed, with what each found; CI runs them all.
pub const REGRESSIONS: &str = include_str!("../regressions.txt");
