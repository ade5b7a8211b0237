//! "Your provider": the saved profiles (list, new, new from preset, duplicate, delete), the
//! profile being edited with its unsaved changes marked, its quirks, and the form.
//!
//! What the user wrote is never lost: a file that does not parse is listed with its error and
//! only deleted after an explicit confirmation, switching away from unsaved changes asks first,
//! and deleting a profile leaves its values in the form, so Save brings it back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use egui::{Key, Modal, RichText, TextEdit, Ui};
use serde::{Deserialize, Serialize};

use crate::config::Field;
use crate::gui::form_widgets::{field_error, note};
use crate::gui::provider::discovery::{self, Discovery};
use crate::gui::provider::form::{self, FormState, ProfileFields};
use crate::gui::provider::presets::{PresetDialog, PresetOutcome, free_name};
use crate::gui::theme::{self, Palette};
use crate::profile::{Listed, Profile, ProfileStore};
use crate::protocol::pkce::PkceMethod;
use crate::workbench::Discovered;

/// The profile in the form. Persisted with the app's settings (without the secret), so a
/// restart comes back to it; what its file holds is read again then.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileEditor {
    /// The name Save writes it under; empty until it has one.
    pub name: String,
    /// The store's profile these values came from or were last saved to.
    pub saved_as: Option<String>,
    pub fields: ProfileFields,
    /// What that file holds, to mark unsaved changes.
    #[serde(skip)]
    baseline: Option<ProfileFields>,
}

impl ProfileEditor {
    fn loaded(name: &str, profile: &Profile) -> Self {
        let fields = ProfileFields::from_profile(profile);
        Self {
            name: name.to_owned(),
            saved_as: Some(name.to_owned()),
            baseline: Some(fields.clone()),
            fields,
        }
    }

    /// Whether Save would write something other than what the file holds (for a profile never
    /// saved: whether anything was entered at all).
    pub fn is_dirty(&self) -> bool {
        let reference = match (&self.baseline, &self.saved_as) {
            (Some(b), _) => b.saved_view(),
            // Not read back yet after a restart: nothing to compare with.
            (None, Some(_)) => return false,
            (None, None) => ProfileFields::default(),
        };
        self.fields.saved_view() != reference || (self.saved_as.is_none() && !self.name.is_empty())
    }
}

/// An action that replaces the form, held while the user decides about unsaved changes.
enum Replace {
    Load(String),
    Blank,
    Preset,
    Duplicate,
}

enum NameAction {
    SaveAs,
    Duplicate,
}

enum Dialog {
    Preset(PresetDialog),
    Name {
        action: NameAction,
        name: String,
        error: Option<String>,
    },
    Delete {
        name: String,
        path: PathBuf,
        malformed: bool,
    },
    Discard(Replace),
}

/// The last action's result, shown under the profile buttons.
enum Status {
    Done(String),
    Failed(String),
}

pub struct ProfilesPanel {
    store: Result<ProfileStore, String>,
    /// `None` until the panel is first shown: the app starts without touching the disk.
    listed: Option<Vec<Listed>>,
    dialog: Option<Dialog>,
    status: Option<Status>,
    discovery: Discovery,
    /// What the last discovery filled, for the note under the issuer.
    discovery_note: String,
    /// Secrets typed this session for profiles that do not store theirs, by profile name, so
    /// switching profiles does not make the user type them again.
    session_secrets: HashMap<String, String>,
}

impl ProfilesPanel {
    pub fn new(store: Result<ProfileStore, String>) -> Self {
        Self {
            store,
            listed: None,
            dialog: None,
            status: None,
            discovery: Discovery::default(),
            discovery_note: String::new(),
            session_secrets: HashMap::new(),
        }
    }

    /// The issuer whose metadata the user asked for since the last call, for the app to
    /// send through the workbench.
    pub fn take_discovery_request(&mut self) -> Option<String> {
        self.discovery.take_request()
    }

