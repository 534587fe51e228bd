//! A hub that went back in time (restored from a backup, moved, started
//! afresh; docs/sync-protocol.md section 14), specified with hand-made hub
//! responses: the device sends again what the hub had acknowledged, pulls
//! its log again from the start, and tells the seller, once per restore.

mod common;

use common::{applied, device, enrollment, nothing_to_send, sale, yak_meat};
use highland_domain::wire::{Ack, AckOutcome, HubHistory, LoggedOperation, Refusal, SyncResponse};
use highland_domain::{ListingId, Operation, OperationId, Unit};

fn response(
    acks: Vec<Ack>,
    operations: Vec<Operation>,
    cursor: u64,
    d: &common::Device,
    history: Option<(&str, u64)>,
) -> SyncResponse {
    SyncResponse {
        protocol: 1,
        acks,
        operations: LoggedOperation::all(&operations).unwrap(),
        cursor,
        more: false,
        hub_time_ms: d.store.now().timestamp_millis() as u64,
        newest_release: None,
        hub_version: None,
        history: history.map(|(incarnation, log_end)| HubHistory {
            incarnation: incarnation.into(),
            log_end,
            ..HubHistory::default()
        }),
    }
}

/// A device that recorded a listing (two operations, acknowledged when the
/// hub's log ended at 2) and two sales (acknowledged when it ended at 10),
/// all by the hub's incarnation "one", its cursor at 10.
fn synced_device() -> (common::Device, ListingId) {
    let mut d = device();
    d.store.save_enrollment(&enrollment("http://hub")).unwrap();
    let id = yak_meat(&mut d.store, "10");
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store.record_sale(sale(id, "2", Unit::Kg)).unwrap();
    let ops_push = d.store.next_push(1 << 20, 100).unwrap();
    let (ops, cursor) = (ops_push.read().unwrap(), ops_push.cursor);
    assert_eq!((ops.len(), cursor), (4, 0));
    for (batch, log_end) in [(&ops[..2], 2), (&ops[2..], 10)] {
        let sent: Vec<OperationId> = batch.iter().map(|o| o.id).collect();
        let acks = batch.iter().map(applied).collect();
        let answer = response(acks, vec![], log_end, &d, Some(("one", log_end)));
        let done = d.store.commit_sync(&sent, &answer, 0).unwrap();
        assert_eq!(done.acked, 2);
        assert!(!done.hub_went_back, "a first sync is no sign of anything");
    }
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.cursor, status.pending_ops), (10, 0));
    assert_eq!(status.hub_went_back, None);
    (d, id)
}

/// Another device's listing, to be pulled.
fn pulled_ops() -> Vec<Operation> {
    let mut other = device();
    yak_meat(&mut other.store, "5");
    other.store.pending_operations(100).unwrap()
}

fn assert_sent_again(d: &mut common::Device, resent: u64, resent_sales: u64) {
    assert_sent_again_from(d, 0, resent, resent_sales);
}

/// [`assert_sent_again`], the log pulled again from `cursor`: where the
/// hub's log went back to.
fn assert_sent_again_from(d: &mut common::Device, cursor: u64, resent: u64, resent_sales: u64) {
    let status = d.store.sync_status().unwrap();
    assert_eq!(
        status.cursor, cursor,
        "the log is pulled again from where it went back to"
    );
    assert_eq!(status.pending_ops, resent);
    let notice = status.hub_went_back.expect("the seller is told");
    assert_eq!((notice.resent, notice.resent_sales), (resent, resent_sales));
    assert!(!notice.at.is_empty());
    let again_push = d.store.next_push(1 << 20, 100).unwrap();
    let (again, pulled_from) = (again_push.read().unwrap(), again_push.cursor);
    assert_eq!((again.len() as u64, pulled_from), (resent, cursor));
}

