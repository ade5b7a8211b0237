//! The passive checks: read from what the run recorded (the first flow, every experiment's
//! requests, the discovery document), without sending anything of their own.

use serde_json::Value;
use url::Url;

use super::active::Experiment;
use super::judge::Finding;
use super::rule::{Rule, check_table};
use crate::config::ProviderConfig;
use crate::protocol::http::HttpResponse;
use crate::protocol::token::{TokenError, parse_token_response};
use crate::trace::{CheckId, Exchange, StepId, Trace, Verdict};

check_table! {
    pub enum Passive {
        DiscoveryIssuer = "discovery-issuer", Discovery, Must, "RFC 8414 §3.3, OpenID Connect Discovery §4.3",
            "Metadata issuer", "the metadata's issuer is exactly the issuer it was fetched for";
        DiscoveryFields = "discovery-required-fields", Discovery, Must, "RFC 8414 §2, OpenID Connect Discovery §3",
            "Required metadata", "the metadata has every REQUIRED member (issuer, authorization_endpoint, token_endpoint, response_types_supported; for OpenID Connect also jwks_uri, subject_types_supported, id_token_signing_alg_values_supported)";
        PkceAdvertised = "pkce-advertised", Discovery, Should, "RFC 9700 §2.1.1",
            "PKCE support advertised", "the metadata lists code_challenge_methods_supported (RECOMMENDED)";
        PkceMethodsMatch = "pkce-methods-match", Discovery, Should, "RFC 8414 §2",
            "Advertised PKCE methods match behaviour", "code_challenge_method=plain is accepted only if the metadata lists it";
        AuthPageFraming = "authorization-page-framing", AuthorizationPage, Should, "RFC 9700 §4.16",
            "Login pages cannot be framed", "the provider MUST prevent clickjacking and SHOULD use CSP frame-ancestors (X-Frame-Options for older browsers)";
        AuthPageReferrer = "authorization-page-referrer-policy", AuthorizationPage, May, "RFC 9700 §4.2.4",
            "Referrer-Policy on login pages", "a Referrer-Policy keeps the pages' URLs out of Referer headers";
        StateEchoed = "state-echoed", Callback, Must, "RFC 6749 §4.1.2",
            "state returned", "the redirect returns state exactly as the client sent it";
        IssOnCallback = "iss-on-callback", Callback, Must, "RFC 9207 §2, §3",
            "iss on the redirect", "a provider that advertises authorization_response_iss_parameter_supported sends iss, equal to its issuer (without that, iss is optional)";
        TokenJson = "token-json", TokenEndpoint, Must, "RFC 6749 §5.1",
            "Token responses are JSON", "a token response is application/json";
        TokenErrorBody = "token-error-body", TokenEndpoint, Must, "RFC 6749 §5.2",
            "Token errors are RFC 6749 JSON", "every refusal of the token endpoint is a JSON object with an error code";
        TokenErrorStatus = "token-error-status", TokenEndpoint, Should, "RFC 6749 §5.2",
            "Token errors use 400 (401)", "a refusal of the token endpoint is HTTP 400, or 401 for invalid_client";
        TokenNoStore = "token-no-store", Tokens, Must, "RFC 6749 §5.1",
            "Tokens are not cached", "every response with tokens has Cache-Control: no-store";
        ExpiresIn = "expires-in", Tokens, Should, "RFC 6749 §5.1",
            "expires_in given", "expires_in (RECOMMENDED) is a positive number of seconds";
        CodeEntropy = "code-entropy", Tokens, Must, "RFC 6749 §10.10",
            "Codes cannot be guessed", "the chance of guessing a code MUST be at most 2^-128 (SHOULD be 2^-160)";
        AccessTokenEntropy = "access-token-entropy", Tokens, Must, "RFC 6749 §10.10",
            "Access tokens cannot be guessed", "the chance of guessing an access token MUST be at most 2^-128 (SHOULD be 2^-160)";
        RefreshTokenEntropy = "refresh-token-entropy", Tokens, Must, "RFC 6749 §10.10",
            "Refresh tokens cannot be guessed", "the chance of guessing a refresh token MUST be at most 2^-128 (SHOULD be 2^-160)";
        NonceEchoed = "nonce-echoed", OpenId, Must, "OpenID Connect Core §2, §3.1.3.7",
            "nonce in the id_token", "an id_token carries the nonce of the authorization request";
        IdTokenSub = "id-token-sub", OpenId, Must, "OpenID Connect Core §2",
            "id_token sub", "sub is a non-empty identifier of the user";
        IdTokenAud = "id-token-aud", OpenId, Must, "OpenID Connect Core §2, §3.1.3.7",
            "id_token aud", "aud contains this client's client_id (and azp names it when there are several audiences)";
        IdTokenAuthTime = "id-token-auth-time", OpenId, Must, "OpenID Connect Core §2",
            "id_token auth_time", "auth_time, when given, is when the user authenticated: not after the token was issued";
    }
}

