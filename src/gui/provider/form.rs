//! One provider profile in the form: every value as typed, converted to and from
//! [`Profile`] so that what Save writes, what the engine runs and what the file held can be
//! compared. Validation is the profile's own ([`Profile::check`], then
//! [`ProviderConfig::validate`]); its messages are shown under the fields they name.

use std::path::PathBuf;

use egui::{ComboBox, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::config::{Field, FieldErrors, ProviderConfig};
use crate::gui::form_widgets::{error, field_error, hinted_field, note, secret_field, text_field};
use crate::gui::provider::discovery::{Hint, Hints, exchanges_ui};
use crate::gui::theme::{self, Palette};
use crate::profile::{self, PRIVATE_KEY_ALGS, Profile};
use crate::protocol::discovery::Metadata;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;
use crate::workbench::Discovered;

/// The profile's values as the form holds them: text where the profile has optional values (an
/// empty field is an unset value), and the secret only in memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileFields {
    pub preset: Option<String>,
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub resource_url: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub revocation_endpoint: String,
    pub introspection_endpoint: String,
    /// RFC 9207: the provider says it sends `iss` on the redirect.
    pub iss_on_redirect: bool,
    pub client_id: String,
    /// Never persisted by eframe; reaches the profile file only with `store_secret`.
    #[serde(skip)]
    pub client_secret: String,
    pub client_secret_env: String,
    /// "Save the secret in the profile file (owner-only)".
    pub store_secret: bool,
    /// As the file says it (`basic`, `client_secret_post`, …), so an unknown value is kept and
    /// reported rather than silently replaced.
    pub client_auth: String,
    pub private_key_path: String,
    pub private_key_alg: String,
    pub private_key_kid: String,
    pub redirect_uri: String,
    pub scope: String,
    pub pkce: String,
    /// Name and value, in the order sent.
    pub extra_auth_params: Vec<(String, String)>,
    pub quirks: Vec<String>,
    pub notes: String,
}

impl Default for ProfileFields {
    /// A new profile: the values a run would use anyway, written out so the user sees them.
    fn default() -> Self {
        Self::from_profile(&Profile::default())
    }
}

/// Every field the form shows a message under; a message for any other field is listed at the
/// end, so nothing that blocks a run is ever hidden.
const SHOWN_FIELDS: &[Field] = &[
    Field::Issuer,
    Field::AuthorizationEndpoint,
    Field::TokenEndpoint,
    Field::ResourceUrl,
    Field::UserinfoEndpoint,
    Field::JwksUri,
    Field::RevocationEndpoint,
    Field::IntrospectionEndpoint,
    Field::ClientId,
    Field::ClientSecret,
    Field::ClientSecretEnv,
    Field::ClientAuth,
    Field::PrivateKeyPath,
    Field::PrivateKeyAlg,
    Field::RedirectUri,
    Field::Pkce,
];

/// The methods, in the order of their names in [`profile::CLIENT_AUTH_VALUES`].
const CLIENT_AUTHS: [ClientAuth; 4] = [
    ClientAuth::Basic,
    ClientAuth::Post,
    ClientAuth::None,
    ClientAuth::PrivateKeyJwt,
];

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

/// An empty field is an unset value.
fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

impl ProfileFields {
    /// The form for `p`. Unset values that have a default (client authentication, redirect URI,
    /// scope, PKCE) show that default, so the form always says what a run sends.
    pub fn from_profile(p: &Profile) -> Self {
        let param_text = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Self {
            preset: p.preset.clone(),
            issuer: text(&p.issuer),
            authorization_endpoint: text(&p.authorization_endpoint),
            token_endpoint: text(&p.token_endpoint),
            resource_url: text(&p.resource_url),
            userinfo_endpoint: text(&p.userinfo_endpoint),
            jwks_uri: text(&p.jwks_uri),
            revocation_endpoint: text(&p.revocation_endpoint),
            introspection_endpoint: text(&p.introspection_endpoint),
            iss_on_redirect: p.authorization_response_iss_parameter_supported,
            client_id: p.client_id.clone(),
            client_secret: p
                .client_secret
                .as_ref()
                .map(|s| s.expose().to_owned())
                .unwrap_or_default(),
            client_secret_env: text(&p.client_secret_env),
            store_secret: p.client_secret.is_some(),
            client_auth: p.client_auth.clone().unwrap_or_else(|| "basic".into()),
            private_key_path: p
                .private_key_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            private_key_alg: text(&p.private_key_alg),
            private_key_kid: text(&p.private_key_kid),
            redirect_uri: p
                .redirect_uri
                .clone()
                .unwrap_or_else(|| profile::DEFAULT_REDIRECT_URI.into()),
            scope: p
                .scope
                .clone()
                .unwrap_or_else(|| profile::DEFAULT_SCOPE.into()),
            pkce: p.pkce.clone().unwrap_or_else(|| "S256".into()),
            extra_auth_params: p
                .extra_auth_params
                .iter()
                .map(|(k, v)| (k.clone(), param_text(v)))
                .collect(),
            quirks: p.quirks.clone(),
            notes: p.notes.clone(),
        }
    }

