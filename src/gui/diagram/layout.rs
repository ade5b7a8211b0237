//! Where everything in the sequence diagram goes: a pure function from a trace, a rectangle and
//! text metrics to positioned lanes, arrows and labels. No egui painting happens here, so the
//! guarantees that matter on a projector (top-to-bottom order, no overlapping labels, text that
//! fits) are unit-tested.

use egui::{Color32, Pos2, Rect, Vec2, pos2, vec2};

use crate::gui::format;
use crate::gui::theme::{DiagramMetrics, Palette};
use crate::trace::{Attempt, Outcome, StepId, Trace};

/// Measures the width of `text` at font size `size`, in points.
pub type Measure<'a> = dyn FnMut(&str, f32) -> f32 + 'a;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    Browser,
    Client,
    AuthServer,
    ResourceServer,
}

impl Lane {
    pub const ALL: [Lane; 4] = [
        Lane::Browser,
        Lane::Client,
        Lane::AuthServer,
        Lane::ResourceServer,
    ];

    /// Two lines, so four headers fit side by side in a narrow window.
    pub fn title(self) -> [&'static str; 2] {
        match self {
            Lane::Browser => ["Browser /", "Resource Owner"],
            Lane::Client => ["Client", "(oauthviz)"],
            Lane::AuthServer => ["Authorization", "Server"],
            Lane::ResourceServer => ["Resource", "Server"],
        }
    }
}

/// The lanes an arrow passes through, in order. A and C travel through the browser (the front
/// channel), which is why they bend at its lifeline; D–G go straight (the back channel).
pub fn route(step: StepId) -> &'static [Lane] {
    use Lane::*;
    match step {
        StepId::A => &[Client, Browser, AuthServer],
        StepId::B => &[Browser, AuthServer],
        StepId::C => &[AuthServer, Browser, Client],
        StepId::D => &[Client, AuthServer],
        StepId::E => &[AuthServer, Client],
        StepId::F => &[Client, ResourceServer],
        StepId::G => &[ResourceServer, Client],
        // Refresh, revocation and introspection are back-channel calls to the authorization server.
        StepId::Refresh | StepId::Revoke | StepId::Introspect => &[Client, AuthServer],
    }
}

/// How an arrow is drawn; one per [`Outcome`] variant, without the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Waiting,
    InFlight,
    WaitingForUser,
    Ok,
    Warning,
    Failed,
    Skipped,
    /// Refused, and an experiment wanted exactly that refusal: the provider passed.
    Expected,
}

impl Status {
    pub fn of(outcome: &Outcome) -> Self {
        match outcome {
            Outcome::Pending => Status::Waiting,
            Outcome::InFlight => Status::InFlight,
            Outcome::WaitingForUser => Status::WaitingForUser,
            Outcome::Ok => Status::Ok,
            Outcome::Warning(_) => Status::Warning,
            Outcome::Failed(_) => Status::Failed,
            Outcome::Skipped(_) => Status::Skipped,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::InFlight => "in flight",
            Status::WaitingForUser => "waiting for the user",
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
            Status::Expected => "refused, as expected",
        }
    }

    /// The colour of an arrow (and of its status word) in this state.
    pub fn colour(self, palette: &Palette) -> Color32 {
        match self {
            Status::Waiting | Status::Skipped => palette.pending,
            Status::InFlight => palette.in_flight,
            Status::WaitingForUser => palette.attention,
            Status::Ok | Status::Expected => palette.ok,
            Status::Warning => palette.warning,
            Status::Failed => palette.failed,
        }
    }
}

/// What a line of text is, so the painter can colour it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextRole {
    Status,
    Lane,
    Title,
    Detail,
    Problem,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub text: String,
    /// The text's own box (left-top is where it is drawn).
    pub rect: Rect,
    pub size: f32,
    pub role: TextRole,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LaneLayout {
    pub lane: Lane,
    pub x: f32,
    pub header: Rect,
    pub lines: Vec<Text>,
    pub lifeline: [Pos2; 2],
}

#[derive(Clone, Debug, PartialEq)]
pub struct ArrowLayout {
    pub step: StepId,
    /// The attempt of the step the arrow draws (none before the step ran).
    pub attempt: Option<usize>,
    pub status: Status,
    /// Whether the title names the attempt (`D #2`): a take other than the main flow.
    pub numbered: bool,
    /// Horizontal legs as point pairs, each ending in a head; a bent arrow drops down at the
    /// browser's lifeline between its legs. `both_ends` adds a head at the very first point.
    pub path: Vec<Pos2>,
    pub both_ends: bool,
    pub labels: Vec<Text>,
    /// The clickable band of the arrow, full width.
    pub row: Rect,
    /// The detail lines unshortened, for the tooltip.
    pub full_detail: String,
}

