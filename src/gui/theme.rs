//! Every colour, size and gap the app uses. Kept in one place so the dark and light palettes stay
//! consistent and the projector rule (nothing smaller than what reads from the back of a room)
//! is enforced by one set of numbers.

use egui::{Color32, FontFamily, FontId, TextStyle, Theme, vec2};

/// Colours by meaning, not by widget.
#[derive(Clone, Debug)]
pub struct Palette {
    pub ok: Color32,
    pub failed: Color32,
    pub warning: Color32,
    pub in_flight: Color32,
    /// Arrows not reached yet, and skipped ones.
    pub pending: Color32,
    pub lane_fill: Color32,
    pub lane_stroke: Color32,
    pub lane_text: Color32,
    pub lifeline: Color32,
    /// Behind arrow labels, so lifelines never run through text.
    pub label_bg: Color32,
    pub text: Color32,
    pub weak_text: Color32,
    pub selection: Color32,
    pub hover: Color32,
    /// Waiting for a person: the B arrow and the "log in in the browser" banner.
    pub attention: Color32,
    pub error_text: Color32,
}

impl Palette {
    /// The colour of a check's or an experiment's verdict.
    pub fn verdict(&self, verdict: crate::trace::Verdict) -> Color32 {
        match verdict {
            crate::trace::Verdict::Pass => self.ok,
            crate::trace::Verdict::Warn => self.warning,
            crate::trace::Verdict::Fail => self.failed,
            crate::trace::Verdict::Skip | crate::trace::Verdict::Info => self.weak_text,
        }
    }

    pub fn of(theme: Theme) -> Self {
        match theme {
            Theme::Dark => Self {
                ok: Color32::from_rgb(80, 200, 120),
                failed: Color32::from_rgb(255, 95, 95),
                warning: Color32::from_rgb(255, 190, 60),
                in_flight: Color32::from_rgb(90, 170, 255),
                pending: Color32::from_gray(120),
                lane_fill: Color32::from_rgb(38, 52, 74),
                lane_stroke: Color32::from_rgb(90, 120, 170),
                lane_text: Color32::from_gray(235),
                lifeline: Color32::from_gray(85),
                label_bg: Color32::from_rgb(27, 27, 27),
                text: Color32::from_gray(225),
                weak_text: Color32::from_gray(160),
                selection: Color32::from_rgba_unmultiplied(90, 170, 255, 40),
                hover: Color32::from_rgba_unmultiplied(255, 255, 255, 12),
                attention: Color32::from_rgb(200, 150, 255),
                error_text: Color32::from_rgb(255, 130, 130),
            },
            // Each text colour at least 4.5:1 on the light backgrounds, each line colour 3:1
            // (WCAG AA; the tests compute it).
            Theme::Light => Self {
                ok: Color32::from_rgb(15, 120, 50),
                failed: Color32::from_rgb(200, 30, 30),
                warning: Color32::from_rgb(150, 90, 0),
                in_flight: Color32::from_rgb(20, 100, 210),
                pending: Color32::from_gray(125),
                lane_fill: Color32::from_rgb(225, 235, 250),
                lane_stroke: Color32::from_rgb(110, 140, 190),
                lane_text: Color32::from_gray(20),
                lifeline: Color32::from_gray(190),
                label_bg: Color32::from_gray(248),
                text: Color32::from_gray(25),
                weak_text: Color32::from_gray(95),
                selection: Color32::from_rgba_unmultiplied(20, 100, 210, 30),
                hover: Color32::from_rgba_unmultiplied(0, 0, 0, 10),
                attention: Color32::from_rgb(120, 60, 200),
                error_text: Color32::from_rgb(190, 20, 20),
            },
        }
    }
}

