//! Just enough of the W3C WebDriver protocol to drive the app's real window
//! through `tauri-driver` (which hands the session to Debian's
//! WebKitWebDriver): find elements by CSS, click, type, read attributes and
//! text, take screenshots. Every wait polls, with a limit that turns a hang
//! into a failure naming what was awaited.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// The key W3C WebDriver puts element references under.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const POLL: Duration = Duration::from_millis(150);

pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

/// An element of the page, by its WebDriver reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

impl Session {
    /// Opens a session on the WebDriver server at `base` (`http://127.0.0.1:PORT`) that
    /// starts the Tauri app at `application`.
    pub async fn start(base: &str, application: &Path) -> anyhow::Result<Session> {
        // reqwest has no TLS provider of its own here (see ARCHITECTURE.md);
        // WebDriver is plain HTTP, but building a client still needs one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "wry",
                    "tauri:options": { "application": application }
                }
            }
        });
        let response: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .context("reaching tauri-driver")?
            .json()
            .await?;
        let id = response["value"]["sessionId"]
            .as_str()
            .with_context(|| format!("no session: {response}"))?
            .to_owned();
        Ok(Session {
            http,
            base: base.to_owned(),
            id,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}/session/{}{path}", self.base, self.id);
        let mut request = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            request = request.json(&body);
        } else if method == reqwest::Method::POST {
            request = request.json(&json!({}));
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let value: Value = response
            .json()
            .await
            .with_context(|| format!("{method} {path}"))?;
        if !status.is_success() {
            bail!("{method} {path}: {status} {}", value["value"]);
        }
        Ok(value["value"].clone())
    }

    /// Every element matching `css`, in document order.
    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        let found = self
            .call(
                reqwest::Method::POST,
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        Ok(found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_owned())))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Waits until an element matches `css`, and returns the first.
    pub async fn wait_for(&self, css: &str, limit: Duration) -> anyhow::Result<Element> {
        let started = Instant::now();
        loop {
            if let Some(e) = self.find_all(css).await?.into_iter().next() {
                return Ok(e);
            }
            if started.elapsed() > limit {
                bail!("{css} did not appear within {limit:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until `check` holds of the first element matching `css`.
    pub async fn wait_until(
        &self,
        css: &str,
        what: &str,
        limit: Duration,
        check: impl Fn(&ElementState) -> bool,
    ) -> anyhow::Result<ElementState> {
        let started = Instant::now();
        let mut last = None;
        loop {
            if let Some(e) = self.find_all(css).await?.into_iter().next() {
                let state = self.state(&e).await?;
                if check(&state) {
                    return Ok(state);
                }
                last = Some(state);
            }
            if started.elapsed() > limit {
                bail!("{css} was not {what} within {limit:?}; last seen: {last:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The element's text and the `data-*` attributes the tests read.
    pub async fn state(&self, e: &Element) -> anyhow::Result<ElementState> {
        Ok(ElementState {
            text: self.text(e).await?,
            count: self.attribute(e, "data-count").await?,
            stock: self.attribute(e, "data-stock").await?,
            state: self.attribute(e, "data-state").await?,
            at: self.attribute(e, "data-at").await?,
        })
    }

    /// Clicks `e` as a pointer would. When something covers it (a sticky bar
    /// over a scrolled page), scrolls it to the middle of the window and
    /// tries once more.
    pub async fn click(&self, e: &Element) -> anyhow::Result<()> {
        let path = format!("/element/{}/click", e.0);
        match self.call(reqwest::Method::POST, &path, None).await {
            Err(error) if error.to_string().contains("click intercepted") => {
                self.execute(
                    "arguments[0].scrollIntoView({block: 'center'});",
                    vec![json!({ ELEMENT_KEY: e.0 })],
                )
                .await?;
                tokio::time::sleep(Duration::from_millis(200)).await;
                self.call(reqwest::Method::POST, &path, None).await?;
                Ok(())
            }
            other => other.map(drop),
        }
    }

    /// Runs `script` in the page with `args`; returns what it returns.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Waits for `css` and clicks it.
    pub async fn click_on(&self, css: &str, limit: Duration) -> anyhow::Result<()> {
        let e = self.wait_for(css, limit).await?;
        self.click(&e)
            .await
            .with_context(|| format!("clicking {css}"))
    }

    pub async fn type_text(&self, e: &Element, text: &str) -> anyhow::Result<()> {
        self.call(
            reqwest::Method::POST,
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        )
        .await?;
        Ok(())
    }

    pub async fn text(&self, e: &Element) -> anyhow::Result<String> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/text", e.0),
                None,
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    pub async fn attribute(&self, e: &Element, name: &str) -> anyhow::Result<Option<String>> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/element/{}/attribute/{name}", e.0),
                None,
            )
            .await?;
        Ok(v.as_str().map(str::to_owned))
    }

    /// A PNG of the window, written to `path`.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        use base64_decode::decode;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        let png = decode(v.as_str().context("no screenshot")?)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png)?;
        Ok(())
    }

    /// Ends the session, which closes the app.
    pub async fn quit(self) -> anyhow::Result<()> {
        match self
            .http
            .delete(format!("{}/session/{}", self.base, self.id))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // tauri-driver may drop the connection as the app exits, before
            // it answers ("connection closed before message completed"):
            // the session is over either way.
            Err(e) if e.is_request() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// What a test reads of an element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElementState {
    pub text: String,
    pub count: Option<String>,
    pub stock: Option<String>,
    pub state: Option<String>,
    pub at: Option<String>,
}

/// Standard base64, as WebDriver sends screenshots; small enough not to need a crate.
mod base64_decode {
    pub fn decode(input: &str) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(input.len() * 3 / 4);
        let mut buffer = 0u32;
        let mut bits = 0;
        for c in input.bytes() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' | b'\n' | b'\r' => continue,
                _ => anyhow::bail!("not base64: {c:?}"),
            };
            buffer = (buffer << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((buffer >> bits) as u8);
                buffer &= (1 << bits) - 1;
            }
        }
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn decodes_standard_base64() {
            assert_eq!(super::decode("aGlnaGxhbmQ=").unwrap(), b"highland");
            assert_eq!(super::decode("eWFr").unwrap(), b"yak");
        }
    }
}
