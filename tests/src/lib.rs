//! End-to-end tests across Highland's parts, and the helpers they share.
//!
//! The tests themselves live in `tests/`; this library holds what they (and the `sync-bench`
//! binary) need to put a real, bad network between the parts, starting with
//! [`proxy::FaultyProxy`], and to drive the real binaries: [`hub::Hub`] runs `highland-hub`,
//! [`device::Device`] runs `highland` on a data directory of its own. [`bins`] finds (and
//! builds) those binaries.

pub mod bins;
pub mod device;
pub mod hub;
pub mod postgres;
pub mod printout;
pub mod process;
pub mod proxy_thread;
pub mod release;
pub mod seller;
pub mod views;
pub mod webdriver;
pub mod workshop;

/// The fault-injecting proxy lives in its own crate, because the app's workshop
/// simulator runs it too.
pub use highland_netsim as proxy;

pub use device::{Device, SyncFailure};
pub use hub::Hub;
pub use proxy_thread::ProxyThread;
