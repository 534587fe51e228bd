//! The traceability promise, end to end with the real binaries: a seller
//! records a harvest offline and issues its certificate of compliance; the
//! lot syncs; the buyer's staff receive it, process it into jars and have
//! the jars inspected; the hub prints a label sheet whose QR codes a real
//! decoder reads, and each code opens a page that shows the whole chain in
//! Chinese, Tibetan and English.

use std::time::Duration;

use highland_e2e::printout::{self, Area};
use highland_e2e::{Device, Hub};

const SYNC_LIMIT: Duration = Duration::from_secs(60);

/// One label of the A4 sheet: 3 columns of 70 mm, 8 rows of 37 mm, the
/// sheet's spare millimetre split above and below.
fn label(index: usize) -> Area {
    Area {
        x_mm: (index % 3) as f64 * 70.0,
        y_mm: 0.5 + (index / 3) as f64 * 37.0,
        width_mm: 70.0,
        height_mm: 37.0,
    }
}

async fn page(url: &str, language: &str) -> (reqwest::StatusCode, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .get(url)
        .header("accept-language", language)
        .send()
        .await
        .expect("the hub answers");
    (response.status(), response.text().await.expect("a page"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_harvest_recorded_offline_is_traced_from_the_printed_label_to_the_inspection() {
    let hub = Hub::start().expect("a hub");
    let seller = hub.add_seller("扎西 བཀྲ་ཤིས།", "雨崩 Yubeng").unwrap();
    let device = Device::new("tashi").unwrap();

    // Offline: the harvest, a listing from it, and its certificate.
    device.enroll(&hub.url(), &seller.code).unwrap();
    let lot = device
        .ok(&[
            "lot",
            "add",
            "--village",
            "雨崩 གཡུ་འབབ།",
            "--altitude",
            "3050",
            "--harvested",
            "2026-08-14",
            "--environment",
            "高山草甸 སྤང་ཐང་།",
        ])
        .unwrap();
    device
        .ok(&[
            "listing",
            "add",
            "--title",
            "蜂蜜 སྦྲང་རྩི།",
            "--category",
            "honey",
            "--unit",
            "kg",
            "--price",
            "120",
            "--stock",
            "25",
            "--lot",
            &lot,
        ])
        .unwrap();
    let slip = device.data_dir().join("certificate.pdf");
    device
        .ok(&[
            "certificate",
            "--lot",
            &lot,
            "--out",
            slip.to_str().unwrap(),
        ])
        .unwrap();
    let slip_text = printout::text(&slip).unwrap();
    assert!(slip_text.contains("承诺达标合格证"), "{slip_text}");
    let device_qr = device.data_dir().join("lot.png");
    device
        .ok(&["qr", "--lot", &lot, "--out", device_qr.to_str().unwrap()])
        .unwrap();
    let village_url = printout::qr_codes(&device_qr).unwrap();
    assert_eq!(village_url.len(), 1, "{village_url:?}");
    let village_url = &village_url[0];
    assert!(
        village_url.starts_with(&format!("{}/t/", hub.url())),
        "{village_url}"
    );
    let village_code = village_url.rsplit('/').next().unwrap().to_owned();

    // Before the sync the hub knows nothing of the lot, and says so kindly.
    let (status, html) = page(village_url, "zh-CN").await;
    assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{html}");

    device
        .sync_until_done(SYNC_LIMIT, 5)
        .unwrap_or_else(|e| panic!("{e:#}\n{}", hub.log()));

    // At the buyer's: received, processed into jars, inspected.
    let trace = |args: &[&str]| {
        let mut all = vec!["trace", "record"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--by", "卓玛"]);
        hub.ok(&all).unwrap_or_else(|e| panic!("{e:#}"))
    };
    trace(&[
        "received",
        "--lot",
        &village_code,
        "--quantity",
        "20 kg",
        "--at",
        "2026-09-01",
    ]);
    let input = format!("{village_code}=20 kg");
    let jars = trace(&[
        "processed",
        "--product",
        "雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།",
        "--quantity",
        "40 jar",
        "--input",
        &input,
        "--at",
        "2026-09-10",
    ]);
    trace(&[
        "inspected",
        "--lot",
        &jars,
        "--inspector",
        "迪庆州农产品质量检测站",
        "--certificate-number",
        "DQ-2026-0917",
        "--result",
        "passed",
        "--at",
        "2026-09-12",
    ]);

    // The label sheet: each label's code, read alone as a phone reads it.
    let sheet = hub.data_dir().join("labels.pdf");
    hub.ok(&[
        "label",
        "--lot",
        &jars,
        "--lot",
        &village_code,
        "--base-url",
        &hub.url(),
        "--out",
        sheet.to_str().unwrap(),
    ])
    .unwrap();
    let mut urls = Vec::new();
    for index in 0..2 {
        let png = hub.data_dir().join(format!("label-{index}.png"));
        let png = printout::render_area(&sheet, 1, label(index), &png).unwrap();
        let codes = printout::qr_codes(&png).unwrap();
        assert_eq!(codes.len(), 1, "label {index}: {codes:?}");
        urls.push(codes[0].clone());
    }
    assert_eq!(
        urls[1], *village_url,
        "the hub's label and the device's agree"
    );
    let sheet_text = printout::text(&sheet).unwrap();
    assert!(sheet_text.contains("雪山蜂蜜"), "{sheet_text}");

    // The jars' page, in each language a phone may ask for.
    let jars_url = &urls[0];
    for (language, words) in [
        (
            "zh-CN,zh;q=0.9",
            ["雪山蜂蜜", "迪庆州农产品质量检测站", "承诺达标合格证"],
        ),
        ("bo", ["སྦྲང་རྩི", "DQ-2026-0917", "གཡུ་འབབ"]),
        (
            "en-GB,en;q=0.8",
            ["Inspected", "DQ-2026-0917", "Harvested on"],
        ),
    ] {
        let (status, html) = page(jars_url, language).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{language}");
        for word in words {
            assert!(
                html.contains(word),
                "{language}: {word} missing from {html}"
            );
        }
        // The village lot it was made from is a link to its own page.
        assert!(
            html.contains(&format!("/t/{village_code}")),
            "{language}: no link to the input lot"
        );
        assert!(!html.contains("<script"), "the page needs no JavaScript");
    }
    // The village lot's page shows the harvest and where it went.
    let (status, html) = page(village_url, "zh-CN").await;
    assert_eq!(status, reqwest::StatusCode::OK);
    for word in ["雨崩", "3050", "高山草甸", "承诺达标合格证"] {
        assert!(html.contains(word), "{word} missing from {html}");
    }
}
