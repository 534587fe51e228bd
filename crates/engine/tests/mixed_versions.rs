//! Mixed versions (docs/sync-protocol.md section 15), specified with
//! hand-made hub responses: a change of a kind this build does not know
//! waits on the device and is applied after an update; one of this device's
//! changes an older hub cannot read waits for a newer hub, and nothing else
//! waits for it.

mod common;

use common::{applied, device, enrollment, nothing_to_send, sale, yak_meat};
use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, Refusal, SyncResponse};
use highland_domain::{OperationId, Unit};

fn answer(
    acks: Vec<Ack>,
    operations: Vec<LoggedOperation>,
    cursor: u64,
    hub: &str,
) -> SyncResponse {
    SyncResponse {
        protocol: 1,
        acks,
        operations,
        cursor,
        hub_time_ms: chrono::Utc::now().timestamp_millis() as u64,
        newest_release: None,
        hub_version: Some(hub.to_owned()),
        ..SyncResponse::default()
    }
}

/// A change another device of a newer Highland made: a kind this build does not know.
fn from_a_newer_highland() -> LoggedOperation {
    LoggedOperation::from_text(format!(
        r#"{{"id":"{}","device_id":"{}","hlc":{},"payload":{{"kind":"sale_voided","sale_id":"x","reason":"mistake"}},"extra":[1,2]}}"#,
        OperationId::new(),
        highland_domain::DeviceId::new(),
        1u64 << 40
    ))
    .unwrap()
}

#[test]
fn a_change_this_build_cannot_read_waits_and_the_cursor_moves_past_it() {
    let mut d = device();
    d.store.save_enrollment(&enrollment("http://hub")).unwrap();
    let mut other = device();
    yak_meat(&mut other.store, "5");
    let known = LoggedOperation::all(&other.store.pending_operations(100).unwrap()).unwrap();
    let page = vec![known[0].clone(), from_a_newer_highland(), known[1].clone()];
    let done = d
        .store
        .commit_sync(&[], &answer(vec![], page, 9, "0.1.0"), 0)
        .unwrap();
    assert_eq!((done.pulled, done.waiting), (2, 1));
    let status = d.store.sync_status().unwrap();
    assert_eq!(status.cursor, 9, "the cursor moves past it");
    assert_eq!(status.waiting_for_update, 1);
    assert_eq!(d.store.listings().unwrap().len(), 1, "the rest applied");
}

#[test]
fn a_kept_change_applies_once_an_update_can_read_it() {
    // An older build kept a change it could not read; this build can: it
    // applies when the store opens.
    let mut d = device();
    let mut other = device();
    yak_meat(&mut other.store, "5");
    let ops = other.store.pending_operations(100).unwrap();
    let conn = rusqlite::Connection::open(d.store.path()).unwrap();
    for (i, op) in ops.iter().enumerate() {
        conn.execute(
            "INSERT INTO pulled_ops (op_id, seq, body, applied) VALUES (?1, ?2, ?3, 0)",
            rusqlite::params![
                op.id.to_string(),
                i as i64 + 1,
                LoggedOperation::of(op).unwrap().text()
            ],
        )
        .unwrap();
    }
    drop(conn);
    assert_eq!(d.store.sync_status().unwrap().waiting_for_update, 2);
    let path = d.store.path().to_owned();
    d.store = highland_engine::Store::open(&path).unwrap();
    assert_eq!(d.store.sync_status().unwrap().waiting_for_update, 0);
    assert_eq!(d.store.listings().unwrap().len(), 1);
}

#[test]
fn a_change_an_older_hub_cannot_read_waits_for_a_newer_hub_and_the_rest_goes_through() {
    let mut d = device();
    d.store.save_enrollment(&enrollment("http://hub")).unwrap();
    let id = yak_meat(&mut d.store, "10");
    d.store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    let push = d.store.next_push(1 << 20, 100).unwrap();
    let ops = push.read().unwrap();
    // The hub cannot read the listing's second operation; the rest it applies.
    let mut acks: Vec<Ack> = ops.iter().map(applied).collect();
    acks[1] = Ack {
        op_id: ops[1].id,
        outcome: AckOutcome::Refused {
            reason: Refusal {
                code: "unsupported_operation".into(),
                message: "from a newer app".into(),
            },
        },
    };
    let done = d
        .store
        .commit_sync(&push.ids, &answer(acks, vec![], 3, "0.1.0"), 0)
        .unwrap();
    assert_eq!((done.acked, done.deferred, done.refused), (2, 1, 0));
    let status = d.store.sync_status().unwrap();
    assert_eq!((status.pending_ops, status.deferred_ops), (1, 1));
    assert!(status.refused.is_empty(), "deferred, not refused");
    assert_eq!(
        d.store.sendable_count().unwrap(),
        0,
        "not sent again to the same hub"
    );
    assert!(nothing_to_send(&d.store));

    // Another version of the hub answers: it goes again.
    d.store
        .commit_sync(&[], &answer(vec![], vec![], 3, "0.2.0"), 0)
        .unwrap();
    let again = d.store.next_push(1 << 20, 100).unwrap();
    assert_eq!(again.ids, vec![ops[1].id]);
}
