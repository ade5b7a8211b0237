//! The provider settings: the embedded demo provider with its three ready-made clients, or your
//! provider as a profile (see [`ProfilesPanel`]). The form keeps the text exactly as typed
//! (nothing is dropped when it does not validate); [`ProviderForm::config`] turns it into a
//! [`ProviderConfig`] whose validation messages are shown under the fields they name.

mod discovery;
mod form;
pub mod login_url;
mod presets;
pub mod profiles;

use egui::{ComboBox, DragValue, RichText, TextEdit, Ui};
use serde::{Deserialize, Serialize};

use crate::config::{Field, FieldErrors, ProviderConfig};
use crate::demo::{self, DemoServer};
use crate::engine::UserAgentKind;
use crate::gui::form_widgets::{error, field_error, note, secret_field, text_field};
use crate::gui::provider::form::runnable;
use crate::gui::provider::profiles::{ProfileEditor, ProfilesPanel};
use crate::gui::theme::{self, Palette};
use crate::profile::Profile;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;
use crate::workbench::Discovered;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Source {
    Demo,
    /// Any provider, as a profile: by its issuer (endpoints discovered), by hand, or both.
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
    /// The URL is shown with a Copy button; open it in any browser and log in.
    ShowUrl,
    /// A headless Chromium from the system types the demo user's login and presses Allow.
    Chromium,
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

/// Who logs in at your provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Login {
    /// The system browser opens the authorization URL.
    Browser,
    /// The URL is shown with a Copy button; open it anywhere (another browser, a private
    /// window, another machine's browser with an SSH tunnel).
    ShowUrl,
    /// oauthviz's scripted browser fills the provider's login and consent forms.
    Scripted,
    /// A headless Chromium from the system does, JavaScript logins too.
    Chromium,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProviderForm {
    source: Source,
    demo_client: DemoClient,
    approval: Approval,
    /// The demo provider's login page is built by JavaScript (the HTTP agent cannot follow it;
    /// a browser can).
    demo_js_login: bool,
    /// The demo client's fields, editable (a wrong secret is a lesson too).
    demo: ClientFields,
    /// "Your provider": the profile in the form. Kept apart from `demo`, so trying the demo
    /// never overwrites what was typed for a real provider.
    custom: ProfileEditor,
    login: Login,
    /// For the scripted browser at your provider.
    username: String,
    #[serde(skip)]
    password: String,
    #[serde(skip)]
    show_secret: bool,
    #[serde(skip)]
    show_password: bool,
}

impl Default for ProviderForm {
    fn default() -> Self {
        Self {
            source: Source::Demo,
            demo_client: DemoClient::Basic,
            approval: Approval::Browser,
            demo_js_login: false,
            demo: DemoClient::Basic.fields(),
            custom: ProfileEditor::default(),
            login: Login::Browser,
            username: String::new(),
            password: String::new(),
            show_secret: false,
            show_password: false,
        }
    }
}

impl ProviderForm {
    /// After loading from disk, where secrets never are: the demo client's secret is public
    /// knowledge, so it comes back; a real provider's secret has to be typed again (or comes
    /// from its profile file, when it is stored there).
    pub fn restore_demo_secret(&mut self) {
        self.demo.client_secret = self.demo_client.fields().client_secret;
    }

    /// The embedded demo provider is chosen (its misbehaviours can be switched).
    pub fn is_demo(&self) -> bool {
        self.source == Source::Demo
    }

    /// Whether the demo provider's login page is to be the JavaScript one.
    pub fn demo_js_login(&self) -> bool {
        self.demo_js_login
    }

    /// Who plays the browser in A–C.
    pub fn user_agent(&self) -> UserAgentKind {
        use crate::engine::Driver;
        let scripted = |username: &str, password: &str, driver| UserAgentKind::Scripted {
            username: username.to_owned(),
            password: password.to_owned(),
            deny_consent: false,
            form_fields: Vec::new(),
            driver,
        };
        let demo_user = |driver| scripted(demo::DEMO_USERNAME, demo::DEMO_PASSWORD, driver);
        match (self.source, self.approval, self.login) {
            (Source::Demo, Approval::Auto, _) => demo_user(Driver::Http),
            (Source::Demo, Approval::Chromium, _) => demo_user(Driver::Chromium),
            (Source::Demo, Approval::ShowUrl, _) => UserAgentKind::Print,
            (Source::Demo, Approval::Browser, _) | (Source::Custom, _, Login::Browser) => {
                UserAgentKind::System
            }
            (Source::Custom, _, Login::ShowUrl) => UserAgentKind::Print,
            (Source::Custom, _, Login::Scripted) => {
                scripted(&self.username, &self.password, Driver::Http)
            }
            (Source::Custom, _, Login::Chromium) => {
                scripted(&self.username, &self.password, Driver::Chromium)
            }
        }
    }

    /// The configuration the engine runs with, or what is wrong with it, by field.
    pub fn config(&self, demo: Result<&DemoServer, &str>) -> Result<ProviderConfig, FieldErrors> {
        if self.source == Source::Custom {
            return self
                .custom
                .fields
                .config(&self.custom.name, |var| std::env::var(var));
        }
        let server = demo.map_err(|e| vec![(Field::Demo, e.to_owned())])?;
        // The client's fields laid over the demo's endpoints, as a profile like any other
        // provider, so it becomes a run's configuration the same way.
        let client = &self.demo;
        let profile = Profile {
            name: demo_name(&client.client_id),
            client_id: client.client_id.trim().to_owned(),
            client_secret: (!client.client_secret.is_empty())
                .then(|| Secret::new(client.client_secret.clone())),
            client_auth: Some(client.client_auth.method_name().into()),
            redirect_uri: Some(client.redirect_uri()),
            scope: Some(client.scope.trim().to_owned()),
            pkce: Some(client.pkce.name().into()),
            ..Profile::from_config(&ProviderConfig::demo_endpoints(server))
        };
        let errors = profile.check();
        if !errors.is_empty() {
            return Err(errors);
        }
        let config = profile.into_config().map_err(|e| vec![(Field::Demo, e)])?;
        // The demo's other clients, for the audit's code-bound-to-client.
        runnable(ProviderConfig {
            other_clients: crate::config::OtherClient::demo(),
            ..config
        })
    }

    /// Hands a finished discovery to the profile form that asked for it.
    pub fn discovered(&mut self, discovered: Discovered, profiles: &mut ProfilesPanel) {
        profiles.discovered(discovered, &mut self.custom);
    }

    /// The panel. `errors` are the validation messages of the current form, by field.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        demo: Result<&DemoServer, &str>,
        profiles: &mut ProfilesPanel,
        errors: &[(Field, String)],
        palette: &Palette,
    ) {
        ui.horizontal_wrapped(|ui| {
            ui.radio_value(&mut self.source, Source::Demo, "Demo provider");
            ui.radio_value(&mut self.source, Source::Custom, "Your provider");
        });
        ui.add_space(theme::ITEM_GAP);
        match self.source {
            Source::Demo => {
                self.demo_ui(ui, demo, palette);
                field_error(ui, error(errors, &Field::Demo), palette);
                ui.separator();
                client_ui(ui, &mut self.demo, &mut self.show_secret, errors, palette);
            }
            Source::Custom => {
                profiles.show(ui, &mut self.custom, &mut self.show_secret, errors, palette);
                ui.add_space(theme::ITEM_GAP);
                self.login_ui(ui, palette);
            }
        }
    }

    fn login_ui(&mut self, ui: &mut Ui, palette: &Palette) {
        ui.label(RichText::new("Login and consent").strong());
        ui.radio_value(&mut self.login, Login::Browser, "Open the system browser");
        ui.radio_value(&mut self.login, Login::ShowUrl, "Just show me the URL")
            .on_hover_text(
                "The URL is shown with a Copy button while oauthviz waits for the redirect",
            );
        ui.radio_value(
            &mut self.login,
            Login::Scripted,
            "Built-in browser logs in for me",
        )
        .on_hover_text("oauthviz fills the provider's login and consent forms itself");
        ui.radio_value(
            &mut self.login,
            Login::Chromium,
            "Headless Chromium logs in for me",
        )
        .on_hover_text("A real Chromium from this machine types the login and presses Allow: JavaScript sign-in pages too (install chromium)");
        if matches!(self.login, Login::Scripted | Login::Chromium) {
            text_field(ui, "Username", &mut self.username, None, palette);
            secret_field(ui, "Password", &mut self.password, &mut self.show_password);
            note(
                ui,
                "For plain HTML login forms (Keycloak, the demo provider): pages that need \
                 JavaScript or a second factor stop at B. The password is kept in memory only.",
                palette.weak_text,
            );
        }
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
        ui.radio_value(&mut self.approval, Approval::ShowUrl, "Just show me the URL")
            .on_hover_text(
                "The URL is shown with a Copy button while oauthviz waits for the redirect: open it in any browser",
            );
        ui.radio_value(&mut self.approval, Approval::Chromium, "Log in with headless Chromium")
            .on_hover_text("A real Chromium from this machine types the demo user's login and presses Allow; each page is kept with a screenshot (install chromium)");
        if self.approval != Approval::Auto {
            ui.weak(format!(
                "Log in as {} with password {}.",
                demo::DEMO_USERNAME,
                demo::DEMO_PASSWORD
            ));
            ui.checkbox(&mut self.demo_js_login, "Login page built by JavaScript")
                .on_hover_text("As many real providers' are: the page is a script that signs in through a JSON API. A browser (yours, or headless Chromium) gets through; the built-in HTTP agent cannot");
        }
    }
}

