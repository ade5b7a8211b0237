//! Provider profiles: TOML files the user keeps, one per provider.
//!
//! A [`Profile`] is raw user input, kept as typed so the editor can show a half-finished or
//! wrong value next to its field; [`Profile::into_config`] is where it becomes the engine's
//! validated [`ProviderConfig`]. The [`store`] keeps profiles on disk, [`presets`] starts them.

pub mod presets;
pub mod store;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{Field, FieldErrors, ProviderConfig};
use crate::protocol::discovery::Metadata;
use crate::protocol::params::Params;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;

pub use presets::{Placeholder, PlaceholderKind, Preset, Quirk};
pub use store::{Listed, ProfileStore, SecretChoice, resolve, validate_name};

/// What `client_auth` may say (the RFC 8414 names are accepted too).
pub const CLIENT_AUTH_VALUES: &[&str] = &["basic", "post", "none", "private_key_jwt"];
/// What `pkce` may say.
pub const PKCE_VALUES: &[&str] = &["S256", "plain", "off"];
/// What `private_key_alg` may say (RFC 7518 names; EdDSA per RFC 8037).
pub const PRIVATE_KEY_ALGS: &[&str] = &["RS256", "ES256", "PS256", "EdDSA"];

/// Without a `redirect_uri` the listener picks a free loopback port.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:0/callback";
pub const DEFAULT_SCOPE: &str = "openid";

/// Anything larger is not a profile someone wrote; refusing it keeps a stray file from
/// being read whole into memory.
const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

/// One provider as the user describes it. Field order is the file's order; the table comes last
/// because TOML puts plain keys before tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The file stem in the store, so it is not written into the file (a rename then never has
    /// to rewrite it); a standalone file may still set it as its label.
    #[serde(default, skip_serializing)]
    pub name: String,
    /// The preset id this profile started from, so the UI can show that preset's quirks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Expected issuer: discovery starts here and the callback's `iss` is compared with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// What step F calls with the access token; the userinfo endpoint when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// The provider's metadata says it puts `iss` on every redirect (RFC 9207), so a callback
    /// without one is refused. Kept here because a profile whose endpoints are all set is not
    /// discovered again when it runs.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub authorization_response_iss_parameter_supported: bool,
    #[serde(default)]
    pub client_id: String,
    /// Present only when the user chose to store it ([`SecretChoice::Store`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The environment variable holding the secret, for profiles that do not store it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_env: Option<String>,
    /// One of [`CLIENT_AUTH_VALUES`]; `basic` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<String>,
    /// PEM private key for `private_key_jwt` (RFC 7523 §2.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_path: Option<PathBuf>,
    /// One of [`PRIVATE_KEY_ALGS`]; `RS256` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_alg: Option<String>,
    /// The `kid` header of the client assertion, when the provider holds several keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_key_kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// One of [`PKCE_VALUES`]; `S256` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkce: Option<String>,
    /// Quirk ids from [`presets::QUIRKS`]: known provider behaviour the UI explains and the
    /// engine may compensate for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quirks: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Further authorization parameters, in the order written.
    #[serde(default, skip_serializing_if = "toml::Table::is_empty")]
    pub extra_auth_params: toml::Table,
}

/// Why a profile could not be read, written or found. Each variant names the file or name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProfileError {
    /// The file could not be read, written, renamed or removed.
    Io {
        path: PathBuf,
        action: &'static str,
        message: String,
    },
    /// The file is not a valid profile. It is left exactly as it is.
    Malformed {
        path: PathBuf,
        line: Option<usize>,
        column: Option<usize>,
        field: Option<String>,
        message: String,
    },
    BadName {
        name: String,
        reason: String,
    },
    NotFound {
        name: String,
        path: PathBuf,
    },
    AlreadyExists {
        name: String,
        path: PathBuf,
    },
    /// Writing would replace (or drop) a file that does not parse, losing what the user wrote.
    MalformedTarget {
        path: PathBuf,
        problem: Box<ProfileError>,
    },
}