/// What the passive checks read.
pub struct Evidence<'a> {
    pub trace: &'a Trace,
    pub provider: &'a ProviderConfig,
    /// The discovery requests and answers (none when the provider has no issuer).
    pub discovery: &'a [Exchange],
    /// The verdict an experiment got in this audit, if it ran.
    pub verdict_of: &'a dyn Fn(Experiment) -> Option<Verdict>,
}

fn breach(rule: &Rule, verdict: Verdict, what: &str) -> Finding {
    Finding::new(
        verdict,
        format!(
            "{what} — {} {}: {}",
            rule.rfc,
            rule.keyword.word(),
            rule.rule
        ),
    )
}

/// The token responses of the run that carried tokens (E and refreshes).
fn token_answers(trace: &Trace) -> impl Iterator<Item = &HttpResponse> {
    [StepId::E, StepId::Refresh]
        .into_iter()
        .flat_map(|s| trace.step(s).attempts.iter())
        .filter_map(|a| a.response.as_ref())
        .filter(|r| (200..300).contains(&r.status) && parse_token_response(r).is_ok())
}

/// The refusals of the token endpoint in the run (E and refreshes) of requests that were
/// POSTs: a GET (token-get's) is refused by HTTP routing, with 404 or 405, not by OAuth.
fn token_refusals(trace: &Trace) -> impl Iterator<Item = &HttpResponse> {
    let posted = |request: Option<&crate::protocol::http::HttpRequest>| {
        request.is_some_and(|r| r.method.eq_ignore_ascii_case("POST"))
    };
    let d = &trace.step(StepId::D).attempts;
    let e = trace
        .step(StepId::E)
        .attempts
        .iter()
        .enumerate()
        .filter(move |(i, _)| posted(d.get(*i).and_then(|a| a.request.as_ref())))
        .map(|(_, a)| a);
    let refresh = trace
        .step(StepId::Refresh)
        .attempts
        .iter()
        .filter(move |a| posted(a.request.as_ref()));
    e.chain(refresh)
        .filter_map(|a| a.response.as_ref())
        .filter(|r| {
            r.status >= 400 || matches!(parse_token_response(r), Err(TokenError::OAuth { .. }))
        })
}

/// The verdict and detail of the first `id` check on `step` (the first flow's, where it ran).
fn first_with(trace: &Trace, step: StepId, id: CheckId) -> Option<(Verdict, String)> {
    trace.step(step).attempts.iter().find_map(|a| {
        a.checks
            .iter()
            .find(|c| c.id == id)
            .map(|c| (c.verdict, c.detail.clone()))
    })
}

