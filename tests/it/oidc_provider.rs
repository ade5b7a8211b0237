//! Whole flows against an independently written, OpenID Certified provider: panva's
//! oidc-provider on Node.js (tests/fixtures/oidc-provider), on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::sync::OnceLock;
use std::time::Duration;

use oauthviz::config::ProviderConfig;
use oauthviz::engine::http::HttpClient;
use oauthviz::engine::{RunOptions, UserAgentKind};
use oauthviz::protocol::params::Params;
use oauthviz::protocol::pkce::PkceMethod;
use oauthviz::protocol::secret::Secret;
use oauthviz::protocol::token::ClientAuth;
use oauthviz::trace::{StepId, Trace, Verdict};
use support::demo_flow::{assert_all_ok, failure, received, run, sent};
use support::oidc_provider::*;

/// One provider for the whole file: the tests run in parallel and each uses its own client
/// session, so they need no fresh provider apiece, and starting eight node processes at
/// once on a loaded two-core machine once took longer than the ready wait. Node exits when
/// this test process does (its stdin closes).
fn provider() -> &'static OidcProvider {
    static OP: OnceLock<Result<OidcProvider, String>> = OnceLock::new();
    OP.get_or_init(OidcProvider::start)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The confidential client with client_secret_basic, the one most tests use.
fn basic_config(op: &OidcProvider) -> ProviderConfig {
    config(
        op,
        BASIC_CLIENT_ID,
        Some(BASIC_CLIENT_SECRET),
        ClientAuth::Basic,
    )
}

/// The provider's endpoints from its own discovery document, as a user would get them.
fn config(
    op: &OidcProvider,
    client_id: &str,
    secret: Option<&str>,
    auth: ClientAuth,
) -> ProviderConfig {
    let client = HttpClient::new(Duration::from_secs(10), 1 << 20).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let meta = rt
        .block_on(oauthviz::engine::discovery::discover(&client, &op.issuer))
        .metadata
        .unwrap();
    let cfg = ProviderConfig {
        name: "oidc-provider".into(),
        client_id: client_id.into(),
        client_secret: secret.map(Secret::new),
        client_auth: auth,
        redirect_uri: "http://127.0.0.1:0/callback".into(),
        scope: "openid profile email".into(),
        pkce: PkceMethod::S256,
        ..Default::default()
    };
    // The rule the engine fills a run's configuration with.
    oauthviz::profile::Profile::complete(&cfg, &meta).unwrap()
}

fn login() -> RunOptions {
    RunOptions {
        user_agent: UserAgentKind::Scripted {
            username: "alice".into(),
            password: "any".into(),
            deny_consent: false,
            form_fields: Vec::new(),
            driver: oauthviz::engine::Driver::Http,
        },
        http_timeout: Duration::from_secs(15),
        callback_timeout: Duration::from_secs(15),
        ..Default::default()
    }
}

fn assert_issuer_checked(trace: &Trace, issuer: &str) {
    let c = trace.step(StepId::C).latest().unwrap();
    assert!(
        c.checks
            .iter()
            .any(|k| k.detail == format!("iss = {issuer}")),
        "{:?}",
        c.checks
    );
}

/// The id_token's signature was verified against the provider's JWKS: `assert_all_ok` would
/// also accept a warning such as "not verified".
fn assert_id_token_signature_verified(trace: &Trace) {
    let e = trace.step(StepId::E).latest().unwrap();
    let sig = e
        .checks
        .iter()
        .find(|c| c.id == oauthviz::trace::CheckId::IdTokenSignature)
        .unwrap_or_else(|| panic!("no id_token signature check on E: {:?}", e.checks));
    assert_eq!(sig.verdict, Verdict::Pass, "{sig:?}");
    assert!(sig.detail.contains("signature verified"), "{sig:?}");
}

#[test]
fn client_secret_basic_completes_a_to_g() {
    let op = provider();
    let trace = run(basic_config(op), login());
    assert_all_ok(&trace);
    assert_id_token_signature_verified(&trace);
    assert_issuer_checked(&trace, &op.issuer);
    // The login and consent were oidc-provider's own pages, on separate interactions.
    let pages = &trace.step(StepId::B).latest().unwrap().exchanges;
    assert!(
        pages.iter().filter(|p| p.request.method == "POST").count() >= 2,
        "login and consent were submitted"
    );
    let g = received(&trace, StepId::G);
    assert!(g.body.contains("\"sub\":\"alice\""), "userinfo: {}", g.body);
}

#[test]
fn client_secret_post_completes_a_to_g() {
    let op = provider();
    let trace = run(
        config(
            op,
            POST_CLIENT_ID,
            Some(POST_CLIENT_SECRET),
            ClientAuth::Post,
        ),
        login(),
    );
    assert_all_ok(&trace);
    assert_id_token_signature_verified(&trace);
}

