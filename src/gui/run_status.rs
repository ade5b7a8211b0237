//! How a run reads on screen: its line in the run list, the banner above the diagram after a
//! replay or an experiment, and why nothing new can be sent while it is busy.

use crate::gui::diagram::{self, Banner, Tone, layout::Status};
use crate::gui::format;
use crate::trace::{StepId, StopReason, Verdict};
use crate::workbench::{Activity, Audit, Judged, Run};

/// The run's line in the run list: how its main flow went (a replay or an experiment after it
/// is a take of its own, and an experiment's expected refusal does not fail the run).
pub fn status(run: &Run) -> String {
    let t = &run.trace;
    if run.busy() {
        return "running…".into();
    }
    let main = run.takes.main();
    let (ok, stop) = match &main.end {
        Some(end) => (end.ok, end.stop.as_ref()),
        // A cancel ends the flow from outside it: the trace says how it stands.
        None => (t.ok, t.stop.as_ref()),
    };
    if ok {
        return format!("ok · {}", format::duration_ms(main.duration_ms(t)));
    }
    match (stop, stop.and_then(|s| s.step)) {
        (_, Some(step)) => format!("failed at {}", step.letter()),
        (Some(stop), None) if stop.reason == StopReason::Paused => "paused".into(),
        _ if main
            .attempt_of(StepId::G)
            .and_then(|i| t.step(StepId::G).attempts.get(i))
            .is_some_and(|g| g.outcome.is_ok()) =>
        {
            "ok".into()
        }
        _ => "cancelled".into(),
    }
}

/// When the provider settings on the left are not the run's, what the results shown are of:
/// switching provider does not make the previous provider's verdicts the new one's.
pub fn other_provider(run: &Run, form: Option<&crate::config::ProviderConfig>) -> Option<String> {
    let form = form?;
    let run_config = &run.config;
    // An issuer names the provider (a run fills its endpoints from discovery, the form may not).
    let same_provider = match (form.issuer.as_deref(), run_config.issuer.as_deref()) {
        (Some(a), Some(b)) if !a.trim().is_empty() => a.trim() == b.trim(),
        _ => {
            form.authorization_endpoint == run_config.authorization_endpoint
                && form.token_endpoint == run_config.token_endpoint
        }
    };
    (!same_provider || form.client_id != run_config.client_id).then(|| {
        format!(
            "These results are of run #{} against {}. The settings on the left are for {}: press Run flow to check that one.",
            run.id, run.trace.provider, form.name
        )
    })
}

/// Why nothing new can be sent on this run right now, if something is still going.
pub fn busy(run: &Run) -> Option<&'static str> {
    if !run.sendable() {
        return Some(
            "This run was reopened from a file: Connect (above the diagram) to send its steps again",
        );
    }
    if run.running_experiment().is_some() {
        return Some("An experiment is running…");
    }
    run.busy()
        .then_some("Wait for the step in flight to finish, or Cancel it.")
}

/// The line above the diagram: after a replay or an experiment, what came of it.
pub fn banner(run: &Run) -> Banner {
    let plain = diagram::banner(Some(&run.trace), run.scripted);
    let Some(activity) = run.activity else {
        return plain;
    };
    let waiting = plain.tone == Tone::Attention;
    let neutral = if waiting {
        Tone::Attention
    } else {
        Tone::Neutral
    };
    match activity {
        Activity::Audit => match run.audit.as_ref() {
            Some(audit @ Audit { report: None, .. }) => {
                let (done, all) = audit.progress(run);
                Banner {
                    text: match run.running_experiment() {
                        Some(e) => {
                            format!("Checking the provider: {done} of {all} — {}", e.title())
                        }
                        None => format!("Checking the provider: {done} of {all}"),
                    },
                    tone: neutral,
                }
            }
            Some(Audit {
                report: Some(report),
                ..
            }) => {
                let s = report.summary();
                Banner {
                    text: format!("Provider check: {}", s.line()),
                    tone: verdict_tone(
                        report
                            .rows
                            .iter()
                            .map(|r| r.finding.verdict)
                            .filter(|v| *v != Verdict::Skip)
                            .max(),
                    ),
                }
            }
            None => plain,
        },
        Activity::Experiment(e) if run.running_experiment().is_some() => Banner {
            text: format!("Experiment “{}” running…", e.title()),
            tone: neutral,
        },
        Activity::Experiment(e) => match Judged::latest(&run.findings, e) {
            Some(Judged { finding, .. }) => Banner {
                text: format!(
                    "Experiment “{}”: {} — {}",
                    e.title(),
                    verdict_word(finding.verdict),
                    finding.summary
                ),
                tone: verdict_tone(Some(finding.verdict)),
            },
            None => plain,
        },
        Activity::AllExperiments => {
            let running = run.busy();
            let tally = Judged::tally(&run.findings).unwrap_or_default();
            Banner {
                text: format!(
                    "All experiments{}: {tally}",
                    if running { " (running…)" } else { "" }
                ),
                tone: if running {
                    Tone::Neutral
                } else {
                    verdict_tone(Judged::worst(&run.findings))
                },
            }
        }
        Activity::Sent(step) if run.busy() => Banner {
            text: format!("Sending {} again…", step.letter()),
            tone: neutral,
        },
        Activity::Sent(step) => sent_banner(run, step),
    }
}

/// What a step sent again came to: the answer's status and, if the run then stopped
/// elsewhere, where and why.
fn sent_banner(run: &Run, step: crate::trace::StepId) -> Banner {
    let answer = step.answered_by();
    let outcome = run.trace.step(answer).outcome();
    let status = Status::of(&outcome);
    let again = if run.trace.step(step).attempts.len() > 1 {
        " again"
    } else {
        ""
    };
    let mut text = format!(
        "Sent {}{again}: {} {}",
        step.letter(),
        answer.letter(),
        status.word()
    );
    if let Some(reason) = outcome.reason() {
        text.push_str(&format!(" — {reason}"));
    }
    if let (Some(stop), Some(reason)) = (run.trace.failed_step(), run.trace.error())
        && stop != answer
    {
        text.push_str(&format!("; then stopped at {}: {reason}", stop.letter()));
    }
    Banner {
        text,
        tone: match status {
            Status::Ok => Tone::Good,
            Status::Failed => Tone::Bad,
            _ => Tone::Attention,
        },
    }
}

fn verdict_tone(verdict: Option<Verdict>) -> Tone {
    match verdict {
        Some(Verdict::Fail) => Tone::Bad,
        Some(Verdict::Warn) => Tone::Attention,
        Some(Verdict::Skip | Verdict::Info) => Tone::Neutral,
        Some(Verdict::Pass) | None => Tone::Good,
    }
}

pub fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
        Verdict::Skip => "SKIP",
        Verdict::Info => "INFO",
    }
}
