//! `highland sync --watch`: a device that keeps itself in sync, at once
//! after a local write and otherwise on highland-seller's schedule.

mod common;

use std::time::{Duration, Instant};

use common::DataDir;
use common::hub::Hub;
use highland_hub::Storage;
use serde_json::Value;

/// Whether `check` comes true within a few seconds.
fn eventually(check: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(8);
    while !check() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_recorded_while_watching_reaches_the_hub_without_being_asked_to() {
    let hub = Hub::start().await;
    let d = DataDir::new();
    hub.enroll(&d).await;
    let listing = d.add_listing("10");

    let mut watch = d.cmd();
    watch.args(["sync", "--watch", "--timeout", "12", "--json"]);
    let watching = tokio::task::spawn_blocking(move || watch.output().unwrap());

    // The first turn comes at once and takes the listing up.
    assert!(
        eventually(|| !hub.db.listings(None).unwrap().is_empty()),
        "the watch's first sync took the listing up"
    );

    // Another process writes to the store; the watch notices and syncs,
    // long before its two minutes are up.
    d.ok(&[
        "sale",
        "add",
        "--listing",
        &listing,
        "--quantity",
        "2",
        "--payment",
        "cash",
    ]);
    assert!(
        eventually(|| !hub.db.sales(None).unwrap().is_empty()),
        "the sale reached the hub within seconds"
    );

    let out = watching.await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One report a turn: the first, then the one the sale started, each
    // pushing what was waiting, and nothing left behind.
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert!(reports.iter().all(|r| r["pushed"].as_u64() >= Some(1)));
    assert_eq!(reports[1]["pending_ops"], 0);
    assert_eq!(hub.db.sales(None).unwrap().len(), 1);
}
