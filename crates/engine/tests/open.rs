//! Opening a data file: what is refused, and that refusing never writes.

mod common;

use std::fs;
use std::path::Path;

use highland_engine::{LATEST_VERSION, Store, StoreError};
use rusqlite::Connection;
use tempfile::TempDir;

fn bytes(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap()
}

#[test]
fn a_new_store_is_created_at_the_latest_schema() {
    let dir = TempDir::new().unwrap();
    let store = Store::open_dir(&dir.path().join("nested/data")).unwrap();
    let conn = Connection::open(store.path()).unwrap();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    assert_eq!(mode, "wal");
}

#[test]
fn the_device_keeps_its_identity_across_opens() {
    let dir = TempDir::new().unwrap();
    let first = Store::open_dir(dir.path()).unwrap().device_id();
    let second = Store::open_dir(dir.path()).unwrap().device_id();
    assert_eq!(first, second);
}

#[test]
fn another_programs_database_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
            .unwrap();
    }
    let before = bytes(&path);
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NotHighland { .. }), "{err}");
    assert!(err.to_string().contains("not a Highland database"));
    assert_eq!(bytes(&path), before);
    assert!(!dir.path().join("highland.db-wal").exists());
}

#[test]
fn a_file_of_garbage_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(&path, &garbage).unwrap();
    let err = Store::open(&path).err().unwrap();
    assert!(
        matches!(
            err,
            StoreError::NotHighland { .. } | StoreError::Corrupt { .. }
        ),
        "{err}"
    );
    assert_eq!(bytes(&path), garbage);
}

/// A damaged store is repaired or rebuilt (tests/damaged.rs), but only
/// once its schema can be read: a file whose schema page is gone cannot be
/// told from another program's, and stays as it is.
#[test]
fn a_store_whose_schema_is_damaged_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    {
        let mut store = Store::open(&path).unwrap();
        for i in 0..200 {
            common::yak_meat(&mut store, &format!("{}", i + 1));
        }
    }
    // Past the file's 100-byte header, the schema's own page.
    let mut data = bytes(&path);
    for b in &mut data[100..4096] {
        *b = 0xA5;
    }
    fs::write(&path, &data).unwrap();
    let err = Store::open(&path)
        .err()
        .expect("a damaged file must not open");
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotHighland { .. }
        ),
        "{err}"
    );
    assert_eq!(bytes(&path), data);
    assert!(!dir.path().join("highland.db-wal").exists());
    assert!(!dir.path().join("highland.db.lock").exists());
}

#[test]
fn a_store_from_a_newer_highland_is_refused_untouched() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA wal_checkpoint(TRUNCATE);",
            LATEST_VERSION + 1
        ))
        .unwrap();
    let before = bytes(&path);
    let err = Store::open(&path).err().unwrap();
    assert!(
        matches!(err, StoreError::TooNew { found, .. } if found == LATEST_VERSION + 1),
        "{err}"
    );
    assert!(err.to_string().contains("newer Highland"));
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_store_from_schema_1_is_upgraded_with_its_data_intact() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(include_str!("fixtures/schema_v1.sql"))
        .unwrap();
    let store = Store::open(&path).unwrap();

    let listings = store.listings().unwrap();
    assert_eq!(listings.len(), 1);
    assert_eq!(listings[0].title, "གཡག་ཤ 牦牛肉");
    assert_eq!(listings[0].price_fen, 7000);
    assert_eq!(listings[0].stock, 7_500);
    assert_eq!(store.sales().unwrap().len(), 1);
    assert_eq!(store.lots().unwrap()[0].village, "ཡུ་བེང 雨崩村");
    assert_eq!(store.pending_count().unwrap(), 5);
    assert_eq!(store.sync_status().unwrap().cursor, 0);
    let version: u32 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
}

#[test]
fn a_store_from_schema_2_is_upgraded_with_its_sync_state_intact() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("highland.db");
    Connection::open(&path)
        .unwrap()
        .execute_batch(include_str!("fixtures/schema_v2.sql"))
        .unwrap();
    let store = Store::open(&path).unwrap();

    let listing = &store.listings().unwrap()[0];
    assert_eq!(listing.title, "蜂蜜 Honey");
    assert_eq!((listing.stock, listing.reserved), (17, 0));
    assert_eq!(store.sales().unwrap().len(), 2);
    assert!(store.orders().unwrap().is_empty());
    let sync = store.sync_status().unwrap();
    assert_eq!((sync.cursor, sync.pending_ops), (3, 1));
    assert_eq!(
        sync.seller_id.as_deref(),
        Some("01a221c4-2ae0-7614-9560-846aad4dd93f")
    );
    assert_eq!(
        store.enrollment().unwrap().unwrap().seller_name,
        "卓玛 Dolma"
    );
    let version: u32 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
}
