//! Issue 3: `highland sync` killed with SIGKILL at random moments, many times, through a slow
//! link so that most kills land mid-sync (before the request left, while it crossed the link,
//! while the hub applied it, while the answer came back, while the device committed it). Two
//! devices of one seller take turns, so kills hit both pushing and pulling; more sales are
//! recorded between rounds. After every round no replica holds a sale twice; at the end, after
//! syncs run to completion, every sale is on the hub and both devices exactly once, stock
//! agrees everywhere, nothing waits, and both device databases pass SQLite's integrity check.

#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use highland_e2e::proxy::LinkProfile;
use highland_e2e::views::Sale;
use highland_e2e::{Device, Hub, ProxyThread};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SEED: u64 = 0x4b49_4c4c;
const ROUNDS: usize = 36;
/// A kill lands uniformly within this long after the start: a full sync of the first batch
/// takes several seconds on the link below, so most kills land mid-way, a few after the end.
const LONGEST_LIFE_MS: u64 = 3_000;
const INITIAL_SALES: usize = 200;
const ATTEMPT: Duration = Duration::from_secs(60);

/// The edge preset (840 ms round trip, 200/240 kbit/s) with 2% of segments lost and a 1% chance
/// per segment that the connection is cut, so kills also land in retries and their waits. Slow
/// enough that a sync of a few hundred changes takes several round trips to kill in the middle of.
fn lossy_edge() -> LinkProfile {
    LinkProfile::edge()
        .with_loss(0.02)
        .with_cut_probability_per_chunk(0.01)
        .named("edge, 2% loss, cuts")
}

struct Seller {
    hub: Hub,
    devices: [Device; 2],
    listings: Vec<String>,
    /// Every sale the test recorded, by id, with its listing and quantity (in grams).
    recorded: BTreeMap<String, (String, i64)>,
    /// Stock received per listing, in grams.
    received: BTreeMap<String, i64>,
}

impl Seller {
    fn sell(&mut self, device: usize, n: usize) -> anyhow::Result<()> {
        let listing = self.listings[n % self.listings.len()].clone();
        let grams = 250 * (1 + (n % 4) as i64);
        let id = self.devices[device].sell(&listing, &format!("{grams}g"))?;
        ensure!(
            self.recorded.insert(id.clone(), (listing, grams)).is_none(),
            "sale id {id} printed twice"
        );
        Ok(())
    }
}

/// Sale ids in `sales`, failing if any is there twice.
fn unique(sales: &[Sale], who: &str) -> anyhow::Result<BTreeSet<String>> {
    let mut ids = BTreeSet::new();
    for sale in sales {
        ensure!(
            ids.insert(sale.id.clone()),
            "{who} holds sale {} twice",
            sale.id
        );
    }
    Ok(ids)
}

/// The sales `db` still waits to have acknowledged.
fn pending_sales(db: &Path) -> anyhow::Result<BTreeSet<String>> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut stmt = conn
        .prepare("SELECT entity_id FROM outbox WHERE state = 'pending' AND entity_kind = 'sale'")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<BTreeSet<String>, _>>()?;
    Ok(ids)
}

fn integrity_check(db: &Path) -> anyhow::Result<()> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    ensure!(
        verdict == "ok",
        "{}: integrity_check says {verdict}",
        db.display()
    );
    Ok(())
}

#[test]
fn sync_killed_at_random_moments_never_loses_or_doubles_a_sale() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let link = ProxyThread::start(hub.addr(), lossy_edge(), SEED)?;
    let started = Instant::now();
    let mut seller = Seller {
        hub,
        devices: [Device::new("device-a")?, Device::new("device-b")?],
        listings: Vec::new(),
        recorded: BTreeMap::new(),
        received: BTreeMap::new(),
    };
    let result = rounds(&mut seller, &link);
    eprintln!("{:?}; whole test {:.0?}", link.stats(), started.elapsed());
    result.with_context(|| format!("the hub's log:\n{}", seller.hub.log()))
}

