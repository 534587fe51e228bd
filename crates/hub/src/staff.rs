//! The buyer's staff: how a member proves who they are, and how the hub
//! keeps anyone from wearing it out. Everything here is rules and types; the
//! database work sits behind [`LoginLedger`] and [`Storage`], the HTTP side
//! in `http/staff/`.
//!
//! - **Tokens.** `highland-hub staff add` prints a token once: `hls_` and
//!   256 random bits in hex ([`crate::secret::new_staff_token`]). The hub
//!   keeps only its SHA-256. Staff send it as `Authorization: Bearer …`. The
//!   prefix keeps staff and device tokens apart: the sync endpoint refuses
//!   a staff token without asking the database, and staff routes answer a
//!   device's token with 403.
//! - **Sessions.** The console logs in with a name and a token
//!   ([`log_in`]) and gets a session: a random id in a cookie
//!   ([`session_cookie`]: `Secure; HttpOnly; SameSite=Strict; Path=/`),
//!   kept hashed with an absolute expiry ([`SESSION_LIFETIME_MS`]).
//! - **Login throttling** is kept in the database ([`Throttle`], per login
//!   name and per client address), because a count kept in each process
//!   would be bypassed by spreading guesses over the processes behind a load
//!   balancer, or by waiting for a restart. A login is one transaction that
//!   reads and writes the counts, so parallel guesses cannot all read the
//!   same count either. Logins are rare, so the write costs nothing.
//! - **Rate limiting** of authenticated requests ([`RateLimiter`]) is kept
//!   in memory, per process: it is checked on every request, and a write to
//!   the database on every request would cost more than the requests it
//!   protects. With N processes a member gets up to N times the budget,
//!   which bounds abuse as well as one budget does; the limits are sized so.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use highland_domain::ShortText;
use serde::Serialize;
use utoipa::ToSchema;

use crate::admin::format_ms;
use crate::secret::{SecretHash, new_staff_token, same_hash};
use crate::storage::Storage;
use crate::{Error, Result};
use highland_exchange::ids::StaffId;

/// How long a console session lasts from login: a working day, so a
/// console left open overnight asks again in the morning.
pub const SESSION_LIFETIME_MS: u64 = 12 * 60 * 60 * 1000;

/// The session cookie's name. `__Host-` makes browsers accept it only with
/// `Secure`, `Path=/` and no `Domain`, so no other site or subdomain can set
/// or overwrite it.
pub const SESSION_COOKIE: &str = "__Host-highland_session";

/// A member of the buyer's staff as the hub knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StaffMember {
    #[schema(value_type = String)]
    pub id: StaffId,
    pub name: String,
    pub created_at_ms: u64,
    /// When their access was revoked; no token or session of theirs works.
    pub revoked_at_ms: Option<u64>,
}

/// A member about to be stored, with their token already hashed.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub id: StaffId,
    pub name: ShortText,
    pub token: SecretHash,
    pub created_at_ms: u64,
}

/// What `highland-hub staff add` prints: the token, this once only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffAdded {
    pub staff_id: String,
    pub name: String,
    pub token: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// Adds a member of staff and makes their token.
pub fn add_staff(store: &dyn Storage, name: ShortText, now_ms: u64) -> Result<StaffAdded> {
    let token = new_staff_token();
    let new = NewStaff {
        id: StaffId::new(),
        name,
        token: SecretHash::of(&token),
        created_at_ms: now_ms,
    };
    store.add_staff(&new)?;
    Ok(StaffAdded {
        staff_id: new.id.to_string(),
        name: new.name.to_string(),
        token,
        created_at: format_ms(now_ms),
    })
}

// ---------------------------------------------------------------------------
// Logging in

/// How many failed logins a key may have in a window before it is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window_ms: u64,
    pub lockout_ms: u64,
}

/// The limits on logging in: per login name (guessing one member's token)
/// and per client address (trying many names from one place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginRules {
    pub per_name: ThrottlePolicy,
    pub per_address: ThrottlePolicy,
    pub session_lifetime_ms: u64,
}

