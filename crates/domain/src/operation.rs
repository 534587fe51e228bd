//! An operation is one local write as it is kept in the outbox and sent to
//! the hub. Every operation carries its own id, so the hub applies it at most
//! once however often a lost response makes the device send it again.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    DeviceId, Hlc, Listing, ListingField, ListingId, Lot, OperationId, Sale, StockAdjustment,
    Version,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: OperationId,
    pub device_id: DeviceId,
    pub hlc: Hlc,
    pub payload: Payload,
}

impl Operation {
    /// The version its field writes carry when merged.
    pub fn version(&self) -> Version {
        Version {
            hlc: self.hlc,
            device: self.device_id,
        }
    }

    pub fn entity(&self) -> (EntityKind, Uuid) {
        self.payload.entity()
    }
}

/// What the operation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    ListingCreated {
        listing: Listing,
    },
    /// Changes some fields of a listing; each field merges on its own.
    ListingEdited {
        listing_id: ListingId,
        changes: Vec<ListingField>,
    },
    LotRecorded {
        lot: Lot,
    },
    SaleRecorded {
        sale: Sale,
    },
    StockAdjusted {
        adjustment: StockAdjustment,
    },
}

/// The kind of thing an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Listing,
    Lot,
    Sale,
    Adjustment,
}

impl EntityKind {
    pub fn slug(self) -> &'static str {
        match self {
            EntityKind::Listing => "listing",
            EntityKind::Lot => "lot",
            EntityKind::Sale => "sale",
            EntityKind::Adjustment => "adjustment",
        }
    }
}

impl Payload {
    pub fn entity(&self) -> (EntityKind, Uuid) {
        match self {
            Payload::ListingCreated { listing } => (EntityKind::Listing, listing.id.as_uuid()),
            Payload::ListingEdited { listing_id, .. } => {
                (EntityKind::Listing, listing_id.as_uuid())
            }
            Payload::LotRecorded { lot } => (EntityKind::Lot, lot.id.as_uuid()),
            Payload::SaleRecorded { sale } => (EntityKind::Sale, sale.id.as_uuid()),
            Payload::StockAdjusted { adjustment } => {
                (EntityKind::Adjustment, adjustment.id.as_uuid())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Category, ListingStatus, Price, Title, Unit};

    #[test]
    fn operations_round_trip_through_json_with_a_kind_tag() {
        let listing = Listing {
            id: ListingId::new(),
            title: Title::parse("གཡག་ཤ 牦牛肉").unwrap(),
            category: Category::YakMeat,
            unit: Unit::Kg,
            price: Price::parse_yuan("68.50").unwrap(),
            status: ListingStatus::Listed,
            description: None,
            lot_id: None,
        };
        let op = Operation {
            id: OperationId::new(),
            device_id: DeviceId::new(),
            hlc: Hlc::from_wall_ms(1_764_000_000_000),
            payload: Payload::ListingCreated {
                listing: listing.clone(),
            },
        };
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["payload"]["kind"], "listing_created");
        assert_eq!(json["payload"]["listing"]["price"], 6850);
        let back: Operation = serde_json::from_value(json).unwrap();
        assert_eq!(back, op);
        assert_eq!(op.entity(), (EntityKind::Listing, listing.id.as_uuid()));
    }

    #[test]
    fn invalid_values_inside_an_operation_are_refused_when_read() {
        let json = serde_json::json!({
            "id": OperationId::new(), "device_id": DeviceId::new(), "hlc": 1,
            "payload": {"kind": "listing_edited", "listing_id": ListingId::new(),
                        "changes": [{"field": "title", "value": ""}]}
        });
        assert!(serde_json::from_value::<Operation>(json).is_err());
    }
}
