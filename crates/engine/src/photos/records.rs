//! Photos as records: which listing or lot a photo shows, which files it
//! names, and where those files are (here, on the hub, both). Adding and
//! removing are operations like any other write; the files' upload state is
//! local bookkeeping that never syncs.

use highland_domain::{
    Location, Operation, Payload, Photo, PhotoId, PhotoRef, PhotoSubject, Sha256,
};
use rusqlite::{Connection, OptionalExtension, params};

use super::{IngestOptions, PhotoStore};
use crate::views::{PhotoFileView, PhotoTransfers, PhotoView};
use crate::{Result, Store, StoreError, listings, lots};

/// The two stored versions of a photo, as `photo_files.role` names them.
const THUMBNAIL: &str = "thumbnail";
const DISPLAY: &str = "display";

impl Store {
    /// The folder this store keeps its photo files in (`photos/` beside the
    /// database).
    pub fn photo_store(&self) -> Result<PhotoStore> {
        Ok(PhotoStore::beside(self.path())?)
    }

    /// Adds a photo to a listing or a lot: takes the picture in (see
    /// [`super::ingest`]), stores its two versions and records the
    /// operation. `keep_location` keeps where a lot's photo was taken (its
    /// origin); a listing's photo never keeps it. A refused photo records
    /// nothing.
    pub fn add_photo(
        &mut self,
        subject: PhotoSubject,
        picture: &[u8],
        keep_location: bool,
    ) -> Result<PhotoView> {
        match subject {
            PhotoSubject::Listing(id) => listings::require(&self.conn, id)?,
            PhotoSubject::Lot(id) => lots::require(&self.conn, id)?,
        }
        if keep_location && matches!(subject, PhotoSubject::Listing(_)) {
            return Err(StoreError::Unsupported(
                "only a lot's photo keeps where it was taken (its origin); \
                 add the photo without keeping the location"
                    .into(),
            ));
        }
        let stored = self
            .photo_store()?
            .add(picture, IngestOptions { keep_location })?;
        let photo = Photo {
            id: PhotoId::new(),
            subject,
            display: stored.refs.display,
            thumbnail: stored.refs.thumbnail,
            location: stored.location,
        };
        self.record(|_| Ok(vec![Payload::PhotoAdded { photo }]))?;
        self.photo(photo.id)?
            .ok_or(StoreError::UnknownPhoto(photo.id))
    }

    /// Takes a photo off its listing or lot. Its files stay until nothing
    /// names them; the hub and the seller's other devices stop showing it.
    pub fn remove_photo(&mut self, id: PhotoId) -> Result<()> {
        self.record(|tx| {
            if !shown(tx, id)? {
                return Err(StoreError::UnknownPhoto(id));
            }
            Ok(vec![Payload::PhotoRemoved { photo_id: id }])
        })?;
        Ok(())
    }

    /// One photo, unless it was removed.
    pub fn photo(&self, id: PhotoId) -> Result<Option<PhotoView>> {
        let photos = self.query_photos("p.id = ?1", [id.to_string()])?;
        Ok(photos.into_iter().next())
    }

    /// The photos of one listing or lot, oldest first, removed ones left out.
    pub fn photos_of(&self, subject: PhotoSubject) -> Result<Vec<PhotoView>> {
        let (kind, id) = subject_columns(subject);
        self.query_photos(
            "p.subject_kind = ?1 AND p.subject_id = ?2",
            [kind.to_owned(), id],
        )
    }

    /// Every photo shown, oldest first.
    pub fn photos(&self) -> Result<Vec<PhotoView>> {
        self.query_photos("1 = 1", [])
    }

    /// What is left to move: files waiting to upload and to download.
    pub fn photo_transfers(&self) -> Result<PhotoTransfers> {
        let (uploads, upload_bytes) = self.conn.query_row(
            &format!("SELECT count(*), coalesce(sum(bytes), 0) FROM ({UPLOADS_LEFT})"),
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )?;
        let (downloads, download_bytes) = self.conn.query_row(
            &format!("SELECT count(*), coalesce(sum(bytes), 0) FROM ({DOWNLOADS_WAITING})"),
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )?;
        Ok(PhotoTransfers {
            uploads_waiting: uploads as u64,
            upload_bytes_left: upload_bytes as u64,
            downloads_waiting: downloads as u64,
            download_bytes_left: download_bytes as u64,
        })
    }

