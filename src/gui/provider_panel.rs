//! The provider settings: the embedded demo provider with its three ready-made clients, or any
//! provider by hand. The form keeps the text exactly as typed (nothing is dropped when it does
//! not validate); [`ProviderForm::config`] turns it into a [`ProviderConfig`] whose validation
//! messages are shown under the fields they name.

use egui::{Align, ComboBox, DragValue, Layout, RichText, TextEdit, Ui};
use serde::{Deserialize, Serialize};

use crate::config::ProviderConfig;
use crate::demo::{self, DemoServer};
use crate::gui::theme::{self, Palette};
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Source {
    Demo,
    /// Any provider: by its issuer (endpoints discovered), by hand, or both.
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum DemoClient {
    Basic,
    Post,
    Public,
}

impl DemoClient {
    const ALL: [DemoClient; 3] = [DemoClient::Basic, DemoClient::Post, DemoClient::Public];

    fn label(self) -> &'static str {
        match self {
            DemoClient::Basic => "Confidential, secret in Authorization header (basic)",
            DemoClient::Post => "Confidential, secret in the form (post)",
            DemoClient::Public => "Public client with PKCE (no secret)",
        }
    }

    /// The client as the demo provider registered it.
    fn fields(self) -> ClientFields {
        let (id, secret, auth) = match self {
            DemoClient::Basic => (
                demo::BASIC_CLIENT_ID,
                demo::BASIC_CLIENT_SECRET,
                ClientAuth::Basic,
            ),
            DemoClient::Post => (
                demo::POST_CLIENT_ID,
                demo::POST_CLIENT_SECRET,
                ClientAuth::Post,
            ),
            DemoClient::Public => (demo::PUBLIC_CLIENT_ID, "", ClientAuth::None),
        };
        ClientFields {
            client_id: id.into(),
            client_secret: secret.into(),
            client_auth: auth,
            scope: crate::config::DEMO_SCOPE.into(),
            ..ClientFields::default()
        }
    }
}

/// Who approves the demo provider's consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Approval {
    /// The real experience: your browser opens and you log in.
    Browser,
    /// No browser: the demo provider approves at once and a scripted agent follows the redirects.
    Auto,
}

/// What identifies the client and what it asks for, as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct ClientFields {
    client_id: String,
    /// Never persisted: eframe writes this struct to disk.
    #[serde(skip)]
    client_secret: String,
    client_auth: ClientAuth,
    /// 0 lets the loopback listener pick a free port.
    redirect_port: u16,
    redirect_path: String,
    scope: String,
    pkce: PkceMethod,
}

impl Default for ClientFields {
    fn default() -> Self {
        Self {
            client_id: String::new(),
            client_secret: String::new(),
            client_auth: ClientAuth::Basic,
            redirect_port: 0,
            redirect_path: demo::DEMO_REDIRECT_PATH.into(),
            scope: "openid".into(),
            pkce: PkceMethod::S256,
        }
    }
}

