//! A run as it is kept and shared: the provider it ran against (never the client secret), its
//! trace, the experiments' verdicts and the audit's report. Run files, the history and every
//! export are written from this one value, and a reopened run is made from it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::audit::Report;
use super::run::{Judged, Run};
use super::take::Take;
use crate::config::ProviderConfig;
use crate::redact::{self, Secrets};
use crate::trace::Trace;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The settings the run used. `ProviderConfig` never serializes its client secret or the
    /// other clients, so no file carries them.
    pub provider: ProviderConfig,
    pub trace: Trace,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experiments: Vec<Judged>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<Report>,
    /// The main flow, the replays and the experiments, each with its attempts (a file without
    /// them gets them back from its attempts when it is opened).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takes: Vec<Take>,
}

impl RunRecord {
    pub fn of(run: &Run) -> RunRecord {
        RunRecord {
            provider: run.config.clone(),
            trace: run.trace.clone(),
            experiments: run.findings.clone(),
            audit: run.audit.as_ref().and_then(|a| a.report.clone()),
            takes: run.takes.all().to_vec(),
        }
    }

    /// The record with every secret masked: at the places secrets go (parameters, headers,
    /// JSON fields) and, as values, wherever else they turn up — an error message that quotes
    /// the callback URL, a verdict, a summary. `given` adds what the run was handed (the client
    /// secret, the user's password), which the trace may hold only in encoded form.
    pub fn masked(&self, given: &Secrets) -> RunRecord {
        let mut known = Secrets::of_trace(&self.trace);
        known.join(given);
        let mut masked = self.clone();
        masked.trace = redact::trace(&self.trace);
        let Ok(mut value) = serde_json::to_value(&masked) else {
            return masked;
        };
        scrub(&mut value, &known);
        // Masking changes only string contents, so the shape reads back; were it not to, the
        // record masked at the usual places is still safe to write.
        serde_json::from_value(value).unwrap_or(masked)
    }
}

/// Every string in `value` with the known secrets masked.
fn scrub(value: &mut Value, known: &Secrets) {
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(clean) = known.scrub(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub(v, known)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub(v, known)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::protocol::http::{HttpRequest, HttpResponse};
    use crate::protocol::params::Params;
    use crate::trace::{Attempt, Outcome, StepId, Update};

    #[test]
    fn masking_reaches_every_string_and_keeps_the_shape() {
        let mut trace = Trace::new("p");
        let d = HttpRequest::post_form(
            "https://as/token",
            &Params::from([("code", "the-code-123"), ("client_secret", "s3cret-value")]),
        );
        trace.apply(&Update::Attempt {
            step: StepId::D,
            index: 0,
            attempt: Attempt {
                request: Some(d),
                response: Some(HttpResponse {
                    status: 400,
                    headers: Default::default(),
                    body: "{\"error\":\"invalid_grant\"}".into(),
                }),
                outcome: Outcome::Failed("the code the-code-123 was refused".into()),
                summary: "code=the-code-123".into(),
                ..Default::default()
            },
        });
        let record = RunRecord {
            provider: ProviderConfig::default(),
            trace,
            experiments: Vec::new(),
            audit: None,
            takes: Vec::new(),
        };
        let mut given = Secrets::default();
        given.add("wonderland-pw");
        let masked = record.masked(&given);
        let text = serde_json::to_string(&masked).unwrap();
        assert!(!text.contains("the-code-123"), "{text}");
        assert!(!text.contains("s3cret-value"), "{text}");
        assert_eq!(masked.trace.step(StepId::D).attempts.len(), 1);
        assert!(text.contains("invalid_grant"));
    }
}