    /// The files to upload now, in the order they go: thumbnails before
    /// display versions, smaller before larger. Only files of photos the hub
    /// has acknowledged (so it knows what to expect) and not removed.
    pub fn uploads_waiting(&self) -> Result<Vec<PhotoRef>> {
        self.file_refs(UPLOADS_WAITING, "1 = 1")
    }

    /// The files of other devices' photos not here yet, thumbnails first.
    /// `thumbnails_only` leaves the display versions for when they are asked
    /// for.
    pub fn downloads_waiting(&self, thumbnails_only: bool) -> Result<Vec<PhotoRef>> {
        let only = if thumbnails_only {
            "role = 'thumbnail'"
        } else {
            "1 = 1"
        };
        self.file_refs(DOWNLOADS_WAITING, only)
    }

    /// Records that the hub holds the whole file, verified.
    pub fn mark_on_hub(&mut self, sha256: Sha256) -> Result<()> {
        self.conn.execute(
            "UPDATE photo_files SET on_hub = 1 WHERE sha256 = ?1",
            [sha256.to_hex()],
        )?;
        Ok(())
    }

    /// Records that a downloaded file is in the photo store, whole and
    /// checked against its name (which also means the hub has it).
    pub fn mark_here(&mut self, sha256: Sha256) -> Result<()> {
        self.conn.execute(
            "UPDATE photo_files SET here = 1, on_hub = 1 WHERE sha256 = ?1",
            [sha256.to_hex()],
        )?;
        Ok(())
    }

    /// The files `files` selects that match `filter`, in transfer order:
    /// thumbnails first, then smallest first. The order is the outer
    /// query's: SQLite keeps no order from a subquery.
    fn file_refs(&self, files: &str, filter: &str) -> Result<Vec<PhotoRef>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT sha256, bytes, width, height FROM ({files}) WHERE {filter}
             ORDER BY role = 'display', bytes, sha256"
        ))?;
        let rows = stmt.query_and_then([], |r| {
            let sha: String = r.get(0)?;
            let photo = PhotoRef::new(
                Sha256::parse(&sha)?,
                r.get::<_, i64>(1)? as u64,
                r.get(2)?,
                r.get(3)?,
                highland_domain::MediaType::Jpeg,
            )?;
            Ok::<_, StoreError>(photo)
        })?;
        rows.collect()
    }

    fn query_photos<P: rusqlite::Params>(&self, filter: &str, params: P) -> Result<Vec<PhotoView>> {
        let store = self.photo_store()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT p.id, p.subject_kind, p.subject_id,
                    p.latitude_microdegrees, p.longitude_microdegrees,
                    d.sha256, d.bytes, d.width, d.height, d.here, d.on_hub,
                    t.sha256, t.bytes, t.width, t.height, t.here, t.on_hub,
                    o.state
             FROM photos p
             JOIN photo_files d ON d.sha256 = p.display_sha256
             JOIN photo_files t ON t.sha256 = p.thumbnail_sha256
             LEFT JOIN outbox o ON o.op_id = p.op_id
             WHERE {filter}
               AND p.id NOT IN (SELECT photo_id FROM photo_removals)
             ORDER BY p.hlc, p.id"
        ))?;
        let rows = stmt.query_and_then(params, |r| {
            let file = |at: usize| -> Result<PhotoFileView> {
                let sha256: String = r.get(at)?;
                let here = r.get::<_, i64>(at + 4)? == 1;
                let path = here.then(|| Sha256::parse(&sha256).map(|s| store.path_of_file(s)));
                Ok(PhotoFileView {
                    path: path.transpose()?.map(|p| p.display().to_string()),
                    sha256,
                    bytes: r.get(at + 1)?,
                    width: r.get(at + 2)?,
                    height: r.get(at + 3)?,
                    here,
                    on_hub: r.get::<_, i64>(at + 5)? == 1,
                })
            };
            let location = match (r.get::<_, Option<i32>>(3)?, r.get::<_, Option<i32>>(4)?) {
                (Some(lat), Some(lon)) => Some(Location::from_microdegrees(lat, lon)?),
                _ => None,
            };
            let display = file(5)?;
            let thumbnail = file(11)?;
            let op_state: Option<String> = r.get(17)?;
            Ok::<_, StoreError>(PhotoView {
                id: r.get(0)?,
                subject_kind: r.get(1)?,
                subject_id: r.get(2)?,
                // Only this device's own photos (those in its outbox) upload.
                waiting_to_upload: matches!(op_state.as_deref(), Some("pending" | "acked"))
                    && (!display.on_hub || !thumbnail.on_hub),
                refused: op_state.as_deref() == Some("refused"),
                latitude: location.map(|l| l.latitude()),
                longitude: location.map(|l| l.longitude()),
                display,
                thumbnail,
            })
        })?;
        rows.collect()
    }
}

