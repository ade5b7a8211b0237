//! The real app, driven headlessly by its accessible labels (egui_kittest): the embedded demo
//! provider and the engine run on real threads, so runs are awaited with bounded, short sleeps.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauthviz::demo::{DemoOptions, DemoServer, POST_CLIENT_ID, POST_CLIENT_SECRET};
use oauthviz::gui::OauthvizApp;
use oauthviz::protocol::secret::mask;
use oauthviz::trace::StepId;

fn app(storage: Option<&dyn eframe::Storage>) -> Harness<'static, OauthvizApp> {
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_eframe(|cc| OauthvizApp::new(storage, &cc.egui_ctx));
    harness.run_ok();
    harness
}

/// Steps the UI until the run on screen has finished (at most ~20 s).
fn until_finished(harness: &mut Harness<'_, OauthvizApp>) {
    for _ in 0..400 {
        harness.step();
        if harness
            .state()
            .current_run()
            .is_some_and(|r| r.trace.finished)
        {
            harness.run_ok();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the run did not finish");
}

fn choose_auto_approve(harness: &mut Harness<'_, OauthvizApp>) {
    harness.get_by_label("Auto-approve (no browser)").click();
    harness.run_ok();
}

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
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture"])
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
    harness.get_by_label("Client authentication").click();
    harness.run_ok();
    harness.get_by_label("client_secret_post").click();
    harness.run_ok();
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

#[test]
fn an_idle_app_schedules_no_repaint() {
    let mut harness = app(None);
    harness.run_ok();
    let root = &harness.output().viewport_output[&egui::ViewportId::ROOT];
    assert_eq!(
        root.repaint_delay,
        Duration::MAX,
        "an idle app must not wake itself up"
    );
}
