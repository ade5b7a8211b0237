//! How each experiment is judged: from the provider's answers recorded since the experiment
//! began, against its rule. A verdict names what came back: the status, the error code (or that
//! there was no RFC 6749 error body), the header that was missing.

use url::Url;

use super::active::Experiment;
use super::mark::Mark;
use super::plan::{CLOCK_LEEWAY, CODE_LIFETIME_MAX, WIDENED_SCOPE, expires_in};
use super::rule::{Keyword, Rule};
use crate::config::ProviderConfig;
use crate::protocol::error::ErrorCode;
use crate::protocol::token::{ClientAuth, parse_token_response};
use crate::trace::{Attempt, CheckId, StepId, Trace, Verdict};

/// The verdict on what the provider did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub verdict: Verdict,
    pub summary: String,
}

impl Finding {
    /// The experiment did not run here; `why` says what it would need.
    pub fn skipped(why: &str) -> Finding {
        Finding::new(Verdict::Skip, format!("not run: {why}"))
    }

    pub fn new(verdict: Verdict, summary: impl Into<String>) -> Finding {
        Finding {
            verdict,
            summary: summary.into(),
        }
    }

    fn pass(summary: impl Into<String>) -> Finding {
        Finding::new(Verdict::Pass, summary)
    }
}

/// The rule broken: the verdict its keyword gives, with what happened and the rule.
fn breach(rule: &Rule, what: &str) -> Finding {
    breach_as(rule.keyword, rule, what)
}

fn breach_as(keyword: Keyword, rule: &Rule, what: &str) -> Finding {
    Finding::new(
        keyword.breach(),
        format!("{what} — {} {}: {}", rule.rfc, keyword.word(), rule.rule),
    )
}

/// What a provider answered on one back-channel attempt.
struct Answer {
    status: Option<u16>,
    error: Option<ErrorCode>,
    challenge: Option<String>,
    transport: Option<String>,
}

fn answer(step: StepId, request: Option<&Attempt>, response: &Attempt) -> Answer {
    let error = crate::trace::oauth_error(
        step,
        request.and_then(|a| a.request.as_ref()),
        response.response.as_ref(),
    );
    let resp = response.response.as_ref();
    Answer {
        status: resp.map(|r| r.status),
        error: error.map(|e| e.error),
        challenge: resp
            .and_then(|r| r.headers.get("www-authenticate"))
            .map(str::to_owned),
        transport: response.transport_error.clone(),
    }
}

impl Answer {
    fn refused(&self) -> bool {
        self.error.is_some() || self.status.is_some_and(|s| s >= 400)
    }

    /// "HTTP 400, error=invalid_grant" / "HTTP 401, no RFC 6749 error body".
    fn describe(&self) -> String {
        let status = self
            .status
            .map_or_else(|| "no answer".to_owned(), |s| format!("HTTP {s}"));
        match &self.error {
            Some(code) => format!("{status}, error={code}"),
            None if self.refused() => format!("{status}, no RFC 6749 error body"),
            None => status,
        }
    }
}

