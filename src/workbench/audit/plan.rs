//! What each experiment sends: engine commands, planned on the run as it stands when the
//! experiment's turn comes, in stages when a later request needs what an earlier one brought
//! (a code, a refresh token).

use std::time::Duration;

use url::Url;

use super::active::Experiment;
use super::mark::Mark;
use crate::config::ProviderConfig;
use crate::engine::{Command, ReplayRequest, RunId};
use crate::protocol::edit::Edit;
use crate::protocol::http::HttpRequest;
use crate::protocol::pkce::{self, PkceMethod};
use crate::protocol::random;
use crate::protocol::token::{ClientAuth, basic_authorization, parse_token_response};
use crate::trace::{Outcome, StepId, Trace};

/// What a plan is made from.
pub struct PlanCtx<'a> {
    pub run: RunId,
    pub provider: &'a ProviderConfig,
    pub trace: &'a Trace,
    /// The scripted agent drives the login (it sees every page and redirect).
    pub scripted: bool,
    /// Where the experiment began.
    pub since: &'a Mark,
    /// The longest an experiment may wait for a code or a token to expire (zero: the ones that
    /// wait are not run).
    pub wait: Duration,
    /// Only asking whether it could run (each frame of the Experiments tab): nothing that
    /// touches the machine, such as finding a free port.
    pub dry_run: bool,
}

fn replay(run: RunId, step: StepId, request: ReplayRequest, edits: Vec<Edit>) -> Command {
    Command::Replay {
        run,
        step,
        request,
        edits,
        continue_flow: false,
    }
}

/// A plan that cannot run here, with what it would need.
fn needs<T>(e: Experiment, what: &str) -> Result<T, String> {
    Err(format!("'{}' needs {what}", e.title()))
}

/// The request the run's first flow sent for `step`: what the client itself sends, never an
/// earlier experiment's edit.
fn sent(trace: &Trace, step: StepId) -> Option<&HttpRequest> {
    trace
        .step(step)
        .attempts
        .iter()
        .find_map(|a| a.request.as_ref())
}

/// RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED."
pub(super) const CODE_LIFETIME_MAX: Duration = Duration::from_secs(600);
/// How long past `expires_in` a resource server may still take a token for clock skew: RFC
/// 7519 §4.1.4 allows "some small leeway, usually no more than a few minutes" (and common
/// servers default to five).
pub(super) const CLOCK_LEEWAY: Duration = Duration::from_secs(300);

/// The `expires_in` of the tokens the experiment's own token response (E) brought.
pub(super) fn expires_in(ctx_trace: &Trace, since: &Mark) -> Option<u64> {
    since
        .latest(ctx_trace, StepId::E)
        .and_then(|a| a.response.as_ref())
        .and_then(|r| parse_token_response(r).ok())
        .and_then(|t| t.expires_in)
}

/// The redirect URI the run really uses (with the port its listener bound).
fn redirect_uri(trace: &Trace) -> Option<String> {
    sent(trace, StepId::A).and_then(|r| r.query().get("redirect_uri").map(str::to_owned))
}

/// Whether the experiment's callback (C) since the mark brought a code.
fn got_code(ctx: &PlanCtx<'_>) -> bool {
    ctx.since
        .latest(ctx.trace, StepId::C)
        .is_some_and(|c| c.outcome.is_ok() || matches!(c.outcome, Outcome::Warning(_)))
}

