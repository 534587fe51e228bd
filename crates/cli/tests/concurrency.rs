//! Many processes on one data directory: no "database is locked", nothing lost,
//! and a killed process leaves the store consistent.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::DataDir;

fn spawn(d: &DataDir, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("highland"))
        .env_remove("HIGHLAND_DATA_DIR")
        .arg("--data-dir")
        .arg(d.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn twenty_sales_at_once_all_succeed() {
    let d = DataDir::new();
    let id = d.add_listing("100");
    let children: Vec<Child> = (0..20)
        .map(|_| spawn(&d, &["sale", "add", "--listing", &id, "--quantity", "1"]))
        .collect();
    let mut ids = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ids.push(String::from_utf8(out.stdout).unwrap().trim().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    assert_eq!(d.json(&["sale", "list"]).as_array().unwrap().len(), 20);
    assert_eq!(d.json(&["listing", "show", &id])["stock"], 80_000);
}

#[test]
fn twenty_processes_opening_a_new_data_directory_agree_on_one_device() {
    let d = DataDir::new();
    let children: Vec<Child> = (0..20).map(|_| spawn(&d, &["status", "--json"])).collect();
    let mut devices = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        devices.push(status["device_id"].as_str().unwrap().to_owned());
    }
    devices.dedup();
    assert_eq!(devices.len(), 1);
}

#[test]
fn only_the_last_of_the_stock_can_be_sold_once() {
    let d = DataDir::new();
    let id = d.add_listing("5");
    let children: Vec<Child> = (0..10)
        .map(|_| spawn(&d, &["sale", "add", "--listing", &id, "--quantity", "1"]))
        .collect();
    let succeeded = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .filter(|o| o.status.success())
        .count();
    assert_eq!(succeeded, 5);
    assert_eq!(d.json(&["listing", "show", &id])["stock"], 0);
}

#[test]
fn killing_writers_at_random_moments_never_leaves_a_sale_without_its_operation() {
    let d = DataDir::new();
    let id = d.add_listing("1000");
    let mut killed = 0;
    for round in 0..30u64 {
        let mut child = spawn(&d, &["sale", "add", "--listing", &id, "--quantity", "1"]);
        // Spread the kills over start-up, the write and the commit.
        std::thread::sleep(Duration::from_micros((round * 7919) % 25_000));
        if child.kill().is_ok() {
            killed += 1;
        }
        child.wait().unwrap();
    }
    assert!(killed > 0);
    let conn = rusqlite::Connection::open(d.path().join("highland.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let sales: i64 = conn
        .query_row("SELECT count(*) FROM sales", [], |r| r.get(0))
        .unwrap();
    let sale_ops: i64 = conn
        .query_row(
            "SELECT count(*) FROM outbox WHERE entity_kind = 'sale'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sales, sale_ops);
    assert_eq!(
        d.json(&["listing", "show", &id])["stock"],
        1_000_000 - sales * 1000
    );
}
