//! Two attempts of a step side by side: what each sent and got, and every difference between
//! them (request parameters and headers, response status, headers and JSON fields), coloured by
//! kind. The differences come from [`crate::compare`], the same ones the CLI prints.

use egui::{RichText, Ui};

use crate::compare::{self, Change, Comparison};
use crate::gui::diagram::layout::Status;
use crate::gui::form_widgets::accessible_name;
use crate::gui::inspector::sensitive;
use crate::gui::theme::{self, Palette};
use crate::redact::is_secret_place;
use crate::trace::{Attempt, StepId, Trace};

/// Which two attempts are compared; `None` follows the newest (the one before the latest, and
/// the latest), so a replay that is still in flight fills in as it comes back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pair {
    pub left: Option<usize>,
    pub right: Option<usize>,
}

impl Pair {
    /// The indices to compare when the step's exchange has `count` attempts.
    pub fn resolve(self, count: usize) -> (usize, usize) {
        let last = count.saturating_sub(1);
        let right = self.right.unwrap_or(last).min(last);
        let left = self.left.unwrap_or(right.saturating_sub(1)).min(last);
        (left, right)
    }
}

pub fn show(
    ui: &mut Ui,
    trace: &Trace,
    step: StepId,
    pair: &mut Pair,
    reveal: bool,
    palette: &Palette,
) {
    let count = trace.exchange_count(step);
    if count < 2 {
        ui.label(
            "Only one attempt so far. Edit the request and press Send again (or run an experiment): the answers are compared here.",
        );
        return;
    }
    let (left, right) = pair.resolve(count);
    choices_ui(ui, trace, step, count, (left, right), pair);
    let (Some(a), Some(b)) = (trace.exchange(step, left), trace.exchange(step, right)) else {
        return;
    };
    // Fixed column widths: grid cells start narrow, and long values would wrap to a
    // character per line.
    let head_width = WORD_WIDTH + theme::TABLE_NAME_WIDTH + theme::ITEM_GAP;
    let value_width =
        ((ui.available_width() - head_width) / 2.0 - theme::SECTION_GAP * 2.0).max(MIN_VALUE_WIDTH);
    ui.add_space(theme::ITEM_GAP);
    let columns = (head_width, value_width);
    overview_ui(ui, (left, &a), (right, &b), columns, reveal, palette);
    let comparison = compare::attempts(&a, &b);
    differences_ui(ui, &comparison, value_width, reveal, palette);
}

/// "Compare attempt [left] with attempt [right]", and the way back to following the latest.
fn choices_ui(
    ui: &mut Ui,
    trace: &Trace,
    step: StepId,
    count: usize,
    (left, right): (usize, usize),
    pair: &mut Pair,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Compare attempt");
        attempt_choice(
            ui,
            "compare-left",
            "First attempt to compare",
            trace,
            step,
            count,
            left,
            &mut pair.left,
        );
        ui.label("with attempt");
        attempt_choice(
            ui,
            "compare-right",
            "Second attempt to compare",
            trace,
            step,
            count,
            right,
            &mut pair.right,
        );
        if (pair.left, pair.right) != (None, None)
            && ui
                .small_button("Follow the latest")
                .on_hover_text("Compare the newest attempt with the one before it")
                .clicked()
        {
            *pair = Pair::default();
        }
    });
}

/// The two attempts side by side: request line, answer and outcome, in a heading column and
/// one column per attempt of the given widths.
fn overview_ui(
    ui: &mut Ui,
    (left, a): (usize, &Attempt),
    (right, b): (usize, &Attempt),
    (head_width, value_width): (f32, f32),
    reveal: bool,
    palette: &Palette,
) {
    let status = |a: &Attempt| {
        let status = Status::of(&a.outcome);
        let text = match a.outcome.reason() {
            Some(r) => format!("{}: {r}", status.word()),
            None => status.word().to_owned(),
        };
        RichText::new(text).color(status.colour(palette))
    };
    for (what, left_text, right_text) in [
        (
            "",
            RichText::new(format!("Attempt {}", left + 1)).strong(),
            RichText::new(format!("Attempt {}", right + 1)).strong(),
        ),
        (
            "request",
            RichText::new(request_line(a, reveal)).monospace(),
            RichText::new(request_line(b, reveal)).monospace(),
        ),
        (
            "answer",
            RichText::new(answer(a)).monospace(),
            RichText::new(answer(b)).monospace(),
        ),
        ("outcome", status(a), status(b)),
    ] {
        row(
            ui,
            &[
                (head_width, RichText::new(what).weak()),
                (value_width, left_text),
                (value_width, right_text),
            ],
        );
    }
}

