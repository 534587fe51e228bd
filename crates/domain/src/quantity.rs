//! Quantities are exact: every quantity is an integer number of its base unit
//! (grams, millilitres or pieces), so 0.3 jin is exactly 150 g and a kilogram
//! sold in three parts adds up to a kilogram.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The exact unit a quantity is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaseUnit {
    /// Grams: kg, jin and g.
    G,
    /// Millilitres: litres and ml.
    Ml,
    /// Whole items: jars, pieces, bags.
    Count,
}

impl BaseUnit {
    pub fn slug(self) -> &'static str {
        match self {
            BaseUnit::G => "g",
            BaseUnit::Ml => "ml",
            BaseUnit::Count => "count",
        }
    }
}

/// A unit a seller sells in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Kg,
    /// 市斤: half a kilogram, the unit of every village market.
    Jin,
    G,
    L,
    Ml,
    Jar,
    Piece,
    Bag,
}

impl Unit {
    pub const ALL: [Unit; 8] = [
        Unit::Kg,
        Unit::Jin,
        Unit::G,
        Unit::L,
        Unit::Ml,
        Unit::Jar,
        Unit::Piece,
        Unit::Bag,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Unit::Kg => "kg",
            Unit::Jin => "jin",
            Unit::G => "g",
            Unit::L => "l",
            Unit::Ml => "ml",
            Unit::Jar => "jar",
            Unit::Piece => "piece",
            Unit::Bag => "bag",
        }
    }

    pub fn base(self) -> BaseUnit {
        match self {
            Unit::Kg | Unit::Jin | Unit::G => BaseUnit::G,
            Unit::L | Unit::Ml => BaseUnit::Ml,
            Unit::Jar | Unit::Piece | Unit::Bag => BaseUnit::Count,
        }
    }

    /// How many base units make one of this unit.
    pub fn factor(self) -> i64 {
        match self {
            Unit::Kg | Unit::L => 1000,
            Unit::Jin => 500,
            Unit::G | Unit::Ml | Unit::Jar | Unit::Piece | Unit::Bag => 1,
        }
    }

    fn known() -> String {
        Unit::ALL.map(Unit::slug).join(", ")
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Unit {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Unit::ALL
            .into_iter()
            .find(|u| u.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownUnit {
                input: s.to_owned(),
                known: Unit::known(),
            })
    }
}

/// The largest amount of base units one quantity may hold: 1,000 tonnes.
const MAX_BASE: i64 = 1_000_000_000;

/// How quantities travel in operations: the unit and the exact base amount.
#[derive(Serialize, Deserialize)]
struct Exact {
    unit: Unit,
    base: i64,
}

/// A positive amount of some unit, held exactly in base units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Exact", into = "Exact")]
pub struct Quantity {
    unit: Unit,
    base: i64,
}

impl Quantity {
    /// Parses "2", "2.5" or "0.3" in `unit`, or a number with a unit of the same
    /// kind, such as "500g" or "3 jin" for a listing sold by the kilogram.
    pub fn parse(input: &str, unit: Unit) -> Result<Quantity, DomainError> {
        let base = parse_signed_base(input, unit)?;
        if base <= 0 {
            return Err(DomainError::NotPositive { field: "quantity" });
        }
        Ok(Quantity { unit, base })
    }

    pub fn from_base(base: i64, unit: Unit) -> Result<Quantity, DomainError> {
        if base <= 0 {
            return Err(DomainError::NotPositive { field: "quantity" });
        }
        if base > MAX_BASE {
            return Err(DomainError::TooLarge { field: "quantity" });
        }
        Ok(Quantity { unit, base })
    }

    pub fn unit(self) -> Unit {
        self.unit
    }

    /// The same amount in another unit that measures the same thing: 9500 g
    /// of a listing sold by the kg is 9.5 kg. Grams cannot become jars.
    pub fn in_unit(self, unit: Unit) -> Result<Quantity, DomainError> {
        if self.unit.base() != unit.base() {
            return Err(DomainError::UnitMismatch {
                expected: unit.slug(),
                got: self.unit.slug(),
            });
        }
        Quantity::from_base(self.base, unit)
    }

    /// The exact amount in [`Unit::base`] units.
    pub fn base(self) -> i64 {
        self.base
    }
}

/// "20 kg", "20kg", "3 jar": an amount with its unit, as staff type it.
impl FromStr for Quantity {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (amount, unit) = text.split_at(split);
        if unit.trim().is_empty() {
            return Err(DomainError::UnknownUnit {
                input: s.to_owned(),
                known: Unit::known(),
            });
        }
        Quantity::parse(amount, unit.parse()?)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", format_in(self.base, self.unit), self.unit)
    }
}

/// A non-zero change of stock, which may be negative (spoiled, eaten, lost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Exact", into = "Exact")]
pub struct QuantityDelta {
    unit: Unit,
    base: i64,
}

