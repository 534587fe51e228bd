use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    AdjustmentId, DomainError, ListingId, Money, OrderId, Price, Quantity, QuantityDelta, Reason,
    SaleId, ShortText,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMethod {
    Cash,
    Wechat,
    Alipay,
    Bank,
    Other,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 5] = [
        PaymentMethod::Cash,
        PaymentMethod::Wechat,
        PaymentMethod::Alipay,
        PaymentMethod::Bank,
        PaymentMethod::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Wechat => "wechat",
            PaymentMethod::Alipay => "alipay",
            PaymentMethod::Bank => "bank",
            PaymentMethod::Other => "other",
        }
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for PaymentMethod {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        PaymentMethod::ALL
            .into_iter()
            .find(|p| p.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "payment method",
                input: s.to_owned(),
                known: PaymentMethod::ALL.map(PaymentMethod::slug).join(", "),
            })
    }
}

/// One sale: an immutable fact. Sales are only ever inserted, never edited, so
/// two devices selling offline can never overwrite each other's sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    pub id: SaleId,
    pub listing_id: ListingId,
    pub quantity: Quantity,
    pub unit_price: Price,
    pub payment: PaymentMethod,
    pub buyer: Option<ShortText>,
    /// The device's wall clock when the sale was recorded: what the seller saw,
    /// shown in lists; merge order comes from the operation's HLC instead.
    pub sold_at: DateTime<Utc>,
    /// The order whose receipt this sale records. Only the hub makes such
    /// sales; a device's own sales carry none, and on the wire the field is
    /// left out when empty, so older devices read these sales unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<OrderId>,
}

impl Sale {
    /// Price times quantity, rounded to the nearest fen; see [`Price::times`].
    pub fn total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// Why stock changed outside a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdjustmentKind {
    /// Goods came in: the listing's first stock, or a new harvest.
    Received,
    /// A correction: spoiled, eaten, lost, or found on a recount.
    Correction,
}

impl AdjustmentKind {
    pub const ALL: [AdjustmentKind; 2] = [AdjustmentKind::Received, AdjustmentKind::Correction];

    pub fn slug(self) -> &'static str {
        match self {
            AdjustmentKind::Received => "received",
            AdjustmentKind::Correction => "correction",
        }
    }
}

impl FromStr for AdjustmentKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        AdjustmentKind::ALL
            .into_iter()
            .find(|k| k.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "adjustment kind",
                input: s.to_owned(),
                known: AdjustmentKind::ALL.map(AdjustmentKind::slug).join(", "),
            })
    }
}

/// A change of stock that is not a sale. Insert-only, like sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjustment {
    pub id: AdjustmentId,
    pub listing_id: ListingId,
    pub kind: AdjustmentKind,
    pub change: QuantityDelta,
    pub reason: Option<Reason>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unit;

    fn sale(quantity: &str, unit: Unit, price: &str) -> Sale {
        Sale {
            id: SaleId::new(),
            listing_id: ListingId::new(),
            quantity: Quantity::parse(quantity, unit).unwrap(),
            unit_price: Price::parse_yuan(price).unwrap(),
            payment: PaymentMethod::Cash,
            buyer: None,
            sold_at: DateTime::UNIX_EPOCH,
            order_id: None,
        }
    }

    #[test]
    fn total_is_price_times_quantity_in_fen() {
        assert_eq!(sale("2.5", Unit::Kg, "68.50").total().fen(), 17125);
        assert_eq!(sale("3", Unit::Jar, "45").total().fen(), 13500);
        assert_eq!(sale("0.3", Unit::Jin, "20").total().fen(), 600);
    }

    #[test]
    fn total_rounds_half_away_from_zero() {
        // 0.333 kg at 68.50 = 22.8105 yuan
        assert_eq!(sale("0.333", Unit::Kg, "68.50").total().fen(), 2281);
        // 0.001 kg at 0.05 = 0.00005 yuan rounds to nothing; 0.01 kg at 0.5 = 0.005 rounds up
        assert_eq!(sale("0.001", Unit::Kg, "0.05").total().fen(), 0);
        assert_eq!(sale("0.01", Unit::Kg, "0.5").total().fen(), 1);
    }

    #[test]
    fn a_sale_without_an_order_reads_and_writes_as_before() {
        let plain = sale("1", Unit::Kg, "10");
        let json = serde_json::to_value(&plain).unwrap();
        assert!(json.get("order_id").is_none());
        assert_eq!(serde_json::from_value::<Sale>(json).unwrap(), plain);

        let mut settled = plain;
        settled.order_id = Some(OrderId::new());
        let json = serde_json::to_value(&settled).unwrap();
        assert_eq!(json["order_id"], settled.order_id.unwrap().to_string());
        assert_eq!(serde_json::from_value::<Sale>(json).unwrap(), settled);
    }

    #[test]
    fn adjustment_kinds_parse_from_their_slugs() {
        for kind in AdjustmentKind::ALL {
            assert_eq!(kind.slug().parse::<AdjustmentKind>(), Ok(kind));
        }
        assert!(matches!(
            "spoiled".parse::<AdjustmentKind>(),
            Err(DomainError::UnknownChoice {
                what: "adjustment kind",
                ..
            })
        ));
    }

    #[test]
    fn payment_methods_parse_from_their_slugs() {
        for p in PaymentMethod::ALL {
            assert_eq!(p.slug().parse::<PaymentMethod>().unwrap(), p);
        }
        assert!("bitcoin".parse::<PaymentMethod>().is_err());
    }
}
