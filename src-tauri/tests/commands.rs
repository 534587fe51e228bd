//! Every command's adapter, through the engine, on a real SQLite file in a
//! fresh data directory: what the seller types goes in as text, and comes
//! back as integer fen and base units, or as an error with a stable code.

use std::sync::{Arc, Mutex};

use chrono::{FixedOffset, NaiveDate};
use highland_app_lib::events::{SyncFinished, SyncProgress};
use highland_app_lib::highland::{
    CertificateInput, ListingChanges, ListingInput, LotInput, PhotoOf,
};
use highland_app_lib::{AppEvent, ErrorCode, Highland, photo_protocol};
use highland_domain::Payload;
use highland_engine::sync::Enrollment;
use highland_engine::{Language, Profile, Store};
use tempfile::TempDir;

struct App {
    app: Highland,
    events: Arc<Mutex<Vec<AppEvent>>>,
    dir: TempDir,
}

fn app() -> App {
    let dir = TempDir::new().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = Highland::open(dir.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    App { app, events, dir }
}

fn honey() -> ListingInput {
    ListingInput {
        title: "སྦྲང་རྩི། 蜂蜜".into(),
        category: "honey".into(),
        unit: "jar".into(),
        price: "45.50".into(),
        stock: "20".into(),
        description: Some("  ".into()),
        lot_id: None,
        status: None,
    }
}

fn yak() -> ListingInput {
    ListingInput {
        title: "Yak meat".into(),
        category: "yak-meat".into(),
        unit: "kg".into(),
        price: "68.50".into(),
        stock: "12.5".into(),
        description: None,
        lot_id: None,
        status: None,
    }
}

#[test]
fn a_fresh_app_is_on_the_real_profile_with_no_language_chosen() {
    let t = app();
    let info = t.app.app_info().unwrap();
    assert_eq!(info.profile, Profile::Real);
    assert_eq!(info.settings.language, None);
    assert!(info.enrollment.is_none());
    assert!(info.choices.units.contains(&"jin".to_owned()));
    assert!(info.choices.categories.contains(&"matsutake".to_owned()));
}

#[test]
fn settings_are_kept_across_restarts() {
    let t = app();
    t.app.set_language(Language::Bo).unwrap();
    let s = t.app.set_settings(true).unwrap();
    assert_eq!((s.language, s.data_saver), (Some(Language::Bo), true));
    let dir = t.dir;
    drop(t.app);
    let again = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    let s = again.get_settings().unwrap();
    assert_eq!((s.language, s.data_saver), (Some(Language::Bo), true));
}

#[test]
fn a_listing_typed_in_yuan_comes_back_in_fen_with_its_stock_in_base_units() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    assert_eq!(l.price_fen, 6850);
    assert_eq!(
        (l.stock, l.stock_unit.as_str(), l.stock_display.as_str()),
        (12_500, "g", "12.5")
    );
    assert_eq!(l.status, "listed");
    assert_eq!(t.app.list_listings().unwrap(), vec![l.clone()]);
    let h = t.app.create_listing(honey()).unwrap();
    assert_eq!(h.description, None, "a blank description is none");
    assert_eq!(h.title, "སྦྲང་རྩི། 蜂蜜");
}

#[test]
fn a_bad_price_names_the_field_and_keeps_what_was_typed() {
    let t = app();
    let e = t
        .app
        .create_listing(ListingInput {
            price: "68,50".into(),
            ..yak()
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPrice);
    assert_eq!(e.field.as_deref(), Some("price"));
    assert_eq!(e.params["input"], "68,50");
    let e = t
        .app
        .create_listing(ListingInput {
            stock: "a lot".into(),
            ..yak()
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidQuantity, Some("stock"))
    );
    let e = t
        .app
        .create_listing(ListingInput {
            title: " ".into(),
            ..yak()
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Empty, Some("title"))
    );
    assert!(
        t.app.list_listings().unwrap().is_empty(),
        "nothing was recorded"
    );
}

#[test]
fn editing_changes_only_the_fields_given() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let edited = t
        .app
        .edit_listing(
            &l.id,
            ListingChanges {
                price: Some("70".into()),
                status: Some("sold-out".into()),
                ..ListingChanges::default()
            },
        )
        .unwrap();
    assert_eq!(
        (edited.price_fen, edited.status.as_str()),
        (7000, "sold-out")
    );
    assert_eq!(edited.title, "Yak meat");
    let e = t
        .app
        .edit_listing("not-an-id", ListingChanges::default())
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidId, Some("id"))
    );
}

