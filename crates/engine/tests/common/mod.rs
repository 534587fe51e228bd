//! Shared set-up for the store's tests: a real SQLite file in a fresh
//! temporary directory, and listings to sell from.
#![allow(dead_code)]

pub mod http;
pub mod hub;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use highland_domain::{
    Category, ListingId, ListingStatus, LotId, PaymentMethod, Price, Quantity, ShortText, Title,
    Unit,
};
use highland_engine::{ManualClock, NewListing, NewLot, NewSale, Store};
use tempfile::TempDir;

pub struct Device {
    pub dir: TempDir,
    pub store: Store,
    pub clock: Arc<ManualClock>,
}

pub fn t0() -> DateTime<Utc> {
    "2026-11-28T08:00:00Z".parse().unwrap()
}

pub fn device() -> Device {
    let dir = TempDir::new().unwrap();
    let clock = Arc::new(ManualClock::at(t0()));
    let store = Store::open_with_clock(&dir.path().join("highland.db"), clock.clone()).unwrap();
    Device { dir, store, clock }
}

pub fn new_listing(title: &str, unit: Unit, price: &str, stock: &str) -> NewListing {
    NewListing {
        title: Title::parse(title).unwrap(),
        category: Category::YakMeat,
        unit,
        price: Price::parse_yuan(price).unwrap(),
        status: ListingStatus::Listed,
        description: None,
        lot_id: None,
        stock: Some(Quantity::parse(stock, unit).unwrap()),
    }
}

pub fn yak_meat(store: &mut Store, stock: &str) -> ListingId {
    store
        .add_listing(new_listing("གཡག་ཤ 牦牛肉", Unit::Kg, "68.50", stock))
        .unwrap()
}

pub fn sale(listing: ListingId, quantity: &str, unit: Unit) -> NewSale {
    NewSale {
        listing_id: listing,
        quantity: Quantity::parse(quantity, unit).unwrap(),
        unit_price: None,
        payment: PaymentMethod::Cash,
        buyer: None,
        allow_oversell: false,
    }
}

/// A lot from Yubeng with nothing else known.
pub fn lot(d: &mut Device) -> LotId {
    d.store
        .add_lot(NewLot {
            village: ShortText::parse("雨崩 Yubeng").unwrap(),
            altitude: None,
            harvested_on: None,
            environment: None,
        })
        .unwrap()
}

/// An enrollment with the hub at `hub`, as `highland enroll` saves it.
pub fn enrollment(hub: &str) -> highland_engine::sync::Enrollment {
    highland_engine::sync::Enrollment {
        hub_url: hub.into(),
        seller_id: "seller".into(),
        seller_name: "卓玛".into(),
        village: "雨崩".into(),
        device_token: "token".into(),
    }
}

/// The hub's acknowledgement that it applied `op`.
pub fn applied(op: &highland_domain::Operation) -> highland_domain::wire::Ack {
    highland_domain::wire::Ack {
        op_id: op.id,
        outcome: highland_domain::wire::AckOutcome::Applied { hlc: None },
    }
}

/// Whether the store has nothing to send: no operation of its own pending,
/// nothing to give back.
pub fn nothing_to_send(store: &Store) -> bool {
    store.next_push(1 << 20, 100).unwrap().operations.is_empty()
}
