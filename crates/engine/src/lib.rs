//! The device side of Highland: everything a seller records, kept in one
//! SQLite file that works with no network at all.
//!
//! Every write is one transaction that changes the tables and appends the
//! matching [`highland_domain::Operation`] to the outbox; the same
//! [`apply`](crate::apply) function then applies operations that arrive from
//! the hub, so local and remote changes merge by one set of rules. Stock is
//! never stored: it is derived from insert-only stock adjustments and sales,
//! less what accepted orders hold back. Orders come from the hub; the
//! seller's actions on them are proposals the hub confirms or refuses
//! (see the `orders` module).
//!
//! This crate knows nothing of Tauri, the command line or how they show things.

mod apply;
mod certificates;
pub mod clock;
mod db;
pub mod demo;
mod error;
mod health;
pub mod lesson;
mod listings;
mod lots;
mod orders;
mod outbox;
pub mod photos;
mod remote;
mod reset;
mod retime;
mod rounds;
mod rows;
mod sales;
mod settings;
mod store;
pub mod sync;
pub mod views;

pub use certificates::NewCertificate;
pub use clock::{Clock, ManualClock, SystemClock};
pub use db::LATEST_VERSION;
pub use error::{Result, StoreError};
pub use health::{RepairKind, StoreRepair};
pub use listings::NewListing;
pub use lots::NewLot;
pub use photos::{IngestOptions, Ingested, PhotoError, PhotoRefs, PhotoStore};
pub use sales::NewSale;
pub use settings::{Language, Profile, Settings};
pub use store::Store;
