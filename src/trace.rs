//! The recorded run: steps A–G (and the extra steps after E), each with its attempts. The engine
//! builds it from the same [`Update`]s it sends to the GUI and CLI, so all three agree.

use serde::{Deserialize, Serialize};

pub use crate::protocol::check::{Check, Verdict};
use crate::protocol::http::{HttpRequest, HttpResponse};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StepId {
    A,
    B,
    C,
    D,
    E,
    F,
    G,
    /// RFC 6749 §6: a new access token from the refresh token.
    Refresh,
    /// RFC 7009 token revocation.
    Revoke,
    /// RFC 7662 token introspection.
    Introspect,
}

impl StepId {
    /// The steps after E that a run offers on demand; each holds a whole exchange per attempt.
    pub const EXTRA: [StepId; 3] = [StepId::Refresh, StepId::Revoke, StepId::Introspect];

    /// The Authorization Code flow itself, A to G.
    pub const ALL: [StepId; 7] = [
        StepId::A,
        StepId::B,
        StepId::C,
        StepId::D,
        StepId::E,
        StepId::F,
        StepId::G,
    ];

    pub fn letter(self) -> &'static str {
        match self {
            StepId::A => "A",
            StepId::B => "B",
            StepId::C => "C",
            StepId::D => "D",
            StepId::E => "E",
            StepId::F => "F",
            StepId::G => "G",
            StepId::Refresh => "R",
            StepId::Revoke => "V",
            StepId::Introspect => "I",
        }
    }

    /// A step by letter or (for the extra steps) by name, case-insensitive.
    pub fn parse(s: &str) -> Option<StepId> {
        let s = s.trim();
        Self::ALL.into_iter().chain(Self::EXTRA).find(|id| {
            id.letter().eq_ignore_ascii_case(s)
                || (id.is_extra() && id.name().eq_ignore_ascii_case(s))
        })
    }

    pub fn is_extra(self) -> bool {
        Self::EXTRA.contains(&self)
    }

    /// The step's name, as in the diagram.
    pub fn name(self) -> &'static str {
        match self {
            StepId::A => "Authorization request",
            StepId::B => "User login and consent",
            StepId::C => "Authorization response (redirect)",
            StepId::D => "Token request",
            StepId::E => "Token response",
            StepId::F => "Protected resource request",
            StepId::G => "Protected resource response",
            StepId::Refresh => "Refresh",
            StepId::Revoke => "Revoke",
            StepId::Introspect => "Introspect",
        }
    }
}

/// How an attempt ended, as the diagram colours it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    #[default]
    Pending,
    InFlight,
    /// Waiting for the person at the browser (or the scripted agent).
    WaitingForUser,
    Ok,
    /// Succeeded, but a check found something the user should know.
    Warning(String),
    Failed(String),
    /// Did not run because an earlier step failed or the run was cancelled.
    Skipped(String),
}

impl Outcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Warning(_))
    }

    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            Outcome::Pending | Outcome::InFlight | Outcome::WaitingForUser
        )
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Outcome::Warning(r) | Outcome::Failed(r) | Outcome::Skipped(r) => Some(r),
            _ => None,
        }
    }
}

/// One try at a step. For the paired steps (D/E, F/G) the request is on the first and the
/// response on the second, at the same attempt index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<HttpRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponse>,
    /// A transport failure (refused, timed out, TLS, body too large) instead of a response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_error: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<f64>,
    pub outcome: Outcome,
    /// The key fact the arrow carries: `code=SplxlOB…`, `200 OK`, `access_token (Bearer, 3600 s)`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Pages a scripted user agent went through (B), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchanges: Vec<Exchange>,
}

/// A request and what came back, for sub-steps such as the pages of a login.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    pub request: HttpRequest,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponse>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub id: StepId,
    pub name: String,
    pub attempts: Vec<Attempt>,
}

