//! The keyboard in the window: Esc and the Close button close the inspector, ↑/↓ move between
//! steps, Ctrl+Enter runs, a text field keeps its keys, and Help ▸ Keyboard shortcuts lists them.
#![allow(clippy::unwrap_used)]

use crate::support;

use egui::{Key, Modifiers};
use egui_kittest::kittest::{NodeT as _, Queryable};
use support::gui::*;

type App = egui_kittest::Harness<'static, oauthviz::gui::OauthvizApp>;

/// The step whose arrow is drawn selected (the one the inspector shows).
fn selected(h: &App) -> Option<char> {
    ["A", "B", "C", "D", "E", "F", "G"]
        .iter()
        .find(|letter| {
            h.query_all_by(|n| {
                n.label()
                    .is_some_and(|l| l.starts_with(&format!("{letter} ")) && l.contains(": "))
                    && n.toggled() == Some(egui::accesskit::Toggled::True)
            })
            .next()
            .is_some()
        })
        .and_then(|l| l.chars().next())
}

fn inspector_open(h: &App) -> bool {
    h.query_by_label("Reveal secrets").is_some()
}

#[test]
fn esc_and_the_close_button_close_the_inspector() {
    let mut h = finished_demo_run();
    click(&mut h, "E Token response: ok");
    assert!(inspector_open(&h));
    h.key_press(Key::Escape);
    h.run();
    assert!(!inspector_open(&h), "Esc closes the inspector");

    click(&mut h, "E Token response: ok");
    assert!(inspector_open(&h));
    click(&mut h, "Close");
    assert!(!inspector_open(&h), "its Close button closes it");
}

#[test]
fn arrow_keys_move_the_inspector_between_steps() {
    let mut h = finished_demo_run();
    click(&mut h, "C Authorization response (redirect): ok");
    assert_eq!(selected(&h), Some('C'));
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(selected(&h), Some('D'));
    h.key_press(Key::ArrowDown);
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(selected(&h), Some('F'));
    h.key_press(Key::ArrowUp);
    h.run();
    assert_eq!(selected(&h), Some('E'));
    assert!(inspector_open(&h));
}

#[test]
fn a_text_field_keeps_its_keys_until_it_lets_go() {
    let mut h = finished_demo_run();
    click(&mut h, "D Token request: ok");
    click(&mut h, "Edit and send again");
    let field = h.get_by_label("Value of grant_type");
    field.click();
    h.run();
    // In the field, ↓ and Esc are the field's: the step stays, the inspector stays open.
    h.key_press(Key::ArrowDown);
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(selected(&h), Some('D'));
    assert!(
        inspector_open(&h),
        "Esc first takes the keyboard from the field"
    );
    h.key_press(Key::Escape);
    h.run();
    assert!(!inspector_open(&h));
}

#[test]
fn ctrl_enter_runs_the_flow() {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    until_finished(&mut h);
    h.get_by_label("G Protected resource response: ok");
}

#[test]
fn help_lists_the_keyboard_shortcuts() {
    let mut h = app(None);
    click(&mut h, "Help");
    click(&mut h, "Keyboard shortcuts");
    h.get_by_label("Esc");
    h.get_by_label("close the inspector (a text field gives up the keyboard first)");
    h.get_by_label("↑ / ↓");
}

fn toggled(h: &App, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
}

#[test]
fn the_presenter_view_hides_the_panels_and_masks_what_was_revealed() {
    let mut h = finished_demo_run();
    click(&mut h, "E Token response: ok");
    click(&mut h, "Reveal secrets");
    assert!(toggled(&h, "Reveal secrets"));

    h.key_press(Key::F5);
    h.run();
    for gone in ["Provider", "Explain", "Settings", "Reveal secrets"] {
        assert!(h.query_by_label(gone).is_none(), "{gone} is still shown");
    }
    h.get_by_label("Leave presenter view");
    // The step's narration, in place of the inspector; ↓ moves it on.
    h.get_by_label("What happens");
    h.key_press(Key::ArrowDown);
    h.run();
    assert_eq!(selected(&h), Some('F'));

    h.key_press(Key::Escape);
    h.run();
    h.get_by_label("Provider");
    assert!(
        !toggled(&h, "Reveal secrets"),
        "secrets are masked again after presenting"
    );
}

#[test]
fn the_presenter_view_says_when_the_demo_provider_misbehaves() {
    let mut h = finished_demo_run();
    click(&mut h, "Present");
    assert!(
        h.query_by_label_contains("misbehaving on purpose")
            .is_none()
    );
    click(&mut h, "Leave presenter view");
    click(&mut h, "Experiments");
    click(&mut h, "Make the demo provider misbehave");
    click(&mut h, "a code can be exchanged more than once");
    click(&mut h, "Present");
    h.get_by_label("Demo provider misbehaving on purpose: accept_reused_codes");
}

#[test]
fn the_view_menu_shows_the_zoom_and_changes_it() {
    let mut h = app(None);
    click(&mut h, "View");
    assert!(h.query_all_by_value("Zoom: 100 %").next().is_some());
    click(&mut h, "Zoom In Ctrl+Plus");
    click(&mut h, "View");
    assert!(h.query_all_by_value("Zoom: 110 %").next().is_some());
    click(&mut h, "Reset Zoom Ctrl+0");
    click(&mut h, "View");
    assert!(h.query_all_by_value("Zoom: 100 %").next().is_some());
    click(&mut h, "Presenter view F5");
    h.get_by_label("Leave presenter view");
}

/// Waits until the run shows a Next for `letter` (or none, for `None`).
fn until_next(h: &mut App, letter: Option<&str>) {
    until(h, |h| {
        let run = h.state().current_run();
        let waiting = run.and_then(|r| r.trace.prepared().map(|(s, _)| s.letter()));
        run.is_some_and(|r| !r.busy()) && waiting == letter
    });
}

#[test]
fn one_step_at_a_time_stops_before_a_d_and_f_and_next_sends_each() {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    click(&mut h, "One step at a time");
    click(&mut h, "Run flow");
    until_next(&mut h, Some("A"));
    // Shown before it goes: the request in the inspector, the step's narration beside it.
    h.get_by_label("Next: send A  Authorization request");
    assert_eq!(selected(&h), Some('A'));
    h.get_by_label("A Authorization request: waiting");
    assert!(h.query_by_label("B User login and consent: ok").is_none());

    h.key_press(Key::Space);
    until_next(&mut h, Some("D"));
    h.get_by_label("C Authorization response (redirect): ok");
    h.get_by_label("D Token request: waiting");
    assert_eq!(selected(&h), Some('D'));

    click(&mut h, "Next: send D  Token request");
    until_next(&mut h, Some("F"));
    h.get_by_label("E Token response: ok");
    h.get_by_label("F Protected resource request: waiting");

    h.key_press(Key::ArrowRight);
    until_next(&mut h, None);
    h.get_by_label("G Protected resource response: ok");
    assert!(h.query_by_label_contains("Next: send").is_none());
}