/// egui's visuals for `theme`, with what its defaults lack for WCAG AA: an outline on
/// unselected checkboxes, radio buttons and fields (egui draws them as a fill barely apart from
/// the panel: 1.2:1 in the light theme), and weak text dark (or light) enough to read.
pub fn visuals(theme: Theme) -> egui::Visuals {
    let (mut visuals, outline, weak) = match theme {
        Theme::Dark => (
            egui::Visuals::dark(),
            Color32::from_gray(130),
            Color32::from_gray(160),
        ),
        Theme::Light => (
            egui::Visuals::light(),
            Color32::from_gray(118),
            Color32::from_gray(95),
        ),
    };
    visuals.widgets.inactive.bg_stroke = egui::Stroke::new(1.0, outline);
    visuals.weak_text_color = Some(weak);
    visuals
}

/// The look of the whole UI: both themes' visuals, and text sizes larger than egui's defaults
/// so a projected window stays readable.
pub fn apply_style(ctx: &egui::Context) {
    // Hack (the monospace font) carries a large hinting program that runs again whenever a
    // glyph of another size is drawn: the inspector's first appearance, monospace at several
    // sizes, spent ~20 ms in it. Unhinted, as egui drew every font before 0.33.
    let mut fonts = egui::FontDefinitions::default();
    if let Some(hack) = fonts.font_data.get_mut("Hack") {
        std::sync::Arc::make_mut(hack).tweak.hinting = Some(false);
    }
    ctx.set_fonts(fonts);
    for theme in [Theme::Dark, Theme::Light] {
        ctx.set_visuals_of(theme, visuals(theme));
    }
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(22.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(15.5, FontFamily::Proportional)),
            (
                TextStyle::Button,
                FontId::new(15.5, FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(13.0, FontFamily::Proportional),
            ),
            (
                TextStyle::Monospace,
                FontId::new(14.0, FontFamily::Monospace),
            ),
        ]
        .into();
        style.spacing.item_spacing = vec2(8.0, 6.0);
        style.spacing.button_padding = vec2(8.0, 4.0);
    });
}

/// The size of a primary action ("Run flow"): the thing a presenter clicks in front of a room.
pub const PRIMARY_BUTTON_TEXT: f32 = 18.0;

/// Side panels, in points.
pub const LEFT_PANEL_WIDTH: f32 = 290.0;
pub const RIGHT_PANEL_WIDTH: f32 = 290.0;
/// Side panels never grow past this, whatever their content asks for.
pub const MAX_PANEL_WIDTH: f32 = 520.0;
/// How tall each of the lesson's two diagrams is.
pub const LESSON_DIAGRAM_HEIGHT: f32 = 350.0;
/// How wide the list of takes beside the diagram starts, and the most it grows to (it is
/// resizable; long titles are shortened, whole on hover).
pub const TAKES_WIDTH: f32 = 230.0;
pub const TAKES_MAX_WIDTH: f32 = 360.0;
/// Below this width of the diagram's area the takes are a picker above the diagram instead of
/// a list beside it, which would leave the diagram too little room.
pub const TAKES_BESIDE_MIN_WIDTH: f32 = 640.0;
/// The column of how each take went (`pass`, `unsent`).
pub const TAKE_OUTCOME_WIDTH: f32 = 46.0;
pub const INSPECTOR_HEIGHT: f32 = 280.0;
/// The tallest the inspector may be in a window whose panels are `central_height` tall, with
/// `bars` above the diagram (a reopened run's, the login URL, the steps after E): the diagram
/// keeps room for A–G (without detail lines, at the smallest scale), so opening a step never
/// hides the steps after it.
pub fn inspector_max_height(central_height: f32, bars: f32) -> f32 {
    let diagram = DIAGRAM_COMPACT_HEIGHT * DIAGRAM_SCALE_RANGE.0 + bars;
    (central_height - diagram).max(INSPECTOR_MIN_HEIGHT)
}

/// Below this the inspector shows too little to be of use; a window that short scrolls.
pub const INSPECTOR_MIN_HEIGHT: f32 = 120.0;
/// The presenter view's narration: the share of the window's width it starts with, and how much
/// larger its text is (read from the back of a room at 1280×720).
pub const NARRATION_SHARE: f32 = 0.36;
pub const PRESENTER_TEXT_SCALE: f32 = 1.45;
/// The presenter's misbehaviour badge.
pub const BADGE_STROKE: f32 = 2.0;
pub const BADGE_MARGIN: f32 = 6.0;
pub const BADGE_RADIUS: f32 = 4.0;