impl Experiment {
    /// The commands of `stage` (0 first); `None` when the experiment has sent everything.
    // Long on purpose: one arm per experiment, so the plans read side by side.
    pub fn plan(self, stage: usize, ctx: &PlanCtx<'_>) -> Result<Option<Vec<Command>>, String> {
        let run = ctx.run;
        let provider = ctx.provider;
        let trace = ctx.trace;
        // Each experiment sets up its own starting point, so earlier experiments (which may
        // have revoked the run's tokens or left a code unused) cannot colour its result.
        let fresh_code = || replay(run, StepId::A, ReplayRequest::Default, Vec::new());
        let fresh_tokens = || Command::Replay {
            run,
            step: StepId::A,
            request: ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: true,
        };
        let d = |edits| replay(run, StepId::D, ReplayRequest::Default, edits);
        let authorize = |edits| replay(run, StepId::A, ReplayRequest::Default, edits);
        let pkce_on = provider.pkce != PkceMethod::Off;
        let has_f = sent(trace, StepId::F).is_some();
        if stage > 0 {
            return Ok(match (self, stage) {
                // After an A that may have been refused: D only when a code came back.
                (Experiment::PkceRequired, 1) if got_code(ctx) => {
                    Some(vec![d(vec![Edit::RemoveParam("code_verifier".into())])])
                }
                (Experiment::ShortCodeVerifier, 1) if got_code(ctx) => {
                    Some(vec![d(vec![Edit::SetParam(
                        "code_verifier".into(),
                        SHORT_VERIFIER.into(),
                    )])])
                }
                (Experiment::CodeLifetime, 1) if got_code(ctx) => Some(vec![
                    Command::Wait {
                        run,
                        duration: ctx.wait,
                    },
                    d(Vec::new()),
                ]),
                (Experiment::ExpiredAccessToken, 1) => {
                    let lifetime = expires_in(trace, ctx.since).ok_or(
                        "the token response has no expires_in, so nothing says when the token expires",
                    )?;
                    let lifetime = Duration::from_secs(lifetime);
                    // Past the leeway when the wait allows, so an acceptance is a fault.
                    let duration = ctx
                        .wait
                        .min(lifetime + CLOCK_LEEWAY + Duration::from_secs(1));
                    if duration <= lifetime {
                        return Err(format!(
                            "the access token lives {} s (expires_in), longer than the {} s the audit may wait",
                            lifetime.as_secs(),
                            ctx.wait.as_secs()
                        ));
                    }
                    Some(vec![
                        Command::Wait { run, duration },
                        replay(run, StepId::F, ReplayRequest::Default, Vec::new()),
                    ])
                }
                (Experiment::RevokedRefreshToken, 1) => {
                    let token = ctx
                        .since
                        .latest(trace, StepId::E)
                        .and_then(|a| a.response.as_ref())
                        .and_then(|r| parse_token_response(r).ok())
                        .and_then(|t| t.refresh_token)
                        .ok_or("the fresh flow brought no refresh token to revoke")?;
                    Some(vec![
                        replay(
                            run,
                            StepId::Revoke,
                            ReplayRequest::Default,
                            vec![
                                Edit::SetParam("token".into(), token.expose().to_owned()),
                                Edit::SetParam("token_type_hint".into(), "refresh_token".into()),
                            ],
                        ),
                        replay(run, StepId::Refresh, ReplayRequest::Default, Vec::new()),
                    ])
                }
                _ => None,
            });
        }
        let redirect_edit = |uri: String, more: Vec<Edit>| -> Result<Vec<Command>, String> {
            if !ctx.scripted {
                return needs(
                    self,
                    "the scripted user agent: it sees where the provider sends the browser",
                );
            }
            let mut edits = vec![Edit::SetParam("redirect_uri".into(), uri)];
            edits.extend(more);
            Ok(vec![authorize(edits)])
        };
        let registered = || {
            redirect_uri(trace)
                .and_then(|u| Url::parse(&u).ok())
                .ok_or_else(|| {
                    "this run has no authorization request with a redirect_uri".to_owned()
                })
        };
        Ok(Some(match self {
            Experiment::RedirectUriUnregistered => {
                let mut u = registered()?;
                u.set_path("/oauthviz-unregistered");
                redirect_edit(u.to_string(), Vec::new())?
            }
            Experiment::RedirectUriOtherPath => {
                let mut u = registered()?;
                let path = format!("{}/oauthviz", u.path().trim_end_matches('/'));
                u.set_path(&path);
                redirect_edit(u.to_string(), Vec::new())?
            }
            Experiment::RedirectUriOneCharAtA => {
                redirect_edit(one_char_off(registered()?.as_str()), Vec::new())?
            }
            Experiment::RedirectUriOtherHost => {
                let mut u = registered()?;
                // Another loopback address: the test traffic stays on this machine.
                let other = if u.host_str() == Some("127.0.0.2") {
                    "127.0.0.3"
                } else {
                    "127.0.0.2"
                };
                u.set_host(Some(other)).map_err(|e| e.to_string())?;
                redirect_edit(u.to_string(), Vec::new())?
            }
            Experiment::RedirectUriOtherScheme => {
                let u = registered()?;
                let (from, to) = if u.scheme() == "http" {
                    ("http:", "https:")
                } else {
                    ("https:", "http:")
                };
                let other = u.as_str().replacen(from, to, 1);
                redirect_edit(other, Vec::new())?
            }
            Experiment::RedirectUriOtherPort => {
                let mut u = registered()?;
                let port = if ctx.dry_run {
                    0
                } else {
                    free_port().map_err(|e| format!("no free port to try: {e}"))?
                };
                u.set_port(Some(port))
                    .map_err(|()| "the redirect_uri cannot have a port")?;
                redirect_edit(u.to_string(), Vec::new())?
            }
            Experiment::OpenRedirectOnError => {
                let mut u = registered()?;
                u.set_path("/oauthviz-unregistered");
                redirect_edit(
                    u.to_string(),
                    vec![Edit::SetParam(
                        "response_type".into(),
                        "oauthviz_invalid".into(),
                    )],
                )?
            }
            Experiment::RedirectUriOneChar => {
                let sent = sent(trace, StepId::D)
                    .and_then(|r| r.form())
                    .and_then(|f| f.get("redirect_uri").map(str::to_owned))
                    .ok_or("this run has no token request with a redirect_uri to change")?;
                vec![
                    fresh_code(),
                    d(vec![Edit::SetParam(
                        "redirect_uri".into(),
                        one_char_off(&sent),
                    )]),
                ]
            }
            Experiment::RedirectUriOmittedAtD => {
                vec![
                    fresh_code(),
                    d(vec![Edit::RemoveParam("redirect_uri".into())]),
                ]
            }
            Experiment::ReuseCode => vec![
                fresh_tokens(),
                replay(run, StepId::D, ReplayRequest::Latest, Vec::new()),
            ],
            Experiment::ReuseCodeRevokesTokens => {
                if !has_f {
                    return needs(self, "a resource request (F) to try the first tokens on");
                }
                // When the reuse is refused, the run keeps the tokens of the first exchange, and
                // F sends them.
                vec![
                    fresh_tokens(),
                    replay(run, StepId::D, ReplayRequest::Latest, Vec::new()),
                    replay(run, StepId::F, ReplayRequest::Default, Vec::new()),
                ]
            }
            Experiment::CodeBoundToClient => {
                let Some(other) = provider
                    .other_clients
                    .iter()
                    .find(|o| o.id != provider.client_id)
                else {
                    return needs(
                        self,
                        "a second client registered at this provider (oauthviz check --other-client-id)",
                    );
                };
                let mut edits = vec![
                    Edit::RemoveHeader("Authorization".into()),
                    Edit::RemoveParam("client_secret".into()),
                    Edit::RemoveParam("client_assertion".into()),
                    Edit::RemoveParam("client_assertion_type".into()),
                ];
                let secret = other
                    .secret
                    .as_ref()
                    .map(|s| s.expose().to_owned())
                    .unwrap_or_default();
                match other.auth {
                    ClientAuth::Basic => {
                        edits.push(Edit::RemoveParam("client_id".into()));
                        edits.push(Edit::SetHeader(
                            "Authorization".into(),
                            basic_authorization(&other.id, &secret),
                        ));
                    }
                    ClientAuth::Post => {
                        edits.push(Edit::SetParam("client_id".into(), other.id.clone()));
                        edits.push(Edit::SetParam("client_secret".into(), secret));
                    }
                    ClientAuth::None | ClientAuth::PrivateKeyJwt => {
                        edits.push(Edit::SetParam("client_id".into(), other.id.clone()));
                    }
                }
                vec![fresh_code(), d(edits)]
            }
            Experiment::CodeLifetime => {
                if ctx.wait.is_zero() {
                    return needs(
                        self,
                        "a wait (oauthviz check --wait SECONDS, or the Check tab's wait): it holds a fresh code that long, then redeems it",
                    );
                }
                vec![fresh_code()]
            }
            Experiment::ExpiredAccessToken => {
                if !has_f {
                    return needs(self, "a resource request (F) in this run");
                }
                if ctx.wait.is_zero() {
                    return needs(
                        self,
                        "a wait longer than the token's expires_in (oauthviz check --wait SECONDS, or the Check tab's wait)",
                    );
                }
                vec![fresh_tokens()]
            }
            Experiment::MadeUpCode => vec![
                fresh_code(),
                d(vec![Edit::SetParam("code".into(), random::token(32))]),
            ],
            Experiment::PkceRequired => {
                if !pkce_on {
                    return needs(
                        self,
                        "PKCE to be on for this provider (the run itself goes without it)",
                    );
                }
                vec![authorize(vec![
                    Edit::RemoveParam("code_challenge".into()),
                    Edit::RemoveParam("code_challenge_method".into()),
                ])]
            }
            Experiment::DropCodeVerifier | Experiment::WrongCodeVerifier => {
                if !pkce_on {
                    return needs(self, "PKCE to be on for this provider");
                }
                let edit = if self == Experiment::DropCodeVerifier {
                    Edit::RemoveParam("code_verifier".into())
                } else {
                    Edit::SetParam("code_verifier".into(), random::token(32))
                };
                vec![fresh_code(), d(vec![edit])]
            }
            Experiment::PkceDowngrade => {
                if !pkce_on {
                    return needs(self, "PKCE to be on for this provider");
                }
                // No challenge at A; D sends the verifier the run made for it anyway.
                vec![Command::Replay {
                    run,
                    step: StepId::A,
                    request: ReplayRequest::Default,
                    edits: vec![
                        Edit::RemoveParam("code_challenge".into()),
                        Edit::RemoveParam("code_challenge_method".into()),
                    ],
                    continue_flow: true,
                }]
            }
            Experiment::ShortCodeVerifier => {
                if !pkce_on {
                    return needs(self, "PKCE to be on for this provider");
                }
                vec![authorize(vec![
                    Edit::SetParam("code_challenge".into(), pkce::s256(SHORT_VERIFIER)),
                    Edit::SetParam("code_challenge_method".into(), "S256".into()),
                ])]
            }
            Experiment::PkcePlain => {
                if !pkce_on {
                    return needs(self, "PKCE to be on for this provider");
                }
                vec![authorize(vec![Edit::SetParam(
                    "code_challenge_method".into(),
                    "plain".into(),
                )])]
            }
            Experiment::WrongClientSecret
            | Experiment::CredentialsTwice
            | Experiment::NoClientAuthentication
            | Experiment::OtherAuthMethod => {
                let edits = self.client_auth_edits(provider)?;
                vec![fresh_code(), d(edits)]
            }
            Experiment::TokenGet => vec![
                fresh_code(),
                d(vec![Edit::FormToQuery, Edit::SetMethod("GET".into())]),
            ],
            Experiment::TokenParamsTwice => vec![
                fresh_code(),
                d(vec![Edit::AddParam(
                    "grant_type".into(),
                    "authorization_code".into(),
                )]),
            ],
            Experiment::CredentialsInQuery => {
                let secret = match (provider.client_auth, &provider.client_secret) {
                    (ClientAuth::Basic | ClientAuth::Post, Some(s)) => s.expose().to_owned(),
                    _ => {
                        return needs(
                            self,
                            "a client that authenticates with a secret (client_secret_basic or client_secret_post)",
                        );
                    }
                };
                let url = sent(trace, StepId::D)
                    .map(|r| r.url.clone())
                    .ok_or("this run has no token request")?;
                let mut url = Url::parse(&url).map_err(|e| e.to_string())?;
                url.query_pairs_mut()
                    .append_pair("client_id", &provider.client_id)
                    .append_pair("client_secret", &secret);
                vec![
                    fresh_code(),
                    d(vec![
                        Edit::RemoveHeader("Authorization".into()),
                        Edit::RemoveParam("client_id".into()),
                        Edit::RemoveParam("client_secret".into()),
                        Edit::SetUrl(url.to_string()),
                    ]),
                ]
            }
            Experiment::RefreshTwice
            | Experiment::RefreshReuseRevokesFamily
            | Experiment::RefreshScopeWidened => {
                if !trace.issued_refresh_token() {
                    return needs(
                        self,
                        "a provider that issues refresh tokens in this run (ask for offline_access)",
                    );
                }
                let refresh = |request, edits| replay(run, StepId::Refresh, request, edits);
                let mut commands = vec![fresh_tokens()];
                match self {
                    Experiment::RefreshTwice => commands.extend([
                        refresh(ReplayRequest::Default, Vec::new()),
                        refresh(ReplayRequest::Latest, Vec::new()),
                    ]),
                    Experiment::RefreshReuseRevokesFamily => commands.extend([
                        refresh(ReplayRequest::Default, Vec::new()),
                        // The first refresh token again, then the one that replaced it.
                        refresh(ReplayRequest::Latest, Vec::new()),
                        refresh(ReplayRequest::Default, Vec::new()),
                    ]),
                    _ => commands.push(refresh(
                        ReplayRequest::Default,
                        vec![Edit::SetParam(
                            "scope".into(),
                            format!("{} {WIDENED_SCOPE}", provider.scope)
                                .trim()
                                .to_owned(),
                        )],
                    )),
                }
                commands
            }
            Experiment::ResourceNoToken | Experiment::GarbageToken | Experiment::BearerInQuery => {
                if !has_f {
                    return needs(self, "a resource request (F) in this run");
                }
                let edit = match self {
                    Experiment::ResourceNoToken => Edit::RemoveHeader("Authorization".into()),
                    Experiment::GarbageToken => Edit::SetHeader(
                        "Authorization".into(),
                        format!("Bearer {}", random::token(24)),
                    ),
                    _ => Edit::BearerToQuery,
                };
                // Fresh tokens and F as the client builds it: an earlier experiment may have
                // revoked the tokens (a reused code does) or left F edited.
                vec![
                    fresh_tokens(),
                    replay(run, StepId::F, ReplayRequest::Default, vec![edit]),
                ]
            }
            Experiment::RevokedTokenIntrospection
            | Experiment::RevokedAccessTokenAtResource
            | Experiment::RevokedRefreshToken => {
                if provider.revocation_endpoint.is_none() {
                    return needs(self, "a revocation endpoint (RFC 7009)");
                }
                let revoke = replay(run, StepId::Revoke, ReplayRequest::Default, Vec::new());
                match self {
                    Experiment::RevokedTokenIntrospection => {
                        if provider.introspection_endpoint.is_none() {
                            return needs(self, "an introspection endpoint (RFC 7662)");
                        }
                        if provider.client_auth == ClientAuth::None {
                            return needs(
                                self,
                                "a confidential client: introspection is for authorized callers (RFC 7662 §2.1)",
                            );
                        }
                        vec![
                            fresh_tokens(),
                            revoke,
                            replay(run, StepId::Introspect, ReplayRequest::Default, Vec::new()),
                        ]
                    }
                    Experiment::RevokedAccessTokenAtResource => {
                        if !has_f {
                            return needs(self, "a resource request (F) in this run");
                        }
                        vec![
                            fresh_tokens(),
                            revoke,
                            replay(run, StepId::F, ReplayRequest::Default, Vec::new()),
                        ]
                    }
                    _ => {
                        if !trace.issued_refresh_token() {
                            return needs(
                                self,
                                "a provider that issues refresh tokens in this run",
                            );
                        }
                        vec![fresh_tokens()]
                    }
                }
            }
            Experiment::NonceNotRequired => {
                if !provider.scope.split_whitespace().any(|s| s == "openid") {
                    return needs(self, "scope openid");
                }
                vec![Command::Replay {
                    run,
                    step: StepId::A,
                    request: ReplayRequest::Default,
                    edits: vec![Edit::RemoveParam("nonce".into())],
                    continue_flow: true,
                }]
            }
            Experiment::TamperedState | Experiment::MissingState => {
                if sent(trace, StepId::C).is_none() {
                    return needs(self, "a callback (C) that was received");
                }
                let edit = if self == Experiment::TamperedState {
                    Edit::SetParam("state".into(), random::state())
                } else {
                    Edit::RemoveParam("state".into())
                };
                // From a callback just received for a fresh request: the latest one may be
                // an earlier experiment's (a refused downgrade, an already tampered state).
                vec![
                    fresh_code(),
                    replay(run, StepId::C, ReplayRequest::Latest, vec![edit]),
                ]
            }
        }))
    }