impl Passive {
    pub fn id(self) -> &'static str {
        self.rule().id
    }

    // Long on purpose: one arm per check.
    pub fn judge(self, ev: &Evidence<'_>) -> Finding {
        let rule = self.rule();
        let trace = ev.trace;
        match self {
            Passive::DiscoveryIssuer
            | Passive::DiscoveryFields
            | Passive::PkceAdvertised
            | Passive::PkceMethodsMatch => {
                let Some((url, doc)) = metadata_document(ev.discovery) else {
                    return Finding::skipped(if ev.discovery.is_empty() {
                        "no discovery: give the provider's issuer to check its metadata"
                    } else {
                        "no metadata document was found at the well-known locations"
                    });
                };
                self.judge_metadata(&rule, ev, &url, &doc)
            }
            Passive::AuthPageFraming | Passive::AuthPageReferrer => {
                let pages = authorization_pages(trace, &ev.provider.authorization_endpoint);
                if pages.is_empty() {
                    return Finding::skipped(
                        "no login or consent page was seen (the scripted user agent records them; auto-approving providers show none)",
                    );
                }
                let header =
                    |r: &HttpResponse, n: &str| r.headers.get(n).map(str::to_ascii_lowercase);
                if self == Passive::AuthPageReferrer {
                    let missing = pages
                        .iter()
                        .filter(|r| header(r, "referrer-policy").is_none())
                        .count();
                    return if missing == 0 {
                        Finding::new(
                            Verdict::Pass,
                            format!("all {} pages set Referrer-Policy", pages.len()),
                        )
                    } else {
                        breach(
                            &rule,
                            Verdict::Info,
                            &format!("{missing} of {} pages have no Referrer-Policy", pages.len()),
                        )
                    };
                }
                let csp = |r: &HttpResponse| {
                    header(r, "content-security-policy")
                        .is_some_and(|c| c.contains("frame-ancestors"))
                };
                let xfo = |r: &HttpResponse| {
                    header(r, "x-frame-options")
                        .is_some_and(|x| x.contains("deny") || x.contains("sameorigin"))
                };
                let neither = pages.iter().filter(|r| !csp(r) && !xfo(r)).count();
                let xfo_only = pages.iter().filter(|r| !csp(r) && xfo(r)).count();
                if neither > 0 {
                    breach(
                        &rule,
                        Verdict::Warn,
                        &format!(
                            "{neither} of {} pages have neither CSP frame-ancestors nor X-Frame-Options, so a page of another site may frame them (unless a script defends them, which cannot be seen from here)",
                            pages.len()
                        ),
                    )
                } else if xfo_only > 0 {
                    breach(
                        &rule,
                        Verdict::Warn,
                        &format!(
                            "{xfo_only} of {} pages rely on X-Frame-Options alone, without CSP frame-ancestors",
                            pages.len()
                        ),
                    )
                } else {
                    Finding::new(
                        Verdict::Pass,
                        format!(
                            "all {} pages forbid framing (CSP frame-ancestors)",
                            pages.len()
                        ),
                    )
                }
            }
            Passive::StateEchoed => match first_with(trace, StepId::C, CheckId::State) {
                None => Finding::skipped("no callback (C) was received"),
                Some((Verdict::Fail, why)) => breach(&rule, Verdict::Fail, &why),
                Some((_, detail)) => Finding::new(Verdict::Pass, detail),
            },
            Passive::IssOnCallback => {
                let Some(c) = trace
                    .step(StepId::C)
                    .attempts
                    .first()
                    .and_then(|a| a.request.as_ref())
                else {
                    return Finding::skipped("no callback (C) was received");
                };
                let q = c.query();
                let in_metadata = metadata_document(ev.discovery).is_some_and(|(_, doc)| {
                    doc.get("authorization_response_iss_parameter_supported")
                        == Some(&Value::Bool(true))
                });
                let advertised =
                    ev.provider.authorization_response_iss_parameter_supported || in_metadata;
                let issuer = ev.provider.issuer.as_deref().filter(|i| !i.is_empty());
                match (q.get("iss"), advertised, issuer) {
                    (None, true, _) => breach(
                        &rule,
                        Verdict::Fail,
                        "the redirect has no iss, although the provider advertises authorization_response_iss_parameter_supported",
                    ),
                    (None, false, _) => Finding::new(
                        Verdict::Pass,
                        "no iss, and none advertised: allowed (RFC 9207 is optional; a client of several providers then has no mix-up defence)",
                    ),
                    (Some(iss), _, Some(want)) if iss != want => breach(
                        &rule,
                        Verdict::Fail,
                        &format!("iss is '{iss}', not the issuer '{want}'"),
                    ),
                    (Some(iss), _, Some(_)) => Finding::new(Verdict::Pass, format!("iss = {iss}")),
                    (Some(iss), _, None) => Finding::skipped(&format!(
                        "iss = {iss}, but no issuer is configured to compare it with"
                    )),
                }
            }
            Passive::TokenJson => {
                let answers: Vec<&HttpResponse> = token_answers(trace).collect();
                if answers.is_empty() {
                    return Finding::skipped("no token response came back");
                }
                let wrong: Vec<String> = answers
                    .iter()
                    .filter_map(|r| {
                        let ct = r.headers.get("content-type").unwrap_or("none");
                        (!ct.to_ascii_lowercase().starts_with("application/json"))
                            .then(|| ct.to_owned())
                    })
                    .collect();
                match wrong.first() {
                    None => Finding::new(
                        Verdict::Pass,
                        format!("all {} token responses are application/json", answers.len()),
                    ),
                    Some(ct) => breach(
                        &rule,
                        Verdict::Fail,
                        &format!(
                            "{} of {} token responses have Content-Type: {ct}",
                            wrong.len(),
                            answers.len()
                        ),
                    ),
                }
            }
            Passive::TokenErrorBody | Passive::TokenErrorStatus => {
                let refusals: Vec<&HttpResponse> = token_refusals(trace).collect();
                if refusals.is_empty() {
                    return Finding::skipped(
                        "the token endpoint refused nothing in this run (the active checks make it refuse)",
                    );
                }
                let bad: Vec<String> = refusals
                    .iter()
                    .filter_map(|r| {
                        let error = match parse_token_response(r) {
                            Err(TokenError::OAuth { error, .. }) => Some(error.error),
                            _ => None,
                        };
                        if self == Passive::TokenErrorBody {
                            error
                                .is_none()
                                .then(|| format!("HTTP {} with no RFC 6749 error body", r.status))
                        } else {
                            let invalid_client =
                                error == Some(crate::protocol::error::ErrorCode::InvalidClient);
                            let ok = r.status == 400 || (invalid_client && r.status == 401);
                            (!ok).then(|| {
                                format!(
                                    "HTTP {} for {}",
                                    r.status,
                                    error.map_or("a refusal".into(), |e| e.to_string())
                                )
                            })
                        }
                    })
                    .collect();
                match bad.first() {
                    None => Finding::new(
                        Verdict::Pass,
                        format!("all {} refusals were well formed", refusals.len()),
                    ),
                    Some(first) => breach(
                        &rule,
                        rule.keyword.breach(),
                        &format!("{} of {} refusals: {first}", bad.len(), refusals.len()),
                    ),
                }
            }
            Passive::TokenNoStore => {
                let answers: Vec<&HttpResponse> = token_answers(trace).collect();
                if answers.is_empty() {
                    return Finding::skipped("no token response came back");
                }
                let cached = answers
                    .iter()
                    .filter(|r| {
                        !r.headers
                            .get("cache-control")
                            .is_some_and(|c| c.to_ascii_lowercase().contains("no-store"))
                    })
                    .count();
                if cached == 0 {
                    Finding::new(
                        Verdict::Pass,
                        format!(
                            "all {} token responses say Cache-Control: no-store",
                            answers.len()
                        ),
                    )
                } else {
                    breach(
                        &rule,
                        Verdict::Fail,
                        &format!(
                            "{cached} of {} token responses lack Cache-Control: no-store",
                            answers.len()
                        ),
                    )
                }
            }
            Passive::ExpiresIn => {
                let Some(tokens) = token_answers(trace)
                    .next()
                    .and_then(|r| parse_token_response(r).ok())
                else {
                    return Finding::skipped("no token response came back");
                };
                match tokens.expires_in {
                    Some(0) => breach(&rule, Verdict::Warn, "expires_in is 0"),
                    Some(s) => Finding::new(Verdict::Pass, format!("expires_in = {s} s")),
                    None => breach(
                        &rule,
                        Verdict::Warn,
                        "the token response has no expires_in: the client cannot tell when the token expires",
                    ),
                }
            }
            Passive::CodeEntropy | Passive::AccessTokenEntropy | Passive::RefreshTokenEntropy => {
                let values: Vec<String> = match self {
                    Passive::CodeEntropy => trace
                        .step(StepId::C)
                        .attempts
                        .iter()
                        .filter_map(|a| a.request.as_ref()?.query().get("code").map(str::to_owned))
                        .collect(),
                    _ => token_answers(trace)
                        .filter_map(|r| parse_token_response(r).ok())
                        .filter_map(|t| {
                            if self == Passive::AccessTokenEntropy {
                                Some(t.access_token.expose().to_owned())
                            } else {
                                t.refresh_token.map(|r| r.expose().to_owned())
                            }
                        })
                        .collect(),
                };
                let Some(bits) = values.iter().map(|v| entropy_bits(v)).reduce(f64::min) else {
                    return Finding::skipped("none was issued in this run");
                };
                let what = format!(
                    "at most {bits:.0} bits of entropy (estimated from {} values by length and alphabet)",
                    values.len()
                );
                if bits < 128.0 {
                    breach(&rule, Verdict::Fail, &what)
                } else if bits < 160.0 {
                    breach(
                        &rule,
                        Verdict::Warn,
                        &format!("{what}: under the 160 bits RFC 6749 §10.10 recommends"),
                    )
                } else {
                    Finding::new(Verdict::Pass, what)
                }
            }
            Passive::NonceEchoed | Passive::IdTokenSub | Passive::IdTokenAud => {
                let ids: &[CheckId] = match self {
                    Passive::NonceEchoed => &[CheckId::IdTokenNonce],
                    Passive::IdTokenSub => &[CheckId::IdTokenSub],
                    _ => &[CheckId::IdTokenAud, CheckId::IdTokenAzp],
                };
                let found: Vec<(Verdict, String)> = ids
                    .iter()
                    .filter_map(|id| first_with(trace, StepId::E, *id))
                    .collect();
                match found.iter().find(|(v, _)| *v == Verdict::Fail) {
                    _ if found.is_empty() => {
                        Finding::skipped("no id_token was issued (ask for scope openid)")
                    }
                    Some((_, why)) => breach(&rule, Verdict::Fail, why),
                    None => Finding::new(
                        Verdict::Pass,
                        found
                            .iter()
                            .map(|(_, d)| d.as_str())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                }
            }
            Passive::IdTokenAuthTime => {
                let claims = token_answers(trace)
                    .filter_map(|r| parse_token_response(r).ok()?.id_token)
                    .find_map(|t| crate::protocol::jwt::decode(&t).ok());
                let Some(jwt) = claims else {
                    return Finding::skipped("no id_token was issued (ask for scope openid)");
                };
                // A minute of clock difference between the provider's clocks is not a fault.
                const LEEWAY: i64 = 60;
                match (jwt.claim_i64("auth_time"), jwt.claim_i64("iat")) {
                    (None, _) => Finding::new(
                        Verdict::Pass,
                        "no auth_time: it is REQUIRED only when max_age or the auth_time claim was asked for",
                    ),
                    (Some(at), Some(iat)) if at > iat + LEEWAY => breach(
                        &rule,
                        Verdict::Fail,
                        &format!(
                            "auth_time is {} s after the token was issued (iat)",
                            at - iat
                        ),
                    ),
                    (Some(at), _) => Finding::new(Verdict::Pass, format!("auth_time = {at}")),
                }
            }
        }
    }

    fn judge_metadata(self, rule: &Rule, ev: &Evidence<'_>, url: &str, doc: &Value) -> Finding {
        let has = |k: &str| doc.get(k).is_some_and(|v| !v.is_null());
        let issuer = ev.provider.issuer.as_deref().unwrap_or_default();
        match self {
            Passive::DiscoveryIssuer => match doc.get("issuer").and_then(Value::as_str) {
                Some(i) if i == issuer => Finding::new(Verdict::Pass, format!("issuer = {i}")),
                Some(i) => breach(
                    rule,
                    Verdict::Fail,
                    &format!("{url} says issuer '{i}', but it was fetched for '{issuer}'"),
                ),
                None => breach(rule, Verdict::Fail, &format!("{url} has no issuer")),
            },
            Passive::DiscoveryFields => {
                let mut required = vec![
                    "issuer",
                    "authorization_endpoint",
                    "token_endpoint",
                    "response_types_supported",
                ];
                if url.contains("openid-configuration") {
                    required.extend([
                        "jwks_uri",
                        "subject_types_supported",
                        "id_token_signing_alg_values_supported",
                    ]);
                }
                let missing: Vec<&str> = required.into_iter().filter(|k| !has(k)).collect();
                if missing.is_empty() {
                    Finding::new(Verdict::Pass, format!("{url} has every required member"))
                } else {
                    breach(
                        rule,
                        Verdict::Fail,
                        &format!("{url} lacks {}", missing.join(", ")),
                    )
                }
            }
            Passive::PkceAdvertised => match doc.get("code_challenge_methods_supported") {
                Some(Value::Array(m)) if !m.is_empty() => Finding::new(
                    Verdict::Pass,
                    format!(
                        "code_challenge_methods_supported = {}",
                        Value::Array(m.clone())
                    ),
                ),
                _ => breach(
                    rule,
                    Verdict::Warn,
                    "the metadata does not list code_challenge_methods_supported, so clients cannot tell PKCE is supported",
                ),
            },
            _ => {
                let listed = doc
                    .get("code_challenge_methods_supported")
                    .and_then(Value::as_array)
                    .map(|m| m.iter().filter_map(Value::as_str).any(|x| x == "plain"));
                match ((ev.verdict_of)(Experiment::PkcePlain), listed) {
                    (None | Some(Verdict::Skip), _) => Finding::skipped("pkce-plain did not run"),
                    (_, None) => {
                        Finding::skipped("the metadata lists no PKCE methods (see pkce-advertised)")
                    }
                    (Some(Verdict::Info), Some(false)) => breach(
                        rule,
                        Verdict::Warn,
                        "plain is accepted but not listed in code_challenge_methods_supported",
                    ),
                    (Some(_), Some(_)) => Finding::new(
                        Verdict::Pass,
                        "what is accepted matches code_challenge_methods_supported",
                    ),
                }
            }
        }
    }
}

