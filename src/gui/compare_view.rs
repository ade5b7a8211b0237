//! Two attempts of a step side by side: what each sent and got, and every difference between
//! them (request parameters and headers, response status, headers and JSON fields), coloured by
//! kind. The differences come from [`crate::compare`], the same ones the CLI prints.

use egui::{RichText, Ui};

use crate::compare::{self, Change};
use crate::gui::form_widgets::accessible_name;
use crate::gui::sensitive;
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
    let count = compare::exchange_count(trace, step);
    if count < 2 {
        ui.label(
            "Only one attempt so far. Edit the request and press Send again (or run an experiment): the answers are compared here.",
        );
        return;
    }
    let (left, right) = pair.resolve(count);
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
    let (Some(a), Some(b)) = (
        compare::exchange(trace, step, left),
        compare::exchange(trace, step, right),
    ) else {
        return;
    };
    ui.add_space(theme::ITEM_GAP);
    egui::Grid::new("compare-summary")
        .num_columns(3)
        .spacing([theme::ITEM_GAP * 4.0, theme::ITEM_GAP])
        .show(ui, |ui| {
            ui.label("");
            ui.label(RichText::new(format!("Attempt {}", left + 1)).strong());
            ui.label(RichText::new(format!("Attempt {}", right + 1)).strong());
            ui.end_row();
            ui.label(RichText::new("request").weak());
            ui.label(RichText::new(request_line(&a, reveal)).monospace());
            ui.label(RichText::new(request_line(&b, reveal)).monospace());
            ui.end_row();
            ui.label(RichText::new("answer").weak());
            ui.label(RichText::new(answer(&a)).monospace());
            ui.label(RichText::new(answer(&b)).monospace());
            ui.end_row();
            ui.label(RichText::new("outcome").weak());
            outcome_label(ui, &a, palette);
            outcome_label(ui, &b, palette);
            ui.end_row();
        });
    let comparison = compare::attempts(&a, &b);
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
        egui::Grid::new(title)
            .num_columns(4)
            .striped(true)
            .spacing([theme::ITEM_GAP * 3.0, theme::ITEM_GAP])
            .show(ui, |ui| {
                for d in diffs {
                    let secret = is_secret_place(&d.place);
                    let shown = |v: &str| sensitive::shown(v, secret, reveal).into_owned();
                    let (word, colour, before, after) = match &d.change {
                        Change::Added(v) => ("added", palette.ok, String::new(), shown(v)),
                        Change::Removed(v) => ("removed", palette.failed, shown(v), String::new()),
                        Change::Changed(x, y) => ("changed", palette.warning, shown(x), shown(y)),
                    };
                    ui.label(RichText::new(word).small().strong().color(colour));
                    ui.label(RichText::new(&d.place).monospace().strong());
                    ui.add(
                        egui::Label::new(RichText::new(before).monospace().color(colour)).wrap(),
                    );
                    ui.add(egui::Label::new(RichText::new(after).monospace().color(colour)).wrap());
                    ui.end_row();
                }
            });
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
                let outcome = compare::exchange(trace, step, i)
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
    let status = crate::gui::diagram::layout::Status::of(&a.outcome);
    status.word().to_owned()
}

fn outcome_label(ui: &mut Ui, a: &Attempt, palette: &Palette) {
    let status = crate::gui::diagram::layout::Status::of(&a.outcome);
    let text = match a.outcome.reason() {
        Some(r) => format!("{}: {r}", status.word()),
        None => status.word().to_owned(),
    };
    ui.add(egui::Label::new(RichText::new(text).color(palette.status(status))).wrap());
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