    /// Takes in a finished discovery: when it is for the issuer in the form, the endpoints left
    /// empty are filled from it.
    pub fn discovered(&mut self, discovered: Discovered, editor: &mut ProfileEditor) {
        let for_form = discovered.issuer == editor.fields.issuer.trim();
        if let Some(meta) = self.discovery.receive(discovered)
            && for_form
        {
            let filled = editor.fields.apply_metadata(meta);
            self.discovery_note = match filled {
                0 => "Discovered; every endpoint was already set, so yours are kept.".into(),
                n => format!("Discovered; filled {n} empty endpoint(s)."),
            };
        }
    }

    fn taken(&self, name: &str) -> bool {
        self.store.as_ref().is_ok_and(|s| s.exists(name))
    }

    /// Reads the store again; the profile in the form gets its file's values as the reference
    /// for unsaved changes (and its stored secret back after a restart).
    fn refresh(&mut self, editor: &mut ProfileEditor) {
        let Ok(store) = &self.store else {
            self.listed = Some(Vec::new());
            return;
        };
        let listed = store.list();
        if let (Some(name), None) = (&editor.saved_as, &editor.baseline) {
            match listed.iter().flatten().find(|(n, _)| n == name) {
                Some((_, profile)) => {
                    let baseline = ProfileFields::from_profile(profile);
                    if editor.fields.client_secret.is_empty() {
                        baseline
                            .client_secret
                            .clone_into(&mut editor.fields.client_secret);
                    }
                    editor.baseline = Some(baseline);
                }
                None if !store.exists(name) => {
                    self.status = Some(Status::Failed(format!(
                        "The profile '{name}' is no longer in {}: Save writes it again.",
                        store.dir().display()
                    )));
                    editor.saved_as = None;
                }
                // A file that no longer parses: listed with its error; Save refuses to replace it.
                None => {}
            }
        }
        self.listed = Some(listed);
    }

    /// The panel for "Your provider". `errors` are the form's validation messages.
    pub fn show(
        &mut self,
        ui: &mut Ui,
        editor: &mut ProfileEditor,
        show_secret: &mut bool,
        errors: &[(Field, String)],
        palette: &Palette,
    ) {
        if self.listed.is_none() {
            self.refresh(editor);
        }
        self.list_ui(ui, editor, palette);
        ui.separator();
        self.header_ui(ui, editor, palette);
        form::quirks_ui(ui, &editor.fields.quirks, palette);
        ui.add_space(theme::ITEM_GAP);

        // A blank new profile is not wrong yet: red appears once something is typed (the line
        // by the Run button still says what is missing).
        let untouched = editor.saved_as.is_none() && editor.fields == ProfileFields::default();
        let errors = if untouched {
            ui.weak("Fill in an issuer (and Discover) or the endpoints, then the client.");
            &[][..]
        } else {
            errors
        };
        let fields = &mut editor.fields;
        let discovered = self.discovery.result_for(&fields.issuer);
        let hints = match discovered.map(|d| &d.metadata) {
            Some(Ok(meta)) => Some(discovery::hints(
                meta,
                &fields.scope,
                PkceMethod::parse(&fields.pkce).ok(),
                fields.auth_method(),
            )),
            _ => None,
        };
        let mut form = FormState {
            errors,
            discovering: self.discovery.is_running_for(&fields.issuer),
            discovered,
            discovery_note: &self.discovery_note,
            hints: hints.as_ref(),
            show_secret,
        };
        ui.label(RichText::new("Endpoints").strong());
        let discover = fields.endpoints_ui(ui, &form, palette);
        ui.add_space(theme::ITEM_GAP);
        ui.label(RichText::new("Client").strong());
        fields.client_ui(ui, &mut form, palette);
        if discover {
            self.discovery.request(&fields.issuer);
        }
        self.dialogs(ui.ctx(), editor, palette);
    }

