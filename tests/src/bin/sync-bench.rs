//! `sync-bench`: 1,000 offline changes synced through the faulty proxy under the edge and the
//! mountain link profiles, by the real `highland sync` and by a naive client that POSTs one
//! change per request, beside the physical limit of the link. Prints a Markdown table.
//!
//! ```sh
//! cargo run --release -p highland-e2e --bin sync-bench
//! cargo run --release -p highland-e2e --bin sync-bench -- --only edge --naive-sample 10
//! ```
//!
//! Runs the real `highland-hub` and `highland` binaries found next to this one (built first
//! with the same profile; see `highland_e2e::bins`). Each client gets a fresh hub and a fresh
//! proxy. Both clients send exactly the same 1,000 operations: the naive client's device is a
//! copy of the recording device's data directory, taken before it synced.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use highland_domain::DeviceId;
use highland_domain::wire::{
    AckOutcome, LoggedOperation, PROTOCOL_VERSION, SyncRequest, SyncResponse,
};
use highland_e2e::proxy::{LinkProfile, ProxyStats};
use highland_e2e::{Device, Hub, ProxyThread};

/// The proxies' faults (loss, jitter, cuts) come from this seed.
const SEED: u64 = 3;
/// 20 listings (each two operations: the listing and its stock received), 160 price edits and
/// 800 sales: 1,000 operations in the outbox.
const LISTINGS: usize = 20;
const EDITS: usize = 160;
const SALES: usize = 800;
const CHANGES: usize = 2 * LISTINGS + EDITS + SALES;
/// The naive client is timed over this many requests and extrapolated linearly to all of them:
/// 1,000 requests at a 2 s round trip would take most of an hour.
const NAIVE_SAMPLE: usize = 100;
/// A `highland sync` that needs longer than this is a failure of the bench.
const SYNC_TIMEOUT: Duration = Duration::from_secs(1800);

struct Options {
    profiles: Vec<LinkProfile>,
    naive_sample: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        profiles: vec![LinkProfile::edge(), LinkProfile::mountain()],
        naive_sample: NAIVE_SAMPLE,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--only" => {
                let name = args.next().context("--only needs edge or mountain")?;
                options.profiles.retain(|p| p.name == name);
                ensure!(!options.profiles.is_empty(), "no profile named {name:?}");
            }
            "--naive-sample" => {
                options.naive_sample = args
                    .next()
                    .context("--naive-sample needs a number")?
                    .parse()?;
                ensure!(
                    options.naive_sample > 0,
                    "--naive-sample must be at least 1"
                );
            }
            other => bail!(
                "unknown argument {other:?}; usage: sync-bench [--only edge|mountain] \
                 [--naive-sample N]"
            ),
        }
    }
    Ok(options)
}

/// One client's run over one profile.
#[derive(Debug, Clone, Default)]
struct Run {
    bytes_up: u64,
    bytes_down: u64,
    /// Requests that got an answer.
    round_trips: u64,
    /// Requests that failed (a cut, a timeout) and were sent again.
    retries: u64,
    time: Duration,
    /// Set when measured over this many requests and scaled to all of them.
    sampled: Option<usize>,
}

struct Row {
    profile: &'static str,
    limit_bytes: u64,
    limit: Duration,
    highland: Run,
    naive: Run,
}

fn main() -> anyhow::Result<()> {
    let options = options()?;
    let started = Instant::now();
    let mut rows = Vec::new();
    for profile in &options.profiles {
        rows.push(bench(*profile, options.naive_sample)?);
    }
    println!("{}", table(&rows));
    eprintln!("bench done in {:.0?}", started.elapsed());
    Ok(())
}

