//! Built-in starting points for the providers people use, with what is known to trip clients up.
//! Everything here is compiled in: loading a preset needs no network.
//!
//! A preset is a [`Profile`] template whose values may hold `{placeholders}`; [`Preset::fill`]
//! replaces them with what the user typed. Quirks are data, not prose only: what a quirk changes
//! on the wire ([`Quirk::token_request_headers`], [`Quirk::extra_auth_params`]) is there for the
//! engine and the editor to apply.

use super::Profile;

/// A known provider behaviour: explained in the UI, and where it changes requests, described as
/// data so the engine can compensate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quirk {
    pub id: &'static str,
    pub title: &'static str,
    /// What the provider does and why it matters, in plain words.
    pub explanation: &'static str,
    /// What oauthviz (or this preset) does about it.
    pub handling: &'static str,
    /// Headers every token request (D, refresh) should carry for this provider.
    pub token_request_headers: &'static [(&'static str, &'static str)],
    /// Authorization parameters that work around it; presets already put them in
    /// `extra_auth_params`, where the user can see and remove them.
    pub extra_auth_params: &'static [(&'static str, &'static str)],
}

/// What a placeholder holds, which decides how its value is cleaned and checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceholderKind {
    /// A host name (`dev-123.okta.com`); a pasted `https://` or trailing `/` is dropped.
    Host,
    /// One path segment (a tenant, a realm).
    Segment,
    /// `scheme://host[:port][/path]`; a trailing `/` is dropped.
    BaseUrl,
    /// A value sent as is (a client id, an audience).
    Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placeholder {
    /// Written `{key}` in the template.
    pub key: &'static str,
    pub label: &'static str,
    /// Where to find the value, in the provider's own words.
    pub help: &'static str,
    /// A well-formed sample, for the input's hint text.
    pub example: &'static str,
    /// Used when the user leaves it empty; `None` means it must be filled. `Some("")` makes it
    /// optional: an authorization parameter left empty is dropped.
    pub default: Option<&'static str>,
    pub kind: PlaceholderKind,
}

impl Placeholder {
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }

    /// The value as it goes into the profile, or why it cannot.
    fn clean(&self, raw: Option<&str>) -> Result<String, String> {
        let mut v = raw.map(str::trim).unwrap_or("");
        if v.is_empty() {
            return self
                .default
                .map(str::to_owned)
                .ok_or_else(|| format!("enter the {} (e.g. {})", self.label, self.example));
        }
        if v.contains(['{', '}']) {
            return Err(format!("the {} cannot contain {{ or }}", self.label));
        }
        match self.kind {
            PlaceholderKind::Host | PlaceholderKind::Segment => {
                if self.kind == PlaceholderKind::Host {
                    v = v
                        .strip_prefix("https://")
                        .or(v.strip_prefix("http://"))
                        .unwrap_or(v);
                    v = v.trim_end_matches('/');
                }
                if v.is_empty()
                    || v.contains(['/', '?', '#', '@', '\\'])
                    || v.contains(char::is_whitespace)
                {
                    let what = if self.kind == PlaceholderKind::Host {
                        "a host name only"
                    } else {
                        "one name without /, ?, # or spaces"
                    };
                    return Err(format!(
                        "the {} must be {what} (e.g. {})",
                        self.label, self.example
                    ));
                }
            }
            PlaceholderKind::BaseUrl => {
                v = v.trim_end_matches('/');
                let rest = v.strip_prefix("https://").or(v.strip_prefix("http://"));
                if rest.is_none_or(|r| r.is_empty())
                    || v.contains(['?', '#'])
                    || v.contains(char::is_whitespace)
                {
                    return Err(format!(
                        "the {} must be a URL starting with https:// (e.g. {})",
                        self.label, self.example
                    ));
                }
            }
            PlaceholderKind::Value => {}
        }
        Ok(v.to_owned())
    }
}

pub struct Preset {
    pub id: &'static str,
    pub display_name: &'static str,
    /// One line for the preset picker.
    pub summary: &'static str,
    placeholders: &'static [Placeholder],
    quirk_ids: &'static [&'static str],
    template: fn() -> Profile,
    /// For a change that is more than text substitution.
    after_fill: Option<fn(&mut Profile)>,
}