    fn list_ui(&mut self, ui: &mut Ui, editor: &mut ProfileEditor, palette: &Palette) {
        ui.label(RichText::new("Profiles").strong());
        if let Err(e) = &self.store {
            note(ui, e, palette.error_text);
        }
        let listed = self.listed.as_deref().unwrap_or_default();
        let (clicked, delete_file) = entries_ui(ui, listed, editor, palette);
        if let Some(name) = clicked {
            self.replace(editor, Replace::Load(name));
        }
        if let Some((name, path, malformed)) = delete_file {
            self.dialog = Some(Dialog::Delete {
                name,
                path,
                malformed,
            });
        }
        self.list_buttons_ui(ui, editor);
        if let Ok(store) = &self.store {
            ui.horizontal_wrapped(|ui| {
                note(
                    ui,
                    &format!("Folder: {}", store.dir().display()),
                    palette.weak_text,
                );
                if ui.small_button("Open folder").clicked() {
                    open_folder(store.dir().to_owned());
                }
            });
        }
        match &self.status {
            Some(Status::Done(s)) => note(ui, s, palette.ok),
            Some(Status::Failed(s)) => note(ui, s, palette.error_text),
            None => {}
        }
    }

    /// New from preset, New, Duplicate, Delete and Reload.
    fn list_buttons_ui(&mut self, ui: &mut Ui, editor: &mut ProfileEditor) {
        ui.horizontal_wrapped(|ui| {
            if ui.button("New from preset…").clicked() {
                self.replace(editor, Replace::Preset);
            }
            if ui.button("New").on_hover_text("A blank profile").clicked() {
                self.replace(editor, Replace::Blank);
            }
            let saved = editor.saved_as.clone();
            if ui
                .add_enabled(saved.is_some(), egui::Button::new("Duplicate…"))
                .on_hover_text("Copy the saved profile file under a new name")
                .clicked()
            {
                self.replace(editor, Replace::Duplicate);
            }
            if ui
                .add_enabled(saved.is_some(), egui::Button::new("Delete…"))
                .clicked()
                && let (Some(name), Ok(store)) = (saved, &self.store)
                && let Ok(path) = store.path_of(&name)
            {
                self.dialog = Some(Dialog::Delete {
                    name,
                    path,
                    malformed: false,
                });
            }
            if ui
                .button("Reload")
                .on_hover_text("Read the profile folder again (after editing a file by hand)")
                .clicked()
            {
                self.refresh(editor);
                // Clean values in the form are the file's: show what it holds now.
                if let Some(name) = editor.saved_as.clone().filter(|_| !editor.is_dirty()) {
                    self.load(editor, &name);
                }
            }
        });
    }

