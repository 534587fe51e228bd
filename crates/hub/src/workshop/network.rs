//! The class-wide network switch: which network the trainer has every
//! tablet pretend to be on. The hub only stores the choice; the tablets
//! poll `GET /v1/workshop/network` and shape their own link through
//! highland-netsim.

use highland_domain::SimulatedNetwork;
use serde::Serialize;

use crate::admin::format_ms;
use crate::{Error, Result, Storage};

/// The setting's key in `workshop_settings`.
pub const NETWORK_KEY: &str = "network";

/// The switch as devices and staff read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NetworkSwitch {
    /// `offline`, `mountain_2g`, `3g` or `good`; null when the trainer has
    /// not switched the class (each tablet uses its real link).
    #[schema(value_type = Option<String>, example = "mountain_2g")]
    pub network: Option<SimulatedNetwork>,
    /// When the trainer last switched it (RFC 3339, UTC), or null.
    #[schema(value_type = Option<String>)]
    #[serde(serialize_with = "rfc3339")]
    pub set_at: Option<u64>,
}

fn rfc3339<S: serde::Serializer>(ms: &Option<u64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_some(&format_ms(*ms)),
        None => s.serialize_none(),
    }
}

/// The class's network now.
pub fn network(store: &dyn Storage) -> Result<NetworkSwitch> {
    let Some(setting) = store.workshop_setting(NETWORK_KEY)? else {
        return Ok(NetworkSwitch {
            network: None,
            set_at: None,
        });
    };
    let network = setting
        .value
        .as_deref()
        .map(|slug| {
            slug.parse::<SimulatedNetwork>()
                .map_err(|_| Error::BadRecord(format!("stored network {slug:?}")))
        })
        .transpose()?;
    Ok(NetworkSwitch {
        network,
        set_at: Some(setting.set_at_ms),
    })
}

/// Switches the class to `network` (`None`: back to each tablet's real link).
pub fn set_network(
    store: &dyn Storage,
    network: Option<SimulatedNetwork>,
    now_ms: u64,
) -> Result<NetworkSwitch> {
    store.set_workshop_setting(NETWORK_KEY, network.map(SimulatedNetwork::slug), now_ms)?;
    Ok(NetworkSwitch {
        network,
        set_at: Some(now_ms),
    })
}