impl Step {
    pub fn latest(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// The latest attempt's outcome, `Pending` before any.
    pub fn outcome(&self) -> Outcome {
        self.latest().map(|a| a.outcome.clone()).unwrap_or_default()
    }
}

/// A change to a trace. The engine emits these; [`Trace::apply`] folds them in.
// Most updates are attempts; boxing them would only add an allocation per update.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Update {
    /// Sets attempt `index` of `step` (a new index appends).
    Attempt {
        step: StepId,
        index: usize,
        attempt: Attempt,
    },
    /// The run ended; `ok` only when G succeeded.
    Finished {
        ok: bool,
        failed_step: Option<StepId>,
        reason: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub provider: String,
    /// A–G always, then the extra steps that have attempts, in order.
    #[serde(
        serialize_with = "serialize_steps",
        deserialize_with = "deserialize_steps"
    )]
    pub steps: Vec<Step>,
    pub ok: bool,
    pub finished: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_step: Option<StepId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Trace {
    pub fn new(provider: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            steps: all_steps(Vec::new()),
            ok: false,
            finished: false,
            failed_step: None,
            error: None,
        }
    }

    pub fn step(&self, id: StepId) -> &Step {
        // steps always holds every StepId, in declaration order (see `all_steps`).
        &self.steps[id as usize]
    }

    /// The extra steps that have been used in this run.
    pub fn extra_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .filter(|s| s.id.is_extra() && !s.attempts.is_empty())
    }

    /// Whether the flow reached G successfully (by its latest attempt, replays included).
    pub fn succeeded(&self) -> bool {
        self.step(StepId::G).outcome().is_ok()
    }

    /// Whether a token response of this run (E or a refresh) carried a refresh token.
    pub fn issued_refresh_token(&self) -> bool {
        [StepId::E, StepId::Refresh].into_iter().any(|step| {
            self.step(step).attempts.iter().any(|a| {
                a.response
                    .as_ref()
                    .and_then(|r| crate::protocol::token::parse_token_response(r).ok())
                    .is_some_and(|t| t.refresh_token.is_some())
            })
        })
    }

    pub fn apply(&mut self, update: &Update) {
        match update {
            Update::Attempt {
                step,
                index,
                attempt,
            } => {
                let attempts = &mut self.steps[*step as usize].attempts;
                if *index < attempts.len() {
                    attempts[*index] = attempt.clone();
                } else {
                    attempts.push(attempt.clone());
                }
            }
            Update::Finished {
                ok,
                failed_step,
                reason,
            } => {
                self.finished = true;
                self.ok = *ok;
                self.failed_step = *failed_step;
                self.error = reason.clone();
            }
        }
    }
}

/// Every step in `StepId` order, keeping the attempts of the ones given.
fn all_steps(mut given: Vec<Step>) -> Vec<Step> {
    StepId::ALL
        .into_iter()
        .chain(StepId::EXTRA)
        .map(|id| match given.iter().position(|s| s.id == id) {
            Some(i) => given.swap_remove(i),
            None => Step {
                id,
                name: id.name().to_owned(),
                attempts: Vec::new(),
            },
        })
        .collect()
}

fn serialize_steps<S: serde::Serializer>(steps: &[Step], ser: S) -> Result<S::Ok, S::Error> {
    ser.collect_seq(
        steps
            .iter()
            .filter(|s| !s.id.is_extra() || !s.attempts.is_empty()),
    )
}

fn deserialize_steps<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<Step>, D::Error> {
    Vec::<Step>::deserialize(de).map(all_steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_appends_and_replaces_attempts() {
        let mut t = Trace::new("demo");
        let mut a = Attempt {
            outcome: Outcome::InFlight,
            ..Default::default()
        };
        t.apply(&Update::Attempt {
            step: StepId::D,
            index: 0,
            attempt: a.clone(),
        });
        a.outcome = Outcome::Ok;
        t.apply(&Update::Attempt {
            step: StepId::D,
            index: 0,
            attempt: a.clone(),
        });
        t.apply(&Update::Attempt {
            step: StepId::D,
            index: 1,
            attempt: a,
        });
        assert_eq!(t.step(StepId::D).attempts.len(), 2);
        assert_eq!(t.step(StepId::D).outcome(), Outcome::Ok);
        assert_eq!(t.step(StepId::A).outcome(), Outcome::Pending);
    }

    #[test]
    fn serializes_steps_with_ids() {
        let t = Trace::new("demo");
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["steps"][0]["id"], "A");
        assert_eq!(json["steps"][6]["id"], "G");
        assert_eq!(json["ok"], false);
    }

    #[test]
    fn extra_steps_are_serialized_only_when_used() {
        let mut t = Trace::new("demo");
        assert_eq!(
            serde_json::to_value(&t).unwrap()["steps"]
                .as_array()
                .unwrap()
                .len(),
            7
        );
        t.apply(&Update::Attempt {
            step: StepId::Refresh,
            index: 0,
            attempt: Attempt::default(),
        });
        let json = serde_json::to_string(&t).unwrap();
        let back: Trace = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.extra_steps().count(), 1);
        assert_eq!(StepId::parse("refresh"), Some(StepId::Refresh));
        assert_eq!(StepId::parse("d"), Some(StepId::D));
    }

    #[test]
    fn outcome_serializes_with_reason() {
        let json = serde_json::to_value(Outcome::Failed("x".into())).unwrap();
        assert_eq!(json, serde_json::json!({"status":"failed","reason":"x"}));
    }
}