impl std::fmt::Debug for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preset")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Preset {
    /// The profile with its `{placeholders}` still in it (for showing what the preset sets).
    pub fn template(&self) -> Profile {
        let mut p = (self.template)();
        p.name = self.id.to_owned();
        p.preset = Some(self.id.to_owned());
        p.quirks = self.quirk_ids.iter().map(|q| (*q).to_owned()).collect();
        p
    }

    /// What the user must (or may, when it has a default) fill in, in display order.
    pub fn placeholders(&self) -> &'static [Placeholder] {
        self.placeholders
    }

    pub fn quirks(&self) -> Vec<&'static Quirk> {
        self.quirk_ids.iter().filter_map(|id| quirk(id)).collect()
    }

    /// The template with `values` (placeholder key, value) substituted. Errors are
    /// (placeholder key, message), one per bad or missing value.
    pub fn fill<K: AsRef<str>, V: AsRef<str>>(
        &self,
        values: &[(K, V)],
    ) -> Result<Profile, Vec<(String, String)>> {
        let lookup = |key: &str| {
            values
                .iter()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| v.as_ref())
        };
        let mut filled = Vec::new();
        let mut errors = Vec::new();
        for ph in self.placeholders {
            match ph.clean(lookup(ph.key)) {
                Ok(v) => filled.push((format!("{{{}}}", ph.key), v)),
                Err(e) => errors.push((ph.key.to_owned(), e)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let substitute = |s: &str| {
            filled
                .iter()
                .fold(s.to_owned(), |acc, (k, v)| acc.replace(k.as_str(), v))
        };
        let mut p = self.template();
        for slot in [
            &mut p.issuer,
            &mut p.authorization_endpoint,
            &mut p.token_endpoint,
            &mut p.resource_url,
            &mut p.userinfo_endpoint,
            &mut p.jwks_uri,
            &mut p.revocation_endpoint,
            &mut p.introspection_endpoint,
            &mut p.redirect_uri,
            &mut p.scope,
        ] {
            *slot = slot.as_deref().map(substitute).filter(|s| !s.is_empty());
        }
        p.client_id = substitute(&p.client_id);
        let mut params = toml::Table::new();
        for (k, v) in std::mem::take(&mut p.extra_auth_params) {
            match v {
                toml::Value::String(s) => {
                    let new = substitute(&s);
                    // An optional placeholder left empty means "do not send this parameter".
                    if !(new.is_empty() && super::find_placeholder(&s).is_some()) {
                        params.insert(k, toml::Value::String(new));
                    }
                }
                other => {
                    params.insert(k, other);
                }
            }
        }
        p.extra_auth_params = params;
        if let Some(f) = self.after_fill {
            f(&mut p);
        }
        Ok(p)
    }
}

/// All presets, in the order the UI lists them.
pub fn all() -> &'static [Preset] {
    PRESETS
}

pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The quirk with this id.
pub fn quirk(id: &str) -> Option<&'static Quirk> {
    QUIRKS.iter().find(|q| q.id == id)
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn params(pairs: &[(&str, &str)]) -> toml::Table {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), toml::Value::String((*v).to_owned())))
        .collect()
}

/// For providers that match the redirect URI exactly: a fixed port the user can register.
const FIXED_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

const CLIENT_ID: Placeholder = Placeholder {
    key: "client_id",
    label: "client ID",
    help: "The client (application) ID from the provider's app registration.",
    example: "my-client-id",
    default: None,
    kind: PlaceholderKind::Value,
};

const fn client_id(help: &'static str, example: &'static str) -> Placeholder {
    Placeholder {
        help,
        example,
        ..CLIENT_ID
    }
}

