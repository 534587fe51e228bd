//! `highland-hub device list|revoke`: the enrolled tablets, and revoking a
//! lost or stolen one.

use anyhow::Context;
use highland_domain::DeviceId;
use highland_hub::storage::DeviceRecord;
use highland_hub::{SellerId, Storage};

use super::print_json;

/// `device list [--seller ID] [--json]`.
pub(crate) fn list(store: &dyn Storage, seller: Option<&str>, json: bool) -> anyhow::Result<()> {
    let seller = seller
        .map(|s| s.trim().parse::<SellerId>())
        .transpose()
        .context("--seller")?;
    let devices = store.devices(seller)?;
    if json {
        return print_json(&devices);
    }
    if devices.is_empty() {
        println!("No devices yet: a tablet enrolls with a code from `highland-hub device code`.");
    }
    for device in &devices {
        println!("{}", line(device));
    }
    Ok(())
}

/// `device revoke ID [--json]`.
pub(crate) fn revoke(store: &dyn Storage, id: &str, json: bool, now_ms: u64) -> anyhow::Result<()> {
    let id: DeviceId = id.trim().parse().context("the device id")?;
    let revoked = store.revoke_device(id, now_ms)?;
    if json {
        return print_json(&revoked);
    }
    println!(
        "Revoked {} of {} ({}): its token no longer works. The seller's records stay;",
        revoked.id, revoked.seller_name, revoked.village
    );
    println!("a tablet enrolled with a new code pulls them all back.");
    Ok(())
}

/// One device on one line: id, seller, then what the operator looks for.
fn line(d: &DeviceRecord) -> String {
    let state = match &d.revoked_at {
        Some(at) => format!("revoked {at}"),
        None => "active".to_owned(),
    };
    format!(
        "{}  {} ({})  {state}  last sync {}  app {} (protocol {})  {} not pulled",
        d.id,
        d.seller_name,
        d.village,
        d.last_sync_at.as_deref().unwrap_or("never"),
        d.app_version.as_deref().unwrap_or("unknown"),
        d.protocol.map_or("?".to_owned(), |p| p.to_string()),
        d.not_pulled,
    )
}
