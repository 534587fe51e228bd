//! A lot's chain: every lot that went into it, back to the village
//! harvests, and everything recorded about them. The trace page draws it as
//! a timeline and the EPCIS export writes it as EPCIS 2.0 events.

use chrono::{DateTime, Utc};
use highland_domain::{Certificate, Lot, LotId, ProductLot, TraceCode, TraceEvent};
use serde::Serialize;

use highland_exchange::ids::SellerId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chain {
    /// The lot asked about; also first in `lots`.
    pub lot: ChainLot,
    /// Every lot in the chain: the asked one, then the lots it was made
    /// from, breadth first, each once.
    pub lots: Vec<ChainLot>,
    /// Every event recorded about those lots, oldest first.
    pub events: Vec<TraceEvent>,
    /// Certificates of compliance issued for those lots, oldest first.
    pub certificates: Vec<Certificate>,
    /// Product lots made from the asked lot, for links forward.
    pub made_into: Vec<ChainLot>,
    /// Names of the listings that offer the asked lot (published ones only).
    pub listings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainLot {
    pub id: LotId,
    pub code: TraceCode,
    pub origin: LotOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LotOrigin {
    /// A village lot: its harvest (or slaughter) as its seller recorded it.
    /// The seller is named by id only; the page shows the village.
    Harvest {
        lot: Lot,
        seller_id: SellerId,
        /// When the seller recorded it, by the device's clock.
        recorded_at: DateTime<Utc>,
    },
    /// A lot made at the buyer's by a processing event.
    Product {
        product: ProductLot,
        made_at: DateTime<Utc>,
    },
}

/// How recording an event went: a form sent twice records it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recorded {
    New,
    AlreadyKnown,
}
