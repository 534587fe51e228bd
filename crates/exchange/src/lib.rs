//! The hub's rules over each seller's log, apart from any database or
//! HTTP: what one sync takes in from a device and hands back ([`sync`]),
//! and what the buyer's staff do to orders ([`orders`]) and collection
//! rounds ([`rounds`]), which the hub records as operations of its own
//! ([`authored`], sealed by [`seal`]). Every rule reads and writes through
//! the [`sync::Ledger`] trait, one transaction's view of a seller's log and
//! merged state; highland-hub implements it over SQL and carries the
//! rules' results over HTTP.
//!
//! What this crate must not do: touch a database, a file, the network or
//! the system clock (times come in as `now_ms`); depend on highland-engine
//! (the two share only the wire types in highland-domain); let one bad
//! operation refuse the batch it came in.

pub mod authored;
pub mod error;
pub mod history;
pub mod ids;
pub mod orders;
pub mod rounds;
pub mod seal;
pub mod sync;

pub use error::{Error, Result};
pub use ids::{EnrolledDevice, SellerId, StaffId};