impl Default for LoginRules {
    /// Five wrong tokens for one name, or twenty from one address, within a
    /// quarter of an hour lock that name or address for a quarter of an
    /// hour. A person who mistypes gets several tries; a guesser gets 480 a
    /// day per name against 2^256 tokens.
    fn default() -> Self {
        const QUARTER_HOUR: u64 = 15 * 60 * 1000;
        LoginRules {
            per_name: ThrottlePolicy {
                max_failures: 5,
                window_ms: QUARTER_HOUR,
                lockout_ms: QUARTER_HOUR,
            },
            per_address: ThrottlePolicy {
                max_failures: 20,
                window_ms: QUARTER_HOUR,
                lockout_ms: QUARTER_HOUR,
            },
            session_lifetime_ms: SESSION_LIFETIME_MS,
        }
    }
}

/// The failed logins of one key (a name or an address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// Failures in the window that started at `window_start_ms`.
    pub failures: u32,
    pub window_start_ms: u64,
    /// No attempt is taken before this time (0 when not locked).
    pub locked_until_ms: u64,
}

impl Throttle {
    /// How long until this key may try again, if it is locked now.
    pub fn retry_after_ms(&self, now_ms: u64) -> Option<u64> {
        (self.locked_until_ms > now_ms).then(|| self.locked_until_ms - now_ms)
    }

    /// The count after one more failure. Failures count within a window
    /// from the first one; reaching the policy's maximum locks the key and
    /// starts counting afresh once the lock ends. Attempts made while locked
    /// are refused before they are counted, so a lock is not extended by
    /// someone who keeps knocking.
    pub fn after_failure(
        before: Option<Throttle>,
        policy: ThrottlePolicy,
        now_ms: u64,
    ) -> Throttle {
        let current =
            before.filter(|t| now_ms < t.window_start_ms.saturating_add(policy.window_ms));
        let mut next = match current {
            Some(t) => Throttle {
                failures: t.failures.saturating_add(1),
                window_start_ms: t.window_start_ms,
                locked_until_ms: 0,
            },
            None => Throttle {
                failures: 1,
                window_start_ms: now_ms,
                locked_until_ms: 0,
            },
        };
        if next.failures >= policy.max_failures {
            next = Throttle {
                failures: 0,
                window_start_ms: now_ms.saturating_add(policy.lockout_ms),
                locked_until_ms: now_ms.saturating_add(policy.lockout_ms),
            };
        }
        next
    }
}

/// The throttle key of a login name. Hashed, so the table's keys have one
/// length whatever was typed.
pub fn name_key(name: &str) -> String {
    format!("name:{}", SecretHash::of(name.trim()).as_str())
}

/// The throttle key of a client address. An IPv6 client is counted by its
/// /64 network, since one machine commonly has a whole /64 to choose its
/// addresses from; an IPv4 address written as IPv6 counts as itself.
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip {
        None => "addr:unknown".to_owned(),
        Some(IpAddr::V4(v4)) => format!("addr:{v4}"),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Someone at the console's login form, or `POST /v1/session`.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    /// The name as typed.
    pub name: String,
    /// The hash of the token as typed: the storage never sees a secret.
    pub token: SecretHash,
    /// Where the attempt comes from, as [`address_key`] made it.
    pub address_key: String,
    /// The hash of the new session's id, stored if the login succeeds. The
    /// caller made the id (and keeps it for the cookie), so this code has
    /// no randomness of its own.
    pub session: SecretHash,
    pub now_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The session is stored; the caller sets its cookie.
    LoggedIn {
        staff: StaffMember,
        expires_at_ms: u64,
    },
    /// No active member has this name and token. Which of the two was wrong
    /// is not said.
    Refused,
    /// Too many failures for this name or from this address.
    Throttled { retry_after_ms: u64 },
}

/// What [`log_in`] needs from one database transaction.
pub trait LoginLedger {
    fn throttle(&mut self, key: &str) -> Result<Option<Throttle>>;
    fn set_throttle(&mut self, key: &str, throttle: &Throttle) -> Result<()>;
    fn clear_throttle(&mut self, key: &str) -> Result<()>;
    /// An active (not revoked) member by exact name, with their token's hash.
    fn active_staff_by_name(&mut self, name: &str) -> Result<Option<(StaffMember, SecretHash)>>;
    fn insert_session(
        &mut self,
        staff: StaffId,
        session: &SecretHash,
        created_at_ms: u64,
        expires_at_ms: u64,
    ) -> Result<()>;
    /// Deletes sessions that have ended and throttle rows that no longer
    /// lock anything and whose window started before `window_start_before_ms`.
    fn forget_expired(&mut self, now_ms: u64, window_start_before_ms: u64) -> Result<()>;
}

