//! Convergence and exactly-once, under random interleavings of what a bad
//! link and a wrong clock do.
//!
//! One hub (a real `HubDb` on a temporary SQLite file) and two or three
//! tablets of one seller (real engine `Store`s, each with its own wall clock:
//! right, minutes off, days behind or a year ahead) run a generated sequence
//! of steps: listings added; their price, title, status or description
//! edited; sales recorded (overselling allowed, as offline sales of the same
//! stock are), one at a time or a market day's worth; sales voided (by the
//! device that made them or another, sometimes twice); stock adjusted; syncs
//! whose request or response is lost; clocks that jump; time passing; now and
//! then everyone syncing on a good link. A tablet of a second seller forges
//! references to the first seller's listings and tries to sell from, edit and
//! adjust them.
//!
//! A sync round is what the real client does (`highland_engine::sync::sync`)
//! minus HTTP: `next_push` builds the request, it crosses the "wire" as JSON,
//! `Storage::exchange` runs it on the hub at the hub's time, the response
//! crosses back as JSON and `commit_sync` commits it. The clock offset given
//! to `commit_sync` is computed as the client computes it (hub time minus the
//! device clock read before sending; the half round trip is zero in-process),
//! so a device that syncs learns to correct its clock as a real one does, and
//! clock jumps make it wrong again.
//!
//! Whenever everyone has synced with nothing lost (until nothing is pending
//! and the hub has nothing more, twice around), the test proves:
//! - convergence and last-writer-wins: the hub and every device of the seller
//!   show the same listings, and each field of each listing holds the value
//!   of the accepted write with the greatest version (HLC, device id), the HLC
//!   being the one the hub kept: its own stamp when it re-stamped a write from
//!   a clock too far ahead. The test reads every answer the hub gave, whether
//!   it reached the device or not; no two field writes may share a version;
//! - exactly once: every operation a device made is in the hub's log once;
//!   the hub and every device list exactly the sales made, each once; stock is
//!   received + adjustments - sales not voided as the test issued them,
//!   negative when the devices oversold between them; the same sales are
//!   voided everywhere, with the same reason;
//! - wrong clocks: the hub keeps a timestamp within its 10 minute allowance
//!   and re-stamps one beyond it, at most 10 minutes past its own clock;
//!   afterwards every device stamps new writes within minutes of the hub's
//!   time, not a year ahead; and a write made on time after a far-future write
//!   on the same field wins;
//! - sellers apart: no device ever pulls an operation of another seller, or
//!   its own; every attempt of the second seller's tablet on the first
//!   seller's listings is refused with a reason it can show, and none shows
//!   on the hub.
//!
//! 64 cases of 20 to 60 steps; `PROPTEST_CASES` sets another number. The
//! interleavings the property found are kept below as named tests.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use highland_domain::wire::{AckOutcome, PROTOCOL_VERSION, SyncRequest, SyncResponse};
use highland_domain::{
    AdjustmentKind, CheckedCode, Description, DeviceId, FieldChanges, ListingField, ListingId,
    ListingStatus, Operation, OperationId, Payload, PaymentMethod, Price, Quantity, QuantityDelta,
    SaleId, ShortText, Title, Unit, Version,
};
use highland_engine::{ManualClock, NewListing, NewSale, Store};
use highland_exchange::sync::{MAX_AHEAD_MS, PullRequest, Pushed};
use highland_hub::admin::{self, NewSeller};
use highland_hub::secret::{SecretHash, code_hash, new_device_token};
use highland_hub::storage::Storage;
use highland_hub::{HubDb, SellerId};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tempfile::TempDir;

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60 * SECOND_MS;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const YEAR_MS: i64 = 365 * DAY_MS;

/// A clock difference the device ignores as network delay (the engine's
/// threshold); a device that has synced is never further off than this.
const OFFSET_THRESHOLD_MS: i64 = 2 * MINUTE_MS;

/// A sync on a good link: the push the real client starts with; pulls
/// ask for the smallest page the hub gives (8 KiB), so that a backlog takes
/// several pages.
const GOOD_LINK: Batch = Batch {
    max_bytes: 32 * 1024,
    max_ops: 500,
    max_pull_bytes: 0,
};

// ---------------------------------------------------------------------------
// The generated case
// ---------------------------------------------------------------------------

/// How far a device's wall clock is from the hub's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skew {
    Right,
    /// Within the hub's 10 minute allowance: kept as it is.
    MinutesAhead,
    MinutesBehind,
    DaysBehind,
    /// Far beyond the allowance: the hub re-stamps what it sends.
    YearAhead,
}

impl Skew {
    fn ms(self) -> i64 {
        match self {
            Skew::Right => 0,
            Skew::MinutesAhead => 5 * MINUTE_MS,
            Skew::MinutesBehind => -40 * MINUTE_MS,
            Skew::DaysBehind => -3 * DAY_MS,
            Skew::YearAhead => YEAR_MS,
        }
    }
}

/// What happens to one sync on the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Delivered,
    /// The hub never sees the request.
    RequestLost,
    /// The hub runs the exchange; the answer never reaches the device.
    ResponseLost,
}

/// The sizes a request is built with, as the client varies them with the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Batch {
    max_bytes: usize,
    max_ops: usize,
    max_pull_bytes: u32,
}

/// Which of the devices or listings there are at the time a step runs: the
/// n-th, counted round. Shrinks towards the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pick(usize);

impl Pick {
    fn index(self, len: usize) -> usize {
        self.0 % len
    }

    fn of<T: Copy>(self, items: &[T]) -> T {
        items[self.index(items.len())]
    }
}

/// One field edit; titles, prices and descriptions get a value no other write
/// has, so the test can tell which write won.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Title,
    Price,
    Status(ListingStatus),
    /// A new description, or none.
    Description(bool),
}

/// What the second seller's tablet tries on a listing of the first seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Sell { amount: i64 },
    Edit(Change),
    Adjust { amount: i64 },
}

#[derive(Debug, Clone)]
enum Step {
    AddListing {
        device: Pick,
        unit: Unit,
        price_fen: i64,
        stock: i64,
    },
    Edit {
        device: Pick,
        listing: Pick,
        change: Change,
    },
    Sell {
        device: Pick,
        listing: Pick,
        amount: i64,
    },
    Adjust {
        device: Pick,
        listing: Pick,
        amount: i64,
    },
    /// The device voids one of the sales it holds that it does not know to
    /// be voided: its own, or another device's that it pulled. Two devices
    /// may void one sale before either hears of the other's void.
    Void {
        device: Pick,
        sale: Pick,
    },
    /// A market day offline: many sales of one listing on one device, more
    /// than one page of the hub's log holds.
    MarketDay {
        device: Pick,
        listing: Pick,
        sales: usize,
    },
    Sync {
        device: Pick,
        fate: Fate,
        batch: Batch,
    },
    /// A device other than the first, whose clock stays right, has its clock
    /// (as the app reads it) set `skew` away from the hub's again: a dead
    /// battery, a hand-set date, a new SIM.
    ClockJump {
        device: Pick,
        skew: Skew,
    },
    /// Real time passes, for the hub and every device alike.
    TimePasses {
        ms: i64,
    },
    /// Everyone comes online on a good link and syncs to the end; the
    /// replicas must agree there and then, before later writes could hide a
    /// divergence.
    EveryoneSyncs,
    OutsiderAddsListing {
        stock: i64,
    },
    OutsiderTries {
        listing: Pick,
        attempt: Attempt,
    },
    OutsiderSyncs {
        fate: Fate,
        batch: Batch,
    },
}

