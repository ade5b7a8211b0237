//! While B waits for a person, the authorization URL with a Copy button: for "Just show me the
//! URL" it is the only way in, and with the system browser it helps when the browser opened the
//! wrong profile or window.

use egui::{Label, RichText, Ui};

use crate::gui::theme::{self, Palette};
use crate::trace::{Outcome, StepId, Trace};

/// The URL the user must open, while the run waits for the login.
pub fn waiting_url(trace: &Trace) -> Option<&str> {
    if trace.finished || trace.step(StepId::B).outcome() != Outcome::WaitingForUser {
        return None;
    }
    let a = trace.step(StepId::A).latest()?;
    a.request.as_ref().map(|r| r.url.as_str())
}

/// Shows the URL while B waits; true when the user says the browser shows the provider's error
/// page instead (no redirect will come, so the wait ends now rather than at the timeout).
pub fn show(ui: &mut Ui, trace: &Trace, palette: &Palette) -> bool {
    let Some(url) = waiting_url(trace) else {
        return false;
    };
    let mut error_page = false;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(
                RichText::new("Open this URL in a browser to log in and consent:")
                    .strong()
                    .color(palette.attention),
            );
            if ui.button("Copy URL").clicked() {
                ui.ctx().copy_text(url.to_owned());
            }
        });
        ui.add(Label::new(RichText::new(url).monospace()).selectable(true));
        ui.horizontal_wrapped(|ui| {
            // B says until when the listener waits for the redirect back.
            if let Some(b) = trace.step(StepId::B).latest() {
                ui.weak(format!("{}; the diagram goes on from C.", b.summary));
            }
            error_page = ui
                .button("The browser shows an error page")
                .on_hover_text("The provider refused the request on its own page and will not redirect back: stop waiting for C")
                .clicked();
        });
    });
    ui.add_space(theme::ITEM_GAP);
    error_page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::http::HttpRequest;
    use crate::trace::{Attempt, Update};

    fn attempt(step: StepId, outcome: Outcome, request: Option<HttpRequest>) -> Update {
        Update::Attempt {
            step,
            index: 0,
            attempt: Attempt {
                outcome,
                request,
                ..Default::default()
            },
        }
    }

    #[test]
    fn the_url_is_shown_only_while_b_waits() {
        let mut t = Trace::new("p");
        assert_eq!(waiting_url(&t), None);
        let url = "https://as.example/authorize?client_id=app";
        t.apply(&attempt(
            StepId::A,
            Outcome::Ok,
            Some(HttpRequest::get(url)),
        ));
        t.apply(&attempt(StepId::B, Outcome::WaitingForUser, None));
        assert_eq!(waiting_url(&t), Some(url));
        t.apply(&attempt(StepId::B, Outcome::Ok, None));
        assert_eq!(waiting_url(&t), None);
    }
}
