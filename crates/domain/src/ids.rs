//! Ids are made on the device (UUIDv7), so nothing ever waits for the hub to
//! number a listing or a sale, and ids sort roughly by creation time.

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
            /// A new id from the current time and fresh randomness.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
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
    fn ids_made_later_sort_later() {
        let a = SaleId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = SaleId::new();
        assert!(a < b);
    }
}
