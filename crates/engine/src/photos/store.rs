//! The device's photo files: `photos/` beside the database, one file per
//! version, named by the SHA-256 of its bytes.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use highland_domain::{PhotoRef, Sha256};
use sha2::Digest;

use super::ingest::{Encoded, IngestOptions, Ingested, ingest};
use super::{Location, PhotoError};

/// The folder's name inside a data directory, beside the database file.
pub const PHOTOS_DIR: &str = "photos";

/// The stored versions of one photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoRefs {
    pub display: PhotoRef,
    pub thumbnail: PhotoRef,
}

/// A photo taken in and stored, with its location when the seller kept it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredPhoto {
    pub refs: PhotoRefs,
    pub location: Option<Location>,
}

/// A folder of content-addressed photo files. Files are only ever added,
/// each whole or not at all: written under a temporary name, flushed to
/// disk, then renamed into place.
#[derive(Debug, Clone)]
pub struct PhotoStore {
    dir: PathBuf,
}

impl PhotoStore {
    /// The photo store of a data directory (`<data dir>/photos`), created if
    /// missing.
    pub fn open(data_dir: &Path) -> Result<PhotoStore, PhotoError> {
        let dir = data_dir.join(PHOTOS_DIR);
        fs::create_dir_all(&dir)?;
        Ok(PhotoStore { dir })
    }

    /// The photo store beside a database file, as `Store::path` gives it.
    pub fn beside(database: &Path) -> Result<PhotoStore, PhotoError> {
        let data_dir = match database.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        PhotoStore::open(data_dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a stored version's file is.
    pub fn path_of(&self, photo: &PhotoRef) -> PathBuf {
        self.path_of_file(photo.sha256())
    }

    /// The bytes of a stored file, if they are still what its name says:
    /// `None` when the file is missing or was damaged on this device.
    pub fn read_verified(&self, photo: &PhotoRef) -> Result<Option<Vec<u8>>, PhotoError> {
        let bytes = match fs::read(self.path_of(photo)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let digest = Sha256::from_digest(sha2::Sha256::digest(&bytes).into());
        Ok((digest == photo.sha256()).then_some(bytes))
    }

    /// Where the file named `sha256` is, whether or not it is there.
    pub fn path_of_file(&self, sha256: Sha256) -> PathBuf {
        // Every stored version is a JPEG (`MediaType` has no other).
        self.dir.join(format!(
            "{sha256}.{}",
            highland_domain::MediaType::Jpeg.extension()
        ))
    }

    /// Where a download of `sha256` collects until it is whole. Hidden, so
    /// nothing mistakes it for a photo; it survives restarts, so a download
    /// resumes where it stopped.
    pub fn download_path(&self, sha256: Sha256) -> PathBuf {
        self.dir.join(format!(".{sha256}.download"))
    }

    /// Keeps a finished download if its bytes hash to its name; otherwise
    /// removes it and says so. Only whole, verified files are ever named
    /// `<sha256>.jpg`.
    pub fn accept_download(&self, sha256: Sha256) -> Result<bool, PhotoError> {
        let partial = self.download_path(sha256);
        let bytes = fs::read(&partial)?;
        if Sha256::from_digest(sha2::Sha256::digest(&bytes).into()) != sha256 {
            fs::remove_file(&partial)?;
            return Ok(false);
        }
        File::open(&partial)?.sync_all()?;
        fs::rename(&partial, self.path_of_file(sha256))?;
        sync_dir(&self.dir)?;
        Ok(true)
    }

    /// Takes a photo in ([`ingest`]) and stores its versions. A refused
    /// photo changes nothing.
    pub fn add(&self, bytes: &[u8], options: IngestOptions) -> Result<StoredPhoto, PhotoError> {
        let ingested = ingest(bytes, options)?;
        Ok(StoredPhoto {
            refs: self.put(&ingested)?,
            location: ingested.location(),
        })
    }

    /// Stores both versions. A version whose file is already there (same
    /// name, same length: the same bytes) is not written again. If the
    /// second write fails, the first one's new file is removed.
    pub fn put(&self, photo: &Ingested) -> Result<PhotoRefs, PhotoError> {
        let (display, display_created) = self.put_one(photo.display())?;
        let thumbnail = match self.put_one(photo.thumbnail()) {
            Ok((thumbnail, _)) => thumbnail,
            Err(e) => {
                if display_created {
                    let _ = fs::remove_file(self.path_of(&display));
                }
                return Err(e);
            }
        };
        Ok(PhotoRefs { display, thumbnail })
    }

    /// Writes one version unless it is there; says whether it wrote it.
    fn put_one(&self, version: &Encoded) -> Result<(PhotoRef, bool), PhotoError> {
        let bytes = version.bytes();
        let digest = Sha256::from_digest(sha2::Sha256::digest(bytes).into());
        let photo = PhotoRef::new(
            digest,
            bytes.len() as u64,
            version.width(),
            version.height(),
            version.media_type(),
        )
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
        let path = self.path_of(&photo);
        if fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == photo.bytes()) {
            return Ok((photo, false));
        }
        let temporary = self
            .dir
            .join(format!(".{digest}.{:016x}.part", rand::random::<u64>()));
        let written = write_durably(&temporary, bytes).and_then(|()| fs::rename(&temporary, &path));
        if let Err(e) = written {
            let _ = fs::remove_file(&temporary);
            return Err(e.into());
        }
        sync_dir(&self.dir)?;
        Ok((photo, true))
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = File::create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename durable: on Unix the directory entry is flushed apart
/// from the file.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}
