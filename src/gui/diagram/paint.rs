//! Draws a [`DiagramLayout`]: lanes, lifelines, arrows coloured by status, labels on a
//! background so lifelines never cross text.

use egui::{Align2, Color32, FontId, Painter, Pos2, Shape, Stroke, pos2};

use super::layout::{ArrowLayout, DiagramLayout, Status, Text, TextRole};
use crate::gui::theme::Palette;

/// Seconds an in-flight dot takes to travel the arrow once.
const TRAVEL_SECONDS: f64 = 1.2;

/// Which arrows stand out, by their index in the layout.
pub struct Highlight {
    pub selected: Option<usize>,
    pub hovered: Option<usize>,
    /// The arrow the keyboard is on (Tab), ringed so it can be seen.
    pub focused: Option<usize>,
    /// Colour of the status banner.
    pub banner: Color32,
    /// Seconds, for the in-flight animation.
    pub time: f64,
}

pub fn paint(painter: &Painter, layout: &DiagramLayout, palette: &Palette, hl: &Highlight) {
    let m = &layout.metrics;
    text(painter, &layout.status, hl.banner);

    for lane in &layout.lanes {
        painter.add(Shape::dashed_line(
            &lane.lifeline,
            Stroke::new(m.lifeline_stroke, palette.lifeline),
            m.lifeline_dash.0,
            m.lifeline_dash.1,
        ));
        painter.rect(
            lane.header,
            m.lane_rounding,
            palette.lane_fill,
            Stroke::new(m.lifeline_stroke, palette.lane_stroke),
            egui::StrokeKind::Inside,
        );
        for line in &lane.lines {
            text(painter, line, palette.lane_text);
        }
    }

    for (i, arrow) in layout.arrows.iter().enumerate() {
        if hl.selected == Some(i) {
            painter.rect_filled(arrow.row, m.row_rounding, palette.selection);
        } else if hl.hovered == Some(i) {
            painter.rect_filled(arrow.row, m.row_rounding, palette.hover);
        }
        if hl.focused == Some(i) {
            painter.rect_stroke(
                arrow.row,
                m.row_rounding,
                Stroke::new(m.focus_stroke, palette.text),
                egui::StrokeKind::Inside,
            );
        }
        paint_arrow(
            painter,
            layout,
            arrow,
            palette,
            hl.selected == Some(i),
            hl.time,
        );
    }
}

fn paint_arrow(
    painter: &Painter,
    layout: &DiagramLayout,
    arrow: &ArrowLayout,
    palette: &Palette,
    selected: bool,
    time: f64,
) {
    let m = &layout.metrics;
    let colour = arrow.status.colour(palette);
    let width = if selected {
        m.selected_stroke
    } else {
        m.stroke
    };
    let stroke = Stroke::new(width, colour);
    let (dash, gap) = m.arrow_dash;
    match arrow.status {
        Status::Waiting | Status::Skipped | Status::WaitingForUser => {
            painter.add(Shape::dashed_line(&arrow.path, stroke, dash, gap));
        }
        Status::InFlight => {
            // Marching dashes plus a dot travelling along the arrow: motion that reads as
            // "on its way" even on a washed-out projector.
            let offset = (time * f64::from(m.dash_speed)) as f32 % (dash + gap);
            painter.add(Shape::dashed_line_with_offset(
                &arrow.path,
                stroke,
                &[dash],
                &[gap],
                dash + gap - offset,
            ));
            let t = (time % TRAVEL_SECONDS / TRAVEL_SECONDS) as f32;
            painter.circle_filled(point_along(&arrow.path, t), m.dot_radius, colour);
        }
        Status::Ok | Status::Warning | Status::Failed | Status::Expected => {
            painter.add(Shape::line(arrow.path.clone(), stroke));
        }
    }
    // Every leg ends in a head, so a bent arrow reads "to the browser, then on to the server".
    for leg in arrow.path.chunks_exact(2) {
        head(painter, leg[0], leg[1], colour, m.head_len, m.head_width);
    }
    if arrow.both_ends
        && let [tip, before, ..] = arrow.path.as_slice()
    {
        head(painter, *before, *tip, colour, m.head_len, m.head_width);
    }
    for label in &arrow.labels {
        painter.rect_filled(label.rect, m.label_rounding, palette.label_bg);
        let c = match label.role {
            TextRole::Title if arrow.status == Status::Waiting => palette.weak_text,
            TextRole::Title => palette.text,
            TextRole::Problem => colour,
            _ => palette.weak_text,
        };
        text(painter, label, c);
    }
}

fn head(painter: &Painter, from: Pos2, tip: Pos2, colour: Color32, len: f32, half_width: f32) {
    let dir = (tip - from).normalized();
    let normal = egui::vec2(-dir.y, dir.x);
    let back = tip - dir * len;
    painter.add(Shape::convex_polygon(
        vec![tip, back + normal * half_width, back - normal * half_width],
        colour,
        Stroke::NONE,
    ));
}

/// The point at fraction `t` (0..=1) of the polyline's length.
fn point_along(path: &[Pos2], t: f32) -> Pos2 {
    let total: f32 = path.windows(2).map(|w| w[0].distance(w[1])).sum();
    let mut remaining = total * t.clamp(0.0, 1.0);
    for w in path.windows(2) {
        let len = w[0].distance(w[1]);
        if remaining <= len && len > 0.0 {
            return w[0] + (w[1] - w[0]) * (remaining / len);
        }
        remaining -= len;
    }
    path.last().copied().unwrap_or(pos2(0.0, 0.0))
}

fn text(painter: &Painter, t: &Text, colour: Color32) {
    painter.text(
        t.rect.center(),
        Align2::CENTER_CENTER,
        &t.text,
        FontId::proportional(t.size),
        colour,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_travels_the_whole_bent_path() {
        let path = [pos2(0.0, 0.0), pos2(10.0, 0.0), pos2(10.0, 10.0)];
        assert_eq!(point_along(&path, 0.0), pos2(0.0, 0.0));
        assert_eq!(point_along(&path, 0.25), pos2(5.0, 0.0));
        assert_eq!(point_along(&path, 0.75), pos2(10.0, 5.0));
        assert_eq!(point_along(&path, 1.0), pos2(10.0, 10.0));
    }
}