/// One login, in one transaction: refused at once while the name or the
/// address is locked; otherwise the name and token are checked, a failure
/// is counted against both, and a success clears the name's count (not the
/// address's: one good login must not wipe out a spray of guesses at other
/// names) and stores the session.
pub fn log_in(
    ledger: &mut impl LoginLedger,
    attempt: &LoginAttempt,
    rules: &LoginRules,
) -> Result<LoginOutcome> {
    let now = attempt.now_ms;
    let longest_window = rules.per_name.window_ms.max(rules.per_address.window_ms);
    ledger.forget_expired(now, now.saturating_sub(longest_window))?;
    let keys = [
        (name_key(&attempt.name), rules.per_name),
        (attempt.address_key.clone(), rules.per_address),
    ];
    let mut counts = Vec::with_capacity(keys.len());
    for (key, _) in &keys {
        counts.push(ledger.throttle(key)?);
    }
    let locked = counts
        .iter()
        .flatten()
        .filter_map(|t| t.retry_after_ms(now))
        .max();
    if let Some(retry_after_ms) = locked {
        return Ok(LoginOutcome::Throttled { retry_after_ms });
    }
    let member = ledger
        .active_staff_by_name(attempt.name.trim())?
        .filter(|(_, stored)| same_hash(stored, &attempt.token))
        .map(|(member, _)| member);
    match member {
        Some(staff) => {
            ledger.clear_throttle(&keys[0].0)?;
            let expires_at_ms = now.saturating_add(rules.session_lifetime_ms);
            ledger.insert_session(staff.id, &attempt.session, now, expires_at_ms)?;
            Ok(LoginOutcome::LoggedIn {
                staff,
                expires_at_ms,
            })
        }
        None => {
            for ((key, policy), before) in keys.iter().zip(counts) {
                ledger.set_throttle(key, &Throttle::after_failure(before, *policy, now))?;
            }
            Ok(LoginOutcome::Refused)
        }
    }
}

/// The session cookie's name on a hub served over plain HTTP (see
/// [`SessionCookie::PlainHttp`]).
pub const PLAIN_HTTP_SESSION_COOKIE: &str = "highland_session";

/// How the hub gives a browser its session, which depends on how the hub
/// is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionCookie {
    /// Over HTTPS: `__Host-…; Secure`, so no other site, subdomain or
    /// plain-HTTP page can set or read it (browsers also take it on
    /// localhost).
    #[default]
    Secure,
    /// A hub serving plain HTTP on a LAN, such as a workshop's: browsers
    /// drop a `Secure` cookie from a plain-HTTP address that is not
    /// localhost, so signing in would lead back to the sign-in page. This
    /// cookie lacks `Secure` and has a name of its own, so that a hub
    /// serving HTTPS never takes it.
    PlainHttp,
}

impl SessionCookie {
    pub fn name(self) -> &'static str {
        match self {
            SessionCookie::Secure => SESSION_COOKIE,
            SessionCookie::PlainHttp => PLAIN_HTTP_SESSION_COOKIE,
        }
    }

    fn attributes(self) -> &'static str {
        match self {
            SessionCookie::Secure => "Path=/; Secure; HttpOnly; SameSite=Strict",
            SessionCookie::PlainHttp => "Path=/; HttpOnly; SameSite=Strict",
        }
    }

    /// The `Set-Cookie` value that gives a browser its session: never to
    /// scripts, never on a request another site starts, for the whole hub.
    pub fn set(self, session_id: &str, lifetime_ms: u64) -> String {
        format!(
            "{}={session_id}; Max-Age={}; {}",
            self.name(),
            lifetime_ms / 1000,
            self.attributes()
        )
    }

    /// The `Set-Cookie` value that makes a browser forget its session.
    pub fn expired(self) -> String {
        format!("{}=; Max-Age=0; {}", self.name(), self.attributes())
    }

    /// The session id in a request's headers, if any.
    pub fn find_in(self, headers: &axum::http::HeaderMap) -> Option<&str> {
        self.find(
            headers
                .get_all(axum::http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok()),
        )
    }

    /// The session id in a request's `Cookie` headers, if any.
    pub fn find<'a>(self, headers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        headers
            .into_iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name())
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
    }
}

