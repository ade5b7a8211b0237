//! The recorded run: steps A–G (and the extra steps after E), each with its attempts. The engine
//! builds it from the same [`Update`]s it sends to the GUI and CLI, so all three agree.

use serde::{Deserialize, Serialize};

pub use crate::protocol::check::{Check, CheckId, Verdict};
use crate::protocol::error::OAuthError;
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

    /// [`StepId::parse`], or an error that names the choices (for command-line values).
    pub fn parse_or_explain(s: &str) -> Result<StepId, String> {
        StepId::parse(s)
            .ok_or_else(|| format!("'{s}' is not a step: use A–G, refresh, revoke or introspect"))
    }

    pub fn is_extra(self) -> bool {
        Self::EXTRA.contains(&self)
    }

    /// The step that records the request of this step's exchange and the one that records its
    /// answer: D/E and F/G are one HTTP exchange each; every other step holds both itself.
    pub fn exchange(self) -> (StepId, StepId) {
        match self {
            StepId::D | StepId::E => (StepId::D, StepId::E),
            StepId::F | StepId::G => (StepId::F, StepId::G),
            other => (other, other),
        }
    }

    /// The step that holds the request of this step's exchange: B is sent as A, E as D, G as F.
    pub fn request_step(self) -> StepId {
        match self {
            StepId::B => StepId::A,
            other => other.exchange().0,
        }
    }

    /// The step whose outcome tells how sending this one went: A's answer is the redirect (C).
    pub fn answered_by(self) -> StepId {
        match self {
            StepId::A | StepId::B => StepId::C,
            other => other.exchange().1,
        }
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
    /// What a real browser showed of the page (PNG, base64), when one drove the login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screenshot: Option<String>,
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
    /// The run settled; `ok` only when G succeeded and nothing stopped it.
    Finished { ok: bool, stop: Option<Stop> },
}

/// Where and why a run stopped short of a successful G.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    /// The step that failed; none for a cancel or a pause between steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<StepId>,
    pub reason: StopReason,
}

impl Stop {
    pub fn at(step: StepId, reason: StopReason) -> Stop {
        Stop {
            step: Some(step),
            reason,
        }
    }
}

/// Why a run stopped. The words shown for each are its `Display`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum StopReason {
    /// The provider answered with an OAuth error object (RFC 6749 §4.1.2.1, §5.2) or a
    /// `WWW-Authenticate` error (RFC 6750 §3.1).
    Provider(OAuthError),
    /// The provider refused without an OAuth error object; the words name what came back.
    Refused(String),
    /// An answer that could not be understood (not JSON, no access_token, …).
    Malformed(String),
    /// One of the client's own checks failed (state, iss, the id_token), so the client must
    /// not go on with what it received.
    Check { check: CheckId, message: String },
    /// No answer: refused connection, timeout, TLS, a body over the size limit.
    Transport(String),
    /// The browser part (A–B): no browser could be opened, the login failed, no redirect came.
    UserAgent(String),
    /// The request could not be built or sent as asked (settings, no code yet, an edit).
    Request(String),
    /// Cancelled by the user or by a newer run.
    Cancelled(String),
    /// Stopped on purpose before a step, with its request prepared.
    Paused,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::Provider(error) => f.write_str(&error.described()),
            StopReason::Check { message, .. } => f.write_str(message),
            StopReason::Refused(m)
            | StopReason::Malformed(m)
            | StopReason::Transport(m)
            | StopReason::UserAgent(m)
            | StopReason::Request(m)
            | StopReason::Cancelled(m) => f.write_str(m),
            StopReason::Paused => {
                f.write_str("G has not run yet: the next request is prepared, send it to go on")
            }
        }
    }
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
    pub stop: Option<Stop>,
}

impl Trace {
    pub fn new(provider: impl Into<String>) -> Self {
        Self {
            provider: provider.into(),
            steps: all_steps(Vec::new()),
            ok: false,
            finished: false,
            stop: None,
        }
    }

    /// The step whose request is prepared and not sent yet (a paused run, step mode), with it.
    pub fn prepared(&self) -> Option<(StepId, &HttpRequest)> {
        self.steps.iter().find_map(|s| {
            let a = s.latest()?;
            (a.outcome == Outcome::Pending)
                .then_some(a.request.as_ref())
                .flatten()
                .map(|r| (s.id, r))
        })
    }

    /// The step that stopped the run, if one failed.
    pub fn failed_step(&self) -> Option<StepId> {
        self.stop.as_ref().and_then(|s| s.step)
    }

