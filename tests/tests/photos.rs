//! Issue 7: a seller adds three 4-megapixel photos to a yak-meat listing and syncs over the
//! mountain link, with its connections cut again and again, using the real `highland-hub` and
//! `highland` binaries. The listing reaches the hub before any photo file; then every file
//! arrives byte-identical to the device's, without starting over (the bytes that crossed the
//! link stay within 10% of the files' size), and a byte damaged on the way is caught by its
//! frame's checksum and sent again. The seller's second device then fetches them intact.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use highland_e2e::proxy::LinkProfile;
use highland_e2e::{Device, Hub, ProxyThread};
use highland_engine::photos::sample;

const SEED: u64 = 0x5048_4f54_4f53;
/// One attempt of `highland sync --timeout`; a seller whose sync gives up runs it again.
const ATTEMPT: Duration = Duration::from_secs(300);
const ATTEMPTS: usize = 4;

/// The mountain preset (20 kbit/s up, 2 s round trips, jitter, 3% loss) with its cuts brought
/// forward from every 30-120 s to every 20-40 s: one lands in every request or second request
/// of about twenty seconds, about ten over the upload. (Each cut costs a new connection and
/// a `HEAD`, three round trips of 2 s; cutting every request would make the test take ten
/// minutes without testing anything more.)
fn cut_often() -> LinkProfile {
    LinkProfile::mountain()
        .with_cuts_every(Duration::from_secs(20), Duration::from_secs(40))
        .named("mountain, cut every 20-40 s")
}

/// Three tablet photos of 4 megapixels (2448 x 1632), written where a camera would leave them.
fn camera_roll(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    (0..3u64)
        .map(|seed| {
            let path = dir.join(format!("IMG_000{seed}.jpg"));
            std::fs::write(
                &path,
                // Odd seeds: the sample generator treats 2n and 2n + 1 alike.
                sample::jpeg(&sample::synthetic_photo(2448, 1632, 10 * seed + 11), 92),
            )?;
            Ok(path)
        })
        .collect()
}

/// The files a photo list names: (sha256, bytes).
fn files_of(photos: &serde_json::Value) -> Vec<(String, u64)> {
    let mut files = Vec::new();
    for photo in photos.as_array().into_iter().flatten() {
        for version in ["thumbnail", "display"] {
            let file = &photo[version];
            files.push((
                file["sha256"].as_str().unwrap_or_default().to_owned(),
                file["bytes"].as_u64().unwrap_or_default(),
            ));
        }
    }
    files
}

/// When the listing, and then the first photo file, showed up on the hub.
#[derive(Default, Debug)]
struct Arrivals {
    listing: Option<Instant>,
    first_photo: Option<Instant>,
}

fn watch_hub(hub_data: PathBuf, hub: &Hub, stop: Arc<AtomicBool>) -> Arrivals {
    let mut arrivals = Arrivals::default();
    while !stop.load(Ordering::Relaxed) {
        if arrivals.listing.is_none() && hub.listings().is_ok_and(|l| !l.is_empty()) {
            arrivals.listing = Some(Instant::now());
        }
        let stored = std::fs::read_dir(hub_data.join("photos")).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".jpg"))
        });
        if arrivals.first_photo.is_none() && stored {
            arrivals.first_photo = Some(Instant::now());
        }
        thread::sleep(Duration::from_millis(500));
    }
    arrivals
}

