//! What only PostgreSQL does, on the server `HIGHLAND_TEST_POSTGRES_URL`
//! names (`scripts/pg.sh start` starts a throwaway one and prints it; the
//! README's test command does both): schema upgrades under a lock, refusing
//! another program's database, and several hub processes on one database.
//! Everything else the hub does is tested on PostgreSQL by running the whole
//! suite with `HIGHLAND_TEST_HUB_BACKEND=postgres` (see `common/backend.rs`).
//! Each test makes a database of its own and drops it at the end. Without a
//! reachable server the tests fail, never skip.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use highland_domain::wire::{
    EnrollResponse, LoggedOperation, PROTOCOL_VERSION, SyncRequest, SyncResponse,
};
use highland_domain::{DeviceId, Operation, Payload, SaleId, ShortText, Unit};
use highland_hub::admin::{self, NewSeller};
use highland_hub::pg::PgHub;
use highland_hub::{AppState, ManualClock, RunningHub, SellerId, Storage};
use reqwest::StatusCode;

use common::{
    Device, NOW_MS, PostgresDatabase, applied, created, http_client, new_listing, op, received,
    sold,
};

/// Storage blocks (and the PostgreSQL client runs a runtime of its own), so
/// a test calls it off tokio's worker, as the HTTP layer does.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}

/// One hub process's worth: its own pool on the shared database.
struct Hub {
    url: String,
    http: reqwest::Client,
    store: Arc<PgHub>,
    running: Option<RunningHub>,
}

async fn spawn(db: &PostgresDatabase) -> Hub {
    let url = db.url.clone();
    let store = Arc::new(
        tokio::task::spawn_blocking(move || PgHub::open(&url))
            .await
            .unwrap()
            .unwrap(),
    );
    let state = AppState::new(store.clone(), Arc::new(ManualClock::at(NOW_MS)));
    let running = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    Hub {
        url: running.url(),
        http: http_client().build().unwrap(),
        store,
        running: Some(running),
    }
}

impl Hub {
    async fn stop(mut self) {
        self.running.take().unwrap().stop().await.unwrap();
    }

    fn add_seller(&self, name: &str) -> (SellerId, String) {
        let new = NewSeller {
            name: ShortText::parse(name).unwrap(),
            village: ShortText::parse("Yubeng").unwrap(),
            phone: None,
        };
        let added = blocking(|| admin::add_seller(self.store.as_ref(), new, NOW_MS)).unwrap();
        (added.seller_id.parse().unwrap(), added.code)
    }

    fn new_code(&self, seller: SellerId) -> String {
        blocking(|| admin::issue_device_code(self.store.as_ref(), seller, NOW_MS))
            .unwrap()
            .code
    }

