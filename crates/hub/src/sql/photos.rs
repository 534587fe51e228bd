//! Photos: the projection of `photo_added`/`photo_removed`, the files the
//! photo store holds, and uploads under way (their parts in the database,
//! so that any hub process on it resumes any upload).

use highland_domain::{
    Location, MediaType, Operation, Photo, PhotoId, PhotoRef, PhotoSubject, Sha256,
};

use super::views::{for_update, ms, parse};
use super::{Record, Sql};
use crate::photos::{MAX_UNFINISHED_UPLOADS, PhotoReader, PhotoView, UploadError, UploadStatus};
use crate::storage::EnrolledDevice;
use crate::{Error, Result, SellerId};

pub(crate) fn photo_seller(tx: &mut dyn Sql, id: PhotoId) -> Result<Option<SellerId>> {
    let row = tx.query_opt(
        "SELECT seller_id FROM photos WHERE id = ?1",
        &[&id.to_string()],
    )?;
    row.map(|r| parse(r.get::<_, &str>(0))).transpose()
}

pub(crate) fn insert_photo(
    tx: &mut dyn Sql,
    seller: SellerId,
    photo: &Photo,
    op: &Operation,
) -> Result<()> {
    let (kind, subject) = match photo.subject {
        PhotoSubject::Listing(id) => ("listing", id.to_string()),
        PhotoSubject::Lot(id) => ("lot", id.to_string()),
    };
    let (d, t) = (photo.display, photo.thumbnail);
    tx.execute(
        "INSERT INTO photos
           (id, seller_id, subject_kind, subject_id,
            display_sha256, display_bytes, display_width, display_height,
            thumbnail_sha256, thumbnail_bytes, thumbnail_width, thumbnail_height,
            latitude_microdeg, longitude_microdeg, removed, created_hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 0, ?15)
         ON CONFLICT DO NOTHING",
        &[
            &photo.id.to_string(),
            &seller.to_string(),
            &kind,
            &subject,
            &d.sha256().to_hex(),
            &ms(d.bytes()),
            &i64::from(d.width()),
            &i64::from(d.height()),
            &t.sha256().to_hex(),
            &ms(t.bytes()),
            &i64::from(t.width()),
            &i64::from(t.height()),
            &photo.location.map(|l| i64::from(l.latitude_microdegrees())),
            &photo
                .location
                .map(|l| i64::from(l.longitude_microdegrees())),
            &op.hlc.as_i64(),
        ],
    )?;
    Ok(())
}

pub(crate) fn remove_photo(tx: &mut dyn Sql, id: PhotoId) -> Result<()> {
    let id = id.to_string();
    tx.execute("UPDATE photos SET removed = 1 WHERE id = ?1", &[&id])?;
    // Its unfinished uploads will never be finished (the device is told
    // `unknown_photo`), so they stop holding the device's slots and parts,
    // unless a photo still shown names the same file.
    let orphaned = "SELECT named.sha256 FROM (
           SELECT display_sha256 AS sha256 FROM photos WHERE id = ?1
           UNION SELECT thumbnail_sha256 FROM photos WHERE id = ?1) named
         WHERE NOT EXISTS (
           SELECT 1 FROM photos p WHERE p.removed = 0
             AND (p.display_sha256 = named.sha256 OR p.thumbnail_sha256 = named.sha256))";
    tx.execute(
        &format!("DELETE FROM photo_upload_parts WHERE sha256 IN ({orphaned})"),
        &[&id],
    )?;
    tx.execute(
        &format!("DELETE FROM photo_uploads WHERE sha256 IN ({orphaned})"),
        &[&id],
    )?;
    Ok(())
}

/// Where the upload of `name` stands for a device of `seller`; `None` when
/// no photo of theirs (not removed) names the file.
pub(crate) fn upload_status(
    db: &mut dyn Sql,
    seller: SellerId,
    name: Sha256,
) -> Result<Option<UploadStatus>> {
    let hex = name.to_hex();
    let Some(length) = db.query_opt(
        "SELECT display_bytes FROM photos
         WHERE seller_id = ?1 AND removed = 0 AND display_sha256 = ?2
         UNION ALL
         SELECT thumbnail_bytes FROM photos
         WHERE seller_id = ?1 AND removed = 0 AND thumbnail_sha256 = ?2",
        &[&seller.to_string(), &hex],
    )?
    else {
        return Ok(None);
    };
    let length = length.get::<_, i64>(0) as u64;
    let stored = db
        .query_opt("SELECT bytes FROM photo_files WHERE sha256 = ?1", &[&hex])?
        .is_some();
    // Only this seller's own upload: another's progress is not theirs to see.
    let received = db
        .query_opt(
            "SELECT u.received FROM photo_uploads u JOIN devices d ON d.id = u.device_id
             WHERE u.sha256 = ?1 AND d.seller_id = ?2",
            &[&hex, &seller.to_string()],
        )?
        .map_or(0, |r| r.get::<_, i64>(0) as u64);
    Ok(Some(UploadStatus {
        length,
        offset: if stored { length } else { received },
        stored,
    }))
}

