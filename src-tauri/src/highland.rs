//! The app's state and what each command does: parse what the seller typed
//! into domain values, call one engine function on the active profile's
//! store, and turn engine errors into [`AppError`]s. No SQL and no business
//! rules live here; `commands.rs` only forwards to these methods.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{Local, NaiveDate, Offset, Utc};
use highland_domain::{
    AdjustmentKind, Altitude, Category, CheckedCode, CommitmentBasis, Description, DomainError,
    ListingField, ListingId, ListingStatus, LotId, OrderId, PaymentMethod, PhotoId, PhotoSubject,
    Price, Quantity, QuantityDelta, Reason, RoundAnswer, RoundId, SaleId, Sha256, ShortText,
    SimulatedNetwork, Title, Unit, Weight,
};
use highland_engine::lesson::LessonView;
use highland_engine::sync::{self, SyncStatus};
use highland_engine::views::{
    CertificateView, DaySalesView, ListingDetail, ListingView, LotView, OrderDetail, OrderView,
    PhotoTransfers, PhotoView, RoundView, SaleView,
};
use highland_engine::{
    Language, NewListing, NewLot, NewSale, Profile, Settings, Store, StoreError, demo,
};
use highland_print::Fonts;
use highland_seller::{CertificateRequest, IssueError, SlipPlace};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::error::{AppError, AppResult, ErrorCode, FieldExt, file_not_saved};
use crate::events::{AppEvent, EventSink, PracticeNetworkChanged};
use crate::simulator::{Simulator, can_simulate};

/// The demo's data directory, inside the app's.
pub const DEMO_DIR: &str = "demo";

/// Where certificate slips go when no better place is set: inside the app's
/// data directory.
pub const SLIPS_DIR: &str = "certificates";

/// The app: the seller's own store (always open: it also keeps the
/// settings), the profile in use, and the background sync's state.
pub struct Highland {
    data_dir: PathBuf,
    real: Arc<Mutex<Store>>,
    active: Mutex<Active>,
    pub(crate) sync: SyncState,
    pub(crate) events: EventSink,
    /// Where printable slips are written.
    slips_dir: Mutex<PathBuf>,
    /// The printing fonts, read from the system on first use.
    fonts: Mutex<Option<Arc<Fonts>>>,
    /// The workshop's network simulator, in front of the hub.
    pub(crate) simulator: Simulator,
    /// The workshop hub this app serves, on a trainer's computer.
    #[cfg_attr(not(all(desktop, feature = "workshop")), allow(dead_code))]
    pub(crate) workshop: crate::workshop::Hosting,
}

#[derive(Clone)]
struct Active {
    profile: Profile,
    store: Arc<Mutex<Store>>,
}

/// One sync at a time, a way to ask for one, and what the last one said.
#[derive(Default)]
pub(crate) struct SyncState {
    pub(crate) kick: Notify,
    pub(crate) turn: tokio::sync::Mutex<()>,
    pub(crate) running: AtomicBool,
    pub(crate) last_error: Mutex<Option<AppError>>,
}

/// The app at a glance: what the first screen needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AppInfo {
    pub version: String,
    /// The profile in use: the seller's own data, or the demo.
    pub profile: Profile,
    pub settings: Settings,
    /// The hub the seller's own profile is enrolled with, or null.
    pub enrollment: Option<EnrollmentView>,
    pub device_id: String,
    /// The values the forms offer, as the commands accept them.
    pub choices: Choices,
    /// Whether this app can run a workshop hub (the desktop app).
    pub can_host_workshop: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct EnrollmentView {
    pub hub_url: String,
    pub seller_id: String,
    pub seller_name: String,
    pub village: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Choices {
    pub categories: Vec<String>,
    pub units: Vec<String>,
    pub payments: Vec<String>,
    pub listing_statuses: Vec<String>,
    pub adjustment_kinds: Vec<String>,
    /// What a certificate of compliance's promise may rest on.
    pub certificate_bases: Vec<BasisChoice>,
    /// Categories gathered in the wild, outside the 2026 certificate rule
    /// (`Category::is_wild_collected`); the certificate form says so.
    pub wild_categories: Vec<String>,
}

/// One ground of a certificate's promise: its slug, as `issue_certificate`
/// takes it, and its words on the national template, printed on every slip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BasisChoice {
    pub slug: String,
    pub zh: String,
}

