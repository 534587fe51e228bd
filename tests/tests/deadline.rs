//! `highland sync --timeout SECS` gives up when its time is up, even with a request under way
//! on a link that went silent (the signal shows bars but nothing gets through), and a sync cut
//! short that way loses nothing: once the link is back, every sale arrives exactly once.
//!
//! Before the fix the deadline was only looked at between attempts, so a silent link held the
//! sync for the client's 30 s read timeout whatever `--timeout` said.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::ensure;
use highland_e2e::proxy::{LinkProfile, Offline};
use highland_e2e::{Device, Hub, ProxyThread};

/// The client's read timeout (engine, `sync/transport.rs`); a sync that ends well before it
/// was ended by its own deadline.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn sync_gives_up_at_its_deadline_on_a_silent_link_and_loses_nothing() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let link = ProxyThread::start(hub.addr(), LinkProfile::edge(), 7)?;
    let device = Device::new("device")?;
    let seller = hub.add_seller("Pema", "Cizhong")?;
    device.enroll(&link.url(), &seller.code)?;
    let listing = device.add_listing("Walnuts", "walnuts", "kg", "30", "100")?;
    let mut recorded = BTreeSet::new();
    for _ in 0..20 {
        recorded.insert(device.sell(&listing, "1")?);
    }

    link.set_offline(Some(Offline::Blackhole));
    let started = Instant::now();
    let silent = device.sync(Duration::from_secs(2));
    let took = started.elapsed();
    let failure = silent.expect_err("a sync over a silent link reported success");
    ensure!(!failure.is_hang(), "{failure}");
    ensure!(
        took < READ_TIMEOUT - Duration::from_secs(5),
        "`sync --timeout 2` took {took:?} on a silent link: its deadline did not hold while the \
         request was under way, only the {READ_TIMEOUT:?} read timeout ended it"
    );
    ensure!(
        device.status()?.pending_ops == 22,
        "a failed sync changed the outbox"
    );

    link.set_offline(None);
    device.sync_until_done(Duration::from_secs(60), 5)?;
    let on_hub: Vec<String> = hub.sales()?.into_iter().map(|s| s.id).collect();
    ensure!(on_hub.len() == recorded.len(), "{on_hub:?}");
    ensure!(on_hub.into_iter().collect::<BTreeSet<_>>() == recorded);
    ensure!(device.status()?.pending_ops == 0);
    Ok(())
}
