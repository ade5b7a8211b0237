//! A Mermaid `sequenceDiagram` of the run: the four lanes, one arrow per exchange labelled with
//! its step letter and key fact, failures drawn with a cross, replays and experiments each in a
//! `rect` with a note naming them (and an experiment's verdict).

use super::{Part, Scope, Sent, exchanges_in};
use crate::trace::{Outcome, StepId};
use crate::workbench::TakeKind;
use crate::workbench::{Judged, RunRecord};

/// Longest label kept whole; Mermaid draws a label on one line, so a long one is cut.
const MAX_LABEL: usize = 90;

pub fn render(record: &RunRecord, scope: Scope) -> String {
    let mut out = String::from("sequenceDiagram\n");
    out.push_str(&format!(
        "    title OAuth 2.0 Authorization Code flow: {}\n",
        escape(&record.provider.name)
    ));
    for (id, name) in [
        ("Browser", "Browser / Resource Owner"),
        ("Client", "Client (oauthviz)"),
        ("AS", "Authorization Server"),
        ("RS", "Resource Server"),
    ] {
        out.push_str(&format!("    participant {id} as {name}\n"));
    }
    let sent = exchanges_in(record, scope);
    let mut open: Option<TakeKind> = None;
    for s in &sent {
        if open != Some(s.take) {
            if open.is_some_and(|t| t != TakeKind::Main) {
                out.push_str("    end\n");
            }
            if s.take != TakeKind::Main {
                out.push_str(&begin(record, s.take));
            }
            open = Some(s.take);
        }
        let indent = if s.take == TakeKind::Main {
            "    "
        } else {
            "        "
        };
        out.push_str(&format!("{indent}{}\n", arrow(record, s)));
    }
    if open.is_some_and(|t| t != TakeKind::Main) {
        out.push_str("    end\n");
    }
    // Where the flow itself stopped; a refusal an experiment asked for is in its block.
    if let Some(stop) = super::flow_stop(record).filter(|_| scope == Scope::Run) {
        out.push_str(&format!(
            "    Note over Client,AS: stopped: {}\n",
            escape(&cut(&stop.reason.to_string()))
        ));
    }
    out
}

/// A replay's or an experiment's block, with a note naming it.
fn begin(record: &RunRecord, take: TakeKind) -> String {
    let (colour, note) = match take {
        TakeKind::Experiment(e) => {
            let verdict = Judged::latest(&record.experiments, e)
                .map(|j| {
                    format!(
                        " ({}: {})",
                        crate::workbench::audit::render::verdict_word(j.finding.verdict),
                        cut(&j.finding.summary)
                    )
                })
                .unwrap_or_default();
            (
                "rgba(120, 120, 220, 0.12)",
                format!("experiment {}{verdict}", e.id()),
            )
        }
        TakeKind::Sent(_) => ("rgba(120, 200, 120, 0.12)", "sent again".to_owned()),
        TakeKind::Main => ("rgba(0, 0, 0, 0)", String::new()),
    };
    format!(
        "    rect {colour}\n        Note over Client,AS: {}\n",
        escape(&note)
    )
}

/// `Client->>AS: D→E · POST /token → 200 OK · access_token (Bearer, 3600 s)`.
fn arrow(record: &RunRecord, s: &Sent<'_>) -> String {
    let (from, to) = match s.step {
        StepId::A => ("Client", "AS"),
        StepId::B => ("Browser", "AS"),
        StepId::C => ("AS", "Client"),
        StepId::F | StepId::G => ("Client", "RS"),
        _ => ("Client", "AS"),
    };
    // An experiment that passed wanted its refusal: that is no failure to cross out.
    let expected = match s.take {
        TakeKind::Experiment(e) => Judged::latest(&record.experiments, e)
            .is_some_and(|j| j.finding.verdict <= crate::trace::Verdict::Info),
        _ => false,
    };
    let line = match s.outcome {
        Outcome::Failed(_) if !expected => "-x",
        _ => "->>",
    };
    let path = url::Url::parse(&s.request.url)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| s.request.url.clone());
    let summary = if s.part == Part::Step { s.summary } else { "" };
    let mut label = format!("{} · ", s.label());
    if !summary.is_empty() && summary.starts_with(&s.request.method) {
        // A's fact is its request line and what it asks for.
        label.push_str(summary);
    } else {
        label.push_str(&format!("{} {path}", s.request.method));
        match (s.response, s.error) {
            // G's fact starts with its status.
            (Some(r), _) if summary.starts_with(&r.status.to_string()) => {
                label.push_str(&format!(" → {summary}"));
            }
            (Some(r), _) => {
                label.push_str(&format!(" → {}", r.status_line()));
                if !summary.is_empty() {
                    label.push_str(&format!(" · {summary}"));
                }
            }
            (None, Some(e)) => label.push_str(&format!(" → no answer: {e}")),
            (None, None) if !summary.is_empty() => label.push_str(&format!(" · {summary}")),
            (None, None) => {}
        }
    }
    match s.outcome {
        Outcome::Failed(why) if expected => {
            label.push_str(&format!(" · refused, as expected: {why}"))
        }
        Outcome::Failed(why) => label.push_str(&format!(" ✗ {why}")),
        Outcome::Warning(why) => label.push_str(&format!(" ⚠ {why}")),
        _ => {}
    }
    format!("{from}{line}{to}: {}", escape(&cut(&label)))
}

fn cut(text: &str) -> String {
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= MAX_LABEL {
        return text;
    }
    let kept: String = text.chars().take(MAX_LABEL - 1).collect();
    format!("{kept}…")
}

/// Text as Mermaid's sequence grammar reads it back verbatim: `#` starts a comment and `;` ends
/// a statement there, `%%` starts a directive, and the renderer reads `&<>"` as HTML, so each
/// is written as Mermaid's entity code (`#59;`), in one pass so no entity is escaped twice. A
/// leading `wrap:`/`nowrap:` would be taken as a directive to the renderer.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '%' => out.push_str("#37;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '"' => out.push_str("#quot;"),
            '\r' => {}
            '\n' => out.push_str("<br/>"),
            c => out.push(c),
        }
    }
    let trimmed = out.trim_start();
    for directive in ["wrap:", "nowrap:", ":wrap:", ":nowrap:"] {
        if trimmed.starts_with(directive) {
            let first = trimmed.chars().next().map_or(0, u32::from);
            return format!("#{first};{}", &trimmed[1..]);
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_means_something_to_mermaid_is_written_as_entities() {
        assert_eq!(escape("a#b;c"), "a#35;b#59;c");
        assert_eq!(
            escape("100% <ok> & \"x\""),
            "100#37; #lt;ok#gt; #amp; #quot;x#quot;"
        );
        assert_eq!(escape("line\nbreak"), "line<br/>break");
        assert_eq!(escape("wrap: x"), "#119;rap: x");
        assert_eq!(escape(":nowrap: x"), "#58;nowrap: x");
        assert_eq!(escape("code=abc:def"), "code=abc:def");
    }

    #[test]
    fn long_labels_are_cut_on_one_line() {
        let long = "word ".repeat(40);
        let c = cut(&long);
        assert!(c.chars().count() <= MAX_LABEL && c.ends_with('…'));
        assert_eq!(cut("a\n  b"), "a b");
    }
}
