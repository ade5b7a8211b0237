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
//! Layout: `server` (on [`crate::serve`]) → `router` → one file per endpoint group (`authorize`,
//! `token`, `resource`, `discovery`), over `state` (codes, sessions, tokens), `clients` (registry,
//! redirect URI matching, client authentication), `keys` (ES256 JWTs, JWKS), `pages` (HTML),
//! `paths` (where each endpoint lives) and `scopes` (the known scopes, `scope` parsing).

mod authorize;
mod clients;
mod discovery;
mod http;
pub(crate) mod keys;
mod misbehaviour;
mod pages;
mod paths;
mod resource;
mod router;
mod scopes;
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

/// The secret of a demo client (none for the public one or an unknown id).
pub fn client_secret(client_id: &str) -> Option<&'static str> {
    match client_id {
        BASIC_CLIENT_ID => Some(BASIC_CLIENT_SECRET),
        POST_CLIENT_ID => Some(POST_CLIENT_SECRET),
        _ => None,
    }
}

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
    /// The login page is built by JavaScript and signs in through a JSON API before it moves
    /// on, as many real providers' are: a browser gets through, the HTTP agent cannot.
    pub js_login: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            port: 0,
            auto_approve: false,
            code_ttl: Duration::from_secs(60),
            access_token_ttl: Duration::from_secs(3600),
            misbehaviour: Misbehaviour::default(),
            js_login: false,
        }
    }
}

pub use misbehaviour::{Misbehave, Misbehaviour};
