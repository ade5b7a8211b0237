//! Editing a step's request in the app, sending it again, comparing the attempts, experiments
//! with their verdicts, and the steps after E — driven by labels, against the embedded demo
//! provider.
#![allow(clippy::unwrap_used)]

use crate::support;

use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable};
use oauthviz::protocol::token::parse_token_response;
use oauthviz::trace::StepId;
use oauthviz::workbench::Experiment;
use support::gui::*;

type App = egui_kittest::Harness<'static, oauthviz::gui::OauthvizApp>;

/// Selects the arrow labelled `arrow` and opens its request in the editor.
fn open_editor(h: &mut App, arrow: &str) {
    click(h, arrow);
    click(h, "Edit and send again");
}

fn sent_param(h: &App, step: StepId, attempt: usize, name: &str) -> Option<String> {
    let run = h.state().current_run().unwrap();
    let request = run.trace.step(step).attempts[attempt]
        .request
        .clone()
        .unwrap();
    oauthviz::protocol::edit::params_of(&request)
        .0
        .get(name)
        .map(str::to_owned)
}

#[test]
fn d_edited_and_sent_again_is_a_second_attempt_compared_with_the_first() {
    let mut h = finished_demo_run();
    open_editor(&mut h, "D Token request: ok");
    h.get_by_label("Editing a copy of D attempt 1");
    let verifier = sent_param(&h, StepId::D, 0, "code_verifier").unwrap();
    // Secrets are masked in the editor too until revealed.
    h.get_by_role_and_label(Role::PasswordInput, "Value of code_verifier");

    click(&mut h, "Remove code_verifier");
    h.get_by_label("removed: it will not be sent");
    h.get_by_label("1 change");
    set_text(
        &mut h,
        Role::TextInput,
        "Value of grant_type",
        "authorization_code ",
    );
    h.get_by_label("2 changes");
    click(&mut h, "Reset grant_type");
    h.get_by_label("1 change");
    click(
        &mut h,
        "Get a new authorization code first (runs A–C again)",
    );
    click(&mut h, "Send again");
    until_idle(&mut h);

    // A–C ran again for a fresh code; D went out without the verifier and was refused. The
    // diagram shows this take alone, its arrows numbered by attempt.
    h.get_by_label("A #2 Authorization request: ok");
    h.get_by_label("D #2 Token request: ok");
    h.get_by_label("E #2 Token response: failed");
    assert!(
        h.query_by_label("F Protected resource request: ok")
            .is_none()
    );
    h.get_by_label("D sent again");
    h.get_by_label_contains("#1 demo (demo-basic) · ok");
    assert_eq!(sent_param(&h, StepId::D, 1, "code_verifier"), None);
    assert_ne!(
        sent_param(&h, StepId::D, 1, "code"),
        sent_param(&h, StepId::D, 0, "code"),
        "the replay used the new code"
    );

    // The inspector now compares the two attempts.
    h.get_by_label("Compare attempt");
    h.get_by_label("param code_verifier");
    h.get_by_label("param code");
    h.get_by_label("json error");
    h.get_by_label("invalid_grant");
    assert!(h.query_all_by_label("400 Bad Request").next().is_some());
    assert!(
        h.query_by_label_contains(&verifier).is_none(),
        "the verifier is on screen before reveal"
    );
    click(&mut h, "Reveal secrets");
    h.get_by_label(&verifier);
}

#[test]
fn edits_survive_moving_to_another_step_and_a_malformed_url_is_shown_not_sent() {
    let mut h = finished_demo_run();
    open_editor(&mut h, "F Protected resource request: ok");
    set_text(&mut h, Role::TextInput, "URL", "http://exa mple/");
    h.get_by_label_contains("The URL is malformed");
    h.get_by_label_contains("Cannot send: URL:");
    assert!(h.get_by_label("Send again").accesskit_node().is_disabled());

    click(&mut h, "A Authorization request: ok");
    open_editor(&mut h, "F Protected resource request: ok");
    assert_eq!(
        text_of(&h, "URL"),
        "http://exa mple/",
        "what was typed is kept"
    );
    click(&mut h, "Reset URL");
    click(&mut h, "Send again");
    until_idle(&mut h);
    h.get_by_label("G #2 Protected resource response: ok");
}

