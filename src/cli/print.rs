//! What `oauthviz run` prints while a run goes: each step when it ends (masked by `redact`
//! unless `--show-secrets`), and the experiments' verdicts.

use std::io::Write;

use crate::redact;
use crate::trace::{Attempt, Outcome, StepId, Trace, Update};
use crate::workbench::{Happened, Judged, Run};

/// Prints each attempt when it ends (and B when it starts waiting, with the URL to open).
pub struct Printer {
    show_secrets: bool,
    quiet: bool,
    waiting_shown: std::collections::HashSet<(StepId, usize)>,
    /// A person logs in (system or print user agent): when quiet, the authorization URL still
    /// goes to stderr, at once, so they can open it.
    person_logs_in: bool,
    /// The secrets to hide wherever they turn up: those the run was given (the client secret,
    /// the user's password) and those each attempt shown so far sent or received.
    known: redact::Secrets,
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
            Happened::Idle { .. } | Happened::Discovered(_) | Happened::Audited { .. } => {}
        }
    }

    pub fn new(show_secrets: bool, quiet: bool, given: redact::Secrets) -> Self {
        Self {
            show_secrets,
            quiet,
            waiting_shown: Default::default(),
            person_logs_in: false,
            known: given,
        }
    }

    /// Says that a person logs in, so a quiet run still shows them the URL (on stderr).
    pub fn person_logs_in(mut self, yes: bool) -> Self {
        self.person_logs_in = yes;
        self
    }

    /// The secrets to hide in what is printed; none with `--show-secrets`.
    pub fn hidden(&self) -> Option<&redact::Secrets> {
        (!self.show_secrets).then_some(&self.known)
    }

    pub fn note(&self, text: &str) {
        if !self.quiet {
            say(
                &mut std::io::stdout().lock(),
                self.hidden(),
                &format!("== {text}"),
            );
        }
    }

    pub fn print(&mut self, trace: &Trace, update: &Update) {
        // Also when quiet: `--json` and the exit line hide what the attempts used.
        if let Update::Attempt { attempt, .. } = update {
            self.known.attempt(attempt);
        }
        if let Update::Attempt {
            step,
            index,
            attempt,
        } = update
            && self.quiet
            && self.person_logs_in
            && attempt.outcome == Outcome::WaitingForUser
            && let Some(r) = trace
                .step(StepId::A)
                .latest()
                .and_then(|a| a.request.as_ref())
            && self.waiting_shown.insert((*step, *index))
        {
            let hidden = (!self.show_secrets).then_some(&self.known);
            say(
                &mut std::io::stderr().lock(),
                hidden,
                &format!(
                    "open this URL to log in; oauthviz waits for the redirect:\n   {}",
                    r.url
                ),
            );
        }
        if self.quiet {
            return;
        }
        let mut out = std::io::stdout().lock();
        // The field itself, not `hidden()`: `waiting_shown` is updated below.
        let hidden = (!self.show_secrets).then_some(&self.known);
        let Update::Attempt {
            step,
            index,
            attempt,
        } = update
        else {
            if let Update::Finished { ok, stop } = update {
                match (ok, stop) {
                    (true, _) => say(&mut out, hidden, "flow complete: G succeeded"),
                    (false, Some(stop)) => {
                        say(&mut out, hidden, &format!("flow stopped: {}", stop.reason))
                    }
                    (false, None) => say(&mut out, hidden, "flow stopped"),
                }
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
                say(
                    &mut out,
                    hidden,
                    &format!(
                        "B  waiting for the login and consent; the authorization URL is:\n   {url}"
                    ),
                );
            }
            return;
        }
        let shown_before =
            attempt.outcome == Outcome::Pending && !self.waiting_shown.insert((*step, *index));
        if shown_before || (!attempt.outcome.is_final() && attempt.outcome != Outcome::Pending) {
            return;
        }
        say(&mut out, hidden, &step_line(*step, attempt));
        for check in &attempt.checks {
            say(
                &mut out,
                hidden,
                &format!(
                    "   check {:?}: {} — {}",
                    check.verdict,
                    check.name(),
                    check.detail
                ),
            );
        }
        if let Some(req) = &attempt.request {
            let req = if self.show_secrets {
                req.clone()
            } else {
                redact::request(req)
            };
            say(&mut out, hidden, &indent(&req.to_raw()));
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
            say(&mut out, hidden, &indent(&raw));
        }
    }
}

/// One line (or a few) of the output: the `hidden` secrets masked wherever they are, then made
/// safe for a terminal. A closed stdout is nobody's problem any more.
fn say(out: &mut impl Write, hidden: Option<&redact::Secrets>, text: &str) {
    let text = hidden.map_or(std::borrow::Cow::Borrowed(text), |h| h.scrub(text));
    let _ = writeln!(out, "{}", terminal_safe(&text));
}

/// `text` with every control character but newline and tab written out as an escape (`\x1b`,
/// `\r`, `\u{202e}`): what a provider sends (an error_description, a page, a body) reaches the
/// terminal as text, never as a command that moves the cursor, erases a line, sets the title or
/// reorders what is shown.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            c if unsafe_char(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_outside_are_written_out() {
        assert_eq!(terminal_safe("plain\n\ttext"), "plain\n\ttext");
        assert_eq!(
            terminal_safe("bad\r\x1b[2K\x1b[32mflow complete: G succeeded"),
            "bad\\r\\x1b[2K\\x1b[32mflow complete: G succeeded"
        );
        assert_eq!(
            terminal_safe("\x1b]0;pwned\x07 \u{9b}31m \u{202e}txet"),
            "\\x1b]0;pwned\\x07 \\x9b31m \\u{202e}txet"
        );
        assert_eq!(terminal_safe("\x7f"), "\\x7f");
    }
}
