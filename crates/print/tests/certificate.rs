//! The certificate of compliance slip read back: its QR code opens the
//! lot's trace page and its text says what the national template asks.

mod common;

use std::process::Command;

use chrono::NaiveDate;
use common::{HUB, decode, fonts, pdftotext, render};
use highland_domain::certificate::PROMISE_ZH;
use highland_domain::{
    Certificate, CertificateId, CommitmentBasis, LotId, Quantity, ShortText, Title, TraceCode, Unit,
};
use highland_print::{PrintError, certificate_slip};

fn certificate(product: &str, contact: Option<&str>) -> (Certificate, String) {
    let lot_id = LotId::new();
    let url = highland_label::trace_url(HUB, &TraceCode::of_lot(lot_id));
    let certificate = Certificate {
        id: CertificateId::new(),
        lot_id,
        product: Title::parse(product).expect("a title"),
        quantity: Quantity::parse("5", Unit::Kg).expect("5 kg"),
        origin: ShortText::parse("西藏那曲 ནག་ཆུ།").expect("an origin"),
        issuer: ShortText::parse("扎西 བཀྲ་ཤིས་ 合作社").expect("an issuer"),
        contact: contact.map(|c| ShortText::parse(c).expect("a contact")),
        issued_on: NaiveDate::from_ymd_opt(2026, 9, 12).expect("a date"),
        basis: CommitmentBasis::SelfTest,
    };
    (certificate, url)
}

/// The text without the spaces pdftotext puts where glyphs overhang.
fn letters(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn the_slip_says_what_the_template_asks_and_its_code_opens_the_trace_page() {
    let (certificate, url) = certificate("牦牛肉 གཡག་ཤ", Some("139 0891 2345"));
    let pdf = certificate_slip(&fonts(), &certificate, &url).expect("a slip");
    eprintln!("a certificate slip is {} bytes", pdf.len());
    let (pdf_path, pages) = render(&pdf, "certificate");
    assert_eq!(pages.len(), 1);
    assert_eq!(decode(&pages[0]), vec![url]);

    let text = letters(&pdftotext(&pdf_path));
    let mut wanted = vec![
        "承诺达标合格证",
        "产品名称：牦牛肉གཡག་ཤ",
        "数量（重量）：5kg",
        "产地：西藏那曲ནག་ཆུ།",
        "生产者盖章或签名：扎西བཀྲ་ཤིས་合作社",
        "联系方式：13908912345",
        "开具日期：2026年09月12日",
        "我承诺对生产销售的食用农产品：",
        "承诺依据：",
    ];
    wanted.extend(PROMISE_ZH);
    wanted.extend(CommitmentBasis::ALL.map(CommitmentBasis::zh));
    for words in wanted {
        assert!(text.contains(words), "{words} missing from {text}");
    }
    // The title, and the caption under the code.
    assert_eq!(text.matches("承诺达标合格证").count(), 2, "{text}");
    assert!(pdf.len() < 60_000, "{} bytes", pdf.len());
}

#[test]
fn the_slip_is_an_a6_landscape_page() {
    let (certificate, url) = certificate("青稞 ནས་", None);
    let pdf = certificate_slip(&fonts(), &certificate, &url).expect("a slip");
    let (pdf_path, _) = render(&pdf, "certificate-a6");
    let info = Command::new("pdfinfo")
        .arg(&pdf_path)
        .output()
        .expect("pdfinfo: install the Debian package poppler-utils");
    let info = String::from_utf8_lossy(&info.stdout);
    let size: Vec<f64> = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("a page size")
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    // 148 x 105 mm in points.
    assert_eq!(size.len(), 2, "{info}");
    assert!((size[0] - 148.0 / 25.4 * 72.0).abs() < 0.1, "{info}");
    assert!((size[1] - 105.0 / 25.4 * 72.0).abs() < 0.1, "{info}");
}

#[test]
fn without_a_contact_the_slip_leaves_its_line_out() {
    let (certificate, url) = certificate("青稞 ནས་", None);
    let pdf = certificate_slip(&fonts(), &certificate, &url).expect("a slip");
    let (pdf_path, pages) = render(&pdf, "certificate-no-contact");
    assert_eq!(decode(&pages[0]), vec![url]);
    let text = letters(&pdftotext(&pdf_path));
    assert!(!text.contains("联系方式"), "{text}");
    assert!(text.contains("产品名称：青稞ནས་"), "{text}");
}

#[test]
fn the_longest_product_name_a_title_allows_still_fits_the_slip() {
    let longest = "高原散养牦牛肉བསྒྲུབས་".repeat(Title::MAX_CHARS / 14 + 1);
    let longest: String = longest.chars().take(Title::MAX_CHARS).collect();
    let (certificate, url) = certificate(&longest, Some("139 0891 2345"));
    let pdf = certificate_slip(&fonts(), &certificate, &url).expect("shrunk to fit");
    let (pdf_path, pages) = render(&pdf, "certificate-long-name");
    assert_eq!(decode(&pages[0]), vec![url]);
    let text = letters(&pdftotext(&pdf_path));
    assert!(text.contains("开具日期：2026年09月12日"), "{text}");
    assert!(text.contains("自我承诺"), "{text}");
}

#[test]
fn a_slip_without_a_trace_url_is_refused() {
    let (certificate, _) = certificate("青稞", None);
    let error = certificate_slip(&fonts(), &certificate, "").expect_err("no URL");
    assert!(
        matches!(error, PrintError::CertificateWithoutUrl),
        "{error:?}"
    );
}
