//! The app: owns the engine, the embedded demo provider, the runs and the selection, and lays
//! out the panels. Events from the engine are drained at the start of every frame; the engine
//! wakes the UI with `request_repaint`, so an idle app does not repaint at all.

use egui::{RichText, Theme, Ui};
use serde::{Deserialize, Serialize};

use crate::compare;
use crate::config::ProviderConfig;
use crate::demo::{DemoOptions, DemoServer, Misbehaviour};
use crate::engine::{Command, Engine, ReplayRequest, RunId, RunOptions, UserAgentKind};
use crate::experiments::{Experiment, Finding};
use crate::gui::diagram::{self, Banner, Tone};
use crate::gui::experiments_panel::{self, PanelAction, verdict_word};
use crate::gui::explain::panel as explain_panel;
use crate::gui::format;
use crate::gui::inspector::{self, Inspector};
use crate::gui::provider::ProviderForm;
use crate::gui::provider::login_url;
use crate::gui::provider::profiles::ProfilesPanel;
use crate::gui::theme::{self, Palette};
use crate::profile::ProfileStore;
use crate::trace::{Outcome, StepId, Trace, Update, Verdict};

/// The key of the app's state in eframe's storage.
const STORAGE_KEY: &str = "oauthviz";

/// What survives a restart. Secrets are `#[serde(skip)]` inside the form, so they never reach
/// the file eframe writes.
#[derive(Default, Serialize, Deserialize)]
#[serde(default)]
struct Saved {
    form: ProviderForm,
    theme: Option<Theme>,
}

/// One run and its trace, as the run list shows it.
pub struct Run {
    pub id: RunId,
    pub trace: Trace,
    /// The scripted agent (not a person) is at the login page.
    pub scripted: bool,
    /// What the run was started with (experiments plan and judge from it).
    config: ProviderConfig,
    /// Commands sent to the engine that have not finished yet.
    outstanding: usize,
    /// The experiment being carried out and how many of its commands are still to finish.
    experiment: Option<(Experiment, usize)>,
    /// Verdicts of the experiments run on this run, oldest first.
    pub findings: Vec<Judged>,
    /// What was last sent after the first flow, for the banner.
    activity: Option<Activity>,
    /// Experiments still to run after the current one ("Run all").
    queued: std::collections::VecDeque<Experiment>,
}

/// An experiment's verdict and where its answer is.
pub struct Judged {
    pub experiment: Experiment,
    pub finding: Finding,
    /// The attempt of the judged step that holds the provider's answer (none when the
    /// experiment could not run).
    pub attempt: Option<usize>,
}

impl Judged {
    /// The newest verdict on `experiment` among `findings`.
    pub fn latest(findings: &[Judged], experiment: Experiment) -> Option<&Judged> {
        findings.iter().rev().find(|j| j.experiment == experiment)
    }

    /// "N passed, N warnings, N failed" over the newest verdict of each experiment, or `None`
    /// before any was judged.
    pub fn tally(findings: &[Judged]) -> Option<String> {
        let judged: Vec<&Judged> = Experiment::ALL
            .iter()
            .filter_map(|e| Judged::latest(findings, *e))
            .collect();
        let count = |v: Verdict| judged.iter().filter(|j| j.finding.verdict == v).count();
        (!judged.is_empty()).then(|| {
            format!(
                "{} passed, {} warnings, {} failed",
                count(Verdict::Pass),
                count(Verdict::Warn),
                count(Verdict::Fail)
            )
        })
    }

    fn worst(findings: &[Judged]) -> Option<Verdict> {
        Experiment::ALL
            .iter()
            .filter_map(|e| Judged::latest(findings, *e))
            .map(|j| j.finding.verdict)
            .max()
    }
}

/// Something sent on a run after its first flow.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Activity {
    /// A step sent again (edited or not), or one of the steps after E.
    Sent(StepId),
    Experiment(Experiment),
    /// "Run all experiments".
    AllExperiments,
}

