use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use highland_domain::CheckedCode;
use highland_engine::Store;
use highland_engine::sync::{self, HubCa, SyncEvent, SyncOptions, SyncReport};
use highland_seller::{SyncSchedule, Turn};

/// How often `--watch` looks for local writes (another process's, so it
/// cannot be told); it syncs anyway on highland-seller's schedule.
const WATCH_POLL: Duration = Duration::from_secs(1);

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub fn enroll(
    store: Store,
    hub: &str,
    code: &str,
    ca: Option<&Path>,
    json: bool,
) -> anyhow::Result<()> {
    let code = CheckedCode::parse(code)?;
    let ca = ca.map(HubCa::read).transpose()?;
    let trusts_ca = ca.is_some();
    let store = Mutex::new(store);
    let enrollment = runtime()?.block_on(sync::enroll(&store, hub, code, ca))?;
    if json {
        super::print_json(&serde_json::json!({
            "hub": enrollment.hub_url,
            "seller_id": enrollment.seller_id,
            "seller_name": enrollment.seller_name,
            "village": enrollment.village,
            "hub_ca": trusts_ca,
        }))
    } else {
        println!(
            "enrolled as {} ({}) with {}",
            enrollment.seller_name, enrollment.village, enrollment.hub_url
        );
        if trusts_ca {
            println!("trusting the hub's own certificate authority for every sync");
        }
        Ok(())
    }
}

pub fn run(
    store: Store,
    json: bool,
    timeout: Option<u64>,
    watch: bool,
    photos: bool,
) -> anyhow::Result<()> {
    let deadline = timeout.map(|s| Instant::now() + Duration::from_secs(s));
    let data_saver = store.settings()?.data_saver;
    let fetch_photos = highland_seller::photos::fetch_other_devices_photos(data_saver, photos);
    let store = Mutex::new(store);
    let rt = runtime()?;
    let options = SyncOptions {
        deadline,
        fetch_photos,
        ..SyncOptions::default()
    };
    let mut on_event = |event: SyncEvent| {
        if let SyncEvent::Retrying { error, wait } = event {
            eprintln!("retrying in {:.1} s: {error}", wait.as_secs_f64());
        }
    };
    if !watch {
        let report = rt.block_on(sync::sync(&store, &options, &mut on_event))?;
        return print_report(&report, json);
    }
    // A sync that fails here has retried until the deadline, or met what
    // retrying cannot mend (not enrolled, revoked): either ends the watch.
    let mut schedule = SyncSchedule::default();
    rt.block_on(async {
        loop {
            let report = sync::sync(&store, &options, &mut on_event).await?;
            print_report(&report, json)?;
            // Sync again after the next local write, or on the schedule.
            let wait = schedule.after(Turn::Synced, data_saver, 0.0);
            let rested = Instant::now();
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(());
                }
                tokio::time::sleep(WATCH_POLL).await;
                let pending = store
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .pending_count()?;
                if pending > 0 || rested.elapsed() >= wait {
                    break;
                }
            }
        }
    })
}

fn print_report(report: &SyncReport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
    } else {
        println!(
            "pushed {}, pulled {}, refused {} in {} round trip{} ({} bytes up, {} retries); {} waiting",
            report.pushed,
            report.pulled,
            report.refused,
            report.round_trips,
            if report.round_trips == 1 { "" } else { "s" },
            report.bytes_up,
            report.retries,
            report.pending_ops,
        );
        if report.photos_uploaded + report.photos_downloaded + report.photo_bytes_left > 0 {
            println!(
                "photos: {} uploaded ({} bytes sent), {} downloaded ({} bytes); {} bytes left to upload",
                report.photos_uploaded,
                report.photo_bytes_up,
                report.photos_downloaded,
                report.photo_bytes_down,
                report.photo_bytes_left,
            );
        }
    }
    Ok(())
}
