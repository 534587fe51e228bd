//! Finding a workshop hub on the LAN without typing its address.
//!
//! A workshop runs on a laptop and a phone hotspot, where addresses change
//! from one village hall to the next. The hub advertises itself with
//! mDNS/DNS-SD (RFC 6762/6763) as a `_highland._tcp` service whose TXT record
//! carries its URL; a tablet or the CLI browses for that service and offers
//! what it finds. Discovery only suggests an address: a device still needs a
//! one-time enrollment code to join, so a rogue advertisement gains nothing
//! without one.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use mdns_sd::{ServiceDaemon, ServiceEvent, ServiceInfo};

pub mod lan_test;

/// The DNS-SD service type of a Highland hub.
pub const SERVICE_TYPE: &str = "_highland._tcp.local.";

/// The TXT key that holds the hub's URL as devices should use it.
const URL_KEY: &str = "url";

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("could not start mDNS on this device's network: {0}")]
    Mdns(#[from] mdns_sd::Error),
}

/// A hub found on the LAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundHub {
    /// The name the hub advertises, as a trainer would recognise it.
    pub name: String,
    /// The URL to enroll with.
    pub url: String,
}

/// A hub's advertisement; dropping it withdraws the advertisement.
pub struct Advertisement {
    daemon: ServiceDaemon,
    fullname: String,
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        // A goodbye packet lets browsers forget the hub at once instead of
        // after the record's TTL; failures only mean it is forgotten later.
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            let _ = done.recv_timeout(Duration::from_secs(1));
        }
        let _ = self.daemon.shutdown();
    }
}

/// Advertises a hub reachable at `hub_url` (listening on `port`) as
/// `instance_name`, on every interface, loopback included (a trainer's
/// laptop often runs the app beside the hub).
pub fn advertise(
    instance_name: &str,
    hub_url: &str,
    port: u16,
) -> Result<Advertisement, DiscoveryError> {
    let daemon = ServiceDaemon::new()?;
    let host = format!("{}.local.", host_label(instance_name));
    let properties = [(URL_KEY, hub_url), ("workshop", "1")];
    let info = ServiceInfo::new(
        SERVICE_TYPE,
        instance_name,
        &host,
        (),
        port,
        &properties[..],
    )?
    .enable_addr_auto();
    let fullname = info.get_fullname().to_owned();
    daemon.register(info)?;
    Ok(Advertisement { daemon, fullname })
}

/// Browses the LAN for hubs for `timeout`, and returns those found, by name.
pub fn browse(timeout: Duration) -> Result<Vec<FoundHub>, DiscoveryError> {
    let daemon = ServiceDaemon::new()?;
    let events = daemon.browse(SERVICE_TYPE)?;
    let deadline = Instant::now() + timeout;
    let mut found = BTreeMap::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(service)) => {
                let name = instance_of(&service.fullname);
                let addresses = service.get_addresses_v4().into_iter().map(IpAddr::V4);
                let url = service
                    .get_property_val_str(URL_KEY)
                    .map(str::to_owned)
                    .or_else(|| url_from(addresses, service.port));
                if let Some(url) = url {
                    found.insert(name.clone(), FoundHub { name, url });
                }
            }
            Ok(ServiceEvent::ServiceRemoved(_, fullname)) => {
                found.remove(&instance_of(&fullname));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.stop_browse(SERVICE_TYPE);
    let _ = daemon.shutdown();
    Ok(found.into_values().collect())
}

/// The instance part of `Trainer's hub._highland._tcp.local.`.
fn instance_of(fullname: &str) -> String {
    fullname
        .strip_suffix(SERVICE_TYPE)
        .map(|name| name.trim_end_matches('.'))
        .unwrap_or(fullname)
        .to_owned()
}

/// A hub without a URL in its TXT record is reached at its first non-loopback address.
fn url_from(addresses: impl Iterator<Item = IpAddr>, port: u16) -> Option<String> {
    let mut addresses: Vec<IpAddr> = addresses.collect();
    addresses.sort_by_key(|ip| ip.is_loopback());
    addresses.first().map(|ip| format!("http://{ip}:{port}"))
}

/// A DNS host label from a free-text name: ASCII letters, digits and dashes.
fn host_label(name: &str) -> String {
    let label: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let label = label.trim_matches('-');
    if label.is_empty() {
        "highland-hub".to_owned()
    } else {
        label.chars().take(63).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_name_is_what_precedes_the_service_type() {
        assert_eq!(
            instance_of("德钦 workshop._highland._tcp.local."),
            "德钦 workshop"
        );
    }

    #[test]
    fn a_host_label_keeps_only_what_dns_allows() {
        assert_eq!(host_label("Highland workshop 德钦"), "highland-workshop");
        assert_eq!(host_label("德钦"), "highland-hub");
    }

    #[test]
    fn a_url_prefers_a_lan_address_to_loopback() {
        let addresses = ["127.0.0.1", "192.168.43.10"].map(|a| a.parse::<IpAddr>().unwrap());
        assert_eq!(
            url_from(addresses.into_iter(), 7878).as_deref(),
            Some("http://192.168.43.10:7878")
        );
    }
}
