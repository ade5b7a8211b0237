//! Driving the real app headlessly by its accessible labels (egui_kittest). The embedded demo
//! provider and the engine run on real threads, so runs are awaited with bounded, short sleeps.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use oauthviz::gui::OauthvizApp;

/// A profile directory of its own per test, removed afterwards: the tests never see (or
/// write) the user's real profiles.
pub struct ProfileDir(pub PathBuf);

impl ProfileDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "oauthviz-gui-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(format!("{name}.toml"))
    }
}

impl Drop for ProfileDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app under a test harness.
pub type App = Harness<'static, OauthvizApp>;

pub fn app_in(storage: Option<&dyn eframe::Storage>, profiles: &Path) -> App {
    let profiles = profiles.to_owned();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_eframe(move |cc| OauthvizApp::new(storage, &cc.egui_ctx).with_profile_dir(profiles));
    harness.run_ok();
    harness
}

/// The app keeping its history of runs in `history` (a test's own directory).
pub fn app_with_history(history: &Path) -> App {
    let history = history.to_owned();
    let unused = std::env::temp_dir().join(format!("oauthviz-gui-none-{}", std::process::id()));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1440.0, 900.0))
        .build_eframe(move |cc| {
            OauthvizApp::new(None, &cc.egui_ctx)
                .with_profile_dir(unused)
                .with_history_dir(history)
        });
    harness.run_ok();
    harness
}

pub fn app(storage: Option<&dyn eframe::Storage>) -> App {
    // An empty directory that does not exist: listing it finds nothing, and nothing here saves.
    let unused = std::env::temp_dir().join(format!("oauthviz-gui-none-{}", std::process::id()));
    app_in(storage, &unused)
}

/// The app after a whole demo flow with the auto-approving login, G answered.
pub fn finished_demo_run() -> App {
    let mut h = app(None);
    choose_auto_approve(&mut h);
    click(&mut h, "Run flow");
    until_finished(&mut h);
    h.get_by_label("G Protected resource response: ok");
    h
}

/// Steps the UI until the run on screen has finished (at most ~20 s).
pub fn until_finished(harness: &mut Harness<'_, OauthvizApp>) {
    wait(harness, 400, "the run did not finish", |h| {
        h.state().current_run().is_some_and(|r| r.trace.finished)
    });
}

pub fn choose_auto_approve(harness: &mut Harness<'_, OauthvizApp>) {
    harness.get_by_label("Auto-approve (no browser)").click();
    harness.run_ok();
}

pub fn set_text(harness: &mut Harness<'_, OauthvizApp>, role: Role, field: &str, value: &str) {
    harness
        .get_by_role_and_label(role, field)
        .set_text_value_accesskit(value);
    harness.run_ok();
}

pub fn text_of(harness: &Harness<'_, OauthvizApp>, field: &str) -> String {
    harness
        .get_by_role_and_label(Role::TextInput, field)
        .value()
        .unwrap_or_default()
}

/// Clicks the widget labelled `label`, scrolled into view first: a click lands where the
/// widget is on screen, and the provider form is longer than the window.
pub fn click(harness: &mut Harness<'_, OauthvizApp>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run_ok();
    harness.get_by_label(label).click();
    harness.run_ok();
}

pub fn choose_client_auth(harness: &mut Harness<'_, OauthvizApp>, method: &str) {
    click(harness, "Client authentication");
    click(harness, method);
}

/// Steps the UI until `done` holds (at most ~10 s): for work on other threads.
pub fn until(
    harness: &mut Harness<'_, OauthvizApp>,
    done: impl FnMut(&Harness<'_, OauthvizApp>) -> bool,
) {
    wait(harness, 200, "timed out", done);
}

/// Steps the UI, 50 ms apart, until `done` holds; panics with `what` after `tries` steps.
fn wait(
    harness: &mut Harness<'_, OauthvizApp>,
    tries: usize,
    what: &str,
    mut done: impl FnMut(&Harness<'_, OauthvizApp>) -> bool,
) {
    for _ in 0..tries {
        harness.step();
        if done(harness) {
            harness.run_ok();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what}");
}

/// Steps the UI until the run on screen has nothing in flight and nothing queued (at most
/// ~20 s): replays and experiments leave the run finished while they go on.
pub fn until_idle(harness: &mut Harness<'_, OauthvizApp>) {
    wait(harness, 400, "the run did not settle", |h| {
        h.state().current_run().is_some_and(|r| !r.busy())
    });
}