fn bench(profile: LinkProfile, naive_sample: usize) -> anyhow::Result<Row> {
    eprintln!("== {}", profile.name);
    let hub = Hub::start()?;
    // Enroll over a perfect link, then make it bad: enrollment is not what is measured.
    let link = ProxyThread::start(hub.addr(), LinkProfile::perfect(), SEED)?;
    let device = Device::new("bench")?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    device.enroll(&link.url(), &seller.code)?;
    let recording = Instant::now();
    record(&device)?;
    eprintln!("recorded {CHANGES} changes in {:.0?}", recording.elapsed());
    let naive_device = device.copy_as("naive")?;

    let (operations, _, _) = outbox(&device)?;
    ensure!(
        operations.len() == CHANGES,
        "{} operations wait, not {CHANGES}",
        operations.len()
    );
    let limit_bytes = zstd::encode_all(serde_json::to_vec(&operations)?.as_slice(), 3)?.len();
    let up_bits = profile
        .up_bits_per_sec
        .context("the profile has no uplink limit")?;
    let limit =
        Duration::from_secs_f64(limit_bytes as f64 * 8.0 / up_bits as f64) + profile.round_trip;

    link.set_profile(profile);
    let highland = highland_sync(&device, &link)?;
    ensure!(
        hub.sales()?.len() == SALES,
        "after the sync the hub has {} sales, not {SALES}",
        hub.sales()?.len()
    );
    eprintln!("highland sync: {highland:?}");
    drop(link);
    drop(hub);

    let naive = naive(&naive_device, profile, naive_sample)?;
    eprintln!("naive: {naive:?}");
    Ok(Row {
        profile: profile.name,
        limit_bytes: limit_bytes as u64,
        limit,
        highland,
        naive,
    })
}

/// 20 listings, then 800 sales and 160 price edits interleaved, all offline.
fn record(device: &Device) -> anyhow::Result<()> {
    let mut listings = Vec::new();
    for n in 0..LISTINGS {
        let title = format!("གཡག་ཤ 牦牛肉 Yak meat, lot {n}");
        listings.push(device.add_listing(&title, "yak-meat", "kg", "68.50", "1000")?);
    }
    for n in 0..SALES + EDITS {
        let listing = &listings[n % LISTINGS];
        if n % 6 == 5 {
            device.edit_price(listing, &format!("{}.{:02}", 60 + n % 20, n % 100))?;
        } else {
            device.sell(listing, ["0.5", "1", "2.25"][n % 3])?;
        }
    }
    let pending = device.status()?.pending_ops;
    ensure!(
        pending == CHANGES as u64,
        "{pending} changes wait, not {CHANGES}"
    );
    Ok(())
}

/// Everything waiting in the device's outbox, its id and its token, read with the engine.
fn outbox(device: &Device) -> anyhow::Result<(Vec<LoggedOperation>, DeviceId, String)> {
    let store = highland_engine::Store::open_dir(device.data_dir())?;
    let operations = store.next_push(usize::MAX, usize::MAX)?.operations;
    let token = store
        .enrollment()?
        .context("the device is not enrolled")?
        .device_token;
    Ok((operations, store.device_id(), token))
}

fn since(before: ProxyStats, after: ProxyStats) -> (u64, u64) {
    (
        after.bytes_up - before.bytes_up,
        after.bytes_down - before.bytes_down,
    )
}

/// `highland sync --json`, run again if it ever gives up, until everything is acknowledged.
fn highland_sync(device: &Device, link: &ProxyThread) -> anyhow::Result<Run> {
    let before = link.stats();
    let started = Instant::now();
    let mut run = Run::default();
    loop {
        match device.sync(SYNC_TIMEOUT) {
            Ok(report) => {
                run.round_trips += u64::from(report.round_trips);
                run.retries += u64::from(report.retries);
                ensure!(report.pending_ops == 0 && report.refused == 0, "{report:?}");
                break;
            }
            Err(failure) if failure.is_hang() => bail!("highland sync hung: {failure}"),
            Err(failure) => {
                eprintln!("highland sync gave up, running it again: {failure}");
                run.retries += 1;
            }
        }
    }
    run.time = started.elapsed();
    (run.bytes_up, run.bytes_down) = since(before, link.stats());
    Ok(run)
}

