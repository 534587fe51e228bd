//! The hub: where a seller's devices meet. It enrolls devices with one-time
//! codes, takes in each device's operations over one sync endpoint, merges
//! them by the same rules as the device, and hands each device the
//! operations of its seller that it has not seen yet.
//!
//! The rules of an exchange, of orders and of rounds are highland-exchange's
//! (authorize, re-stamp, apply, pull), pure over its `Ledger`; this crate
//! keeps them in a database and serves them over HTTP.
//!
//! Where things are: [`app::app`] builds the HTTP router and [`server`] runs
//! it; [`storage::Storage`] is the one boundary to the database: [`sql`] holds
//! every query, written once, and [`db`] and `pg` are its SQLite and
//! PostgreSQL back ends (PostgreSQL with the `postgres` feature, on by
//! default; the desktop app's workshop builds without it); [`admin`] is what the operator's
//! command line does; [`photos`] takes in sellers' photo files by resumable
//! uploads and keeps them, verified, in a folder or a bucket; [`workshop`]
//! runs a hub for a class in a village hall (a demo village, trainees'
//! cards, a buyer, a projector page, the class's network switch).
//!
//! What this crate must not do: depend on highland-engine (the two share only
//! the wire types in highland-domain); read the system clock anywhere but
//! [`clock::SystemClock`]; let one bad operation refuse the batch it came in;
//! tell a client more about an internal error than that it happened.

pub mod admin;
pub mod app;
pub mod catalog;
pub mod clock;
mod console;
pub mod database;
pub mod db;
pub mod epcis;
mod http;
#[cfg(feature = "postgres")]
pub mod migrate;
#[cfg(feature = "postgres")]
pub mod pg;
pub mod photos;
mod public_url;
pub mod releases;
pub mod secret;
pub mod server;
pub mod sql;
pub mod staff;
pub mod storage;
pub mod tls;
pub mod trace;
pub mod views;
pub mod workshop;

pub use app::{AppState, Limits, app, openapi};
pub use clock::{ManualClock, SystemClock, WallClock};
pub use database::{Database, open_storage};
pub use db::HubDb;
pub use highland_exchange::{EnrolledDevice, Error, Result, SellerId, StaffId};
pub use server::{RunningHub, start, start_tls};
pub use storage::Storage;
pub use tls::TlsConfig;
pub use views::{
    ListingView, OrderDetail, OrderHistoryEntry, OrderPage, OrderView, SaleView, SaleVoidView,
};
