//! A recorded request as an editable copy: method, URL, each parameter (in the query or the
//! form body, wherever the request keeps them), each header and the raw body. Edits are checked
//! only as far as HTTP needs, because sending a protocol-invalid request is the point; every
//! changed field is marked and can be reset on its own.

use egui::{RichText, TextEdit, Ui};

use crate::gui::form_widgets::{self, accessible_name};
use crate::gui::theme::{self, Palette};
use crate::protocol::edit::params_of;
use crate::protocol::http::{FORM_CONTENT_TYPE, Headers, HttpRequest, parse_url};
use crate::protocol::params::Params;
use crate::redact::{is_secret_header, is_secret_param};

/// One parameter or header row.
#[derive(Clone, Debug, PartialEq)]
struct Field {
    name: String,
    value: String,
    /// What the row held in the request the draft started from; `None` for an added row.
    original: Option<(String, String)>,
    removed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldState {
    Unchanged,
    Edited,
    Added,
    Removed,
}

impl Field {
    fn kept(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            original: Some((name.to_owned(), value.to_owned())),
            removed: false,
        }
    }

    /// A row the user (or a pasted query) added.
    fn added(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            original: None,
            removed: false,
        }
    }

    fn state(&self) -> FieldState {
        match &self.original {
            _ if self.removed => FieldState::Removed,
            None => FieldState::Added,
            Some((n, v)) if *n == self.name && *v == self.value => FieldState::Unchanged,
            Some(_) => FieldState::Edited,
        }
    }

    /// Back to what it was; `false` when the row was added and should go.
    fn reset(&mut self) -> bool {
        match &self.original {
            Some((n, v)) => {
                (self.name, self.value) = (n.clone(), v.clone());
                self.removed = false;
                true
            }
            None => false,
        }
    }
}

/// What the user is changing before sending a step again.
#[derive(Clone, Debug, PartialEq)]
pub struct Draft {
    origin: HttpRequest,
    /// Which attempt the draft was copied from (0-based), for the heading.
    pub origin_attempt: usize,
    method: String,
    /// Without the query when the parameters are the query (they are edited as rows), the
    /// whole URL otherwise.
    url: String,
    params: Vec<Field>,
    params_in_body: bool,
    headers: Vec<Field>,
    /// The body as typed, when it is not edited as parameters.
    raw_body: Option<String>,
    /// After sending, go on to G with what comes back.
    pub continue_flow: bool,
    /// For a token request: get a new authorization code first (A–C again), since a code can
    /// be redeemed once; the edits are carried onto the new request.
    pub fresh_code: bool,
}

impl Draft {
    pub fn new(origin: &HttpRequest, origin_attempt: usize) -> Self {
        let (params, in_body) = params_of(origin);
        let url = if in_body {
            origin.url.clone()
        } else {
            without_query(&origin.url)
        };
        let raw_body = (!in_body && !origin.body.is_empty()).then(|| origin.body.clone());
        Self {
            origin: origin.clone(),
            origin_attempt,
            method: origin.method.clone(),
            url,
            params: params
                .iter()
                .map(|p| Field::kept(&p.name, &p.value))
                .collect(),
            params_in_body: in_body,
            headers: origin
                .headers
                .iter()
                .map(|h| Field::kept(&h.name, &h.value))
                .collect(),
            raw_body,
            continue_flow: false,
            fresh_code: false,
        }
    }

    pub fn origin(&self) -> &HttpRequest {
        &self.origin
    }

    /// How many things differ from the original: fields, method, URL and body.
    pub fn edit_count(&self) -> usize {
        let fields = self
            .params
            .iter()
            .chain(&self.headers)
            .filter(|f| f.state() != FieldState::Unchanged)
            .count();
        let fresh = Draft::new(&self.origin, self.origin_attempt);
        fields
            + usize::from(self.method != fresh.method)
            + usize::from(self.url != fresh.url)
            + usize::from(self.raw_body != fresh.raw_body)
    }

    /// Everything back to the original.
    pub fn reset(&mut self) {
        *self = Draft {
            continue_flow: self.continue_flow,
            fresh_code: self.fresh_code,
            ..Draft::new(&self.origin, self.origin_attempt)
        };
    }