/// The metadata document discovery found: its URL and JSON.
fn metadata_document(exchanges: &[Exchange]) -> Option<(String, Value)> {
    exchanges.iter().find_map(|x| {
        let r = x.response.as_ref().filter(|r| r.status == 200)?;
        let doc: Value = serde_json::from_slice(r.body.as_bytes()).ok()?;
        doc.is_object().then(|| (x.request.url.clone(), doc))
    })
}

/// The HTML pages the browser was shown on the authorization server's origin.
fn authorization_pages<'t>(
    trace: &'t Trace,
    authorization_endpoint: &str,
) -> Vec<&'t HttpResponse> {
    let origin = |u: &str| Url::parse(u).ok().map(|u| u.origin());
    let want = origin(authorization_endpoint).or_else(|| {
        trace
            .step(StepId::A)
            .attempts
            .first()?
            .request
            .as_ref()
            .and_then(|r| origin(&r.url))
    });
    trace
        .step(StepId::B)
        .attempts
        .iter()
        .flat_map(|b| b.exchanges.iter())
        .filter(|x| want.is_some() && origin(&x.request.url) == want)
        .filter_map(|x| x.response.as_ref())
        .filter(|r| {
            r.status == 200
                && r.headers
                    .get("content-type")
                    .is_some_and(|c| c.contains("text/html"))
        })
        .collect()
}