#[test]
fn a_tampered_state_on_c_is_caught_by_the_clients_check() {
    let mut h = finished_demo_run();
    open_editor(&mut h, "C Authorization response (redirect): ok");
    set_text(&mut h, Role::TextInput, "Value of state", "forged");
    click(&mut h, "Send again");
    until_idle(&mut h);
    h.get_by_label("C #2 Authorization response (redirect): failed");
    assert!(
        h.query_all_by_label_contains("the returned `state` differs from the one sent")
            .next()
            .is_some()
    );
    // The token request was not sent with the forged callback's code.
    assert_eq!(
        h.state()
            .current_run()
            .unwrap()
            .trace
            .step(StepId::D)
            .attempts
            .len(),
        1
    );
}

#[test]
fn a_run_stopped_before_d_sends_the_edited_request_and_continues_to_g() {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    click(&mut h, "Stop before the token request (D)");
    click(&mut h, "Run flow");
    until_finished(&mut h);
    h.get_by_label("C Authorization response (redirect): ok");
    h.get_by_label("G Protected resource response: waiting");
    h.get_by_label_contains("Paused before D: its request is prepared.");
    h.get_by_label_contains("#1 demo (demo-basic) · paused");

    // The prepared step is open already: a paused run shows what waits.
    assert!(h.query_all_by_label("D  Token request").next().is_some());
    click(&mut h, "Edit and send again");
    click(&mut h, "Add parameter");
    set_text(&mut h, Role::TextInput, "Name of new param 5", "resource");
    set_text(
        &mut h,
        Role::TextInput,
        "Value of resource",
        "https://api.example",
    );
    h.get_by_label("added");
    click(&mut h, "Then continue the flow to G with the answer");
    // Never sent yet: the button sends it, it does not send it "again".
    assert!(h.query_by_label("Send again").is_none());
    click(&mut h, "Send");
    until_idle(&mut h);
    // The first answer has nothing before it to be compared with: it is shown as it is.
    assert!(
        h.query_by_label_contains("Only one attempt so far")
            .is_none(),
        "an empty comparison"
    );
    h.get_by_label("E Token response: ok");
    h.get_by_label("G Protected resource response: ok");
    assert_eq!(
        sent_param(&h, StepId::D, 0, "resource").as_deref(),
        Some("https://api.example")
    );
}

#[test]
fn experiments_give_verdicts_and_catch_a_misbehaving_demo_provider() {
    let mut h = finished_demo_run();
    click(&mut h, "Experiments");
    click(&mut h, "Reuse the authorization code");
    until_idle(&mut h);
    h.get_by_label("PASS");
    h.get_by_label_contains(
        "Experiment “Reuse the authorization code”: PASS — refused (HTTP 400, error=invalid_grant)",
    );
    // The answer is on screen next to the attempt before it.
    h.get_by_label("Compare attempt");
    h.get_by_label("json error");
    // The diagram shows the experiment's take: the refusal it wanted is drawn as passed, and
    // the run is still ok — its main flow is.
    // It ran a fresh flow (A–G #2), then sent its code again (D/E #3).
    h.get_by_label("G #2 Protected resource response: ok");
    h.get_by_label("D #3 Token request: ok");
    h.get_by_label("E #3 Token response: refused, as expected");
    // The inspector, open on that answer, says so too.
    h.get_by_label("refused, as expected");
    h.get_by_label_contains("#1 demo (demo-basic) · ok");
    click(&mut h, "Main flow");
    h.get_by_label("E Token response: ok");
    assert!(h.query_by_label_contains("E #3").is_none());

    click(&mut h, "Make the demo provider misbehave");
    click(&mut h, "a code can be exchanged more than once");
    click(&mut h, "Run flow");
    until_finished(&mut h);
    click(&mut h, "Reuse the authorization code");
    until_idle(&mut h);
    h.get_by_label("FAIL");
    h.get_by_label_contains("Experiment “Reuse the authorization code”: FAIL — accepted: HTTP 200");
}

#[test]
fn all_experiments_pass_against_the_strict_demo_provider() {
    let mut h = finished_demo_run();
    click(&mut h, "Experiments");
    click(&mut h, "Run all experiments");
    until(&mut h, |h| {
        h.state()
            .current_run()
            .is_some_and(|r| r.findings.len() == Experiment::ALL.len() && !r.busy())
    });
    let run = h.state().current_run().unwrap();
    for judged in &run.findings {
        // The Check tab's wait is 0: the experiments that wait are skipped.
        let expected = if judged.experiment.waits() {
            oauthviz::trace::Verdict::Skip
        } else {
            oauthviz::trace::Verdict::Pass
        };
        assert_eq!(
            judged.finding.verdict,
            expected,
            "{}: {}",
            judged.experiment.id(),
            judged.finding.summary
        );
    }
    let waiting = Experiment::ALL.iter().filter(|e| e.waits()).count();
    let n = Experiment::ALL.len() - waiting;
    let tally = format!("{n} passed, 0 warnings, 0 failed, {waiting} skipped");
    h.get_by_label(&tally);
    h.get_by_label(&format!("All experiments: {tally}"));
}