impl ProfileError {
    /// The file concerned, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Io { path, .. }
            | Self::Malformed { path, .. }
            | Self::NotFound { path, .. }
            | Self::AlreadyExists { path, .. }
            | Self::MalformedTarget { path, .. } => Some(path),
            Self::BadName { .. } => None,
        }
    }

    /// The profile name (the file stem), so the UI can offer to open or delete the file.
    pub fn name(&self) -> Option<String> {
        match self {
            Self::BadName { name, .. }
            | Self::NotFound { name, .. }
            | Self::AlreadyExists { name, .. } => Some(name.clone()),
            other => other
                .path()
                .and_then(Path::file_stem)
                .map(|s| s.to_string_lossy().into_owned()),
        }
    }

    pub fn is_malformed(&self) -> bool {
        matches!(self, Self::Malformed { .. } | Self::MalformedTarget { .. })
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io {
                path,
                action,
                message,
            } => write!(f, "cannot {action} profile {}: {message}", path.display()),
            Self::Malformed {
                path,
                line,
                column,
                field,
                message,
            } => {
                write!(f, "profile {} is not valid", path.display())?;
                match (line, column) {
                    (Some(l), Some(c)) => write!(f, ": line {l}, column {c}")?,
                    (Some(l), None) => write!(f, ": line {l}")?,
                    _ => {}
                }
                if let Some(field) = field {
                    write!(f, ", field `{field}`")?;
                }
                write!(f, ": {message}")
            }
            Self::BadName { name, reason } => {
                write!(f, "'{name}' cannot be a profile name: {reason}")
            }
            Self::NotFound { name, path } => {
                write!(
                    f,
                    "there is no profile '{name}' ({} does not exist)",
                    path.display()
                )
            }
            Self::AlreadyExists { name, path } => write!(
                f,
                "a profile named '{name}' already exists ({}): choose another name or delete it first",
                path.display()
            ),
            Self::MalformedTarget { path, problem } => write!(
                f,
                "refusing to replace {} because it does not parse and what it holds would be lost; fix or delete it first ({problem})",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ProfileError {}

impl From<ProfileError> for String {
    fn from(e: ProfileError) -> Self {
        e.to_string()
    }
}

/// Reads a profile file; `name` falls back to the file stem. The error names the file, and for
/// a malformed file the line, column and field.
pub fn load(path: &Path) -> Result<Profile, ProfileError> {
    let text = read_profile_text(path)?;
    let mut profile = parse(path, &text)?;
    if profile.name.is_empty() {
        profile.name = file_stem(path);
    }
    Ok(profile)
}

pub(crate) fn read_profile_text(path: &Path) -> Result<String, ProfileError> {
    crate::files::read_small_text(path, MAX_PROFILE_BYTES).map_err(|message| ProfileError::Io {
        path: path.to_owned(),
        action: "read",
        message,
    })
}

pub(crate) fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Parses profile text; `path` only labels the error.
pub fn parse(path: &Path, text: &str) -> Result<Profile, ProfileError> {
    // Some Windows editors start UTF-8 files with a byte-order mark, which TOML does not allow.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    toml::from_str(text).map_err(|e| malformed(path, text, &e))
}

fn malformed(path: &Path, text: &str, e: &toml::de::Error) -> ProfileError {
    let message = e.message().trim().to_owned();
    let (line, column, field) = match e.span() {
        Some(span) => {
            let start = floor_char_boundary(text, span.start);
            let before = &text[..start];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = text[line_start..start].chars().count() + 1;
            let field = unknown_field_name(&message).or_else(|| key_at(text, line - 1));
            (Some(line), Some(column), field)
        }
        None => (None, None, unknown_field_name(&message)),
    };
    ProfileError::Malformed {
        path: path.to_owned(),
        line,
        column,
        field,
        message,
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// serde's "unknown field `x`, expected one of …" names the field itself.
fn unknown_field_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_owned())
}

/// The key whose value covers line `index` (0-based): the nearest `key =` at or above it,
/// prefixed with the `[table]` it sits in. A heuristic for the message, not a TOML parser: a
/// multi-line string holding `x = y` can mislead it, and then the line number still stands.
fn key_at(text: &str, index: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut key: Option<String> = None;
    for line in lines.iter().take(index + 1).rev() {
        let t = line.trim();
        if let Some(header) = t.strip_prefix('[') {
            let table = header.trim_start_matches('[');
            let table = table[..table.find(']')?].trim();
            return Some(match key {
                Some(k) => format!("{table}.{k}"),
                None => table.to_owned(),
            });
        }
        if key.is_none()
            && let Some((k, _)) = t.split_once('=')
        {
            let k = k.trim();
            if is_toml_key(k) {
                key = Some(k.trim_matches('"').to_owned());
            }
        }
    }
    key
}

fn is_toml_key(k: &str) -> bool {
    let quoted = k.len() >= 2 && k.starts_with('"') && k.ends_with('"');
    quoted
        || (!k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ')))
}

/// The URL fields, named as in the file, for checks that apply to all of them.
fn url_fields(p: &Profile) -> [(Field, Option<&str>); 9] {
    [
        (Field::Issuer, p.issuer.as_deref()),
        (
            Field::AuthorizationEndpoint,
            p.authorization_endpoint.as_deref(),
        ),
        (Field::TokenEndpoint, p.token_endpoint.as_deref()),
        (Field::ResourceUrl, p.resource_url.as_deref()),
        (Field::UserinfoEndpoint, p.userinfo_endpoint.as_deref()),
        (Field::JwksUri, p.jwks_uri.as_deref()),
        (Field::RevocationEndpoint, p.revocation_endpoint.as_deref()),
        (
            Field::IntrospectionEndpoint,
            p.introspection_endpoint.as_deref(),
        ),
        (Field::RedirectUri, p.redirect_uri.as_deref()),
    ]
}

/// The first `{placeholder}` left in a value, so an unfilled preset is caught before a run.
pub fn find_placeholder(value: &str) -> Option<&str> {
    let start = value.find('{')?;
    let len = value[start..].find('}')?;
    Some(&value[start..=start + len])
}

/// `client_auth` as written in a profile, with the allowed values in the error.
pub fn parse_client_auth(s: &str) -> Result<ClientAuth, String> {
    ClientAuth::parse(s.trim()).map_err(|_| {
        format!(
            "unknown client authentication '{}': use one of {}",
            s.trim(),
            CLIENT_AUTH_VALUES.join(", ")
        )
    })
}

fn parse_pkce(s: &str) -> Result<PkceMethod, String> {
    PkceMethod::parse(s.trim()).map_err(|_| {
        format!(
            "unknown PKCE method '{s}': use one of {}",
            PKCE_VALUES.join(", ")
        )
    })
}

/// The PKCE method to use by default with a provider that lists `supported`: S256 whenever it
/// is there (RFC 9700 §2.1.1); `plain` only when it is all the provider offers. Nothing when
/// the provider does not say.
fn discovered_pkce(supported: &[String]) -> Option<&'static str> {
    let has = |m: &str| supported.iter().any(|s| s == m);
    if has("S256") {
        Some("S256")
    } else if has("plain") {
        Some("plain")
    } else {
        None
    }
}

/// The client authentication to use by default with a provider that lists `supported`: the
/// first of basic, post and private_key_jwt it offers (RFC 8414 §2: absent means basic, which
/// is also this tool's default, so nothing is set then).
fn discovered_client_auth(supported: &[String]) -> Option<&'static str> {
    [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ]
    .into_iter()
    .find(|m| supported.iter().any(|s| s == m))
    .map(|m| match m {
        "client_secret_basic" => "basic",
        "client_secret_post" => "post",
        other => other,
    })
}

/// An environment variable name a shell can set (`=` and NUL cannot be in one at all).
fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Profile {
    /// The method `client_auth` names (`basic` when unset).
    pub fn auth_method(&self) -> Result<ClientAuth, String> {
        self.client_auth
            .as_deref()
            .map_or(Ok(ClientAuth::Basic), parse_client_auth)
    }

    /// Every value the file may hold but the engine cannot use, as (field, message) pairs in
    /// file order, for the editor to show beside each field. Empty when the profile is usable.
    pub fn check(&self) -> FieldErrors {
        let mut errors: FieldErrors = Vec::new();
        let mut err = |field: Field, msg: String| errors.push((field, msg));
        for (field, value) in url_fields(self) {
            if let Some(ph) = value.and_then(find_placeholder) {
                err(
                    field,
                    format!("still holds the placeholder {ph}: replace it with your value"),
                );
            }
        }
        if let Some(ph) = find_placeholder(&self.client_id) {
            err(
                Field::ClientId,
                format!("still holds the placeholder {ph}: paste the client id from the provider"),
            );
        }
        if let Some(var) = &self.client_secret_env
            && !is_env_name(var)
        {
            err(
                Field::ClientSecretEnv,
                format!(
                    "'{var}' is not an environment variable name: use letters, digits and _ (e.g. GOOGLE_CLIENT_SECRET)"
                ),
            );
        }
        let method = self.auth_method();
        if let Err(e) = &method {
            err(Field::ClientAuth, e.clone());
        }
        if let Some(alg) = &self.private_key_alg
            && !PRIVATE_KEY_ALGS.contains(&alg.as_str())
        {
            err(
                Field::PrivateKeyAlg,
                format!(
                    "unknown signing algorithm '{alg}': use one of {}",
                    PRIVATE_KEY_ALGS.join(", ")
                ),
            );
        }
        if method == Ok(ClientAuth::PrivateKeyJwt) && self.private_key_path.is_none() {
            err(
                Field::PrivateKeyPath,
                "private_key_jwt signs with a private key: give the path of its PEM file".into(),
            );
        }
        if let Some(p) = &self.pkce
            && let Err(e) = parse_pkce(p)
        {
            err(Field::Pkce, e);
        }
        for id in &self.quirks {
            if presets::quirk(id).is_none() {
                err(
                    Field::Quirks,
                    format!(
                        "unknown quirk '{id}': known quirks are {}",
                        presets::QUIRKS
                            .iter()
                            .map(|q| q.id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
        for (k, v) in &self.extra_auth_params {
            if let Err(e) = param_value(v) {
                err(Field::ExtraAuthParam(k.clone()), e);
            }
        }
        errors
    }

    /// The quirks this profile lists that oauthviz knows (unknown ids are reported by
    /// [`Profile::check`]).
    pub fn known_quirks(&self) -> Vec<&'static Quirk> {
        self.quirks
            .iter()
            .filter_map(|id| presets::quirk(id))
            .collect()
    }

    /// Headers the profile's quirks want on every token request (D and refresh), in order.
    pub fn token_request_headers(&self) -> Vec<(String, String)> {
        self.known_quirks()
            .iter()
            .flat_map(|q| q.token_request_headers)
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// Fills what the profile leaves unset from discovered metadata — endpoints, and the PKCE
    /// method and client authentication the provider says it supports; what the user wrote
    /// stays.
    pub fn apply_metadata(&mut self, meta: &Metadata) {
        let unset = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if unset(&self.pkce)
            && let Some(m) = discovered_pkce(&meta.code_challenge_methods_supported)
        {
            self.pkce = Some(m.to_owned());
        }
        if unset(&self.client_auth)
            && let Some(m) = discovered_client_auth(&meta.token_endpoint_auth_methods_supported)
        {
            self.client_auth = Some(m.to_owned());
        }
        let fill = |slot: &mut Option<String>, value: &Option<String>| {
            if slot.as_deref().is_none_or(|s| s.trim().is_empty()) && value.is_some() {
                slot.clone_from(value);
            }
        };
        self.authorization_response_iss_parameter_supported |=
            meta.authorization_response_iss_parameter_supported;
        fill(&mut self.issuer, &Some(meta.issuer.clone()));
        fill(
            &mut self.authorization_endpoint,
            &meta.authorization_endpoint,
        );
        fill(&mut self.token_endpoint, &meta.token_endpoint);
        fill(&mut self.userinfo_endpoint, &meta.userinfo_endpoint);
        fill(&mut self.jwks_uri, &meta.jwks_uri);
        fill(&mut self.revocation_endpoint, &meta.revocation_endpoint);
        fill(
            &mut self.introspection_endpoint,
            &meta.introspection_endpoint,
        );
    }

    /// `cfg` with what it leaves unset filled from discovered metadata, by the same rule as
    /// [`Profile::apply_metadata`] (what the engine does when a run starts from an issuer).
    /// A run without a name is named after the issuer.
    pub fn complete(cfg: &ProviderConfig, meta: &Metadata) -> Result<ProviderConfig, String> {
        let mut p = Self::from_config(cfg);
        p.apply_metadata(meta);
        if p.name.trim().is_empty() {
            p.name.clone_from(&meta.issuer);
        }
        // The configuration was validated already: a value the metadata brought (an endpoint
        // with a `{` in it) is the provider's, not a placeholder left in a preset.
        p.build(|_| Err(std::env::VarError::NotPresent))
    }

    /// A profile describing `cfg`, e.g. to save what the user set up by hand. The secret is
    /// copied; whether it reaches disk is the [`SecretChoice`] given to the store.
    pub fn from_config(cfg: &ProviderConfig) -> Self {
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        let mut extra = toml::Table::new();
        for p in cfg.extra_auth_params.iter() {
            extra.insert(p.name.clone(), toml::Value::String(p.value.clone()));
        }
        Self {
            name: cfg.name.clone(),
            issuer: cfg.issuer.clone(),
            authorization_endpoint: non_empty(&cfg.authorization_endpoint),
            token_endpoint: non_empty(&cfg.token_endpoint),
            resource_url: non_empty(&cfg.resource_url),
            revocation_endpoint: cfg.revocation_endpoint.clone(),
            introspection_endpoint: cfg.introspection_endpoint.clone(),
            authorization_response_iss_parameter_supported: cfg
                .authorization_response_iss_parameter_supported,
            client_id: cfg.client_id.clone(),
            client_secret: cfg.client_secret.clone(),
            client_auth: Some(cfg.client_auth.method_name().into()),
            jwks_uri: cfg.jwks_uri.clone(),
            private_key_path: cfg.private_key_path.as_ref().map(PathBuf::from),
            private_key_alg: cfg.private_key_alg.clone(),
            private_key_kid: cfg.private_key_kid.clone(),
            quirks: cfg.quirks.clone(),
            redirect_uri: non_empty(&cfg.redirect_uri),
            scope: Some(cfg.scope.clone()),
            pkce: Some(cfg.pkce.name().into()),
            extra_auth_params: extra,
            ..Default::default()
        }
    }

    /// The engine's configuration, reading the secret from `client_secret_env` when the
    /// profile does not hold it. With neither, the secret stays empty for the caller to ask for.
    pub fn into_config(self) -> Result<ProviderConfig, String> {
        self.into_config_with_env(|var| std::env::var(var))
    }

    /// [`Profile::into_config`] with the environment passed in (tests cannot set variables:
    /// `set_var` is unsafe and this crate forbids unsafe code).
    pub fn into_config_with_env(
        self,
        env: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<ProviderConfig, String> {
        let errors = self.check();
        if !errors.is_empty() {
            let list: Vec<String> = errors.iter().map(|(f, m)| format!("{f}: {m}")).collect();
            return Err(format!("{}: {}", self.label(), list.join("; ")));
        }
        self.build(env)
    }

    /// How messages name this profile.
    fn label(&self) -> String {
        if self.name.is_empty() {
            "the profile".to_owned()
        } else {
            format!("profile '{}'", self.name)
        }
    }

    /// The configuration of a profile whose values were checked, or came from one.
    // Long on purpose: one line per field of the configuration.
    fn build(
        self,
        env: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<ProviderConfig, String> {
        let label = self.label();
        let client_auth = self.auth_method()?;
        let token_request_headers = self.token_request_headers();
        let client_secret = match (client_auth, &self.client_secret, &self.client_secret_env) {
            // Public and private_key_jwt clients send no secret, so a missing variable must not stop their run.
            (ClientAuth::None | ClientAuth::PrivateKeyJwt, _, _) => None,
            (_, Some(s), _) => Some(s.clone()),
            (_, None, Some(var)) => match env(var) {
                Ok(v) if !v.is_empty() => Some(Secret::new(v)),
                Ok(_) | Err(std::env::VarError::NotPresent) => {
                    return Err(format!(
                        "{label} reads its client secret from the environment variable {var}, which is not set (or empty): export {var}=… and run again"
                    ));
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!(
                        "{label} reads its client secret from {var}, which does not hold valid UTF-8"
                    ));
                }
            },
            (_, None, None) => None,
        };
        let mut extra = Params::new();
        for (k, v) in &self.extra_auth_params {
            extra.push(k.clone(), param_value(v)?);
        }
        let resource_url = self
            .resource_url
            .filter(|u| !u.trim().is_empty())
            .or(self.userinfo_endpoint)
            .unwrap_or_default();
        Ok(ProviderConfig {
            name: self.name,
            issuer: self.issuer.filter(|s| !s.trim().is_empty()),
            authorization_endpoint: self.authorization_endpoint.unwrap_or_default(),
            token_endpoint: self.token_endpoint.unwrap_or_default(),
            resource_url,
            client_id: self.client_id,
            client_secret,
            client_auth,
            redirect_uri: self
                .redirect_uri
                .unwrap_or_else(|| DEFAULT_REDIRECT_URI.into()),
            scope: self.scope.unwrap_or_else(|| DEFAULT_SCOPE.into()),
            pkce: self
                .pkce
                .as_deref()
                .map(parse_pkce)
                .transpose()?
                .unwrap_or_default(),
            extra_auth_params: extra,
            revocation_endpoint: self.revocation_endpoint,
            introspection_endpoint: self.introspection_endpoint,
            jwks_uri: self.jwks_uri,
            private_key_path: self
                .private_key_path
                .map(|p| p.to_string_lossy().into_owned()),
            private_key_alg: self.private_key_alg,
            private_key_kid: self.private_key_kid,
            token_request_headers,
            quirks: self.quirks,
            // A run that discovers the metadata can still learn it.
            authorization_response_iss_parameter_supported: self
                .authorization_response_iss_parameter_supported,
            // A profile has no place for other clients yet: `oauthviz check` adds them.
            other_clients: Vec::new(),
        })
    }
}

/// A parameter value as sent: TOML numbers and booleans as written, strings as they are.
fn param_value(v: &toml::Value) -> Result<String, String> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        toml::Value::Datetime(d) => Ok(d.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => Err(
            "an authorization parameter is one value: write it as a string (e.g. a JSON `claims` value in quotes)"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests;
