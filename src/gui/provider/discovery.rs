//! The "Discover" button: fetches an issuer's metadata off the UI thread, and reads what the
//! provider says it supports against what the form asks for.
//!
//! The engine discovers by itself when a run starts; this is for filling the form before that,
//! and for the notes next to scope, PKCE and client authentication.

use std::sync::mpsc;
use std::time::Duration;

use crate::engine::http::HttpClient;
use crate::protocol::discovery::Metadata;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::token::ClientAuth;

/// A metadata document is small; anything near this is not one.
const BODY_LIMIT: usize = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(15);

/// The latest discovery, running or finished, for one issuer.
#[derive(Default)]
pub struct Discovery {
    issuer: String,
    running: Option<mpsc::Receiver<Result<Metadata, String>>>,
    result: Option<Result<Metadata, String>>,
}

impl Discovery {
    /// Starts fetching `issuer`'s metadata on its own thread (a small tokio runtime, so the UI
    /// never waits on the network); `ctx` is woken when it is done. A newer start wins.
    pub fn start(&mut self, issuer: &str, ctx: &egui::Context) {
        let (tx, rx) = mpsc::channel();
        let ctx = ctx.clone();
        let asked = issuer.trim().to_owned();
        let spawned = std::thread::Builder::new()
            .name("oauthviz-discovery".into())
            .spawn(move || {
                // The receiver is gone only when a newer discovery replaced this one.
                let _ = tx.send(fetch(&asked));
                ctx.request_repaint();
            });
        issuer.trim().clone_into(&mut self.issuer);
        match spawned {
            Ok(_) => {
                self.running = Some(rx);
                self.result = None;
            }
            Err(e) => {
                self.running = None;
                self.result = Some(Err(format!("could not start discovery: {e}")));
            }
        }
    }

    /// The metadata of a discovery that finished since the last call, for its issuer.
    pub fn poll(&mut self) -> Option<(&str, &Metadata)> {
        let result = self.running.as_ref()?.try_recv().ok()?;
        self.running = None;
        self.result = Some(result);
        match &self.result {
            Some(Ok(meta)) => Some((&self.issuer, meta)),
            _ => None,
        }
    }

    pub fn is_running_for(&self, issuer: &str) -> bool {
        self.running.is_some() && self.issuer == issuer.trim()
    }

    /// The finished result for `issuer`; a result for another issuer is stale and not shown.
    pub fn result_for(&self, issuer: &str) -> Option<&Result<Metadata, String>> {
        self.result
            .as_ref()
            .filter(|_| self.issuer == issuer.trim())
    }
}

fn fetch(issuer: &str) -> Result<Metadata, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start discovery: {e}"))?;
    runtime.block_on(async {
        let client = HttpClient::new(TIMEOUT, BODY_LIMIT)?;
        crate::engine::discovery::discover(&client, issuer).await
    })
}

/// A note under a field: what the provider supports, or a mismatch with what is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    Info(String),
    Warning(String),
}

impl Hint {
    pub fn text(&self) -> &str {
        match self {
            Hint::Info(t) | Hint::Warning(t) => t,
        }
    }
}

/// The notes for the three fields the metadata speaks about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    pub scope: Vec<Hint>,
    pub pkce: Vec<Hint>,
    pub client_auth: Vec<Hint>,
}

