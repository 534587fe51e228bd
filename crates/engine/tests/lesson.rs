//! The workshop's guided lesson, specified on a real SQLite file: each step
//! is checked off by the write that really did it, in that write's
//! transaction, and the sync step only once the hub holds the offline sale.

mod common;

use chrono::Duration;
use common::{Device, device, lot, sale, yak_meat};
use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, SyncResponse};
use highland_domain::{
    CommitmentBasis, DeviceId, Hlc, ListingId, Operation, OperationId, Order, OrderId, Payload,
    PhotoSubject, Price, Quantity, ShortText, Title, Unit,
};
use highland_engine::NewCertificate;
use highland_engine::lesson::LessonStep;
use highland_engine::photos::sample;

fn done(d: &Device) -> Vec<LessonStep> {
    let lesson = d.store.lesson().unwrap().expect("a lesson is running");
    lesson
        .steps
        .iter()
        .filter(|s| s.done_at.is_some())
        .map(|s| s.step)
        .collect()
}

/// The hub's answer: acknowledges `acked`, hands over `pulled`.
fn answer(d: &mut Device, acked: &[OperationId], pulled: Vec<Operation>) {
    let sent: Vec<OperationId> = d
        .store
        .pending_operations(1_000)
        .unwrap()
        .iter()
        .map(|op| op.id)
        .collect();
    let response = SyncResponse {
        protocol: 1,
        acks: acked
            .iter()
            .map(|&op_id| Ack {
                op_id,
                outcome: AckOutcome::Applied { hlc: None },
            })
            .collect(),
        operations: LoggedOperation::all(&pulled).unwrap(),
        cursor: 1,
        more: false,
        hub_time_ms: d.store.now().timestamp_millis() as u64,
        newest_release: None,
        hub_version: None,
        history: None,
    };
    d.store.commit_sync(&sent, &response, 0).unwrap();
}

fn everything_pending(d: &Device) -> Vec<OperationId> {
    d.store
        .pending_operations(1_000)
        .unwrap()
        .iter()
        .map(|op| op.id)
        .collect()
}

/// An order the workshop's buyer placed, as it arrives from the hub.
fn order_from_the_buyer(d: &Device, listing: ListingId) -> (OrderId, Operation) {
    let order = Order {
        id: OrderId::new(),
        listing_id: listing,
        quantity: Quantity::parse("1", Unit::Kg).unwrap(),
        unit_price: Price::parse_yuan("60").unwrap(),
        hand_over_by: None,
        note: None,
        placed_at: d.store.now(),
    };
    let id = order.id;
    let op = Operation {
        id: OperationId::new(),
        device_id: DeviceId::new(),
        hlc: Hlc::from_wall_ms(d.store.now().timestamp_millis() as u64),
        payload: Payload::OrderPlaced { order },
    };
    (id, op)
}

#[test]
fn without_a_lesson_nothing_is_ticked_and_nothing_is_shown() {
    let mut d = device();
    yak_meat(&mut d.store, "10");
    assert_eq!(d.store.lesson().unwrap(), None);
}

