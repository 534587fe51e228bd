//! The store's side of sync, specified with hand-made hub responses: what a
//! committed response changes, and that a bad one changes nothing.

mod common;

use common::{applied, device, enrollment, nothing_to_send, sale, yak_meat};
use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, Refusal, SyncResponse};
use highland_domain::{Hlc, ListingField, Operation, OperationId, Payload, Price, Title, Unit};

fn response(
    acks: Vec<Ack>,
    operations: Vec<Operation>,
    cursor: u64,
    hub_time_ms: u64,
) -> SyncResponse {
    SyncResponse {
        protocol: 1,
        acks,
        operations: LoggedOperation::all(&operations).unwrap(),
        cursor,
        more: false,
        hub_time_ms,
        history: None,
        newest_release: None,
        hub_version: None,
    }
}

fn hub_now(d: &common::Device) -> u64 {
    d.store.now().timestamp_millis() as u64
}

#[test]
fn acknowledged_operations_leave_the_queue_and_the_cursor_moves() {
    let mut d = device();
    d.store.save_enrollment(&enrollment("http://hub")).unwrap();
    let id = yak_meat(&mut d.store, "10");
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let ops_push = d.store.next_push(1 << 20, 100).unwrap();
    let (ops, cursor) = (ops_push.read().unwrap(), ops_push.cursor);
    assert_eq!((ops.len(), cursor), (3, 0));

    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let acks = ops[..2].iter().map(applied).collect();
    let now = hub_now(&d);
    let done = d
        .store
        .commit_sync(&sent, &response(acks, vec![], 42, now), 0)
        .unwrap();
    assert_eq!(done.acked, 2);

    let status = d.store.sync_status().unwrap();
    assert_eq!(status.cursor, 42);
    assert_eq!(status.pending_ops, 1, "the unacknowledged sale waits");
    assert!(status.last_sync_at.is_some());
    let next = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    assert_eq!(next.len(), 1);
    assert!(matches!(next[0].payload, Payload::SaleRecorded { .. }));
}

#[test]
fn a_refused_operation_stays_visible_and_is_not_sent_again() {
    let mut d = device();
    let id = yak_meat(&mut d.store, "10");
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let acks = vec![
        applied(&ops[0]),
        Ack {
            op_id: ops[1].id,
            outcome: AckOutcome::Refused {
                reason: Refusal {
                    code: "not_your_listing".into(),
                    message: "This listing belongs to another seller.".into(),
                },
            },
        },
    ];
    let now = hub_now(&d);
    d.store
        .commit_sync(&sent, &response(acks, vec![], 1, now), 0)
        .unwrap();
    let status = d.store.sync_status().unwrap();
    assert_eq!(status.pending_ops, 0);
    assert_eq!(status.refused.len(), 1);
    assert_eq!(status.refused[0].code, "not_your_listing");
    assert_eq!(status.refused[0].entity, "adjustment");
    assert!(nothing_to_send(&d.store));
    // The seller's own record is untouched: refusal is about the hub, not the facts.
    assert_eq!(d.store.listing(id).unwrap().stock, 10_000);
}

#[test]
fn a_response_that_does_not_fit_what_was_sent_changes_nothing() {
    let mut d = device();
    yak_meat(&mut d.store, "10");
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let stranger = Ack {
        op_id: OperationId::new(),
        outcome: AckOutcome::Applied { hlc: None },
    };
    let now = hub_now(&d);
    let result = d.store.commit_sync(
        &[ops[0].id],
        &response(vec![applied(&ops[0]), stranger], vec![], 9, now),
        0,
    );
    assert!(result.is_err());
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.cursor, status.pending_ops), (0, 2));
}

#[test]
fn pulled_operations_apply_with_the_cursor_or_not_at_all() {
    let mut a = device();
    let mut b = device();
    let id = yak_meat(&mut a.store, "10");
    a.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let from_a = a.store.pending_operations(100).unwrap();

    // Only the sale, without its listing: applying it fails, so nothing lands.
    let now = hub_now(&b);
    let orphan = response(vec![], vec![from_a[2].clone()], 7, now);
    assert!(b.store.commit_sync(&[], &orphan, 0).is_err());
    assert_eq!(b.store.sync_status().unwrap().cursor, 0);
    assert!(b.store.sales().unwrap().is_empty());

    let whole = response(vec![], from_a.clone(), 7, now);
    let done = b.store.commit_sync(&[], &whole, 0).unwrap();
    assert_eq!(done.pulled, 3);
    assert_eq!(b.store.sync_status().unwrap().cursor, 7);
    assert_eq!(b.store.listing(id).unwrap().stock, 9_000);
    // The same page again (its response was lost before) changes nothing.
    let again = b.store.commit_sync(&[], &whole, 0).unwrap();
    assert_eq!(again.pulled, 0);
    assert_eq!(b.store.sales().unwrap().len(), 1);
}