    /// Why the run stopped, in words.
    pub fn error(&self) -> Option<String> {
        self.stop.as_ref().map(|s| s.reason.to_string())
    }

    pub fn step(&self, id: StepId) -> &Step {
        // steps always holds every StepId, in declaration order (see `all_steps`).
        &self.steps[id as usize]
    }

    /// When the run began: the earliest start of any step's first attempt (none before any).
    pub fn started_at_ms(&self) -> Option<u64> {
        self.steps
            .iter()
            .filter_map(|s| s.attempts.first())
            .map(|a| a.started_at_ms)
            .min()
    }

    /// From the earliest start to the latest end of `attempts` (step, index), in milliseconds.
    pub fn span_ms(&self, attempts: impl IntoIterator<Item = (StepId, usize)>) -> f64 {
        let (mut start, mut end) = (f64::INFINITY, f64::NEG_INFINITY);
        for (step, i) in attempts {
            if let Some(a) = self.step(step).attempts.get(i) {
                start = start.min(a.started_at_ms as f64);
                end = end.max(a.started_at_ms as f64 + a.duration_ms.unwrap_or(0.0));
            }
        }
        if end >= start { end - start } else { 0.0 }
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

    /// Attempt `index` of `step` as one exchange: the request from the request step, the
    /// response (or transport error) and outcome from the response step.
    pub fn exchange(&self, step: StepId, index: usize) -> Option<Attempt> {
        let (req_step, resp_step) = step.exchange();
        let req = self.step(req_step).attempts.get(index)?;
        let mut merged = req.clone();
        if let Some(resp) = self.step(resp_step).attempts.get(index)
            && resp_step != req_step
        {
            merged.response.clone_from(&resp.response);
            merged.outcome = resp.outcome.clone();
        }
        Some(merged)
    }

    /// The request and response a step's arrow stands for, borrowed: D and E (F and G) show the
    /// two halves of one HTTP exchange, recorded at the same attempt index.
    pub fn exchange_parts(
        &self,
        step: StepId,
        index: usize,
    ) -> (Option<&HttpRequest>, Option<&HttpResponse>) {
        let (req_step, resp_step) = step.exchange();
        let req = self.step(req_step).attempts.get(index);
        let resp = self.step(resp_step).attempts.get(index);
        let request = req
            .and_then(|a| a.request.as_ref())
            .or_else(|| resp.and_then(|a| a.request.as_ref()));
        // A cut-off answer (a transport error after the headers) stays on the request step.
        let response = resp
            .and_then(|a| a.response.as_ref())
            .or_else(|| req.and_then(|a| a.response.as_ref()));
        (request, response)
    }

    /// How many attempts the step's exchange has.
    pub fn exchange_count(&self, step: StepId) -> usize {
        self.step(step.exchange().0).attempts.len()
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
            Update::Finished { ok, stop } => {
                self.finished = true;
                self.ok = *ok;
                self.stop = stop.clone();
            }
        }
    }
}

/// The RFC 6749/6750 error an answer carried: on the callback (C), in a token-endpoint response, or in the resource server's `WWW-Authenticate`
/// challenge or JSON body (G).
pub fn oauth_error(
    step: StepId,
    request: Option<&HttpRequest>,
    response: Option<&HttpResponse>,
) -> Option<OAuthError> {
    use crate::protocol::callback::Callback;
    use crate::protocol::token::{TokenError, parse_token_response};
    match step {
        StepId::C => match Callback::parse(&request?.query()) {
            Ok(Callback::Error { error, .. }) => Some(error),
            _ => None,
        },
        StepId::A | StepId::B => None,
        StepId::D | StepId::E | StepId::Refresh | StepId::Revoke | StepId::Introspect => {
            match parse_token_response(response?) {
                Err(TokenError::OAuth { error, .. }) => Some(error),
                _ => None,
            }
        }
        StepId::F | StepId::G => {
            let response = response?;
            let challenge = response
                .headers
                .get("www-authenticate")
                .and_then(crate::protocol::resource::bearer_challenge_error)
                .map(|code| OAuthError {
                    error: code,
                    error_description: None,
                    error_uri: None,
                });
            challenge.or_else(|| {
                let v: serde_json::Value = serde_json::from_str(&response.body).ok()?;
                Some(OAuthError {
                    error: crate::protocol::error::ErrorCode::parse(v.get("error")?.as_str()?),
                    error_description: v
                        .get("error_description")
                        .and_then(|d| d.as_str())
                        .map(str::to_owned),
                    error_uri: None,
                })
            })
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