#[derive(Debug, Clone)]
struct Case {
    /// The clocks of the seller's devices after the first, whose clock is right.
    sibling_skews: Vec<Skew>,
    outsider_skew: Skew,
    steps: Vec<Step>,
}

fn skew() -> impl Strategy<Value = Skew> {
    prop_oneof![
        1 => Just(Skew::Right),
        1 => Just(Skew::MinutesAhead),
        1 => Just(Skew::MinutesBehind),
        2 => Just(Skew::DaysBehind),
        3 => Just(Skew::YearAhead),
    ]
}

fn pick() -> impl Strategy<Value = Pick> {
    (0usize..12).prop_map(Pick)
}

fn fate() -> impl Strategy<Value = Fate> {
    prop_oneof![
        3 => Just(Fate::Delivered),
        1 => Just(Fate::RequestLost),
        1 => Just(Fate::ResponseLost),
    ]
}

fn batch() -> impl Strategy<Value = Batch> {
    (
        prop_oneof![Just(1usize), Just(4 * 1024), Just(32 * 1024)],
        prop_oneof![Just(1usize), Just(3), Just(500)],
        prop_oneof![Just(0u32), Just(64 * 1024)],
    )
        .prop_map(|(max_bytes, max_ops, max_pull_bytes)| Batch {
            max_bytes,
            max_ops,
            max_pull_bytes,
        })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        Just(Change::Title),
        Just(Change::Price),
        proptest::sample::select(ListingStatus::ALL.to_vec()).prop_map(Change::Status),
        any::<bool>().prop_map(Change::Description),
    ]
}

fn attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        (1i64..=4).prop_map(|amount| Attempt::Sell { amount }),
        change().prop_map(Attempt::Edit),
        (1i64..=4).prop_map(|amount| Attempt::Adjust { amount }),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let unit = prop_oneof![Just(Unit::Kg), Just(Unit::Jar)];
    let signed_amount = prop_oneof![-3i64..=-1, 1i64..=5];
    prop_oneof![
        1 => (pick(), unit, 100i64..10_000, 0i64..=8).prop_map(
            |(device, unit, price_fen, stock)| Step::AddListing { device, unit, price_fen, stock }
        ),
        4 => (pick(), pick(), change())
            .prop_map(|(device, listing, change)| Step::Edit { device, listing, change }),
        4 => (pick(), pick(), 1i64..=4)
            .prop_map(|(device, listing, amount)| Step::Sell { device, listing, amount }),
        2 => (pick(), pick(), signed_amount)
            .prop_map(|(device, listing, amount)| Step::Adjust { device, listing, amount }),
        2 => (pick(), pick()).prop_map(|(device, sale)| Step::Void { device, sale }),
        1 => (pick(), pick(), 20usize..=40)
            .prop_map(|(device, listing, sales)| Step::MarketDay { device, listing, sales }),
        7 => (pick(), fate(), batch())
            .prop_map(|(device, fate, batch)| Step::Sync { device, fate, batch }),
        2 => (pick(), skew()).prop_map(|(device, skew)| Step::ClockJump { device, skew }),
        1 => prop_oneof![Just(SECOND_MS), Just(3 * MINUTE_MS), Just(HOUR_MS)]
            .prop_map(|ms| Step::TimePasses { ms }),
        1 => Just(Step::EveryoneSyncs),
        1 => (0i64..=5).prop_map(|stock| Step::OutsiderAddsListing { stock }),
        1 => (pick(), attempt())
            .prop_map(|(listing, attempt)| Step::OutsiderTries { listing, attempt }),
        1 => (fate(), batch()).prop_map(|(fate, batch)| Step::OutsiderSyncs { fate, batch }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(skew(), 1..=2),
        skew(),
        proptest::collection::vec(step(), 20..=60),
    )
        .prop_map(|(sibling_skews, outsider_skew, steps)| Case {
            sibling_skews,
            outsider_skew,
            steps,
        })
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn devices_and_hub_converge_and_count_every_sale_once(case in case()) {
        run(&case);
    }
}

/// Two devices with right clocks edit the same title in the same
/// millisecond, each before seeing the other's edit: their HLCs are equal.
/// Every replica keeps the title of the device with the greater id.
#[test]
fn equal_timestamps_are_broken_by_device_id_on_every_replica() {
    let mut world = World::new(&Case {
        sibling_skews: vec![Skew::Right],
        outsider_skew: Skew::Right,
        steps: vec![],
    });
    let id = world.add_listing(0, Unit::Kg, 6850, 4);
    world.quiesce();
    world.time_passes(SECOND_MS);
    let first = world.edit(0, id, Change::Title);
    let second = world.edit(1, id, Change::Title);
    assert_eq!(first.hlc, second.hlc, "both edits stamped alike");

    world.quiesce();
    world.assert_converged();
    let winner = if first.device_id > second.device_id {
        first
    } else {
        second
    };
    assert_eq!(world.hub_title(id), title_of(&winner));
}

/// A void and another device's sale cross: one device voids its sale of a
/// listing while a second device, offline, sells from the same listing, and
/// each syncs before it hears of the other. Both end up with the sale's
/// stock back, the second sale counted, and the void's reason.
#[test]
fn a_void_and_a_second_devices_sale_cross() {
    let mut world = World::new(&Case {
        sibling_skews: vec![Skew::Right],
        outsider_skew: Skew::Right,
        steps: vec![],
    });
    let id = world.add_listing(0, Unit::Jar, 4500, 6);
    world.sell(0, id, 2);
    world.quiesce();
    let sale: SaleId = world.devices[1].store.sales().unwrap()[0]
        .id
        .parse()
        .unwrap();
    world.time_passes(SECOND_MS);
    world.void(0, sale);
    world.sell(1, id, 3);
    // Each pushes before pulling the other's write.
    world.sync_round(Who::Seller(1), Fate::Delivered, GOOD_LINK);
    world.sync_round(Who::Seller(0), Fate::Delivered, GOOD_LINK);
    world.quiesce();
    world.assert_converged();
    for device in &world.devices {
        let listing = device.store.listing(id).unwrap();
        assert_eq!(
            (listing.stock, listing.sales_count),
            (3, 1),
            "{}",
            device.name
        );
    }
}