#[test]
fn a_new_incarnation_sends_everything_acknowledged_again_once() {
    let (mut d, _) = synced_device();
    let page = pulled_ops();

    // The restored hub: another incarnation, with a page from its log.
    let restored = response(vec![], page.clone(), 12, &d, Some(("two", 12)));
    let done = d.store.commit_sync(&[], &restored, 0).unwrap();
    assert!(done.hub_went_back);
    assert_eq!(done.pulled, 0, "the page of a hub that went back is left");
    assert!(d.store.listings().unwrap().len() == 1);
    assert_sent_again(&mut d, 4, 2);

    // The next round sends them again; the same incarnation changes nothing more.
    let again = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = again.iter().map(|o| o.id).collect();
    let acks = again.iter().map(applied).collect();
    let next = response(acks, page, 16, &d, Some(("two", 16)));
    let done = d.store.commit_sync(&sent, &next, 0).unwrap();
    assert!(!done.hub_went_back);
    assert_eq!((done.acked, done.pulled), (4, 2));
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.cursor, status.pending_ops), (16, 0));
    assert_eq!(d.store.listings().unwrap().len(), 2);
    // The notice stays for the seller.
    assert_eq!(status.hub_went_back.unwrap().resent_sales, 2);
}

#[test]
fn a_log_that_ends_before_the_cursor_sends_everything_again() {
    let (mut d, _) = synced_device();
    // The same incarnation (the file was copied back by hand), but its log
    // ends at 7, before this device's cursor.
    let copied_back = response(vec![], pulled_ops(), 7, &d, Some(("one", 7)));
    let done = d.store.commit_sync(&[], &copied_back, 0).unwrap();
    assert!(done.hub_went_back);
    assert_eq!(done.pulled, 0);
    assert_sent_again(&mut d, 4, 2);
}

#[test]
fn what_the_restored_hub_just_acknowledged_is_not_sent_again() {
    let (mut d, id) = synced_device();
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    assert_eq!(ops.len(), 2);
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    // The restored hub applies the first and refuses the second, perhaps for
    // want of something it lost: that one is tried again, not kept refused.
    let acks = vec![
        applied(&ops[0]),
        Ack {
            op_id: ops[1].id,
            outcome: AckOutcome::Refused {
                reason: Refusal {
                    code: "unknown_listing".into(),
                    message: "no such listing".into(),
                },
            },
        },
    ];
    let restored = response(acks, vec![], 3, &d, Some(("two", 3)));
    let done = d.store.commit_sync(&sent, &restored, 0).unwrap();
    assert!(done.hub_went_back);
    assert_eq!((done.acked, done.refused), (1, 0));
    let status = d.store.sync_status().unwrap();
    assert!(status.refused.is_empty());
    let notice = status.hub_went_back.unwrap();
    assert_eq!((notice.resent, notice.resent_sales), (4, 2));
    assert_eq!(status.pending_ops, 5, "four sent again and the refused one");
    assert_eq!(status.cursor, 0);
}

#[test]
fn the_same_incarnation_and_log_change_nothing() {
    let (mut d, _) = synced_device();
    let page = pulled_ops();
    let same = response(vec![], page, 12, &d, Some(("one", 12)));
    let done = d.store.commit_sync(&[], &same, 0).unwrap();
    assert!(!done.hub_went_back);
    assert_eq!(done.pulled, 2);
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.cursor, status.pending_ops), (12, 0));
    assert_eq!(status.hub_went_back, None);
    // A log that ends exactly at the cursor is no sign either.
    let done = d
        .store
        .commit_sync(&[], &response(vec![], vec![], 12, &d, Some(("one", 12))), 0)
        .unwrap();
    assert!(!done.hub_went_back);
    // Nor is a hub that says nothing of its history.
    let done = d
        .store
        .commit_sync(&[], &response(vec![], vec![], 12, &d, None), 0)
        .unwrap();
    assert!(!done.hub_went_back);
    assert_eq!(d.store.sync_status().unwrap().pending_ops, 0);
}

