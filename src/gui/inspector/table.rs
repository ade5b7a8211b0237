//! The name / value table used for parameters, headers, token fields and JWT claims: the value
//! wraps, and under it one line on what the entry is for, so a learner reads name, value and
//! meaning together.

use egui::{Align, Label, Layout, RichText, Ui, vec2};

use crate::gui::theme;

pub struct Row {
    pub name: String,
    /// The value as displayed (masked when it is a hidden secret).
    pub shown: String,
    /// What the copy button puts on the clipboard (the real value); no button when `None`.
    pub copy: Option<String>,
    /// One line on what the entry is for.
    pub note: Option<&'static str>,
}

pub fn show(ui: &mut Ui, id: impl egui::AsIdSalt, rows: &[Row]) {
    ui.push_id(id, |ui| {
        let name_width = (ui.available_width() * 0.3).min(theme::TABLE_NAME_WIDTH);
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                ui.separator();
            }
            ui.horizontal_top(|ui| {
                ui.allocate_ui_with_layout(
                    vec2(name_width, 0.0),
                    Layout::top_down(Align::Min),
                    |ui| {
                        ui.set_width(name_width);
                        ui.add(Label::new(RichText::new(&row.name).monospace().strong()).wrap());
                    },
                );
                // Right to left: the copy button sits at the right edge of every row, the
                // value takes what is left.
                ui.with_layout(Layout::right_to_left(Align::Min), |ui| {
                    if let Some(value) = &row.copy
                        && ui
                            .small_button("Copy")
                            .on_hover_text(format!("Copy the real value of {}", row.name))
                            .clicked()
                    {
                        ui.ctx().copy_text(value.clone());
                    }
                    let value_width = ui.available_width().max(40.0);
                    ui.allocate_ui_with_layout(
                        vec2(value_width, 0.0),
                        Layout::top_down(Align::Min),
                        |ui| {
                            ui.set_width(value_width);
                            ui.add(Label::new(RichText::new(&row.shown).monospace()).wrap());
                            if let Some(note) = row.note {
                                ui.add(Label::new(RichText::new(note).small().weak()).wrap());
                            }
                        },
                    );
                });
            });
        }
    });
}
