//! A provider as the engine needs it: endpoints, the client, and what to ask for. Built from the
//! demo provider, a profile file, discovery or command-line flags.

use serde::{Deserialize, Serialize};

use crate::demo::{self, DemoServer};
use crate::protocol::params::Params;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;

/// What runs against the demo provider ask for: OpenID Connect login, a refresh token, and its
/// demo API (/api/profile needs api.read).
pub const DEMO_SCOPE: &str = "openid profile email offline_access api.read";

/// A setting of a provider, as the profile file, the forms and their error messages name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Issuer,
    AuthorizationEndpoint,
    TokenEndpoint,
    ResourceUrl,
    UserinfoEndpoint,
    JwksUri,
    RevocationEndpoint,
    IntrospectionEndpoint,
    RedirectUri,
    ClientId,
    ClientSecret,
    ClientSecretEnv,
    ClientAuth,
    PrivateKeyPath,
    PrivateKeyAlg,
    Scope,
    Pkce,
    Quirks,
    /// The table of further authorization parameters as a whole.
    ExtraAuthParams,
    /// One further authorization parameter, by name.
    ExtraAuthParam(String),
    /// The embedded demo provider itself (it could not start).
    Demo,
}

impl Field {
    /// The key the profile file uses (`token_endpoint`, `extra_auth_params.prompt`).
    pub fn key(&self) -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed(match self {
            Field::Issuer => "issuer",
            Field::AuthorizationEndpoint => "authorization_endpoint",
            Field::TokenEndpoint => "token_endpoint",
            Field::ResourceUrl => "resource_url",
            Field::UserinfoEndpoint => "userinfo_endpoint",
            Field::JwksUri => "jwks_uri",
            Field::RevocationEndpoint => "revocation_endpoint",
            Field::IntrospectionEndpoint => "introspection_endpoint",
            Field::RedirectUri => "redirect_uri",
            Field::ClientId => "client_id",
            Field::ClientSecret => "client_secret",
            Field::ClientSecretEnv => "client_secret_env",
            Field::ClientAuth => "client_auth",
            Field::PrivateKeyPath => "private_key_path",
            Field::PrivateKeyAlg => "private_key_alg",
            Field::Scope => "scope",
            Field::Pkce => "pkce",
            Field::Quirks => "quirks",
            Field::ExtraAuthParams => "extra_auth_params",
            Field::ExtraAuthParam(name) => {
                return std::borrow::Cow::Owned(format!("extra_auth_params.{name}"));
            }
            Field::Demo => "demo",
        })
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// What is wrong with a provider's settings, field by field.
pub type FieldErrors = Vec<(Field, String)>;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderConfig {
    /// A label for the run list and exports (`demo`, a profile name, a host).
    pub name: String,
    /// The expected issuer: checked against `iss` on the callback (RFC 9207) when set.
    pub issuer: Option<String>,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    /// What F calls with the access token (the userinfo endpoint for OpenID providers).
    pub resource_url: String,
    pub client_id: String,
    /// Never serialized: a secret reaches disk only when the user saves it on purpose.
    #[serde(skip)]
    pub client_secret: Option<Secret>,
    pub client_auth: ClientAuth,
    /// `http://127.0.0.1:0/callback` lets the listener pick a free port.
    pub redirect_uri: String,
    pub scope: String,
    pub pkce: PkceMethod,
    /// Further authorization parameters (prompt, audience, …), sent after the standard ones.
    pub extra_auth_params: Params,
    /// For `private_key_jwt`: the PEM file of the client's private key, its algorithm (ES256,
    /// RS256, PS256, EdDSA, …) and key id.
    #[serde(default)]
    pub private_key_path: Option<String>,
    #[serde(default)]
    pub private_key_alg: Option<String>,
    #[serde(default)]
    pub private_key_kid: Option<String>,
    /// Headers a provider's quirks need on token requests (GitHub: `Accept: application/json`).
    #[serde(default)]
    pub token_request_headers: Vec<(String, String)>,
    /// The quirks of this provider (ids from `profile::presets`), for the explanations.
    #[serde(default)]
    pub quirks: Vec<String>,
    /// The provider's keys, to verify id_token signatures.
    #[serde(default)]
    pub jwks_uri: Option<String>,
    /// RFC 7009, for the Revoke step.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// RFC 7662, for the Introspect step.
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    /// The provider's metadata says its authorization responses carry `iss` (RFC 9207 §3):
    /// a callback without one is then rejected (§2.4), not only warned about.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// Other clients registered at this provider: the audit tries to redeem this client's code
    /// as one of them. Never serialized (they may carry secrets).
    #[serde(skip)]
    pub other_clients: Vec<OtherClient>,
}

/// Another client of the same provider, with how it authenticates.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherClient {
    pub id: String,
    pub secret: Option<Secret>,
    pub auth: ClientAuth,
}

impl OtherClient {
    /// The demo provider's confidential clients.
    pub fn demo() -> Vec<OtherClient> {
        vec![
            OtherClient {
                id: demo::POST_CLIENT_ID.into(),
                secret: Some(Secret::new(demo::POST_CLIENT_SECRET)),
                auth: ClientAuth::Post,
            },
            OtherClient {
                id: demo::BASIC_CLIENT_ID.into(),
                secret: Some(Secret::new(demo::BASIC_CLIENT_SECRET)),
                auth: ClientAuth::Basic,
            },
        ]
    }
}