static PRESETS: &[Preset] = &[
    Preset {
        id: "google",
        display_name: "Google",
        summary: "Google accounts (OpenID Connect). Use an OAuth client of type Desktop app.",
        placeholders: &[client_id(
            "Google Cloud console › APIs & Services › Credentials › OAuth 2.0 Client IDs, type Desktop app.",
            "123456789012-abc123def456.apps.googleusercontent.com",
        )],
        quirk_ids: &["google_offline_access", "google_desktop_client"],
        template: || Profile {
            issuer: s("https://accounts.google.com"),
            authorization_endpoint: s("https://accounts.google.com/o/oauth2/v2/auth"),
            token_endpoint: s("https://oauth2.googleapis.com/token"),
            userinfo_endpoint: s("https://openidconnect.googleapis.com/v1/userinfo"),
            resource_url: s("https://openidconnect.googleapis.com/v1/userinfo"),
            jwks_uri: s("https://www.googleapis.com/oauth2/v3/certs"),
            revocation_endpoint: s("https://oauth2.googleapis.com/revoke"),
            client_id: "{client_id}".into(),
            client_auth: s("post"),
            redirect_uri: s("http://127.0.0.1:0/"),
            scope: s("openid email profile"),
            pkce: s("S256"),
            extra_auth_params: params(&[("access_type", "offline"), ("prompt", "consent")]),
            ..Default::default()
        },
        after_fill: None,
    },
    Preset {
        id: "github",
        display_name: "GitHub",
        summary: "GitHub OAuth apps and GitHub Apps (plain OAuth 2.0, not OpenID Connect).",
        placeholders: &[client_id(
            "GitHub › Settings › Developer settings › OAuth Apps (or GitHub Apps) › your app: Client ID. Set its callback URL to http://127.0.0.1/callback.",
            "Ov23liAbCdEfGhIjKlMn",
        )],
        quirk_ids: &[
            "github_not_oidc",
            "github_form_token_response",
            "github_token_errors_http_200",
            "github_pkce_optional",
            "github_loopback_any_port",
        ],
        template: || Profile {
            authorization_endpoint: s("https://github.com/login/oauth/authorize"),
            token_endpoint: s("https://github.com/login/oauth/access_token"),
            resource_url: s("https://api.github.com/user"),
            client_id: "{client_id}".into(),
            client_auth: s("post"),
            redirect_uri: s("http://127.0.0.1:0/callback"),
            scope: s("read:user user:email"),
            pkce: s("S256"),
            ..Default::default()
        },
        after_fill: None,
    },
    Preset {
        id: "gitlab",
        display_name: "GitLab",
        summary: "GitLab.com or a self-managed GitLab (OpenID Connect).",
        placeholders: &[
            Placeholder {
                key: "host",
                label: "GitLab host",
                help: "gitlab.com, or your self-managed instance's host name.",
                example: "gitlab.example.com",
                default: Some("gitlab.com"),
                kind: PlaceholderKind::Host,
            },
            client_id(
                "GitLab › Edit profile › Applications (or a group's Settings › Applications): Application ID.",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ),
        ],
        quirk_ids: &[
            "gitlab_confidential_flag",
            "gitlab_token_lifetime",
            "exact_redirect_uri",
        ],
        template: || Profile {
            issuer: s("https://{host}"),
            authorization_endpoint: s("https://{host}/oauth/authorize"),
            token_endpoint: s("https://{host}/oauth/token"),
            userinfo_endpoint: s("https://{host}/oauth/userinfo"),
            resource_url: s("https://{host}/oauth/userinfo"),
            jwks_uri: s("https://{host}/oauth/discovery/keys"),
            revocation_endpoint: s("https://{host}/oauth/revoke"),
            introspection_endpoint: s("https://{host}/oauth/introspect"),
            client_id: "{client_id}".into(),
            client_auth: s("post"),
            redirect_uri: s(FIXED_REDIRECT_URI),
            scope: s("openid profile email"),
            pkce: s("S256"),
            ..Default::default()
        },
        after_fill: None,
    },
    Preset {
        id: "entra",
        display_name: "Microsoft Entra ID",
        summary: "Microsoft work, school and personal accounts (v2.0 endpoints, OpenID Connect).",
        placeholders: &[
            Placeholder {
                key: "tenant",
                label: "tenant",
                help: "Directory (tenant) ID or a verified domain for one organisation; or common (any account), organizations (work and school) or consumers (personal accounts).",
                example: "contoso.onmicrosoft.com",
                default: None,
                kind: PlaceholderKind::Segment,
            },
            client_id(
                "Entra admin center › App registrations › your app › Overview: Application (client) ID.",
                "00001111-aaaa-2222-bbbb-3333cccc4444",
            ),
        ],
        quirk_ids: &[
            "entra_tenant_in_url",
            "entra_v2_scopes",
            "entra_client_type",
        ],
        template: || Profile {
            issuer: s("https://login.microsoftonline.com/{tenant}/v2.0"),
            authorization_endpoint: s(
                "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
            ),
            token_endpoint: s("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
            userinfo_endpoint: s("https://graph.microsoft.com/oidc/userinfo"),
            resource_url: s("https://graph.microsoft.com/v1.0/me"),
            jwks_uri: s("https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"),
            client_id: "{client_id}".into(),
            client_auth: s("none"),
            redirect_uri: s("http://localhost:0/callback"),
            scope: s("openid profile offline_access User.Read"),
            pkce: s("S256"),
            ..Default::default()
        },
        after_fill: Some(entra_multi_tenant_issuer),
    },
    Preset {
        id: "keycloak",
        display_name: "Keycloak",
        summary: "A Keycloak realm (OpenID Connect).",
        placeholders: &[
            Placeholder {
                key: "server",
                label: "Keycloak URL",
                help: "The server's base URL. Keycloak 16 and older (WildFly) serve under /auth: include it.",
                example: "https://sso.example.com",
                default: None,
                kind: PlaceholderKind::BaseUrl,
            },
            Placeholder {
                key: "realm",
                label: "realm",
                help: "The realm name as in the admin console's realm selector.",
                example: "myrealm",
                default: None,
                kind: PlaceholderKind::Segment,
            },
            client_id(
                "Admin console › Clients › your client: Client ID.",
                "oauthviz",
            ),
        ],
        quirk_ids: &[
            "keycloak_realm_url",
            "keycloak_client_authentication",
            "exact_redirect_uri",
        ],
        template: || Profile {
            issuer: s("{server}/realms/{realm}"),
            authorization_endpoint: s("{server}/realms/{realm}/protocol/openid-connect/auth"),
            token_endpoint: s("{server}/realms/{realm}/protocol/openid-connect/token"),
            userinfo_endpoint: s("{server}/realms/{realm}/protocol/openid-connect/userinfo"),
            resource_url: s("{server}/realms/{realm}/protocol/openid-connect/userinfo"),
            jwks_uri: s("{server}/realms/{realm}/protocol/openid-connect/certs"),
            revocation_endpoint: s("{server}/realms/{realm}/protocol/openid-connect/revoke"),
            introspection_endpoint: s(
                "{server}/realms/{realm}/protocol/openid-connect/token/introspect",
            ),
            client_id: "{client_id}".into(),
            client_auth: s("basic"),
            redirect_uri: s(FIXED_REDIRECT_URI),
            scope: s("openid profile email"),
            pkce: s("S256"),
            ..Default::default()
        },
        after_fill: None,
    },
    Preset {
        id: "auth0",
        display_name: "Auth0",
        summary: "An Auth0 tenant (OpenID Connect).",
        placeholders: &[
            Placeholder {
                key: "domain",
                label: "Auth0 domain",
                help: "Applications › your application › Settings: Domain (e.g. dev-abc123.us.auth0.com), or your custom domain.",
                example: "dev-abc123.us.auth0.com",
                default: None,
                kind: PlaceholderKind::Host,
            },
            client_id(
                "Applications › your application › Settings: Client ID.",
                "AbCdEfGhIjKlMnOpQrStUvWxYz012345",
            ),
            Placeholder {
                key: "audience",
                label: "API audience",
                help: "Optional: the Identifier of an API under Applications › APIs, to get an access token for that API. Leave empty for userinfo only.",
                example: "https://api.example.com",
                default: Some(""),
                kind: PlaceholderKind::Value,
            },
        ],
        quirk_ids: &[
            "auth0_issuer_trailing_slash",
            "auth0_audience",
            "exact_redirect_uri",
        ],
        template: || Profile {
            issuer: s("https://{domain}/"),
            authorization_endpoint: s("https://{domain}/authorize"),
            token_endpoint: s("https://{domain}/oauth/token"),
            userinfo_endpoint: s("https://{domain}/userinfo"),
            resource_url: s("https://{domain}/userinfo"),
            jwks_uri: s("https://{domain}/.well-known/jwks.json"),
            revocation_endpoint: s("https://{domain}/oauth/revoke"),
            client_id: "{client_id}".into(),
            client_auth: s("post"),
            redirect_uri: s(FIXED_REDIRECT_URI),
            scope: s("openid profile email offline_access"),
            pkce: s("S256"),
            extra_auth_params: params(&[("audience", "{audience}")]),
            ..Default::default()
        },
        after_fill: None,
    },
    Preset {
        id: "okta",
        display_name: "Okta",
        summary: "An Okta org's custom authorization server (OpenID Connect).",
        placeholders: &[
            Placeholder {
                key: "yourOktaDomain",
                label: "Okta domain",
                help: "Your Okta org's domain, as in the admin console's address without -admin (e.g. dev-123456.okta.com).",
                example: "dev-123456.okta.com",
                default: None,
                kind: PlaceholderKind::Host,
            },
            Placeholder {
                key: "authorizationServerId",
                label: "authorization server",
                help: "Security › API › Authorization Servers: the server's ID (default for the one every org has).",
                example: "default",
                default: Some("default"),
                kind: PlaceholderKind::Segment,
            },
            client_id(
                "Applications › your app integration › General: Client ID.",
                "0oa1b2c3d4e5f6g7h8i9",
            ),
        ],
        quirk_ids: &["okta_authorization_server", "exact_redirect_uri"],
        template: || Profile {
            issuer: s("https://{yourOktaDomain}/oauth2/{authorizationServerId}"),
            authorization_endpoint: s(
                "https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/authorize",
            ),
            token_endpoint: s("https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/token"),
            userinfo_endpoint: s(
                "https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/userinfo",
            ),
            resource_url: s("https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/userinfo"),
            jwks_uri: s("https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/keys"),
            revocation_endpoint: s(
                "https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/revoke",
            ),
            introspection_endpoint: s(
                "https://{yourOktaDomain}/oauth2/{authorizationServerId}/v1/introspect",
            ),
            client_id: "{client_id}".into(),
            client_auth: s("basic"),
            redirect_uri: s(FIXED_REDIRECT_URI),
            scope: s("openid profile email offline_access"),
            pkce: s("S256"),
            ..Default::default()
        },
        after_fill: None,
    },
];

/// With `common`, `organizations` or `consumers` there is no single issuer (each account's
/// tenant issues its own), so comparing against the template's would reject every login.
fn entra_multi_tenant_issuer(p: &mut Profile) {
    let multi = ["common", "organizations", "consumers"].iter().any(|t| {
        p.issuer.as_deref() == Some(&format!("https://login.microsoftonline.com/{t}/v2.0"))
    });
    if multi {
        p.issuer = None;
    }
}

pub static QUIRKS: &[Quirk] = &[
    Quirk {
        id: "exact_redirect_uri",
        title: "Register the exact redirect URI, port included",
        explanation: "This provider compares the redirect_uri with the registered ones character for character. A redirect to a port picked at random (127.0.0.1:0) would be refused with a redirect-URI mismatch before the login page is shown.",
        handling: "The preset uses the fixed http://127.0.0.1:8765/callback: register exactly that with the provider, or change it here and register your value. If the port is taken, oauthviz says so before the flow starts.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "google_offline_access",
        title: "Refresh tokens only with access_type=offline and prompt=consent",
        explanation: "Google returns a refresh_token only when the authorization request says access_type=offline, and only the first time the user consents to this client. Later logins get an access token alone unless prompt=consent makes Google ask, and issue a refresh token, again. Google does not use the offline_access scope for this.",
        handling: "The preset adds access_type=offline and prompt=consent to the extra authorization parameters. Remove them to watch the token response come back without a refresh_token.",
        token_request_headers: &[],
        extra_auth_params: &[("access_type", "offline"), ("prompt", "consent")],
    },
    Quirk {
        id: "google_desktop_client",
        title: "Use a Desktop app client for loopback redirects",
        explanation: "Google accepts a redirect to http://127.0.0.1 on any port for OAuth clients of type Desktop app, without registering it. A Web application client needs the exact redirect URI, port included, registered in the console. Desktop clients still get a client secret, and Google expects it at the token endpoint even though an installed app cannot keep it secret.",
        handling: "The preset redirects to http://127.0.0.1 on a free port and sends the secret in the form body (client_secret_post). With a Web application client, set a fixed port in the redirect URI and register it.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "github_not_oidc",
        title: "Not OpenID Connect",
        explanation: "GitHub's sign-in is plain OAuth 2.0: no discovery document, no ID token, no userinfo endpoint, and the openid scope means nothing. Who signed in is learned by calling the REST API (GET https://api.github.com/user) with the access token. GitHub's token revocation is a REST API call, not an RFC 7009 endpoint.",
        handling: "The preset sets the endpoints by hand and no issuer, so no discovery runs and no iss check applies; step F calls /user. oauthviz sends a User-Agent header, which GitHub's API requires.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "github_form_token_response",
        title: "Token response is form-encoded unless Accept: application/json",
        explanation: "GitHub's token endpoint answers application/x-www-form-urlencoded (access_token=…&scope=…&token_type=bearer) unless the request says Accept: application/json. A client that expects the JSON of RFC 6749 §5.1 fails to read the default answer.",
        handling: "oauthviz asks for JSON on token requests and also reads form-encoded answers. Remove the Accept header in the inspector and replay step D to see the other format.",
        token_request_headers: &[("Accept", "application/json")],
        extra_auth_params: &[],
    },
    Quirk {
        id: "github_token_errors_http_200",
        title: "Token errors can come with HTTP 200",
        explanation: "GitHub reports some token endpoint errors, such as bad_verification_code for an expired or reused code, in a response whose status is 200 OK. A client that trusts the status takes the error for a success and then finds no access_token.",
        handling: "oauthviz reads the body: an error field marks the exchange as failed whatever the status.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "github_pkce_optional",
        title: "PKCE accepted (S256 only) but not required",
        explanation: "GitHub announced PKCE support for OAuth apps and GitHub Apps on 14 July 2025, accepting only the S256 method. It does not require PKCE, because it does not tell public and confidential clients apart: the client secret is needed at the token endpoint either way. Older GitHub Enterprise Server releases may predate this support.",
        handling: "The preset sends S256. If a GitHub Enterprise Server rejects the request, set PKCE to off.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "github_loopback_any_port",
        title: "Loopback redirect on any port",
        explanation: "When an app's callback URL is a loopback address such as http://127.0.0.1/callback, GitHub lets the redirect_uri name any port on it, as native apps need. Host and path must still match.",
        handling: "The preset lets the listener pick a free port. Register http://127.0.0.1/callback as the app's callback URL.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "gitlab_confidential_flag",
        title: "Confidential or public is a checkbox on the application",
        explanation: "A GitLab application marked Confidential must authenticate with its secret at the token endpoint. Untick Confidential for a public client: it then uses PKCE and sends only its client_id.",
        handling: "The preset assumes a confidential application (client_secret_post). For a public one set client authentication to none; PKCE stays S256.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "gitlab_token_lifetime",
        title: "Access tokens expire after two hours",
        explanation: "GitLab access tokens from the OAuth flow expire two hours after issue (expires_in says 7200). Longer use needs the refresh token.",
        handling: "The token response's expires_in is shown with step E; use the refresh step to get a new access token.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "entra_tenant_in_url",
        title: "The tenant is part of every URL",
        explanation: "Entra's endpoints carry the tenant: a directory ID or domain for one organisation, or common, organizations or consumers for multi-tenant apps. With those three there is no single issuer (the discovery document's issuer contains a literal {tenantid}, and each token names the user's own tenant), so an issuer check against the URL would fail.",
        handling: "The preset sets the endpoints directly instead of relying on discovery, and leaves the issuer empty for common, organizations and consumers so no iss comparison can reject a valid login.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "entra_v2_scopes",
        title: "v2 scopes name their resource",
        explanation: "On the v2.0 endpoints a scope such as User.Read is short for https://graph.microsoft.com/User.Read. One token request gets a token for one resource, so scopes of different APIs cannot be mixed. offline_access is needed for a refresh token; openid, profile and email shape the ID token. An access token for Microsoft Graph is meant for Graph only: treat it as opaque.",
        handling: "The preset asks for openid profile offline_access User.Read and calls Graph's /me in step F. For your own API, use its scopes (api://…/scope) and its URL instead.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "entra_client_type",
        title: "The redirect platform decides public or confidential",
        explanation: "A redirect URI under \"Mobile and desktop applications\" makes a public client: Entra rejects a secret with AADSTS700025. Under \"Web\" a secret or certificate is required (AADSTS7000218 without one). Under \"Single-page application\" codes can only be redeemed by a browser's cross-origin request (AADSTS9002327). Entra ignores the port when matching a localhost redirect URI.",
        handling: "The preset is a public client (client authentication none, PKCE S256) redirecting to http://localhost on a free port: register http://localhost/callback under Mobile and desktop applications. For a Web registration, switch client authentication to post and supply the secret.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "keycloak_realm_url",
        title: "The realm is part of the issuer",
        explanation: "Each Keycloak realm is its own issuer, https://host/realms/REALM, with its endpoints under /protocol/openid-connect/. Keycloak 16 and older put all of this under /auth as well (https://host/auth/realms/REALM); newer versions do not.",
        handling: "The preset builds every endpoint from the server URL and realm you enter; include /auth in the server URL for an old Keycloak.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "keycloak_client_authentication",
        title: "Client authentication is a switch on the client",
        explanation: "With Client authentication on, the client is confidential and its secret is on the Credentials tab; with it off, the client is public and sends no secret. Whether PKCE is required, and with which method, is set per client under Advanced. Valid redirect URIs may end in a * wildcard.",
        handling: "The preset assumes a confidential client (client_secret_basic) with PKCE S256. For a public client set client authentication to none.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "auth0_issuer_trailing_slash",
        title: "The issuer ends with a slash",
        explanation: "Auth0's issuer is https://YOUR_DOMAIN/ with a trailing slash, and the iss claim of its tokens has it too. Issuer comparisons are exact, so https://YOUR_DOMAIN without the slash does not match.",
        handling: "The preset keeps the slash. oauthviz's discovery accepts either form when fetching metadata, but iss checks compare exactly.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "auth0_audience",
        title: "Without audience the access token is only for userinfo",
        explanation: "Unless the authorization request names an API with audience, Auth0 issues an access token that is good only for its /userinfo endpoint and is not a JWT your API can verify. With audience set to an API's Identifier the access token is a JWT for that API. Refresh tokens need the offline_access scope and, for an API, Allow Offline Access turned on in its settings.",
        handling: "The preset sends audience when you fill in the API audience and leaves it out otherwise.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
    Quirk {
        id: "okta_authorization_server",
        title: "Custom authorization server, not the org one",
        explanation: "https://YOUR_DOMAIN/oauth2/default is the custom authorization server every Okta org has; its tokens are meant for your own APIs. The org authorization server (https://YOUR_DOMAIN, endpoints under /oauth2/v1/) issues access tokens for Okta's own APIs, which your services should not try to validate. Refresh tokens need the offline_access scope and the Refresh Token grant enabled on the app integration.",
        handling: "The preset uses the default custom server; enter another authorization server ID to use one of yours.",
        token_request_headers: &[],
        extra_auth_params: &[],
    },
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::protocol::secret::Secret;

    fn examples(preset: &Preset) -> Vec<(&'static str, &'static str)> {
        preset
            .placeholders()
            .iter()
            .map(|p| (p.key, p.example))
            .collect()
    }

    #[test]
    fn every_preset_fills_and_converts_to_a_valid_provider_config() {
        for preset in all() {
            let mut p = preset.fill(&examples(preset)).unwrap();
            assert!(p.check().is_empty(), "{}: {:?}", preset.id, p.check());
            assert_eq!(p.preset.as_deref(), Some(preset.id));
            if p.client_auth.as_deref() != Some("none") {
                p.client_secret = Some(Secret::new("sample-secret"));
            }
            // A filled preset survives the trip through its file.
            let text =
                crate::profile::store::to_toml(&p, crate::profile::SecretChoice::Store).unwrap();
            let mut reread = crate::profile::parse(std::path::Path::new("x.toml"), &text).unwrap();
            reread.name = p.name.clone();
            assert_eq!(reread, p, "{}", preset.id);
            let cfg = p
                .into_config_with_env(|_| Err(std::env::VarError::NotPresent))
                .unwrap();
            assert_eq!(cfg.validate(), Ok(()), "{}", preset.id);
        }
    }

    #[test]
    fn presets_and_quirks_are_consistent() {
        let mut ids: Vec<_> = all().iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all().len());
        let mut quirk_ids: Vec<_> = QUIRKS.iter().map(|q| q.id).collect();
        quirk_ids.sort_unstable();
        quirk_ids.dedup();
        assert_eq!(quirk_ids.len(), QUIRKS.len());
        for preset in all() {
            let template = preset.template();
            assert_eq!(
                preset.quirks().len(),
                template.quirks.len(),
                "{}",
                preset.id
            );
            for q in preset.quirks() {
                // A quirk's authorization parameters are visible in the preset, not added unseen.
                for (k, v) in q.extra_auth_params {
                    assert_eq!(
                        template.extra_auth_params.get(*k).and_then(|x| x.as_str()),
                        Some(*v),
                        "{} {}",
                        preset.id,
                        q.id
                    );
                }
            }
            for ph in preset.placeholders() {
                assert!(!ph.help.is_empty() && !ph.example.is_empty());
            }
        }
        for name in [
            "google", "github", "gitlab", "entra", "keycloak", "auth0", "okta",
        ] {
            assert!(find(name).is_some(), "{name}");
        }
    }

    #[test]
    fn github_quirk_asks_for_json_token_responses() {
        let p = find("github")
            .unwrap()
            .fill(&[("client_id", "abc")])
            .unwrap();
        assert_eq!(
            p.token_request_headers(),
            [("Accept".to_owned(), "application/json".to_owned())]
        );
        assert!(p.issuer.is_none());
    }

    #[test]
    fn missing_and_malformed_values_are_named() {
        let okta = find("okta").unwrap();
        let empty: [(&str, &str); 0] = [];
        let errors = okta.fill(&empty).unwrap_err();
        let keys: Vec<_> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["yourOktaDomain", "client_id"]);

        let errors = find("keycloak")
            .unwrap()
            .fill(&[
                ("server", "sso.example.com"),
                ("realm", "a/b"),
                ("client_id", "c"),
            ])
            .unwrap_err();
        let keys: Vec<_> = errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["server", "realm"]);
    }

    #[test]
    fn values_are_cleaned_and_defaults_apply() {
        let p = find("okta")
            .unwrap()
            .fill(&[
                ("yourOktaDomain", " https://dev-1.okta.com/ "),
                ("client_id", "c"),
            ])
            .unwrap();
        assert_eq!(
            p.issuer.as_deref(),
            Some("https://dev-1.okta.com/oauth2/default")
        );

        let p = find("gitlab").unwrap().fill(&[("client_id", "c")]).unwrap();
        assert_eq!(
            p.token_endpoint.as_deref(),
            Some("https://gitlab.com/oauth/token")
        );
        let p = find("gitlab")
            .unwrap()
            .fill(&[("client_id", "c"), ("host", "git.example.org")])
            .unwrap();
        assert_eq!(p.issuer.as_deref(), Some("https://git.example.org"));

        let p = find("keycloak")
            .unwrap()
            .fill(&[
                ("server", "http://localhost:8080/"),
                ("realm", "dev"),
                ("client_id", "c"),
            ])
            .unwrap();
        assert_eq!(
            p.issuer.as_deref(),
            Some("http://localhost:8080/realms/dev")
        );
    }

    #[test]
    fn auth0_audience_is_sent_only_when_given() {
        let auth0 = find("auth0").unwrap();
        let base = [("domain", "t.eu.auth0.com"), ("client_id", "c")];
        let p = auth0.fill(&base).unwrap();
        assert!(p.extra_auth_params.is_empty());
        assert_eq!(p.issuer.as_deref(), Some("https://t.eu.auth0.com/"));
        let mut with = base.to_vec();
        with.push(("audience", "https://api.example.com"));
        let p = auth0.fill(&with).unwrap();
        assert_eq!(
            p.extra_auth_params.get("audience").and_then(|v| v.as_str()),
            Some("https://api.example.com")
        );
    }

    #[test]
    fn entra_multi_tenant_values_have_no_single_issuer() {
        let entra = find("entra").unwrap();
        for tenant in ["common", "organizations", "consumers"] {
            let p = entra
                .fill(&[("tenant", tenant), ("client_id", "c")])
                .unwrap();
            assert!(p.issuer.is_none(), "{tenant}");
            assert_eq!(
                p.token_endpoint.unwrap(),
                format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token")
            );
        }
        let p = entra
            .fill(&[("tenant", "contoso.com"), ("client_id", "c")])
            .unwrap();
        assert_eq!(
            p.issuer.as_deref(),
            Some("https://login.microsoftonline.com/contoso.com/v2.0")
        );
    }

    #[test]
    fn template_shows_its_placeholders() {
        let t = find("entra").unwrap().template();
        assert!(t.authorization_endpoint.unwrap().contains("{tenant}"));
        assert_eq!(t.client_id, "{client_id}");
    }
}
