//! One Authorization Code run, A to G. Each step builds its request with the protocol layer,
//! records it, sends exactly that value, records the answer and the checks, and stops the run at
//! the first failure with a reason that names the step.

use super::http::{HttpClient, human_bytes};
use super::listener::RedirectListener;
use super::recorder::{Open, Recorder};
use super::scripted::{Credentials, ScriptedAgent};
use super::{RunOptions, UserAgentKind};
use crate::config::ProviderConfig;
use crate::protocol::authorize::AuthorizationRequest;
use crate::protocol::callback::{Callback, check_iss, check_state};
use crate::protocol::error::OAuthError;
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::protocol::pkce::{Pkce, PkceMethod};
use crate::protocol::resource::{bearer_challenge_error, bearer_request};
use crate::protocol::secret::mask;
use crate::protocol::token::{self, Client, TokenError, TokenResponse};
use crate::protocol::{random, secret::Secret};
use crate::trace::{Check, Outcome, StepId, Verdict};

/// Why a run stopped early: the step and the reason shown on it.
pub type Stop = (StepId, String);

pub async fn run_flow(provider: &ProviderConfig, options: &RunOptions, rec: &Recorder) {
    match steps(provider, options, rec).await {
        Ok(()) => rec.close(true, None, None),
        Err((step, reason)) => rec.close(false, Some(step), Some(reason)),
    }
}

fn fail(rec: &Recorder, open: Open, reason: String) -> Stop {
    let step = open.step;
    rec.finish(open, Outcome::Failed(reason.clone()));
    (step, reason)
}