#[test]
fn public_client_with_pkce_completes_a_to_g() {
    let op = provider();
    let trace = run(
        config(op, PUBLIC_CLIENT_ID, None, ClientAuth::None),
        login(),
    );
    assert_all_ok(&trace);
    assert_id_token_signature_verified(&trace);
    let d = sent(&trace, StepId::D);
    assert!(d.form().unwrap().get("code_verifier").is_some());
}

#[test]
fn private_key_jwt_completes_a_to_g() {
    let op = provider();
    let mut cfg = config(op, JWT_CLIENT_ID, None, ClientAuth::PrivateKeyJwt);
    cfg.private_key_path = Some(JWT_CLIENT_KEY.into());
    cfg.private_key_alg = Some("ES256".into());
    cfg.private_key_kid = Some(JWT_CLIENT_KID.into());
    let trace = run(cfg, login());
    assert_all_ok(&trace);
    let d = sent(&trace, StepId::D);
    let form = d.form().unwrap();
    assert_eq!(
        form.get("client_assertion_type"),
        Some(oauthviz::protocol::token::JWT_BEARER_ASSERTION)
    );
    assert!(form.get("client_secret").is_none() && d.headers.get("authorization").is_none());
}

#[test]
fn wrong_secret_shows_the_providers_invalid_client() {
    let op = provider();
    let trace = run(
        config(op, BASIC_CLIENT_ID, Some("wrong"), ClientAuth::Basic),
        login(),
    );
    let reason = failure(&trace, StepId::E);
    assert!(
        reason.contains("invalid_client") && reason.contains("client authentication failed"),
        "{reason}"
    );
}

#[test]
fn reused_code_shows_the_providers_invalid_grant() {
    let op = provider();
    let cfg = basic_config(op);
    let mut bench = oauthviz::workbench::Workbench::new(|| {}).unwrap();
    let run = bench.start(cfg, login());
    let wait = std::time::Duration::from_secs(60);
    bench.wait_idle(run, wait, |_, _| {});
    assert_all_ok(&bench.run(run).unwrap().trace);
    let experiment = oauthviz::workbench::Experiment::ReuseCode;
    bench.run_experiments(run, &[experiment]);
    bench.wait_idle(run, wait, |_, _| {});
    let r = bench.run(run).unwrap();
    assert!(failure(&r.trace, StepId::E).contains("invalid_grant"));
    let finding = &oauthviz::workbench::Judged::latest(&r.findings, experiment)
        .unwrap()
        .finding;
    assert_eq!(
        finding.verdict,
        oauthviz::trace::Verdict::Pass,
        "{}",
        finding.summary
    );
}

#[test]
fn refresh_with_offline_access() {
    let op = provider();
    let mut cfg = config(op, PUBLIC_CLIENT_ID, None, ClientAuth::None);
    cfg.scope = SCOPES.into();
    cfg.extra_auth_params = Params::from([("prompt", "consent")]);
    let engine = oauthviz::engine::Engine::start(|| {}).unwrap();
    let mut trace = engine.run_blocking(3, cfg.clone(), login(), |_, _| {});
    assert_all_ok(&trace);
    engine.command_blocking(
        oauthviz::engine::Command::Replay {
            run: 3,
            step: StepId::Refresh,
            request: oauthviz::engine::ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: true,
        },
        &mut trace,
        |_, _| {},
    );
    let refresh = trace.step(StepId::Refresh).latest().unwrap();
    assert!(refresh.outcome.is_ok(), "{:?}", refresh.outcome);
    assert!(
        refresh.summary.contains("refresh_token"),
        "{}",
        refresh.summary
    );
    assert_eq!(
        trace.step(StepId::G).attempts.len(),
        2,
        "F/G ran again with the new token"
    );
    assert!(trace.step(StepId::G).outcome().is_ok());
}

/// The whole audit against oidc-provider: it runs to the end, and the only verdicts that are
/// not a pass are the ones named here, each with why the provider really deviates.
#[test]
fn the_audit_runs_to_the_end_and_finds_no_fault_in_oidc_provider() {
    let op = provider();
    let mut cfg = basic_config(op);
    cfg.scope = SCOPES.into();
    cfg.extra_auth_params = Params::from([("prompt", "consent")]);
    cfg.other_clients = vec![oauthviz::config::OtherClient {
        id: POST_CLIENT_ID.into(),
        secret: Some(Secret::new(POST_CLIENT_SECRET)),
        auth: ClientAuth::Post,
    }];
    let mut bench = oauthviz::workbench::Workbench::new(|| {}).unwrap();
    let run = bench.start(cfg, login());
    let wait = Duration::from_secs(60);
    bench.wait_idle(run, wait, |_, _| {});
    assert_all_ok(&bench.run(run).unwrap().trace);
    bench.audit(run, oauthviz::workbench::AuditCheck::all());
    bench.wait_idle(run, wait, |_, _| {});
    let report = bench
        .run(run)
        .unwrap()
        .audit
        .as_ref()
        .unwrap()
        .report
        .clone()
        .unwrap();
    let table: Vec<String> = report
        .rows
        .iter()
        .map(|r| {
            format!(
                "{:?} {}: {}",
                r.finding.verdict,
                r.check.id(),
                r.finding.summary
            )
        })
        .collect();
    let expected: &[(&str, Verdict)] = EXPECTED_DEVIATIONS;
    for row in &report.rows {
        let id = row.check.id();
        let want = expected
            .iter()
            .find(|(e, _)| *e == id)
            .map_or(Verdict::Pass, |(_, v)| *v);
        assert_eq!(row.finding.verdict, want, "{id}:\n{}", table.join("\n"));
    }
}

