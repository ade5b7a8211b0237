//! The lesson "why a code and not the token?": the Authorization Code flow and the implicit
//! grant run against the demo provider one after the other and are drawn side by side, with the
//! narration of every step of both and what an attacker who intercepts the redirect gets in each.
//! The demo provider does the implicit grant only while the lesson's own run needs it
//! (`Misbehave::ImplicitGrant`); its strict default refuses `response_type=token`.

use egui::{RichText, Ui};

use crate::engine::RunId;
use crate::gui::diagram::{self, Banner, Tone, layout};
use crate::gui::theme::{self, Palette};
use crate::trace::{StepId, Trace};
use crate::workbench::Run;

/// Where the lesson is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lesson {
    /// The code flow's run, once started.
    pub code: Option<RunId>,
    /// The implicit grant's run, started when the code flow has finished.
    pub implicit: Option<RunId>,
    /// The step whose narration is shown under the diagrams.
    pub step: Option<StepId>,
    /// The two runs are under way: the demo provider has the lesson's switches until the
    /// implicit one has finished.
    pub running: bool,
}

/// What the lesson asks the app for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run both flows (again).
    Run,
    Close,
}

/// The two flows, step by step: (what happens in the code flow, what happens in the implicit
/// grant).
const NARRATION: [(StepId, &str, &str); 7] = [
    (
        StepId::A,
        "The client sends the browser to the authorization server with response_type=code: it asks for a code, not for the token. With it go a state and a PKCE code_challenge, the hash of a secret verifier only this client holds.",
        "response_type=token: the client asks for the access token itself, handed to the browser. No PKCE: there will be no code to bind a verifier to.",
    ),
    (
        StepId::B,
        "The user logs in and consents at the authorization server. The client never sees the password.",
        "The same login and consent: nothing differs yet.",
    ),
    (
        StepId::C,
        "The redirect brings back a code in the query: short-lived (minutes), usable once, and worthless without the client's secret and the PKCE verifier.",
        "The redirect brings back the access token itself, in the URL fragment (#access_token=…). The browser keeps it: in the address bar, in its history, readable by every script on the page and by extensions. A browser never sends a fragment on, so a script on the redirect page has to pick it up.",
    ),
    (
        StepId::D,
        "The client trades the code for tokens on the back channel, directly with the server: it authenticates itself (here with its client secret) and sends the PKCE verifier, proving it started the flow.",
        "There is no token request: nothing authenticates the client, and nothing ties the token to whoever started the flow.",
    ),
    (
        StepId::E,
        "The tokens come back on the back channel, never in a URL, marked Cache-Control: no-store, with a refresh token for later.",
        "Skipped: the token already travelled through the browser in C. There is no refresh token (RFC 6749 §4.2.2 forbids one), so the next token means another trip through the browser.",
    ),
    (
        StepId::F,
        "The client calls the API with Authorization: Bearer and the access token.",
        "The same call with the same kind of token, and anyone who picked the token up from the redirect or the history can make it too.",
    ),
    (
        StepId::G,
        "The API answers: the flow is done.",
        "The API answers the same way: it cannot tell the client from whoever else holds the token.",
    ),
];

/// What an attacker who intercepts the redirect (C) gets, and what stays behind in the browser.
const INTERCEPTED: [(&str, &str, &str); 4] = [
    (
        "Intercepted at C",
        "a code: used once, expires in minutes",
        "the access token itself, good until it expires",
    ),
    (
        "To use it they also need",
        "the client's secret (at D) and the PKCE verifier, neither of which went through the browser",
        "nothing: a bearer token works for whoever holds it",
    ),
    (
        "Left in the browser's history",
        "a spent code",
        "a live access token in the URL",
    ),
    (
        "Client authentication, PKCE",
        "yes, at D; yes, checked at D",
        "none; none",
    ),
];