/// The interleaving the property found first, kept as a worked example: a
/// tablet a year ahead edits a title; the hub takes the edit and re-stamps it,
/// but the answer is lost. Another device edits the title after it. The first
/// tablet, retrying with a smaller batch that does not carry its edit again,
/// pulls the newer title before it learns its own edit was re-stamped.
#[test]
fn a_newer_write_pulled_before_a_restamp_is_acknowledged_still_wins() {
    let (d0, d1, first) = (Pick(0), Pick(1), Pick(0));
    let one_at_a_time = Batch {
        max_ops: 1,
        ..GOOD_LINK
    };
    run(&Case {
        sibling_skews: vec![Skew::YearAhead],
        outsider_skew: Skew::Right,
        steps: vec![
            Step::AddListing {
                device: d1,
                unit: Unit::Jar,
                price_fen: 500,
                stock: 0,
            },
            Step::Edit {
                device: d1,
                listing: first,
                change: Change::Title,
            },
            Step::Sync {
                device: d1,
                fate: Fate::ResponseLost,
                batch: GOOD_LINK,
            },
            Step::Sync {
                device: d0,
                fate: Fate::Delivered,
                batch: GOOD_LINK,
            },
            Step::Edit {
                device: d0,
                listing: first,
                change: Change::Title,
            },
            Step::Sync {
                device: d0,
                fate: Fate::Delivered,
                batch: GOOD_LINK,
            },
            Step::Sync {
                device: d1,
                fate: Fate::Delivered,
                batch: one_at_a_time,
            },
        ],
    });
}

/// The second interleaving the property found: a tablet's clock jumps a
/// year ahead and it syncs with nothing to send, so it sets its clock back to
/// the hub's time. Its next edit must still order after the writes it made
/// before (here, creating the listing in the same millisecond); a version it
/// already used would tie, and the edit would be dropped everywhere.
#[test]
fn an_edit_after_a_clock_comes_back_from_a_year_ahead_still_wins() {
    let (d1, second) = (Pick(1), Pick(1));
    let add = Step::AddListing {
        device: d1,
        unit: Unit::Jar,
        price_fen: 500,
        stock: 0,
    };
    let sync = Step::Sync {
        device: d1,
        fate: Fate::Delivered,
        batch: GOOD_LINK,
    };
    run(&Case {
        sibling_skews: vec![Skew::Right],
        outsider_skew: Skew::Right,
        steps: vec![
            add.clone(),
            add,
            sync.clone(),
            Step::ClockJump {
                device: Pick(0),
                skew: Skew::YearAhead,
            },
            sync,
            Step::Edit {
                device: d1,
                listing: second,
                change: Change::Title,
            },
        ],
    });
}

/// The whole property; everything it builds lives and dies inside one case,
/// so shrinking replays a smaller case from nothing.
fn run(case: &Case) {
    let mut world = World::new(case);
    for step in &case.steps {
        world.take(step);
    }
    world.quiesce();
    world.assert_converged();
    world.assert_sellers_kept_apart();

    world.assert_new_writes_are_stamped_near_hub_time();
    world.assert_an_on_time_write_beats_an_earlier_far_future_one();
    world.quiesce();
    world.assert_converged();
    world.assert_sellers_kept_apart();
}

// ---------------------------------------------------------------------------
// The world: one hub, the seller's devices, the outsider, and the oracle
// ---------------------------------------------------------------------------

struct Device {
    name: String,
    store: Store,
    clock: Arc<ManualClock>,
    token: String,
}

struct World {
    /// Holds every SQLite file of the case; removed when the case ends.
    _dir: TempDir,
    hub: HubDb,
    hub_clock: highland_hub::ManualClock,
    seller: SellerId,
    outsider_seller: SellerId,
    devices: Vec<Device>,
    outsider: Device,
    oracle: Oracle,
    /// Makes every title, price and description written unique.
    next_value: i64,
}

/// Who syncs: a device of the seller, by index, or the outsider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Seller(usize),
    Outsider,
}

fn start() -> DateTime<Utc> {
    "2026-11-28T08:00:00Z".parse().unwrap()
}

impl World {
    fn new(case: &Case) -> World {
        let dir = TempDir::new().unwrap();
        let hub = HubDb::open_dir(&dir.path().join("hub")).unwrap();
        let hub_clock = highland_hub::ManualClock::at(start().timestamp_millis() as u64);
        let now = start().timestamp_millis() as u64;

        let seller = admin::add_seller(&hub, new_seller("Dolma"), now).unwrap();
        let seller_id: SellerId = seller.seller_id.parse().unwrap();
        let skews = std::iter::once(Skew::Right).chain(case.sibling_skews.iter().copied());
        let mut devices = Vec::new();
        for (i, skew) in skews.enumerate() {
            let code = if i == 0 {
                seller.code.clone()
            } else {
                admin::issue_device_code(&hub, seller_id, now).unwrap().code
            };
            let name = format!("seller's device {i} (clock {skew:?} at first)");
            devices.push(enrolled_device(dir.path(), name, skew, &hub, &code, now));
        }

        let other = admin::add_seller(&hub, new_seller("Tashi"), now).unwrap();
        let outsider_name = format!("other seller's device ({:?})", case.outsider_skew);
        let outsider = enrolled_device(
            dir.path(),
            outsider_name,
            case.outsider_skew,
            &hub,
            &other.code,
            now,
        );

        let mut oracle = Oracle::default();
        for device in &devices {
            oracle.seller_of.insert(device.store.device_id(), seller_id);
        }
        let outsider_seller: SellerId = other.seller_id.parse().unwrap();
        oracle
            .seller_of
            .insert(outsider.store.device_id(), outsider_seller);

        World {
            _dir: dir,
            hub,
            hub_clock,
            seller: seller_id,
            outsider_seller,
            devices,
            outsider,
            oracle,
            next_value: 0,
        }
    }

    fn hub_now_ms(&self) -> u64 {
        highland_hub::WallClock::now_ms(&self.hub_clock)
    }

    fn take(&mut self, step: &Step) {
        let n = self.devices.len();
        match *step {
            Step::AddListing {
                device,
                unit,
                price_fen,
                stock,
            } => {
                self.add_listing(device.index(n), unit, price_fen, stock);
            }
            Step::Edit {
                device,
                listing,
                change,
            } => {
                let d = device.index(n);
                if let Some(id) = self.pick_known_listing(d, listing) {
                    self.edit(d, id, change);
                }
            }
            Step::Sell {
                device,
                listing,
                amount,
            } => {
                let d = device.index(n);
                if let Some(id) = self.pick_known_listing(d, listing) {
                    self.sell(d, id, amount);
                }
            }
            Step::Adjust {
                device,
                listing,
                amount,
            } => {
                let d = device.index(n);
                if let Some(id) = self.pick_known_listing(d, listing) {
                    self.adjust(d, id, amount);
                }
            }
            Step::Void { device, sale } => {
                let d = device.index(n);
                let voidable: Vec<SaleId> = self.devices[d]
                    .store
                    .sales()
                    .unwrap()
                    .into_iter()
                    .filter(|s| s.voided.is_none())
                    .map(|s| s.id.parse().unwrap())
                    .collect();
                if !voidable.is_empty() {
                    self.void(d, sale.of(&voidable));
                }
            }
            Step::MarketDay {
                device,
                listing,
                sales,
            } => {
                let d = device.index(n);
                if let Some(id) = self.pick_known_listing(d, listing) {
                    for _ in 0..sales {
                        self.sell(d, id, 1);
                    }
                }
            }
            Step::Sync {
                device,
                fate,
                batch,
            } => {
                self.sync_round(Who::Seller(device.index(n)), fate, batch);
            }
            Step::ClockJump { device, skew } => {
                let d = 1 + device.index(n - 1);
                self.set_clock_wrong(d, skew.ms());
            }
            Step::TimePasses { ms } => self.time_passes(ms),
            Step::EveryoneSyncs => {
                self.quiesce();
                self.assert_converged();
                self.assert_sellers_kept_apart();
            }
            Step::OutsiderAddsListing { stock } => self.outsider_adds_listing(stock),
            Step::OutsiderTries { listing, attempt } => {
                if !self.oracle.listings.is_empty() {
                    let id = listing.of(&self.oracle.listings);
                    self.outsider_tries(id, attempt);
                }
            }
            Step::OutsiderSyncs { fate, batch } => {
                self.sync_round(Who::Outsider, fate, batch);
            }
        }
    }

