//! The browser user agent: a real headless Chromium (the system's; `.ci/run` installs it) logs in
//! to the demo provider through its pages as a person would — typed credentials, the consent
//! button — also on the JavaScript login page the HTTP agent cannot follow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use oauthviz::demo::{DEMO_PASSWORD, DEMO_USERNAME, DemoOptions};
use oauthviz::engine::{Driver, RunOptions, UserAgentKind};
use oauthviz::trace::{StepId, Trace};
use support::demo_flow::*;

fn in_chromium(deny_consent: bool) -> RunOptions {
    RunOptions {
        user_agent: UserAgentKind::Scripted {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            deny_consent,
            form_fields: Vec::new(),
            driver: Driver::Chromium,
        },
        ..scripted()
    }
}

fn run_in_chromium(options: DemoOptions, deny: bool) -> Trace {
    let server = demo(options);
    run(
        oauthviz::config::ProviderConfig::demo(&server),
        in_chromium(deny),
    )
}

/// B's pages as the browser saw them: (URL, what the page said), each with a PNG screenshot.
fn pages(trace: &Trace) -> Vec<(String, String)> {
    let b = &trace.step(StepId::B).attempts[0];
    b.exchanges
        .iter()
        .map(|x| {
            let shot = x.screenshot.as_deref().unwrap_or_default();
            (
                x.request.url.clone(),
                format!(
                    "{} {}",
                    x.response
                        .as_ref()
                        .map(|r| r.body.clone())
                        .unwrap_or_default(),
                    if shot.starts_with("iVBORw0KGgo") {
                        "[png]"
                    } else {
                        ""
                    }
                ),
            )
        })
        .collect()
}

#[test]
fn chromium_types_the_login_presses_allow_and_the_flow_reaches_g() {
    let trace = run_in_chromium(DemoOptions::default(), false);
    assert_all_ok(&trace);
    let b = &trace.step(StepId::B).attempts[0];
    assert!(
        b.summary.starts_with("login in Chromium as 'alice'"),
        "{}",
        b.summary
    );
    let seen = pages(&trace);
    // The login page and the consent page, as rendered, each with its screenshot; then the
    // redirect back.
    assert!(
        seen[0].1.contains("Sign in") && seen[0].1.contains("[png]"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|(_, text)| text.contains("Allow") && text.contains("[png]")),
        "{seen:?}"
    );
    // The redirect reached the listener, whose page the browser rendered.
    let (url, text) = seen.last().unwrap();
    assert!(url.contains("/callback?code="), "{seen:?}");
    assert!(
        text.contains("oauthviz received the redirect (step C)")
            && text.contains("You can close this tab"),
        "{text}"
    );
}

#[test]
fn chromium_presses_deny_and_c_carries_access_denied() {
    let trace = run_in_chromium(DemoOptions::default(), true);
    assert!(failure(&trace, StepId::C).contains("access_denied"));
}

#[test]
fn a_login_page_built_by_javascript_is_signed_in_by_chromium_and_not_by_the_http_agent() {
    let js = || DemoOptions {
        js_login: true,
        ..Default::default()
    };
    let trace = run_in_chromium(js(), false);
    assert_all_ok(&trace);
    let seen = pages(&trace);
    assert!(
        seen[0].1.contains("built by JavaScript"),
        "the page as the script built it: {seen:?}"
    );
    // The HTTP agent sees only the empty page the script fills.
    let server = demo(js());
    let trace = run(oauthviz::config::ProviderConfig::demo(&server), scripted());
    assert!(failure(&trace, StepId::B).contains("needs JavaScript"));
}

#[test]
fn without_chromium_the_browser_user_agent_says_what_to_install() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args(["run", "--provider", "demo", "--user-agent", "browser"])
        .env("PATH", "/nonexistent")
        .env_remove("CHROMIUM")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("apt install chromium"), "{stderr}");
}

