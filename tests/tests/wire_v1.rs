//! Protocol 1 as recorded (tests/fixtures/wire/v1): the current hub answers
//! what devices of protocol 1 sent, and the current device reads what hubs
//! of protocol 1 answered. A change that breaks either breaks the tablets
//! in the field that have not been updated.

use std::path::PathBuf;

use anyhow::{Context, ensure};
use highland_domain::wire::{AckOutcome, EnrollResponse, ErrorBody, SyncResponse};
use highland_e2e::Hub;
use serde_json::Value;

fn fixture(name: &str) -> anyhow::Result<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/wire/v1")
        .join(name);
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    Ok(serde_json::from_str(&text)?)
}

fn post(url: &str, token: Option<&str>, body: &Value) -> anyhow::Result<(u16, Value)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // reqwest is built on rustls with no provider chosen: ring, as everywhere.
    let _ = rustls::crypto::ring::default_provider().install_default();
    runtime.block_on(async {
        let mut request = reqwest::Client::new().post(url).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await?))
    })
}

/// Enrolls the device id a fixture names, with a fresh code for the seller.
fn enroll(hub: &Hub, seller_id: &str, device_id: &Value) -> anyhow::Result<String> {
    let code = hub.device_code(seller_id)?;
    let (status, body) = post(
        &format!("{}/v1/enroll", hub.url()),
        None,
        &serde_json::json!({"protocol": 1, "code": code, "device_id": device_id}),
    )?;
    ensure!(status == 200, "{status}: {body}");
    let enrolled: EnrollResponse = serde_json::from_value(body)?;
    Ok(enrolled.device_token)
}

#[test]
fn the_current_hub_answers_what_protocol_1_devices_sent() -> anyhow::Result<()> {
    let hub = Hub::start()?;
    let seller = hub.add_seller("Dolma", "Yubeng")?;
    let push = fixture("sync_push_request.json")?;
    let token = enroll(&hub, &seller.seller_id, &push["device_id"])?;
    let (status, answer) = post(&format!("{}/v1/sync", hub.url()), Some(&token), &push)?;
    ensure!(status == 200, "{status}: {answer}");
    let answer: SyncResponse = serde_json::from_value(answer)?;
    let sent: Vec<&Value> = push["operations"]
        .as_array()
        .context("operations")?
        .iter()
        .map(|op| &op["id"])
        .collect();
    ensure!(answer.acks.len() == sent.len(), "{answer:?}");
    for (ack, id) in answer.acks.iter().zip(sent) {
        ensure!(Value::String(ack.op_id.to_string()) == *id, "in order");
        ensure!(matches!(ack.outcome, AckOutcome::Applied { .. }), "{ack:?}");
    }

    // The second tablet pulls them exactly as they were recorded.
    let pull = fixture("sync_pull_request.json")?;
    let token = enroll(&hub, &seller.seller_id, &pull["device_id"])?;
    let (status, answer) = post(&format!("{}/v1/sync", hub.url()), Some(&token), &pull)?;
    ensure!(status == 200, "{status}: {answer}");
    let recorded = fixture("sync_pull_response.json")?;
    ensure!(
        answer["operations"] == recorded["operations"],
        "pulled: {}\nrecorded: {}",
        answer["operations"],
        recorded["operations"]
    );
    let listing = &hub.listings()?[0];
    ensure!(
        listing.price_fen == 4800 && listing.stock == 17,
        "{listing:?}"
    );
    Ok(())
}

#[test]
fn the_current_device_reads_what_protocol_1_hubs_answered() -> anyhow::Result<()> {
    for name in [
        "sync_push_response.json",
        "sync_pull_response.json",
        "sync_answers_of_every_kind.json",
    ] {
        let answer: SyncResponse = serde_json::from_value(fixture(name)?)
            .with_context(|| format!("{name} reads as a sync answer"))?;
        answer.read_operations().with_context(|| name.to_owned())?;
    }
    let every: SyncResponse = serde_json::from_value(fixture("sync_answers_of_every_kind.json")?)?;
    ensure!(matches!(
        every.acks[3].outcome,
        AckOutcome::Applied { hlc: Some(_) }
    ));
    ensure!(
        matches!(&every.acks[4].outcome, AckOutcome::Refused { reason } if reason.code == "unit_mismatch")
    );
    let _: EnrollResponse = serde_json::from_value(fixture("enroll_response.json")?)?;
    let error: ErrorBody = serde_json::from_value(fixture("error_unauthorized.json")?)?;
    ensure!(error.code == "unauthorized", "{error:?}");

    // A tablet of today commits what a first-wave hub sent: the other
    // tablet's listing, edit, sale and stock, with no `history`.
    let dir = tempfile::tempdir()?;
    let mut store = highland_engine::Store::open_dir(dir.path())?;
    let pulled: SyncResponse = serde_json::from_value(fixture("sync_pull_response.json")?)?;
    let done = store.commit_sync(&[], &pulled, 0)?;
    ensure!(done.pulled == 5 && !done.hub_went_back, "{done:?}");
    let listings = store.listings()?;
    ensure!(listings.len() == 1, "{listings:?}");
    ensure!(
        listings[0].price_fen == 4800 && listings[0].stock == 17,
        "{:?}",
        listings[0]
    );
    Ok(())
}
