//! Issue 15, item 8: updates travel the way data does. The operator puts a
//! signed release on the hub (`highland-hub release add`); a device that
//! syncs learns that a newer Highland is ready; it downloads the file over
//! a link that cuts it again and again, resuming each time rather than
//! starting over, and keeps it only when the publisher's key signed it for
//! the version the hub announced.

use std::time::Duration;

use anyhow::{Context, ensure};
use highland_e2e::proxy::LinkProfile;
use highland_e2e::release::ReleaseKey;
use highland_e2e::{Device, Hub, ProxyThread};
use sha2::Digest;

const SEED: u64 = 0x5550_4441_5445;
/// A release file of 400 KB: an APK is 30 MB, but 400 KB over this link
/// already takes about 15 s, and so meets several cuts.
const RELEASE_BYTES: usize = 400_000;
const ATTEMPT: Duration = Duration::from_secs(120);

/// Edge's bandwidth (240 kbit/s down), with a cut every 3 to 6 s.
fn edge_cut_often() -> LinkProfile {
    LinkProfile::edge()
        .with_cuts_every(Duration::from_secs(3), Duration::from_secs(6))
        .named("edge, cut every 3-6 s")
}

/// Bytes that do not compress, as a real release file does not.
fn release_file(
    dir: &std::path::Path,
    name: &str,
    seed: u64,
) -> anyhow::Result<std::path::PathBuf> {
    let mut bytes = Vec::with_capacity(RELEASE_BYTES);
    let mut x = seed | 1;
    while bytes.len() < RELEASE_BYTES {
        // xorshift64: enough entropy that no encoding shrinks it.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    let path = dir.join(name);
    std::fs::write(&path, &bytes)?;
    Ok(path)
}

#[test]
fn a_signed_release_reaches_a_tablet_through_cuts_without_starting_over() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let link = ProxyThread::start(hub.addr(), LinkProfile::perfect(), SEED)?;
    let device = Device::new("tablet")?;
    let seller = hub.add_seller("Tsering", "Yubeng")?;
    device.enroll(&link.url(), &seller.code)?;

    let files = tempfile::tempdir()?;
    let key = ReleaseKey::fixture()?;
    let release = release_file(files.path(), "Highland_9.1.0_amd64.AppImage", 7)?;
    let signature = key.sign(&release, "9.1.0")?;
    let release_path = release.to_string_lossy().into_owned();
    let signature_path = signature.to_string_lossy().into_owned();
    let added = hub.ok(&[
        "release",
        "add",
        &release_path,
        "--version",
        "9.1.0",
        "--signature",
        &signature_path,
        "--platform",
        &this_platform(),
        "--notes",
        "新的 Highland",
    ])?;
    ensure!(added.contains("9.1.0"), "{added}");

    // Before any sync the device knows nothing of it; one sync tells it.
    ensure!(device.status()?.release_ready.is_none());
    device.sync_all()?;
    let ready = device
        .status()?
        .release_ready
        .context("a sync says a new Highland is ready")?;
    ensure!(ready.version == "9.1.0" && ready.size_bytes == RELEASE_BYTES as u64);

    let public_key = files.path().join("release.key.pub");
    std::fs::write(&public_key, key.public_base64())?;
    let public_key = public_key.to_string_lossy().into_owned();
    let downloads = tempfile::tempdir()?;
    let to = downloads.path().to_string_lossy().into_owned();
    link.set_profile(edge_cut_often());
    let before = link.stats();
    let timeout = ATTEMPT.as_secs().to_string();
    let out = device.run(
        &[
            "update",
            "--to",
            &to,
            "--public-key",
            &public_key,
            "--timeout",
            &timeout,
            "--json",
        ],
        ATTEMPT + Duration::from_secs(30),
    )?;
    ensure!(
        out.status.success(),
        "highland update failed: {}",
        out.stderr
    );
    let after = link.stats();
    let got: serde_json::Value = serde_json::from_str(&out.stdout)?;
    let kept = std::fs::read(got["path"].as_str().context("the file's path")?)?;
    ensure!(
        sha2::Sha256::digest(&kept) == sha2::Sha256::digest(std::fs::read(&release)?),
        "the file kept is the release, byte for byte"
    );
    let cuts = after.connections_cut - before.connections_cut;
    let down = after.bytes_down - before.bytes_down;
    ensure!(
        cuts >= 2,
        "the link cut the download at least twice ({cuts} cuts)"
    );
    // Resuming, not starting over: what crossed the link is the file plus
    // headers and the manifest, within 10%.
    ensure!(
        down < RELEASE_BYTES as u64 * 11 / 10,
        "{down} bytes came down for a {RELEASE_BYTES}-byte file over {cuts} cuts"
    );
    Ok(())
}

#[test]
fn a_release_signed_with_another_key_is_refused_and_not_kept() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let device = Device::new("tablet")?;
    let seller = hub.add_seller("Dolma", "Xidang")?;
    device.enroll(&hub.url(), &seller.code)?;

    let files = tempfile::tempdir()?;
    let release = release_file(files.path(), "Highland_9.2.0_amd64.AppImage", 11)?;
    let forged = ReleaseKey::another()?.sign(&release, "9.2.0")?;
    let release_path = release.to_string_lossy().into_owned();
    let forged_path = forged.to_string_lossy().into_owned();
    hub.ok(&[
        "release",
        "add",
        &release_path,
        "--version",
        "9.2.0",
        "--signature",
        &forged_path,
        "--platform",
        &this_platform(),
    ])?;
    // A signature for another version is refused when it is added.
    let mislabelled = hub.ok(&[
        "release",
        "add",
        &release_path,
        "--version",
        "9.3.0",
        "--signature",
        &forged_path,
        "--platform",
        &this_platform(),
    ]);
    ensure!(
        mislabelled
            .as_ref()
            .is_err_and(|e| e.to_string().contains("signature is for version 9.2.0")),
        "{mislabelled:?}"
    );

    let public_key = ReleaseKey::fixture()?.public_base64().to_owned();
    let downloads = tempfile::tempdir()?;
    let to = downloads.path().to_string_lossy().into_owned();
    let out = device.run(
        &[
            "update",
            "--to",
            &to,
            "--public-key",
            &public_key,
            "--timeout",
            "30",
        ],
        Duration::from_secs(60),
    )?;
    ensure!(!out.status.success(), "a forged release was accepted");
    ensure!(
        out.stderr.contains("does not match its signature"),
        "{}",
        out.stderr
    );
    let left: Vec<_> = std::fs::read_dir(downloads.path())?.collect();
    ensure!(left.is_empty(), "nothing of it is kept: {left:?}");
    Ok(())
}

/// This machine's platform, as the device names it.
fn this_platform() -> String {
    highland_domain::Platform::current()
        .map(|p| p.to_string())
        .unwrap_or_default()
}
