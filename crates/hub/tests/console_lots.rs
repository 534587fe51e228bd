//! Lots in the staff console: the list of recent lots and their label
//! sheet, a lot's page and the forms that record its chain, used as a
//! browser without JavaScript uses them, over real HTTP.

mod common;

use common::printout::label_codes;
use common::*;
use highland_domain::{Listing, Lot, LotId, Payload, TraceCode, TraceStep, Unit};
use highland_hub::Storage;
use highland_hub::trace::chain::Chain;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

struct Page {
    status: StatusCode,
    location: Option<String>,
    content_type: Option<String>,
    disposition: Option<String>,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    /// The value of the first `name` field after `after` in the page.
    fn field_after(&self, after: &str, name: &str) -> String {
        let text = self.text();
        let (_, rest) = text
            .split_once(after)
            .unwrap_or_else(|| panic!("{after:?} in the page"));
        let (_, value) = rest
            .split_once(&format!("name=\"{name}\" value=\""))
            .unwrap_or_else(|| panic!("a {name} field after {after:?}"));
        value.split('"').next().unwrap().to_owned()
    }

    fn csrf(&self) -> String {
        self.field_after("<form", "csrf")
    }
}

struct Browser {
    url: String,
    http: reqwest::Client,
    cookie: Option<String>,
    lang: &'static str,
}

impl Browser {
    fn new(url: &str) -> Browser {
        Browser {
            url: url.to_owned(),
            http: http_client().redirect(Policy::none()).build().unwrap(),
            cookie: None,
            lang: "en",
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let mut request = request.header("accept-language", self.lang);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (location, content_type, disposition) = (
            header("location"),
            header("content-type"),
            header("content-disposition"),
        );
        let status = response.status();
        let body = response.bytes().await.unwrap().to_vec();
        Page {
            status,
            location,
            content_type,
            disposition,
            body,
        }
    }

    async fn get(&self, path: &str) -> Page {
        self.send(self.http.get(format!("{}{path}", self.url)))
            .await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            self.http
                .post(format!("{}{path}", self.url))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(body),
        )
        .await
    }