    fn header_ui(&mut self, ui: &mut Ui, editor: &mut ProfileEditor, palette: &Palette) {
        let title = if editor.name.is_empty() {
            "New profile (not saved)".to_owned()
        } else {
            format!("Profile: {}", editor.name)
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(title).heading());
            if editor.is_dirty() {
                ui.label(RichText::new("• unsaved changes").color(palette.warning));
            }
        });
        if let Some(preset) = editor
            .fields
            .preset
            .as_deref()
            .and_then(crate::profile::presets::find)
        {
            note(
                ui,
                &format!("From the {} preset.", preset.display_name),
                palette.weak_text,
            );
        }
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                self.save(editor);
            }
            if ui.button("Save as…").clicked() {
                self.dialog = Some(Dialog::Name {
                    action: NameAction::SaveAs,
                    name: free_name(
                        if editor.name.is_empty() {
                            "my-provider"
                        } else {
                            &editor.name
                        },
                        |n| self.taken(n),
                    ),
                    error: None,
                });
            }
        });
    }

    /// Replaces the form with `action`'s result, asking first when it holds unsaved changes.
    fn replace(&mut self, editor: &mut ProfileEditor, action: Replace) {
        if editor.is_dirty() {
            self.dialog = Some(Dialog::Discard(action));
        } else {
            self.perform(editor, action);
        }
    }

    fn perform(&mut self, editor: &mut ProfileEditor, action: Replace) {
        self.status = None;
        match action {
            Replace::Load(name) => self.load(editor, &name),
            Replace::Blank => self.set(editor, ProfileEditor::default()),
            Replace::Preset => self.dialog = Some(Dialog::Preset(PresetDialog::default())),
            Replace::Duplicate => {
                let base = editor.saved_as.clone().unwrap_or_default();
                self.dialog = Some(Dialog::Name {
                    action: NameAction::Duplicate,
                    name: free_name(&format!("{base}-copy"), |n| self.taken(n)),
                    error: None,
                });
            }
        }
    }

    /// Puts `next` in the form, keeping the outgoing profile's session secret for later.
    fn set(&mut self, editor: &mut ProfileEditor, mut next: ProfileEditor) {
        if let Some(name) = &editor.saved_as
            && !editor.fields.store_secret
            && !editor.fields.client_secret.is_empty()
        {
            self.session_secrets
                .insert(name.clone(), editor.fields.client_secret.clone());
        }
        if next.fields.client_secret.is_empty()
            && let Some(secret) = next
                .saved_as
                .as_ref()
                .and_then(|n| self.session_secrets.get(n))
        {
            secret.clone_into(&mut next.fields.client_secret);
        }
        *editor = next;
    }

    fn load(&mut self, editor: &mut ProfileEditor, name: &str) {
        let Ok(store) = &self.store else { return };
        match store.load(name) {
            Ok(profile) => self.set(editor, ProfileEditor::loaded(name, &profile)),
            Err(e) => self.status = Some(Status::Failed(e.to_string())),
        }
    }

    fn save(&mut self, editor: &mut ProfileEditor) {
        if editor.name.is_empty() {
            self.dialog = Some(Dialog::Name {
                action: NameAction::SaveAs,
                name: free_name("my-provider", |n| self.taken(n)),
                error: None,
            });
            return;
        }
        let name = editor.name.clone();
        if let Err(e) = self.write(editor, &name) {
            self.status = Some(Status::Failed(e));
        }
    }

    /// Writes the form as `name`: over its own file, or as a new file that must not exist yet.
    fn write(&mut self, editor: &mut ProfileEditor, name: &str) -> Result<(), String> {
        let store = self.store.as_ref()?;
        let profile = editor.fields.to_profile(name);
        let choice = editor.fields.secret_choice();
        let path = if editor.saved_as.as_deref() == Some(name) {
            store.save(&profile, choice)?
        } else {
            store.create(&profile, choice)?
        };
        editor.name = name.to_owned();
        editor.saved_as = Some(name.to_owned());
        editor.baseline = Some(editor.fields.clone());
        self.status = Some(Status::Done(format!("Saved to {}", path.display())));
        self.refresh(editor);
        Ok(())
    }

    fn duplicate(&mut self, editor: &mut ProfileEditor, new_name: &str) -> Result<(), String> {
        let (Ok(store), Some(from)) = (&self.store, editor.saved_as.clone()) else {
            return Ok(());
        };
        store.duplicate(&from, new_name)?;
        self.refresh(editor);
        self.load(editor, new_name);
        self.status = Some(Status::Done(format!("Copied '{from}' to '{new_name}'.")));
        Ok(())
    }

    fn delete(&mut self, editor: &mut ProfileEditor, name: &str, malformed: bool) {
        let Ok(store) = &self.store else { return };
        let deleted = if malformed {
            store.force_delete(name)
        } else {
            store.delete(name)
        };
        self.status = Some(match deleted {
            Ok(()) if editor.saved_as.as_deref() == Some(name) => {
                editor.saved_as = None;
                editor.baseline = None;
                Status::Done(format!(
                    "Deleted '{name}'. Its values are still in the form: Save writes them again."
                ))
            }
            Ok(()) => Status::Done(format!("Deleted the file of '{name}'.")),
            Err(e) => Status::Failed(e.to_string()),
        });
        self.refresh(editor);
    }

    fn dialogs(&mut self, ctx: &egui::Context, editor: &mut ProfileEditor, palette: &Palette) {
        let Some(mut dialog) = self.dialog.take() else {
            return;
        };
        let escape = ctx.input(|i| i.key_pressed(Key::Escape));
        let keep = match &mut dialog {
            Dialog::Preset(d) => self.preset_dialog(ctx, d, editor, palette),
            Dialog::Name {
                action,
                name,
                error,
            } => match name_modal(ctx, action, name, error.as_deref(), palette) {
                Some(true) => {
                    let new = name.trim().to_owned();
                    let done = match action {
                        NameAction::SaveAs => self.write(editor, &new),
                        NameAction::Duplicate => self.duplicate(editor, &new),
                    };
                    match done {
                        Ok(()) => false,
                        Err(e) => {
                            *error = Some(e);
                            true
                        }
                    }
                }
                Some(false) => false,
                None => !escape,
            },
            Dialog::Delete {
                name,
                path,
                malformed,
            } => {
                let choice = delete_modal(ctx, name, path, *malformed, palette);
                if choice == Some(true) {
                    let (name, malformed) = (name.clone(), *malformed);
                    self.delete(editor, &name, malformed);
                }
                choice.is_none() && !escape
            }
            Dialog::Discard(_) => {
                let choice = discard_modal(ctx, editor);
                if choice == Some(true)
                    && let Dialog::Discard(action) = dialog
                {
                    self.perform(editor, action);
                    return;
                }
                choice.is_none() && !escape
            }
        };
        // An action inside may have opened the next dialog (Discard → Preset); it wins.
        if keep && self.dialog.is_none() {
            self.dialog = Some(dialog);
        }
    }

    /// The preset dialog for one frame; `false` once it is closed or has made a profile.
    fn preset_dialog(
        &mut self,
        ctx: &egui::Context,
        dialog: &mut PresetDialog,
        editor: &mut ProfileEditor,
        palette: &Palette,
    ) -> bool {
        match dialog.show(ctx, |n| self.taken(n), palette) {
            PresetOutcome::Open => true,
            PresetOutcome::Closed => false,
            PresetOutcome::Created(profile) => {
                // The form was checked for unsaved changes before the dialog opened; the
                // new profile is unsaved until the user saves it.
                let fields = ProfileFields::from_profile(&profile);
                self.set(
                    editor,
                    ProfileEditor {
                        name: profile.name,
                        saved_as: None,
                        fields,
                        baseline: None,
                    },
                );
                false
            }
        }
    }
}