// ---------------------------------------------------------------------------
// Rate limiting

/// How many requests one member of staff may make: `burst` at once, then
/// `per_minute` on average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    pub burst: u32,
    pub per_minute: u32,
}

impl Default for RatePolicy {
    /// A console page or a script's loop of a few hundred requests a minute
    /// passes; a runaway loop is slowed to ten requests a second.
    fn default() -> Self {
        RatePolicy {
            burst: 120,
            per_minute: 600,
        }
    }
}

/// Per-key token buckets, in memory, for this process only (see the
/// module's documentation for why). Kept as the generic cell rate
/// algorithm: each key holds one time, when its bucket will be full again.
#[derive(Debug, Default)]
pub struct RateLimiter {
    full_at_us: Mutex<HashMap<String, u64>>,
}

/// Keys are pruned once there are this many, keeping only buckets not yet full.
const PRUNE_ABOVE: usize = 4096;

impl RateLimiter {
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// Takes one request from `key`'s bucket, or says how many milliseconds
    /// until one is there.
    pub fn check(&self, key: &str, policy: RatePolicy, now_ms: u64) -> Result<(), u64> {
        let now = now_ms.saturating_mul(1000);
        let interval = 60_000_000 / u64::from(policy.per_minute.max(1));
        let tolerance = interval.saturating_mul(u64::from(policy.burst.max(1)) - 1);
        let mut buckets = self.full_at_us.lock().unwrap_or_else(|e| e.into_inner());
        let full_at = buckets.get(key).copied().unwrap_or(now).max(now);
        if full_at - now > tolerance {
            let wait_us = full_at - now - tolerance;
            return Err(wait_us.div_ceil(1000));
        }
        if buckets.len() >= PRUNE_ABOVE && !buckets.contains_key(key) {
            buckets.retain(|_, at| *at > now);
        }
        buckets.insert(key.to_owned(), full_at + interval);
        Ok(())
    }
}

/// Whole seconds for a `Retry-After` header: rounded up, at least one.
pub fn retry_after_secs(ms: u64) -> u64 {
    ms.div_ceil(1000).max(1)
}

