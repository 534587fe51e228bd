//! The workshop's class-wide network switch: a trainer sets on the hub the
//! network every tablet should pretend to be on, and each enrolled tablet
//! asks for it now and then (`GET /v1/workshop/network`). This request is
//! the trainer's control channel: it goes straight to the hub, never
//! through the simulator it controls.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use highland_domain::SimulatedNetwork;
use serde::Deserialize;

use super::attempt::{SyncError, lock, note_stopped, token_refused};
use super::transport::{HubClient, HubError, refusal};
use crate::Store;

/// A question this small gets its answer quickly or not at all.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The network the trainer chose for the whole class, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct ClassNetwork {
    /// None: the trainer has not switched the class (or switched it back to
    /// the real network).
    pub network: Option<SimulatedNetwork>,
    pub set_at: Option<DateTime<Utc>>,
}

/// Asks the enrolled hub which network the trainer set for the class.
/// `Ok(None)` when the hub is not a workshop hub (it has no such page).
pub async fn class_network(store: &Mutex<Store>) -> Result<Option<ClassNetwork>, SyncError> {
    let enrollment = lock(store).enrollment()?.ok_or(SyncError::NotEnrolled)?;
    let ca = if enrollment.hub_url.starts_with("https://") {
        lock(store).hub_ca()?
    } else {
        None
    };
    let client = HubClient::new(&enrollment.hub_url, ca.as_ref())?;
    let response = client
        .http()
        .get(client.url("/v1/workshop/network"))
        .bearer_auth(&enrollment.device_token)
        .timeout(TIMEOUT)
        .send()
        .await
        .map_err(|e| client.failed(e))?;
    let status = response.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    let bytes = response.bytes().await.map_err(|e| client.failed(e))?;
    if !status.is_success() {
        let refused = refusal(status, &bytes);
        let Some(error) = token_refused(&refused) else {
            return Err(refused.into());
        };
        // Asked every few seconds: a revocation heard here must stop the
        // app's asking as surely as one heard by a sync.
        if matches!(error, SyncError::DeviceRevoked) {
            note_stopped(store, &error);
        }
        return Err(error);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| HubError::BadResponse(e.to_string()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hubs_answer_reads_with_and_without_a_network() {
        let set: ClassNetwork =
            serde_json::from_str(r#"{"network": "mountain_2g", "set_at": "2026-12-04T18:00:00Z"}"#)
                .unwrap();
        assert_eq!(set.network, Some(SimulatedNetwork::Mountain2g));
        assert!(set.set_at.is_some());
        let unset: ClassNetwork =
            serde_json::from_str(r#"{"network": null, "set_at": null}"#).unwrap();
        assert_eq!(unset.network, None);
    }
}