    /// What is wrong with the method for HTTP, if anything.
    fn method_error(&self) -> Option<String> {
        let m = &self.method;
        (m.is_empty() || !m.bytes().all(is_token_byte))
            .then(|| format!("'{m}' is not an HTTP method: use letters only, e.g. GET or POST"))
    }

    fn url_error(&self) -> Option<String> {
        parse_url(&self.url).err()
    }

    fn header_error(f: &Field) -> Option<String> {
        if f.removed {
            return None;
        }
        if f.name.is_empty() || !f.name.bytes().all(is_token_byte) {
            return Some(format!(
                "'{}' is not a valid header name (letters, digits and -)",
                f.name
            ));
        }
        f.value
            .contains(['\r', '\n'])
            .then(|| format!("the value of {} must be on one line", f.name))
    }

    /// The request to send, or the first thing HTTP itself cannot carry.
    pub fn request(&self) -> Result<HttpRequest, String> {
        if let Some(e) = self.method_error() {
            return Err(e);
        }
        if let Some(e) = self.url_error() {
            return Err(format!("URL: {e}"));
        }
        if let Some(e) = self.headers.iter().find_map(Self::header_error) {
            return Err(e);
        }
        let mut params = Params::new();
        for f in self.params.iter().filter(|f| !f.removed) {
            params.push(f.name.clone(), f.value.clone());
        }
        let mut headers = Headers::default();
        for f in self.headers.iter().filter(|f| !f.removed) {
            headers.push(&f.name, f.value.clone());
        }
        let mut request = HttpRequest {
            method: self.method.clone(),
            url: self.url.clone(),
            headers,
            body: String::new(),
        };
        // Untouched parameters go out as they came, not re-encoded: a provider's `iss` on the
        // callback may be unescaped, and "send again" must mean the same bytes.
        let untouched = self.params.len() == params_of(&self.origin).0.len()
            && self
                .params
                .iter()
                .all(|f| f.state() == FieldState::Unchanged);
        match &self.raw_body {
            Some(raw) => request.body = raw.clone(),
            None if self.params_in_body && untouched => request.body = self.origin.body.clone(),
            None if self.params_in_body => request.body = params.encode(),
            None => {}
        }
        if !self.params_in_body {
            if untouched && self.url == without_query(&self.origin.url) {
                request.url = self.origin.url.clone();
            } else {
                request.set_query(&params)?;
            }
        }
        Ok(request)
    }

    /// The parameters are in a form body, and are being edited as a table.
    fn form_as_table(&self) -> bool {
        self.params_in_body && self.raw_body.is_none()
    }

    /// Switches a form body between the parameter table and raw text; nothing is lost.
    fn toggle_raw_body(&mut self) {
        if self.raw_body.is_some() {
            let raw = self.raw_body.take().unwrap_or_default();
            let parsed = Params::parse(&raw);
            // Rows that still match keep their original; the rest count as added.
            let mut old = std::mem::take(&mut self.params);
            for p in parsed.iter() {
                match old.iter().position(|f| f.name == p.name && !f.removed) {
                    Some(i) => {
                        let mut f = old.remove(i);
                        f.value = p.value.clone();
                        self.params.push(f);
                    }
                    None => self.params.push(Field::added(&p.name, &p.value)),
                }
            }
            for mut f in old.into_iter().filter(|f| f.original.is_some()) {
                f.removed = true;
                self.params.push(f);
            }
        } else {
            let mut params = Params::new();
            for f in self.params.iter().filter(|f| !f.removed) {
                params.push(f.name.clone(), f.value.clone());
            }
            self.raw_body = Some(params.encode());
        }
    }

    /// A query typed into the URL field becomes parameter rows, so there is one place for it.
    fn take_query_from_url(&mut self) {
        if self.params_in_body {
            return;
        }
        if let Some((base, query)) = self.url.split_once('?') {
            let query = query.split('#').next().unwrap_or_default().to_owned();
            self.url = base.to_owned();
            for p in Params::parse(&query).iter() {
                self.params.push(Field::added(&p.name, &p.value));
            }
        }
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn without_query(url: &str) -> String {
    match parse_url(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.into()
        }
        Err(_) => url.to_owned(),
    }
}

/// What the editor asks the inspector to do.
#[derive(Debug, PartialEq)]
pub enum EditorAction {
    None,
    Send(HttpRequest),
    /// Copy the latest attempt's request instead.
    StartFromLatest,
}

pub struct EditorContext<'a> {
    /// The step whose request this is, e.g. "D".
    pub step_letter: &'a str,
    /// How many attempts the step has.
    pub attempts: usize,
    /// The request was prepared and never sent: the button sends it, not sends it again.
    pub unsent: bool,
    /// A token request, so a fresh code can be fetched first.
    pub token_request: bool,
    /// Whether "continue the flow" means anything after this step.
    pub can_continue: bool,
    /// Why it cannot be sent now, e.g. another step is in flight.
    pub busy: Option<&'a str>,
    pub reveal: bool,
    pub palette: &'a Palette,
}

