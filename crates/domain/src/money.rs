//! Money is an integer number of fen (1 yuan = 100 fen). Floating point never
//! touches a price: 0.1 + 0.2 yuan must be exactly 0.30.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Quantity};

/// An amount of money in fen, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Money(i64);

impl Money {
    /// 999,999,999.99 yuan: far above any village sale, far below i64 overflow
    /// even when multiplied by a large quantity in i128.
    pub const MAX_FEN: i64 = 99_999_999_999;
    pub const ZERO: Money = Money(0);

    pub fn from_fen(fen: i64) -> Result<Money, DomainError> {
        if fen < 0 {
            return Err(DomainError::NotPositive { field: "amount" });
        }
        if fen > Self::MAX_FEN {
            return Err(DomainError::TooLarge { field: "amount" });
        }
        Ok(Money(fen))
    }

    /// Parses yuan as a seller types them: "68", "68.5" or "68.50". Anything
    /// else (signs, exponents, a third decimal, a bare "." or spaces inside) is
    /// refused rather than guessed at.
    pub fn parse_yuan(input: &str) -> Result<Money, DomainError> {
        let invalid = || DomainError::InvalidMoney {
            field: "price",
            input: input.to_owned(),
        };
        let (whole, fraction) = match input.split_once('.') {
            Some((w, f)) => (w, f),
            None => (input, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
            return Err(invalid());
        }
        if input.contains('.') && fraction.is_empty() || fraction.len() > 2 {
            return Err(invalid());
        }
        if whole.len() > 9 && whole.trim_start_matches('0').len() > 9 {
            return Err(DomainError::TooLarge { field: "price" });
        }
        let yuan: i64 = whole.parse().map_err(|_| invalid())?;
        let fen_part: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().map_err(|_| invalid())? * 10,
            _ => fraction.parse().map_err(|_| invalid())?,
        };
        Money::from_fen(yuan * 100 + fen_part)
    }

    /// Like [`Money::parse_yuan`], for a price, which must be above zero.
    pub fn parse_price(input: &str) -> Result<Money, DomainError> {
        let money = Self::parse_yuan(input)?;
        if money.0 == 0 {
            return Err(DomainError::NotPositive { field: "price" });
        }
        Ok(money)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::from_fen(self.0.checked_add(other.0)?).ok()
    }
}

impl TryFrom<i64> for Money {
    type Error = DomainError;

    fn try_from(fen: i64) -> Result<Self, Self::Error> {
        Money::from_fen(fen)
    }
}

impl From<Money> for i64 {
    fn from(m: Money) -> i64 {
        m.0
    }
}

/// Yuan with exactly two decimals, "68.50": the form every Chinese price tag uses.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A price per unit: money that is above zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Price(Money);

impl Price {
    pub fn parse_yuan(input: &str) -> Result<Price, DomainError> {
        Money::parse_price(input).map(Price)
    }

    pub fn from_fen(fen: i64) -> Result<Price, DomainError> {
        if fen == 0 {
            return Err(DomainError::NotPositive { field: "price" });
        }
        Money::from_fen(fen).map(Price)
    }

    pub fn money(self) -> Money {
        self.0
    }

    pub fn fen(self) -> i64 {
        self.0.fen()
    }

    /// This price per unit times `quantity`, rounded to the nearest fen (half
    /// away from zero), since 0.333 kg at 68.50 yuan is not a whole number of
    /// fen. Saturates at [`Money::MAX_FEN`], far above any village trade.
    pub fn times(self, quantity: Quantity) -> Money {
        let factor = i128::from(quantity.unit().factor());
        let exact = i128::from(self.fen()) * i128::from(quantity.base());
        let fen = (exact + factor / 2) / factor;
        i64::try_from(fen)
            .ok()
            .and_then(|f| Money::from_fen(f).ok())
            .unwrap_or(Money(Money::MAX_FEN))
    }
}

impl TryFrom<i64> for Price {
    type Error = DomainError;

    fn try_from(fen: i64) -> Result<Self, Self::Error> {
        Price::from_fen(fen)
    }
}

impl From<Price> for i64 {
    fn from(p: Price) -> i64 {
        p.fen()
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_three_shapes_sellers_type() {
        assert_eq!(Money::parse_yuan("68").unwrap().fen(), 6800);
        assert_eq!(Money::parse_yuan("68.5").unwrap().fen(), 6850);
        assert_eq!(Money::parse_yuan("68.50").unwrap().fen(), 6850);
        assert_eq!(Money::parse_yuan("0.05").unwrap().fen(), 5);
        assert_eq!(Money::parse_yuan("0").unwrap().fen(), 0);
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            ".",
            "68.",
            ".5",
            "68.505",
            "-68",
            "+68",
            "1e3",
            " 68",
            "68 ",
            "6 8",
            "68,50",
            "６８",
            "NaN",
            "inf",
            "0x10",
            "68.5.0",
            "1000000000",
        ] {
            assert!(Money::parse_yuan(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn a_price_must_be_above_zero() {
        assert_eq!(
            Money::parse_price("0.00"),
            Err(DomainError::NotPositive { field: "price" })
        );
        assert!(Money::parse_price("0.01").is_ok());
    }

    #[test]
    fn the_largest_amount_round_trips() {
        let max = Money::parse_yuan("999999999.99").unwrap();
        assert_eq!(max.fen(), Money::MAX_FEN);
        assert_eq!(max.to_string(), "999999999.99");
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(fen in 0..=Money::MAX_FEN) {
            let money = Money::from_fen(fen).unwrap();
            prop_assert_eq!(Money::parse_yuan(&money.to_string()).unwrap(), money);
        }

        #[test]
        fn any_typed_amount_parses_to_the_exact_fen(yuan in 0i64..=999_999_999, fen in 0i64..100) {
            let typed = format!("{yuan}.{fen:02}");
            prop_assert_eq!(Money::parse_yuan(&typed).unwrap().fen(), yuan * 100 + fen);
            if fen % 10 == 0 {
                let short = format!("{yuan}.{}", fen / 10);
                prop_assert_eq!(Money::parse_yuan(&short).unwrap().fen(), yuan * 100 + fen);
            }
        }

        #[test]
        fn parse_never_panics_and_accepts_only_canonical_digits(s in "\\PC{0,14}") {
            if let Ok(m) = Money::parse_yuan(&s) {
                prop_assert!(s.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
                prop_assert!(m.fen() >= 0);
            }
        }
    }
}
