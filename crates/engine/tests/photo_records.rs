//! Photos of listings and lots as records, specified on a real SQLite file
//! and a real photo folder: added offline as operations, removed by a
//! removal that wins, refused without a trace, and queued for upload only
//! once the hub has their record.

mod common;

use std::path::Path;

use common::{device, lot, yak_meat};
use highland_domain::wire::{Ack, AckOutcome, LoggedOperation, SyncResponse};
use highland_domain::{
    DeviceId, Hlc, ListingId, LotId, MediaType, Operation, OperationId, Payload, Photo, PhotoId,
    PhotoRef, PhotoSubject, Sha256,
};
use highland_engine::photos::sample::{self, ExifFields, Gps};
use highland_engine::{PhotoError, StoreError};

fn picture(seed: u64) -> Vec<u8> {
    sample::jpeg(&sample::synthetic_photo(1200, 900, seed), 90)
}

fn photo_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("photos"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn added_photos(ops: &[Operation]) -> Vec<Photo> {
    ops.iter()
        .filter_map(|op| match &op.payload {
            Payload::PhotoAdded { photo } => Some(*photo),
            _ => None,
        })
        .collect()
}

/// The hub's answer acknowledging `ops`.
fn acked(ops: &[Operation]) -> SyncResponse {
    SyncResponse {
        protocol: 1,
        acks: ops
            .iter()
            .map(|op| Ack {
                op_id: op.id,
                outcome: AckOutcome::Applied { hlc: None },
            })
            .collect(),
        operations: vec![],
        cursor: 1,
        more: false,
        hub_time_ms: 1_764_316_800_000,
        newest_release: None,
        hub_version: None,
        history: None,
    }
}

#[test]
fn a_photo_of_a_listing_is_an_operation_naming_its_two_files() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    let shown = d
        .store
        .add_photo(PhotoSubject::Listing(listing), &picture(1), false)
        .unwrap();

    let photos = added_photos(&d.store.pending_operations(100).unwrap());
    assert_eq!(photos.len(), 1);
    let photo = photos[0];
    assert_eq!(photo.subject, PhotoSubject::Listing(listing));
    assert_eq!(photo.location, None);
    assert_eq!(shown.id, photo.id.to_string());
    assert_eq!(shown.display.sha256, photo.display.sha256().to_hex());
    assert_eq!(shown.thumbnail.bytes as u64, photo.thumbnail.bytes());
    assert!(shown.thumbnail.bytes < shown.display.bytes);
    assert!(shown.display.here && !shown.display.on_hub);
    assert!(shown.waiting_to_upload);
    // Both files are in photos/, named by their digest.
    assert_eq!(photo_files(d.dir.path()), {
        let mut names = vec![
            format!("{}.jpg", photo.display.sha256()),
            format!("{}.jpg", photo.thumbnail.sha256()),
        ];
        names.sort();
        names
    });
    let path = shown.display.path.as_deref().unwrap();
    assert_eq!(
        std::fs::metadata(path).unwrap().len(),
        photo.display.bytes()
    );
    assert_eq!(
        d.store.photos_of(PhotoSubject::Listing(listing)).unwrap(),
        [shown]
    );
    assert!(
        d.store
            .photos_of(PhotoSubject::Listing(ListingId::new()))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn files_wait_to_upload_once_the_hub_has_the_record_thumbnails_first() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    d.store
        .add_photo(PhotoSubject::Listing(listing), &picture(1), false)
        .unwrap();
    d.store
        .add_photo(PhotoSubject::Listing(listing), &picture(2), false)
        .unwrap();
    let ops = d.store.pending_operations(100).unwrap();
    let photos = added_photos(&ops);
    let total: u64 = photos
        .iter()
        .flat_map(|p| p.versions())
        .map(|v| v.bytes())
        .sum();

    // Before the hub has the records, nothing can upload, but the bytes
    // are counted as left to send.
    assert!(d.store.uploads_waiting().unwrap().is_empty());
    let left = d.store.photo_transfers().unwrap();
    assert_eq!((left.uploads_waiting, left.upload_bytes_left), (4, total));

    let sent: Vec<OperationId> = ops.iter().map(|op| op.id).collect();
    d.store.commit_sync(&sent, &acked(&ops), 0).unwrap();
    let waiting = d.store.uploads_waiting().unwrap();
    assert_eq!(waiting.len(), 4);
    let thumbnails: Vec<_> = photos.iter().map(|p| p.thumbnail.sha256()).collect();
    assert!(thumbnails.contains(&waiting[0].sha256()));
    assert!(thumbnails.contains(&waiting[1].sha256()));
    assert!(waiting[0].bytes() <= waiting[1].bytes());
    assert!(waiting[2].bytes() <= waiting[3].bytes());

    // What the hub holds leaves the queue.
    for file in &waiting[..3] {
        d.store.mark_on_hub(file.sha256()).unwrap();
    }
    assert_eq!(d.store.uploads_waiting().unwrap(), [waiting[3]]);
    let left = d.store.photo_transfers().unwrap();
    assert_eq!(
        (left.uploads_waiting, left.upload_bytes_left),
        (1, waiting[3].bytes())
    );
    d.store.mark_on_hub(waiting[3].sha256()).unwrap();
    assert!(
        d.store
            .photos()
            .unwrap()
            .iter()
            .all(|p| !p.waiting_to_upload)
    );
}

#[test]
fn a_lot_photo_keeps_its_location_only_when_asked() {
    let mut d = device();
    let lot = lot(&mut d);
    let gps = Gps {
        latitude: 28.410_123,
        longitude: 98.683_456,
    };
    let tagged = sample::with_exif(
        &picture(3),
        &ExifFields {
            orientation: None,
            gps: Some(gps),
        },
    );
    let kept = d
        .store
        .add_photo(PhotoSubject::Lot(lot), &tagged, true)
        .unwrap();
    assert!((kept.latitude.unwrap() - gps.latitude).abs() < 1e-5);
    assert!((kept.longitude.unwrap() - gps.longitude).abs() < 1e-5);
    let dropped = d
        .store
        .add_photo(PhotoSubject::Lot(lot), &tagged, false)
        .unwrap();
    assert_eq!((dropped.latitude, dropped.longitude), (None, None));

    // A listing's photo never keeps a location.
    let listing = yak_meat(&mut d.store, "1");
    let before = d.store.pending_count().unwrap();
    let err = d
        .store
        .add_photo(PhotoSubject::Listing(listing), &tagged, true)
        .unwrap_err();
    assert!(matches!(err, StoreError::Unsupported(_)), "{err}");
    assert_eq!(d.store.pending_count().unwrap(), before);
}

#[test]
fn a_refused_photo_records_nothing_and_stores_nothing() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    let before = d.store.pending_count().unwrap();

    let err = d
        .store
        .add_photo(
            PhotoSubject::Listing(listing),
            b"not a picture at all",
            false,
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Photo(PhotoError::NotAnImage)),
        "{err}"
    );
    assert_eq!(err.code(), "not_an_image");

    let unknown = ListingId::new();
    let err = d
        .store
        .add_photo(PhotoSubject::Listing(unknown), &picture(1), false)
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownListing(id) if id == unknown),
        "{err}"
    );
    let err = d
        .store
        .add_photo(PhotoSubject::Lot(LotId::new()), &picture(1), false)
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownLot(_)), "{err}");

    assert_eq!(d.store.pending_count().unwrap(), before);
    assert!(d.store.photos().unwrap().is_empty());
    assert!(photo_files(d.dir.path()).is_empty());
}