#[test]
fn a_push_is_cut_to_size_but_always_carries_one_operation() {
    let mut d = device();
    for _ in 0..5 {
        yak_meat(&mut d.store, "10");
    }
    let all = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    assert_eq!(all.len(), 10);
    let one = d.store.next_push(1, 100).unwrap().read().unwrap();
    assert_eq!(one.len(), 1);
    let few = d.store.next_push(1 << 20, 3).unwrap().read().unwrap();
    assert_eq!(few.len(), 3);
    let one_size = serde_json::to_string(&all[0]).unwrap().len();
    let some = d
        .store
        .next_push(one_size * 3, 100)
        .unwrap()
        .read()
        .unwrap();
    assert!((2..=3).contains(&some.len()), "{}", some.len());
}

#[test]
fn a_write_restamped_by_the_hub_merges_at_the_hubs_time() {
    let mut fast = device();
    let mut slow = device();
    let id = yak_meat(&mut fast.store, "10");
    let created = fast.store.pending_operations(100).unwrap();
    slow.store.apply_remote(&created).unwrap();

    // The fast tablet's clock says next year; it renames the listing.
    let hub_time = hub_now(&fast);
    fast.clock.advance(chrono::Duration::days(365));
    fast.store
        .edit_listing(
            id,
            vec![ListingField::Title(Title::parse("next year").unwrap())],
        )
        .unwrap();
    let edit = fast.store.pending_operations(100).unwrap()[2].clone();
    assert!(edit.hlc.wall_ms() > hub_time + 300 * 86_400_000);

    // The hub re-stamps it to its own time.
    let restamped = Hlc::from_wall_ms(hub_time);
    let sent: Vec<OperationId> = fast
        .store
        .pending_operations(100)
        .unwrap()
        .iter()
        .map(|o| o.id)
        .collect();
    let mut acks: Vec<Ack> = created.iter().map(applied).collect();
    acks.push(Ack {
        op_id: edit.id,
        outcome: AckOutcome::Applied {
            hlc: Some(restamped),
        },
    });
    let offset = -(365 * 86_400_000);
    fast.store
        .commit_sync(&sent, &response(acks, vec![], 3, hub_time), offset)
        .unwrap();

    // A later edit from a tablet with a right clock beats it, on both devices.
    slow.clock.advance(chrono::Duration::minutes(1));
    slow.store
        .edit_listing(
            id,
            vec![ListingField::Title(Title::parse("right now").unwrap())],
        )
        .unwrap();
    let later = slow
        .store
        .pending_operations(100)
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let mut forwarded = edit.clone();
    forwarded.hlc = restamped;
    fast.store
        .commit_sync(
            &[],
            &response(vec![], vec![later], 4, hub_time + 60_000),
            offset,
        )
        .unwrap();
    slow.store.apply_remote(&[forwarded]).unwrap();
    assert_eq!(fast.store.listing(id).unwrap().title, "right now");
    assert_eq!(slow.store.listing(id).unwrap().title, "right now");

    // And the fast tablet's next write is stamped near the hub's time, not next year.
    fast.store
        .edit_listing(
            id,
            vec![ListingField::Price(Price::parse_yuan("70").unwrap())],
        )
        .unwrap();
    let next = fast
        .store
        .pending_operations(100)
        .unwrap()
        .last()
        .unwrap()
        .hlc;
    assert!(next.wall_ms() < hub_time + 3_600_000, "{}", next.wall_ms());
}

#[test]
fn enrolling_with_another_hub_sends_everything_again() {
    let mut d = device();
    d.store
        .save_enrollment(&enrollment("http://first"))
        .unwrap();
    yak_meat(&mut d.store, "10");
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let now = hub_now(&d);
    d.store
        .commit_sync(
            &sent,
            &response(ops.iter().map(applied).collect(), vec![], 5, now),
            0,
        )
        .unwrap();
    assert_eq!(d.store.sync_status().unwrap().pending_ops, 0);

    d.store
        .save_enrollment(&enrollment("http://first"))
        .unwrap();
    assert_eq!(
        d.store.sync_status().unwrap().cursor,
        5,
        "same hub: nothing to resend"
    );
    d.store
        .save_enrollment(&enrollment("http://second"))
        .unwrap();
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.cursor, status.pending_ops), (0, 2));
    assert_eq!(status.hub.as_deref(), Some("http://second"));
}
