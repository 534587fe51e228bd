//! Connections, one by one: how many the hub holds, and how long one may
//! sit without sending anything.
//!
//! hyper serves each connection (HTTP/1.1; the TLS listener offers nothing
//! else). What `axum::serve` leaves out is added here:
//! - a header-read timeout, which also bounds how long a kept-alive
//!   connection may wait for its next request;
//! - an idle timeout on the socket: a connection on which nothing moved,
//!   in either direction, for that long is closed (a body trickling in
//!   keeps it open, as on the mountain link, where bytes come slowly but
//!   come);
//! - a cap on open connections. Past it a connection is answered with a
//!   503 and closed, rather than left to fail `accept` once the process
//!   runs out of file descriptors, which stops the hub for everyone.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};

use super::PeerAddr;

/// How long a connection may take and how many may be open at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From the first byte of a request's head (or from the end of the
    /// previous response, on a kept-alive connection) to its last.
    pub header_read: Duration,
    /// With no byte read or written for this long, the connection closes.
    pub idle: Duration,
    /// Open connections at most; `None` sizes the cap from the process's
    /// open-files limit (see [`connection_cap`]).
    pub max_connections: Option<usize>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            max_connections: None,
        }
    }
}

/// The cap when none is set: at most this many.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// How many connections may be open at once: the one set, or half the
/// files this process may open (up to [`DEFAULT_MAX_CONNECTIONS`]); the
/// other half is for the database, photo files, TLS handshakes and the
/// 503s sent past the cap.
pub fn connection_cap(limits: &ConnectionLimits) -> usize {
    limits
        .max_connections
        .unwrap_or_else(|| (open_files_limit() / 2).clamp(16, DEFAULT_MAX_CONNECTIONS))
}

/// The open-files limit, raised first to the most the system allows this
/// process (a service's soft limit is often 1,024 under a hard one far
/// higher).
#[cfg(unix)]
fn open_files_limit() -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    usize::try_from(limit).unwrap_or(usize::MAX)
}

#[cfg(not(unix))]
fn open_files_limit() -> usize {
    2 * DEFAULT_MAX_CONNECTIONS
}

/// At most this many 503s are being written at once (fewer under a small
/// cap: each holds a file descriptor); past that a connection over the cap
/// is closed at once.
const MAX_REFUSALS: usize = 64;

/// Serves `router` on every connection `listener` accepts until `shutdown`
/// completes; then stops accepting, lets requests in flight finish, closes
/// idle connections and returns once every connection is closed.
pub(crate) async fn serve_connections<L>(
    mut listener: L,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()>
where
    L: Listener<Addr = SocketAddr>,
    L::Io: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let cap = connection_cap(&limits);
    tracing::debug!(cap, "connection cap");
    let open = Arc::new(Semaphore::new(cap));
    let refusing = Arc::new(Semaphore::new((cap / 4).clamp(1, MAX_REFUSALS)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    tokio::pin!(shutdown);
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            match refusing.clone().try_acquire_owned() {
                Ok(refusal) => {
                    tokio::spawn(async move {
                        refuse_busy(io).await;
                        drop(refusal);
                    });
                }
                Err(_) => drop(io),
            }
            tracing::warn!(%peer, cap, "refused a connection: the hub holds as many as it may");
            continue;
        };
        let service = tower::ServiceBuilder::new()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(PeerAddr(peer)));
                request
            })
            .service(router.clone());
        let connection = http.serve_connection(
            TokioIo::new(IdleTimeout::new(io, limits.idle)),
            TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The whole answer to a connection over the cap. It is written before
/// the request is read: the request may never come, and the answer is the
/// same whatever it is.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 5\r\n\
connection: close\r\n\
content-length: 93\r\n\
\r\n\
{\"code\":\"busy\",\"message\":\"the hub has too many connections open; try again in a few seconds\"}";

/// Writes [`BUSY`], then reads what the client sent for a moment, so that
/// closing with its request unread does not reset the connection before
/// the client has read the answer.
async fn refuse_busy<Io: AsyncRead + AsyncWrite + Unpin>(mut io: Io) {
    let written = tokio::time::timeout(Duration::from_secs(2), async {
        io.write_all(BUSY).await?;
        io.shutdown().await
    })
    .await;
    if matches!(written, Ok(Ok(()))) {
        let _ = tokio::time::timeout(Duration::from_millis(250), async {
            let mut sink = [0u8; 1024];
            while io.read(&mut sink).await? > 0 {}
            io::Result::Ok(())
        })
        .await;
    }
}

/// A socket that fails with `TimedOut` once nothing was read or written on
/// it for `idle`.
struct IdleTimeout<Io> {
    io: Io,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl<Io> IdleTimeout<Io> {
    fn new(io: Io, idle: Duration) -> IdleTimeout<Io> {
        IdleTimeout {
            io,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    fn moved(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
    }

    /// After the socket said it is not ready: has it been idle too long?
    fn check(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(io::Error::new(
                io::ErrorKind::TimedOut,
                "nothing was sent or received for too long",
            )),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<Io: AsyncRead + Unpin> AsyncRead for IdleTimeout<Io> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.moved();
                }
                Poll::Ready(result)
            }
            Poll::Pending => this.check(cx).map(Err),
        }
    }
}

impl<Io: AsyncWrite + Unpin> AsyncWrite for IdleTimeout<Io> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.check(cx).map(Err),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_flush(cx) {
            Poll::Pending => this.check(cx).map(Err),
            ready => ready,
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_answer_is_a_whole_http_response_with_a_json_error() {
        let text = std::str::from_utf8(BUSY).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, body.len());
        let error: highland_domain::wire::ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(error.code, "busy");
    }

    #[test]
    fn a_set_cap_is_kept_and_a_derived_one_stays_in_bounds() {
        let set = ConnectionLimits {
            max_connections: Some(7),
            ..ConnectionLimits::default()
        };
        assert_eq!(connection_cap(&set), 7);
        let derived = connection_cap(&ConnectionLimits::default());
        assert!(
            (16..=DEFAULT_MAX_CONNECTIONS).contains(&derived),
            "{derived}"
        );
    }
}