fn rounds(seller: &mut Seller, link: &ProxyThread) -> anyhow::Result<()> {
    let added = seller.hub.add_seller("Tashi", "Xidang")?;
    let second_code = seller.hub.device_code(&added.seller_id)?;
    seller.devices[0].enroll_retrying(&link.url(), &added.code, 5)?;
    seller.devices[1].enroll_retrying(&link.url(), &second_code, 5)?;
    for (title, stock) in [
        ("Yak meat", "400"),
        ("Yak butter", "300"),
        ("Barley", "600"),
    ] {
        let id = seller.devices[0].add_listing(title, "other", "kg", "50", stock)?;
        seller
            .received
            .insert(id.clone(), stock.parse::<i64>()? * 1000);
        seller.listings.push(id);
    }
    seller.devices[0].sync_until_done(ATTEMPT, 5)?;
    seller.devices[1].sync_until_done(ATTEMPT, 5)?;
    for n in 0..INITIAL_SALES {
        seller.sell(n % 2, n)?;
    }

    let mut rng = StdRng::seed_from_u64(SEED);
    let mut killed = 0;
    // Rounds that ended with the hub holding sales the device still waits to have acknowledged:
    // the kill cost the device the answer, so it sends those sales again, and the hub must
    // count them once.
    let mut answers_lost = 0;
    for round in 0..ROUNDS {
        let device = round % 2;
        if round % 3 == 2 {
            for n in 0..5 {
                seller.sell(device, round * 10 + n)?;
            }
        }
        let life = Duration::from_millis(rng.random_range(0..=LONGEST_LIFE_MS));
        let mut sync = seller.devices[device].spawn_sync()?;
        std::thread::sleep(life);
        let status = sync.kill_and_wait()?;
        let was_killed = status.signal() == Some(9);
        killed += usize::from(was_killed);
        ensure!(
            was_killed || status.success(),
            "round {round}: sync on {} ended with {status} before the kill",
            seller.devices[device].name()
        );

        // After every kill: nothing doubled anywhere, nothing on the hub that was not recorded.
        let on_hub = unique(&seller.hub.sales()?, "the hub")?;
        ensure!(
            on_hub.iter().all(|id| seller.recorded.contains_key(id)),
            "round {round}: the hub has sales nobody recorded"
        );
        for d in &seller.devices {
            unique(&d.sales()?, d.name())?;
        }
        let unanswered = pending_sales(&seller.devices[device].db_path())?;
        answers_lost += usize::from(unanswered.iter().any(|id| on_hub.contains(id)));
    }
    eprintln!(
        "{killed} of {ROUNDS} syncs killed mid-way; {answers_lost} rounds ended with the hub \
         holding sales whose answer the device never committed"
    );
    ensure!(
        answers_lost > 0,
        "no kill landed between the hub taking a push and the device committing its answer, \
         the moment this test is about"
    );
    ensure!(
        killed >= ROUNDS / 2,
        "only {killed} of {ROUNDS} syncs were still running when killed: the link is too fast \
         for this test to mean anything"
    );

    // Now let them finish: A, B, and A again to fetch B's last sales.
    for d in [0, 1, 0] {
        seller.devices[d]
            .sync_until_done(ATTEMPT, 5)
            .with_context(|| format!("final sync of {}", seller.devices[d].name()))?;
    }
    check(seller)
}

fn check(seller: &Seller) -> anyhow::Result<()> {
    let recorded: BTreeSet<String> = seller.recorded.keys().cloned().collect();
    let hub_sales = seller.hub.sales()?;
    ensure!(
        unique(&hub_sales, "the hub")? == recorded,
        "the hub's sales are not those recorded"
    );
    for sale in &hub_sales {
        let (listing, grams) = &seller.recorded[&sale.id];
        ensure!(&sale.listing_id == listing && sale.quantity == *grams);
    }
    let hub_listings = seller.hub.listings()?;
    for listing in &hub_listings {
        let sold: i64 = seller
            .recorded
            .values()
            .filter(|(l, _)| *l == listing.id)
            .map(|(_, g)| g)
            .sum();
        ensure!(
            listing.stock == seller.received[&listing.id] - sold,
            "listing {}: stock {} on the hub, expected {}",
            listing.id,
            listing.stock,
            seller.received[&listing.id] - sold
        );
    }
    for device in &seller.devices {
        let mut sales = device.sales()?;
        unique(&sales, device.name())?;
        let mut expected = hub_sales.clone();
        sales.sort_by(|x, y| x.id.cmp(&y.id));
        expected.sort_by(|x, y| x.id.cmp(&y.id));
        ensure!(
            sales == expected,
            "{}'s sales differ from the hub's",
            device.name()
        );
        ensure!(
            device.listings()? == hub_listings,
            "{}'s listings differ from the hub's",
            device.name()
        );
        let status = device.status()?;
        ensure!(
            status.pending_ops == 0 && status.refused_ops.is_empty(),
            "{}: {} waiting, refused {:?}",
            device.name(),
            status.pending_ops,
            status.refused_ops
        );
        integrity_check(&device.db_path())?;
    }
    Ok(())
}
