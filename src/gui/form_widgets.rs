//! The widgets the provider forms are made of: a labelled field with its validation message
//! under it, the secret field with its "Show" toggle, and small notes. Every input is labelled
//! (AccessKit), so screen readers and the kittest tests find it by the text on screen.

use egui::{Align, Color32, Layout, RichText, TextEdit, Ui};

use crate::gui::theme::Palette;

/// The validation message for `field`, if any.
/// `errors` are keyed by [`crate::config::Field`] for a provider's settings, by a preset's
/// placeholder name in the preset dialog.
pub fn error<'e, K, Q>(errors: &'e [(K, String)], field: &Q) -> Option<&'e str>
where
    K: PartialEq<Q>,
    Q: ?Sized,
{
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

pub fn text_field(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    error: Option<&str>,
    palette: &Palette,
) {
    hinted_field(ui, label, "", value, error, palette);
}

/// A field whose empty state shows `hint` (an example, or what empty means).
pub fn hinted_field(
    ui: &mut Ui,
    label: &str,
    hint: &str,
    value: &mut String,
    error: Option<&str>,
    palette: &Palette,
) {
    let label = ui.label(label);
    let output = TextEdit::singleline(value)
        .hint_text(hint)
        .desired_width(ui.available_width())
        .show(ui);
    let response = output.response.response.labelled_by(label.id);
    // A URL longer than the narrow panel is cut off in the field: the whole of it on hover.
    if output.galley.size().x > output.text_clip_rect.width() {
        response.on_hover_text(value.as_str());
    }
    field_error(ui, error, palette);
}

pub fn field_error(ui: &mut Ui, error: Option<&str>, palette: &Palette) {
    if let Some(e) = error {
        note(ui, e, palette.error_text);
    }
}

/// A small line under a field: what the provider supports, a warning, a hint.
pub fn note(ui: &mut Ui, text: &str, colour: Color32) {
    ui.label(RichText::new(text).small().color(colour));
}

/// A password field labelled `label`, with a toggle that shows what was typed.
pub fn secret_field(ui: &mut Ui, label: &str, value: &mut String, show: &mut bool) {
    let label = ui.label(label);
    // Right to left: the toggle takes its width first, the field gets exactly what is left
    // (a guessed width would make the panel grow a little every frame).
    let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
    ui.allocate_ui_with_layout(row, Layout::right_to_left(Align::Center), |ui| {
        ui.toggle_value(show, "Show");
        ui.add(
            TextEdit::singleline(value)
                .password(!*show)
                .desired_width(ui.available_width()),
        )
        .labelled_by(label.id);
    });
}

/// Gives a widget the accessible name `name` (what screen readers say and tests find), for the
/// small buttons and cells whose visible text ("Remove") is the same on every row.
pub fn accessible_name(response: egui::Response, name: &str) -> egui::Response {
    response
        .ctx
        .accesskit_node_builder(response.id, |node| node.set_label(name));
    response
}