    async fn signed_in(url: &str, staff: &Staff) -> Browser {
        let mut browser = Browser::new(url);
        let response = browser
            .http
            .post(format!("{url}/console/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "name={}&token={}",
                form_encode(&staff.name),
                form_encode(&staff.token)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        browser.cookie = Some(format!(
            "{}={}",
            highland_hub::staff::SESSION_COOKIE,
            session_of(&response)
        ));
        browser
    }
}

/// A hub with a member of staff and two village lots synced by Dolma's
/// phone, the first offered by a listing.
async fn hub_with_lots() -> (TestHub, Staff, Lot, Lot) {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    let (honey, walnuts) = (
        village_lot("雨崩 Yubeng", "2026-08-14"),
        village_lot("明永 Mingyong", "2026-08-20"),
    );
    let listing = Listing {
        lot_id: Some(honey.id),
        ..new_listing("雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།", Unit::Kg, 12000)
    };
    let response = hub
        .sync(
            &dolma,
            vec![
                op(&dolma, NOW_MS, Payload::LotRecorded { lot: honey.clone() }),
                op(
                    &dolma,
                    NOW_MS + 1,
                    Payload::LotRecorded {
                        lot: walnuts.clone(),
                    },
                ),
                op(&dolma, NOW_MS + 2, created(&listing)),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    (hub, staff, honey, walnuts)
}

fn code(lot: &Lot) -> TraceCode {
    TraceCode::of_lot(lot.id)
}

fn chain(hub: &TestHub, lot: &Lot) -> Chain {
    hub.db.trace_chain(&code(lot), None).unwrap().unwrap()
}

#[tokio::test]
async fn the_list_shows_synced_lots_with_their_names_and_a_label_sheet_form() {
    let (hub, staff, honey, walnuts) = hub_with_lots().await;
    let browser = Browser::signed_in(&hub.url, &staff).await;
    let page = browser.get("/console/lots").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    for lot in [&honey, &walnuts] {
        assert!(text.contains(&code(lot).grouped()), "{text}");
        assert!(text.contains(&format!("name=\"lot\" value=\"{}\"", code(lot).as_str())));
    }
    // Named by the listing that offers it, else by its village.
    assert!(text.contains("雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།"));
    assert!(text.contains("明永 Mingyong"));
    assert!(text.contains("采收 2026-08-14"));
    assert!(text.contains("Village lot"));
    assert!(text.contains("action=\"/console/lots/labels.pdf\""));
    assert!(
        text.contains("href=\"/console/lots\""),
        "the nav links to lots"
    );

    browser_in_chinese(&hub, &staff).await;
}

async fn browser_in_chinese(hub: &TestHub, staff: &Staff) {
    let mut browser = Browser::signed_in(&hub.url, staff).await;
    browser.lang = "zh";
    let text = browser.get("/console/lots").await.text();
    assert!(
        text.contains("村民批次") && text.contains("下载标签页"),
        "{text}"
    );
}

#[tokio::test]
async fn receiving_and_inspection_recorded_in_the_forms_show_on_the_public_page_once() {
    let (hub, staff, honey, _) = hub_with_lots().await;
    let browser = Browser::signed_in(&hub.url, &staff).await;
    let here = format!("/console/lots/{}", code(&honey).as_str());
    let page = browser.get(&here).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("<svg"), "the lot's QR code");
    assert!(text.contains(&format!("href=\"/t/{}\"", code(&honey).as_str())));

    let received = format!("{here}/received");
    let event_id = page.field_after(&format!("action=\"{received}\""), "event_id");
    let form = [
        ("csrf", page.csrf()),
        ("event_id", event_id),
        ("quantity", "20 kg".to_owned()),
        ("at", "2026-09-01".to_owned()),
        ("place", "香格里拉 收购站".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    for _ in 0..2 {
        // The second is a double click: the same form again.
        let sent = browser.post(&received, &form).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());
        assert_eq!(sent.location.as_deref(), Some(here.as_str()));
    }
    let receipts = chain(&hub, &honey)
        .events
        .iter()
        .filter(|e| matches!(e.step, TraceStep::Received { .. }))
        .count();
    assert_eq!(receipts, 1, "a form sent twice records once");

    let page = browser.get(&here).await;
    let inspected = format!("{here}/inspected");
    let sent = browser
        .post(
            &inspected,
            &[
                ("csrf", &page.csrf()),
                (
                    "event_id",
                    &page.field_after(&format!("action=\"{inspected}\""), "event_id"),
                ),
                ("inspector", "迪庆州农产品质量检测站"),
                ("certificate_number", "DQ-2026-0917"),
                ("result", "passed"),
                ("at", "2026-09-12"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.text());

    let staff_page = browser.get(&here).await.text();
    assert!(staff_page.contains("DQ-2026-0917") && staff_page.contains("Pema"));
    let public = hub
        .http
        .get(format!("{}/t/{}?lang=en", hub.url, code(&honey).as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let public = public.text().await.unwrap();
    assert!(public.contains("Received by the buyer"), "{public}");
    assert!(public.contains("20 kg") && public.contains("香格里拉 收购站"));
    assert!(public.contains("迪庆州农产品质量检测站") && public.contains("DQ-2026-0917"));
    assert!(public.contains("Passed"));
}

#[tokio::test]
async fn a_bad_form_is_shown_again_with_what_was_typed_and_records_nothing() {
    let (hub, staff, honey, _) = hub_with_lots().await;
    let mut browser = Browser::signed_in(&hub.url, &staff).await;
    let here = format!("/console/lots/{}", code(&honey).as_str());
    let page = browser.get(&here).await;
    let csrf = page.csrf();

    let refused = browser
        .post(
            &format!("{here}/inspected"),
            &[
                ("csrf", &csrf),
                ("inspector", " "),
                ("certificate_number", "DQ-2026-0917"),
                ("result", "passed"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let text = refused.text();
    assert!(text.contains("role=\"alert\""), "{text}");
    assert!(
        text.contains("Inspector: This field is required."),
        "{text}"
    );
    assert!(
        text.contains("value=\"DQ-2026-0917\""),
        "what was typed is kept"
    );

    browser.lang = "zh";
    let refused = browser
        .post(
            &format!("{here}/received"),
            &[("csrf", &csrf), ("quantity", "lots"), ("at", "2026-09-01")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let text = refused.text();
    assert!(text.contains("数量（含单位）："), "{text}");
    assert!(text.contains("value=\"lots\"") && text.contains("value=\"2026-09-01\""));

    let refused = browser
        .post(
            "/console/lots",
            &[
                ("csrf", &csrf),
                ("inputs", &format!("{}=20", code(&honey).grouped())),
                ("product", "雪山蜂蜜"),
                ("quantity", "60 jar"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text().contains("雪山蜂蜜"), "the product is kept");

    assert!(chain(&hub, &honey).events.is_empty(), "nothing recorded");
    assert!(chain(&hub, &honey).made_into.is_empty());
}

#[tokio::test]
async fn a_form_without_this_sessions_csrf_token_is_refused() {
    let (hub, staff, honey, _) = hub_with_lots().await;
    let browser = Browser::signed_in(&hub.url, &staff).await;
    let here = format!("/console/lots/{}", code(&honey).as_str());
    for csrf in ["", &"0".repeat(64)] {
        let refused = browser
            .post(
                &format!("{here}/received"),
                &[("csrf", csrf), ("quantity", "20 kg")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let refused = browser
            .post(
                "/console/lots",
                &[
                    ("csrf", csrf),
                    ("inputs", &format!("{}=20 kg", code(&honey).grouped())),
                    ("product", "雪山蜂蜜"),
                    ("quantity", "60 jar"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
    assert!(chain(&hub, &honey).events.is_empty());
    assert!(chain(&hub, &honey).made_into.is_empty());

    let signed_out = Browser::new(&hub.url).get(&here).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.location.as_deref(), Some("/console/login"));
}

#[tokio::test]
async fn processing_makes_a_product_lot_once_and_its_label_sheet_scans_to_the_lots_pages() {
    let (hub, staff, honey, walnuts) = hub_with_lots().await;
    let browser = Browser::signed_in(&hub.url, &staff).await;
    let list = browser.get("/console/lots").await;
    let form = [
        ("csrf", list.csrf()),
        (
            "event_id",
            list.field_after("action=\"/console/lots\"", "event_id"),
        ),
        (
            "inputs",
            format!(
                "{}=20 kg\r\n{}=5 kg\r\n",
                code(&honey).grouped(),
                code(&walnuts).as_str()
            ),
        ),
        ("product", "雪山蜂蜜 གངས་རིའི་སྦྲང་རྩི།".to_owned()),
        ("quantity", "60 jar".to_owned()),
        ("gtin", "09506000134352".to_owned()),
        ("at", "2026-09-10".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = browser.post("/console/lots", &form).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.text());
    let again = browser.post("/console/lots", &form).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location, first.location, "sent twice, one lot");
    let made = chain(&hub, &honey).made_into;
    assert_eq!(made.len(), 1);
    let product = made[0].code.clone();
    assert_eq!(
        first.location.as_deref(),
        Some(format!("/console/lots/{}", product.as_str()).as_str())
    );
    let page = browser.get(first.location.as_deref().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("Product lot"));

    let sheet = browser
        .get(&format!(
            "/console/lots/labels.pdf?lot={}&lot={}&lot={}",
            code(&walnuts).as_str(),
            product.as_str(),
            code(&honey).grouped()
        ))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(sheet.content_type.as_deref(), Some("application/pdf"));
    assert!(
        sheet
            .disposition
            .as_deref()
            .is_some_and(|d| d.starts_with("attachment")),
        "{:?}",
        sheet.disposition
    );
    // The hub was given no public address: the codes open the address
    // the request came to.
    let base = &hub.url;
    assert_eq!(
        label_codes(&sheet.body, 3),
        [
            vec![format!("{base}/t/{}", code(&walnuts).as_str())],
            vec![format!("{base}/01/09506000134352/10/{}", product.as_str())],
            vec![format!("{base}/t/{}", code(&honey).as_str())],
        ]
    );

    let unknown = TraceCode::of_lot(LotId::new());
    let refused = browser
        .get(&format!(
            "/console/lots/labels.pdf?lot={}&lot={}",
            code(&honey).as_str(),
            unknown.as_str()
        ))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(refused.text().contains(unknown.as_str()));
    let none = browser.get("/console/lots/labels.pdf").await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn codes_open_the_public_address_the_hub_was_given_else_the_one_the_browser_used() {
    let (hub, staff, honey, _) = hub_with_lots().await;
    let here = format!("/console/lots/{}", code(&honey).as_str());

    // Without --public-url: the address and scheme the browser says it used.
    let browser = Browser::signed_in(&hub.url, &staff).await;
    let host = hub.url.trim_start_matches("http://");
    let page = browser
        .send(
            browser
                .http
                .get(format!("{}{here}", hub.url))
                .header("referer", format!("https://{host}/console/lots")),
        )
        .await;
    let public = format!("https://{host}/t/{}", code(&honey).as_str());
    assert!(page.text().contains(&public), "{}", page.text());

    // With it: that address, whatever the request came to.
    const PUBLIC: &str = "https://hub.highland.example";
    let mut state = highland_hub::AppState::new(hub.db.inner(), hub.clock.clone());
    state.public_url = Some(PUBLIC.to_owned());
    let running = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let browser = Browser::signed_in(&running.url(), &staff).await;
    let public = format!("{PUBLIC}/t/{}", code(&honey).as_str());
    assert!(browser.get(&here).await.text().contains(&public));
    let sheet = browser
        .get(&format!(
            "/console/lots/labels.pdf?lot={}",
            code(&honey).as_str()
        ))
        .await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(label_codes(&sheet.body, 1), [vec![public]]);
    running.stop().await.unwrap();
}
