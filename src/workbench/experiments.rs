//! One-click experiments: each prepares a modified replay that a provider should refuse (or that
//! the client's own checks must catch), states what RFC 6749 / RFC 9700 expect, and judges what
//! the provider actually did.

use crate::config::ProviderConfig;
use crate::engine::{Command, ReplayRequest, RunId};
use crate::protocol::edit::Edit;
use crate::protocol::error::ErrorCode;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::random;
use crate::protocol::token::{ClientAuth, basic_authorization};
use crate::trace::{CheckId, StepId, Trace, Verdict};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Experiment {
    ReuseCode,
    RedirectUriOneChar,
    DropCodeVerifier,
    WrongCodeVerifier,
    PkcePlain,
    WrongClientSecret,
    CredentialsTwice,
    TamperedState,
    MissingState,
    BearerInQuery,
    GarbageToken,
    RefreshTwice,
}

/// What the provider is expected to do.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    /// This RFC 6749 error code (at any 4xx status, or in an error redirect).
    Error(ErrorCode),
    /// Any refusal: a 4xx status or an error redirect.
    Refusal,
    /// The client's own check on C fails.
    ClientCheck,
}

/// The verdict on what the provider did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub verdict: Verdict,
    pub summary: String,
}

impl Finding {
    /// The experiment did not run here; `why` says what it would need.
    pub fn skipped(why: &str) -> Finding {
        Finding {
            verdict: Verdict::Skip,
            summary: format!("not run: {why}"),
        }
    }
}