impl ClientFields {
    fn redirect_uri(&self) -> String {
        format!(
            "http://127.0.0.1:{}{}",
            self.redirect_port, self.redirect_path
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderForm {
    source: Source,
    demo_client: DemoClient,
    approval: Approval,
    /// The demo client's fields, editable (a wrong secret is a lesson too).
    demo: ClientFields,
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    resource_url: String,
    jwks_uri: String,
    /// Kept apart from `demo`, so trying the demo never overwrites what was typed for a real
    /// provider.
    custom: ClientFields,
    #[serde(skip)]
    show_secret: bool,
}

impl Default for ProviderForm {
    fn default() -> Self {
        Self {
            source: Source::Demo,
            demo_client: DemoClient::Basic,
            approval: Approval::Browser,
            demo: DemoClient::Basic.fields(),
            issuer: String::new(),
            authorization_endpoint: String::new(),
            token_endpoint: String::new(),
            resource_url: String::new(),
            jwks_uri: String::new(),
            custom: ClientFields::default(),
            show_secret: false,
        }
    }
}

impl ProviderForm {
    /// After loading from disk, where secrets never are: the demo client's secret is public
    /// knowledge, so it comes back; a real provider's secret has to be typed again.
    pub fn restore_demo_secret(&mut self) {
        self.demo.client_secret = self.demo_client.fields().client_secret;
    }

    /// A person or the scripted agent at the login page.
    pub fn scripted(&self) -> bool {
        self.source == Source::Demo && self.approval == Approval::Auto
    }

    fn client(&self) -> &ClientFields {
        match self.source {
            Source::Demo => &self.demo,
            Source::Custom => &self.custom,
        }
    }

    /// The configuration the engine runs with, or what is wrong with it, by field.
    pub fn config(
        &self,
        demo: Result<&DemoServer, &str>,
    ) -> Result<ProviderConfig, Vec<(String, String)>> {
        let client = self.client();
        let mut config = match self.source {
            Source::Demo => {
                let server = demo.map_err(|e| vec![("demo".to_owned(), e.to_owned())])?;
                ProviderConfig {
                    name: format!("demo ({})", client.client_id),
                    ..ProviderConfig::demo_endpoints(server)
                }
            }
            Source::Custom => {
                let host = url::Url::parse(self.authorization_endpoint.trim())
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_else(|| "custom".into());
                let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
                ProviderConfig {
                    name: optional(&self.issuer)
                        .and_then(|i| url::Url::parse(&i).ok()?.host_str().map(str::to_owned))
                        .unwrap_or(host),
                    issuer: optional(&self.issuer),
                    authorization_endpoint: self.authorization_endpoint.trim().to_owned(),
                    token_endpoint: self.token_endpoint.trim().to_owned(),
                    resource_url: self.resource_url.trim().to_owned(),
                    jwks_uri: optional(&self.jwks_uri),
                    ..Default::default()
                }
            }
        };
        config.client_id = client.client_id.trim().to_owned();
        config.client_secret =
            (!client.client_secret.is_empty()).then(|| Secret::new(client.client_secret.clone()));
        config.client_auth = client.client_auth;
        config.redirect_uri = client.redirect_uri();
        config.scope = client.scope.trim().to_owned();
        config.pkce = client.pkce;
        // Endpoints left empty next to an issuer come from its discovery document when the run
        // starts (the engine validates again after that), so they are not errors yet.
        let discovered = config.needs_discovery();
        let empty = |field: &str| match field {
            "authorization_endpoint" => config.authorization_endpoint.is_empty(),
            "token_endpoint" => config.token_endpoint.is_empty(),
            "resource_url" => config.resource_url.is_empty(),
            _ => false,
        };
        match config.validate() {
            Ok(()) => Ok(config),
            Err(errors) => {
                let errors: Vec<_> = errors
                    .into_iter()
                    .filter(|(field, _)| !(discovered && empty(field)))
                    .collect();
                if errors.is_empty() {
                    Ok(config)
                } else {
                    Err(errors)
                }
            }
        }
    }

    /// The panel. `errors` are the validation messages of the current form, by field.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        demo: Result<&DemoServer, &str>,
        errors: &[(String, String)],
        palette: &Palette,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.radio_value(&mut self.source, Source::Demo, "Demo provider");
            ui.radio_value(&mut self.source, Source::Custom, "Your provider");
        });
        ui.add_space(theme::ITEM_GAP);
        match self.source {
            Source::Demo => self.demo_ui(ui, demo, palette),
            Source::Custom => self.custom_ui(ui, errors, palette),
        }
        if let Some(e) = error(errors, "demo") {
            ui.label(RichText::new(e).color(palette.error_text));
        }
        ui.separator();
        let show_secret = &mut self.show_secret;
        let client = match self.source {
            Source::Demo => &mut self.demo,
            Source::Custom => &mut self.custom,
        };
        client_ui(ui, client, show_secret, errors, palette);
    }