/// What changed between the two attempts, in the request and in the answer, one row each.
fn differences_ui(
    ui: &mut Ui,
    comparison: &Comparison,
    value_width: f32,
    reveal: bool,
    palette: &Palette,
) {
    for (title, diffs) in [
        ("What the request changed", &comparison.request),
        ("What the answer changed", &comparison.response),
    ] {
        ui.add_space(theme::SECTION_GAP);
        ui.label(RichText::new(title).strong());
        if diffs.is_empty() {
            ui.weak("nothing");
            continue;
        }
        for d in diffs {
            let secret = is_secret_place(&d.place);
            let shown = |v: &str| sensitive::shown(v, secret, reveal).into_owned();
            let (word, colour, before, after) = match &d.change {
                Change::Added(v) => ("added", palette.ok, String::new(), shown(v)),
                Change::Removed(v) => ("removed", palette.failed, shown(v), String::new()),
                Change::Changed(x, y) => ("changed", palette.warning, shown(x), shown(y)),
            };
            row(
                ui,
                &[
                    (
                        WORD_WIDTH,
                        RichText::new(word).small().strong().color(colour),
                    ),
                    (
                        theme::TABLE_NAME_WIDTH,
                        RichText::new(d.place.to_string()).monospace().strong(),
                    ),
                    (value_width, RichText::new(before).monospace().color(colour)),
                    (value_width, RichText::new(after).monospace().color(colour)),
                ],
            );
            ui.separator();
        }
    }
}

/// `name` is the accessible name of the choice ("first attempt", "second attempt").
#[allow(clippy::too_many_arguments)]
fn attempt_choice(
    ui: &mut Ui,
    id: &str,
    name: &str,
    trace: &Trace,
    step: StepId,
    count: usize,
    current: usize,
    choice: &mut Option<usize>,
) {
    let combo = egui::ComboBox::from_id_salt(id)
        .selected_text(format!("{}", current + 1))
        .show_ui(ui, |ui| {
            for i in 0..count {
                let outcome = trace
                    .exchange(step, i)
                    .map(|a| short_outcome(&a))
                    .unwrap_or_default();
                if ui
                    .selectable_label(i == current, format!("{} · {outcome}", i + 1))
                    .clicked()
                {
                    *choice = Some(i);
                }
            }
        });
    accessible_name(combo.response, name);
}

fn request_line(a: &Attempt, reveal: bool) -> String {
    match &a.request {
        Some(r) => {
            let url = sensitive::url(&r.url, reveal);
            let path = url.split_once("://").map_or(&*url, |(_, rest)| {
                rest.find('/').map_or(rest, |i| &rest[i..])
            });
            format!("{} {path}", r.method)
        }
        None => "not sent".into(),
    }
}

fn answer(a: &Attempt) -> String {
    match (&a.response, &a.transport_error) {
        (Some(r), _) => r.status_line(),
        (None, Some(e)) => e.clone(),
        (None, None) if a.outcome.is_final() => "no answer".into(),
        (None, None) => "waiting…".into(),
    }
}

fn short_outcome(a: &Attempt) -> String {
    Status::of(&a.outcome).word().to_owned()
}

const WORD_WIDTH: f32 = 64.0;
const MIN_VALUE_WIDTH: f32 = 120.0;

/// One line of cells of the given widths; text wraps inside its cell.
fn row(ui: &mut Ui, cells: &[(f32, RichText)]) {
    ui.horizontal_top(|ui| {
        for (width, text) in cells {
            ui.allocate_ui_with_layout(
                egui::vec2(*width, 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| {
                    ui.set_width(*width);
                    ui.add(egui::Label::new(text.clone()).wrap());
                },
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pair_follows_the_newest_two() {
        assert_eq!(Pair::default().resolve(2), (0, 1));
        assert_eq!(Pair::default().resolve(5), (3, 4));
        let fixed = Pair {
            left: Some(0),
            right: None,
        };
        assert_eq!(fixed.resolve(5), (0, 4));
        // A choice beyond what exists (another run selected) is clamped, not a panic.
        let stale = Pair {
            left: Some(7),
            right: Some(9),
        };
        assert_eq!(stale.resolve(3), (2, 2));
    }
}
