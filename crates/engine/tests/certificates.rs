//! Certificates of compliance (承诺达标合格证), specified on a real SQLite
//! file: issued offline, insert-only, applied once, with defaults from the
//! lot, its listing and the enrollment.

mod common;

use chrono::NaiveDate;
use common::{device, lot, new_listing};
use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, SyncResponse};
use highland_domain::{
    Certificate, CertificateId, CommitmentBasis, DeviceId, DomainError, Hlc, LotId, Operation,
    OperationId, Payload, Quantity, ShortText, Title, Unit,
};
use highland_engine::sync::Enrollment;
use highland_engine::{NewCertificate, StoreError};

fn enroll(d: &mut common::Device) {
    d.store
        .save_enrollment(&Enrollment {
            hub_url: "http://hub".into(),
            seller_id: "seller".into(),
            seller_name: "卓玛 Dolma".into(),
            village: "雨崩".into(),
            device_token: "token".into(),
        })
        .unwrap();
}

/// A lot with one listing of yak meat naming it, 12.5 kg in stock.
fn lot_with_listing(d: &mut common::Device) -> LotId {
    let id = lot(d);
    let mut listing = new_listing("གཡག་ཤ 牦牛肉", Unit::Kg, "68.50", "12.5");
    listing.lot_id = Some(id);
    d.store.add_listing(listing).unwrap();
    id
}

fn new(lot_id: LotId) -> NewCertificate {
    NewCertificate {
        lot_id,
        quantity: None,
        product: None,
        issuer: None,
        contact: None,
        basis: CommitmentBasis::OwnWord,
        issued_on: None,
    }
}

fn kg(text: &str) -> Option<Quantity> {
    Some(Quantity::parse(text, Unit::Kg).unwrap())
}

fn response(acks: Vec<Ack>, operations: Vec<Operation>, hub_time_ms: u64) -> SyncResponse {
    SyncResponse {
        protocol: 1,
        acks,
        operations: LoggedOperation::all(&operations).unwrap(),
        cursor: 1,
        more: false,
        hub_time_ms,
        history: None,
        newest_release: None,
        hub_version: None,
    }
}

#[test]
fn a_certificate_takes_its_defaults_from_the_lot_its_listing_and_the_enrollment() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let c = d.store.issue_certificate(new(lot_id)).unwrap();
    assert_eq!(c.lot_id, lot_id);
    assert_eq!(c.product.as_str(), "གཡག་ཤ 牦牛肉");
    assert_eq!(c.origin.as_str(), "雨崩 Yubeng");
    assert_eq!(c.issuer.as_str(), "卓玛 Dolma");
    assert_eq!(c.quantity, Quantity::parse("12.5", Unit::Kg).unwrap());
    assert_eq!(c.issued_on, NaiveDate::from_ymd_opt(2026, 11, 28).unwrap());
    assert_eq!(c.contact, None);
    assert_eq!(c.basis, CommitmentBasis::OwnWord);

    let shown = d.store.certificates(Some(lot_id)).unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].id, c.id.to_string());
    assert_eq!(
        (shown[0].quantity, shown[0].quantity_unit.as_str()),
        (12_500, "g")
    );
    assert_eq!(shown[0].quantity_display, "12.5");
    assert_eq!(shown[0].issued_on, "2026-11-28");
    assert_eq!(shown[0].basis, "own_word");
}

#[test]
fn today_is_today_in_china_whatever_the_hour_in_utc() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    // 20:00 UTC on the 28th is 04:00 on the 29th in Beijing and Lhasa.
    d.clock.set("2026-11-28T20:00:00Z".parse().unwrap());
    let c = d.store.issue_certificate(new(lot_id)).unwrap();
    assert_eq!(c.issued_on, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
}

