//! What a seller waits for, next to what SQLite itself costs for the same
//! work, run side by side so the ratio means something on a noisy machine:
//! - recording one sale (checks, HLC, the sale row and its outbox operation,
//!   durably committed) against one plain INSERT of a sale row with the same
//!   pragmas (WAL, synchronous=FULL);
//! - listing 10,000 listings with their derived stock against a plain SELECT
//!   of the same rows.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use highland_domain::{Category, ListingStatus, PaymentMethod, Price, Quantity, Title, Unit};
use highland_engine::{NewListing, NewSale, Store};
use rusqlite::{Connection, params};
use tempfile::TempDir;

/// A listing row as the baseline reads it: the same columns, no stock.
type PlainListing = (
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
);

fn listing(title: String, stock: &str) -> NewListing {
    NewListing {
        title: Title::parse(&title).unwrap(),
        category: Category::YakMeat,
        unit: Unit::Kg,
        price: Price::parse_yuan("68.50").unwrap(),
        status: ListingStatus::Listed,
        description: None,
        lot_id: None,
        stock: Some(Quantity::parse(stock, Unit::Kg).unwrap()),
    }
}

/// A bare connection with the store's durability settings and a sales table
/// of the same shape, for the baseline.
fn plain_sqlite(dir: &TempDir) -> Connection {
    let conn = Connection::open(dir.path().join("plain.db")).unwrap();
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE sales (
            id TEXT PRIMARY KEY, listing_id TEXT NOT NULL, quantity INTEGER NOT NULL,
            unit TEXT NOT NULL, unit_price_fen INTEGER NOT NULL, total_fen INTEGER NOT NULL,
            payment TEXT NOT NULL, buyer TEXT, sold_at TEXT NOT NULL, hlc INTEGER NOT NULL,
            device_id TEXT NOT NULL);
         CREATE TABLE listings (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT NOT NULL, unit TEXT NOT NULL,
            price_fen INTEGER NOT NULL, status TEXT NOT NULL, description TEXT, lot_id TEXT,
            created_hlc INTEGER NOT NULL);",
    )
    .unwrap();
    conn
}

fn record_sale(c: &mut Criterion) {
    let dir = TempDir::new().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let id = store.add_listing(listing("yak".into(), "1000000")).unwrap();
    let plain = plain_sqlite(&dir);

    let mut group = c.benchmark_group("record one sale");
    group.bench_function("highland record_sale", |b| {
        b.iter(|| {
            store
                .record_sale(NewSale {
                    listing_id: id,
                    quantity: Quantity::parse("1", Unit::Kg).unwrap(),
                    unit_price: None,
                    payment: PaymentMethod::Cash,
                    buyer: None,
                    allow_oversell: false,
                })
                .unwrap()
        })
    });
    let mut n = 0u64;
    group.bench_function("plain rusqlite INSERT", |b| {
        b.iter(|| {
            n += 1;
            plain
                .execute(
                    "INSERT INTO sales VALUES (?1, ?2, 1000, 'kg', 6850, 6850, 'cash', NULL,
                     '2026-11-28T10:00:00.000Z', ?3, 'device')",
                    params![format!("sale-{n}"), id.to_string(), n as i64],
                )
                .unwrap()
        })
    });
    group.finish();
}

fn list_listings(c: &mut Criterion) {
    let dir = TempDir::new().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let plain = plain_sqlite(&dir);
    plain
        .execute_batch("PRAGMA synchronous = OFF; BEGIN")
        .unwrap();
    for i in 0..10_000 {
        let id = store
            .add_listing(listing(format!("གཡག་ཤ 牦牛肉 {i}"), "50"))
            .unwrap();
        plain
            .execute(
                "INSERT INTO listings VALUES (?1, ?2, 'yak-meat', 'kg', 6850, 'listed', NULL, NULL, ?3)",
                params![id.to_string(), format!("གཡག་ཤ 牦牛肉 {i}"), i],
            )
            .unwrap();
    }
    plain.execute_batch("COMMIT").unwrap();

    let mut group = c.benchmark_group("list 10,000 listings");
    group.sample_size(20);
    group.bench_function("highland listings", |b| {
        b.iter(|| black_box(store.listings().unwrap()))
    });
    group.bench_function("plain rusqlite SELECT", |b| {
        b.iter(|| {
            let mut stmt = plain
                .prepare_cached(
                    "SELECT id, title, category, unit, price_fen, status, description, lot_id
                     FROM listings ORDER BY created_hlc, id",
                )
                .unwrap();
            let rows: Vec<PlainListing> = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            black_box(rows)
        })
    });
    group.finish();
}

criterion_group!(benches, record_sale, list_listings);
criterion_main!(benches);
