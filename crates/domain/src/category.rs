use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// What a listing sells. The slugs are stable: they appear in JSON, on the wire
/// and in translation files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    YakMeat,
    YakButter,
    YakCheese,
    Honey,
    Matsutake,
    OtherMushrooms,
    Cordyceps,
    HighlandBarley,
    Walnuts,
    MedicinalHerbs,
    Handicrafts,
    Other,
}

impl Category {
    pub const ALL: [Category; 12] = [
        Category::YakMeat,
        Category::YakButter,
        Category::YakCheese,
        Category::Honey,
        Category::Matsutake,
        Category::OtherMushrooms,
        Category::Cordyceps,
        Category::HighlandBarley,
        Category::Walnuts,
        Category::MedicinalHerbs,
        Category::Handicrafts,
        Category::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Category::YakMeat => "yak-meat",
            Category::YakButter => "yak-butter",
            Category::YakCheese => "yak-cheese",
            Category::Honey => "honey",
            Category::Matsutake => "matsutake",
            Category::OtherMushrooms => "other-mushrooms",
            Category::Cordyceps => "cordyceps",
            Category::HighlandBarley => "highland-barley",
            Category::Walnuts => "walnuts",
            Category::MedicinalHerbs => "medicinal-herbs",
            Category::Handicrafts => "handicrafts",
            Category::Other => "other",
        }
    }
}

impl Category {
    /// Gathered in the wild rather than farmed: matsutake and other
    /// mushrooms from the forest, caterpillar fungus from the pastures.
    /// The 2026 compliance-certificate rule (承诺达标合格证) covers farmed
    /// produce, so these are outside it; a seller may still issue one, and
    /// a buyer may still ask for it. Which categories count needs the
    /// buyer's confirmation against the rule's text.
    pub fn is_wild_collected(self) -> bool {
        matches!(
            self,
            Category::Matsutake | Category::OtherMushrooms | Category::Cordyceps
        )
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Category {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Category::ALL
            .into_iter()
            .find(|c| c.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownCategory {
                input: s.to_owned(),
                known: Category::ALL.map(Category::slug).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wild_collected_categories_are_the_gathered_ones() {
        let wild: Vec<&str> = Category::ALL
            .into_iter()
            .filter(|c| c.is_wild_collected())
            .map(Category::slug)
            .collect();
        assert_eq!(wild, ["matsutake", "other-mushrooms", "cordyceps"]);
    }

    #[test]
    fn every_category_round_trips_through_its_slug_and_serde() {
        for c in Category::ALL {
            assert_eq!(c.slug().parse::<Category>().unwrap(), c);
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.slug()));
        }
        assert!(matches!(
            "caviar".parse::<Category>(),
            Err(DomainError::UnknownCategory { .. })
        ));
    }
}
