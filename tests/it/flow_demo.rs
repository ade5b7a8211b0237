//! Whole flows, headless, against the embedded demo provider over loopback HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::time::Duration;

use oauthviz::demo::{self, DemoOptions, Misbehave, Misbehaviour};
use oauthviz::engine::RunOptions;
use oauthviz::engine::http::HttpClient;
use oauthviz::protocol::pkce::PkceMethod;
use oauthviz::protocol::secret::Secret;
use oauthviz::protocol::token::{ClientAuth, TokenError, parse_token_response};
use oauthviz::trace::{Outcome, StepId, Verdict};
use support::demo_flow::*;

#[test]
fn basic_client_completes_a_to_g() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |_| {});
    assert_all_ok(&trace);
    let c = trace.step(StepId::C).latest().unwrap();
    assert!(
        c.checks.iter().all(|c| c.verdict == Verdict::Pass),
        "{:?}",
        c.checks
    );
    let d = sent(&trace, StepId::D);
    assert!(
        d.headers
            .get("authorization")
            .unwrap()
            .starts_with("Basic ")
    );
    assert!(!d.body.contains("client_secret"));
    let e = trace.step(StepId::E).latest().unwrap();
    assert!(
        e.summary.starts_with("access_token (Bearer"),
        "{}",
        e.summary
    );
    let id_token_checks = e.checks.iter().filter(|c| c.id.is_id_token()).count();
    assert!(
        id_token_checks >= 6 && e.checks.iter().all(|c| c.verdict == Verdict::Pass),
        "{:?}",
        e.checks
    );
    // B recorded every page the scripted browser went through: login, consent, redirect.
    assert!(trace.step(StepId::B).latest().unwrap().exchanges.len() >= 4);
}

#[test]
fn post_client_completes_a_to_g() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| {
        c.client_id = demo::POST_CLIENT_ID.into();
        c.client_secret = Some(Secret::new(demo::POST_CLIENT_SECRET));
        c.client_auth = ClientAuth::Post;
    });
    assert_all_ok(&trace);
    let d = sent(&trace, StepId::D);
    assert_eq!(
        d.form().unwrap().get("client_secret"),
        Some(demo::POST_CLIENT_SECRET)
    );
    assert_eq!(d.headers.get("authorization"), None);
}

#[test]
fn public_client_with_pkce_completes_a_to_g() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| {
        c.client_id = demo::PUBLIC_CLIENT_ID.into();
        c.client_secret = None;
        c.client_auth = ClientAuth::None;
    });
    assert_all_ok(&trace);
    let a = sent(&trace, StepId::A);
    assert_eq!(a.query().get("code_challenge_method"), Some("S256"));
    let d = sent(&trace, StepId::D);
    assert!(d.form().unwrap().get("code_verifier").is_some());
}

#[test]
fn state_mismatch_fails_c_and_stops_before_d() {
    let server = demo(DemoOptions {
        misbehaviour: Misbehaviour::of([Misbehave::WrongState]),
        ..Default::default()
    });
    let trace = run_demo(&server, |_| {});
    assert!(failure(&trace, StepId::C).contains("state"));
    assert!(
        trace.step(StepId::D).attempts.is_empty(),
        "D must not run after a failed state check"
    );
    assert_eq!(trace.failed_step(), Some(StepId::C));
}

#[test]
fn missing_state_fails_c() {
    let server = demo(DemoOptions {
        misbehaviour: Misbehaviour::of([Misbehave::SkipState]),
        ..Default::default()
    });
    let trace = run_demo(&server, |_| {});
    assert!(failure(&trace, StepId::C).contains("no `state`"));
}

#[test]
fn access_denied_at_consent_fails_c_with_the_providers_error() {
    let server = demo(DemoOptions::default());
    let mut options = scripted();
    if let oauthviz::engine::UserAgentKind::Scripted { deny_consent, .. } = &mut options.user_agent
    {
        *deny_consent = true;
    }
    let trace = run(oauthviz::config::ProviderConfig::demo(&server), options);
    let reason = failure(&trace, StepId::C);
    assert!(reason.contains("access_denied"), "{reason}");
    // B did not end in a consent, so it is not drawn as one.
    assert_eq!(
        outcome(&trace, StepId::B),
        Outcome::Warning("no consent: the redirect says access_denied".into())
    );
}

