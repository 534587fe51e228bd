//! What the checks compare of the hub's views and a device's: the fields
//! both show with one meaning, taken from each side's own view types.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use highland_engine::{Store, views as device};
use highland_exchange::rounds::view::{LoadLine, RoundDetail, StopLoad};
use highland_hub as hub;

use crate::error::{Result, SimError};
use crate::workload::parse_id;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    title: String,
    category: String,
    unit: String,
    price_fen: i64,
    status: String,
    description: Option<String>,
    lot_id: Option<String>,
    stock: i64,
    sold: i64,
    sales_count: i64,
    reserved: i64,
}

/// Takes the named fields from either side's view: their names and
/// meanings are the same on both.
macro_rules! shared {
    ($name:ident from $view:ident; clone $($c:ident),*; copy $($v:ident),*
     $(; $f:ident = $e:expr)*) => {
        $name {
            $($c: $view.$c.clone(),)*
            $($v: $view.$v,)*
            $($f: $e,)*
        }
    };
}

impl Listing {
    pub fn from_hub(l: &hub::ListingView) -> Listing {
        shared!(Listing from l; clone title, category, unit, status, description, lot_id;
                copy price_fen, stock, sold, sales_count, reserved)
    }

    pub fn from_device(l: &device::ListingView) -> Listing {
        shared!(Listing from l; clone title, category, unit, status, description, lot_id;
                copy price_fen, stock, sold, sales_count, reserved)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    listing_id: String,
    quantity: i64,
    unit_price_fen: i64,
    payment: String,
    /// Why it was voided, if it was.
    voided: Option<String>,
}

impl Sale {
    pub fn from_hub(s: &hub::SaleView) -> Sale {
        shared!(Sale from s; clone listing_id, payment; copy quantity, unit_price_fen;
                voided = s.voided.as_ref().map(|v| v.reason.clone()))
    }

    pub fn from_device(s: &device::SaleView) -> Sale {
        shared!(Sale from s; clone listing_id, payment; copy quantity, unit_price_fen;
                voided = s.voided.as_ref().map(|v| v.reason.clone()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    listing_id: String,
    quantity: i64,
    unit_price_fen: i64,
    state: String,
    reason: Option<String>,
    received_quantity: Option<i64>,
    paid_fen: Option<i64>,
    sale_id: Option<String>,
    /// The round and stop the order rides, and what was loaded there.
    round_id: Option<String>,
    stop_id: Option<String>,
    loaded_quantity: Option<i64>,
    loaded_weight_g: Option<i64>,
}

impl Order {
    pub fn from_hub(o: &hub::OrderView) -> Order {
        shared!(Order from o; clone listing_id, state, reason, sale_id, round_id, stop_id;
                copy quantity, unit_price_fen, received_quantity, paid_fen, loaded_quantity,
                     loaded_weight_g)
    }

    pub fn from_device(o: &device::OrderView) -> Order {
        shared!(Order from o; clone listing_id, state, reason, sale_id, round_id, stop_id;
                copy quantity, unit_price_fen, received_quantity, paid_fen, loaded_quantity,
                     loaded_weight_g)
    }
}

/// A collection round as one seller sees it: the hub shows it to staff
/// with every seller's orders, a device once per stop of its seller's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    date: String,
    vehicle: String,
    state: String,
    /// Every stop, in the truck's order: (id, place, expected at).
    stops: Vec<(String, String, String)>,
    answer: Option<String>,
    answer_reason: Option<String>,
    /// The seller's orders on it, each with its stop.
    orders: BTreeMap<String, String>,
}

impl Round {
    /// The round as seller `seller` sees it, or `None` when none of their
    /// orders rides it.
    pub fn from_hub(r: &RoundDetail, seller: &str) -> Option<Round> {
        let lines: Vec<(&StopLoad, &LoadLine)> = r
            .stops
            .iter()
            .flat_map(|stop| stop.lines.iter().map(move |line| (stop, line)))
            .filter(|(_, line)| line.seller_id == seller)
            .collect();
        // The hub keeps one answer per seller and round, on each line.
        let (_, first) = lines.first()?;
        Some(Round {
            date: r.date.clone(),
            vehicle: r.vehicle.clone(),
            state: r.state.clone(),
            stops: r
                .stops
                .iter()
                .map(|s| (s.id.clone(), s.place.clone(), s.expected_at.clone()))
                .collect(),
            answer: first.answer.clone(),
            answer_reason: first.answer_reason.clone(),
            orders: lines
                .iter()
                .map(|(stop, line)| (line.order_id.clone(), stop.id.clone()))
                .collect(),
        })
    }

    /// The rounds a device shows, by id: the views of one round's stops
    /// taken together.
    pub fn from_device(views: &[device::RoundView]) -> BTreeMap<String, Round> {
        let mut rounds: BTreeMap<String, Round> = BTreeMap::new();
        for v in views {
            let round = rounds.entry(v.id.clone()).or_insert_with(|| Round {
                date: v.date.clone(),
                vehicle: v.vehicle.clone(),
                state: v.state.clone(),
                stops: v
                    .stops
                    .iter()
                    .map(|s| (s.id.clone(), s.place.clone(), s.expected_at.clone()))
                    .collect(),
                answer: v.answer.clone(),
                answer_reason: v.answer_reason.clone(),
                orders: BTreeMap::new(),
            });
            round.orders.extend(
                v.orders
                    .iter()
                    .map(|o| (o.order_id.clone(), o.stop_id.clone())),
            );
        }
        rounds
    }
}

/// A village lot with the certificates issued for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lot {
    village: String,
    altitude_m: Option<i32>,
    harvested_on: Option<String>,
    certificates: BTreeSet<String>,
}

impl Lot {
    pub fn from_hub(lot: &highland_domain::Lot, certificates: BTreeSet<String>) -> Lot {
        Lot {
            village: lot.village.as_str().to_owned(),
            altitude_m: lot.altitude.map(|a| a.metres()),
            harvested_on: lot.harvested_on.map(|d| d.to_string()),
            certificates,
        }
    }

    pub fn from_device(lot: &device::LotView, store: &Store) -> Result<Lot> {
        let certificates = store
            .certificates(Some(parse_id(&lot.id)?))?
            .into_iter()
            .map(|c| c.id)
            .collect();
        Ok(Lot {
            village: lot.village.clone(),
            altitude_m: lot.altitude_m,
            harvested_on: lot.harvested_on.clone(),
            certificates,
        })
    }
}

/// Fails unless a device's records of one kind are the hub's, saying which
/// differ.
pub fn ensure_same<T: Debug + PartialEq>(
    what: &str,
    who: &str,
    theirs: &BTreeMap<String, T>,
    hubs: &BTreeMap<String, T>,
) -> Result<()> {
    let only_there: Vec<&String> = theirs.keys().filter(|k| !hubs.contains_key(*k)).collect();
    let only_hub: Vec<&String> = hubs.keys().filter(|k| !theirs.contains_key(*k)).collect();
    if !only_there.is_empty() || !only_hub.is_empty() {
        return Err(SimError::Violation(format!(
            "{who} and the hub hold different {what}: only on {who} {only_there:?}, \
             only on the hub {only_hub:?}"
        )));
    }
    for (id, mine) in theirs {
        if let Some(hub) = hubs.get(id)
            && hub != mine
        {
            return Err(SimError::Violation(format!(
                "{who} and the hub differ on {what} {id}: {who} {mine:?}, the hub {hub:?}"
            )));
        }
    }
    Ok(())
}
