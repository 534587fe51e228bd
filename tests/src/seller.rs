//! A seller's tablets, as the end-to-end scenarios start them.

use crate::{Device, Hub};

/// A seller with two tablets, both synced: A listed `jars` jars of honey.
/// Returns A, B and the listing's id.
pub fn two_tablets_with_honey(hub: &Hub, jars: &str) -> anyhow::Result<(Device, Device, String)> {
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    let a = Device::new("tablet-a")?;
    let b = Device::new("tablet-b")?;
    a.enroll(&hub.url(), &seller.code)?;
    let honey = a.add_listing("Yubeng honey", "honey", "jar", "45", jars)?;
    a.sync_all()?;
    b.enroll(&hub.url(), &hub.device_code(&seller.seller_id)?)?;
    b.sync_all()?;
    Ok((a, b, honey))
}
