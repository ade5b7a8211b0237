//! HTTP bodies for reading: JSON pretty-printed and highlighted, secrets masked, and cheap at any
//! size. A frame only lays out the rows in view ([`egui::ScrollArea::show_rows`]); a large body is
//! formatted on a worker thread and only its head is syntax-highlighted, so a 2 MiB response
//! never makes a frame slow.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::mpsc;

use egui::text::{ByteIndex, LayoutJob, LayoutSection};
use egui::{Label, RichText, TextStyle, Ui};
use egui_extras::syntax_highlighting::{CodeTheme, highlight};

use crate::engine::http::human_bytes;
use crate::gui::theme;
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::redact;

/// Bodies larger than this are formatted off the UI thread.
const FORMAT_INLINE_LIMIT: usize = 64 * 1024;
/// Only this much of a body is syntax-highlighted; the rest is shown plain.
const HIGHLIGHT_LIMIT: usize = 8 * 1024;
/// Longer lines are cut into display rows, so one huge line is not one huge galley.
const MAX_ROW_BYTES: usize = 2000;

/// A body ready to display: the text as shown (pretty, masked) cut into rows.
#[derive(Debug, PartialEq)]
struct BodyText {
    text: String,
    rows: Vec<Range<usize>>,
    json: bool,
}

/// A request or response whose body is shown.
#[derive(Clone, Copy)]
pub enum Message<'a> {
    Request(&'a HttpRequest),
    Response(&'a HttpResponse),
}

impl Message<'_> {
    fn body(&self) -> &str {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    /// The body as displayed: secrets masked by [`redact`] unless revealed.
    fn shown_body(&self, reveal: bool) -> String {
        match (self, reveal) {
            (_, true) => self.body().to_owned(),
            (Message::Request(r), false) => redact::request(r).body,
            (Message::Response(r), false) => redact::response(r).body,
        }
    }
}

/// Pretty-prints JSON, or keeps text as it is.
fn prepare(body: String) -> BodyText {
    let trimmed = body.trim_start();
    let pretty = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
    } else {
        None
    };
    let json = pretty.is_some();
    let text = pretty.unwrap_or(body);
    let rows = rows(&text);
    BodyText { text, rows, json }
}

/// Line ranges, each cut at [`MAX_ROW_BYTES`] (on a char boundary); line ends excluded.
fn rows(text: &str) -> Vec<Range<usize>> {
    let mut rows = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        let end = start + line.len();
        let mut row_start = start;
        while end - row_start > MAX_ROW_BYTES {
            let cut = text.floor_char_boundary(row_start + MAX_ROW_BYTES);
            rows.push(row_start..cut);
            row_start = cut;
        }
        // A CRLF line end leaves its `\r` behind; it is not part of the row.
        let row_end = if text[row_start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        rows.push(row_start..row_end);
        start = end + 1;
    }
    rows
}

/// Highlights the body's head as JSON and cuts the result into one job per row.
fn highlight_head(ui: &Ui, body: &BodyText) -> Vec<LayoutJob> {
    if !body.json {
        return Vec::new();
    }
    let head_rows = body
        .rows
        .iter()
        .take_while(|r| r.end <= HIGHLIGHT_LIMIT)
        .count();
    let Some(head_end) = body.rows[..head_rows].last().map(|r| r.end) else {
        return Vec::new();
    };
    let theme = CodeTheme::from_style(ui.style());
    let job = highlight(ui.ctx(), ui.style(), &theme, &body.text[..head_end], "json");
    split_job(&job, &body.rows[..head_rows])
}