impl ArrowLayout {
    /// `E Token response: ok`, `D #2 Token request: failed` — the arrow's name for screen
    /// readers and UI tests.
    pub fn accessible_label(&self) -> String {
        format!(
            "{} {}: {}",
            self.letter(),
            self.step.name(),
            self.status.word()
        )
    }

    /// `D`, or `D #2` for an attempt named in a take.
    fn letter(&self) -> String {
        match self.attempt {
            Some(i) if self.numbered => format!("{} #{}", self.step.letter(), i + 1),
            _ => self.step.letter().to_owned(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DiagramLayout {
    pub metrics: DiagramMetrics,
    pub status: Text,
    pub lanes: Vec<LaneLayout>,
    pub arrows: Vec<ArrowLayout>,
    /// Size of everything laid out; taller than the rectangle when the window is too short.
    pub size: Vec2,
}

/// One arrow to draw: a step and the attempt of it the arrow stands for.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub step: StepId,
    pub attempt: Option<(usize, &'a Attempt)>,
    /// Name the attempt in the title (`D #2`).
    pub numbered: bool,
    /// A refusal the take's experiment wanted: drawn as passed.
    pub expected: bool,
}

impl Row<'_> {
    fn status(&self) -> Status {
        let status = Status::of(
            &self
                .attempt
                .map(|(_, a)| a.outcome.clone())
                .unwrap_or_default(),
        );
        if self.expected && status == Status::Failed {
            Status::Expected
        } else {
            status
        }
    }
}

/// The flow as a take of it ran: A–G always (waiting until they run) with the take's attempt of
/// each, then the steps after E it sent.
pub fn flow_rows<'a>(
    trace: &'a Trace,
    attempt_of: impl Fn(StepId) -> Option<usize>,
) -> Vec<Row<'a>> {
    StepId::ALL
        .into_iter()
        .chain(StepId::EXTRA)
        .filter_map(|step| {
            let attempt =
                attempt_of(step).and_then(|i| trace.step(step).attempts.get(i).map(|a| (i, a)));
            (!step.is_extra() || attempt.is_some()).then_some(Row {
                step,
                attempt,
                numbered: false,
                expected: false,
            })
        })
        .collect()
}

/// Each attempt of a take in the order it was sent, named by number when the step was sent
/// before (`D #2`); `expected` is the attempt whose refusal the take's experiment wanted.
pub fn sent_rows<'a>(
    trace: &'a Trace,
    attempts: &[(StepId, usize)],
    expected: Option<(StepId, usize)>,
) -> Vec<Row<'a>> {
    attempts
        .iter()
        .filter_map(|&(step, i)| {
            let attempt = trace.step(step).attempts.get(i)?;
            Some(Row {
                step,
                attempt: Some((i, attempt)),
                numbered: i > 0,
                expected: expected == Some((step, i)),
            })
        })
        .collect()
}