/// Makes sure an upload row exists for `name`, counting it against the
/// device that starts it. An upload in progress belongs to the seller
/// whose device started it: another seller's device may not add to it
/// (its frames would spoil the file) until it is done and the file is
/// the hub's.
pub(crate) fn start_upload(
    tx: &mut dyn Sql,
    device: EnrolledDevice,
    name: Sha256,
    length: u64,
    now_ms: u64,
) -> Result<(), UploadError> {
    let hex = name.to_hex();
    let (seller, device) = (device.seller, device.id);
    // Locks the device's row: two requests of one device take turns
    // counting its uploads, on any hub.
    tx.query_opt(
        &format!(
            "SELECT id FROM devices WHERE id = ?1{}",
            for_update(tx.dialect())
        ),
        &[&device.to_string()],
    )?;
    if let Some(row) = tx.query_opt(
        "SELECT device_id FROM photo_uploads WHERE sha256 = ?1",
        &[&hex],
    )? {
        let owner = seller_of_device(tx, row.get::<_, &str>(0))?;
        return if owner == seller {
            Ok(())
        } else {
            Err(UploadError::UploadElsewhere)
        };
    }
    let unfinished: i64 = tx
        .query_one(
            "SELECT CAST(count(*) AS BIGINT) FROM photo_uploads WHERE device_id = ?1",
            &[&device.to_string()],
        )?
        .get(0);
    if unfinished >= i64::from(MAX_UNFINISHED_UPLOADS) {
        return Err(UploadError::TooManyUploads {
            max: MAX_UNFINISHED_UPLOADS,
        });
    }
    tx.execute(
        "INSERT INTO photo_uploads (sha256, device_id, length, received, created_at_ms)
         VALUES (?1, ?2, ?3, 0, ?4)
         ON CONFLICT DO NOTHING",
        &[&hex, &device.to_string(), &ms(length), &ms(now_ms)],
    )?;
    Ok(())
}

/// Keeps `bytes` at `offset` of `seller`'s upload of `name`; the offset
/// must be what the hub holds. Returns the new offset.
pub(crate) fn append_upload(
    tx: &mut dyn Sql,
    seller: SellerId,
    name: Sha256,
    offset: u64,
    bytes: &[u8],
) -> Result<u64, UploadError> {
    let hex = name.to_hex();
    // Locked: two requests for one file (a retry while the first is still
    // being read, on this hub or another) take turns, and the second sees
    // the first's parts.
    let row = tx.query_opt(
        &format!(
            "SELECT length, received, device_id FROM photo_uploads WHERE sha256 = ?1{}",
            for_update(tx.dialect())
        ),
        &[&hex],
    )?;
    let Some(row) = row else {
        // Finished (or dropped) by another request meanwhile.
        let stored = tx.query_opt("SELECT bytes FROM photo_files WHERE sha256 = ?1", &[&hex])?;
        return Err(UploadError::OffsetMismatch {
            held: stored.map_or(0, |r| r.get::<_, i64>(0) as u64),
        });
    };
    let (length, received) = (row.get::<_, i64>(0) as u64, row.get::<_, i64>(1) as u64);
    if seller_of_device(tx, row.get::<_, &str>(2))? != seller {
        return Err(UploadError::UploadElsewhere);
    }
    if received != offset {
        return Err(UploadError::OffsetMismatch { held: received });
    }
    let end = offset + bytes.len() as u64;
    if end > length {
        return Err(UploadError::TooLarge { held: received });
    }
    tx.execute(
        "INSERT INTO photo_upload_parts (sha256, \"offset\", bytes) VALUES (?1, ?2, ?3)",
        &[&hex, &ms(offset), &bytes],
    )?;
    tx.execute(
        "UPDATE photo_uploads SET received = ?2 WHERE sha256 = ?1",
        &[&hex, &ms(end)],
    )?;
    Ok(end)
}

fn seller_of_device(db: &mut dyn Sql, device: &str) -> Result<SellerId> {
    let row = db.query_one("SELECT seller_id FROM devices WHERE id = ?1", &[&device])?;
    parse(row.get::<_, &str>(0))
}