/// One job per row, each with the sections of `job` that cover it. Rows and sections are both
/// in text order, so one pass over the sections serves all rows.
fn split_job(job: &LayoutJob, rows: &[Range<usize>]) -> Vec<LayoutJob> {
    let sections = &job.sections;
    let mut first = 0;
    rows.iter()
        .map(|row| {
            while first < sections.len() && sections[first].byte_range.end.0 <= row.start {
                first += 1;
            }
            let mut out = LayoutJob {
                text: job.text[row.clone()].to_owned(),
                wrap: egui::text::TextWrapping::no_max_width(),
                ..Default::default()
            };
            for section in sections[first..]
                .iter()
                .take_while(|s| s.byte_range.start.0 < row.end)
            {
                let start = section.byte_range.start.0.max(row.start);
                let end = section.byte_range.end.0.min(row.end);
                if start < end {
                    out.sections.push(LayoutSection {
                        leading_space: 0.0,
                        byte_range: ByteIndex(start - row.start)..ByteIndex(end - row.start),
                        format: section.format.clone(),
                    });
                }
            }
            out
        })
        .collect()
}

enum State {
    Formatting(mpsc::Receiver<BodyText>),
    Ready {
        body: BodyText,
        highlighted: Vec<LayoutJob>,
    },
}

/// Which body a cache entry holds. The length guards against an attempt replaced in place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct BodyKey {
    id: String,
    len: usize,
    reveal: bool,
}

/// Prepared bodies, kept while they are on screen. Entries not shown in a frame are dropped at
/// the start of the next, so memory follows what is visible.
#[derive(Default)]
pub struct BodyCache {
    entries: HashMap<BodyKey, (State, bool)>,
}

impl BodyCache {
    /// Call once per frame before any [`BodyCache::show`].
    pub fn begin_frame(&mut self) {
        self.entries.retain(|_, (_, used)| std::mem::take(used));
    }

    /// Shows `body` under a small header with its size and a copy button (copying the body as
    /// received, unmasked: the button is a deliberate act).
    pub fn show(&mut self, ui: &mut Ui, id: &str, message: Message<'_>, reveal: bool) {
        let body = message.body();
        let key = BodyKey {
            id: id.to_owned(),
            len: body.len(),
            reveal,
        };
        let (state, used) = self
            .entries
            .entry(key)
            .or_insert_with(|| (start(ui, message, reveal), false));
        *used = true;
        if let State::Formatting(rx) = state
            && let Ok(prepared) = rx.try_recv()
        {
            *state = ready(ui, prepared);
        }
        ui.horizontal(|ui| {
            let kind = match state {
                State::Ready { body: b, .. } if b.json => "JSON · ",
                State::Ready { .. } => "text · ",
                State::Formatting(_) => "",
            };
            ui.weak(format!("{kind}{}", human_bytes(body.len())));
            if ui
                .small_button("Copy body")
                .on_hover_text("Copy the body exactly as received")
                .clicked()
            {
                ui.ctx().copy_text(body.to_owned());
            }
        });
        match state {
            State::Formatting(_) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("Formatting {}…", human_bytes(body.len())));
                });
            }
            State::Ready { body, highlighted } => rows_view(ui, id, body, highlighted),
        }
    }
}

fn start(ui: &Ui, message: Message<'_>, reveal: bool) -> State {
    if message.body().len() > FORMAT_INLINE_LIMIT {
        let (tx, rx) = mpsc::channel();
        let owned = match message {
            Message::Request(r) => Owned::Request(r.clone()),
            Message::Response(r) => Owned::Response(r.clone()),
        };
        let ctx = ui.ctx().clone();
        let spawned = std::thread::Builder::new()
            .name("oauthviz-format".into())
            .spawn(move || {
                let _ = tx.send(prepare(owned.as_message().shown_body(reveal)));
                ctx.request_repaint();
            });
        if spawned.is_ok() {
            return State::Formatting(rx);
        }
        // No thread to be had: one slow frame beats never showing the body.
    }
    ready(ui, prepare(message.shown_body(reveal)))
}

/// A message moved to the formatting thread.
enum Owned {
    Request(HttpRequest),
    Response(HttpResponse),
}

impl Owned {
    fn as_message(&self) -> Message<'_> {
        match self {
            Owned::Request(r) => Message::Request(r),
            Owned::Response(r) => Message::Response(r),
        }
    }
}