#[test]
fn a_sale_typed_in_another_unit_lowers_the_stock_and_waits_for_the_hub() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let pending = t.app.sync_status().unwrap().pending_ops;
    let after = t.app.record_sale(&l.id, "3 jin", "wechat").unwrap();
    assert_eq!(after.listing.stock, 12_500 - 1_500);
    assert_eq!((after.sale.quantity, after.sale.total_fen), (1_500, 10_275));
    assert_eq!((after.today.count, after.today.total_fen), (1, 10_275));
    assert_eq!(t.app.sync_status().unwrap().pending_ops, pending + 1);
    let detail = t.app.listing_detail(&l.id).unwrap();
    assert_eq!(detail.sales.len(), 1);
    assert_eq!(detail.sales[0].total_fen, 10_275, "1.5 kg at 68.50");
    assert_eq!(detail.sales[0].payment, "wechat");
}

#[test]
fn undo_voids_the_sale_it_just_recorded_and_gives_the_stock_back() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let kept = t.app.record_sale(&l.id, "1", "cash").unwrap();
    let sold = t.app.record_sale(&l.id, "2", "cash").unwrap();
    assert_eq!(sold.today.count, 2);
    let undone = t.app.void_sale(&sold.sale.id, "undo").unwrap();
    assert_eq!(undone.listing.stock, 12_500 - 1_000);
    assert_eq!(undone.sale.voided.as_ref().unwrap().reason, "undo");
    assert_eq!(
        (undone.today.count, undone.today.total_fen),
        (1, kept.sale.total_fen)
    );

    let e = t.app.void_sale(&sold.sale.id, "again").unwrap_err();
    assert_eq!(e.code, ErrorCode::SaleAlreadyVoided);
    let e = t.app.void_sale(&kept.sale.id, "  ").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Empty, Some("reason"))
    );
    let unknown = highland_domain::SaleId::new().to_string();
    let e = t.app.void_sale(&unknown, "x").unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownSale);
}

#[test]
fn a_sale_of_more_than_the_stock_is_refused_with_what_is_available() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let e = t.app.record_sale(&l.id, "13", "cash").unwrap_err();
    assert_eq!(e.code, ErrorCode::Oversold);
    assert_eq!(e.params["available"], "12.5");
    assert_eq!(e.params["unit"], "kg");
    let e = t.app.record_sale(&l.id, "1", "cheque").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::UnknownChoice, Some("payment"))
    );
    let e = t.app.record_sale(&l.id, "2 jar", "cash").unwrap_err();
    assert_eq!(e.code, ErrorCode::UnitMismatch);
    let unknown = highland_domain::ListingId::new().to_string();
    let e = t.app.record_sale(&unknown, "1", "cash").unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownListing);
}

#[test]
fn stock_comes_in_and_is_corrected() {
    let t = app();
    let l = t.app.create_listing(honey()).unwrap();
    let l2 = t.app.adjust_stock(&l.id, "received", "5", None).unwrap();
    assert_eq!(l2.stock, 25);
    let l3 = t
        .app
        .adjust_stock(&l.id, "correction", "-2", Some("broken jars".into()))
        .unwrap();
    assert_eq!(l3.stock, 23);
    let e = t.app.adjust_stock(&l.id, "stolen", "1", None).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::UnknownChoice, Some("kind"))
    );
    let e = t
        .app
        .adjust_stock(&l.id, "received", "0.5", None)
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NotWhole, Some("quantity"))
    );
}

