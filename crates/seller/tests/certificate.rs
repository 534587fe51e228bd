//! Issuing a certificate with its slip, as both front ends do it: the
//! record and the slip stand or fall together, and what the records cannot
//! fill is said as what to type.

use highland_domain::{
    Category, CommitmentBasis, ListingStatus, LotId, Price, Quantity, ShortText, Title, Unit,
};
use highland_engine::sync::Enrollment;
use highland_engine::{NewListing, NewLot, Store};
use highland_print::Fonts;
use highland_seller::{CertificateRequest, IssueError, SlipPlace, issue};

struct Device {
    _dir: tempfile::TempDir,
    store: Store,
}

fn enrolled() -> Device {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("highland.db")).unwrap();
    store
        .save_enrollment(&Enrollment {
            hub_url: "https://hub.deqen.example.cn".into(),
            seller_id: "seller".into(),
            seller_name: "卓玛 Dolma".into(),
            village: "雨崩".into(),
            device_token: "token".into(),
        })
        .unwrap();
    Device { _dir: dir, store }
}

/// A lot sold as yak meat in `units`, 12.5 of each in stock.
fn lot_sold_in(store: &mut Store, units: &[Unit]) -> LotId {
    let lot = store
        .add_lot(NewLot {
            village: ShortText::parse("雨崩村").unwrap(),
            altitude: None,
            harvested_on: None,
            environment: None,
        })
        .unwrap();
    for &unit in units {
        store
            .add_listing(NewListing {
                title: Title::parse("གཡག་ཤ 牦牛肉").unwrap(),
                category: Category::YakMeat,
                unit,
                price: Price::parse_yuan("68.50").unwrap(),
                status: ListingStatus::Listed,
                description: None,
                lot_id: Some(lot),
                stock: Some(Quantity::parse("12", unit).unwrap()),
            })
            .unwrap();
    }
    lot
}

fn request(lot_id: LotId) -> CertificateRequest {
    CertificateRequest {
        lot_id,
        quantity: None,
        unit: None,
        product: None,
        issuer: None,
        contact: None,
        basis: CommitmentBasis::OwnWord,
    }
}

fn fonts() -> Fonts {
    Fonts::system().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_certificate_is_recorded_with_its_slip_and_the_defaults_of_its_lot() {
    let mut d = enrolled();
    let lot = lot_sold_in(&mut d.store, &[Unit::Kg]);
    let slips = tempfile::tempdir().unwrap();
    let issued = issue(
        &mut d.store,
        request(lot),
        &fonts(),
        SlipPlace::Folder(slips.path()),
    )
    .unwrap();
    assert_eq!(issued.certificate.product.as_str(), "གཡག་ཤ 牦牛肉");
    assert_eq!(issued.certificate.quantity.to_string(), "12 kg");
    assert!(
        issued
            .trace_url
            .starts_with("https://hub.deqen.example.cn/t/")
    );
    let pdf = std::fs::read(&issued.file).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "{}", issued.file.display());
    assert_eq!(d.store.certificates(Some(lot)).unwrap().len(), 1);
}

#[test]
fn a_quantity_for_a_lot_sold_in_two_units_needs_its_unit_and_records_nothing() {
    let mut d = enrolled();
    let lot = lot_sold_in(&mut d.store, &[Unit::Kg, Unit::Jin]);
    let slips = tempfile::tempdir().unwrap();
    let mut asked = request(lot);
    asked.quantity = Some("5".into());
    let refused = issue(
        &mut d.store,
        asked.clone(),
        &fonts(),
        SlipPlace::Folder(slips.path()),
    );
    assert!(
        matches!(&refused, Err(IssueError::UnitUnknown { units }) if units.len() == 2),
        "{refused:?}"
    );
    // A lot with two listings names no single product either.
    asked.unit = Some(Unit::Jin);
    let refused = issue(
        &mut d.store,
        asked,
        &fonts(),
        SlipPlace::Folder(slips.path()),
    );
    assert!(
        matches!(refused, Err(IssueError::NeedsProduct)),
        "{refused:?}"
    );
    assert!(d.store.certificates(Some(lot)).unwrap().is_empty());
    assert_eq!(
        std::fs::read_dir(slips.path()).unwrap().count(),
        0,
        "no slip is left"
    );
}

#[test]
fn a_device_not_enrolled_has_no_trace_page_to_print() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("highland.db")).unwrap();
    let lot = lot_sold_in(&mut store, &[Unit::Kg]);
    let out = dir.path().join("slip.pdf");
    let refused = issue(&mut store, request(lot), &fonts(), SlipPlace::File(&out));
    assert!(
        matches!(refused, Err(IssueError::NotEnrolled)),
        "{refused:?}"
    );
    assert!(!out.exists());
}
