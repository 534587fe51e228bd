//! The hub's address as buyers' phones reach it, for the URLs in QR codes
//! and the identifiers in EPCIS documents: `serve --public-url`, or else
//! the address a request came to.

use axum::http::{HeaderMap, header};

use crate::AppState;

impl AppState {
    /// `--public-url` when given, else the address this request came to:
    /// the scheme the browser says it used (its `Referer` on this host, or
    /// a proxy's `X-Forwarded-Proto`), else http. No trailing `/`.
    pub(crate) fn public_base(&self, headers: &HeaderMap) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => request_base(headers),
        }
    }
}

/// The address a request came to, as the browser used it.
fn request_base(headers: &HeaderMap) -> String {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(header::HOST.as_str())
        .map(str::trim)
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let from_referer = text(header::REFERER.as_str()).and_then(|r| {
        let (scheme, rest) = r.split_once("://")?;
        let referer_host = rest.split('/').next()?;
        (referer_host.eq_ignore_ascii_case(host)).then_some(scheme)
    });
    let scheme = from_referer
        .or_else(|| text("x-forwarded-proto"))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| s == "https" || s == "http")
        .unwrap_or_else(|| "http".to_owned());
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_base_is_the_host_asked_for_with_the_scheme_the_browser_used() {
        let base = |pairs: &[_]| request_base(&headers(pairs));
        assert_eq!(
            base(&[("host", "192.168.4.1:7878")]),
            "http://192.168.4.1:7878"
        );
        assert_eq!(
            base(&[
                ("host", "hub.example.org"),
                ("referer", "https://hub.example.org/console/lots")
            ]),
            "https://hub.example.org"
        );
        // Another site's referer says nothing about this one.
        assert_eq!(
            base(&[
                ("host", "hub.example.org"),
                ("referer", "https://evil.example/x")
            ]),
            "http://hub.example.org"
        );
        assert_eq!(
            base(&[("host", "hub.example.org"), ("x-forwarded-proto", "https")]),
            "https://hub.example.org"
        );
        assert_eq!(base(&[("host", "a b\"<")]), "http://localhost");
    }
}
