//! The takes of the run on screen: the diagram shows one at a time (the main flow, or one
//! replay or experiment with its own arrows in the order they were sent), and a list beside it
//! picks which, each with how it went.

use egui::{RichText, Ui};

use crate::gui::diagram::layout::{self, Row};
use crate::gui::run_status;
use crate::gui::theme::{self, Palette};
use crate::trace::{StopReason, Verdict};
use crate::workbench::{Run, Take, TakeEnd, TakeKind};

/// The arrows of take `take` of `run` (the main flow when there is no such take).
pub fn rows(run: &Run, take: usize) -> Vec<Row<'_>> {
    let trace = &run.trace;
    let all = run.takes.all();
    match all.get(take).filter(|t| t.kind != TakeKind::Main) {
        None => {
            let main = run.takes.main();
            layout::flow_rows(trace, |step| main.attempt_of(step))
        }
        Some(t) => layout::sent_rows(trace, &t.attempts, expected(run, t)),
    }
}

/// The attempt of `step` take `take` of `run` shows (its latest of it, the main flow's when
/// there is no such take).
pub fn attempt_of(run: &Run, take: usize, step: crate::trace::StepId) -> Option<usize> {
    run.takes
        .all()
        .get(take)
        .unwrap_or(run.takes.main())
        .attempt_of(step)
}

/// The attempt whose refusal the take's experiment wanted, when it got it (a pass).
pub fn expected(run: &Run, take: &Take) -> Option<(crate::trace::StepId, usize)> {
    let TakeKind::Experiment(experiment) = take.kind else {
        return None;
    };
    let judged = run.findings.get(take.finding?)?;
    (judged.finding.verdict == Verdict::Pass)
        .then_some(())
        .and(judged.attempt)
        .map(|i| (experiment.judged_step(), i))
}

/// How a take went, in a word (`ok`, `fail`, an experiment's verdict), and whether it passed.
pub fn outcome(run: &Run, take: &Take) -> (String, Option<Verdict>) {
    if let Some(judged) = take.finding.and_then(|i| run.findings.get(i)) {
        let v = judged.finding.verdict;
        return (run_status::verdict_word(v).to_lowercase(), Some(v));
    }
    if matches!(take.kind, TakeKind::Experiment(_)) {
        return ("…".into(), None);
    }
    match &take.end {
        Some(TakeEnd { ok: true, .. }) => ("ok".into(), Some(Verdict::Pass)),
        Some(TakeEnd {
            stop: Some(stop), ..
        }) => match (stop.step, &stop.reason) {
            (Some(_), _) => ("fail".into(), Some(Verdict::Fail)),
            (None, StopReason::Paused) => ("paused".into(), None),
            (None, _) => ("stopped".into(), None),
        },
        Some(TakeEnd { stop: None, .. }) => ("done".into(), None),
        None if take.attempts.is_empty() => ("unsent".into(), None),
        None => ("sent".into(), None),
    }
}

/// The list of takes, when the run has more than its main flow; a click shows that take.
/// `reveal` scrolls the shown one into view (the diagram moved to it). Returns the take picked.
pub fn list(
    ui: &mut Ui,
    run: &Run,
    shown: usize,
    reveal: bool,
    palette: &Palette,
) -> Option<usize> {
    let mut picked = None;
    ui.label(RichText::new("Takes").strong());
    ui.label(RichText::new("what the diagram shows").color(palette.weak_text));
    egui::ScrollArea::vertical()
        .id_salt("takes")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, take) in run.takes.all().iter().enumerate() {
                let (word, verdict) = outcome(run, take);
                let colour = match verdict {
                    Some(Verdict::Pass) => palette.ok,
                    Some(Verdict::Fail) => palette.failed,
                    Some(Verdict::Warn) => palette.warning,
                    _ => palette.weak_text,
                };
                ui.horizontal(|ui| {
                    // How it went first, in a column of its own, so the titles line up.
                    let height = ui.spacing().interact_size.y;
                    ui.add_sized(
                        [theme::TAKE_OUTCOME_WIDTH, height],
                        egui::Label::new(RichText::new(word).color(colour)).truncate(),
                    );
                    let title = take.title();
                    let button = egui::Button::selectable(shown == i, title.as_str()).truncate();
                    let response = ui.add(button).on_hover_text(&title);
                    if reveal && shown == i {
                        response.scroll_to_me(None);
                    }
                    if response.clicked() {
                        picked = Some(i);
                    }
                });
            }
        });
    picked
}

/// The takes as a picker above the diagram (a narrow window); returns the take picked.
pub fn picker(ui: &mut Ui, run: &Run, shown: usize) -> Option<usize> {
    let mut picked = None;
    let name = |take: &Take| format!("{}  ·  {}", take.title(), outcome(run, take).0);
    let all = run.takes.all();
    let current = all.get(shown).map(name).unwrap_or_default();
    ui.horizontal(|ui| {
        egui::ComboBox::new("take picker", "take")
            .selected_text(current)
            .truncate()
            .show_ui(ui, |ui| {
                for (i, take) in all.iter().enumerate() {
                    if ui.selectable_label(i == shown, name(take)).clicked() {
                        picked = Some(i);
                    }
                }
            });
    });
    picked
}
