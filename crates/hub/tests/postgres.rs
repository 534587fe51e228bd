//! The hub on PostgreSQL, on the server `HIGHLAND_TEST_POSTGRES_URL` names
//! (`scripts/pg.sh start` starts a throwaway one and prints it; the README's
//! test command does both). Each test makes a database of its own there and
//! drops it at the end. Without a reachable server the tests fail, never skip.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use highland_domain::wire::{EnrollResponse, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use highland_domain::{DeviceId, Operation, Payload, SaleId, ShortText, Unit};
use highland_hub::admin::{self, NewSeller};
use highland_hub::pg::PgHub;
use highland_hub::{AppState, ManualClock, RunningHub, SellerId, Storage};
use reqwest::StatusCode;

use common::{Device, NOW_MS, applied, created, http_client, new_listing, op, received, sold};

const URL_VAR: &str = "HIGHLAND_TEST_POSTGRES_URL";

/// A database of the test's own on the test server, dropped with the guard.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Always `Some`: a missing server fails the test instead of skipping it.
    fn create() -> Option<TestDatabase> {
        let admin_url = std::env::var(URL_VAR)
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| {
                panic!("{URL_VAR} is not set: run ./scripts/test.sh, or start a server with scripts/pg.sh start")
            });
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut client = postgres::Client::connect(&admin_url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{URL_VAR} is set but PostgreSQL is unreachable: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let (base, _) = admin_url
            .split('?')
            .next()
            .unwrap()
            .rsplit_once('/')
            .expect("a URL with a database name");
        let url = format!("{base}/{name}");
        Some(TestDatabase {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // On a thread of its own: the sync client cannot run inside tokio.
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(mut client) = postgres::Client::connect(&url, postgres::NoTls) {
                let _ =
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        })
        .join();
    }
}

macro_rules! database_or_skip {
    () => {
        match std::thread::spawn(TestDatabase::create).join().unwrap() {
            Some(db) => db,
            None => {
                eprintln!("{URL_VAR} is not set: skipped");
                return;
            }
        }
    };
}

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

async fn spawn(db: &TestDatabase) -> Hub {
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
            operations: ops,
            max_pull_bytes: 256 * 1024,
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
    let db = database_or_skip!();
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
    let db = database_or_skip!();
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
    let db = database_or_skip!();
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
                let mut ops = first.operations;
                let mut cursor = first.cursor;
                // A retry through the other hub, as when the answer was lost.
                if round % 2 == 1 {
                    let again = other.sync(device, vec![sale], cursor).await;
                    assert!(again.acks.iter().all(applied), "{:?}", again.acks);
                    ops.extend(again.operations);
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
            pulled[i].extend(response.operations);
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

/// Staff, sessions, the catalog and orders on PostgreSQL, through the
/// storage methods the HTTP handlers call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_catalog_and_orders_work_on_postgres() {
    use highland_domain::{OrderAction, OrderId, Price, Quantity, Reason};
    use highland_hub::catalog::{ListingQuery, SellerQuery};
    use highland_hub::orders::{NewOrder, OrderFilter};
    use highland_hub::secret::SecretHash;
    use highland_hub::staff::{self, LoginAttempt, LoginOutcome, LoginRules};

    let db = database_or_skip!();
    let hub = spawn(&db).await;
    let (_, code) = hub.add_seller("Pema");
    let device = hub.enroll(&code).await;
    let listing = new_listing("Barley", Unit::Jar, 800);
    let setup = vec![
        op(&device, NOW_MS, created(&listing)),
        op(&device, NOW_MS + 1, received(&listing, 50)),
    ];
    assert!(hub.sync(&device, setup, 0).await.acks.iter().all(applied));

    let store = hub.store.clone();
    let listing_id = listing.id;
    blocking(move || {
        let store = store.as_ref();
        let added = staff::add_staff(store, ShortText::parse("Lhamo").unwrap(), NOW_MS).unwrap();
        let again = staff::add_staff(store, ShortText::parse("Lhamo").unwrap(), NOW_MS);
        assert!(
            matches!(again, Err(highland_hub::Error::StaffNameTaken(_))),
            "{again:?}"
        );
        assert_eq!(store.staff().unwrap().len(), 1);
        let member = store
            .staff_by_token(&SecretHash::of(&added.token))
            .unwrap()
            .unwrap();
        assert_eq!(member.name, "Lhamo");

        let attempt = |token: &str| LoginAttempt {
            name: "Lhamo".into(),
            token: SecretHash::of(token),
            address_key: "addr:127.0.0.1".into(),
            session: SecretHash::of("session"),
            now_ms: NOW_MS,
        };
        let rules = LoginRules::default();
        assert!(matches!(
            store.log_in(&attempt("wrong"), &rules).unwrap(),
            LoginOutcome::Refused
        ));
        assert!(matches!(
            store.log_in(&attempt(&added.token), &rules).unwrap(),
            LoginOutcome::LoggedIn { .. }
        ));
        let session = SecretHash::of("session");
        assert!(store.staff_by_session(&session, NOW_MS).unwrap().is_some());
        store.end_session(&session).unwrap();
        assert!(store.staff_by_session(&session, NOW_MS).unwrap().is_none());

        let page = store.catalog_listings(&ListingQuery::default()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(
            store
                .catalog_sellers(&SellerQuery::default())
                .unwrap()
                .items
                .len(),
            1
        );
        let detail = store.catalog_listing(listing_id).unwrap().unwrap();
        assert_eq!(detail.listing.stock, 50);

        let order = NewOrder {
            id: OrderId::new(),
            listing_id,
            quantity: Quantity::from_base(20, Unit::Jar).unwrap(),
            unit_price: Price::from_fen(800).unwrap(),
            hand_over_by: None,
            note: None,
        };
        let placed = store.place_order(&order, Some("Lhamo"), NOW_MS).unwrap();
        assert_eq!(placed.order.state, "placed");
        let cancelled = store
            .act_on_order(
                order.id,
                OrderAction::Cancel {
                    reason: Reason::parse("no longer needed").unwrap(),
                },
                Some("Lhamo"),
                NOW_MS + 5,
            )
            .unwrap();
        assert_eq!(cancelled.order.state, "cancelled");
        assert_eq!(cancelled.history.len(), 2);
        assert_eq!(
            store.orders(&OrderFilter::default()).unwrap().orders.len(),
            1
        );
        assert_eq!(store.order(order.id).unwrap().unwrap(), cancelled);

        let revoked = store.revoke_staff("Lhamo", NOW_MS + 9).unwrap();
        assert_eq!(revoked.revoked_at_ms, Some(NOW_MS + 9));
        assert!(
            store
                .staff_by_token(&SecretHash::of(&added.token))
                .unwrap()
                .is_none()
        );
    });
    // The device pulls the hub's order operations.
    let response = hub.sync(&device, vec![], 0).await;
    assert_eq!(response.operations.len(), 2, "placement and cancellation");
    hub.stop().await;
}
