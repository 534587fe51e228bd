//! The staff console under /console, as a browser without JavaScript uses
//! it: forms posted as `application/x-www-form-urlencoded`, the session in
//! a cookie, redirects read rather than followed.

mod common;

use common::console::Browser;
use common::*;
use highland_domain::{Listing, Payload, Unit};
use highland_exchange::orders::OrderFilter;
use highland_hub::Storage;
use reqwest::StatusCode;

/// A hub with a member of staff and Dolma's 10 kg of yak meat in Yubeng.
async fn hub_with_meat() -> (TestHub, Staff, Device, Listing) {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let dolma = hub.seller_in("Dolma", "Yubeng").await;
    let meat = new_listing("Yak meat", Unit::Kg, 6850);
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS, created(&meat)),
            op(&dolma, NOW_MS, received(&meat, 10_000)),
        ],
        0,
    )
    .await;
    (hub, staff, dolma, meat)
}

fn orders_in(hub: &TestHub) -> Vec<highland_hub::OrderView> {
    hub.db.orders(&OrderFilter::default()).unwrap().orders
}

#[tokio::test]
async fn the_login_page_speaks_the_browsers_language_or_the_one_chosen() {
    let hub = spawn_hub().await;
    let mut browser = Browser::new(&hub);
    let en = browser.get("/console/login").await;
    assert_eq!(en.status, StatusCode::OK);
    assert!(en.body.contains("Staff token"), "{}", en.body);
    assert!(en.body.contains("name=\"viewport\""));

    browser.lang = "zh-CN,zh;q=0.9";
    let zh = browser.get("/console/login").await;
    assert!(zh.body.contains("员工令牌"), "{}", zh.body);

    // The switch wins over the browser, and is remembered in a cookie.
    let switched = browser.get("/console/login?lang=en").await;
    assert!(switched.body.contains("Staff token"));
    assert!(
        switched
            .set_cookies
            .iter()
            .any(|c| c.starts_with("lang=en;")),
        "{:?}",
        switched.set_cookies
    );
    browser.cookie = Some("lang=en".into());
    assert!(
        browser
            .get("/console/login")
            .await
            .body
            .contains("Staff token")
    );

    let css = browser.get("/console/static/console.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("@media"));
}

#[tokio::test]
async fn a_wrong_token_shows_the_form_again_with_a_message_and_the_name_kept() {
    let hub = spawn_hub().await;
    hub.add_staff("Pema");
    let browser = Browser::new(&hub);
    let page = browser
        .post(
            "/console/login",
            &[("name", "Pema"), ("token", "hls_not-the-token")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.body.contains("do not match"), "{}", page.body);
    assert!(page.body.contains("value=\"Pema\""));
    assert!(page.set_cookies.is_empty());
}

#[tokio::test]
async fn every_page_sends_a_browser_without_a_session_to_the_login_page() {
    let hub = spawn_hub().await;
    let browser = Browser::new(&hub);
    let id = uuid_like();
    for path in [
        "/console/listings".to_owned(),
        format!("/console/listings/{id}"),
        "/console/sellers".to_owned(),
        "/console/orders".to_owned(),
        format!("/console/orders/{id}"),
    ] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location.as_deref(), Some("/console/login"), "{path}");
    }
    for path in [
        "/console/sellers".to_owned(),
        format!("/console/orders/{id}/cancel"),
        "/console/logout".to_owned(),
    ] {
        let page = browser.post(&path, &[("csrf", "x")]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
    }
    let home = browser.get("/console").await;
    assert_eq!(home.location.as_deref(), Some("/console/listings"));
}

fn uuid_like() -> String {
    highland_domain::OrderId::new().to_string()
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let (hub, staff, _dolma, meat) = hub_with_meat().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let path = format!("/console/listings/{}/orders", meat.id);
    for csrf in [None, Some("0".repeat(64))] {
        let mut fields = vec![("quantity", "2"), ("price", "68.50")];
        if let Some(csrf) = &csrf {
            fields.push(("csrf", csrf));
        }
        let page = browser.post(&path, &fields).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(page.body.contains("expired"), "{}", page.body);
    }
    let sellers = hub.db.catalog_sellers(&Default::default()).unwrap();
    let page = browser
        .post(
            "/console/sellers",
            &[("name", "Tashi"), ("village", "Xidang")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(orders_in(&hub).is_empty());
    assert_eq!(
        hub.db.catalog_sellers(&Default::default()).unwrap(),
        sellers
    );

    // A session's token does not work for another session.
    let listing_page = browser.get(&format!("/console/listings/{}", meat.id)).await;
    let mut other = Browser::new(&hub);
    other.sign_in(&staff).await;
    let page = other
        .post(
            &path,
            &[
                ("csrf", &listing_page.csrf()),
                ("quantity", "2"),
                ("price", "68.50"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(orders_in(&hub).is_empty());
}

#[tokio::test]
async fn an_order_placed_from_the_listing_page_is_created_and_shown() {
    let (hub, staff, _dolma, meat) = hub_with_meat().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;

    let listings = browser.get("/console/listings?village=Yubeng").await;
    assert_eq!(listings.status, StatusCode::OK);
    let link = format!("href=\"/console/listings/{}\"", meat.id);
    assert!(listings.body.contains(&link));
    assert!(listings.body.contains("¥68.50 / kg"), "{}", listings.body);
    // The language switch keeps the filter.
    assert!(
        listings
            .body
            .contains("href=\"?village=Yubeng&amp;lang=zh\""),
        "{}",
        listings.body
    );
    let elsewhere = browser.get("/console/listings?village=Xidang").await;
    assert!(!elsewhere.body.contains(&link), "{}", elsewhere.body);

    let page = browser.get(&format!("/console/listings/{}", meat.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Dolma"));
    assert!(page.body.contains("value=\"68.50\""), "price prefilled");

    // A bad quantity shows the form again, with what was typed.
    let path = format!("/console/listings/{}/orders", meat.id);
    let bad = browser
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("quantity", "-3"),
                ("price", "66"),
                ("note", "for the <school>"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("role=\"alert\""));
    assert!(bad.body.contains("value=\"66\""));
    assert!(bad.body.contains("for the &lt;school&gt;"));
    assert!(orders_in(&hub).is_empty());

    let placed = browser
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("quantity", "2.5"),
                ("price", "66"),
                ("hand_over_by", "2026-06-02"),
                ("note", "for the school"),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let orders = orders_in(&hub);
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    assert_eq!((order.quantity, order.unit_price_fen), (2_500, 6_600));
    assert_eq!(order.hand_over_by.as_deref(), Some("2026-06-02"));
    let location = format!("/console/orders/{}", order.id);
    assert_eq!(placed.location.as_deref(), Some(location.as_str()));

    let shown = browser.get(&location).await;
    assert!(
        shown.body.contains("data-state=\"placed\""),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("¥165.00"));
    let placed_tab = browser.get("/console/orders?state=placed").await;
    assert!(placed_tab.body.contains(&order.id));
    let paid_tab = browser.get("/console/orders?state=paid").await;
    assert!(!paid_tab.body.contains(&order.id));
}

#[tokio::test]
async fn an_action_the_state_machine_refuses_is_shown_in_the_pages_language() {
    let (hub, staff, _dolma, meat) = hub_with_meat().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let page = browser.get(&format!("/console/listings/{}", meat.id)).await;
    browser
        .post(
            &format!("/console/listings/{}/orders", meat.id),
            &[
                ("csrf", &page.csrf()),
                ("quantity", "1"),
                ("price", "68.50"),
            ],
        )
        .await;
    let id = orders_in(&hub)[0].id.clone();

    // A placed order cannot be paid for: it was never received.
    let csrf = page.csrf();
    let refused = browser
        .post(
            &format!("/console/orders/{id}/pay"),
            &[("csrf", &csrf), ("amount", "12.34"), ("method", "wechat")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("does not allow"), "{}", refused.body);
    assert_eq!(orders_in(&hub)[0].state, "placed");

    // A reason too long is asked for again, with what was typed.
    let long = "x".repeat(201);
    let refused = browser
        .post(
            &format!("/console/orders/{id}/cancel"),
            &[("csrf", &csrf), ("reason", &long)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(
        refused.body.contains(&format!("value=\"{long}\"")),
        "the input is kept"
    );

    browser.lang = "zh";
    browser.cookie = Some(format!("{}; lang=zh", browser.cookie.unwrap()));
    let refused = browser
        .post(
            &format!("/console/orders/{id}/receive"),
            &[("csrf", &csrf), ("quantity", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("不允许"), "{}", refused.body);

    // Cancelling is allowed, with a reason.
    let cancelled = browser
        .post(
            &format!("/console/orders/{id}/cancel"),
            &[("csrf", &csrf), ("reason", "ordered twice")],
        )
        .await;
    assert_eq!(
        cancelled.status,
        StatusCode::SEE_OTHER,
        "{}",
        cancelled.body
    );
    assert_eq!(orders_in(&hub)[0].state, "cancelled");
}

/// The dark modules of the first QR code in `html`: its SVG path.
fn qr_modules(html: &str) -> String {
    let (_, svg) = html.split_once("<svg").expect("a QR code");
    let (_, path) = svg.split_once(" d=\"").expect("its path");
    path.split('"').next().unwrap().to_owned()
}

#[tokio::test]
async fn adding_a_seller_shows_a_code_and_its_qr_that_enroll_a_device() {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let sellers = browser.get("/console/sellers").await;
    let added = browser
        .post(
            "/console/sellers",
            &[
                ("csrf", &sellers.csrf()),
                ("name", "Tashi"),
                ("village", "Xidang"),
                ("phone", ""),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert!(added.body.contains("<svg"), "{}", added.body);
    let (_, after) = added.body.split_once("<p class=\"code\">").unwrap();
    let code = after.split('<').next().unwrap().to_owned();
    assert_eq!(code.len(), 11, "{code}");
    // The QR code holds the hub's address with the code, as the app reads
    // it, so a tablet that scans it need not have the address typed.
    let enroll_text = highland_hub::admin::enrollment_text(Some(&hub.url), &code);
    assert!(
        enroll_text.starts_with("highland://enroll?hub=http"),
        "{enroll_text}"
    );
    assert_eq!(
        qr_modules(&added.body),
        qr_modules(&highland_label::Qr::new(&enroll_text).unwrap().svg(None, "")),
        "the QR code on the page is not the one of {enroll_text}"
    );
    hub.enroll_ok(&code).await;

    // Another code for the same seller, from the list.
    let list = browser.get("/console/sellers").await;
    assert!(list.body.contains("Tashi") && list.body.contains("Xidang"));
    let (_, after) = list.body.split_once("/console/sellers/").unwrap();
    let seller_id = after.split('/').next().unwrap();
    let again = browser
        .post(
            &format!("/console/sellers/{seller_id}/codes"),
            &[("csrf", &list.csrf())],
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.body.contains("<svg"));
    assert!(!again.body.contains(&code));

    // A name left empty is asked for again, in the form.
    let empty = browser
        .post(
            "/console/sellers",
            &[("csrf", &list.csrf()), ("name", " "), ("village", "Xidang")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("value=\"Xidang\""));
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let hub = spawn_hub().await;
    let staff = hub.add_staff("Pema");
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let page = browser.get("/console/orders").await;
    assert_eq!(page.status, StatusCode::OK);
    let out = browser
        .post("/console/logout", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(out.location.as_deref(), Some("/console/login"));
    let after = browser.get("/console/orders").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_form_another_site_sends_is_refused_even_with_the_token() {
    let (hub, staff, _dolma, meat) = hub_with_meat().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let page = browser.get(&format!("/console/listings/{}", meat.id)).await;
    let response = browser
        .request(
            reqwest::Method::POST,
            &format!("/console/listings/{}/orders", meat.id),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(format!("csrf={}&quantity=1&price=68.50", page.csrf()))
        .send()
        .await
        .unwrap();
    let refused = browser.read(response).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("another site"), "{}", refused.body);
    assert!(orders_in(&hub).is_empty());

    let login = browser
        .http
        .post(format!("{}/console/login", hub.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .body(format!("name=Pema&token={}", staff.token))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert!(login.headers().get("set-cookie").is_none());
}

/// The codes on a sheet of trainees' cards, in order.
fn card_codes(html: &str) -> Vec<String> {
    html.split("data-testid=\"trainee-card\"")
        .skip(1)
        .map(|card| {
            let (_, after) = card.split_once("<p class=\"code\">").unwrap();
            after.split('<').next().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_trainer_switches_the_class_network_and_prints_cards_from_the_workshop_page() {
    let workshop = common::workshop::TestWorkshop::start(
        2,
        common::workshop::quick(std::time::Duration::from_secs(8)),
    )
    .await;
    let trainer = Staff {
        id: String::new(),
        name: highland_hub::workshop::trainees::TRAINER.to_owned(),
        token: workshop.info().staff_token.clone(),
    };
    let mut browser = Browser::new(&workshop.hub);
    browser.sign_in(&trainer).await;
    // A workshop is plain HTTP on the hall's LAN, where a browser would drop
    // a `Secure` cookie and send the trainer back to the sign-in page.
    assert!(
        browser
            .cookie
            .as_deref()
            .unwrap()
            .starts_with("highland_session="),
        "{:?}",
        browser.cookie
    );

    let page = browser.get("/console/workshop").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("href=\"/console/workshop\""),
        "in the menu"
    );
    assert!(page.body.contains(&workshop.url), "where tablets join");
    assert!(page.body.contains("Trainee 2"));

    let switched = browser
        .post(
            "/console/workshop/network",
            &[("csrf", &page.csrf()), ("network", "3g")],
        )
        .await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER, "{}", switched.body);
    let network = || highland_hub::workshop::network::network(workshop.db.as_ref()).unwrap();
    assert_eq!(
        network().network,
        Some(highland_domain::SimulatedNetwork::ThreeG)
    );
    let page = browser.get("/console/workshop").await;
    assert!(
        page.body.contains("aria-pressed=\"true\" disabled>✓ 3G"),
        "{}",
        page.body
    );

    let refused = browser
        .post(
            "/console/workshop/network",
            &[("csrf", &page.csrf()), ("network", "5g")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        network().network,
        Some(highland_domain::SimulatedNetwork::ThreeG)
    );

    // A sheet of fresh cards; a code from it enrolls a tablet, and the next
    // sheet leaves that trainee out.
    let sheet = browser
        .post("/console/workshop/cards", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
    let codes = card_codes(&sheet.body);
    assert_eq!(codes.len(), 2, "{}", sheet.body);
    assert_eq!(
        qr_modules(&sheet.body),
        qr_modules(
            &highland_label::Qr::new(&highland_hub::admin::enrollment_text(
                Some(&workshop.url),
                &codes[0]
            ))
            .unwrap()
            .svg(None, "")
        )
    );
    workshop.enroll_ok(&codes[0]).await;
    let sheet = browser
        .post("/console/workshop/cards", &[("csrf", &page.csrf())])
        .await;
    assert_eq!(card_codes(&sheet.body).len(), 1);
    assert!(sheet.body.contains("Trainee 2") && !sheet.body.contains("Trainee 1"));
}

#[tokio::test]
async fn a_hub_that_runs_no_workshop_has_no_workshop_page() {
    let (hub, staff, _, _) = hub_with_meat().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let page = browser.get("/console/workshop").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("href=\"/console/workshop\""));
}

#[tokio::test]
async fn a_lost_tablet_is_revoked_from_its_sellers_page_with_the_forms_token_only() {
    let (hub, staff, dolma, _meat) = hub_with_meat().await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let sellers = browser.get("/console/sellers").await;
    let devices_path = format!("/console/sellers/{}/devices", dolma.seller_id);
    assert!(sellers.body.contains(&format!("href=\"{devices_path}\"")));

    let page = browser.get(&devices_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&dolma.id.to_string()), "{}", page.body);
    assert!(page.body.contains("Revoke this device"));
    let revoke = format!("{devices_path}/{}/revoke", dolma.id);

    // Without the form's token nothing changes.
    let forged = browser.post(&revoke, &[("csrf", &"0".repeat(64))]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    hub.sync(&dolma, vec![], 0).await;

    let done = browser.post(&revoke, &[("csrf", &page.csrf())]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(devices_path.as_str()));
    let after = browser.get(&devices_path).await;
    assert!(after.body.contains("revoked"), "{}", after.body);
    assert!(!after.body.contains("Revoke this device"));
    let refused = hub
        .post_sync(Some(&dolma.token), &hub.request(&dolma, vec![], 0))
        .await;
    expect_error(refused, StatusCode::FORBIDDEN, "device_revoked").await;

    // A device of another seller is not this page's to revoke.
    let pema = hub.seller_in("Pema", "Mingyong").await;
    let elsewhere = format!("{devices_path}/{}/revoke", pema.id);
    let page = browser.get(&devices_path).await;
    let wrong = browser.post(&elsewhere, &[("csrf", &page.csrf())]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    hub.sync(&pema, vec![], 0).await;
}

#[tokio::test]
async fn a_listing_page_shows_its_sales_and_a_voided_one_with_the_sellers_reason() {
    let (hub, staff, dolma, meat) = hub_with_meat().await;
    let (kept, mistake) = (sold(&meat, 1_000), sold(&meat, 2_000));
    let Payload::SaleRecorded { sale } = &mistake else {
        unreachable!()
    };
    let void = Payload::SaleVoided {
        sale_id: sale.id,
        reason: highland_domain::Reason::parse("按错了 wrong button").unwrap(),
        at: chrono::DateTime::from_timestamp_millis(NOW_MS as i64).unwrap(),
    };
    hub.sync(
        &dolma,
        vec![
            op(&dolma, NOW_MS + 1, kept),
            op(&dolma, NOW_MS + 2, mistake),
            op(&dolma, NOW_MS + 3, void),
        ],
        0,
    )
    .await;
    let mut browser = Browser::new(&hub);
    browser.sign_in(&staff).await;
    let page = browser
        .get(&format!("/console/listings/{}?lang=en", meat.id))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("<tr class=\"voided\">").count(), 1);
    assert!(page.body.contains("Voided by the seller"), "{}", page.body);
    assert!(page.body.contains("按错了 wrong button"));
    assert!(page.body.contains("Counted"));
    // Sold counts the kept kilogram only.
    assert!(page.body.contains("<dd>1 kg</dd>"), "{}", page.body);
}