/// Lays the diagram out in `rect`. `status` is the one-line banner above the lanes.
// Long on purpose: the diagram is laid out top to bottom in one pass, each row below the last.
pub fn layout(
    rows: &[Row<'_>],
    status: &str,
    rect: Rect,
    measure: &mut Measure<'_>,
) -> DiagramLayout {
    let m = DiagramMetrics::for_size(rect.size());
    let left = rect.left() + m.margin;
    let right = rect.right() - m.margin;
    let width = (right - left).max(1.0);
    let mut y = rect.top() + m.margin;

    let status = place_line(
        status,
        TextRole::Status,
        m.status_size,
        left,
        width,
        y,
        &m,
        measure,
    );
    y = status.rect.bottom() + m.row_gap;

    let spacing = width / Lane::ALL.len() as f32;
    let header_top = y;
    let header_height = 2.0 * m.line(m.lane_size) + 2.0 * m.lane_pad;
    let mut lanes: Vec<LaneLayout> = Lane::ALL
        .iter()
        .enumerate()
        .map(|(i, &lane)| {
            let x = left + spacing * (i as f32 + 0.5);
            let max_text = (spacing - m.margin - 2.0 * m.lane_pad).max(1.0);
            let titles = lane
                .title()
                .map(|t| elide(t, max_text, m.lane_size, measure));
            let text_width = titles
                .iter()
                .map(|t| measure(t, m.lane_size))
                .fold(0.0, f32::max);
            let header = Rect::from_min_size(
                pos2(x - text_width / 2.0 - m.lane_pad, header_top),
                vec2(text_width + 2.0 * m.lane_pad, header_height),
            );
            let lines = titles
                .into_iter()
                .enumerate()
                .map(|(row, t)| {
                    let w = measure(&t, m.lane_size);
                    Text {
                        rect: Rect::from_min_size(
                            pos2(
                                x - w / 2.0,
                                header_top + m.lane_pad + row as f32 * m.line(m.lane_size),
                            ),
                            vec2(w, m.line(m.lane_size)),
                        ),
                        text: t,
                        size: m.lane_size,
                        role: TextRole::Lane,
                    }
                })
                .collect();
            LaneLayout {
                lane,
                x,
                header,
                lines,
                lifeline: [pos2(x, header.bottom()), pos2(x, header.bottom())],
            }
        })
        .collect();
    y = header_top + header_height + m.row_gap;

    let lane_x = |lane: Lane| {
        left + spacing * (Lane::ALL.iter().position(|&l| l == lane).unwrap_or(0) as f32 + 0.5)
    };
    let mut arrows = Vec::with_capacity(rows.len());
    for row in rows {
        let status_of = row.status();
        let lanes_on_route = route(row.step);
        let xs: Vec<f32> = lanes_on_route.iter().map(|&l| lane_x(l)).collect();
        let span_min = xs.iter().copied().fold(f32::INFINITY, f32::min);
        let span_max = xs.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let center = (span_min + span_max) / 2.0;
        let row_top = y;

        let mut arrow = ArrowLayout {
            step: row.step,
            attempt: row.attempt.map(|(i, _)| i),
            status: status_of,
            numbered: row.numbered,
            path: Vec::with_capacity(4),
            both_ends: row.step == StepId::B,
            labels: Vec::new(),
            row: Rect::NOTHING,
            full_detail: String::new(),
        };
        let title = format!("{}   {}", arrow.letter(), row.step.name());
        let mut labels = vec![place_centered(
            &title,
            TextRole::Title,
            m.title_size,
            center,
            left,
            width,
            y,
            &m,
            measure,
        )];
        y += m.line(m.title_size) + m.text_gap + m.head_width;

        let mut path = Vec::with_capacity(4);
        for (i, pair) in xs.windows(2).enumerate() {
            // Each leg runs a little lower than the one before, so the bend at the browser shows.
            let leg_y = y + i as f32 * m.leg_gap;
            path.push(pos2(pair[0], leg_y));
            path.push(pos2(pair[1], leg_y));
        }
        y = path.last().map_or(y, |p| p.y) + m.head_width + m.text_gap;

        let (lines, full_detail) = detail_lines(row.attempt.map(|(_, a)| a), status_of);
        let lines = if m.compact { Vec::new() } else { lines };
        for (text, role) in lines {
            let label = place_centered(
                &text,
                role,
                m.detail_size,
                center,
                left,
                width,
                y,
                &m,
                measure,
            );
            y = label.rect.bottom();
            labels.push(label);
        }

        arrow.path = path;
        arrow.labels = labels;
        arrow.row = Rect::from_x_y_ranges(
            left..=right,
            (row_top - m.row_gap * 0.4)..=(y + m.row_gap * 0.4),
        );
        arrow.full_detail = full_detail;
        arrows.push(arrow);
        y += m.row_gap;
    }

    for lane in &mut lanes {
        lane.lifeline[1].y = y;
    }
    DiagramLayout {
        metrics: m,
        status,
        lanes,
        arrows,
        size: vec2(rect.width(), y + m.margin - rect.top()),
    }
}

/// The lines under an arrow: what it carried and how long it took, then what went wrong. The
/// second value is the same without shortening, for the tooltip.
fn detail_lines(attempt: Option<&Attempt>, status: Status) -> (Vec<(String, TextRole)>, String) {
    let Some(attempt) = attempt else {
        return (Vec::new(), String::new());
    };
    let mut facts = Vec::new();
    match status {
        Status::InFlight if attempt.summary.is_empty() => facts.push("in flight…".to_owned()),
        Status::WaitingForUser if attempt.summary.is_empty() => {
            facts.push("waiting for the user…".to_owned())
        }
        _ if !attempt.summary.is_empty() => facts.push(attempt.summary.clone()),
        _ => {}
    }
    if let Some(ms) = attempt.duration_ms {
        facts.push(format::duration_ms(ms));
    }
    let mut lines = Vec::new();
    if !facts.is_empty() {
        lines.push((facts.join("  ·  "), TextRole::Detail));
    }
    if let Some(reason) = attempt.outcome.reason() {
        let role = if matches!(status, Status::Skipped | Status::Expected) {
            TextRole::Detail
        } else {
            TextRole::Problem
        };
        let prefix = match status {
            Status::Skipped => "skipped: ",
            Status::Expected => "as the experiment expected: ",
            _ => "",
        };
        lines.push((format!("{prefix}{reason}"), role));
    }
    let full = lines
        .iter()
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    (lines, full)
}

#[allow(clippy::too_many_arguments)]
fn place_line(
    text: &str,
    role: TextRole,
    size: f32,
    left: f32,
    width: f32,
    top: f32,
    m: &DiagramMetrics,
    measure: &mut Measure<'_>,
) -> Text {
    let text = elide(text, width, size, measure);
    let w = measure(&text, size);
    Text {
        rect: Rect::from_min_size(pos2(left, top), vec2(w, m.line(size))),
        text,
        size,
        role,
    }
}

/// A line centred on `center`, pushed back inside `[left, left + width]` when it would stick out.
#[allow(clippy::too_many_arguments)]
fn place_centered(
    text: &str,
    role: TextRole,
    size: f32,
    center: f32,
    left: f32,
    width: f32,
    top: f32,
    m: &DiagramMetrics,
    measure: &mut Measure<'_>,
) -> Text {
    let max = (width - 2.0 * m.label_pad).max(1.0);
    let text = elide(text, max, size, measure);
    let w = measure(&text, size) + 2.0 * m.label_pad;
    let x = (center - w / 2.0).clamp(left, (left + width - w).max(left));
    Text {
        rect: Rect::from_min_size(pos2(x, top), vec2(w, m.line(size))),
        text,
        size,
        role,
    }
}

/// Shortens `text` with an ellipsis until it is at most `max` wide.
fn elide(text: &str, max: f32, size: f32, measure: &mut Measure<'_>) -> String {
    if measure(text, size) <= max {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search for the longest prefix that fits with the ellipsis.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().chain(['…'].iter()).collect();
        if measure(&candidate, size) <= max {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo].iter().chain(['…'].iter()).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::trace::{Attempt, Update};

    /// A monospace-ish stand-in for egui's font metrics.
    fn measure(text: &str, size: f32) -> f32 {
        text.chars().count() as f32 * size * 0.55
    }

    fn finished_trace() -> Trace {
        let mut t = Trace::new("demo");
        for (i, step) in StepId::ALL.into_iter().enumerate() {
            t.apply(&Update::Attempt {
                step,
                index: 0,
                attempt: Attempt {
                    outcome: Outcome::Ok,
                    summary: format!("fact number {i} carried by this arrow"),
                    duration_ms: Some(12.0 + i as f64),
                    ..Default::default()
                },
            });
        }
        t
    }

    impl DiagramLayout {
        fn lane_x(&self, lane: Lane) -> f32 {
            self.lanes
                .iter()
                .find(|l| l.lane == lane)
                .map_or(0.0, |l| l.x)
        }
    }

    fn lay(trace: &Trace, size: Vec2) -> DiagramLayout {
        layout(
            &flow_rows(trace, |s| trace.step(s).attempts.len().checked_sub(1)),
            "Flow complete",
            Rect::from_min_size(Pos2::ZERO, size),
            &mut measure,
        )
    }

    fn all_texts(l: &DiagramLayout) -> Vec<&Text> {
        let mut texts = vec![&l.status];
        texts.extend(l.lanes.iter().flat_map(|lane| &lane.lines));
        texts.extend(l.arrows.iter().flat_map(|a| &a.labels));
        texts
    }

    #[test]
    fn arrows_are_ordered_top_to_bottom() {
        let l = lay(&finished_trace(), vec2(1000.0, 700.0));
        let ids: Vec<_> = l.arrows.iter().map(|a| a.step).collect();
        assert_eq!(ids, StepId::ALL);
        for pair in l.arrows.windows(2) {
            assert!(
                pair[0].row.bottom() <= pair[1].row.top(),
                "{:?} overlaps {:?}",
                pair[0].step,
                pair[1].step
            );
            let lowest = pair[0].path.iter().map(|p| p.y).fold(f32::MIN, f32::max);
            let highest = pair[1].path.iter().map(|p| p.y).fold(f32::MAX, f32::min);
            assert!(lowest < highest);
        }
        let header_bottom = l.lanes[0].header.bottom();
        assert!(l.arrows[0].row.top() >= header_bottom);
    }

    #[test]
    fn no_two_labels_overlap_at_any_size() {
        let mut trace = finished_trace();
        trace.apply(&Update::Attempt {
            step: StepId::E,
            index: 0,
            attempt: Attempt {
                outcome: Outcome::Failed(
                    "HTTP 401, invalid_client: client authentication failed ".repeat(4),
                ),
                summary: "401 Unauthorized".into(),
                duration_ms: Some(3.0),
                ..Default::default()
            },
        });
        for size in [vec2(500.0, 400.0), vec2(900.0, 620.0), vec2(1900.0, 1100.0)] {
            let l = lay(&trace, size);
            let texts = all_texts(&l);
            for (i, a) in texts.iter().enumerate() {
                assert!(
                    a.rect.left() >= 0.0 && a.rect.right() <= size.x,
                    "{:?} sticks out at {size:?}",
                    a.text
                );
                for b in &texts[i + 1..] {
                    assert!(
                        !a.rect.intersect(b.rect).is_positive(),
                        "{:?} overlaps {:?} at {size:?}",
                        a.text,
                        b.text
                    );
                }
            }
        }
    }

    #[test]
    fn arrows_go_between_the_right_lanes() {
        let l = lay(&finished_trace(), vec2(1000.0, 700.0));
        for arrow in &l.arrows {
            let lanes = route(arrow.step);
            let first = arrow.path.first().unwrap();
            let last = arrow.path.last().unwrap();
            assert_eq!(
                first.x,
                l.lane_x(lanes[0]),
                "{:?} starts in the wrong lane",
                arrow.step
            );
            assert_eq!(
                last.x,
                l.lane_x(*lanes.last().unwrap()),
                "{:?} ends in the wrong lane",
                arrow.step
            );
        }
        // The front channel bends at the browser's lifeline; the back channel never touches it.
        let browser = l.lane_x(Lane::Browser);
        for arrow in &l.arrows {
            let touches = arrow.path.iter().any(|p| p.x == browser);
            let front = matches!(arrow.step, StepId::A | StepId::B | StepId::C);
            assert_eq!(touches, front, "{:?}", arrow.step);
        }
    }

    #[test]
    fn a_finished_flow_fits_the_window_the_scale_was_chosen_for() {
        for size in [
            crate::gui::theme::DIAGRAM_BASE_SIZE,
            vec2(1200.0, 1000.0),
            vec2(700.0, 480.0),
            // Too short for the detail lines: without them.
            vec2(700.0, 360.0),
        ] {
            let l = lay(&finished_trace(), size);
            assert!(
                l.size.y <= size.y,
                "{:?} needs {} at {size:?}",
                l.metrics.scale,
                l.size.y
            );
        }
    }

    /// The window sizes of a laptop, a projector, a monitor and a large monitor, with both side
    /// panels and the inspector open at the height it may take: every arrow of A–G is in view.
    #[test]
    fn a_to_g_stay_in_view_with_the_inspector_open_at_every_window_size() {
        use crate::gui::theme::{
            INSPECTOR_HEIGHT, LEFT_PANEL_WIDTH, RIGHT_PANEL_WIDTH, inspector_max_height,
        };
        // The toolbar with the line under it, and above the diagram a reopened run's bar on two
        // lines and the steps after E.
        const TOOLBAR: f32 = 64.0;
        const BARS: f32 = 110.0;
        for window in [
            vec2(1024.0, 640.0),
            vec2(1280.0, 720.0),
            vec2(1920.0, 1080.0),
            vec2(2560.0, 1440.0),
        ] {
            let central = window.y - TOOLBAR;
            let inspector = INSPECTOR_HEIGHT.min(inspector_max_height(central, BARS));
            let view = vec2(
                window.x - LEFT_PANEL_WIDTH - RIGHT_PANEL_WIDTH,
                central - inspector - BARS,
            );
            let l = lay(&finished_trace(), view);
            assert_eq!(l.arrows.len(), 7);
            for arrow in &l.arrows {
                assert!(
                    arrow.row.bottom() <= view.y,
                    "{:?} is below the diagram's {view:?} in a {window:?} window (inspector {inspector})",
                    arrow.step
                );
            }
            assert!(
                inspector >= 100.0,
                "{window:?}: the inspector kept {inspector}"
            );
        }
    }

    #[test]
    fn diagram_scales_with_width() {
        let trace = finished_trace();
        let small = lay(&trace, vec2(800.0, 1200.0));
        let large = lay(&trace, vec2(1600.0, 1200.0));
        let spread = |l: &DiagramLayout| l.lane_x(Lane::ResourceServer) - l.lane_x(Lane::Browser);
        assert!(spread(&large) > 1.9 * spread(&small));
        assert!(large.metrics.title_size > small.metrics.title_size);
        // A few points more or less reuse the same font sizes.
        assert_eq!(lay(&trace, vec2(803.0, 1200.0)).metrics, small.metrics);
        // Tiny windows keep legible text and scroll instead of shrinking further.
        let tiny = lay(&trace, vec2(300.0, 200.0));
        assert!(tiny.metrics.title_size >= 0.8 * 16.0 - f32::EPSILON);
        assert!(tiny.size.y > 200.0);
    }

    #[test]
    fn long_texts_are_elided_and_kept_whole_for_the_tooltip() {
        let mut trace = Trace::new("demo");
        let reason = "x".repeat(500);
        trace.apply(&Update::Attempt {
            step: StepId::D,
            index: 0,
            attempt: Attempt {
                outcome: Outcome::Failed(reason.clone()),
                ..Default::default()
            },
        });
        let l = lay(&trace, vec2(900.0, 620.0));
        let d = &l.arrows[3];
        let problem = d
            .labels
            .iter()
            .find(|t| t.role == TextRole::Problem)
            .unwrap();
        assert!(problem.text.ends_with('…'));
        assert!(problem.rect.width() <= 900.0);
        assert!(d.full_detail.contains(&reason));
    }

    #[test]
    fn arrows_are_labelled_with_letter_name_and_status() {
        let mut trace = Trace::new("demo");
        trace.apply(&Update::Attempt {
            step: StepId::B,
            index: 0,
            attempt: Attempt {
                outcome: Outcome::WaitingForUser,
                ..Default::default()
            },
        });
        let l = lay(&trace, vec2(900.0, 620.0));
        assert_eq!(
            l.arrows[0].accessible_label(),
            "A Authorization request: waiting"
        );
        assert_eq!(
            l.arrows[1].accessible_label(),
            "B User login and consent: waiting for the user"
        );
        assert!(l.arrows[1].both_ends);
        assert_eq!(l.arrows[1].labels[1].text, "waiting for the user…");
    }

    #[test]
    fn a_take_draws_its_attempts_in_order_numbered_and_its_expected_refusal_as_passed() {
        let mut trace = finished_trace();
        for (step, outcome) in [
            (StepId::D, Outcome::Ok),
            (StepId::E, Outcome::Failed("invalid_grant".into())),
        ] {
            trace.apply(&Update::Attempt {
                step,
                index: 1,
                attempt: Attempt {
                    outcome,
                    ..Default::default()
                },
            });
        }
        let take = [(StepId::D, 1), (StepId::E, 1), (StepId::Refresh, 0)];
        let rows = sent_rows(&trace, &take, Some((StepId::E, 1)));
        // The refresh was never made: an attempt the trace does not hold is left out.
        assert_eq!(rows.len(), 2);
        let l = layout(
            &rows,
            "x",
            Rect::from_min_size(Pos2::ZERO, vec2(900.0, 620.0)),
            &mut measure,
        );
        let labels: Vec<String> = l.arrows.iter().map(ArrowLayout::accessible_label).collect();
        assert_eq!(
            labels,
            [
                "D #2 Token request: ok",
                "E #2 Token response: refused, as expected"
            ]
        );
        assert!(l.arrows[1].labels[0].text.starts_with("E #2"));
        // Without the experiment's verdict the same refusal is a failure.
        let rows = sent_rows(&trace, &take, None);
        assert_eq!(rows[1].status(), Status::Failed);
        // The main flow's rows: A–G, each at the take's attempt (here the first).
        let main = flow_rows(&trace, |_| Some(0));
        assert_eq!(main.len(), 7);
        assert!(
            main.iter()
                .all(|r| !r.numbered && r.attempt.is_some_and(|(i, _)| i == 0))
        );
    }
}
