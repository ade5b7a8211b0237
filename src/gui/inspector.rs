//! The selected arrow's exchange in full: request line, parameters with what each is for,
//! headers, bodies, decoded JWTs and the checks that ran. Secrets are masked until the user
//! reveals them; copy buttons always copy the real bytes.

use egui::{RichText, Ui};
use serde_json::Value;

use crate::engine::RunId;
use crate::gui::body_view::{BodyCache, Message};
use crate::gui::diagram::layout::Status;
use crate::gui::theme::{self, Palette};
use crate::gui::{curl, explain, format, jwt_view, sensitive, table};
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::redact;
use crate::trace::{Attempt, StepId, Trace, Verdict};

/// Bodies above this size are not parsed every frame for the field table and JWTs.
const FIELDS_LIMIT: usize = 64 * 1024;

#[derive(Default)]
pub struct Inspector {
    pub reveal: bool,
    bodies: BodyCache,
    /// What was shown last: a new selection hides secrets again, so a revealed token does not
    /// stay on the projector when the presenter moves on.
    showing: Option<(RunId, StepId)>,
}

/// The request and response a step's arrow stands for. D and E (and F and G) are the two halves
/// of one HTTP exchange, recorded on the same attempt index, and are shown together.
pub fn exchange(
    trace: &Trace,
    step: StepId,
    index: usize,
) -> (Option<&HttpRequest>, Option<&HttpResponse>) {
    let partner = match step {
        StepId::D => Some(StepId::E),
        StepId::E => Some(StepId::D),
        StepId::F => Some(StepId::G),
        StepId::G => Some(StepId::F),
        _ => None,
    };
    let own = trace.step(step).attempts.get(index);
    let other = partner.and_then(|p| trace.step(p).attempts.get(index));
    let request = own
        .and_then(|a| a.request.as_ref())
        .or_else(|| other.and_then(|a| a.request.as_ref()));
    let response = own
        .and_then(|a| a.response.as_ref())
        .or_else(|| other.and_then(|a| a.response.as_ref()));
    (request, response)
}

impl Inspector {
    /// Once per frame, before [`Inspector::show`].
    pub fn begin_frame(&mut self) {
        self.bodies.begin_frame();
    }

    pub fn show(
        &mut self,
        ui: &mut Ui,
        run: RunId,
        trace: &Trace,
        step: StepId,
        palette: &Palette,
    ) {
        if self.showing != Some((run, step)) {
            self.showing = Some((run, step));
            self.reveal = false;
        }
        let s = trace.step(step);
        let (request, _) = exchange(trace, step, s.attempts.len().saturating_sub(1));
        let status = Status::of(&s.outcome());

        ui.horizontal_wrapped(|ui| {
            ui.heading(format!("{}  {}", step.letter(), step.name()));
            ui.label(
                RichText::new(status.word())
                    .strong()
                    .color(palette.status(status)),
            );
            if let Some(ms) = s.latest().and_then(|a| a.duration_ms) {
                ui.label(format::duration_ms(ms));
            }
            ui.separator();
            ui.toggle_value(&mut self.reveal, "Reveal secrets")
                .on_hover_text(
                    "Show tokens, codes and secrets in full (they are masked by default)",
                );
            if let Some(req) = request
                && ui
                    .button("Copy as curl")
                    .on_hover_text("Copy this request as a curl command (with the real secrets)")
                    .clicked()
            {
                ui.ctx().copy_text(curl::to_curl(req));
            }
        });
        // The scroll area always fills the panel: a bottom panel remembers the height of its
        // content, and a short message must not shrink it for the next selection.
        egui::ScrollArea::vertical()
            .id_salt("inspector")
            .auto_shrink([false, false])
            .show(ui, |ui| match s.latest() {
                Some(attempt) => self.attempt_ui(ui, run, trace, step, attempt, palette),
                None => {
                    ui.label(
                        "This step has not happened yet. Run the flow and its arrow fills in.",
                    );
                }
            });
    }

