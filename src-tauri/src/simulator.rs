//! The workshop's network simulator: while a practice network is set, the
//! app's syncs (photos too) go through a fault-injecting proxy on this
//! device, in front of the hub, that behaves as that network: the same
//! machinery the tests use (highland-netsim), not a separate fake.
//!
//! Only a hub reached over plain `http://` (a workshop hub on the LAN) can
//! be simulated: sending an `https://` hub's requests to a local proxy
//! would change the address its certificate is checked against. Syncs with
//! such a hub go straight to it, and the UI says so.

use std::net::SocketAddr;

use highland_domain::SimulatedNetwork;
use highland_netsim::{FaultyProxy, LinkProfile, Offline};

use crate::error::{AppError, AppResult, ErrorCode};

/// The proxy, started on the first sync that needs it.
#[derive(Default)]
pub(crate) struct Simulator {
    running: tokio::sync::Mutex<Option<Running>>,
}

struct Running {
    upstream: SocketAddr,
    proxy: FaultyProxy,
}

/// Whether syncs with the hub at `hub_url` can go through the simulator.
pub fn can_simulate(hub_url: &str) -> bool {
    split_http(hub_url).is_some()
}

/// `http://host:port/prefix` as its authority (with the port, 80 if none)
/// and the rest (the path prefix, possibly empty).
fn split_http(hub_url: &str) -> Option<(String, &str)> {
    let rest = hub_url.trim().strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    // "[::1]:7878", "host:7878", "host", "[::1]".
    let has_port = match authority.rfind(']') {
        Some(end) => authority[end..].contains(':'),
        None => authority.contains(':'),
    };
    let authority = if has_port {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    Some((authority, path.trim_end_matches('/')))
}

/// How the proxy behaves as `network`.
fn behave_as(proxy: &FaultyProxy, network: SimulatedNetwork) {
    match LinkProfile::for_network(network) {
        None => proxy.set_offline(Some(Offline::Refuse)),
        Some(profile) => {
            proxy.set_profile(profile);
            proxy.set_offline(None);
        }
    }
}

impl Simulator {
    /// Where a sync with the hub at `hub_url` sends its requests while
    /// `network` is the practice network: the simulator's address (started
    /// or switched as needed), or `None` for the hub itself (the real
    /// network, or a hub that cannot be simulated).
    pub async fn route(
        &self,
        hub_url: &str,
        network: Option<SimulatedNetwork>,
    ) -> AppResult<Option<String>> {
        let mut running = self.running.lock().await;
        let (Some(network), Some((authority, prefix))) = (network, split_http(hub_url)) else {
            if let Some(old) = running.take() {
                old.proxy.shutdown().await;
            }
            return Ok(None);
        };
        let upstream = tokio::net::lookup_host(authority.as_str())
            .await
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::HubUnreachable,
                    format!("the hub's address {authority} could not be found"),
                )
            })?;
        if running.as_ref().is_none_or(|r| r.upstream != upstream) {
            if let Some(old) = running.take() {
                old.proxy.shutdown().await;
            }
            let proxy = FaultyProxy::start(upstream, LinkProfile::perfect(), rand::random())
                .await
                .map_err(|e| {
                    AppError::new(
                        ErrorCode::Internal,
                        format!("the network simulator did not start: {e}"),
                    )
                })?;
            *running = Some(Running { upstream, proxy });
        }
        let proxy = &running.as_ref().expect("started above").proxy;
        behave_as(proxy, network);
        Ok(Some(format!("{}{prefix}", proxy.url())))
    }

    /// Switches a running simulator at once: going offline cuts the
    /// connections open now, as losing the signal does. A sync that starts
    /// later routes itself by the setting.
    pub async fn switch(&self, network: Option<SimulatedNetwork>) {
        let mut running = self.running.lock().await;
        match network {
            Some(network) => {
                if let Some(r) = running.as_ref() {
                    behave_as(&r.proxy, network);
                }
            }
            None => {
                if let Some(old) = running.take() {
                    old.proxy.shutdown().await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_hubs_are_simulated_and_their_port_and_prefix_kept() {
        assert_eq!(
            split_http("http://192.168.4.1:7878"),
            Some(("192.168.4.1:7878".into(), ""))
        );
        assert_eq!(
            split_http("http://hub.local/highland/"),
            Some(("hub.local:80".into(), "/highland"))
        );
        assert_eq!(
            split_http("http://[::1]:7878/"),
            Some(("[::1]:7878".into(), ""))
        );
        assert_eq!(split_http("http://[::1]"), Some(("[::1]:80".into(), "")));
        assert!(!can_simulate("https://hub.example.cn"));
        assert!(!can_simulate("ftp://hub"));
        assert!(!can_simulate("http://"));
    }

    #[tokio::test]
    async fn the_route_follows_the_setting_and_the_real_network_stops_the_proxy() {
        let hub = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hub_url = format!("http://{}", hub.local_addr().unwrap());
        let sim = Simulator::default();
        assert_eq!(sim.route(&hub_url, None).await.unwrap(), None);
        let through = sim
            .route(&hub_url, Some(SimulatedNetwork::Good))
            .await
            .unwrap()
            .unwrap();
        assert!(through.starts_with("http://127.0.0.1:"), "{through}");
        assert_ne!(through, hub_url);
        // The same proxy stays while the hub does.
        let again = sim
            .route(&hub_url, Some(SimulatedNetwork::Offline))
            .await
            .unwrap();
        assert_eq!(again.as_deref(), Some(through.as_str()));
        // Offline refuses connections.
        let addr = through.trim_start_matches("http://").to_owned();
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut buf = [0u8; 1];
        let read = tokio::io::AsyncReadExt::read(&mut conn, &mut buf).await;
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        // An https hub goes straight, and the proxy stops.
        assert_eq!(
            sim.route("https://hub.example.cn", Some(SimulatedNetwork::Offline))
                .await
                .unwrap(),
            None
        );
        assert!(tokio::net::TcpStream::connect(&addr).await.is_err());
    }
}