#[test]
fn a_removed_photo_is_gone_and_its_files_do_not_upload() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    let photo = d
        .store
        .add_photo(PhotoSubject::Listing(listing), &picture(1), false)
        .unwrap();
    let id: PhotoId = photo.id.parse().unwrap();
    d.store.remove_photo(id).unwrap();
    assert!(d.store.photos().unwrap().is_empty());
    assert!(d.store.photo(id).unwrap().is_none());

    let ops = d.store.pending_operations(100).unwrap();
    assert!(matches!(
        ops.last().unwrap().payload,
        Payload::PhotoRemoved { photo_id } if photo_id == id
    ));
    let sent: Vec<OperationId> = ops.iter().map(|op| op.id).collect();
    d.store.commit_sync(&sent, &acked(&ops), 0).unwrap();
    assert!(d.store.uploads_waiting().unwrap().is_empty());

    // Removing it again, or a photo that never was, is refused.
    let err = d.store.remove_photo(id).unwrap_err();
    assert!(matches!(err, StoreError::UnknownPhoto(_)), "{err}");
    assert_eq!(err.code(), "unknown_photo");
    assert!(d.store.remove_photo(PhotoId::new()).is_err());
}

/// A photo as the seller's other device recorded it, with files that are
/// not on this one.
fn pulled_photo(listing: ListingId) -> Photo {
    let version = |seed: u8, bytes: u64, side: u32| {
        PhotoRef::new(
            Sha256::from_digest([seed; 32]),
            bytes,
            side,
            side,
            MediaType::Jpeg,
        )
        .unwrap()
    };
    Photo {
        id: PhotoId::new(),
        subject: PhotoSubject::Listing(listing),
        display: version(1, 150_000, 1600),
        thumbnail: version(2, 12_000, 320),
        location: None,
    }
}