/// A client with no batching: each operation alone in one `POST /v1/sync`, its JSON body
/// uncompressed, over one keep-alive connection (opened again after a cut); a request that
/// fails is sent again after a second until it is acknowledged. Timed over the first
/// `sample` operations, on a fresh hub, and scaled to all of them.
fn naive(device: &Device, profile: LinkProfile, sample: usize) -> anyhow::Result<Run> {
    let hub = Hub::start()?;
    let link = ProxyThread::start(hub.addr(), LinkProfile::perfect(), SEED)?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    // A new hub: the copy enrolls again, and everything is pending for it.
    device.enroll(&link.url(), &seller.code)?;
    let (operations, device_id, token) = outbox(device)?;
    let sample = sample.min(operations.len());
    link.set_profile(profile);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let before = link.stats();
    let started = Instant::now();
    let mut run = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(60))
            .build()?;
        let url = format!("{}/v1/sync", link.url());
        let mut run = Run::default();
        let mut cursor = 0;
        for (n, operation) in operations.iter().take(sample).enumerate() {
            let request = SyncRequest {
                protocol: PROTOCOL_VERSION,
                device_id,
                cursor,
                operations: vec![operation.clone()],
                max_pull_bytes: 64 * 1024,
                last_pulled: None,
                own_too: false,
                platform: None,
                resent: Vec::new(),
                incarnation: None,
            };
            loop {
                match post(&http, &url, &token, &request).await {
                    Ok(response) => {
                        ensure!(
                            matches!(
                                response.acks.as_slice(),
                                [ack] if matches!(ack.outcome, AckOutcome::Applied { .. })
                            ),
                            "operation {n} not applied: {:?}",
                            response.acks
                        );
                        cursor = response.cursor;
                        run.round_trips += 1;
                        break;
                    }
                    Err(e) => {
                        run.retries += 1;
                        eprintln!("naive: request {n} failed, again in 1 s: {e:#}");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        }
        anyhow::Ok(run)
    })?;
    run.time = started.elapsed();
    (run.bytes_up, run.bytes_down) = since(before, link.stats());
    ensure!(
        hub.sales()?.len() <= SALES,
        "the naive client doubled sales on the hub"
    );
    if sample < operations.len() {
        let scale = operations.len() as f64 / sample as f64;
        let scaled = |x: u64| (x as f64 * scale).round() as u64;
        run = Run {
            bytes_up: scaled(run.bytes_up),
            bytes_down: scaled(run.bytes_down),
            round_trips: scaled(run.round_trips),
            retries: scaled(run.retries),
            time: run.time.mul_f64(scale),
            sampled: Some(sample),
        };
    }
    Ok(run)
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    request: &SyncRequest,
) -> anyhow::Result<SyncResponse> {
    let response = http
        .post(url)
        .bearer_auth(token)
        .json(request)
        .send()
        .await?;
    let status = response.status();
    let body = response.bytes().await?;
    ensure!(
        status.is_success(),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(serde_json::from_slice(&body)?)
}

fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| profile | client | bytes up | bytes down | round trips | time \
         | time / physical limit | time / naive |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    let mut notes = Vec::new();
    for row in rows {
        let limit = row.limit.as_secs_f64();
        let naive = row.naive.time.as_secs_f64();
        let _ = writeln!(
            out,
            "| {} | physical limit | {} | | 1 | {} | 1.00 | {:.3} |",
            row.profile,
            thousands(row.limit_bytes),
            duration(row.limit),
            limit / naive,
        );
        for (client, run) in [("highland sync", &row.highland), ("naive", &row.naive)] {
            let approx = if run.sampled.is_some() { "≈ " } else { "" };
            let _ = writeln!(
                out,
                "| {} | {client} | {approx}{} | {approx}{} | {approx}{}{} | {approx}{} \
                 | {:.1} | {:.3} |",
                row.profile,
                thousands(run.bytes_up),
                thousands(run.bytes_down),
                thousands(run.round_trips),
                if run.retries > 0 {
                    format!(" (+{} failed)", thousands(run.retries))
                } else {
                    String::new()
                },
                duration(run.time),
                run.time.as_secs_f64() / limit,
                run.time.as_secs_f64() / naive,
            );
            if let Some(sample) = run.sampled {
                notes.push(format!(
                    "{}: the naive client was measured over its first {sample} requests and \
                     scaled linearly to {CHANGES} (≈).",
                    row.profile
                ));
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{CHANGES} operations ({LISTINGS} listings with their stock, {EDITS} price edits, \
         {SALES} sales). Bytes are TCP payload delivered by the proxy, HTTP headers included. \
         Physical limit: the operations as one zstd-compressed JSON array, divided by the \
         uplink's bandwidth, plus one round trip. Round trips: requests answered, with failed \
         attempts in brackets."
    );
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
    out
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs >= 120.0 {
        format!("{:.1} min", secs / 60.0)
    } else {
        format!("{secs:.1} s")
    }
}