    /// The profile named `name` these fields describe, with the typed secret in it: the store
    /// leaves it out of the file unless [`ProfileFields::secret_choice`] says otherwise.
    pub fn to_profile(&self, name: &str) -> Profile {
        Profile {
            name: name.trim().to_owned(),
            preset: self.preset.clone(),
            issuer: optional(&self.issuer),
            authorization_endpoint: optional(&self.authorization_endpoint),
            token_endpoint: optional(&self.token_endpoint),
            resource_url: optional(&self.resource_url),
            userinfo_endpoint: optional(&self.userinfo_endpoint),
            jwks_uri: optional(&self.jwks_uri),
            revocation_endpoint: optional(&self.revocation_endpoint),
            introspection_endpoint: optional(&self.introspection_endpoint),
            authorization_response_iss_parameter_supported: self.iss_on_redirect,
            client_id: self.client_id.trim().to_owned(),
            client_secret: (!self.client_secret.is_empty())
                .then(|| Secret::new(self.client_secret.clone())),
            client_secret_env: optional(&self.client_secret_env),
            client_auth: optional(&self.client_auth),
            private_key_path: optional(&self.private_key_path).map(PathBuf::from),
            private_key_alg: optional(&self.private_key_alg),
            private_key_kid: optional(&self.private_key_kid),
            redirect_uri: optional(&self.redirect_uri),
            // An empty scope is a choice (the provider's default), not "unset".
            scope: Some(self.scope.trim().to_owned()),
            pkce: optional(&self.pkce),
            quirks: self.quirks.clone(),
            notes: self.notes.clone(),
            extra_auth_params: self
                .extra_auth_params
                .iter()
                .filter(|(k, _)| !k.trim().is_empty())
                .map(|(k, v)| (k.trim().to_owned(), toml::Value::String(v.clone())))
                .collect(),
        }
    }

    pub fn secret_choice(&self) -> profile::SecretChoice {
        if self.store_secret {
            profile::SecretChoice::Store
        } else {
            profile::SecretChoice::DoNotStore
        }
    }

    /// What a save writes: the secret only when the user asked for it to be stored. Two forms
    /// with equal saved views write the same file, which is what "unsaved changes" compares.
    pub fn saved_view(&self) -> Self {
        let mut view = self.clone();
        if !view.store_secret {
            view.client_secret.clear();
        }
        view
    }

    pub fn auth_method(&self) -> Option<ClientAuth> {
        profile::parse_client_auth(&self.client_auth).ok()
    }

    /// Fills the endpoints, PKCE method and client authentication left empty from discovered
    /// metadata (what was typed stays), and returns how many it filled.
    pub fn apply_metadata(&mut self, meta: &Metadata) -> usize {
        let mut p = self.to_profile("");
        p.apply_metadata(meta);
        let mut filled = 0;
        for (slot, value) in [
            (&mut self.issuer, p.issuer),
            (&mut self.authorization_endpoint, p.authorization_endpoint),
            (&mut self.token_endpoint, p.token_endpoint),
            (&mut self.userinfo_endpoint, p.userinfo_endpoint),
            (&mut self.jwks_uri, p.jwks_uri),
            (&mut self.revocation_endpoint, p.revocation_endpoint),
            (&mut self.introspection_endpoint, p.introspection_endpoint),
            (&mut self.pkce, p.pkce),
            (&mut self.client_auth, p.client_auth),
        ] {
            if slot.trim().is_empty()
                && let Some(v) = value
            {
                *slot = v;
                filled += 1;
            }
        }
        if p.authorization_response_iss_parameter_supported && !self.iss_on_redirect {
            self.iss_on_redirect = true;
            filled += 1;
        }
        filled
    }

