//! "New from preset…": pick a provider, fill in what only you know (tenant, realm, domain,
//! client id, …) with the preset's help and an example for each, get a profile.

use egui::{Key, Modal, RichText, TextEdit, Ui};

use crate::gui::form_widgets::{error, field_error, note};
use crate::gui::theme::{self, Palette};
use crate::profile::{Placeholder, Preset, Profile, presets};

const WIDTH: f32 = 520.0;
const PRESET_BUTTON_WIDTH: f32 = 170.0;

#[derive(Default)]
pub struct PresetDialog {
    preset: Option<&'static Preset>,
    /// The profile name, then one value per placeholder in the preset's order.
    name: String,
    values: Vec<String>,
    /// By placeholder key, or `name`.
    errors: Vec<(String, String)>,
    /// The first field takes the keyboard when a preset is picked.
    focus_first: bool,
}

pub enum PresetOutcome {
    Open,
    Closed,
    /// The filled profile, named.
    Created(Box<Profile>),
}

/// The label of a placeholder's field: capitalised, and saying whether it must be filled.
fn field_label(ph: &Placeholder) -> String {
    let mut chars = ph.label.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let need = if ph.is_required() {
        "required"
    } else {
        "optional"
    };
    format!("{first}{} ({need})", chars.as_str())
}

/// The first of `base`, `base-2`, `base-3`, … that `taken` does not hold.
pub fn free_name(base: &str, taken: impl Fn(&str) -> bool) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                base.to_owned()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|name| !taken(name))
        .unwrap_or_else(|| base.to_owned())
}

