//! The headers that keep a browser from doing more with a response than its
//! page needs: a Content-Security-Policy that fits each kind of page, no
//! MIME sniffing, no referrer to other sites, no framing.
//!
//! The console and the trace page run no JavaScript, so their policies
//! allow none. The trace page and the projector keep their styles (and the
//! projector its one script) inline, to cost no second round trip on a
//! slow link; the policy allows exactly those texts by their SHA-256.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The policy of one kind of page.
#[derive(Clone)]
pub(crate) struct PagePolicy(HeaderValue);

impl PagePolicy {
    /// The console: its stylesheet and images from the hub, forms posted
    /// back to it, nothing else.
    pub(crate) fn console() -> PagePolicy {
        PagePolicy::new(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        )
    }

    /// A page with an inline `<style>` whose text, as sent, is `style`:
    /// images from the hub, no forms, no script.
    pub(crate) fn inline_style(style: &str) -> PagePolicy {
        PagePolicy::new(&format!(
            "default-src 'none'; style-src {}; img-src 'self'; form-action 'none'; \
             frame-ancestors 'none'; base-uri 'none'",
            source_hash(style)
        ))
    }

    /// The projector: its inline style and script, and its event stream.
    pub(crate) fn projector(style: &str, script: &str) -> PagePolicy {
        PagePolicy::new(&format!(
            "default-src 'none'; style-src {}; script-src {}; connect-src 'self'; \
             img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
            source_hash(style),
            source_hash(script)
        ))
    }

    fn new(policy: &str) -> PagePolicy {
        // Every policy is ASCII built from constants and base64.
        PagePolicy(
            HeaderValue::from_str(policy).unwrap_or(HeaderValue::from_static(
                "default-src 'none'; frame-ancestors 'none'",
            )),
        )
    }

    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        self.0.to_str().unwrap_or("")
    }
}

/// The CSP source that allows an inline element with exactly this text.
pub(crate) fn source_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// Adds the headers to every response, and the policy to every HTML one
/// (a PDF or a photo is not a page, and a policy could stop a browser's
/// own viewer from showing it).
pub(crate) async fn page_headers(
    State(policy): State<PagePolicy>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy.0);
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    every_response(headers);
    response
}

/// What every response of the hub carries, API and files included.
///
/// The referrer policy is `same-origin`, not `no-referrer`: under
/// `no-referrer` a browser sends `Origin: null` with a form's POST, and on
/// a workshop's plain-HTTP LAN address (not a secure context, so no
/// `Sec-Fetch-Site` either) the console could then not tell its own forms
/// from another site's. Other sites still learn nothing.
pub(crate) fn every_response(headers: &mut axum::http::HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// [`every_response`] as a middleware, for the API's routes.
pub(crate) async fn api_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    every_response(response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_hash_is_the_base64_sha256_of_the_text() {
        // The example in CSP Level 3, section 8.3.
        assert_eq!(
            source_hash("alert('Hello, world.');"),
            "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
        );
    }

    #[test]
    fn the_console_allows_no_script_and_no_framing() {
        let policy = PagePolicy::console();
        assert!(policy.text().starts_with("default-src 'none';"));
        assert!(!policy.text().contains("script-src"));
        assert!(policy.text().contains("frame-ancestors 'none'"));
    }
}
