//! A SQLite hub moved onto PostgreSQL with the real binary
//! (`highland-hub migrate --to URL`): its devices go on syncing with the
//! tokens and cursors they hold, what they had not sent yet goes through,
//! and staff keep their tokens. Needs PostgreSQL (see postgres.rs).

mod common;

use std::sync::Arc;

use common::*;
use highland_domain::Unit;
use highland_hub::pg::PgHub;
use highland_hub::{HubDb, Storage};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_hub_moves_to_postgres_and_its_devices_sync_on_without_enrolling() {
    // The SQLite hub, whatever back end this run is for.
    let dir = tempfile::tempdir().unwrap();
    let sqlite = TestDatabase::sqlite(dir.path());
    let store: Arc<dyn Storage> = Arc::new(off_runtime(|| HubDb::open_dir(dir.path()).unwrap()));
    let hub = serve_store(store, dir, sqlite, NOW_MS, Default::default()).await;
    let staff = hub.add_staff("Tashi");
    let first = hub.seller_with_device("ཟླ་བ Dawa").await;
    let second = hub.second_device(&first).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    hub.sync(
        &first,
        vec![
            op(&first, NOW_MS, created(&honey)),
            op(&first, NOW_MS + 1, received(&honey, 20)),
            op(&first, NOW_MS + 2, sold(&honey, 2)),
        ],
        0,
    )
    .await;
    let placed = hub
        .post_as(
            &staff.token,
            "/v1/orders",
            &serde_json::json!({"listing_id": honey.id, "quantity": 3,
                                "price_fen": 4000, "hand_over_by": "2026-06-05"}),
        )
        .await;
    assert_eq!(placed.status(), 201);
    let (pulled, cursor) = hub.pull_all(&second, 0).await;
    assert_eq!(pulled.len(), 4);
    let before = hub.db.incarnation(NOW_MS).unwrap();
    let (database, dir) = hub.stop_and_close().await;

    let postgres = PostgresDatabase::create();
    let pg_url = postgres.url.clone();
    let moved = json_of(
        database
            .hub_cli()
            .args(["migrate", "--json", "--to", &postgres.url]),
    );
    assert_eq!(moved["incarnation"]["reason"], "migrated");
    assert_eq!(moved["incarnation"]["number"], before.number + 1);
    let rows = |table: &str| {
        moved["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t[0] == table)
            .map(|t| t[1].as_u64().unwrap())
            .unwrap()
    };
    assert_eq!(rows("op_log"), 4);
    assert_eq!(rows("devices"), 2);

    // The same devices, tokens and cursors, on PostgreSQL.
    let url = postgres.url.clone();
    let store: Arc<dyn Storage> = Arc::new(off_runtime(move || PgHub::open(&url).unwrap()));
    let hub = serve_store(
        store,
        dir,
        TestDatabase::postgres(postgres),
        NOW_MS,
        Default::default(),
    )
    .await;
    // What the first device had not sent before the move goes through.
    let late = hub
        .sync(&first, vec![op(&first, NOW_MS + 3, sold(&honey, 1))], 0)
        .await;
    assert!(applied(&late.acks[0]), "{:?}", late.acks[0]);
    let history = late.history.unwrap();
    assert_ne!(history.incarnation, before.id);
    assert_eq!(history.log_end, 5, "positions go on after the moved log");
    // The second device picks up where it was: only the new sale.
    let (news, _) = hub.pull_all(&second, cursor).await;
    assert_eq!(news.len(), 1);
    assert_eq!(hub.listing(honey.id).sales_count, 2);
    // Staff keep their token.
    let orders = hub.get_as(&staff.token, "/v1/orders").await;
    assert_eq!(orders.status(), 200);

    // Moving again onto the same database is refused: it holds a hub.
    let refused = stderr_of_failure(database.hub_cli().args(["migrate", "--to", &pg_url]));
    assert!(refused.contains("already holds a hub"), "{refused}");
}
