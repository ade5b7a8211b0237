//! Each experiment's real outcome against the strict demo provider is what the RFCs demand, and
//! the same experiment catches the demo provider when it is told to break that rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use oauthviz::config::ProviderConfig;
use oauthviz::demo::{self, DemoOptions, Misbehaviour};
use oauthviz::engine::Engine;
use oauthviz::protocol::secret::Secret;
use oauthviz::protocol::token::ClientAuth;
use oauthviz::trace::{StepId, Verdict};
use oauthviz::workbench::{Experiment, Finding};
use support::demo_flow::{assert_all_ok, demo, scripted};

fn try_experiment(
    misbehave: &[&str],
    edit: impl FnOnce(&mut ProviderConfig),
    experiment: Experiment,
) -> Finding {
    let server = demo(DemoOptions {
        misbehaviour: Misbehaviour::from_names(misbehave.iter().copied()).unwrap(),
        ..Default::default()
    });
    let mut cfg = oauthviz::config::ProviderConfig::demo(&server);
    edit(&mut cfg);
    let engine = Engine::start(|| {}).unwrap();
    let mut trace = engine.run_blocking(1, cfg.clone(), scripted(), |_, _| {});
    assert_all_ok(&trace);
    for command in experiment.plan(1, &cfg, &trace).unwrap() {
        engine.command_blocking(command, &mut trace, |_, _| {});
    }
    experiment.judge(&cfg, &trace)
}

fn assert_pass(experiment: Experiment, finding: &Finding) {
    assert_eq!(
        finding.verdict,
        Verdict::Pass,
        "{}: {}",
        experiment.id(),
        finding.summary
    );
}

#[test]
fn every_experiment_passes_against_the_strict_provider() {
    for experiment in Experiment::ALL {
        assert_pass(experiment, &try_experiment(&[], |_| {}, experiment));
    }
}

/// One after the other on the same run, as "Run all" and repeated `--experiment` do: no
/// experiment may be coloured by what the ones before it did (revoked tokens, an edited F, a
/// tampered callback).
#[test]
fn all_experiments_in_one_run_pass_against_the_strict_provider() {
    let server = demo(DemoOptions::default());
    let cfg = ProviderConfig::demo(&server);
    let engine = Engine::start(|| {}).unwrap();
    let mut trace = engine.run_blocking(1, cfg.clone(), scripted(), |_, _| {});
    assert_all_ok(&trace);
    for experiment in Experiment::ALL {
        for command in experiment.plan(1, &cfg, &trace).unwrap() {
            engine.command_blocking(command, &mut trace, |_, _| {});
        }
        assert_pass(experiment, &experiment.judge(&cfg, &trace));
    }
}

#[test]
fn public_client_refresh_rotation_is_checked() {
    let public = |c: &mut ProviderConfig| {
        c.client_id = demo::PUBLIC_CLIENT_ID.into();
        c.client_secret = None;
        c.client_auth = ClientAuth::None;
    };
    let finding = try_experiment(&[], public, Experiment::RefreshTwice);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
    assert!(finding.summary.contains("invalid_grant"));
}

#[test]
fn a_provider_that_breaks_the_rule_is_caught() {
    let cases: [(&str, Experiment, Verdict); 4] = [
        ("accept_reused_codes", Experiment::ReuseCode, Verdict::Fail),
        ("ignore_pkce", Experiment::DropCodeVerifier, Verdict::Fail),
        ("ignore_pkce", Experiment::WrongCodeVerifier, Verdict::Fail),
        (
            "accept_query_token",
            Experiment::BearerInQuery,
            Verdict::Warn,
        ),
    ];
    for (misbehaviour, experiment, verdict) in cases {
        let finding = try_experiment(&[misbehaviour], |_| {}, experiment);
        assert_eq!(
            finding.verdict,
            verdict,
            "{} with {misbehaviour}: {}",
            experiment.id(),
            finding.summary
        );
        assert!(finding.summary.contains("accepted"), "{}", finding.summary);
    }
}

#[test]
fn wrong_secret_experiment_uses_the_clients_own_method() {
    let post = |c: &mut ProviderConfig| {
        c.client_id = demo::POST_CLIENT_ID.into();
        c.client_secret = Some(Secret::new(demo::POST_CLIENT_SECRET));
        c.client_auth = ClientAuth::Post;
    };
    let finding = try_experiment(&[], post, Experiment::WrongClientSecret);
    assert_eq!(finding.verdict, Verdict::Pass, "{}", finding.summary);
}

#[test]
fn replay_records_new_attempts_under_the_same_step() {
    let server = demo(DemoOptions::default());
    let cfg = oauthviz::config::ProviderConfig::demo(&server);
    let engine = Engine::start(|| {}).unwrap();
    let mut trace = engine.run_blocking(1, cfg.clone(), scripted(), |_, _| {});
    for command in Experiment::ReuseCode.plan(1, &cfg, &trace).unwrap() {
        engine.command_blocking(command, &mut trace, |_, _| {});
    }
    // The first flow, the fresh flow the experiment started from, and the replay.
    assert_eq!(trace.step(StepId::D).attempts.len(), 3);
    assert_eq!(trace.step(StepId::E).attempts.len(), 3);
    let d = &trace.step(StepId::D).attempts;
    assert_eq!(d[1].request, d[2].request, "the replay sent the same bytes");
    assert!(!trace.ok, "the latest E failed, so the run is not ok");
}
