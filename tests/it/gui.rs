//! The real app, driven headlessly by its accessible labels (egui_kittest): the embedded demo
//! provider and the engine run on real threads, so runs are awaited with bounded, short sleeps.
#![allow(clippy::unwrap_used)]

use crate::support;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauthviz::demo::{
    DEMO_PASSWORD, DEMO_USERNAME, DemoOptions, DemoServer, POST_CLIENT_ID, POST_CLIENT_SECRET,
    PUBLIC_CLIENT_ID,
};
use oauthviz::protocol::secret::mask;
use oauthviz::trace::StepId;
use support::gui::*;

#[test]
fn demo_flow_runs_a_to_g_and_the_inspector_reveals_the_token_on_request() {
    let mut harness = app(None);
    harness.get_by_label_contains("Press Run flow");
    choose_auto_approve(&mut harness);
    harness.get_by_label("Run flow").click();
    until_finished(&mut harness);

    for step in StepId::ALL {
        harness.get_by_label(&format!("{} {}: ok", step.letter(), step.name()));
    }
    harness.get_by_label_contains("Flow complete: A–G succeeded");

    harness.get_by_label("E Token response: ok").click();
    harness.run_ok();
    let run = harness.state().current_run().unwrap();
    let body = &run
        .trace
        .step(StepId::E)
        .latest()
        .unwrap()
        .response
        .as_ref()
        .unwrap()
        .body;
    let token: String = serde_json::from_str::<serde_json::Value>(body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .into();

    assert!(
        harness.query_by_label_contains(&token).is_none(),
        "the token is on screen before reveal"
    );
    assert!(
        harness.query_all_by_label_contains(&mask(&token)).count() >= 2,
        "masked in the field table and the body"
    );
    assert_eq!(
        harness.get_all_by_label_contains("decoded JWT").count(),
        2,
        "access_token and id_token"
    );
    // The body, pretty-printed one row per line, masked too.
    harness.get_by_label(&format!("  \"access_token\": \"{}\",", mask(&token)));
    harness.get_by_label("Reveal secrets").click();
    harness.run_ok();
    assert!(
        harness.query_all_by_label_contains(&token).next().is_some(),
        "revealed token not shown"
    );

    // A new selection hides secrets again.
    harness.get_by_label("D Token request: ok").click();
    harness.run_ok();
    assert!(harness.query_by_label_contains(&token).is_none());
}

/// A banner too long for the diagram is shortened with "…"; hovering it shows it whole.
#[test]
fn a_shortened_banner_shows_whole_on_hover() {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    h.get_by_role_and_label(Role::PasswordInput, "Client secret")
        .set_text_value_accesskit("not-the-secret");
    h.run_ok();
    click(&mut h, "Run flow");
    until_finished(&mut h);
    // A narrow window: the diagram is too narrow for the whole reason.
    h.set_size(egui::vec2(760.0, 700.0));
    h.run_ok();
    let whole = h
        .query_all_by_label_contains("Stopped at E: the provider answered invalid_client")
        .next()
        .and_then(|n| n.accesskit_node().value())
        .expect("the banner");
    assert!(whole.len() > 60, "{whole}");
    h.ctx.all_styles_mut(|s| {
        s.interaction.tooltip_delay = 0.0;
        s.interaction.show_tooltips_only_when_still = false;
    });
    assert_eq!(h.query_all_by_label(&whole).count(), 1);
    h.get_by_label(&whole).hover();
    h.run_ok();
    assert_eq!(
        h.query_all_by_label(&whole).count(),
        2,
        "the tooltip shows the banner whole"
    );
}

#[test]
fn wrong_client_secret_fails_at_e_with_invalid_client() {
    let mut harness = app(None);
    choose_auto_approve(&mut harness);
    harness
        .get_by_role_and_label(Role::PasswordInput, "Client secret")
        .set_text_value_accesskit("not-the-secret");
    harness.run_ok();
    harness.get_by_label("Run flow").click();
    until_finished(&mut harness);

    harness.get_by_label("D Token request: ok");
    harness.get_by_label("E Token response: failed");
    harness.get_by_label("F Protected resource request: waiting");
    harness.get_by_label_contains("Stopped at E: the provider answered invalid_client");
    // The failed step opens by itself: the explanation says what the code means and what to try.
    harness.get_by_label_contains("This means: client authentication failed");
    harness.get_by_label_contains("Check the client secret");
    harness.get_by_label("HTTP 401 Unauthorized");
}

#[test]
fn public_client_runs_with_pkce_and_no_secret() {
    let mut harness = app(None);
    harness
        .get_by_label("Public client with PKCE (no secret)")
        .click();
    harness.run_ok();
    choose_auto_approve(&mut harness);
    assert_eq!(
        harness
            .get_by_role_and_label(Role::PasswordInput, "Client secret")
            .value()
            .as_deref(),
        Some("")
    );
    harness.get_by_label("Run flow").click();
    until_finished(&mut harness);
    harness.get_by_label("G Protected resource response: ok");
    harness.get_by_label("D Token request: ok").click();
    harness.run_ok();
    harness.get_by_label("code_verifier");
    assert!(harness.query_by_label("client_secret").is_none());
}

#[test]
fn invalid_settings_are_marked_by_field_and_kept_as_typed() {
    let mut harness = app(None);
    harness.get_by_label("Your provider").click();
    harness.run_ok();
    harness
        .get_by_role_and_label(Role::TextInput, "Token endpoint")
        .set_text_value_accesskit("not a url");
    harness.run_ok();
    harness.get_by_label_contains("'not a url' is not a valid URL");
    harness.get_by_label_contains("the client id is empty");
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "Token endpoint")
            .value()
            .as_deref(),
        Some("not a url")
    );
    assert!(
        harness
            .get_by_label("Run flow")
            .accesskit_node()
            .is_disabled()
    );

    // Back to the demo and again: what was typed for the real provider is still there.
    harness.get_by_label("Demo provider").click();
    harness.run_ok();
    harness.get_by_label("Your provider").click();
    harness.run_ok();
    assert_eq!(
        harness
            .get_by_role_and_label(Role::TextInput, "Token endpoint")
            .value()
            .as_deref(),
        Some("not a url")
    );
}