    fn device_mut(&mut self, who: Who) -> &mut Device {
        match who {
            Who::Seller(i) => &mut self.devices[i],
            Who::Outsider => &mut self.outsider,
        }
    }

    /// Sets device `d`'s clock, as the app reads it (the correction learned
    /// from the hub included), `wrong_by_ms` away from the hub's.
    fn set_clock_wrong(&mut self, d: usize, wrong_by_ms: i64) {
        let target = self.hub_now_ms() as i64 + wrong_by_ms;
        let device = &self.devices[d];
        let reads = device.store.now().timestamp_millis();
        device
            .clock
            .advance(chrono::Duration::milliseconds(target - reads));
    }

    fn time_passes(&mut self, ms: i64) {
        self.hub_clock.advance(ms as u64);
        let by = chrono::Duration::milliseconds(ms);
        for device in self.devices.iter().chain([&self.outsider]) {
            device.clock.advance(by);
        }
    }

    fn unique(&mut self) -> i64 {
        self.next_value += 1;
        self.next_value
    }

    /// One of the seller's listings that device `d` has (made or pulled),
    /// chosen in the order the test created them.
    fn pick_known_listing(&self, d: usize, pick: Pick) -> Option<ListingId> {
        let store = &self.devices[d].store;
        let known: Vec<ListingId> = self
            .oracle
            .listings
            .iter()
            .copied()
            .filter(|id| store.listing(*id).is_ok())
            .collect();
        (!known.is_empty()).then(|| pick.of(&known))
    }

    // --- writes on the seller's devices, each recorded in the oracle -------

    fn add_listing(&mut self, d: usize, unit: Unit, price_fen: i64, stock: i64) -> ListingId {
        let n = self.unique();
        let title = format!("listing {n}");
        let device = &mut self.devices[d];
        let id = device
            .store
            .add_listing(new_listing(&title, unit, price_fen, stock))
            .unwrap();
        let ops = newest_ops(&device.store, if stock > 0 { 2 } else { 1 });
        assert!(
            matches!(&ops[0].payload, Payload::ListingCreated { listing } if listing.id == id),
            "the outbox ends with the listing just created: {ops:?}"
        );
        let oracle = &mut self.oracle;
        oracle.listings.push(id);
        oracle.units.insert(id, unit);
        oracle.created.insert(id, ops[0].clone());
        oracle.stock.insert(
            id,
            Stock {
                adjusted: base_amount(unit, stock),
                sold: 0,
                sales: 0,
            },
        );
        oracle.issued(&ops);
        id
    }

    fn edit(&mut self, d: usize, id: ListingId, change: Change) -> Operation {
        let field = self.field_value(change);
        let device = &mut self.devices[d];
        device.store.edit_listing(id, vec![field.clone()]).unwrap();
        let op = newest_ops(&device.store, 1).remove(0);
        assert_eq!(
            op.payload,
            Payload::ListingEdited {
                listing_id: id,
                changes: FieldChanges::new(vec![field]).unwrap()
            },
            "the outbox ends with the edit just made"
        );
        self.oracle.issued(std::slice::from_ref(&op));
        op
    }

    fn sell(&mut self, d: usize, id: ListingId, amount: i64) {
        let unit = self.oracle.units[&id];
        let quantity = base_amount(unit, amount);
        let device = &mut self.devices[d];
        let sale = device
            .store
            .record_sale(new_sale(id, unit, quantity))
            .unwrap();
        let op = newest_ops(&device.store, 1).remove(0);
        assert!(matches!(&op.payload, Payload::SaleRecorded { sale: s } if s.id == sale));
        let oracle = &mut self.oracle;
        oracle.sales.insert(sale, (id, quantity));
        let stock = oracle.stock.get_mut(&id).unwrap();
        stock.sold += quantity;
        stock.sales += 1;
        oracle.issued(&[op]);
    }

    fn void(&mut self, d: usize, sale: SaleId) {
        let n = self.unique();
        let device = &mut self.devices[d];
        let reason = highland_domain::Reason::parse(&format!("void {n}")).unwrap();
        device.store.void_sale(sale, reason).unwrap();
        let op = newest_ops(&device.store, 1).remove(0);
        assert!(matches!(&op.payload, Payload::SaleVoided { sale_id, .. } if *sale_id == sale));
        let oracle = &mut self.oracle;
        // A second void of one sale (from a device that had not heard of
        // the first) is accepted too, and gives nothing back twice.
        if oracle.voided.insert(sale) {
            let (listing, quantity) = oracle.sales[&sale];
            let stock = oracle.stock.get_mut(&listing).unwrap();
            stock.sold -= quantity;
            stock.sales -= 1;
        }
        oracle.issued(&[op]);
    }

    fn adjust(&mut self, d: usize, id: ListingId, amount: i64) {
        let unit = self.oracle.units[&id];
        let change = base_amount(unit, amount);
        let device = &mut self.devices[d];
        adjust_stock(&mut device.store, id, unit, change);
        let op = newest_ops(&device.store, 1).remove(0);
        assert!(matches!(&op.payload, Payload::StockAdjusted { adjustment }
            if adjustment.listing_id == id && adjustment.change.base() == change));
        self.oracle.stock.get_mut(&id).unwrap().adjusted += change;
        self.oracle.issued(&[op]);
    }

    fn field_value(&mut self, change: Change) -> ListingField {
        let n = self.unique();
        match change {
            Change::Title => ListingField::Title(Title::parse(&format!("title {n}")).unwrap()),
            Change::Price => ListingField::Price(Price::from_fen(100 + n).unwrap()),
            Change::Status(status) => ListingField::Status(status),
            Change::Description(false) => ListingField::Description(None),
            Change::Description(true) => ListingField::Description(Some(
                Description::parse(&format!("description {n}")).unwrap(),
            )),
        }
    }

    // --- the other seller's tablet ------------------------------------------

    fn outsider_adds_listing(&mut self, stock: i64) {
        let n = self.unique();
        let title = format!("other seller's listing {n}");
        let store = &mut self.outsider.store;
        let id = store
            .add_listing(new_listing(&title, Unit::Jar, 500, stock))
            .unwrap();
        let ops = newest_ops(store, if stock > 0 { 2 } else { 1 });
        let outsider = &mut self.oracle.outsider;
        outsider.listings.insert(id);
        outsider.ops.extend(ops.iter().map(|op| op.id));
    }

