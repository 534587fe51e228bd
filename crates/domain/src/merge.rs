//! How concurrent edits merge. The decision is a pure function so the device
//! and the hub, which store data differently, decide every conflict the same
//! way and converge.

use serde::{Deserialize, Serialize};

use crate::{DeviceId, Hlc};

/// When and where a field's value was written. Later HLC wins; equal HLCs
/// (two devices in the same millisecond with the same counter) fall back to
/// the device id, so every replica picks the same winner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub hlc: Hlc,
    pub device: DeviceId,
}

impl Version {
    /// Last writer wins: does a write at `self` replace the value written at
    /// `current`? Re-applying the same write never replaces it, which makes
    /// applying an operation twice harmless.
    pub fn wins_over(self, current: Option<Version>) -> bool {
        current.is_none_or(|c| self > c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn v(hlc: u64, device: u128) -> Version {
        Version {
            hlc: Hlc::from_wall_ms(hlc),
            device: DeviceId::from_uuid(Uuid::from_u128(device)),
        }
    }

    #[test]
    fn merge_table() {
        // (incoming, current, incoming wins?)
        let cases = [
            (v(2, 1), None, true),
            (v(2, 1), Some(v(1, 9)), true),
            (v(1, 9), Some(v(2, 1)), false),
            (v(2, 2), Some(v(2, 1)), true),
            (v(2, 1), Some(v(2, 2)), false),
            (v(2, 1), Some(v(2, 1)), false),
        ];
        for (incoming, current, wins) in cases {
            assert_eq!(
                incoming.wins_over(current),
                wins,
                "{incoming:?} vs {current:?}"
            );
        }
    }
}
