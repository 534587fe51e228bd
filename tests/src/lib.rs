//! End-to-end tests across Highland's parts, and the helpers they share.
//!
//! The tests themselves live in `tests/`; this library holds what they (and the benchmarks)
//! need to put a real, bad network between the parts, starting with [`proxy::FaultyProxy`].

pub mod proxy;