#[test]
fn a_first_sync_with_no_incarnation_remembered_changes_nothing() {
    let mut d = device();
    d.store.save_enrollment(&enrollment("http://hub")).unwrap();
    yak_meat(&mut d.store, "10");
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let acks = ops.iter().map(applied).collect();
    let first = response(acks, pulled_ops(), 5, &d, Some(("whatever", 5)));
    let done = d.store.commit_sync(&sent, &first, 0).unwrap();
    assert!(!done.hub_went_back);
    assert_eq!((done.acked, done.pulled), (2, 2));
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.cursor, status.pending_ops), (5, 0));
    assert_eq!(status.hub_went_back, None);
}

#[test]
fn enrolling_with_another_hub_forgets_the_incarnation() {
    let (mut d, _) = synced_device();
    let mut other = enrollment("http://hub");
    other.hub_url = "http://other-hub".into();
    d.store.save_enrollment(&other).unwrap();
    // Everything goes to the new hub anyway; its incarnation is no restore.
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let acks = ops.iter().map(applied).collect();
    let first = response(acks, vec![], 4, &d, Some(("elsewhere", 4)));
    let done = d.store.commit_sync(&sent, &first, 0).unwrap();
    assert!(!done.hub_went_back);
    assert_eq!(d.store.sync_status().unwrap().hub_went_back, None);
}

#[test]
fn the_files_of_this_devices_photos_go_up_again_too() {
    let mut d = device();
    d.store.save_enrollment(&enrollment("http://hub")).unwrap();
    let id = yak_meat(&mut d.store, "10");
    let picture = highland_engine::photos::sample::jpeg(
        &highland_engine::photos::sample::synthetic_photo(800, 600, 7),
        90,
    );
    d.store
        .add_photo(highland_domain::PhotoSubject::Listing(id), &picture, false)
        .unwrap();
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let acks = ops.iter().map(applied).collect();
    d.store
        .commit_sync(&sent, &response(acks, vec![], 10, &d, Some(("one", 10))), 0)
        .unwrap();
    // The hub took both files.
    let files = d.store.uploads_waiting().unwrap();
    assert_eq!(files.len(), 2);
    for file in &files {
        d.store.mark_on_hub(file.sha256()).unwrap();
    }
    assert!(d.store.uploads_waiting().unwrap().is_empty());

    // Restored: once the photo's record is acknowledged again, its files
    // wait to go up again (a HEAD first finds whether the hub kept them).
    let restored = response(vec![], vec![], 3, &d, Some(("two", 3)));
    assert!(
        d.store
            .commit_sync(&[], &restored, 0)
            .unwrap()
            .hub_went_back
    );
    let again = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = again.iter().map(|o| o.id).collect();
    let acks = again.iter().map(applied).collect();
    d.store
        .commit_sync(&sent, &response(acks, vec![], 6, &d, Some(("two", 6))), 0)
        .unwrap();
    assert_eq!(d.store.uploads_waiting().unwrap().len(), 2);
}

/// What a current hub says of its history: its incarnation, where its log
/// ends and where the device's unseen incarnations began, and how many of
/// the device's operations it holds.
fn said(incarnation: &str, log_end: u64, log_start: u64, from_device: u64) -> HubHistory {
    HubHistory {
        incarnation: incarnation.into(),
        log_end,
        log_start,
        from_device: Some(from_device),
        ..HubHistory::default()
    }
}

/// [`response`] from a current hub, which also says how many of this
/// device's operations it holds and where its incarnation began.
fn counted(
    acks: Vec<Ack>,
    operations: Vec<Operation>,
    cursor: u64,
    d: &common::Device,
    history: HubHistory,
) -> SyncResponse {
    SyncResponse {
        history: Some(history),
        ..response(acks, operations, cursor, d, None)
    }
}

#[test]
fn a_hub_that_says_what_it_holds_gets_only_the_gap_again() {
    let (mut d, _) = synced_device();
    // Restored from a backup that holds the listing (two operations), not
    // the two sales.
    let restored = counted(vec![], vec![], 2, &d, said("two", 2, 2, 2));
    assert!(
        d.store
            .commit_sync(&[], &restored, 0)
            .unwrap()
            .hub_went_back
    );
    assert_sent_again_from(&mut d, 2, 2, 2);
    let again = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    assert!(
        again
            .iter()
            .all(|op| matches!(op.payload, highland_domain::Payload::SaleRecorded { .. })),
        "only the sales: {again:?}"
    );
}