fn from_other_device(device: DeviceId, wall_ms: u64, payload: Payload) -> Operation {
    Operation {
        id: OperationId::new(),
        device_id: device,
        hlc: Hlc::from_wall_ms(wall_ms),
        payload,
    }
}

fn pulled(ops: Vec<Operation>) -> SyncResponse {
    SyncResponse {
        operations: LoggedOperation::all(&ops).unwrap(),
        ..acked(&[])
    }
}

#[test]
fn another_devices_photo_waits_to_download_thumbnail_first() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    let photo = pulled_photo(listing);
    let op = from_other_device(
        DeviceId::new(),
        1_764_316_800_000,
        Payload::PhotoAdded { photo },
    );
    d.store.commit_sync(&[], &pulled(vec![op]), 0).unwrap();

    let shown = d.store.photos_of(PhotoSubject::Listing(listing)).unwrap();
    assert_eq!(shown.len(), 1);
    assert!(!shown[0].display.here && shown[0].display.path.is_none());
    assert!(!shown[0].waiting_to_upload, "not this device's to upload");
    assert!(d.store.uploads_waiting().unwrap().is_empty());
    assert_eq!(
        d.store.downloads_waiting(false).unwrap(),
        [photo.thumbnail, photo.display]
    );
    assert_eq!(d.store.downloads_waiting(true).unwrap(), [photo.thumbnail]);
    let left = d.store.photo_transfers().unwrap();
    assert_eq!(
        (left.downloads_waiting, left.download_bytes_left),
        (2, 162_000)
    );

    d.store.mark_here(photo.thumbnail.sha256()).unwrap();
    assert_eq!(d.store.downloads_waiting(false).unwrap(), [photo.display]);
}

#[test]
fn a_removal_wins_over_its_photo_in_either_order() {
    let mut d = device();
    let listing = yak_meat(&mut d.store, "10");
    let other = DeviceId::new();
    let photo = pulled_photo(listing);
    let added = from_other_device(other, 1_764_316_800_000, Payload::PhotoAdded { photo });
    let removed = from_other_device(
        other,
        1_764_316_900_000,
        Payload::PhotoRemoved { photo_id: photo.id },
    );
    // The removal arrives first (another device relayed it sooner).
    d.store
        .commit_sync(&[], &pulled(vec![removed.clone()]), 0)
        .unwrap();
    d.store.commit_sync(&[], &pulled(vec![added]), 0).unwrap();
    assert!(d.store.photos().unwrap().is_empty());
    assert!(d.store.downloads_waiting(false).unwrap().is_empty());
    // Applied once: pulling the removal again changes nothing.
    d.store.commit_sync(&[], &pulled(vec![removed]), 0).unwrap();
    assert!(d.store.photos().unwrap().is_empty());
}