/// Widest name column in parameter and header tables.
pub const TABLE_NAME_WIDTH: f32 = 190.0;

/// Vertical gaps between blocks of a panel: between sections, and smaller within one.
pub const SECTION_GAP: f32 = 8.0;
/// A file path field in a dialog: room for a typical absolute path.
pub const PATH_FIELD_WIDTH: f32 = 420.0;
pub const ITEM_GAP: f32 = 4.0;

/// The colour swatches of the legend.
pub const LEGEND_SWATCH: egui::Vec2 = vec2(28.0, 12.0);
pub const LEGEND_STROKE: f32 = 3.0;

/// Rows of a body shown before the viewer scrolls.
pub const BODY_VIEW_HEIGHT: f32 = 320.0;

/// Frame interval while an arrow animates (~30 fps); idle frames are never requested.
pub const ANIMATION_FRAME: std::time::Duration = std::time::Duration::from_millis(33);

/// The diagram's geometry at scale 1. The diagram scales every number with the window, so the
/// proportions (and the no-overlap guarantees the layout tests pin) hold at any size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiagramMetrics {
    pub scale: f32,
    pub title_size: f32,
    pub detail_size: f32,
    pub lane_size: f32,
    pub status_size: f32,
    /// Line height as a multiple of the font size.
    pub line_height: f32,
    pub margin: f32,
    pub lane_pad: f32,
    pub row_gap: f32,
    /// Vertical distance between the two legs of an arrow that goes through the browser.
    pub leg_gap: f32,
    pub text_gap: f32,
    pub head_len: f32,
    pub head_width: f32,
    pub stroke: f32,
    /// The selected arrow's stroke.
    pub selected_stroke: f32,
    /// The ring around the arrow that has the keyboard focus.
    pub focus_stroke: f32,
    pub label_pad: f32,
    pub lifeline_stroke: f32,
    pub lifeline_dash: (f32, f32),
    /// Dash and gap of arrows not (or not yet) travelled.
    pub arrow_dash: (f32, f32),
    pub lane_rounding: f32,
    pub row_rounding: f32,
    pub label_rounding: f32,
    /// The dot that travels along an arrow in flight, and its speed.
    pub dot_radius: f32,
    pub dash_speed: f32,
    /// The arrows without their detail lines: the window is too short for A–G with them even
    /// at the smallest scale (the inspector and the tooltip still show them).
    pub compact: bool,
}

/// The window size the diagram's scale 1 is designed for.
pub const DIAGRAM_BASE_SIZE: egui::Vec2 = vec2(640.0, 550.0);
/// The height a finished A–G needs at scale 1 without the detail lines.
pub const DIAGRAM_COMPACT_HEIGHT: f32 = 430.0;
/// Below this the text would stop being legible; above it a projector shows it large enough.
pub const DIAGRAM_SCALE_RANGE: (f32, f32) = (0.8, 1.8);
pub const DIAGRAM_SCALE_STEP: f32 = 0.05;

impl DiagramMetrics {
    pub fn scaled(scale: f32) -> Self {
        Self {
            scale,
            title_size: 16.0 * scale,
            detail_size: 14.0 * scale,
            lane_size: 15.0 * scale,
            status_size: 16.0 * scale,
            line_height: 1.2,
            margin: 10.0 * scale,
            lane_pad: 8.0 * scale,
            row_gap: 8.0 * scale,
            leg_gap: 12.0 * scale,
            text_gap: 2.0 * scale,
            head_len: 11.0 * scale,
            head_width: 5.5 * scale,
            stroke: 2.0 * scale,
            selected_stroke: 3.2 * scale,
            focus_stroke: 2.0 * scale,
            label_pad: 3.0 * scale,
            lifeline_stroke: 1.5 * scale,
            lifeline_dash: (6.0 * scale, 4.0 * scale),
            arrow_dash: (8.0 * scale, 6.0 * scale),
            lane_rounding: 6.0 * scale,
            row_rounding: 4.0 * scale,
            label_rounding: 3.0 * scale,
            dot_radius: 4.0 * scale,
            dash_speed: 40.0 * scale,
            compact: false,
        }
    }

