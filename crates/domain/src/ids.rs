//! Ids are made on the device (UUIDv7), so nothing ever waits for the hub to
//! number a listing or a sale, and ids sort roughly by creation time.
//!
//! Every id comes from [`new_uuid`]: the clock and fresh randomness, unless
//! a simulation seeded this thread's ids ([`seed_ids`]) so that a run
//! replays exactly from its seed.

use std::cell::Cell;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::DomainError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new id from the current time and fresh randomness (see
            /// [`new_uuid`]).
            pub fn new() -> Self {
                Self(new_uuid())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| DomainError::InvalidId { input: s.to_owned() })
            }
        }
    };
}

/// Where this thread's ids come from while a [`SeededIds`] lives: the
/// state of a SplitMix64 sequence, and how many ids it has made.
#[derive(Clone, Copy)]
struct Seeded {
    state: u64,
    made: u64,
}

thread_local! {
    static SEEDED: Cell<Option<Seeded>> = const { Cell::new(None) };
}

/// The milliseconds a seeded id carries, before its count is added: the
/// start of 2026, so seeded ids look like ids of their time.
const SEEDED_EPOCH_MS: u64 = 1_767_225_600_000;

/// A new UUIDv7: the current time and fresh randomness, or the next of this
/// thread's seeded sequence while one is set ([`seed_ids`]).
pub fn new_uuid() -> Uuid {
    match SEEDED.get() {
        None => Uuid::now_v7(),
        Some(mut seeded) => {
            let high = splitmix64(&mut seeded.state);
            let low = splitmix64(&mut seeded.state);
            let mut random = [0u8; 10];
            random[..8].copy_from_slice(&high.to_le_bytes());
            random[8..].copy_from_slice(&low.to_le_bytes()[..2]);
            // The count as the time: ids made later still sort later.
            let millis = SEEDED_EPOCH_MS + seeded.made;
            seeded.made += 1;
            SEEDED.set(Some(seeded));
            uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
        }
    }
}

/// Makes every id this thread makes, until the returned guard drops, the
/// next of a sequence fixed by `seed`, not the clock's and fresh randomness:
/// a deterministic simulation (highland-sim) replays a run from its seed,
/// ids and all. Nothing else should call it.
pub fn seed_ids(seed: u64) -> SeededIds {
    let before = SEEDED.replace(Some(Seeded {
        state: seed,
        made: 0,
    }));
    SeededIds { before }
}

/// Restores the thread's previous source of ids when dropped.
#[must_use = "ids are seeded only while the guard lives"]
pub struct SeededIds {
    before: Option<Seeded>,
}

impl Drop for SeededIds {
    fn drop(&mut self) {
        SEEDED.set(self.before);
    }
}

/// One step of SplitMix64: a fast, well-mixed sequence from any seed.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

id_type!(
    /// A trace event the hub recorded about a lot: receiving, processing,
    /// inspection, packing, shipping.
    TraceEventId
);
id_type!(
    /// A certificate of compliance (承诺达标合格证) a seller issued for a lot.
    CertificateId
);
id_type!(
    /// A listing: something a seller offers for sale.
    ListingId
);
id_type!(
    /// A photo a seller added to a listing or a lot.
    PhotoId
);
id_type!(
    /// A lot: a batch of produce with its origin.
    LotId
);
id_type!(
    /// A sale: one immutable record of goods sold.
    SaleId
);
id_type!(
    /// A stock adjustment: goods received, or a correction with its reason.
    AdjustmentId
);
id_type!(
    /// One operation in the outbox; the hub deduplicates by it.
    OperationId
);
id_type!(
    /// An order the buyer placed for a listing.
    OrderId
);
id_type!(
    /// A device (tablet, desktop or CLI data directory); breaks HLC ties.
    DeviceId
);
id_type!(
    /// A collection round: one truck's trip through villages on one day.
    RoundId
);
id_type!(
    /// One stop of a collection round: a village or a named collection point.
    StopId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_reject_garbage() {
        let id = ListingId::new();
        assert_eq!(id.to_string().parse::<ListingId>().unwrap(), id);
        assert_eq!(
            "not-an-id".parse::<ListingId>(),
            Err(DomainError::InvalidId {
                input: "not-an-id".into()
            })
        );
    }

    #[test]
    fn seeded_ids_repeat_from_their_seed_sort_by_creation_and_end_with_the_guard() {
        let first: Vec<SaleId> = {
            let _seeded = seed_ids(7);
            (0..3).map(|_| SaleId::new()).collect()
        };
        let again: Vec<SaleId> = {
            let _seeded = seed_ids(7);
            (0..3).map(|_| SaleId::new()).collect()
        };
        assert_eq!(first, again);
        assert!(first.windows(2).all(|w| w[0] < w[1]), "{first:?}");
        assert_eq!(first[0].as_uuid().get_version_num(), 7);
        let other = {
            let _seeded = seed_ids(8);
            SaleId::new()
        };
        assert_ne!(other, first[0]);
        // The guards gone, ids are fresh again: not the seeded sequence.
        assert_ne!(SaleId::new(), first[0]);
    }

    #[test]
    fn ids_made_later_sort_later() {
        let a = SaleId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = SaleId::new();
        assert!(a < b);
    }
}
