//! Provider profiles: TOML files the user keeps, one per provider.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::ProviderConfig;
use crate::protocol::params::Params;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    #[serde(default)]
    pub name: String,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub resource_url: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    #[serde(default)]
    pub client_id: String,
    /// Stored only when the user chose to save it.
    pub client_secret: Option<String>,
    /// The environment variable that holds the secret, for profiles that should not store it.
    pub client_secret_env: Option<String>,
    /// `basic`, `post` or `none`.
    pub client_auth: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    /// `S256`, `plain` or `off`.
    pub pkce: Option<String>,
    #[serde(default)]
    pub extra_auth_params: toml::Table,
}

/// Reads a profile; the error names the file, and toml's message names the line and field.
pub fn load(path: &Path) -> Result<Profile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read profile {}: {e}", path.display()))?;
    let mut profile: Profile = toml::from_str(&text)
        .map_err(|e| format!("profile {} is not valid: {e}", path.display()))?;
    if profile.name.is_empty() {
        profile.name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    Ok(profile)
}

impl Profile {
    pub fn into_config(self) -> Result<ProviderConfig, String> {
        let secret = match (&self.client_secret, &self.client_secret_env) {
            (Some(s), _) => Some(Secret::new(s.clone())),
            (None, Some(var)) => Some(Secret::new(std::env::var(var).map_err(|_| {
                format!(
                    "profile '{}' reads its client secret from ${var}, which is not set",
                    self.name
                )
            })?)),
            (None, None) => None,
        };
        let mut extra = Params::new();
        for (k, v) in &self.extra_auth_params {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            extra.push(k.clone(), value);
        }
        Ok(ProviderConfig {
            name: self.name,
            issuer: self.issuer,
            authorization_endpoint: self.authorization_endpoint.unwrap_or_default(),
            token_endpoint: self.token_endpoint.unwrap_or_default(),
            resource_url: self.resource_url.unwrap_or_default(),
            client_id: self.client_id,
            client_secret: secret,
            client_auth: self
                .client_auth
                .as_deref()
                .map(ClientAuth::parse)
                .transpose()?
                .unwrap_or_default(),
            redirect_uri: self
                .redirect_uri
                .unwrap_or_else(|| "http://127.0.0.1:0/callback".into()),
            scope: self.scope.unwrap_or_else(|| "openid".into()),
            pkce: self
                .pkce
                .as_deref()
                .map(PkceMethod::parse)
                .transpose()?
                .unwrap_or_default(),
            extra_auth_params: extra,
            revocation_endpoint: self.revocation_endpoint,
            introspection_endpoint: self.introspection_endpoint,
            jwks_uri: None,
            private_key_path: None,
            private_key_alg: None,
            private_key_kid: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_profile_names_file_and_line() {
        let dir = std::env::temp_dir().join(format!("oauthviz-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "client_id = \"x\"\nclient_auth = 3\n").unwrap();
        let err = load(&path).unwrap_err();
        assert!(err.contains("bad.toml") && err.contains("line 2"), "{err}");
        std::fs::write(&path, "client_id = \"x\"\nclient_auth = \"magic\"\n").unwrap();
        let err = load(&path).unwrap().into_config().unwrap_err();
        assert!(err.contains("magic"), "{err}");
        std::fs::write(
            &path,
            "client_id = \"x\"\nextra_auth_params = { prompt = \"consent\", max_age = 0 }\n",
        )
        .unwrap();
        let cfg = load(&path).unwrap().into_config().unwrap();
        assert_eq!(cfg.extra_auth_params.encode(), "prompt=consent&max_age=0");
        assert_eq!(cfg.name, "bad");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
