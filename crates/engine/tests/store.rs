//! The device store, specified on a real SQLite file.

mod common;

use common::{device, new_listing, sale, yak_meat};
use highland_domain::{
    AdjustmentKind, DomainError, ListingField, ListingId, ListingStatus, Operation, Payload, Price,
    QuantityDelta, Reason, Title, Unit,
};
use highland_engine::{StoreError, views::ListingView};

fn only_listing(d: &common::Device) -> ListingView {
    let listings = d.store.listings().unwrap();
    assert_eq!(listings.len(), 1);
    listings.into_iter().next().unwrap()
}

#[test]
fn a_new_listing_starts_with_its_stock_received() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "12.5");
    let listing = d.store.listing(id).unwrap();
    assert_eq!(listing.title, "གཡག་ཤ 牦牛肉");
    assert_eq!(listing.price_fen, 6850);
    assert_eq!((listing.stock, listing.stock_unit.as_str()), (12_500, "g"));
    assert_eq!(listing.stock_display, "12.5");

    let detail = d.store.listing_detail(id).unwrap();
    assert_eq!(detail.adjustments.len(), 1);
    assert_eq!(detail.adjustments[0].kind, "received");
}

#[test]
fn stock_is_received_plus_adjustments_minus_sales() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    d.store.record_sale(sale(id, "2.5", Unit::Kg)).unwrap();
    d.store.record_sale(sale(id, "3 jin", Unit::Kg)).unwrap();
    d.store
        .adjust_stock(
            id,
            QuantityDelta::parse("-0.25", Unit::Kg).unwrap(),
            AdjustmentKind::Correction,
            Some(Reason::parse("spoiled").unwrap()),
        )
        .unwrap();
    let listing = d.store.listing(id).unwrap();
    assert_eq!(listing.stock, 10_000 - 2_500 - 1_500 - 250);
    assert_eq!(listing.sold, 4_000);
    assert_eq!(listing.sales_count, 2);
}

#[test]
fn a_sale_records_its_price_and_total_in_fen() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    let mut s = sale(id, "0.333", Unit::Kg);
    s.unit_price = Some(Price::parse_yuan("70").unwrap());
    d.store.record_sale(s).unwrap();
    let sales = d.store.sales().unwrap();
    assert_eq!(sales[0].unit_price_fen, 7000);
    assert_eq!(sales[0].total_fen, 2331); // 0.333 kg at 70 yuan = 23.31
    assert_eq!(sales[0].quantity, 333);
    assert_eq!(sales[0].sold_at, "2026-11-28T08:00:00.000Z");
}

#[test]
fn overselling_is_refused_and_changes_nothing() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "2");
    let pending = d.store.pending_count().unwrap();
    let err = d
        .store
        .record_sale(sale(id, "2.001", Unit::Kg))
        .unwrap_err();
    assert!(matches!(err, StoreError::Oversell { .. }), "{err}");
    assert_eq!(d.store.sales().unwrap().len(), 0);
    assert_eq!(d.store.pending_count().unwrap(), pending);
}

#[test]
fn overselling_when_allowed_shows_the_oversold_amount() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "2");
    let mut s = sale(id, "3", Unit::Kg);
    s.allow_oversell = true;
    d.store.record_sale(s).unwrap();
    assert_eq!(d.store.listing(id).unwrap().stock, -1000);
    assert_eq!(d.store.listing(id).unwrap().stock_display, "-1");
}

#[test]
fn a_sale_in_the_wrong_kind_of_unit_is_refused() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "2");
    let err = d.store.record_sale(sale(id, "1", Unit::Jar)).unwrap_err();
    assert!(matches!(
        err,
        StoreError::Invalid(DomainError::UnitMismatch { .. })
    ));
}

#[test]
fn unknown_listings_and_lots_are_refused() {
    let mut d = device();
    let ghost = ListingId::new();
    assert!(matches!(
        d.store.record_sale(sale(ghost, "1", Unit::Kg)),
        Err(StoreError::UnknownListing(id)) if id == ghost
    ));
    assert!(matches!(
        d.store
            .edit_listing(ghost, vec![ListingField::Status(ListingStatus::Archived)]),
        Err(StoreError::UnknownListing(_))
    ));
    let mut with_lot = new_listing("honey", Unit::Jar, "45", "3");
    with_lot.lot_id = Some(highland_domain::LotId::new());
    assert!(matches!(
        d.store.add_listing(with_lot),
        Err(StoreError::UnknownLot(_))
    ));
    assert_eq!(d.store.pending_count().unwrap(), 0);
    assert!(d.store.listings().unwrap().is_empty());
}

