//! Exports of a kept run, for other programs and other people: HAR 1.2, a Mermaid sequence
//! diagram, a Markdown report and curl commands (the SVG of the diagram is drawn by the GUI's
//! layout code, `gui::diagram::svg`). Each is written from a [`RunRecord`] that the caller has
//! masked, or not, as the user chose; every export walks the same list of exchanges, in the
//! order they happened.

pub mod curl;
pub mod har;
pub mod markdown;
pub mod mermaid;

use crate::keep::{RunFile, SecretsIn};
use crate::protocol::check::Check;
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::redact::Secrets;
use crate::trace::{Attempt, Outcome, StepId, Trace};
use crate::workbench::{RunRecord, TakeKind, Takes};

/// `record` in `format`: masked unless `secrets` says to include them (`given` are the secrets
/// the run was handed, masked wherever they turn up). `svg` draws the diagram (the GUI's
/// layout code, which this layer does not reach).
pub fn render(
    format: Format,
    record: &RunRecord,
    scope: Scope,
    secrets: SecretsIn,
    given: &Secrets,
    svg: impl FnOnce(&Trace) -> String,
) -> Result<String, String> {
    use std::borrow::Cow;
    let shown = || match secrets {
        SecretsIn::Included => Cow::Borrowed(record),
        SecretsIn::Masked => Cow::Owned(record.masked(given)),
    };
    match format {
        // The run file masks by itself, and says in the file whether it did.
        Format::Run => RunFile::new(record, secrets, given).to_json(),
        Format::Har => har::render(&shown(), scope),
        Format::Mermaid => Ok(mermaid::render(&shown(), scope)),
        // The diagram is the whole run's.
        Format::Svg => Ok(svg(&shown().trace)),
        Format::Markdown => Ok(markdown::render(&shown(), scope)),
        Format::Curl => Ok(curl::render(&shown(), scope)),
    }
}

/// What an export can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The run file itself (`*.oauthviz.json`).
    Run,
    Har,
    Mermaid,
    Svg,
    Markdown,
    Curl,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Run,
        Format::Har,
        Format::Mermaid,
        Format::Svg,
        Format::Markdown,
        Format::Curl,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Format::Run => "run",
            Format::Har => "har",
            Format::Mermaid => "mermaid",
            Format::Svg => "svg",
            Format::Markdown => "markdown",
            Format::Curl => "curl",
        }
    }

    /// The file name ending a saved export gets.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Run => crate::keep::runfile::EXTENSION,
            Format::Har => ".har",
            Format::Mermaid => ".mmd",
            Format::Svg => ".svg",
            Format::Markdown => ".md",
            Format::Curl => ".sh",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Format::Run => "Run file (reopens in oauthviz)",
            Format::Har => "HAR 1.2 (browser dev tools, HTTP Toolkit, mitmproxy)",
            Format::Mermaid => "Mermaid sequence diagram",
            Format::Svg => "SVG of the diagram (for slides)",
            Format::Markdown => "Markdown report",
            Format::Curl => "curl commands",
        }
    }

    pub fn parse(id: &str) -> Result<Format, String> {
        let id = id.trim().to_ascii_lowercase();
        let id = if id == "md" { "markdown" } else { id.as_str() };
        Format::ALL
            .into_iter()
            .find(|f| f.id() == id)
            .ok_or_else(|| {
                let ids: Vec<&str> = Format::ALL.iter().map(|f| f.id()).collect();
                format!(
                    "unknown export format '{id}': choose one of {}",
                    ids.join(", ")
                )
            })
    }
}

/// What of a run an export covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every exchange.
    Run,
    /// One attempt of a step's exchange, the latest when none is named (E is D's, G is F's; B
    /// is its login pages).
    Step(StepId, Option<usize>),
}

/// How an exchange's take is named in the exports: `flow`, `replay`, `experiment ID`.
pub fn take_words(take: TakeKind) -> String {
    match take {
        TakeKind::Main => "flow".into(),
        TakeKind::Sent(_) => "replay".into(),
        TakeKind::Experiment(e) => format!("experiment {}", e.id()),
    }
}

/// What an exchange is, inside its step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The step's own request (and answer).
    Step,
    /// A discovery request made before A.
    Discovery,
    /// A page of the login the user agent went through after the authorization request (B),
    /// numbered from 1.
    Page(usize),
}

