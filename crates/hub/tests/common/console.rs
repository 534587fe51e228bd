//! The staff console as a browser without JavaScript uses it: forms
//! posted as `application/x-www-form-urlencoded`, the session in a cookie,
//! redirects read rather than followed.

use reqwest::StatusCode;
use reqwest::redirect::Policy;

use super::{Staff, TestHub, form_encode, http_client};

/// A browser's view of one response.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Page {
    /// The CSRF token of the page's first form.
    pub fn csrf(&self) -> String {
        let (_, after) = self
            .body
            .split_once("name=\"csrf\" value=\"")
            .expect("a form with a CSRF token");
        after.split('"').next().unwrap().to_owned()
    }
}

pub struct Browser<'a> {
    pub hub: &'a TestHub,
    pub http: reqwest::Client,
    pub cookie: Option<String>,
    pub lang: &'static str,
}

impl<'a> Browser<'a> {
    pub fn new(hub: &'a TestHub) -> Browser<'a> {
        Browser {
            hub,
            http: http_client().redirect(Policy::none()).build().unwrap(),
            cookie: None,
            lang: "en",
        }
    }

    pub async fn read(&self, response: reqwest::Response) -> Page {
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let location = header("location");
        let set_cookies = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let body = response.text().await.unwrap();
        assert!(!body.contains("<script"), "a page with a script: {body}");
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.hub.url))
            .header("accept-language", self.lang);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        request
    }

    pub async fn get(&self, path: &str) -> Page {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .request(reqwest::Method::POST, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub async fn sign_in(&mut self, staff: &Staff) {
        let page = self
            .post(
                "/console/login",
                &[("name", &staff.name), ("token", &staff.token)],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location.as_deref(), Some("/console/listings"));
        let cookie = page
            .set_cookies
            .iter()
            .find(|c| {
                c.starts_with(highland_hub::staff::SESSION_COOKIE)
                    || c.starts_with(highland_hub::staff::PLAIN_HTTP_SESSION_COOKIE)
            })
            .expect("a session cookie");
        self.cookie = Some(cookie.split(';').next().unwrap().to_owned());
    }
}