impl Run {
    fn status(&self) -> String {
        let t = &self.trace;
        if self.busy().is_some() {
            return "running…".into();
        }
        if t.ok {
            return format!("ok · {}", format::duration_ms(format::run_duration_ms(t)));
        }
        match t.failed_step {
            Some(step) => format!("failed at {}", step.letter()),
            None if t.succeeded() => "ok".into(),
            None => "cancelled".into(),
        }
    }

    /// Sends `commands` for this run; returns how many of them will report back with a
    /// `Finished` (replays and starts), which is what `outstanding` counts.
    fn send(&mut self, engine: &Engine, commands: Vec<Command>) -> usize {
        let mut reporting = 0;
        for command in commands {
            if matches!(command, Command::Replay { .. } | Command::Start { .. }) {
                reporting += 1;
            }
            engine.send(command);
        }
        self.outstanding += reporting;
        reporting
    }

    /// After a cancel or a new run: the engine dropped this run's queued commands without a
    /// word, so nothing it counted on will report back.
    fn forget_pending(&mut self) {
        self.outstanding = 0;
        self.experiment = None;
        self.queued.clear();
    }

    /// Why nothing new can be sent on this run right now, if something is still going.
    pub fn busy(&self) -> Option<&'static str> {
        if self.experiment.is_some() {
            return Some("An experiment is running…");
        }
        let open = self.trace.steps.iter().any(|s| {
            s.latest()
                .is_some_and(|a| matches!(a.outcome, Outcome::InFlight | Outcome::WaitingForUser))
        });
        (open || self.outstanding > 0 || !self.trace.finished)
            .then_some("Wait for the step in flight to finish, or Cancel it.")
    }

    /// The line above the diagram: after a replay or an experiment, what came of it.
    fn banner(&self) -> Banner {
        let plain = diagram::banner(Some(&self.trace), self.scripted);
        let Some(activity) = self.activity else {
            return plain;
        };
        let waiting = plain.tone == Tone::Attention;
        match activity {
            Activity::Experiment(e) if self.experiment.is_some() => Banner {
                text: format!("Experiment “{}” running…", e.title()),
                tone: if waiting {
                    Tone::Attention
                } else {
                    Tone::Neutral
                },
            },
            Activity::Experiment(e) => match Judged::latest(&self.findings, e) {
                Some(Judged { finding, .. }) => Banner {
                    text: format!(
                        "Experiment “{}”: {} — {}",
                        e.title(),
                        verdict_word(finding.verdict),
                        finding.summary
                    ),
                    tone: match finding.verdict {
                        Verdict::Pass => Tone::Good,
                        Verdict::Warn => Tone::Attention,
                        Verdict::Fail => Tone::Bad,
                    },
                },
                None => plain,
            },
            Activity::AllExperiments => {
                let running = self.busy().is_some() || !self.queued.is_empty();
                let tally = Judged::tally(&self.findings).unwrap_or_default();
                Banner {
                    text: format!(
                        "All experiments{}: {tally}",
                        if running { " (running…)" } else { "" }
                    ),
                    tone: match (running, Judged::worst(&self.findings)) {
                        (true, _) => Tone::Neutral,
                        (false, Some(Verdict::Fail)) => Tone::Bad,
                        (false, Some(Verdict::Warn)) => Tone::Attention,
                        (false, _) => Tone::Good,
                    },
                }
            }
            Activity::Sent(step) if self.busy().is_some() => Banner {
                text: format!("Sending {} again…", step.letter()),
                tone: if waiting {
                    Tone::Attention
                } else {
                    Tone::Neutral
                },
            },
            Activity::Sent(step) => {
                let answer = match step {
                    StepId::A | StepId::B => StepId::C,
                    StepId::D => StepId::E,
                    StepId::F => StepId::G,
                    other => other,
                };
                let outcome = self.trace.step(answer).outcome();
                let status = diagram::layout::Status::of(&outcome);
                let again = if self.trace.step(step).attempts.len() > 1 {
                    " again"
                } else {
                    ""
                };
                let mut text = format!(
                    "Sent {}{again}: {} {}",
                    step.letter(),
                    answer.letter(),
                    status.word()
                );
                if let Some(reason) = outcome.reason() {
                    text.push_str(&format!(" — {reason}"));
                }
                if let (Some(stop), Some(reason)) = (self.trace.failed_step, &self.trace.error)
                    && stop != answer
                {
                    text.push_str(&format!("; then stopped at {}: {reason}", stop.letter()));
                }
                Banner {
                    text,
                    tone: match status {
                        diagram::layout::Status::Ok => Tone::Good,
                        diagram::layout::Status::Failed => Tone::Bad,
                        _ => Tone::Attention,
                    },
                }
            }
        }
    }
}