/// Where oidc-provider (as this fixture runs it) really departs from a pass, each with why.
/// None fails.
const EXPECTED_DEVIATIONS: &[(&str, Verdict)] = &[
    // The fixture uses oidc-provider's development login pages (devInteractions), which send
    // neither X-Frame-Options nor CSP frame-ancestors, nor a Referrer-Policy; a deployment
    // renders its own pages.
    ("authorization-page-framing", Verdict::Warn),
    ("authorization-page-referrer-policy", Verdict::Info),
    // invalid_client for a request with no credentials at all comes as a 401 without
    // WWW-Authenticate (RFC 9110 §15.5.2 wants one on every 401; RFC 6749 §5.2 only after Basic).
    ("no-client-authentication", Verdict::Warn),
    // Refresh tokens of confidential clients are not rotated (allowed), so reuse detection has
    // nothing to detect.
    ("refresh-twice", Verdict::Info),
    ("refresh-reuse-revokes-family", Verdict::Skip),
    // userinfo without a token answers error=invalid_token in its body (RFC 6750 §3.1: SHOULD
    // NOT include error information when no credentials were sent).
    ("resource-no-token", Verdict::Warn),
    // Not given a wait (the next test waits).
    ("code-lifetime", Verdict::Skip),
    ("expired-access-token", Verdict::Skip),
];

/// The checks that wait, on an oidc-provider whose codes and access tokens live two seconds,
/// with an audit that may wait four: neither check accuses it.
#[test]
fn the_checks_that_wait_see_oidc_providers_codes_and_tokens_expire() {
    let op = OidcProvider::start_with(&["--short-ttl", "2"]).unwrap_or_else(|e| panic!("{e}"));
    let cfg = basic_config(&op);
    let mut bench = oauthviz::workbench::Workbench::new(|| {}).unwrap();
    let run = bench.start(cfg, login());
    let wait = Duration::from_secs(60);
    bench.wait_idle(run, wait, |_, _| {});
    assert_all_ok(&bench.run(run).unwrap().trace);
    let only = [
        "code-lifetime".to_owned(),
        "expired-access-token".to_owned(),
    ];
    bench.set_wait(run, Duration::from_secs(4));
    bench.audit(
        run,
        oauthviz::workbench::AuditCheck::select(&only, &[]).unwrap(),
    );
    bench.wait_idle(run, wait, |_, _| {});
    let r = bench.run(run).unwrap();
    let report = r.audit.as_ref().unwrap().report.as_ref().unwrap();
    for step in [StepId::C, StepId::D, StepId::E, StepId::F, StepId::G] {
        for a in &r.trace.step(step).attempts {
            eprintln!(
                "{step:?} {} {:?} {}",
                a.started_at_ms, a.duration_ms, a.summary
            );
        }
    }
    let code = report.row("code-lifetime").unwrap();
    assert_eq!(
        code.finding.verdict,
        Verdict::Pass,
        "{}",
        code.finding.summary
    );
    assert!(
        code.finding.summary.contains("error=invalid_grant"),
        "{}",
        code.finding.summary
    );
    // oidc-provider's in-memory store keeps a token for its clockTolerance (15 s by default)
    // after it expired: within the leeway a resource server may allow, so a note, not a fault.
    let token = report.row("expired-access-token").unwrap();
    assert_eq!(
        token.finding.verdict,
        Verdict::Info,
        "{}",
        token.finding.summary
    );
    assert!(
        token.finding.summary.contains("clock leeway"),
        "{}",
        token.finding.summary
    );
}

/// The browser user agent through oidc-provider's own login and consent pages, in a real
/// headless Chromium.
#[test]
fn chromium_logs_in_through_oidc_providers_pages_and_completes_a_to_g() {
    let op = provider();
    let mut options = login();
    if let UserAgentKind::Scripted { driver, .. } = &mut options.user_agent {
        *driver = oauthviz::engine::Driver::Chromium;
    }
    let trace = run(basic_config(op), options);
    assert_all_ok(&trace);
    assert_issuer_checked(&trace, &op.issuer);
    let b = trace.step(StepId::B).latest().unwrap();
    assert!(
        b.summary.starts_with("login in Chromium as 'alice'"),
        "{}",
        b.summary
    );
    assert!(b.exchanges.iter().any(|p| p.screenshot.is_some()));
}
