use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Description, DomainError, LotId, ShortText};

/// Metres above sea level, from the Dead Sea shore to the top of Everest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct Altitude(i32);

impl Altitude {
    pub const MIN: i32 = -430;
    pub const MAX: i32 = 8849;

    pub fn from_metres(m: i32) -> Result<Altitude, DomainError> {
        if !(Self::MIN..=Self::MAX).contains(&m) {
            return Err(DomainError::InvalidAltitude {
                input: m.to_string(),
                min: Self::MIN,
                max: Self::MAX,
            });
        }
        Ok(Altitude(m))
    }

    pub fn metres(self) -> i32 {
        self.0
    }
}

impl FromStr for Altitude {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim().trim_end_matches('m').trim_end();
        trimmed
            .parse::<i32>()
            .map_err(|_| DomainError::InvalidAltitude {
                input: s.to_owned(),
                min: Self::MIN,
                max: Self::MAX,
            })
            .and_then(Altitude::from_metres)
    }
}

impl TryFrom<i32> for Altitude {
    type Error = DomainError;

    fn try_from(m: i32) -> Result<Self, Self::Error> {
        Altitude::from_metres(m)
    }
}

impl From<Altitude> for i32 {
    fn from(a: Altitude) -> i32 {
        a.0
    }
}

impl fmt::Display for Altitude {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} m", self.0)
    }
}

/// A batch of produce and where it came from: the start of every trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lot {
    pub id: LotId,
    pub village: ShortText,
    pub altitude: Option<Altitude>,
    /// The day of harvest, or of slaughter for meat.
    pub harvested_on: Option<NaiveDate>,
    /// The growing environment in the seller's words: pasture, forest, slope.
    pub environment: Option<Description>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altitude_is_bounded_by_the_earth() {
        assert_eq!("3400".parse::<Altitude>().unwrap().metres(), 3400);
        assert_eq!("3400 m".parse::<Altitude>().unwrap().metres(), 3400);
        assert!("9000".parse::<Altitude>().is_err());
        assert!("high".parse::<Altitude>().is_err());
        assert!(serde_json::from_str::<Altitude>("100000").is_err());
    }
}
