//! Keeping runs in the window: the File menu (open, save, export, copy), the dialog that asks
//! where to write and whether to include secrets, files dropped on the window, and the history
//! of earlier runs below the run list.

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::export::{Format, Scope};
use crate::gui::theme::{self, Palette};
use crate::keep::SecretsIn;
use crate::keep::history::{self, Entry, History};

/// What the user asked for; the app carries it out on the run on screen.
#[derive(Clone, Debug, PartialEq)]
pub enum KeepAction {
    Open(PathBuf),
    Write {
        format: Format,
        path: PathBuf,
        secrets: SecretsIn,
    },
    /// Onto the clipboard, masked: the run, or one step of it (the arrow's menu).
    Copy(Format, Scope),
    Reopen(Entry),
    ClearHistory,
    CapChanged,
}

/// An open dialog.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dialog {
    Open,
    Write(Format),
}

pub struct KeepState {
    dialog: Option<Dialog>,
    path: String,
    open_path: String,
    include_secrets: bool,
    /// How the last open, save, export or copy went, for the line under the toolbar.
    pub message: Option<Result<String, String>>,
    /// Where finished runs are kept; none in tests that do not ask for one.
    pub history: Option<History>,
    /// Writes finished runs into the history off the UI thread.
    pub writer: Option<history::Writer>,
    pub entries: Vec<Entry>,
    pub cap: usize,
}

impl Default for KeepState {
    fn default() -> Self {
        KeepState {
            dialog: None,
            path: String::new(),
            open_path: String::new(),
            include_secrets: false,
            message: None,
            history: None,
            writer: None,
            entries: Vec::new(),
            cap: history::DEFAULT_CAP,
        }
    }
}

impl KeepState {
    /// Keeps finished runs in `history`, listing what it already holds; `wake` repaints when
    /// a run has been kept.
    pub fn with_history(mut self, history: History, wake: egui::Context) -> Self {
        match history.list() {
            Ok(entries) => self.entries = entries,
            Err(e) => self.message = Some(Err(e)),
        }
        self.writer = Some(history.writer(move || wake.request_repaint()));
        self.history = Some(history);
        self
    }

    /// Takes in what the history writer finished.
    pub fn collect(&mut self) {
        let Some(writer) = &self.writer else { return };
        for done in writer.done() {
            match done {
                Ok(entries) => self.entries = entries,
                Err(e) => {
                    self.message = Some(Err(format!("The run was not kept in the history: {e}")));
                }
            }
        }
    }
}

/// The File menu, in the toolbar. `run` names the run on screen (what Save and Export write).
pub fn menu(ui: &mut Ui, state: &mut KeepState, run: Option<&str>) -> Option<KeepAction> {
    let mut action = None;
    ui.menu_button("File", |ui| {
        if ui.button("Open run…").clicked() {
            state.dialog = Some(Dialog::Open);
            ui.close();
        }
        ui.separator();
        let has_run = run.is_some();
        for format in Format::ALL {
            let label = match format {
                Format::Run => "Save run…".to_owned(),
                f => format!("Export {}…", f.title()),
            };
            if ui
                .add_enabled(has_run, egui::Button::new(label))
                .on_disabled_hover_text("Run a flow (or open a run) first")
                .clicked()
            {
                state.dialog = Some(Dialog::Write(format));
                state.path = default_path(run.unwrap_or("run"), format);
                ui.close();
            }
        }
        ui.separator();
        for (format, label) in [
            (Format::Mermaid, "Copy Mermaid diagram"),
            (Format::Markdown, "Copy Markdown report"),
            (Format::Curl, "Copy every request as curl"),
        ] {
            if ui.add_enabled(has_run, egui::Button::new(label)).clicked() {
                action = Some(KeepAction::Copy(format, Scope::Run));
                ui.close();
            }
        }
    });
    action.or_else(|| dialog(ui, state))
}

