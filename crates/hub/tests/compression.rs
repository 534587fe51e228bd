//! Bodies travel compressed both ways: zstd or gzip, by Content-Encoding
//! and Accept-Encoding.

mod common;

use std::io::{Read, Write};

use common::*;
use highland_domain::Unit;
use highland_domain::wire::SyncResponse;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A client that leaves responses as they come, to see how they came.
fn raw_client() -> reqwest::Client {
    http_client().no_zstd().no_gzip().build().unwrap()
}

#[tokio::test]
async fn compressed_request_bodies_are_read() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let honey = new_listing("Honey", Unit::Jar, 4500);
    let barley = new_listing("Barley", Unit::Kg, 800);
    let bodies = [("zstd", honey.clone()), ("gzip", barley.clone())];
    for (encoding, listing) in bodies {
        let request = hub.request(&first, vec![op(&first, NOW_MS, created(&listing))], 0);
        let json = serde_json::to_vec(&request).unwrap();
        let body = match encoding {
            "zstd" => zstd::encode_all(json.as_slice(), 3).unwrap(),
            _ => gzip(&json),
        };
        let response = hub
            .http
            .post(format!("{}/v1/sync", hub.url))
            .bearer_auth(&first.token)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, encoding)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{encoding}");
        let response: SyncResponse = response.json().await.unwrap();
        assert!(response.acks.iter().all(applied), "{encoding}");
    }
    let (pulled, _) = hub.pull_all(&second, 0).await;
    assert_eq!(pulled.len(), 2);
}

#[tokio::test]
async fn responses_are_compressed_as_asked_and_zstd_is_preferred() {
    let hub = spawn_hub().await;
    let first = hub.seller_with_device("Dolma").await;
    let second = hub.second_device(&first).await;
    let ops = (0..20)
        .map(|i| {
            op(
                &first,
                NOW_MS + i,
                created(&new_listing("Honey", Unit::Jar, 4500)),
            )
        })
        .collect();
    hub.sync(&first, ops, 0).await;
    let request = hub.request(&second, vec![], 0);
    let client = raw_client();
    let ask = |accept: Option<&'static str>| {
        let mut builder = client
            .post(format!("{}/v1/sync", hub.url))
            .bearer_auth(&second.token)
            .json(&request);
        if let Some(accept) = accept {
            builder = builder.header(ACCEPT_ENCODING, accept);
        }
        builder.send()
    };

    let cases = [
        (Some("gzip, zstd"), Some("zstd")),
        (Some("gzip"), Some("gzip")),
        (Some("zstd;q=0.5, gzip"), Some("gzip")),
        (None, None),
    ];
    for (accept, expected) in cases {
        let response = ask(accept).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let encoding = response
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(encoding.as_deref(), expected, "asked for {accept:?}");
        let bytes = response.bytes().await.unwrap();
        let json = match expected {
            Some("zstd") => zstd::decode_all(bytes.as_ref()).unwrap(),
            Some("gzip") => gunzip(&bytes),
            _ => bytes.to_vec(),
        };
        let parsed: SyncResponse = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed.operations.len(), 20);
    }
}
