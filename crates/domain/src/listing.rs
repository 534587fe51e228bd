use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Category, Description, DomainError, ListingId, LotId, Price, Title, Unit, Weight};

/// Where a listing is in its life. Stock does not decide it: a seller may keep
/// an empty listing "listed" while the next lot comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListingStatus {
    Draft,
    Listed,
    SoldOut,
    Archived,
}

impl ListingStatus {
    pub const ALL: [ListingStatus; 4] = [
        ListingStatus::Draft,
        ListingStatus::Listed,
        ListingStatus::SoldOut,
        ListingStatus::Archived,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::Listed => "listed",
            ListingStatus::SoldOut => "sold-out",
            ListingStatus::Archived => "archived",
        }
    }
}

impl fmt::Display for ListingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for ListingStatus {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        ListingStatus::ALL
            .into_iter()
            .find(|c| c.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "status",
                input: s.to_owned(),
                known: ListingStatus::ALL.map(ListingStatus::slug).join(", "),
            })
    }
}

/// Something a seller offers: what it is, what it costs per unit, and where it
/// is in its life. Its stock is not a field: it is derived from what was
/// received, sold and adjusted, so no two devices can overwrite each other's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub id: ListingId,
    pub title: Title,
    pub category: Category,
    /// The unit the price is per and quantities are typed in. Fixed at
    /// creation, because stock already recorded is counted in it.
    pub unit: Unit,
    pub price: Price,
    pub status: ListingStatus,
    pub description: Option<Description>,
    pub lot_id: Option<LotId>,
}

impl Listing {
    /// The listing's fields as separate values, each of which merges on its own.
    pub fn fields(&self) -> Vec<ListingField> {
        vec![
            ListingField::Title(self.title.clone()),
            ListingField::Category(self.category),
            ListingField::Price(self.price),
            ListingField::Status(self.status),
            ListingField::Description(self.description.clone()),
            ListingField::Lot(self.lot_id),
        ]
    }

    pub fn apply(&mut self, field: ListingField) {
        match field {
            ListingField::Title(v) => self.title = v,
            ListingField::Category(v) => self.category = v,
            ListingField::Price(v) => self.price = v,
            ListingField::Status(v) => self.status = v,
            ListingField::Description(v) => self.description = v,
            ListingField::Lot(v) => self.lot_id = v,
            // Not part of a listing as created: it arrives on its own
            // (`listing_weighed`) and is kept beside the listing.
            ListingField::WeightPerUnit(_) => {}
        }
    }
}

/// One editable field of a listing with its new value. Edits travel as a list
/// of these so that two devices editing different fields both win.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "field", content = "value", rename_all = "snake_case")]
pub enum ListingField {
    Title(Title),
    Category(Category),
    Price(Price),
    Status(ListingStatus),
    Description(Option<Description>),
    Lot(Option<LotId>),
    /// What one unit weighs (a jar of honey, a bag of barley), so that a
    /// truck's load adds up in kilograms. Only for listings not sold by
    /// weight. Written by its own operation (`listing_weighed`), never by an
    /// edit: an older hub reads every edit, and would refuse one carrying a
    /// field it does not know.
    WeightPerUnit(Option<Weight>),
}

impl ListingField {
    /// The field's stable name, the key its merge version is kept under.
    pub fn name(&self) -> &'static str {
        match self {
            ListingField::Title(_) => "title",
            ListingField::Category(_) => "category",
            ListingField::Price(_) => "price",
            ListingField::Status(_) => "status",
            ListingField::Description(_) => "description",
            ListingField::Lot(_) => "lot",
            ListingField::WeightPerUnit(_) => "weight_per_unit",
        }
    }
}

/// The fields one edit changes, each at most once. An edit that named a
/// field twice would be written by one rule and authorized by another (the
/// hub checks a `lot` it is given before writing it), so it cannot be
/// made, here or on the wire.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ListingField>", into = "Vec<ListingField>")]
pub struct FieldChanges(Vec<ListingField>);

impl FieldChanges {
    pub fn new(fields: Vec<ListingField>) -> Result<FieldChanges, DomainError> {
        for (i, field) in fields.iter().enumerate() {
            if fields[..i].iter().any(|f| f.name() == field.name()) {
                return Err(DomainError::FieldRepeated {
                    field: field.name(),
                });
            }
            if let ListingField::WeightPerUnit(_) = field {
                return Err(DomainError::NotEditable {
                    field: field.name(),
                });
            }
        }
        Ok(FieldChanges(fields))
    }

    /// The new lot, when the edit changes it (`Some(None)` unlinks it).
    pub fn lot(&self) -> Option<Option<LotId>> {
        self.0.iter().find_map(|f| match f {
            ListingField::Lot(lot) => Some(*lot),
            _ => None,
        })
    }
}

impl std::ops::Deref for FieldChanges {
    type Target = [ListingField];

    fn deref(&self) -> &[ListingField] {
        &self.0
    }
}

impl TryFrom<Vec<ListingField>> for FieldChanges {
    type Error = DomainError;

    fn try_from(fields: Vec<ListingField>) -> Result<Self, DomainError> {
        FieldChanges::new(fields)
    }
}

impl From<FieldChanges> for Vec<ListingField> {
    fn from(changes: FieldChanges) -> Vec<ListingField> {
        changes.0
    }
}

impl<'a> IntoIterator for &'a FieldChanges {
    type Item = &'a ListingField;
    type IntoIter = std::slice::Iter<'a, ListingField>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for FieldChanges {
    type Item = ListingField;
    type IntoIter = std::vec::IntoIter<ListingField>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_from_their_slugs() {
        for s in ListingStatus::ALL {
            assert_eq!(s.slug().parse::<ListingStatus>().unwrap(), s);
        }
        assert!("sold".parse::<ListingStatus>().is_err());
    }

    #[test]
    fn the_weight_per_unit_is_never_changed_by_an_edit() {
        let weight = ListingField::WeightPerUnit(Some(Weight::from_grams(500).unwrap()));
        assert_eq!(
            serde_json::to_value(&weight).unwrap(),
            serde_json::json!({"field": "weight_per_unit", "value": 500})
        );
        assert_eq!(
            FieldChanges::new(vec![weight]),
            Err(DomainError::NotEditable {
                field: "weight_per_unit"
            })
        );
        let edit = serde_json::json!([{"field": "weight_per_unit", "value": 500}]);
        assert!(serde_json::from_value::<FieldChanges>(edit).is_err());
    }

    #[test]
    fn a_field_edit_serialises_with_its_name() {
        let json =
            serde_json::to_value(ListingField::Price(Price::from_fen(6850).unwrap())).unwrap();
        assert_eq!(json, serde_json::json!({"field": "price", "value": 6850}));
        let back: ListingField = serde_json::from_value(json).unwrap();
        assert_eq!(back.name(), "price");
        assert!(
            serde_json::from_value::<ListingField>(
                serde_json::json!({"field": "price", "value": 0})
            )
            .is_err()
        );
    }
}