/// One HTTP exchange of the run.
#[derive(Clone, Debug)]
pub struct Sent<'a> {
    /// The step whose arrow it is: A, B, C, D (the token exchange, answered on E), F (answered
    /// on G), or a step after E.
    pub step: StepId,
    pub attempt: usize,
    pub part: Part,
    pub take: TakeKind,
    pub request: &'a HttpRequest,
    pub response: Option<&'a HttpResponse>,
    /// No answer came: why.
    pub error: Option<&'a str>,
    pub started_at_ms: u64,
    pub duration_ms: f64,
    /// How the step went (from the answering step for D/E and F/G).
    pub outcome: &'a Outcome,
    /// The arrow's key fact.
    pub summary: &'a str,
    pub checks: Vec<&'a Check>,
}

impl Sent<'_> {
    /// `A`, `B page 2`, `A discovery`, `D→E`.
    pub fn label(&self) -> String {
        let step = match self.step {
            StepId::D => "D→E".to_owned(),
            StepId::F => "F→G".to_owned(),
            s => s.letter().to_owned(),
        };
        match self.part {
            Part::Step => step,
            Part::Discovery => format!("{step} discovery"),
            Part::Page(n) => format!("{step} page {n}"),
        }
    }
}

/// Where and why the flow itself stopped, leaving out the refusals an experiment or a replay
/// brought about (the trace's stop is the latest pass's).
pub fn flow_stop(record: &RunRecord) -> Option<&crate::trace::Stop> {
    let trace = &record.trace;
    let stop = trace.stop.as_ref().filter(|_| trace.finished)?;
    let takes = takes_of(record);
    let in_flow = trace.failed_step().is_none_or(|step| {
        let latest = trace.exchange_count(step).saturating_sub(1);
        take_of(&takes, step.request_step(), latest) == TakeKind::Main
    });
    in_flow.then_some(stop)
}

/// Whether the flow's first pass reached a successful G.
pub fn flow_reached_g(record: &RunRecord) -> bool {
    record
        .trace
        .step(StepId::G)
        .attempts
        .first()
        .is_some_and(|a| a.outcome.is_ok())
}

/// The take an attempt belongs to, by the run's takes (a file without them gets them back from
/// its attempts: see `Takes::restored`); an attempt in none was sent by hand.
fn take_of(takes: &Takes, step: StepId, attempt: usize) -> TakeKind {
    takes
        .holding(step, attempt)
        .map_or(TakeKind::Sent(step), |t| takes.all()[t].kind)
}

fn takes_of(record: &RunRecord) -> Takes {
    Takes::restored(record.takes.clone(), &record.trace, &record.experiments)
}

/// The exchanges `scope` covers, in the order they started.
pub fn exchanges_in(record: &RunRecord, scope: Scope) -> Vec<Sent<'_>> {
    let all = exchanges(record);
    match scope {
        Scope::Run => all,
        Scope::Step(step, attempt) => {
            let step = match step {
                StepId::E | StepId::G => step.request_step(),
                s => s,
            };
            let chosen = attempt.or_else(|| {
                all.iter()
                    .filter(|s| s.step == step)
                    .map(|s| s.attempt)
                    .max()
            });
            all.into_iter()
                .filter(|s| s.step == step && Some(s.attempt) == chosen)
                .collect()
        }
    }
}

/// Every exchange of the run that was sent, in the order they started. The browser's own
/// requests are there as far as oauthviz saw them: the authorization request, the pages a
/// scripted login went through, the redirect to the listener.
pub fn exchanges(record: &RunRecord) -> Vec<Sent<'_>> {
    let trace = &record.trace;
    let takes = takes_of(record);
    let mut out: Vec<Sent<'_>> = Vec::new();
    for step in trace.steps.iter().map(|s| s.id) {
        // E and G are the answers of D and F.
        if matches!(step, StepId::E | StepId::G) {
            continue;
        }
        for (i, a) in trace.step(step).attempts.iter().enumerate() {
            if a.outcome == Outcome::Pending {
                continue; // prepared, never sent
            }
            let take = take_of(&takes, step, i);
            match step {
                StepId::B => pages(record, i, a, take, &mut out),
                _ => {
                    if step == StepId::A {
                        discovery(a, i, take, &mut out);
                    }
                    if let Some(sent) = own(record, step, i, a, take) {
                        out.push(sent);
                    }
                }
            }
        }
    }
    out.sort_by_key(|s| s.started_at_ms);
    out
}

