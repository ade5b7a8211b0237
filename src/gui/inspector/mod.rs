//! The selected arrow's exchange in full: request line, parameters with what each is for,
//! headers, bodies, decoded JWTs and the checks that ran. Secrets are masked until the user
//! reveals them; copy buttons always copy the real bytes.

mod body;
mod compare;
mod editor;
mod jwt;
mod sensitive;
mod table;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use egui::{RichText, Ui};
use serde_json::Value;

use crate::engine::RunId;
use crate::gui::diagram::layout::Status;
use crate::gui::inspector::body::{BodyCache, Message};
use crate::gui::inspector::editor::{Draft, EditorAction};
use crate::gui::theme::{self, Palette};
use crate::gui::{explain, form_widgets, format};
use crate::protocol::edit::{self, Edit};
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
    mode: Mode,
    /// The attempt on screen; `None` follows the latest.
    viewing: Option<usize>,
    compare: compare::Pair,
    /// Edited requests by run and by the step that sends them; kept when the selection moves
    /// on, so nothing typed is lost.
    drafts: HashMap<(RunId, StepId), Draft>,
    /// The browser agent's page screenshots opened so far, decoded once (or why they cannot be).
    shots: HashMap<String, Shot>,
}

/// A page screenshot on its way to the screen: a PNG is decoded on a thread of its own (a
/// full page takes longer than a frame may), then uploaded as a texture.
enum Shot {
    Decoding(std::sync::mpsc::Receiver<Result<egui::ColorImage, String>>),
    Shown(Result<egui::TextureHandle, String>),
}

/// What the inspector shows of the selected step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Details,
    Edit,
    Compare,
}

/// What the user asked the inspector for, to be turned into engine commands.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Send this request as a new attempt of `step`.
    Send {
        step: StepId,
        request: HttpRequest,
        continue_flow: bool,
    },
    /// Get a new code (A–C), then send D with these edits applied to the new token request.
    SendWithFreshCode {
        edits: Vec<Edit>,
        continue_flow: bool,
    },
    /// Record the request `step` would send, unsent, so it can be edited.
    Prepare(StepId),
    /// Close the inspector (its button; Esc is the app's).
    Close,
}

impl Inspector {
    /// Once per frame, before [`Inspector::show`].
    pub fn begin_frame(&mut self) {
        self.bodies.begin_frame();
    }

    /// Shows `step` of `run` in `mode` from now on (after an experiment: its comparison).
    pub fn open(&mut self, run: RunId, step: StepId, mode: Mode) {
        self.showing = Some((run, step));
        self.reveal = false;
        self.mode = mode;
        self.viewing = None;
        self.compare = compare::Pair::default();
    }

    /// Shows attempt `attempt` of `step` (the latest when none), in the mode it is in when the
    /// step is already on screen.
    pub fn view(&mut self, run: RunId, step: StepId, attempt: Option<usize>) {
        if self.showing != Some((run, step)) {
            self.open(run, step, Mode::Details);
        }
        self.viewing = attempt;
    }

    /// Shows attempts `left` and `right` of `step` side by side.
    pub fn open_comparison(&mut self, run: RunId, step: StepId, left: usize, right: usize) {
        self.open(run, step, Mode::Compare);
        self.viewing = Some(right);
        self.compare = compare::Pair {
            left: Some(left),
            right: Some(right),
        };
    }

