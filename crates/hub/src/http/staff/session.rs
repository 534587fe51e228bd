//! Console sessions over HTTP: [`start`] and [`end`] are what the console's
//! login form and logout button call (they only render pages around them);
//! `POST`, `GET` and `DELETE /v1/session` are the same for API clients.

use std::net::IpAddr;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ClientAddr, Credential, StaffAuth};
use crate::AppState;
use crate::admin::format_ms;
use crate::http::body::read_body;
use crate::http::openapi::ApiError;
use crate::http::{HttpError, blocking};
use crate::secret::{SecretHash, new_session_id};
use crate::staff::{LoginAttempt, LoginOutcome, StaffMember, address_key};

/// A session just started: the member, and the `Set-Cookie` value that
/// hands it to the browser.
pub(crate) struct Started {
    pub member: StaffMember,
    pub expires_at_ms: u64,
    pub set_cookie: HeaderValue,
}

/// Checks a name and token typed at a login form, within the login
/// throttle, and stores a new session. Errors: [`HttpError::LoginRefused`]
/// (401), [`HttpError::LoginThrottled`] (429 with `Retry-After`).
pub(crate) async fn start(
    state: &AppState,
    name: &str,
    token: &str,
    client: Option<IpAddr>,
) -> Result<Started, HttpError> {
    let session_id = new_session_id();
    let attempt = LoginAttempt {
        name: name.trim().to_owned(),
        token: SecretHash::of(token.trim()),
        address_key: address_key(client),
        session: SecretHash::of(&session_id),
        now_ms: state.clock.now_ms(),
    };
    let rules = state.limits.login;
    let store = state.store.clone();
    let key = attempt.address_key.clone();
    match blocking(move || store.log_in(&attempt, &rules)).await? {
        LoginOutcome::LoggedIn {
            staff,
            expires_at_ms,
        } => {
            tracing::info!(staff = %staff.id, name = %staff.name, "staff logged in");
            let cookie = state
                .session_cookie
                .set(&session_id, rules.session_lifetime_ms);
            Ok(Started {
                member: staff,
                expires_at_ms,
                set_cookie: HeaderValue::try_from(cookie)
                    .map_err(|e| HttpError::Internal(format!("session cookie: {e}")))?,
            })
        }
        LoginOutcome::Refused => {
            tracing::warn!(client = %key, "staff login refused");
            Err(HttpError::LoginRefused)
        }
        LoginOutcome::Throttled { retry_after_ms } => {
            tracing::warn!(client = %key, retry_after_ms, "staff login throttled");
            Err(HttpError::LoginThrottled { retry_after_ms })
        }
    }
}

/// Ends the session a request's cookie names, if any, and returns the
/// `Set-Cookie` value that makes the browser forget it.
pub(crate) async fn end(state: &AppState, headers: &HeaderMap) -> Result<HeaderValue, HttpError> {
    if let Some(session) = state.session_cookie.find_in(headers) {
        let hash = SecretHash::of(session);
        let store = state.store.clone();
        blocking(move || store.end_session(&hash)).await?;
    }
    Ok(HeaderValue::from_str(&state.session_cookie.expired())
        .expect("a fixed cookie is a valid header"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    /// The member's name, exactly as `highland-hub staff add` was given it.
    name: String,
    /// The member's staff token (`hls_…`).
    token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionStarted {
    staff_id: String,
    name: String,
    /// RFC 3339, UTC: the session ends then, whatever happens meanwhile.
    expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WhoAmI {
    staff_id: String,
    name: String,
    /// `bearer` (a staff token) or `session` (a console cookie).
    credential: String,
}

/// Log in with a name and a staff token; the session comes back as a cookie.
#[utoipa::path(
    post,
    path = "/v1/session",
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, body = SessionStarted, description = "Logged in",
         headers(("set-cookie" = String,
                  description = "__Host-highland_session=…; Max-Age=43200; Path=/; Secure; HttpOnly; SameSite=Strict"))),
        (status = 400, body = ApiError, description = "The body is not {name, token}"),
        (status = 401, body = ApiError, description = "`login_refused`: wrong name or token"),
        (status = 413, body = ApiError, description = "`too_large`"),
        (status = 429, body = ApiError, description = "`too_many_attempts`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn log_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, HttpError> {
    let request: LoginRequest = read_body(&headers, body, state.limits.api_body_bytes).await?;
    let started = start(&state, &request.name, &request.token, client).await?;
    Ok((
        [(header::SET_COOKIE, started.set_cookie)],
        Json(SessionStarted {
            staff_id: started.member.id.to_string(),
            name: started.member.name,
            expires_at: format_ms(started.expires_at_ms),
        }),
    )
        .into_response())
}

/// Who the credential belongs to.
#[utoipa::path(
    get,
    path = "/v1/session",
    tag = "session",
    security(("staff_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, body = WhoAmI),
        (status = 401, body = ApiError, description = "`unauthorized`"),
        (status = 403, body = ApiError, description = "`not_staff`: a device's token"),
        (status = 429, body = ApiError, description = "`rate_limited`",
         headers(("retry-after" = u64, description = "Seconds to wait"))),
    )
)]
pub(crate) async fn who_am_i(staff: StaffAuth) -> Json<WhoAmI> {
    Json(WhoAmI {
        staff_id: staff.member.id.to_string(),
        name: staff.member.name,
        credential: match staff.credential {
            Credential::Bearer => "bearer",
            Credential::Session => "session",
        }
        .to_owned(),
    })
}

/// Log out: the session the cookie names ends, and the cookie is cleared.
#[utoipa::path(
    delete,
    path = "/v1/session",
    tag = "session",
    responses(
        (status = 204, description = "Logged out (also when there was no session)",
         headers(("set-cookie" = String, description = "The session cookie, expired"))),
    )
)]
pub(crate) async fn log_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let cookie = end(&state, &headers).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}
