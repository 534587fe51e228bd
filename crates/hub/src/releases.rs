//! The app's release files that this hub carries (docs/releases.md), so
//! tablets that get no app-store updates update from the hub they sync
//! with, a workshop's hub in a village hall included.
//!
//! They live beside the photos, in the same folder or bucket (one place
//! that every hub process sharing a database already shares): each file
//! under `releases/files/<sha256>`, and what the operator said of it under
//! `releases/<platform>/<version>.json`. No database table: a release is
//! added by the operator, never by a device, and a restored database
//! must not forget or resurrect one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use highland_domain::release::{ReleaseSignature, SignatureError};
use highland_domain::{AppVersion, Platform, Sha256};
use object_store::path::Path as ObjectPath;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use thiserror::Error;
use tokio::sync::Mutex;

use crate::photos::PhotoStore;

/// How long the newest releases are taken as read: a sync asks every time,
/// and a bucket's listing is slow and billed, while a new release may wait
/// a minute to be noticed.
const FRESH_FOR: Duration = Duration::from_secs(60);

/// One release file, as the operator added it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub version: AppVersion,
    pub platform: Platform,
    /// The file's name as it was added (`Highland_0.2.0_amd64.AppImage`).
    pub file_name: String,
    pub size: u64,
    pub sha256: Sha256,
    /// The `.sig` file's content: base64 of a minisign signature.
    pub signature: String,
    #[serde(default)]
    pub notes: String,
    /// When it was added, RFC 3339.
    pub added_at: String,
}

