//! "Check my provider": runs the whole audit on the run on screen, with a progress bar while it
//! runs, then the report by area (verdict, check, RFC section and keyword, what came back); each
//! active check's row opens the attempts that prove it, and the report can be saved as Markdown.

use std::path::PathBuf;

use egui::{RichText, Ui};

use crate::gui::run_status::verdict_word;
use crate::gui::theme::{self, Palette};
use crate::workbench::{AuditCheck, Experiment, Run};

pub enum AuditAction {
    /// Run every check on the run on screen.
    Start,
    /// Open the attempts that prove an active check.
    Show(Experiment),
    /// Write the report as Markdown here.
    Save(PathBuf),
}

/// What the Check tab keeps between frames: where the report is saved, as typed, what the last
/// save came to, and how long the checks that wait may wait.
#[derive(Default)]
pub struct CheckState {
    pub path: String,
    pub result: Option<Result<String, String>>,
    /// Seconds (0: the checks that wait are skipped).
    pub wait_secs: u64,
}

/// `other_provider`: the run is not of the provider set on the left (what to say about it).
pub fn show(
    ui: &mut Ui,
    run: Option<&Run>,
    other_provider: Option<&str>,
    busy: Option<&str>,
    save: &mut CheckState,
    palette: &Palette,
) -> Option<AuditAction> {
    let mut action = None;
    egui::ScrollArea::vertical().id_salt("audit").show(ui, |ui| {
        ui.label(format!(
            "Every check of the provider audit ({}), each judged by the RFC's own word: a broken MUST fails, a broken SHOULD warns, an allowed choice is a note.",
            AuditCheck::count()
        ));
        let Some(run) = run else {
            ui.weak("Run the flow first: the audit starts from a finished run.");
            return;
        };
        if let Some(notice) = other_provider {
            ui.label(RichText::new(notice).color(palette.warning));
        }
        ui.horizontal_wrapped(|ui| {
            ui.label("Wait up to");
            ui.add(egui::DragValue::new(&mut save.wait_secs).range(0..=3600).suffix(" s"))
                .on_hover_text("How long code-lifetime and expired-access-token may wait for a code or a token to expire. 0 skips them; from 600 s a code is judged against RFC 6749's 10 minutes");
            ui.label("for codes and tokens to expire");
        });
        let button = ui
            .add_enabled(busy.is_none(), egui::Button::new("Check my provider"))
            .on_hover_text("The normal flow is done: now every active check sends its request, and the passive ones read what came back");
        let button = match busy {
            Some(why) => button.on_disabled_hover_text(why),
            None => button,
        };
        if button.clicked() {
            action = Some(AuditAction::Start);
        }
        let Some(audit) = &run.audit else { return };
        let (done, all) = audit.progress(run);
        let Some(report) = &audit.report else {
            let fraction = if all == 0 { 1.0 } else { done as f32 / all as f32 };
            let current = run.running_experiment().map_or_else(String::new, |e| {
                if e.waits() {
                    format!(" — {} (waits up to {} s)", e.title(), run.wait.as_secs())
                } else {
                    format!(" — {}", e.title())
                }
            });
            ui.add(
                egui::ProgressBar::new(fraction)
                    .text(format!("{done} of {all}{current}")),
            );
            return;
        };
        ui.add_space(theme::SECTION_GAP);
        ui.label(RichText::new(report.summary().line()).strong());
        save_row(ui, save, report, &mut action);
        for (area, rows) in report.by_area() {
            let worst = rows.iter().map(|r| r.finding.verdict).max();
            let title = match worst {
                Some(v) => format!("{} · {}", area.title(), verdict_word(v)),
                None => area.title().to_owned(),
            };
            egui::CollapsingHeader::new(RichText::new(title).strong())
                .id_salt(("audit-area", area.id()))
                .default_open(true)
                .show(ui, |ui| {
                    for row in rows {
                        let rule = row.check.rule();
                        let colour = palette.verdict(row.finding.verdict);
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(verdict_word(row.finding.verdict)).monospace().strong().color(colour));
                            ui.label(RichText::new(rule.title).strong())
                                .on_hover_text(format!("{}: {}", rule.id, rule.rule));
                            if let AuditCheck::Active(e) = row.check
                                && !row.attempts.is_empty()
                                && ui
                                    .small_button("Show answer")
                                    .on_hover_text("Open the provider's answer on the diagram, next to the attempt before it")
                                    .clicked()
                            {
                                action = Some(AuditAction::Show(e));
                            }
                        });
                        ui.label(RichText::new(format!("{} · {}", rule.rfc, rule.keyword.word())).small().weak());
                        ui.label(RichText::new(&row.finding.summary).small());
                        ui.add_space(theme::ITEM_GAP);
                    }
                });
        }
    });
    action
}

fn save_row(
    ui: &mut Ui,
    save: &mut CheckState,
    report: &crate::workbench::audit::Report,
    action: &mut Option<AuditAction>,
) {
    if save.path.is_empty() {
        save.path = default_path(&report.provider);
    }
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut save.path)
                .desired_width(ui.available_width() - 120.0)
                .hint_text("where to save the report"),
        )
        .on_hover_text("A Markdown file; it is written owner-only");
        if ui.button("Save report").clicked() && !save.path.trim().is_empty() {
            *action = Some(AuditAction::Save(PathBuf::from(save.path.trim())));
        }
    });
    match &save.result {
        Some(Ok(saved)) => {
            ui.weak(format!("Saved to {saved}"));
        }
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        None => {}
    }
}

/// `~/Documents/oauthviz-check-<provider>.md` (or in the home directory).
fn default_path(provider: &str) -> String {
    let name = crate::keep::file_name_part(provider);
    crate::gui::keep_panel::in_documents(&format!("oauthviz-check-{}.md", name.trim_matches('-')))
}