impl PresetDialog {
    /// Shows the dialog; `taken` says whether a profile name is already used.
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        taken: impl Fn(&str) -> bool,
        palette: &Palette,
    ) -> PresetOutcome {
        let mut outcome = PresetOutcome::Open;
        Modal::new(egui::Id::unique("preset_dialog")).show(ctx, |ui| {
            ui.set_width(WIDTH);
            ui.heading(
                self.preset
                    .map_or("New profile from a preset", |p| p.display_name),
            );
            // The buttons stay below the scrolled part, so they are always in reach.
            egui::ScrollArea::vertical()
                .max_height(ctx.content_rect().height() * 0.7)
                .show(ui, |ui| match self.preset {
                    None => self.pick(ui, &taken, palette),
                    Some(preset) => self.fill(ui, preset, palette),
                });
            ui.add_space(theme::SECTION_GAP);
            ui.horizontal(|ui| {
                if let Some(preset) = self.preset {
                    if ui.button("Create profile").clicked() {
                        outcome = self.create(preset, &taken);
                    }
                    if ui.button("Back").clicked() {
                        self.preset = None;
                    }
                }
                if ui.button("Close").clicked() {
                    outcome = PresetOutcome::Closed;
                }
            });
        });
        if ctx.input(|i| i.key_pressed(Key::Escape)) {
            outcome = PresetOutcome::Closed;
        }
        outcome
    }

    fn pick(&mut self, ui: &mut Ui, taken: &impl Fn(&str) -> bool, palette: &Palette) {
        ui.label("Endpoints and known quirks are built in; you fill in what only you know.");
        ui.add_space(theme::ITEM_GAP);
        for preset in presets::all() {
            ui.horizontal(|ui| {
                let button = egui::Button::new(RichText::new(preset.display_name).strong())
                    .min_size(egui::vec2(PRESET_BUTTON_WIDTH, 0.0));
                if ui.add(button).clicked() {
                    self.preset = Some(preset);
                    self.name = free_name(preset.id, taken);
                    self.values = vec![String::new(); preset.placeholders().len()];
                    self.errors.clear();
                    self.focus_first = true;
                }
                ui.add(
                    egui::Label::new(
                        RichText::new(preset.summary)
                            .small()
                            .color(palette.weak_text),
                    )
                    .wrap(),
                );
            });
        }
    }

    fn fill(&mut self, ui: &mut Ui, preset: &'static Preset, palette: &Palette) {
        ui.label(preset.summary);
        ui.add_space(theme::ITEM_GAP);
        for (ph, value) in preset.placeholders().iter().zip(&mut self.values) {
            let label = ui.label(RichText::new(field_label(ph)).strong());
            let hint = match ph.default {
                Some(d) if !d.is_empty() => format!("e.g. {} (default {d})", ph.example),
                _ => format!("e.g. {}", ph.example),
            };
            let edit = ui
                .add(
                    TextEdit::singleline(value)
                        .hint_text(hint)
                        .desired_width(ui.available_width()),
                )
                .labelled_by(label.id);
            if std::mem::take(&mut self.focus_first) {
                edit.request_focus();
            }
            note(ui, ph.help, palette.weak_text);
            field_error(ui, error(&self.errors, ph.key), palette);
            ui.add_space(theme::ITEM_GAP);
        }
        let label = ui.label(RichText::new("Profile name").strong());
        ui.add(TextEdit::singleline(&mut self.name).desired_width(ui.available_width()))
            .labelled_by(label.id);
        field_error(ui, error(&self.errors, "name"), palette);
        let quirks = preset.quirks();
        if !quirks.is_empty() {
            ui.add_space(theme::ITEM_GAP);
            let titles: Vec<&str> = quirks.iter().map(|q| q.title).collect();
            note(
                ui,
                &format!(
                    "Known quirks, explained in the panel: {}.",
                    titles.join("; ")
                ),
                palette.weak_text,
            );
        }
    }

    fn create(&mut self, preset: &Preset, taken: &impl Fn(&str) -> bool) -> PresetOutcome {
        let values: Vec<(&str, &str)> = preset
            .placeholders()
            .iter()
            .map(|ph| ph.key)
            .zip(self.values.iter().map(String::as_str))
            .collect();
        let filled = preset.fill(&values);
        let name = self.name.trim();
        let name_error = match crate::profile::validate_name(name) {
            Err(e) => Some(e.to_string()),
            Ok(()) if taken(name) => Some(format!(
                "a profile named '{name}' already exists: choose another name"
            )),
            Ok(()) => None,
        };
        self.errors = filled.as_ref().err().cloned().unwrap_or_default();
        if let Some(e) = name_error {
            self.errors.push(("name".into(), e));
        }
        match filled {
            Ok(mut profile) if self.errors.is_empty() => {
                name.clone_into(&mut profile.name);
                PresetOutcome::Created(Box::new(profile))
            }
            _ => PresetOutcome::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_what_must_be_filled() {
        let auth0 = presets::find("auth0").expect("auth0 preset");
        let labels: Vec<String> = auth0.placeholders().iter().map(field_label).collect();
        assert_eq!(
            labels,
            [
                "Auth0 domain (required)",
                "Client ID (required)",
                "API audience (optional)"
            ]
        );
    }

    #[test]
    fn names_are_numbered_until_free() {
        let taken = ["okta", "okta-2"];
        assert_eq!(free_name("okta", |n| taken.contains(&n)), "okta-3");
        assert_eq!(free_name("google", |n| taken.contains(&n)), "google");
    }

    #[test]
    fn create_reports_each_missing_value_and_a_taken_name() {
        let keycloak = presets::find("keycloak").expect("keycloak preset");
        let mut dialog = PresetDialog {
            preset: Some(keycloak),
            name: "work".into(),
            values: vec![String::new(); keycloak.placeholders().len()],
            ..Default::default()
        };
        assert!(matches!(
            dialog.create(keycloak, &|n| n == "work"),
            PresetOutcome::Open
        ));
        let fields: Vec<&str> = dialog.errors.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(fields, ["server", "realm", "client_id", "name"]);

        dialog.values = vec![
            "https://sso.example.com/".into(),
            "demo".into(),
            "oauthviz".into(),
        ];
        let PresetOutcome::Created(p) = dialog.create(keycloak, &|_| false) else {
            panic!("{:?}", dialog.errors);
        };
        assert_eq!(p.name, "work");
        assert_eq!(
            p.issuer.as_deref(),
            Some("https://sso.example.com/realms/demo")
        );
        assert_eq!(p.preset.as_deref(), Some("keycloak"));
    }
}
