//! HTTPS: the hub's certificate and key, read from PEM files, and a listener
//! that completes TLS handshakes before handing connections to the server.
//!
//! Handshakes run in tasks of their own, so a slow or silent client delays
//! no one else; each has a deadline, and at most [`MAX_HANDSHAKES`] run at
//! once (past that, the listener waits before accepting more). A client that
//! speaks plain HTTP to the TLS port gets a plain `400` that names the
//! `https://` address, rather than a connection closed without a word.
//!
//! The crypto is rustls on the ring provider, chosen here explicitly: the hub
//! never relies on a process-wide default provider.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use highland_domain::wire::{ErrorBody, HubErrorCode};
use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A handshake that has not finished by then is abandoned. The mountain
/// link's round trips take 2 s; a TLS 1.3 handshake needs one or two.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Handshakes in progress at once; more connections wait in the backlog.
pub const MAX_HANDSHAKES: usize = 256;
/// The first byte of every TLS connection: a handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// How much of a plain-HTTP request head is read to answer it.
const MAX_PLAIN_HEAD: usize = 8 * 1024;

/// The hub's certificate chain and private key, ready to serve.
#[derive(Clone)]
pub struct TlsConfig {
    server: Arc<ServerConfig>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig").finish_non_exhaustive()
    }
}

/// Why a certificate or key cannot be served. Each says which file.
#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error(
        "{} holds no certificate (expected PEM text beginning with -----BEGIN CERTIFICATE-----)",
        path.display()
    )]
    NoCertificate { path: PathBuf },
    #[error(
        "{} holds no private key (expected PEM text such as -----BEGIN PRIVATE KEY-----)",
        path.display()
    )]
    NoKey { path: PathBuf },
    #[error("{} is not valid PEM: {detail}", path.display())]
    BadPem { path: PathBuf, detail: String },
    #[error("the key in {} does not belong to the certificate in {}", key.display(), cert.display())]
    KeyMismatch { cert: PathBuf, key: PathBuf },
    #[error("the certificate in {} cannot be served: {detail}", cert.display())]
    Unusable { cert: PathBuf, detail: String },
}

impl TlsConfig {
    /// Reads the certificate chain (the hub's certificate first, then any
    /// intermediates) and its private key (PKCS#8, PKCS#1 or SEC1), both PEM.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsConfig, TlsError> {
        let cert_pem = read(cert)?;
        let key_pem = read(key)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad_pem(cert, e))?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate {
                path: cert.to_owned(),
            });
        }
        let private_key = match PrivateKeyDer::from_pem_slice(&key_pem) {
            Ok(k) => k,
            Err(pem::Error::NoItemsFound) => {
                return Err(TlsError::NoKey {
                    path: key.to_owned(),
                });
            }
            Err(e) => return Err(bad_pem(key, e)),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let unusable = |e: rustls::Error| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::KeyMismatch {
                cert: cert.to_owned(),
                key: key.to_owned(),
            },
            other => TlsError::Unusable {
                cert: cert.to_owned(),
                detail: other.to_string(),
            },
        };
        let mut server = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(unusable)?
            .with_no_client_auth()
            .with_single_cert(chain, private_key)
            .map_err(unusable)?;
        // The hub speaks HTTP/1.1 only.
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig {
            server: Arc::new(server),
        })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|error| TlsError::Read {
        path: path.to_owned(),
        error,
    })
}

fn bad_pem(path: &Path, e: pem::Error) -> TlsError {
    match e {
        pem::Error::NoItemsFound => TlsError::NoCertificate {
            path: path.to_owned(),
        },
        other => TlsError::BadPem {
            path: path.to_owned(),
            detail: other.to_string(),
        },
    }
}

type Handshaken = (TlsStream<TcpStream>, SocketAddr);

