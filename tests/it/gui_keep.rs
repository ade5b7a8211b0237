//! Keeping runs in the window, driven by labels: a finished run lands in the history and
//! reopens after a restart; File ▸ Save run writes a run file that a fresh window opens from a
//! drop, fully inspectable with nothing sent; a bad file is refused with the reason and the run
//! on screen stays.
#![allow(clippy::unwrap_used)]

use crate::support;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use oauthviz::trace::StepId;
use support::gui::*;

type App = egui_kittest::Harness<'static, oauthviz::gui::OauthvizApp>;

/// A file dropped on the window, as the windowing layer hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn drop_file(h: &mut App, path: &Path) {
    h.input_mut()
        .dropped_files
        .push(Arc::new(Dropped(path.to_owned())));
    h.run_ok();
}

fn finished_run(h: &mut App) {
    choose_auto_approve(h);
    click(h, "Run flow");
    until_finished(h);
    until_idle(h);
    h.get_by_label("G Protected resource response: ok");
}

#[test]
fn a_finished_run_is_kept_and_reopens_after_a_restart() {
    let dir = ProfileDir::new("history");
    let mut h = app_with_history(&dir.0);
    h.get_by_label("Finished runs are kept here (secrets masked).");
    finished_run(&mut h);
    until(&mut h, |h| {
        // The run list has the run; the earlier-runs list has it too once it is kept.
        h.query_all_by_label_contains("demo (demo-basic) · ok · ")
            .count()
            == 2
    });
    drop(h);

    // A new window lists it, and a click puts it on screen as it was.
    let mut h = app_with_history(&dir.0);
    h.get_by_label_contains("demo (demo-basic) · ok · ")
        .scroll_to_me();
    h.run_ok();
    h.get_by_label_contains("demo (demo-basic) · ok · ").click();
    h.run_ok();
    h.get_by_label_contains("Reopened from run-");
    h.get_by_label_contains("· reopened");
    h.get_by_label("E Token response: ok");
    click(&mut h, "E Token response: ok");
    // The inspector shows the kept answer, its tokens masked as they were when kept.
    assert!(h.query_all_by_label_contains("access_token").count() > 0);
    let run = h.state().current_run().unwrap();
    let body = run.trace.step(oauthviz::trace::StepId::E).attempts[0]
        .response
        .as_ref()
        .unwrap()
        .body
        .clone();
    assert!(
        body.contains("…["),
        "the history holds the tokens masked: {body}"
    );

    click(&mut h, "Clear history");
    h.get_by_label("Finished runs are kept here (secrets masked).");
    assert_eq!(std::fs::read_dir(&dir.0).unwrap().count(), 0);
}

#[test]
fn save_run_writes_a_file_that_a_drop_reopens_with_its_verdicts() {
    let dir = ProfileDir::new("save");
    let file = dir.0.join("demo.oauthviz.json");
    let mut h = app(None);
    finished_run(&mut h);
    click(&mut h, "Experiments");
    click(&mut h, "Run all experiments");
    until_idle(&mut h);
    let judged = h.state().current_run().unwrap().findings.len();
    assert!(judged > 10, "{judged} verdicts");

    // The diagram shows one take at a time, the last experiment's now; each is listed with how
    // it went, and the run's status is its main flow's, whatever the experiments were refused.
    assert!(h.state().current_run().unwrap().takes.all().len() > judged / 2);
    h.get_by_label_contains("#1 demo (demo-basic) · ok");
    click(&mut h, "Main flow");
    // An arrow's menu copies that arrow's exchange alone: here the flow's D→E as HAR, masked.
    h.get_by_label("D Token request: ok").click_secondary();
    h.run_ok();
    h.get_by_label("Copy this step as HAR").click();
    h.step();
    let copied = h
        .output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        })
        .expect("the step was copied");
    let har: serde_json::Value = serde_json::from_str(&copied).unwrap();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "one exchange: the arrow's");
    assert_eq!(entries[0]["_oauthviz"]["step"], "D");
    assert_eq!(entries[0]["_oauthviz"]["take"], "flow");
    assert!(!copied.contains(oauthviz::demo::BASIC_CLIENT_SECRET));
    h.run_ok();
    h.get_by_label_contains("Copied step D as HAR");

    click(&mut h, "File");
    click(&mut h, "Save run…");
    set_text(
        &mut h,
        Role::TextInput,
        "Write to",
        &file.display().to_string(),
    );
    click(&mut h, "Save");
    h.get_by_label_contains("Written to");
    let saved = oauthviz::keep::RunFile::open(&file).unwrap();
    assert_eq!(saved.run.experiments.len(), judged);

    // A fresh window: the dropped file is on screen with its verdicts, and nothing is sent.
    let mut h = app(None);
    drop_file(&mut h, &file);
    h.get_by_label_contains("Opened demo.oauthviz.json");
    h.get_by_label("G Protected resource response: ok");
    let run = h.state().current_run().unwrap();
    assert_eq!(run.findings.len(), judged);
    assert!(run.reopened.is_some() && !run.busy());
    click(&mut h, "Experiments");
    h.get_by_label_contains("passed");
    // Sending needs the provider again: the run says so instead of sending.
    h.get_by_label("D Token request: ok").click();
    h.run_ok();
    assert!(h.query_by_label("Run this provider again").is_some());

    // A torn file is refused with the reason; the run on screen stays.
    let torn = dir.0.join("torn.oauthviz.json");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&torn, &text[..text.len() / 2]).unwrap();
    drop_file(&mut h, &torn);
    h.get_by_label_contains("torn.oauthviz.json");
    h.get_by_label_contains("cut off");
    h.get_by_label("G Protected resource response: ok");

    // Connected, the reopened run sends on: A again, continued to G, after the saved attempts.
    choose_auto_approve(&mut h);
    let a_before = h
        .state()
        .current_run()
        .unwrap()
        .trace
        .step(StepId::A)
        .attempts
        .len();
    click(&mut h, "Connect");
    until_idle(&mut h);
    h.get_by_label_contains("connected: what you send goes to the provider");
    h.get_by_label("A Authorization request: ok").click();
    h.run_ok();
    click(&mut h, "Edit and send again");
    click(&mut h, "Then continue the flow to G with the answer");
    click(&mut h, "Send again");
    until_idle(&mut h);
    let run = h.state().current_run().unwrap();
    assert_eq!(run.trace.step(StepId::A).attempts.len(), a_before + 1);
    assert!(
        run.trace.step(StepId::G).outcome().is_ok(),
        "{:?}",
        run.trace.stop
    );

    // Running the provider again from the reopened run is a new, live run.
    click(&mut h, "Run this provider again");
    assert!(
        h.state().current_run().unwrap().reopened.is_none(),
        "Run this provider again did not start a run"
    );
    until_finished(&mut h);
    let run = h.state().current_run().unwrap();
    assert!(run.trace.ok, "{:?}", run.trace.stop);
}