    /// The edits of D that authenticate the client wrongly (a wrong secret in the client's own
    /// method), twice (header and body), or not at all.
    fn client_auth_edits(self, provider: &ProviderConfig) -> Result<Vec<Edit>, String> {
        let secret = provider
            .client_secret
            .as_ref()
            .map(|s| s.expose().to_owned());
        Ok(match (self, provider.client_auth, secret) {
            (_, ClientAuth::None, _) => {
                return needs(
                    self,
                    "a confidential client (client_secret_basic, client_secret_post or private_key_jwt)",
                );
            }
            (Experiment::NoClientAuthentication, _, _) => vec![
                Edit::RemoveHeader("Authorization".into()),
                Edit::RemoveParam("client_secret".into()),
                Edit::RemoveParam("client_assertion".into()),
                Edit::RemoveParam("client_assertion_type".into()),
                Edit::SetParam("client_id".into(), provider.client_id.clone()),
            ],
            (_, ClientAuth::PrivateKeyJwt, _) | (_, _, None) => {
                return needs(
                    self,
                    "a client that authenticates with a secret (client_secret_basic or client_secret_post)",
                );
            }
            (Experiment::OtherAuthMethod, ClientAuth::Basic, Some(secret)) => vec![
                Edit::RemoveHeader("Authorization".into()),
                Edit::SetParam("client_id".into(), provider.client_id.clone()),
                Edit::SetParam("client_secret".into(), secret),
            ],
            (Experiment::OtherAuthMethod, _, Some(secret)) => vec![
                Edit::RemoveParam("client_id".into()),
                Edit::RemoveParam("client_secret".into()),
                Edit::SetHeader(
                    "Authorization".into(),
                    basic_authorization(&provider.client_id, &secret),
                ),
            ],
            (Experiment::WrongClientSecret, ClientAuth::Basic, _) => vec![Edit::SetHeader(
                "Authorization".into(),
                basic_authorization(&provider.client_id, "wrong-secret"),
            )],
            (Experiment::WrongClientSecret, _, _) => vec![Edit::SetParam(
                "client_secret".into(),
                "wrong-secret".into(),
            )],
            (_, _, Some(secret)) => vec![
                Edit::SetHeader(
                    "Authorization".into(),
                    basic_authorization(&provider.client_id, &secret),
                ),
                Edit::SetParam("client_id".into(), provider.client_id.clone()),
                Edit::SetParam("client_secret".into(), secret),
            ],
        })
    }
}

/// 20 characters: well formed but under RFC 7636's 43.
const SHORT_VERIFIER: &str = "oauthviz-too-short-1";

/// A scope no provider granted, asked for when refreshing.
pub(super) const WIDENED_SCOPE: &str = "oauthviz.never-granted";

/// A loopback port nothing listens on right now.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The same URI with its last path character changed (or a character added to an empty path).
pub(super) fn one_char_off(uri: &str) -> String {
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
        let since = Mark::of(&trace);
        let ctx = PlanCtx {
            run: 1,
            provider: &provider,
            trace: &trace,
            scripted: true,
            since: &since,
            wait: Duration::ZERO,
            dry_run: true,
        };
        let err = Experiment::TamperedState.plan(0, &ctx).unwrap_err();
        assert!(err.contains("needs"), "{err}");
    }
}