#[test]
fn wrong_password_fails_b_and_names_the_user() {
    let server = demo(DemoOptions::default());
    let mut options = scripted();
    options.user_agent = oauthviz::engine::UserAgentKind::Scripted {
        username: "alice".into(),
        password: "not-it".into(),
        deny_consent: false,
        form_fields: Vec::new(),
        driver: oauthviz::engine::Driver::Http,
    };
    let trace = run(oauthviz::config::ProviderConfig::demo(&server), options);
    let reason = failure(&trace, StepId::B);
    assert!(
        reason.contains("login was refused") && reason.contains("alice"),
        "{reason}"
    );
}

#[test]
fn unregistered_redirect_uri_is_refused_without_a_redirect() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| {
        c.redirect_uri = "http://127.0.0.1:0/not-registered".into()
    });
    let reason = failure(&trace, StepId::B);
    assert!(reason.contains("redirect_uri"), "{reason}");
    assert!(trace.step(StepId::C).attempts.is_empty());
}

#[test]
fn wrong_secret_fails_e_with_invalid_client() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| c.client_secret = Some(Secret::new("wrong")));
    assert_eq!(outcome(&trace, StepId::D), Outcome::Ok);
    let reason = failure(&trace, StepId::E);
    assert!(reason.contains("invalid_client"), "{reason}");
    let resp = received(&trace, StepId::E);
    assert_eq!(resp.status, 401);
    assert!(resp.headers.get("www-authenticate").is_some());
}

#[test]
fn expired_code_fails_e_with_invalid_grant() {
    let server = demo(DemoOptions {
        code_ttl: Duration::ZERO,
        ..Default::default()
    });
    let trace = run_demo(&server, |_| {});
    assert!(failure(&trace, StepId::E).contains("invalid_grant"));
}

#[test]
fn pkce_plain_is_refused_at_the_authorization_endpoint() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| c.pkce = PkceMethod::Plain);
    let reason = failure(&trace, StepId::C);
    assert!(reason.contains("invalid_request"), "{reason}");
}

/// Sends a recorded request again, byte for byte, with one change.
fn resend(
    trace: &oauthviz::trace::Trace,
    step: StepId,
    edit: impl FnOnce(&mut oauthviz::protocol::http::HttpRequest),
) -> oauthviz::protocol::http::HttpResponse {
    let mut req = trace.step(step).latest().unwrap().request.clone().unwrap();
    edit(&mut req);
    let client = HttpClient::new(Duration::from_secs(5), 1 << 20).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(client.send(&req)).unwrap()
}

#[test]
fn reused_code_is_refused_and_revokes_its_tokens() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |_| {});
    assert_all_ok(&trace);
    let again = resend(&trace, StepId::D, |_| {});
    match parse_token_response(&again) {
        Err(TokenError::OAuth { error, .. }) => assert_eq!(error.error, "invalid_grant"),
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    // RFC 6749 §4.1.2: tokens issued from a reused code should be revoked.
    let resource = resend(&trace, StepId::F, |_| {});
    assert_eq!(resource.status, 401);
}

#[test]
fn pkce_verifier_mismatch_is_invalid_grant() {
    let server = demo(DemoOptions {
        misbehaviour: Misbehaviour::default(),
        ..Default::default()
    });
    // Stop the engine's own D from using the code: a token endpoint that is not there.
    let trace = run_demo(&server, |c| {
        c.token_endpoint = format!("{}/nowhere", server.issuer())
    });
    assert!(failure(&trace, StepId::E).contains("404"));
    let resp = resend(&trace, StepId::D, |req| {
        req.url = server.token_endpoint();
        let mut form = req.form().unwrap();
        form.set("code_verifier", "x".repeat(43));
        req.body = form.encode();
    });
    match parse_token_response(&resp) {
        Err(TokenError::OAuth { error, .. }) => assert_eq!(error.error, "invalid_grant"),
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}

#[test]
fn bad_token_at_the_resource_is_401_invalid_token() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |_| {});
    let resp = resend(&trace, StepId::F, |req| {
        req.headers.set("Authorization", "Bearer garbage")
    });
    assert_eq!(resp.status, 401);
    assert!(
        resp.headers
            .get("www-authenticate")
            .unwrap()
            .contains("invalid_token")
    );
}

fn replay(engine: &oauthviz::engine::Engine, trace: &mut oauthviz::trace::Trace, step: StepId) {
    engine.command_blocking(
        oauthviz::engine::Command::Replay {
            run: 1,
            step,
            request: oauthviz::engine::ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: false,
        },
        trace,
        |_, _| {},
    );
}

