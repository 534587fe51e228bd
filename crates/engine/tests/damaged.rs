//! A damaged store file (issue 14, item 5), on real SQLite files whose
//! pages are damaged byte by byte: an index that lost an entry is rebuilt
//! in place; a table's damaged page sets the file aside unchanged and makes
//! a new store from its outbox, with the same device id and enrollment.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::TimeDelta;
use common::{enrollment, sale, t0, yak_meat};
use highland_domain::wire::{HubHistory, SyncResponse};
use highland_domain::{ListingId, OperationId, Unit};
use highland_engine::{Language, ManualClock, RepairKind, Store, StoreRepair};
use rusqlite::Connection;
use tempfile::TempDir;

/// A device's data directory and clock; the store is opened and closed as
/// each test needs, since closing is what folds the log into the file.
struct Tablet {
    _dir: TempDir,
    path: PathBuf,
    clock: Arc<ManualClock>,
}

impl Tablet {
    fn new() -> Tablet {
        let dir = TempDir::new().unwrap();
        Tablet {
            path: dir.path().join("highland.db"),
            _dir: dir,
            clock: Arc::new(ManualClock::at(t0())),
        }
    }

    fn open(&self) -> Store {
        Store::open_with_clock(&self.path, self.clock.clone()).unwrap_or_else(|e| panic!("{e}"))
    }
}

/// A tablet that sold `sales` times from one listing, its store closed
/// after a full check at t0.
fn selling_tablet(sales: usize) -> (Tablet, ListingId) {
    let t = Tablet::new();
    let mut store = t.open();
    let id = yak_meat(&mut store, "1000");
    for _ in 0..sales {
        store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    }
    drop(store);
    assert_eq!(t.open().last_full_check().unwrap(), Some(t0()));
    (t, id)
}