#[test]
fn lots_are_recorded_with_their_origin() {
    let t = app();
    let lot = t
        .app
        .record_lot(LotInput {
            village: "雨崩村".into(),
            altitude_m: Some("3050".into()),
            harvested_on: Some("2026-08-20".into()),
            environment: None,
        })
        .unwrap();
    assert_eq!(lot.altitude_m, Some(3050));
    assert_eq!(lot.harvested_on.as_deref(), Some("2026-08-20"));
    assert_eq!(t.app.list_lots().unwrap(), vec![lot.clone()]);
    let l = t
        .app
        .create_listing(ListingInput {
            lot_id: Some(lot.id.clone()),
            ..yak()
        })
        .unwrap();
    assert_eq!(l.lot_id, Some(lot.id));
    let e = t
        .app
        .record_lot(LotInput {
            village: "x".into(),
            altitude_m: Some("high".into()),
            harvested_on: None,
            environment: None,
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidAltitude, Some("altitude_m"))
    );
    let e = t
        .app
        .record_lot(LotInput {
            village: "x".into(),
            altitude_m: None,
            harvested_on: Some("20/08/2026".into()),
            environment: None,
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidDate, Some("harvested_on"))
    );
}

#[test]
fn orders_that_do_not_exist_are_refused_by_code() {
    let t = app();
    assert!(t.app.list_orders().unwrap().is_empty());
    let unknown = highland_domain::OrderId::new().to_string();
    for e in [
        t.app.accept_order(&unknown).unwrap_err(),
        t.app.decline_order(&unknown, "no yak left").unwrap_err(),
        t.app.hand_over_order(&unknown).unwrap_err(),
        t.app.order_detail(&unknown).unwrap_err(),
    ] {
        assert_eq!(e.code, ErrorCode::UnknownOrder);
    }
    let e = t.app.decline_order(&unknown, "").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Empty, Some("reason"))
    );
}

#[test]
fn rounds_and_weights_are_refused_by_code_and_record_nothing() {
    let t = app();
    assert!(t.app.list_rounds().unwrap().is_empty());
    let unknown = highland_domain::RoundId::new().to_string();
    let e = t.app.answer_round(&unknown, true, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownRound);
    let e = t
        .app
        .answer_round(&unknown, false, Some(" ".into()))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Empty, Some("reason"))
    );
    let e = t.app.answer_round("Thursday", true, None).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidId, Some("id"))
    );

    let meat = t.app.create_listing(yak()).unwrap();
    let e = t.app.weigh_listing(&meat.id, Some("1".into())).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::WeightNotNeeded, Some("weight_per_unit"))
    );
    let jars = t.app.create_listing(honey()).unwrap();
    let e = t
        .app
        .weigh_listing(&jars.id, Some("half".into()))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidQuantity, Some("weight_per_unit"))
    );
    let weighed = t.app.weigh_listing(&jars.id, Some("0.75".into())).unwrap();
    assert_eq!(weighed.weight_per_unit_g, Some(750));
    let cleared = t.app.weigh_listing(&jars.id, Some(" ".into())).unwrap();
    assert_eq!(cleared.weight_per_unit_g, None);
}

#[test]
fn the_week_has_seven_days_with_the_sales_of_each() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    t.app.record_sale(&l.id, "1", "cash").unwrap();
    t.app.record_sale(&l.id, "2", "cash").unwrap();
    let week = t.app.week_sales().unwrap();
    assert_eq!(week.len(), 7);
    let today = week.last().unwrap();
    assert_eq!((today.count, today.total_fen), (2, 3 * 6850));
    assert!(week[..6].iter().all(|d| d.count == 0));
    // A week long ago has nothing in it.
    let old = t
        .app
        .week_sales_at(
            NaiveDate::from_ymd_opt(2020, 1, 7).unwrap(),
            FixedOffset::east_opt(8 * 3600).unwrap(),
        )
        .unwrap();
    assert_eq!(old[0].date, "2020-01-01");
    assert!(old.iter().all(|d| d.count == 0));
}