#[test]
fn introspect_revoke_and_refresh_are_steps_after_e() {
    let server = demo(DemoOptions::default());
    let engine = oauthviz::engine::Engine::start(|| {}).unwrap();
    let mut trace = engine.run_blocking(
        1,
        oauthviz::config::ProviderConfig::demo(&server),
        scripted(),
        |_, _| {},
    );
    assert_all_ok(&trace);

    replay(&engine, &mut trace, StepId::Introspect);
    let active = trace.step(StepId::Introspect).latest().unwrap();
    assert!(active.outcome.is_ok(), "{:?}", active.outcome);
    assert_eq!(
        introspected(&trace)["active"],
        true,
        "{:?}",
        active.response
    );

    replay(&engine, &mut trace, StepId::Revoke);
    assert!(trace.step(StepId::Revoke).outcome().is_ok());

    replay(&engine, &mut trace, StepId::Introspect);
    assert_eq!(introspected(&trace)["active"], false);
    replay(&engine, &mut trace, StepId::F);
    assert!(
        failure(&trace, StepId::G).contains("401"),
        "a revoked token is refused"
    );

    // A refresh gives a working token again (revoking the access token left the grant alive).
    replay(&engine, &mut trace, StepId::Refresh);
    assert!(
        trace.step(StepId::Refresh).outcome().is_ok(),
        "{:?}",
        trace.step(StepId::Refresh).outcome()
    );
    replay(&engine, &mut trace, StepId::F);
    assert!(trace.step(StepId::G).outcome().is_ok());
    let json = serde_json::to_value(&trace).unwrap();
    let ids: Vec<_> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "A",
            "B",
            "C",
            "D",
            "E",
            "F",
            "G",
            "Refresh",
            "Revoke",
            "Introspect"
        ]
    );
}

fn introspected(trace: &oauthviz::trace::Trace) -> serde_json::Value {
    let resp = received(trace, StepId::Introspect);
    serde_json::from_str(&resp.body).unwrap()
}

#[test]
fn print_user_agent_waits_for_whoever_opens_the_url() {
    let server = demo(DemoOptions {
        auto_approve: true,
        ..Default::default()
    });
    let engine = oauthviz::engine::Engine::start(|| {}).unwrap();
    let mut options = scripted();
    options.user_agent = oauthviz::engine::UserAgentKind::Print;
    engine.send(oauthviz::engine::Command::Start {
        run: 9,
        provider: Box::new(oauthviz::config::ProviderConfig::demo(&server)),
        options,
    });
    let mut trace = oauthviz::trace::Trace::new("demo");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = HttpClient::new(Duration::from_secs(5), 1 << 20).unwrap();
    while let Some(event) = engine.recv_timeout(Duration::from_secs(10)) {
        let oauthviz::engine::Report::Trace { update, .. } = &event.report else {
            continue;
        };
        trace.apply(update);
        if let oauthviz::trace::Update::Attempt {
            step: StepId::B,
            attempt,
            ..
        } = update
            && attempt.outcome == Outcome::WaitingForUser
        {
            // Someone opens the printed URL: authorize redirects to the listener.
            let url = sent(&trace, StepId::A).url.clone();
            let first = rt
                .block_on(client.send(&oauthviz::protocol::http::HttpRequest::get(url)))
                .unwrap();
            let callback = first.headers.get("location").unwrap().to_owned();
            rt.block_on(client.send(&oauthviz::protocol::http::HttpRequest::get(callback)))
                .unwrap();
        }
        if trace.finished {
            break;
        }
    }
    assert_all_ok(&trace);
}

#[test]
fn commands_sent_at_once_run_in_the_order_sent() {
    let server = demo(DemoOptions::default());
    let engine = oauthviz::engine::Engine::start(|| {}).unwrap();
    let mut trace = engine.run_blocking(
        1,
        oauthviz::config::ProviderConfig::demo(&server),
        scripted(),
        |_, _| {},
    );
    assert_all_ok(&trace);
    // Introspect, revoke, introspect again: only in this order does the last one see a dead token.
    for step in [StepId::Introspect, StepId::Revoke, StepId::Introspect] {
        engine.send(oauthviz::engine::Command::Replay {
            run: 1,
            step,
            request: oauthviz::engine::ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: false,
        });
    }
    let mut settled = 0;
    while settled < 3 {
        let event = engine
            .recv_timeout(Duration::from_secs(10))
            .expect("the engine answers");
        match &event.report {
            oauthviz::engine::Report::Trace { update, .. } => trace.apply(update),
            oauthviz::engine::Report::Finished { .. } => settled += 1,
            oauthviz::engine::Report::Discovered(_) => unreachable!("nothing asked to discover"),
        }
    }
    let introspections = &trace.step(StepId::Introspect).attempts;
    let active = |i: usize| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(
            &introspections[i].response.as_ref().unwrap().body,
        )
        .unwrap()["active"]
            .clone()
    };
    assert_eq!(
        (active(0), active(1)),
        (serde_json::json!(true), serde_json::json!(false))
    );
}