/// The pages of `name` (a table or an index) by SQLite's own account:
/// number, type and how many cells each holds.
fn pages(path: &Path, name: &str) -> Vec<(u64, String, u64)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT pageno, pagetype, ncell FROM dbstat WHERE name = ?1 ORDER BY pageno")
        .unwrap();
    stmt.query_map([name], |r| {
        Ok((
            r.get::<_, i64>(0)? as u64,
            r.get(1)?,
            r.get::<_, i64>(2)? as u64,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn page_size(path: &Path) -> u64 {
    Connection::open(path)
        .unwrap()
        .query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64
}

/// Overwrites page `page` of the file with bytes no b-tree page can start
/// with, as a failing flash cell would.
fn smash_page(path: &Path, page: u64) {
    let size = page_size(path);
    let mut data = fs::read(path).unwrap();
    let start = ((page - 1) * size) as usize;
    for b in &mut data[start..start + size as usize] {
        *b = 0xA5;
    }
    fs::write(path, &data).unwrap();
}

fn integrity(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn.prepare("PRAGMA integrity_check").unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Changes one character of the `nth` copy of `listing`'s id inside the
/// leaf page of the index `sales_by_listing`: that entry now names another
/// listing, so its sale is missing from the index. Every page stays well
/// formed, so `quick_check` sees nothing. The page fills from its end, so
/// the first copy is the last sale's.
fn damage_sales_by_listing(path: &Path, listing: ListingId, nth: usize) {
    let leaves: Vec<u64> = pages(path, "sales_by_listing")
        .into_iter()
        .filter(|(_, kind, _)| kind == "leaf")
        .map(|(page, _, _)| page)
        .collect();
    assert_eq!(leaves.len(), 1, "forty entries fit on one page");
    let size = page_size(path) as usize;
    let start = (leaves[0] as usize - 1) * size;
    let mut data = fs::read(path).unwrap();
    let needle = listing.to_string().into_bytes();
    let page = &mut data[start..start + size];
    let at = page
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle.as_slice())
        .map(|(i, _)| i)
        .nth(nth)
        .expect("the listing's id in the index");
    let last = at + needle.len() - 1;
    // Past every hex digit: the entry sorts after its listing's others, so
    // a count through the index stops before it.
    page[last] = b'~';
    fs::write(path, &data).unwrap();
}

/// The same sales counted twice: through the index `sales_by_listing`
/// (the listing's count) and through the table (the list of sales).
fn counts(store: &Store) -> (i64, usize) {
    (
        store.listings().unwrap()[0].sales_count,
        store.sales().unwrap().len(),
    )
}

#[test]
fn an_index_that_lost_an_entry_is_rebuilt_by_the_daily_full_check() {
    let (t, listing) = selling_tablet(40);
    damage_sales_by_listing(&t.path, listing, 0);
    let found = integrity(&t.path);
    assert!(
        found
            .iter()
            .any(|l| l.contains("missing from index sales_by_listing")),
        "{found:?}"
    );

    // An hour later the quick check passes the file, and two counts of the
    // same sales disagree.
    t.clock.advance(TimeDelta::hours(1));
    let store = t.open();
    assert_eq!(counts(&store), (39, 40));
    assert_eq!(store.last_repair().unwrap(), None);
    drop(store);

    // A day after the last full check, the next one finds the index.
    t.clock.advance(TimeDelta::hours(24));
    let store = t.open();
    assert_eq!(counts(&store), (40, 40));
    let repair = store.last_repair().unwrap().expect("the seller is told");
    assert_eq!(repair.kind, RepairKind::IndexesRebuilt);
    assert_eq!(repair.indexes, ["sales_by_listing"]);
    assert!(
        repair
            .findings
            .contains("missing from index sales_by_listing"),
        "{}",
        repair.findings
    );
    assert_eq!((repair.set_aside, repair.unreadable), (None, 0));
    assert_eq!(
        store.last_full_check().unwrap(),
        Some(t0() + TimeDelta::hours(25))
    );
    assert_eq!(store.listings().unwrap()[0].stock, (1000 - 40) * 1000);
    drop(store);
    assert_eq!(integrity(&t.path), ["ok"]);
}

#[test]
fn an_unclean_shutdown_runs_the_full_check_at_the_next_open() {
    let (t, listing) = selling_tablet(40);
    damage_sales_by_listing(&t.path, listing, 0);
    let mut store = t.open();
    assert_eq!(counts(&store), (39, 40), "the quick check passed it");

    // A sale, then the process dies with the store open: its write-ahead
    // log stays behind.
    store.record_sale(sale(listing, "1", Unit::Kg)).unwrap();
    std::mem::forget(store);
    assert!(sidecar(&t.path, "-wal").exists());

    let store = t.open();
    assert_eq!(counts(&store), (41, 41));
    let repair = store.last_repair().unwrap().expect("repaired");
    assert_eq!(repair.kind, RepairKind::IndexesRebuilt);
}

#[test]
fn a_store_opened_for_days_checks_itself_when_asked_daily() {
    let (t, listing) = selling_tablet(40);
    damage_sales_by_listing(&t.path, listing, 0);
    let mut store = t.open();
    assert!(!store.check_if_due().unwrap(), "checked at t0");
    assert_eq!(counts(&store), (39, 40));
    t.clock.advance(TimeDelta::hours(24));
    assert!(store.check_if_due().unwrap());
    assert_eq!(counts(&store), (40, 40));
    assert!(store.last_repair().unwrap().is_some());
    store.record_sale(sale(listing, "1", Unit::Kg)).unwrap();
    assert_eq!(counts(&store), (41, 41));
}

/// A tablet enrolled with a hub, before its file is damaged: the listing
/// (two operations) and the first `acked` of `sales` sales acknowledged,
/// the rest pending, a cursor and the hub's run remembered, Tibetan chosen.
fn enrolled_tablet(sales: usize, acked: usize) -> Tablet {
    let t = Tablet::new();
    let mut store = t.open();
    store
        .save_enrollment(&enrollment("http://hub.example"))
        .unwrap();
    let mut settings = store.settings().unwrap();
    settings.language = Some(Language::Bo);
    store.save_settings(&settings).unwrap();
    let id = yak_meat(&mut store, "1000");
    for _ in 0..sales {
        store.record_sale(sale(id, "1", Unit::Kg)).unwrap();
    }
    let ops = store.next_push(1 << 24, 2 + acked).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let response = SyncResponse {
        protocol: 1,
        acks: ops.iter().map(common::applied).collect(),
        operations: vec![],
        cursor: 77,
        more: false,
        hub_time_ms: store.now().timestamp_millis() as u64,
        newest_release: None,
        hub_version: None,
        history: Some(HubHistory {
            incarnation: "before".into(),
            log_end: 77,
            ..HubHistory::default()
        }),
    };
    store.commit_sync(&sent, &response, 0).unwrap();
    assert_eq!(store.pending_count().unwrap() as usize, sales - acked);
    drop(store);
    t
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// The leaf pages of a table or an index, in file order.
fn leaves(path: &Path, name: &str) -> Vec<(u64, u64)> {
    pages(path, name)
        .into_iter()
        .filter(|(_, kind, _)| kind == "leaf")
        .map(|(page, _, cells)| (page, cells))
        .collect()
}

/// Opens the damaged store and checks what every rebuild promises: the
/// file set aside byte for byte, the same device and enrollment, nothing
/// acknowledged, the hub's log pulled again from the start.
fn open_rebuilt(t: &Tablet) -> (Store, StoreRepair) {
    let damaged = fs::read(&t.path).unwrap();
    let device_id = {
        let conn = Connection::open(&t.path).unwrap();
        let id: String = conn
            .query_row("SELECT device_id FROM device", [], |r| r.get(0))
            .unwrap_or_default();
        id
    };
    let store = t.open();
    let repair = store.last_repair().unwrap().expect("the seller is told");
    assert_eq!(repair.kind, RepairKind::StoreRebuilt);
    let aside = PathBuf::from(repair.set_aside.as_deref().expect("set aside"));
    assert_eq!(aside, sidecar(&t.path, ".damaged-20261128T080000Z"));
    assert!(fs::read(&aside).unwrap() == damaged, "set aside unchanged");
    for left in [".rebuilt", ".rebuilding"] {
        assert!(!sidecar(&t.path, left).exists(), "{left}");
    }
    for log in ["-wal", "-shm"] {
        assert!(!sidecar(&aside, log).exists(), "closed cleanly: no {log}");
    }
    if !device_id.is_empty() {
        assert_eq!(store.device_id().to_string(), device_id);
    }
    assert_eq!(
        store.enrollment().unwrap(),
        Some(enrollment("http://hub.example"))
    );
    assert!(!repair.enrollment_lost);
    assert_eq!(store.settings().unwrap().language, Some(Language::Bo));
    let status = store.sync_status().unwrap();
    assert_eq!(status.cursor, 0, "the hub's log is pulled from the start");
    assert_eq!(status.pending_ops, repair.recovered, "all of it goes again");
    let incarnation: Option<String> = Connection::open(&t.path)
        .unwrap()
        .query_row("SELECT hub_incarnation FROM sync_state", [], |r| r.get(0))
        .unwrap();
    assert_eq!(incarnation, None, "no run of the hub remembered");
    assert_eq!(store.last_full_check().unwrap(), Some(t0()));
    assert_eq!(integrity(&t.path), ["ok"]);
    (store, repair)
}

#[test]
fn a_damaged_table_page_sets_the_file_aside_and_rebuilds_from_the_outbox() {
    let t = enrolled_tablet(200, 150);
    let sales = leaves(&t.path, "sales");
    assert!(sales.len() > 3, "{sales:?}");
    smash_page(&t.path, sales[sales.len() / 2].0);

    let (store, repair) = open_rebuilt(&t);
    // The outbox is whole: the listing, its stock and two hundred sales,
    // acknowledged or not, are back and shown.
    assert_eq!((repair.recovered, repair.recovered_sales), (202, 200));
    assert_eq!(repair.unreadable, 0);
    assert!(!repair.findings.is_empty());
    assert_eq!(store.sales().unwrap().len(), 200);
    assert_eq!(store.listings().unwrap()[0].stock, (1000 - 200) * 1000);
}

#[test]
fn a_damaged_outbox_page_loses_only_the_entries_on_it() {
    let t = enrolled_tablet(200, 150);
    let outbox = leaves(&t.path, "outbox");
    assert!(outbox.len() > 3, "{outbox:?}");
    let (page, lost) = outbox[outbox.len() / 2];
    smash_page(&t.path, page);

    let (store, repair) = open_rebuilt(&t);
    assert_eq!(repair.unreadable, lost);
    assert_eq!(repair.recovered, 202 - lost, "the pages after it are read");
    assert_eq!(repair.recovered_sales, 200 - lost);
    assert_eq!(store.sales().unwrap().len() as u64, 200 - lost);
}

#[test]
fn the_device_keeps_its_id_when_its_own_row_is_lost() {
    let t = enrolled_tablet(20, 0);
    let device_id = t.open().device_id();
    let device = leaves(&t.path, "device");
    smash_page(&t.path, device[0].0);

    let (store, repair) = open_rebuilt(&t);
    assert_eq!(store.device_id(), device_id, "read from its operations");
    assert_eq!(repair.recovered, 22);
}

#[test]
fn a_rebuild_cut_short_is_finished_at_the_next_open() {
    let t = enrolled_tablet(30, 10);
    smash_page(&t.path, leaves(&t.path, "sales")[0].0);
    let damaged = fs::read(&t.path).unwrap();
    let (store, repair) = open_rebuilt(&t);
    drop(store);

    // As if the process died once the new store was whole, before the
    // damaged file was moved: the new store is `.rebuilt`, the damaged
    // file still in its place.
    let aside = PathBuf::from(repair.set_aside.unwrap());
    fs::rename(&t.path, sidecar(&t.path, ".rebuilt")).unwrap();
    fs::rename(&aside, &t.path).unwrap();

    let store = t.open();
    assert_eq!(
        store.last_repair().unwrap().unwrap().kind,
        RepairKind::StoreRebuilt
    );
    assert_eq!(store.sales().unwrap().len(), 30);
    assert!(fs::read(&aside).unwrap() == damaged);
    assert!(!sidecar(&t.path, ".rebuilt").exists());
}

#[test]
fn a_rebuild_cut_short_while_building_makes_the_next_open_check_in_full() {
    let (t, listing) = selling_tablet(40);
    damage_sales_by_listing(&t.path, listing, 0);
    // A process died while it made a new store: what it left is no store.
    fs::write(sidecar(&t.path, ".rebuilding"), b"half a store").unwrap();

    let store = t.open();
    assert_eq!(counts(&store), (40, 40), "checked in full, though not due");
    assert!(!sidecar(&t.path, ".rebuilding").exists());
    drop(store);
    assert_eq!(counts(&t.open()), (40, 40));
}
