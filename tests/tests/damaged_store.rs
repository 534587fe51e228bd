//! A tablet's own file damaged (issue 14, item 5), with the real binaries:
//! one page of its outbox is broken, so the sales on it are gone from the
//! file, though the hub acknowledged them. The next `highland` command sets
//! the file aside and rebuilds the store from what the outbox still holds;
//! the next sync brings back the rest from the hub: the other tablet's
//! sales, and this tablet's own lost ones. Nothing is counted twice.

use anyhow::{Context, ensure};
use highland_e2e::seller::two_tablets_with_honey;
use highland_e2e::{Device, Hub};
use rusqlite::Connection;

/// Fills a leaf page of the outbox from the middle of the file with bytes
/// no page starts with; returns how many entries it held.
fn break_an_outbox_page(device: &Device) -> anyhow::Result<u64> {
    let db = device.db_path();
    let (page, size, entries) = {
        let conn = Connection::open(&db)?;
        let size: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let mut stmt = conn.prepare(
            "SELECT pageno, ncell FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf'
             ORDER BY pageno",
        )?;
        let leaves: Vec<(i64, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        ensure!(leaves.len() > 4, "the outbox spans pages: {leaves:?}");
        let (page, entries) = leaves[leaves.len() / 2];
        (page as usize, size as usize, entries as u64)
    };
    let mut data = std::fs::read(&db)?;
    data[(page - 1) * size..page * size].fill(0xA5);
    std::fs::write(&db, &data)?;
    Ok(entries)
}

#[test]
fn a_tablet_whose_file_is_damaged_gets_every_sale_back() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let (a, b, honey) = two_tablets_with_honey(&hub, "100")?;
    for _ in 0..60 {
        a.sell(&honey, "1")?;
    }
    a.sync_all()?;
    b.sell(&honey, "1")?;
    b.sell(&honey, "1")?;
    b.sync_all()?;
    // Three more on A that the hub has not seen yet.
    for _ in 0..3 {
        a.sell(&honey, "1")?;
    }
    let device_id = a.status()?.device_id;

    let lost = break_an_outbox_page(&a)?;
    ensure!(lost > 0);
    let damaged = std::fs::read(a.db_path())?;

    let status = a.status()?;
    ensure!(status.device_id == device_id, "the hub knows it by its id");
    let repair = status
        .store_repaired
        .as_ref()
        .with_context(|| format!("the seller is told: {status:?}"))?;
    ensure!(repair.kind == "store_rebuilt", "{repair:?}");
    ensure!(repair.unreadable == lost, "{repair:?}, {lost} on the page");
    // The listing, its stock, and 63 sales, less those on the broken page.
    ensure!(repair.recovered == 65 - lost, "{repair:?}");
    ensure!(!repair.enrollment_lost, "{repair:?}");
    let aside = repair.set_aside.as_deref().context("set aside")?;
    ensure!(
        std::fs::read(aside)? == damaged,
        "the damaged file is kept as it was"
    );
    ensure!(a.sales()?.len() as u64 == 63 - lost);

    a.sync_all()?;
    let sales = a.sales()?;
    ensure!(
        sales.len() == 65,
        "A shows {} sales, B's two and its own lost ones back",
        sales.len()
    );
    let recovered = a
        .status()?
        .own_recovered
        .context("A took its own sales back")?;
    ensure!(recovered.sales == lost, "{recovered:?}");
    ensure!(hub.sales()?.len() == 65, "nothing counted twice");
    b.sync_all()?;
    ensure!(b.sales()?.len() == 65);
    let stock = |d: &Device| -> anyhow::Result<i64> { Ok(d.listings()?[0].stock) };
    ensure!(
        stock(&a)? == 35 && stock(&b)? == 35,
        "100 jars less 65 sold"
    );
    ensure!(hub.listings()?[0].stock == 35);
    Ok(())
}
