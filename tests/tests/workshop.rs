//! Issue 8: a workshop with no internet. A trainer starts `highland-hub
//! workshop`; trainees enroll from the printed codes, or find the hub by
//! mDNS without typing its address; one trainee runs the guided lesson from
//! the command line through the same fault-injecting link the tests use,
//! switched offline and back, and every step ticks only when really done.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use highland_discovery::lan_test::inside_own_namespace;
use highland_e2e::proxy::{LinkProfile, Offline};
use highland_e2e::workshop::WorkshopHub;
use highland_e2e::{Device, ProxyThread};
use highland_engine::photos::sample;
use serde_json::Value;

/// `GET PATH` on the hub's staff API with the trainer's token.
fn staff_get(hub: &WorkshopHub, path: &str) -> anyhow::Result<Value> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", hub.info.hub_url.trim_end_matches('/')))
            .bearer_auth(&hub.info.staff_token)
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("GET {path}; the hub's log:\n{}", hub.log()))?;
        Ok(response.json().await?)
    })
}

fn done_steps(lesson: &Value) -> Vec<String> {
    lesson["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| !s["done_at"].is_null())
        .map(|s| s["step"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn lesson(device: &Device) -> anyhow::Result<Value> {
    Ok(serde_json::from_str(
        &device.ok(&["lesson", "show", "--json"])?,
    )?)
}

fn hub_addr(hub_url: &str) -> anyhow::Result<SocketAddr> {
    let authority = hub_url
        .strip_prefix("http://")
        .context("a workshop hub speaks plain HTTP on its LAN")?;
    Ok(authority.trim_end_matches('/').parse()?)
}

/// Syncs until the device holds an order placed by the workshop's buyer.
fn wait_for_an_order(device: &Device, limit: Duration) -> anyhow::Result<String> {
    let start = Instant::now();
    loop {
        device
            .sync(Duration::from_secs(10))
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let orders: Value = serde_json::from_str(&device.ok(&["order", "list", "--json"])?)?;
        if let Some(order) = orders.as_array().and_then(|o| o.first()) {
            return Ok(order["id"].as_str().context("order id")?.to_owned());
        }
        if start.elapsed() > limit {
            bail!("the workshop's buyer placed no order within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn trainees_enroll_from_the_printed_codes_and_a_lesson_runs_through_the_command_line()
-> anyhow::Result<()> {
    let hub = WorkshopHub::start(&[
        "--listen",
        "127.0.0.1:0",
        "--trainees",
        "3",
        "--no-advertise",
        "--order-after-secs",
        "1",
    ])?;
    let cards = &hub.info.trainees;
    ensure!(cards.len() == 3, "three trainees, three cards: {cards:?}");
    for card in cards {
        ensure!(
            card.enroll_text
                == format!(
                    "highland://enroll?hub={}&code={}",
                    hub.info.hub_url, card.code
                ),
            "the QR code carries the hub and the code: {card:?}"
        );
    }

    // The lesson's trainee reaches the hub through an emulated link the
    // test can switch off, as the app's simulator does.
    let link = ProxyThread::start(hub_addr(&hub.info.hub_url)?, LinkProfile::three_g(), 8)?;
    let trainee = Device::new("trainee-1")?;
    trainee.enroll(&link.url(), &cards[0].code)?;
    let others = [Device::new("trainee-2")?, Device::new("trainee-3")?];
    for (device, card) in others.iter().zip(&cards[1..]) {
        device.enroll(&hub.info.hub_url, &card.code)?;
    }
    let reused = trainee.run(
        &[
            "enroll",
            "--hub",
            &hub.info.hub_url,
            "--code",
            &cards[1].code,
        ],
        Duration::from_secs(30),
    )?;
    ensure!(
        !reused.status.success(),
        "a printed code enrolls one tablet only"
    );

    trainee.ok(&["lesson", "start"])?;

    // 1. List a product.
    let listing = trainee.add_listing("蜂蜜 སྦྲང་རྩི། honey", "honey", "jar", "45", "20")?;
    // 2. Take a photo of it.
    let photo = trainee.data_dir().with_file_name("honey.jpg");
    std::fs::write(
        &photo,
        sample::jpeg(&sample::synthetic_photo(1200, 900, 3), 90),
    )?;
    trainee.ok(&[
        "photo",
        "add",
        "--listing",
        &listing,
        photo.to_str().context("path")?,
    ])?;
    trainee
        .sync(Duration::from_secs(30))
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    ensure!(
        done_steps(&lesson(&trainee)?) == ["list_product", "take_photo"],
        "{}",
        lesson(&trainee)?
    );

    // 3. The signal goes: the sync fails, and a sale recorded now is the
    // lesson's offline sale; it waits on the tablet.
    link.set_offline(Some(Offline::Refuse));
    ensure!(
        trainee.sync(Duration::from_secs(2)).is_err(),
        "no link, no sync"
    );
    trainee.sell(&listing, "2")?;
    let status = trainee.status()?;
    ensure!(status.pending_ops >= 1, "the sale waits: {status:?}");
    ensure!(done_steps(&lesson(&trainee)?).contains(&"sale_offline".to_owned()));
    ensure!(!done_steps(&lesson(&trainee)?).contains(&"sync".to_owned()));

    // 4. The signal comes back, over a mountain 2G link: the sync delivers it.
    link.set_profile(LinkProfile::mountain().without_cuts());
    link.set_offline(None);
    trainee.sync_until_done(Duration::from_secs(60), 5)?;
    ensure!(trainee.status()?.pending_ops == 0);
    ensure!(done_steps(&lesson(&trainee)?).contains(&"sync".to_owned()));
    link.set_profile(LinkProfile::three_g());

    // 5. The workshop's buyer orders the new listing; the trainee accepts.
    let order = wait_for_an_order(&trainee, Duration::from_secs(60))?;
    trainee.ok(&["order", "accept", &order])?;
    ensure!(done_steps(&lesson(&trainee)?).contains(&"accept_order".to_owned()));

    // 6. Print the lot's certificate slip with its QR code.
    let lot = trainee.ok(&["lot", "add", "--village", "雨崩 Yubeng"])?;
    let slip = trainee.data_dir().with_file_name("slip.pdf");
    trainee.ok(&[
        "certificate",
        "--lot",
        &lot,
        "--out",
        slip.to_str().context("path")?,
        "--quantity",
        "2",
        "--unit",
        "jar",
        "--product",
        "蜂蜜",
    ])?;
    let finished = lesson(&trainee)?;
    ensure!(finished["finished"] == true, "{finished}");
    ensure!(std::fs::metadata(&slip)?.len() > 0);

    // The console, the API and the tablet agree: the acceptance reached the
    // hub with the next sync.
    trainee.sync_until_done(Duration::from_secs(60), 5)?;
    let on_hub = staff_get(&hub, &format!("/v1/orders/{order}"))?;
    ensure!(on_hub["state"] == "accepted", "the hub's order: {on_hub}");
    Ok(())
}

#[test]
fn a_trainee_finds_the_workshop_hub_by_mdns_and_enrolls_without_typing_its_address()
-> anyhow::Result<()> {
    let test = "a_trainee_finds_the_workshop_hub_by_mdns_and_enrolls_without_typing_its_address";
    if !inside_own_namespace(test) {
        return Ok(());
    }
    let hub = WorkshopHub::start(&["--listen", "127.0.0.1:0", "--trainees", "1"])?;
    let trainee = Device::new("trainee")?;
    let found: Value = serde_json::from_str(&trainee.ok(&["hubs", "--json"])?)?;
    ensure!(
        found[0]["url"] == hub.info.hub_url.as_str(),
        "highland hubs finds the workshop: {found}"
    );
    trainee.ok(&["enroll", "--code", &hub.info.trainees[0].code])?;
    ensure!(trainee.status()?.hub.as_deref() == Some(hub.info.hub_url.as_str()));
    Ok(())
}