    /// The scale that fits the base design into `size`, within the legible range. It moves in
    /// steps of [`DIAGRAM_SCALE_STEP`]: every distinct scale is a new set of font sizes whose
    /// glyphs egui rasterizes and keeps, so dragging a panel edge must not make hundreds.
    pub fn for_size(size: egui::Vec2) -> Self {
        // Too short for A–G with detail lines even at the smallest scale: without them.
        let compact = size.y < DIAGRAM_BASE_SIZE.y * DIAGRAM_SCALE_RANGE.0;
        let height = if compact {
            DIAGRAM_COMPACT_HEIGHT
        } else {
            DIAGRAM_BASE_SIZE.y
        };
        let fit = (size.x / DIAGRAM_BASE_SIZE.x).min(size.y / height);
        let stepped = (fit / DIAGRAM_SCALE_STEP).floor() * DIAGRAM_SCALE_STEP;
        Self {
            compact,
            ..Self::scaled(stepped.clamp(DIAGRAM_SCALE_RANGE.0, DIAGRAM_SCALE_RANGE.1))
        }
    }

    pub fn line(&self, size: f32) -> f32 {
        size * self.line_height
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG 2 contrast ratio of two opaque colours (1 to 21).
    fn contrast(a: Color32, b: Color32) -> f32 {
        fn luminance(c: Color32) -> f32 {
            let channel = |v: u8| {
                let v = f32::from(v) / 255.0;
                if v <= 0.040_45 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
        }
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn the_contrast_formula_is_wcags() {
        assert!((contrast(Color32::BLACK, Color32::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(Color32::from_gray(118), Color32::WHITE) - 4.54).abs() < 0.05);
    }

    /// WCAG AA in both themes: text 4.5:1 on every background it is drawn on, and the outline
    /// of controls and the lines of arrows 3:1.
    #[test]
    fn both_themes_meet_wcag_aa() {
        for theme in [Theme::Dark, Theme::Light] {
            let v = visuals(theme);
            let p = Palette::of(theme);
            let backgrounds = [
                ("panel", v.panel_fill),
                ("window", v.window_fill),
                ("text field", v.extreme_bg_color),
                ("arrow label", p.label_bg),
            ];
            let texts = [
                ("text", p.text),
                ("weak text", p.weak_text),
                ("egui text", v.text_color()),
                ("egui weak text", v.weak_text_color()),
                ("error", p.error_text),
                ("ok", p.ok),
                ("failed", p.failed),
                ("warning", p.warning),
                ("in flight", p.in_flight),
                ("waiting for the user", p.attention),
            ];
            for (bg_name, bg) in backgrounds {
                for (name, colour) in texts {
                    let ratio = contrast(colour, bg);
                    assert!(
                        ratio >= 4.5,
                        "{theme:?}: {name} on {bg_name} is {ratio:.2}:1, below 4.5:1"
                    );
                }
                for (name, colour) in [
                    ("control outline", v.widgets.inactive.bg_stroke.color),
                    ("waiting arrow", p.pending),
                ] {
                    let ratio = contrast(colour, bg);
                    assert!(
                        ratio >= 3.0,
                        "{theme:?}: {name} on {bg_name} is {ratio:.2}:1, below 3:1"
                    );
                }
            }
            let lane = contrast(p.lane_text, p.lane_fill);
            assert!(lane >= 4.5, "{theme:?}: lane titles {lane:.2}:1");
            assert!(v.widgets.inactive.bg_stroke.width >= 1.0);
        }
    }
}