/// A listener whose connections have completed a TLS handshake; what
/// [`axum::serve`] accepts from. Dropping it stops accepting and abandons
/// the handshakes in progress.
pub struct TlsListener {
    local_addr: SocketAddr,
    ready: mpsc::Receiver<Handshaken>,
    accepting: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `listener`; must be called within a Tokio runtime.
    pub fn new(listener: TcpListener, tls: &TlsConfig) -> io::Result<TlsListener> {
        let local_addr = listener.local_addr()?;
        let (done, ready) = mpsc::channel(MAX_HANDSHAKES);
        let acceptor = TlsAcceptor::from(tls.server.clone());
        let accepting = tokio::spawn(accept_loop(listener, acceptor, done));
        Ok(TlsListener {
            local_addr,
            ready,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            None => {
                // Only a panic ends the accept loop while this receiver lives.
                tracing::error!("the TLS accept loop stopped; no new connections");
                std::future::pending().await
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}

async fn accept_loop(listener: TcpListener, acceptor: TlsAcceptor, done: mpsc::Sender<Handshaken>) {
    let mut handshakes = JoinSet::new();
    loop {
        tokio::select! {
            _ = done.closed() => return,
            Some(_) = handshakes.join_next(), if !handshakes.is_empty() => {}
            accepted = listener.accept(), if handshakes.len() < MAX_HANDSHAKES => match accepted {
                Ok((tcp, peer)) => {
                    handshakes.spawn(handshake(tcp, peer, acceptor.clone(), done.clone()));
                }
                Err(e) => accept_error(e).await,
            },
        }
    }
}

/// As axum's own accept loop: errors of one connection are skipped; others
/// (out of file descriptors) are logged and waited out.
async fn accept_error(e: io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

async fn handshake(
    tcp: TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    done: mpsc::Sender<Handshaken>,
) {
    let _ = tcp.set_nodelay(true);
    let outcome = tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
        let mut first = [0u8; 1];
        if tcp.peek(&mut first).await? == 0 {
            return Ok(None);
        }
        if first[0] != TLS_HANDSHAKE_RECORD {
            if first[0].is_ascii_uppercase() {
                tracing::info!(%peer, "refused a plain-HTTP request on the HTTPS port");
                refuse_plain_http(tcp).await?;
            } else {
                tracing::debug!(%peer, "closed a connection that did not start with TLS");
            }
            return Ok(None);
        }
        acceptor.accept(tcp).await.map(Some)
    })
    .await;
    match outcome {
        Ok(Ok(Some(tls))) => {
            // Fails only when the server stopped accepting: then the
            // connection is dropped, as one still in the backlog would be.
            let _ = done.send((tls, peer)).await;
        }
        Ok(Ok(None)) => {}
        Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
    }
}

/// Answers a plain-HTTP request with `400 https_required`, naming the
/// `https://` address when the request's `Host` says what it is.
async fn refuse_plain_http(mut tcp: TcpStream) -> io::Result<()> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 4096];
    while head.len() < MAX_PLAIN_HEAD && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tcp.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let message = match host_header(&head) {
        Some(host) => format!("this hub speaks HTTPS only; use https://{host} as its address"),
        None => "this hub speaks HTTPS only; use its https:// address".to_owned(),
    };
    let body = serde_json::to_string(&ErrorBody {
        code: HubErrorCode::HttpsRequired,
        message,
    })
    .map_err(io::Error::other)?;
    let response = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(response.as_bytes()).await?;
    tcp.shutdown().await?;
    // Read what the client still sends (a request body): closing a socket
    // with unread data resets the connection, and the client might lose
    // the answer. Bounded in time and size.
    let drain = async {
        let mut total = 0;
        while total < 4 * 1024 * 1024 {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    Ok(())
}

/// The `Host` header of a request head (and maybe the start of its body),
/// if it looks like a host and port.
fn host_header(head: &[u8]) -> Option<&str> {
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&head[..end]).ok()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case("host") {
            return None;
        }
        let value = value.trim();
        let plausible = !value.is_empty()
            && value.len() <= 255
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
        plausible.then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::host_header;

    #[test]
    fn the_host_header_is_read_only_when_it_looks_like_a_host() {
        let head = b"POST /v1/sync HTTP/1.1\r\nContent-Type: x\r\nhost: 10.0.0.5:7878\r\n\r\n";
        assert_eq!(host_header(head), Some("10.0.0.5:7878"));
        let v6 = b"GET / HTTP/1.1\r\nHost: [::1]:7878\r\n\r\n";
        assert_eq!(host_header(v6), Some("[::1]:7878"));
        let odd = b"GET / HTTP/1.1\r\nHost: evil.example/<script>\r\n\r\n";
        assert_eq!(host_header(odd), None);
        assert_eq!(host_header(b"GET / HTTP/1.1\r\n\r\n"), None);
        let with_body = b"POST / HTTP/1.1\r\nhost: 127.0.0.1:7\r\n\r\n\x28\xb5\x2f\xfd\xff";
        assert_eq!(host_header(with_body), Some("127.0.0.1:7"));
        let unfinished = b"POST / HTTP/1.1\r\nhost: 127.0.0.1:7\r\nContent-Le";
        assert_eq!(host_header(unfinished), None);
        assert_eq!(host_header(b"\xff\xfe"), None);
    }
}
