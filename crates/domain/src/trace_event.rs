//! What happens to a lot after its harvest, as the buyer's hub records it,
//! modelled on GS1 EPCIS 2.0 (what, when, where, why).
//!
//! The harvest itself is the lot as its seller recorded it on the device
//! ([`crate::Lot`], EPCIS "commissioning"). Everything after it happens at
//! the buyer's: receiving the lot from the seller, processing (a
//! transformation: these input lots, in these quantities, became a new
//! product lot), a quarantine or quality inspection, packing and shipping.
//!
//! Events are facts: only ever inserted, never edited, each with its own id
//! so that recording one twice (a form sent again, a retried command) keeps
//! one.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{DomainError, Gtin, LotId, OrderId, Quantity, RoundId, ShortText, Title, TraceEventId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub id: TraceEventId,
    /// The lot the event is about; for processing, the product lot it made.
    pub lot_id: LotId,
    /// When it happened, as the person recording it says.
    pub at: DateTime<Utc>,
    /// Where: the buyer's site, a processing plant, a warehouse.
    pub place: Option<ShortText>,
    /// Who recorded it at the hub (a staff member's name).
    pub recorded_by: ShortText,
    pub step: TraceStep,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceStep {
    /// The buyer took the lot from its seller.
    Received {
        quantity: Quantity,
        /// The order the lot was bought under, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        order_id: Option<OrderId>,
    },
    /// Input lots became a new product lot: the event's `lot_id`.
    Processed { product: ProductLot, inputs: Inputs },
    Inspected {
        inspector: ShortText,
        certificate_number: ShortText,
        result: InspectionResult,
        on: NaiveDate,
    },
    Packed {
        quantity: Quantity,
        /// Jars of 500 g, vacuum bags: in the packer's words.
        packaging: ShortText,
    },
    Shipped {
        quantity: Quantity,
        /// Who it went to: a shop, a distributor. A collection round's
        /// trip names its truck instead: it goes to the buyer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<ShortText>,
        /// The truck that carried it, on a collection round.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vehicle: Option<ShortText>,
        /// The collection round that carried it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        round_id: Option<RoundId>,
    },
}

impl TraceStep {
    pub fn kind(&self) -> TraceStepKind {
        match self {
            TraceStep::Received { .. } => TraceStepKind::Received,
            TraceStep::Processed { .. } => TraceStepKind::Processed,
            TraceStep::Inspected { .. } => TraceStepKind::Inspected,
            TraceStep::Packed { .. } => TraceStepKind::Packed,
            TraceStep::Shipped { .. } => TraceStepKind::Shipped,
        }
    }
}

/// A lot made at the buyer's from village lots: what the jar says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductLot {
    /// The product's name as printed, often in Chinese and Tibetan both.
    pub name: Title,
    pub quantity: Quantity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<Gtin>,
}

/// The lots a product was made from, each with the quantity used: at least
/// one, none twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<LotInput>", into = "Vec<LotInput>")]
pub struct Inputs(Vec<LotInput>);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotInput {
    pub lot_id: LotId,
    pub quantity: Quantity,
}

impl Inputs {
    pub fn new(inputs: Vec<LotInput>) -> Result<Inputs, DomainError> {
        if inputs.is_empty() {
            return Err(DomainError::NoInputs);
        }
        let mut ids: Vec<LotId> = inputs.iter().map(|i| i.lot_id).collect();
        ids.sort();
        ids.dedup();
        if ids.len() != inputs.len() {
            return Err(DomainError::InputsRepeat);
        }
        Ok(Inputs(inputs))
    }

    pub fn as_slice(&self) -> &[LotInput] {
        &self.0
    }
}

impl TryFrom<Vec<LotInput>> for Inputs {
    type Error = DomainError;

    fn try_from(v: Vec<LotInput>) -> Result<Self, Self::Error> {
        Inputs::new(v)
    }
}

impl From<Inputs> for Vec<LotInput> {
    fn from(i: Inputs) -> Vec<LotInput> {
        i.0
    }
}

/// The kinds of step, for filters, labels and storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceStepKind {
    Received,
    Processed,
    Inspected,
    Packed,
    Shipped,
}

impl TraceStepKind {
    pub const ALL: [TraceStepKind; 5] = [
        TraceStepKind::Received,
        TraceStepKind::Processed,
        TraceStepKind::Inspected,
        TraceStepKind::Packed,
        TraceStepKind::Shipped,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            TraceStepKind::Received => "received",
            TraceStepKind::Processed => "processed",
            TraceStepKind::Inspected => "inspected",
            TraceStepKind::Packed => "packed",
            TraceStepKind::Shipped => "shipped",
        }
    }
}

/// What an inspection found. EPCIS calls these the dispositions
/// `conformant` and `non_conformant`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    Passed,
    Failed,
}

impl InspectionResult {
    pub fn slug(self) -> &'static str {
        match self {
            InspectionResult::Passed => "passed",
            InspectionResult::Failed => "failed",
        }
    }
}

impl fmt::Display for InspectionResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for InspectionResult {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "passed" | "pass" => Ok(InspectionResult::Passed),
            "failed" | "fail" => Ok(InspectionResult::Failed),
            _ => Err(DomainError::UnknownChoice {
                what: "inspection result",
                input: s.to_owned(),
                known: "passed, failed".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Unit;

    fn kg(q: &str) -> Quantity {
        Quantity::parse(q, Unit::Kg).unwrap()
    }

    #[test]
    fn a_product_is_made_from_at_least_one_lot_and_none_twice() {
        let a = LotId::new();
        let b = LotId::new();
        let input = |lot_id| LotInput {
            lot_id,
            quantity: kg("5"),
        };
        assert_eq!(Inputs::new(vec![]), Err(DomainError::NoInputs));
        assert_eq!(
            Inputs::new(vec![input(a), input(a)]),
            Err(DomainError::InputsRepeat)
        );
        assert_eq!(
            Inputs::new(vec![input(a), input(b)])
                .unwrap()
                .as_slice()
                .len(),
            2
        );
        let json = format!(
            r#"[{{"lot_id":"{a}","quantity":{q}}},{{"lot_id":"{a}","quantity":{q}}}]"#,
            q = serde_json::to_string(&kg("1")).unwrap()
        );
        assert!(serde_json::from_str::<Inputs>(&json).is_err());
    }

    #[test]
    fn events_round_trip_through_json_with_a_step_tag() {
        let event = TraceEvent {
            id: TraceEventId::new(),
            lot_id: LotId::new(),
            at: "2026-09-14T08:00:00Z".parse().unwrap(),
            place: Some(ShortText::parse("香格里拉 加工厂").unwrap()),
            recorded_by: ShortText::parse("卓玛").unwrap(),
            step: TraceStep::Inspected {
                inspector: ShortText::parse("迪庆州动物卫生监督所").unwrap(),
                certificate_number: ShortText::parse("5334-2026-0917").unwrap(),
                result: InspectionResult::Passed,
                on: "2026-09-14".parse().unwrap(),
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["step"]["kind"], "inspected");
        assert_eq!(serde_json::from_value::<TraceEvent>(json).unwrap(), event);
    }

    #[test]
    fn inspection_results_read_as_typed() {
        assert_eq!("Pass".parse(), Ok(InspectionResult::Passed));
        assert_eq!("failed".parse(), Ok(InspectionResult::Failed));
        assert!("maybe".parse::<InspectionResult>().is_err());
    }
}
