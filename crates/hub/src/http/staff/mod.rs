//! Who is asking, on the staff side: [`StaffAuth`] accepts a staff token
//! (`Authorization: Bearer hls_…`) or a console session cookie, refuses a
//! device's token, and spends one request of the member's budget. The
//! session endpoints are in [`session`].

pub(crate) mod session;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};

use super::{HttpError, blocking};
use crate::AppState;
use crate::secret::{STAFF_TOKEN_PREFIX, SecretHash};
use crate::server::PeerAddr;
use crate::staff::StaffMember;

/// How the member proved who they are. Session-authenticated requests
/// come from a browser, so the console checks a CSRF token on its forms
/// for those; a bearer token is never sent by a browser on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    Bearer,
    Session,
}

/// A member of staff with a working token or session, within their budget.
#[derive(Debug, Clone)]
pub(crate) struct StaffAuth {
    pub member: StaffMember,
    pub credential: Credential,
}

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        let now_ms = state.clock.now_ms();
        let (member, credential) = match bearer_token(parts)? {
            Some(token) => (staff_by_token(state, token).await?, Credential::Bearer),
            None => {
                let session = state.session_cookie.find_in(&parts.headers).ok_or(
                    HttpError::StaffUnauthorized(
                        "the request carries no staff token and no session",
                    ),
                )?;
                let hash = SecretHash::of(session);
                let store = state.store.clone();
                let member = blocking(move || store.staff_by_session(&hash, now_ms))
                    .await?
                    .ok_or(HttpError::StaffUnauthorized(
                        "this session has ended or was never started",
                    ))?;
                refuse_cross_site(parts)?;
                (member, Credential::Session)
            }
        };
        state
            .rate_limiter
            .check(&member.id.to_string(), state.limits.staff_requests, now_ms)
            .map_err(|retry_after_ms| HttpError::RateLimited { retry_after_ms })?;
        Ok(StaffAuth { member, credential })
    }
}

/// Refuses a state-changing request that a browser sent with the session
/// cookie from another site. `SameSite=Strict` already keeps the cookie off
/// such requests in current browsers; this is the second lock (OWASP's
/// "verify the origin"), by `Sec-Fetch-Site` where the browser sends it,
/// else by `Origin` against `Host`. Requests without either (not from a
/// browser) pass: they cannot carry a browser's cookie unasked.
fn refuse_cross_site(parts: &Parts) -> Result<(), HttpError> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let same_site = match (header("sec-fetch-site"), header(header::ORIGIN.as_str())) {
        (Some(site), _) => site == "same-origin" || site == "none",
        (None, Some(origin)) => {
            let origin_host = origin.split_once("://").map(|(_, host)| host);
            origin_host.is_some() && origin_host == header(header::HOST.as_str())
        }
        (None, None) => true,
    };
    if same_site {
        Ok(())
    } else {
        Err(HttpError::CrossSite)
    }
}

/// The member holding `token`. A device's token gets 403 rather than 401:
/// it is a real credential, for another door.
async fn staff_by_token(state: &AppState, token: &str) -> Result<StaffMember, HttpError> {
    let hash = SecretHash::of(token);
    let store = state.store.clone();
    let lookup = hash.clone();
    if let Some(member) = blocking(move || store.staff_by_token(&lookup)).await? {
        return Ok(member);
    }
    if !token.starts_with(STAFF_TOKEN_PREFIX) {
        let store = state.store.clone();
        if blocking(move || store.device_by_token(&hash))
            .await?
            .is_some()
        {
            return Err(HttpError::NotStaff);
        }
    }
    Err(HttpError::StaffUnauthorized(
        "this staff token is not known to the hub, or was revoked",
    ))
}

/// The token of an `Authorization: Bearer` header; `None` without the
/// header, 401 when it is there but malformed.
fn bearer_token(parts: &Parts) -> Result<Option<&str>, HttpError> {
    let Some(header) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    header
        .to_str()
        .ok()
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .map(Some)
        .ok_or(HttpError::StaffUnauthorized(
            "the Authorization header must be \"Bearer\" and a staff token",
        ))
}

/// The address the request came from, when the server records it (it
/// serves with connect info); `None` otherwise, which the login throttle
/// counts as one shared address. Behind a reverse proxy this is the
/// proxy's address: see docs/api.md.
pub(crate) struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let extensions = &parts.extensions;
        let addr = extensions
            .get::<ConnectInfo<PeerAddr>>()
            .map(|ConnectInfo(PeerAddr(addr))| *addr)
            .or_else(|| {
                extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|ConnectInfo(addr)| *addr)
            });
        Ok(ClientAddr(addr.map(|a| a.ip())))
    }
}
