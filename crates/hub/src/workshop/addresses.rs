//! The hub's addresses on the hall's LAN: what the trainer reads out and
//! what the tablets' QR codes hold.

use std::net::{IpAddr, Ipv4Addr};

/// This machine's IPv4 addresses other than loopback, in the order the
/// system lists its interfaces; empty when there is no network but
/// loopback (a laptop alone, before the hotspot is up).
///
/// IPv4 only: a phone hotspot or a small router hands out IPv4, and an
/// address typed on a tablet must be short.
pub fn lan_addresses() -> Vec<IpAddr> {
    let mut found: Vec<IpAddr> = if_addrs::get_if_addrs()
        .map(|interfaces| {
            interfaces
                .into_iter()
                .map(|i| i.ip())
                .filter(|ip| ip.is_ipv4() && !ip.is_loopback() && !ip.is_unspecified())
                .collect()
        })
        .unwrap_or_default();
    found.dedup();
    found
}

/// The address to put in the hub's URL: the one it listens on when that is
/// a single address, else the first LAN address, else loopback (so the
/// trainer's own machine still works, and the command says why).
pub(crate) fn advertised_ip(listen: IpAddr, lan: &[IpAddr]) -> IpAddr {
    if !listen.is_unspecified() {
        return listen;
    }
    lan.first()
        .copied()
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_specific_listen_address_is_the_hubs_address() {
        let lan = ["192.168.4.1".parse().unwrap()];
        assert_eq!(
            advertised_ip("127.0.0.1".parse().unwrap(), &lan),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(advertised_ip("0.0.0.0".parse().unwrap(), &lan), lan[0]);
        assert_eq!(
            advertised_ip("0.0.0.0".parse().unwrap(), &[]),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn lan_addresses_are_never_loopback() {
        assert!(
            lan_addresses()
                .iter()
                .all(|ip| !ip.is_loopback() && ip.is_ipv4())
        );
    }
}
