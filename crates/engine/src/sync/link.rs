//! The way one sync reaches the hub, and the time it waits by.
//!
//! [`HubClient`] is the real one: HTTP, the system's clock, fresh
//! randomness for the backoff's jitter. A simulation (highland-sim) gives a
//! network, a clock and a seeded randomness of its own, so the same sync
//! loop ([`super::sync_operations`]) runs under it, decision for decision.

use std::future::Future;
use std::time::Duration;

use highland_domain::wire::{SyncRequest, SyncResponse};

use super::transport::{HubClient, HubError, Sent};

pub trait Link {
    /// One `POST /v1/sync`: the hub's answer with what the request cost,
    /// or why none came.
    fn sync(
        &self,
        token: &str,
        request: &SyncRequest,
    ) -> impl Future<Output = Result<(SyncResponse, Sent), HubError>>;

    /// Waits `wait` before the next attempt.
    fn pause(&self, wait: Duration) -> impl Future<Output = ()>;

    /// A number in [0, 1) that spreads the waits ([`super::Backoff::next_wait`]).
    fn jitter(&self) -> f64;
}

impl Link for HubClient {
    fn sync(
        &self,
        token: &str,
        request: &SyncRequest,
    ) -> impl Future<Output = Result<(SyncResponse, Sent), HubError>> {
        HubClient::sync(self, token, request)
    }

    fn pause(&self, wait: Duration) -> impl Future<Output = ()> {
        tokio::time::sleep(wait)
    }

    fn jitter(&self) -> f64 {
        rand::random::<f64>()
    }
}