    /// Problems only the form can have: parameter rows a TOML table cannot hold.
    fn param_errors(&self) -> FieldErrors {
        let mut errors = Vec::new();
        let mut seen = Vec::new();
        for (k, v) in &self.extra_auth_params {
            let k = k.trim();
            if k.is_empty() {
                if !v.is_empty() {
                    errors.push((
                        Field::ExtraAuthParams,
                        format!("the parameter with value '{v}' has no name"),
                    ));
                }
            } else if seen.contains(&k) {
                errors.push((
                    Field::ExtraAuthParam(k.to_owned()),
                    format!("{k} is given twice: an authorization parameter is sent once"),
                ));
            } else {
                seen.push(k);
            }
        }
        errors
    }

    /// The configuration the engine runs with (the secret from the form, else from the
    /// environment variable the profile names), or what is wrong, by field.
    pub fn config(
        &self,
        name: &str,
        env: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<ProviderConfig, FieldErrors> {
        let profile = self.to_profile(name);
        let mut errors = self.param_errors();
        errors.extend(profile.check());
        if !errors.is_empty() {
            return Err(errors);
        }
        // With the values checked, only the secret's environment variable can still fail; the
        // profile's message speaks to a shell user, so the form says what to do here.
        let var = self.client_secret_env.trim().to_owned();
        let mut config = profile.into_config_with_env(env).map_err(|_| {
            vec![(
                Field::ClientSecretEnv,
                format!(
                    "{var} is not set (or empty) in oauthviz's environment: type the secret above \
                     for this session, or start oauthviz with {var} set"
                ),
            )]
        })?;
        if config.name.is_empty() {
            config.name = self.host_label();
        }
        runnable(config)
    }

    /// A run's label when the profile has no name yet: the provider's host.
    fn host_label(&self) -> String {
        [&self.issuer, &self.authorization_endpoint]
            .into_iter()
            .find_map(|u| {
                url::Url::parse(u.trim())
                    .ok()?
                    .host_str()
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "custom".into())
    }

    /// The endpoint fields. Returns whether "Discover" was pressed.
    pub fn endpoints_ui(&mut self, ui: &mut Ui, form: &FormState, palette: &Palette) -> bool {
        let discover = self.issuer_ui(ui, form, palette);
        let errors = form.errors;
        let discovered = "discovered when empty";
        for (label, value, field) in [
            (
                "Authorization endpoint",
                &mut self.authorization_endpoint,
                Field::AuthorizationEndpoint,
            ),
            (
                "Token endpoint",
                &mut self.token_endpoint,
                Field::TokenEndpoint,
            ),
        ] {
            hinted_field(ui, label, discovered, value, error(errors, &field), palette);
        }
        hinted_field(
            ui,
            "JWKS URI (keys that sign id_tokens; discovered when empty)",
            discovered,
            &mut self.jwks_uri,
            error(errors, &Field::JwksUri),
            palette,
        );
        hinted_field(
            ui,
            "Userinfo endpoint",
            discovered,
            &mut self.userinfo_endpoint,
            error(errors, &Field::UserinfoEndpoint),
            palette,
        );
        hinted_field(
            ui,
            "Resource URL (API or userinfo)",
            "empty: the userinfo endpoint",
            &mut self.resource_url,
            error(errors, &Field::ResourceUrl),
            palette,
        );
        if self.resource_url.trim().is_empty() {
            note(
                ui,
                "Empty: step F calls the userinfo endpoint (OpenID Connect), as given above or \
                 discovered. Enter an API URL to call your API instead.",
                palette.weak_text,
            );
        }
        egui::CollapsingHeader::new("Revocation and introspection endpoints")
            .id_salt("more_endpoints")
            .show(ui, |ui| {
                for (label, value, field) in [
                    (
                        "Revocation endpoint",
                        &mut self.revocation_endpoint,
                        Field::RevocationEndpoint,
                    ),
                    (
                        "Introspection endpoint",
                        &mut self.introspection_endpoint,
                        Field::IntrospectionEndpoint,
                    ),
                ] {
                    hinted_field(ui, label, discovered, value, error(errors, &field), palette);
                }
            });
        discover
    }

    /// The issuer with its Discover button, what discovery found, and whether the provider
    /// sends iss on the redirect. Returns whether "Discover" was pressed.
    fn issuer_ui(&mut self, ui: &mut Ui, form: &FormState, palette: &Palette) -> bool {
        let errors = form.errors;
        let label = ui.label("Issuer");
        let mut discover = false;
        // Right to left, as the secret field: the button first, the field gets the rest.
        let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
        ui.allocate_ui_with_layout(
            row,
            egui::Layout::right_to_left(egui::Align::Center),
            |ui| {
                let can = !self.issuer.trim().is_empty() && !form.discovering;
                discover = ui
                .add_enabled(can, egui::Button::new("Discover"))
                .on_hover_text(
                    "Fetch the issuer's metadata (/.well-known) and fill the endpoints left empty",
                )
                .clicked();
                if form.discovering {
                    ui.spinner();
                }
                ui.add(
                    egui::TextEdit::singleline(&mut self.issuer)
                        .hint_text("https://login.example.com")
                        .desired_width(ui.available_width()),
                )
                .labelled_by(label.id);
            },
        );
        field_error(ui, error(errors, &Field::Issuer), palette);
        match form.discovered.map(|d| &d.metadata) {
            Some(Err(e)) => note(ui, e, palette.error_text),
            Some(Ok(_)) => note(ui, form.discovery_note, palette.ok),
            None => note(
                ui,
                "With an issuer, endpoints left empty are discovered when the run starts, and \
                 the callback's iss and the id_token (scope openid) are checked against it.",
                palette.weak_text,
            ),
        }
        if let Some(d) = form.discovered {
            exchanges_ui(ui, &d.exchanges, palette);
        }
        ui.checkbox(
            &mut self.iss_on_redirect,
            "The provider sends iss on the redirect (RFC 9207)",
        )
        .on_hover_text(
            "authorization_response_iss_parameter_supported in its metadata (Discover sets it): a callback without iss is then refused, as it may come from another provider (mix-up attack)",
        );
        discover
    }

    /// The client: id, authentication and its secret or key, redirect URI, scope, PKCE and
    /// extra authorization parameters.
    pub fn client_ui(&mut self, ui: &mut Ui, form: &mut FormState, palette: &Palette) {
        let errors = form.errors;
        text_field(
            ui,
            "Client ID",
            &mut self.client_id,
            error(errors, &Field::ClientId),
            palette,
        );
        let selected = self
            .auth_method()
            .map_or(self.client_auth.clone(), |a| a.method_name().to_owned());
        ComboBox::from_label("Client authentication")
            .selected_text(selected)
            .show_ui(ui, |ui| {
                for (auth, value) in CLIENT_AUTHS.into_iter().zip(profile::CLIENT_AUTH_VALUES) {
                    if ui
                        .selectable_label(self.auth_method() == Some(auth), auth.method_name())
                        .clicked()
                    {
                        (*value).clone_into(&mut self.client_auth);
                    }
                }
            });
        field_error(ui, error(errors, &Field::ClientAuth), palette);
        hints_ui(ui, form.hints.map(|h| &h.client_auth[..]), palette);
        match self.auth_method() {
            Some(ClientAuth::Basic | ClientAuth::Post) => self.secret_ui(ui, form, palette),
            Some(ClientAuth::PrivateKeyJwt) => self.private_key_ui(ui, errors, palette),
            Some(ClientAuth::None) => note(
                ui,
                "Public client: no secret is sent; PKCE ties the code to this run.",
                palette.weak_text,
            ),
            None => {}
        }
        hinted_field(
            ui,
            "Redirect URI",
            profile::DEFAULT_REDIRECT_URI,
            &mut self.redirect_uri,
            error(errors, &Field::RedirectUri),
            palette,
        );
        note(
            ui,
            "Port 0 picks a free port; register the exact URI if the provider matches it exactly.",
            palette.weak_text,
        );
        text_field(ui, "Scope", &mut self.scope, None, palette);
        hints_ui(ui, form.hints.map(|h| &h.scope[..]), palette);
        let pkce = PkceMethod::parse(&self.pkce).ok();
        ComboBox::from_label("PKCE")
            .selected_text(pkce.map_or(self.pkce.clone(), |m| m.name().to_owned()))
            .show_ui(ui, |ui| {
                for method in [PkceMethod::S256, PkceMethod::Plain, PkceMethod::Off] {
                    if ui
                        .selectable_label(pkce == Some(method), method.name())
                        .clicked()
                    {
                        self.pkce = method.name().to_owned();
                    }
                }
            });
        field_error(ui, error(errors, &Field::Pkce), palette);
        hints_ui(ui, form.hints.map(|h| &h.pkce[..]), palette);
        self.params_ui(ui, errors, palette);
        let hidden: Vec<&(Field, String)> = errors
            .iter()
            .filter(|(f, _)| {
                !SHOWN_FIELDS.contains(f)
                    && !matches!(f, Field::ExtraAuthParam(_) | Field::ExtraAuthParams)
            })
            .collect();
        for (field, message) in hidden {
            note(ui, &format!("{field}: {message}"), palette.error_text);
        }
    }

    fn secret_ui(&mut self, ui: &mut Ui, form: &mut FormState, palette: &Palette) {
        let errors = form.errors;
        secret_field(
            ui,
            "Client secret",
            &mut self.client_secret,
            form.show_secret,
        );
        field_error(ui, error(errors, &Field::ClientSecret), palette);
        hinted_field(
            ui,
            "Or read the secret from the environment variable",
            "e.g. KEYCLOAK_SECRET",
            &mut self.client_secret_env,
            error(errors, &Field::ClientSecretEnv),
            palette,
        );
        ui.checkbox(
            &mut self.store_secret,
            "Save the secret in the profile file (owner-only)",
        );
        let where_from = if self.store_secret {
            "Saved in the profile file, readable only by you."
        } else if self.client_secret_env.trim().is_empty() {
            "Not saved: it stays in memory until oauthviz quits."
        } else {
            "Not saved: a secret typed here is used for this session, otherwise the variable's."
        };
        note(ui, where_from, palette.weak_text);
    }

    fn private_key_ui(&mut self, ui: &mut Ui, errors: &[(Field, String)], palette: &Palette) {
        hinted_field(
            ui,
            "Private key (PEM file)",
            "/path/to/client-key.pem",
            &mut self.private_key_path,
            error(errors, &Field::PrivateKeyPath),
            palette,
        );
        let path = self.private_key_path.trim();
        if !path.is_empty() && !std::path::Path::new(path).is_file() {
            note(
                ui,
                "There is no file at this path (yet): the token request will fail until there is.",
                palette.warning,
            );
        }
        let alg = if self.private_key_alg.is_empty() {
            "RS256 (default)"
        } else {
            self.private_key_alg.as_str()
        };
        ComboBox::from_label("Signing algorithm")
            .selected_text(alg)
            .show_ui(ui, |ui| {
                for a in PRIVATE_KEY_ALGS {
                    ui.selectable_value(&mut self.private_key_alg, (*a).to_owned(), *a);
                }
            });
        field_error(ui, error(errors, &Field::PrivateKeyAlg), palette);
        hinted_field(
            ui,
            "Key ID (kid)",
            "optional: when the provider holds several keys",
            &mut self.private_key_kid,
            None,
            palette,
        );
    }

    fn params_ui(&mut self, ui: &mut Ui, errors: &[(Field, String)], palette: &Palette) {
        let title = format!(
            "Extra authorization parameters ({})",
            self.extra_auth_params.len()
        );
        egui::CollapsingHeader::new(title)
            .id_salt("extra_auth_params")
            .show(ui, |ui| {
                let mut remove = None;
                for (i, (name, value)) in self.extra_auth_params.iter_mut().enumerate() {
                    ui.horizontal(|ui| {
                        if ui.small_button("×").on_hover_text("Remove").clicked() {
                            remove = Some(i);
                        }
                        let half = (ui.available_width() - ui.spacing().item_spacing.x) / 2.0;
                        ui.add(
                            egui::TextEdit::singleline(name)
                                .hint_text("name")
                                .desired_width(half * 0.8),
                        );
                        ui.add(
                            egui::TextEdit::singleline(value)
                                .hint_text("value")
                                .desired_width(ui.available_width()),
                        );
                    });
                    let field = Field::ExtraAuthParam(name.trim().to_owned());
                    field_error(ui, error(errors, &field), palette);
                }
                if let Some(i) = remove {
                    self.extra_auth_params.remove(i);
                }
                field_error(ui, error(errors, &Field::ExtraAuthParams), palette);
                if ui.button("Add parameter").clicked() {
                    self.extra_auth_params.push(Default::default());
                }
                note(
                    ui,
                    "Sent after the standard parameters, e.g. prompt=consent or audience=…",
                    palette.weak_text,
                );
            });
    }
}

/// What the form shows besides its own values: validation messages, discovery results and
/// the "show secret" toggle, which all live outside the saved fields.
pub struct FormState<'a> {
    pub errors: &'a [(Field, String)],
    pub discovering: bool,
    pub discovered: Option<&'a Discovered>,
    pub discovery_note: &'a str,
    pub hints: Option<&'a Hints>,
    pub show_secret: &'a mut bool,
}

fn hints_ui(ui: &mut Ui, hints: Option<&[Hint]>, palette: &Palette) {
    for hint in hints.unwrap_or_default() {
        let colour = match hint {
            Hint::Info(_) => palette.weak_text,
            Hint::Warning(_) => palette.warning,
        };
        note(ui, hint.text(), colour);
    }
}

/// The quirks of the provider, each with what it means and what oauthviz does about it.
pub fn quirks_ui(ui: &mut Ui, quirk_ids: &[String], palette: &Palette) {
    let quirks: Vec<_> = quirk_ids
        .iter()
        .filter_map(|id| profile::presets::quirk(id))
        .collect();
    if quirks.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Known quirks of this provider ({})", quirks.len()))
        .id_salt("quirks")
        .default_open(true)
        .show(ui, |ui| {
            for q in quirks {
                ui.label(RichText::new(q.title).strong());
                ui.label(RichText::new(q.explanation).small());
                note(
                    ui,
                    &format!("What oauthviz does: {}", q.handling),
                    palette.weak_text,
                );
                ui.add_space(theme::ITEM_GAP);
            }
        });
}

/// The configuration if it can run, or what is wrong with it by field. Endpoints left empty
/// next to an issuer come from its discovery document when the run starts (the engine
/// validates again after that), so they are not errors yet.
pub fn runnable(config: ProviderConfig) -> Result<ProviderConfig, FieldErrors> {
    let discovered = config.needs_discovery();
    let empty = |field: &Field| match field {
        Field::AuthorizationEndpoint => config.authorization_endpoint.is_empty(),
        Field::TokenEndpoint => config.token_endpoint.is_empty(),
        Field::ResourceUrl => config.resource_url.is_empty(),
        _ => false,
    };
    let errors: Vec<_> = match config.validate() {
        Ok(()) => return Ok(config),
        Err(errors) => errors
            .into_iter()
            .filter(|(field, _)| !(discovered && empty(field)))
            .collect(),
    };
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::profile::presets;

    fn no_env(_: &str) -> Result<String, std::env::VarError> {
        Err(std::env::VarError::NotPresent)
    }

    #[test]
    fn every_preset_survives_the_round_trip_through_the_form() {
        for preset in presets::all() {
            let mut p = preset.template();
            p.name = "mine".into();
            p.client_secret = Some(Secret::new("s"));
            p.client_secret_env = Some("MY_SECRET".into());
            let fields = ProfileFields::from_profile(&p);
            assert!(fields.store_secret);
            assert_eq!(fields.to_profile("mine"), p, "{}", preset.id);
            // And back: the form of the form's profile is the same form.
            assert_eq!(
                ProfileFields::from_profile(&fields.to_profile("mine")),
                fields
            );
        }
    }

    #[test]
    fn unset_values_show_their_defaults_and_are_written_explicitly() {
        let fields = ProfileFields::default();
        assert_eq!(fields.client_auth, "basic");
        assert_eq!(fields.redirect_uri, profile::DEFAULT_REDIRECT_URI);
        assert_eq!(fields.scope, "openid");
        assert_eq!(fields.pkce, "S256");
        assert!(!fields.store_secret);
        let p = fields.to_profile(" new ");
        assert_eq!(p.name, "new");
        assert_eq!(
            (p.client_auth.as_deref(), p.pkce.as_deref()),
            (Some("basic"), Some("S256"))
        );
        assert_eq!(p.issuer, None, "an empty field is an unset value");
    }

    #[test]
    fn a_secret_typed_for_the_session_is_not_an_unsaved_change() {
        let saved = ProfileFields::default();
        let mut typed = saved.clone();
        typed.client_secret = "session-only".into();
        assert_eq!(typed.saved_view(), saved.saved_view());
        typed.store_secret = true;
        assert_ne!(typed.saved_view(), saved.saved_view());
        assert_eq!(typed.secret_choice(), profile::SecretChoice::Store);
    }

    #[test]
    fn config_uses_the_typed_secret_then_the_environment() {
        let mut f = ProfileFields {
            issuer: "https://login.example".into(),
            client_id: "app".into(),
            client_secret_env: "APP_SECRET".into(),
            ..Default::default()
        };
        let errors = f.config("work", no_env).unwrap_err();
        assert_eq!(errors[0].0.to_string(), "client_secret_env", "{errors:?}");
        assert!(errors[0].1.contains("APP_SECRET"), "{errors:?}");

        let config = f
            .config("work", |_| Ok("from-env".to_owned()))
            .expect("the variable is set");
        assert_eq!(config.client_secret.as_ref().unwrap().expose(), "from-env");
        assert_eq!(config.name, "work");
        assert!(config.needs_discovery());

        f.client_secret = "typed".into();
        let config = f.config("", no_env).unwrap();
        assert_eq!(config.client_secret.unwrap().expose(), "typed");
        assert_eq!(
            config.name, "login.example",
            "an unnamed profile is its host"
        );
    }

    #[test]
    fn errors_name_the_fields_of_the_form() {
        let f = ProfileFields {
            issuer: "https://{host}".into(),
            client_auth: "private_key_jwt".into(),
            private_key_alg: "HS256".into(),
            pkce: "S512".into(),
            extra_auth_params: vec![
                ("prompt".into(), "login".into()),
                ("prompt".into(), "consent".into()),
                (String::new(), "orphan".into()),
            ],
            ..Default::default()
        };
        let errors = f.config("x", no_env).unwrap_err();
        let fields: Vec<String> = errors.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(
            fields,
            [
                "extra_auth_params.prompt",
                "extra_auth_params",
                "issuer",
                "private_key_alg",
                "private_key_path",
                "pkce"
            ]
        );
    }

    #[test]
    fn public_and_key_clients_need_no_secret_and_userinfo_is_the_default_resource() {
        let mut f = ProfileFields {
            authorization_endpoint: "https://as.example/authorize".into(),
            token_endpoint: "https://as.example/token".into(),
            userinfo_endpoint: "https://as.example/userinfo".into(),
            client_id: "app".into(),
            client_auth: "none".into(),
            extra_auth_params: vec![("prompt".into(), "consent".into())],
            ..Default::default()
        };
        let config = f.config("p", no_env).unwrap();
        assert_eq!(config.resource_url, "https://as.example/userinfo");
        assert_eq!(config.extra_auth_params.get("prompt"), Some("consent"));
        f.client_auth = "private_key_jwt".into();
        f.private_key_path = "/keys/k.pem".into();
        let config = f.config("p", no_env).unwrap();
        assert_eq!(config.private_key_path.as_deref(), Some("/keys/k.pem"));
        assert!(config.client_secret.is_none());
    }

    #[test]
    fn discovery_fills_only_what_is_empty() {
        let mut f = ProfileFields {
            issuer: "https://as.example".into(),
            token_endpoint: "https://mine.example/token".into(),
            ..Default::default()
        };
        let meta = Metadata {
            issuer: "https://as.example".into(),
            authorization_endpoint: Some("https://as.example/authorize".into()),
            token_endpoint: Some("https://as.example/token".into()),
            userinfo_endpoint: Some("https://as.example/userinfo".into()),
            jwks_uri: Some("https://as.example/jwks".into()),
            ..Default::default()
        };
        assert_eq!(f.apply_metadata(&meta), 3);
        assert_eq!(f.token_endpoint, "https://mine.example/token");
        assert_eq!(f.authorization_endpoint, "https://as.example/authorize");
        assert_eq!(f.jwks_uri, "https://as.example/jwks");
        assert_eq!(f.resource_url, "", "left empty: userinfo is the default");
        assert_eq!(f.apply_metadata(&meta), 0);
    }
}