    fn demo_ui(&mut self, ui: &mut Ui, demo: Result<&DemoServer, &str>, palette: &Palette) {
        match demo {
            Ok(server) => {
                ui.weak(format!(
                    "Runs on this machine at {}: no account needed.",
                    server.issuer()
                ));
            }
            Err(e) => {
                ui.label(RichText::new(e).color(palette.error_text));
            }
        }
        ui.label(RichText::new("Client").strong());
        for client in DemoClient::ALL {
            if ui
                .radio(self.demo_client == client, client.label())
                .clicked()
                && self.demo_client != client
            {
                self.demo_client = client;
                let kept = self.demo.clone();
                // The client's identity comes from the registration; what it asks for stays.
                self.demo = ClientFields {
                    redirect_port: kept.redirect_port,
                    redirect_path: kept.redirect_path,
                    scope: kept.scope,
                    ..client.fields()
                };
            }
        }
        ui.label(RichText::new("Login and consent").strong());
        ui.radio_value(
            &mut self.approval,
            Approval::Browser,
            "Approve in the browser",
        )
        .on_hover_text(format!(
            "Your browser opens; log in as {} / {}",
            demo::DEMO_USERNAME,
            demo::DEMO_PASSWORD
        ));
        ui.radio_value(&mut self.approval, Approval::Auto, "Auto-approve (no browser)")
            .on_hover_text("The demo provider approves at once and oauthviz's scripted browser follows the redirects");
        if self.approval == Approval::Browser {
            ui.weak(format!(
                "Log in as {} with password {}.",
                demo::DEMO_USERNAME,
                demo::DEMO_PASSWORD
            ));
        }
    }

    fn custom_ui(&mut self, ui: &mut Ui, errors: &[(String, String)], palette: &Palette) {
        text_field(ui, "Issuer", &mut self.issuer, None, palette);
        ui.weak(
            "With an issuer, endpoints left empty are discovered (/.well-known) when the run starts, \
             and the callback's iss and the id_token are checked against it (needed with scope openid).",
        );
        text_field(
            ui,
            "Authorization endpoint",
            &mut self.authorization_endpoint,
            error(errors, "authorization_endpoint"),
            palette,
        );
        text_field(
            ui,
            "Token endpoint",
            &mut self.token_endpoint,
            error(errors, "token_endpoint"),
            palette,
        );
        text_field(
            ui,
            "Resource URL (API or userinfo)",
            &mut self.resource_url,
            error(errors, "resource_url"),
            palette,
        );
        text_field(
            ui,
            "JWKS URI (keys that sign id_tokens; discovered when empty)",
            &mut self.jwks_uri,
            None,
            palette,
        );
    }
}

/// The validation message for `field`, if any.
fn error<'e>(errors: &'e [(String, String)], field: &str) -> Option<&'e str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

fn client_ui(
    ui: &mut Ui,
    client: &mut ClientFields,
    show_secret: &mut bool,
    errors: &[(String, String)],
    palette: &Palette,
) {
    text_field(
        ui,
        "Client ID",
        &mut client.client_id,
        error(errors, "client_id"),
        palette,
    );
    let label = ui.label("Client secret");
    // Right to left: the toggle takes its width first, the field gets exactly what is left
    // (a guessed width would make the panel grow a little every frame).
    let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
    ui.allocate_ui_with_layout(row, Layout::right_to_left(Align::Center), |ui| {
        ui.toggle_value(show_secret, "Show");
        ui.add(
            TextEdit::singleline(&mut client.client_secret)
                .password(!*show_secret)
                .desired_width(ui.available_width()),
        )
        .labelled_by(label.id);
    });
    field_error(ui, error(errors, "client_secret"), palette);
    ComboBox::from_label("Client authentication")
        .selected_text(client.client_auth.method_name())
        .show_ui(ui, |ui| {
            for auth in [ClientAuth::Basic, ClientAuth::Post, ClientAuth::None] {
                ui.selectable_value(&mut client.client_auth, auth, auth.method_name());
            }
        });
    ui.horizontal(|ui| {
        let label = ui.label("Redirect port");
        ui.add(DragValue::new(&mut client.redirect_port).range(0..=65535))
            .labelled_by(label.id)
            .on_hover_text("0 = any free port; the listener only ever binds 127.0.0.1");
        let label = ui.label("path");
        ui.add(TextEdit::singleline(&mut client.redirect_path).desired_width(ui.available_width()))
            .labelled_by(label.id);
    });
    ui.weak(format!("Redirect URI: {}", client.redirect_uri()));
    field_error(ui, error(errors, "redirect_uri"), palette);
    text_field(ui, "Scope", &mut client.scope, None, palette);
    ComboBox::from_label("PKCE")
        .selected_text(pkce_label(client.pkce))
        .show_ui(ui, |ui| {
            for method in [PkceMethod::S256, PkceMethod::Plain, PkceMethod::Off] {
                ui.selectable_value(&mut client.pkce, method, pkce_label(method));
            }
        });
}