/// Where sync stands, for the sync bar that is always on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SyncStatusView {
    pub profile: Profile,
    /// Whether this profile syncs at all (the seller's own, enrolled).
    pub enrolled: bool,
    pub hub_url: Option<String>,
    /// A sync is under way.
    pub syncing: bool,
    /// Changes waiting to be sent.
    pub pending_ops: u64,
    /// RFC 3339, UTC, or null if never.
    pub last_sync_at: Option<String>,
    /// Why the last sync failed, until one succeeds.
    pub last_error: Option<AppError>,
    /// Changes the hub refused for good, with its reasons.
    pub refused: Vec<highland_engine::sync::RefusedOp>,
    /// The last time this device found the hub restored from a backup, and
    /// how many of its changes (and sales) it sent again; null if never.
    pub hub_went_back: Option<highland_engine::sync::HubWentBack>,
    /// The last time this device found its own file gone back (put back
    /// from an old copy), and what it took back from the hub; null if never.
    pub own_recovered: Option<highland_engine::sync::OwnRecovered>,
    /// Changes from a newer Highland that wait for an update of this app.
    pub waiting_for_update: u64,
    /// This device's changes the hub cannot read until it is updated.
    pub deferred_ops: u64,
    /// A newer Highland the hub carries for this device: "a new Highland
    /// is ready"; null if none.
    pub release_ready: Option<highland_engine::sync::ReleaseReady>,
    /// Whether this build can install one (it was built with the
    /// publisher's key).
    pub can_update: bool,
    /// The last time this profile's store was found damaged, and what was
    /// done: indexes rebuilt, or the file set aside and the store rebuilt
    /// from the hub and what its outbox still held; null if never.
    pub store_repaired: Option<highland_engine::StoreRepair>,
    /// The workshop's practice network ("offline", "mountain_2g", "3g",
    /// "good"), or null for the real network.
    #[specta(type = Option<String>)]
    pub practice_network: Option<SimulatedNetwork>,
    /// Whether syncs really go through the simulator: a practice network is
    /// set, and the hub is reached over http:// (an https:// hub cannot be).
    pub simulated: bool,
}

/// A workshop hub found on the local network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FoundHubView {
    /// What the hub calls itself.
    pub name: String,
    /// Its address, as the enroll form takes it.
    pub url: String,
}

/// How long "Find a hub nearby" listens for hubs.
const FIND_HUBS_FOR: std::time::Duration = std::time::Duration::from_secs(3);

/// A new listing as the seller typed it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct ListingInput {
    pub title: String,
    /// A category slug from `AppInfo.choices.categories`.
    pub category: String,
    /// A unit slug from `AppInfo.choices.units`.
    pub unit: String,
    /// Yuan per unit, such as "68.50".
    pub price: String,
    /// In the unit, such as "12.5", or with a unit of the same kind ("3 jin").
    pub stock: String,
    pub description: Option<String>,
    pub lot_id: Option<String>,
    /// Defaults to "listed".
    pub status: Option<String>,
}

/// Changes to a listing; a null field is left as it is, and an empty
/// description clears it.
#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
pub struct ListingChanges {
    pub title: Option<String>,
    pub price: Option<String>,
    pub status: Option<String>,
    pub description: Option<String>,
    pub lot_id: Option<String>,
}

/// A certificate of compliance as the seller filled it in. What is blank
/// takes its default from the records: the quantity and product from the one
/// listing that names the lot, the issuer from the enrollment.
#[derive(Debug, Clone, Default, Deserialize, specta::Type)]
pub struct CertificateInput {
    /// Such as "12.5", or with a unit ("25 jin").
    pub quantity: Option<String>,
    /// The unit of `quantity`; defaults to that of the lot's listing.
    pub unit: Option<String>,
    pub product: Option<String>,
    pub issuer: Option<String>,
    /// A phone number or address printed on the slip.
    pub contact: Option<String>,
    /// A slug from `AppInfo.choices.certificate_bases`; defaults to "own_word".
    pub basis: Option<String>,
}

/// A certificate just issued, and where its printable slip was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct IssuedCertificate {
    pub certificate: CertificateView,
    /// The PDF slip's full path on this device.
    pub file: String,
    /// The lot's public page, which the slip's QR code opens.
    pub trace_url: String,
}

/// What a sale or its void changed, for the screen that follows it: the
/// sale itself (its id is what Undo voids), the listing's new stock and
/// today's total, all read in the write's own lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SaleOutcome {
    pub sale: SaleView,
    pub listing: ListingView,
    pub today: DaySalesView,
}

/// A lot as the seller typed it.
#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct LotInput {
    pub village: String,
    /// Whole metres, such as "3300".
    pub altitude_m: Option<String>,
    /// `YYYY-MM-DD`.
    pub harvested_on: Option<String>,
    pub environment: Option<String>,
}

/// What a photo is of: a listing or a lot, by id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PhotoOf {
    Listing(String),
    Lot(String),
}

