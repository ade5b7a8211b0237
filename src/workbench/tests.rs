#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::*;
use crate::demo::{self, DemoOptions, DemoServer};
use crate::engine::{CommandOutcome, Report};
use crate::protocol::token::ClientAuth;
use crate::trace::Verdict;

const WAIT: Duration = Duration::from_secs(20);

fn scripted() -> RunOptions {
    RunOptions {
        user_agent: UserAgentKind::Scripted {
            username: demo::DEMO_USERNAME.into(),
            password: demo::DEMO_PASSWORD.into(),
            deny_consent: false,
            form_fields: Vec::new(),
            driver: crate::engine::Driver::Http,
        },
        http_timeout: Duration::from_secs(10),
        callback_timeout: Duration::from_secs(10),
        ..Default::default()
    }
}

fn public_client(server: &DemoServer) -> ProviderConfig {
    ProviderConfig {
        client_id: demo::PUBLIC_CLIENT_ID.into(),
        client_secret: None,
        client_auth: ClientAuth::None,
        ..ProviderConfig::demo(server)
    }
}

/// Runs the flow, then `experiments`, and returns the newest verdict of each.
fn judged(config: ProviderConfig, experiments: &[Experiment]) -> Vec<(Experiment, Finding)> {
    let mut bench = Workbench::new(|| {}).unwrap();
    let run = bench.start(config, scripted());
    bench.wait_idle(run, WAIT, |_, _| {});
    assert!(
        bench.run(run).unwrap().trace.ok,
        "the flow must finish first"
    );
    bench.run_experiments(run, experiments);
    bench.wait_idle(run, WAIT, |_, _| {});
    let r = bench.run(run).unwrap();
    assert!(!r.busy());
    Judged::newest(&r.findings)
        .map(|j| (j.experiment, j.finding.clone()))
        .collect()
}

#[test]
fn all_on_a_public_client_skips_the_confidential_only_experiments_and_judges_the_rest() {
    let server = DemoServer::start(DemoOptions::default()).unwrap();
    let findings = judged(public_client(&server), &Experiment::ALL);
    assert_eq!(findings.len(), Experiment::ALL.len(), "{findings:?}");
    for (experiment, finding) in &findings {
        match experiment {
            Experiment::WrongClientSecret
            | Experiment::CredentialsTwice
            | Experiment::OtherAuthMethod
            | Experiment::NoClientAuthentication
            | Experiment::CredentialsInQuery
            | Experiment::RevokedTokenIntrospection => {
                assert_eq!(
                    finding.verdict,
                    Verdict::Skip,
                    "{experiment:?}: {finding:?}"
                );
                assert!(
                    finding.summary.contains("confidential client")
                        || finding.summary.contains("authenticates with a secret"),
                    "the skip names the reason: {}",
                    finding.summary
                );
            }
            // The run may not wait.
            e if e.waits() => {
                assert_eq!(finding.verdict, Verdict::Skip, "{e:?}: {finding:?}");
                assert!(finding.summary.contains("a wait"), "{}", finding.summary);
            }
            _ => assert_eq!(
                finding.verdict,
                Verdict::Pass,
                "{experiment:?}: {finding:?}"
            ),
        }
    }
}

#[test]
fn without_pkce_the_verifier_experiments_are_skipped() {
    let server = DemoServer::start(DemoOptions::default()).unwrap();
    let mut config = ProviderConfig::demo(&server);
    config.pkce = crate::protocol::pkce::PkceMethod::Off;
    let findings = judged(
        config,
        &[
            Experiment::DropCodeVerifier,
            Experiment::ReuseCode,
            Experiment::PkcePlain,
        ],
    );
    let verdicts: Vec<_> = findings.iter().map(|(e, f)| (*e, f.verdict)).collect();
    assert_eq!(
        verdicts,
        [
            (Experiment::ReuseCode, Verdict::Pass),
            (Experiment::DropCodeVerifier, Verdict::Skip),
            (Experiment::PkcePlain, Verdict::Skip),
        ]
    );
}

#[test]
fn a_cancel_drops_the_queued_experiments_with_the_reason() {
    let server = DemoServer::start(DemoOptions::default()).unwrap();
    let mut bench = Workbench::new(|| {}).unwrap();
    // The print agent waits for a person, so the run is still at B when the cancel comes.
    let options = RunOptions {
        user_agent: UserAgentKind::Print,
        ..scripted()
    };
    let run = bench.start(ProviderConfig::demo(&server), options);
    bench.run_experiments(run, &Experiment::ALL);
    assert!(bench.run(run).unwrap().busy());
    bench.cancel(run, crate::engine::CancelWhy::User);
    bench.wait_idle(run, WAIT, |_, _| {});
    let r = bench.run(run).unwrap();
    assert!(!r.busy(), "every command reported back");
    assert_eq!(r.findings.len(), Experiment::ALL.len());
    for j in &r.findings {
        assert_eq!(j.finding.verdict, Verdict::Skip, "{j:?}");
        assert!(j.finding.summary.contains("cancelled by the user"), "{j:?}");
    }
}