/// The saved profiles, one row each, and the files that cannot be read, with what is wrong.
/// Returns the profile clicked (to load) and the file asked to be deleted, if any.
fn entries_ui(
    ui: &mut Ui,
    listed: &[Listed],
    editor: &ProfileEditor,
    palette: &Palette,
) -> (Option<String>, Option<(String, PathBuf, bool)>) {
    let mut clicked = None;
    let mut delete_file = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        if listed.is_empty() {
            ui.weak("No saved profiles yet: start from a preset or a blank form.");
        }
        for entry in listed {
            match entry {
                Ok((name, profile)) => {
                    let selected = editor.saved_as.as_deref() == Some(name.as_str());
                    ui.horizontal(|ui| {
                        if ui.selectable_label(selected, name.as_str()).clicked() && !selected {
                            clicked = Some(name.clone());
                        }
                        if let Some(preset) = profile
                            .preset
                            .as_deref()
                            .and_then(crate::profile::presets::find)
                        {
                            ui.weak(format!("{} preset", preset.display_name));
                        }
                    });
                }
                Err(e) => {
                    let name = e.name().unwrap_or_default();
                    ui.label(
                        RichText::new(format!("{name}: cannot be read")).color(palette.error_text),
                    );
                    note(ui, &e.to_string(), palette.error_text);
                    if let Some(path) = e.path() {
                        ui.horizontal(|ui| {
                            if ui.small_button("Copy path").clicked() {
                                ui.ctx().copy_text(path.display().to_string());
                            }
                            if ui.small_button("Delete file…").clicked() {
                                delete_file =
                                    Some((name.clone(), path.to_owned(), e.is_malformed()));
                            }
                        });
                    }
                }
            }
        }
    });
    (clicked, delete_file)
}

