//! Voiding a sale: the sale stays, its stock comes back, and it leaves the
//! totals; the void merges like any other operation, in any order.

mod common;

use chrono::{FixedOffset, NaiveDate};
use common::{device, sale, t0, yak_meat};
use highland_domain::{
    DeviceId, Hlc, Operation, OperationId, OrderId, Payload, PaymentMethod, Price, Quantity,
    Reason, Sale, SaleId, Unit,
};
use highland_engine::StoreError;

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

fn voided(d: &common::Device, id: SaleId) -> Option<String> {
    d.store.sale(id).unwrap().unwrap().voided.map(|v| v.reason)
}

#[test]
fn a_voided_sale_gives_its_stock_back_and_leaves_the_totals() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    let kept = d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let mistake = d.store.record_sale(sale(id, "2", Unit::Kg)).unwrap();
    let today = t0().date_naive();
    let utc = FixedOffset::east_opt(0).unwrap();
    assert_eq!(d.store.daily_sales(today, 1, utc).unwrap()[0].count, 2);

    d.store.void_sale(mistake, reason("按错了")).unwrap();

    let listing = d.store.listing(id).unwrap();
    assert_eq!(listing.stock, 9_000, "the voided 2 kg are back");
    assert_eq!((listing.sold, listing.sales_count), (1_000, 1));
    let day = &d.store.daily_sales(today, 1, utc).unwrap()[0];
    assert_eq!((day.count, day.total_fen), (1, 6_850));
    // The sale is still there to read, marked with why.
    assert_eq!(d.store.sales().unwrap().len(), 2);
    assert_eq!(voided(&d, mistake).as_deref(), Some("按错了"));
    assert_eq!(voided(&d, kept), None);
    // A stock freed by a void can be sold again.
    d.store.record_sale(sale(id, "9", Unit::Kg)).unwrap();
}

#[test]
fn a_void_is_one_operation_in_the_outbox() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    let sale_id = d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store.void_sale(sale_id, reason("wrong button")).unwrap();
    let ops = d.store.pending_operations(100).unwrap();
    let last = ops.last().unwrap();
    assert!(matches!(
        &last.payload,
        Payload::SaleVoided { sale_id: s, reason, at }
            if *s == sale_id && reason.as_str() == "wrong button" && *at == t0()
    ));
}

#[test]
fn voids_of_unknown_voided_or_receipt_sales_are_refused_and_record_nothing() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    let sale_id = d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store.void_sale(sale_id, reason("mistake")).unwrap();
    let pending = d.store.pending_count().unwrap();

    assert!(matches!(
        d.store.void_sale(sale_id, reason("again")),
        Err(StoreError::SaleAlreadyVoided(s)) if s == sale_id
    ));
    let unknown = SaleId::new();
    assert!(matches!(
        d.store.void_sale(unknown, reason("?")),
        Err(StoreError::UnknownSale(s)) if s == unknown
    ));

    // An order's receipt, as the hub makes it and the device pulls it.
    let receipt = SaleId::new();
    let op = Operation {
        id: OperationId::new(),
        device_id: DeviceId::new(),
        hlc: Hlc::from_wall_ms(1_764_316_800_000),
        payload: Payload::SaleRecorded {
            sale: Sale {
                id: receipt,
                listing_id: id,
                quantity: Quantity::parse("1", Unit::Kg).unwrap(),
                unit_price: Price::parse_yuan("60").unwrap(),
                payment: PaymentMethod::Bank,
                buyer: None,
                sold_at: t0(),
                order_id: Some(OrderId::new()),
            },
        },
    };
    d.store.apply_remote(&[op]).unwrap();
    let error = d.store.void_sale(receipt, reason("no")).unwrap_err();
    assert_eq!(error.code(), "receipt_not_voidable");
    assert_eq!(d.store.pending_count().unwrap(), pending);
    assert_eq!(voided(&d, receipt), None);
}

#[test]
fn a_void_merges_once_and_in_either_order_with_its_sale() {
    let mut a = device();
    let mut b = device();
    let mut c = device();
    let id = yak_meat(&mut a.store, "10");
    let sale_id = a.store.record_sale(sale(id, "3", Unit::Kg)).unwrap();
    a.store.void_sale(sale_id, reason("undo")).unwrap();
    let ops = a.store.pending_operations(100).unwrap();
    let (void, rest) = ops.split_last().unwrap();

    // b gets everything in order, twice.
    b.store.apply_remote(&ops).unwrap();
    assert_eq!(b.store.apply_remote(&ops).unwrap(), 0);
    // c meets the void before the sale it names: it waits, then holds.
    c.store.apply_remote(&rest[..2]).unwrap(); // the listing and its stock
    c.store.apply_remote(std::slice::from_ref(void)).unwrap();
    assert_eq!(c.store.listing(id).unwrap().stock, 10_000);
    c.store.apply_remote(&rest[2..]).unwrap(); // the sale
    c.store.apply_remote(&ops).unwrap();

    for d in [&a, &b, &c] {
        let listing = d.store.listing(id).unwrap();
        assert_eq!((listing.stock, listing.sales_count), (10_000, 0));
        assert_eq!(voided(d, sale_id).as_deref(), Some("undo"));
    }
}

#[test]
fn two_voids_of_one_sale_keep_the_earlier_reason_everywhere() {
    let mut a = device();
    let mut b = device();
    let id = yak_meat(&mut a.store, "10");
    let sale_id = a.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    b.store
        .apply_remote(&a.store.pending_operations(100).unwrap())
        .unwrap();
    // Both void it offline; b a minute later.
    a.store.void_sale(sale_id, reason("first")).unwrap();
    b.clock.advance(chrono::Duration::minutes(1));
    b.store.void_sale(sale_id, reason("second")).unwrap();
    let from_a = a.store.pending_operations(100).unwrap();
    let from_b = b.store.pending_operations(100).unwrap();
    a.store.apply_remote(&from_b).unwrap();
    b.store.apply_remote(&from_a).unwrap();
    for d in [&a, &b] {
        assert_eq!(voided(d, sale_id).as_deref(), Some("first"));
        assert_eq!(d.store.listing(id).unwrap().stock, 10_000);
    }
}

#[test]
fn the_week_leaves_voided_sales_out() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    let s = d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store.void_sale(s, reason("x")).unwrap();
    let last = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let week = d
        .store
        .daily_sales(last, 7, FixedOffset::east_opt(8 * 3600).unwrap())
        .unwrap();
    assert!(week.iter().all(|day| day.count == 0 && day.total_fen == 0));
}