#[test]
fn a_hub_that_holds_fewer_of_this_devices_operations_went_back_even_in_the_same_run() {
    // A copy put back by hand, after which the log grew past this device's
    // cursor again: only the count gives it away. It cannot say which it
    // lacks (other devices may have given back newer ones), nor where it
    // went back to: everything goes again, and the hub takes what it holds
    // again by id.
    let (mut d, _) = synced_device();
    let copied_back = counted(vec![], vec![], 30, &d, said("one", 30, 0, 3));
    assert!(
        d.store
            .commit_sync(&[], &copied_back, 0)
            .unwrap()
            .hub_went_back
    );
    assert_sent_again(&mut d, 4, 2);
}

#[test]
fn what_this_device_pulled_is_given_back_to_a_hub_that_lost_it() {
    let (mut d, _) = synced_device();
    let page = pulled_ops();
    let pulled = counted(vec![], page.clone(), 14, &d, said("one", 14, 0, 4));
    let done = d.store.commit_sync(&[], &pulled, 0).unwrap();
    assert_eq!(done.pulled, 2);

    // Restored to position 10: what was pulled up to 14 may be lost.
    goes_back_to_10(&mut d, "two");
    let notice = d.store.sync_status().unwrap().hub_went_back.unwrap();
    assert_eq!((notice.resent, notice.returned), (0, 2));
    let push = d.store.next_push(1 << 20, 100).unwrap();
    assert_eq!(push.read().unwrap(), page, "given back exactly as pulled");

    // Answered, they are not given back again.
    let acks = page.iter().map(applied).collect();
    let answered = counted(acks, vec![], 12, &d, said("two", 12, 10, 4));
    let done = d.store.commit_sync(&push.ids, &answered, 0).unwrap();
    assert_eq!(done.returned, 2);
    assert!(nothing_to_send(&d.store));
    assert_eq!(d.store.sendable_count().unwrap(), 0);
}

#[test]
fn a_file_put_back_from_an_old_copy_takes_its_own_operations_back() {
    let (mut d, id) = synced_device();
    // One more sale, pending: this file knows 5 of its operations.
    d.store.record_sale(sale(id, "3", Unit::Kg)).unwrap();
    let pending = d.store.pending_operations(100).unwrap()[0].clone();
    let history = said("one", 11, 0, 7);
    // The hub holds 7 of this device's operations: more than all this file
    // has, so the file went back (an old copy was put in its place).
    let noticed = counted(vec![], vec![], 11, &d, history.clone());
    let done = d.store.commit_sync(&[], &noticed, 0).unwrap();
    assert!(done.file_went_back);
    let push = d.store.next_push(1 << 20, 100).unwrap();
    assert!(push.own_too, "the next request asks for its own operations");
    assert_eq!(push.cursor, 0);

    // The hub sends this device's operations back; one of them this file
    // never had (a sale made after the copy was taken).
    let mut lost = pending.clone();
    lost.id = OperationId::new();
    if let highland_domain::Payload::SaleRecorded { sale } = &mut lost.payload {
        sale.id = highland_domain::SaleId::new();
    }
    let back = counted(vec![], vec![lost], 11, &d, history);
    let done = d.store.commit_sync(&[], &back, 0).unwrap();
    assert!(!done.file_went_back, "taking back is not noticed again");
    assert_eq!(done.pulled, 1);
    let recovered = d
        .store
        .sync_status()
        .unwrap()
        .own_recovered
        .expect("the seller is told");
    assert_eq!((recovered.operations, recovered.sales), (1, 1));
    assert!(!d.store.next_push(1 << 20, 100).unwrap().own_too, "done");
    assert_eq!(d.store.sales().unwrap().len(), 4);
    // Taken back as acknowledged: it is not sent to the hub again.
    assert_eq!(d.store.pending_count().unwrap(), 1);
}