/// The step's own exchange; D and F take their answer (and outcome) from E and G.
fn own<'a>(
    record: &'a RunRecord,
    step: StepId,
    i: usize,
    a: &'a Attempt,
    take: TakeKind,
) -> Option<Sent<'a>> {
    let trace = &record.trace;
    let (request, response) = trace.exchange_parts(step, i);
    let answer = trace.step(step.exchange().1).attempts.get(i).unwrap_or(a);
    let request = request?;
    // C is what the listener received: its answer is the page the browser got for it.
    let response = response.or_else(|| {
        (step == StepId::C)
            .then(|| callback_page(record, i, request))
            .flatten()
    });
    let mut checks: Vec<&Check> = a.checks.iter().collect();
    if !std::ptr::eq(answer, a) {
        checks.extend(&answer.checks);
    }
    Some(Sent {
        step,
        attempt: i,
        part: Part::Step,
        take,
        request,
        response,
        error: a
            .transport_error
            .as_deref()
            .or(answer.transport_error.as_deref()),
        started_at_ms: a.started_at_ms,
        // The answering step is timed from the request's start (the engine's `begin_at`):
        // the longer of the two is the round trip, not their sum.
        duration_ms: duration(a).max(duration(answer)),
        outcome: &answer.outcome,
        summary: if answer.summary.is_empty() {
            &a.summary
        } else {
            &answer.summary
        },
        checks,
    })
}

fn duration(a: &Attempt) -> f64 {
    a.duration_ms.unwrap_or(0.0)
}

/// The page a scripted login got for the redirect to the listener (the same request as C).
fn callback_page<'a>(
    record: &'a RunRecord,
    i: usize,
    callback: &HttpRequest,
) -> Option<&'a HttpResponse> {
    let b = record.trace.step(StepId::B).attempts.get(i)?;
    b.exchanges
        .iter()
        .rev()
        .find(|x| x.request.url == callback.url)
        .and_then(|x| x.response.as_ref())
}

/// The discovery requests recorded on A, before it.
fn discovery<'a>(a: &'a Attempt, i: usize, take: TakeKind, out: &mut Vec<Sent<'a>>) {
    for x in &a.exchanges {
        out.push(Sent {
            step: StepId::A,
            attempt: i,
            part: Part::Discovery,
            take,
            request: &x.request,
            response: x.response.as_ref(),
            error: x.error.as_deref(),
            // Discovery ran just before A; keep it first among equals.
            started_at_ms: a.started_at_ms.saturating_sub(1),
            duration_ms: 0.0,
            outcome: &a.outcome,
            summary: "",
            checks: Vec::new(),
        });
    }
}

/// The login pages of B, without the two that are other steps' exchanges: the first is A's
/// authorization request, and the redirect to the listener is C's. A person who logged in in
/// their own browser left no pages: nothing of B crossed oauthviz.
fn pages<'a>(
    record: &'a RunRecord,
    i: usize,
    b: &'a Attempt,
    take: TakeKind,
    out: &mut Vec<Sent<'a>>,
) {
    let url_of = |step: StepId| {
        let attempt = record.trace.step(step).attempts.get(i)?;
        attempt.request.as_ref().map(|r| r.url.as_str())
    };
    let (a_url, c_url) = (url_of(StepId::A), url_of(StepId::C));
    let n = b.exchanges.len();
    let mut page = 0;
    for (k, x) in b.exchanges.iter().enumerate() {
        let url = Some(x.request.url.as_str());
        if (k == 0 && url == a_url) || (k + 1 == n && url == c_url) {
            continue;
        }
        page += 1;
        out.push(Sent {
            step: StepId::B,
            attempt: i,
            part: Part::Page(page),
            take,
            request: &x.request,
            response: x.response.as_ref(),
            error: x.error.as_deref(),
            // The pages come one after the other within B's time.
            started_at_ms: b.started_at_ms,
            duration_ms: 0.0,
            outcome: &b.outcome,
            summary: "",
            checks: Vec::new(),
        });
    }
}

/// The request with its query string, as a HAR or a report lists it.
pub fn query_pairs(request: &HttpRequest) -> Vec<(String, String)> {
    request
        .query()
        .iter()
        .map(|p| (p.name.clone(), p.value.clone()))
        .collect()
}
