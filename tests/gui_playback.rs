//! Playing a finished run back in the window, on egui's mock clock (each kittest step is a
//! quarter of a second): the arrows appear in the order they happened, at the chosen pace, each
//! selected (and so narrated) as it comes.
#![allow(clippy::unwrap_used)]

mod support;

use egui::accesskit::Toggled;
use egui_kittest::kittest::{NodeT as _, Queryable};
use support::gui::*;

type App = egui_kittest::Harness<'static, oauthviz::gui::OauthvizApp>;

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