    /// The latest attempt of `step`, in full.
    fn attempt_ui(
        &mut self,
        ui: &mut Ui,
        run: RunId,
        trace: &Trace,
        step: StepId,
        attempt: &Attempt,
        palette: &Palette,
    ) {
        let attempts = trace.step(step).attempts.len();
        let index = attempts - 1;
        let (request, response) = exchange(trace, step, index);
        if attempts > 1 {
            ui.weak(format!("the latest of {attempts} attempts"));
        }
        if let Some(reason) = attempt.outcome.reason() {
            let colour = palette.status(Status::of(&attempt.outcome));
            ui.label(RichText::new(reason).color(colour));
        }
        if let Some(e) = &attempt.transport_error {
            ui.label(RichText::new(format!("Transport error: {e}")).color(palette.failed));
        }
        if !attempt.checks.is_empty() {
            let count = |v: Verdict| attempt.checks.iter().filter(|c| c.verdict == v).count();
            let (passed, warned, failed) = (
                count(Verdict::Pass),
                count(Verdict::Warn),
                count(Verdict::Fail),
            );
            // Open by itself only when a check has something to say.
            egui::CollapsingHeader::new(
                RichText::new(format!(
                    "Checks: {passed} passed, {warned} warnings, {failed} failed"
                ))
                .strong(),
            )
            .id_salt(("checks", run, step, index))
            .default_open(warned + failed > 0)
            .show(ui, |ui| {
                for check in &attempt.checks {
                    let (mark, colour) = match check.verdict {
                        Verdict::Pass => ("pass", palette.ok),
                        Verdict::Warn => ("warn", palette.warning),
                        Verdict::Fail => ("FAIL", palette.failed),
                    };
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(mark).monospace().strong().color(colour));
                        ui.label(RichText::new(&check.name).strong());
                        ui.label(&check.detail);
                    });
                }
            });
        }
        let id = format!("{run}/{}/{index}", step.letter());
        let response_first = matches!(step, StepId::E | StepId::G);
        let request_section = |this: &mut Self, ui: &mut Ui| {
            if let Some(req) = request {
                section(ui, "Request", |ui| {
                    this.request_ui(ui, &format!("{id}/request"), req)
                });
            }
        };
        let response_section = |this: &mut Self, ui: &mut Ui| {
            if let Some(resp) = response {
                section(ui, "Response", |ui| {
                    this.response_ui(
                        ui,
                        &format!("{id}/response"),
                        resp,
                        step == StepId::E,
                        palette,
                    )
                });
            }
        };
        if response_first {
            response_section(self, ui);
            request_section(self, ui);
        } else {
            request_section(self, ui);
            response_section(self, ui);
        }
        match step {
            StepId::A if response.is_none() => {
                ui.weak("Your browser sent this request; the page it got back (the login) is between you and the authorization server.");
            }
            StepId::B if attempt.exchanges.is_empty() => {
                ui.weak("Your browser handled this step: oauthviz sees only its result, the redirect in C.");
            }
            StepId::B => {
                ui.label(RichText::new("Pages the scripted browser went through").strong());
                for (i, ex) in attempt.exchanges.iter().enumerate() {
                    let outcome = match (&ex.response, &ex.error) {
                        (Some(r), _) => r.status_line(),
                        (None, Some(e)) => e.clone(),
                        (None, None) => "no answer".into(),
                    };
                    let path = url::Url::parse(&ex.request.url)
                        .map(|u| u.path().to_owned())
                        .unwrap_or_default();
                    egui::CollapsingHeader::new(format!(
                        "{}. {} {path} -> {outcome}",
                        i + 1,
                        ex.request.method
                    ))
                    .id_salt(("exchange", i))
                    .show(ui, |ui| {
                        let ex_id = format!("{id}/page{i}");
                        self.request_ui(ui, &format!("{ex_id}/request"), &ex.request);
                        if let Some(resp) = &ex.response {
                            ui.separator();
                            self.response_ui(
                                ui,
                                &format!("{ex_id}/response"),
                                resp,
                                false,
                                palette,
                            );
                        }
                    });
                }
            }
            _ => {}
        }
    }

    fn request_ui(&mut self, ui: &mut Ui, id: &str, req: &HttpRequest) {
        let reveal = self.reveal;
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    req.method,
                    sensitive::url(&req.url, reveal)
                ))
                .monospace()
                .strong(),
            );
            if ui.small_button("Copy URL").clicked() {
                ui.ctx().copy_text(req.url.clone());
            }
        });
        let query = req.query();
        if !query.is_empty() {
            ui.label(RichText::new("Query parameters").strong());
            table::show(
                ui,
                ("query", id),
                &param_rows(
                    query.iter().map(|p| (p.name.as_str(), p.value.as_str())),
                    reveal,
                ),
            );
        }
        let form = req.form();
        if let Some(form) = &form {
            ui.label(RichText::new("Form parameters (body)").strong());
            table::show(
                ui,
                ("form", id),
                &param_rows(
                    form.iter().map(|p| (p.name.as_str(), p.value.as_str())),
                    reveal,
                ),
            );
        }
        if req.headers.iter().next().is_some() {
            ui.label(RichText::new("Headers").strong());
            table::show(
                ui,
                ("headers", id),
                &header_rows(req.headers.iter(), reveal),
            );
        }
        if let Some(token) = req
            .headers
            .get("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            && jwt_view::looks_like_jwt(token)
        {
            jwt_view::show(
                ui,
                "access_token (Authorization header)",
                token,
                format::now_unix(),
            );
        }
        match &form {
            Some(form) => {
                ui.label(RichText::new("Body").strong());
                ui.label(RichText::new(sensitive::encoded_params(form, reveal)).monospace());
            }
            None if !req.body.is_empty() => {
                ui.label(RichText::new("Body").strong());
                self.bodies.show(ui, id, Message::Request(req), reveal);
            }
            None => {}
        }
    }

    fn response_ui(
        &mut self,
        ui: &mut Ui,
        id: &str,
        resp: &HttpResponse,
        token_fields: bool,
        palette: &Palette,
    ) {
        let reveal = self.reveal;
        let colour = match resp.status {
            200..=299 => palette.ok,
            300..=399 => palette.text,
            _ => palette.failed,
        };
        ui.label(
            RichText::new(format!("HTTP {}", resp.status_line()))
                .monospace()
                .strong()
                .color(colour),
        );
        let fields = (token_fields && resp.body.len() <= FIELDS_LIMIT)
            .then(|| serde_json::from_str::<serde_json::Map<String, Value>>(&resp.body).ok())
            .flatten();
        if let Some(fields) = &fields {
            ui.label(RichText::new("Token response fields").strong());
            let values = fields.iter().map(|(name, v)| {
                (
                    name.as_str(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            });
            let values: Vec<(&str, String)> = values.collect();
            table::show(
                ui,
                ("fields", id),
                &param_rows(values.iter().map(|(n, v)| (*n, v.as_str())), reveal),
            );
            for (name, value) in fields {
                if let Some(token) = value.as_str().filter(|t| jwt_view::looks_like_jwt(t)) {
                    jwt_view::show(ui, name, token, format::now_unix());
                }
            }
        }
        // Headers after the fields: on a token response the fields are the lesson.
        if resp.headers.iter().next().is_some() {
            ui.label(RichText::new("Headers").strong());
            table::show(
                ui,
                ("headers", id),
                &header_rows(resp.headers.iter(), reveal),
            );
        }
        if let Some(location) = resp.headers.get("location") {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Redirects to");
                ui.label(RichText::new(sensitive::url(location, reveal)).monospace());
            });
        }
        if !resp.body.is_empty() {
            ui.label(RichText::new("Body").strong());
            self.bodies.show(ui, id, Message::Response(resp), reveal);
        }
    }
}