fn codes(expected: &[ErrorCode]) -> String {
    expected
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A refusal the token endpoint owes: the refusal itself is the rule; the code and the status
/// are judged on their own (RFC 6749 §5.2).
fn token_refusal(rule: &Rule, d: Option<&Attempt>, e: &Attempt, expected: &[ErrorCode]) -> Finding {
    let ans = answer(StepId::E, d, e);
    // Whether this request authenticated with the Authorization header (RFC 6749 §5.2's case).
    let basic = d
        .and_then(|a| a.request.as_ref())
        .and_then(|r| r.headers.get("authorization"))
        .is_some_and(|h| h.trim_start().to_ascii_lowercase().starts_with("basic "));
    if let Some(t) = &ans.transport {
        return Finding::skipped(&format!("no answer to judge: {t}"));
    }
    if !ans.refused() {
        return breach(
            rule,
            &format!("accepted: {} ({})", ans.describe(), e.summary),
        );
    }
    let status = ans.status.unwrap_or(0);
    let mut faults: Vec<(Verdict, String)> = Vec::new();
    match &ans.error {
        None => faults.push((
            Verdict::Warn,
            "no RFC 6749 error body (§5.2: a JSON object with error)".into(),
        )),
        Some(code) if !expected.contains(code) => faults.push((
            Verdict::Warn,
            format!(
                "error={code} where {} fits (RFC 6749 §5.2)",
                codes(expected)
            ),
        )),
        Some(_) => {}
    }
    let invalid_client = ans.error == Some(ErrorCode::InvalidClient);
    if invalid_client && basic && status != 401 {
        faults.push((
            Verdict::Fail,
            format!("HTTP {status}: a client that authenticated with the Authorization header MUST get 401 (RFC 6749 §5.2)"),
        ));
    } else if status == 401 && ans.challenge.is_none() {
        // RFC 6749 §5.2 asks for the challenge only when the client used the Authorization
        // header; HTTP asks for one on every 401.
        let (verdict, rule) = if basic {
            (
                Verdict::Fail,
                "RFC 6749 §5.2 MUST, for a client that used the Authorization header",
            )
        } else {
            (
                Verdict::Warn,
                "RFC 9110 §15.5.2 MUST on any 401; RFC 6749 §5.2 itself requires it only after Basic authentication",
            )
        };
        faults.push((
            verdict,
            format!("HTTP 401 without WWW-Authenticate ({rule})"),
        ));
    } else if !(status == 400 || (invalid_client && status == 401)) {
        faults.push((
            Verdict::Warn,
            format!(
                "HTTP {status} where RFC 6749 §5.2 answers 400{}",
                if invalid_client { " or 401" } else { "" }
            ),
        ));
    }
    refusal_with(rule, &ans.describe(), faults)
}

/// A refusal, clean or with the faults found in how it was made.
fn refusal_with(rule: &Rule, what: &str, faults: Vec<(Verdict, String)>) -> Finding {
    match faults.iter().map(|(v, _)| *v).max() {
        None => Finding::pass(format!("refused ({what}), as {} says", rule.rfc)),
        Some(worst) => {
            let why: Vec<&str> = faults.iter().map(|(_, w)| w.as_str()).collect();
            Finding::new(worst, format!("refused ({what}), but: {}", why.join("; ")))
        }
    }
}

/// A refusal the resource server owes (RFC 6750 §3).
fn resource_refusal(rule: &Rule, g: &Attempt, token_sent: bool) -> Finding {
    let ans = answer(StepId::G, None, g);
    if let Some(t) = &ans.transport {
        return Finding::skipped(&format!("no answer to judge: {t}"));
    }
    if !ans.refused() {
        return breach(
            rule,
            &format!("accepted: {} ({})", ans.describe(), g.summary),
        );
    }
    let status = ans.status.unwrap_or(0);
    let mut faults = Vec::new();
    if ans.challenge.is_none() {
        faults.push((
            Verdict::Fail,
            format!("HTTP {status} without WWW-Authenticate (RFC 6750 §3: MUST)"),
        ));
    }
    if status != 401 {
        faults.push((
            Verdict::Warn,
            format!("HTTP {status} where RFC 6750 §3.1 answers 401"),
        ));
    }
    match (&ans.error, token_sent) {
        (Some(ErrorCode::InvalidToken), true) | (None, false) => {}
        (Some(code), true) => faults.push((
            Verdict::Warn,
            format!("error={code} where invalid_token fits (RFC 6750 §3.1)"),
        )),
        (None, true) => faults.push((
            Verdict::Warn,
            "no error=\"invalid_token\" in the challenge (RFC 6750 §3: SHOULD)".into(),
        )),
        (Some(code), false) => faults.push((
            Verdict::Warn,
            format!("error={code} although no token was sent (RFC 6750 §3.1: SHOULD NOT)"),
        )),
    }
    let what = match &ans.challenge {
        Some(c) => format!("HTTP {status}, WWW-Authenticate: {c}"),
        None => format!("HTTP {status}"),
    };
    refusal_with(rule, &what, faults)
}

/// Where an authorization request since the mark ended.
enum AuthEnd {
    /// Refused at the authorization endpoint: an error redirect or an error page.
    Refused(String),
    /// A code came back.
    Code,
    /// Nothing to judge.
    Unknown(String),
}

fn authorization_end(trace: &Trace, since: &Mark) -> AuthEnd {
    if let Some(c) = since.latest(trace, StepId::C) {
        if let Some(e) = crate::trace::oauth_error(StepId::C, c.request.as_ref(), None) {
            return AuthEnd::Refused(format!("the redirect says error={}", e.error));
        }
        if c.request
            .as_ref()
            .is_some_and(|r| r.query().get("code").is_some())
        {
            return AuthEnd::Code;
        }
    }
    if let Some(b) = since.latest(trace, StepId::B)
        && let Some(why) = b.outcome.reason().filter(|_| !b.outcome.is_ok())
    {
        return AuthEnd::Refused(format!("the login did not reach the client: {why}"));
    }
    match since
        .latest(trace, StepId::A)
        .and_then(|a| a.outcome.reason())
    {
        Some(why) => AuthEnd::Unknown(why.to_owned()),
        None => AuthEnd::Unknown("the authorization request did not finish".into()),
    }
}

/// Where the provider sent the browser for an edited redirect_uri, if it did: a hop's
/// Location pointing there, or the scripted agent arriving there.
fn redirected_to(trace: &Trace, since: &Mark, target: &Url) -> Option<String> {
    let same = |u: &Url| {
        u.scheme() == target.scheme()
            && u.host_str() == target.host_str()
            && u.port_or_known_default() == target.port_or_known_default()
            && u.path() == target.path()
    };
    for b in since.new_attempts(trace, StepId::B) {
        for x in &b.exchanges {
            let here = Url::parse(&x.request.url).ok();
            if here.as_ref().is_some_and(same) && x.request.url.contains('?') {
                return Some(x.request.url.clone());
            }
            let location = x
                .response
                .as_ref()
                .filter(|r| (300..400).contains(&r.status))
                .and_then(|r| r.headers.get("location"));
            if let (Some(here), Some(location)) = (&here, location)
                && let Ok(to) = here.join(location)
                && same(&to)
            {
                return Some(to.to_string());
            }
        }
    }
    None
}

/// Where the browser stayed instead: the last page's status and address (without its query).
fn kept(b: &Attempt) -> String {
    match b.exchanges.last() {
        Some(x) => {
            let url = x.request.url.split(['?', '#']).next().unwrap_or_default();
            match (&x.response, &x.error) {
                (Some(r), _) => format!("the provider answered {} at {url}", r.status_line()),
                (None, Some(e)) => format!("the browser stopped at {url}: {e}"),
                (None, None) => format!("the browser stopped at {url}"),
            }
        }
        None => "the provider kept the browser".into(),
    }
}

/// What was carried in a redirect: `code`, or `error=…`.
fn carried(url: &str) -> String {
    let q = Url::parse(url).ok();
    let get = |name: &str| {
        q.as_ref().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        })
    };
    match (get("code"), get("error")) {
        (Some(_), _) => "with a code".into(),
        (None, Some(e)) => format!("with error={e}"),
        _ => "".into(),
    }
}