pub fn show(ui: &mut Ui, draft: &mut Draft, cx: &EditorContext<'_>) -> EditorAction {
    let mut action = header_ui(ui, draft, cx);
    ui.weak(
        "Anything goes: requests the RFCs forbid are allowed on purpose, to see what the provider does with them.",
    );
    ui.add_space(theme::ITEM_GAP);

    let fresh = Draft::new(&draft.origin, draft.origin_attempt);
    request_line_ui(ui, draft, &fresh, cx.palette);
    ui.add_space(theme::ITEM_GAP);
    params_ui(ui, draft, cx);
    ui.add_space(theme::ITEM_GAP);
    headers_ui(ui, draft, cx);
    raw_body_ui(ui, draft, &fresh);
    ui.add_space(theme::SECTION_GAP);
    if let Some(send) = send_ui(ui, draft, cx) {
        action = send;
    }
    action
}

/// What is being edited, how many changes there are, and the buttons that drop them.
fn header_ui(ui: &mut Ui, draft: &mut Draft, cx: &EditorContext<'_>) -> EditorAction {
    let palette = cx.palette;
    let mut action = EditorAction::None;
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "Editing a copy of {} attempt {}",
                cx.step_letter,
                draft.origin_attempt + 1
            ))
            .strong(),
        );
        let edits = draft.edit_count();
        let marker = match edits {
            0 => "no changes yet".to_owned(),
            1 => "1 change".to_owned(),
            n => format!("{n} changes"),
        };
        ui.label(RichText::new(marker).color(if edits > 0 {
            palette.warning
        } else {
            palette.weak_text
        }));
        if ui
            .add_enabled(edits > 0, egui::Button::new("Reset all to original"))
            .clicked()
        {
            draft.reset();
        }
        if draft.origin_attempt + 1 < cx.attempts
            && ui
                .button(format!("Start from the latest attempt ({})", cx.attempts))
                .on_hover_text("Drop these edits and copy the newest request of this step")
                .clicked()
        {
            action = EditorAction::StartFromLatest;
        }
    });
    action
}

/// The method and the URL, each with its reset button and what is wrong with it.
fn request_line_ui(ui: &mut Ui, draft: &mut Draft, fresh: &Draft, palette: &Palette) {
    // Fixed sizes (`add_sized`): a text field in a grid cell only ever gets the width the
    // cell had the frame before, which starts out tiny.
    let row_height = ui.spacing().interact_size.y;
    let label_width = 60.0;
    ui.horizontal(|ui| {
        let label = ui.add_sized([label_width, row_height], egui::Label::new("Method"));
        ui.add_sized(
            [90.0, row_height],
            TextEdit::singleline(&mut draft.method).font(egui::TextStyle::Monospace),
        )
        .labelled_by(label.id);
        reset_button(ui, draft.method != fresh.method, "Method", || {
            draft.method = fresh.method.clone()
        });
    });
    ui.horizontal(|ui| {
        let label = ui.add_sized([label_width, row_height], egui::Label::new("URL"));
        let width = (ui.available_width() - RESET_WIDTH).max(200.0);
        let changed = ui
            .add_sized(
                [width, row_height],
                TextEdit::singleline(&mut draft.url).font(egui::TextStyle::Monospace),
            )
            .labelled_by(label.id)
            .changed();
        if changed {
            draft.take_query_from_url();
        }
        reset_button(ui, draft.url != fresh.url, "URL", || {
            draft.url = fresh.url.clone()
        });
    });
    form_widgets::field_error(ui, draft.method_error().as_deref(), palette);
    form_widgets::field_error(
        ui,
        draft
            .url_error()
            .map(|e| format!("The URL is malformed: {e}"))
            .as_deref(),
        palette,
    );
}

