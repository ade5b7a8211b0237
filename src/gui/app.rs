//! The app: owns the engine, the embedded demo provider, the runs and the selection, and lays
//! out the panels. Events from the engine are drained at the start of every frame; the engine
//! wakes the UI with `request_repaint`, so an idle app does not repaint at all.

use egui::{RichText, Theme, Ui, vec2};
use serde::{Deserialize, Serialize};

use crate::config::{FieldErrors, ProviderConfig};
use crate::demo::{DemoOptions, DemoServer, Misbehave, Misbehaviour};
use crate::engine::{CancelWhy, Command, ReplayRequest, RunId, RunOptions, UserAgentKind};
use crate::gui::audit_panel::{self, AuditAction};
use crate::gui::diagram;
use crate::gui::diagram::{Banner, Pick, Tone};
use crate::gui::experiments_panel::{self, PanelAction};
use crate::gui::explain::panel as explain_panel;
use crate::gui::inspector::{self, Inspector};
use crate::gui::keep_panel::{self, KeepAction, KeepState};
use crate::gui::keyboard;
use crate::gui::lesson::{self, Lesson};
use crate::gui::playback::{self, Playback};
use crate::gui::presenter;
use crate::gui::provider::ProviderForm;
use crate::gui::provider::login_url;
use crate::gui::provider::profiles::ProfilesPanel;
use crate::gui::run_status;
use crate::gui::takes;
use crate::gui::theme::{self, Palette};
use crate::gui::warm_glyphs::WarmGlyphs;
use crate::profile::ProfileStore;
use crate::trace::{StepId, Trace, Update};
use crate::workbench::{
    Activity, AuditCheck, Experiment, Happened, Judged, Run, TakeKind, Workbench,
};

/// The key of the app's state in eframe's storage.
const STORAGE_KEY: &str = "oauthviz";
/// What the toolbar keeps free at its right end for the theme button ("Light theme" is the
/// wider label, about 100 points with its padding).
const THEME_BUTTON_ROOM: f32 = 120.0;

/// What survives a restart. Secrets are `#[serde(skip)]` inside the form, so they never reach
/// the file eframe writes.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
struct Saved {
    form: ProviderForm,
    theme: Option<Theme>,
    /// How many finished runs the history keeps.
    history_cap: Option<usize>,
}

/// What the right-hand panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SideTab {
    #[default]
    Explain,
    Experiments,
    Check,
}

pub struct OauthvizApp {
    bench: Result<Workbench, String>,
    demo: Result<DemoServer, String>,
    form: ProviderForm,
    profiles: ProfilesPanel,
    theme: Theme,
    /// The run on screen.
    current: Option<RunId>,
    /// The glyphs the UI will need, drawn in the frames after the first.
    warm_glyphs: WarmGlyphs,
    /// The take of it the diagram shows (0: the main flow), with the run it is of.
    take: (RunId, usize),
    /// The take the list of takes last scrolled to.
    take_revealed: (RunId, usize),
    /// Playing back a take of a run (which one, and where it is).
    playback: Option<(RunId, usize, Playback)>,
    /// The lesson "why a code and not the token?", while it is open.
    lesson: Option<Lesson>,
    selected: Option<StepId>,
    /// The attempt of the selected step, when an arrow named it (a take can send a step more
    /// than once); otherwise the shown take's attempt of it.
    attempt: Option<usize>,
    /// What the inspector was last pointed at: it follows a new pick, and keeps the user's own
    /// choice of attempt until then.
    viewed: Option<(RunId, usize, Pick)>,
    /// Help ▸ Keyboard shortcuts is showing.
    shortcuts_open: bool,
    /// A text field had the keyboard when the last frame ended.
    field_had_keys: bool,
    /// The presenter view is on (F5).
    presenting: bool,
    /// How tall the bars above the diagram were in the last frame.
    diagram_bars: f32,
    /// The height the inspector opens at (its default, as room allows).
    inspector_room: f32,
    /// What the diagram was last laid out for at the size it will have with the inspector
    /// open: (its scale, compact, rows) and the banner.
    diagram_prepared: Option<((u32, bool, usize), String)>,
    inspector: Inspector,
    /// Hiding the settings gives a presenter the whole width for the diagram.
    show_settings: bool,
    side_tab: SideTab,
    /// Where "Save report" writes the audit, and how the last save went.
    check: audit_panel::CheckState,
    /// Which experiments can run on the run on screen.
    applicable: experiments_panel::Applicable,
    /// Stop a new run after C, with D prepared for editing (a code can be used once).
    pause_before_token: bool,
    /// Runs stop before A, D and F for Next.
    step_mode: bool,
    /// The demo provider's switched-on faults.
    misbehaviour: Misbehaviour,
    /// Saving, reopening, exporting and the history.
    keep: KeepState,
    /// The client secret typed to run a reopened run's provider again (files never hold it).
    rerun_secret: String,
    /// Repaints the window from other threads (the history writer).
    wake: egui::Context,
}

impl OauthvizApp {
    /// Builds the app without a window (kittest and the benchmark use this directly): starts the
    /// demo provider on a free port and the engine, restores settings from `storage`.
    pub fn new(storage: Option<&dyn eframe::Storage>, ctx: &egui::Context) -> Self {
        let saved: Saved = storage
            .and_then(|s| eframe::get_value(s, STORAGE_KEY))
            .unwrap_or_default();
        let theme = saved.theme.unwrap_or(Theme::Dark);
        theme::apply_style(ctx);
        ctx.set_theme(theme);
        // egui keeps the zoom with the window's memory; a start at another size than 100 %
        // nobody asked for today would look like a broken layout (View shows the zoom).
        ctx.set_zoom_factor(1.0);
        let mut form = saved.form;
        form.restore_demo_secret();
        let mut keep = KeepState::default();
        if let Some(cap) = saved.history_cap {
            keep.cap = cap.max(1);
        }
        let wake = ctx.clone();
        Self {
            bench: Workbench::new(move || wake.request_repaint())
                .map_err(|e| format!("The engine did not start: {e}")),
            demo: DemoServer::start(DemoOptions {
                port: 0,
                ..Default::default()
            })
            .map_err(|e| format!("The demo provider did not start: {e}")),
            form,
            profiles: ProfilesPanel::new(ProfileStore::open_default()),
            theme,
            current: None,
            warm_glyphs: WarmGlyphs::default(),
            take: (0, 0),
            take_revealed: (0, 0),
            playback: None,
            lesson: None,
            selected: None,
            attempt: None,
            viewed: None,
            shortcuts_open: false,
            field_had_keys: false,
            presenting: false,
            diagram_bars: 0.0,
            inspector_room: theme::INSPECTOR_HEIGHT,
            diagram_prepared: None,
            inspector: Inspector::default(),
            show_settings: true,
            side_tab: SideTab::default(),
            check: audit_panel::CheckState::default(),
            applicable: experiments_panel::Applicable::default(),
            pause_before_token: false,
            step_mode: false,
            misbehaviour: Misbehaviour::default(),
            keep,
            rerun_secret: String::new(),
            wake: ctx.clone(),
        }
    }

