//! Talking to the hub over HTTP. Request bodies are JSON compressed with
//! zstd; reqwest asks for compressed responses and unpacks them. Timeouts
//! suit the mountain link (20 kbit/s up, 2 s round trips): patient enough to
//! finish a small request, short enough to notice a link that went silent.
//!
//! `https://` hubs are reached with rustls on the ring provider, trusting the
//! web's roots and the hub's own CA when one was given (see [`super::trust`]);
//! certificates are always verified. A certificate this device does not
//! trust, or a hub that does not speak TLS, is not retried: another attempt
//! would meet the same certificate.

use std::time::{Duration, Instant};

use highland_domain::wire::{
    EnrollRequest, EnrollResponse, ErrorBody, HubErrorCode, SyncRequest, SyncResponse,
};
use reqwest::StatusCode;
use rustls::{CertificateError, InvalidMessage};
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::trust::{HubCa, client_config};

/// A silent link is declared dead after this long without a byte.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// A whole request may take this long plus a second per KiB of body: the
/// mountain link moves about 2.5 KiB a second up.
const REQUEST_BASE_TIMEOUT: Duration = Duration::from_secs(40);

/// Why a request to the hub did not succeed.
#[derive(Debug, Error)]
pub enum HubError {
    /// No answer: no route, a cut connection, a timeout. Worth retrying.
    #[error("the hub could not be reached: {0}")]
    Unreachable(String),
    /// The hub answered with an error; `code` is its stable error code.
    #[error("the hub refused the request ({status}): {message}")]
    Refused {
        status: u16,
        code: HubErrorCode,
        message: String,
    },
    #[error("the hub sent an answer this device does not understand: {0}")]
    BadResponse(String),
    #[error("{0:?} is not a hub address; use one like http://192.168.1.10:7878")]
    BadUrl(String),
    /// The hub's certificate failed verification: an unknown authority, a
    /// name that is not the hub's address, expired. Says what to do.
    #[error("the hub's certificate is not trusted: {0}")]
    UntrustedCertificate(String),
    /// An `https://` address where the hub speaks plain HTTP.
    #[error("the hub at {0} does not speak HTTPS; check its address (http:// or https://)")]
    NotTls(String),
    /// An extra CA given for a hub reached over plain HTTP, where it means nothing.
    #[error("a CA certificate is only for a hub reached over https://, not {0}")]
    CaWithoutTls(String),
}

impl HubError {
    /// Errors that another attempt may cure: the link, or the hub being busy.
    pub fn is_retryable(&self) -> bool {
        match self {
            HubError::Unreachable(_) => true,
            HubError::Refused { status, .. } => *status == 429 || *status >= 500,
            HubError::BadResponse(_)
            | HubError::BadUrl(_)
            | HubError::UntrustedCertificate(_)
            | HubError::NotTls(_)
            | HubError::CaWithoutTls(_) => false,
        }
    }
}

/// What a request cost, as far as the client can tell: the bytes it put on
/// the wire (the compressed body; headers and TLS are not counted) and how
/// long it took from sending to the whole answer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent {
    pub body_bytes: u64,
    pub took: Duration,
}

/// The User-Agent every request carries; the hub keeps the version from it.
pub const USER_AGENT: &str = concat!("highland/", env!("CARGO_PKG_VERSION"));

/// A request body as it goes on the wire: JSON, compressed with zstd (sent
/// with `Content-Encoding: zstd`).
pub fn encode_body<B: Serialize>(body: &B) -> Result<Vec<u8>, HubError> {
    let json = serde_json::to_vec(body).map_err(|e| HubError::BadResponse(e.to_string()))?;
    zstd::encode_all(json.as_slice(), 3).map_err(|e| HubError::BadResponse(e.to_string()))
}

/// The hub's whole answer as the client reads it: the body of a success
/// parsed, or the hub's refusal.
pub fn read_answer<R: DeserializeOwned>(status: u16, body: &[u8]) -> Result<R, HubError> {
    let status = StatusCode::from_u16(status)
        .map_err(|_| HubError::BadResponse(format!("an HTTP status of {status}")))?;
    if status.is_success() {
        return serde_json::from_slice(body).map_err(|e| HubError::BadResponse(format!("{e}")));
    }
    Err(refusal(status, body))
}

#[derive(Debug, Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
}

impl HubClient {
    /// A client for the hub at `base_url`; an `https://` hub's certificate
    /// must chain to the web's roots or to `ca`. An address typed without a
    /// scheme gets `http://` on a local network, `https://` elsewhere
    /// ([`highland_domain::hub_url::with_scheme`]).
    pub fn new(base_url: &str, ca: Option<&HubCa>) -> Result<HubClient, HubError> {
        let base = highland_domain::hub_url::with_scheme(base_url);
        let tls = base.starts_with("https://");
        let valid = (base.starts_with("http://") || tls)
            && reqwest::Url::parse(&base).is_ok_and(|u| u.host().is_some());
        if !valid {
            return Err(HubError::BadUrl(base_url.to_owned()));
        }
        if ca.is_some() && !tls {
            return Err(HubError::CaWithoutTls(base));
        }
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(client_config(ca))
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| HubError::Unreachable(e.to_string()))?;
        Ok(HubClient { http, base })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub(super) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn enroll(&self, request: &EnrollRequest) -> Result<EnrollResponse, HubError> {
        self.post("/v1/enroll", None, request).await.map(|(r, _)| r)
    }

    pub async fn sync(
        &self,
        token: &str,
        request: &SyncRequest,
    ) -> Result<(SyncResponse, Sent), HubError> {
        self.post("/v1/sync", Some(token), request).await
    }