/// What the right-hand panel shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum SideTab {
    #[default]
    Explain,
    Experiments,
}

pub struct OauthvizApp {
    engine: Result<Engine, String>,
    demo: Result<DemoServer, String>,
    form: ProviderForm,
    profiles: ProfilesPanel,
    theme: Theme,
    runs: Vec<Run>,
    /// Index into `runs` of the run on screen.
    current: Option<usize>,
    selected: Option<StepId>,
    inspector: Inspector,
    next_run: RunId,
    /// Hiding the settings gives a presenter the whole width for the diagram.
    show_settings: bool,
    side_tab: SideTab,
    /// Stop a new run after C, with D prepared for editing (a code can be used once).
    pause_before_token: bool,
    /// The demo provider's switched-on faults.
    misbehaviour: Misbehaviour,
}

impl OauthvizApp {
    /// Builds the app without a window (kittest and the benchmark use this directly): starts the
    /// demo provider on a free port and the engine, restores settings from `storage`.
    pub fn new(storage: Option<&dyn eframe::Storage>, ctx: &egui::Context) -> Self {
        let saved: Saved = storage
            .and_then(|s| eframe::get_value(s, STORAGE_KEY))
            .unwrap_or_default();
        let theme = saved.theme.unwrap_or(Theme::Dark);
        theme::apply_text_sizes(ctx);
        ctx.set_theme(theme);
        let mut form = saved.form;
        form.restore_demo_secret();
        let wake = ctx.clone();
        Self {
            engine: Engine::start(move || wake.request_repaint())
                .map_err(|e| format!("The engine did not start: {e}")),
            demo: DemoServer::start(DemoOptions {
                port: 0,
                ..Default::default()
            })
            .map_err(|e| format!("The demo provider did not start: {e}")),
            form,
            profiles: ProfilesPanel::new(ProfileStore::open_default()),
            theme,
            runs: Vec::new(),
            current: None,
            selected: None,
            inspector: Inspector::default(),
            next_run: 1,
            show_settings: true,
            side_tab: SideTab::default(),
            pause_before_token: false,
            misbehaviour: Misbehaviour::default(),
        }
    }

