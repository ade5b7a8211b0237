//! Runs flows against the embedded demo provider through the real engine.

use std::time::Duration;

use oauthviz::config::ProviderConfig;
use oauthviz::demo::{DEMO_PASSWORD, DEMO_USERNAME, DemoOptions, DemoServer};
use oauthviz::engine::{Engine, RunOptions, UserAgentKind};
use oauthviz::trace::{Outcome, StepId, Trace};

pub fn demo(options: DemoOptions) -> DemoServer {
    DemoServer::start(options).expect("demo provider starts")
}

pub fn scripted() -> RunOptions {
    RunOptions {
        user_agent: UserAgentKind::Scripted {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            deny_consent: false,
            form_fields: Vec::new(),
            driver: oauthviz::engine::Driver::Http,
        },
        http_timeout: Duration::from_secs(10),
        callback_timeout: Duration::from_secs(10),
        ..Default::default()
    }
}

pub fn run(provider: ProviderConfig, options: RunOptions) -> Trace {
    let engine = Engine::start(|| {}).expect("engine starts");
    engine.run_blocking(1, provider, options, |_, _| {})
}

pub fn run_demo(server: &DemoServer, edit: impl FnOnce(&mut ProviderConfig)) -> Trace {
    let mut cfg = oauthviz::config::ProviderConfig::demo(server);
    edit(&mut cfg);
    run(cfg, scripted())
}

pub fn outcome(trace: &Trace, step: StepId) -> Outcome {
    trace.step(step).outcome()
}

/// The reason a step failed, or a panic that shows the whole trace.
pub fn failure(trace: &Trace, step: StepId) -> String {
    match outcome(trace, step) {
        Outcome::Failed(r) => r,
        other => panic!(
            "expected {step:?} to fail, it is {other:?}; trace: {}",
            serde_json::to_string_pretty(trace).unwrap()
        ),
    }
}

pub fn assert_all_ok(trace: &Trace) {
    for step in StepId::ALL {
        assert!(
            outcome(trace, step).is_ok(),
            "step {step:?} is {:?}; trace: {}",
            outcome(trace, step),
            serde_json::to_string_pretty(trace).unwrap()
        );
    }
    assert!(trace.ok && trace.finished);
}

/// The request the latest attempt of `step` sent.
pub fn sent(trace: &Trace, step: StepId) -> &oauthviz::protocol::http::HttpRequest {
    trace
        .step(step)
        .latest()
        .and_then(|a| a.request.as_ref())
        .unwrap_or_else(|| panic!("{step:?} sent nothing"))
}

/// The response the latest attempt of `step` received.
pub fn received(trace: &Trace, step: StepId) -> &oauthviz::protocol::http::HttpResponse {
    trace
        .step(step)
        .latest()
        .and_then(|a| a.response.as_ref())
        .unwrap_or_else(|| panic!("{step:?} received nothing"))
}
