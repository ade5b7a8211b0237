//! The name / value / why table used for parameters, headers, token fields and JWT claims.

use egui::{Label, RichText, Ui, vec2};

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
    let value_width = theme::TABLE_VALUE_WIDTH.min(ui.available_width() * 0.45);
    egui::Grid::new(id)
        .num_columns(4)
        .striped(true)
        .spacing(vec2(10.0, 4.0))
        .show(ui, |ui| {
            for row in rows {
                ui.label(RichText::new(&row.name).monospace().strong());
                ui.allocate_ui(vec2(value_width, 0.0), |ui| {
                    ui.add(Label::new(RichText::new(&row.shown).monospace()).wrap());
                });
                match &row.copy {
                    Some(value) => {
                        if ui
                            .small_button("Copy")
                            .on_hover_text(format!("Copy the real value of {}", row.name))
                            .clicked()
                        {
                            ui.ctx().copy_text(value.clone());
                        }
                    }
                    None => {
                        ui.label("");
                    }
                }
                ui.add(Label::new(RichText::new(row.note.unwrap_or_default()).weak()).wrap());
                ui.end_row();
            }
        });
}
