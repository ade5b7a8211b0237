//! CPU time per UI frame of the real app, headless (egui_kittest, no GPU): UI code, layout and
//! tessellation of each frame, measured with `Instant`. One session, as a user would go:
//!
//! 1. A demo flow (auto-approve), then E selected in the inspector: measured from the click,
//!    so the first frames include opening the inspector for the first time.
//! 2. All twelve experiments on that run (some 70 more attempts), then E compared across two
//!    attempts, then D's request open in the editor.
//! 3. Then a flow whose protected resource answers with a 2 MiB JSON body, G selected, the body
//!    scrolled: A–E against a second demo provider (auto-approve, entered as "your provider" by
//!    its issuer), F/G against a local server here. The system browser is `curl`, via `$BROWSER`.
//!
//! Run: `cargo bench --bench ui_frame` (prints median / p99 / max and the slowest frames).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use oauthviz::demo::{BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, DemoOptions, DemoServer};
use oauthviz::gui::OauthvizApp;
use oauthviz::workbench::Experiment;

const FRAMES: usize = 400;
/// The browser the 2 MiB scenario runs with: follows the redirects to the loopback listener.
const CURL_BROWSER: &str = "curl -s -L -o /dev/null";

fn main() {
    // `$BROWSER` has to be set before the engine starts; setting it in-process needs `unsafe`,
    // so the bench runs itself again with it.
    if std::env::var("BROWSER").as_deref() != Ok(CURL_BROWSER) {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("BROWSER", CURL_BROWSER)
            .status()
            .unwrap();
        std::process::exit(status.code().unwrap_or(1));
    }
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(|cc| OauthvizApp::new(None, &cc.egui_ctx));
    h.run_ok();
    finished_flow(&mut h);
    presenter(&mut h);
    playback(&mut h);
    replays(&mut h);
    audit_report(&mut h);
    big_body(&mut h);
}