#[test]
fn the_demo_is_a_profile_of_its_own_with_a_week_of_sales() {
    let t = app();
    t.app.create_listing(yak()).unwrap();
    let info = t.app.start_demo().unwrap();
    assert_eq!(info.profile, Profile::Demo);
    assert!(t.dir.path().join("demo").join("highland.db").exists());
    let listings = t.app.list_listings().unwrap();
    assert_eq!(listings.len(), 5, "the demo's listings, not the seller's");
    assert!(
        t.app
            .week_sales()
            .unwrap()
            .iter()
            .map(|d| d.count)
            .sum::<i64>()
            >= 10
    );
    assert!(!t.app.list_lots().unwrap().is_empty());
    // Selling in the demo, then resetting it, brings the demo's stock back.
    let first = &listings[0];
    t.app.record_sale(&first.id, "1", "cash").unwrap();
    let info = t.app.reset_demo().unwrap();
    assert_eq!(info.profile, Profile::Demo);
    assert_eq!(t.app.list_listings().unwrap()[0].stock, first.stock);
    // The demo does not sync.
    let status = t.app.sync_status().unwrap();
    assert_eq!((status.profile, status.enrolled), (Profile::Demo, false));
    // The profile in use survives a restart.
    let dir = t.dir;
    drop(t.app);
    let again = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    assert_eq!(again.app_info().unwrap().profile, Profile::Demo);
    let info = again.use_real_profile().unwrap();
    assert_eq!(info.profile, Profile::Real);
    assert_eq!(
        again.list_listings().unwrap().len(),
        1,
        "the seller's own listing"
    );
}

#[tokio::test]
async fn syncing_needs_a_hub_and_says_so_without_events() {
    let t = app();
    let e = t.app.sync_now().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotEnrolled);
    t.app.start_demo().unwrap();
    let e = t.app.sync_now().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::DemoProfile);
    assert!(t.events.lock().unwrap().is_empty());
}

#[tokio::test]
async fn enrolling_checks_the_code_before_any_network() {
    let t = app();
    let e = t
        .app
        .enroll("http://127.0.0.1:9", "not a code!")
        .await
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidCode, Some("code"))
    );
    let code = highland_domain::CheckedCode::from_random(&[7; 8], 8).to_string();
    let e = t.app.enroll("  ", &code).await.unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::Empty, Some("hub_url"))
    );
    // Nothing listens on the discard port of this machine.
    let e = t.app.enroll("http://127.0.0.1:9", &code).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::HubUnreachable);
    assert!(t.app.app_info().unwrap().enrollment.is_none());
}

/// An app whose seller's store is enrolled with a hub (saved as enrollment
/// saves it, without a network), with one lot and one listing of it.
fn enrolled_app_with_a_lot() -> (App, String) {
    let dir = TempDir::new().unwrap();
    Store::open_dir(dir.path())
        .unwrap()
        .save_enrollment(&Enrollment {
            hub_url: "https://hub.example".into(),
            seller_id: "seller".into(),
            seller_name: "卓玛 Dolma".into(),
            village: "雨崩".into(),
            device_token: "token".into(),
        })
        .unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let app = Highland::open(dir.path(), Arc::new(move |e| sink.lock().unwrap().push(e))).unwrap();
    let lot = app
        .record_lot(LotInput {
            village: "雨崩村".into(),
            altitude_m: None,
            harvested_on: None,
            environment: None,
        })
        .unwrap();
    app.create_listing(ListingInput {
        lot_id: Some(lot.id.clone()),
        ..yak()
    })
    .unwrap();
    (App { app, events, dir }, lot.id)
}

