//! The app's commands: the IPC contract with the UI, exported to
//! `ui/src/bindings.ts`. Each one forwards to the [`Highland`] method of the
//! same name, which parses, calls the engine and maps errors.

use highland_engine::lesson::LessonView;
use highland_engine::views::{
    CertificateView, DaySalesView, ListingDetail, ListingView, LotView, OrderDetail, OrderView,
    PhotoTransfers, PhotoView, RoundView,
};
use highland_engine::{Language, Settings};
use tauri::State;

use crate::error::AppResult;
use crate::highland::{
    AppInfo, CertificateInput, FoundHubView, Highland, IssuedCertificate, ListingChanges,
    ListingInput, LotInput, PhotoOf, SaleOutcome, SyncStatusView,
};
use crate::workshop::WorkshopView;

type App<'a> = State<'a, Highland>;

/// Downloads the newer Highland the hub carries (resuming through cuts,
/// with `updateProgress` events) and installs it; it runs from the next
/// start ([`restart_app`]).
#[tauri::command]
#[specta::specta]
pub async fn install_update(
    handle: tauri::AppHandle,
    app: App<'_>,
) -> AppResult<crate::update::UpdateOutcome> {
    crate::update::install(&handle, &app).await
}

/// Starts the app again, as the update installed asks.
#[tauri::command]
#[specta::specta]
pub fn restart_app(handle: tauri::AppHandle) -> AppResult<()> {
    handle.restart()
}

/// The version, the profile in use, the settings, the hub, the form choices.
#[tauri::command]
#[specta::specta]
pub fn app_info(app: App<'_>) -> AppResult<AppInfo> {
    app.app_info()
}

#[tauri::command]
#[specta::specta]
pub fn set_language(app: App<'_>, lang: Language) -> AppResult<Settings> {
    app.set_language(lang)
}

/// Enrolls this device with a hub by the code its staff gave (typed or
/// scanned), and switches to the seller's own profile.
#[tauri::command]
#[specta::specta]
pub async fn enroll(app: App<'_>, hub_url: String, code: String) -> AppResult<AppInfo> {
    app.enroll(&hub_url, &code).await
}

#[tauri::command]
#[specta::specta]
pub fn start_demo(app: App<'_>) -> AppResult<AppInfo> {
    app.start_demo()
}

#[tauri::command]
#[specta::specta]
pub fn reset_demo(app: App<'_>) -> AppResult<AppInfo> {
    app.reset_demo()
}

#[tauri::command]
#[specta::specta]
pub fn use_real_profile(app: App<'_>) -> AppResult<AppInfo> {
    app.use_real_profile()
}

#[tauri::command]
#[specta::specta]
pub fn list_listings(app: App<'_>) -> AppResult<Vec<ListingView>> {
    app.list_listings()
}

#[tauri::command]
#[specta::specta]
pub fn listing_detail(app: App<'_>, id: String) -> AppResult<ListingDetail> {
    app.listing_detail(&id)
}

#[tauri::command]
#[specta::specta]
pub fn create_listing(app: App<'_>, input: ListingInput) -> AppResult<ListingView> {
    app.create_listing(input)
}

#[tauri::command]
#[specta::specta]
pub fn edit_listing(app: App<'_>, id: String, input: ListingChanges) -> AppResult<ListingView> {
    app.edit_listing(&id, input)
}

/// Records a sale at the listing's price; `quantity` as the seller typed it.
/// Returns the sale, the listing's new stock and today's total.
#[tauri::command]
#[specta::specta]
pub fn record_sale(
    app: App<'_>,
    listing_id: String,
    quantity: String,
    payment: String,
) -> AppResult<SaleOutcome> {
    app.record_sale(&listing_id, &quantity, &payment)
}

/// Voids a sale recorded by mistake, with why; its stock comes back.
#[tauri::command]
#[specta::specta]
pub fn void_sale(app: App<'_>, sale_id: String, reason: String) -> AppResult<SaleOutcome> {
    app.void_sale(&sale_id, &reason)
}

/// `kind` is "received" or "correction"; a correction may be negative.
#[tauri::command]
#[specta::specta]
pub fn adjust_stock(
    app: App<'_>,
    listing_id: String,
    kind: String,
    quantity: String,
    reason: Option<String>,
) -> AppResult<ListingView> {
    app.adjust_stock(&listing_id, &kind, &quantity, reason)
}

