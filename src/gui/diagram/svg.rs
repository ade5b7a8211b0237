//! The diagram as an SVG document, for slides: the same layout code as the window, vector
//! text, light theme. Text is measured with egui's own fonts (a window-less `Context`), so the
//! labels get the room they get on screen.

use egui::{Color32, FontId, Pos2, Rect, pos2, vec2};
use svg::Document;
use svg::node::element::{Line, Polygon, Polyline, Rectangle, Text as SvgText};

use super::layout::{self, ArrowLayout, DiagramLayout, Status, Text, TextRole};
use crate::gui::theme::Palette;
use crate::trace::Trace;

/// The slide the diagram is laid out for (it grows taller when the run has steps after E).
const WIDTH: f32 = 1280.0;
const HEIGHT: f32 = 720.0;

/// Renderers have their own fonts, not egui's, and not all honour `textLength` (librsvg does
/// not): the text is laid out for the wide fonts most systems have, measured with egui's font
/// and widened by `WIDE_FONT`, so no line runs out of its box.
const FONT_FAMILY: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', sans-serif";
const WIDE_FONT: f32 = 1.2;

/// The diagram of a kept run, with the banner the window would show for it.
pub fn of_trace(trace: &Trace) -> String {
    render(trace, &super::banner(Some(trace), false).text)
}

/// The diagram of `trace` with `status` as its banner line.
pub fn render(trace: &Trace, status: &str) -> String {
    let ctx = egui::Context::default();
    // Fonts exist from the first pass on; nothing is drawn, so its font texture is dropped.
    ctx.run_ui(egui::RawInput::default(), |_| {})
        .textures_delta
        .clear();
    let mut measure = |text: &str, size: f32| {
        ctx.fonts_mut(|f| {
            f.layout_no_wrap(text.to_owned(), FontId::proportional(size), Color32::BLACK)
                .size()
                .x
        }) * WIDE_FONT
    };
    let rect = Rect::from_min_size(pos2(0.0, 0.0), vec2(WIDTH, HEIGHT));
    // The flow as it first ran: each step's first attempt (replays and experiments are takes
    // of their own, which the run file keeps).
    let rows = layout::flow_rows(trace, |step| {
        (!step.is_extra() && !trace.step(step).attempts.is_empty()).then_some(0)
    });
    let layout = layout::layout(&rows, status, rect, &mut measure);
    document(&layout, &Palette::of(egui::Theme::Light)).to_string()
}

fn document(layout: &DiagramLayout, palette: &Palette) -> Document {
    let width = layout.size.x.max(WIDTH);
    let height = layout.size.y.max(HEIGHT);
    let m = &layout.metrics;
    let mut doc = Document::new()
        .set("viewBox", (0, 0, width, height))
        .set("width", width)
        .set("height", height)
        .set("font-family", FONT_FAMILY)
        .add(
            Rectangle::new()
                .set("width", width)
                .set("height", height)
                .set("fill", colour(Color32::WHITE)),
        );
    doc = doc.add(text(&layout.status, palette.text));
    for lane in &layout.lanes {
        doc = doc
            .add(
                Line::new()
                    .set("x1", lane.lifeline[0].x)
                    .set("y1", lane.lifeline[0].y)
                    .set("x2", lane.lifeline[1].x)
                    .set("y2", lane.lifeline[1].y)
                    .set("stroke", colour(palette.lifeline))
                    .set("stroke-width", m.lifeline_stroke)
                    .set("stroke-dasharray", (m.lifeline_dash.0, m.lifeline_dash.1)),
            )
            .add(
                rect(lane.header, m.lane_rounding)
                    .set("fill", colour(palette.lane_fill))
                    .set("stroke", colour(palette.lane_stroke))
                    .set("stroke-width", m.lifeline_stroke),
            );
        for line in &lane.lines {
            doc = doc.add(text(line, palette.lane_text));
        }
    }
    for arrow in &layout.arrows {
        doc = arrow_nodes(doc, layout, arrow, palette);
    }
    doc
}

fn arrow_nodes(
    mut doc: Document,
    layout: &DiagramLayout,
    arrow: &ArrowLayout,
    palette: &Palette,
) -> Document {
    let m = &layout.metrics;
    let c = arrow.status.colour(palette);
    let points: Vec<String> = arrow
        .path
        .iter()
        .map(|p| format!("{},{}", p.x, p.y))
        .collect();
    let mut line = Polyline::new()
        .set("points", points.join(" "))
        .set("fill", "none")
        .set("stroke", colour(c))
        .set("stroke-width", m.stroke);
    if matches!(
        arrow.status,
        Status::Waiting | Status::Skipped | Status::WaitingForUser | Status::InFlight
    ) {
        line = line.set("stroke-dasharray", (m.arrow_dash.0, m.arrow_dash.1));
    }
    doc = doc.add(line);
    for leg in arrow.path.chunks_exact(2) {
        doc = doc.add(head(leg[0], leg[1], c, m.head_len, m.head_width));
    }
    if arrow.both_ends
        && let [tip, before, ..] = arrow.path.as_slice()
    {
        doc = doc.add(head(*before, *tip, c, m.head_len, m.head_width));
    }
    for label in &arrow.labels {
        let fill = match label.role {
            TextRole::Title if arrow.status == Status::Waiting => palette.weak_text,
            TextRole::Title => palette.text,
            TextRole::Problem => c,
            _ => palette.weak_text,
        };
        doc = doc
            .add(rect(label.rect, m.label_rounding).set("fill", colour(palette.label_bg)))
            .add(text(label, fill));
    }
    doc
}

fn head(from: Pos2, tip: Pos2, c: Color32, len: f32, half_width: f32) -> Polygon {
    let dir = (tip - from).normalized();
    let normal = egui::vec2(-dir.y, dir.x);
    let back = tip - dir * len;
    let corners = [tip, back + normal * half_width, back - normal * half_width];
    let points: Vec<String> = corners.iter().map(|p| format!("{},{}", p.x, p.y)).collect();
    Polygon::new()
        .set("points", points.join(" "))
        .set("fill", colour(c))
}

fn rect(r: Rect, rounding: f32) -> Rectangle {
    Rectangle::new()
        .set("x", r.left())
        .set("y", r.top())
        .set("width", r.width())
        .set("height", r.height())
        .set("rx", rounding)
}

/// Centred on the box the layout made for it (a renderer's font may be a little narrower).
fn text(t: &Text, c: Color32) -> SvgText {
    let centre = t.rect.center();
    SvgText::new(t.text.clone())
        .set("x", centre.x)
        .set("y", centre.y)
        .set("font-size", t.size)
        .set("text-anchor", "middle")
        .set("dominant-baseline", "central")
        .set("fill", colour(c))
}

fn colour(c: Color32) -> String {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    if a == 255 {
        format!("#{r:02x}{g:02x}{b:02x}")
    } else {
        format!("rgba({r},{g},{b},{:.3})", f32::from(a) / 255.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_document_carries_every_step_as_text() {
        let svg = render(&Trace::new("demo"), "Ready: press Run flow");
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        for step in crate::trace::StepId::ALL {
            assert!(svg.contains(step.name()), "{} missing", step.name());
        }
        assert!(svg.contains("Authorization"));
        assert!(svg.contains("Ready: press Run flow"));
    }
}
