//! Issue 21, end to end with the real `highland-hub` and `highland` binaries, each tablet on a
//! fault-injecting link of its own: a collection round planned while the seller's tablets were
//! out of signal reaches them at their next sync; answers given offline reach the hub; the round
//! changed on the hub while a tablet was away, and two tablets answering differently, converge
//! to one state everywhere; what was loaded at the stop reaches both tablets; and an answer that
//! comes after the truck left is refused, with the reason on the tablet.

use std::time::Duration;

use anyhow::{Context, ensure};
use highland_e2e::proxy::{LinkProfile, Offline};
use highland_e2e::{Device, Hub, ProxyThread};
use serde_json::Value;

const SEED: u64 = 0x726f_756e_6473;
/// One attempt of `highland sync --timeout`; a seller whose sync gives up runs it again.
const ATTEMPT: Duration = Duration::from_secs(60);
const ATTEMPTS: usize = 10;

/// Edge's bandwidth and round trip, and one segment in four cut mid-request or mid-response:
/// every sync is cut somewhere, and the client's retries must carry it through.
fn cutting_edge() -> LinkProfile {
    LinkProfile::edge()
        .without_cuts()
        .with_cut_probability_per_chunk(0.25)
        .named("edge, a quarter of segments cut")
}

fn sync(device: &Device) -> anyhow::Result<()> {
    let runs = device.sync_until_done(ATTEMPT, ATTEMPTS)?;
    eprintln!(
        "{} synced after {} failed attempts",
        device.name(),
        runs.failures.len()
    );
    Ok(())
}

fn json(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).with_context(|| format!("not JSON: {text}"))
}

/// The tablet's rounds (`highland round list --json`).
fn rounds(device: &Device) -> anyhow::Result<Vec<Value>> {
    let listed = json(&device.ok(&["round", "list", "--json"])?)?;
    Ok(listed.as_array().context("a list")?.clone())
}

/// The one round the tablet shows, checked to be `id`.
fn the_round(device: &Device, id: &str) -> anyhow::Result<Value> {
    let rounds = rounds(device)?;
    ensure!(rounds.len() == 1, "{}: {rounds:#?}", device.name());
    ensure!(rounds[0]["id"] == id, "{}: {rounds:#?}", device.name());
    Ok(rounds[0].clone())
}

fn plan_args(yubeng_at: &str) -> Vec<&str> {
    vec![
        "--date",
        "2026-06-04",
        "--vehicle",
        "云F·12345 Dongfeng",
        "--capacity",
        "100",
        "--stop",
        "09:00 西当 Xidang",
        "--stop",
        yubeng_at,
    ]
}

#[test]
fn a_round_reaches_tablets_that_were_away_and_their_answers_converge() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let result = scenario(&hub);
    result.with_context(|| format!("the hub's log:\n{}", hub.log()))
}