    /// The outsider learns of a listing of the first seller some other way
    /// than sync (the hub never sends it) and writes on it as if it were its
    /// own. Every such write must be refused.
    fn outsider_tries(&mut self, id: ListingId, attempt: Attempt) {
        let created = self.oracle.created[&id].clone();
        let unit = self.oracle.units[&id];
        let field = match attempt {
            Attempt::Edit(change) => Some(self.field_value(change)),
            _ => None,
        };
        let store = &mut self.outsider.store;
        if store.listing(id).is_err() {
            store.apply_remote(&[created]).unwrap();
            self.oracle.outsider.forged.insert(id);
        }
        match attempt {
            Attempt::Sell { amount } => {
                store
                    .record_sale(new_sale(id, unit, base_amount(unit, amount)))
                    .unwrap();
            }
            Attempt::Edit(_) => store.edit_listing(id, vec![field.unwrap()]).unwrap(),
            Attempt::Adjust { amount } => {
                adjust_stock(store, id, unit, base_amount(unit, amount));
            }
        }
        let op = newest_ops(store, 1).remove(0);
        self.oracle.outsider.attempts.insert(op.id);
    }

    // --- sync ---------------------------------------------------------------

    /// One round trip, as the real client makes it, through a link that may
    /// lose the request or the response. Returns the response the device
    /// committed, if one reached it.
    fn sync_round(&mut self, who: Who, fate: Fate, batch: Batch) -> Option<SyncResponse> {
        let hub_now = self.hub_now_ms();
        let (hub, oracle) = (&self.hub, &mut self.oracle);
        let device = match who {
            Who::Seller(i) => &mut self.devices[i],
            Who::Outsider => &mut self.outsider,
        };

        // The device: its oldest pending operations and its cursor.
        let push = device
            .store
            .next_push(batch.max_bytes, batch.max_ops)
            .unwrap();
        let sent: Vec<OperationId> = push.ids.clone();
        let request = SyncRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device.store.device_id(),
            cursor: push.cursor,
            operations: push.operations,
            max_pull_bytes: batch.max_pull_bytes,
            last_pulled: push.last_pulled,
            own_too: push.own_too,
            platform: None,
            resent: push.resent,
            incarnation: push.incarnation,
        };
        let device_time = device.store.device_clock().now();
        let request: SyncRequest = through_the_wire(&request);
        if fate == Fate::RequestLost {
            return None;
        }

        // The hub: who holds this token, then one exchange in one transaction.
        let enrolled = hub
            .device_by_token(&SecretHash::of(&device.token))
            .unwrap()
            .expect("the device's token is known to the hub")
            .device;
        assert_eq!(enrolled.id, request.device_id);
        let pushed = request
            .operations
            .iter()
            .map(|text| Pushed::Operation {
                op: text.read().unwrap(),
                text: text.clone(),
                resent: request.resent.contains(&text.read().unwrap().id),
            })
            .collect();
        let pull = PullRequest {
            cursor: request.cursor,
            max_bytes: request.max_pull_bytes,
            last_pulled: request.last_pulled,
            own_too: request.own_too,
            protocol: request.protocol,
            incarnation: request.incarnation.clone(),
        };
        let response = hub.exchange(enrolled, pushed, pull, hub_now).unwrap();
        oracle.hub_answered(&request, &response, hub_now);
        oracle.assert_pull_is_visible_to(enrolled.id, &response, &device.name);
        let response: SyncResponse = through_the_wire(&response);
        if fate == Fate::ResponseLost {
            return None;
        }