/// The lesson in the central panel. `code` and `implicit` are the lesson's runs, once started.
pub fn show(
    ui: &mut Ui,
    lesson: &mut Lesson,
    code: Option<&Run>,
    implicit: Option<&Run>,
    palette: &Palette,
) -> Option<Action> {
    let mut action = None;
    egui::ScrollArea::vertical()
        .id_salt("lesson")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.heading("Lesson: why a code and not the token?");
                let busy = [code, implicit].into_iter().flatten().any(Run::busy);
                let word = if code.is_some() {
                    "Run both again"
                } else {
                    "Run both flows"
                };
                if ui.add_enabled(!busy, egui::Button::new(word)).clicked() {
                    action = Some(Action::Run);
                }
                if ui.button("Close the lesson").clicked() {
                    action = Some(Action::Close);
                }
            });
            ui.label(
                "The implicit grant returns the access token straight on the redirect; RFC 9700 \
                 (§2.1.2) says clients SHOULD NOT use it, and OAuth 2.1 drops it. Both flows run \
                 here against the demo provider (the implicit one only for this lesson: its \
                 default refuses response_type=token). Click an arrow for what happens in both.",
            );
            ui.add_space(theme::SECTION_GAP);
            let height = theme::LESSON_DIAGRAM_HEIGHT;
            ui.columns(2, |columns| {
                for (ui, (title, run, is_implicit)) in columns.iter_mut().zip([
                    ("Authorization Code flow, with PKCE", code, false),
                    ("Implicit grant (not recommended)", implicit, true),
                ]) {
                    ui.label(RichText::new(title).strong());
                    // Two diagrams in one window: each under an id of its own.
                    ui.push_id(title, |ui| {
                        ui.allocate_ui(egui::vec2(ui.available_width(), height), |ui| {
                            if let Some(step) = flow(ui, run, is_implicit, lesson.step, palette) {
                                lesson.step = Some(step);
                            }
                        });
                    });
                }
            });
            ui.add_space(theme::SECTION_GAP);
            narration(ui, lesson.step, palette);
            ui.add_space(theme::SECTION_GAP);
            intercepted(ui, code, implicit, palette);
        });
    action
}

/// One flow's diagram (its main take), or where it stands before it ran; returns a clicked step.
fn flow(
    ui: &mut Ui,
    run: Option<&Run>,
    implicit: bool,
    selected: Option<StepId>,
    palette: &Palette,
) -> Option<StepId> {
    let empty = Trace::new("");
    let (trace, rows) = match run {
        Some(run) => {
            let main = run.takes.main();
            (
                &run.trace,
                layout::flow_rows(&run.trace, |s| main.attempt_of(s)),
            )
        }
        None => (&empty, layout::flow_rows(&empty, |_| None)),
    };
    let banner = match run {
        // "A–G succeeded" would not be true of a flow that skipped D and E.
        Some(_) if implicit && trace.ok => Banner {
            text: format!(
                "Done in {}: the token came in the redirect (C), so there was no D or E.",
                crate::gui::format::duration_ms(crate::gui::format::run_duration_ms(trace))
            ),
            tone: Tone::Good,
        },
        Some(run) => diagram::banner(Some(trace), run.scripted),
        None => Banner {
            text: "Not run yet.".into(),
            tone: Tone::Neutral,
        },
    };
    let pick = selected.map(|s| (s, None));
    let response = diagram::show(ui, &rows, &banner, pick, palette);
    response.clicked.map(|(step, _)| step)
}

fn narration(ui: &mut Ui, step: Option<StepId>, palette: &Palette) {
    let Some((step, code, implicit)) = NARRATION.iter().find(|(s, ..)| Some(*s) == step) else {
        ui.label(RichText::new("Click an arrow in either diagram: what happens at that step in both flows shows here.").color(palette.weak_text));
        return;
    };
    ui.label(RichText::new(format!("{}  {}", step.letter(), step.name())).strong());
    ui.columns(2, |columns| {
        cell(&mut columns[0], *code);
        cell(&mut columns[1], *implicit);
    });
}

/// A label in one of `ui.columns`, ragged right: the columns' justified layout would stretch
/// the spaces of every wrapped line.
fn cell(ui: &mut Ui, text: impl Into<egui::WidgetText>) {
    ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
        ui.label(text);
    });
}

/// The comparison table, with the two redirects as they came back (masked). Rows of three
/// equal columns, so long cells wrap inside their own.
fn intercepted(ui: &mut Ui, code: Option<&Run>, implicit: Option<&Run>, palette: &Palette) {
    ui.label(RichText::new("If an attacker intercepts the redirect").strong());
    let row = |ui: &mut Ui, cells: [RichText; 3]| {
        ui.columns(3, |columns| {
            for (column, text) in columns.iter_mut().zip(cells) {
                cell(column, text);
            }
        });
        ui.separator();
    };
    row(
        ui,
        [
            RichText::new(""),
            RichText::new("Code flow").strong(),
            RichText::new("Implicit grant").strong(),
        ],
    );
    for (what, with_code, with_token) in INTERCEPTED {
        row(
            ui,
            [
                RichText::new(what),
                RichText::new(with_code),
                RichText::new(with_token).color(palette.error_text),
            ],
        );
    }
    row(
        ui,
        [
            RichText::new("The redirect, as it came back"),
            RichText::new(redirect_of(code)).monospace().small(),
            RichText::new(redirect_of(implicit)).monospace().small(),
        ],
    );
}

/// C's URL of a run's main flow, its secrets masked.
fn redirect_of(run: Option<&Run>) -> String {
    run.and_then(|run| {
        let i = run.takes.main().attempt_of(StepId::C)?;
        let request = run
            .trace
            .step(StepId::C)
            .attempts
            .get(i)?
            .request
            .as_ref()?;
        Some(crate::redact::request(request).url)
    })
    .unwrap_or_else(|| "not run yet".into())
}
