//! Weights are exact integer grams, like quantities. A truck's load is
//! always in kilograms, so every quantity needs a weight: a quantity sold by
//! weight is its own, and a quantity counted (jars, pieces, bags) or
//! measured by volume weighs its listing's weight per unit times its amount.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::quantity::format_in;
use crate::{BaseUnit, DomainError, Quantity, Unit};

/// A positive weight, held exactly in grams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Weight(i64);

impl Weight {
    /// Parses kilograms as staff and sellers type them: "12", "12.5", or a
    /// weight in another unit of mass ("500g", "3 jin").
    pub fn parse_kg(input: &str) -> Result<Weight, DomainError> {
        Quantity::parse(input, Unit::Kg)
            .map(|q| Weight(q.base()))
            .map_err(|e| match e {
                DomainError::NotPositive { .. } => DomainError::NotPositive { field: "weight" },
                DomainError::TooLarge { .. } => DomainError::TooLarge { field: "weight" },
                other => other,
            })
    }

    pub fn from_grams(grams: i64) -> Result<Weight, DomainError> {
        Quantity::from_base(grams, Unit::G)
            .map(|q| Weight(q.base()))
            .map_err(|e| match e {
                DomainError::TooLarge { .. } => DomainError::TooLarge { field: "weight" },
                _ => DomainError::NotPositive { field: "weight" },
            })
    }

    pub fn grams(self) -> i64 {
        self.0
    }

    /// Kilograms with as few decimals as they need: "12.5".
    pub fn kg_text(self) -> String {
        format_in(self.0, Unit::Kg)
    }
}

impl TryFrom<i64> for Weight {
    type Error = DomainError;

    fn try_from(grams: i64) -> Result<Self, Self::Error> {
        Weight::from_grams(grams)
    }
}

impl From<Weight> for i64 {
    fn from(w: Weight) -> i64 {
        w.0
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} kg", self.kg_text())
    }
}

/// Whether a listing sold in `unit` needs a weight per unit to be weighed:
/// everything not sold by weight.
pub fn needs_weight_per_unit(unit: Unit) -> bool {
    unit.base() != BaseUnit::G
}

/// What `quantity` weighs, in grams: its own amount when it is sold by
/// weight, else `per_unit` (the weight of one of its unit) times its amount,
/// rounded to the nearest gram. `None` when it needs a weight per unit and
/// has none.
pub fn weight_of(quantity: Quantity, per_unit: Option<Weight>) -> Option<i64> {
    if !needs_weight_per_unit(quantity.unit()) {
        return Some(quantity.base());
    }
    let per_unit = i128::from(per_unit?.grams());
    let factor = i128::from(quantity.unit().factor());
    let grams = (i128::from(quantity.base()) * per_unit * 2 + factor) / (2 * factor);
    i64::try_from(grams).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_parse_as_kilograms_or_another_mass() {
        assert_eq!(Weight::parse_kg("12.5").unwrap().grams(), 12_500);
        assert_eq!(Weight::parse_kg("500g").unwrap().grams(), 500);
        assert_eq!(Weight::parse_kg("3 jin").unwrap().grams(), 1_500);
        assert_eq!(
            Weight::parse_kg("0"),
            Err(DomainError::NotPositive { field: "weight" })
        );
        assert!(Weight::parse_kg("2 jar").is_err());
        assert!(Weight::parse_kg("abc").is_err());
        assert_eq!(Weight::parse_kg("1500").unwrap().to_string(), "1500 kg");
    }

    #[test]
    fn weights_travel_as_grams_and_must_be_positive() {
        let w: Weight = serde_json::from_str("750").unwrap();
        assert_eq!(w.grams(), 750);
        assert_eq!(serde_json::to_string(&w).unwrap(), "750");
        assert!(serde_json::from_str::<Weight>("0").is_err());
        assert!(serde_json::from_str::<Weight>("-5").is_err());
    }

    #[test]
    fn a_quantity_weighs_itself_or_its_units_times_their_weight() {
        let kg = Quantity::parse("12", Unit::Kg).unwrap();
        assert_eq!(weight_of(kg, None), Some(12_000));
        let jin = Quantity::parse("3", Unit::Jin).unwrap();
        assert_eq!(weight_of(jin, None), Some(1_500));
        let jars = Quantity::parse("6", Unit::Jar).unwrap();
        assert_eq!(weight_of(jars, None), None);
        let jar = Weight::parse_kg("0.75").unwrap();
        assert_eq!(weight_of(jars, Some(jar)), Some(4_500));
        // A litre of milk at 1,030 g: 1.5 l weighs 1,545 g.
        let milk = Quantity::parse("1.5", Unit::L).unwrap();
        let litre = Weight::from_grams(1_030).unwrap();
        assert_eq!(weight_of(milk, Some(litre)), Some(1_545));
        // 333 ml at 1,001 g a litre is 333.333 g: the nearest gram.
        let ml = Quantity::parse("333", Unit::Ml).unwrap();
        assert_eq!(
            weight_of(ml, Some(Weight::from_grams(1).unwrap())),
            Some(333)
        );
        let small = Quantity::parse("0.333", Unit::L).unwrap();
        assert_eq!(
            weight_of(small, Some(Weight::from_grams(1_001).unwrap())),
            Some(333)
        );
    }

    #[test]
    fn only_units_not_sold_by_weight_need_a_weight_per_unit() {
        let needing: Vec<_> = Unit::ALL
            .into_iter()
            .filter(|u| needs_weight_per_unit(*u))
            .collect();
        assert_eq!(
            needing,
            [Unit::L, Unit::Ml, Unit::Jar, Unit::Piece, Unit::Bag]
        );
    }
}