#[test]
fn what_the_seller_gives_overrides_the_defaults() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let c = d
        .store
        .issue_certificate(NewCertificate {
            quantity: Some(Quantity::parse("3 jin", Unit::Kg).unwrap()),
            product: Some(Title::parse("风干牦牛肉").unwrap()),
            issuer: Some(ShortText::parse("雨崩合作社").unwrap()),
            contact: Some(ShortText::parse("139 0000 0000").unwrap()),
            basis: CommitmentBasis::SelfTest,
            issued_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            ..new(lot_id)
        })
        .unwrap();
    assert_eq!(c.product.as_str(), "风干牦牛肉");
    assert_eq!(c.issuer.as_str(), "雨崩合作社");
    assert_eq!(c.contact.unwrap().as_str(), "139 0000 0000");
    assert_eq!(c.quantity.base(), 1_500);
    assert_eq!(c.basis, CommitmentBasis::SelfTest);
    assert_eq!(c.issued_on, NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
}

#[test]
fn issuing_twice_makes_two_certificates_newest_first_each_in_the_outbox() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let pending = d.store.pending_count().unwrap();
    let first = d.store.issue_certificate(new(lot_id)).unwrap();
    d.clock.advance(chrono::Duration::minutes(1));
    let second = d
        .store
        .issue_certificate(NewCertificate {
            quantity: kg("2"),
            ..new(lot_id)
        })
        .unwrap();
    assert_ne!(first.id, second.id);
    let shown = d.store.certificates(None).unwrap();
    let ids: Vec<&str> = shown.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [second.id.to_string(), first.id.to_string()]);
    assert_eq!(d.store.pending_count().unwrap(), pending + 2);
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let issued: Vec<&Certificate> = ops
        .iter()
        .filter_map(|op| match &op.payload {
            Payload::CertificateIssued { certificate } => Some(certificate),
            _ => None,
        })
        .collect();
    assert_eq!(issued, [&first, &second]);
}

#[test]
fn an_unknown_lot_is_refused_and_nothing_changes() {
    let mut d = device();
    enroll(&mut d);
    lot_with_listing(&mut d);
    let pending = d.store.pending_count().unwrap();
    let ghost = LotId::new();
    let err = d
        .store
        .issue_certificate(NewCertificate {
            quantity: kg("1"),
            product: Some(Title::parse("honey").unwrap()),
            ..new(ghost)
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownLot(id) if id == ghost),
        "{err}"
    );
    assert!(d.store.certificates(None).unwrap().is_empty());
    assert_eq!(d.store.pending_count().unwrap(), pending);
}

#[test]
fn a_quantity_in_the_wrong_kind_of_unit_is_refused() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let err = d
        .store
        .issue_certificate(NewCertificate {
            quantity: Some(Quantity::parse("3", Unit::Jar).unwrap()),
            ..new(lot_id)
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid(DomainError::UnitMismatch {
                expected: "kg",
                got: "jar"
            })
        ),
        "{err}"
    );
    assert!(d.store.certificates(None).unwrap().is_empty());
}

#[test]
fn without_a_listing_or_an_enrollment_the_defaults_are_asked_for() {
    let mut d = device();
    let lot_id = lot(&mut d);
    let pending = d.store.pending_count().unwrap();
    let empty = |err: StoreError| match err {
        StoreError::Invalid(DomainError::Empty { field }) => field,
        other => panic!("{other}"),
    };
    let err = d.store.issue_certificate(new(lot_id)).unwrap_err();
    assert_eq!(empty(err), "product");
    let with_product = NewCertificate {
        product: Some(Title::parse("蜂蜜 honey").unwrap()),
        ..new(lot_id)
    };
    let err = d.store.issue_certificate(with_product.clone()).unwrap_err();
    assert_eq!(empty(err), "quantity");
    let with_quantity = NewCertificate {
        quantity: Some(Quantity::parse("4", Unit::Jar).unwrap()),
        ..with_product
    };
    let err = d
        .store
        .issue_certificate(with_quantity.clone())
        .unwrap_err();
    assert_eq!(empty(err), "issuer", "not enrolled, so no seller's name");
    assert_eq!(d.store.pending_count().unwrap(), pending);

    let c = d
        .store
        .issue_certificate(NewCertificate {
            issuer: Some(ShortText::parse("卓玛").unwrap()),
            ..with_quantity
        })
        .unwrap();
    assert_eq!(
        c.quantity.unit(),
        Unit::Jar,
        "any unit when no listing names the lot"
    );
}

