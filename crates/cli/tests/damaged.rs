//! A damaged data file under the real `highland` binary: the daily full
//! check rebuilds an index that lost an entry, and a damaged table sets the
//! file aside and rebuilds the store from its outbox; `status` says which.

mod common;

use std::path::{Path, PathBuf};

use common::DataDir;
use rusqlite::Connection;

/// Where page `name`'s `nth` leaf lies in the file: its byte range.
fn leaf(db: &Path, name: &str, nth: usize) -> std::ops::Range<usize> {
    let conn = Connection::open(db).unwrap();
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let page: i64 = conn
        .query_row(
            "SELECT pageno FROM dbstat WHERE name = ?1 AND pagetype = 'leaf'
             ORDER BY pageno LIMIT 1 OFFSET ?2",
            rusqlite::params![name, nth as i64],
            |r| r.get(0),
        )
        .unwrap();
    let start = ((page - 1) * size) as usize;
    start..start + size as usize
}

fn db(d: &DataDir) -> PathBuf {
    d.path().join("highland.db")
}

/// As if a day had passed since the last full check: the binary reads the
/// system's clock, which a test cannot move.
fn a_day_later(d: &DataDir) {
    Connection::open(db(d))
        .unwrap()
        .execute(
            "UPDATE store_health SET last_full_check_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
}

/// A data directory whose one listing sold `sales` times, one unit each.
fn sold(stock: &str, sales: usize) -> (DataDir, String) {
    let d = DataDir::new();
    let listing = d.add_listing(stock);
    for _ in 0..sales {
        d.ok(&["sale", "add", "--listing", &listing, "--quantity", "1"]);
    }
    (d, listing)
}

#[test]
fn the_daily_check_rebuilds_an_index_that_lost_a_sale() {
    let (d, listing) = sold("100", 40);
    // The last sale's entry in `sales_by_listing` (the page fills from its
    // end) now names a listing that sorts after this one.
    let mut data = std::fs::read(db(&d)).unwrap();
    let page = leaf(&db(&d), "sales_by_listing", 0);
    let id = listing.as_bytes();
    let at = page.start
        + data[page.clone()]
            .windows(id.len())
            .position(|w| w == id)
            .unwrap();
    data[at + id.len() - 1] = b'~';
    std::fs::write(db(&d), &data).unwrap();

    let shown = d.json(&["listing", "show", &listing]);
    let listed = d.json(&["sale", "list"]);
    assert_eq!(shown["sales_count"], 39, "{shown}");
    assert_eq!(listed.as_array().unwrap().len(), 40);
    assert!(d.json(&["status"])["store_repaired"].is_null());

    a_day_later(&d);
    let status = d.json(&["status"]);
    let repair = &status["store_repaired"];
    assert_eq!(repair["kind"], "indexes_rebuilt", "{status}");
    assert_eq!(repair["indexes"], serde_json::json!(["sales_by_listing"]));
    let shown = d.json(&["listing", "show", &listing]);
    assert_eq!(shown["sales_count"], 40, "{shown}");
    assert!(d.ok(&["status"]).contains(
        "had damaged indexes (sales_by_listing); they were rebuilt and nothing was lost"
    ));
}

#[test]
fn a_damaged_table_is_set_aside_and_the_store_rebuilt_from_its_outbox() {
    let (d, _) = sold("1000", 120);
    let device_id = d.json(&["status"])["device_id"].clone();
    let mut data = std::fs::read(db(&d)).unwrap();
    let page = leaf(&db(&d), "sales", 1);
    data[page].fill(0xA5);
    std::fs::write(db(&d), &data).unwrap();

    let status = d.json(&["status"]);
    assert_eq!(status["device_id"], device_id, "{status}");
    let repair = &status["store_repaired"];
    assert_eq!(repair["kind"], "store_rebuilt", "{status}");
    assert_eq!(
        repair["recovered"], 122,
        "the listing, its stock, the sales"
    );
    assert_eq!(repair["recovered_sales"], 120);
    assert_eq!(repair["unreadable"], 0);
    assert_eq!(repair["enrollment_lost"], false);
    let aside = PathBuf::from(repair["set_aside"].as_str().unwrap());
    assert_eq!(aside.parent(), Some(d.path()));
    assert!(
        std::fs::read(&aside).unwrap() == data,
        "set aside unchanged"
    );
    assert_eq!(status["sales"], 120);
    assert_eq!(status["pending_ops"], 122);
    assert_eq!(d.json(&["sale", "list"]).as_array().unwrap().len(), 120);

    let text = d.ok(&["status"]);
    assert!(
        text.contains("122 changes were recovered from it (120 sales), 0 could not be read"),
        "{text}"
    );
}
