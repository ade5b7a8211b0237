//! The Markdown report of a run: the flow step by step (request line, the parameters sent,
//! what came back, the client's checks), then the experiments' verdicts and the audit.

use super::{Scope, Sent, exchanges_in};
use crate::protocol::http::HttpRequest;
use crate::trace::Outcome;
use crate::workbench::audit::render::{self, cell, verdict_word};
use crate::workbench::{Judged, RunRecord};

pub fn render(record: &RunRecord, scope: Scope) -> String {
    if let Scope::Step(step, _) = scope {
        // One step: its exchange, and nothing of the rest of the run.
        let mut out = format!(
            "# oauthviz: step {} ({}) of a run against {}\n",
            step.letter(),
            step.name(),
            cell(&record.provider.name)
        );
        for s in exchanges_in(record, scope) {
            exchange(&mut out, &s);
        }
        return out;
    }
    let trace = &record.trace;
    let mut out = format!("# oauthviz run: {}\n\n", cell(&record.provider.name));
    let status = if super::flow_reached_g(record) {
        "The flow reached G: the protected resource was served.".to_owned()
    } else {
        match super::flow_stop(record) {
            Some(
                stop @ crate::trace::Stop {
                    step: Some(step), ..
                },
            ) => {
                format!(
                    "The flow stopped at {} ({}): {}",
                    step.letter(),
                    step.name(),
                    stop.reason
                )
            }
            Some(stop) => format!("The flow stopped: {}", stop.reason),
            None if trace.finished => "The flow did not reach G.".to_owned(),
            None => "The flow had not finished when it was saved.".to_owned(),
        }
    };
    out.push_str(&paragraph(&status));
    out.push_str("\n## Exchanges\n");
    for s in exchanges_in(record, Scope::Run) {
        exchange(&mut out, &s);
    }
    let newest: Vec<&Judged> = Judged::newest(&record.experiments).collect();
    if !newest.is_empty() {
        out.push_str(
            "\n## Experiments\n\n| Verdict | Experiment | What came back |\n|---|---|---|\n",
        );
        for j in newest {
            out.push_str(&format!(
                "| {} | `{}` {} | {} |\n",
                verdict_word(j.finding.verdict).to_uppercase(),
                j.experiment.id(),
                cell(j.experiment.rule().title),
                cell(&j.finding.summary)
            ));
        }
    }
    if let Some(report) = &record.audit {
        out.push_str("\n## Provider audit\n\n");
        // The audit's own report, one heading level down.
        for line in render::markdown(report).lines().skip(1) {
            if line.starts_with('#') {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn exchange(out: &mut String, s: &Sent<'_>) {
    let outcome = match s.outcome {
        Outcome::Ok => "ok".to_owned(),
        Outcome::Warning(w) => format!("warning: {w}"),
        Outcome::Failed(f) => format!("failed: {f}"),
        Outcome::Skipped(w) => format!("skipped: {w}"),
        Outcome::Pending | Outcome::InFlight | Outcome::WaitingForUser => "unfinished".to_owned(),
    };
    out.push_str(&format!(
        "\n### {} — {} ({}, attempt {})\n\n",
        s.label(),
        s.step.name(),
        super::take_words(s.take),
        s.attempt + 1
    ));
    out.push_str(&format!(
        "`{} {}`\n\n",
        s.request.method,
        code(&s.request.url)
    ));
    let params = parameters(s.request);
    if !params.is_empty() {
        out.push_str("| Parameter | Value |\n|---|---|\n");
        for (name, value) in params {
            out.push_str(&format!("| `{}` | `{}` |\n", code(&name), code(&value)));
        }
        out.push('\n');
    }
    let answer = match (s.response, s.error) {
        (Some(r), _) => format!("Answer: **{}**", r.status_line()),
        (None, Some(e)) => format!("No answer: {e}"),
        (None, None) => "The browser got the answer; oauthviz did not see it.".to_owned(),
    };
    out.push_str(&paragraph(&format!("{answer} · {outcome}")));
    if !s.summary.is_empty() {
        out.push_str(&paragraph(s.summary));
    }
    for c in &s.checks {
        out.push_str(&format!(
            "- {} {}: {}\n",
            verdict_word(c.verdict).to_uppercase(),
            cell(c.id.title()),
            cell(&c.detail)
        ));
    }
}

/// The parameters a request carried: its query, then its form body.
fn parameters(r: &HttpRequest) -> Vec<(String, String)> {
    let mut all = super::query_pairs(r);
    if let Some(form) = r.form() {
        all.extend(form.iter().map(|p| (p.name.clone(), p.value.clone())));
    }
    all
}

/// Text inside a code span of a table cell: no backtick can end the span, no pipe the cell.
fn code(text: &str) -> String {
    cell(&text.replace('`', "'"))
}

/// A paragraph of text that may have come from the provider: on one line, and with `<`, `>`
/// and `&` written as entities so a viewer renders no HTML of the provider's.
fn paragraph(text: &str) -> String {
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ");
    format!("{text}\n\n")
}