        // The device again: the offset as the client computes it, then commit.
        let offset_ms = response.hub_time_ms as i64 - device_time.timestamp_millis();
        device
            .store
            .commit_sync(&sent, &response, offset_ms)
            .unwrap();
        Some(response)
    }

    /// Syncs with nothing lost until nothing is pending and the hub has
    /// nothing more, as the client's loop does.
    fn sync_until_done(&mut self, who: Who) {
        for _ in 0..1_000 {
            let response = self.sync_round(who, Fate::Delivered, GOOD_LINK).unwrap();
            let pending = self.device_mut(who).store.pending_count().unwrap();
            if pending == 0 && !response.more {
                return;
            }
        }
        panic!("{who:?} did not finish syncing in 1,000 round trips");
    }

    fn everyone(&self) -> Vec<Who> {
        (0..self.devices.len())
            .map(Who::Seller)
            .chain([Who::Outsider])
            .collect()
    }

    /// Everyone syncs to the end, twice around, so that every device has seen
    /// every other device's last writes; then one more round must find
    /// nothing left to exchange.
    fn quiesce(&mut self) {
        for _ in 0..2 {
            for who in self.everyone() {
                self.sync_until_done(who);
            }
        }
        for who in self.everyone() {
            let response = self.sync_round(who, Fate::Delivered, GOOD_LINK).unwrap();
            assert!(
                response.acks.is_empty() && response.operations.is_empty() && !response.more,
                "{who:?} still had something to exchange after quiescing: {response:?}"
            );
        }
    }

    // --- the assertions -----------------------------------------------------

    fn assert_converged(&self) {
        let oracle = &self.oracle;

        // Every operation the seller's devices made reached the hub, once,
        // and none was refused.
        let seller_refusals: Vec<_> = oracle
            .refused
            .iter()
            .filter(|(id, _)| oracle.issued.contains(id))
            .collect();
        assert!(
            seller_refusals.is_empty(),
            "the hub refused operations of the seller: {seller_refusals:?}"
        );
        let accepted_of_seller: BTreeSet<OperationId> = oracle
            .accepted
            .keys()
            .copied()
            .filter(|id| !oracle.outsider.ops.contains(id))
            .collect();
        assert_eq!(
            accepted_of_seller, oracle.issued,
            "the hub accepted exactly the operations the seller's devices made"
        );
        assert_eq!(
            self.hub.log_length().unwrap(),
            oracle.accepted.len() as u64,
            "the hub's log holds every accepted operation once"
        );
        for device in &self.devices {
            let status = device.store.sync_status().unwrap();
            assert_eq!(
                status.pending_ops, 0,
                "{} has operations pending",
                device.name
            );
            assert!(
                status.refused.is_empty(),
                "{}: {:?}",
                device.name,
                status.refused
            );
        }

        // Listings: the hub and every device show what the oracle says.
        let expected = oracle.expected_listings();
        let on_hub: BTreeMap<String, Shown> = self
            .hub
            .listings(Some(self.seller))
            .unwrap()
            .iter()
            .map(|l| (l.id.clone(), Shown::from_hub(l)))
            .collect();
        assert_listings_eq(&on_hub, &expected, "the hub", oracle);
        for device in &self.devices {
            let on_device: BTreeMap<String, Shown> = device
                .store
                .listings()
                .unwrap()
                .iter()
                .map(|l| (l.id.clone(), Shown::from_device(l)))
                .collect();
            assert_listings_eq(&on_device, &expected, &device.name, oracle);
        }

        // Sales: exactly those made, each once, on the hub and every device.
        let expected_sales: BTreeMap<String, (String, i64)> = oracle
            .sales
            .iter()
            .map(|(id, (listing, quantity))| (id.to_string(), (listing.to_string(), *quantity)))
            .collect();
        let hub_sales: Vec<(String, (String, i64))> = self
            .hub
            .sales(Some(self.seller))
            .unwrap()
            .into_iter()
            .map(|s| (s.id, (s.listing_id, s.quantity)))
            .collect();
        assert_sales_eq(hub_sales, &expected_sales, "the hub");
        for device in &self.devices {
            let sales: Vec<(String, (String, i64))> = device
                .store
                .sales()
                .unwrap()
                .into_iter()
                .map(|s| (s.id, (s.listing_id, s.quantity)))
                .collect();
            assert_sales_eq(sales, &expected_sales, &device.name);
        }

        // Voids: the same sales voided everywhere, each with the same
        // reason (the earliest void's, however they crossed).
        let hub_voids: BTreeMap<String, String> = self
            .hub
            .sales(Some(self.seller))
            .unwrap()
            .into_iter()
            .filter_map(|s| Some((s.id, s.voided?.reason)))
            .collect();
        let expected_voids: BTreeSet<String> =
            oracle.voided.iter().map(|id| id.to_string()).collect();
        assert_eq!(
            hub_voids.keys().cloned().collect::<BTreeSet<_>>(),
            expected_voids,
            "the hub marks exactly the voided sales"
        );
        for device in &self.devices {
            let voids: BTreeMap<String, String> = device
                .store
                .sales()
                .unwrap()
                .into_iter()
                .filter_map(|s| Some((s.id, s.voided?.reason)))
                .collect();
            assert_eq!(voids, hub_voids, "{} voids as the hub does", device.name);
        }
    }

    fn assert_sellers_kept_apart(&self) {
        let outsider = &self.oracle.outsider;

        // What the outsider made for its own seller went through; every
        // attempt on the first seller's listings was refused with a reason.
        let status = self.outsider.store.sync_status().unwrap();
        assert_eq!(status.pending_ops, 0);
        let refused: BTreeSet<OperationId> = status
            .refused
            .iter()
            .map(|r| r.op_id.parse().unwrap())
            .collect();
        assert_eq!(
            refused, outsider.attempts,
            "exactly the outsider's attempts on the other seller's listings were refused"
        );
        for r in &status.refused {
            assert!(
                r.code == "not_your_listing" || r.code == "unknown_listing",
                "refused for an unexpected reason: {r:?}"
            );
            assert!(r.message.ends_with('.'), "the reason is a sentence: {r:?}");
        }
        for id in &outsider.attempts {
            assert!(
                !self.oracle.accepted.contains_key(id),
                "the hub accepted {id}"
            );
        }
        for id in &outsider.ops {
            assert!(self.oracle.accepted.contains_key(id), "the hub lost {id}");
        }

        // The hub keeps each seller's listings apart.
        let on_hub: BTreeSet<String> = self
            .hub
            .listings(Some(self.outsider_seller))
            .unwrap()
            .into_iter()
            .map(|l| l.id)
            .collect();
        let own: BTreeSet<String> = outsider.listings.iter().map(|id| id.to_string()).collect();
        assert_eq!(on_hub, own, "the hub's listings of the other seller");
        let sales = self.hub.sales(Some(self.outsider_seller)).unwrap();
        assert!(sales.is_empty(), "refused sales reached the hub: {sales:?}");

        // The outsider holds nothing of the first seller's but what it forged.
        let forged: BTreeSet<String> = outsider.forged.iter().map(|id| id.to_string()).collect();
        for listing in self.outsider.store.listings().unwrap() {
            assert!(
                own.contains(&listing.id) || forged.contains(&listing.id),
                "the outsider holds a listing it neither made nor forged: {listing:?}"
            );
        }
    }

    /// After everyone synced, a new write on any device of the seller is
    /// stamped near the hub's time: a year-ahead clock dragged nobody along.
    fn assert_new_writes_are_stamped_near_hub_time(&mut self) {
        let id = self.some_listing();
        let hub_now = self.hub_now_ms() as i64;
        for d in 0..self.devices.len() {
            let op = self.edit(d, id, Change::Description(true));
            let stamped = op.hlc.wall_ms() as i64;
            assert!(
                stamped <= hub_now + MAX_AHEAD_MS as i64,
                "{} stamped a new write {} ms ahead of the hub's clock",
                self.devices[d].name,
                stamped - hub_now
            );
            assert!(
                stamped >= hub_now - OFFSET_THRESHOLD_MS,
                "{} stamped a new write {} ms behind the hub's clock after syncing",
                self.devices[d].name,
                hub_now - stamped
            );
        }
    }

    /// A device set a year ahead edits a title; a minute later, the device
    /// whose clock is right, having synced, edits it again. The later write
    /// wins everywhere, though its wall clock reads a year earlier.
    fn assert_an_on_time_write_beats_an_earlier_far_future_one(&mut self) {
        let id = self.some_listing();
        let far = self.devices.len() - 1;
        let hub_now = self.hub_now_ms() as i64;

        self.set_clock_wrong(far, YEAR_MS);
        let future = self.edit(far, id, Change::Title);
        assert!(
            future.hlc.wall_ms() as i64 >= hub_now + YEAR_MS,
            "the far-future device stamps its write a year ahead"
        );
        self.sync_until_done(Who::Seller(far));
        let kept = self.oracle.accepted[&future.id].hlc;
        assert!(
            kept.wall_ms() as i64 <= hub_now + MAX_AHEAD_MS as i64,
            "the hub re-stamped the far-future write at its own time"
        );
        let future_title = title_of(&future);
        assert_eq!(self.hub_title(id), future_title, "the latest write so far");

        self.time_passes(MINUTE_MS);
        self.sync_until_done(Who::Seller(0));
        assert_eq!(
            self.devices[0].store.listing(id).unwrap().title,
            future_title
        );
        let later = self.edit(0, id, Change::Title);
        assert!(
            later.hlc > kept,
            "the on-time write orders after what it saw"
        );
        assert!(
            later.hlc.wall_ms() as i64 <= self.hub_now_ms() as i64 + MAX_AHEAD_MS as i64,
            "the on-time device was not dragged ahead"
        );

        self.quiesce();
        let later_title = title_of(&later);
        assert_eq!(self.hub_title(id), later_title);
        for device in &self.devices {
            assert_eq!(
                device.store.listing(id).unwrap().title,
                later_title,
                "{} shows the later, on-time title",
                device.name
            );
        }
    }

    /// A listing of the seller that every device has; made and synced if
    /// there is none yet.
    fn some_listing(&mut self) -> ListingId {
        if self.oracle.listings.is_empty() {
            self.add_listing(0, Unit::Kg, 6850, 4);
            self.quiesce();
        }
        self.oracle.listings[0]
    }

    fn hub_title(&self, id: ListingId) -> String {
        let id = id.to_string();
        self.hub
            .listings(Some(self.seller))
            .unwrap()
            .into_iter()
            .find(|l| l.id == id)
            .unwrap()
            .title
    }
}