#[derive(Debug, Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error("{platform} already has version {version}; remove it first to replace it")]
    Exists {
        platform: Platform,
        version: AppVersion,
    },
    #[error("there is no version {version} for {platform}")]
    Unknown {
        platform: Platform,
        version: AppVersion,
    },
    #[error("the release file is empty")]
    Empty,
    #[error("the release store: {0}")]
    Objects(#[from] object_store::Error),
    #[error("a release record is unreadable: {0}")]
    BadRecord(#[from] serde_json::Error),
}

/// What a new release is, before its file is stored.
#[derive(Debug, Clone)]
pub struct NewRelease {
    pub version: AppVersion,
    pub platform: Platform,
    pub file_name: String,
    pub signature: ReleaseSignature,
    pub notes: String,
}

/// The hub's release files: add, list, remove, and read from an offset.
#[derive(Debug, Clone)]
pub struct ReleaseShelf {
    objects: Arc<dyn ObjectStore>,
    newest: Arc<Mutex<Option<Listed>>>,
}

/// Every release, and when the store was last listed.
type Listed = (Instant, Vec<Release>);

impl ReleaseShelf {
    /// The releases kept in the same folder or bucket as `photos`.
    pub fn beside(photos: &PhotoStore) -> ReleaseShelf {
        ReleaseShelf {
            objects: photos.objects(),
            newest: Arc::new(Mutex::new(None)),
        }
    }

    /// Stores `file` as a release. Refuses a signature recorded for
    /// another version, and a version the platform already has (a device
    /// that started downloading it must get the same bytes to the end).
    pub async fn add(
        &self,
        new: NewRelease,
        file: Bytes,
        added_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Release, ReleaseError> {
        if file.is_empty() {
            return Err(ReleaseError::Empty);
        }
        new.signature.check_version(&new.version)?;
        let record_path = record_path(new.platform, &new.version);
        if self.read_record(&record_path).await?.is_some() {
            return Err(ReleaseError::Exists {
                platform: new.platform,
                version: new.version,
            });
        }
        let sha256 = Sha256::from_digest(sha2::Sha256::digest(&file).into());
        let release = Release {
            version: new.version,
            platform: new.platform,
            file_name: new.file_name,
            size: file.len() as u64,
            sha256,
            signature: new.signature.as_base64().to_owned(),
            notes: new.notes,
            added_at: added_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        };
        // The file first: a record is only ever written for a file that is
        // there whole.
        self.objects
            .put(&file_path(sha256), PutPayload::from(file))
            .await?;
        let record = serde_json::to_vec_pretty(&release)?;
        self.objects
            .put(&record_path, PutPayload::from(record))
            .await?;
        self.forget_newest().await;
        Ok(release)
    }

    /// Every release, newest first within each platform.
    pub async fn list(&self) -> Result<Vec<Release>, ReleaseError> {
        let prefix = ObjectPath::from("releases");
        let mut found = Vec::new();
        let mut listing = self.objects.list(Some(&prefix));
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.location.extension() == Some("json")
                && let Some(release) = self.read_record(&meta.location).await?
            {
                found.push(release);
            }
        }
        found.sort_by(|a, b| (a.platform, &b.version).cmp(&(b.platform, &a.version)));
        Ok(found)
    }

    /// Takes a release off the hub. Its file stays if another record names
    /// it (the same file added for two platforms).
    pub async fn remove(
        &self,
        platform: Platform,
        version: &AppVersion,
    ) -> Result<Release, ReleaseError> {
        let path = record_path(platform, version);
        let release = self
            .read_record(&path)
            .await?
            .ok_or_else(|| ReleaseError::Unknown {
                platform,
                version: version.clone(),
            })?;
        self.objects.delete(&path).await?;
        let still_named = self
            .list()
            .await?
            .iter()
            .any(|r| r.sha256 == release.sha256);
        if !still_named {
            self.objects.delete(&file_path(release.sha256)).await?;
        }
        self.forget_newest().await;
        Ok(release)
    }

    /// The newest release for `platform`, as read at most a minute ago.
    pub async fn newest(&self, platform: Platform) -> Result<Option<Release>, ReleaseError> {
        let mut cached = self.newest.lock().await;
        let fresh = cached
            .as_ref()
            .is_some_and(|(read_at, _)| read_at.elapsed() < FRESH_FOR);
        if !fresh {
            *cached = Some((Instant::now(), self.list().await?));
        }
        Ok(cached.as_ref().and_then(|(_, all)| {
            all.iter()
                .filter(|r| r.platform == platform)
                .max_by(|a, b| a.version.cmp(&b.version))
                .cloned()
        }))
    }

    /// One release, exactly.
    pub async fn get(
        &self,
        platform: Platform,
        version: &AppVersion,
    ) -> Result<Option<Release>, ReleaseError> {
        self.read_record(&record_path(platform, version)).await
    }

    /// The release's file from byte `from` on, as a stream.
    pub async fn read_from(
        &self,
        release: &Release,
        from: u64,
    ) -> Result<BoxStream<'static, Result<Bytes, object_store::Error>>, ReleaseError> {
        let options = GetOptions {
            range: (from > 0).then_some(GetRange::Offset(from)),
            ..GetOptions::default()
        };
        let found = self
            .objects
            .get_opts(&file_path(release.sha256), options)
            .await?;
        Ok(found.into_stream())
    }

    async fn read_record(&self, path: &ObjectPath) -> Result<Option<Release>, ReleaseError> {
        match self.objects.get(path).await {
            Ok(found) => Ok(Some(serde_json::from_slice(&found.bytes().await?)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn forget_newest(&self) {
        *self.newest.lock().await = None;
    }
}

fn record_path(platform: Platform, version: &AppVersion) -> ObjectPath {
    ObjectPath::from(format!("releases/{platform}/{version}.json"))
}

fn file_path(sha256: Sha256) -> ObjectPath {
    ObjectPath::from(format!("releases/files/{sha256}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(version: &str, platform: &str) -> NewRelease {
        NewRelease {
            version: version.parse().unwrap(),
            platform: platform.parse().unwrap(),
            file_name: "Highland.AppImage".to_owned(),
            signature: test_signature(version),
            notes: String::new(),
        }
    }

    /// A signature that reads, signed with a key made for the test (the
    /// hub does not hold the publisher's key; devices check it).
    fn test_signature(version: &str) -> ReleaseSignature {
        use base64::Engine;
        let keys = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let comment = format!("timestamp:1765000000\tfile:Highland.AppImage\tversion:{version}");
        let signature = minisign::sign(None, &keys.sk, &b"file"[..], Some(&comment), None).unwrap();
        ReleaseSignature::parse(
            &base64::engine::general_purpose::STANDARD.encode(signature.into_string()),
        )
        .unwrap()
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(1_765_000_000, 0).unwrap()
    }

    #[tokio::test]
    async fn the_newest_version_of_a_platform_is_offered_and_reads_from_any_offset() {
        let shelf = ReleaseShelf::beside(&PhotoStore::in_memory());
        let linux: Platform = "linux-x86_64".parse().unwrap();
        for (version, bytes) in [
            ("0.2.0", &b"two"[..]),
            ("0.10.0", b"ten!"),
            ("0.9.1", b"nine"),
        ] {
            shelf
                .add(new(version, "linux-x86_64"), Bytes::from(bytes), now())
                .await
                .unwrap();
        }
        shelf
            .add(
                new("0.11.0", "android-aarch64"),
                Bytes::from_static(b"apk"),
                now(),
            )
            .await
            .unwrap();
        let newest = shelf.newest(linux).await.unwrap().unwrap();
        assert_eq!(newest.version.to_string(), "0.10.0");
        assert_eq!(
            (newest.size, newest.sha256),
            (4, Sha256::from_digest(sha2::Sha256::digest(b"ten!").into()))
        );

        let mut rest = Vec::new();
        let mut stream = shelf.read_from(&newest, 2).await.unwrap();
        while let Some(chunk) = stream.next().await {
            rest.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(rest, b"n!");

        let removed = shelf.remove(linux, &newest.version).await.unwrap();
        assert_eq!(removed.version, newest.version);
        assert_eq!(
            shelf
                .newest(linux)
                .await
                .unwrap()
                .unwrap()
                .version
                .to_string(),
            "0.9.1"
        );
        assert_eq!(shelf.list().await.unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_version_is_added_once_and_only_with_its_own_signature() {
        let shelf = ReleaseShelf::beside(&PhotoStore::in_memory());
        shelf
            .add(
                new("0.2.0", "linux-x86_64"),
                Bytes::from_static(b"a"),
                now(),
            )
            .await
            .unwrap();
        assert!(matches!(
            shelf
                .add(
                    new("0.2.0", "linux-x86_64"),
                    Bytes::from_static(b"b"),
                    now()
                )
                .await,
            Err(ReleaseError::Exists { .. })
        ));
        let mut mislabelled = new("0.3.0", "linux-x86_64");
        mislabelled.signature = test_signature("0.2.0");
        assert!(matches!(
            shelf
                .add(mislabelled, Bytes::from_static(b"c"), now())
                .await,
            Err(ReleaseError::Signature(SignatureError::OtherVersion { .. }))
        ));
        assert!(matches!(
            shelf
                .add(new("0.4.0", "linux-x86_64"), Bytes::new(), now())
                .await,
            Err(ReleaseError::Empty)
        ));
        assert_eq!(shelf.list().await.unwrap().len(), 1);
    }
}