/// A loopback redirect URI, where RFC 8252 §7.3 and RFC 9700 §2.1 let the port vary.
fn is_loopback(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Experiment {
    /// Compares what the provider did since `since` with the rule.
    // Long on purpose: one arm per kind of answer, so the judgements read side by side.
    pub fn judge(self, provider: &ProviderConfig, trace: &Trace, since: &Mark) -> Finding {
        let rule = self.rule();
        let step = self.judged_step();
        let latest = |s| since.latest(trace, s);
        let never = |s: StepId| {
            Finding::skipped(&format!(
                "step {} never ran in this experiment, so there is no answer to judge",
                s.letter()
            ))
        };
        let token = |expected: &[ErrorCode]| match latest(StepId::E) {
            Some(e) => token_refusal(&rule, latest(StepId::D), e, expected),
            None => match authorization_end(trace, since) {
                AuthEnd::Refused(why) | AuthEnd::Unknown(why) => {
                    Finding::skipped(&format!("no code to send to the token endpoint: {why}"))
                }
                AuthEnd::Code => never(StepId::E),
            },
        };
        // Any refusal keeps the rule (the status and code are not the point here).
        let refusal_only = |step: StepId, note: &str| {
            let request = if step == StepId::E {
                latest(StepId::D)
            } else {
                None
            };
            match latest(step) {
                None => never(step),
                Some(a) => {
                    let ans = answer(step, request, a);
                    if ans.transport.is_some() {
                        Finding::skipped("no answer to judge")
                    } else if ans.refused() {
                        Finding::pass(format!("refused ({}){note}", ans.describe()))
                    } else {
                        breach(&rule, &format!("accepted: {}", ans.describe()))
                    }
                }
            }
        };
        use ErrorCode::{InvalidClient, InvalidGrant, InvalidRequest};
        match self {
            Experiment::RedirectUriUnregistered
            | Experiment::RedirectUriOtherPath
            | Experiment::RedirectUriOneCharAtA
            | Experiment::RedirectUriOtherHost
            | Experiment::RedirectUriOtherScheme
            | Experiment::RedirectUriOtherPort
            | Experiment::OpenRedirectOnError => {
                let Some(target) = latest(StepId::A)
                    .and_then(|a| a.request.as_ref())
                    .and_then(|r| r.query().get("redirect_uri").map(str::to_owned))
                    .and_then(|u| Url::parse(&u).ok())
                else {
                    return never(StepId::A);
                };
                let Some(b) = latest(StepId::B).filter(|b| !b.exchanges.is_empty()) else {
                    return Finding::skipped(
                        "the browser's pages were not seen (the scripted user agent records them)",
                    );
                };
                let loopback_port =
                    self == Experiment::RedirectUriOtherPort && is_loopback(&target);
                match redirected_to(trace, since, &target) {
                    Some(_) if loopback_port => Finding::pass(format!(
                        "redirected to {target}: a loopback redirect URI may use any port (RFC 8252 §7.3, RFC 9700 §2.1)"
                    )),
                    Some(url) => breach(
                        &rule,
                        format!(
                            "the provider redirected the browser to {target} {}",
                            carried(&url)
                        )
                        .trim_end(),
                    ),
                    None if loopback_port => Finding::new(
                        Verdict::Warn,
                        format!(
                            "refused a loopback redirect URI on another port ({}) — RFC 8252 §7.3: the provider MUST allow any port for loopback IP redirect URIs of native apps",
                            kept(b)
                        ),
                    ),
                    None => Finding::pass(format!("not redirected to {target}: {}", kept(b))),
                }
            }
            Experiment::RedirectUriOneChar
            | Experiment::ReuseCode
            | Experiment::MadeUpCode
            | Experiment::CodeBoundToClient => token(&[InvalidGrant]),
            Experiment::RedirectUriOmittedAtD | Experiment::DropCodeVerifier => {
                token(&[InvalidGrant, InvalidRequest])
            }
            Experiment::WrongCodeVerifier => token(&[InvalidGrant]),
            Experiment::WrongClientSecret | Experiment::NoClientAuthentication => {
                token(&[InvalidClient])
            }
            Experiment::CredentialsTwice => token(&[InvalidRequest, InvalidClient]),
            Experiment::OtherAuthMethod => {
                refusal_only(StepId::E, ": only the registered method is accepted")
            }
            // A GET is refused by HTTP routing as often as by OAuth: any refusal will do.
            Experiment::TokenGet => refusal_only(StepId::E, ": the token endpoint takes POST only"),
            Experiment::TokenParamsTwice | Experiment::CredentialsInQuery => {
                token(&[InvalidRequest, InvalidClient])
            }
            Experiment::ReuseCodeRevokesTokens => {
                let Some(e) = latest(StepId::E) else {
                    return never(StepId::E);
                };
                let reuse = answer(StepId::E, None, e);
                if !reuse.refused() {
                    return Finding::skipped(
                        "the reused code was accepted (see reuse-code), so there is no revocation to look for",
                    );
                }
                match latest(StepId::G) {
                    None => never(StepId::G),
                    Some(g) => {
                        let ans = answer(StepId::G, None, g);
                        if ans.refused() {
                            Finding::pass(format!(
                                "after the reuse, the first access token is refused ({})",
                                ans.describe()
                            ))
                        } else {
                            breach(
                                &rule,
                                &format!(
                                    "after the reuse, the first access token still works ({})",
                                    ans.describe()
                                ),
                            )
                        }
                    }
                }
            }
            Experiment::PkceRequired | Experiment::ShortCodeVerifier => {
                match (latest(StepId::E), authorization_end(trace, since)) {
                    (_, AuthEnd::Refused(why)) => {
                        Finding::pass(format!("refused at the authorization endpoint: {why}"))
                    }
                    (Some(e), _) => {
                        let ans = answer(StepId::E, latest(StepId::D), e);
                        if ans.refused() {
                            Finding::pass(format!(
                                "refused at the token endpoint ({})",
                                ans.describe()
                            ))
                        } else if self == Experiment::PkceRequired
                            && provider.client_auth != ClientAuth::None
                        {
                            Finding::pass(format!(
                                "a confidential client got tokens without PKCE ({}): allowed, its secret binds the code to it (RFC 9700 §2.1.1: it SHOULD still use PKCE)",
                                ans.describe()
                            ))
                        } else {
                            breach(&rule, &format!("accepted: {}", ans.describe()))
                        }
                    }
                    (None, AuthEnd::Unknown(why)) => Finding::skipped(&why),
                    (None, AuthEnd::Code) => never(StepId::E),
                }
            }
            Experiment::PkceDowngrade => match authorization_end(trace, since) {
                AuthEnd::Refused(why) => Finding::pass(format!(
                    "no code without a code_challenge, so there is nothing to downgrade: {why}"
                )),
                AuthEnd::Unknown(why) => Finding::skipped(&why),
                AuthEnd::Code => token(&[InvalidGrant, InvalidRequest]),
            },
            Experiment::PkcePlain => match authorization_end(trace, since) {
                AuthEnd::Refused(why) => {
                    Finding::pass(format!("code_challenge_method=plain refused: {why}"))
                }
                AuthEnd::Code => breach(
                    &rule,
                    "accepted code_challenge_method=plain (a code came back)",
                ),
                AuthEnd::Unknown(why) => Finding::skipped(&why),
            },
            Experiment::RefreshTwice
            | Experiment::RefreshReuseRevokesFamily
            | Experiment::RefreshScopeWidened => {
                let refreshes = since.new_attempts(trace, StepId::Refresh);
                let answers: Vec<Answer> = refreshes
                    .iter()
                    .map(|a| answer(StepId::Refresh, None, a))
                    .collect();
                let Some(first) = answers.first() else {
                    return never(StepId::Refresh);
                };
                if first.refused() && self != Experiment::RefreshScopeWidened {
                    return Finding::skipped(&format!(
                        "the first refresh was refused ({})",
                        first.describe()
                    ));
                }
                match self {
                    Experiment::RefreshTwice => match answers.get(1) {
                        None => never(StepId::Refresh),
                        Some(again) if again.refused() => Finding::pass(format!(
                            "the used refresh token is refused ({}): refresh tokens rotate",
                            again.describe()
                        )),
                        Some(again) if provider.client_auth != ClientAuth::None => breach_as(
                            Keyword::May,
                            &rule,
                            &format!(
                                "the refresh token works twice ({}): not rotated, which a confidential client's provider may do",
                                again.describe()
                            ),
                        ),
                        Some(again) => breach(
                            &rule,
                            &format!(
                                "a public client's refresh token works twice ({}): neither rotated nor, as far as can be seen, sender-constrained",
                                again.describe()
                            ),
                        ),
                    },
                    Experiment::RefreshReuseRevokesFamily => match (answers.get(1), answers.get(2))
                    {
                        (Some(again), _) if !again.refused() => Finding::skipped(
                            "refresh tokens are not rotated here (see refresh-twice), so there is no reuse to detect",
                        ),
                        (Some(_), Some(newest)) if newest.refused() => Finding::pass(format!(
                            "after the old refresh token came back, the new one is refused too ({})",
                            newest.describe()
                        )),
                        (Some(_), Some(newest)) => breach(
                            &rule,
                            &format!(
                                "after the old refresh token came back, the new one still works ({})",
                                newest.describe()
                            ),
                        ),
                        _ => never(StepId::Refresh),
                    },
                    _ => {
                        let widened = refreshes.first().zip(answers.first());
                        let Some((attempt, ans)) = widened else {
                            return never(StepId::Refresh);
                        };
                        if ans.refused() {
                            return Finding::pass(format!("refused ({})", ans.describe()));
                        }
                        let granted = attempt
                            .response
                            .as_ref()
                            .and_then(|r| parse_token_response(r).ok())
                            .and_then(|t| t.scope);
                        match granted {
                            Some(s) if s.split_whitespace().any(|x| x == WIDENED_SCOPE) => breach(
                                &rule,
                                &format!(
                                    "granted scope '{s}', with {WIDENED_SCOPE} that was never granted"
                                ),
                            ),
                            Some(s) => Finding::pass(format!(
                                "the extra scope was left out: the token has '{s}'"
                            )),
                            None => Finding::new(
                                Verdict::Warn,
                                format!(
                                    "accepted, with no scope in the answer — RFC 6749 §5.1 reads that as the scope asked for, {WIDENED_SCOPE} included; say which scope was granted, or refuse with invalid_scope ({})",
                                    rule.rfc
                                ),
                            ),
                        }
                    }
                }
            }
            Experiment::CodeLifetime => {
                let (Some(c), Some(e)) = (latest(StepId::C), latest(StepId::E)) else {
                    return token(&[InvalidGrant]);
                };
                let age = seconds_between(c, latest(StepId::D).unwrap_or(e));
                let ans = answer(StepId::E, latest(StepId::D), e);
                if ans.transport.is_none() && !ans.refused() {
                    let max = CODE_LIFETIME_MAX.as_secs();
                    return if age >= max {
                        breach(
                            &rule,
                            &format!("a code {age} s old was accepted ({})", ans.describe()),
                        )
                    } else {
                        Finding::new(
                            Verdict::Info,
                            format!(
                                "a code {age} s old was still accepted ({}): within the 10 minutes RFC 6749 §4.1.2 recommends at most; a wait of {max} s or more judges the limit",
                                ans.describe()
                            ),
                        )
                    };
                }
                after(
                    &format!("a code {age} s old"),
                    token_refusal(&rule, latest(StepId::D), e, &[InvalidGrant]),
                )
            }
            Experiment::ExpiredAccessToken => {
                let (Some(e), Some(g)) = (latest(StepId::E), latest(StepId::G)) else {
                    return never(StepId::G);
                };
                let Some(lifetime) = expires_in(trace, since) else {
                    return Finding::skipped("the token response has no expires_in");
                };
                let f = latest(StepId::F).unwrap_or(g);
                let past = seconds_between(e, f).saturating_sub(lifetime);
                let ans = answer(StepId::G, None, g);
                if ans.transport.is_none() && !ans.refused() {
                    let leeway = CLOCK_LEEWAY.as_secs();
                    return if past > leeway {
                        breach(
                            &rule,
                            &format!(
                                "accepted {past} s after the token expired (expires_in {lifetime}): {}",
                                ans.describe()
                            ),
                        )
                    } else {
                        Finding::new(
                            Verdict::Info,
                            format!(
                                "accepted {past} s after expires_in ({lifetime} s) ran out: within the few minutes of clock leeway a resource server may allow (RFC 7519 §4.1.4); a wait of {} s judges it",
                                lifetime + leeway + 1
                            ),
                        )
                    };
                }
                after(
                    &format!("{past} s after expires_in ({lifetime} s) ran out"),
                    resource_refusal(&rule, g, true),
                )
            }
            Experiment::ResourceNoToken | Experiment::GarbageToken => match latest(StepId::G) {
                Some(g) => resource_refusal(&rule, g, self == Experiment::GarbageToken),
                None => never(StepId::G),
            },
            Experiment::BearerInQuery | Experiment::RevokedAccessTokenAtResource => {
                if self == Experiment::RevokedAccessTokenAtResource
                    && let Some(why) = revocation_refused(trace, since)
                {
                    return why;
                }
                refusal_only(StepId::G, "")
            }
            Experiment::RevokedTokenIntrospection => {
                if let Some(why) = revocation_refused(trace, since) {
                    return why;
                }
                let Some(i) = latest(StepId::Introspect) else {
                    return never(StepId::Introspect);
                };
                let ans = answer(StepId::Introspect, None, i);
                let active = i
                    .response
                    .as_ref()
                    .and_then(|r| {
                        serde_json::from_slice::<serde_json::Value>(r.body.as_bytes()).ok()
                    })
                    .and_then(|v| v.get("active").and_then(serde_json::Value::as_bool));
                match active {
                    Some(false) => Finding::pass("introspection answers active: false"),
                    Some(true) => breach(&rule, "introspection still answers active: true"),
                    None => Finding::skipped(&format!(
                        "the introspection answer has no active field ({})",
                        ans.describe()
                    )),
                }
            }
            Experiment::RevokedRefreshToken => {
                if let Some(why) = revocation_refused(trace, since) {
                    return why;
                }
                refusal_only(
                    StepId::Refresh,
                    ": the revoked refresh token gets no new tokens",
                )
            }
            Experiment::NonceNotRequired => match authorization_end(trace, since) {
                AuthEnd::Code => {
                    Finding::pass("a code came back for an openid request without nonce")
                }
                AuthEnd::Refused(why) => breach(
                    &rule,
                    &format!("an openid request without nonce was refused: {why}"),
                ),
                AuthEnd::Unknown(why) => Finding::skipped(&why),
            },
            Experiment::TamperedState | Experiment::MissingState => {
                let Some(c) = latest(step) else {
                    return never(step);
                };
                let caught = c
                    .checks
                    .iter()
                    .any(|c| c.id == CheckId::State && c.verdict == Verdict::Fail);
                if caught {
                    Finding::pass(format!(
                        "oauthviz's state check stopped the flow: {}",
                        c.outcome.reason().unwrap_or_default()
                    ))
                } else {
                    Finding::new(Verdict::Fail, "the state check did not stop the flow")
                }
            }
        }
    }
}

/// Whole seconds from the end of `earlier` to the start of `later`, by the recorded clocks.
fn seconds_between(earlier: &Attempt, later: &Attempt) -> u64 {
    // The duration is below a day; the float-to-integer cast saturates anyway.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let took = earlier.duration_ms.unwrap_or(0.0).max(0.0) as u64;
    later
        .started_at_ms
        .saturating_sub(earlier.started_at_ms.saturating_add(took))
        / 1000
}

/// A finding with when it happened in front: "35 s after …: refused (…)".
fn after(prefix: &str, f: Finding) -> Finding {
    Finding::new(f.verdict, format!("{prefix}: {}", f.summary))
}

/// A skip when the revocation itself was refused (nothing was revoked to look at).
fn revocation_refused(trace: &Trace, since: &Mark) -> Option<Finding> {
    let r = since.latest(trace, StepId::Revoke)?;
    let ans = answer(StepId::Revoke, None, r);
    (ans.refused() || ans.transport.is_some()).then(|| {
        Finding::skipped(&format!(
            "the revocation request was refused ({})",
            ans.describe()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::http::{Headers, HttpResponse};
    use crate::trace::{Outcome, Update};

    fn response(status: u16, body: &str) -> HttpResponse {
        let mut headers = Headers::default();
        headers.set("content-type", "application/json");
        if status == 401 {
            headers.set("www-authenticate", "Bearer error=\"invalid_token\"");
        }
        HttpResponse {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    /// A trace with one attempt per (step, started at ms, response).
    fn trace(attempts: &[(StepId, u64, Option<HttpResponse>)]) -> Trace {
        let mut t = Trace::new("test");
        for (step, at, resp) in attempts {
            let index = t.step(*step).attempts.len();
            t.apply(&Update::Attempt {
                step: *step,
                index,
                attempt: Attempt {
                    response: resp.clone(),
                    started_at_ms: *at,
                    duration_ms: Some(10.0),
                    outcome: Outcome::Ok,
                    ..Default::default()
                },
            });
        }
        t
    }

    const TOKENS: &str = r#"{"access_token":"a","token_type":"Bearer","expires_in":60}"#;
    const INVALID_GRANT: &str = r#"{"error":"invalid_grant"}"#;

    fn code_verdict(age_ms: u64, e: HttpResponse) -> Finding {
        let t = trace(&[
            (StepId::C, 1_000, None),
            (StepId::D, 1_000 + age_ms, None),
            (StepId::E, 1_000 + age_ms, Some(e)),
        ]);
        let since = Mark::of(&Trace::new("test"));
        Experiment::CodeLifetime.judge(&ProviderConfig::default(), &t, &since)
    }

    #[test]
    fn a_code_is_judged_against_ten_minutes_only_after_a_wait_that_long() {
        let old = code_verdict(601_500, response(200, TOKENS));
        assert_eq!(old.verdict, Verdict::Warn, "{old:?}");
        assert!(
            old.summary.contains("a code 601 s old was accepted"),
            "{old:?}"
        );
        let young = code_verdict(5_000, response(200, TOKENS));
        assert_eq!(young.verdict, Verdict::Info, "{young:?}");
        let refused = code_verdict(5_500, response(400, INVALID_GRANT));
        assert_eq!(refused.verdict, Verdict::Pass, "{refused:?}");
        assert!(
            refused.summary.starts_with("a code 5 s old: refused"),
            "{refused:?}"
        );
    }

    fn token_verdict(after_expiry_s: u64, g: HttpResponse) -> Finding {
        let f_at = 1_010 + (60 + after_expiry_s) * 1000;
        let t = trace(&[
            (StepId::E, 1_000, Some(response(200, TOKENS))),
            (StepId::F, f_at, None),
            (StepId::G, f_at, Some(g)),
        ]);
        let since = Mark::of(&Trace::new("test"));
        Experiment::ExpiredAccessToken.judge(&ProviderConfig::default(), &t, &since)
    }

    #[test]
    fn an_expired_token_fails_only_when_taken_past_the_clock_leeway() {
        let late = token_verdict(301, response(200, "{}"));
        assert_eq!(late.verdict, Verdict::Fail, "{late:?}");
        assert!(
            late.summary
                .contains("accepted 301 s after the token expired"),
            "{late:?}"
        );
        let within = token_verdict(30, response(200, "{}"));
        assert_eq!(within.verdict, Verdict::Info, "{within:?}");
        let refused = token_verdict(2, response(401, r#"{"error":"invalid_token"}"#));
        assert_eq!(refused.verdict, Verdict::Pass, "{refused:?}");
    }
}
