//! What a workshop shares between the trainer's hub and the trainees' tablets.
//!
//! In a workshop the trainer shows how Highland behaves on a poor link by
//! switching tablets between simulated networks. The simulation itself is the
//! fault-injecting proxy the tests use (highland-netsim); this is only the
//! name of the network a tablet should pretend to be on, as the hub's
//! `GET /v1/workshop/network` and the app's settings carry it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A network a tablet can be switched to for teaching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimulatedNetwork {
    /// No connection at all: every attempt to reach the hub fails at once.
    Offline,
    /// A village on the mountain: 2G, slow, lossy, cut every minute or two.
    #[serde(rename = "mountain_2g")]
    Mountain2g,
    /// A town's 3G: a few hundred kbit/s, rarely cut.
    #[serde(rename = "3g")]
    ThreeG,
    /// A good connection: the link as it really is, unshaped.
    Good,
}

impl SimulatedNetwork {
    /// Every network, from worst to best, as a trainer's switch lists them.
    pub const ALL: [SimulatedNetwork; 4] = [
        SimulatedNetwork::Offline,
        SimulatedNetwork::Mountain2g,
        SimulatedNetwork::ThreeG,
        SimulatedNetwork::Good,
    ];

    /// The stable name used on the wire, in settings and on the command line.
    pub fn slug(self) -> &'static str {
        match self {
            SimulatedNetwork::Offline => "offline",
            SimulatedNetwork::Mountain2g => "mountain_2g",
            SimulatedNetwork::ThreeG => "3g",
            SimulatedNetwork::Good => "good",
        }
    }
}

impl fmt::Display for SimulatedNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for SimulatedNetwork {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SimulatedNetwork::ALL
            .into_iter()
            .find(|network| network.slug() == s.trim())
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "network",
                input: s.to_owned(),
                known: SimulatedNetwork::ALL.map(SimulatedNetwork::slug).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_through_text_and_json() {
        for network in SimulatedNetwork::ALL {
            assert_eq!(network.slug().parse::<SimulatedNetwork>().unwrap(), network);
            let json = serde_json::to_string(&network).unwrap();
            assert_eq!(json, format!("\"{}\"", network.slug()));
            assert_eq!(
                serde_json::from_str::<SimulatedNetwork>(&json).unwrap(),
                network
            );
        }
    }

    #[test]
    fn an_unknown_network_is_refused_by_name() {
        let err = "4g".parse::<SimulatedNetwork>().unwrap_err();
        assert!(err.to_string().contains("4g"), "{err}");
    }
}