#[test]
fn refresh_runs_after_e_and_can_be_sent_again() {
    let mut h = finished_demo_run();
    click(&mut h, "R Refresh");
    until_idle(&mut h);
    h.get_by_label("R Refresh: ok");
    let run = h.state().current_run().unwrap();
    let response = run.trace.step(StepId::Refresh).attempts[0]
        .response
        .clone()
        .unwrap();
    let tokens = parse_token_response(&response).unwrap();
    // The new tokens are shown as fields (masked) like E's, their JWTs decoded.
    h.get_by_label("Token response fields");
    assert!(
        h.query_by_label_contains(tokens.access_token.expose())
            .is_none(),
        "the new access token is masked"
    );

    // The old refresh token again: the demo provider rotates them, so it is refused.
    click(&mut h, "Edit and send again");
    click(&mut h, "Send again");
    until_idle(&mut h);
    h.get_by_label("R #2 Refresh: failed");
    // Each send is a take of its own, listed; the flow is still ok.
    assert_eq!(h.query_all_by_label("Refresh").count(), 2);
    h.get_by_label_contains("#1 demo (demo-basic) · ok");
    click(&mut h, "I Introspect");
    until_idle(&mut h);
    h.get_by_label("I Introspect: ok");
}

/// "Run all" in the window and `--experiment all` on the command line are the same runner:
/// against a demo provider that accepts reused codes, both judge every experiment alike.
#[test]
fn run_all_in_the_window_and_experiment_all_on_the_command_line_agree() {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    click(&mut h, "Experiments");
    click(&mut h, "Make the demo provider misbehave");
    click(&mut h, "a code can be exchanged more than once");
    click(&mut h, "Run flow");
    until_finished(&mut h);
    click(&mut h, "Run all experiments");
    until(&mut h, |h| {
        h.state()
            .current_run()
            .is_some_and(|r| r.findings.len() == Experiment::ALL.len() && !r.busy())
    });
    let run = h.state().current_run().unwrap();
    let window: Vec<(String, String)> = run
        .findings
        .iter()
        .map(|j| {
            let verdict = serde_json::to_value(j.finding.verdict).unwrap();
            (
                j.experiment.id().to_owned(),
                verdict.as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args([
            "run",
            "--provider",
            "demo",
            "--user-agent",
            "scripted",
            "--misbehave",
            "accept_reused_codes",
            "--experiment",
            "all",
            "--json",
        ])
        .env_remove("OAUTHVIZ_CLIENT_SECRET")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "reuse-code fails, so the run does"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let command_line: Vec<(String, String)> = doc["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_owned(),
                e["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(window, command_line);
    assert!(
        window.contains(&("reuse-code".into(), "fail".into())),
        "{window:?}"
    );
}

#[test]
fn check_my_provider_shows_progress_then_the_report_by_area_and_opens_a_checks_answer() {
    let mut h = finished_demo_run();
    click(&mut h, "Check");
    click(&mut h, "Check my provider");
    until_idle(&mut h);
    let run = h.state().current_run().unwrap();
    let report = run.audit.as_ref().unwrap().report.clone().unwrap();
    let summary = report.summary();
    assert_eq!(summary.fail + summary.warn, 0, "{report:?}");
    // The summary, the areas with their worst verdict, and each check's verdict and RFC.
    h.get_by_label(&summary.line());
    h.get_by_label_contains(&format!("Provider check: {}", summary.line()));
    h.get_by_label("Authorization codes · PASS");
    // Its row (and, in the list of takes beside the diagram, its take).
    assert!(
        h.query_all_by_label("Reuse the authorization code")
            .next()
            .is_some()
    );
    h.get_by_label("RFC 7636 §4.6 · MUST");
    // With auto-approve there are no login pages: the page checks say so.
    assert_eq!(
        h.query_all_by_label_contains("no login or consent page was seen")
            .count(),
        2
    );

    // The first "Show answer" is the first active check's: it opens that check's answer.
    h.get_all_by_label("Show answer")
        .next()
        .unwrap()
        .scroll_to_me();
    h.run_ok();
    h.get_all_by_label("Show answer").next().unwrap().click();
    h.run_ok();
    let first_active = report
        .rows
        .iter()
        .find(|r| {
            matches!(r.check, oauthviz::workbench::AuditCheck::Active(_)) && !r.attempts.is_empty()
        })
        .unwrap();
    h.get_by_label_contains(&format!("Experiment “{}”", first_active.check.rule().title));
}