#[test]
fn every_write_appends_its_operations_to_the_outbox_in_order() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "5");
    d.store
        .edit_listing(
            id,
            vec![ListingField::Price(Price::parse_yuan("70").unwrap())],
        )
        .unwrap();
    let sale_id = d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();

    let ops: Vec<Operation> = d.store.pending_operations(100).unwrap();
    let kinds: Vec<&str> = ops
        .iter()
        .map(|op| match &op.payload {
            Payload::ListingCreated { .. } => "listing_created",
            Payload::StockAdjusted { .. } => "stock_adjusted",
            Payload::ListingEdited { .. } => "listing_edited",
            Payload::SaleRecorded { .. } => "sale_recorded",
            Payload::SaleVoided { .. } => "sale_voided",
            Payload::LotRecorded { .. } => "lot_recorded",
            Payload::CertificateIssued { .. } => "certificate_issued",
            Payload::OrderPlaced { .. } => "order_placed",
            Payload::OrderActionTaken { .. } => "order_action_taken",
            Payload::PhotoAdded { .. } => "photo_added",
            Payload::PhotoRemoved { .. } => "photo_removed",
            Payload::RoundPublished { .. } => "round_published",
            Payload::OrderRouted { .. } => "order_routed",
            Payload::RoundAnswered { .. } => "round_answered",
            Payload::OrderLoaded { .. } => "order_loaded",
            Payload::ListingWeighed { .. } => "listing_weighed",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "listing_created",
            "stock_adjusted",
            "listing_edited",
            "sale_recorded"
        ]
    );
    assert!(ops.windows(2).all(|w| w[0].hlc < w[1].hlc));
    assert!(ops.iter().all(|op| op.device_id == d.store.device_id()));
    match &ops[3].payload {
        Payload::SaleRecorded { sale } => {
            assert_eq!(sale.id, sale_id);
            assert_eq!(
                sale.unit_price.fen(),
                7000,
                "a sale takes the current price"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(d.store.status().unwrap().pending_ops, 4);
}

#[test]
fn the_clock_never_goes_back_even_when_the_wall_clock_does() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "5");
    d.clock.advance(chrono::Duration::days(-3));
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let ops = d.store.pending_operations(10).unwrap();
    assert!(ops[2].hlc > ops[1].hlc);
}

#[test]
fn the_clock_survives_reopening() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "5");
    let last = d.store.pending_operations(10).unwrap()[1].hlc;
    let path = d.store.path().to_owned();
    drop(d.store);
    let clock = std::sync::Arc::new(highland_engine::ManualClock::at(
        common::t0() - chrono::Duration::days(1),
    ));
    let mut reopened = highland_engine::Store::open_with_clock(&path, clock).unwrap();
    reopened.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    assert!(reopened.pending_operations(10).unwrap()[2].hlc > last);
}

#[test]
fn edits_change_only_the_fields_named() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "5");
    d.store
        .edit_listing(
            id,
            vec![
                ListingField::Title(Title::parse("Dried yak meat").unwrap()),
                ListingField::Status(ListingStatus::SoldOut),
            ],
        )
        .unwrap();
    let l = only_listing(&d);
    assert_eq!(l.title, "Dried yak meat");
    assert_eq!(l.status, "sold-out");
    assert_eq!(l.price_fen, 6850);
}

