//! Mixed versions in the field, with the real binaries (docs/sync-protocol.md
//! section 15). A hub rolled back after a newer release logged a change this
//! build cannot read: every tablet of the seller still syncs, the sales
//! before and after it arrive everywhere, and each tablet keeps the change
//! for its next update and says so.

use std::time::Duration;

use anyhow::{Context, ensure};
use highland_e2e::{Device, Hub};

const SYNC_LIMIT: Duration = Duration::from_secs(60);

fn sync(device: &Device) -> anyhow::Result<()> {
    device
        .sync(SYNC_LIMIT)
        .map_err(|f| anyhow::anyhow!("{} sync: {f}", device.name()))?;
    Ok(())
}

#[test]
fn a_rolled_back_hub_forwards_what_it_cannot_read_and_every_sale_arrives() -> anyhow::Result<()> {
    let mut hub = Hub::start()?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    let a = Device::new("tablet-a")?;
    let b = Device::new("tablet-b")?;
    a.enroll(&hub.url(), &seller.code)?;
    b.enroll(&hub.url(), &hub.device_code(&seller.seller_id)?)?;
    let honey = a.add_listing("Yubeng honey", "honey", "jar", "45", "20")?;
    a.sell(&honey, "1")?;
    sync(&a)?;

    // A newer hub logged a change of a kind this build does not know, for
    // this seller, and was then rolled back to this build.
    hub.shut_down()?;
    let device_id = a.status()?.device_id;
    let db = rusqlite::Connection::open(hub.data_dir().join("hub.db"))?;
    let body = serde_json::json!({
        "id": "0193a1c4-0000-7000-8000-0000000000f1",
        "device_id": device_id,
        "hlc": 1u64 << 46,
        "payload": {"kind": "round_joined", "round_id": "r-1", "note": "雨崩 Thursday"},
    });
    db.execute(
        "INSERT INTO op_log (op_id, seller_id, device_id, hlc, body, received_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, 0)",
        rusqlite::params![
            body["id"].as_str().context("id")?,
            seller.seller_id,
            device_id,
            1i64 << 46,
            body.to_string()
        ],
    )?;
    drop(db);
    hub.restart()?;

    a.sell(&honey, "2")?;
    sync(&a)?;
    sync(&b)?;
    b.sell(&honey, "1")?;
    sync(&b)?;
    sync(&a)?;

    ensure!(hub.sales()?.len() == 3, "{:?}", hub.sales()?);
    for device in [&a, &b] {
        let sales = device.sales()?;
        ensure!(sales.len() == 3, "{}: {sales:?}", device.name());
        ensure!(device.listings()?[0].stock == 16, "20 jars less 4");
    }
    let status = b.status()?;
    ensure!(status.waiting_for_update == 1, "{status:?}");
    let shown = b.ok(&["status"])?;
    ensure!(
        shown.contains("1 change from a newer Highland waits for an update"),
        "{shown}"
    );
    Ok(())
}
