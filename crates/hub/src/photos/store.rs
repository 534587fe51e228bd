//! Where whole, verified photo files live: a folder (`<data dir>/photos`
//! by default, `--photo-dir`), or S3-compatible object storage
//! (`--photo-store s3://bucket/prefix`), through the object_store crate.
//! A file's name is its SHA-256 and `.jpg`; it is written once, after the
//! hub checked its digest, and never changes, so a write that races another
//! hub's write of the same file writes the same bytes.

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use highland_domain::Sha256;
#[cfg(feature = "s3")]
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
#[cfg(feature = "s3")]
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PhotoStoreError {
    #[error("--photo-store {0:?}: write s3://bucket/prefix, or use --photo-dir DIR")]
    BadUrl(String),
    #[error("the photo folder {path} cannot be used: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the stored file {0} is missing from the photo store")]
    Missing(Sha256),
    #[error("photo store: {0}")]
    Objects(#[from] object_store::Error),
}

/// The hub's photo files.
#[derive(Debug, Clone)]
pub struct PhotoStore {
    objects: Arc<dyn ObjectStore>,
    /// What the log says the store is (never a secret).
    description: String,
}

impl PhotoStore {
    /// A folder, created when missing.
    pub fn local(dir: &Path) -> Result<PhotoStore, PhotoStoreError> {
        let folder = |source| PhotoStoreError::Folder {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(folder)?;
        let objects = LocalFileSystem::new_with_prefix(dir)?;
        Ok(PhotoStore {
            objects: Arc::new(objects),
            description: dir.display().to_string(),
        })
    }

    /// An S3 bucket (`s3://bucket/optional/prefix`), configured by the
    /// standard `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, and for S3-compatible servers
    /// `AWS_ENDPOINT` and `AWS_ALLOW_HTTP`). The endpoint may also be given
    /// here, which beats the environment. With the `s3` feature (on by
    /// default; the desktop app's workshop keeps photos in a folder).
    #[cfg(feature = "s3")]
    pub fn s3(url: &str, endpoint: Option<&str>) -> Result<PhotoStore, PhotoStoreError> {
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(PhotoStoreError::BadUrl(url.to_owned()));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(PhotoStoreError::BadUrl(url.to_owned()));
        }
        // reqwest is built without a TLS provider of its own (see
        // ARCHITECTURE.md): the process's default must be ring before the
        // client is built. Installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = endpoint {
            // An endpoint typed as http:// means plain HTTP (a MinIO on the
            // LAN); AWS_ALLOW_HTTP says the same for AWS_ENDPOINT.
            builder = builder
                .with_allow_http(endpoint.starts_with("http://"))
                .with_endpoint(endpoint);
        }
        let s3 = builder.build()?;
        let prefix = prefix.trim_matches('/');
        let objects: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(PhotoStore {
            objects,
            description: format!("s3://{bucket}/{prefix}"),
        })
    }

    /// Files in this process's memory, lost when it ends: for a hub built
    /// in code ([`crate::AppState::new`]) that was given no store.
    pub fn in_memory() -> PhotoStore {
        PhotoStore {
            objects: Arc::new(InMemory::new()),
            description: "memory".to_owned(),
        }
    }

    /// The folder or bucket itself, for the other files kept beside the
    /// photos (the app's releases, [`crate::releases`]).
    pub(crate) fn objects(&self) -> Arc<dyn ObjectStore> {
        self.objects.clone()
    }

    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Writes a verified file under its name.
    pub async fn put(&self, name: Sha256, bytes: Bytes) -> Result<(), PhotoStoreError> {
        self.objects
            .put(&path(name), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// A stored file, whole (photos are at most
    /// [`super::MAX_PHOTO_BYTES`]).
    pub async fn get(&self, name: Sha256) -> Result<Bytes, PhotoStoreError> {
        match self.objects.get(&path(name)).await {
            Ok(found) => Ok(found.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(PhotoStoreError::Missing(name)),
            Err(e) => Err(e.into()),
        }
    }
}

fn path(name: Sha256) -> ObjectPath {
    ObjectPath::from(format!("{name}.jpg"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_written_to_a_folder_reads_back_under_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = PhotoStore::local(&dir.path().join("photos")).unwrap();
        let name = Sha256::from_digest([9; 32]);
        store.put(name, Bytes::from_static(b"jpeg")).await.unwrap();
        assert_eq!(store.get(name).await.unwrap(), Bytes::from_static(b"jpeg"));
        assert!(
            dir.path()
                .join("photos")
                .join(format!("{name}.jpg"))
                .exists()
        );
        let other = Sha256::from_digest([8; 32]);
        assert!(matches!(
            store.get(other).await,
            Err(PhotoStoreError::Missing(n)) if n == other
        ));
    }

    #[cfg(feature = "s3")]
    #[test]
    fn only_s3_urls_with_a_bucket_are_taken() {
        for bad in ["http://x/y", "s3://", "s3:///prefix", "/var/photos"] {
            assert!(
                matches!(PhotoStore::s3(bad, None), Err(PhotoStoreError::BadUrl(_))),
                "{bad}"
            );
        }
    }
}