#[test]
fn every_step_is_checked_off_by_what_the_trainee_really_did() {
    let mut d = device();
    let listing_before = yak_meat(&mut d.store, "10");
    d.clock.advance(Duration::minutes(1));
    let lesson = d.store.start_lesson().unwrap();
    assert_eq!(lesson.current, Some(LessonStep::ListProduct));
    assert!(!lesson.finished);
    assert!(
        done(&d).is_empty(),
        "what was done before the lesson does not count"
    );

    // 1. List a product.
    d.clock.advance(Duration::minutes(1));
    let listing = yak_meat(&mut d.store, "10");
    assert_eq!(done(&d), [LessonStep::ListProduct]);
    let lesson = d.store.lesson().unwrap().unwrap();
    assert_eq!(lesson.steps[0].done_at, Some(d.store.now()));
    assert_eq!(lesson.current, Some(LessonStep::TakePhoto));

    // 2. Take a photo.
    let picture = sample::jpeg(&sample::synthetic_photo(640, 480, 7), 85);
    d.store
        .add_photo(PhotoSubject::Listing(listing), &picture, false)
        .unwrap();
    assert_eq!(done(&d), [LessonStep::ListProduct, LessonStep::TakePhoto]);

    // 3. A sale while the hub can be reached is not the offline sale...
    let pending = everything_pending(&d);
    answer(&mut d, &pending, vec![]);
    assert_eq!(d.store.link_reachable().unwrap(), Some(true));
    d.store.record_sale(sale(listing, "1", Unit::Kg)).unwrap();
    assert!(!done(&d).contains(&LessonStep::SaleOffline));
    // ...one after the signal went is.
    d.store.note_link(false).unwrap();
    let offline_sale = d.store.record_sale(sale(listing, "2", Unit::Kg)).unwrap();
    assert!(done(&d).contains(&LessonStep::SaleOffline));
    assert_eq!(d.store.pending_count().unwrap(), 2);

    // 4. A sync that has not yet delivered that sale does not count; the one
    // that does, does, and the hub counts as reachable again.
    let first_pending = everything_pending(&d)[0];
    answer(&mut d, &[first_pending], vec![]);
    assert!(!done(&d).contains(&LessonStep::Sync), "{offline_sale}");
    d.store.note_link(false).unwrap();
    let pending = everything_pending(&d);
    answer(&mut d, &pending, vec![]);
    assert!(done(&d).contains(&LessonStep::Sync));
    assert_eq!(d.store.link_reachable().unwrap(), Some(true));

    // 5. Accept the buyer's order, on a listing made before the lesson too.
    let (order_id, placed) = order_from_the_buyer(&d, listing_before);
    answer(&mut d, &[], vec![placed]);
    assert!(
        !done(&d).contains(&LessonStep::AcceptOrder),
        "an order arriving is not accepting it"
    );
    d.store.accept_order(order_id, false).unwrap();
    assert!(done(&d).contains(&LessonStep::AcceptOrder));

    // 6. Print a QR label: a certificate slip with its lot's trace code.
    let lot_id = lot(&mut d);
    d.store
        .issue_certificate(NewCertificate {
            lot_id,
            quantity: Some(Quantity::parse("2", Unit::Kg).unwrap()),
            product: Some(Title::parse("牦牛肉").unwrap()),
            issuer: Some(ShortText::parse("学员 1").unwrap()),
            contact: None,
            basis: CommitmentBasis::OwnWord,
            issued_on: None,
        })
        .unwrap();
    let lesson = d.store.lesson().unwrap().unwrap();
    assert!(lesson.finished);
    assert_eq!(lesson.current, None);
    assert!(lesson.steps.iter().all(|s| s.done_at.is_some()));
}

#[test]
fn a_refused_write_ticks_nothing() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "1");
    d.store.start_lesson().unwrap();
    d.store.note_link(false).unwrap();
    // More than the stock: refused, so the lesson must not count it either.
    assert!(d.store.record_sale(sale(listing, "5", Unit::Kg)).is_err());
    assert!(done(&d).is_empty());
}

#[test]
fn starting_again_forgets_the_ticks_and_ending_leaves_the_records() {
    let mut d = device();
    d.store.start_lesson().unwrap();
    yak_meat(&mut d.store, "10");
    assert_eq!(done(&d), [LessonStep::ListProduct]);

    let again = d.store.start_lesson().unwrap();
    assert!(again.steps.iter().all(|s| s.done_at.is_none()));

    yak_meat(&mut d.store, "10");
    d.store.end_lesson().unwrap();
    assert_eq!(d.store.lesson().unwrap(), None);
    assert_eq!(d.store.listings().unwrap().len(), 2);
}

#[test]
fn the_link_is_unknown_until_tried_then_follows_each_attempt() {
    let mut d = device();
    assert_eq!(d.store.link_reachable().unwrap(), None);
    d.store.note_link(false).unwrap();
    assert_eq!(d.store.link_reachable().unwrap(), Some(false));
    d.store.note_link(true).unwrap();
    assert_eq!(d.store.link_reachable().unwrap(), Some(true));
}