/// In the window: "Log in with headless Chromium" runs the demo flow through the real pages.
#[test]
fn the_window_logs_in_with_headless_chromium() {
    use egui_kittest::kittest::Queryable;
    let mut h = support::gui::app(None);
    support::gui::click(&mut h, "Log in with headless Chromium");
    // The JavaScript login page, which only a browser gets through.
    support::gui::click(&mut h, "Login page built by JavaScript");
    support::gui::click(&mut h, "Run flow");
    support::gui::until_finished(&mut h);
    h.get_by_label("G Protected resource response: ok");
    let run = h.state().current_run().unwrap();
    let b = &run.trace.step(StepId::B).attempts[0];
    assert!(b.summary.starts_with("login in Chromium"), "{}", b.summary);
    let first = b.exchanges[0].response.as_ref().unwrap();
    assert!(first.body.contains("built by JavaScript"), "{}", first.body);
    // The login page as Chromium rendered it is kept, with its screenshot, which the inspector
    // shows when asked.
    assert!(
        b.exchanges[0].screenshot.is_some(),
        "{:?}",
        b.exchanges[0].request.url
    );
    support::gui::click(&mut h, "B User login and consent: ok");
    h.get_by_label_contains("1. GET /authorize").click();
    h.run_ok();
    let images = |h: &egui_kittest::Harness<'_, oauthviz::gui::OauthvizApp>| {
        h.query_all_by_role(egui::accesskit::Role::Image).count()
    };
    assert_eq!(images(&h), 0, "not before it is asked for");
    h.get_by_label("What the browser showed").click();
    // The PNG is decoded on a thread of its own; the window is woken when it is ready.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while images(&h) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.run_ok();
    }
    assert_eq!(images(&h), 1);
}

/// A login of a provider not in this repo, in two steps — the user name on one page (below a
/// search form), the password on the next — signed in by Chromium as a person would.
#[test]
fn chromium_signs_in_on_a_two_step_login() {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let _site = std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let url = url::Url::parse(&format!("http://x{}", request.url())).unwrap();
            let query: std::collections::HashMap<String, String> =
                url.query_pairs().into_owned().collect();
            let mut body = String::new();
            let _ = std::io::Read::read_to_string(request.as_reader(), &mut body);
            let html = |s: String| {
                tiny_http::Response::from_string(s).with_header(
                    "Content-Type: text/html"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                )
            };
            let answer = match url.path() {
                "/authorize" => {
                    let back = format!(
                        "{}?code=c-1&state={}",
                        query["redirect_uri"], query["state"]
                    );
                    let back: String =
                        url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
                    html(format!(
                        r#"<html><head><title>Sign in</title></head><body>
                        <form action="/search"><input name="q" placeholder="Search help"><button>Search</button></form>
                        <form action="/identify?back={back}" method="post">
                          <label for="u">Email address</label><input id="u" name="loginfmt">
                          <button type="submit">Next</button></form></body></html>"#
                    ))
                }
                "/identify" => {
                    let back: String =
                        url::form_urlencoded::byte_serialize(query["back"].as_bytes()).collect();
                    html(format!(
                        r#"<html><body><p>Enter the password</p>
                        <form action="/password?back={back}" method="post">
                          <input type="password" name="passwd"><input type="submit" value="Sign in">
                        </form></body></html>"#
                    ))
                }
                "/password" if body.contains("passwd=pw") => tiny_http::Response::from_string("")
                    .with_status_code(302)
                    .with_header(
                        format!("Location: {}", query["back"])
                            .parse::<tiny_http::Header>()
                            .unwrap(),
                    ),
                _ => html("<title>Not found</title>".into()).with_status_code(404),
            };
            let _ = request.respond(answer);
        }
    });
    let config = oauthviz::config::ProviderConfig {
        name: "two-step".into(),
        authorization_endpoint: format!("http://127.0.0.1:{port}/authorize"),
        token_endpoint: format!("http://127.0.0.1:{port}/token"),
        resource_url: format!("http://127.0.0.1:{port}/api"),
        client_id: "app".into(),
        client_auth: oauthviz::protocol::token::ClientAuth::None,
        redirect_uri: "http://127.0.0.1:0/callback".into(),
        scope: "openid".into(),
        ..Default::default()
    };
    let mut options = in_chromium(false);
    if let UserAgentKind::Scripted {
        username, password, ..
    } = &mut options.user_agent
    {
        *username = "ann@example.com".into();
        *password = "pw".into();
    }
    let trace = run(config, options);
    let b = trace
        .step(StepId::B)
        .attempts
        .first()
        .unwrap_or_else(|| panic!("no B: {:?}", trace.stop));
    assert!(
        b.summary
            .starts_with("login in Chromium as 'ann@example.com'"),
        "{}: {:?}",
        b.summary,
        b.outcome
    );
    let urls: Vec<&str> = b.exchanges.iter().map(|x| x.request.url.as_str()).collect();
    assert!(urls[1].contains("/identify"), "{urls:?}");
    assert!(
        urls.last().unwrap().contains("/callback?code=c-1"),
        "{urls:?}"
    );
    assert!(
        outcome(&trace, StepId::C).is_ok(),
        "{:?}",
        outcome(&trace, StepId::C)
    );
}