impl PhotoOf {
    fn parse(&self) -> AppResult<PhotoSubject> {
        Ok(match self {
            PhotoOf::Listing(id) => PhotoSubject::Listing(id.parse().field("id")?),
            PhotoOf::Lot(id) => PhotoSubject::Lot(id.parse().field("id")?),
        })
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    // A panic while holding the store left no half-done transaction behind
    // (SQLite rolled it back), so the store is still good to use.
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// An optional text field: blank is absent.
fn given(input: &Option<String>) -> Option<&str> {
    input.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Highland {
    /// Opens the app's data in `data_dir` (the seller's store in it, the
    /// demo's in `data_dir/demo`), in the profile the settings say.
    pub fn open(data_dir: &Path, events: EventSink) -> AppResult<Highland> {
        let real = Store::open_dir(data_dir)?;
        let settings = real.settings()?;
        let profile = settings.profile;
        let real = Arc::new(Mutex::new(real));
        let store = match profile {
            Profile::Real => real.clone(),
            Profile::Demo => Arc::new(Mutex::new(open_demo(
                &data_dir.join(DEMO_DIR),
                demo_language(&settings),
            )?)),
        };
        Ok(Highland {
            data_dir: data_dir.to_owned(),
            real,
            active: Mutex::new(Active { profile, store }),
            sync: SyncState::default(),
            events,
            slips_dir: Mutex::new(data_dir.join(SLIPS_DIR)),
            fonts: Mutex::new(None),
            simulator: Simulator::default(),
            workshop: crate::workshop::Hosting::default(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Starts the workshop hub in this app (or shows the one running).
    pub async fn start_workshop(&self) -> AppResult<crate::workshop::WorkshopView> {
        let dir = self.data_dir.join(crate::workshop::WORKSHOP_DIR);
        self.workshop.start(&dir).await
    }

    pub async fn workshop(&self) -> AppResult<Option<crate::workshop::WorkshopView>> {
        self.workshop.view().await
    }

    pub async fn stop_workshop(&self) -> AppResult<()> {
        self.workshop.stop().await
    }

    /// The seller's own store, whatever profile is in use: the one that
    /// syncs.
    pub(crate) fn real_store(&self) -> Arc<Mutex<Store>> {
        self.real.clone()
    }

    /// Where certificate slips are written from now on (created on first use).
    pub fn set_slips_dir(&self, dir: PathBuf) {
        *self.slips_dir.lock().unwrap_or_else(|p| p.into_inner()) = dir;
    }

    pub fn slips_dir(&self) -> PathBuf {
        self.slips_dir
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn fonts(&self) -> AppResult<Arc<Fonts>> {
        let mut fonts = self.fonts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(f) = &*fonts {
            return Ok(f.clone());
        }
        let loaded = Arc::new(Fonts::system()?);
        *fonts = Some(loaded.clone());
        Ok(loaded)
    }

    fn active(&self) -> Active {
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The active profile and its store.
    pub(crate) fn active_store(&self) -> (Profile, Arc<Mutex<Store>>) {
        let a = self.active();
        (a.profile, a.store)
    }

    fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T, StoreError>) -> AppResult<T> {
        let store = self.active().store;
        let guard = lock(&store);
        Ok(f(&guard)?)
    }

    /// A local write; the background sync is told there is something to send.
    fn write<T>(&self, f: impl FnOnce(&mut Store) -> AppResult<T>) -> AppResult<T> {
        let store = self.active().store;
        let out = f(&mut lock(&store))?;
        self.kick_sync();
        Ok(out)
    }

    fn listing_unit(store: &Store, id: ListingId) -> AppResult<Unit> {
        store.listing(id)?.unit.parse().field("unit")
    }

    // --- The app and its profiles -------------------------------------

    pub fn app_info(&self) -> AppResult<AppInfo> {
        let (profile, store) = self.active_store();
        let device_id = lock(&store).device_id().to_string();
        let real = lock(&self.real);
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            profile,
            settings: real.settings()?,
            enrollment: real.enrollment()?.map(|e| EnrollmentView {
                hub_url: e.hub_url,
                seller_id: e.seller_id,
                seller_name: e.seller_name,
                village: e.village,
            }),
            device_id,
            choices: Choices {
                categories: Category::ALL.map(|c| c.slug().to_owned()).to_vec(),
                units: Unit::ALL.map(|u| u.slug().to_owned()).to_vec(),
                payments: PaymentMethod::ALL.map(|p| p.slug().to_owned()).to_vec(),
                listing_statuses: ListingStatus::ALL.map(|s| s.slug().to_owned()).to_vec(),
                adjustment_kinds: AdjustmentKind::ALL.map(|k| k.slug().to_owned()).to_vec(),
                certificate_bases: CommitmentBasis::ALL
                    .map(|b| BasisChoice {
                        slug: b.slug().to_owned(),
                        zh: b.zh().to_owned(),
                    })
                    .to_vec(),
                wild_categories: Category::ALL
                    .into_iter()
                    .filter(|c| c.is_wild_collected())
                    .map(|c| c.slug().to_owned())
                    .collect(),
            },
            can_host_workshop: crate::workshop::CAN_HOST,
        })
    }

    pub fn get_settings(&self) -> AppResult<Settings> {
        Ok(lock(&self.real).settings()?)
    }

    fn change_settings(&self, change: impl FnOnce(&mut Settings)) -> AppResult<Settings> {
        let mut real = lock(&self.real);
        let mut settings = real.settings()?;
        change(&mut settings);
        real.save_settings(&settings)?;
        Ok(settings)
    }

    pub fn set_language(&self, language: Language) -> AppResult<Settings> {
        self.change_settings(|s| s.language = Some(language))
    }

    pub fn set_settings(&self, data_saver: bool) -> AppResult<Settings> {
        self.change_settings(|s| s.data_saver = data_saver)
    }

    pub fn set_large_text(&self, on: bool) -> AppResult<Settings> {
        self.change_settings(|s| s.large_text = on)
    }

    /// The low-stock mark, in each listing's own units. The engine reads it
    /// from the store whose listings it marks, so the demo's store gets it
    /// too: practice shows what the seller's own tablet will.
    pub fn set_low_stock_at(&self, units: u32) -> AppResult<Settings> {
        let settings = self.change_settings(|s| s.low_stock_at = units)?;
        let (profile, store) = self.active_store();
        if profile == Profile::Demo {
            let mut demo = lock(&store);
            let mut own = demo.settings()?;
            own.low_stock_at = units;
            demo.save_settings(&own)?;
        }
        Ok(settings)
    }

    /// Opens the demo (seeding it on first use) and makes it the profile in use.
    pub fn start_demo(&self) -> AppResult<AppInfo> {
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        if active.profile != Profile::Demo {
            let store = open_demo(&self.demo_dir(), demo_language(&self.get_settings()?))?;
            *active = Active {
                profile: Profile::Demo,
                store: Arc::new(Mutex::new(store)),
            };
        }
        drop(active);
        self.change_settings(|s| s.profile = Profile::Demo)?;
        self.app_info()
    }

    /// Throws the demo's changes away and starts it afresh, in use.
    pub fn reset_demo(&self) -> AppResult<AppInfo> {
        let mut active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        let previous = std::mem::replace(
            &mut *active,
            Active {
                profile: Profile::Real,
                store: self.real.clone(),
            },
        );
        if previous.profile == Profile::Demo {
            // The demo's store must be closed before its file goes; a
            // command using it this very moment still holds it.
            if let Err(store) = Arc::try_unwrap(previous.store) {
                *active = Active {
                    profile: Profile::Demo,
                    store,
                };
                return Err(AppError::new(
                    ErrorCode::Busy,
                    "the demo is in use; try again in a moment",
                ));
            }
        }
        demo::reset_in(
            &self.demo_dir(),
            Utc::now(),
            demo_language(&self.get_settings()?),
        )?;
        *active = Active {
            profile: Profile::Demo,
            store: Arc::new(Mutex::new(Store::open_dir(&self.demo_dir())?)),
        };
        drop(active);
        self.change_settings(|s| s.profile = Profile::Demo)?;
        self.app_info()
    }

    /// Leaves the demo for the seller's own data.
    pub fn use_real_profile(&self) -> AppResult<AppInfo> {
        *self.active.lock().unwrap_or_else(|p| p.into_inner()) = Active {
            profile: Profile::Real,
            store: self.real.clone(),
        };
        self.change_settings(|s| s.profile = Profile::Real)?;
        self.kick_sync();
        self.app_info()
    }

    /// A trainer's reset for the next class: the seller's own store keeps
    /// nothing (records, photos, settings, the enrollment) and takes a new
    /// device id; the app opens on its first-run screen. The demo's store
    /// is left for the demo's own reset. What was synced stays on the hub.
    pub fn reset_tablet(&self) -> AppResult<AppInfo> {
        *self.active.lock().unwrap_or_else(|p| p.into_inner()) = Active {
            profile: Profile::Real,
            store: self.real.clone(),
        };
        lock(&self.real).reset_for_next_class()?;
        self.app_info()
    }

    fn demo_dir(&self) -> PathBuf {
        self.data_dir.join(DEMO_DIR)
    }

    /// Enrolls the seller's own profile with a hub by the code its staff
    /// gave, and switches to that profile.
    pub async fn enroll(&self, hub_url: &str, code: &str) -> AppResult<AppInfo> {
        let code = CheckedCode::parse(code).field("code")?;
        let hub_url = hub_url.trim();
        if hub_url.is_empty() {
            return Err(AppError::from(highland_domain::DomainError::Empty {
                field: "hub_url",
            }));
        }
        sync::enroll(&self.real, hub_url, code, None).await?;
        // A new token: what stopped the old one (a revocation) is past.
        *self
            .sync
            .last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
        self.use_real_profile()
    }

    // --- Listings and sales --------------------------------------------

    pub fn list_listings(&self) -> AppResult<Vec<ListingView>> {
        self.read(Store::listings)
    }

    pub fn listing_detail(&self, id: &str) -> AppResult<ListingDetail> {
        let id: ListingId = id.parse().field("id")?;
        self.read(|s| s.listing_detail(id))
    }

    pub fn create_listing(&self, input: ListingInput) -> AppResult<ListingView> {
        let unit: Unit = input.unit.parse().field("unit")?;
        let new = NewListing {
            title: Title::parse(&input.title).field("title")?,
            category: input.category.parse::<Category>().field("category")?,
            unit,
            price: Price::parse_yuan(&input.price).field("price")?,
            status: given(&input.status)
                .map(str::parse::<ListingStatus>)
                .transpose()
                .field("status")?
                .unwrap_or(ListingStatus::Listed),
            description: given(&input.description)
                .map(Description::parse)
                .transpose()
                .field("description")?,
            lot_id: given(&input.lot_id)
                .map(str::parse::<LotId>)
                .transpose()
                .field("lot_id")?,
            stock: Some(Quantity::parse(&input.stock, unit).field("stock")?),
        };
        self.write(|s| {
            let id = s.add_listing(new)?;
            Ok(s.listing(id)?)
        })
    }

    pub fn edit_listing(&self, id: &str, input: ListingChanges) -> AppResult<ListingView> {
        let id: ListingId = id.parse().field("id")?;
        let mut changes = Vec::new();
        if let Some(t) = given(&input.title) {
            changes.push(ListingField::Title(Title::parse(t).field("title")?));
        }
        if let Some(p) = given(&input.price) {
            changes.push(ListingField::Price(Price::parse_yuan(p).field("price")?));
        }
        if let Some(s) = given(&input.status) {
            changes.push(ListingField::Status(s.parse().field("status")?));
        }
        if let Some(d) = &input.description {
            let d = given(&Some(d.clone()))
                .map(Description::parse)
                .transpose()
                .field("description")?;
            changes.push(ListingField::Description(d));
        }
        if let Some(l) = given(&input.lot_id) {
            changes.push(ListingField::Lot(Some(l.parse().field("lot_id")?)));
        }
        self.write(|s| {
            s.edit_listing(id, changes)?;
            Ok(s.listing(id)?)
        })
    }

    /// Records a sale at the listing's price; `quantity` is what the seller
    /// typed, in the listing's unit or another of the same kind ("3 jin").
    pub fn record_sale(
        &self,
        listing_id: &str,
        quantity: &str,
        payment: &str,
    ) -> AppResult<SaleOutcome> {
        let listing_id: ListingId = listing_id.parse().field("listing_id")?;
        let payment: PaymentMethod = payment.parse().field("payment")?;
        self.write(|s| {
            let unit = Self::listing_unit(s, listing_id)?;
            let id = s.record_sale(NewSale {
                listing_id,
                quantity: Quantity::parse(quantity, unit).field("quantity")?,
                unit_price: None,
                payment,
                buyer: None,
                allow_oversell: false,
            })?;
            Self::sale_outcome(s, id)
        })
    }

    /// Voids a sale recorded by mistake (Undo, or Void with a reason on
    /// the sale's page); its stock comes back.
    pub fn void_sale(&self, sale_id: &str, reason: &str) -> AppResult<SaleOutcome> {
        let id: SaleId = sale_id.parse().field("sale_id")?;
        let reason = Reason::parse(reason).field("reason")?;
        self.write(|s| {
            s.void_sale(id, reason)?;
            Self::sale_outcome(s, id)
        })
    }

    fn sale_outcome(s: &Store, id: SaleId) -> AppResult<SaleOutcome> {
        let sale = s.sale(id)?.ok_or(StoreError::UnknownSale(id))?;
        let listing = s.listing(sale.listing_id.parse().field("listing_id")?)?;
        let now = Local::now();
        let today = s
            .daily_sales(now.date_naive(), 1, now.offset().fix())?
            .remove(0);
        Ok(SaleOutcome {
            sale,
            listing,
            today,
        })
    }

    /// Stock that came in ("received") or a correction, which may be
    /// negative ("-2": spoiled, eaten, lost).
    pub fn adjust_stock(
        &self,
        listing_id: &str,
        kind: &str,
        quantity: &str,
        reason: Option<String>,
    ) -> AppResult<ListingView> {
        let listing_id: ListingId = listing_id.parse().field("listing_id")?;
        let kind: AdjustmentKind = kind.parse().field("kind")?;
        let reason = given(&reason)
            .map(Reason::parse)
            .transpose()
            .field("reason")?;
        self.write(|s| {
            let unit = Self::listing_unit(s, listing_id)?;
            let change = QuantityDelta::parse(quantity, unit).field("quantity")?;
            s.adjust_stock(listing_id, change, kind, reason)?;
            Ok(s.listing(listing_id)?)
        })
    }

    /// Sales per day for the last seven days, in the device's time zone.
    pub fn week_sales(&self) -> AppResult<Vec<DaySalesView>> {
        let now = Local::now();
        self.week_sales_at(now.date_naive(), now.offset().fix())
    }

    pub fn week_sales_at(
        &self,
        today: NaiveDate,
        offset: chrono::FixedOffset,
    ) -> AppResult<Vec<DaySalesView>> {
        self.read(|s| s.daily_sales(today, 7, offset))
    }

    // --- Lots ------------------------------------------------------------

    pub fn list_lots(&self) -> AppResult<Vec<LotView>> {
        self.read(Store::lots)
    }

    pub fn record_lot(&self, input: LotInput) -> AppResult<LotView> {
        let altitude = given(&input.altitude_m)
            .map(|a| {
                a.parse::<i32>()
                    .map_err(|_| highland_domain::DomainError::InvalidAltitude {
                        input: a.to_owned(),
                        min: Altitude::MIN,
                        max: Altitude::MAX,
                    })
                    .and_then(Altitude::from_metres)
            })
            .transpose()
            .field("altitude_m")?;
        let harvested_on = given(&input.harvested_on)
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    AppError::new(
                        ErrorCode::InvalidDate,
                        format!("{d:?} is not a date like 2026-08-20"),
                    )
                    .with_param("input", d)
                })
            })
            .transpose()
            .field("harvested_on")?;
        let new = NewLot {
            village: ShortText::parse(&input.village).field("village")?,
            altitude,
            harvested_on,
            environment: given(&input.environment)
                .map(Description::parse)
                .transpose()
                .field("environment")?,
        };
        self.write(|s| {
            let id = s.add_lot(new)?;
            let lots = s.lots()?;
            lots.into_iter()
                .find(|l| l.id == id.to_string())
                .ok_or_else(|| StoreError::UnknownLot(id).into())
        })
    }

    // --- Certificates of compliance --------------------------------------

    /// Issues a certificate of compliance for a lot and writes its PDF slip
    /// into the slips directory. The slip is written before the certificate
    /// is committed, so an error records nothing and a retry never issues
    /// twice. The slip's QR code opens the lot's page on the hub, so the
    /// profile must be enrolled (the hub need not be reachable).
    pub fn issue_certificate(
        &self,
        lot_id: &str,
        input: CertificateInput,
    ) -> AppResult<IssuedCertificate> {
        let lot_id: LotId = lot_id.parse().field("lot_id")?;
        let basis = given(&input.basis)
            .map(str::parse::<CommitmentBasis>)
            .transpose()
            .field("basis")?
            .unwrap_or(CommitmentBasis::OwnWord);
        let product = given(&input.product)
            .map(Title::parse)
            .transpose()
            .field("product")?;
        let issuer = given(&input.issuer)
            .map(ShortText::parse)
            .transpose()
            .field("issuer")?;
        let contact = given(&input.contact)
            .map(ShortText::parse)
            .transpose()
            .field("contact")?;
        let unit = given(&input.unit)
            .map(str::parse::<Unit>)
            .transpose()
            .field("unit")?;
        let request = CertificateRequest {
            lot_id,
            quantity: given(&input.quantity).map(str::to_owned),
            unit,
            product,
            issuer,
            contact,
            basis,
        };
        let profile = self.active().profile;
        let dir = self.slips_dir();
        self.write(|s| {
            if profile == Profile::Demo && s.enrollment()?.is_none() {
                return Err(AppError::new(
                    ErrorCode::DemoProfile,
                    "a certificate's QR code opens the lot's page on the hub; the demo has none",
                ));
            }
            let fonts = self.fonts()?;
            let issued = highland_seller::issue(s, request, &fonts, SlipPlace::Folder(&dir))
                .map_err(certificate_error)?;
            Ok(IssuedCertificate {
                certificate: (&issued.certificate).into(),
                file: issued.file.display().to_string(),
                trace_url: issued.trace_url,
            })
        })
    }

    /// A lot's certificates, newest first.
    pub fn list_certificates(&self, lot_id: &str) -> AppResult<Vec<CertificateView>> {
        let lot_id: LotId = lot_id.parse().field("lot_id")?;
        self.read(|s| s.certificates(Some(lot_id)))
    }

    // --- Photos ------------------------------------------------------------

    /// Adds a photo (the file's bytes, base64-encoded: see
    /// `commands::add_photo`) to a listing or a lot. `keep_location` keeps
    /// where a lot's photo was taken.
    pub fn add_photo(
        &self,
        subject: PhotoOf,
        picture_base64: &str,
        keep_location: bool,
    ) -> AppResult<PhotoView> {
        let subject = subject.parse()?;
        let picture = crate::base64::decode(picture_base64).ok_or_else(|| {
            AppError::new(ErrorCode::NotAnImage, "the picture is not valid base64")
                .with_field("photo")
        })?;
        self.write(|s| Ok(s.add_photo(subject, &picture, keep_location)?))
    }

    /// Reads the QR code in a photo the camera took (an enrollment card),
    /// in this process: no Google Play services needed. The first code's
    /// text; the enroll screen reads what it holds.
    pub fn decode_qr(&self, picture_base64: &str) -> AppResult<String> {
        let picture = crate::base64::decode(picture_base64).ok_or_else(|| {
            AppError::new(ErrorCode::NotAnImage, "the picture is not valid base64")
                .with_field("photo")
        })?;
        let texts = highland_label::scan::decode_qr(&picture)?;
        Ok(texts.into_iter().next().unwrap_or_default())
    }

    pub fn remove_photo(&self, id: &str) -> AppResult<()> {
        let id: PhotoId = id.parse().field("id")?;
        self.write(|s| Ok(s.remove_photo(id)?))
    }

    /// A listing's or a lot's photos, oldest first.
    pub fn photos_of(&self, subject: PhotoOf) -> AppResult<Vec<PhotoView>> {
        let subject = subject.parse()?;
        self.read(|s| s.photos_of(subject))
    }

    /// Every photo shown, oldest first (the products screen takes each
    /// listing's first).
    pub fn list_photos(&self) -> AppResult<Vec<PhotoView>> {
        self.read(Store::photos)
    }

    pub fn photo_transfers(&self) -> AppResult<PhotoTransfers> {
        self.read(Store::photo_transfers)
    }

    /// A stored photo file of the profile in use, by its name
    /// (`<sha256>.jpg`), for the `photo:` protocol; `None` when it is not
    /// on this device. Only names of that form are read: nothing else in
    /// the data directory can be reached this way.
    pub fn photo_file(&self, name: &str) -> AppResult<Option<Vec<u8>>> {
        let sha = name
            .strip_suffix(".jpg")
            .and_then(|hex| Sha256::parse(hex).ok())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidId,
                    format!("{name:?} names no photo file"),
                )
            })?;
        // From the profile, not the store: reading a thumbnail must not wait
        // for the store's lock, which adding a photo holds while it resizes.
        let dir = match self.active().profile {
            Profile::Real => self.data_dir.clone(),
            Profile::Demo => self.demo_dir(),
        }
        .join(highland_engine::photos::PHOTOS_DIR);
        match std::fs::read(dir.join(format!("{}.jpg", sha.to_hex()))) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(AppError::new(ErrorCode::Internal, e.to_string())),
        }
    }

    // --- Orders ----------------------------------------------------------

    /// The collection rounds the seller has orders on, once per stop.
    pub fn list_rounds(&self) -> AppResult<Vec<RoundView>> {
        self.read(Store::rounds)
    }

    /// "I will be there" (`coming`), or "I cannot come" with a reason;
    /// returns the rounds as they now show.
    pub fn answer_round(
        &self,
        id: &str,
        coming: bool,
        reason: Option<String>,
    ) -> AppResult<Vec<RoundView>> {
        let id: RoundId = id.parse().field("id")?;
        let answer = if coming {
            RoundAnswer::Coming
        } else {
            RoundAnswer::NotComing {
                reason: Reason::parse(reason.as_deref().unwrap_or("")).field("reason")?,
            }
        };
        self.write(|s| {
            s.answer_round(id, answer)?;
            Ok(s.rounds()?)
        })
    }

    /// What one unit of a listing weighs, in kg as typed ("0.75"); empty
    /// or null forgets it.
    pub fn weigh_listing(&self, id: &str, weight: Option<String>) -> AppResult<ListingView> {
        let id: ListingId = id.parse().field("id")?;
        let weight = given(&weight)
            .map(Weight::parse_kg)
            .transpose()
            .field("weight_per_unit")?;
        self.write(|s| {
            s.weigh_listing(id, weight)?;
            Ok(s.listing(id)?)
        })
    }

    pub fn list_orders(&self) -> AppResult<Vec<OrderView>> {
        self.read(Store::orders)
    }

    pub fn order_detail(&self, id: &str) -> AppResult<OrderDetail> {
        let id: OrderId = id.parse().field("id")?;
        self.read(|s| s.order(id))
    }

    pub fn accept_order(&self, id: &str) -> AppResult<OrderView> {
        let id: OrderId = id.parse().field("id")?;
        self.write(|s| {
            s.accept_order(id, false)?;
            Ok(s.order(id)?.order)
        })
    }

    pub fn decline_order(&self, id: &str, reason: &str) -> AppResult<OrderView> {
        let id: OrderId = id.parse().field("id")?;
        let reason = Reason::parse(reason).field("reason")?;
        self.write(|s| {
            s.decline_order(id, reason)?;
            Ok(s.order(id)?.order)
        })
    }

    pub fn hand_over_order(&self, id: &str) -> AppResult<OrderView> {
        let id: OrderId = id.parse().field("id")?;
        self.write(|s| {
            s.hand_over_order(id)?;
            Ok(s.order(id)?.order)
        })
    }

    // --- Sync --------------------------------------------------------------

    pub fn sync_status(&self) -> AppResult<SyncStatusView> {
        let (profile, store) = self.active_store();
        let status: SyncStatus = lock(&store).sync_status()?;
        let enrolled = profile == Profile::Real && lock(&store).enrollment()?.is_some();
        let network = lock(&self.real).settings()?.practice_network;
        let simulated =
            network.is_some() && enrolled && status.hub.as_deref().is_some_and(can_simulate);
        let heard = self
            .sync
            .last_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        // After a restart nothing was heard yet, but a revocation is kept in
        // the store: the bar says so before (and without) asking the hub.
        let kept = (profile == Profile::Real && lock(&store).is_revoked()?)
            .then(|| AppError::from(sync::SyncError::DeviceRevoked));
        Ok(SyncStatusView {
            profile,
            enrolled,
            hub_url: status.hub,
            syncing: self.sync.running.load(Ordering::SeqCst),
            pending_ops: status.pending_ops,
            last_sync_at: status.last_sync_at,
            last_error: heard.or(kept),
            refused: status.refused,
            hub_went_back: status.hub_went_back,
            own_recovered: status.own_recovered,
            waiting_for_update: status.waiting_for_update,
            deferred_ops: status.deferred_ops,
            release_ready: status.release_ready,
            can_update: crate::release_key::release_key().is_some(),
            store_repaired: lock(&store).last_repair()?,
            practice_network: network,
            simulated,
        })
    }

    /// Runs the seller's store's full integrity check when a day has passed
    /// since the last: the app may run for days without opening the store
    /// again. Between syncs, so that none sees its store rebuilt halfway.
    pub(crate) async fn check_store_if_due(&self) -> AppResult<bool> {
        let _turn = self.sync.turn.lock().await;
        Ok(lock(&self.real).check_if_due()?)
    }

    /// Whether the hub's staff revoked the seller's own profile's device,
    /// as the last sync (or question to the hub) heard: nothing asks the
    /// hub by itself again until the seller enrolls it anew.
    pub(crate) fn is_revoked(&self) -> bool {
        lock(&self.real).is_revoked().unwrap_or(false)
    }

    // --- The workshop ------------------------------------------------------

    /// Sets the practice network (a slug, or none for the real network) as
    /// the seller chose it on this tablet.
    pub async fn set_practice_network(&self, network: Option<&str>) -> AppResult<Settings> {
        let network = network
            .map(str::parse::<SimulatedNetwork>)
            .transpose()
            .field("network")?;
        self.switch_network(network, Utc::now()).await
    }

    /// Switches the practice network, as of `at`: the setting, the
    /// simulator, and the lesson's idea of whether the hub can be reached
    /// (a sale made while the simulator is offline is a sale made offline).
    pub(crate) async fn switch_network(
        &self,
        network: Option<SimulatedNetwork>,
        at: chrono::DateTime<Utc>,
    ) -> AppResult<Settings> {
        let before = self.get_settings()?.practice_network;
        let settings = self.change_settings(|s| {
            s.practice_network = network;
            s.practice_network_set_at = Some(at);
        })?;
        let (_, store) = self.active_store();
        if network == Some(SimulatedNetwork::Offline) {
            lock(&store).note_link(false)?;
        } else if before == Some(SimulatedNetwork::Offline) {
            lock(&store).note_link(true)?;
        }
        self.simulator.switch(network).await;
        self.kick_sync();
        Ok(settings)
    }

    /// Follows the trainer's class-wide switch once: asks the hub which
    /// network the class is on, and takes it when the trainer set it after
    /// this tablet's own last change. `Ok(false)` when the hub is not a
    /// workshop hub, so there is nothing to follow.
    pub async fn follow_class_once(&self) -> AppResult<bool> {
        let Some(class) = sync::class_network(&self.real).await? else {
            return Ok(false);
        };
        let settings = self.get_settings()?;
        let newer = match (class.set_at, settings.practice_network_set_at) {
            (Some(hub), Some(own)) => hub > own,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if newer && let Some(at) = class.set_at {
            self.switch_network(class.network, at).await?;
            (self.events)(AppEvent::PracticeNetworkChanged(PracticeNetworkChanged {
                network: class.network.map(|n| n.slug().to_owned()),
            }));
        }
        Ok(true)
    }

    /// Workshop hubs announcing themselves nearby (mDNS), off the window's thread.
    pub async fn find_hubs(&self) -> AppResult<Vec<FoundHubView>> {
        let found = tokio::task::spawn_blocking(|| highland_discovery::browse(FIND_HUBS_FOR))
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|e| AppError::new(ErrorCode::HubUnreachable, e.to_string()))?;
        Ok(found
            .into_iter()
            .map(|h| FoundHubView {
                name: h.name,
                url: h.url,
            })
            .collect())
    }

    // --- The guided lesson -------------------------------------------------

    pub fn start_lesson(&self) -> AppResult<LessonView> {
        let store = self.active().store;
        Ok(lock(&store).start_lesson()?)
    }

    pub fn lesson(&self) -> AppResult<Option<LessonView>> {
        self.read(Store::lesson)
    }

    pub fn end_lesson(&self) -> AppResult<()> {
        let store = self.active().store;
        Ok(lock(&store).end_lesson()?)
    }
}