#[test]
fn a_certificate_is_issued_with_its_defaults_and_saved_as_a_pdf_slip() {
    let (t, lot) = enrolled_app_with_a_lot();
    let slips = t.dir.path().join("Documents").join("Highland");
    t.app.set_slips_dir(slips.clone());
    let issued = t
        .app
        .issue_certificate(
            &lot,
            CertificateInput {
                contact: Some("139 0000 0000".into()),
                basis: Some("self_test".into()),
                ..CertificateInput::default()
            },
        )
        .unwrap();
    let c = &issued.certificate;
    assert_eq!(c.lot_id, lot);
    assert_eq!(
        (c.product.as_str(), c.quantity_display.as_str()),
        ("Yak meat", "12.5")
    );
    assert_eq!((c.unit.as_str(), c.issuer.as_str()), ("kg", "卓玛 Dolma"));
    assert_eq!(
        (c.origin.as_str(), c.basis.as_str()),
        ("雨崩村", "self_test")
    );
    assert!(issued.trace_url.starts_with("https://hub.example/t/"));

    let file = std::path::Path::new(&issued.file);
    assert!(file.starts_with(&slips), "{}", issued.file);
    assert!(std::fs::read(file).unwrap().starts_with(b"%PDF"));
    let left: Vec<_> = std::fs::read_dir(&slips).unwrap().collect();
    assert_eq!(left.len(), 1, "no partial file is left beside the slip");

    // A quantity in another unit of the same kind, and a product typed.
    let second = t
        .app
        .issue_certificate(
            &lot,
            CertificateInput {
                quantity: Some("10".into()),
                unit: Some("jin".into()),
                product: Some("牦牛肉".into()),
                ..CertificateInput::default()
            },
        )
        .unwrap();
    assert_eq!(second.certificate.quantity, 5_000);
    assert_eq!(second.certificate.basis, "own_word");
    let listed = t.app.list_certificates(&lot).unwrap();
    assert_eq!(
        listed,
        vec![second.certificate.clone(), issued.certificate.clone()]
    );

    // Both are recorded as operations waiting for the hub.
    drop(t.app);
    let store = Store::open_dir(t.dir.path()).unwrap();
    let sent: Vec<String> = store
        .pending_operations(100)
        .unwrap()
        .into_iter()
        .filter_map(|op| match op.payload {
            Payload::CertificateIssued { certificate } => Some(certificate.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        sent,
        vec![issued.certificate.id.clone(), second.certificate.id.clone()]
    );
}

#[test]
fn a_certificate_the_records_cannot_fill_in_asks_for_what_is_missing_and_records_nothing() {
    let (t, lot) = enrolled_app_with_a_lot();
    t.app.set_slips_dir(t.dir.path().join("slips"));
    // A second listing names the lot: which product, and how much, is unclear.
    t.app
        .create_listing(ListingInput {
            lot_id: Some(lot.clone()),
            ..honey()
        })
        .unwrap();
    let e = t
        .app
        .issue_certificate(&lot, CertificateInput::default())
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NeedsProduct, Some("product"))
    );
    let e = t
        .app
        .issue_certificate(
            &lot,
            CertificateInput {
                product: Some("Yak meat".into()),
                ..CertificateInput::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NeedsQuantity, Some("quantity"))
    );
    let e = t
        .app
        .issue_certificate(
            &lot,
            CertificateInput {
                basis: Some("a promise".into()),
                ..CertificateInput::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::UnknownChoice, Some("basis"))
    );
    assert!(t.app.list_certificates(&lot).unwrap().is_empty());
    assert!(!t.dir.path().join("slips").exists(), "no slip was written");
}