/// Checks `name` as a staff member's name before it is stored.
pub fn parse_name(name: &str) -> Result<ShortText> {
    ShortText::parse(name).map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: ThrottlePolicy = ThrottlePolicy {
        max_failures: 3,
        window_ms: 1_000,
        lockout_ms: 5_000,
    };

    #[test]
    fn failures_lock_a_key_when_they_reach_the_maximum_within_the_window() {
        // (ms of each failure, locked until after the last one)
        let cases: &[(&[u64], u64)] = &[
            (&[0], 0),
            (&[0, 10], 0),
            (&[0, 10, 20], 5_020),
            // The window runs from the first failure: the third falls outside.
            (&[0, 10, 1_000], 0),
            (&[0, 500, 1_200, 1_300], 0),
            (&[0, 500, 1_200, 1_300, 1_400], 6_400),
        ];
        for (times, locked_until) in cases {
            let mut t = None;
            for &now in *times {
                t = Some(Throttle::after_failure(t, POLICY, now));
            }
            assert_eq!(t.unwrap().locked_until_ms, *locked_until, "{times:?}");
        }
    }

    #[test]
    fn a_lock_ends_and_counting_starts_afresh() {
        let mut t = None;
        for now in [0, 1, 2] {
            t = Some(Throttle::after_failure(t, POLICY, now));
        }
        let t = t.unwrap();
        assert_eq!(t.retry_after_ms(2), Some(5_000));
        assert_eq!(t.retry_after_ms(5_001), Some(1));
        assert_eq!(t.retry_after_ms(5_002), None);
        let after = Throttle::after_failure(Some(t), POLICY, 5_002);
        assert_eq!((after.failures, after.locked_until_ms), (1, 0));
    }

    struct MemoryLedger {
        throttles: HashMap<String, Throttle>,
        staff: Vec<(StaffMember, SecretHash)>,
        sessions: Vec<(StaffId, SecretHash, u64)>,
    }

    impl LoginLedger for MemoryLedger {
        fn throttle(&mut self, key: &str) -> Result<Option<Throttle>> {
            Ok(self.throttles.get(key).copied())
        }
        fn set_throttle(&mut self, key: &str, throttle: &Throttle) -> Result<()> {
            self.throttles.insert(key.to_owned(), *throttle);
            Ok(())
        }
        fn clear_throttle(&mut self, key: &str) -> Result<()> {
            self.throttles.remove(key);
            Ok(())
        }
        fn active_staff_by_name(
            &mut self,
            name: &str,
        ) -> Result<Option<(StaffMember, SecretHash)>> {
            Ok(self
                .staff
                .iter()
                .find(|(m, _)| m.name == name && m.revoked_at_ms.is_none())
                .cloned())
        }
        fn insert_session(
            &mut self,
            staff: StaffId,
            session: &SecretHash,
            _created_at_ms: u64,
            expires_at_ms: u64,
        ) -> Result<()> {
            self.sessions.push((staff, session.clone(), expires_at_ms));
            Ok(())
        }
        fn forget_expired(&mut self, now_ms: u64, before_ms: u64) -> Result<()> {
            self.throttles
                .retain(|_, t| t.locked_until_ms > now_ms || t.window_start_ms >= before_ms);
            Ok(())
        }
    }

    fn ledger() -> MemoryLedger {
        MemoryLedger {
            throttles: HashMap::new(),
            staff: vec![(
                StaffMember {
                    id: StaffId::new(),
                    name: "Pema".to_owned(),
                    created_at_ms: 0,
                    revoked_at_ms: None,
                },
                SecretHash::of("hls_right"),
            )],
            sessions: vec![],
        }
    }

    fn attempt(name: &str, token: &str, addr: &str, now_ms: u64) -> LoginAttempt {
        LoginAttempt {
            name: name.to_owned(),
            token: SecretHash::of(token),
            address_key: addr.to_owned(),
            session: SecretHash::of("session"),
            now_ms,
        }
    }

    fn rules() -> LoginRules {
        LoginRules {
            per_name: POLICY,
            per_address: ThrottlePolicy {
                max_failures: 5,
                ..POLICY
            },
            session_lifetime_ms: 10_000,
        }
    }

    #[test]
    fn a_right_name_and_token_store_a_session() {
        let mut l = ledger();
        let out = log_in(
            &mut l,
            &attempt("Pema", "hls_right", "addr:a", 100),
            &rules(),
        )
        .unwrap();
        assert!(matches!(
            out,
            LoginOutcome::LoggedIn {
                expires_at_ms: 10_100,
                ..
            }
        ));
        assert_eq!(l.sessions.len(), 1);
    }

    #[test]
    fn wrong_tokens_lock_the_name_even_for_the_right_token() {
        let mut l = ledger();
        for now in 0..3 {
            let out = log_in(
                &mut l,
                &attempt("Pema", "hls_wrong", "addr:a", now),
                &rules(),
            );
            assert_eq!(out.unwrap(), LoginOutcome::Refused);
        }
        let out = log_in(&mut l, &attempt("Pema", "hls_right", "addr:b", 3), &rules()).unwrap();
        assert_eq!(
            out,
            LoginOutcome::Throttled {
                retry_after_ms: 4_999
            }
        );
        assert!(l.sessions.is_empty());
        let out = log_in(
            &mut l,
            &attempt("Pema", "hls_right", "addr:b", 5_002),
            &rules(),
        );
        assert!(matches!(out.unwrap(), LoginOutcome::LoggedIn { .. }));
    }

    #[test]
    fn many_names_from_one_address_lock_the_address() {
        let mut l = ledger();
        for (i, now) in (0..5).enumerate() {
            let name = format!("guess{i}");
            let out = log_in(&mut l, &attempt(&name, "x", "addr:a", now), &rules()).unwrap();
            assert_eq!(out, LoginOutcome::Refused);
        }
        let out = log_in(&mut l, &attempt("Pema", "hls_right", "addr:a", 5), &rules()).unwrap();
        assert!(matches!(out, LoginOutcome::Throttled { .. }));
        // Another address is not held back by this one.
        let out = log_in(&mut l, &attempt("Pema", "hls_right", "addr:b", 5), &rules()).unwrap();
        assert!(matches!(out, LoginOutcome::LoggedIn { .. }));
    }

    #[test]
    fn a_success_clears_the_names_count_but_not_the_addresss() {
        let mut l = ledger();
        for now in 0..2 {
            log_in(
                &mut l,
                &attempt("Pema", "hls_wrong", "addr:a", now),
                &rules(),
            )
            .unwrap();
        }
        log_in(&mut l, &attempt("Pema", "hls_right", "addr:a", 2), &rules()).unwrap();
        assert!(!l.throttles.contains_key(&name_key("Pema")));
        assert_eq!(l.throttles["addr:a"].failures, 2);
    }

    #[test]
    fn a_revoked_member_cannot_log_in() {
        let mut l = ledger();
        l.staff[0].0.revoked_at_ms = Some(1);
        let out = log_in(&mut l, &attempt("Pema", "hls_right", "addr:a", 2), &rules()).unwrap();
        assert_eq!(out, LoginOutcome::Refused);
    }

    #[test]
    fn addresses_are_counted_by_host_or_by_ipv6_network() {
        let key = |s: &str| address_key(Some(s.parse().unwrap()));
        assert_eq!(key("192.0.2.7"), "addr:192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "addr:192.0.2.7");
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "addr:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::1"), key("2001:db8:1:2::9"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(address_key(None), "addr:unknown");
    }

    #[test]
    fn the_cookie_is_secure_httponly_strict_and_for_the_whole_hub() {
        let cookie = SessionCookie::Secure.set("abc", SESSION_LIFETIME_MS);
        assert!(cookie.starts_with("__Host-highland_session=abc;"));
        for attribute in [
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Max-Age=43200",
        ] {
            assert!(cookie.split("; ").any(|a| a == attribute), "{attribute}");
        }
        assert!(!cookie.contains("Domain"));
        assert!(SessionCookie::Secure.expired().contains("Max-Age=0"));
    }

    #[test]
    fn over_plain_http_the_cookie_is_not_secure_and_named_apart() {
        let cookie = SessionCookie::PlainHttp.set("abc", SESSION_LIFETIME_MS);
        assert_eq!(
            cookie,
            "highland_session=abc; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict"
        );
        // Neither hub takes the other's cookie.
        let sent = ["highland_session=plain; __Host-highland_session=secure"];
        assert_eq!(SessionCookie::PlainHttp.find(sent), Some("plain"));
        assert_eq!(SessionCookie::Secure.find(sent), Some("secure"));
        assert_eq!(SessionCookie::Secure.find(["highland_session=plain"]), None);
    }

    #[test]
    fn the_session_is_found_among_other_cookies() {
        let headers = ["theme=dark; __Host-highland_session=s3cr3t", "x=1"];
        assert_eq!(SessionCookie::Secure.find(headers), Some("s3cr3t"));
        assert_eq!(
            SessionCookie::Secure.find(["__Host-highland_session="]),
            None
        );
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let limiter = RateLimiter::new();
        let policy = RatePolicy {
            burst: 3,
            per_minute: 60,
        };
        for _ in 0..3 {
            assert_eq!(limiter.check("k", policy, 0), Ok(()));
        }
        assert_eq!(limiter.check("k", policy, 0), Err(1_000));
        assert_eq!(limiter.check("k", policy, 400), Err(600));
        // Another key has its own bucket.
        assert_eq!(limiter.check("other", policy, 400), Ok(()));
        assert_eq!(limiter.check("k", policy, 1_000), Ok(()));
        assert_eq!(limiter.check("k", policy, 1_000), Err(1_000));
        // A long pause refills the bucket to its burst, no more.
        for _ in 0..3 {
            assert_eq!(limiter.check("k", policy, 60_000), Ok(()));
        }
        assert!(limiter.check("k", policy, 60_000).is_err());
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        assert_eq!(retry_after_secs(1), 1);
        assert_eq!(retry_after_secs(1_000), 1);
        assert_eq!(retry_after_secs(1_001), 2);
        assert_eq!(retry_after_secs(0), 1);
    }
}
