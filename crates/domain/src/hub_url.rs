//! A hub's address as a seller or trainer types it. Workshop hubs serve
//! plain HTTP on the room's network and have no certificate, so an address
//! typed without a scheme cannot simply get `https://`: that would fail for
//! every workshop. A local or private address gets `http://`, anything else
//! `https://`; a scheme that was typed is kept.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `input`, trimmed, with `http://` or `https://` in front when it has no
/// scheme, and without trailing slashes.
pub fn with_scheme(input: &str) -> String {
    let s = input.trim().trim_end_matches('/');
    if s.is_empty() || has_scheme(s) {
        return s.to_owned();
    }
    let scheme = if is_local(host_of(s)) {
        "http"
    } else {
        "https"
    };
    format!("{scheme}://{s}")
}

fn has_scheme(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

/// The host of `host[:port][/path]`, without brackets around an IPv6 address.
fn host_of(s: &str) -> &str {
    let authority = s.split(['/', '?', '#']).next().unwrap_or(s);
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    // A bare IPv6 address has several colons; host:port has one.
    if authority.matches(':').count() > 1 {
        return authority;
    }
    authority.split(':').next().unwrap_or(authority)
}

/// On this machine or the room's network: loopback, private and link-local
/// addresses, `localhost`, mDNS `.local` names, and single-label names a
/// LAN's own DNS answers.
fn is_local(host: &str) -> bool {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => is_local_v4(ip),
        Ok(IpAddr::V6(ip)) => is_local_v6(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".local")
                || name.ends_with(".lan")
                || !name.contains('.')
        }
    }
}

fn is_local_v4(ip: Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local()
}

fn is_local_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || (first & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || ip.to_ipv4_mapped().is_some_and(is_local_v4)
}

#[cfg(test)]
mod tests {
    use super::with_scheme;

    #[test]
    fn a_typed_scheme_is_kept() {
        assert_eq!(
            with_scheme("http://hub.example.cn"),
            "http://hub.example.cn"
        );
        assert_eq!(
            with_scheme("https://192.168.1.10:7878/"),
            "https://192.168.1.10:7878"
        );
        assert_eq!(
            with_scheme("  HTTP://10.0.0.2:7878 "),
            "HTTP://10.0.0.2:7878"
        );
    }

    #[test]
    fn a_local_or_private_address_gets_plain_http() {
        for (typed, url) in [
            ("192.168.1.10:7878", "http://192.168.1.10:7878"),
            ("10.0.0.2:7878", "http://10.0.0.2:7878"),
            ("172.20.3.4", "http://172.20.3.4"),
            ("127.0.0.1:7878", "http://127.0.0.1:7878"),
            ("169.254.10.1:7878", "http://169.254.10.1:7878"),
            ("localhost:7878", "http://localhost:7878"),
            (
                "trainer-laptop.local:7878",
                "http://trainer-laptop.local:7878",
            ),
            ("workshop:7878", "http://workshop:7878"),
            ("[fe80::1]:7878", "http://[fe80::1]:7878"),
            ("[fd12:3456::1]:7878", "http://[fd12:3456::1]:7878"),
            ("[::1]:7878/", "http://[::1]:7878"),
        ] {
            assert_eq!(with_scheme(typed), url, "{typed}");
        }
    }

    #[test]
    fn a_public_address_gets_https() {
        for (typed, url) in [
            ("hub.deqen.example.cn", "https://hub.deqen.example.cn"),
            (
                "hub.deqen.example.cn:8443/",
                "https://hub.deqen.example.cn:8443",
            ),
            ("8.8.8.8", "https://8.8.8.8"),
            ("172.32.0.1", "https://172.32.0.1"),
            ("[2001:db8::1]:443", "https://[2001:db8::1]:443"),
        ] {
            assert_eq!(with_scheme(typed), url, "{typed}");
        }
        assert_eq!(with_scheme("   "), "");
    }
}
