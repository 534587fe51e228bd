//! `photo-bench`: a listing with three 4-megapixel photos, synced by the real `highland sync`
//! through the faulty proxy under the edge and the mountain link profiles, beside the link's
//! physical limit (the stored files' bytes at its upload rate). Prints a Markdown table.
//!
//! ```sh
//! cargo build --release -p highland-cli -p highland-hub
//! cargo run --release -p highland-e2e --bin photo-bench
//! cargo run --release -p highland-e2e --bin photo-bench -- --only mountain
//! ```
//!
//! Each profile gets a fresh hub, proxy and device. What crosses the link is measured at the
//! proxy (bytes delivered upstream, the operations' sync included), so cut requests count.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use highland_e2e::proxy::LinkProfile;
use highland_e2e::{Device, Hub, ProxyThread};
use highland_engine::photos::sample;

const SEED: u64 = 7;
const ATTEMPT: Duration = Duration::from_secs(600);

struct Row {
    profile: &'static str,
    stored: u64,
    sent: u64,
    took: Duration,
    limit: Duration,
    cuts: u64,
}

fn run(profile: LinkProfile) -> anyhow::Result<Row> {
    let hub = Hub::start()?;
    let link = ProxyThread::start(hub.addr(), LinkProfile::perfect(), SEED)?;
    let device = Device::new("tablet")?;
    let seller = hub.add_seller("Tsering", "Yubeng")?;
    device.enroll(&link.url(), &seller.code)?;
    let listing = device.add_listing("གཡག་ཤ 牦牛肉", "yak-meat", "kg", "68.50", "20")?;
    let camera = tempfile::tempdir()?;
    for seed in 0..3u64 {
        let path = camera.path().join(format!("IMG_{seed}.jpg"));
        std::fs::write(
            &path,
            // Odd seeds: the sample generator treats 2n and 2n + 1 alike.
            sample::jpeg(&sample::synthetic_photo(2448, 1632, 10 * seed + 11), 92),
        )?;
        device.ok(&[
            "photo",
            "add",
            "--listing",
            &listing,
            &path.to_string_lossy(),
        ])?;
    }
    let listed: serde_json::Value =
        serde_json::from_str(&device.ok(&["photo", "list", "--listing", &listing, "--json"])?)?;
    let stored: u64 = listed
        .as_array()
        .context("photo list prints an array")?
        .iter()
        .flat_map(|p| [&p["display"]["bytes"], &p["thumbnail"]["bytes"]])
        .filter_map(|b| b.as_u64())
        .sum();

    link.set_profile(profile);
    let before = link.stats();
    let started = Instant::now();
    let runs = device.sync_until_done(ATTEMPT, 3)?;
    let took = started.elapsed();
    let after = link.stats();
    ensure!(
        runs.report.photo_bytes_left == 0,
        "photos left: {:?}",
        runs.report
    );
    let up = profile
        .up_bits_per_sec
        .context("a profile with an upload limit")?;
    Ok(Row {
        profile: profile.name,
        stored,
        sent: after.bytes_up - before.bytes_up,
        took,
        limit: Duration::from_secs_f64(stored as f64 * 8.0 / up as f64),
        cuts: after.connections_cut - before.connections_cut,
    })
}

fn main() -> anyhow::Result<()> {
    let mut profiles = vec![LinkProfile::edge(), LinkProfile::mountain()];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--only" {
            let name = args.next().context("--only needs edge or mountain")?;
            profiles.retain(|p| p.name == name);
        }
    }
    println!(
        "| profile | photo bytes stored | bytes up | bytes up / stored | time | physical limit | time / limit | cuts |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for profile in profiles {
        let row = run(profile)?;
        println!(
            "| {} | {} | {} | {:.3} | {:.1} s | {:.1} s | {:.2} | {} |",
            row.profile,
            row.stored,
            row.sent,
            row.sent as f64 / row.stored as f64,
            row.took.as_secs_f64(),
            row.limit.as_secs_f64(),
            row.took.as_secs_f64() / row.limit.as_secs_f64(),
            row.cuts,
        );
    }
    Ok(())
}
