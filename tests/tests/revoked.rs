//! A lost tablet, revoked by the hub's operator (`highland-hub device
//! revoke ID`): the real `highland` binary is told so in one sentence, stops
//! at once (no retries), says so in `status --json`, and keeps every sale it
//! recorded, sent or not.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use highland_e2e::{Device, Hub};

/// Far longer than a refusal takes: a sync that retried the revocation
/// would run into it and fail the test.
const SYNC_LIMIT: Duration = Duration::from_secs(60);

#[test]
fn a_revoked_tablet_is_told_in_one_sentence_stops_and_loses_nothing() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    let tablet = Device::new("tablet")?;
    tablet.enroll(&hub.url(), &seller.code)?;
    let honey = tablet.add_listing("Yubeng honey", "honey", "jar", "45", "20")?;
    tablet.sell(&honey, "2")?;
    let first = tablet
        .sync(SYNC_LIMIT)
        .map_err(|f| anyhow::anyhow!("{f}"))?;
    ensure!(first.pending_ops == 0, "{first:?}");

    let device_id = tablet.status()?.device_id;
    hub.ok(&["device", "revoke", &device_id])
        .context("highland-hub device revoke")?;
    tablet.sell(&honey, "1")?;

    let started = Instant::now();
    let out = tablet.run(
        &["sync", "--timeout", &SYNC_LIMIT.as_secs().to_string()],
        SYNC_LIMIT * 2,
    )?;
    let took = started.elapsed();
    ensure!(
        !out.status.success(),
        "a revoked tablet's sync succeeded: {out:?}"
    );
    ensure!(
        out.stderr.trim()
            == "error: this device was removed from the hub (revoked by its staff); nothing was \
                lost here; ask your trainer or the buyer to enroll it again",
        "stderr: {}",
        out.stderr
    );
    ensure!(
        !out.stderr.contains("retrying"),
        "a revocation is not retried: {}",
        out.stderr
    );
    ensure!(took < SYNC_LIMIT / 2, "the sync took {took:?}: it retried");

    let status = tablet.status()?;
    ensure!(
        status.last_error_code.as_deref() == Some("device_revoked"),
        "{status:?}"
    );
    ensure!(
        status
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("revoked")),
        "{status:?}"
    );
    ensure!(
        status.sales == 2,
        "both sales stay on the tablet: {status:?}"
    );
    ensure!(
        status.pending_ops == 1,
        "the later sale still waits: {status:?}"
    );
    ensure!(tablet.sales()?.len() == 2);

    // The hub kept what arrived before the revocation, and took nothing after.
    ensure!(hub.sales()?.len() == 1, "{:?}", hub.sales()?);

    // Human output says it too.
    let shown = tablet.ok(&["status"])?;
    ensure!(shown.contains("revoked by its staff"), "{shown}");
    Ok(())
}