/// Files taken here, not yet on the hub, whose photo the hub acknowledged
/// and nobody removed.
const UPLOADS_WAITING: &str = "
    SELECT f.* FROM photo_files f
    WHERE f.here = 1 AND f.on_hub = 0
      AND EXISTS (
        SELECT 1 FROM photos p JOIN outbox o ON o.op_id = p.op_id AND o.state = 'acked'
        WHERE (p.display_sha256 = f.sha256 OR p.thumbnail_sha256 = f.sha256)
          AND p.id NOT IN (SELECT photo_id FROM photo_removals))";

/// Files taken here, not yet on the hub, of photos the hub has not refused:
/// what is left to upload, whether or not their record has gone yet.
const UPLOADS_LEFT: &str = "
    SELECT f.* FROM photo_files f
    WHERE f.here = 1 AND f.on_hub = 0
      AND EXISTS (
        SELECT 1 FROM photos p JOIN outbox o ON o.op_id = p.op_id AND o.state <> 'refused'
        WHERE (p.display_sha256 = f.sha256 OR p.thumbnail_sha256 = f.sha256)
          AND p.id NOT IN (SELECT photo_id FROM photo_removals))";

/// Files of photos shown here that are not here.
const DOWNLOADS_WAITING: &str = "
    SELECT f.* FROM photo_files f
    WHERE f.here = 0
      AND EXISTS (
        SELECT 1 FROM photos p
        WHERE (p.display_sha256 = f.sha256 OR p.thumbnail_sha256 = f.sha256)
          AND p.id NOT IN (SELECT photo_id FROM photo_removals))";

fn subject_columns(subject: PhotoSubject) -> (&'static str, String) {
    match subject {
        PhotoSubject::Listing(id) => ("listing", id.to_string()),
        PhotoSubject::Lot(id) => ("lot", id.to_string()),
    }
}

fn shown(conn: &Connection, id: PhotoId) -> Result<bool> {
    let found: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM photos
             WHERE id = ?1 AND id NOT IN (SELECT photo_id FROM photo_removals)",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(found.is_some())
}

/// Applies `photo_added`: the photo, and a row for each file it names. A
/// file made here is here already; one from another device is not until
/// it is downloaded. Applied once per operation, by the caller.
pub(crate) fn insert(
    conn: &Connection,
    photo: &Photo,
    op: &Operation,
    made_here: bool,
) -> Result<()> {
    let (kind, subject_id) = subject_columns(photo.subject);
    conn.execute(
        "INSERT OR IGNORE INTO photos
           (id, subject_kind, subject_id, display_sha256, thumbnail_sha256,
            latitude_microdegrees, longitude_microdegrees, op_id, hlc, device_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            photo.id.to_string(),
            kind,
            subject_id,
            photo.display.sha256().to_hex(),
            photo.thumbnail.sha256().to_hex(),
            photo.location.map(|l| l.latitude_microdegrees()),
            photo.location.map(|l| l.longitude_microdegrees()),
            op.id.to_string(),
            op.hlc.as_i64(),
            op.device_id.to_string(),
        ],
    )?;
    for (version, role) in [(photo.thumbnail, THUMBNAIL), (photo.display, DISPLAY)] {
        conn.execute(
            "INSERT INTO photo_files (sha256, bytes, width, height, media_type, role, here)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (sha256) DO UPDATE SET here = max(here, excluded.here)",
            params![
                version.sha256().to_hex(),
                version.bytes() as i64,
                version.width(),
                version.height(),
                version.media_type().as_str(),
                role,
                made_here,
            ],
        )?;
    }
    Ok(())
}

/// Applies `photo_removed`; a removal that arrives before its photo still
/// wins when the photo comes.
pub(crate) fn remove(conn: &Connection, id: PhotoId) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO photo_removals (photo_id) VALUES (?1)",
        [id.to_string()],
    )?;
    Ok(())
}