#[tauri::command]
#[specta::specta]
pub fn list_lots(app: App<'_>) -> AppResult<Vec<LotView>> {
    app.list_lots()
}

#[tauri::command]
#[specta::specta]
pub fn record_lot(app: App<'_>, input: LotInput) -> AppResult<LotView> {
    app.record_lot(input)
}

/// Issues a certificate of compliance (承诺达标合格证) for a lot and saves
/// its printable PDF slip; blank fields take their defaults from the records.
#[tauri::command]
#[specta::specta]
pub fn issue_certificate(
    app: App<'_>,
    lot_id: String,
    input: CertificateInput,
) -> AppResult<IssuedCertificate> {
    app.issue_certificate(&lot_id, input)
}

/// A lot's certificates, newest first.
#[tauri::command]
#[specta::specta]
pub fn list_certificates(app: App<'_>, lot_id: String) -> AppResult<Vec<CertificateView>> {
    app.list_certificates(&lot_id)
}

/// Adds a photo to a listing or a lot: `picture_base64` is the file as the
/// camera or gallery gave it (JPEG, PNG or WebP), base64-encoded.
/// `keep_location` keeps where a lot's photo was taken; a listing's photo
/// never keeps it.
///
/// Why base64: a `Vec<u8>` argument crosses as a JSON array of numbers,
/// 3.6 bytes a byte: a 4 MiB photo is 15 MB of JSON, which took 760 ms to
/// build in Node on the build machine (and as long again to parse),
/// against 24 ms and 5.6 MB for base64. Tauri's raw request body would be
/// free on desktop, but on Android, where sellers take the photos, the
/// WebView cannot hand a request body over and Tauri sends raw bytes as
/// that same number array. Base64 is 1.33 bytes a byte everywhere,
/// made natively by the WebView (`FileReader.readAsDataURL`), carried as
/// one JSON string and decoded here in a few milliseconds; and the
/// command stays one typed tauri-specta command.
///
/// Async so the decoding and resizing (about a second for a large photo on
/// a tablet) runs on a worker thread, not the window's.
#[tauri::command]
#[specta::specta]
pub async fn add_photo(
    app: App<'_>,
    subject: PhotoOf,
    picture_base64: String,
    keep_location: bool,
) -> AppResult<PhotoView> {
    app.add_photo(subject, &picture_base64, keep_location)
}

/// The text of the QR code in a photo (base64, as `add_photo` takes it),
/// decoded in Rust: scanning needs no Google Play services.
#[tauri::command]
#[specta::specta]
pub fn decode_qr(app: App<'_>, picture_base64: String) -> AppResult<String> {
    app.decode_qr(&picture_base64)
}

/// Takes a photo off its listing or lot.
#[tauri::command]
#[specta::specta]
pub fn remove_photo(app: App<'_>, id: String) -> AppResult<()> {
    app.remove_photo(&id)
}

/// A listing's or a lot's photos, oldest first. A file here is shown
/// through the `photo:` protocol by its `sha256` (see `lib.rs`).
#[tauri::command]
#[specta::specta]
pub fn photos_of(app: App<'_>, subject: PhotoOf) -> AppResult<Vec<PhotoView>> {
    app.photos_of(subject)
}

/// Every photo shown, oldest first.
#[tauri::command]
#[specta::specta]
pub fn list_photos(app: App<'_>) -> AppResult<Vec<PhotoView>> {
    app.list_photos()
}

/// Photo files left to upload and to download, and their bytes.
#[tauri::command]
#[specta::specta]
pub fn photo_transfers(app: App<'_>) -> AppResult<PhotoTransfers> {
    app.photo_transfers()
}

#[tauri::command]
#[specta::specta]
pub fn list_orders(app: App<'_>) -> AppResult<Vec<OrderView>> {
    app.list_orders()
}

#[tauri::command]
#[specta::specta]
pub fn order_detail(app: App<'_>, id: String) -> AppResult<OrderDetail> {
    app.order_detail(&id)
}

#[tauri::command]
#[specta::specta]
pub fn accept_order(app: App<'_>, id: String) -> AppResult<OrderView> {
    app.accept_order(&id)
}

#[tauri::command]
#[specta::specta]
pub fn decline_order(app: App<'_>, id: String, reason: String) -> AppResult<OrderView> {
    app.decline_order(&id, &reason)
}

#[tauri::command]
#[specta::specta]
pub fn hand_over_order(app: App<'_>, id: String) -> AppResult<OrderView> {
    app.hand_over_order(&id)
}