impl QuantityDelta {
    pub fn parse(input: &str, unit: Unit) -> Result<QuantityDelta, DomainError> {
        let base = parse_signed_base(input, unit)?;
        Self::from_base(base, unit)
    }

    pub fn from_base(base: i64, unit: Unit) -> Result<QuantityDelta, DomainError> {
        if base == 0 {
            return Err(DomainError::NotPositive { field: "change" });
        }
        if base.abs() > MAX_BASE {
            return Err(DomainError::TooLarge { field: "change" });
        }
        Ok(QuantityDelta { unit, base })
    }

    pub fn unit(self) -> Unit {
        self.unit
    }

    pub fn base(self) -> i64 {
        self.base
    }
}

impl From<Quantity> for QuantityDelta {
    fn from(q: Quantity) -> Self {
        QuantityDelta {
            unit: q.unit,
            base: q.base,
        }
    }
}

impl TryFrom<Exact> for Quantity {
    type Error = DomainError;

    fn try_from(e: Exact) -> Result<Self, Self::Error> {
        Quantity::from_base(e.base, e.unit)
    }
}

impl From<Quantity> for Exact {
    fn from(q: Quantity) -> Exact {
        Exact {
            unit: q.unit,
            base: q.base,
        }
    }
}

impl TryFrom<Exact> for QuantityDelta {
    type Error = DomainError;

    fn try_from(e: Exact) -> Result<Self, Self::Error> {
        QuantityDelta::from_base(e.base, e.unit)
    }
}

impl From<QuantityDelta> for Exact {
    fn from(q: QuantityDelta) -> Exact {
        Exact {
            unit: q.unit,
            base: q.base,
        }
    }
}