fn scenario(hub: &Hub) -> anyhow::Result<()> {
    let link_a = ProxyThread::start(hub.addr(), LinkProfile::edge().without_cuts(), SEED)?;
    let link_b = ProxyThread::start(hub.addr(), LinkProfile::edge().without_cuts(), SEED + 1)?;
    let (a, b) = (Device::new("tablet-a")?, Device::new("tablet-b")?);
    let seller = hub.add_seller("卓玛 Dolma", "雨崩 Yubeng")?;
    a.enroll_retrying(&link_a.url(), &seller.code, ATTEMPTS)?;
    b.enroll_retrying(
        &link_b.url(),
        &hub.device_code(&seller.seller_id)?,
        ATTEMPTS,
    )?;
    let meat = a.add_listing("གཡག་ཤ 牦牛肉 Yak meat", "yak-meat", "kg", "68.50", "50")?;
    let honey = a
        .ok(&[
            "listing",
            "add",
            "--title",
            "སྦྲང་རྩི 蜂蜜 Honey",
            "--category",
            "honey",
            "--unit",
            "jar",
            "--price",
            "45",
            "--stock",
            "20",
            "--weight-per-unit",
            "0.75",
        ])?
        .trim()
        .to_owned();
    sync(&a)?;
    sync(&b)?;

    // Out of signal: the buyer plans Thursday's truck and puts both orders on it.
    link_a.set_offline(Some(Offline::Refuse));
    link_b.set_offline(Some(Offline::Refuse));
    let mut create = vec!["round", "create", "--json"];
    create.extend(plan_args("10:30 雨崩 Yubeng"));
    let round = json(&hub.ok(&create)?)?;
    let round_id = round["id"].as_str().context("an id")?.to_owned();
    let order = |listing: &str, quantity: &str| {
        hub.ok(&[
            "order",
            "place",
            "--listing",
            listing,
            "--quantity",
            quantity,
            "--price",
            "60",
            "--round",
            &round_id,
        ])
    };
    let meat_order = order(&meat, "12")?.trim().to_owned();
    let honey_order = order(&honey, "6")?.trim().to_owned();

    // Back in signal, on links that cut: tablet A learns of the round at its next sync.
    link_a.set_offline(None);
    link_a.set_profile(cutting_edge());
    sync(&a)?;
    let shown = the_round(&a, &round_id)?;
    ensure!(shown["stop"]["place"] == "雨崩 Yubeng", "{shown:#}");
    ensure!(shown["stop"]["expected_at"] == "10:30", "{shown:#}");
    ensure!(
        shown["orders"].as_array().map(Vec::len) == Some(2),
        "{shown:#}"
    );

    // Tablet A, offline again, accepts both and says Dolma will be there; meanwhile the buyer
    // moves the Yubeng stop to 11:00, and tablet B, back in signal, learns of it and says she
    // cannot come after all: the later answer is B's.
    link_a.set_offline(Some(Offline::Refuse));
    a.ok(&["order", "accept", &meat_order])?;
    a.ok(&["order", "accept", &honey_order])?;
    a.ok(&["round", "answer", &round_id, "--coming"])?;
    ensure!(the_round(&a, &round_id)?["answer_pending"] == true);
    let mut edit = vec!["round", "edit", &round_id];
    edit.extend(plan_args("11:00 雨崩 Yubeng"));
    hub.ok(&edit)?;
    link_b.set_offline(None);
    link_b.set_profile(cutting_edge());
    sync(&b)?;
    ensure!(the_round(&b, &round_id)?["stop"]["expected_at"] == "11:00");
    b.ok(&["round", "answer", &round_id, "--cannot-come", "生病了 ill"])?;

    link_a.set_offline(None);
    sync(&a)?;
    sync(&b)?;
    sync(&a)?;

    // One state everywhere: the buyer's latest plan, both orders accepted, B's answer.
    let on_hub = json(&hub.ok(&["round", "show", &round_id, "--json"])?)?;
    let yubeng = &on_hub["stops"][1];
    ensure!(yubeng["expected_at"] == "11:00", "{on_hub:#}");
    ensure!(
        yubeng["totals"]["expected_g"] == 16_500,
        "12 kg and 6 jars of 750 g: {on_hub:#}"
    );
    ensure!(yubeng["totals"]["confirmed_g"] == 0, "{on_hub:#}");
    for line in yubeng["lines"].as_array().context("lines")? {
        ensure!(line["state"] == "accepted", "{line:#}");
        ensure!(line["answer"] == "not-coming", "{line:#}");
        ensure!(line["answer_reason"] == "生病了 ill", "{line:#}");
    }
    for tablet in [&a, &b] {
        let shown = the_round(tablet, &round_id)?;
        ensure!(
            shown["stop"]["expected_at"] == "11:00",
            "{}: {shown:#}",
            tablet.name()
        );
        ensure!(
            shown["answer"] == "not-coming",
            "{}: {shown:#}",
            tablet.name()
        );
        ensure!(
            shown["answer_pending"] == false,
            "{}: {shown:#}",
            tablet.name()
        );
        ensure!(
            shown["bring"].as_array().map(Vec::len) == Some(2),
            "{shown:#}"
        );
    }

    // The truck goes out; the driver's sheet is typed in: what was loaded at Yubeng.
    hub.ok(&["round", "move", &round_id, "--to", "loading"])?;
    let stop = yubeng["id"].as_str().context("the stop's id")?;
    hub.ok(&[
        "round",
        "load",
        &round_id,
        "--stop",
        stop,
        "--order",
        &meat_order,
        "--quantity",
        "11.5",
    ])?;
    hub.ok(&[
        "round",
        "load",
        &round_id,
        "--stop",
        stop,
        "--order",
        &honey_order,
        "--quantity",
        "6",
        "--weight",
        "4.6",
    ])?;
    sync(&a)?;
    // Tablet B, away again, thinks the truck is still loading and says Dolma will come after
    // all; the truck leaves before that answer reaches the hub.
    link_b.set_offline(Some(Offline::Refuse));
    b.ok(&["round", "answer", &round_id, "--coming"])?;
    hub.ok(&["round", "move", &round_id, "--to", "on-the-road"])?;
    link_b.set_offline(None);
    sync(&b)?;
    sync(&a)?;

    let on_hub = json(&hub.ok(&["round", "show", &round_id, "--json"])?)?;
    ensure!(on_hub["totals"]["loaded_g"] == 16_100, "{on_hub:#}");
    for tablet in [&a, &b] {
        let shown = the_round(tablet, &round_id)?;
        ensure!(
            shown["state"] == "on-the-road",
            "{}: {shown:#}",
            tablet.name()
        );
        ensure!(
            shown["answer"] == "not-coming",
            "{}: {shown:#}",
            tablet.name()
        );
        let loaded: Vec<&Value> = shown["orders"]
            .as_array()
            .context("orders")?
            .iter()
            .map(|o| &o["loaded_weight_g"])
            .collect();
        ensure!(
            loaded == [&Value::from(11_500), &Value::from(4_600)],
            "{shown:#}"
        );
        let orders = json(&tablet.ok(&["order", "list", "--json"])?)?;
        ensure!(
            orders
                .as_array()
                .context("orders")?
                .iter()
                .all(|o| o["state"] == "handed-over"),
            "{orders:#}"
        );
    }
    let refused = &the_round(&b, &round_id)?["refusal"];
    ensure!(
        refused["code"] == "round_closed",
        "B shows why: {refused:#}"
    );
    ensure!(the_round(&a, &round_id)?["refusal"].is_null());

    let (cut_a, cut_b) = (
        link_a.stats().connections_cut,
        link_b.stats().connections_cut,
    );
    eprintln!("connections cut: A {cut_a}, B {cut_b}");
    ensure!(
        cut_a > 0 && cut_b > 0,
        "a link cut nothing, so this proved nothing about cuts"
    );
    Ok(())
}