fn pkce_label(method: PkceMethod) -> &'static str {
    match method {
        PkceMethod::S256 => "S256",
        PkceMethod::Plain => "plain",
        PkceMethod::Off => "off",
    }
}

fn text_field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    error: Option<&str>,
    palette: &Palette,
) {
    let label = ui.label(label);
    ui.add(TextEdit::singleline(value).desired_width(ui.available_width()))
        .labelled_by(label.id);
    field_error(ui, error, palette);
}

fn field_error(ui: &mut Ui, error: Option<&str>, palette: &Palette) {
    if let Some(e) = error {
        ui.label(RichText::new(e).small().color(palette.error_text));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_are_never_serialized() {
        let mut form = ProviderForm::default();
        form.custom.client_secret = "real-provider-secret".into();
        let saved = serde_json::to_string(&form).unwrap();
        assert!(!saved.contains("real-provider-secret"));
        assert!(!saved.contains(demo::BASIC_CLIENT_SECRET));
        let mut loaded: ProviderForm = serde_json::from_str(&saved).unwrap();
        assert_eq!(loaded.custom.client_secret, "");
        loaded.restore_demo_secret();
        assert_eq!(loaded.demo.client_secret, demo::BASIC_CLIENT_SECRET);
    }

    #[test]
    fn endpoints_are_validated_by_field_and_kept_as_typed() {
        let mut form = ProviderForm {
            source: Source::Custom,
            ..Default::default()
        };
        form.authorization_endpoint = "https://as.example/authorize".into();
        form.token_endpoint = "not a url".into();
        let errors = form.config(Err("unused")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "token_endpoint",
                "resource_url",
                "client_id",
                "client_secret"
            ]
        );
        assert_eq!(form.token_endpoint, "not a url");

        form.token_endpoint = "https://as.example/token".into();
        form.resource_url = "https://api.example/me".into();
        form.custom.client_id = "app".into();
        form.custom.client_auth = ClientAuth::None;
        let config = form.config(Err("unused")).unwrap();
        assert_eq!(config.name, "as.example");
        assert_eq!((config.issuer, config.jwks_uri), (None, None));
        assert_eq!(config.redirect_uri, "http://127.0.0.1:0/callback");
    }

    #[test]
    fn an_issuer_alone_is_enough_because_discovery_fills_the_endpoints() {
        let mut form = ProviderForm {
            source: Source::Custom,
            issuer: " https://login.example ".into(),
            ..Default::default()
        };
        form.custom.client_id = "app".into();
        form.custom.client_auth = ClientAuth::None;
        let config = form.config(Err("")).unwrap();
        assert!(config.needs_discovery());
        assert_eq!(config.issuer.as_deref(), Some("https://login.example"));
        assert_eq!(config.name, "login.example");
        // Without an issuer the same form names the missing endpoints.
        form.issuer.clear();
        let errors = form.config(Err("")).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn demo_without_a_server_says_why() {
        let form = ProviderForm::default();
        let errors = form
            .config(Err("the demo provider cannot listen"))
            .unwrap_err();
        assert_eq!(
            errors,
            [(
                "demo".to_owned(),
                "the demo provider cannot listen".to_owned()
            )]
        );
    }
}