    /// Keeps provider profiles in `dir` instead of the user's config directory (tests use a
    /// temporary one, so they never touch the real profiles).
    pub fn with_profile_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.profiles = ProfilesPanel::new(Ok(ProfileStore::new(dir)));
        self
    }

    /// The run on screen.
    pub fn current_run(&self) -> Option<&Run> {
        self.current.and_then(|i| self.runs.get(i))
    }

    fn demo(&self) -> Result<&DemoServer, &str> {
        self.demo.as_ref().map_err(String::as_str)
    }

    fn drain_events(&mut self) {
        let Ok(engine) = &self.engine else { return };
        let mut judged_here = None;
        let mut next_experiment = Vec::new();
        while let Some(event) = engine.try_recv() {
            let Some(index) = self.runs.iter().position(|r| r.id == event.run) else {
                continue;
            };
            let run = &mut self.runs[index];
            run.trace.apply(&event.update);
            if !matches!(event.update, Update::Finished { .. }) {
                continue;
            }
            run.outstanding = run.outstanding.saturating_sub(1);
            let judged = match &mut run.experiment {
                Some((experiment, remaining)) => {
                    *remaining = remaining.saturating_sub(1);
                    (*remaining == 0).then_some(*experiment)
                }
                None => None,
            };
            if let Some(experiment) = judged {
                run.experiment = None;
                let finding = experiment.judge(&run.config, &run.trace);
                let attempt =
                    compare::exchange_count(&run.trace, experiment.judged_step()).checked_sub(1);
                run.findings.push(Judged {
                    experiment,
                    finding,
                    attempt,
                });
                if !run.queued.is_empty() {
                    next_experiment.push(index);
                } else if self.current == Some(index)
                    && run.activity != Some(Activity::AllExperiments)
                {
                    judged_here = Some(experiment);
                }
            } else if run.trace.finished
                && run.experiment.is_none()
                && self.current == Some(index)
                && self.selected.is_none()
            {
                // A failure explains itself best with its step already open.
                self.selected = run.trace.failed_step;
            }
        }
        for index in next_experiment {
            self.run_queued(index);
        }
        if let Some(experiment) = judged_here {
            self.show_experiment(experiment);
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
        self.selected = Some(step);
        self.set_activity(Activity::Experiment(experiment));
        match attempt {
            Some(i) if i > 0 => self.inspector.open_comparison(id, step, i - 1, i),
            _ => self.inspector.open(id, step, inspector::Mode::Details),
        }
    }

    /// Sends `commands` for the run on screen, counting what will report back.
    fn send_all(&mut self, commands: Vec<Command>) {
        let (Ok(engine), Some(index)) = (&self.engine, self.current) else {
            return;
        };
        self.runs[index].send(engine, commands);
    }

    fn cancel(&mut self) {
        let Ok(engine) = &self.engine else { return };
        engine.send(Command::Cancel);
        // A cancel drops the queued commands, and says so only for the one in flight.
        self.runs.iter_mut().for_each(Run::forget_pending);
    }

    /// Queues `experiments` on the run on screen and starts the first that can run.
    fn run_experiments(&mut self, experiments: &[Experiment]) {
        let Some(index) = self.current else { return };
        let run = &mut self.runs[index];
        run.queued = experiments.iter().copied().collect();
        run.activity = Some(match experiments {
            [one] => Activity::Experiment(*one),
            _ => Activity::AllExperiments,
        });
        self.run_queued(index);
    }

    /// Starts the next queued experiment of run `index` that can run here; those that cannot
    /// get a verdict saying why.
    fn run_queued(&mut self, index: usize) {
        let (Ok(engine), Some(run)) = (&self.engine, self.runs.get_mut(index)) else {
            return;
        };
        while let Some(experiment) = run.queued.pop_front() {
            match experiment.plan(run.id, &run.config, &run.trace) {
                Ok(commands) => {
                    let count = run.send(engine, commands);
                    run.experiment = Some((experiment, count));
                    if run.activity != Some(Activity::AllExperiments) {
                        run.activity = Some(Activity::Experiment(experiment));
                    }
                    return;
                }
                Err(why) => run.findings.push(Judged {
                    experiment,
                    finding: Finding {
                        verdict: Verdict::Warn,
                        summary: format!("not run: {why}"),
                    },
                    attempt: None,
                }),
            }
        }
    }

    /// Turns what the inspector asked for into engine commands on the run on screen.
    fn inspector_action(&mut self, action: inspector::Action) {
        let Some(run) = self.current_run().map(|r| r.id) else {
            return;
        };
        let replay = |step, request, edits, continue_flow| Command::Replay {
            run,
            step,
            request,
            edits,
            continue_flow,
        };
        let sent = match &action {
            inspector::Action::Send { step, .. } => *step,
            inspector::Action::SendWithFreshCode { .. } => StepId::D,
            inspector::Action::Prepare(_) => StepId::A,
        };
        let commands = match action {
            inspector::Action::Send {
                step,
                request,
                continue_flow,
            } => vec![replay(
                step,
                ReplayRequest::Exact(request),
                Vec::new(),
                continue_flow,
            )],
            inspector::Action::SendWithFreshCode {
                edits,
                continue_flow,
            } => vec![
                replay(StepId::A, ReplayRequest::Default, Vec::new(), false),
                replay(StepId::D, ReplayRequest::Default, edits, continue_flow),
            ],
            inspector::Action::Prepare(step) => {
                if let Ok(engine) = &self.engine {
                    engine.send(Command::Prepare { run, step });
                }
                return;
            }
        };
        self.set_activity(Activity::Sent(sent));
        self.send_all(commands);
    }

    /// Runs one of the steps after E (refresh, revoke, introspect) on the run on screen.
    fn run_extra(&mut self, step: StepId) {
        let Some(run) = self.current_run().map(|r| r.id) else {
            return;
        };
        self.selected = Some(step);
        self.set_activity(Activity::Sent(step));
        self.send_all(vec![Command::Replay {
            run,
            step,
            request: ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: false,
        }]);
    }

    fn set_activity(&mut self, activity: Activity) {
        if let Some(index) = self.current {
            self.runs[index].activity = Some(activity);
        }
    }

    fn start_run(&mut self, config: ProviderConfig) {
        let Ok(engine) = &self.engine else { return };
        let user_agent = self.form.user_agent();
        let scripted = matches!(user_agent, UserAgentKind::Scripted { .. });
        if let Ok(server) = &self.demo {
            server.set_auto_approve(scripted);
        }
        // Starting a run cancels the others, queued commands included.
        self.runs.iter_mut().for_each(Run::forget_pending);
        let id = self.next_run;
        self.next_run += 1;
        self.runs.push(Run {
            id,
            trace: Trace::new(&config.name),
            scripted,
            config: config.clone(),
            outstanding: 1,
            experiment: None,
            findings: Vec::new(),
            activity: None,
            queued: Default::default(),
        });
        self.current = Some(self.runs.len() - 1);
        self.selected = None;
        engine.send(Command::Start {
            run: id,
            provider: Box::new(config),
            options: RunOptions {
                user_agent,
                pause_after: self.pause_before_token.then_some(StepId::C),
                ..Default::default()
            },
        });
    }

    /// The whole UI, in a `Ui` covering the window.
    pub fn ui(&mut self, ui: &mut Ui) {
        self.drain_events();
        self.inspector.begin_frame();
        let palette = Palette::of(self.theme);
        let validation = self.form.config(self.demo());
        let running = self.current_run().is_some_and(|r| r.busy().is_some());

        egui::Panel::top("toolbar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new("oauthviz").heading().strong());
                ui.separator();
                let can_run = validation.is_ok() && self.engine.is_ok();
                let run = ui
                    .add_enabled(
                        can_run,
                        egui::Button::new(
                            RichText::new("Run flow").size(theme::PRIMARY_BUTTON_TEXT),
                        ),
                    )
                    .on_disabled_hover_text("Fix the provider settings marked in red first");
                if run.clicked()
                    && let Ok(config) = &validation
                {
                    self.start_run(config.clone());
                }
                if ui
                    .add_enabled(running, egui::Button::new("Cancel"))
                    .clicked()
                {
                    self.cancel();
                }
                ui.separator();
                ui.toggle_value(&mut self.show_settings, "Settings")
                    .on_hover_text("Show or hide the provider settings and the run list");
                if let Err(e) = &self.engine {
                    ui.label(RichText::new(e).color(palette.error_text));
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
        });

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
                        .show(ui, demo, &mut self.profiles, errors, &palette);
                    ui.add_space(theme::SECTION_GAP);
                    ui.checkbox(
                        &mut self.pause_before_token,
                        "Stop before the token request (D)",
                    )
                    .on_hover_text("The next run stops after C with D prepared: edit it in the inspector before the code is used, then Send again");
                    ui.add_space(theme::SECTION_GAP);
                    ui.heading("Runs");
                    self.run_list(ui);
                });
            });
        self.show_settings = show_settings;

        let mut panel_action = None;
        egui::Panel::right("explain")
            .default_size(theme::RIGHT_PANEL_WIDTH)
            .max_size(theme::MAX_PANEL_WIDTH)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut self.side_tab, SideTab::Explain, "Explain");
                    ui.selectable_value(&mut self.side_tab, SideTab::Experiments, "Experiments")
                        .on_hover_text("One-click replays that check the provider against RFC 6749 and RFC 9700");
                });
                ui.separator();
                match self.side_tab {
                    SideTab::Explain => {
                        let trace = self.current_run().map(|r| &r.trace);
                        explain_panel::show(ui, trace, self.selected, &palette);
                    }
                    SideTab::Experiments => {
                        let run = self.current.and_then(|i| self.runs.get(i));
                        let view = run.map(|r| experiments_panel::RunView {
                            trace: &r.trace,
                            config: &r.config,
                            findings: &r.findings,
                            running: r.experiment.map(|(e, _)| e),
                        });
                        let busy = run.and_then(Run::busy);
                        let demo = (self.form.is_demo() && self.demo.is_ok())
                            .then_some(&mut self.misbehaviour);
                        panel_action = experiments_panel::show(ui, view, busy, demo, &palette);
                    }
                }
            });
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

        if let (Some(step), Some(index)) = (self.selected, self.current) {
            let mut action = None;
            egui::Panel::bottom("inspector")
                .resizable(true)
                .default_size(theme::INSPECTOR_HEIGHT)
                .show(ui, |ui| {
                    let run = &self.runs[index];
                    action =
                        self.inspector
                            .show(ui, run.id, &run.trace, step, run.busy(), &palette);
                });
            if let Some(action) = action {
                self.inspector_action(action);
            }
        }

        egui::CentralPanel::default().show(ui, |ui| {
            let placeholder;
            if let Some(run) = self.current_run().filter(|r| !r.scripted) {
                login_url::show(ui, &run.trace, &palette);
            }
            let (trace, banner) = match self.current_run() {
                Some(run) => (&run.trace, run.banner()),
                None => {
                    placeholder = Trace::new("");
                    (&placeholder, diagram::banner(None, false))
                }
            };
            let extra = self.current_run().map(|run| self.extra_steps_bar(ui, run));
            let response = diagram::show(ui, trace, &banner, self.selected, &palette);
            if let Some(step) = response.clicked {
                self.selected = if self.selected == Some(step) {
                    None
                } else {
                    Some(step)
                };
            }
            if response.animating {
                ui.ctx().request_repaint_after(theme::ANIMATION_FRAME);
            }
            if let Some(Some(step)) = extra {
                self.run_extra(step);
            }
        });
    }

    /// The steps a finished run offers after E, as buttons above the diagram.
    fn extra_steps_bar(&self, ui: &mut Ui, run: &Run) -> Option<StepId> {
        let tokens = run.trace.step(StepId::E).outcome().is_ok();
        if !tokens {
            return None;
        }
        let busy = run.busy();
        let discovered = run.config.needs_discovery();
        let mut clicked = None;
        ui.horizontal_wrapped(|ui| {
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
        clicked
    }

    fn run_list(&mut self, ui: &mut Ui) {
        if self.runs.is_empty() {
            ui.weak("No runs yet.");
            return;
        }
        for (i, run) in self.runs.iter().enumerate().rev() {
            let label = format!("#{} {} · {}", run.id, run.trace.provider, run.status());
            if ui
                .selectable_label(self.current == Some(i), label)
                .clicked()
                && self.current != Some(i)
            {
                self.current = Some(i);
                self.selected = None;
            }
        }
    }
}

impl eframe::App for OauthvizApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        OauthvizApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        let saved = Saved {
            form: self.form.clone(),
            theme: Some(self.theme),
        };
        eframe::set_value(storage, STORAGE_KEY, &saved);
    }
}
