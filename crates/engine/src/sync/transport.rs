//! Talking to the hub over HTTP. Request bodies are JSON compressed with
//! zstd; reqwest asks for compressed responses and unpacks them. Timeouts
//! suit the mountain link (20 kbit/s up, 2 s round trips): patient enough to
//! finish a small request, short enough to notice a link that went silent.

use std::time::Duration;

use highland_domain::wire::{EnrollRequest, EnrollResponse, ErrorBody, SyncRequest, SyncResponse};
use reqwest::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

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
        code: String,
        message: String,
    },
    #[error("the hub sent an answer this device does not understand: {0}")]
    BadResponse(String),
    #[error("{0:?} is not a hub address; use one like http://192.168.1.10:7878")]
    BadUrl(String),
}

impl HubError {
    /// Errors that another attempt may cure: the link, or the hub being busy.
    pub fn is_retryable(&self) -> bool {
        match self {
            HubError::Unreachable(_) => true,
            HubError::Refused { status, .. } => *status == 429 || *status >= 500,
            HubError::BadResponse(_) | HubError::BadUrl(_) => false,
        }
    }
}

/// Bytes a request put on the wire, as far as the client can tell (the
/// compressed body; headers and TLS are not counted).
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent {
    pub body_bytes: u64,
}

#[derive(Debug, Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
}

impl HubClient {
    pub fn new(base_url: &str) -> Result<HubClient, HubError> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        let valid = (base.starts_with("http://") || base.starts_with("https://"))
            && reqwest::Url::parse(&base).is_ok_and(|u| u.host().is_some());
        if !valid {
            return Err(HubError::BadUrl(base_url.to_owned()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("highland/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| HubError::Unreachable(e.to_string()))?;
        Ok(HubClient { http, base })
    }

    pub fn base_url(&self) -> &str {
        &self.base
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
        let json = serde_json::to_vec(body).map_err(|e| HubError::BadResponse(e.to_string()))?;
        let compressed = zstd::encode_all(json.as_slice(), 3)
            .map_err(|e| HubError::BadResponse(e.to_string()))?;
        let sent = Sent {
            body_bytes: compressed.len() as u64,
        };
        let timeout = REQUEST_BASE_TIMEOUT + Duration::from_millis(compressed.len() as u64);
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
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(unreachable)?;
        if status.is_success() {
            let parsed = serde_json::from_slice(&bytes)
                .map_err(|e| HubError::BadResponse(format!("{e}")))?;
            return Ok((parsed, sent));
        }
        Err(refusal(status, &bytes))
    }
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

fn refusal(status: StatusCode, body: &[u8]) -> HubError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => HubError::Refused {
            status: status.as_u16(),
            code: e.code,
            message: e.message,
        },
        Err(_) => HubError::Refused {
            status: status.as_u16(),
            code: format!("http_{}", status.as_u16()),
            message: status
                .canonical_reason()
                .unwrap_or("unexpected answer")
                .to_owned(),
        },
    }
}