#[test]
fn a_certificate_needs_a_hub_for_its_qr_code() {
    let t = app();
    let lot = t
        .app
        .record_lot(LotInput {
            village: "雨崩村".into(),
            altitude_m: None,
            harvested_on: None,
            environment: None,
        })
        .unwrap();
    let input = CertificateInput {
        quantity: Some("3".into()),
        unit: Some("kg".into()),
        product: Some("Yak meat".into()),
        issuer: Some("Dolma".into()),
        ..CertificateInput::default()
    };
    let e = t.app.issue_certificate(&lot.id, input.clone()).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotEnrolled);
    let unknown = highland_domain::LotId::new().to_string();
    let e = t.app.list_certificates("not-an-id").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidId, Some("lot_id"))
    );
    assert!(t.app.list_certificates(&unknown).unwrap().is_empty());
    t.app.start_demo().unwrap();
    let demo_lot = t.app.list_lots().unwrap()[0].id.clone();
    let e = t.app.issue_certificate(&demo_lot, input).unwrap_err();
    assert_eq!(e.code, ErrorCode::DemoProfile);
}

// --- Photos ------------------------------------------------------------------

/// A camera's JPEG: a synthetic landscape, with where it was taken.
fn camera_jpeg(seed: u64) -> Vec<u8> {
    use highland_engine::photos::sample::{ExifFields, Gps, jpeg, synthetic_photo, with_exif};
    with_exif(
        &jpeg(&synthetic_photo(800, 600, seed), 90),
        &ExifFields {
            orientation: Some(1),
            gps: Some(Gps {
                latitude: 28.4,
                longitude: 98.8,
            }),
        },
    )
}

/// What `FileReader.readAsDataURL` gives after its comma.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn a_photo_of_a_listing_is_stored_small_without_its_location_and_waits_to_upload() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let of = PhotoOf::Listing(l.id.clone());
    let photo = t
        .app
        .add_photo(of.clone(), &base64(&camera_jpeg(1)), false)
        .unwrap();
    assert_eq!(
        (photo.subject_kind.as_str(), photo.subject_id.as_str()),
        ("listing", l.id.as_str())
    );
    assert_eq!((photo.latitude, photo.longitude), (None, None));
    assert!(photo.waiting_to_upload && !photo.refused);
    assert!(photo.thumbnail.here && !photo.thumbnail.on_hub);
    assert!(photo.thumbnail.width <= 320 && photo.display.width <= 1600);
    assert_eq!(t.app.photos_of(of.clone()).unwrap(), vec![photo.clone()]);
    assert_eq!(t.app.list_photos().unwrap(), vec![photo.clone()]);
    let transfers = t.app.photo_transfers().unwrap();
    assert_eq!(
        transfers.uploads_waiting, 2,
        "the display version and the thumbnail"
    );
    assert_eq!(
        transfers.upload_bytes_left as i64,
        photo.display.bytes + photo.thumbnail.bytes
    );
    // The files are where the engine says, under the data directory.
    let thumbnail = std::fs::read(photo.thumbnail.path.as_deref().unwrap()).unwrap();
    assert_eq!(thumbnail.len() as i64, photo.thumbnail.bytes);
    assert!(
        photo
            .thumbnail
            .path
            .as_deref()
            .unwrap()
            .starts_with(&t.dir.path().join("photos").display().to_string())
    );
    // The photo is a change to send, like any other write.
    assert!(t.app.sync_status().unwrap().pending_ops >= 2);
    // Another lands after the first.
    let second = t
        .app
        .add_photo(of.clone(), &base64(&camera_jpeg(2)), false)
        .unwrap();
    let ids: Vec<String> = t
        .app
        .photos_of(of)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, vec![photo.id, second.id]);
}

#[test]
fn a_photo_of_a_lot_keeps_where_it_was_taken_only_when_asked() {
    let t = app();
    let lot = t
        .app
        .record_lot(LotInput {
            village: "雨崩村".into(),
            altitude_m: Some("3050".into()),
            harvested_on: None,
            environment: None,
        })
        .unwrap();
    let of = PhotoOf::Lot(lot.id.clone());
    let without = t
        .app
        .add_photo(of.clone(), &base64(&camera_jpeg(3)), false)
        .unwrap();
    assert_eq!(without.latitude, None);
    let with = t
        .app
        .add_photo(of.clone(), &base64(&camera_jpeg(4)), true)
        .unwrap();
    assert!((with.latitude.unwrap() - 28.4).abs() < 1e-4);
    assert!((with.longitude.unwrap() - 98.8).abs() < 1e-4);
    assert_eq!(with.subject_kind, "lot");
    assert_eq!(t.app.photos_of(of).unwrap().len(), 2);
}