#[test]
fn every_command_finishes_once_and_a_cancel_reports_the_queued_ones_dropped() {
    let server = DemoServer::start(DemoOptions::default()).unwrap();
    let engine = Engine::start(|| {}).unwrap();
    let options = RunOptions {
        user_agent: UserAgentKind::Print,
        ..scripted()
    };
    let start = engine.send(Command::Start {
        run: 1,
        provider: Box::new(ProviderConfig::demo(&server)),
        options,
    });
    let replays: Vec<_> = (0..3)
        .map(|_| {
            engine.send(Command::Replay {
                run: 1,
                step: StepId::Introspect,
                request: ReplayRequest::Default,
                edits: Vec::new(),
                continue_flow: false,
            })
        })
        .collect();
    let cancel = engine.send(Command::Cancel {
        run: 1,
        why: crate::engine::CancelWhy::User,
    });
    let unknown = engine.send(Command::Prepare {
        run: 99,
        step: StepId::D,
    });
    let mut finished = std::collections::BTreeMap::new();
    while finished.len() < 6 {
        let event = engine.recv_timeout(WAIT).expect("the engine reports");
        if let Report::Finished { command, outcome } = event.report {
            assert!(
                finished.insert(command, outcome).is_none(),
                "{command} reported twice"
            );
        }
    }
    assert_eq!(finished[&start], CommandOutcome::Dropped);
    for id in replays {
        assert_eq!(finished[&id], CommandOutcome::Dropped);
    }
    assert_eq!(finished[&cancel], CommandOutcome::Completed);
    assert!(matches!(finished[&unknown], CommandOutcome::Rejected(_)));
    assert!(engine.recv_timeout(Duration::from_millis(200)).is_none());
}

/// A run saved with its secrets, reopened and connected, sends F with the token it kept; saved
/// masked, the same F says the token is gone, and a new A starts afresh from the kept settings.
#[test]
fn a_reopened_run_connects_and_sends_with_what_its_file_kept() {
    let server = DemoServer::start(DemoOptions::default()).unwrap();
    let config = ProviderConfig::demo(&server);
    let mut bench = Workbench::new(|| {}).unwrap();
    let run = bench.start(config.clone(), scripted());
    bench.wait_idle(run, WAIT, |_, _| {});
    let record = RunRecord::of(bench.run(run).unwrap());
    assert!(record.trace.ok);
    let masked = record.masked(&crate::redact::Secrets::default());

    for (kept, with_secrets) in [(record, true), (masked, false)] {
        // Through JSON, as a file would carry it (the client secret is never in it).
        let before = kept.clone();
        let kept: RunRecord = serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
        assert_eq!(kept.trace, before.trace, "the trace reads back as it was");
        assert_eq!(kept.experiments, before.experiments);
        assert!(kept.provider.client_secret.is_none());
        let mut bench = Workbench::new(|| {}).unwrap();
        let run = bench.reopen(kept, "saved.oauthviz.json");
        assert!(!bench.run(run).unwrap().sendable());
        bench.connect(run, config.clone(), scripted());
        bench.wait_idle(run, WAIT, |_, _| {});
        bench.replay(run, StepId::F, ReplayRequest::Default, Vec::new(), false);
        bench.wait_idle(run, WAIT, |_, _| {});
        let trace = &bench.run(run).unwrap().trace;
        let g = trace.step(StepId::G).attempts.len();
        if with_secrets {
            assert_eq!(g, 2, "F was sent again after the saved attempt");
            assert!(trace.step(StepId::G).outcome().is_ok(), "{:?}", trace.stop);
        } else {
            let why = trace.error().unwrap_or_default();
            assert!(why.contains("no access token"), "{why}");
        }
        // A new authorization request works either way: the settings were kept.
        bench.replay(run, StepId::A, ReplayRequest::Default, Vec::new(), true);
        bench.wait_idle(run, WAIT, |_, _| {});
        let trace = &bench.run(run).unwrap().trace;
        assert_eq!(trace.step(StepId::A).attempts.len(), 2);
        assert!(trace.step(StepId::G).outcome().is_ok(), "{:?}", trace.stop);
    }
}