// ---------------------------------------------------------------------------
// The oracle: what was issued, and what the hub decided
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stock {
    /// Received and adjusted, in base units.
    adjusted: i64,
    sold: i64,
    sales: i64,
}

#[derive(Debug, Default)]
struct OutsiderModel {
    /// Its own seller's listings and operations: these must go through.
    listings: BTreeSet<ListingId>,
    ops: BTreeSet<OperationId>,
    /// The first seller's listings it learned of out of band.
    forged: BTreeSet<ListingId>,
    /// Its writes on those: every one must be refused.
    attempts: BTreeSet<OperationId>,
}

#[derive(Debug, Default)]
struct Oracle {
    /// The seller's listings, in the order the test created them.
    listings: Vec<ListingId>,
    units: HashMap<ListingId, Unit>,
    created: HashMap<ListingId, Operation>,
    stock: HashMap<ListingId, Stock>,
    /// Every sale made on the seller's devices: its listing and quantity.
    sales: BTreeMap<SaleId, (ListingId, i64)>,
    /// The sales voided on any of them.
    voided: BTreeSet<SaleId>,
    /// Every operation the seller's devices made.
    issued: BTreeSet<OperationId>,
    /// Every operation the hub accepted, at the timestamp the hub keeps.
    accepted: HashMap<OperationId, Operation>,
    refused: HashMap<OperationId, String>,
    /// The version of every accepted field write, which must be its own.
    field_write_versions: HashMap<Version, OperationId>,
    seller_of: HashMap<DeviceId, SellerId>,
    outsider: OutsiderModel,
}

impl Oracle {
    fn issued(&mut self, ops: &[Operation]) {
        self.issued.extend(ops.iter().map(|op| op.id));
    }

    /// Takes in what the hub answered, whether or not the answer reaches the
    /// device, and checks the hub's stamping rule on the way.
    fn hub_answered(&mut self, request: &SyncRequest, response: &SyncResponse, hub_now: u64) {
        assert_eq!(
            response.acks.len(),
            request.operations.len(),
            "one ack per pushed operation"
        );
        for (op, ack) in request.operations.iter().zip(&response.acks) {
            let op = &op.read().unwrap();
            assert_eq!(ack.op_id, op.id, "acks come in the order pushed");
            match &ack.outcome {
                AckOutcome::Applied { hlc } => {
                    assert!(
                        !self.refused.contains_key(&op.id),
                        "{} refused, then applied",
                        op.id
                    );
                    let kept = hlc.unwrap_or(op.hlc);
                    assert!(
                        kept.wall_ms() <= hub_now + MAX_AHEAD_MS,
                        "the hub kept a timestamp beyond its allowance: {kept:?}"
                    );
                    match self.accepted.get(&op.id) {
                        Some(before) => assert_eq!(
                            before.hlc, kept,
                            "the hub acknowledged {} again at another timestamp",
                            op.id
                        ),
                        None => {
                            let within = op.hlc.wall_ms() <= hub_now + MAX_AHEAD_MS;
                            assert_eq!(
                                hlc.is_none(),
                                within,
                                "the hub keeps a timestamp within its allowance and re-stamps \
                                 one beyond it (sent {}, hub at {hub_now})",
                                op.hlc.wall_ms()
                            );
                            let mut kept_op = op.clone();
                            kept_op.hlc = kept;
                            self.assert_version_is_its_own(&kept_op);
                            self.accepted.insert(op.id, kept_op);
                        }
                    }
                }
                AckOutcome::Refused { reason } => {
                    assert!(
                        !self.accepted.contains_key(&op.id),
                        "{} applied, then refused",
                        op.id
                    );
                    self.refused.insert(op.id, reason.code.to_string());
                }
            }
        }
    }

    /// Last writer wins only if no two writes of a listing field carry the
    /// same version (HLC, device): with a tie, the write applied first would
    /// stay, and replicas that applied them in another order would differ.
    fn assert_version_is_its_own(&mut self, op: &Operation) {
        if !matches!(
            op.payload,
            Payload::ListingCreated { .. } | Payload::ListingEdited { .. }
        ) {
            return;
        }
        if let Some(other) = self.field_write_versions.insert(op.version(), op.id) {
            panic!(
                "two field writes share the version {:?}: {other} and {}",
                op.version(),
                op.id
            );
        }
    }

    /// A device pulls only operations of its own seller made on its other devices.
    fn assert_pull_is_visible_to(&self, device: DeviceId, response: &SyncResponse, name: &str) {
        let seller = self.seller_of[&device];
        for op in &response.read_operations().unwrap() {
            assert_ne!(
                op.device_id, device,
                "{name} was sent its own operation back"
            );
            assert_eq!(
                self.seller_of.get(&op.device_id),
                Some(&seller),
                "{name} was sent another seller's operation: {op:?}"
            );
        }
    }

    /// The accepted field writes of one listing, oldest version first, one
    /// a line: to read when a listing shows the wrong value.
    fn writes_of(&self, listing: &str) -> String {
        let mut writes: Vec<(Version, String)> = Vec::new();
        for op in self.accepted.values() {
            let (id, fields) = match &op.payload {
                Payload::ListingCreated { listing } => (listing.id, listing.fields()),
                Payload::ListingEdited {
                    listing_id,
                    changes,
                } => (*listing_id, changes.to_vec()),
                _ => continue,
            };
            if id.to_string() == listing {
                writes.push((op.version(), format!("{fields:?} by op {}", op.id)));
            }
        }
        writes.sort();
        writes
            .iter()
            .map(|(v, what)| {
                format!(
                    "  {} ms + {} on {}: {what}\n",
                    v.hlc.wall_ms(),
                    v.hlc.counter(),
                    v.device
                )
            })
            .collect()
    }

    /// Each listing as it must look: every field the value of the accepted
    /// write with the greatest version, stock from what the test issued.
    fn expected_listings(&self) -> BTreeMap<String, Shown> {
        let mut winners: HashMap<(ListingId, &'static str), (Version, ListingField)> =
            HashMap::new();
        for op in self.accepted.values() {
            let (listing, fields) = match &op.payload {
                Payload::ListingCreated { listing } => (listing.id, listing.fields()),
                Payload::ListingEdited {
                    listing_id,
                    changes,
                } => (*listing_id, changes.to_vec()),
                _ => continue,
            };
            if !self.stock.contains_key(&listing) {
                continue; // the other seller's
            }
            for field in fields {
                let key = (listing, field.name());
                let current = winners.get(&key).map(|(v, _)| *v);
                if op.version().wins_over(current) {
                    winners.insert(key, (op.version(), field));
                }
            }
        }
        self.listings
            .iter()
            .map(|id| {
                let mut shown = Shown {
                    stock: self.stock[id].adjusted - self.stock[id].sold,
                    sold: self.stock[id].sold,
                    sales_count: self.stock[id].sales,
                    ..Shown::default()
                };
                for name in ["title", "category", "price", "status", "description", "lot"] {
                    let (_, field) = winners
                        .get(&(*id, name))
                        .unwrap_or_else(|| panic!("no accepted write of {name} of {id}"));
                    shown.set(field);
                }
                (id.to_string(), shown)
            })
            .collect()
    }
}

/// What a listing shows, as both the hub's and the device's views name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Shown {
    title: String,
    category: String,
    price_fen: i64,
    status: String,
    description: Option<String>,
    lot_id: Option<String>,
    stock: i64,
    sold: i64,
    sales_count: i64,
    weight_per_unit_g: Option<i64>,
}

