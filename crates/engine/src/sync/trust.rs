//! Which certificates the device trusts for its hub: the public web's roots
//! (Mozilla's, from webpki-roots, the same on every platform and on Android),
//! plus one extra certificate authority when the hub uses a certificate of
//! its own. Certificate verification is never turned off.
//!
//! The extra CA is given once, when enrolling, and kept as `hub-ca.pem` next
//! to the database, in the same data directory; every later sync uses it.
//! A file rather than a column: it is what the seller handed over, readable
//! and replaceable as it is.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::{self, PemObject};
use rustls::{ClientConfig, RootCertStore};
use thiserror::Error;

use crate::{Result, Store, StoreError};

/// The file, next to the database, that holds the hub's extra CA.
pub const HUB_CA_FILE: &str = "hub-ca.pem";
/// A CA file larger than this is not a certificate or two.
const MAX_CA_BYTES: u64 = 1024 * 1024;

/// An extra certificate authority to trust for the hub: one or more PEM
/// certificates (a private CA, or the hub's own self-signed certificate).
#[derive(Clone, PartialEq, Eq)]
pub struct HubCa {
    pem: String,
    certs: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for HubCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubCa")
            .field("certificates", &self.certs.len())
            .finish()
    }
}

/// Why a CA file cannot be trusted. One line, naming the file.
#[derive(Debug, Error)]
pub enum CaError {
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a PEM certificate: {detail}", path.display())]
    NotCertificate { path: PathBuf, detail: String },
}

impl CaError {
    fn not_certificate(path: &Path, detail: impl Into<String>) -> CaError {
        CaError::NotCertificate {
            path: path.to_owned(),
            detail: detail.into(),
        }
    }
}

impl HubCa {
    /// Reads a CA certificate file, refusing anything that is not PEM
    /// certificates (a private key, DER, an empty file).
    pub fn read(path: &Path) -> Result<HubCa, CaError> {
        let read_error = |error| CaError::Read {
            path: path.to_owned(),
            error,
        };
        let size = std::fs::metadata(path).map_err(read_error)?.len();
        if size > MAX_CA_BYTES {
            return Err(CaError::not_certificate(
                path,
                format!("it is {size} bytes, far more than a certificate"),
            ));
        }
        let bytes = std::fs::read(path).map_err(read_error)?;
        HubCa::from_pem(&bytes).map_err(|detail| CaError::not_certificate(path, detail))
    }

    /// Parses PEM text; the error says what is wrong with it.
    fn from_pem(bytes: &[u8]) -> Result<HubCa, String> {
        const EXPECTED: &str = "expected text beginning with -----BEGIN CERTIFICATE-----";
        let text = std::str::from_utf8(bytes).map_err(|_| format!("not text; {EXPECTED}"))?;
        let certs = CertificateDer::pem_slice_iter(bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| match e {
                pem::Error::NoItemsFound => format!("no certificate found; {EXPECTED}"),
                other => format!("{other}"),
            })?;
        if certs.is_empty() {
            return Err(format!("no certificate found; {EXPECTED}"));
        }
        let mut roots = RootCertStore::empty();
        for cert in &certs {
            roots
                .add(cert.clone())
                .map_err(|e| format!("a certificate in it cannot be read ({e})"))?;
        }
        Ok(HubCa {
            pem: text.to_owned(),
            certs,
        })
    }

    /// The PEM text, as it was given.
    pub fn pem(&self) -> &str {
        &self.pem
    }
}

/// The TLS settings of every connection to the hub: ring's crypto, the web's
/// roots and the extra CA if there is one, TLS 1.3 and 1.2.
pub(crate) fn client_config(ca: Option<&HubCa>) -> ClientConfig {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(ca) = ca {
        // Each was parsed as a trust anchor when the CA was read.
        roots.add_parsable_certificates(ca.certs.iter().cloned());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

impl Store {
    fn hub_ca_path(&self) -> PathBuf {
        self.path().with_file_name(HUB_CA_FILE)
    }

    /// The extra CA kept from enrolling, if one was given.
    pub fn hub_ca(&self) -> Result<Option<HubCa>> {
        let path = self.hub_ca_path();
        match HubCa::read(&path) {
            Ok(ca) => Ok(Some(ca)),
            Err(CaError::Read { error, .. }) if error.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(e) => Err(StoreError::BadRecord(e.to_string())),
        }
    }

    /// Keeps `ca` for every later sync, or forgets the one kept when `None`.
    /// The file is replaced whole: a crash leaves the old one or the new one.
    pub(crate) fn set_hub_ca(&self, ca: Option<&HubCa>) -> Result<()> {
        let path = self.hub_ca_path();
        match ca {
            Some(ca) => {
                let partial = path.with_extension("pem.partial");
                std::fs::write(&partial, ca.pem())?;
                std::fs::File::open(&partial)?.sync_all()?;
                std::fs::rename(&partial, &path)?;
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_pem_certificate_is_refused_with_the_reason() {
        let cases: [(&[u8], &str); 5] = [
            (b"", "no certificate found"),
            (b"hello", "no certificate found"),
            (
                b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
                "no certificate found",
            ),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "cannot be read",
            ),
            (b"\x30\x82\x01\xff\xfe", "not text"),
        ];
        for (bytes, expected) in cases {
            let error = HubCa::from_pem(bytes).unwrap_err();
            assert!(error.contains(expected), "{error:?} for {bytes:?}");
        }
    }

    #[test]
    fn the_web_roots_are_trusted_without_an_extra_ca() {
        let config = client_config(None);
        assert!(config.alpn_protocols.is_empty());
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 50);
    }
}
