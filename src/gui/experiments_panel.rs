//! The experiments tab: one click prepares a modified replay (reuse the code, drop the PKCE
//! verifier, …), and the verdict says whether the provider did what RFC 6749 / RFC 9700 expect.
//! With the demo provider, its misbehaviours can be switched on to see a verdict fail.

use egui::{RichText, Ui};

use crate::demo::{Misbehave, Misbehaviour};
use crate::engine::RunId;
use crate::gui::run_status::verdict_word;
use crate::gui::theme::{self, Palette};
use crate::workbench::{Experiment, Judged, Run};

/// What the tab needs of the run on screen.
pub struct RunView<'a> {
    pub run: &'a Run,
    pub findings: &'a [Judged],
    pub running: Option<Experiment>,
    /// The results are of another provider than the one set on the left: why, in words.
    pub other_provider: Option<String>,
}

pub enum PanelAction {
    Run(Experiment),
    /// Every experiment, one after the other.
    RunAll,
    /// Show the experiment's answer next to the attempt before it.
    Show(Experiment),
    MisbehaviourChanged,
}

/// Whether each experiment can run on the run on screen, worked out once per change of the
/// run (planning all of them each frame cost ~0.5 ms a frame).
#[derive(Default)]
pub struct Applicable {
    /// The run, how many attempts it had and how long it may wait, when this was worked out.
    key: Option<(RunId, usize, std::time::Duration)>,
    plans: Vec<Result<(), String>>,
}

impl Applicable {
    fn of(&mut self, run: &Run) -> &[Result<(), String>] {
        let attempts = run.trace.steps.iter().map(|s| s.attempts.len()).sum();
        let key = Some((run.id, attempts, run.wait));
        if self.key != key {
            self.key = key;
            self.plans = Experiment::ALL.iter().map(|e| run.can_run(*e)).collect();
        }
        &self.plans
    }
}

/// `demo`: the demo provider's switches when it is the provider in use.
pub fn show(
    ui: &mut Ui,
    run: Option<RunView<'_>>,
    applicable: &mut Applicable,
    busy: Option<&str>,
    demo: Option<&mut Misbehaviour>,
    palette: &Palette,
) -> Option<PanelAction> {
    let mut action = None;
    egui::ScrollArea::vertical()
        .id_salt("experiments")
        .show(ui, |ui| {
            ui.label("Each experiment sends a modified request and checks the provider's answer against what the RFCs expect.");
            if let Some(m) = demo {
                egui::CollapsingHeader::new(RichText::new("Make the demo provider misbehave").strong())
                    .id_salt("misbehave")
                    .show(ui, |ui| {
                        ui.weak("Switch on a fault, run the flow again, then the experiment that catches it.");
                        for &switch in Misbehave::ALL {
                            let mut on = m.has(switch);
                            if ui.checkbox(&mut on, switch.what()).on_hover_text(switch.name()).changed() {
                                m.set(switch, on);
                                action = Some(PanelAction::MisbehaviourChanged);
                            }
                        }
                    });
            }
            ui.add_space(theme::SECTION_GAP);
            let Some(run) = run else {
                ui.weak("Run the flow first: experiments start from a finished run.");
                return;
            };
            if let Some(notice) = &run.other_provider {
                ui.label(RichText::new(notice).color(palette.warning));
            }
            let all = ui
                .add_enabled(busy.is_none(), egui::Button::new("Run all experiments"))
                .on_hover_text("Each experiment in turn; those that do not fit this provider say why");
            if all.clicked() {
                action = Some(PanelAction::RunAll);
            }
            if let Some(tally) = Judged::tally(run.findings) {
                ui.label(RichText::new(tally).strong());
            }
            for (experiment, plan) in Experiment::ALL.into_iter().zip(applicable.of(run.run)) {
                ui.separator();
                // The plan's commands are thrown away: building it tells whether it can run.
                ui.horizontal_wrapped(|ui| {
                    let enabled = plan.is_ok() && busy.is_none();
                    let button = ui
                        .add_enabled(enabled, egui::Button::new(experiment.title()))
                        .on_hover_text(format!("Expected: {}", experiment.expectation()));
                    let button = match (&plan, busy) {
                        (Err(why), _) => button.on_disabled_hover_text(why.as_str()),
                        (Ok(()), Some(why)) => button.on_disabled_hover_text(why),
                        _ => button,
                    };
                    if button.clicked() {
                        action = Some(PanelAction::Run(experiment));
                    }
                    if run.running == Some(experiment) {
                        ui.spinner();
                        ui.weak("running…");
                    }
                });
                ui.label(
                    RichText::new(format!("Expected: {}", experiment.expectation()))
                        .small()
                        .weak(),
                );
                if let Err(why) = &plan {
                    ui.label(RichText::new(format!("Not possible here: {why}")).small().weak());
                }
                if let Some(Judged { finding, .. }) = Judged::latest(run.findings, experiment) {
                    ui.horizontal_wrapped(|ui| {
                        let colour = palette.verdict(finding.verdict);
                        ui.label(RichText::new(verdict_word(finding.verdict)).strong().monospace().color(colour));
                        ui.label(RichText::new(&finding.summary).color(colour));
                        if ui
                            .small_button("Show")
                            .on_hover_text("Select the step that shows the provider's answer, compared with the attempt before")
                            .clicked()
                        {
                            action = Some(PanelAction::Show(experiment));
                        }
                    });
                }
            }
        });
    action
}
