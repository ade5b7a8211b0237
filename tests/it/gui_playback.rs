//! Playing a finished run back in the window, on egui's mock clock (each kittest step is a
//! quarter of a second): the arrows appear in the order they happened, at the chosen pace, each
//! selected (and so narrated) as it comes.
#![allow(clippy::unwrap_used)]

use crate::support;

use egui::accesskit::Toggled;
use egui_kittest::kittest::{NodeT as _, Queryable};
use support::gui::*;

const STEPS: [&str; 7] = [
    "A Authorization request",
    "B User login and consent",
    "C Authorization response (redirect)",
    "D Token request",
    "E Token response",
    "F Protected resource request",
    "G Protected resource response",
];

/// How many arrows are drawn as they happened; panics unless they are the first ones, A onwards.
fn shown(h: &App) -> usize {
    let ok: Vec<bool> = STEPS
        .iter()
        .map(|s| h.query_by_label(&format!("{s}: ok")).is_some())
        .collect();
    let n = ok.iter().take_while(|x| **x).count();
    assert!(ok[n..].iter().all(|x| !x), "out of order: {ok:?}");
    for s in &STEPS[n..] {
        h.get_by_label(&format!("{s}: waiting"));
    }
    n
}

fn selected(h: &App) -> Option<&'static str> {
    STEPS.iter().copied().find(|s| {
        let label = format!("{s}: ok");
        h.query_by_label(&label).is_some()
            && h.get_by_label(&label).accesskit_node().toggled() == Some(Toggled::True)
    })
}

#[test]
fn playback_shows_the_arrows_in_order_at_the_chosen_pace_and_narrates_each() {
    let mut h = finished_demo_run();
    click(&mut h, "Play back");
    assert_eq!(shown(&h), 1);
    h.get_by_label("Playback: 1 of 7 — A  Authorization request");
    assert_eq!(selected(&h), Some(STEPS[0]));

    // Half a second per arrow: two mock-clock steps each.
    click(&mut h, "pace");
    click(&mut h, "0.5 s per arrow");
    click(&mut h, "To start");
    click(&mut h, "Play");
    let mut steps = 0;
    let mut seen = vec![shown(&h)];
    while shown(&h) < 7 && steps < 100 {
        h.step();
        steps += 1;
        let n = shown(&h);
        if seen.last() != Some(&n) {
            assert_eq!(n, seen.last().unwrap() + 1, "one arrow at a time");
            // The newest arrow is the selected one, with its narration beside it.
            assert_eq!(selected(&h), Some(STEPS[n - 1]));
            seen.push(n);
        }
    }
    // The click itself took a frame or two of the clock.
    let first = seen[0];
    assert!(first <= 2, "{seen:?}");
    assert_eq!(seen, (first..=7).collect::<Vec<_>>());
    // At 0.5 s an arrow and 0.25 s a step: two steps per arrow, give or take one.
    let expected = 2 * (7 - first);
    assert!(
        (expected - 1..=expected + 1).contains(&steps),
        "{steps} steps for {} arrows",
        7 - first
    );
    h.run_ok();
    h.get_by_label("Play again");
    h.get_by_label("Playback: 7 of 7 — G  Protected resource response");

    // Stepping by hand pauses, and goes one arrow at a time.
    click(&mut h, "Step back");
    assert_eq!(shown(&h), 6);
    h.run_steps(20);
    assert_eq!(shown(&h), 6, "paused: time passing shows nothing new");
    click(&mut h, "To start");
    click(&mut h, "Step forward");
    assert_eq!(shown(&h), 2);
    assert_eq!(selected(&h), Some(STEPS[1]));

    // Leaving shows the run as it is.
    click(&mut h, "Leave playback");
    assert_eq!(shown(&h), 7);
    assert!(h.query_by_label_contains("Playback:").is_none());
}

/// The lesson runs the code flow and then the implicit grant against the demo provider and
/// draws them side by side; an arrow brings both flows' narration of that step.
#[test]
fn the_lesson_shows_the_code_flow_beside_the_implicit_grant() {
    let mut h = app(None);
    let port = demo_port(&h);
    click(&mut h, "Help");
    click(&mut h, "Lesson: why a code and not the token?");
    h.get_by_label("Implicit grant (not recommended)");
    click(&mut h, "Run both flows");
    until(&mut h, |h| {
        h.query_all_by_label("G Protected resource response: ok")
            .count()
            == 2
    });
    // The implicit grant has no token request: D and E did not happen.
    assert_eq!(h.query_all_by_label("D Token request: ok").count(), 1);
    assert_eq!(h.query_all_by_label("D Token request: skipped").count(), 1);
    // The redirects as they came back: a code in the query, the token in the fragment, masked.
    h.get_by_label_contains("/callback?code=");
    let fragment = h.get_by_label_contains("/callback#access_token=");
    let shown = fragment.accesskit_node().value().unwrap_or_default();
    assert!(shown.contains("…["), "masked: {shown}");
    // An arrow of either diagram narrates that step in both.
    h.query_all_by_label("C Authorization response (redirect): ok")
        .next()
        .unwrap()
        .click();
    h.run_ok();
    h.get_by_label_contains("a code in the query");
    h.get_by_label_contains("in the URL fragment (#access_token=…)");
    // With its runs done the demo provider is strict again: its metadata offers the code flow
    // only (and /authorize refuses response_type=token, as tests/it/flow_demo.rs shows).
    h.run_ok();
    let metadata = get(port, "/.well-known/openid-configuration");
    assert!(
        metadata.contains(r#""response_types_supported":["code"]"#),
        "{metadata}"
    );
    click(&mut h, "Close the lesson");
    h.get_by_label_contains("Runs on this machine at");
}

/// The port of the app's demo provider, as its settings say.
fn demo_port(h: &App) -> u16 {
    let home = h
        .get_by_label_contains("Runs on this machine at http://127.0.0.1:")
        .accesskit_node()
        .value()
        .unwrap_or_default();
    home.split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .expect("the demo provider's port")
}

/// A GET on the loopback port, the whole answer as text.
fn get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.replace([' ', '\n'], "")
}

/// In a narrow window the takes are a picker above the diagram, which keeps its room.
#[test]
fn a_narrow_window_picks_takes_above_the_diagram() {
    let mut h = finished_demo_run();
    click(&mut h, "Experiments");
    click(&mut h, "Reuse the authorization code");
    until_idle(&mut h);
    h.get_by_label("Main flow");
    h.set_size(egui::vec2(1024.0, 640.0));
    h.run_ok();
    assert!(h.query_by_label("Main flow").is_none(), "no list beside it");
    h.get_by_label("E #3 Token response: refused, as expected");
    click(&mut h, "take");
    click(&mut h, "Main flow  ·  ok");
    h.get_by_label("E Token response: ok");
    assert!(h.query_by_label_contains("E #3").is_none());
}
