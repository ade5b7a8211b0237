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
    /// Every switch by name, with what it breaks, for the CLI, the GUI and the home page.
    pub const NAMES: [(&'static str, &'static str); 9] = [
        ("skip_state", "the redirect does not echo state"),
        ("wrong_state", "the redirect carries a different state"),
        (
            "accept_reused_codes",
            "a code can be exchanged more than once",
        ),
        (
            "loose_redirect_uri",
            "redirect_uri is matched by prefix, not exactly",
        ),
        ("no_iss", "the redirect has no iss (RFC 9207)"),
        (
            "accept_query_token",
            "the resource server accepts ?access_token=",
        ),
        ("ignore_pkce", "PKCE is not required or checked"),
        ("token_in_http_200_error", "token errors come with HTTP 200"),
        (
            "no_cache_control",
            "token responses lack Cache-Control: no-store",
        ),
    ];

    /// The switch called `name`, if there is one.
    pub fn flag_mut(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "skip_state" => &mut self.skip_state,
            "wrong_state" => &mut self.wrong_state,
            "accept_reused_codes" => &mut self.accept_reused_codes,
            "loose_redirect_uri" => &mut self.loose_redirect_uri,
            "no_iss" => &mut self.no_iss,
            "accept_query_token" => &mut self.accept_query_token,
            "ignore_pkce" => &mut self.ignore_pkce,
            "token_in_http_200_error" => &mut self.token_in_http_200_error,
            "no_cache_control" => &mut self.no_cache_control,
            _ => return None,
        })
    }

    /// Switches on the misbehaviours named; an unknown name is an error listing the known ones.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut m = Self::default();
        for name in names {
            *m.flag_mut(name).ok_or_else(|| {
                let known: Vec<_> = Self::NAMES.iter().map(|(n, _)| *n).collect();
                format!(
                    "unknown misbehaviour '{name}': choose from {}",
                    known.join(", ")
                )
            })? = true;
        }
        Ok(m)
    }

    /// The switched-on misbehaviours, by name (for the home page and logs).
    pub fn active(&self) -> Vec<&'static str> {
        let mut copy = self.clone();
        Self::NAMES
            .iter()
            .filter(|(name, _)| copy.flag_mut(name).is_some_and(|on| *on))
            .map(|(name, _)| *name)
            .collect()
    }
}

#[cfg(test)]
mod misbehaviour_tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let all: Vec<_> = Misbehaviour::NAMES.iter().map(|(n, _)| *n).collect();
        let m = Misbehaviour::from_names(all.iter().copied()).unwrap();
        assert_eq!(m.active(), all);
        assert!(
            Misbehaviour::from_names(["nope"])
                .unwrap_err()
                .contains("skip_state")
        );
    }
}