/// The Check tab with the whole audit's report (every area open).
fn audit_report(h: &mut Harness<'_, OauthvizApp>) {
    h.get_by_label("Check").click();
    h.run_ok();
    h.get_by_label("Check my provider").click();
    for _ in 0..1200 {
        h.step();
        if h.state()
            .current_run()
            .is_some_and(|r| r.audit.as_ref().is_some_and(|a| a.report.is_some()) && !r.busy())
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = h.state().current_run().unwrap();
    let rows = run
        .audit
        .as_ref()
        .and_then(|a| a.report.as_ref())
        .map(|r| r.rows.len());
    assert!(rows.is_some(), "the audit did not finish");
    h.run_ok();
    report(
        &format!(
            "the Check tab with the audit's report ({} checks)",
            rows.unwrap_or(0)
        ),
        &measure(h, |_, _| {}),
    );
}

fn until_finished(h: &mut Harness<'_, OauthvizApp>) {
    for _ in 0..600 {
        h.step();
        if h.state().current_run().is_some_and(|r| r.trace.finished) {
            h.run_ok();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the run did not finish");
}

fn finished_flow(h: &mut Harness<'_, OauthvizApp>) {
    h.get_by_label("Auto-approve (no browser)").click();
    h.run_ok();
    h.get_by_label("Run flow").click();
    until_finished(h);
    h.get_by_label("E Token response: ok").click();
    report("finished flow, E selected", &measure(h, |_, _| {}));
}

/// The presenter view over the finished flow, E's narration beside the diagram.
fn presenter(h: &mut Harness<'_, OauthvizApp>) {
    h.get_by_label("Present").click();
    h.run_ok();
    report("presenter view, E narrated", &measure(h, |_, _| {}));
    h.get_by_label("Leave presenter view").click();
    h.run_ok();
}

/// Playing the finished flow back at 0.5 s per arrow, over and over: the frames as the arrows
/// come (the mock clock moves a quarter of a second each frame).
fn playback(h: &mut Harness<'_, OauthvizApp>) {
    h.get_by_label("Play back").click();
    h.run_ok();
    h.get_by_label("pace").click();
    h.run_ok();
    h.get_by_label("0.5 s per arrow").click();
    h.run_ok();
    let again = |h: &mut Harness<'_, OauthvizApp>, _| {
        if h.query_by_label("Play again").is_some() {
            h.get_by_label("Play again").click();
        }
    };
    report("playback of the flow, playing", &measure(h, again));
    h.get_by_label("Leave playback").click();
    h.run_ok();
}

fn click_containing(h: &mut Harness<'_, OauthvizApp>, label: &str) {
    h.get_by_label_contains(label).scroll_to_me();
    h.run_ok();
    h.get_by_label_contains(label).click();
}

fn replays(h: &mut Harness<'_, OauthvizApp>) {
    click_containing(h, "Experiments");
    h.run_ok();
    click_containing(h, "Run all experiments");
    for _ in 0..1200 {
        h.step();
        if h.state()
            .current_run()
            .is_some_and(|r| r.findings.len() == Experiment::ALL.len() && !r.busy())
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let run = h.state().current_run().unwrap();
    assert_eq!(
        run.findings.len(),
        Experiment::ALL.len(),
        "the experiments did not finish"
    );
    let attempts: usize = run.trace.steps.iter().map(|s| s.attempts.len()).sum();
    // E is still selected from the flow before.
    h.run_ok();
    click_containing(h, "Compare attempts (");
    report(
        &format!("after all experiments ({attempts} attempts), E compared"),
        &measure(h, |_, _| {}),
    );
    click_containing(h, "Edit and send again");
    report("D's request open in the editor", &measure(h, |_, _| {}));
}

fn big_body(h: &mut Harness<'_, OauthvizApp>) {
    let provider = DemoServer::start(DemoOptions {
        port: 0,
        auto_approve: true,
        ..Default::default()
    })
    .unwrap();
    let resource = resource_server(big_json(2 * 1024 * 1024));

    h.get_by_label("Your provider").click();
    h.run_ok();
    for (role, field, value) in [
        // Only the issuer: A discovers the endpoints and the keys, as with a real provider.
        (Role::TextInput, "Issuer", provider.issuer()),
        (
            Role::TextInput,
            "Resource URL (API or userinfo)",
            resource.clone(),
        ),
        (Role::TextInput, "Client ID", BASIC_CLIENT_ID.into()),
        (
            Role::PasswordInput,
            "Client secret",
            BASIC_CLIENT_SECRET.into(),
        ),
        (Role::TextInput, "Scope", "openid profile api.read".into()),
    ] {
        h.get_by_role_and_label(role, field)
            .set_text_value_accesskit(&value);
        h.run_ok();
    }
    h.get_by_label("Run flow").click();
    until_finished(h);
    let run = h.state().current_run().unwrap();
    assert!(
        run.trace.ok,
        "the 2 MiB flow failed: {:?}",
        run.trace.error()
    );
    let g = run.trace.step(oauthviz::trace::StepId::G).latest().unwrap();
    assert_eq!(
        g.response.as_ref().map(|r| r.body.len()),
        Some(2 * 1024 * 1024),
        "{:?}",
        g.outcome
    );

    // From the click on: the body is formatted off-thread, then its head is highlighted in the
    // frame that receives it; both are inside the measurement.
    h.get_by_label("G Protected resource response: ok").click();
    let frames = measure(h, |h, i| {
        if i % 20 == 10 {
            let body_area = h.get_by_label("Copy body").rect().center() + egui::vec2(0.0, 120.0);
            h.event(egui::Event::PointerMoved(body_area));
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Line,
                delta: egui::vec2(0.0, -40.0),
                modifiers: egui::Modifiers::default(),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            });
        }
    });
    report("2 MiB JSON response, G selected, scrolling", &frames);
}

/// Times `FRAMES` frames: the app's UI pass plus tessellation of its shapes, which is the CPU work
/// of a frame short of the GPU upload. Frame 0 is the first after the selection changed, so the
/// one-off work of opening an exchange is part of the figures.
fn measure(
    h: &mut Harness<'_, OauthvizApp>,
    mut each: impl FnMut(&mut Harness<'_, OauthvizApp>, usize),
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        each(h, i);
        let start = Instant::now();
        h.step();
        let shapes = h.output().shapes.clone();
        let ppp = h.output().pixels_per_point;
        std::hint::black_box(h.ctx.tessellate(shapes, ppp));
        let elapsed = start.elapsed();
        times.push(elapsed);
    }
    times
}

fn report(name: &str, frames: &[Duration]) {
    let mut sorted = frames.to_vec();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut slowest: Vec<(usize, Duration)> = frames.iter().copied().enumerate().collect();
    slowest.sort_by_key(|(_, d)| std::cmp::Reverse(*d));
    let slowest: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|(i, d)| format!("#{i} {:.2} ms", ms(*d)))
        .collect();
    println!(
        "{name}: {} frames, median {:.2} ms, p99 {:.2} ms, max {:.2} ms (slowest: {})",
        sorted.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(sorted[sorted.len() - 1]),
        slowest.join(", "),
    );
}

/// Compact JSON (one line, as APIs send it) of about `size` bytes, padded to exactly `size`.
fn big_json(size: usize) -> String {
    let mut s = String::from("{\"items\":[");
    let mut i = 0;
    while s.len() < size - 200 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\":{i},\"name\":\"user {i}\",\"email\":\"user{i}@example.com\",\"active\":{},\"score\":{}.5,\"tags\":[\"a\",\"b\"]}}",
            i % 2 == 0,
            i % 97
        ));
        i += 1;
    }
    s.push_str("],\"pad\":\"");
    let pad = size - s.len() - 2;
    s.push_str(&"x".repeat(pad));
    s.push_str("\"}");
    s
}

/// A protected resource on loopback that answers every request with `body`; returns its URL.
fn resource_server(body: String) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/big", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let header = tiny_http::Header::from_bytes("Content-Type", "application/json").unwrap();
            let _ =
                request.respond(tiny_http::Response::from_string(body.clone()).with_header(header));
        }
    });
    url
}