impl Experiment {
    pub const ALL: [Experiment; 12] = [
        Experiment::ReuseCode,
        Experiment::RedirectUriOneChar,
        Experiment::DropCodeVerifier,
        Experiment::WrongCodeVerifier,
        Experiment::PkcePlain,
        Experiment::WrongClientSecret,
        Experiment::CredentialsTwice,
        Experiment::TamperedState,
        Experiment::MissingState,
        Experiment::BearerInQuery,
        Experiment::GarbageToken,
        Experiment::RefreshTwice,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Experiment::ReuseCode => "reuse-code",
            Experiment::RedirectUriOneChar => "redirect-uri-one-char",
            Experiment::DropCodeVerifier => "drop-code-verifier",
            Experiment::WrongCodeVerifier => "wrong-code-verifier",
            Experiment::PkcePlain => "pkce-plain",
            Experiment::WrongClientSecret => "wrong-client-secret",
            Experiment::CredentialsTwice => "credentials-in-header-and-body",
            Experiment::TamperedState => "tampered-state",
            Experiment::MissingState => "missing-state",
            Experiment::BearerInQuery => "bearer-in-query",
            Experiment::GarbageToken => "garbage-token",
            Experiment::RefreshTwice => "refresh-twice",
        }
    }

    /// An experiment by id, or `all` for every one.
    pub fn parse_list(id: &str) -> Result<Vec<Experiment>, String> {
        if id == "all" {
            return Ok(Self::ALL.to_vec());
        }
        Self::parse(id).map(|e| vec![e])
    }

    pub fn parse(id: &str) -> Result<Experiment, String> {
        Self::ALL.into_iter().find(|e| e.id() == id).ok_or_else(|| {
            let ids: Vec<_> = Self::ALL.iter().map(|e| e.id()).collect();
            format!(
                "unknown experiment '{id}': choose all or one of {}",
                ids.join(", ")
            )
        })
    }

    pub fn title(self) -> &'static str {
        match self {
            Experiment::ReuseCode => "Reuse the authorization code",
            Experiment::RedirectUriOneChar => "Change redirect_uri by one character",
            Experiment::DropCodeVerifier => "Drop code_verifier",
            Experiment::WrongCodeVerifier => "Wrong code_verifier",
            Experiment::PkcePlain => "Switch PKCE from S256 to plain",
            Experiment::WrongClientSecret => "Wrong client_secret",
            Experiment::CredentialsTwice => "Client credentials in both header and body",
            Experiment::TamperedState => "Tampered state on the callback",
            Experiment::MissingState => "Missing state on the callback",
            Experiment::BearerInQuery => "Bearer token in the query string",
            Experiment::GarbageToken => "Garbage access token on F",
            Experiment::RefreshTwice => "Use a refresh token twice",
        }
    }

    /// What the RFCs expect, in words, with the section.
    pub fn expectation(self) -> &'static str {
        match self {
            Experiment::ReuseCode => {
                "invalid_grant: a code is single-use, and tokens issued from it should be revoked (RFC 6749 §4.1.2, §10.5)"
            }
            Experiment::RedirectUriOneChar => {
                "invalid_grant: redirect_uri must be identical to the one in the authorization request (RFC 6749 §4.1.3)"
            }
            Experiment::DropCodeVerifier => {
                "invalid_grant: a code issued with a code_challenge needs the verifier (RFC 7636 §4.6, RFC 9700 §2.1.1)"
            }
            Experiment::WrongCodeVerifier => {
                "invalid_grant: the verifier must hash to the challenge (RFC 7636 §4.6)"
            }
            Experiment::PkcePlain => {
                "a refusal: clients must use S256, and a provider that supports it should not accept a downgrade (RFC 9700 §2.1.1)"
            }
            Experiment::WrongClientSecret => "invalid_client, HTTP 401 (RFC 6749 §5.2)",
            Experiment::CredentialsTwice => {
                "invalid_request: a client must not use more than one authentication method per request (RFC 6749 §2.3)"
            }
            Experiment::TamperedState => {
                "the client's state check fails and the flow stops before D (RFC 6749 §10.12)"
            }
            Experiment::MissingState => {
                "the client's state check fails and the flow stops before D (RFC 6749 §10.12)"
            }
            Experiment::BearerInQuery => {
                "a refusal: tokens in URLs leak through logs and Referer; RFC 9700 §2.4 says not to send them so and RFC 6750 §2.3 discourages it"
            }
            Experiment::GarbageToken => {
                "HTTP 401 with WWW-Authenticate: Bearer error=\"invalid_token\" (RFC 6750 §3.1)"
            }
            Experiment::RefreshTwice => {
                "invalid_grant for the second use when refresh tokens rotate (RFC 9700 §4.14.2; required for public clients, optional for confidential ones)"
            }
        }
    }

    fn expect(self) -> Expect {
        match self {
            Experiment::ReuseCode
            | Experiment::RedirectUriOneChar
            | Experiment::DropCodeVerifier
            | Experiment::WrongCodeVerifier
            | Experiment::RefreshTwice => Expect::Error(ErrorCode::InvalidGrant),
            Experiment::WrongClientSecret => Expect::Error(ErrorCode::InvalidClient),
            Experiment::CredentialsTwice => Expect::Error(ErrorCode::InvalidRequest),
            Experiment::TamperedState | Experiment::MissingState => Expect::ClientCheck,
            Experiment::PkcePlain | Experiment::BearerInQuery => Expect::Refusal,
            Experiment::GarbageToken => Expect::Error(ErrorCode::InvalidToken),
        }
    }

    /// The step whose latest attempt shows the provider's answer.
    pub fn judged_step(self) -> StepId {
        match self {
            Experiment::ReuseCode
            | Experiment::RedirectUriOneChar
            | Experiment::DropCodeVerifier
            | Experiment::WrongCodeVerifier
            | Experiment::WrongClientSecret
            | Experiment::CredentialsTwice => StepId::E,
            Experiment::PkcePlain | Experiment::TamperedState | Experiment::MissingState => {
                StepId::C
            }
            Experiment::BearerInQuery | Experiment::GarbageToken => StepId::G,
            Experiment::RefreshTwice => StepId::Refresh,
        }
    }

    /// The engine commands that carry the experiment out on `run`, after its first flow.
    /// Experiments on D need an unused code, so they first get a new one (A again, to C).
    // Long on purpose: one arm per experiment, so the plans read side by side.
    pub fn plan(
        self,
        run: RunId,
        provider: &ProviderConfig,
        trace: &Trace,
    ) -> Result<Vec<Command>, String> {
        let replay = |step, request, edits: Vec<Edit>| Command::Replay {
            run,
            step,
            request,
            edits,
            continue_flow: false,
        };
        let token_sent = trace
            .step(StepId::D)
            .latest()
            .and_then(|a| a.request.as_ref());
        // Each experiment sets up its own starting point, so earlier experiments (which may
        // have revoked the run's tokens or left a code unused) cannot colour its result.
        let fresh_code = replay(StepId::A, ReplayRequest::Default, Vec::new());
        let fresh_tokens = Command::Replay {
            run,
            step: StepId::A,
            request: ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: true,
        };
        let needs = |what: &str| Err(format!("'{}' needs {what}", self.title()));
        Ok(match self {
            Experiment::ReuseCode => vec![
                fresh_tokens,
                replay(StepId::D, ReplayRequest::Latest, Vec::new()),
            ],
            Experiment::RedirectUriOneChar => {
                let sent = token_sent
                    .and_then(|r| r.form())
                    .and_then(|f| f.get("redirect_uri").map(str::to_owned))
                    .ok_or("this run has no token request with a redirect_uri to change")?;
                vec![
                    fresh_code,
                    replay(
                        StepId::D,
                        ReplayRequest::Default,
                        vec![Edit::SetParam("redirect_uri".into(), one_char_off(&sent))],
                    ),
                ]
            }
            Experiment::DropCodeVerifier | Experiment::WrongCodeVerifier => {
                if provider.pkce == PkceMethod::Off {
                    return needs("PKCE to be on for this provider");
                }
                let edit = if self == Experiment::DropCodeVerifier {
                    Edit::RemoveParam("code_verifier".into())
                } else {
                    Edit::SetParam("code_verifier".into(), random::token(32))
                };
                vec![
                    fresh_code,
                    replay(StepId::D, ReplayRequest::Default, vec![edit]),
                ]
            }
            Experiment::PkcePlain => {
                if provider.pkce == PkceMethod::Off {
                    return needs("PKCE to be on for this provider");
                }
                // The verifier stays the run's own; with `plain` the challenge is the verifier
                // itself, so the code would still redeem if the provider allowed the downgrade.
                vec![Command::Replay {
                    run,
                    step: StepId::A,
                    request: ReplayRequest::Default,
                    edits: vec![Edit::SetParam(
                        "code_challenge_method".into(),
                        "plain".into(),
                    )],
                    continue_flow: false,
                }]
            }
            Experiment::WrongClientSecret | Experiment::CredentialsTwice => {
                let edits = self.client_auth_edits(provider)?;
                vec![fresh_code, replay(StepId::D, ReplayRequest::Default, edits)]
            }
            Experiment::TamperedState | Experiment::MissingState => {
                if trace
                    .step(StepId::C)
                    .latest()
                    .and_then(|a| a.request.as_ref())
                    .is_none()
                {
                    return needs("a callback (C) that was received");
                }
                let edit = if self == Experiment::TamperedState {
                    Edit::SetParam("state".into(), random::state())
                } else {
                    Edit::RemoveParam("state".into())
                };
                // From a callback just received for a fresh request: the latest one may be
                // an earlier experiment's (a refused downgrade, an already tampered state).
                vec![
                    fresh_code,
                    replay(StepId::C, ReplayRequest::Latest, vec![edit]),
                ]
            }
            Experiment::BearerInQuery | Experiment::GarbageToken => {
                if trace
                    .step(StepId::F)
                    .latest()
                    .and_then(|a| a.request.as_ref())
                    .is_none()
                {
                    return needs("a resource request (F) in this run");
                }
                let edit = if self == Experiment::GarbageToken {
                    Edit::SetHeader(
                        "Authorization".into(),
                        format!("Bearer {}", random::token(24)),
                    )
                } else {
                    Edit::BearerToQuery
                };
                // Fresh tokens and F as the client builds it: an earlier experiment may have
                // revoked the tokens (a reused code does) or left F edited.
                vec![
                    fresh_tokens,
                    replay(StepId::F, ReplayRequest::Default, vec![edit]),
                ]
            }
            Experiment::RefreshTwice => {
                if !trace.issued_refresh_token() {
                    return needs(
                        "a provider that issues refresh tokens in this run (ask for offline_access)",
                    );
                }
                vec![
                    fresh_tokens,
                    replay(StepId::Refresh, ReplayRequest::Default, Vec::new()),
                    replay(StepId::Refresh, ReplayRequest::Latest, Vec::new()),
                ]
            }
        })
    }

    /// The edits of D that authenticate the client wrongly (a wrong secret in the client's own
    /// method) or twice (header and body).
    fn client_auth_edits(self, provider: &ProviderConfig) -> Result<Vec<Edit>, String> {
        Ok(match (self, provider.client_auth) {
            (_, ClientAuth::None) => {
                return Err(format!(
                    "'{}' needs a confidential client (client_secret_basic or client_secret_post)",
                    self.title()
                ));
            }
            (Experiment::WrongClientSecret, ClientAuth::Basic) => vec![Edit::SetHeader(
                "Authorization".into(),
                basic_authorization(&provider.client_id, "wrong-secret"),
            )],
            (Experiment::WrongClientSecret, _) => vec![Edit::SetParam(
                "client_secret".into(),
                "wrong-secret".into(),
            )],
            (_, _) => {
                let secret = provider
                    .client_secret
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .unwrap_or_default();
                vec![
                    Edit::SetHeader(
                        "Authorization".into(),
                        basic_authorization(&provider.client_id, &secret),
                    ),
                    Edit::SetParam("client_id".into(), provider.client_id.clone()),
                    Edit::SetParam("client_secret".into(), secret),
                ]
            }
        })
    }

    /// Compares what the provider did (the judged step's latest attempt) with the expectation.
    pub fn judge(self, provider: &ProviderConfig, trace: &Trace) -> Finding {
        let step = self.judged_step();
        let Some(attempt) = trace.step(step).latest() else {
            return Finding::skipped(&format!(
                "step {} never ran, so there is no answer to judge",
                step.letter()
            ));
        };
        let answered = answer(step, attempt);
        let refused = !attempt.outcome.is_ok();
        let expected = self.expectation();
        match (self.expect(), &answered) {
            (Expect::ClientCheck, _) => {
                let caught = attempt
                    .checks
                    .iter()
                    .any(|c| c.id == CheckId::State && c.verdict == Verdict::Fail);
                finding(
                    caught,
                    Verdict::Fail,
                    format!(
                        "oauthviz's state check stopped the flow: {}",
                        attempt.outcome.reason().unwrap_or_default()
                    ),
                    "the state check did not stop the flow".into(),
                )
            }
            (Expect::Error(code), Answer::Error(got)) if got == &code => finding(
                true,
                Verdict::Fail,
                format!("as expected: the provider answered {got} — {expected}"),
                String::new(),
            ),
            (Expect::Error(code), Answer::Error(got)) => Finding {
                verdict: Verdict::Warn,
                summary: format!(
                    "the provider refused, but with {got} instead of {code} — expected {expected}"
                ),
            },
            (Expect::Refusal, Answer::Error(got)) => finding(
                true,
                Verdict::Fail,
                format!("as expected: the provider refused ({got}) — {expected}"),
                String::new(),
            ),
            (_, Answer::Status(status)) if refused => Finding {
                verdict: Verdict::Warn,
                summary: format!(
                    "the provider refused with HTTP {status} but no RFC 6749 error code — expected {expected}"
                ),
            },
            (_, Answer::Transport(e)) => Finding {
                verdict: Verdict::Warn,
                summary: format!("no answer to judge: {e}"),
            },
            _ if self == Experiment::RefreshTwice && provider.client_auth != ClientAuth::None => Finding {
                verdict: Verdict::Pass,
                summary: "the provider does not rotate refresh tokens for this confidential client: allowed, since the client authenticates each refresh (RFC 9700 §4.14.2 requires rotation or sender-constraining for public clients)".into(),
            },
            _ => {
                // The provider accepted what it should have refused.
                let severity = match self {
                    Experiment::PkcePlain | Experiment::BearerInQuery | Experiment::CredentialsTwice => Verdict::Warn,
                    _ => Verdict::Fail,
                };
                Finding {
                    verdict: severity,
                    summary: format!(
                        "the provider accepted it ({}) — expected {expected}",
                        attempt.summary
                    ),
                }
            }
        }
    }
}