fn client_ui(
    ui: &mut Ui,
    client: &mut ClientFields,
    show_secret: &mut bool,
    errors: &[(Field, String)],
    palette: &Palette,
) {
    text_field(
        ui,
        "Client ID",
        &mut client.client_id,
        error(errors, &Field::ClientId),
        palette,
    );
    secret_field(ui, "Client secret", &mut client.client_secret, show_secret);
    field_error(ui, error(errors, &Field::ClientSecret), palette);
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
    field_error(ui, error(errors, &Field::RedirectUri), palette);
    text_field(ui, "Scope", &mut client.scope, None, palette);
    ComboBox::from_label("PKCE")
        .selected_text(client.pkce.name())
        .show_ui(ui, |ui| {
            for method in [PkceMethod::S256, PkceMethod::Plain, PkceMethod::Off] {
                ui.selectable_value(&mut client.pkce, method, method.name());
            }
        });
}

/// What a run against the embedded demo provider is called: `demo (demo-basic)`. A run of
/// `oauthviz run --provider demo` is called `demo`.
pub fn demo_name(client_id: &str) -> String {
    format!("demo ({})", client_id.trim())
}

/// Whether a run's provider was the embedded demo provider, by the name it was given.
pub fn is_demo_run(config: &ProviderConfig) -> bool {
    config.name == "demo" || config.name == demo_name(&config.client_id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_are_never_serialized() {
        let mut form = ProviderForm::default();
        form.custom.fields.client_secret = "real-provider-secret".into();
        form.password = "scripted-login-password".into();
        let saved = serde_json::to_string(&form).unwrap();
        assert!(!saved.contains("real-provider-secret"));
        assert!(!saved.contains("scripted-login-password"));
        assert!(!saved.contains(demo::BASIC_CLIENT_SECRET));
        let mut loaded: ProviderForm = serde_json::from_str(&saved).unwrap();
        assert_eq!(loaded.custom.fields.client_secret, "");
        loaded.restore_demo_secret();
        assert_eq!(loaded.demo.client_secret, demo::BASIC_CLIENT_SECRET);
    }

    fn custom() -> ProviderForm {
        ProviderForm {
            source: Source::Custom,
            ..Default::default()
        }
    }

    #[test]
    fn endpoints_are_validated_by_field_and_kept_as_typed() {
        let mut form = custom();
        let f = &mut form.custom.fields;
        f.authorization_endpoint = "https://as.example/authorize".into();
        f.token_endpoint = "not a url".into();
        let errors = form.config(Err("unused")).unwrap_err();
        let fields: Vec<String> = errors.iter().map(|(f, _)| f.to_string()).collect();
        assert_eq!(
            fields,
            [
                "token_endpoint",
                "resource_url",
                "client_id",
                "client_secret"
            ]
        );
        assert_eq!(form.custom.fields.token_endpoint, "not a url");

        let f = &mut form.custom.fields;
        f.token_endpoint = "https://as.example/token".into();
        f.resource_url = "https://api.example/me".into();
        f.client_id = "app".into();
        f.client_auth = "none".into();
        let config = form.config(Err("unused")).unwrap();
        assert_eq!(config.name, "as.example");
        assert_eq!((config.issuer, config.jwks_uri), (None, None));
        assert_eq!(config.redirect_uri, "http://127.0.0.1:0/callback");
    }

    #[test]
    fn an_issuer_alone_is_enough_because_discovery_fills_the_endpoints() {
        let mut form = custom();
        let f = &mut form.custom.fields;
        f.issuer = " https://login.example ".into();
        f.client_id = "app".into();
        f.client_auth = "none".into();
        let config = form.config(Err("")).unwrap();
        assert!(config.needs_discovery());
        assert_eq!(config.issuer.as_deref(), Some("https://login.example"));
        assert_eq!(config.name, "login.example");
        // Without an issuer the same form names the missing endpoints.
        form.custom.fields.issuer.clear();
        let errors = form.config(Err("")).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
    }

    #[test]
    fn who_logs_in_follows_the_choices() {
        let mut form = ProviderForm::default();
        assert_eq!(form.user_agent(), UserAgentKind::System);
        form.approval = Approval::Auto;
        assert!(matches!(
            form.user_agent(),
            UserAgentKind::Scripted { username, .. } if username == demo::DEMO_USERNAME
        ));
        form.source = Source::Custom;
        form.login = Login::ShowUrl;
        assert_eq!(form.user_agent(), UserAgentKind::Print);
        form.login = Login::Scripted;
        form.username = "me".into();
        assert!(matches!(
            form.user_agent(),
            UserAgentKind::Scripted { username, .. } if username == "me"
        ));
    }

    #[test]
    fn demo_without_a_server_says_why() {
        let form = ProviderForm::default();
        let errors = form
            .config(Err("the demo provider cannot listen"))
            .unwrap_err();
        assert_eq!(
            errors,
            [(Field::Demo, "the demo provider cannot listen".to_owned())]
        );
    }
}