    /// Keeps finished runs (masked) in `dir` and lists the ones it holds; the window keeps them
    /// in the user's data directory, tests in a temporary one.
    pub fn with_history_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.keep = std::mem::take(&mut self.keep)
            .with_history(crate::keep::History::new(dir), self.wake.clone());
        self
    }

    /// Opens a saved run and puts it on screen; a file that cannot be opened says why, and
    /// nothing else open is lost.
    pub fn open_run_file(&mut self, path: &std::path::Path) {
        match crate::keep::RunFile::open(path) {
            Ok(saved) => self.show_run_file(path, saved),
            Err(e) => self.keep.message = Some(Err(e)),
        }
    }

    /// Puts a run file read from `path` on screen.
    pub fn show_run_file(&mut self, path: &std::path::Path, saved: crate::keep::RunFile) {
        let Ok(bench) = &mut self.bench else { return };
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        self.current = Some(bench.reopen(saved.run, name.clone()));
        self.selected = None;
        self.keep.message = Some(Ok(format!("Opened {name} (saved {})", saved.saved_at)));
    }

    /// Keeps provider profiles in `dir` instead of the user's config directory (tests use a
    /// temporary one, so they never touch the real profiles).
    pub fn with_profile_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.profiles = ProfilesPanel::new(Ok(ProfileStore::new(dir)));
        self
    }

    /// The run on screen.
    pub fn current_run(&self) -> Option<&Run> {
        let bench = self.bench.as_ref().ok()?;
        bench.run(self.current?)
    }

    fn demo(&self) -> Result<&DemoServer, &str> {
        self.demo.as_ref().map_err(String::as_str)
    }

    /// Takes in what the engine reported: an experiment judged here opens its answer, a run that
    /// stopped on a failure opens the failed step.
    fn drain_events(&mut self) {
        let Ok(bench) = &mut self.bench else { return };
        for happened in bench.poll() {
            if let Happened::Discovered(discovered) = happened {
                self.form.discovered(discovered, &mut self.profiles);
                continue;
            }
            if let Happened::Idle { run } = happened {
                self.keep_in_history(run);
            }
            let Some(run) = self.current_run() else {
                continue;
            };
            match happened {
                Happened::Judged {
                    run: id,
                    experiment,
                } if id == run.id && run.activity == Some(Activity::Experiment(experiment)) => {
                    self.show_experiment(experiment);
                }
                Happened::Trace {
                    run: id,
                    update: Update::Finished { .. },
                } if id == run.id && !run.experiments_pending() => {
                    // What waits for Next is shown before it goes (step mode follows it).
                    if let Some((step, _)) = run.trace.prepared() {
                        self.selected = Some(step);
                        self.attempt = None;
                    } else if self.selected.is_none() {
                        // A failure explains itself best with its step already open.
                        self.selected = run.trace.failed_step();
                        self.attempt = None;
                    }
                }
                Happened::ExperimentStarted { run: id, .. } if id == run.id => {
                    // The diagram follows what is being sent: the experiment's own take.
                    let latest = run.takes.all().len() - 1;
                    self.show_take(latest);
                }
                _ => {}
            }
        }
    }

    /// Selects the step that shows an experiment's answer, next to the attempt before it.
    fn show_experiment(&mut self, experiment: Experiment) {
        let Some(run) = self.current_run() else {
            return;
        };
        let step = experiment.judged_step();
        let attempt = Judged::latest(&run.findings, experiment).and_then(|j| j.attempt);
        let id = run.id;
        // The experiment's take: the newest one of it.
        let take = run
            .takes
            .all()
            .iter()
            .rposition(|t| t.kind == TakeKind::Experiment(experiment));
        self.take = (id, take.unwrap_or(0));
        self.selected = Some(step);
        self.attempt = attempt;
        self.viewed = Some((id, self.take.1, (step, attempt)));
        if let Ok(bench) = &mut self.bench {
            bench.set_activity(id, Activity::Experiment(experiment));
        }
        match attempt {
            Some(i) if i > 0 => self.inspector.open_comparison(id, step, i - 1, i),
            _ => self.inspector.open(id, step, inspector::Mode::Details),
        }
    }

    /// The selected arrow: the step, at the attempt an arrow named or else the shown take's.
    fn pick(&self) -> Option<Pick> {
        let step = self.selected?;
        let attempt = self.attempt.or_else(|| {
            let run = self.current_run()?;
            takes::attempt_of(run, self.shown_take(), step)
        });
        Some((step, attempt))
    }

    /// The take of the run on screen the diagram shows (the main flow after a run changed).
    fn shown_take(&self) -> usize {
        match self.current {
            Some(run) if self.take.0 == run => self.take.1,
            _ => 0,
        }
    }

    /// Shows take `take` of the run on screen; the selected step stays, at that take's attempt.
    fn show_take(&mut self, take: usize) {
        if let Some(run) = self.current {
            self.take = (run, take);
            self.attempt = None;
        }
    }

    /// Writes the audit of the run on screen as Markdown, its secrets masked.
    fn save_report(&mut self, path: &std::path::Path) {
        let Some(run) = self.current_run() else {
            return;
        };
        let Some(report) = run.audit.as_ref().and_then(|a| a.report.as_ref()) else {
            return;
        };
        let mut hidden = crate::redact::Secrets::of_trace(&run.trace);
        if let Some(secret) = &run.config.client_secret {
            hidden.add(secret.expose());
        }
        let text = crate::workbench::audit::render::markdown(report);
        let written = crate::files::write_private(path, &hidden.scrub(&text));
        self.check.result = Some(written.map(|()| path.display().to_string()));
    }

    /// The run, its secrets masked, kept in the history once it has finished (again after
    /// later experiments, replacing the earlier copy).
    fn keep_in_history(&mut self, id: RunId) {
        let (Ok(bench), Some(writer)) = (&self.bench, &self.keep.writer) else {
            return;
        };
        let Some(run) = bench.run(id) else { return };
        if run.reopened.is_some() || !run.trace.finished {
            return;
        }
        let Some(started) = run.trace.started_at_ms() else {
            return;
        };
        writer.keep(crate::keep::history::Keep {
            key: format!("run-{started}-{id}"),
            record: crate::workbench::RunRecord::of(run),
            given: self.given_secrets(run),
            status: run_status::status(run),
            cap: self.keep.cap,
        });
    }

    /// The secrets a run was handed, to mask wherever they turn up in what is written.
    fn given_secrets(&self, run: &Run) -> crate::redact::Secrets {
        let mut given = crate::redact::Secrets::default();
        if let Some(secret) = &run.config.client_secret {
            given.add(secret.expose());
        }
        if let crate::engine::UserAgentKind::Scripted { password, .. } = self.form.user_agent() {
            given.add(&password);
        }
        given
    }

    /// Carries out what the File menu, the history list or a drop asked for.
    fn keep_action(&mut self, ui: &Ui, action: KeepAction) {
        match action {
            KeepAction::Open(path) => self.open_run_file(&path),
            KeepAction::Reopen(entry) => {
                let Some(history) = &self.keep.history else {
                    return;
                };
                let path = history.dir().join(&entry.file);
                self.open_run_file(&path);
            }
            KeepAction::Write {
                format,
                path,
                secrets,
            } => {
                let written = self
                    .export_text(format, crate::export::Scope::Run, secrets)
                    .and_then(|text| crate::files::write_private(&path, &text));
                self.keep.message =
                    Some(written.map(|()| format!("Written to {}", path.display())));
            }
            KeepAction::Copy(format, scope) => {
                let copied = self.export_text(format, scope, crate::keep::SecretsIn::Masked);
                let what = match scope {
                    crate::export::Scope::Run => format.title().to_owned(),
                    crate::export::Scope::Step(step, _) => {
                        format!("step {} as {}", step.letter(), format.title())
                    }
                };
                self.keep.message = Some(copied.map(|text| {
                    ui.ctx().copy_text(text);
                    format!("Copied {what} (secrets masked)")
                }));
            }
            KeepAction::ClearHistory => {
                if let Some(history) = &self.keep.history {
                    self.keep.message = Some(
                        history
                            .clear()
                            .map(|()| "The history is cleared".to_owned()),
                    );
                    self.keep.entries.clear();
                }
            }
            KeepAction::CapChanged => {
                if let Some(history) = &self.keep.history {
                    match history.set_cap(self.keep.cap) {
                        Ok(entries) => self.keep.entries = entries,
                        Err(e) => self.keep.message = Some(Err(e)),
                    }
                }
            }
        }
    }

    /// The run on screen as `format`.
    fn export_text(
        &self,
        format: crate::export::Format,
        scope: crate::export::Scope,
        secrets: crate::keep::SecretsIn,
    ) -> Result<String, String> {
        let run = self.current_run().ok_or("There is no run on screen")?;
        let record = crate::workbench::RunRecord::of(run);
        crate::export::render(
            format,
            &record,
            scope,
            secrets,
            &self.given_secrets(run),
            crate::gui::diagram_svg,
        )
    }

    fn cancel(&mut self, why: CancelWhy) {
        if let (Ok(bench), Some(run)) = (&mut self.bench, self.current) {
            bench.cancel(run, why);
        }
    }

    /// Queues `experiments` on the run on screen.
    fn run_experiments(&mut self, experiments: &[Experiment]) {
        if let (Ok(bench), Some(run)) = (&mut self.bench, self.current) {
            bench.run_experiments(run, experiments);
        }
    }

    /// Turns what the inspector asked for into engine commands on the run on screen.
    fn inspector_action(&mut self, action: inspector::Action) {
        let (Ok(bench), Some(run)) = (&mut self.bench, self.current) else {
            return;
        };
        let take = match action {
            inspector::Action::Send {
                step,
                request,
                continue_flow,
            } => bench.replay(
                run,
                step,
                ReplayRequest::Exact(request),
                Vec::new(),
                continue_flow,
            ),
            inspector::Action::SendWithFreshCode {
                edits,
                continue_flow,
            } => bench.send_with_fresh_code(run, edits, continue_flow),
            inspector::Action::Prepare(step) => bench.send(Command::Prepare { run, step }, None),
            inspector::Action::Close => {
                self.selected = None;
                None
            }
        };
        // The diagram shows the take that records what was sent (the main flow for Next).
        if let Some(take) = take {
            self.take = (run, take);
            self.attempt = None;
        }
    }

    /// Runs one of the steps after E (refresh, revoke, introspect) on the run on screen.
    fn run_extra(&mut self, step: StepId) {
        let (Ok(bench), Some(run)) = (&mut self.bench, self.current) else {
            return;
        };
        self.selected = Some(step);
        self.attempt = None;
        if let Some(take) = bench.replay(run, step, ReplayRequest::Default, Vec::new(), false) {
            self.take = (run, take);
        }
    }

    /// How a run goes, from the settings on the left: who logs in, and whether to stop before D.
    fn run_options(&self) -> RunOptions {
        let user_agent = self.form.user_agent();
        // The HTTP agent gets the demo's auto-approve; Chromium goes through the pages.
        let auto = matches!(
            user_agent,
            UserAgentKind::Scripted {
                driver: crate::engine::Driver::Http,
                ..
            }
        );
        if let Ok(server) = &self.demo {
            server.set_auto_approve(auto);
            server.set_js_login(self.form.demo_js_login());
        }
        RunOptions {
            user_agent,
            pause_after: self.pause_before_token.then_some(StepId::C),
            step_mode: self.step_mode,
            ..Default::default()
        }
    }

    fn start_run(&mut self, config: ProviderConfig) {
        // A run of one's own is shown in the diagram, not in the lesson.
        if self.lesson.take().is_some() {
            self.lesson_done();
        }
        let options = self.run_options();
        let Ok(bench) = &mut self.bench else { return };
        self.current = Some(bench.start(config, options));
        self.selected = None;
    }

    /// The whole UI, in a `Ui` covering the window.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.warm_glyphs.step(ui.ctx());
        self.drain_events();
        self.keep.collect();
        for path in keep_panel::dropped(ui) {
            self.open_run_file(&path);
        }
        // The Check tab's wait is the run's: the Experiments tab plans with it too.
        if let (Ok(bench), Some(run)) = (&mut self.bench, self.current) {
            bench.set_wait(run, std::time::Duration::from_secs(self.check.wait_secs));
        }
        self.inspector.begin_frame();
        let palette = Palette::of(self.theme);
        let validation = self.form.config(self.demo());
        self.keyboard(ui, &validation);
        self.lesson_goes_on();
        if self.presenting {
            self.presenter_panels(ui, &validation, &palette);
        } else if self.lesson.is_some() {
            // The two flows side by side take the width the panels would.
            self.toolbar(ui, &validation, &palette);
        } else {
            self.toolbar(ui, &validation, &palette);
            self.settings_panel(ui, &validation, &palette);
            self.side_panel(ui, validation.as_ref().ok(), &palette);
            self.inspector_panel(ui, &palette);
        }
        if self.lesson.is_some() && !self.presenting {
            egui::CentralPanel::default().show(ui, |ui| self.lesson_panel(ui, &palette));
        } else {
            egui::CentralPanel::default().show(ui, |ui| self.diagram_panel(ui, &palette));
        }
        keyboard::sheet(ui, &mut self.shortcuts_open);
        self.field_had_keys = ui.ctx().text_edit_focused();
    }

    /// The step a Next would send, with its prepared request: the current run's, when nothing
    /// is in flight.
    fn next_step(&self) -> Option<(StepId, &crate::protocol::http::HttpRequest)> {
        let run = self.current_run()?;
        if run_status::busy(run).is_some() {
            return None;
        }
        run.trace.prepared()
    }

    /// Sends the prepared step as it is and goes on to the next stop.
    fn next(&mut self) {
        let Some((step, request)) = self.next_step().map(|(s, r)| (s, r.clone())) else {
            return;
        };
        self.inspector_action(inspector::Action::Send {
            step,
            request,
            continue_flow: true,
        });
    }

    /// The lesson in the central panel, and what it asks for.
    fn lesson_panel(&mut self, ui: &mut Ui, palette: &Palette) {
        let Some(mut lesson) = self.lesson else {
            return;
        };
        let run = |id: Option<RunId>| {
            let bench = self.bench.as_ref().ok()?;
            bench.run(id?)
        };
        let (code, implicit) = (run(lesson.code), run(lesson.implicit));
        let action = lesson::show(ui, &mut lesson, code, implicit, palette);
        self.lesson = Some(lesson);
        match action {
            Some(lesson::Action::Run) => self.lesson_run(false),
            Some(lesson::Action::Close) => {
                self.lesson = None;
                self.lesson_done();
            }
            None => {}
        }
    }

    /// Starts one of the lesson's two runs against the demo provider, with the scripted login:
    /// the code flow, or (`implicit`) the implicit grant, which the demo does only meanwhile.
    fn lesson_run(&mut self, implicit: bool) {
        let (Ok(server), Ok(bench), Some(lesson)) = (&self.demo, &mut self.bench, &mut self.lesson)
        else {
            return;
        };
        let mut misbehaviour = self.misbehaviour.clone();
        misbehaviour.set(Misbehave::ImplicitGrant, implicit);
        server.set_misbehaviour(misbehaviour);
        // The login and consent pages, as a person would see them (the HTML ones: the lesson's
        // agent is the HTTP one).
        server.set_auto_approve(false);
        server.set_js_login(false);
        let options = RunOptions {
            user_agent: UserAgentKind::Scripted {
                username: crate::demo::DEMO_USERNAME.into(),
                password: crate::demo::DEMO_PASSWORD.into(),
                deny_consent: false,
                form_fields: Vec::new(),
                driver: crate::engine::Driver::Http,
            },
            implicit,
            ..Default::default()
        };
        let id = bench.start(ProviderConfig::demo(server), options);
        if implicit {
            lesson.implicit = Some(id);
        } else {
            *lesson = Lesson {
                code: Some(id),
                running: true,
                ..Lesson::default()
            };
        }
    }

    /// The implicit grant follows the code flow once that has finished; when it has finished too,
    /// the demo provider is strict again.
    fn lesson_goes_on(&mut self) {
        let Some(lesson) = self.lesson.filter(|l| l.running) else {
            return;
        };
        let idle = |id: RunId| {
            self.bench
                .as_ref()
                .ok()
                .and_then(|b| b.run(id))
                .is_some_and(|r| r.trace.finished && !r.busy())
        };
        match (lesson.code, lesson.implicit) {
            (Some(code), None) if idle(code) => self.lesson_run(true),
            (_, Some(implicit)) if idle(implicit) => {
                self.lesson_done();
                if let Some(lesson) = &mut self.lesson {
                    lesson.running = false;
                }
            }
            _ => {}
        }
    }

    /// The demo provider back to the user's own switches.
    fn lesson_done(&self) {
        if let Ok(server) = &self.demo {
            server.set_misbehaviour(self.misbehaviour.clone());
        }
    }

    /// Into the presenter view (secrets masked again, as on a new selection) or out of it.
    fn present(&mut self, on: bool) {
        self.presenting = on;
        self.inspector.reveal = false;
    }

    /// The presenter view's bar and narration, in place of the toolbar and the panels.
    fn presenter_panels(
        &mut self,
        ui: &mut Ui,
        validation: &Result<ProviderConfig, FieldErrors>,
        palette: &Palette,
    ) {
        let misbehaving = if self.form.is_demo() {
            self.misbehaviour.active()
        } else {
            Vec::new()
        };
        let running = self.current_run().is_some_and(Run::busy);
        let can_run = !running && validation.is_ok() && self.bench.is_ok();
        match presenter::bar(ui, can_run, &misbehaving, palette) {
            Some(presenter::BarAction::Run) => {
                if let Ok(config) = validation {
                    self.start_run(config.clone());
                }
            }
            Some(presenter::BarAction::Leave) => self.present(false),
            None => {}
        }
        let trace = self.current_run().map(|r| &r.trace);
        presenter::narration(ui, trace, self.selected, palette);
    }

    /// What the keys ask for (before the panels, so a key used here reaches no widget).
    fn keyboard(&mut self, ui: &mut Ui, validation: &Result<ProviderConfig, FieldErrors>) {
        // The arrows of the take on screen that have something to show, in the diagram's order.
        let arrows: Vec<Pick> = self
            .current_run()
            .map(|run| {
                takes::rows(run, self.shown_take())
                    .iter()
                    .filter_map(|r| r.attempt.map(|(i, _)| (r.step, Some(i))))
                    .collect()
            })
            .unwrap_or_default();
        let at = keyboard::Context {
            field_had_keys: self.field_had_keys,
            arrows: &arrows,
            selected: self.pick(),
            presenting: self.presenting,
            can_next: self.next_step().is_some(),
        };
        match keyboard::command(ui, at) {
            Some(keyboard::Command::CloseInspector) => self.selected = None,
            Some(keyboard::Command::TogglePresenter) => self.present(!self.presenting),
            Some(keyboard::Command::LeavePresenter) => self.present(false),
            Some(keyboard::Command::Next) => self.next(),
            Some(keyboard::Command::Select((step, attempt))) => {
                self.selected = Some(step);
                self.attempt = attempt;
            }
            Some(keyboard::Command::Run) => {
                let running = self.current_run().is_some_and(Run::busy);
                if let (false, Ok(config), Ok(_)) = (running, validation, &self.bench) {
                    self.start_run(config.clone());
                }
            }
            None => {}
        }
    }

    /// Run, Cancel, the settings toggle and the theme switch.
    fn toolbar(
        &mut self,
        ui: &mut Ui,
        validation: &Result<ProviderConfig, FieldErrors>,
        palette: &Palette,
    ) {
        let running = self.current_run().is_some_and(Run::busy);
        let provider = self.current_run().map(|r| r.trace.provider.clone());
        let mut keep_action = None;
        let mut present = false;
        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new("oauthviz").heading().strong());
                keep_action = keep_panel::menu(ui, &mut self.keep, provider.as_deref());
                present = presenter::view_menu(ui);
                let mut lesson = false;
                keyboard::help_menu(ui, &mut self.shortcuts_open, &mut lesson);
                if lesson && self.lesson.is_none() {
                    self.lesson = Some(Lesson::default());
                }
                ui.separator();
                let can_run = validation.is_ok() && self.bench.is_ok();
                let run = ui
                    .add_enabled(
                        can_run,
                        egui::Button::new(
                            RichText::new("Run flow").size(theme::PRIMARY_BUTTON_TEXT),
                        ),
                    )
                    .on_disabled_hover_text("Fix the provider settings marked in red first");
                if run.clicked()
                    && let Ok(config) = validation
                {
                    self.start_run(config.clone());
                }
                if ui
                    .add_enabled(running, egui::Button::new("Cancel"))
                    .clicked()
                {
                    self.cancel(CancelWhy::User);
                }
                ui.separator();
                ui.toggle_value(&mut self.show_settings, "Settings")
                    .on_hover_text("Show or hide the provider settings and the run list");
                if ui
                    .button("Present")
                    .on_hover_text("Presenter view (F5): the diagram and the step's narration fill the window, in large text")
                    .clicked()
                {
                    present = true;
                }
                if let Err(e) = &self.bench {
                    ui.label(RichText::new(e).color(palette.error_text));
                }
                // Why Run is disabled, by the button: the field that says so may be out of view.
                // Shortened to the room left of the theme button, whole on hover.
                if let Err(errors) = validation
                    && let Some((_, first)) = errors.first()
                {
                    let text = match errors.len() {
                        1 => format!("To run: {first}"),
                        n => format!("To run: {first} (and {} more)", n - 1),
                    };
                    let all: Vec<String> = errors
                        .iter()
                        .map(|(field, why)| format!("{}: {why}", field.key()))
                        .collect();
                    ui.scope(|ui| {
                        ui.set_max_width((ui.available_width() - THEME_BUTTON_ROOM).max(0.0));
                        ui.add(
                            egui::Label::new(RichText::new(text).color(palette.error_text))
                                .truncate(),
                        )
                        .on_hover_text(all.join("\n"));
                    });
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let (label, next) = match self.theme {
                        Theme::Dark => ("Light theme", Theme::Light),
                        Theme::Light => ("Dark theme", Theme::Dark),
                    };
                    if ui.button(label).clicked() {
                        self.theme = next;
                        ui.ctx().set_theme(next);
                    }
                });
            });
            keep_panel::message(ui, &mut self.keep, palette);
        });
        if let Some(action) = keep_action {
            self.keep_action(ui, action);
        }
        if present {
            self.present(true);
        }
    }

    /// The provider settings and the run list, on the left.
    fn settings_panel(
        &mut self,
        ui: &mut Ui,
        validation: &Result<ProviderConfig, FieldErrors>,
        palette: &Palette,
    ) {
        let mut show_settings = self.show_settings;
        egui::Panel::left("provider")
            .default_size(theme::LEFT_PANEL_WIDTH)
            .max_size(theme::MAX_PANEL_WIDTH)
            .show_collapsible(ui, &mut show_settings, |ui| {
                egui::ScrollArea::vertical().id_salt("left").show(ui, |ui| {
                    ui.heading("Provider");
                    let errors = validation.as_ref().err().map_or(&[][..], Vec::as_slice);
                    let demo = self.demo.as_ref().map_err(String::as_str);
                    self.form
                        .show(ui, demo, &mut self.profiles, errors, palette);
                    if let Some(issuer) = self.profiles.take_discovery_request()
                        && let Ok(bench) = &mut self.bench
                    {
                        bench.discover(&issuer);
                    }
                    ui.add_space(theme::SECTION_GAP);
                    ui.checkbox(
                        &mut self.pause_before_token,
                        "Stop before the token request (D)",
                    )
                    .on_hover_text("The next run stops after C with D prepared: edit it in the inspector before the code is used, then Send it");
                    ui.checkbox(&mut self.step_mode, "One step at a time")
                        .on_hover_text("The next run stops before A, D and F with the request prepared and explained; Next (Space) sends it. The login in the browser is one step.");
                    ui.add_space(theme::SECTION_GAP);
                    ui.heading("Runs");
                    self.run_list(ui);
                    if let Some(action) = keep_panel::history_list(ui, &mut self.keep) {
                        self.keep_action(ui, action);
                    }
                });
            });
        self.show_settings = show_settings;
    }

    /// Explanations and experiments, on the right.
    /// `form`: the provider set on the left, when it is valid.
    fn side_panel(&mut self, ui: &mut Ui, form: Option<&ProviderConfig>, palette: &Palette) {
        let mut panel_action = None;
        let mut audit_action = None;
        egui::Panel::right("explain")
            .default_size(theme::RIGHT_PANEL_WIDTH)
            .max_size(theme::MAX_PANEL_WIDTH)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.side_tab, SideTab::Explain, "Explain");
                    ui.selectable_value(&mut self.side_tab, SideTab::Experiments, "Experiments")
                        .on_hover_text("One-click replays that check the provider against RFC 6749 and RFC 9700");
                    ui.selectable_value(&mut self.side_tab, SideTab::Check, "Check")
                        .on_hover_text("Check my provider: the whole audit, as a report");
                });
                ui.separator();
                match self.side_tab {
                    SideTab::Explain => {
                        let trace = self.current_run().map(|r| &r.trace);
                        explain_panel::show(ui, trace, self.selected, palette);
                    }
                    SideTab::Experiments => {
                        let run = self
                            .current
                            .and_then(|id| self.bench.as_ref().ok()?.run(id));
                        let view = run.map(|r| experiments_panel::RunView {
                            run: r,
                            findings: &r.findings,
                            running: r.running_experiment(),
                            other_provider: run_status::other_provider(r, form),
                        });
                        let busy = run.and_then(run_status::busy);
                        let demo = (self.form.is_demo() && self.demo.is_ok())
                            .then_some(&mut self.misbehaviour);
                        panel_action = experiments_panel::show(
                            ui,
                            view,
                            &mut self.applicable,
                            busy,
                            demo,
                            palette,
                        );
                    }
                    SideTab::Check => {
                        let run = self
                            .current
                            .and_then(|id| self.bench.as_ref().ok()?.run(id));
                        let busy = run.and_then(run_status::busy);
                        let other = run.and_then(|r| run_status::other_provider(r, form));
                        audit_action = audit_panel::show(
                            ui,
                            run,
                            other.as_deref(),
                            busy,
                            &mut self.check,
                            palette,
                        );
                    }
                }
            });
        match audit_action {
            Some(AuditAction::Start) => {
                if let (Ok(bench), Some(run)) = (&mut self.bench, self.current) {
                    self.check.result = None;
                    bench.audit(run, AuditCheck::all());
                }
            }
            Some(AuditAction::Show(experiment)) => self.show_experiment(experiment),
            Some(AuditAction::Save(path)) => self.save_report(&path),
            None => {}
        }
        match panel_action {
            Some(PanelAction::Run(experiment)) => self.run_experiments(&[experiment]),
            Some(PanelAction::RunAll) => self.run_experiments(&Experiment::ALL),
            Some(PanelAction::Show(experiment)) => self.show_experiment(experiment),
            Some(PanelAction::MisbehaviourChanged) => {
                if let Ok(server) = &self.demo {
                    server.set_misbehaviour(self.misbehaviour.clone());
                }
            }
            None => {}
        }
    }

    /// The selected step in full, at the bottom.
    fn inspector_panel(&mut self, ui: &mut Ui, palette: &Palette) {
        let most = theme::inspector_max_height(ui.available_height(), self.diagram_bars);
        self.inspector_room = theme::INSPECTOR_HEIGHT.min(most);
        let (Some(step), Ok(bench), Some(id)) = (self.selected, &self.bench, self.current) else {
            return;
        };
        let Some(run) = bench.run(id) else { return };
        let take = self.shown_take();
        // An experiment's wanted refusal reads as such in the inspector too.
        let expected = run
            .takes
            .all()
            .get(take)
            .and_then(|t| takes::expected(run, t));
        let pick = (
            step,
            self.attempt.or_else(|| takes::attempt_of(run, take, step)),
        );
        if self.viewed != Some((id, take, pick)) {
            self.viewed = Some((id, take, pick));
            self.inspector.view(id, step, pick.1);
        }
        let mut action = None;
        egui::Panel::bottom("inspector")
            .resizable(true)
            .default_size(self.inspector_room)
            .max_size(most)
            .show(ui, |ui| {
                let busy = run_status::busy(run);
                action = self
                    .inspector
                    .show(ui, run.id, &run.trace, step, busy, expected, palette);
            });
        if let Some(action) = action {
            self.inspector_action(action);
        }
    }

    /// The login URL (when a person logs in), the steps after E, the banner and the diagram.
    fn diagram_panel(&mut self, ui: &mut Ui, palette: &Palette) {
        let top = ui.cursor().top();
        match self.reopened_bar(ui) {
            Some(Again::NewRun(config)) => {
                self.start_run(config);
                return;
            }
            Some(Again::Connect(config)) => {
                let options = self.run_options();
                if let (Ok(bench), Some(run)) = (&mut self.bench, self.current) {
                    bench.connect(run, config, options);
                }
            }
            None => {}
        }
        let placeholder;
        let error_page = self
            .current_run()
            .filter(|r| !r.scripted)
            .is_some_and(|run| login_url::show(ui, &run.trace, palette));
        if error_page {
            self.cancel(CancelWhy::ErrorPage);
        }
        if let Some((step, _)) = self.next_step() {
            let next = ui.horizontal(|ui| {
                let go = ui
                    .add(egui::Button::new(
                        RichText::new(format!("Next: send {}  {}", step.letter(), step.name()))
                            .size(theme::PRIMARY_BUTTON_TEXT),
                    ))
                    .on_hover_text(
                        "Sends the prepared request as it is (Space or the right arrow key)",
                    )
                    .clicked();
                ui.label(RichText::new("Space or Right").color(palette.weak_text));
                go
            });
            if next.inner {
                self.next();
            }
        }
        let take = self.shown_take();
        self.playback_tick(ui, take);
        let (mut rows, mut banner) = match self.current_run() {
            Some(run) => (takes::rows(run, take), run_status::banner(run)),
            None => {
                placeholder = Trace::new("");
                (
                    diagram::layout::flow_rows(&placeholder, |_| None),
                    diagram::banner(None, false),
                )
            }
        };
        let total = rows.iter().filter(|r| r.attempt.is_some()).count();
        let mut control = None;
        let mut extra = None;
        let mut play = false;
        match &self.playback {
            Some((_, _, pb)) => {
                playback::reveal(&mut rows, pb.shown);
                let current = rows
                    .get(pb.shown.saturating_sub(1))
                    .map(|r| format!("{}  {}", r.step.letter(), r.step.name()))
                    .unwrap_or_default();
                banner = Banner {
                    text: format!("Playback: {} of {total} — {current}", pb.shown),
                    tone: Tone::Neutral,
                };
                control = playback::bar(ui, pb, total);
            }
            None => {
                if let Some(run) = self.current_run() {
                    (extra, play) = self.run_bar(ui, run, total);
                }
            }
        }
        let pick = self.pick();
        // What the bars took, for the inspector's height in the next frame.
        // The takes, when there is more than the main flow: a list beside the diagram, or in a
        // narrow window a picker above it (the presenter view shows the take chosen before it,
        // with nothing beside it but the narration).
        let mut picked_take = None;
        let several = !self.presenting
            && self
                .current_run()
                .is_some_and(|run| run.takes.all().len() > 1);
        let beside = ui.available_width() >= theme::TAKES_BESIDE_MIN_WIDTH;
        if several
            && !beside
            && let Some(run) = self.current_run()
        {
            picked_take = takes::picker(ui, run, take);
        }
        let bars = ui.cursor().top() - top;
        if several
            && beside
            && let Some(run) = self.current_run()
        {
            egui::Panel::left("takes")
                .resizable(true)
                .default_size(theme::TAKES_WIDTH)
                .max_size(theme::TAKES_MAX_WIDTH)
                .show(ui, |ui| {
                    let reveal = self.take_revealed != self.take;
                    picked_take = takes::list(ui, run, take, reveal, palette);
                });
        }
        let mut prepared = None;
        // Not in the first frame, which is start-up's (the warm-up's frames follow it).
        if self.selected.is_none() && !self.presenting && ui.ctx().cumulative_pass_nr() > 0 {
            // The inspector, when it opens, takes its room from the diagram.
            let open = ui.available_size() - vec2(0.0, self.inspector_room);
            let m = theme::DiagramMetrics::for_size(open);
            let shape = (m.scale.to_bits(), m.compact, rows.len());
            let done = self
                .diagram_prepared
                .as_ref()
                .is_some_and(|(s, text)| *s == shape && *text == banner.text);
            if !done {
                diagram::prepare(ui, &rows, &banner, open);
                prepared = Some((shape, banner.text.clone()));
            }
        }
        let response = diagram::show(ui, &rows, &banner, pick, palette);
        if prepared.is_some() {
            self.diagram_prepared = prepared;
        }
        self.take_revealed = self.take;
        if let Some(((step, attempt), format)) = response.copy {
            self.keep_action(
                ui,
                KeepAction::Copy(format, crate::export::Scope::Step(step, attempt)),
            );
        }
        if let Some((step, attempt)) = response.clicked {
            if pick == Some((step, attempt)) {
                self.selected = None;
            } else {
                self.selected = Some(step);
                self.attempt = attempt;
            }
        }
        if let Some(t) = picked_take {
            self.show_take(t);
        }
        if response.animating {
            ui.ctx().request_repaint_after(theme::ANIMATION_FRAME);
        }
        if (bars - self.diagram_bars).abs() > 0.5 {
            self.diagram_bars = bars;
            // The inspector's room depends on it: lay the window out again with the new value.
            ui.ctx().request_repaint();
        }
        if let Some(step) = extra {
            self.run_extra(step);
        }
        if play {
            let now = ui.input(|i| i.time);
            if let Some(run) = self.current {
                self.playback = Some((run, take, Playback::start(now)));
                self.follow_playback(take);
                ui.ctx().request_repaint();
            }
        }
        if let (Some(control), Some((_, _, pb))) = (control, &mut self.playback) {
            let now = ui.input(|i| i.time);
            if pb.apply(control, now, total) {
                self.follow_playback(take);
            } else {
                self.playback = None;
            }
            ui.ctx().request_repaint();
        }
    }

    /// Moves the playback on by the clock, asking for a repaint when the next arrow is due. A
    /// playback is of one take of one run: another on screen ends it.
    fn playback_tick(&mut self, ui: &Ui, take: usize) {
        if self
            .playback
            .as_ref()
            .is_some_and(|(run, t, _)| self.current != Some(*run) || *t != take)
        {
            self.playback = None;
        }
        if self.playback.is_none() {
            return;
        }
        let total = self.current_run().map_or(0, |run| {
            takes::rows(run, take)
                .iter()
                .filter(|r| r.attempt.is_some())
                .count()
        });
        let Some((_, _, pb)) = &mut self.playback else {
            return;
        };
        let before = pb.shown;
        if let Some(due) = pb.tick(ui.input(|i| i.time), total) {
            ui.ctx().request_repaint_after_secs(due as f32);
        }
        if pb.shown != before {
            self.follow_playback(take);
        }
    }

    /// Selects the arrow the playback showed last, so its narration is beside it.
    fn follow_playback(&mut self, take: usize) {
        let Some((_, _, pb)) = &self.playback else {
            return;
        };
        let last = pb.shown.saturating_sub(1);
        let pick = self.current_run().and_then(|run| {
            takes::rows(run, take)
                .get(last)
                .map(|r| (r.step, r.attempt.map(|(i, _)| i)))
        });
        if let Some((step, attempt)) = pick {
            self.selected = Some(step);
            self.attempt = attempt;
        }
    }

    /// Above a reopened run: where it came from, and the ways to send again — connect it (its
    /// steps are then sent like a live run's) or run its provider anew — with the client secret,
    /// which no file holds.
    fn reopened_bar(&mut self, ui: &mut Ui) -> Option<Again> {
        let run = self.current_run()?;
        let from = run.reopened.clone()?;
        let connected = run.connected;
        let demo = crate::gui::provider::is_demo_run(&run.config);
        let needs_secret = !demo
            && matches!(
                run.config.client_auth,
                crate::protocol::token::ClientAuth::Basic
                    | crate::protocol::token::ClientAuth::Post
            );
        let mut again: Option<fn(ProviderConfig) -> Again> = None;
        ui.horizontal_wrapped(|ui| {
            if connected {
                ui.label(format!("Reopened from {from}, connected: what you send goes to the provider."));
            } else {
                ui.label(format!("Reopened from {from}: nothing is sent until you connect."));
            }
            if needs_secret && !connected {
                let label = ui.label("Client secret:");
                ui.add(
                    egui::TextEdit::singleline(&mut self.rerun_secret)
                        .password(true)
                        .desired_width(160.0),
                )
                .labelled_by(label.id);
            }
            let ready = !needs_secret || !self.rerun_secret.is_empty() || connected;
            let why_not = "Type the client secret first: run files never hold it";
            if !connected
                && ui
                    .add_enabled(ready, egui::Button::new("Connect"))
                    .on_hover_text("Send this run's steps again (edited or not) to its provider; the attempts come after the saved ones")
                    .on_disabled_hover_text(why_not)
                    .clicked()
            {
                again = Some(Again::Connect);
            }
            if ui
                .add_enabled(ready, egui::Button::new("Run this provider again"))
                .on_hover_text("A new run against the same provider and client, with the login as set on the left")
                .on_disabled_hover_text(why_not)
                .clicked()
            {
                again = Some(Again::NewRun);
            }
        });
        // Built only when asked for, not every frame the bar is drawn.
        let again = again?;
        let mut config = self.rerun_config(demo)?;
        if needs_secret && !self.rerun_secret.is_empty() {
            config.client_secret = Some(crate::protocol::secret::Secret::new(std::mem::take(
                &mut self.rerun_secret,
            )));
        }
        Some(again(config))
    }

    /// The settings to send a reopened run's requests with: its own (once connected they hold
    /// the secret typed then), or for a demo run the demo provider running now — that session's
    /// is gone — with the run's client and its known secret.
    fn rerun_config(&self, demo: bool) -> Option<ProviderConfig> {
        let run = &self.current_run()?.config;
        Some(match self.demo() {
            Ok(server) if demo => ProviderConfig {
                name: run.name.clone(),
                client_id: run.client_id.clone(),
                client_secret: crate::demo::client_secret(&run.client_id)
                    .map(crate::protocol::secret::Secret::new),
                client_auth: run.client_auth,
                scope: run.scope.clone(),
                pkce: run.pkce,
                ..ProviderConfig::demo_endpoints(server)
            },
            _ => run.clone(),
        })
    }

    /// The steps a finished run offers after E, as buttons above the diagram.
    /// Above the diagram: Play back (a run that is not busy, with `total` arrows in the take on
    /// screen) and the steps after E (once E brought tokens). Returns the step asked for and
    /// whether to play back.
    fn run_bar(&self, ui: &mut Ui, run: &Run, total: usize) -> (Option<StepId>, bool) {
        let tokens = run.trace.step(StepId::E).outcome().is_ok();
        let busy = run_status::busy(run);
        let can_play = total > 0 && !run.busy();
        if !tokens && !can_play {
            return (None, false);
        }
        let discovered = run.config.needs_discovery();
        let mut clicked = None;
        let mut play = false;
        ui.horizontal_wrapped(|ui| {
            if can_play
                && ui
                    .button("Play back")
                    .on_hover_text("Watch this take again, one arrow at a time, each explained")
                    .clicked()
            {
                play = true;
            }
            if !tokens {
                return;
            }
            ui.label("After E:");
            for (step, available, why_not, what) in [
                (
                    StepId::Refresh,
                    run.trace.issued_refresh_token(),
                    "The provider issued no refresh token in this run (ask for offline_access)",
                    "Trade the refresh token for a new access token (RFC 6749 §6)",
                ),
                (
                    StepId::Introspect,
                    discovered || run.config.introspection_endpoint.is_some(),
                    "This provider has no introspection endpoint",
                    "Ask the authorization server what it knows about the access token (RFC 7662)",
                ),
                (
                    StepId::Revoke,
                    discovered || run.config.revocation_endpoint.is_some(),
                    "This provider has no revocation endpoint",
                    "Revoke the token: afterwards F should fail (RFC 7009)",
                ),
            ] {
                let label = format!("{} {}", step.letter(), step.name());
                let button = ui
                    .add_enabled(available && busy.is_none(), egui::Button::new(label))
                    .on_hover_text(what);
                let button = match busy {
                    _ if !available => button.on_disabled_hover_text(why_not),
                    Some(why) => button.on_disabled_hover_text(why),
                    None => button,
                };
                if button.clicked() {
                    clicked = Some(step);
                }
            }
        });
        (clicked, play)
    }

    fn run_list(&mut self, ui: &mut Ui) {
        let runs = self.bench.as_ref().map_or(&[][..], Workbench::runs);
        if runs.is_empty() {
            ui.weak("No runs yet.");
            return;
        }
        let mut chosen = None;
        for run in runs.iter().rev() {
            let mut label = format!(
                "#{} {} · {}",
                run.id,
                run.trace.provider,
                run_status::status(run)
            );
            if run.reopened.is_some() {
                label.push_str(" · reopened");
            }
            if ui
                .selectable_label(self.current == Some(run.id), label)
                .clicked()
                && self.current != Some(run.id)
            {
                chosen = Some(run.id);
            }
        }
        if chosen.is_some() {
            self.current = chosen;
            self.selected = None;
        }
    }
}

/// What the bar above a reopened run asks for.
enum Again {
    /// Connect the reopened run, to send its steps again with these settings.
    Connect(ProviderConfig),
    /// A new run with these settings.
    NewRun(ProviderConfig),
}

impl eframe::App for OauthvizApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        OauthvizApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let saved = Saved {
            form: self.form.clone(),
            theme: Some(self.theme),
            history_cap: Some(self.keep.cap),
        };
        eframe::set_value(storage, STORAGE_KEY, &saved);
    }
}