/// The demo provider known by its issuer alone: A discovers its endpoints and metadata.
fn by_issuer(server: &demo::DemoServer) -> oauthviz::config::ProviderConfig {
    oauthviz::config::ProviderConfig {
        name: "demo by issuer".into(),
        issuer: Some(server.issuer()),
        client_id: demo::BASIC_CLIENT_ID.into(),
        client_secret: Some(Secret::new(demo::BASIC_CLIENT_SECRET)),
        client_auth: ClientAuth::Basic,
        redirect_uri: format!("http://127.0.0.1:0{}", demo::DEMO_REDIRECT_PATH),
        scope: oauthviz::config::DEMO_SCOPE.into(),
        pkce: PkceMethod::S256,
        ..Default::default()
    }
}

fn no_iss() -> DemoOptions {
    DemoOptions {
        misbehaviour: Misbehaviour::of([Misbehave::NoIss]),
        ..Default::default()
    }
}

fn iss_check(trace: &oauthviz::trace::Trace) -> oauthviz::trace::Check {
    trace
        .step(StepId::C)
        .latest()
        .unwrap()
        .checks
        .iter()
        .find(|c| c.id == oauthviz::trace::CheckId::Iss)
        .unwrap()
        .clone()
}

#[test]
fn missing_iss_fails_c_when_the_metadata_advertised_it() {
    let server = demo(no_iss());
    let trace = run(by_issuer(&server), scripted());
    let reason = failure(&trace, StepId::C);
    assert!(
        reason.contains("authorization_response_iss_parameter_supported")
            && reason.contains("RFC 9207 §2.4"),
        "{reason}"
    );
    assert_eq!(iss_check(&trace).verdict, Verdict::Fail);
    assert!(
        trace.step(StepId::D).attempts.is_empty(),
        "the code of a rejected response is not used"
    );
    // The same provider sending iss passes C and the whole flow, discovered the same way.
    let strict = demo(DemoOptions::default());
    let trace = run(by_issuer(&strict), scripted());
    assert_all_ok(&trace);
    // The discovery is recorded on A, before A's own request, like any other request.
    let a = trace.step(StepId::A).latest().unwrap();
    let fetched: Vec<_> = a
        .exchanges
        .iter()
        .map(|e| (e.request.url.clone(), e.response.as_ref().map(|r| r.status)))
        .collect();
    assert_eq!(
        fetched,
        [(
            format!("{}/.well-known/openid-configuration", strict.issuer()),
            Some(200)
        )]
    );
    assert_eq!(
        a.request
            .as_ref()
            .map(|r| r.url.starts_with(&strict.authorization_endpoint())),
        Some(true)
    );
}

#[test]
fn missing_iss_without_metadata_stays_a_warning() {
    let server = demo(no_iss());
    // Endpoints given directly: no metadata says the provider sends iss.
    let trace = run_demo(&server, |_| {});
    assert!(
        matches!(outcome(&trace, StepId::C), Outcome::Warning(_)),
        "{:?}",
        outcome(&trace, StepId::C)
    );
    assert_eq!(iss_check(&trace).verdict, Verdict::Warn);
    assert!(outcome(&trace, StepId::G).is_ok());
}