/// The unit the lot's listings are sold in, for reading a bare quantity.
/// What the seller can do about a certificate that was not issued.
fn certificate_error(e: IssueError) -> AppError {
    let message = e.to_string();
    let needs = |code, field| AppError::new(code, message.clone()).with_field(field);
    match e {
        IssueError::NotEnrolled => AppError::new(ErrorCode::NotEnrolled, message),
        IssueError::UnknownLot(lot) => StoreError::UnknownLot(lot).into(),
        IssueError::UnitUnknown { .. } => AppError::from(DomainError::Empty { field: "unit" }),
        IssueError::NeedsProduct => needs(ErrorCode::NeedsProduct, "product"),
        IssueError::NeedsQuantity => needs(ErrorCode::NeedsQuantity, "quantity"),
        IssueError::NeedsIssuer => needs(ErrorCode::NeedsIssuer, "issuer"),
        IssueError::Quantity(d) => AppError::from(d).with_field("quantity"),
        IssueError::Store(s) => s.into(),
        IssueError::Print(p) => p.into(),
        IssueError::Slip { path, source } => file_not_saved(&source, &path),
    }
}

/// The language the demo's sample listings are written in: the trainee's.
fn demo_language(settings: &Settings) -> Language {
    settings.language.unwrap_or(Language::Bo)
}

/// The demo's store, seeded on first use in `language`.
fn open_demo(dir: &Path, language: Language) -> AppResult<Store> {
    demo::seed_in(dir, Utc::now(), language)?;
    Ok(Store::open_dir(dir)?)
}
