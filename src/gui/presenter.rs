//! The presenter view (F5, or the toolbar's Present): for a room, the diagram and the selected
//! step's narration fill the window in large text; the settings, the side panels and the
//! inspector are hidden, secrets stay masked, and a badge says when the demo provider is
//! breaking rules on purpose, so nobody takes a staged failure for a real one.

use egui::{RichText, Ui};

use crate::gui::explain::panel as explain_panel;
use crate::gui::theme::{self, Palette};
use crate::trace::{StepId, Trace};

/// The View menu: the presenter view and the zoom (Ctrl +/−/0 work anywhere), with the zoom
/// it is at. Returns whether the presenter view was asked for.
pub fn view_menu(ui: &mut Ui) -> bool {
    let mut present = false;
    ui.menu_button("View", |ui| {
        if ui
            .add(egui::Button::new("Presenter view").shortcut_text("F5"))
            .clicked()
        {
            present = true;
            ui.close();
        }
        ui.separator();
        ui.label(format!("Zoom: {:.0} %", ui.ctx().zoom_factor() * 100.0));
        egui::gui_zoom::zoom_menu_buttons(ui);
    });
    present
}

/// What the presenter's bar was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarAction {
    Run,
    Leave,
}

/// The slim bar at the top: Run, Leave, and the misbehaviour badge.
pub fn bar(
    ui: &mut Ui,
    can_run: bool,
    misbehaving: &[&str],
    palette: &Palette,
) -> Option<BarAction> {
    let mut action = None;
    egui::Panel::top("presenter bar").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(RichText::new("oauthviz").heading().strong());
            let run = egui::Button::new(RichText::new("Run flow").size(theme::PRIMARY_BUTTON_TEXT));
            if ui.add_enabled(can_run, run).clicked() {
                action = Some(BarAction::Run);
            }
            if ui
                .button("Leave presenter view")
                .on_hover_text("Back to the full window (Esc or F5)")
                .clicked()
            {
                action = Some(BarAction::Leave);
            }
            if !misbehaving.is_empty() {
                ui.separator();
                let badge = format!(
                    "Demo provider misbehaving on purpose: {}",
                    misbehaving.join(", ")
                );
                egui::Frame::new()
                    .stroke(egui::Stroke::new(theme::BADGE_STROKE, palette.failed))
                    .inner_margin(theme::BADGE_MARGIN)
                    .corner_radius(theme::BADGE_RADIUS)
                    .show(ui, |ui| {
                        ui.label(RichText::new(badge).strong().color(palette.failed));
                    });
            }
        });
    });
    action
}

/// The selected step's narration (or how to read the diagram), beside the diagram, in large
/// text: beside rather than below, so the diagram keeps the window's height for A–G.
pub fn narration(ui: &mut Ui, trace: Option<&Trace>, selected: Option<StepId>, palette: &Palette) {
    let width = ui.available_width() * theme::NARRATION_SHARE;
    egui::Panel::right("narration")
        .resizable(true)
        .default_size(width)
        .show(ui, |ui| {
            for font in ui.style_mut().text_styles.values_mut() {
                font.size *= theme::PRESENTER_TEXT_SCALE;
            }
            explain_panel::show(ui, trace, selected, palette);
        });
}