fn section(ui: &mut Ui, title: &str, add: impl FnOnce(&mut Ui)) {
    ui.add_space(theme::SECTION_GAP);
    egui::CollapsingHeader::new(RichText::new(title).heading())
        .id_salt(title)
        .default_open(true)
        .show(ui, add);
}

fn param_rows<'a>(
    params: impl Iterator<Item = (&'a str, &'a str)>,
    reveal: bool,
) -> Vec<table::Row> {
    params
        .map(|(name, value)| table::Row {
            name: name.to_owned(),
            shown: sensitive::shown(value, redact::is_secret_param(name), reveal).into_owned(),
            copy: Some(value.to_owned()),
            note: explain::param(name),
        })
        .collect()
}

fn header_rows<'a>(
    headers: impl Iterator<Item = &'a crate::protocol::http::Header>,
    reveal: bool,
) -> Vec<table::Row> {
    headers
        .map(|h| table::Row {
            name: h.name.clone(),
            shown: sensitive::header_value(&h.name, &h.value, reveal).into_owned(),
            copy: Some(h.value.clone()),
            note: explain::header(&h.name),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Update;

    #[test]
    fn token_exchange_pairs_d_request_with_e_response() {
        let mut t = Trace::new("demo");
        let req = HttpRequest::get("http://as/token");
        let resp = HttpResponse {
            status: 200,
            headers: Default::default(),
            body: "{}".into(),
        };
        t.apply(&Update::Attempt {
            step: StepId::D,
            index: 0,
            attempt: Attempt {
                request: Some(req.clone()),
                ..Default::default()
            },
        });
        t.apply(&Update::Attempt {
            step: StepId::E,
            index: 0,
            attempt: Attempt {
                response: Some(resp.clone()),
                ..Default::default()
            },
        });
        assert_eq!(exchange(&t, StepId::D, 0), (Some(&req), Some(&resp)));
        assert_eq!(exchange(&t, StepId::E, 0), (Some(&req), Some(&resp)));
        assert_eq!(exchange(&t, StepId::E, 1), (None, None));
        assert_eq!(exchange(&t, StepId::A, 0), (None, None));
    }
}