/// Every part of an upload, in order, as one file.
pub(crate) fn upload_bytes(db: &mut dyn Sql, name: Sha256) -> Result<Vec<u8>> {
    let mut file = Vec::new();
    for row in db.query(
        "SELECT \"offset\", bytes FROM photo_upload_parts WHERE sha256 = ?1 ORDER BY \"offset\"",
        &[&name.to_hex()],
    )? {
        if row.get::<_, i64>(0) as u64 != file.len() as u64 {
            return Err(Error::BadRecord(format!(
                "the parts of upload {name} do not follow each other"
            )));
        }
        file.extend_from_slice(row.get::<_, &[u8]>(1));
    }
    Ok(file)
}

/// Records a file as stored and forgets its upload.
pub(crate) fn finish_upload(tx: &mut dyn Sql, name: Sha256, bytes: u64, now_ms: u64) -> Result<()> {
    let hex = name.to_hex();
    tx.execute(
        "INSERT INTO photo_files (sha256, bytes, stored_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        &[&hex, &ms(bytes), &ms(now_ms)],
    )?;
    drop_upload(tx, name)
}

pub(crate) fn drop_upload(tx: &mut dyn Sql, name: Sha256) -> Result<()> {
    let hex = name.to_hex();
    tx.execute("DELETE FROM photo_upload_parts WHERE sha256 = ?1", &[&hex])?;
    tx.execute("DELETE FROM photo_uploads WHERE sha256 = ?1", &[&hex])?;
    Ok(())
}

/// The length of a stored file that `reader` may see.
pub(crate) fn photo_file(
    db: &mut dyn Sql,
    name: Sha256,
    reader: PhotoReader,
) -> Result<Option<u64>> {
    let hex = name.to_hex();
    let named_by = "(p.display_sha256 = ?1 OR p.thumbnail_sha256 = ?1)";
    let row = match reader {
        PhotoReader::Staff => {
            db.query_opt("SELECT bytes FROM photo_files WHERE sha256 = ?1", &[&hex])?
        }
        PhotoReader::Seller(seller) => db.query_opt(
            &format!(
                "SELECT f.bytes FROM photo_files f WHERE f.sha256 = ?1 AND EXISTS (
                   SELECT 1 FROM photos p
                   WHERE p.seller_id = ?2 AND p.removed = 0 AND {named_by})"
            ),
            &[&hex, &seller.to_string()],
        )?,
        PhotoReader::Public => db.query_opt(
            &format!(
                "SELECT f.bytes FROM photo_files f WHERE f.sha256 = ?1 AND EXISTS (
                   SELECT 1 FROM photos p
                   WHERE p.subject_kind = 'lot' AND p.removed = 0 AND {named_by})"
            ),
            &[&hex],
        )?,
    };
    Ok(row.map(|r| r.get::<_, i64>(0) as u64))
}

/// The photos of a listing or a lot, not removed, oldest first.
pub(crate) fn photos_of(db: &mut dyn Sql, subject: PhotoSubject) -> Result<Vec<PhotoView>> {
    let (kind, id) = match subject {
        PhotoSubject::Listing(id) => ("listing", id.to_string()),
        PhotoSubject::Lot(id) => ("lot", id.to_string()),
    };
    db.query(
        "SELECT p.*, CASE WHEN EXISTS (
                   SELECT 1 FROM photo_files f WHERE f.sha256 = p.thumbnail_sha256)
                 THEN 1 ELSE 0 END AS thumbnail_stored
         FROM photos p
         WHERE p.subject_kind = ?1 AND p.subject_id = ?2 AND p.removed = 0
         ORDER BY p.created_hlc, p.id",
        &[&kind, &id],
    )?
    .iter()
    .map(photo_view)
    .collect()
}

fn photo_view(r: &Record) -> Result<PhotoView> {
    let version = |prefix: &str| -> Result<PhotoRef> {
        let int = |column: &str| r.get::<_, i64>(format!("{prefix}_{column}").as_str());
        let dimension = |column: &str| {
            u32::try_from(int(column))
                .map_err(|_| Error::BadRecord(format!("photo {prefix} {column} out of range")))
        };
        Ok(PhotoRef::new(
            parse(r.get::<_, &str>(format!("{prefix}_sha256").as_str()))?,
            int("bytes") as u64,
            dimension("width")?,
            dimension("height")?,
            MediaType::Jpeg,
        )?)
    };
    let location = match (
        r.get::<_, Option<i64>>("latitude_microdeg"),
        r.get::<_, Option<i64>>("longitude_microdeg"),
    ) {
        (Some(lat), Some(lon)) => Some(Location::from_microdegrees(lat as i32, lon as i32)?),
        _ => None,
    };
    Ok(PhotoView {
        id: parse(r.get::<_, &str>("id"))?,
        thumbnail: version("thumbnail")?,
        display: version("display")?,
        thumbnail_stored: r.get::<_, i64>("thumbnail_stored") == 1,
        location,
    })
}
