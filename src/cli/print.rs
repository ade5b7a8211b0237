//! What `oauthviz run` prints while a run goes: each step when it ends (masked by `redact`
//! unless `--show-secrets`), and the experiments' verdicts.

use std::io::Write as _;

use crate::redact;
use crate::trace::{Attempt, Outcome, StepId, Trace, Update};
use crate::workbench::{Happened, Judged, Run};

/// Prints each attempt when it ends (and B when it starts waiting, with the URL to open).
pub struct Printer {
    show_secrets: bool,
    quiet: bool,
    waiting_shown: std::collections::HashSet<(StepId, usize)>,
}

/// Bodies longer than this are cut in the step-by-step output (`--json` has them whole).
const BODY_LINES: usize = 30;

impl Printer {
    /// Shows what the workbench took in: each step as it ends, and each experiment as it
    /// starts and is judged.
    pub fn happened(&mut self, run: &Run, happened: &Happened) {
        match happened {
            Happened::Trace { update, .. } => self.print(&run.trace, update),
            Happened::ExperimentStarted { experiment, .. } => self.note(&format!(
                "experiment {}: {}",
                experiment.id(),
                experiment.title()
            )),
            Happened::Judged { experiment, .. } => {
                if let Some(j) = Judged::latest(&run.findings, *experiment) {
                    self.note(&format!(
                        "verdict {:?}: {}",
                        j.finding.verdict, j.finding.summary
                    ));
                }
            }
            // The CLI asks for no discovery of its own: a run discovers on A.
            Happened::Idle { .. } | Happened::Discovered(_) => {}
        }
    }

    pub fn new(show_secrets: bool, quiet: bool) -> Self {
        Self {
            show_secrets,
            quiet,
            waiting_shown: Default::default(),
        }
    }

    pub fn note(&self, text: &str) {
        if !self.quiet {
            println!("== {text}");
        }
    }

    pub fn print(&mut self, trace: &Trace, update: &Update) {
        if self.quiet {
            return;
        }
        let mut out = std::io::stdout().lock();
        let Update::Attempt {
            step,
            index,
            attempt,
        } = update
        else {
            if let Update::Finished { ok, stop } = update {
                let _ = match (ok, stop) {
                    (true, _) => writeln!(out, "flow complete: G succeeded"),
                    (false, Some(stop)) => writeln!(out, "flow stopped: {}", stop.reason),
                    (false, None) => writeln!(out, "flow stopped"),
                };
            }
            return;
        };
        if attempt.outcome == Outcome::WaitingForUser {
            let url = trace
                .step(StepId::A)
                .latest()
                .and_then(|a| a.request.as_ref())
                .map(|r| r.url.clone());
            if let Some(url) = url
                && self.waiting_shown.insert((*step, *index))
            {
                let _ = writeln!(
                    out,
                    "B  waiting for the login and consent; the authorization URL is:\n   {url}"
                );
            }
            return;
        }
        let shown_before =
            attempt.outcome == Outcome::Pending && !self.waiting_shown.insert((*step, *index));
        if shown_before || (!attempt.outcome.is_final() && attempt.outcome != Outcome::Pending) {
            return;
        }
        let _ = writeln!(out, "{}", step_line(*step, attempt));
        for check in &attempt.checks {
            let _ = writeln!(
                out,
                "   check {:?}: {} — {}",
                check.verdict,
                check.name(),
                check.detail
            );
        }
        if let Some(req) = &attempt.request {
            let req = if self.show_secrets {
                req.clone()
            } else {
                redact::request(req)
            };
            let _ = writeln!(out, "{}", indent(&req.to_raw()));
        }
        if let Some(resp) = &attempt.response {
            let resp = if self.show_secrets {
                resp.clone()
            } else {
                redact::response(resp)
            };
            let mut raw = format!("HTTP/1.1 {}\n", resp.status_line());
            for h in resp.headers.iter() {
                raw.push_str(&format!("{}: {}\n", h.name, h.value));
            }
            raw.push('\n');
            raw.push_str(&resp.body);
            let _ = writeln!(out, "{}", indent(&raw));
        }
    }
}

fn step_line(step: StepId, a: &Attempt) -> String {
    let status = match &a.outcome {
        Outcome::Ok => "ok".to_owned(),
        Outcome::Warning(r) => format!("warning: {r}"),
        Outcome::Failed(r) => format!("FAILED: {r}"),
        Outcome::Skipped(r) => format!("skipped: {r}"),
        Outcome::Pending => "prepared, not sent (edit it with --then and --set)".to_owned(),
        other => format!("{other:?}"),
    };
    let ms = a
        .duration_ms
        .map(|d| format!(" ({d:.1} ms)"))
        .unwrap_or_default();
    format!(
        "{}  {} — {status}{ms}\n   {}",
        step.letter(),
        step.name(),
        a.summary
    )
}

fn indent(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<_> = text.lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(BODY_LINES)
        .map(|l| format!("   │ {l}"))
        .collect();
    if lines.len() > BODY_LINES {
        out.push(format!(
            "   │ … {} more lines (--json prints everything)",
            lines.len() - BODY_LINES
        ));
    }
    out.join("\n")
}
