//! A provider that misbehaves at the transport or format level: each failure ends its step with
//! a message naming the cause, the raw answer stays in the trace, and nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::time::Duration;

use oauthviz::demo::DemoOptions;
use oauthviz::trace::StepId;
use support::canned::{Answer, Canned};
use support::demo_flow::*;

fn token_endpoint_answers(answer: Answer) -> (String, oauthviz::trace::Trace) {
    let server = demo(DemoOptions::default());
    let canned = Canned::start(answer);
    let mut options = scripted();
    options.http_timeout = Duration::from_millis(1500);
    options.body_limit = 1024 * 1024;
    let mut cfg = oauthviz::config::ProviderConfig::demo(&server);
    cfg.token_endpoint = canned.url.clone();
    let trace = run(cfg, options);
    (canned.url.clone(), trace)
}

#[test]
fn html_token_response_is_named_and_kept() {
    let (_, trace) = token_endpoint_answers(Answer::Fixed(
        200,
        "text/html",
        "<html><body>Sign in</body></html>".into(),
    ));
    let reason = failure(&trace, StepId::E);
    assert!(reason.contains("HTML"), "{reason}");
    let raw = received(&trace, StepId::E);
    assert!(raw.body.contains("Sign in"), "the raw body is kept");
}

#[test]
fn server_error_without_body_is_named() {
    let (_, trace) = token_endpoint_answers(Answer::Fixed(503, "text/plain", String::new()));
    let reason = failure(&trace, StepId::E);
    assert!(
        reason.contains("503") && reason.contains("empty"),
        "{reason}"
    );
}

#[test]
fn error_object_with_4xx_is_the_providers_error() {
    let (_, trace) = token_endpoint_answers(Answer::Fixed(
        400,
        "application/json",
        r#"{"error":"invalid_request","error_description":"missing code"}"#.into(),
    ));
    let reason = failure(&trace, StepId::E);
    assert!(reason.contains("invalid_request: missing code"), "{reason}");
}

#[test]
fn oversized_body_is_refused_but_its_status_and_headers_are_kept() {
    // Announced with Content-Length: refused before reading, status line and headers kept.
    let (_, trace) = token_endpoint_answers(Answer::Fixed(
        201,
        "application/json",
        "x".repeat(2 * 1024 * 1024),
    ));
    let reason = failure(&trace, StepId::D);
    assert!(
        reason.contains("larger than the 1 MiB limit")
            && reason.contains("exceeded 1048576 bytes")
            && reason.contains("announced 2097152 bytes"),
        "{reason}"
    );
    let d = trace.step(StepId::D).latest().unwrap();
    assert_eq!(d.transport_error.as_deref(), Some(reason.as_str()));
    let kept = received(&trace, StepId::D);
    assert_eq!(kept.status, 201);
    assert_eq!(kept.headers.get("content-type"), Some("application/json"));
    assert!(
        kept.body.is_empty(),
        "an announced oversized body is not read"
    );
    assert!(trace.step(StepId::E).attempts.is_empty());

    // Unannounced (chunked): read up to the cap, kept cut there.
    let (_, trace) = token_endpoint_answers(Answer::Unannounced(
        200,
        "application/json",
        "y".repeat(2 * 1024 * 1024),
    ));
    let reason = failure(&trace, StepId::D);
    assert!(
        reason.contains("exceeded 1048576 bytes") && reason.contains("cut off"),
        "{reason}"
    );
    let kept = received(&trace, StepId::D);
    assert_eq!(kept.status, 200);
    assert_eq!(kept.headers.get("x-canned"), Some("unannounced"));
    assert_eq!(kept.body.len(), 1024 * 1024);
}

#[test]
fn a_server_that_stalls_mid_body_times_out_with_what_it_sent_kept() {
    let (_, trace) = token_endpoint_answers(Answer::Stalls(Duration::from_secs(5)));
    let reason = failure(&trace, StepId::D);
    assert!(
        reason.contains("timeout") && reason.contains("after 11 bytes of the body"),
        "{reason}"
    );
    let kept = received(&trace, StepId::D);
    assert_eq!(kept.status, 200);
    assert_eq!(kept.headers.get("x-canned"), Some("stalls"));
    assert_eq!(kept.body, "{\"access_to");
}

#[test]
fn slow_endpoint_times_out() {
    let (_, trace) = token_endpoint_answers(Answer::Slow(Duration::from_secs(5)));
    let reason = failure(&trace, StepId::D);
    assert!(reason.contains("timeout"), "{reason}");
}

#[test]
fn unreachable_endpoint_is_named() {
    let server = demo(DemoOptions::default());
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let trace = run_demo(&server, |c| {
        c.token_endpoint = format!("http://127.0.0.1:{port}/token")
    });
    let reason = failure(&trace, StepId::D);
    assert!(
        reason.contains("could not connect") && reason.contains(&port.to_string()),
        "{reason}"
    );
}

#[test]
fn malformed_redirect_uri_fails_a() {
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| c.redirect_uri = "http//missing-colon".into());
    assert!(failure(&trace, StepId::A).contains("redirect_uri"));
    let trace = run_demo(&server, |c| {
        c.redirect_uri = "https://app.example/callback".into()
    });
    assert!(
        failure(&trace, StepId::A).contains("does not point at this machine")
            || failure(&trace, StepId::A).contains("http://")
    );
}

#[test]
fn tls_failure_is_named() {
    // A server that answers the TLS ClientHello with plain HTTP: the handshake fails at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            use std::io::Write;
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let server = demo(DemoOptions::default());
    let trace = run_demo(&server, |c| {
        c.token_endpoint = format!("https://127.0.0.1:{port}/token")
    });
    let reason = failure(&trace, StepId::D);
    assert!(
        reason.contains(&format!("https://127.0.0.1:{port}")) && !reason.contains("timeout"),
        "{reason}"
    );
}

#[test]
fn malformed_discovery_document_is_named() {
    let canned = Canned::start(Answer::Fixed(
        200,
        "application/json",
        "{\"issuer\": 42}".into(),
    ));
    let issuer = canned.url.trim_end_matches("/endpoint").to_owned();
    let client = oauthviz::engine::http::HttpClient::new(Duration::from_secs(2), 1 << 20).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt
        .block_on(oauthviz::engine::discovery::discover(&client, &issuer))
        .metadata
        .unwrap_err();
    assert!(
        err.contains("`issuer`") && err.contains("expected a string"),
        "{err}"
    );
}

#[test]
fn a_login_page_nested_too_deep_stops_b_with_the_reason_instead_of_hanging() {
    let server = demo(DemoOptions::default());
    let deep = format!(
        "<html><body>{}<form><input name=username><input type=password name=password></form>{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    let canned = Canned::start(Answer::Fixed(200, "text/html", deep));
    let mut cfg = oauthviz::config::ProviderConfig::demo(&server);
    cfg.authorization_endpoint = canned.url.clone();
    let mut options = scripted();
    options.body_limit = 4 * 1024 * 1024;
    let trace = run(cfg, options);
    let reason = failure(&trace, StepId::B);
    assert!(
        reason.contains("nests its elements 100003 deep"),
        "{reason}"
    );
}