/// Writes an amount of base units in `unit` with as few decimals as it needs.
/// Exact for every unit: 1000 and 500 divide a power of ten.
pub fn format_in(base: i64, unit: Unit) -> String {
    let factor = unit.factor();
    let sign = if base < 0 { "-" } else { "" };
    let abs = base.unsigned_abs();
    let whole = abs / factor as u64;
    let rest = abs % factor as u64;
    if rest == 0 {
        return format!("{sign}{whole}");
    }
    // Scale the remainder to thousandths; both factors divide 1000.
    let thousandths = rest * 1000 / factor as u64;
    let frac = format!("{thousandths:03}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

fn parse_signed_base(input: &str, unit: Unit) -> Result<i64, DomainError> {
    let invalid = || DomainError::InvalidQuantity {
        input: input.to_owned(),
    };
    let trimmed = input.trim();
    let split = trimmed
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(trimmed.len());
    let (number, suffix) = trimmed.split_at(split);
    let number = number.trim_end();
    if number.is_empty() {
        return Err(invalid());
    }
    let typed_unit = if suffix.is_empty() {
        unit
    } else {
        let typed: Unit = suffix.parse()?;
        if typed.base() != unit.base() {
            return Err(DomainError::UnitMismatch {
                expected: unit.slug(),
                got: typed.slug(),
            });
        }
        typed
    };

    let (negative, digits) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || (digits.contains('.') && fraction.is_empty())
    {
        return Err(invalid());
    }
    if whole.trim_start_matches('0').len() > 12 || fraction.len() > 9 {
        return Err(DomainError::TooLarge { field: "quantity" });
    }
    let factor = typed_unit.factor() as i128;
    let whole: i128 = whole.parse().map_err(|_| invalid())?;
    let frac_value: i128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| invalid())?
    };
    let scale = 10i128.pow(fraction.len() as u32);
    let numerator = frac_value * factor;
    if numerator % scale != 0 {
        return Err(if typed_unit.base() == BaseUnit::Count {
            DomainError::NotWhole {
                unit: typed_unit.slug(),
                input: input.to_owned(),
            }
        } else {
            DomainError::TooPrecise {
                input: input.to_owned(),
                base: typed_unit.base().slug(),
            }
        });
    }
    let base = whole * factor + numerator / scale;
    if base > MAX_BASE as i128 {
        return Err(DomainError::TooLarge { field: "quantity" });
    }
    let base = base as i64;
    Ok(if negative { -base } else { base })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quantity_moves_only_between_units_of_the_same_measure() {
        use super::{Quantity, Unit};
        let grams = Quantity::parse("9500", Unit::G).unwrap();
        assert_eq!(
            grams.in_unit(Unit::Kg).unwrap(),
            Quantity::parse("9.5", Unit::Kg).unwrap()
        );
        assert!(matches!(
            grams.in_unit(Unit::Jar),
            Err(crate::DomainError::UnitMismatch { .. })
        ));
    }

    use super::*;

    #[test]
    fn a_quantity_typed_with_its_unit_reads_exactly() {
        let q: Quantity = "20.5kg".parse().unwrap();
        assert_eq!((q.unit(), q.base()), (Unit::Kg, 20_500));
        let q: Quantity = " 3 jar ".parse().unwrap();
        assert_eq!((q.unit(), q.base()), (Unit::Jar, 3));
        assert!(matches!(
            "20".parse::<Quantity>(),
            Err(DomainError::UnknownUnit { .. })
        ));
        assert!(matches!(
            "20 tonnes".parse::<Quantity>(),
            Err(DomainError::UnknownUnit { .. })
        ));
        assert!("2.5 jar".parse::<Quantity>().is_err());
    }
    use proptest::prelude::*;

    fn grams(s: &str, unit: Unit) -> i64 {
        Quantity::parse(s, unit).unwrap().base()
    }

    #[test]
    fn weights_are_exact_grams() {
        assert_eq!(grams("2.5", Unit::Kg), 2500);
        assert_eq!(grams("0.3", Unit::Jin), 150);
        assert_eq!(grams("3", Unit::Jin), 1500);
        assert_eq!(grams("0.001", Unit::Kg), 1);
        assert_eq!(grams("500g", Unit::Kg), 500);
        assert_eq!(grams("3 jin", Unit::Kg), 1500);
        assert_eq!(grams("1.5", Unit::L), 1500);
    }

    #[test]
    fn counted_units_take_whole_numbers_only() {
        assert_eq!(grams("12", Unit::Jar), 12);
        assert_eq!(grams("2.0", Unit::Bag), 2);
        assert!(matches!(
            Quantity::parse("1.5", Unit::Piece),
            Err(DomainError::NotWhole { .. })
        ));
    }

    #[test]
    fn refuses_what_cannot_be_recorded_exactly() {
        assert!(matches!(
            Quantity::parse("0.001", Unit::Jin),
            Err(DomainError::TooPrecise { .. })
        ));
        assert!(matches!(
            Quantity::parse("0.0005", Unit::Kg),
            Err(DomainError::TooPrecise { .. })
        ));
    }

    #[test]
    fn refuses_zero_negative_garbage_and_the_wrong_kind_of_unit() {
        for bad in ["0", "0.0", "-1", "", "abc", "1e3", "1.", ".5", "1,5", "--1"] {
            assert!(Quantity::parse(bad, Unit::Kg).is_err(), "{bad:?}");
        }
        assert!(matches!(
            Quantity::parse("2 jar", Unit::Kg),
            Err(DomainError::UnitMismatch { .. })
        ));
        assert!(matches!(
            Quantity::parse("2 tonnes", Unit::Kg),
            Err(DomainError::UnknownUnit { .. })
        ));
    }

    #[test]
    fn a_delta_may_be_negative_but_not_zero() {
        assert_eq!(
            QuantityDelta::parse("-1.5", Unit::Kg).unwrap().base(),
            -1500
        );
        assert!(QuantityDelta::parse("0", Unit::Kg).is_err());
    }

    #[test]
    fn units_parse_from_their_slugs() {
        for unit in Unit::ALL {
            assert_eq!(unit.slug().parse::<Unit>().unwrap(), unit);
            assert_eq!(unit.slug().to_uppercase().parse::<Unit>().unwrap(), unit);
        }
        assert!("tonne".parse::<Unit>().is_err());
    }

    #[test]
    fn formats_with_as_few_decimals_as_needed() {
        assert_eq!(format_in(2500, Unit::Kg), "2.5");
        assert_eq!(format_in(150, Unit::Jin), "0.3");
        assert_eq!(format_in(1, Unit::Jin), "0.002");
        assert_eq!(format_in(-1500, Unit::Kg), "-1.5");
        assert_eq!(
            Quantity::parse("12", Unit::Jar).unwrap().to_string(),
            "12 jar"
        );
    }

    fn any_unit() -> impl Strategy<Value = Unit> {
        proptest::sample::select(Unit::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn format_then_parse_is_identity(unit in any_unit(), base in 1i64..=MAX_BASE) {
            let q = Quantity::from_base(base, unit).unwrap();
            prop_assert_eq!(Quantity::parse(&format_in(base, unit), unit).unwrap(), q);
        }

        #[test]
        fn signed_format_then_parse_is_identity(unit in any_unit(), base in -MAX_BASE..=MAX_BASE) {
            prop_assume!(base != 0);
            let d = QuantityDelta::from_base(base, unit).unwrap();
            prop_assert_eq!(QuantityDelta::parse(&format_in(base, unit), unit).unwrap(), d);
        }

        #[test]
        fn parse_matches_decimal_arithmetic(whole in 0i64..100_000, milli in 0i64..1000) {
            let typed = format!("{whole}.{milli:03}");
            let parsed = Quantity::parse(&typed, Unit::Kg);
            if whole == 0 && milli == 0 {
                prop_assert!(parsed.is_err());
            } else {
                prop_assert_eq!(parsed.unwrap().base(), whole * 1000 + milli);
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,16}", unit in any_unit()) {
            let _ = Quantity::parse(&s, unit);
            let _ = QuantityDelta::parse(&s, unit);
        }
    }
}