#[test]
fn three_photos_follow_their_listing_over_the_mountain_intact_and_without_starting_over()
-> anyhow::Result<()> {
    let hub = Hub::start()?;
    let link = ProxyThread::start(hub.addr(), LinkProfile::perfect(), SEED)?;
    let device = Device::new("tablet")?;
    let seller = hub.add_seller("Tsering", "Yubeng")?;
    device.enroll(&link.url(), &seller.code)?;

    let listing = device.add_listing("གཡག་ཤ 牦牛肉", "yak-meat", "kg", "68.50", "20")?;
    let camera = tempfile::tempdir()?;
    for picture in camera_roll(camera.path())? {
        let path = picture.to_string_lossy().into_owned();
        device.ok(&["photo", "add", "--listing", &listing, &path])?;
    }
    let listed = device.ok(&["photo", "list", "--listing", &listing, "--json"])?;
    let files = files_of(&serde_json::from_str(&listed)?);
    let distinct: std::collections::BTreeSet<&String> = files.iter().map(|(sha, _)| sha).collect();
    ensure!(
        files.len() == 6 && distinct.len() == 6,
        "three photos name six different files: {listed}"
    );
    let stored_bytes: u64 = files.iter().map(|(_, b)| b).sum();

    link.set_profile(cut_often());
    // Damage one byte of the first upload request's body, well past its headers.
    link.corrupt_once(b"application/vnd.highland.photo-frames", 600);
    let before = link.stats();
    let stop = Arc::new(AtomicBool::new(false));
    let arrivals = thread::scope(|scope| -> anyhow::Result<Arrivals> {
        let watcher = {
            let stop = Arc::clone(&stop);
            let data = hub.data_dir().to_owned();
            let hub = &hub;
            scope.spawn(move || watch_hub(data, hub, stop))
        };
        let runs = device.sync_until_done(ATTEMPT, ATTEMPTS);
        stop.store(true, Ordering::Relaxed);
        let arrivals = watcher.join().expect("the watcher does not panic");
        let runs = runs?;
        ensure!(
            runs.report.photo_bytes_left == 0,
            "the sync finished with photo bytes left: {:?}",
            runs.report
        );
        Ok(arrivals)
    })?;
    let after = link.stats();

    // The listing first, then the photos.
    let (listing_at, photo_at) = (
        arrivals
            .listing
            .context("the listing never reached the hub")?,
        arrivals
            .first_photo
            .context("no photo file reached the hub")?,
    );
    ensure!(
        listing_at <= photo_at,
        "a photo file reached the hub before its listing: {arrivals:?}"
    );

    // Every file, byte for byte.
    let device_photos = device.data_dir().join("photos");
    let hub_photos = hub.data_dir().join("photos");
    for (sha, bytes) in &files {
        let here = std::fs::read(device_photos.join(format!("{sha}.jpg")))?;
        let there = std::fs::read(hub_photos.join(format!("{sha}.jpg")))
            .with_context(|| format!("the hub has no file {sha}"))?;
        ensure!(
            here.len() as u64 == *bytes,
            "device file {sha} is not its listed size"
        );
        ensure!(
            here == there,
            "the hub's copy of {sha} differs from the device's"
        );
    }

    // Cut during the upload, damaged once, and still no more than 10% over the files' size.
    let cuts = after.connections_cut - before.connections_cut;
    let sent = after.bytes_up - before.bytes_up;
    eprintln!(
        "{} bytes of photos, {sent} bytes up ({:.1}%), {cuts} cuts, {} connections",
        stored_bytes,
        100.0 * sent as f64 / stored_bytes as f64 - 100.0,
        after.connections_accepted - before.connections_accepted,
    );
    ensure!(
        sent >= stored_bytes,
        "{sent} bytes went up for {stored_bytes} bytes of photos: the count is wrong"
    );
    ensure!(
        cuts >= 5,
        "only {cuts} connections were cut while the photos went up"
    );
    ensure!(
        after.bytes_corrupted == 1,
        "the proxy damaged {} bytes, not one",
        after.bytes_corrupted
    );
    ensure!(
        hub.log().contains("chunk_corrupted"),
        "the hub did not report the damaged frame"
    );
    ensure!(
        sent as f64 <= stored_bytes as f64 * 1.10,
        "{sent} bytes went up for {stored_bytes} bytes of photos: more than 10% over"
    );

    // The seller's other device fetches them (data saver is off), each checked against its name.
    let phone = Device::new("phone")?;
    phone.enroll(&hub.url(), &hub.device_code(&seller.seller_id)?)?;
    let report = phone
        .sync(Duration::from_secs(60))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    ensure!(report.pulled > 0, "the phone pulled nothing: {report:?}");
    for (sha, _) in &files {
        let here = std::fs::read(device_photos.join(format!("{sha}.jpg")))?;
        let fetched = std::fs::read(phone.data_dir().join("photos").join(format!("{sha}.jpg")))
            .with_context(|| format!("the phone did not fetch {sha}"))?;
        ensure!(here == fetched, "the phone's copy of {sha} differs");
    }
    Ok(())
}