fn ready(ui: &Ui, body: BodyText) -> State {
    let highlighted = highlight_head(ui, &body);
    State::Ready { body, highlighted }
}

/// Bodies up to this many lines are shown whole, inside the inspector's own scrolling.
const INLINE_ROWS: usize = 400;

fn rows_view(ui: &mut Ui, id: &str, body: &BodyText, highlighted: &[LayoutJob]) {
    let row_height = ui.text_style_height(&TextStyle::Monospace);
    ui.scope(|ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        // A body of ordinary length scrolls with the inspector, not in a box of its own; only
        // a long one gets its own scroller, so a frame lays out just the rows in view.
        let max_height = if body.rows.len() <= INLINE_ROWS {
            f32::INFINITY
        } else {
            theme::BODY_VIEW_HEIGHT
        };
        egui::ScrollArea::both()
            .id_salt(("body", id))
            .max_height(max_height)
            .auto_shrink([false, true])
            .show_rows(ui, row_height, body.rows.len(), |ui, visible| {
                for i in visible {
                    match highlighted.get(i) {
                        Some(job) => ui.add(Label::new(job.clone()).extend()),
                        None => ui.add(
                            Label::new(RichText::new(&body.text[body.rows[i].clone()]).monospace())
                                .extend(),
                        ),
                    };
                }
            });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_printed_and_masked_unless_revealed() {
        let resp = HttpResponse {
            status: 200,
            headers: Default::default(),
            body: r#"{"access_token":"eyJhbGciOiJub25lIn0.e30.","token_type":"Bearer"}"#.into(),
        };
        let masked = prepare(Message::Response(&resp).shown_body(false));
        assert!(masked.json);
        assert_eq!(masked.text.lines().count(), 4);
        assert!(
            masked.text.contains(r#""access_token": "eyJh…[24 chars]""#),
            "{}",
            masked.text
        );
        let revealed = prepare(Message::Response(&resp).shown_body(true));
        assert!(revealed.text.contains("eyJhbGciOiJub25lIn0.e30."));
    }

    #[test]
    fn text_that_is_not_json_is_kept() {
        let b = prepare("<html>\r\n<body>hi</body>\r\n</html>".into());
        assert!(!b.json);
        let shown: Vec<&str> = b.rows.iter().map(|r| &b.text[r.clone()]).collect();
        assert_eq!(shown, ["<html>", "<body>hi</body>", "</html>"]);
        assert!(!prepare("{not json".into()).json);
    }

    #[test]
    fn long_lines_are_cut_into_rows_on_char_boundaries() {
        let line = "é".repeat(MAX_ROW_BYTES); // 2 bytes each
        let b = prepare(line.clone());
        assert_eq!(b.rows.len(), 2);
        assert!(b.rows.iter().all(|r| r.len() <= MAX_ROW_BYTES));
        let joined: String = b.rows.iter().map(|r| &b.text[r.clone()]).collect();
        assert_eq!(joined, line);
    }

    #[test]
    fn split_jobs_keep_their_sections_relative_to_each_row() {
        let mut job = LayoutJob::default();
        job.append("ab", 0.0, egui::TextFormat::default());
        let italics = egui::TextFormat {
            italics: true,
            ..Default::default()
        };
        job.append("cd\nef", 0.0, italics);
        let rows = split_job(&job, &[0..4, 5..7]);
        assert_eq!(rows[0].text, "abcd");
        let ranges: Vec<_> = rows[0]
            .sections
            .iter()
            .map(|s| (s.byte_range.clone(), s.format.italics))
            .collect();
        assert_eq!(
            ranges,
            [
                (ByteIndex(0)..ByteIndex(2), false),
                (ByteIndex(2)..ByteIndex(4), true)
            ]
        );
        assert_eq!(rows[1].text, "ef");
        assert_eq!(rows[1].sections.len(), 1);
        assert_eq!(rows[1].sections[0].byte_range, ByteIndex(0)..ByteIndex(2));
        assert!(rows[1].sections[0].format.italics);
    }
}