impl Shown {
    fn set(&mut self, field: &ListingField) {
        match field {
            ListingField::Title(t) => self.title = t.as_str().to_owned(),
            ListingField::Category(c) => self.category = c.slug().to_owned(),
            ListingField::Price(p) => self.price_fen = p.fen(),
            ListingField::Status(s) => self.status = s.slug().to_owned(),
            ListingField::Description(d) => {
                self.description = d.as_ref().map(|d| d.as_str().to_owned());
            }
            ListingField::Lot(l) => self.lot_id = l.map(|l| l.to_string()),
            ListingField::WeightPerUnit(w) => self.weight_per_unit_g = w.map(|w| w.grams()),
        }
    }

    fn from_hub(l: &highland_hub::ListingView) -> Shown {
        Shown {
            title: l.title.clone(),
            category: l.category.clone(),
            price_fen: l.price_fen,
            status: l.status.clone(),
            description: l.description.clone(),
            lot_id: l.lot_id.clone(),
            stock: l.stock,
            sold: l.sold,
            sales_count: l.sales_count,
            weight_per_unit_g: l.weight_per_unit_g,
        }
    }

    fn from_device(l: &highland_engine::views::ListingView) -> Shown {
        Shown {
            title: l.title.clone(),
            category: l.category.clone(),
            price_fen: l.price_fen,
            status: l.status.clone(),
            description: l.description.clone(),
            lot_id: l.lot_id.clone(),
            stock: l.stock,
            sold: l.sold,
            sales_count: l.sales_count,
            weight_per_unit_g: l.weight_per_unit_g,
        }
    }
}

fn assert_listings_eq(
    got: &BTreeMap<String, Shown>,
    expected: &BTreeMap<String, Shown>,
    who: &str,
    oracle: &Oracle,
) {
    let got_ids: BTreeSet<&String> = got.keys().collect();
    let expected_ids: BTreeSet<&String> = expected.keys().collect();
    assert_eq!(
        got_ids, expected_ids,
        "{who} holds exactly the seller's listings"
    );
    for (id, want) in expected {
        assert_eq!(
            &got[id],
            want,
            "{who} shows listing {id} wrong; its accepted writes, by version:\n{}",
            oracle.writes_of(id)
        );
    }
}

fn assert_sales_eq(
    got: Vec<(String, (String, i64))>,
    expected: &BTreeMap<String, (String, i64)>,
    who: &str,
) {
    let count = got.len();
    let got: BTreeMap<String, (String, i64)> = got.into_iter().collect();
    assert_eq!(count, got.len(), "{who} lists a sale twice");
    assert_eq!(&got, expected, "{who} lists exactly the sales made");
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

fn new_seller(name: &str) -> NewSeller {
    NewSeller {
        name: ShortText::parse(name).unwrap(),
        village: ShortText::parse("Yubeng").unwrap(),
        phone: None,
    }
}

/// A device with its own clock, enrolled with `code` through the hub's
/// enrollment (what `POST /v1/enroll` does), its token kept as the client
/// keeps it.
fn enrolled_device(
    root: &Path,
    name: String,
    skew: Skew,
    hub: &HubDb,
    code: &str,
    now_ms: u64,
) -> Device {
    let dir = root.join(format!("device-{}", name.replace(' ', "-")));
    std::fs::create_dir_all(&dir).unwrap();
    let clock = Arc::new(ManualClock::at(
        DateTime::from_timestamp_millis(now_ms as i64 + skew.ms()).unwrap(),
    ));
    let mut store = Store::open_with_clock(&dir.join("highland.db"), clock.clone()).unwrap();

    let token = new_device_token();
    let seller = hub
        .enroll(&highland_hub::storage::Enrollment {
            code: code_hash(&CheckedCode::parse(code).unwrap()),
            device: store.device_id(),
            token: SecretHash::of(&token),
            now_ms,
        })
        .unwrap();
    store
        .save_enrollment(&highland_engine::sync::Enrollment {
            hub_url: "in-process".to_owned(),
            seller_id: seller.id.to_string(),
            seller_name: seller.name,
            village: seller.village,
            device_token: token.clone(),
        })
        .unwrap();
    Device {
        name,
        store,
        clock,
        token,
    }
}

fn new_listing(title: &str, unit: Unit, price_fen: i64, stock: i64) -> NewListing {
    NewListing {
        title: Title::parse(title).unwrap(),
        category: highland_domain::Category::Honey,
        unit,
        price: Price::from_fen(price_fen).unwrap(),
        status: ListingStatus::Listed,
        description: None,
        lot_id: None,
        stock: (stock > 0).then(|| Quantity::from_base(base_amount(unit, stock), unit).unwrap()),
    }
}

fn new_sale(listing: ListingId, unit: Unit, base: i64) -> NewSale {
    NewSale {
        listing_id: listing,
        quantity: Quantity::from_base(base, unit).unwrap(),
        unit_price: None,
        payment: PaymentMethod::Cash,
        buyer: None,
        // Sold offline from stock another device may have sold too.
        allow_oversell: true,
    }
}

fn adjust_stock(store: &mut Store, listing: ListingId, unit: Unit, base: i64) {
    let kind = if base > 0 {
        AdjustmentKind::Received
    } else {
        AdjustmentKind::Correction
    };
    store
        .adjust_stock(
            listing,
            QuantityDelta::from_base(base, unit).unwrap(),
            kind,
            None,
        )
        .unwrap();
}

/// An amount in the listing's base unit: quarter kilograms of meat, whole jars.
fn base_amount(unit: Unit, amount: i64) -> i64 {
    match unit {
        Unit::Kg => amount * 250,
        _ => amount,
    }
}

/// The last `n` operations of the outbox: those the write just made.
fn newest_ops(store: &Store, n: usize) -> Vec<Operation> {
    let pending = store.pending_operations(1_000_000).unwrap();
    assert!(pending.len() >= n, "the write left {n} operations pending");
    pending[pending.len() - n..].to_vec()
}

fn title_of(op: &Operation) -> String {
    match &op.payload {
        Payload::ListingEdited { changes, .. } => match &changes[..] {
            [ListingField::Title(t)] => t.as_str().to_owned(),
            _ => panic!("not a title edit: {op:?}"),
        },
        _ => panic!("not an edit: {op:?}"),
    }
}

/// Serialises and reads back, as the HTTP layer does on either side.
fn through_the_wire<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let json = serde_json::to_string(value).unwrap();
    serde_json::from_str(&json).unwrap()
}