/// The collection rounds the seller has orders on: when the truck comes to
/// which stop, and what to bring; open rounds first.
#[tauri::command]
#[specta::specta]
pub fn list_rounds(app: App<'_>) -> AppResult<Vec<RoundView>> {
    app.list_rounds()
}

/// "I will be there" (`coming`), or "I cannot come" with a reason.
#[tauri::command]
#[specta::specta]
pub fn answer_round(
    app: App<'_>,
    id: String,
    coming: bool,
    reason: Option<String>,
) -> AppResult<Vec<RoundView>> {
    app.answer_round(&id, coming, reason)
}

/// What one unit of a listing weighs, in kg ("0.75"); null forgets it.
#[tauri::command]
#[specta::specta]
pub fn weigh_listing(app: App<'_>, id: String, weight: Option<String>) -> AppResult<ListingView> {
    app.weigh_listing(&id, weight)
}

#[tauri::command]
#[specta::specta]
pub fn sync_status(app: App<'_>) -> AppResult<SyncStatusView> {
    app.sync_status()
}

/// Syncs now (after any sync under way) and returns where sync stands.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(app: App<'_>) -> AppResult<SyncStatusView> {
    app.sync_now().await
}

/// Sales per day for the last seven days, oldest first, in local days.
#[tauri::command]
#[specta::specta]
pub fn week_sales(app: App<'_>) -> AppResult<Vec<DaySalesView>> {
    app.week_sales()
}

#[tauri::command]
#[specta::specta]
pub fn get_settings(app: App<'_>) -> AppResult<Settings> {
    app.get_settings()
}

#[tauri::command]
#[specta::specta]
pub fn set_settings(app: App<'_>, data_saver: bool) -> AppResult<Settings> {
    app.set_settings(data_saver)
}

/// A trainer's reset of the tablet for the next class: keeps nothing, and
/// un-enrolls it. The UI asks for a confirmation first.
#[tauri::command]
#[specta::specta]
pub fn reset_tablet(app: App<'_>) -> AppResult<AppInfo> {
    app.reset_tablet()
}

/// Everything on screen larger, Tibetan included.
#[tauri::command]
#[specta::specta]
pub fn set_large_text(app: App<'_>, on: bool) -> AppResult<Settings> {
    app.set_large_text(on)
}

/// Marks a product low on its tile at this many of its units or fewer; 0 marks none.
#[tauri::command]
#[specta::specta]
pub fn set_low_stock_at(app: App<'_>, units: u32) -> AppResult<Settings> {
    app.set_low_stock_at(units)
}

/// The workshop's practice network: "offline", "mountain_2g", "3g" or
/// "good" sends syncs through the network simulator behaving so; null is
/// the real network. Only a hub reached over http:// can be simulated.
#[tauri::command]
#[specta::specta]
pub async fn set_practice_network(app: App<'_>, network: Option<String>) -> AppResult<Settings> {
    app.set_practice_network(network.as_deref()).await
}

/// Starts the guided lesson from its first step.
#[tauri::command]
#[specta::specta]
pub fn start_lesson(app: App<'_>) -> AppResult<LessonView> {
    app.start_lesson()
}

/// The lesson in progress, each step checked off when really done; null if none.
#[tauri::command]
#[specta::specta]
pub fn lesson(app: App<'_>) -> AppResult<Option<LessonView>> {
    app.lesson()
}

#[tauri::command]
#[specta::specta]
pub fn end_lesson(app: App<'_>) -> AppResult<()> {
    app.end_lesson()
}

/// Workshop hubs announcing themselves on this network (mDNS), found
/// within a few seconds.
#[tauri::command]
#[specta::specta]
pub async fn find_hubs(app: App<'_>) -> AppResult<Vec<FoundHubView>> {
    app.find_hubs().await
}

/// Starts a workshop hub on this computer, on the LAN (desktop only), or
/// shows the one running.
#[tauri::command]
#[specta::specta]
pub async fn start_workshop(app: App<'_>) -> AppResult<WorkshopView> {
    app.start_workshop().await
}

/// The workshop hub this app runs, or null.
#[tauri::command]
#[specta::specta]
pub async fn workshop(app: App<'_>) -> AppResult<Option<WorkshopView>> {
    app.workshop().await
}

#[tauri::command]
#[specta::specta]
pub async fn stop_workshop(app: App<'_>) -> AppResult<()> {
    app.stop_workshop().await
}
