//! Photos on the hub (docs/sync-protocol.md, section 13): the operations'
//! refusals, resumable uploads of framed bodies (across cut connections,
//! corrupted frames and hub processes), and downloads by devices, staff
//! and the public trace page.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use highland_domain::{
    Listing, Lot, MediaType, Payload, Photo, PhotoId, PhotoRef, PhotoSubject, Sha256, Unit,
};
use highland_hub::photos::PhotoStore;
use highland_hub::photos::frames::encode_frame;
use highland_hub::{AppState, ManualClock, Storage};
use reqwest::StatusCode;
use sha2::Digest;
use tokio::io::AsyncWriteExt;

const FRAMES: &str = "application/vnd.highland.photo-frames";

/// Bytes that stand for a JPEG file (the hub never decodes one): the
/// JPEG markers around bytes that differ by `seed`.
fn jpeg(length: usize, seed: u8) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = u32::from(seed) + 1;
    while bytes.len() < length - 2 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

fn sha(bytes: &[u8]) -> Sha256 {
    Sha256::from_digest(sha2::Sha256::digest(bytes).into())
}

fn version(bytes: &[u8], width: u32, height: u32) -> PhotoRef {
    PhotoRef::new(
        sha(bytes),
        bytes.len() as u64,
        width,
        height,
        MediaType::Jpeg,
    )
    .unwrap()
}

/// A photo whose two versions are these bytes.
fn photo(subject: PhotoSubject, display: &[u8], thumbnail: &[u8]) -> Photo {
    Photo {
        id: PhotoId::new(),
        subject,
        display: version(display, 1600, 1200),
        thumbnail: version(thumbnail, 320, 240),
        location: None,
    }
}

fn added(photo: &Photo) -> Payload {
    Payload::PhotoAdded { photo: *photo }
}

/// `data` as a body of frames of `size` bytes (the last one shorter).
fn framed(data: &[u8], size: usize) -> Vec<u8> {
    data.chunks(size).flat_map(encode_frame).collect()
}

/// A seller with a device, a listing, and a photo of it the hub has
/// acknowledged; returns the photo's display bytes too.
struct Setup {
    hub: TestHub,
    device: Device,
    listing: Listing,
    display: Vec<u8>,
    thumbnail: Vec<u8>,
}