/// Reads `meta` against the scope, PKCE method and client authentication chosen (`None` when
/// the form holds a value that does not parse: its own error is shown then).
pub fn hints(
    meta: &Metadata,
    scope: &str,
    pkce: Option<PkceMethod>,
    auth: Option<ClientAuth>,
) -> Hints {
    let mut h = Hints::default();
    let supported = &meta.scopes_supported;
    if !supported.is_empty() {
        h.scope.push(Hint::Info(format!(
            "scopes_supported: {}",
            supported.join(" ")
        )));
        let unknown: Vec<&str> = scope
            .split_whitespace()
            .filter(|s| !supported.iter().any(|x| x == s))
            .collect();
        if !unknown.is_empty() {
            h.scope.push(Hint::Warning(format!(
                "not in scopes_supported: {} (the provider may refuse or ignore it)",
                unknown.join(" ")
            )));
        }
    }

    let methods = &meta.code_challenge_methods_supported;
    let s256 = methods.iter().any(|m| m == "S256");
    if methods.is_empty() {
        h.pkce.push(Hint::Warning(
            "The provider does not list code_challenge_methods_supported: it may ignore PKCE."
                .into(),
        ));
    } else {
        h.pkce.push(Hint::Info(format!(
            "code_challenge_methods_supported: {}",
            methods.join(", ")
        )));
        if !s256 {
            h.pkce.push(Hint::Warning(
                "S256 is not supported: without it the code is not bound to this client (RFC 9700 §2.1.1)."
                    .into(),
            ));
        }
    }
    match pkce {
        Some(PkceMethod::Plain) if s256 => h.pkce.push(Hint::Warning(
            "plain sends the verifier itself: choose S256, which the provider supports (RFC 7636 §4.2)."
                .into(),
        )),
        Some(PkceMethod::Off) if s256 => h.pkce.push(Hint::Warning(
            "PKCE is off although the provider supports S256.".into(),
        )),
        _ => {}
    }

    // RFC 8414 §2: when the list is absent, client_secret_basic is the default.
    let listed = &meta.token_endpoint_auth_methods_supported;
    let accepted: Vec<&str> = if listed.is_empty() {
        vec!["client_secret_basic"]
    } else {
        listed.iter().map(String::as_str).collect()
    };
    h.client_auth.push(Hint::Info(if listed.is_empty() {
        "token_endpoint_auth_methods_supported is not listed: client_secret_basic is the default"
            .into()
    } else {
        format!(
            "token_endpoint_auth_methods_supported: {}",
            accepted.join(", ")
        )
    }));
    if let Some(auth) = auth
        && !accepted.contains(&auth.method_name())
    {
        h.client_auth.push(Hint::Warning(format!(
            "{} is not among the methods the provider lists: the token request may be refused.",
            auth.method_name()
        )));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata {
            issuer: "https://as.example".into(),
            scopes_supported: vec!["openid".into(), "email".into()],
            code_challenge_methods_supported: vec!["S256".into()],
            token_endpoint_auth_methods_supported: vec![
                "client_secret_basic".into(),
                "private_key_jwt".into(),
            ],
            ..Default::default()
        }
    }

    fn warnings(h: &[Hint]) -> Vec<&str> {
        h.iter()
            .filter_map(|h| match h {
                Hint::Warning(w) => Some(w.as_str()),
                Hint::Info(_) => None,
            })
            .collect()
    }

    #[test]
    fn what_the_provider_supports_is_listed_and_matching_choices_give_no_warning() {
        let h = hints(
            &meta(),
            "openid email",
            Some(PkceMethod::S256),
            Some(ClientAuth::Basic),
        );
        assert_eq!(
            h.scope,
            [Hint::Info("scopes_supported: openid email".into())]
        );
        assert_eq!(
            h.pkce,
            [Hint::Info("code_challenge_methods_supported: S256".into())]
        );
        assert!(warnings(&h.client_auth).is_empty());
    }

    #[test]
    fn mismatches_are_warnings() {
        let h = hints(
            &meta(),
            "openid offline_access",
            Some(PkceMethod::Plain),
            Some(ClientAuth::Post),
        );
        assert!(warnings(&h.scope)[0].contains("offline_access"));
        assert!(warnings(&h.pkce)[0].contains("plain"));
        assert!(warnings(&h.client_auth)[0].contains("client_secret_post"));

        let mut m = meta();
        m.code_challenge_methods_supported = vec!["plain".into()];
        let h = hints(&m, "", Some(PkceMethod::S256), None);
        assert!(warnings(&h.pkce)[0].contains("S256 is not supported"));
        m.code_challenge_methods_supported.clear();
        let h = hints(&m, "", Some(PkceMethod::S256), None);
        assert!(warnings(&h.pkce)[0].contains("may ignore PKCE"));
    }

    #[test]
    fn an_absent_auth_method_list_means_client_secret_basic() {
        let mut m = meta();
        m.token_endpoint_auth_methods_supported.clear();
        m.scopes_supported.clear();
        let h = hints(&m, "openid", None, Some(ClientAuth::Basic));
        assert!(warnings(&h.client_auth).is_empty());
        let h = hints(&m, "", None, Some(ClientAuth::None));
        assert!(warnings(&h.client_auth)[0].starts_with("none"));
        assert!(h.scope.is_empty(), "no scopes listed, nothing to say");
    }
}
