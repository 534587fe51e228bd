//! Backups and restores, through the real binary: a SQLite hub is copied
//! whole while devices sync, and put back as a new incarnation with what it
//! replaced kept aside; a PostgreSQL hub is backed up with its own tools and
//! told afterwards that it went back (docs/operations.md).

mod common;

use std::path::Path;

use common::*;
use highland_domain::Unit;
use highland_exchange::history::Beginning;
use highland_hub::Storage;

#[tokio::test]
async fn every_database_starts_as_its_first_incarnation_and_counts_up() {
    let hub = spawn_hub().await;
    let first = hub.db.incarnation(NOW_MS).unwrap();
    assert_eq!((first.number, first.reason), (1, Beginning::Created));
    assert_eq!(hub.db.incarnation(NOW_MS + 1).unwrap(), first);
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&device, vec![op(&device, NOW_MS, created(&honey))], 0)
        .await;
    let second = hub
        .db
        .begin_incarnation(Beginning::Restored, NOW_MS + 2)
        .unwrap();
    assert_eq!((second.number, second.reason), (2, Beginning::Restored));
    assert_ne!(second.id, first.id);
    assert_eq!(
        second.log_start, 1,
        "it began with the one operation logged"
    );
    assert_eq!(hub.db.incarnation(NOW_MS + 3).unwrap(), second);

    // Every sync answer says which incarnation answered and where its log ends.
    let answer = hub.sync(&device, vec![], 0).await;
    let history = answer.history.expect("the hub's history");
    assert_eq!(history.incarnation, second.id);
    assert_eq!(history.log_end, 1);
    hub.sync(&device, vec![op(&device, NOW_MS + 4, sold(&honey, 1))], 0)
        .await;
    let answer = hub.sync(&device, vec![], 1).await;
    assert_eq!(answer.history.unwrap().log_end, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_taken_while_devices_sync_is_one_whole_moment() {
    let hub = spawn_hub().await;
    if !matches!(hub.database.database, highland_hub::Database::Sqlite(_)) {
        let out = hub.dir.path().join("backup.db");
        let refused = stderr_of_failure(hub.database.hub_cli().args(["backup", "--out"]).arg(&out));
        assert!(refused.contains("pg_dump"), "{refused}");
        return;
    }
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(&device, vec![op(&device, NOW_MS, created(&honey))], 0)
        .await;
    // Sales keep coming while the backup runs.
    let selling = {
        let (url, device, honey) = (hub.url.clone(), device.clone(), honey.clone());
        tokio::spawn(async move {
            let http = http_client().build().unwrap();
            for n in 0..40u64 {
                let request =
                    sync_request(&device, vec![op(&device, NOW_MS + n, sold(&honey, 1))], 0);
                let response = http
                    .post(format!("{url}/v1/sync"))
                    .bearer_auth(&device.token)
                    .json(&request)
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
            }
        })
    };
    let out = hub.dir.path().join("nightly.db");
    let summary = json_of(
        hub.database
            .hub_cli()
            .args(["backup", "--json", "--out"])
            .arg(&out),
    );
    selling.await.unwrap();
    assert_eq!(summary["sellers"], 1);
    assert_eq!(summary["devices"], 1);
    let log_end = summary["log_end"].as_u64().unwrap();
    assert!(log_end >= 1, "{summary}");

    // The copy is a hub database, whole up to its last position.
    let copy = rusqlite::Connection::open(&out).unwrap();
    let (count, max): (i64, i64) = copy
        .query_row("SELECT count(*), max(seq) FROM op_log", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (count as u64, max as u64),
        (log_end, log_end),
        "no position missing"
    );
    let sales: i64 = copy
        .query_row("SELECT count(*) FROM sales", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        sales as u64 + 1,
        log_end,
        "every logged sale is in the copy's tables"
    );
    drop(copy);
    assert!(highland_hub::HubDb::open(&out).is_ok());

    // A backup never overwrites.
    let again = stderr_of_failure(hub.database.hub_cli().args(["backup", "--out"]).arg(&out));
    assert!(again.contains("already exists"), "{again}");
}

/// A hub's SQLite data directory, served by the binary's storage and then
/// closed, so that restore finds it stopped.
fn sales_on_hub(database: &TestDatabase) -> u64 {
    let store = database.open();
    let sales = store.sales(None).unwrap().len() as u64;
    drop(store);
    sales
}

#[tokio::test]
async fn a_restore_puts_the_backup_back_as_a_new_incarnation_and_keeps_what_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let hub = spawn_hub_in(dir, NOW_MS).await;
    let device = hub.seller_with_device("Dolma").await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(
        &device,
        vec![
            op(&device, NOW_MS, created(&honey)),
            op(&device, NOW_MS + 1, sold(&honey, 1)),
        ],
        0,
    )
    .await;
    let before = hub.db.incarnation(NOW_MS).unwrap();
    let highland_hub::Database::Sqlite(path) = hub.database.database.clone() else {
        let restored = json_of(hub.database.hub_cli().args(["restore", "--json"]));
        assert_eq!(restored["incarnation"]["number"], before.number + 1);
        assert_eq!(restored["incarnation"]["reason"], "restored");
        let refused = stderr_of_failure(
            hub.database
                .hub_cli()
                .args(["restore", "--from", "dump.sql"]),
        );
        assert!(refused.contains("pg_restore"), "{refused}");
        return;
    };
    let backup = path.with_file_name("nightly.db");
    json_of(
        hub.database
            .hub_cli()
            .args(["backup", "--json", "--out"])
            .arg(&backup),
    );
    hub.sync(&device, vec![op(&device, NOW_MS + 2, sold(&honey, 1))], 0)
        .await;

    // Not while a hub serves on it.
    let refused = stderr_of_failure(
        hub.database
            .hub_cli()
            .arg("restore")
            .arg("--from")
            .arg(&backup),
    );
    assert!(refused.contains("stop it first"), "{refused}");

    let (database, dir) = hub.stop_and_close().await;
    let restored = json_of(
        database
            .hub_cli()
            .args(["restore", "--json", "--from"])
            .arg(&backup),
    );
    assert_eq!(restored["incarnation"]["number"], before.number + 1);
    assert_eq!(restored["incarnation"]["reason"], "restored");
    assert_ne!(restored["incarnation"]["id"], before.id.as_str());
    assert_eq!(sales_on_hub(&database), 1, "the backup's one sale");
    let replaced = Path::new(restored["replaced"].as_str().unwrap());
    let kept: i64 = rusqlite::Connection::open(replaced)
        .unwrap()
        .query_row("SELECT count(*) FROM sales", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 2, "the database it replaced, kept whole");
    drop(dir);
}