/// `$BROWSER` (the system browser the engine opens) must be set before the engine starts, and
/// setting it in-process needs `unsafe`; so a test that needs one runs itself again with it.
/// Returns `false` in the child, which then does the test's work.
fn ran_with_browser(test: &str, browser: &str) -> bool {
    if std::env::var("BROWSER").as_deref() == Ok(browser) {
        return false;
    }
    // libtest names a test by its path below the crate root: `gui::name`.
    let (_, module) = module_path!().split_once("::").unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &format!("{module}::{test}"), "--nocapture"])
        .env("BROWSER", browser)
        .output()
        .unwrap();
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && log.contains("1 passed"), "{log}");
    true
}

/// The system browser here is `true`: it opens nothing, so the run waits at B as it does while
/// a person logs in.
#[test]
fn a_browser_run_waits_for_the_user_can_be_cancelled_and_stays_in_the_run_list() {
    if ran_with_browser(
        "a_browser_run_waits_for_the_user_can_be_cancelled_and_stays_in_the_run_list",
        "true",
    ) {
        return;
    }
    let mut harness = app(None);
    harness.get_by_label("Run flow").click();
    for _ in 0..200 {
        harness.step();
        if harness
            .query_by_label("B User login and consent: waiting for the user")
            .is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    harness.get_by_label("A Authorization request: ok");
    harness.get_by_label("Waiting for you to log in in the browser…");

    harness.get_by_label("Cancel").click();
    until_finished(&mut harness);
    harness.get_by_label("Stopped: cancelled by the user");
    harness.get_by_label("B User login and consent: skipped");

    choose_auto_approve(&mut harness);
    harness.get_by_label("Run flow").click();
    until_finished(&mut harness);
    harness.get_by_label("G Protected resource response: ok");
    harness
        .get_by_label_contains("#1 demo (demo-basic) · cancelled")
        .click();
    harness.run_ok();
    harness.get_by_label("B User login and consent: skipped");
    harness.get_by_label_contains("#2 demo (demo-basic) · ok");
}

/// Another provider, known only by its issuer: A discovers its endpoints and keys, and the
/// system browser (`curl`, which follows the redirects of a provider that approves at once)
/// brings the code back to the loopback listener.
#[test]
fn your_provider_by_issuer_is_discovered_and_runs_in_the_system_browser() {
    if ran_with_browser(
        "your_provider_by_issuer_is_discovered_and_runs_in_the_system_browser",
        "curl -s -L -o /dev/null",
    ) {
        return;
    }
    let provider = DemoServer::start(DemoOptions {
        port: 0,
        auto_approve: true,
        ..Default::default()
    })
    .unwrap();
    let mut harness = app(None);
    harness.get_by_label("Your provider").click();
    harness.run_ok();
    for (role, field, value) in [
        (Role::TextInput, "Issuer", provider.issuer()),
        (
            Role::TextInput,
            "Resource URL (API or userinfo)",
            provider.resource_url(),
        ),
        (Role::TextInput, "Client ID", POST_CLIENT_ID.into()),
        (
            Role::PasswordInput,
            "Client secret",
            POST_CLIENT_SECRET.into(),
        ),
        (Role::TextInput, "Scope", "openid api.read".into()),
    ] {
        harness
            .get_by_role_and_label(role, field)
            .set_text_value_accesskit(&value);
        harness.run_ok();
    }
    choose_client_auth(&mut harness, "client_secret_post");
    harness.get_by_label("Run flow").click();
    until_finished(&mut harness);
    for step in StepId::ALL {
        harness.get_by_label(&format!("{} {}: ok", step.letter(), step.name()));
    }
    harness.get_by_label("D Token request: ok").click();
    harness.run_ok();
    harness.get_by_label("client_secret");
}

#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn settings_and_theme_survive_a_restart_but_secrets_never_reach_storage() {
    let mut harness = app(None);
    harness.get_by_label("Your provider").click();
    harness.run_ok();
    for (role, field, value) in [
        (Role::TextInput, "Client ID", "my-app"),
        (Role::PasswordInput, "Client secret", "hunter2-real-secret"),
        (Role::TextInput, "Scope", "openid email"),
    ] {
        harness
            .get_by_role_and_label(role, field)
            .set_text_value_accesskit(value);
        harness.run_ok();
    }
    harness.get_by_label("Light theme").click();
    harness.run_ok();

    let mut storage = Memory::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    assert!(!storage.0.is_empty());
    for value in storage.0.values() {
        assert!(!value.contains("hunter2"), "a secret was written: {value}");
        assert!(
            !value.contains("demo-basic-secret"),
            "the demo secret was written: {value}"
        );
    }

    let restarted = app(Some(&storage));
    restarted.get_by_label("Dark theme");
    assert_eq!(
        restarted
            .get_by_role_and_label(Role::TextInput, "Client ID")
            .value()
            .as_deref(),
        Some("my-app")
    );
    assert_eq!(
        restarted
            .get_by_role_and_label(Role::TextInput, "Scope")
            .value()
            .as_deref(),
        Some("openid email")
    );
    assert_eq!(
        restarted
            .get_by_role_and_label(Role::PasswordInput, "Client secret")
            .value()
            .as_deref(),
        Some("")
    );
}