#[test]
fn a_refused_picture_says_why_and_records_nothing() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let pending = t.app.sync_status().unwrap().pending_ops;
    let of = PhotoOf::Listing(l.id.clone());
    let e = t
        .app
        .add_photo(of.clone(), &base64(b"%PDF-1.7 not a picture at all"), false)
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NotAnImage, Some("photo"))
    );
    let e = t
        .app
        .add_photo(of.clone(), "not base64!", false)
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::NotAnImage, Some("photo"))
    );
    let mut damaged = camera_jpeg(5);
    damaged.truncate(damaged.len() / 3);
    let e = t
        .app
        .add_photo(of.clone(), &base64(&damaged), false)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ImageDamaged);
    // A listing's photo never keeps where it was taken.
    assert!(
        t.app
            .add_photo(of.clone(), &base64(&camera_jpeg(6)), true)
            .is_err()
    );
    let e = t
        .app
        .add_photo(
            PhotoOf::Listing("nope".into()),
            &base64(&camera_jpeg(7)),
            false,
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidId, Some("id"))
    );
    let e = t
        .app
        .add_photo(
            PhotoOf::Lot(highland_domain::LotId::new().to_string()),
            &base64(&camera_jpeg(7)),
            false,
        )
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownLot);
    assert!(t.app.photos_of(of).unwrap().is_empty());
    assert!(t.app.list_photos().unwrap().is_empty());
    assert_eq!(t.app.sync_status().unwrap().pending_ops, pending);
    assert_eq!(t.app.photo_transfers().unwrap().uploads_waiting, 0);
}

#[test]
fn a_removed_photo_is_gone_from_its_listing_and_from_the_uploads() {
    let t = app();
    let l = t.app.create_listing(honey()).unwrap();
    let of = PhotoOf::Listing(l.id.clone());
    let photo = t
        .app
        .add_photo(of.clone(), &base64(&camera_jpeg(8)), false)
        .unwrap();
    t.app.remove_photo(&photo.id).unwrap();
    assert!(t.app.photos_of(of).unwrap().is_empty());
    assert_eq!(t.app.photo_transfers().unwrap().upload_bytes_left, 0);
    let e = t.app.remove_photo(&photo.id).unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownPhoto);
    let e = t.app.remove_photo("x").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (ErrorCode::InvalidId, Some("id"))
    );
}

#[test]
fn the_photo_protocol_serves_stored_files_by_name_and_nothing_else() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    let photo = t
        .app
        .add_photo(PhotoOf::Listing(l.id), &base64(&camera_jpeg(9)), false)
        .unwrap();
    let r = photo_protocol::respond(&t.app, &format!("/{}.jpg", photo.thumbnail.sha256));
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(
        r.body(),
        &std::fs::read(photo.thumbnail.path.unwrap()).unwrap()
    );
    for other in [
        format!("/{}.jpg", "0".repeat(64)),
        format!("/{}", photo.display.sha256),
        "/../highland.db".to_owned(),
        "/%2e%2e/highland.db".to_owned(),
        format!("/../photos/{}.jpg", photo.display.sha256),
        "/".to_owned(),
    ] {
        let r = photo_protocol::respond(&t.app, &other);
        assert_eq!(r.status(), 404, "{other}");
        assert!(r.body().len() < 100, "{other}");
    }
    // The demo's photos are its own.
    t.app.start_demo().unwrap();
    let r = photo_protocol::respond(&t.app, &format!("/{}.jpg", photo.thumbnail.sha256));
    assert_eq!(r.status(), 404);
}