async fn listing_with_photo() -> Setup {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Drolma").await;
    let listing = new_listing("Yak butter", Unit::Kg, 9_000);
    let display = jpeg(100_000, 1);
    let thumbnail = jpeg(9_000, 2);
    let photo = photo(PhotoSubject::Listing(listing.id), &display, &thumbnail);
    let response = hub
        .sync(
            &device,
            vec![
                op(&device, NOW_MS, created(&listing)),
                op(&device, NOW_MS + 1, added(&photo)),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    Setup {
        hub,
        device,
        listing,
        display,
        thumbnail,
    }
}

fn upload_url(hub: &TestHub, name: Sha256) -> String {
    format!("{}/v1/photos/{name}/upload", hub.url)
}

/// `HEAD …/upload`: the status, `Upload-Offset` and `Upload-Length`.
async fn head(hub: &TestHub, device: &Device, name: Sha256) -> (StatusCode, u64, u64) {
    let response = hub
        .http
        .head(upload_url(hub, name))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    let header = |n: &str| {
        response
            .headers()
            .get(n)
            .map_or(0, |v| v.to_str().unwrap().parse().unwrap())
    };
    (
        response.status(),
        header("upload-offset"),
        header("upload-length"),
    )
}

async fn patch(
    hub: &TestHub,
    device: &Device,
    name: Sha256,
    offset: u64,
    body: Vec<u8>,
) -> reqwest::Response {
    hub.http
        .patch(upload_url(hub, name))
        .bearer_auth(&device.token)
        .header("content-type", FRAMES)
        .header("upload-offset", offset)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn offset_of(response: &reqwest::Response) -> u64 {
    response
        .headers()
        .get("upload-offset")
        .expect("an Upload-Offset header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// Sends a whole file in one request, which must be taken.
async fn upload_whole(hub: &TestHub, device: &Device, data: &[u8]) {
    let response = patch(hub, device, sha(data), 0, framed(data, 4096)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&response), data.len() as u64);
}

async fn get(hub: &TestHub, token: &str, name: Sha256) -> reqwest::Response {
    hub.get_as(token, &format!("/v1/photos/{name}")).await
}

#[tokio::test]
async fn a_photo_uploads_in_several_requests_and_downloads_byte_identical() {
    let Setup {
        hub,
        device,
        display,
        ..
    } = listing_with_photo().await;
    let name = sha(&display);
    assert_eq!(
        head(&hub, &device, name).await,
        (StatusCode::OK, 0, display.len() as u64)
    );
    // Three requests of uneven sizes, each starting where HEAD says.
    for end in [10_000, 64_000, display.len()] {
        let (_, offset, _) = head(&hub, &device, name).await;
        let part = &display[offset as usize..end];
        let response = patch(&hub, &device, name, offset, framed(part, 4096)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(offset_of(&response), end as u64);
    }
    assert_eq!(
        head(&hub, &device, name).await,
        (StatusCode::OK, display.len() as u64, display.len() as u64),
        "n == L: the file is whole and verified"
    );

    let response = get(&hub, &device.token, name).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["etag"], format!("\"{name}\"").as_str());
    assert_eq!(
        headers["cache-control"],
        "private, max-age=31536000, immutable"
    );
    assert_eq!(headers["accept-ranges"], "bytes");
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(response.bytes().await.unwrap(), display.as_slice());

    // A download resumed from byte 30,000, and one the cache already holds.
    let response = hub
        .http
        .get(format!("{}/v1/photos/{name}", hub.url))
        .bearer_auth(&device.token)
        .header("range", "bytes=30000-")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes 30000-{}/{}", display.len() - 1, display.len()).as_str()
    );
    assert_eq!(response.bytes().await.unwrap(), &display[30_000..]);
    let response = hub
        .http
        .get(format!("{}/v1/photos/{name}", hub.url))
        .bearer_auth(&device.token)
        .header("if-none-match", format!("\"{name}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert!(response.bytes().await.unwrap().is_empty());

    // The same seller's other device and the buyer's staff download it;
    // another seller's device does not learn it exists.
    let other_device = hub.second_device(&device).await;
    let response = get(&hub, &other_device.token, name).await;
    assert_eq!(response.bytes().await.unwrap(), display.as_slice());
    let staff = hub.add_staff("Pema");
    let response = get(&hub, &staff.token, name).await;
    assert_eq!(response.bytes().await.unwrap(), display.as_slice());
    let stranger = hub.seller_with_device("Tashi").await;
    expect_error(
        get(&hub, &stranger.token, name).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let response = hub
        .http
        .get(format!("{}/v1/photos/{name}", hub.url))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::UNAUTHORIZED, "unauthorized").await;

    // Sending it again is needless, and harmless.
    let response = patch(&hub, &device, name, display.len() as u64, vec![]).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_connection_cut_mid_frame_keeps_every_whole_frame_before_the_cut() {
    let Setup {
        hub,
        device,
        display,
        ..
    } = listing_with_photo().await;
    let name = sha(&display);
    let body = framed(&display, 4096);
    // Five whole frames, then half of the sixth; the client goes away
    // without waiting for an answer.
    let cut = 5 * (8 + 4096) + 2000;
    let address = hub.url.trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head_lines = format!(
        "PATCH /v1/photos/{name}/upload HTTP/1.1\r\nhost: {address}\r\n\
         authorization: Bearer {}\r\ncontent-type: {FRAMES}\r\nupload-offset: 0\r\n\
         content-length: {}\r\n\r\n",
        device.token,
        body.len()
    );
    socket.write_all(head_lines.as_bytes()).await.unwrap();
    socket.write_all(&body[..cut]).await.unwrap();
    socket.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(socket);

    // The frames are written a moment after they arrive.
    let kept = 5 * 4096;
    let mut offset = 0;
    for _ in 0..100 {
        offset = head(&hub, &device, name).await.1;
        if offset == kept {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        offset, kept,
        "the five whole frames were kept, not the half"
    );

    // The device resumes from there, and the file arrives whole.
    let response = patch(
        &hub,
        &device,
        name,
        kept,
        framed(&display[kept as usize..], 4096),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = get(&hub, &device.token, name).await;
    assert_eq!(response.bytes().await.unwrap(), display.as_slice());
}

#[tokio::test]
async fn a_corrupted_frame_is_refused_after_the_good_frames_before_it_are_kept() {
    let Setup {
        hub,
        device,
        display,
        ..
    } = listing_with_photo().await;
    let name = sha(&display);
    let mut body = framed(&display[..5 * 4096], 4096);
    // One bit of the fourth frame's data flips on the way.
    body[3 * (8 + 4096) + 100] ^= 0x10;
    let response = patch(&hub, &device, name, 0, body).await;
    assert_eq!(offset_of(&response), 3 * 4096);
    expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "chunk_corrupted",
    )
    .await;
    assert_eq!(head(&hub, &device, name).await.1, 3 * 4096);

    // An offset the hub does not hold is refused with the one it does.
    let response = patch(&hub, &device, name, 0, framed(&display[..4096], 4096)).await;
    assert_eq!(offset_of(&response), 3 * 4096);
    expect_error(response, StatusCode::CONFLICT, "offset_mismatch").await;
    let response = patch(
        &hub,
        &device,
        name,
        5 * 4096,
        framed(&display[..4096], 4096),
    )
    .await;
    expect_error(response, StatusCode::CONFLICT, "offset_mismatch").await;

    // A frame over 64 KiB, and frames past the file's end, are too large.
    let huge = encode_frame(&vec![0u8; 64 * 1024 + 1]);
    let response = patch(&hub, &device, name, 3 * 4096, huge).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
    let past_the_end = framed(&[&display[3 * 4096..], &[0u8; 10][..]].concat(), 4096);
    let response = patch(&hub, &device, name, 3 * 4096, past_the_end).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;

    // Another media type is refused before anything is read.
    let response = hub
        .http
        .patch(upload_url(&hub, name))
        .bearer_auth(&device.token)
        .header("content-type", "image/jpeg")
        .header("upload-offset", 3 * 4096)
        .body(display[3 * 4096..].to_vec())
        .send()
        .await
        .unwrap();
    expect_error(
        response,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn a_file_that_does_not_hash_to_its_name_is_dropped_and_never_served() {
    let Setup {
        hub,
        device,
        display,
        ..
    } = listing_with_photo().await;
    let name = sha(&display);
    // Every frame intact, but the bytes are not the photo's.
    let mut wrong = display.clone();
    wrong[50_000] ^= 0xFF;
    let response = patch(&hub, &device, name, 0, framed(&wrong, 4096)).await;
    assert_eq!(offset_of(&response), 0);
    expect_error(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "photo_corrupted",
    )
    .await;
    assert_eq!(
        head(&hub, &device, name).await,
        (StatusCode::OK, 0, display.len() as u64)
    );
    expect_error(
        get(&hub, &device.token, name).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(
        !hub.dir
            .path()
            .join("photos")
            .join(format!("{name}.jpg"))
            .exists(),
        "nothing was stored"
    );
    // The right bytes, sent again from nothing, are taken.
    upload_whole(&hub, &device, &display).await;
    assert!(
        hub.dir
            .path()
            .join("photos")
            .join(format!("{name}.jpg"))
            .exists()
    );
}

#[tokio::test]
async fn a_file_no_photo_of_the_seller_names_is_unknown() {
    let Setup {
        hub,
        device,
        display,
        ..
    } = listing_with_photo().await;
    let unnamed = sha(&jpeg(5_000, 9));
    let (status, _, _) = head(&hub, &device, unnamed).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = patch(&hub, &device, unnamed, 0, framed(&jpeg(5_000, 9), 4096)).await;
    expect_error(response, StatusCode::NOT_FOUND, "unknown_photo").await;
    // Another seller's photo is as unknown to this one.
    let stranger = hub.seller_with_device("Tashi").await;
    let response = patch(&hub, &stranger, sha(&display), 0, framed(&display, 4096)).await;
    expect_error(response, StatusCode::NOT_FOUND, "unknown_photo").await;
    // And a name that is no digest names nothing.
    let response = hub
        .http
        .head(format!("{}/v1/photos/not-a-digest/upload", hub.url))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_device_may_leave_at_most_eight_uploads_unfinished() {
    let Setup {
        hub,
        device,
        listing,
        ..
    } = listing_with_photo().await;
    let files: Vec<Vec<u8>> = (0..9u8).map(|i| jpeg(10_000, 100 + i)).collect();
    let photos: Vec<Photo> = files
        .iter()
        .map(|f| photo(PhotoSubject::Listing(listing.id), f, &f[..5_000]))
        .collect();
    let photo_ids: Vec<PhotoId> = photos.iter().map(|p| p.id).collect();
    let ops = photos
        .iter()
        .enumerate()
        .map(|(i, p)| op(&device, NOW_MS + 10 + i as u64, added(p)))
        .collect();
    let response = hub.sync(&device, ops, 0).await;
    assert!(response.acks.iter().all(applied));
    // Eight started, none finished.
    for file in &files[..8] {
        let response = patch(&hub, &device, sha(file), 0, framed(&file[..4096], 4096)).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    let ninth = &files[8];
    let response = patch(&hub, &device, sha(ninth), 0, framed(&ninth[..4096], 4096)).await;
    expect_error(response, StatusCode::TOO_MANY_REQUESTS, "too_many_uploads").await;
    // The eight may go on, and once one is done the ninth may start.
    let first = &files[0];
    let response = patch(
        &hub,
        &device,
        sha(first),
        4096,
        framed(&first[4096..], 4096),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = patch(&hub, &device, sha(ninth), 0, framed(&ninth[..4096], 4096)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Eight unfinished again (files 1 to 7, and the ninth). A removed
    // photo's unfinished upload frees its slot too, and is unknown from
    // then on.
    let tenth = jpeg(10_000, 120);
    let tenth_photo = photo(PhotoSubject::Listing(listing.id), &tenth, &tenth[..5_000]);
    hub.sync(
        &device,
        vec![op(&device, NOW_MS + 30, added(&tenth_photo))],
        0,
    )
    .await;
    let response = patch(&hub, &device, sha(&tenth), 0, framed(&tenth[..4096], 4096)).await;
    expect_error(response, StatusCode::TOO_MANY_REQUESTS, "too_many_uploads").await;
    let response = hub
        .sync(
            &device,
            vec![op(
                &device,
                NOW_MS + 31,
                Payload::PhotoRemoved {
                    photo_id: photo_ids[1],
                },
            )],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied));
    let (status, _, _) = head(&hub, &device, sha(&files[1])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = patch(&hub, &device, sha(&tenth), 0, framed(&tenth[..4096], 4096)).await;
    assert_eq!(
        response.status(),
        StatusCode::NO_CONTENT,
        "the slot was freed"
    );
}

#[tokio::test]
async fn only_photos_of_lots_are_public_and_only_until_removed() {
    let Setup {
        hub,
        device,
        display: listing_display,
        thumbnail: listing_thumbnail,
        ..
    } = listing_with_photo().await;
    let lot = village_lot("Yubeng", "2026-05-01");
    let lot_display = jpeg(40_000, 7);
    let lot_thumbnail = jpeg(6_000, 8);
    let lot_photo = photo(PhotoSubject::Lot(lot.id), &lot_display, &lot_thumbnail);
    let response = hub
        .sync(
            &device,
            vec![
                op(
                    &device,
                    NOW_MS + 5,
                    Payload::LotRecorded { lot: lot.clone() },
                ),
                op(&device, NOW_MS + 6, added(&lot_photo)),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied), "{:?}", response.acks);
    for file in [
        &lot_display,
        &lot_thumbnail,
        &listing_display,
        &listing_thumbnail,
    ] {
        upload_whole(&hub, &device, file).await;
    }

    let public = |name: Sha256| {
        let (http, url) = (hub.http.clone(), format!("{}/p/{name}.jpg", hub.url));
        async move { http.get(url).send().await.unwrap() }
    };
    let response = public(sha(&lot_thumbnail)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        response.headers()["etag"],
        format!("\"{}\"", sha(&lot_thumbnail)).as_str()
    );
    assert_eq!(response.bytes().await.unwrap(), lot_thumbnail.as_slice());
    assert_eq!(public(sha(&lot_display)).await.status(), StatusCode::OK);
    assert_eq!(
        public(sha(&listing_thumbnail)).await.status(),
        StatusCode::NOT_FOUND,
        "a listing's photos are for the buyer's staff"
    );

    // The trace page shows the thumbnail, lazily, with its size.
    let code = highland_domain::TraceCode::of_lot(lot.id);
    let page = hub
        .http
        .get(format!("{}/t/{}", hub.url, code.as_str()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let img = format!(
        "<img src=\"/p/{}.jpg\" loading=\"lazy\" width=\"320\" height=\"240\"",
        sha(&lot_thumbnail)
    );
    assert!(page.contains(&img), "{page}");

    // Removed, it is public no more.
    let response = hub
        .sync(
            &device,
            vec![op(
                &device,
                NOW_MS + 7,
                Payload::PhotoRemoved {
                    photo_id: lot_photo.id,
                },
            )],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied));
    assert_eq!(
        public(sha(&lot_thumbnail)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_console_shows_a_listings_thumbnails_to_signed_in_staff() {
    let Setup {
        hub,
        device,
        listing,
        thumbnail,
        ..
    } = listing_with_photo().await;
    let staff = hub.add_staff("Pema");
    let session = session_of(&hub.log_in(&staff.name, &staff.token).await);
    let path = format!("/console/listings/{}", listing.id);
    let page = hub
        .get_with_session(&session, &path)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("<img"),
        "no thumbnail before its file arrives"
    );
    upload_whole(&hub, &device, &thumbnail).await;
    let page = hub
        .get_with_session(&session, &path)
        .await
        .text()
        .await
        .unwrap();
    let src = format!("/console/photos/{}.jpg", sha(&thumbnail));
    assert!(page.contains(&format!("<img src=\"{src}\"")), "{page}");
    let response = hub.get_with_session(&session, &src).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), thumbnail.as_slice());
    // Without a session, the console sends the browser to log in.
    let response = hub
        .http
        .get(format!("{}{src}", hub.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.url().path(), "/console/login");
}

#[tokio::test]
async fn the_hub_refuses_photo_operations_a_device_may_not_make() {
    let hub = spawn_hub().await;
    let me = hub.seller_with_device("Drolma").await;
    let them = hub.seller_with_device("Tashi").await;
    let mine = new_listing("Yak butter", Unit::Kg, 9_000);
    let theirs = new_listing("Honey", Unit::Jar, 4_500);
    let their_lot: Lot = village_lot("Yubeng", "2026-05-01");
    let their_photo = photo(
        PhotoSubject::Listing(theirs.id),
        &jpeg(500, 1),
        &jpeg(300, 2),
    );
    let response = hub
        .sync(
            &them,
            vec![
                op(&them, NOW_MS, created(&theirs)),
                op(
                    &them,
                    NOW_MS + 1,
                    Payload::LotRecorded {
                        lot: their_lot.clone(),
                    },
                ),
                op(&them, NOW_MS + 2, added(&their_photo)),
            ],
            0,
        )
        .await;
    assert!(response.acks.iter().all(applied));
    hub.sync(&me, vec![op(&me, NOW_MS, created(&mine))], 0)
        .await;

    let small = |subject| photo(subject, &jpeg(500, 3), &jpeg(300, 4));
    let mut too_large = small(PhotoSubject::Listing(mine.id));
    too_large.display = PhotoRef::new(
        too_large.display.sha256(),
        8 * 1024 * 1024 + 1,
        4000,
        3000,
        MediaType::Jpeg,
    )
    .unwrap();
    let mut borrowed_id = small(PhotoSubject::Listing(mine.id));
    borrowed_id.id = their_photo.id;
    let cases = [
        (
            added(&small(PhotoSubject::Listing(
                highland_domain::ListingId::new(),
            ))),
            Some("unknown_listing"),
        ),
        (
            added(&small(PhotoSubject::Listing(theirs.id))),
            Some("not_your_listing"),
        ),
        (
            added(&small(PhotoSubject::Lot(highland_domain::LotId::new()))),
            Some("unknown_lot"),
        ),
        (
            added(&small(PhotoSubject::Lot(their_lot.id))),
            Some("not_your_lot"),
        ),
        (added(&borrowed_id), Some("not_your_photo")),
        (added(&too_large), Some("photo_too_large")),
        (
            Payload::PhotoRemoved {
                photo_id: PhotoId::new(),
            },
            Some("unknown_photo"),
        ),
        (
            Payload::PhotoRemoved {
                photo_id: their_photo.id,
            },
            Some("not_your_photo"),
        ),
        (added(&small(PhotoSubject::Listing(mine.id))), None),
    ];
    for (i, (payload, expected)) in cases.into_iter().enumerate() {
        let operation = op(&me, NOW_MS + 10 + i as u64, payload);
        let response = hub.sync(&me, vec![operation.clone()], 0).await;
        assert_eq!(
            refusal_code(&response.acks[0]),
            expected,
            "{:?}",
            operation.payload
        );
    }
    // Their photo is untouched: still theirs, still there.
    let response = hub.sync(&them, vec![], 0).await;
    assert!(response.operations.is_empty());
    let (status, _, _) = head(&hub, &them, their_photo.display.sha256()).await;
    assert_eq!(status, StatusCode::OK);
}

/// Two hub processes on one database (and one photo folder, as two hubs
/// behind a load balancer share a bucket): an upload started through one
/// is resumed and finished through the other, and served by both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_started_on_one_hub_finishes_on_another_on_the_same_database() {
    let first = spawn_hub().await;
    let photos = first.dir.path().join("photos");
    let second_store = first.database.open();
    let mut state = AppState::new(second_store.inner(), Arc::new(ManualClock::at(NOW_MS)));
    state.photos = PhotoStore::local(&photos).unwrap();
    let second = highland_hub::start("127.0.0.1:0".parse().unwrap(), state)
        .await
        .unwrap();
    let second_url = second.url();

    let device = first.seller_with_device("Drolma").await;
    let listing = new_listing("Yak butter", Unit::Kg, 9_000);
    let display = jpeg(50_000, 5);
    let photo = photo(PhotoSubject::Listing(listing.id), &display, &jpeg(4_000, 6));
    first
        .sync(
            &device,
            vec![
                op(&device, NOW_MS, created(&listing)),
                op(&device, NOW_MS + 1, added(&photo)),
            ],
            0,
        )
        .await;
    let name = sha(&display);
    let response = patch(&first, &device, name, 0, framed(&display[..20_000], 4096)).await;
    assert_eq!(offset_of(&response), 20_000);

    let on_second = |method: reqwest::Method| {
        first
            .http
            .request(method, format!("{second_url}/v1/photos/{name}/upload"))
            .bearer_auth(&device.token)
    };
    let response = on_second(reqwest::Method::HEAD).send().await.unwrap();
    assert_eq!(response.headers()["upload-offset"], "20000");
    let response = on_second(reqwest::Method::PATCH)
        .header("content-type", FRAMES)
        .header("upload-offset", 20_000)
        .body(framed(&display[20_000..], 4096))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(offset_of(&response), display.len() as u64);

    for url in [&first.url, &second_url] {
        let response = first
            .http
            .get(format!("{url}/v1/photos/{name}"))
            .bearer_auth(&device.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.bytes().await.unwrap(), display.as_slice(), "{url}");
    }
    second.stop().await.unwrap();
}

#[test]
fn serve_refuses_a_photo_store_that_is_not_an_s3_url() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::fresh(dir.path());
    database
        .hub_cli()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--photo-store", "ftp://photos.example.org/highland"])
        .timeout(Duration::from_secs(30))
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "--photo-store \"ftp://photos.example.org/highland\": write s3://bucket/prefix",
        ));
}

/// A request may carry more than the sync endpoint's 1 MiB: a whole photo
/// in one go, over a good link.
#[tokio::test]
async fn a_large_photo_uploads_in_one_request_past_the_sync_body_limit() {
    let hub = spawn_hub().await;
    let device = hub.seller_with_device("Drolma").await;
    let listing = new_listing("Yak butter", Unit::Kg, 9_000);
    let display = jpeg(3 * 1024 * 1024, 11);
    let photo = photo(
        PhotoSubject::Listing(listing.id),
        &display,
        &jpeg(9_000, 12),
    );
    hub.sync(
        &device,
        vec![
            op(&device, NOW_MS, created(&listing)),
            op(&device, NOW_MS + 1, added(&photo)),
        ],
        0,
    )
    .await;
    upload_whole(&hub, &device, &display).await;
    let response = get(&hub, &device.token, sha(&display)).await;
    assert_eq!(response.bytes().await.unwrap(), display.as_slice());
}

/// What happens when hyper drops a request's handler mid-body (the client
/// went away): the keeper's channel and handle are dropped unawaited, and
/// every frame already handed to it is still written.
#[tokio::test]
async fn frames_handed_to_the_keeper_are_written_after_the_request_is_dropped() {
    let Setup {
        hub,
        device,
        display,
        ..
    } = listing_with_photo().await;
    let name = sha(&display);
    let status = hub
        .db
        .upload_status(device.seller_id.parse().unwrap(), name)
        .unwrap()
        .unwrap();
    let enrolled = highland_hub::storage::EnrolledDevice {
        id: device.id,
        seller: device.seller_id.parse().unwrap(),
    };
    hub.db
        .start_upload(enrolled, name, status.length, NOW_MS)
        .unwrap();
    let keeper = highland_hub::photos::upload::keep(
        hub.db.inner(),
        PhotoStore::in_memory(),
        enrolled.seller,
        name,
        status,
        NOW_MS,
    );
    for frame in display[..3 * 4096].chunks(4096) {
        keeper.frames.send(frame.to_vec()).await.unwrap();
    }
    drop(keeper);
    let mut offset = 0;
    for _ in 0..100 {
        offset = head(&hub, &device, name).await.1;
        if offset == 3 * 4096 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(offset, 3 * 4096);
}
