//! Release files signed as Tauri's tooling signs them, for the tests of
//! updates through the hub (docs/releases.md). The key in
//! tests/fixtures/release-key is a test key: only test builds of the app
//! trust it (scripts/app-tests.sh builds them with it).

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;

/// A minisign key pair that signs release files.
pub struct ReleaseKey {
    secret: minisign::SecretKey,
    public_base64: String,
}

impl ReleaseKey {
    /// The test key the app-window tests' build trusts.
    pub fn fixture() -> anyhow::Result<ReleaseKey> {
        let dir = fixture_dir();
        let secret = std::fs::read_to_string(dir.join("test.key"))?;
        let secret = minisign::SecretKeyBox::from_string(&secret)
            .and_then(|b| b.into_unencrypted_secret_key())
            .context("reading the test release key")?;
        let public_base64 = std::fs::read_to_string(dir.join("test.key.pub"))?
            .trim()
            .to_owned();
        Ok(ReleaseKey {
            secret,
            public_base64,
        })
    }

    /// A key no build trusts: what a hostile hub would sign with.
    pub fn another() -> anyhow::Result<ReleaseKey> {
        let pair = minisign::KeyPair::generate_unencrypted_keypair()?;
        Ok(ReleaseKey {
            secret: pair.sk,
            public_base64: base64(pair.pk.to_box()?.into_string()),
        })
    }

    /// The public key as tauri.conf.json and `highland update --public-key`
    /// take it: base64 of the `.pub` file's text.
    pub fn public_base64(&self) -> &str {
        &self.public_base64
    }

    /// Signs `file` for `version` as `tauri signer sign` does, and writes
    /// the `.sig` beside it; returns its path.
    pub fn sign(&self, file: &Path, version: &str) -> anyhow::Result<PathBuf> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let comment = format!("timestamp:1765000000\tfile:{name}\tversion:{version}");
        let bytes = std::fs::read(file)?;
        let signature = minisign::sign(None, &self.secret, &bytes[..], Some(&comment), None)?;
        let sig = file.with_extension(format!(
            "{}sig",
            file.extension()
                .map(|e| format!("{}.", e.to_string_lossy()))
                .unwrap_or_default()
        ));
        std::fs::write(&sig, base64(signature.into_string()))?;
        Ok(sig)
    }
}

/// tests/fixtures/release-key.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/release-key")
}

fn base64(text: String) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}