    async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<(R, Sent), HubError> {
        let compressed = encode_body(body)?;
        let timeout = REQUEST_BASE_TIMEOUT + Duration::from_millis(compressed.len() as u64);
        let body_bytes = compressed.len() as u64;
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::CONTENT_ENCODING, "zstd")
            .timeout(timeout)
            .body(compressed);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|e| self.failed(e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| self.failed(e))?;
        let sent = Sent {
            body_bytes,
            took: started.elapsed(),
        };
        read_answer(status.as_u16(), &bytes).map(|parsed| (parsed, sent))
    }
}

impl HubClient {
    /// Sorts a failed request: a TLS failure that another attempt would meet
    /// again, or a hub that could not be reached.
    pub(super) fn failed(&self, e: reqwest::Error) -> HubError {
        match rustls_error(&e) {
            Some(rustls::Error::InvalidCertificate(why)) => {
                HubError::UntrustedCertificate(untrusted(why))
            }
            Some(rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType)) => {
                HubError::NotTls(self.base.clone())
            }
            _ => unreachable(e),
        }
    }
}

/// The TLS error behind a failed request, if TLS failed. It sits inside
/// `io::Error`s (two, from tokio-rustls and hyper-util), whose `source`
/// skips the error they wrap, so each is opened with `get_ref`.
fn rustls_error(e: &reqwest::Error) -> Option<&rustls::Error> {
    let mut link: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(error) = link {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        link = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

/// Why the certificate was refused, and what a person can do about it.
fn untrusted(why: &CertificateError) -> String {
    const CHECK_DATE: &str = "check this device's date and time";
    match why {
        CertificateError::UnknownIssuer => {
            "it is signed by an authority this device does not know; \
             pass --ca FILE (to `highland enroll`) if the hub uses its own certificate"
                .to_owned()
        }
        CertificateError::BadSignature => "its signature does not match the authority this device \
             knows by that name; pass --ca FILE (to `highland enroll`) with the hub's current CA \
             if the hub uses its own certificate"
            .to_owned(),
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "it is for {}, not {}; use the hub's address as its certificate names it",
            if presented.is_empty() {
                "no address at all".to_owned()
            } else {
                presented
                    .iter()
                    .map(|name| plain_name(name))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            expected.to_str()
        ),
        CertificateError::NotValidForName => {
            "it is not for this address; use the hub's address as its certificate names it"
                .to_owned()
        }
        CertificateError::ExpiredContext { time, not_after } => format!(
            "it expired on {}, and this device's date is {}; {CHECK_DATE}, or ask the hub's \
             operator to renew the certificate",
            day(not_after.as_secs()),
            day(time.as_secs())
        ),
        CertificateError::Expired => format!(
            "it has expired; {CHECK_DATE}, or ask the hub's operator to renew the certificate"
        ),
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "it is valid only from {}, and this device's date is {}; {CHECK_DATE}",
            day(not_before.as_secs()),
            day(time.as_secs())
        ),
        CertificateError::NotValidYet => format!("it is not valid yet; {CHECK_DATE}"),
        CertificateError::Revoked => {
            "it has been revoked; ask the hub's operator for a new one".to_owned()
        }
        other => format!(
            "{other}; pass --ca FILE (to `highland enroll`) if the hub uses its own certificate"
        ),
    }
}

/// A name from a certificate as webpki presents it (`DnsName("hub.lan")`,
/// `IpAddress(10.0.0.5)`), without the wrapping.
fn plain_name(presented: &str) -> &str {
    presented
        .split_once('(')
        .and_then(|(_, inner)| inner.strip_suffix(')'))
        .map_or(presented, |inner| inner.trim_matches('"'))
}

/// A moment given in seconds since 1970, as a day.
fn day(unix_secs: u64) -> String {
    chrono::DateTime::from_timestamp(unix_secs as i64, 0).map_or_else(
        || format!("{unix_secs} s"),
        |t| t.format("%Y-%m-%d").to_string(),
    )
}

fn unreachable(e: reqwest::Error) -> HubError {
    // reqwest's Display hides the cause ("error sending request"); the
    // cause ("connection refused", "timed out") is what a person can act on.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    HubError::Unreachable(message)
}

pub(super) fn refusal(status: StatusCode, body: &[u8]) -> HubError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => HubError::Refused {
            status: status.as_u16(),
            code: e.code,
            message: e.message,
        },
        Err(_) => HubError::Refused {
            status: status.as_u16(),
            // Not the hub (a proxy, a captive portal): the status is all
            // there is to go on.
            code: HubErrorCode::Other(format!("http_{}", status.as_u16())),
            message: status
                .canonical_reason()
                .unwrap_or("unexpected answer")
                .to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_names_and_dates_read_as_a_person_writes_them() {
        assert_eq!(plain_name("DnsName(\"hub.lan\")"), "hub.lan");
        assert_eq!(plain_name("IpAddress(10.0.0.5)"), "10.0.0.5");
        assert_eq!(plain_name("DirectoryName"), "DirectoryName");
        assert_eq!(day(1_577_836_800), "2020-01-01");
    }

    #[test]
    fn tls_failures_are_not_retried() {
        for error in [
            HubError::UntrustedCertificate("x".into()),
            HubError::NotTls("https://hub".into()),
            HubError::CaWithoutTls("http://hub".into()),
        ] {
            assert!(!error.is_retryable(), "{error}");
        }
        assert!(HubError::Unreachable("reset".into()).is_retryable());
    }
}
