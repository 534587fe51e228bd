//! A load benchmark: 1,000 simulated devices syncing at
//! once over loopback, each pushing a few operations and pulling what its
//! seller's other devices pushed, against one in-process hub on SQLite and
//! (when `HIGHLAND_TEST_POSTGRES_URL` names a server) on PostgreSQL.
//!
//! ```text
//! HIGHLAND_TEST_POSTGRES_URL=$(scripts/pg.sh start) \
//!   cargo bench -p highland-hub --bench load
//! ```
//!
//! Prints one Markdown table row per backend: syncs per second and the
//! p50/p99 latency of one sync request. Results are in docs/bench.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use highland_domain::wire::{
    EnrollResponse, LoggedOperation, PROTOCOL_VERSION, SyncRequest, SyncResponse,
};
use highland_domain::{DeviceId, ShortText, Unit};
use highland_hub::admin::{self, NewSeller};
use highland_hub::pg::PgHub;
use highland_hub::{AppState, HubDb, ManualClock, Storage};

use common::{Device, NOW_MS, created, http_client, new_listing, op, received, sold};

const DEVICES: usize = 1_000;
const DEVICES_PER_SELLER: usize = 10;
const OPS_PER_DEVICE: usize = 3;

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(load_bench());
}

async fn load_bench() {
    println!("| backend | devices | syncs | wall time | syncs/s | ops/s | p50 | p99 |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let dir = tempfile::tempdir().unwrap();
    let sqlite: Arc<dyn Storage> = Arc::new(HubDb::open_dir(dir.path()).unwrap());
    run("SQLite", sqlite).await;
    if let Some(admin_url) = std::env::var("HIGHLAND_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
        let url = {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                let (base, _) = admin_url.rsplit_once('/').unwrap();
                format!("{base}/{name}")
            })
            .join()
            .unwrap()
        };
        let pg: Arc<dyn Storage> = Arc::new(
            tokio::task::spawn_blocking(move || PgHub::open_with(&url, 32))
                .await
                .unwrap()
                .unwrap(),
        );
        run("PostgreSQL", pg).await;
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
            let _ = client.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
        })
        .join()
        .unwrap();
    }
}

async fn run(backend: &str, store: Arc<dyn Storage>) {
    let state = AppState::new(store.clone(), Arc::new(ManualClock::at(NOW_MS)));
    let running = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let url = running.url();
    let http = http_client()
        .pool_max_idle_per_host(DEVICES)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();

    // Setup, not measured: sellers, enrolled devices, one listing each.
    let mut devices = Vec::new();
    let mut listings = Vec::new();
    for s in 0..DEVICES / DEVICES_PER_SELLER {
        let store = store.clone();
        let added = tokio::task::spawn_blocking(move || {
            let new = NewSeller {
                name: ShortText::parse(&format!("Seller {s}")).unwrap(),
                village: ShortText::parse("Yubeng").unwrap(),
                phone: None,
            };
            let added = admin::add_seller(store.as_ref(), new, NOW_MS).unwrap();
            let seller = added.seller_id.parse().unwrap();
            let mut codes = vec![added.code];
            for _ in 1..DEVICES_PER_SELLER {
                codes.push(
                    admin::issue_device_code(store.as_ref(), seller, NOW_MS)
                        .unwrap()
                        .code,
                );
            }
            codes
        })
        .await
        .unwrap();
        let listing = new_listing("Honey", Unit::Jar, 4500);
        for (i, code) in added.iter().enumerate() {
            let id = DeviceId::new();
            let enrolled: EnrollResponse = http
                .post(format!("{url}/v1/enroll"))
                .json(&serde_json::json!({
                    "protocol": PROTOCOL_VERSION, "code": code, "device_id": id,
                }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let device = Device {
                id,
                token: enrolled.device_token,
                seller_id: enrolled.seller_id,
            };
            if i == 0 {
                let ops = vec![
                    op(&device, NOW_MS, created(&listing)),
                    op(&device, NOW_MS + 1, received(&listing, 1_000_000)),
                ];
                sync(&http, &url, &device, ops, 0).await;
            }
            devices.push(device);
            listings.push(listing.clone());
        }
    }

    // Measured: every device at once pushes its operations, then pulls
    // until nothing is left.
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (device, listing) in devices.into_iter().zip(listings) {
        let (http, url) = (http.clone(), url.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let ops = (0..OPS_PER_DEVICE)
                .map(|k| op(&device, NOW_MS + 10 + k as u64, sold(&listing, 1)))
                .collect();
            let t = Instant::now();
            let mut response = sync(&http, &url, &device, ops, 0).await;
            latencies.push(t.elapsed());
            while response.more {
                let t = Instant::now();
                response = sync(&http, &url, &device, vec![], response.cursor).await;
                latencies.push(t.elapsed());
            }
            latencies
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.unwrap());
    }
    let wall = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let syncs = latencies.len();
    println!(
        "| {backend} | {DEVICES} | {syncs} | {:.2} s | {:.0} | {:.0} | {:.0} ms | {:.0} ms |",
        wall.as_secs_f64(),
        syncs as f64 / wall.as_secs_f64(),
        (DEVICES * OPS_PER_DEVICE) as f64 / wall.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
    );
    let expected_sales = DEVICES * OPS_PER_DEVICE;
    let sales = tokio::task::spawn_blocking(move || store.sales(None).unwrap().len())
        .await
        .unwrap();
    assert_eq!(sales, expected_sales);
    running.stop().await.unwrap();
}

async fn sync(
    http: &reqwest::Client,
    url: &str,
    device: &Device,
    operations: Vec<highland_domain::Operation>,
    cursor: u64,
) -> SyncResponse {
    let response = http
        .post(format!("{url}/v1/sync"))
        .bearer_auth(&device.token)
        .json(&SyncRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device.id,
            cursor,
            operations: LoggedOperation::all(&operations).unwrap(),
            max_pull_bytes: 256 * 1024,
            last_pulled: None,
            own_too: false,
            platform: None,
            resent: Vec::new(),
            incarnation: None,
        })
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}