/// The frames after start-up draw glyphs ahead of need (one font and offset a frame); then the
/// window sleeps until something happens.
#[test]
fn an_idle_app_schedules_no_repaint() {
    let mut harness = app(None);
    let delay = |h: &App| h.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay;
    let mut frames = 0;
    while delay(&harness) != Duration::MAX && frames < 60 {
        harness.step();
        frames += 1;
    }
    assert_eq!(
        delay(&harness),
        Duration::MAX,
        "an idle app must not wake itself up ({frames} frames after start-up)"
    );
    harness.step();
    assert_eq!(
        delay(&harness),
        Duration::MAX,
        "the idle app woke itself up"
    );
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn profiles_from_a_preset_are_saved_listed_duplicated_and_deleted_and_a_broken_file_survives() {
    let dir = ProfileDir::new("profiles");
    let broken = dir.path("broken");
    let original = b"# my notes\nclient_id = \"x\"\nclient_auth = 3\n";
    std::fs::write(&broken, original).unwrap();
    let mut h = app_in(None, &dir.0);
    click(&mut h, "Your provider");
    h.get_by_label("broken: cannot be read");
    h.get_by_label_contains("line 3, column 15, field `client_auth`");

    click(&mut h, "New from preset…");
    click(&mut h, "Keycloak");
    h.get_by_label_contains("Keycloak 16 and older (WildFly) serve under /auth");
    click(&mut h, "Create profile");
    h.get_by_label_contains("enter the Keycloak URL (e.g. https://sso.example.com)");
    for (field, value) in [
        ("Keycloak URL (required)", "https://sso.example.com/"),
        ("Realm (required)", "demo"),
        ("Client ID (required)", "oauthviz"),
    ] {
        set_text(&mut h, Role::TextInput, field, value);
    }
    assert_eq!(text_of(&h, "Profile name"), "keycloak");
    click(&mut h, "Create profile");

    assert_eq!(text_of(&h, "Issuer"), "https://sso.example.com/realms/demo");
    assert_eq!(text_of(&h, "Client ID"), "oauthviz");
    h.get_by_label("Profile: keycloak");
    h.get_by_label("• unsaved changes");
    // The preset's quirks, explained while the profile is selected.
    h.get_by_label("The realm is part of the issuer");
    h.get_by_label_contains("What oauthviz does: The preset builds every endpoint");
    set_text(
        &mut h,
        Role::PasswordInput,
        "Client secret",
        "kc-session-secret",
    );
    click(&mut h, "Save");

    let saved = dir.path("keycloak");
    let text = std::fs::read_to_string(&saved).unwrap();
    assert!(!text.contains("kc-session-secret"), "{text}");
    assert!(text.contains("preset = \"keycloak\""), "{text}");
    #[cfg(unix)]
    assert_eq!(mode(&saved), 0o600);
    assert!(h.query_by_label("• unsaved changes").is_none());
    h.get_by_label_contains("Saved to");
    h.get_by_role_and_label(Role::Button, "keycloak");

    click(&mut h, "Duplicate…");
    assert_eq!(text_of(&h, "New profile name"), "keycloak-copy");
    click(&mut h, "Duplicate");
    let copy = dir.path("keycloak-copy");
    assert_eq!(std::fs::read(&copy).unwrap(), text.as_bytes());
    h.get_by_label("Profile: keycloak-copy");
    h.get_by_role_and_label(Role::Button, "keycloak-copy");

    // Stored only when asked: then it is in the (owner-only) file.
    click(&mut h, "Save the secret in the profile file (owner-only)");
    h.get_by_label("• unsaved changes");
    set_text(
        &mut h,
        Role::PasswordInput,
        "Client secret",
        "kc-stored-secret",
    );
    click(&mut h, "Save");
    let text = std::fs::read_to_string(&copy).unwrap();
    assert!(
        text.contains("client_secret = \"kc-stored-secret\""),
        "{text}"
    );
    #[cfg(unix)]
    assert_eq!(mode(&copy), 0o600);

    // Unsaved changes are not lost by a click elsewhere; the session secret comes back.
    set_text(&mut h, Role::TextInput, "Scope", "openid");
    click(&mut h, "keycloak");
    click(&mut h, "Keep editing");
    assert_eq!(text_of(&h, "Scope"), "openid");
    click(&mut h, "keycloak");
    click(&mut h, "Discard changes");
    h.get_by_label("Profile: keycloak");
    click(&mut h, "Show");
    assert_eq!(text_of(&h, "Client secret"), "kc-session-secret");
    click(&mut h, "Show");

    click(&mut h, "keycloak-copy");
    click(&mut h, "Delete…");
    h.get_by_label("Delete the profile 'keycloak-copy'?");
    click(&mut h, "Delete");
    assert!(!copy.exists());
    assert!(
        h.query_by_role_and_label(Role::Button, "keycloak-copy")
            .is_none()
    );
    h.get_by_label_contains("Its values are still in the form");

    // The broken file is still listed, untouched, and goes only on an explicit confirmation.
    click(&mut h, "Delete file…");
    h.get_by_label_contains("it is lost once deleted");
    click(&mut h, "Don't delete");
    h.get_by_label("broken: cannot be read");
    assert_eq!(std::fs::read(&broken).unwrap(), original);
    click(&mut h, "Delete file…");
    click(&mut h, "Delete");
    assert!(!broken.exists());
    assert!(saved.exists());
}

#[test]
fn a_profile_for_the_demo_issuer_is_discovered_saved_and_runs_a_to_g_with_the_scripted_browser() {
    let dir = ProfileDir::new("discover");
    let provider = DemoServer::start(DemoOptions {
        port: 0,
        ..Default::default()
    })
    .unwrap();
    let mut h = app_in(None, &dir.0);
    click(&mut h, "Your provider");

    // Another issuer's document is refused, next to the issuer field.
    let other = provider.issuer().replace("127.0.0.1", "localhost");
    set_text(&mut h, Role::TextInput, "Issuer", &other);
    click(&mut h, "Discover");
    until(&mut h, |h| {
        h.query_by_label_contains("the metadata says its issuer is")
            .is_some()
    });
    assert_eq!(text_of(&h, "Authorization endpoint"), "");

    set_text(&mut h, Role::TextInput, "Issuer", &provider.issuer());
    click(&mut h, "Discover");
    until(&mut h, |h| !text_of(h, "Authorization endpoint").is_empty());
    // Discovery went through the engine, and what it fetched is there to read.
    click(&mut h, "Requests discovery made (1)");
    h.get_by_label(&format!(
        "GET {}/.well-known/openid-configuration",
        provider.issuer()
    ));
    h.get_by_label("-> 200 OK");
    assert_eq!(
        text_of(&h, "Authorization endpoint"),
        provider.authorization_endpoint()
    );
    assert_eq!(text_of(&h, "Token endpoint"), provider.token_endpoint());
    // The demo provider's metadata promises iss on the redirect: the profile keeps that.
    assert_eq!(
        h.get_by_label("The provider sends iss on the redirect (RFC 9207)")
            .accesskit_node()
            .toggled(),
        Some(egui::accesskit::Toggled::True)
    );
    assert_eq!(
        text_of(&h, "Userinfo endpoint"),
        provider.userinfo_endpoint()
    );
    assert_eq!(
        text_of(
            &h,
            "JWKS URI (keys that sign id_tokens; discovered when empty)"
        ),
        provider.jwks_uri()
    );
    assert_eq!(
        text_of(&h, "Resource URL (API or userinfo)"),
        "",
        "userinfo is the default"
    );
    h.get_by_label_contains("Empty: step F calls the userinfo endpoint");
    h.get_by_label_contains("code_challenge_methods_supported: S256");
    h.get_by_label_contains("token_endpoint_auth_methods_supported: client_secret_basic");

    set_text(&mut h, Role::TextInput, "Client ID", POST_CLIENT_ID);
    choose_client_auth(&mut h, "private_key_jwt");
    h.get_by_label_contains("private_key_jwt is not among the methods the provider lists");
    // The field says why Run is disabled, and so does the line by the Run button.
    assert_eq!(
        h.query_all_by_label_contains("give the path of its PEM file")
            .count(),
        2
    );
    h.get_by_label_contains("To run: ");
    choose_client_auth(&mut h, "client_secret_post");
    set_text(
        &mut h,
        Role::PasswordInput,
        "Client secret",
        POST_CLIENT_SECRET,
    );
    set_text(&mut h, Role::TextInput, "Scope", "openid profile bogus");
    h.get_by_label_contains("not in scopes_supported: bogus");
    set_text(&mut h, Role::TextInput, "Scope", "openid profile");

    click(&mut h, "Save");
    set_text(&mut h, Role::TextInput, "New profile name", "local-demo");
    click(&mut h, "Save under this name");
    assert!(dir.path("local-demo").exists());
    h.get_by_role_and_label(Role::Button, "local-demo");

    click(&mut h, "Built-in browser logs in for me");
    set_text(&mut h, Role::TextInput, "Username", DEMO_USERNAME);
    set_text(&mut h, Role::PasswordInput, "Password", DEMO_PASSWORD);
    click(&mut h, "Run flow");
    until_finished(&mut h);
    for step in StepId::ALL {
        h.get_by_label(&format!("{} {}: ok", step.letter(), step.name()));
    }
    h.get_by_label_contains("#1 local-demo · ok");
    let trace = &h.state().current_run().unwrap().trace;
    let f = trace.step(StepId::F).latest().unwrap();
    assert_eq!(
        f.request.as_ref().unwrap().url,
        provider.userinfo_endpoint()
    );
    let e = trace.step(StepId::E).latest().unwrap();
    assert!(
        e.checks.iter().any(|c| c.id.is_id_token()),
        "{:?}",
        e.checks
    );
}

#[test]
fn just_show_me_the_url_shows_it_with_a_copy_button_while_b_waits() {
    let dir = ProfileDir::new("print");
    let provider = DemoServer::start(DemoOptions {
        port: 0,
        auto_approve: true,
        ..Default::default()
    })
    .unwrap();
    let mut h = app_in(None, &dir.0);
    click(&mut h, "Your provider");
    set_text(&mut h, Role::TextInput, "Issuer", &provider.issuer());
    set_text(&mut h, Role::TextInput, "Client ID", PUBLIC_CLIENT_ID);
    choose_client_auth(&mut h, "none");
    click(&mut h, "Just show me the URL");
    click(&mut h, "Run flow");
    until(&mut h, |h| {
        h.query_by_label("B User login and consent: waiting for the user")
            .is_some()
    });
    // The URL as shown: the authorization endpoint with the request's query.
    let url = h
        .get_by_label_contains(&format!("{}?", provider.authorization_endpoint()))
        .value()
        .unwrap();
    assert!(url.contains("code_challenge="), "{url}");
    // How long the listener waits, by the URL.
    h.get_by_label_contains("the redirect is awaited until");
    h.get_by_label("Copy URL").click();
    h.step();
    assert!(
        h.output()
            .platform_output
            .commands
            .contains(&egui::OutputCommand::CopyText(url.clone())),
        "the URL was not copied"
    );

    // The user opens it elsewhere (here: curl, which follows the redirects); the run goes on.
    let opened = std::process::Command::new("curl")
        .args(["-s", "-L", "-o", "/dev/null", &url])
        .status()
        .unwrap();
    assert!(opened.success());
    until_finished(&mut h);
    h.get_by_label("G Protected resource response: ok");
    assert!(
        h.query_by_label("Copy URL").is_none(),
        "shown only while B waits"
    );
}

#[test]
fn the_selected_profile_comes_back_after_a_restart_with_only_a_stored_secret() {
    let dir = ProfileDir::new("restart");
    let common = "issuer = \"https://as.example\"\nclient_auth = \"post\"\n";
    std::fs::write(
        dir.path("stored"),
        format!("{common}client_id = \"app\"\nclient_secret = \"from-the-file\"\n"),
    )
    .unwrap();
    std::fs::write(dir.path("asked"), format!("{common}client_id = \"app2\"\n")).unwrap();
    let mut h = app_in(None, &dir.0);
    click(&mut h, "Your provider");
    click(&mut h, "asked");
    set_text(
        &mut h,
        Role::PasswordInput,
        "Client secret",
        "typed-this-session",
    );
    click(&mut h, "stored");
    h.get_by_label("Profile: stored");
    assert!(h.query_by_label("• unsaved changes").is_none());

    let mut storage = Memory::default();
    eframe::App::save(h.state_mut(), &mut storage);
    for value in storage.0.values() {
        assert!(!value.contains("from-the-file") && !value.contains("typed-this-session"));
    }

    let mut restarted = app_in(Some(&storage), &dir.0);
    restarted.get_by_label("Profile: stored");
    assert!(restarted.query_by_label("• unsaved changes").is_none());
    click(&mut restarted, "Show");
    assert_eq!(text_of(&restarted, "Client secret"), "from-the-file");
    // A secret typed for the session is gone with the session.
    click(&mut restarted, "asked");
    assert_eq!(text_of(&restarted, "Client secret"), "");
    assert_eq!(text_of(&restarted, "Client ID"), "app2");
}

#[test]
fn the_demo_can_just_show_the_url_to_open_anywhere() {
    let mut harness = app(None);
    harness.get_by_label("Just show me the URL").click();
    harness.run_ok();
    harness.get_by_label("Run flow").click();
    until(&mut harness, |h| {
        h.query_by_label("B User login and consent: waiting for the user")
            .is_some()
    });
    harness.get_by_label("Open this URL in a browser to log in and consent:");
    harness.get_by_label("Copy URL");
    harness.get_by_label_contains("/authorize?response_type=code&client_id=demo-basic");
    // The provider refused on its own page: the user ends the wait rather than sit out the
    // callback timeout, and the diagram says why it stopped.
    harness
        .get_by_label("The browser shows an error page")
        .click();
    until_finished(&mut harness);
    harness.get_by_label_contains(
        "Stopped: the provider showed an error page instead of redirecting back",
    );
    assert!(harness.query_by_label("Copy URL").is_none());
}

/// Switching provider does not pass the previous provider's verdicts off as the new one's: the
/// Experiments and Check tabs say whose results they show.
#[test]
fn results_say_whose_they_are_after_switching_provider() {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    click(&mut h, "Run flow");
    until_finished(&mut h);
    click(&mut h, "Experiments");
    assert!(
        h.query_by_label_contains("These results are of run")
            .is_none()
    );
    click(&mut h, "Public client with PKCE (no secret)");
    h.get_by_label_contains(
        "These results are of run #1 against demo (demo-basic). The settings on the left are for demo (demo-public)",
    );
    click(&mut h, "Check");
    h.get_by_label_contains("These results are of run #1 against demo (demo-basic)");
    // Back to the run's own client: nothing to say.
    click(
        &mut h,
        "Confidential, secret in Authorization header (basic)",
    );
    assert!(
        h.query_by_label_contains("These results are of run")
            .is_none()
    );
}

/// With Run disabled, the reason is by the button, not only at a field that may be out of view.
#[test]
fn why_run_is_disabled_is_said_by_the_button() {
    let mut h = app(None);
    assert!(h.query_by_label_contains("To run:").is_none());
    click(&mut h, "Your provider");
    h.get_by_label_contains("To run: ");
    // A reason longer than the toolbar is shortened: the buttons after it stay in the window.
    set_text(
        &mut h,
        Role::TextInput,
        "Issuer",
        "https://sso.example.com/realms/demo",
    );
    set_text(&mut h, Role::TextInput, "Client ID", "oauthviz");
    for width in [1024.0, 1280.0] {
        h.set_size(egui::vec2(width, 720.0));
        h.run_ok();
        for button in ["Settings", "Present", "Light theme"] {
            let rect = h.get_by_label(button).rect();
            assert!(
                rect.right() <= width,
                "{button} at {rect:?} in a {width} wide window"
            );
        }
    }
}

/// A blank new profile shows no red before anything is typed; typing brings the field's reasons.
#[test]
fn a_blank_profile_is_not_red_until_something_is_typed() {
    let mut h = app(None);
    click(&mut h, "Your provider");
    h.get_by_label("Fill in an issuer (and Discover) or the endpoints, then the client.");
    // The line by the Run button says what is missing; the field does not, yet.
    let line = h
        .get_by_label_contains("To run: ")
        .value()
        .unwrap_or_default();
    let first = line
        .trim_start_matches("To run: ")
        .split(" (and ")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(h.query_all_by_label_contains(&first).count(), 1, "{first}");
    set_text(&mut h, Role::TextInput, "Client ID", "my-client");
    assert!(
        h.query_by_label("Fill in an issuer (and Discover) or the endpoints, then the client.")
            .is_none()
    );
    assert_eq!(h.query_all_by_label_contains(&first).count(), 2, "{first}");
}

/// A URL longer than the narrow settings panel is cut off in its field; hovering shows it whole.
#[test]
fn a_long_url_shows_whole_on_hover() {
    let mut h = app(None);
    click(&mut h, "Your provider");
    let long = format!(
        "https://login.example.com/{}/oauth2/v2.0/authorize",
        "tenant".repeat(12)
    );
    set_text(&mut h, Role::TextInput, "Authorization endpoint", &long);
    h.ctx.all_styles_mut(|s| {
        s.interaction.tooltip_delay = 0.0;
        s.interaction.show_tooltips_only_when_still = false;
    });
    let before = h.query_all_by_label_contains(&long).count();
    h.get_by_role_and_label(Role::TextInput, "Authorization endpoint")
        .hover();
    h.run_ok();
    assert!(h.query_all_by_label_contains(&long).count() > before);
}