#[test]
fn operations_from_another_device_apply_once_and_merge_per_field() {
    let mut a = device();
    let mut b = device();
    let id = yak_meat(&mut a.store, "10");
    b.store
        .apply_remote(&a.store.pending_operations(100).unwrap())
        .unwrap();

    // Both devices edit offline: a changes the price, later b changes the title
    // and sells; both also try the status, and b's later write must win.
    a.store
        .edit_listing(
            id,
            vec![
                ListingField::Price(Price::parse_yuan("72").unwrap()),
                ListingField::Status(ListingStatus::Draft),
            ],
        )
        .unwrap();
    b.clock.advance(chrono::Duration::seconds(5));
    b.store
        .edit_listing(
            id,
            vec![
                ListingField::Title(Title::parse("牦牛肉干").unwrap()),
                ListingField::Status(ListingStatus::Archived),
            ],
        )
        .unwrap();
    b.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    a.store.record_sale(sale(id, "2", Unit::Kg)).unwrap();

    let from_a = a.store.pending_operations(100).unwrap();
    let from_b = b.store.pending_operations(100).unwrap();
    // Deliver everything twice, in both orders: the result must not change.
    for _ in 0..2 {
        a.store.apply_remote(&from_b).unwrap();
        b.store.apply_remote(&from_a).unwrap();
    }
    let (la, lb) = (only_listing(&a), only_listing(&b));
    assert_eq!(la, lb);
    assert_eq!(la.title, "牦牛肉干");
    assert_eq!(la.price_fen, 7200);
    assert_eq!(la.status, "archived");
    assert_eq!(la.stock, 10_000 - 3_000);
    assert_eq!(a.store.sales().unwrap().len(), 2);
}

#[test]
fn applying_remote_operations_twice_counts_them_once() {
    let mut a = device();
    let mut b = device();
    let id = yak_meat(&mut a.store, "10");
    a.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let ops = a.store.pending_operations(100).unwrap();
    assert_eq!(b.store.apply_remote(&ops).unwrap(), 3);
    assert_eq!(b.store.apply_remote(&ops).unwrap(), 0);
    assert_eq!(b.store.sales().unwrap().len(), 1);
    assert_eq!(b.store.listing(id).unwrap().stock, 9_000);
    assert_eq!(
        b.store.pending_count().unwrap(),
        0,
        "remote operations are not re-sent"
    );
}

#[test]
fn a_listing_is_marked_low_at_the_sellers_threshold_in_its_own_units() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "5");
    assert!(
        !d.store.listing(id).unwrap().low_stock,
        "5 kg is above 3 kg"
    );
    d.store.record_sale(sale(id, "2", Unit::Kg)).unwrap();
    assert!(
        d.store.listing(id).unwrap().low_stock,
        "3 kg is at the mark"
    );

    let mut settings = d.store.settings().unwrap();
    assert_eq!(settings.low_stock_at, 3, "the default");
    settings.low_stock_at = 2;
    d.store.save_settings(&settings).unwrap();
    assert!(!d.store.listing(id).unwrap().low_stock);
    assert_eq!(d.store.settings().unwrap().low_stock_at, 2);
    settings.low_stock_at = 0;
    d.store.save_settings(&settings).unwrap();
    d.store.record_sale(sale(id, "3", Unit::Kg)).unwrap();
    assert!(!d.store.listings().unwrap()[0].low_stock, "0 marks none");
}

#[test]
fn a_trainers_reset_keeps_nothing_and_starts_a_new_device() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "5");
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store
        .save_enrollment(&common::enrollment("http://192.168.1.10:7878"))
        .unwrap();
    let photo_dir = d.dir.path().join("photos");
    std::fs::create_dir_all(&photo_dir).unwrap();
    std::fs::write(photo_dir.join("left-behind.jpg"), b"x").unwrap();
    let before = d.store.device_id();

    d.store.reset_for_next_class().unwrap();

    assert_ne!(d.store.device_id(), before, "a new device for the hub");
    assert!(d.store.listings().unwrap().is_empty());
    assert!(d.store.sales().unwrap().is_empty());
    assert_eq!(d.store.pending_count().unwrap(), 0);
    assert!(d.store.enrollment().unwrap().is_none(), "un-enrolled");
    assert_eq!(
        d.store.settings().unwrap(),
        highland_engine::Settings::default()
    );
    assert_eq!(std::fs::read_dir(&photo_dir).unwrap().count(), 0);
    // The same store goes on working, under its new id, and so does a reopening.
    yak_meat(&mut d.store, "2");
    let again = highland_engine::Store::open(&d.dir.path().join("highland.db")).unwrap();
    assert_eq!(again.device_id(), d.store.device_id());
    assert_eq!(again.listings().unwrap().len(), 1);
}
