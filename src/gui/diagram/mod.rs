//! The sequence diagram: model → [`layout`] (pure, tested) → [`paint`]. Each arrow is also a
//! clickable widget with an accessible name (`E Token response: ok`), which is how screen
//! readers and the UI tests find it.

pub mod layout;
mod paint;
pub mod svg;

use egui::{Color32, FontId, Rect, Role, Sense, Ui, WidgetInfo, vec2};

use crate::gui::format;
use crate::gui::theme::Palette;
use crate::trace::{Outcome, StepId, Trace};
use layout::Status;

/// The one-line summary above the lanes: what the run is doing right now.
#[derive(Clone, Debug, PartialEq)]
pub struct Banner {
    pub text: String,
    pub tone: Tone,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Neutral,
    /// Someone has to do something (log in in the browser).
    Attention,
    Good,
    Bad,
}

/// What the banner says for `trace` (`None`: no run yet). `scripted` tells whether a person or
/// the built-in agent is at the login page.
pub fn banner(trace: Option<&Trace>, scripted: bool) -> Banner {
    let Some(trace) = trace else {
        return Banner {
            text: "Press Run flow: each arrow fills in as its step happens. Click an arrow to inspect it.".into(),
            tone: Tone::Neutral,
        };
    };
    if trace.finished {
        return if trace.ok {
            Banner {
                text: format!(
                    "Flow complete: A–G succeeded in {}.",
                    format::duration_ms(format::run_duration_ms(trace))
                ),
                tone: Tone::Good,
            }
        } else if let Some((prepared, _)) = trace.prepared() {
            Banner {
                text: format!(
                    "Paused before {0}: its request is prepared. Next (Space) sends it as it is; in the inspector you can edit it first.",
                    prepared.letter()
                ),
                tone: Tone::Attention,
            }
        } else {
            let at = trace
                .failed_step()
                .map(|s| format!(" at {}", s.letter()))
                .unwrap_or_default();
            Banner {
                text: format!(
                    "Stopped{at}: {}",
                    trace
                        .error()
                        .unwrap_or_else(|| "the run did not finish".into())
                ),
                tone: Tone::Bad,
            }
        };
    }
    if trace.step(StepId::B).outcome() == Outcome::WaitingForUser {
        return if scripted {
            Banner {
                text: "The scripted browser is logging in as the demo user…".into(),
                tone: Tone::Attention,
            }
        } else {
            Banner {
                text: "Waiting for you to log in in the browser…".into(),
                tone: Tone::Attention,
            }
        };
    }
    let current = trace.steps.iter().rev().find(|s| !s.attempts.is_empty());
    Banner {
        text: match current {
            Some(step) => format!("Running: {} {}…", step.id.letter(), step.id.name()),
            None => "Starting…".into(),
        },
        tone: Tone::Neutral,
    }
}

/// An arrow by its step and, in a take that sends a step more than once, its attempt.
pub type Pick = (StepId, Option<usize>);

pub struct DiagramResponse {
    pub clicked: Option<Pick>,
    /// From an arrow's menu (right click): copy that arrow's exchange in this format.
    pub copy: Option<(Pick, crate::export::Format)>,
    /// Something is moving: the caller should ask for the next animation frame.
    pub animating: bool,
}

/// The width of `text` at a size, laid out as the diagram paints it.
fn measure(painter: &egui::Painter) -> impl FnMut(&str, f32) -> f32 + '_ {
    |text, size| {
        painter
            .layout_no_wrap(text.to_owned(), FontId::proportional(size), Color32::WHITE)
            .size()
            .x
    }
}

