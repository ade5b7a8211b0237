//! The app: owns the engine, the embedded demo provider, the runs and the selection, and lays
//! out the panels. Events from the engine are drained at the start of every frame; the engine
//! wakes the UI with `request_repaint`, so an idle app does not repaint at all.

use egui::{RichText, Theme, Ui};
use serde::{Deserialize, Serialize};

use crate::config::ProviderConfig;
use crate::demo::{DemoOptions, DemoServer};
use crate::engine::{Command, Engine, RunId, RunOptions, UserAgentKind};
use crate::gui::diagram;
use crate::gui::inspector::Inspector;
use crate::gui::login_url;
use crate::gui::profiles_panel::ProfilesPanel;
use crate::gui::provider_panel::ProviderForm;
use crate::gui::theme::{self, Palette};
use crate::gui::{explain_panel, format};
use crate::profile::ProfileStore;
use crate::trace::{StepId, Trace};

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
}

impl Run {
    fn status(&self) -> String {
        let t = &self.trace;
        if !t.finished {
            return "running…".into();
        }
        if t.ok {
            return format!("ok · {}", format::duration_ms(format::run_duration_ms(t)));
        }
        match t.failed_step {
            Some(step) => format!("failed at {}", step.letter()),
            None => "cancelled".into(),
        }
    }
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
        while let Some(event) = engine.try_recv() {
            let Some(index) = self.runs.iter().position(|r| r.id == event.run) else {
                continue;
            };
            let trace = &mut self.runs[index].trace;
            trace.apply(&event.update);
            // A failure explains itself best with its step already open.
            if trace.finished && self.current == Some(index) && self.selected.is_none() {
                self.selected = trace.failed_step;
            }
        }
    }

    fn start_run(&mut self, config: ProviderConfig) {
        let Ok(engine) = &self.engine else { return };
        let user_agent = self.form.user_agent();
        let scripted = matches!(user_agent, UserAgentKind::Scripted { .. });
        if let Ok(server) = &self.demo {
            server.set_auto_approve(scripted);
        }
        let id = self.next_run;
        self.next_run += 1;
        self.runs.push(Run {
            id,
            trace: Trace::new(&config.name),
            scripted,
        });
        self.current = Some(self.runs.len() - 1);
        self.selected = None;
        engine.send(Command::Start {
            run: id,
            provider: Box::new(config),
            options: RunOptions {
                user_agent,
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
        let running = self.current_run().is_some_and(|r| !r.trace.finished);

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
                    && let Ok(engine) = &self.engine
                {
                    engine.send(Command::Cancel);
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
                    ui.heading("Runs");
                    self.run_list(ui);
                });
            });
        self.show_settings = show_settings;

        egui::Panel::right("explain")
            .default_size(theme::RIGHT_PANEL_WIDTH)
            .max_size(theme::MAX_PANEL_WIDTH)
            .show(ui, |ui| {
                let trace = self.current_run().map(|r| &r.trace);
                explain_panel::show(ui, trace, self.selected, &palette);
            });

        if let (Some(step), Some(index)) = (self.selected, self.current) {
            egui::Panel::bottom("inspector")
                .resizable(true)
                .default_size(theme::INSPECTOR_HEIGHT)
                .show(ui, |ui| {
                    let run = &self.runs[index];
                    self.inspector.show(ui, run.id, &run.trace, step, &palette);
                });
        }

        egui::CentralPanel::default().show(ui, |ui| {
            let placeholder;
            if let Some(run) = self.current_run().filter(|r| !r.scripted) {
                login_url::show(ui, &run.trace, &palette);
            }
            let (trace, banner) = match self.current_run() {
                Some(run) => (&run.trace, diagram::banner(Some(&run.trace), run.scripted)),
                None => {
                    placeholder = Trace::new("");
                    (&placeholder, diagram::banner(None, false))
                }
            };
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
        });
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