#[test]
fn sync_events_carry_the_photos_progress() {
    let report = highland_engine::sync::SyncReport {
        pushed: 2,
        photos_uploaded: 1,
        photo_bytes_up: 30_000,
        photo_bytes_left: 120_000,
        ..Default::default()
    };
    let progress = serde_json::to_value(SyncProgress::from(&report)).unwrap();
    assert_eq!(progress["pushed"], 2);
    assert_eq!(progress["photo_bytes_left"], 120_000);
    assert_eq!(progress["photos_uploaded"], 1);
    let finished = serde_json::to_value(SyncFinished::from(&report)).unwrap();
    assert_eq!(finished["photo_bytes_up"], 30_000);
    assert_eq!(finished["photo_bytes_down"], 0);
}

#[test]
fn the_demo_speaks_the_trainees_language_and_keeps_it_on_reset() {
    let t = app();
    let titles = || -> Vec<String> {
        let listings = t.app.list_listings().unwrap();
        listings.into_iter().map(|l| l.title).collect()
    };
    t.app.set_language(Language::En).unwrap();
    t.app.start_demo().unwrap();
    let english = titles();
    assert!(english.iter().any(|t| t == "Yak meat"), "{english:?}");
    t.app.set_language(Language::ZhHans).unwrap();
    t.app.reset_demo().unwrap();
    let chinese = titles();
    assert!(chinese.iter().any(|t| t == "牦牛肉"), "{chinese:?}");
}

#[tokio::test]
async fn the_lesson_ticks_off_what_the_trainee_did_and_an_offline_practice_network_makes_a_sale_offline()
 {
    use highland_engine::lesson::LessonStep;
    let t = app();
    assert!(t.app.lesson().unwrap().is_none());
    let started = t.app.start_lesson().unwrap();
    assert_eq!(started.current, Some(LessonStep::ListProduct));
    assert_eq!(started.steps.len(), 6);
    let listing = t.app.create_listing(honey()).unwrap();
    // A sale while the link is unknown is not a sale made offline.
    t.app.record_sale(&listing.id, "1", "cash").unwrap();
    let lesson = t.app.lesson().unwrap().unwrap();
    assert!(lesson.steps[0].done_at.is_some());
    assert_eq!(lesson.current, Some(LessonStep::TakePhoto));
    let offline_step = |app: &Highland| app.lesson().unwrap().unwrap().steps[2].done_at.is_some();
    assert!(!offline_step(&t.app));

    let settings = t.app.set_practice_network(Some("offline")).await.unwrap();
    assert_eq!(
        settings.practice_network,
        Some(highland_domain::SimulatedNetwork::Offline)
    );
    t.app.record_sale(&listing.id, "1", "wechat").unwrap();
    assert!(offline_step(&t.app), "the simulator's offline is offline");
    assert_eq!(t.app.sync_status().unwrap().pending_ops, 4);

    // Starting again forgets the ticks; ending leaves no lesson.
    let again = t.app.start_lesson().unwrap();
    assert!(again.steps.iter().all(|s| s.done_at.is_none()));
    t.app.end_lesson().unwrap();
    assert!(t.app.lesson().unwrap().is_none());

    // The practice network is kept across restarts, with when it was set.
    let dir = t.dir;
    drop(t.app);
    let again = Highland::open(dir.path(), Arc::new(|_| {})).unwrap();
    let kept = again.get_settings().unwrap();
    assert_eq!(kept.practice_network, settings.practice_network);
    assert_eq!(
        kept.practice_network_set_at,
        settings.practice_network_set_at
    );
}

#[test]
fn a_trainers_reset_leaves_a_tablet_as_new_for_the_next_class() {
    let t = app();
    let l = t.app.create_listing(yak()).unwrap();
    t.app.record_sale(&l.id, "1", "cash").unwrap();
    let before = t.app.app_info().unwrap().device_id;
    let info = t.app.reset_tablet().unwrap();
    assert_ne!(info.device_id, before);
    assert!(info.enrollment.is_none());
    assert!(t.app.list_listings().unwrap().is_empty());
    assert_eq!(t.app.sync_status().unwrap().pending_ops, 0);
}
