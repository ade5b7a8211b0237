//! The side panel that tells a learner, for the selected step, what happens and why, and for a
//! failed step what the error means and what to try.

use egui::{RichText, Ui};

use crate::gui::diagram::layout::Status;
use crate::gui::explain;
use crate::gui::theme::{self, Palette};
use crate::trace::{StepId, Trace};

pub fn show(ui: &mut Ui, trace: Option<&Trace>, selected: Option<StepId>, palette: &Palette) {
    egui::ScrollArea::vertical()
        .id_salt("explain")
        .show(ui, |ui| {
            let Some(step) = selected else {
                ui.heading("How to read this");
                ui.label(explain::OVERVIEW);
                ui.add_space(theme::SECTION_GAP);
                for status in [
                    Status::Waiting,
                    Status::InFlight,
                    Status::WaitingForUser,
                    Status::Ok,
                    Status::Warning,
                    Status::Failed,
                ] {
                    ui.horizontal(|ui| {
                        let (rect, _) =
                            ui.allocate_exact_size(theme::LEGEND_SWATCH, egui::Sense::hover());
                        ui.painter().line_segment(
                            [rect.left_center(), rect.right_center()],
                            egui::Stroke::new(theme::LEGEND_STROKE, status.colour(palette)),
                        );
                        ui.label(status.word());
                    });
                }
                return;
            };
            let text = explain::step(step);
            ui.heading(format!("{}  {}", step.letter(), step.name()));
            ui.label(RichText::new("What happens").strong());
            ui.label(text.what);
            ui.add_space(theme::ITEM_GAP);
            ui.label(RichText::new("Why").strong());
            ui.label(text.why);

            let Some(trace) = trace else { return };
            let s = trace.step(step);
            let Some(attempt) = s.latest() else { return };
            let (request, response) = trace.exchange_parts(step, s.attempts.len() - 1);
            if let Some(failure) = explain::failure(step, attempt, request, response) {
                ui.add_space(theme::SECTION_GAP);
                let colour = Status::of(&attempt.outcome).colour(palette);
                ui.label(RichText::new("What went wrong").strong().color(colour));
                ui.label(RichText::new(&failure.headline).color(colour));
                if let Some(meaning) = failure.meaning {
                    ui.label(format!("This means: {meaning}."));
                }
                if !failure.try_this.is_empty() {
                    ui.add_space(theme::ITEM_GAP);
                    ui.label(RichText::new("What to try").strong());
                    for tip in &failure.try_this {
                        ui.horizontal_wrapped(|ui| {
                            ui.label("•");
                            ui.label(*tip);
                        });
                    }
                }
            }
        });
}