/// An upper bound on a token's entropy: its length times the bits of the smallest alphabet it
/// fits in. A JWT counts by its signature (the rest is readable claims).
fn entropy_bits(token: &str) -> f64 {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() == 3 && parts[0].starts_with("eyJ") {
        return entropy_bits(parts[2]);
    }
    if token.is_empty() {
        return 0.0;
    }
    let b = token.as_bytes();
    let alphabet: f64 = if b.iter().all(u8::is_ascii_digit) {
        10.0
    } else if b.iter().all(u8::is_ascii_hexdigit) {
        16.0
    } else if b.iter().all(|c| c.is_ascii_alphanumeric()) {
        let lower = b.iter().any(u8::is_ascii_lowercase);
        let upper = b.iter().any(u8::is_ascii_uppercase);
        if lower && upper { 62.0 } else { 36.0 }
    } else if b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || b"-_".contains(c))
    {
        64.0
    } else {
        // Any other printable ASCII.
        95.0
    };
    token.len() as f64 * alphabet.log2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_is_estimated_by_alphabet_and_length() {
        assert!((entropy_bits("0123456789") - 10.0 * 10f64.log2()).abs() < 1e-9);
        assert_eq!(entropy_bits(&"ab".repeat(16)), 128.0);
        // 32 random bytes, base64url: 43 characters of 6 bits.
        assert_eq!(entropy_bits(&"aZ_-".repeat(11)[..43]), 258.0);
        assert_eq!(entropy_bits("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.0a"), 8.0);
        assert_eq!(entropy_bits(""), 0.0);
    }
}