#[test]
fn without_a_configured_issuer_the_id_token_iss_is_a_warning_not_a_failure() {
    let server = demo(DemoOptions::default());
    // Endpoints entered by hand without the issuer (or Entra's multi-tenant `common`).
    let trace = run_demo(&server, |c| c.issuer = None);
    assert!(
        matches!(outcome(&trace, StepId::E), Outcome::Warning(_)),
        "{:?}",
        outcome(&trace, StepId::E)
    );
    let e = trace.step(StepId::E).latest().unwrap();
    let iss = e
        .checks
        .iter()
        .find(|c| c.id == oauthviz::trace::CheckId::IdTokenIss)
        .unwrap();
    assert_eq!(iss.verdict, Verdict::Warn, "{iss:?}");
    assert!(iss.detail.contains("set the issuer"), "{iss:?}");
    let signature = e
        .checks
        .iter()
        .find(|c| c.id == oauthviz::trace::CheckId::IdTokenSignature)
        .unwrap();
    assert_eq!(signature.verdict, Verdict::Pass, "{signature:?}");
    // The callback's iss cannot be compared either, and says so instead of passing.
    let c_iss = trace
        .step(StepId::C)
        .latest()
        .unwrap()
        .checks
        .iter()
        .find(|c| c.id == oauthviz::trace::CheckId::Iss)
        .unwrap();
    assert_eq!(c_iss.verdict, Verdict::Warn, "{c_iss:?}");
    assert!(c_iss.detail.contains("not compared"), "{c_iss:?}");
    assert!(outcome(&trace, StepId::G).is_ok());
}

#[test]
fn the_scripted_login_says_where_the_password_went() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |_| {});
    let b = trace.step(StepId::B).latest().unwrap();
    let check = b
        .checks
        .iter()
        .find(|c| c.id == oauthviz::trace::CheckId::PasswordOrigin)
        .expect("B checks where the password went");
    assert_eq!(check.verdict, Verdict::Pass);
    assert!(check.detail.contains(&server.issuer()), "{}", check.detail);
}

/// The lesson's implicit grant: with the demo's switch on, the access token comes back in the
/// redirect's fragment — no token request, no client authentication, no PKCE — and works at F.
#[test]
fn the_implicit_grant_puts_the_token_in_the_fragment_only_when_switched_on() {
    let lesson = RunOptions {
        implicit: true,
        ..scripted()
    };
    let server = demo(DemoOptions {
        misbehaviour: Misbehaviour::of([Misbehave::ImplicitGrant]),
        ..Default::default()
    });
    let trace = run(
        oauthviz::config::ProviderConfig::demo(&server),
        lesson.clone(),
    );
    let a = trace.step(StepId::A).attempts[0].request.clone().unwrap();
    let sent = a.query();
    assert_eq!(sent.get("response_type"), Some("token"));
    assert!(sent.get("code_challenge").is_none() && sent.get("nonce").is_none());
    let c = trace.step(StepId::C).attempts[0].clone();
    assert!(outcome(&trace, StepId::C).is_ok(), "{:?}", c.outcome);
    let url = c.request.unwrap().url;
    assert!(url.contains("#access_token="), "{url}");
    assert!(c.summary.contains("in the URL fragment"), "{}", c.summary);
    assert_eq!(c.checks[0].verdict, Verdict::Pass, "state checked");
    for step in [StepId::D, StepId::E] {
        assert!(
            matches!(outcome(&trace, step), Outcome::Skipped(r) if r.contains("implicit grant")),
            "{step:?}"
        );
    }
    assert!(outcome(&trace, StepId::G).is_ok(), "{:?}", trace.stop);
    assert!(trace.ok);
    // No refresh token in the fragment (RFC 6749 §4.2.2 MUST NOT).
    assert!(!url.contains("refresh_token"), "{url}");

    // The client's state check holds for the fragment too (RFC 6749 §4.2.2: state REQUIRED
    // when sent, exactly as received; a mismatch is a MUST failure that stops the flow at C).
    for wrong in [Misbehave::WrongState, Misbehave::SkipState] {
        let server = demo(DemoOptions {
            misbehaviour: Misbehaviour::of([Misbehave::ImplicitGrant, wrong]),
            ..Default::default()
        });
        let trace = run(
            oauthviz::config::ProviderConfig::demo(&server),
            lesson.clone(),
        );
        let c = &trace.step(StepId::C).attempts[0];
        assert_eq!(
            c.checks[0].verdict,
            Verdict::Fail,
            "{wrong:?}: {:?}",
            c.checks
        );
        assert!(failure(&trace, StepId::C).contains("state"), "{wrong:?}");
        assert!(
            trace.step(StepId::F).attempts.is_empty(),
            "the token was not used"
        );
    }

    // The strict default refuses it.
    let strict = demo(DemoOptions::default());
    let trace = run(oauthviz::config::ProviderConfig::demo(&strict), lesson);
    assert!(failure(&trace, StepId::C).contains("unsupported_response_type"));
}