impl ProviderConfig {
    /// The embedded demo provider's endpoints, with no client chosen yet.
    pub fn demo_endpoints(server: &DemoServer) -> Self {
        Self {
            name: "demo".into(),
            issuer: Some(server.issuer()),
            authorization_endpoint: server.authorization_endpoint(),
            token_endpoint: server.token_endpoint(),
            resource_url: server.resource_url(),
            revocation_endpoint: Some(server.revocation_endpoint()),
            introspection_endpoint: Some(server.introspection_endpoint()),
            jwks_uri: Some(server.jwks_uri()),
            redirect_uri: format!("http://127.0.0.1:0{}", demo::DEMO_REDIRECT_PATH),
            scope: DEMO_SCOPE.into(),
            pkce: PkceMethod::S256,
            other_clients: OtherClient::demo(),
            ..Default::default()
        }
    }

    /// The demo provider with its `client_secret_basic` client: what `--provider demo` runs.
    pub fn demo(server: &DemoServer) -> Self {
        Self {
            client_id: demo::BASIC_CLIENT_ID.into(),
            client_secret: Some(Secret::new(demo::BASIC_CLIENT_SECRET)),
            client_auth: ClientAuth::Basic,
            ..Self::demo_endpoints(server)
        }
    }

    /// Whether the endpoints must come from the issuer's discovery document before a run.
    pub fn needs_discovery(&self) -> bool {
        self.issuer.as_deref().is_some_and(|i| !i.trim().is_empty())
            && (self.authorization_endpoint.trim().is_empty()
                || self.token_endpoint.trim().is_empty())
    }

    /// Checks what must hold before a run can start; each message names the field and the fix.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = Vec::new();
        for (field, value) in [
            (Field::AuthorizationEndpoint, &self.authorization_endpoint),
            (Field::TokenEndpoint, &self.token_endpoint),
            (Field::ResourceUrl, &self.resource_url),
            (Field::RedirectUri, &self.redirect_uri),
        ] {
            // The redirect URI's own rules (loopback http) are the listener's to say.
            let parse = if field == Field::RedirectUri {
                crate::protocol::http::parse_url
            } else {
                crate::protocol::http::parse_web_url
            };
            if value.trim().is_empty() {
                let what = match field {
                    Field::AuthorizationEndpoint => "the authorization endpoint's URL",
                    Field::TokenEndpoint => "the token endpoint's URL",
                    Field::ResourceUrl => "the URL of the resource F calls with the access token",
                    _ => "the redirect URI registered with the provider",
                };
                errors.push((field, format!("enter {what}")));
            } else if let Err(e) = parse(value) {
                errors.push((field, e));
            }
        }
        if self.client_id.trim().is_empty() {
            errors.push((
                Field::ClientId,
                "the client id is empty: copy it from the provider's app registration".into(),
            ));
        }
        if self.client_auth == ClientAuth::PrivateKeyJwt
            && self
                .private_key_path
                .as_deref()
                .is_none_or(|p| p.trim().is_empty())
        {
            errors.push((
                Field::PrivateKeyPath,
                "private_key_jwt needs the client's private key: give the path of its PEM file"
                    .into(),
            ));
        }
        if !matches!(
            self.client_auth,
            ClientAuth::None | ClientAuth::PrivateKeyJwt
        ) && self.client_secret.as_ref().is_none_or(Secret::is_empty)
        {
            errors.push((
                Field::ClientSecret,
                format!(
                    "{} needs a client secret: enter it, or choose client authentication 'none' for a public client",
                    self.client_auth.method_name()
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_each_bad_field() {
        let cfg = ProviderConfig {
            authorization_endpoint: "https://as/authorize".into(),
            token_endpoint: "nope".into(),
            resource_url: "https://rs/api".into(),
            redirect_uri: "http://127.0.0.1:0/callback".into(),
            client_auth: ClientAuth::Basic,
            ..Default::default()
        };
        let errors = cfg.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(fields, ["token_endpoint", "client_id", "client_secret"]);
    }

    #[test]
    fn an_endpoint_that_is_not_http_is_refused_before_anything_is_opened() {
        let cfg = ProviderConfig {
            authorization_endpoint: "javascript:alert(1)".into(),
            token_endpoint: "file:///etc/passwd".into(),
            resource_url: "https://rs/api".into(),
            redirect_uri: "http://127.0.0.1:0/callback".into(),
            client_id: "app".into(),
            client_auth: ClientAuth::None,
            ..Default::default()
        };
        let errors = cfg.validate().unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .all(|(_, e)| e.contains("only http and https"))
        );
    }

    #[test]
    fn secret_is_never_serialized() {
        let cfg = ProviderConfig {
            client_secret: Some(Secret::new("s3cret")),
            ..Default::default()
        };
        assert!(!serde_json::to_string(&cfg).unwrap().contains("s3cret"));
    }
}