async fn steps(
    provider: &ProviderConfig,
    options: &RunOptions,
    rec: &Recorder,
) -> Result<(), Stop> {
    // A: the authorization request the browser is sent to.
    let mut a = rec.begin(StepId::A, Outcome::InFlight);
    let Prepared {
        back,
        mut listener,
        state,
        pkce,
        request: auth_request,
    } = match prepare(provider, options) {
        Ok(p) => p,
        Err(e) => return Err(fail(rec, a, e)),
    };
    let redirect_uri = listener.redirect_uri.clone();
    a.attempt.summary = authorization_summary(&auth_request);
    a.attempt.request = Some(auth_request.clone());
    rec.update(&a);

    // B: the user at the browser. The listener thread answers the redirect on its own, so the
    // scripted agent can run to completion before the callback is collected.
    let mut b = rec.begin(StepId::B, Outcome::WaitingForUser);
    b.attempt.summary = "waiting for the user to log in and consent".into();
    rec.update(&b);
    match &options.user_agent {
        UserAgentKind::System => {
            let url = auth_request.url.clone();
            let opened = tokio::task::spawn_blocking(move || webbrowser::open(&url)).await;
            let opened = match opened {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = opened {
                rec.finish(b, Outcome::Skipped("no browser".into()));
                return Err(fail(
                    rec,
                    a,
                    format!(
                        "could not open a browser ({e}): set $BROWSER, or use the print user agent and open the URL yourself"
                    ),
                ));
            }
            a.attempt.summary.push_str(" · opened in the browser");
            rec.finish(a, Outcome::Ok);
        }
        UserAgentKind::Print => rec.finish(a, Outcome::Ok),
        UserAgentKind::Scripted {
            username,
            password,
            deny_consent,
        } => {
            let agent = match HttpClient::new(options.http_timeout, options.body_limit, true) {
                Ok(client) => ScriptedAgent::new(
                    client,
                    Credentials {
                        username: username.clone(),
                        password: password.clone(),
                        deny_consent: *deny_consent,
                    },
                ),
                Err(e) => return Err(fail(rec, a, e)),
            };
            let mut pages = Vec::new();
            let browsed = agent
                .browse(&auth_request.url, &redirect_uri, &mut pages)
                .await;
            a.attempt.response = pages.first().and_then(|p| p.response.clone());
            b.attempt.summary =
                format!("scripted login as '{username}' ({} requests)", pages.len());
            b.attempt.exchanges = pages;
            if let Err(e) = browsed {
                let a_failed_first = b.attempt.exchanges.len() == 1;
                if a_failed_first {
                    rec.finish(
                        b,
                        Outcome::Skipped("the authorization request failed".into()),
                    );
                    return Err(fail(rec, a, e));
                }
                rec.finish(a, Outcome::Ok);
                return Err(fail(rec, b, e));
            }
            rec.finish(a, Outcome::Ok);
        }
    }

    let received = match listener.wait(options.callback_timeout).await {
        Ok(r) => r,
        Err(e) => return Err(fail(rec, b, e)),
    };
    if b.attempt.exchanges.is_empty() {
        b.attempt.summary = "the user finished at the authorization server".into();
    }
    rec.finish(b, Outcome::Ok);
    drop(listener);

    // C: the redirect back, checked before anything is trusted.
    let mut c = rec.begin(StepId::C, Outcome::InFlight);
    c.attempt.request = Some(received.clone());
    let callback = match Callback::parse(&received.query()) {
        Ok(cb) => cb,
        Err(e) => return Err(fail(rec, c, e)),
    };
    let state_check = check_state(&state, callback.state());
    c.attempt.checks.push(check(
        "state matches the one sent (RFC 6749 §10.12)",
        &state_check,
        "the returned state equals the one this client sent",
    ));
    let iss_check = check_iss(provider.issuer.as_deref(), callback.iss());
    c.attempt.checks.push(match (&iss_check, callback.iss()) {
        (Ok(()), Some(iss)) => Check {
            name: "iss identifies the expected provider (RFC 9207)".into(),
            verdict: Verdict::Pass,
            detail: format!("iss = {iss}"),
        },
        (Ok(()), None) => Check {
            name: "iss identifies the expected provider (RFC 9207)".into(),
            verdict: Verdict::Warn,
            detail: "the provider sent no `iss`: a client talking to several providers cannot detect mix-up attacks (RFC 9700 §4.4)".into(),
        },
        (Err(e), _) => Check {
            name: "iss identifies the expected provider (RFC 9207)".into(),
            verdict: Verdict::Fail,
            detail: e.clone(),
        },
    });
    let code = match &callback {
        Callback::Error { error, .. } => {
            c.attempt.summary = format!("error={}", error.error);
            return Err(fail(rec, c, provider_error(error)));
        }
        Callback::Code { code, .. } => code.clone(),
    };
    c.attempt.summary = format!("code={}", mask(&code));
    if let Err(e) = state_check.and(iss_check) {
        return Err(fail(rec, c, e));
    }
    let c_outcome = warning_or_ok(&c);
    rec.finish(c, c_outcome);

    // D/E: the back-channel exchange of the code for tokens.
    let client = Client {
        id: provider.client_id.clone(),
        secret: provider.client_secret.clone(),
        auth: provider.client_auth,
    };
    let grant = token::authorization_code_grant(
        &code,
        &redirect_uri,
        pkce.as_ref().map(|p| p.verifier.as_str()),
    );
    let token_req = token::token_request(&provider.token_endpoint, &client, grant);
    let (resp, mut e) = exchange(
        rec,
        &back,
        StepId::D,
        StepId::E,
        token_req,
        "grant_type=authorization_code",
    )
    .await?;
    let tokens = match token::parse_token_response(&resp) {
        Ok(t) => t,
        Err(TokenError::OAuth { error, .. }) => {
            e.attempt.summary = format!("{} {}", resp.status, error.error);
            return Err(fail(rec, e, provider_error(&error)));
        }
        Err(TokenError::Malformed(m)) => return Err(fail(rec, e, m)),
    };
    e.attempt.summary = tokens.summary();
    e.attempt.checks = token_checks(&resp, &tokens);
    let e_outcome = warning_or_ok(&e);
    rec.finish(e, e_outcome);

    // F/G: the protected resource, with the access token as a bearer credential.
    protected_resource(rec, &back, &provider.resource_url, &tokens.access_token).await
}

struct Prepared {
    back: HttpClient,
    listener: RedirectListener,
    state: String,
    pkce: Option<Pkce>,
    request: HttpRequest,
}

/// Everything A needs before the browser can be sent anywhere: a valid configuration, the
/// back-channel client, the listener (its port goes into redirect_uri), fresh state, nonce, PKCE.
fn prepare(provider: &ProviderConfig, options: &RunOptions) -> Result<Prepared, String> {
    provider.validate().map_err(|errors| {
        errors
            .iter()
            .map(|(field, msg)| format!("{field}: {msg}"))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let back = HttpClient::new(options.http_timeout, options.body_limit, false)?;
    let listener = RedirectListener::bind(&provider.redirect_uri)?;
    let state = random::state();
    let pkce = (provider.pkce != PkceMethod::Off).then(|| Pkce::generate(provider.pkce));
    let request = AuthorizationRequest {
        authorization_endpoint: provider.authorization_endpoint.clone(),
        client_id: provider.client_id.clone(),
        redirect_uri: listener.redirect_uri.clone(),
        scope: provider.scope.clone(),
        state: state.clone(),
        pkce: pkce.clone(),
        nonce: provider
            .scope
            .split_whitespace()
            .any(|s| s == "openid")
            .then(random::nonce),
        extra: provider.extra_auth_params.clone(),
    }
    .to_request()?;
    Ok(Prepared {
        back,
        listener,
        state,
        pkce,
        request,
    })
}

/// Records a request on `req_step`, sends it, and opens `resp_step` with the response.
/// A transport failure fails `req_step`; the response step is left for the caller to judge.
async fn exchange(
    rec: &Recorder,
    client: &HttpClient,
    req_step: StepId,
    resp_step: StepId,
    request: HttpRequest,
    what: &str,
) -> Result<(HttpResponse, Open), Stop> {
    let mut d = rec.begin(req_step, Outcome::InFlight);
    d.attempt.summary = format!("{} {}", request.method, what);
    d.attempt.request = Some(request.clone());
    rec.update(&d);
    let result = client.send(&request).await;
    match result {
        Ok(resp) => {
            let mut e = rec.begin(resp_step, Outcome::InFlight);
            e.attempt.response = Some(resp.clone());
            e.attempt.duration_ms = Some(d.elapsed_ms());
            rec.finish(d, Outcome::Ok);
            Ok((resp, e))
        }
        Err(err) => {
            d.attempt.transport_error = Some(err.clone());
            Err(fail(rec, d, err))
        }
    }
}

async fn protected_resource(
    rec: &Recorder,
    client: &HttpClient,
    url: &str,
    token: &Secret,
) -> Result<(), Stop> {
    let req = bearer_request(url, token.expose());
    let (resp, mut g) = exchange(
        rec,
        client,
        StepId::F,
        StepId::G,
        req,
        "with Authorization: Bearer",
    )
    .await?;
    let size = human_bytes(resp.body.len());
    let ct = resp.content_type().unwrap_or("no Content-Type").to_owned();
    g.attempt.summary = format!("{} · {ct} · {size}", resp.status_line());
    if (200..300).contains(&resp.status) {
        rec.finish(g, Outcome::Ok);
        return Ok(());
    }
    let challenge = resp
        .headers
        .get("www-authenticate")
        .map(|w| match bearer_challenge_error(w) {
            Some(err) => format!(" — the resource server says {err} (WWW-Authenticate: {w})"),
            None => format!(" (WWW-Authenticate: {w})"),
        })
        .unwrap_or_default();
    let reason = format!(
        "the resource server answered {}{challenge}",
        resp.status_line()
    );
    Err(fail(rec, g, reason))
}

fn token_checks(resp: &HttpResponse, tokens: &TokenResponse) -> Vec<Check> {
    let cache = resp.headers.get("cache-control").unwrap_or("");
    vec![
        Check {
            name: "Cache-Control: no-store (RFC 6749 §5.1)".into(),
            verdict: if cache.to_ascii_lowercase().contains("no-store") {
                Verdict::Pass
            } else {
                Verdict::Warn
            },
            detail: if cache.is_empty() {
                "the token response has no Cache-Control header: a proxy or the client's cache could keep the tokens".into()
            } else {
                format!("Cache-Control: {cache}")
            },
        },
        Check {
            name: "token_type is Bearer (RFC 6750)".into(),
            verdict: if tokens.token_type.eq_ignore_ascii_case("bearer") {
                Verdict::Pass
            } else {
                Verdict::Warn
            },
            detail: format!("token_type = {}", tokens.token_type),
        },
        Check {
            name: "expires_in is given (RFC 6749 §5.1, RECOMMENDED)".into(),
            verdict: if tokens.expires_in.is_some() {
                Verdict::Pass
            } else {
                Verdict::Warn
            },
            detail: match tokens.expires_in {
                Some(s) => format!("the access token lives {s} s"),
                None => "no expires_in: the client cannot know when the token expires".into(),
            },
        },
    ]
}

fn check(name: &str, result: &Result<(), String>, pass_detail: &str) -> Check {
    Check {
        name: name.into(),
        verdict: if result.is_ok() {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        detail: match result {
            Ok(()) => pass_detail.into(),
            Err(e) => e.clone(),
        },
    }
}

fn warning_or_ok(open: &Open) -> Outcome {
    let warnings: Vec<_> = open
        .attempt
        .checks
        .iter()
        .filter(|c| c.verdict == Verdict::Warn)
        .map(|c| c.name.clone())
        .collect();
    if warnings.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Warning(warnings.join("; "))
    }
}

/// The provider's own words first, then what the code means.
fn provider_error(error: &OAuthError) -> String {
    let mut s = format!("the provider answered {error}");
    if let Some(uri) = &error.error_uri {
        s.push_str(&format!(" (see {uri})"));
    }
    if let Some(meaning) = error.explanation() {
        s.push_str(&format!(" — {meaning}"));
    }
    s
}

fn authorization_summary(req: &HttpRequest) -> String {
    let q = req.query();
    let mut s = format!(
        "GET {}",
        url::Url::parse(&req.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default()
    );
    if let Some(m) = q.get("code_challenge_method") {
        s.push_str(&format!(" · PKCE {m}"));
    }
    if let Some(scope) = q.get("scope") {
        s.push_str(&format!(" · scope={scope}"));
    }
    s
}