enum Answer {
    Error(ErrorCode),
    Status(u16),
    Transport(String),
}

/// The provider's answer on an attempt: its error code (from a token-style body, a
/// WWW-Authenticate challenge or an error redirect), else the HTTP status.
fn answer(step: StepId, attempt: &crate::trace::Attempt) -> Answer {
    let error =
        crate::trace::oauth_error(step, attempt.request.as_ref(), attempt.response.as_ref());
    match (error, &attempt.response, &attempt.transport_error) {
        (Some(error), _, _) => Answer::Error(error.error),
        (None, Some(resp), _) => Answer::Status(resp.status),
        (None, None, Some(e)) => Answer::Transport(e.clone()),
        (None, None, None) => Answer::Status(0),
    }
}

fn finding(
    pass: bool,
    else_verdict: Verdict,
    pass_summary: String,
    fail_summary: String,
) -> Finding {
    if pass {
        Finding {
            verdict: Verdict::Pass,
            summary: pass_summary,
        }
    } else {
        Finding {
            verdict: else_verdict,
            summary: fail_summary,
        }
    }
}

/// The same URI with its last path character changed (or a character added to an empty path).
fn one_char_off(uri: &str) -> String {
    let mut chars: Vec<char> = uri.chars().collect();
    match chars.last_mut() {
        Some(c) if c.is_ascii_alphanumeric() => {
            *c = if *c == 'x' { 'y' } else { 'x' };
            chars.into_iter().collect()
        }
        _ => format!("{uri}x"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_ids_list_the_choices() {
        for e in Experiment::ALL {
            assert_eq!(Experiment::parse(e.id()).unwrap(), e);
        }
        assert!(
            Experiment::parse("nope")
                .unwrap_err()
                .contains("reuse-code")
        );
    }

    #[test]
    fn one_char_off_changes_exactly_one_character() {
        assert_eq!(
            one_char_off("http://127.0.0.1:5/callback"),
            "http://127.0.0.1:5/callbacx"
        );
        assert_eq!(
            one_char_off("http://127.0.0.1:5/cb/"),
            "http://127.0.0.1:5/cb/x"
        );
    }

    #[test]
    fn experiments_that_need_more_say_so() {
        let provider = ProviderConfig::default();
        let trace = Trace::new("x");
        let err = Experiment::TamperedState
            .plan(1, &provider, &trace)
            .unwrap_err();
        assert!(err.contains("needs"), "{err}");
    }
}