/// The query or form parameters, as rows (or, for a form body, optionally as raw text).
fn params_ui(ui: &mut Ui, draft: &mut Draft, cx: &EditorContext<'_>) {
    ui.horizontal(|ui| {
        let title = if draft.params_in_body {
            "Form parameters (body)"
        } else {
            "Query parameters"
        };
        ui.label(RichText::new(title).strong());
        if draft.params_in_body {
            let label = if draft.raw_body.is_some() {
                "Edit as parameters"
            } else {
                "Edit the body as raw text"
            };
            if ui.small_button(label).clicked() {
                draft.toggle_raw_body();
            }
        }
    });
    if draft.form_as_table() || !draft.params_in_body {
        rows_ui(ui, "param", &mut draft.params, cx, is_secret_param);
        if ui.small_button("Add parameter").clicked() {
            draft.params.push(Field::added("", ""));
        }
    }
}

fn headers_ui(ui: &mut Ui, draft: &mut Draft, cx: &EditorContext<'_>) {
    ui.label(RichText::new("Headers").strong());
    rows_ui(ui, "header", &mut draft.headers, cx, is_secret_header);
    for e in draft.headers.iter().filter_map(Draft::header_error) {
        form_widgets::field_error(ui, Some(&e), cx.palette);
    }
    if ui.small_button("Add header").clicked() {
        draft.headers.push(Field::added("", ""));
    }
}