/// Lays the diagram out at `size` and draws nothing. egui rasterizes a glyph the first time its
/// size is laid out, and the inspector opening shrinks the diagram to a scale it has not been
/// drawn at: laid out ahead, that frame does not rasterize the diagram's text as well (it was
/// ~half of the inspector's first frame).
pub fn prepare(ui: &Ui, rows: &[layout::Row<'_>], banner: &Banner, size: egui::Vec2) {
    let painter = ui.painter();
    layout::layout(
        rows,
        &banner.text,
        Rect::from_min_size(ui.cursor().min, size),
        &mut measure(painter),
    );
}

/// Draws `rows` (one take of the run) under `banner`; `selected` is the arrow the inspector
/// shows.
pub fn show(
    ui: &mut Ui,
    rows: &[layout::Row<'_>],
    banner: &Banner,
    selected: Option<Pick>,
    palette: &Palette,
) -> DiagramResponse {
    let visible = ui.available_size();
    egui::ScrollArea::vertical()
        .id_salt("diagram")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let origin = ui.cursor().min;
            let painter = ui.painter().clone();
            let mut measure = measure(&painter);
            let layout = layout::layout(
                rows,
                &banner.text,
                Rect::from_min_size(origin, vec2(visible.x, visible.y)),
                &mut measure,
            );
            ui.allocate_exact_size(layout.size, Sense::hover());

            // The banner is painted; this gives it a name for screen readers and tests, and
            // the whole text on hover when it had to be shortened to fit.
            let banner_response = ui.interact(
                layout.status.rect,
                ui.scope_id().with("banner"),
                Sense::hover(),
            );
            banner_response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &banner.text));
            if layout.status.text != banner.text {
                banner_response.on_hover_text(&banner.text);
            }

            // A newly selected arrow is scrolled into view once (the steps after E are drawn
            // below G, often under the inspector); later scrolling is the user's.
            let selected_arrow = selected.and_then(|(step, attempt)| {
                let of_step = |a: &&layout::ArrowLayout| a.step == step;
                let arrows = || layout.arrows.iter().enumerate();
                arrows()
                    .find(|(_, a)| of_step(a) && (attempt.is_none() || a.attempt == attempt))
                    .or_else(|| arrows().find(|(_, a)| of_step(a)))
                    .map(|(i, _)| i)
            });
            let shown_id = ui.scope_id().with("selection scrolled to");
            if ui.data(|d| d.get_temp::<Option<Pick>>(shown_id)) != Some(selected) {
                ui.data_mut(|d| d.insert_temp(shown_id, selected));
                if let Some(arrow) = selected_arrow.and_then(|i| layout.arrows.get(i)) {
                    ui.scroll_to_rect(arrow.row, None);
                }
            }
            let mut clicked = None;
            let mut copy = None;
            let mut hovered = None;
            let mut focused = None;
            for (i, arrow) in layout.arrows.iter().enumerate() {
                let response = ui.interact(
                    arrow.row,
                    ui.scope_id().with(("arrow", arrow.step, arrow.attempt)),
                    Sense::click(),
                );
                let label = arrow.accessible_label();
                response.widget_info(|| {
                    WidgetInfo::selected(Role::Button, true, selected_arrow == Some(i), &label)
                });
                if response.hovered() {
                    hovered = Some(i);
                }
                if response.has_focus() {
                    focused = Some(i);
                }
                let response = if arrow.full_detail.is_empty() {
                    response
                } else {
                    response.on_hover_text(&arrow.full_detail)
                };
                if response.clicked() {
                    clicked = Some((arrow.step, arrow.attempt));
                }
                let sent = arrow.status != Status::Waiting;
                response.context_menu(|ui| {
                    use crate::export::Format;
                    for (format, label) in [
                        (Format::Curl, "Copy the request as curl"),
                        (Format::Markdown, "Copy this step as Markdown"),
                        (Format::Har, "Copy this step as HAR"),
                        (Format::Mermaid, "Copy this step as Mermaid"),
                    ] {
                        if ui.add_enabled(sent, egui::Button::new(label)).clicked() {
                            copy = Some(((arrow.step, arrow.attempt), format));
                            ui.close();
                        }
                    }
                });
            }
            let banner_colour = match banner.tone {
                Tone::Neutral => palette.text,
                Tone::Attention => palette.attention,
                Tone::Good => palette.ok,
                Tone::Bad => palette.failed,
            };
            paint::paint(
                &painter,
                &layout,
                palette,
                &paint::Highlight {
                    selected: selected_arrow,
                    hovered,
                    focused,
                    banner: banner_colour,
                    time: ui.input(|i| i.time),
                },
            );
            DiagramResponse {
                clicked,
                copy,
                animating: layout.arrows.iter().any(|a| a.status == Status::InFlight),
            }
        })
        .inner
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Attempt, Update};

    fn with(step: StepId, outcome: Outcome) -> Trace {
        let mut t = Trace::new("demo");
        t.apply(&Update::Attempt {
            step,
            index: 0,
            attempt: Attempt {
                outcome,
                ..Default::default()
            },
        });
        t
    }

    #[test]
    fn banner_asks_the_person_to_log_in() {
        let t = with(StepId::B, Outcome::WaitingForUser);
        assert_eq!(
            banner(Some(&t), false),
            Banner {
                text: "Waiting for you to log in in the browser…".into(),
                tone: Tone::Attention
            }
        );
        assert_eq!(banner(Some(&t), true).tone, Tone::Attention);
        assert!(banner(Some(&t), true).text.contains("scripted"));
    }

    #[test]
    fn banner_names_the_failed_step_and_reason() {
        let mut t = with(StepId::E, Outcome::Failed("invalid_client".into()));
        t.apply(&Update::Finished {
            ok: false,
            stop: Some(crate::trace::Stop::at(
                StepId::E,
                crate::trace::StopReason::Refused("the provider answered invalid_client".into()),
            )),
        });
        let b = banner(Some(&t), true);
        assert_eq!(b.text, "Stopped at E: the provider answered invalid_client");
        assert_eq!(b.tone, Tone::Bad);
    }

    #[test]
    fn banner_follows_the_run() {
        assert_eq!(banner(None, false).tone, Tone::Neutral);
        assert_eq!(banner(Some(&Trace::new("demo")), false).text, "Starting…");
        assert_eq!(
            banner(Some(&with(StepId::D, Outcome::InFlight)), false).text,
            "Running: D Token request…"
        );
        let mut done = with(StepId::G, Outcome::Ok);
        done.apply(&Update::Finished {
            ok: true,
            stop: None,
        });
        assert_eq!(banner(Some(&done), false).tone, Tone::Good);
    }
}