    async fn enroll(&self, code: &str) -> Device {
        let id = DeviceId::new();
        let response = self
            .http
            .post(format!("{}/v1/enroll", self.url))
            .json(&serde_json::json!({
                "protocol": PROTOCOL_VERSION, "code": code, "device_id": id,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let enrolled: EnrollResponse = response.json().await.unwrap();
        Device {
            id,
            token: enrolled.device_token,
            seller_id: enrolled.seller_id,
        }
    }

    async fn sync(&self, device: &Device, ops: Vec<Operation>, cursor: u64) -> SyncResponse {
        let request = SyncRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device.id,
            cursor,
            operations: LoggedOperation::all(&ops).unwrap(),
            max_pull_bytes: 256 * 1024,
            last_pulled: None,
            own_too: false,
            platform: None,
            resent: Vec::new(),
            incarnation: None,
        };
        let response = self
            .http
            .post(format!("{}/v1/sync", self.url))
            .bearer_auth(&device.token)
            .json(&request)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_database_is_migrated_and_opens_again() {
    let db = PostgresDatabase::create();
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let first = PgHub::open(&url).unwrap();
        assert_eq!(first.log_length().unwrap(), 0);
        // A second process on the same database finds the work done.
        let second = PgHub::open(&url).unwrap();
        assert_eq!(second.log_length().unwrap(), 0);
        first.close().unwrap();
        second.close().unwrap();
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_another_program_is_refused() {
    let db = PostgresDatabase::create();
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        client.batch_execute("CREATE TABLE other (x int)").unwrap();
        let err = PgHub::open(&url).err().unwrap();
        assert!(
            matches!(err, highland_hub::Error::NotHubDatabase { .. }),
            "{err}"
        );
    })
    .await
    .unwrap();
}

/// Two hubs on one database serve the same devices interchangeably: each
/// device syncs through one hub, then the other, pushing sales and pulling,
/// some of them at the same time, and retrying some pushes through the other
/// hub as a device does when an answer is lost. Every sale is recorded
/// exactly once, and every device pulls every other device's sales exactly
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hubs_on_one_database_serve_devices_alternately() {
    const DEVICES: usize = 6;
    const ROUNDS: usize = 5;
    let db = PostgresDatabase::create();
    let hubs = [spawn(&db).await, spawn(&db).await];

    let (seller, code) = hubs[0].add_seller("Drolma");
    let mut devices = vec![hubs[1].enroll(&code).await];
    for i in 1..DEVICES {
        let code = hubs[i % 2].new_code(seller);
        devices.push(hubs[(i + 1) % 2].enroll(&code).await);
    }

    // One listing with plenty of stock, from the first device.
    let listing = new_listing("Wild honey", Unit::Jar, 4_500);
    let setup = vec![
        op(&devices[0], NOW_MS, created(&listing)),
        op(&devices[0], NOW_MS + 1, received(&listing, 100_000)),
    ];
    let response = hubs[0].sync(&devices[0], setup, 0).await;
    assert!(response.acks.iter().all(applied));

    let mut cursors = [0u64; DEVICES];
    let mut pulled: Vec<Vec<Operation>> = vec![Vec::new(); DEVICES];
    let mut pushed_sales: HashMap<SaleId, usize> = HashMap::new();
    for round in 0..ROUNDS {
        // Every device syncs at once, half through each hub.
        let mut tasks = Vec::new();
        for (i, device) in devices.iter().enumerate() {
            let hub = &hubs[(round + i) % 2];
            let other = &hubs[(round + i + 1) % 2];
            let sale = op(
                device,
                NOW_MS + 10 + round as u64,
                sold(&listing, 1 + i as i64),
            );
            let Payload::SaleRecorded { sale: s } = &sale.payload else {
                unreachable!()
            };
            pushed_sales.insert(s.id, i);
            let cursor = cursors[i];
            tasks.push(async move {
                let first = hub.sync(device, vec![sale.clone()], cursor).await;
                assert!(first.acks.iter().all(applied), "{:?}", first.acks);
                let mut ops = first.read_operations().unwrap();
                let mut cursor = first.cursor;
                // A retry through the other hub, as when the answer was lost.
                if round % 2 == 1 {
                    let again = other.sync(device, vec![sale], cursor).await;
                    assert!(again.acks.iter().all(applied), "{:?}", again.acks);
                    ops.extend(again.read_operations().unwrap());
                    cursor = again.cursor;
                }
                (ops, cursor)
            });
        }
        let results = futures_join_all(tasks).await;
        for (i, (ops, cursor)) in results.into_iter().enumerate() {
            pulled[i].extend(ops);
            cursors[i] = cursor;
        }
    }
    // A last pull for everyone, through the hub they did not use last.
    for (i, device) in devices.iter().enumerate() {
        loop {
            let response = hubs[(ROUNDS + i) % 2]
                .sync(device, vec![], cursors[i])
                .await;
            pulled[i].extend(response.read_operations().unwrap());
            cursors[i] = response.cursor;
            if !response.more {
                break;
            }
        }
    }

    // Each sale once in the merged state, seen the same through either hub.
    for hub in &hubs {
        let sales = blocking(|| hub.store.sales(None)).unwrap();
        assert_eq!(sales.len(), DEVICES * ROUNDS);
        let ids: HashSet<&str> = sales.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), sales.len());
        let listing_view = blocking(|| hub.store.listing(listing.id)).unwrap().unwrap();
        assert_eq!(listing_view.sales_count as usize, DEVICES * ROUNDS);
    }
    assert_eq!(
        blocking(|| hubs[0].store.log_length()).unwrap() as usize,
        2 + DEVICES * ROUNDS
    );
    // Each device pulled every other device's sales exactly once, and never its own.
    for (i, ops) in pulled.iter().enumerate() {
        let mut seen = HashMap::new();
        for o in ops {
            assert_ne!(
                o.device_id, devices[i].id,
                "a device got its own operation back"
            );
            *seen.entry(o.id).or_insert(0) += 1;
        }
        assert!(
            seen.values().all(|&n| n == 1),
            "device {i} pulled a duplicate"
        );
        let sales_seen = ops
            .iter()
            .filter(|o| matches!(o.payload, Payload::SaleRecorded { .. }))
            .count();
        let others = pushed_sales.values().filter(|&&d| d != i).count();
        assert_eq!(sales_seen, others, "device {i}");
    }

    for hub in hubs {
        hub.stop().await;
    }
}

/// `join_all` without the futures crate: runs the futures concurrently on
/// this task and returns their outputs in order.
async fn futures_join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in set.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.unwrap()).collect()
}