    /// `busy` says why nothing can be sent right now; `expected` is the attempt whose refusal
    /// the experiment on screen wanted (shown as such, not as a failure).
    #[allow(clippy::too_many_arguments)]
    pub fn show(
        &mut self,
        ui: &mut Ui,
        run: RunId,
        trace: &Trace,
        step: StepId,
        busy: Option<&str>,
        expected: Option<(StepId, usize)>,
        palette: &Palette,
    ) -> Option<Action> {
        if self.showing != Some((run, step)) {
            self.open(run, step, Mode::Details);
        }
        let s = trace.step(step);
        let count = s.attempts.len();
        let index = self
            .viewing
            .unwrap_or(count.saturating_sub(1))
            .min(count.saturating_sub(1));
        let (request, _) = trace.exchange_parts(step, index);
        let status = match Status::of(
            &s.attempts
                .get(index)
                .map(|a| a.outcome.clone())
                .unwrap_or_default(),
        ) {
            Status::Failed if expected == Some((step, index)) => Status::Expected,
            other => other,
        };
        let exchanges = trace.exchange_count(step);

        let mut closed = false;
        ui.horizontal_wrapped(|ui| {
            ui.heading(format!("{}  {}", step.letter(), step.name()));
            ui.label(
                RichText::new(status.word())
                    .strong()
                    .color(status.colour(palette)),
            );
            if let Some(ms) = s.attempts.get(index).and_then(|a| a.duration_ms) {
                ui.label(format::duration_ms(ms));
            }
            if count > 1 {
                self.attempt_choice(ui, trace, step, index, count);
            }
            ui.separator();
            ui.selectable_value(&mut self.mode, Mode::Details, "Details");
            ui.selectable_value(&mut self.mode, Mode::Edit, "Edit and send again")
                .on_hover_text("Change any part of this step's request and send it again");
            ui.selectable_value(
                &mut self.mode,
                Mode::Compare,
                format!("Compare attempts ({exchanges})"),
            )
            .on_hover_text("Two attempts of this step side by side, with what differs");
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
                ui.ctx().copy_text(crate::export::curl::to_curl(req));
            }
            ui.separator();
            if ui
                .button("Close")
                .on_hover_text("Close the inspector (Esc)")
                .clicked()
            {
                closed = true;
            }
        });
        if closed {
            return Some(Action::Close);
        }
        let mut action = None;
        // The scroll area always fills the panel: a bottom panel remembers the height of its
        // content, and a short message must not shrink it for the next selection.
        egui::ScrollArea::vertical()
            // Each step and attempt keeps its own place: G opens at its top, not where D was left.
            .id_salt(("inspector", self.mode as u8, step, index))
            .auto_shrink([false, false])
            .show(ui, |ui| match self.mode {
                Mode::Details => match s.attempts.get(index) {
                    Some(attempt) => self.attempt_ui(ui, run, trace, step, index, attempt, palette),
                    None => {
                        ui.label(
                            "This step has not happened yet. Run the flow and its arrow fills in.",
                        );
                    }
                },
                Mode::Edit => action = self.edit_ui(ui, run, trace, step, index, busy, palette),
                Mode::Compare => {
                    compare::show(ui, trace, step, &mut self.compare, self.reveal, palette)
                }
            });
        action
    }

    fn attempt_choice(
        &mut self,
        ui: &mut Ui,
        trace: &Trace,
        step: StepId,
        index: usize,
        count: usize,
    ) {
        ui.label("attempt");
        let combo = egui::ComboBox::from_id_salt("attempt")
            .selected_text(format!("{} of {count}", index + 1))
            .show_ui(ui, |ui| {
                for (i, a) in trace.step(step).attempts.iter().enumerate() {
                    let word = Status::of(&a.outcome).word();
                    let latest = if i + 1 == count { " (latest)" } else { "" };
                    if ui
                        .selectable_label(i == index, format!("{}{latest} · {word}", i + 1))
                        .clicked()
                    {
                        // Choosing the latest follows new attempts as they come.
                        self.viewing = (i + 1 < count).then_some(i);
                    }
                }
            });
        form_widgets::accessible_name(combo.response, "Attempt shown");
    }

    /// The request editor for the step that sends `step`'s request.
    #[allow(clippy::too_many_arguments)]
    fn edit_ui(
        &mut self,
        ui: &mut Ui,
        run: RunId,
        trace: &Trace,
        step: StepId,
        index: usize,
        busy: Option<&str>,
        palette: &Palette,
    ) -> Option<Action> {
        let sender = step.request_step();
        if sender == StepId::B {
            return None;
        }
        let sent: Vec<Option<&HttpRequest>> = trace
            .step(sender)
            .attempts
            .iter()
            .map(|a| a.request.as_ref())
            .collect();
        let key = (run, sender);
        let draft = match self.drafts.entry(key) {
            Entry::Occupied(draft) => draft.into_mut(),
            Entry::Vacant(slot) => {
                // The attempt on screen, else the newest one that has a request.
                let origin = sent
                    .get(index)
                    .copied()
                    .flatten()
                    .map(|r| (index, r))
                    .or_else(|| {
                        sent.iter()
                            .enumerate()
                            .rev()
                            .find_map(|(i, r)| r.map(|r| (i, r)))
                    });
                match origin {
                    Some((i, r)) => slot.insert(Draft::new(r, i)),
                    None if sender == StepId::C => {
                        ui.label("C is the provider's redirect to oauthviz: once a callback has arrived, its parameters (code, state, iss) can be edited here and checked again.");
                        return None;
                    }
                    None => {
                        ui.label(format!(
                            "{} has no request yet. Prepare it to edit it before it is sent.",
                            sender.letter()
                        ));
                        let prepare = ui
                            .add_enabled(busy.is_none(), egui::Button::new(format!("Prepare the {} request", sender.letter())))
                            .on_hover_text("Builds the request from what the run has so far (code, tokens) without sending it");
                        return prepare.clicked().then_some(Action::Prepare(sender));
                    }
                }
            }
        };
        // A prepared request that was never sent is sent for the first time.
        let unsent = trace
            .step(sender)
            .attempts
            .get(draft.origin_attempt)
            .is_some_and(|a| a.outcome == crate::trace::Outcome::Pending);
        let cx = editor::EditorContext {
            step_letter: sender.letter(),
            attempts: sent.len(),
            unsent,
            token_request: sender == StepId::D,
            can_continue: matches!(sender, StepId::A | StepId::C | StepId::D),
            busy,
            reveal: self.reveal,
            palette,
        };
        match editor::show(ui, draft, &cx) {
            EditorAction::None => None,
            EditorAction::StartFromLatest => {
                self.drafts.remove(&key);
                self.viewing = None;
                None
            }
            EditorAction::Send(request) => {
                let continue_flow = draft.continue_flow;
                let action = if sender == StepId::D && draft.fresh_code {
                    Action::SendWithFreshCode {
                        edits: edit::between(draft.origin(), &request),
                        continue_flow,
                    }
                } else {
                    Action::Send {
                        step: sender,
                        request,
                        continue_flow,
                    }
                };
                // The answer is best read against the attempt before it; the first answer to a
                // prepared request has none, so it is shown by itself.
                self.mode = if unsent { Mode::Details } else { Mode::Compare };
                self.compare = compare::Pair::default();
                self.viewing = None;
                Some(action)
            }
        }
    }

    /// Attempt `index` of `step`, in full.
    #[allow(clippy::too_many_arguments)]
    fn attempt_ui(
        &mut self,
        ui: &mut Ui,
        run: RunId,
        trace: &Trace,
        step: StepId,
        index: usize,
        attempt: &Attempt,
        palette: &Palette,
    ) {
        let (request, response) = trace.exchange_parts(step, index);
        if let Some(reason) = attempt.outcome.reason() {
            let colour = Status::of(&attempt.outcome).colour(palette);
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
                    let colour = palette.verdict(check.verdict);
                    let mark = match check.verdict {
                        Verdict::Pass => "pass",
                        Verdict::Warn => "warn",
                        Verdict::Fail => "FAIL",
                        Verdict::Skip => "skip",
                        Verdict::Info => "info",
                    };
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(mark).monospace().strong().color(colour));
                        ui.label(RichText::new(check.name()).strong());
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
                    this.request_ui(
                        ui,
                        &format!("{id}/request"),
                        req,
                        explain::At::request(step),
                    )
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
                        // Both answer with tokens (RFC 6749 §5.1, §6).
                        matches!(step, StepId::E | StepId::Refresh),
                        explain::At::response(step),
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
        if step == StepId::A && !attempt.exchanges.is_empty() {
            let title = "Discovery: the issuer's metadata, fetched before this request";
            self.exchanges_ui(ui, &id, title, attempt, palette);
        }
        match step {
            StepId::A if response.is_none() => {
                ui.weak("Your browser sent this request; the page it got back (the login) is between you and the authorization server.");
            }
            StepId::B if attempt.exchanges.is_empty() => {
                ui.weak("Your browser handled this step: oauthviz sees only its result, the redirect in C.");
            }
            StepId::B => {
                let title = "Pages the scripted browser went through";
                self.exchanges_ui(ui, &id, title, attempt, palette);
            }
            _ => {}
        }
    }

    /// The requests a step made on the way (the pages of B, the discovery before A), each
    /// request and answer in full.
    fn exchanges_ui(
        &mut self,
        ui: &mut Ui,
        id: &str,
        title: &str,
        attempt: &Attempt,
        palette: &Palette,
    ) {
        ui.label(RichText::new(title).strong());
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
                if let Some(shot) = &ex.screenshot {
                    egui::CollapsingHeader::new("What the browser showed")
                        .id_salt(("screenshot", i))
                        .show(ui, |ui| self.screenshot_ui(ui, &ex_id, shot, palette));
                }
                let page = |response| explain::At::Page { response };
                self.request_ui(ui, &format!("{ex_id}/request"), &ex.request, page(false));
                if let Some(resp) = &ex.response {
                    ui.separator();
                    self.response_ui(
                        ui,
                        &format!("{ex_id}/response"),
                        resp,
                        false,
                        page(true),
                        palette,
                    );
                }
            });
        }
    }

    /// A page's screenshot, decoded the first time it is opened and fitted to the width.
    fn screenshot_ui(&mut self, ui: &mut Ui, id: &str, shot: &str, palette: &Palette) {
        let shot = self.shots.entry(id.to_owned()).or_insert_with(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            let (png, ctx) = (shot.to_owned(), ui.ctx().clone());
            std::thread::spawn(move || {
                let _ = tx.send(decode_png(&png));
                ctx.request_repaint();
            });
            Shot::Decoding(rx)
        });
        if let Shot::Decoding(rx) = shot {
            match rx.try_recv() {
                Ok(decoded) => {
                    let texture = decoded.map(|image| {
                        ui.ctx()
                            .load_texture(id, image, egui::TextureOptions::LINEAR)
                    });
                    *shot = Shot::Shown(texture);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Decoding the screenshot…");
                    });
                    return;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    *shot = Shot::Shown(Err("its decoder stopped".into()));
                }
            }
        }
        match shot {
            Shot::Shown(Ok(texture)) => {
                ui.add(
                    egui::Image::new(&*texture)
                        .max_width(ui.available_width())
                        .maintain_aspect_ratio(true),
                );
            }
            Shot::Shown(Err(e)) => {
                ui.label(
                    RichText::new(format!("The screenshot cannot be shown: {e}"))
                        .color(palette.error_text),
                );
            }
            Shot::Decoding(_) => {}
        }
    }

    fn request_ui(&mut self, ui: &mut Ui, id: &str, req: &HttpRequest, at: explain::At) {
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
                    at,
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
                    at,
                ),
            );
        }
        if req.headers.iter().next().is_some() {
            ui.label(RichText::new("Headers").strong());
            table::show(
                ui,
                ("headers", id),
                &header_rows(req.headers.iter(), reveal, at),
            );
        }
        if let Some(token) = req
            .headers
            .get("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            && jwt::looks_like_jwt(token)
        {
            jwt::show(
                ui,
                "access_token (Authorization header)",
                explain::JwtKind::Token,
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
        at: explain::At,
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
                &param_rows(values.iter().map(|(n, v)| (*n, v.as_str())), reveal, at),
            );
            for (name, value) in fields {
                if let Some(token) = value.as_str().filter(|t| jwt::looks_like_jwt(t)) {
                    let kind = explain::JwtKind::of_field(name);
                    jwt::show(ui, name, kind, token, format::now_unix());
                }
            }
        }
        // Headers after the fields: on a token response the fields are the lesson.
        if resp.headers.iter().next().is_some() {
            ui.label(RichText::new("Headers").strong());
            table::show(
                ui,
                ("headers", id),
                &header_rows(resp.headers.iter(), reveal, at),
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
    at: explain::At,
) -> Vec<table::Row> {
    params
        .map(|(name, value)| table::Row {
            name: name.to_owned(),
            shown: sensitive::shown(value, redact::is_secret_param(name), reveal).into_owned(),
            copy: Some(value.to_owned()),
            note: explain::param(name, at),
        })
        .collect()
}

fn header_rows<'a>(
    headers: impl Iterator<Item = &'a crate::protocol::http::Header>,
    reveal: bool,
    at: explain::At,
) -> Vec<table::Row> {
    headers
        .map(|h| table::Row {
            name: h.name.clone(),
            shown: sensitive::header_value(&h.name, &h.value, reveal).into_owned(),
            copy: Some(h.value.clone()),
            note: explain::header(&h.name, at),
        })
        .collect()
}

/// A base64 PNG as egui pixels (the browser agent's screenshots).
fn decode_png(base64_png: &str) -> Result<egui::ColorImage, String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_png)
        .map_err(|e| format!("not base64 ({e})"))?;
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("not a PNG ({e})"))?;
    let mut pixels = vec![0; reader.output_buffer_size().ok_or("a PNG too large")?];
    let frame = reader
        .next_frame(&mut pixels)
        .map_err(|e| format!("a broken PNG ({e})"))?;
    let size = [frame.width as usize, frame.height as usize];
    match frame.color_type {
        png::ColorType::Rgba => Ok(egui::ColorImage::from_rgba_unmultiplied(
            size,
            &pixels[..frame.buffer_size()],
        )),
        other => Err(format!("a PNG of {other:?} pixels")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screenshot_is_decoded_or_says_what_is_wrong_with_it() {
        use base64::Engine as _;
        let mut png_bytes = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut png_bytes, 2, 1);
            encoder.set_color(png::ColorType::Rgb);
            let mut writer = encoder.write_header().unwrap_or_else(|e| panic!("{e}"));
            writer
                .write_image_data(&[255, 0, 0, 0, 0, 255])
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png_bytes);
        let image = decode_png(&b64).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(image.size, [2, 1]);
        assert_eq!(image.pixels[0], egui::Color32::from_rgb(255, 0, 0));
        assert!(decode_png("%%%").unwrap_err().contains("not base64"));
        let not_png = base64::engine::general_purpose::STANDARD.encode(b"GIF89a");
        assert!(decode_png(&not_png).unwrap_err().contains("not a PNG"));
    }
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
        assert_eq!(t.exchange_parts(StepId::D, 0), (Some(&req), Some(&resp)));
        assert_eq!(t.exchange_parts(StepId::E, 0), (Some(&req), Some(&resp)));
        assert_eq!(t.exchange_parts(StepId::E, 1), (None, None));
        assert_eq!(t.exchange_parts(StepId::A, 0), (None, None));
    }
}
