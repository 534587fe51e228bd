//! The seller's use cases that need more than the store (a certificate
//! with its printed slip, when a sync fetches photos, when a device syncs
//! by itself), written once and
//! called by both front ends (the `highland` CLI and the Tauri app), which
//! only parse, call and say what happened in their own words.
//!
//! What this crate must not do: know about a front end (no clap, no Tauri,
//! no printing to a terminal), or hold a business rule of the records
//! themselves: those are highland-engine's and highland-domain's.

pub mod certificate;
pub mod photos;
pub mod schedule;

pub use certificate::{CertificateRequest, IssueError, IssuedCertificate, SlipPlace, issue};
pub use schedule::{SyncSchedule, Turn};
