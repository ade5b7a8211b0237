//! The embedded demo provider: a strict authorization server and resource server on loopback, so
//! the app works without an account and tests can run whole flows.
//!
//! It follows RFC 6749 (OAuth 2.0), RFC 7636 (PKCE), RFC 9700 (security BCP), RFC 9207 (`iss` in the
//! authorization response), RFC 6750 (bearer tokens), RFC 9068 (JWT access tokens), RFC 7009
//! (revocation), RFC 7662 (introspection) and RFC 8414 (metadata). [`Misbehaviour`] switches turn
//! individual rules off so users can see what a bad provider looks like and what the checks say.
//!
//! The rest of the app talks to it only over HTTP, like to any other provider.
//!
//! # Pages and forms (for a scripted user agent)
//! - `GET /authorize?…` answers 200 with the login page (or, with auto-approve, 302 to the
//!   client with a code). Login form: `<form method="post" action="login">` with a hidden `id`
//!   and the inputs `username`, `password`. A wrong password shows the form again (200).
//! - `POST /login` answers 303 to `/consent?id=…` and sets the cookie
//!   `oauthviz_demo_session=…; Path=/; HttpOnly; SameSite=Lax`. The login page is shown for every
//!   authorization request; the session only binds the consent to the browser that signed in.
//! - `GET /consent?id=…` (needs the cookie): `<form method="post" action="consent">` with a hidden
//!   `id` and `<button name="decision" value="approve">` / `value="deny"`.
//! - `POST /consent` answers 303 to the redirect URI with `code`, `state`, `iss`, or with
//!   `error=access_denied`.
//!
//! # Tokens
//! Access tokens are ES256 JWTs (RFC 9068, `typ` `at+jwt`, `aud` = the `/api/profile` URL), also
//! recorded server-side so revocation and reuse detection work; they do not survive a restart.
//! Every authorization code exchange returns a refresh token (whether or not `offline_access` was
//! asked), rotated at each use; presenting a rotated one revokes the whole grant. An ID token is
//! added when the scope has `openid`. Without `scope`, `/authorize` uses `openid profile api.read`.
//!
//! Layout: `server` (threads, tiny_http) → `router` → one file per endpoint group (`authorize`,
//! `token`, `resource`, `discovery`), over `state` (codes, sessions, tokens), `clients` (registry,
//! redirect URI matching, client authentication), `keys` (ES256 JWTs, JWKS) and `pages` (HTML).

mod authorize;
mod clients;
mod discovery;
mod http;
mod keys;
mod pages;
mod resource;
mod router;
mod server;
mod state;
mod token;

#[cfg(test)]
mod tests;

use std::time::Duration;

pub use server::DemoServer;

/// The demo resource owner.
pub const DEMO_USERNAME: &str = "alice";
pub const DEMO_PASSWORD: &str = "wonderland";

/// A confidential client that authenticates with `client_secret_basic` (RFC 6749 §2.3.1).
pub const BASIC_CLIENT_ID: &str = "demo-basic";
pub const BASIC_CLIENT_SECRET: &str = "demo-basic-secret";
/// A confidential client that authenticates with `client_secret_post` (RFC 6749 §2.3.1).
pub const POST_CLIENT_ID: &str = "demo-post";
pub const POST_CLIENT_SECRET: &str = "demo-post-secret";
/// A public client (`token_endpoint_auth_method` `none`); PKCE is required for it.
pub const PUBLIC_CLIENT_ID: &str = "demo-public";

/// The path of the registered redirect URIs `http://127.0.0.1/callback` and
/// `http://localhost/callback`; any port is accepted (RFC 8252 §7.3).
pub const DEMO_REDIRECT_PATH: &str = "/callback";

/// How to start the demo provider.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// The loopback port; 0 picks a free one.
    pub port: u16,
    /// Skip login and consent: `/authorize` redirects with a code at once.
    pub auto_approve: bool,
    /// Lifetime of an authorization code (RFC 6749 §4.1.2 recommends at most 10 minutes).
    pub code_ttl: Duration,
    /// Lifetime of an access token (`expires_in`).
    pub access_token_ttl: Duration,
    pub misbehaviour: Misbehaviour,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            port: 0,
            auto_approve: false,
            code_ttl: Duration::from_secs(60),
            access_token_ttl: Duration::from_secs(3600),
            misbehaviour: Misbehaviour::default(),
        }
    }
}

/// Rules the demo provider can be told to break. All off by default: the provider is strict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Misbehaviour {
    /// The authorization response does not echo `state` (RFC 6749 §4.1.2 requires it).
    pub skip_state: bool,
    /// The authorization response carries a different `state` than the one sent.
    pub wrong_state: bool,
    /// An authorization code can be exchanged more than once (RFC 6749 §4.1.2 forbids it).
    pub accept_reused_codes: bool,
    /// `redirect_uri` is matched by prefix (port ignored) instead of exactly (RFC 9700 §2.1).
    pub loose_redirect_uri: bool,
    /// The authorization response has no `iss` (RFC 9207).
    pub no_iss: bool,
    /// The resource server accepts the access token in the URI query (RFC 6750 §2.3), which
    /// RFC 9700 §2.4 forbids.
    pub accept_query_token: bool,
    /// PKCE parameters are ignored: no challenge is required, stored or checked.
    pub ignore_pkce: bool,
    /// Token endpoint errors come with HTTP 200 instead of 400/401 (RFC 6749 §5.2).
    pub token_in_http_200_error: bool,
    /// Token responses lack `Cache-Control: no-store` and `Pragma: no-cache` (RFC 6749 §5.1).
    pub no_cache_control: bool,
}

impl Misbehaviour {
    /// The switched-on misbehaviours, by field name (for the home page and logs).
    pub fn active(&self) -> Vec<&'static str> {
        [
            (self.skip_state, "skip_state"),
            (self.wrong_state, "wrong_state"),
            (self.accept_reused_codes, "accept_reused_codes"),
            (self.loose_redirect_uri, "loose_redirect_uri"),
            (self.no_iss, "no_iss"),
            (self.accept_query_token, "accept_query_token"),
            (self.ignore_pkce, "ignore_pkce"),
            (self.token_in_http_200_error, "token_in_http_200_error"),
            (self.no_cache_control, "no_cache_control"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}