fn dialog(ui: &mut Ui, state: &mut KeepState) -> Option<KeepAction> {
    let dialog = state.dialog?;
    let mut action = None;
    let mut open = true;
    let title = match dialog {
        Dialog::Open => "Open a run".to_owned(),
        Dialog::Write(Format::Run) => "Save run".to_owned(),
        Dialog::Write(f) => format!("Export: {}", f.title()),
    };
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        // Over the diagram, not over the toolbar it was opened from.
        .anchor(egui::Align2::CENTER_TOP, [0.0, 80.0])
        .min_width(theme::PATH_FIELD_WIDTH + 16.0)
        .show(ui.ctx(), |ui| match dialog {
            Dialog::Open => {
                ui.label("A run file saved by oauthviz (*.oauthviz.json). You can also drop one on the window.");
                let label = ui.label("Run file");
                ui.add(
                    egui::TextEdit::singleline(&mut state.open_path)
                        .hint_text("/path/to/run.oauthviz.json")
                        .desired_width(theme::PATH_FIELD_WIDTH),
                )
                .labelled_by(label.id);
                if ui.button("Open").clicked() && !state.open_path.trim().is_empty() {
                    action = Some(KeepAction::Open(PathBuf::from(state.open_path.trim())));
                }
            }
            Dialog::Write(format) => {
                let label = ui.label("Write to");
                ui.add(
                    egui::TextEdit::singleline(&mut state.path)
                        .desired_width(theme::PATH_FIELD_WIDTH),
                )
                .labelled_by(label.id);
                ui.checkbox(&mut state.include_secrets, "Include secrets and tokens")
                    .on_hover_text(
                        "Codes, tokens and passwords as they were. The client secret is never written. The file is owner-only either way.",
                    );
                let verb = if format == Format::Run { "Save" } else { "Export" };
                if ui.button(verb).clicked() && !state.path.trim().is_empty() {
                    action = Some(KeepAction::Write {
                        format,
                        path: PathBuf::from(state.path.trim()),
                        secrets: if state.include_secrets {
                            SecretsIn::Included
                        } else {
                            SecretsIn::Masked
                        },
                    });
                }
            }
        });
    if !open || action.is_some() {
        state.dialog = None;
    }
    action
}

/// How the last keep action went, under the toolbar; the whole message, wrapped.
pub fn message(ui: &mut Ui, state: &mut KeepState, palette: &Palette) {
    let Some(result) = &state.message else {
        return;
    };
    let mut dismissed = false;
    ui.horizontal_wrapped(|ui| {
        match result {
            Ok(done) => ui.label(RichText::new(done).color(palette.ok)),
            Err(e) => ui.label(RichText::new(e).color(palette.error_text)),
        };
        dismissed = ui.small_button("Dismiss").clicked();
    });
    if dismissed {
        state.message = None;
    }
}

/// The earlier runs, below the run list: each reopens on a click.
pub fn history_list(ui: &mut Ui, state: &mut KeepState) -> Option<KeepAction> {
    state.history.as_ref()?;
    let mut action = None;
    ui.add_space(theme::SECTION_GAP);
    ui.heading("Earlier runs");
    if state.entries.is_empty() {
        ui.weak("Finished runs are kept here (secrets masked).");
    }
    for entry in &state.entries {
        let when = entry
            .started_at
            .get(..16)
            .unwrap_or(&entry.started_at)
            .replace('T', " ");
        // The index keeps UTC: say so, a list of bare times reads as local.
        let label = format!("{when} UTC {} · {}", entry.provider, entry.status);
        if ui.selectable_label(false, label).clicked() {
            action = Some(KeepAction::Reopen(entry.clone()));
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Keep");
        let cap = ui
            .add(egui::DragValue::new(&mut state.cap).range(1..=1000))
            .labelled_by(label.id);
        // Once the drag ends, not every frame of it: applying the cap reads and writes files.
        if cap.drag_stopped() || (cap.changed() && !cap.dragged()) {
            action = Some(KeepAction::CapChanged);
        }
        ui.label("runs");
        if ui
            .add_enabled(
                !state.entries.is_empty(),
                egui::Button::new("Clear history"),
            )
            .clicked()
        {
            action = Some(KeepAction::ClearHistory);
        }
    });
    action
}

/// Files dropped on the window this frame.
pub fn dropped(ui: &Ui) -> Vec<PathBuf> {
    ui.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .collect()
    })
}

/// `~/Documents/oauthviz-demo-20261203-0640.har`: where a save or an export goes unless the
/// user types another path.
fn default_path(provider: &str, format: Format) -> String {
    let stamp = crate::timestamp::rfc3339_ms(crate::timestamp::now_ms());
    let stamp: String = stamp
        .chars()
        .filter(char::is_ascii_digit)
        .take(12)
        .collect();
    let name = crate::keep::file_name_part(provider);
    in_documents(&format!("oauthviz-{name}-{stamp}{}", format.extension()))
}

/// `file` in the user's Documents folder (or home directory): where files the user writes go
/// unless they type another path.
pub fn in_documents(file: &str) -> String {
    let dir = directories::UserDirs::new().and_then(|d| {
        d.document_dir()
            .map(std::path::Path::to_path_buf)
            .or_else(|| Some(d.home_dir().to_path_buf()))
    });
    match dir {
        Some(d) => d.join(file).display().to_string(),
        None => file.to_owned(),
    }
}