/// The hub's refusal of `op`, for `code`.
fn refused(op: &Operation, code: &str) -> Ack {
    Ack {
        op_id: op.id,
        outcome: AckOutcome::Refused {
            reason: Refusal {
                code: code.into(),
                message: "not now".into(),
            },
        },
    }
}

#[test]
fn a_refusal_for_want_of_what_the_hub_took_in_the_same_exchange_goes_again() {
    let (mut d, id) = synced_device();
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let push = d.store.next_push(1 << 20, 100).unwrap();
    let ops = push.read().unwrap();
    // The hub took the first: the second, refused for want of something,
    // may have wanted just that, so it stays pending.
    let acks = vec![applied(&ops[0]), refused(&ops[1], "unknown_listing")];
    let answer = response(acks, vec![], 11, &d, Some(("one", 11)));
    let done = d.store.commit_sync(&push.ids, &answer, 0).unwrap();
    assert_eq!((done.acked, done.refused), (1, 0));
    let again = d.store.next_push(1 << 20, 100).unwrap();
    assert_eq!(again.read().unwrap(), vec![ops[1].clone()]);

    // Refused again with nothing else taken: for good, and shown.
    let acks = vec![refused(&ops[1], "unknown_listing")];
    let answer = response(acks, vec![], 11, &d, Some(("one", 11)));
    let done = d.store.commit_sync(&again.ids, &answer, 0).unwrap();
    assert_eq!(done.refused, 1);
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.pending_ops, status.refused.len()), (0, 1));
}

#[test]
fn a_sale_given_back_and_refused_for_good_is_undone_and_not_given_back_again() {
    let (mut d, _) = synced_device();
    // Another device's listing and a sale of it, pulled.
    let mut other = device();
    let listing = yak_meat(&mut other.store, "5");
    other
        .store
        .record_sale(sale(listing, "1", Unit::Kg))
        .unwrap();
    let page = other.store.pending_operations(100).unwrap();
    let (listed, sold) = page.split_at(page.len() - 1);
    let pulled = counted(vec![], page.clone(), 15, &d, said("one", 15, 0, 4));
    d.store.commit_sync(&[], &pulled, 0).unwrap();
    assert_eq!(d.store.sales().unwrap().len(), 3);

    // Restored to 10: all of it is given back. The hub takes the listing and
    // refuses the sale, maybe for want of the listing: it goes again.
    goes_back_to_10(&mut d, "two");
    let push = d.store.next_push(1 << 20, 100).unwrap();
    assert_eq!(push.read().unwrap(), page);
    let mut acks: Vec<Ack> = listed.iter().map(applied).collect();
    acks.push(refused(&sold[0], "order_transition_refused"));
    let answer = counted(acks, vec![], 12, &d, said("two", 12, 10, 4));
    d.store.commit_sync(&push.ids, &answer, 0).unwrap();
    let again = d.store.next_push(1 << 20, 100).unwrap();
    assert_eq!(again.read().unwrap(), sold);

    // Refused alone: for good. The sale did not happen as far as the hub
    // knows, so it is undone here (kept, it would count the goods twice).
    let answer = counted(
        vec![refused(&sold[0], "order_transition_refused")],
        vec![],
        12,
        &d,
        said("two", 12, 10, 4),
    );
    d.store.commit_sync(&again.ids, &answer, 0).unwrap();
    assert_eq!(d.store.sales().unwrap().len(), 2);
    assert!(nothing_to_send(&d.store));

    // The hub goes back again: the listing is given back, the sale is not.
    goes_back_to_10(&mut d, "three");
    let push = d.store.next_push(1 << 20, 100).unwrap();
    assert_eq!(push.read().unwrap(), listed);
}

/// The hub, now incarnation `incarnation`, went back to position 10, which
/// holds all four of the device's operations.
fn goes_back_to_10(d: &mut common::Device, incarnation: &str) {
    let restored = counted(vec![], vec![], 10, d, said(incarnation, 10, 10, 4));
    assert!(
        d.store
            .commit_sync(&[], &restored, 0)
            .unwrap()
            .hub_went_back
    );
}
