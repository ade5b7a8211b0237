//! The "Discover" button: asks the engine for an issuer's metadata (so its requests are
//! recorded and shown like any other), and reads what the provider says it supports against
//! what the form asks for.
//!
//! The engine discovers by itself when a run starts; this is for filling the form before that,
//! and for the notes next to scope, PKCE and client authentication.

use egui::{RichText, Ui};

use crate::gui::form_widgets::note;
use crate::gui::theme::Palette;
use crate::protocol::discovery::Metadata;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::token::ClientAuth;
use crate::trace::Exchange;
use crate::workbench::Discovered;

/// The latest discovery, asked for or answered, for one issuer.
#[derive(Default)]
pub struct Discovery {
    issuer: String,
    running: bool,
    result: Option<Discovered>,
    /// A press of Discover the app has not handed to the workbench yet.
    wanted: Option<String>,
}

impl Discovery {
    /// Asks for `issuer`'s metadata; a newer request wins over one still running.
    pub fn request(&mut self, issuer: &str) {
        issuer.trim().clone_into(&mut self.issuer);
        self.running = true;
        self.result = None;
        self.wanted = Some(self.issuer.clone());
    }

    /// The issuer to discover, once per press of Discover.
    pub fn take_request(&mut self) -> Option<String> {
        self.wanted.take()
    }

    /// Takes in a finished discovery: its metadata when it answers the latest request (an
    /// older one's answer is dropped).
    pub fn receive(&mut self, discovered: Discovered) -> Option<&Metadata> {
        if discovered.issuer != self.issuer {
            return None;
        }
        self.running = false;
        self.result.insert(discovered).metadata.as_ref().ok()
    }

    pub fn is_running_for(&self, issuer: &str) -> bool {
        self.running && self.issuer == issuer.trim()
    }

    /// The finished discovery for `issuer`; one for another issuer is stale and not shown.
    pub fn result_for(&self, issuer: &str) -> Option<&Discovered> {
        self.result
            .as_ref()
            .filter(|_| self.issuer == issuer.trim())
    }
}

/// The requests a discovery made, one line each, with what came back.
pub fn exchanges_ui(ui: &mut Ui, exchanges: &[Exchange], palette: &Palette) {
    if exchanges.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Requests discovery made ({})", exchanges.len()))
        .id_salt("discovery-exchanges")
        .show(ui, |ui| {
            for ex in exchanges {
                let answer = match (&ex.response, &ex.error) {
                    (Some(r), _) => r.status_line(),
                    (None, Some(e)) => e.clone(),
                    (None, None) => "no answer".into(),
                };
                ui.label(
                    RichText::new(format!("{} {}", ex.request.method, ex.request.url)).monospace(),
                );
                note(ui, &format!("-> {answer}"), palette.weak_text);
            }
        });
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
