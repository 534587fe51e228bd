//! Putting the application on a socket, and taking it off gracefully: on
//! shutdown the listener stops accepting, requests in flight finish, and
//! only then is the database closed.
//!
//! With a certificate the hub speaks HTTPS ([`serve_tls`]); without one it
//! speaks plain HTTP, which [`check_plain_http`] allows only on loopback and
//! private LAN addresses unless the operator insists. Either way each
//! connection is served under [`ConnectionLimits`] ([`connections`]).

mod connections;

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use connections::{ConnectionLimits, DEFAULT_MAX_CONNECTIONS, connection_cap};

use crate::tls::{TlsConfig, TlsListener};
use crate::{AppState, app};

/// The address a connection comes from, as handlers find it
/// (`ConnectInfo<PeerAddr>`), over plain HTTP and TLS alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for PeerAddr {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        PeerAddr(*stream.remote_addr())
    }
}

/// Serves on `listener` until `shutdown` completes and every request in
/// flight has been answered.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let limits = state.limits.connections;
    serve_router(listener, app(state), limits, shutdown).await
}

/// As [`serve`], for a router with more than [`app`]'s routes (a
/// workshop's projector).
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    connections::serve_connections(listener, router, limits, shutdown).await
}

/// As [`serve`], over TLS: connections are served once their handshake is
/// done; on shutdown, handshakes in progress are abandoned and requests in
/// flight finish.
pub async fn serve_tls(
    listener: TcpListener,
    tls: &TlsConfig,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let listener = TlsListener::new(listener, tls)?;
    let limits = state.limits.connections;
    connections::serve_connections(listener, app(state), limits, shutdown).await
}

/// Whether plain HTTP may be served on `ip` without the operator insisting:
/// loopback (127.0.0.0/8, ::1) and private LANs (10/8, 172.16/12,
/// 192.168/16, 169.254/16 and fe80::/10 link-local, fc00::/7 unique local).
/// The unspecified address (0.0.0.0, ::) means every address, public ones
/// too, so it is not.
pub fn is_local_network(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local_network(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
            }
        },
    }
}

/// Plain HTTP was asked for on an address beyond the local network.
#[derive(Debug, Error)]
#[error(
    "refusing to serve plain HTTP on {listen}: {why}; give the hub a certificate with \
     --tls-cert FILE --tls-key FILE, or pass --allow-plain-http to serve unencrypted anyway"
)]
pub struct PlainHttpRefused {
    listen: SocketAddr,
    why: &'static str,
}

/// Refuses plain HTTP on `listen` unless it is loopback or a private LAN
/// address (see [`is_local_network`]).
pub fn check_plain_http(listen: SocketAddr) -> Result<(), PlainHttpRefused> {
    let ip = listen.ip();
    if is_local_network(ip) {
        return Ok(());
    }
    let why = if ip.is_unspecified() {
        "it listens on every address of this machine, public ones too"
    } else {
        "it is not a loopback or private LAN address"
    };
    Err(PlainHttpRefused { listen, why })
}

/// A hub serving in this process: what tests start.
pub struct RunningHub {
    addr: SocketAddr,
    scheme: &'static str,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

impl RunningHub {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, such as `http://127.0.0.1:41234` (or `https://` for
    /// a hub started with [`start_tls`]).
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.map_err(io::Error::other)?
    }
}

impl Drop for RunningHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds `listen` (port 0 picks a free port) and serves in a task.
pub async fn start(listen: SocketAddr, state: AppState) -> io::Result<RunningHub> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async move {
        let _ = stopped.await;
    }));
    Ok(RunningHub {
        addr,
        scheme: "http",
        stop: Some(stop),
        task,
    })
}

/// As [`start`], serving HTTPS with `tls`.
pub async fn start_tls(
    listen: SocketAddr,
    state: AppState,
    tls: TlsConfig,
) -> io::Result<RunningHub> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        serve_tls(listener, &tls, state, async move {
            let _ = stopped.await;
        })
        .await
    });
    Ok(RunningHub {
        addr,
        scheme: "https",
        stop: Some(stop),
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_allowed_on_loopback_and_private_lans_only() {
        let table = [
            ("127.0.0.1", true),
            ("127.8.9.10", true),
            ("::1", true),
            ("10.0.0.1", true),
            ("10.255.255.255", true),
            ("172.16.0.1", true),
            ("172.31.255.254", true),
            ("192.168.1.10", true),
            ("169.254.3.4", true),
            ("fc00::1", true),
            ("fd12:3456::7", true),
            ("fe80::1", true),
            ("::ffff:192.168.1.10", true),
            ("::ffff:127.0.0.1", true),
            // Every address: public ones too.
            ("0.0.0.0", false),
            ("::", false),
            // Public, or not a LAN.
            ("8.8.8.8", false),
            ("172.15.255.255", false),
            ("172.32.0.1", false),
            ("192.169.0.1", false),
            ("100.64.0.1", false),
            ("11.0.0.1", false),
            ("2001:db8::1", false),
            ("2400:cb00::1", false),
            ("fec0::1", false),
            ("::ffff:8.8.8.8", false),
        ];
        for (ip, allowed) in table {
            let parsed: IpAddr = ip.parse().unwrap();
            assert_eq!(is_local_network(parsed), allowed, "{ip}");
            let listen = SocketAddr::new(parsed, 7878);
            assert_eq!(check_plain_http(listen).is_ok(), allowed, "{ip}");
        }
    }

    #[test]
    fn the_refusal_names_both_ways_out() {
        let message = check_plain_http("0.0.0.0:7878".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(message.contains("0.0.0.0:7878"), "{message}");
        assert!(message.contains("every address"), "{message}");
        assert!(
            message.contains("--tls-cert FILE --tls-key FILE"),
            "{message}"
        );
        assert!(message.contains("--allow-plain-http"), "{message}");
        assert!(!message.contains('\n'));
        let public = check_plain_http("203.0.113.7:443".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(public.contains("not a loopback or private LAN"), "{public}");
    }
}
