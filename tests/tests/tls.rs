//! The real device and the real hub over HTTPS, in this process: a hub with
//! a certificate from a workshop CA (made here with rcgen) is trusted by the
//! devices given that CA when they enroll, and by no other. 127.0.0.1 only.

use std::sync::{Arc, Mutex};

use highland_domain::{Category, ListingStatus, Price, Quantity, ShortText, Title, Unit};
use highland_engine::sync::{self, HubCa, SyncOptions};
use highland_engine::{NewListing, Store};
use highland_hub::admin::{self, NewSeller};
use highland_hub::{AppState, HubDb, Storage, SystemClock, TlsConfig, WallClock};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};

#[tokio::test]
async fn devices_given_the_workshop_ca_enroll_and_sync_with_an_https_hub() {
    let pki = tempfile::tempdir().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "Highland workshop CA");
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&key, &*ca)
        .unwrap();
    let (ca_file, cert_file, key_file) = (
        pki.path().join("ca.pem"),
        pki.path().join("hub.pem"),
        pki.path().join("hub.key"),
    );
    std::fs::write(&ca_file, ca.pem()).unwrap();
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();

    let hub_dir = tempfile::tempdir().unwrap();
    let db = Arc::new(HubDb::open_dir(hub_dir.path()).unwrap());
    let state = AppState::new(db.clone(), Arc::new(SystemClock));
    let tls = TlsConfig::from_pem_files(&cert_file, &key_file).unwrap();
    let hub = highland_hub::start_tls("127.0.0.1:0".parse().unwrap(), state, tls)
        .await
        .unwrap();
    assert!(hub.url().starts_with("https://127.0.0.1:"));
    let seller = admin::add_seller(
        db.as_ref(),
        NewSeller {
            name: ShortText::parse("Dolma").unwrap(),
            village: ShortText::parse("Yubeng").unwrap(),
            phone: None,
        },
        SystemClock.now_ms(),
    )
    .unwrap();
    let code = |text: &str| highland_domain::CheckedCode::parse(text).unwrap();

    // Without the CA: refused, and the code is not used up.
    let first_dir = tempfile::tempdir().unwrap();
    let first = Mutex::new(Store::open_dir(first_dir.path()).unwrap());
    let error = sync::enroll(&first, &hub.url(), code(&seller.code), None)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "untrusted_certificate", "{error}");

    // With it: enrolled, and every later sync trusts the hub.
    let workshop_ca = HubCa::read(&ca_file).unwrap();
    sync::enroll(
        &first,
        &hub.url(),
        code(&seller.code),
        Some(workshop_ca.clone()),
    )
    .await
    .unwrap();
    first
        .lock()
        .unwrap()
        .add_listing(NewListing {
            title: Title::parse("Honey").unwrap(),
            category: Category::Honey,
            unit: Unit::Jar,
            price: Price::parse_yuan("45").unwrap(),
            status: ListingStatus::Listed,
            description: None,
            lot_id: None,
            stock: Some(Quantity::parse("12", Unit::Jar).unwrap()),
        })
        .unwrap();
    let pushed = sync::sync(&first, &SyncOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!((pushed.pushed, pushed.retries), (2, 0));
    assert_eq!(db.listings(None).unwrap().len(), 1);

    // A second device of the seller, given the same CA, pulls it.
    let another = admin::issue_device_code(
        db.as_ref(),
        seller.seller_id.parse().unwrap(),
        SystemClock.now_ms(),
    )
    .unwrap();
    let second_dir = tempfile::tempdir().unwrap();
    let second = Mutex::new(Store::open_dir(second_dir.path()).unwrap());
    sync::enroll(&second, &hub.url(), code(&another.code), Some(workshop_ca))
        .await
        .unwrap();
    let pulled = sync::sync(&second, &SyncOptions::default(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(pulled.pulled, 2);

    hub.stop().await.unwrap();
}