/// The body as typed, when it is not edited as parameters.
fn raw_body_ui(ui: &mut Ui, draft: &mut Draft, fresh: &Draft) {
    let show_raw = draft.raw_body.is_some() || !draft.params_in_body;
    if show_raw {
        ui.add_space(theme::ITEM_GAP);
        let label = ui.label(RichText::new("Body (raw)").strong());
        let raw = draft.raw_body.get_or_insert_with(String::new);
        ui.add(
            TextEdit::multiline(raw)
                .font(egui::TextStyle::Monospace)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        if raw.is_empty() && fresh.raw_body.is_none() && !draft.params_in_body {
            draft.raw_body = None;
        }
        if draft.params_in_body
            && !draft
                .headers
                .iter()
                .any(|h| !h.removed && h.value.starts_with(FORM_CONTENT_TYPE))
        {
            ui.weak("No form Content-Type header: the body goes as typed.");
        }
    }
}

/// The fresh-code and continue options and the Send button; `Some` when it was clicked.
fn send_ui(ui: &mut Ui, draft: &mut Draft, cx: &EditorContext<'_>) -> Option<EditorAction> {
    let palette = cx.palette;
    let mut action = None;
    if cx.token_request {
        ui.checkbox(
            &mut draft.fresh_code,
            "Get a new authorization code first (runs A–C again)",
        )
        .on_hover_text(
            "A code can be redeemed only once: without a new one, a strict provider answers invalid_grant whatever else you change. Your edits are applied to the new token request.",
        );
    }
    if cx.can_continue {
        ui.checkbox(
            &mut draft.continue_flow,
            "Then continue the flow to G with the answer",
        )
        .on_hover_text("Use what comes back (a new code or token) for the steps after this one");
    }
    let request = draft.request();
    ui.horizontal_wrapped(|ui| {
        let can_send = request.is_ok() && cx.busy.is_none();
        let send = ui
            .add_enabled(
                can_send,
                egui::Button::new(
                    RichText::new(if cx.unsent { "Send" } else { "Send again" })
                        .size(theme::PRIMARY_BUTTON_TEXT),
                ),
            )
            .on_hover_text(
                "Send exactly this request; the answer becomes a new attempt of this step",
            );
        if let Some(why) = cx.busy {
            ui.weak(why);
        }
        match &request {
            Ok(req) if send.clicked() => action = Some(EditorAction::Send(req.clone())),
            Err(e) => {
                ui.label(RichText::new(format!("Cannot send: {e}")).color(palette.error_text));
            }
            Ok(_) => {}
        }
    });
    action
}

/// Room kept at the end of the URL row for its reset button.
const RESET_WIDTH: f32 = 60.0;
/// Room kept at the end of a parameter row for its mark and buttons.
const ROW_TAIL_WIDTH: f32 = 190.0;

fn reset_button(ui: &mut Ui, changed: bool, what: &str, reset: impl FnOnce()) {
    if changed {
        let button = ui.small_button("Reset");
        if accessible_name(button, &format!("Reset {what}")).clicked() {
            reset();
        }
    }
}

/// Parameter or header rows: name, value (masked while secrets are hidden), and what was done
/// to the row, with a button to undo it.
fn rows_ui(
    ui: &mut Ui,
    kind: &str,
    rows: &mut Vec<Field>,
    cx: &EditorContext<'_>,
    secret: fn(&str) -> bool,
) {
    let palette = cx.palette;
    let mut drop_row = None;
    let row_height = ui.spacing().interact_size.y;
    let name_width = theme::TABLE_NAME_WIDTH * 0.9;
    // Name, value, then the mark and the buttons at the end of the row.
    let value_width = (ui.available_width() - name_width - ROW_TAIL_WIDTH).max(160.0);
    ui.push_id(kind, |ui| {
        for (i, row) in rows.iter_mut().enumerate() {
            let state = row.state();
            let label = if row.name.is_empty() {
                format!("new {kind} {}", i + 1)
            } else {
                row.name.clone()
            };
            ui.push_id(i, |ui| {
                ui.horizontal(|ui| {
                    if state == FieldState::Removed {
                        ui.add_sized(
                            [name_width, row_height],
                            egui::Label::new(RichText::new(&row.name).monospace().strikethrough()),
                        );
                        ui.label(
                            RichText::new("removed: it will not be sent")
                                .italics()
                                .color(palette.failed),
                        );
                        let restore = ui
                            .small_button("Restore")
                            .on_hover_text(format!("Send {label} again"));
                        if accessible_name(restore, &format!("Restore {label}")).clicked() {
                            row.removed = false;
                        }
                        return;
                    }
                    let name = ui.add_sized(
                        [name_width, row_height],
                        TextEdit::singleline(&mut row.name)
                            .font(egui::TextStyle::Monospace)
                            .hint_text("name"),
                    );
                    accessible_name(name, &format!("Name of {label}"));
                    let hidden = secret(&row.name) && !cx.reveal;
                    let value = ui.add_sized(
                        [value_width, row_height],
                        TextEdit::singleline(&mut row.value)
                            .font(egui::TextStyle::Monospace)
                            .password(hidden),
                    );
                    accessible_name(value, &format!("Value of {label}"));
                    let (mark, colour) = match state {
                        FieldState::Edited => ("edited", palette.warning),
                        FieldState::Added => ("added", palette.ok),
                        FieldState::Unchanged | FieldState::Removed => ("", palette.weak_text),
                    };
                    if !mark.is_empty() {
                        ui.label(RichText::new(mark).small().strong().color(colour));
                    }
                    if state == FieldState::Edited {
                        let reset = ui.small_button("Reset");
                        if accessible_name(reset, &format!("Reset {label}")).clicked() {
                            row.reset();
                        }
                    }
                    let remove = ui.small_button("Remove");
                    if accessible_name(remove, &format!("Remove {label}")).clicked() {
                        if row.original.is_some() {
                            row.removed = true;
                        } else {
                            drop_row = Some(i);
                        }
                    }
                });
            });
        }
    });
    if let Some(i) = drop_row {
        rows.remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_request() -> HttpRequest {
        let mut r = HttpRequest::post_form(
            "http://127.0.0.1:9/token",
            &Params::from([
                ("grant_type", "authorization_code"),
                ("code", "abc"),
                ("code_verifier", "v"),
            ]),
        );
        r.headers.push("Authorization", "Basic eDp5");
        r
    }

    #[test]
    fn an_untouched_draft_sends_the_original_byte_for_byte() {
        let r = token_request();
        let d = Draft::new(&r, 0);
        assert_eq!(d.request().unwrap(), r);
        assert_eq!(d.edit_count(), 0);
        let get = HttpRequest::get("http://as/authorize?response_type=code&state=s%20t");
        let d = Draft::new(&get, 0);
        assert_eq!(d.url, "http://as/authorize");
        assert_eq!(d.request().unwrap(), get);
    }

    #[test]
    fn edits_are_marked_and_reset_one_by_one_or_all_at_once() {
        let mut d = Draft::new(&token_request(), 0);
        d.params[1].value = "changed".into();
        d.params[2].removed = true;
        d.params.push(Field::added("scope", "admin"));
        assert_eq!(d.headers[1].name, "Authorization");
        d.headers[1].removed = true;
        assert_eq!(
            d.params.iter().map(Field::state).collect::<Vec<_>>(),
            [
                FieldState::Unchanged,
                FieldState::Edited,
                FieldState::Removed,
                FieldState::Added
            ]
        );
        assert_eq!(d.edit_count(), 4);
        let sent = d.request().unwrap();
        assert_eq!(
            sent.body,
            "grant_type=authorization_code&code=changed&scope=admin"
        );
        assert_eq!(sent.headers.get("authorization"), None);

        assert!(d.params[1].reset());
        assert!(
            !d.params[3].reset(),
            "an added row has nothing to go back to"
        );
        assert_eq!(d.params[1].value, "abc");
        d.fresh_code = true;
        d.reset();
        assert_eq!(d.edit_count(), 0);
        assert!(d.fresh_code, "the send options survive a reset");
        assert_eq!(d.request().unwrap(), token_request());
    }

    #[test]
    fn http_breaking_input_is_refused_with_the_reason_and_kept() {
        let mut d = Draft::new(&token_request(), 0);
        d.url = "not a url".into();
        let e = d.request().unwrap_err();
        assert!(e.starts_with("URL:"), "{e}");
        assert_eq!(d.url, "not a url", "what was typed stays");
        d.url = "http://127.0.0.1:9/token".into();
        d.method = "PO ST".into();
        assert!(d.request().unwrap_err().contains("not an HTTP method"));
        d.method = "PUT".into();
        d.headers[1].name = "Bad Header".into();
        assert!(d.request().unwrap_err().contains("not a valid header name"));
        d.headers[1].name = "X-Test".into();
        d.headers[1].value = "a\r\nInjected: yes".into();
        assert!(d.request().unwrap_err().contains("on one line"));
    }

    #[test]
    fn raw_body_and_parameter_table_convert_without_losing_anything() {
        let mut d = Draft::new(&token_request(), 0);
        d.toggle_raw_body();
        assert_eq!(
            d.raw_body.as_deref(),
            Some("grant_type=authorization_code&code=abc&code_verifier=v")
        );
        d.raw_body = Some("grant_type=authorization_code&code=abc&extra=1".into());
        assert_eq!(
            d.request().unwrap().body,
            "grant_type=authorization_code&code=abc&extra=1"
        );
        d.toggle_raw_body();
        let states: Vec<_> = d
            .params
            .iter()
            .map(|f| (f.name.as_str(), f.state()))
            .collect();
        assert_eq!(
            states,
            [
                ("grant_type", FieldState::Unchanged),
                ("code", FieldState::Unchanged),
                ("extra", FieldState::Added),
                ("code_verifier", FieldState::Removed)
            ]
        );
    }

    #[test]
    fn untouched_parameters_keep_their_original_encoding() {
        let callback = HttpRequest::get("http://127.0.0.1:9/cb?code=a&iss=http://as");
        let mut d = Draft::new(&callback, 0);
        assert_eq!(d.request().unwrap(), callback);
        d.params[0].value = "b".into();
        assert_eq!(
            d.request().unwrap().url,
            "http://127.0.0.1:9/cb?code=b&iss=http%3A%2F%2Fas"
        );
    }

    #[test]
    fn a_query_typed_into_the_url_becomes_rows() {
        let mut d = Draft::new(&HttpRequest::get("http://as/authorize?state=s"), 0);
        d.url = "http://as/authorize?prompt=consent".into();
        d.take_query_from_url();
        assert_eq!(d.url, "http://as/authorize");
        assert_eq!(
            d.request().unwrap().url,
            "http://as/authorize?state=s&prompt=consent"
        );
    }

    #[test]
    fn a_get_without_parameters_and_a_body_keeps_the_body() {
        let mut r = HttpRequest::get("http://rs/api");
        r.body = "{}".into();
        let d = Draft::new(&r, 0);
        assert_eq!(d.raw_body.as_deref(), Some("{}"));
        assert_eq!(d.request().unwrap(), r);
    }
}