#[test]
fn when_keeping_the_certificate_fails_nothing_is_recorded() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let pending = d.store.pending_count().unwrap();
    let err = d
        .store
        .issue_certificate_and(new(lot_id), |_| {
            Err::<(), _>(StoreError::Unsupported(
                "the printer is out of paper".into(),
            ))
        })
        .unwrap_err();
    assert!(err.to_string().contains("paper"));
    assert!(d.store.certificates(None).unwrap().is_empty());
    assert_eq!(d.store.pending_count().unwrap(), pending);

    let (c, printed) = d
        .store
        .issue_certificate_and(new(lot_id), |c| Ok::<_, StoreError>(c.id))
        .unwrap();
    assert_eq!(printed, c.id);
    assert_eq!(d.store.certificates(Some(lot_id)).unwrap().len(), 1);
}

#[test]
fn a_certificate_from_the_sellers_other_device_is_stored_once() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let certificate = Certificate {
        id: CertificateId::new(),
        lot_id,
        product: Title::parse("གཡག་ཤ 牦牛肉").unwrap(),
        quantity: Quantity::parse("5", Unit::Kg).unwrap(),
        origin: ShortText::parse("雨崩 Yubeng").unwrap(),
        issuer: ShortText::parse("卓玛 Dolma").unwrap(),
        contact: None,
        issued_on: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        basis: CommitmentBasis::QualityControl,
    };
    let op = Operation {
        id: OperationId::new(),
        device_id: DeviceId::new(),
        hlc: Hlc::from_wall_ms(1_764_000_000_000),
        payload: Payload::CertificateIssued {
            certificate: certificate.clone(),
        },
    };
    let now = d.store.now().timestamp_millis() as u64;
    for _ in 0..2 {
        d.store
            .commit_sync(&[], &response(vec![], vec![op.clone()], now), 0)
            .unwrap();
    }
    let shown = d.store.certificates(Some(lot_id)).unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0], (&certificate).into());
    // Another lot's certificates are not this one's.
    assert!(d.store.certificates(Some(LotId::new())).unwrap().is_empty());
}

#[test]
fn the_hubs_timestamp_moves_a_certificate_in_the_list() {
    let mut d = device();
    enroll(&mut d);
    let lot_id = lot_with_listing(&mut d);
    let older = d.store.issue_certificate(new(lot_id)).unwrap();
    d.clock.advance(chrono::Duration::minutes(1));
    let newer = d.store.issue_certificate(new(lot_id)).unwrap();
    let ops = d.store.next_push(1 << 20, 100).unwrap().read().unwrap();
    let sent: Vec<OperationId> = ops.iter().map(|o| o.id).collect();
    let last = ops.last().unwrap();
    assert!(matches!(last.payload, Payload::CertificateIssued { .. }));
    // The hub re-stamps the newer certificate before everything else.
    let acks = ops
        .iter()
        .map(|op| Ack {
            op_id: op.id,
            outcome: AckOutcome::Applied {
                hlc: (op.id == last.id).then(|| Hlc::from_wall_ms(1)),
            },
        })
        .collect();
    let now = d.store.now().timestamp_millis() as u64;
    d.store
        .commit_sync(&sent, &response(acks, vec![], now), 0)
        .unwrap();
    let ids: Vec<String> = d
        .store
        .certificates(Some(lot_id))
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, [older.id.to_string(), newer.id.to_string()]);
}