/// Asks for a profile name (Save as, Duplicate): `Some(true)` to go ahead, `Some(false)` to
/// close, `None` while it stays open.
fn name_modal(
    ctx: &egui::Context,
    action: &NameAction,
    name: &mut String,
    error: Option<&str>,
    palette: &Palette,
) -> Option<bool> {
    let (title, confirm) = match action {
        NameAction::SaveAs => ("Save the profile under a new name", "Save under this name"),
        NameAction::Duplicate => ("Duplicate the saved profile file as", "Duplicate"),
    };
    let mut choice = None;
    Modal::new(egui::Id::unique("profile_name")).show(ctx, |ui| {
        ui.set_width(360.0);
        ui.heading(title);
        let label = ui.label("New profile name");
        let edit = ui
            .add(TextEdit::singleline(name).desired_width(ui.available_width()))
            .labelled_by(label.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        field_error(ui, error, palette);
        ui.horizontal(|ui| {
            if ui.button(confirm).clicked() || enter {
                choice = Some(true);
            }
            if ui.button("Close").clicked() {
                choice = Some(false);
            }
        });
    });
    choice
}

/// Asks before deleting a profile's file: `Some(true)` to delete, `Some(false)` not to.
fn delete_modal(
    ctx: &egui::Context,
    name: &str,
    path: &Path,
    malformed: bool,
    palette: &Palette,
) -> Option<bool> {
    let mut choice = None;
    Modal::new(egui::Id::unique("profile_delete")).show(ctx, |ui| {
        ui.set_width(420.0);
        ui.heading(format!("Delete the profile '{name}'?"));
        ui.label(format!("This deletes {}.", path.display()));
        if malformed {
            ui.label(
                RichText::new(
                    "The file cannot be read as a profile, so what it holds cannot be \
                     shown here: it is lost once deleted.",
                )
                .color(palette.error_text),
            );
        }
        ui.horizontal(|ui| {
            if ui.button("Delete").clicked() {
                choice = Some(true);
            }
            if ui.button("Don't delete").clicked() {
                choice = Some(false);
            }
        });
    });
    choice
}

/// Asks before unsaved changes are dropped: `Some(true)` to discard them, `Some(false)` to
/// keep editing.
fn discard_modal(ctx: &egui::Context, editor: &ProfileEditor) -> Option<bool> {
    let mut choice = None;
    Modal::new(egui::Id::unique("profile_discard")).show(ctx, |ui| {
        ui.set_width(380.0);
        let what = if editor.name.is_empty() {
            "The new profile".to_owned()
        } else {
            format!("'{}'", editor.name)
        };
        ui.heading(format!("{what} has unsaved changes"));
        ui.label("Save them first, or discard them?");
        ui.horizontal(|ui| {
            if ui.button("Discard changes").clicked() {
                choice = Some(true);
            }
            if ui.button("Keep editing").clicked() {
                choice = Some(false);
            }
        });
    });
    choice
}

/// Shows the profile folder in whatever the desktop opens directories with (through the
/// browser launcher, which hands `file://` locations to it), off the UI thread.
fn open_folder(dir: PathBuf) {
    let _ = std::thread::Builder::new()
        .name("oauthviz-open-folder".into())
        .spawn(move || {
            let _ = std::fs::create_dir_all(&dir);
            let _ = webbrowser::open(&dir.display().to_string());
        });
}
