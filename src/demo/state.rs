//! What the provider remembers: pending authorization requests, login sessions, codes, tokens.
//! Everything lives in one `State` behind one mutex; each request holds it for its whole (short)
//! handling, so the rules below never race.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::keys::PendingKey;
use super::{Misbehave, Misbehaviour};

/// How long a login/consent page stays usable.
pub(crate) const PENDING_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a login session lasts.
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// How long a refresh token lasts.
pub(crate) const REFRESH_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long used or expired records are kept so a replay gets a precise error message
/// (and a reused code still revokes its tokens, RFC 6749 §4.1.2).
pub(crate) const TOMBSTONE_TTL: Duration = Duration::from_secs(10 * 60);

pub(crate) const SESSION_COOKIE: &str = "oauthviz_demo_session";

/// Everything a handler needs that does not change after start, plus the state.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub issuer: String,
    pub key: PendingKey,
    pub code_ttl: Duration,
    pub access_ttl: Duration,
    state: Mutex<State>,
}

impl Ctx {
    pub fn new(issuer: String, key: PendingKey, options: &super::DemoOptions) -> Self {
        Self {
            issuer,
            key,
            code_ttl: options.code_ttl,
            access_ttl: options.access_token_ttl,
            state: Mutex::new(State {
                misbehaviour: options.misbehaviour.clone(),
                auto_approve: options.auto_approve,
                js_login: options.js_login,
                ..State::default()
            }),
        }
    }

    /// The state. A panic elsewhere cannot leave it half-updated in a way that matters, so a
    /// poisoned lock is simply taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub misbehaviour: Misbehaviour,
    pub auto_approve: bool,
    /// The login page is a script that signs in through JSON (`DemoOptions::js_login`).
    pub js_login: bool,
    /// Validated authorization requests waiting for login and consent, by random id.
    pub pending: HashMap<String, Pending>,
    /// Login sessions, by cookie value.
    pub sessions: HashMap<String, Session>,
    pub codes: HashMap<String, CodeRecord>,
    /// Access tokens, by the token string itself.
    pub access: HashMap<String, AccessRecord>,
    pub refresh: HashMap<String, RefreshRecord>,
    /// The redirect port each client used first (kept only for the `pin_redirect_port`
    /// misbehaviour).
    pub first_ports: HashMap<&'static str, Option<u16>>,
    /// Grants (one per code exchange or client_credentials call) that were revoked as a whole.
    pub revoked_grants: HashSet<String>,
    /// When records were last purged (see [`State::purge`]).
    purged: Option<Instant>,
}

/// How often dead records are swept: a sweep walks every record, so doing it on every request
/// made each request slower the more flows had run (615 flows/s decaying to 133 in a minute
/// under load). Lookups are by key and check expiry themselves, so a late sweep changes nothing
/// a client sees.
const PURGE_EVERY: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub client_id: &'static str,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    /// `response_type=token`: the approval sends the access token itself back (the implicit
    /// grant, only with `Misbehave::ImplicitGrant`).
    pub implicit: bool,
    pub created: Instant,
    /// The session that logged in for this request; consent must come from it.
    pub session: Option<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub user: String,
    /// Seconds since the epoch (OpenID Connect `auth_time`).
    pub auth_time: u64,
    pub created: Instant,
}

#[derive(Clone, Debug)]
pub(crate) struct CodeRecord {
    pub client_id: &'static str,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub user: String,
    pub auth_time: u64,
    pub issued: Instant,
    pub used: bool,
    /// The grants created by exchanging this code (more than one only with `accept_reused_codes`).
    pub grants: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct AccessRecord {
    pub client_id: &'static str,
    pub sub: String,
    pub scopes: Vec<String>,
    pub grant: String,
    pub jti: String,
    pub iat: u64,
    pub exp: u64,
    pub expires: Instant,
    pub revoked: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct RefreshRecord {
    pub client_id: &'static str,
    pub sub: String,
    pub scopes: Vec<String>,
    pub grant: String,
    pub iat: u64,
    pub expires: Instant,
    /// Already exchanged for a new refresh token: presenting it again is reuse.
    pub rotated: bool,
    pub revoked: bool,
}

/// Why a token is not usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dead {
    Unknown,
    Expired,
    Revoked,
}

impl Dead {
    pub fn describe(self) -> &'static str {
        match self {
            Dead::Unknown => {
                "the token is unknown to this provider (mistyped, or from an earlier run: tokens do not survive a restart)"
            }
            Dead::Expired => "the token has expired",
            Dead::Revoked => "the token has been revoked",
        }
    }
}

impl State {
    /// Drops records nobody can use any more, at most once every [`PURGE_EVERY`].
    pub fn purge(&mut self, code_ttl: Duration) {
        let now = Instant::now();
        if self
            .purged
            .is_some_and(|t| now.saturating_duration_since(t) < PURGE_EVERY)
        {
            return;
        }
        self.purged = Some(now);
        let older = |t: Instant, d: Duration| now.saturating_duration_since(t) > d;
        self.pending.retain(|_, p| !older(p.created, PENDING_TTL));
        self.sessions.retain(|_, s| !older(s.created, SESSION_TTL));
        self.codes
            .retain(|_, c| !older(c.issued, code_ttl.saturating_add(TOMBSTONE_TTL)));
        self.access
            .retain(|_, a| now.saturating_duration_since(a.expires) <= TOMBSTONE_TTL);
        self.refresh
            .retain(|_, r| now.saturating_duration_since(r.expires) <= TOMBSTONE_TTL);
    }

    pub fn grant_revoked(&self, grant: &str) -> bool {
        self.revoked_grants.contains(grant)
    }

    /// Revokes every token issued under `grant`: access tokens, refresh tokens, rotated or not.
    pub fn revoke_grant(&mut self, grant: &str) {
        self.revoked_grants.insert(grant.to_owned());
    }

    /// A live access token's record, or why it is dead.
    pub fn access_token(&self, token: &str) -> Result<&AccessRecord, Dead> {
        let record = self.access.get(token).ok_or(Dead::Unknown)?;
        if record.revoked || self.grant_revoked(&record.grant) {
            Err(Dead::Revoked)
        } else if Instant::now() >= record.expires
            && !self.misbehaviour.has(Misbehave::AcceptExpiredTokens)
        {
            Err(Dead::Expired)
        } else {
            Ok(record)
        }
    }

    /// The session a cookie value names, if it is live.
    pub fn session(&self, cookie: Option<&str>) -> Option<(&str, &Session)> {
        let (id, session) = self.sessions.get_key_value(cookie?)?;
        (session.created.elapsed() <= SESSION_TTL).then_some((id.as_str(), session))
    }
}

/// Seconds since the Unix epoch, for JWT claims.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `now + d`, saturating at a century for absurd durations instead of overflowing.
pub(crate) fn later(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}
