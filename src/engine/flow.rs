//! The steps of a run. Each step function records its request, sends exactly that value, records
//! the answer and its checks, and returns what the next step needs — or the step and reason that
//! stop the run. The first run chains them A→G; a replay calls one of them with an edited request
//! and, when asked, continues from there.

use std::time::Duration;

use super::discovery;
use super::http::{HttpClient, human_bytes};
use super::listener::RedirectListener;
use super::recorder::{Open, Recorder};
use super::scripted::{Credentials, ScriptedAgent};
use super::{Driver, ReplayRequest, RunOptions, UserAgentKind, browser};
use crate::config::ProviderConfig;
use crate::profile::Profile;
use crate::protocol::authorize::AuthorizationRequest;
use crate::protocol::callback::{Callback, callback_checks};
use crate::protocol::edit::{self, Edit};
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::protocol::pkce::{Pkce, PkceMethod};
use crate::protocol::resource::{bearer_challenge_error, bearer_request};
use crate::protocol::secret::Secret;
use crate::protocol::secret::mask;
use crate::protocol::token::ClientAuth;
use crate::protocol::token::{self, Client, TokenError, TokenResponse};
use crate::protocol::{client_assertion, id_token, random};
use crate::trace::{Check, CheckId, Exchange, Outcome, StepId, Stop, StopReason, Trace, Verdict};

/// What a run knows between steps, so that a replay can pick up where it likes.
pub struct Session {
    pub provider: ProviderConfig,
    pub options: RunOptions,
    back: HttpClient,
    /// The state sent in the latest authorization request.
    state: Option<String>,
    /// The OpenID Connect nonce sent in the latest authorization request.
    nonce: Option<String>,
    pkce: Option<Pkce>,
    /// The redirect URI with the port the listener really bound.
    redirect_uri: String,
    /// Kept for the whole run (see `RedirectListener`); closed when a newer run starts.
    listener: Option<RedirectListener>,
    code: Option<String>,
    tokens: Option<TokenResponse>,
}

impl Session {
    pub fn new(provider: ProviderConfig, options: RunOptions, client: &HttpClient) -> Session {
        let back = client.with_limits(options.http_timeout, options.body_limit);
        Session {
            redirect_uri: provider.redirect_uri.clone(),
            provider,
            options,
            back,
            state: None,
            nonce: None,
            pkce: None,
            code: None,
            tokens: None,
            listener: None,
        }
    }

    /// Picks up a run saved earlier from what its latest requests and answers hold: the state,
    /// nonce and redirect URI of A, the code of C, the PKCE verifier of D, the tokens of E or a
    /// refresh. A value the file masked is no value: the step that needs it says so when sent.
    pub fn resume(&mut self, trace: &Trace) {
        let latest = |step: StepId| {
            trace
                .step(step)
                .attempts
                .iter()
                .rev()
                .find_map(|a| a.request.as_ref())
        };
        let kept = |v: &&str| !v.is_empty() && !crate::protocol::secret::is_mask(v);
        if let Some(a) = latest(StepId::A) {
            let query = a.query();
            self.state = query.get("state").map(str::to_owned);
            self.nonce = query.get("nonce").map(str::to_owned);
            if let Some(uri) = query.get("redirect_uri") {
                uri.clone_into(&mut self.redirect_uri);
            }
        }
        self.code =
            latest(StepId::C).and_then(|c| c.query().get("code").filter(kept).map(str::to_owned));
        let verifier = latest(StepId::D).and_then(|d| {
            d.form()?
                .get("code_verifier")
                .filter(kept)
                .map(str::to_owned)
        });
        self.pkce = verifier.map(|v| Pkce::from_verifier(self.provider.pkce, v));
        self.tokens = [StepId::E, StepId::Refresh]
            .into_iter()
            .flat_map(|step| &trace.step(step).attempts)
            .filter_map(|a| {
                let tokens = token::parse_token_response(a.response.as_ref()?).ok()?;
                kept(&tokens.access_token.expose()).then_some((a.started_at_ms, tokens))
            })
            .max_by_key(|(at, _)| *at)
            .map(|(_, tokens)| tokens);
    }

    /// Frees the run's redirect port (a newer run may need it).
    pub fn close_listener(&mut self) {
        self.listener = None;
    }

    /// The request `step` would send next, built from what the run has so far.
    pub fn default_request(&mut self, step: StepId) -> Result<HttpRequest, String> {
        let mut request = self.build_request(step)?;
        if matches!(
            step,
            StepId::D | StepId::E | StepId::Refresh | StepId::Revoke | StepId::Introspect
        ) {
            for (name, value) in &self.provider.token_request_headers {
                request.headers.set(name, value.clone());
            }
        }
        Ok(request)
    }

    fn build_request(&mut self, step: StepId) -> Result<HttpRequest, String> {
        let client = self.client_credentials()?;
        match step {
            StepId::A | StepId::B => self.fresh_authorization_request(),
            StepId::C => {
                Err("C is the provider's redirect: replay it by editing a received callback".into())
            }
            StepId::D | StepId::E => {
                let code = self
                    .code
                    .as_deref()
                    .ok_or("there is no authorization code yet: run A–C first")?;
                let grant = token::authorization_code_grant(
                    code,
                    &self.redirect_uri,
                    self.pkce.as_ref().map(|p| p.verifier.as_str()),
                );
                Ok(token::token_request(
                    &self.provider.token_endpoint,
                    &client,
                    grant,
                ))
            }
            StepId::F | StepId::G => {
                let tokens = self
                    .tokens
                    .as_ref()
                    .ok_or("there is no access token yet: run D–E first")?;
                Ok(bearer_request(
                    &self.provider.resource_url,
                    tokens.access_token.expose(),
                ))
            }
            StepId::Refresh => {
                let refresh = self
                    .tokens
                    .as_ref()
                    .and_then(|t| t.refresh_token.as_ref())
                    .ok_or("the provider issued no refresh token in this run (ask for offline_access, or the provider may not offer refresh)")?;
                Ok(token::token_request(
                    &self.provider.token_endpoint,
                    &client,
                    token::refresh_grant(refresh.expose(), None),
                ))
            }
            StepId::Revoke | StepId::Introspect => {
                let (endpoint, what) = if step == StepId::Revoke {
                    (&self.provider.revocation_endpoint, "revocation (RFC 7009)")
                } else {
                    (
                        &self.provider.introspection_endpoint,
                        "introspection (RFC 7662)",
                    )
                };
                let endpoint = endpoint
                    .as_deref()
                    .ok_or_else(|| format!("this provider has no {what} endpoint configured"))?;
                let tokens = self
                    .tokens
                    .as_ref()
                    .ok_or("there is no token yet: run D–E first")?;
                let mut form = crate::protocol::params::Params::new();
                form.push("token", tokens.access_token.expose());
                form.push("token_type_hint", "access_token");
                Ok(token::token_request(endpoint, &client, form))
            }
        }
    }

    /// The client's credentials for a back-channel request; for `private_key_jwt`, a freshly
    /// signed assertion (each is single-use at strict providers: the `jti` is remembered).
    fn client_credentials(&self) -> Result<Client, String> {
        let p = &self.provider;
        let assertion = if p.client_auth == ClientAuth::PrivateKeyJwt {
            let path = p.private_key_path.as_deref().unwrap_or_default();
            let pem = crate::files::read_small_text(std::path::Path::new(path), MAX_KEY_BYTES)
                .map_err(|e| {
                    format!("cannot read the private key '{path}' for private_key_jwt: {e}")
                })?;
            let alg = p.private_key_alg.as_deref().unwrap_or("RS256");
            let now = (crate::timestamp::now_ms() / 1000) as i64;
            let signed = client_assertion::client_assertion(
                &p.client_id,
                &p.token_endpoint,
                &pem,
                alg,
                p.private_key_kid.as_deref(),
                now,
            )?;
            Some(Secret::new(signed))
        } else {
            None
        };
        Ok(Client {
            id: p.client_id.clone(),
            secret: p.client_secret.clone(),
            auth: p.client_auth,
            assertion,
        })
    }

    /// A new authorization request with fresh state, nonce and PKCE verifier.
    fn fresh_authorization_request(&mut self) -> Result<HttpRequest, String> {
        // The implicit grant has no code to bind a verifier to, and no id_token to carry a nonce.
        let implicit = self.options.implicit;
        let pkce = (self.provider.pkce != PkceMethod::Off && !implicit)
            .then(|| Pkce::generate(self.provider.pkce));
        let state = random::state();
        let nonce = (self
            .provider
            .scope
            .split_whitespace()
            .any(|s| s == "openid")
            && !implicit)
            .then(random::nonce);
        let mut extra = self.provider.extra_auth_params.clone();
        if implicit {
            extra.set("response_type", "token");
        }
        let request = AuthorizationRequest {
            authorization_endpoint: self.provider.authorization_endpoint.clone(),
            client_id: self.provider.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scope: self.provider.scope.clone(),
            state: state.clone(),
            pkce: pkce.clone(),
            nonce: nonce.clone(),
            extra,
        }
        .to_request()?;
        self.pkce = pkce;
        self.state = Some(state);
        self.nonce = nonce;
        Ok(request)
    }
}

/// A PEM private key is a few KiB; anything near this is not one.
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// The first run: A to G, stopping early after `options.pause_after` when set.
pub async fn run_flow(session: &mut Session, rec: &Recorder) {
    let stop = first_run(session, rec).await.err();
    rec.settle(stop);
}

async fn first_run(s: &mut Session, rec: &Recorder) -> Result<(), Stop> {
    let mut a = rec.begin(StepId::A, Outcome::InFlight);
    if s.provider.needs_discovery() {
        let issuer = s.provider.issuer.clone().unwrap_or_default();
        a.attempt.summary = format!("discovering the endpoints of {issuer}");
        rec.update(&a);
        let discovered = discovery::discover(&s.back, &issuer).await;
        // Before A's own request: what it took to learn where A goes.
        a.attempt.exchanges = discovered.exchanges;
        match discovered.metadata {
            Ok(meta) => match Profile::complete(&s.provider, &meta) {
                Ok(provider) => s.provider = provider,
                Err(e) => return Err(fail(rec, a, StopReason::Request(e))),
            },
            Err(e) => return Err(fail(rec, a, StopReason::Request(format!("discovery: {e}")))),
        }
    }
    let (mut listener, request) = match prepare(s) {
        Ok(p) => p,
        Err(e) => return Err(fail(rec, a, StopReason::Request(e))),
    };
    if s.options.step_mode {
        // Shown before it goes: sending it is the user's next step.
        a.attempt.outcome = Outcome::Pending;
        a.attempt.summary = format!("prepared, not sent: {}", authorization_summary(&request));
        a.attempt.request = Some(request);
        rec.update(&a);
        s.listener = Some(listener);
        return Ok(());
    }
    let received = authorize(rec, s, a, request, &mut listener).await;
    s.listener = Some(listener);
    let (received, delivered) = received?;
    if s.options.implicit {
        implicit_callback(rec, s, &received, delivered)?;
        for step in [StepId::D, StepId::E] {
            let skipped = rec.begin(step, Outcome::InFlight);
            rec.finish(skipped, Outcome::Skipped(NO_TOKEN_REQUEST.into()));
        }
        return continue_from(rec, s, StepId::F, None).await;
    }
    continue_from(rec, s, StepId::C, Some(received)).await
}

/// Why D and E do not happen in the implicit grant.
const NO_TOKEN_REQUEST: &str =
    "the implicit grant has no token request: the access token came in the redirect itself";

/// C of the implicit grant (RFC 6749 §4.2.2): the access token in the fragment of the redirect
/// URL. A browser keeps the fragment (and its history keeps the URL) but never sends it, so the
/// listener saw `received` without it; the scripted agent, which followed the redirect itself,
/// `delivered` the whole URL. C is recorded as that URL.
fn implicit_callback(
    rec: &Recorder,
    s: &mut Session,
    received: &HttpRequest,
    delivered: Option<String>,
) -> Result<(), Stop> {
    let mut c = rec.begin(StepId::C, Outcome::InFlight);
    c.attempt.request = Some(HttpRequest::get(
        delivered.as_deref().unwrap_or(&received.url),
    ));
    // A refusal comes in the query (the demo's) or the fragment (§4.2.2.1).
    if let Ok(Callback::Error { error, .. }) = Callback::parse(&received.query()) {
        c.attempt.summary = format!("error={}", error.error);
        return Err(fail(rec, c, StopReason::Provider(error)));
    }
    let fragment = delivered
        .as_deref()
        .and_then(|url| url::Url::parse(url).ok())
        .and_then(|url| url.fragment().map(str::to_owned));
    let Some(fragment) = fragment else {
        let why = if delivered.is_some() {
            "the redirect has no fragment: the implicit grant puts the access token there (RFC 6749 §4.2.2)"
        } else {
            "the implicit grant puts the access token in the URL fragment, which a browser never sends to the redirect listener: run the lesson with the scripted browser"
        };
        return Err(fail(rec, c, StopReason::UserAgent(why.into())));
    };
    let (tokens, state) = match token::parse_fragment_token(&fragment) {
        Ok(parsed) => parsed,
        Err(TokenError::OAuth { error, .. }) => {
            c.attempt.summary = format!("error={}", error.error);
            return Err(fail(rec, c, StopReason::Provider(error)));
        }
        Err(TokenError::Malformed(why)) => return Err(fail(rec, c, StopReason::Malformed(why))),
    };
    c.attempt.checks = vec![crate::protocol::callback::state_check(
        s.state.as_deref(),
        state.as_deref(),
    )];
    c.attempt.summary = format!(
        "access_token={} in the URL fragment ({})",
        mask(tokens.access_token.expose()),
        tokens.token_type
    );
    if let Some(failed) = c.attempt.checks.iter().find(|c| c.verdict == Verdict::Fail) {
        let stop = StopReason::Check {
            check: failed.id,
            message: failed.detail.clone(),
        };
        return Err(fail(rec, c, stop));
    }
    s.tokens = Some(tokens);
    let outcome = warning_or_ok(&c);
    rec.finish(c, outcome);
    Ok(())
}

fn prepare(s: &mut Session) -> Result<(RedirectListener, HttpRequest), String> {
    s.provider.validate().map_err(|errors| {
        errors
            .iter()
            .map(|(field, msg)| format!("{field}: {msg}"))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    // A key that cannot be read or used would stop the run at D, after the person logged in:
    // found out before the browser opens instead.
    if s.provider.client_auth == ClientAuth::PrivateKeyJwt {
        s.client_credentials()?;
    }
    let listener = RedirectListener::bind(&s.provider.redirect_uri)?;
    s.redirect_uri = listener.redirect_uri.clone();
    let request = s.fresh_authorization_request()?;
    Ok((listener, request))
}

/// Runs `step` with the chosen request, edited, and, while `chain`, the steps after it.
// Long on purpose: one arm per step, each choosing where that step picks up.
pub async fn replay(
    rec: &Recorder,
    s: &mut Session,
    step: StepId,
    request: ReplayRequest,
    edits: &[Edit],
    chain: bool,
) -> Result<(), Stop> {
    // B is the user's part: replaying it means sending the browser to A again.
    let step = if step == StepId::B { StepId::A } else { step };
    let request = match request {
        ReplayRequest::Default if step == StepId::C => None,
        ReplayRequest::Default => Some(s.default_request(step).map_err(|e| request_stop(step, e))?),
        ReplayRequest::Latest => Some(
            rec.trace()
                .step(step)
                .attempts
                .iter()
                .rev()
                .find_map(|a| a.request.clone())
                .ok_or_else(|| {
                    request_stop(
                        step,
                        format!(
                            "step {} has no recorded request to send again",
                            step.letter()
                        ),
                    )
                })?,
        ),
        ReplayRequest::Exact(r) => Some(r),
    };
    let request = match request {
        Some(mut r) => {
            edit::apply(&mut r, edits).map_err(|e| request_stop(step, e))?;
            Some(r)
        }
        None if edits.is_empty() => None,
        None => {
            return Err(request_stop(
                step,
                "there is no request to edit for this step yet".into(),
            ));
        }
    };
    match step {
        StepId::A | StepId::B => {
            let a = rec.begin(StepId::A, Outcome::InFlight);
            let request = match request.map_or_else(|| s.default_request(StepId::A), Ok) {
                Ok(r) => r,
                Err(e) => return Err(fail(rec, a, StopReason::Request(e))),
            };
            // Listen where this request says the provider should redirect, when that is here.
            let target = request
                .query()
                .get("redirect_uri")
                .map_or_else(|| s.redirect_uri.clone(), str::to_owned);
            let mut listener = match s.listener.take() {
                Some(l) if l.serves(&target) => l,
                old => match (RedirectListener::bind(&target), old) {
                    (Ok(l), _) => l,
                    // Not a loopback URI: the provider should refuse it; listen where we can.
                    (Err(_), Some(l)) => l,
                    (Err(e), None) => match RedirectListener::bind(&s.redirect_uri) {
                        Ok(l) => l,
                        Err(_) => return Err(fail(rec, a, StopReason::Request(e))),
                    },
                },
            };
            listener.discard_pending();
            s.state = request.query().get("state").map(str::to_owned);
            s.nonce = request.query().get("nonce").map(str::to_owned);
            let received = authorize(rec, s, a, request, &mut listener)
                .await
                .map(|(received, _)| received);
            s.listener = Some(listener);
            let received = received?;
            if chain {
                continue_from(rec, s, StepId::C, Some(received)).await
            } else {
                callback(rec, s, received).await.map(|_| ())
            }
        }
        StepId::C => {
            let received = request
                .or_else(|| {
                    rec.trace()
                        .step(StepId::C)
                        .latest()
                        .and_then(|a| a.request.clone())
                })
                .ok_or_else(|| {
                    request_stop(
                        StepId::C,
                        "no callback has been received in this run yet".to_owned(),
                    )
                })?;
            if chain {
                continue_from(rec, s, StepId::C, Some(received)).await
            } else {
                callback(rec, s, received).await.map(|_| ())
            }
        }
        StepId::D | StepId::E => {
            let request = resolve(s, step, request)?;
            exchange_code(rec, s, request).await?;
            if chain {
                if s.options.step_mode {
                    return prepare_step(rec, s, StepId::F);
                }
                continue_from(rec, s, StepId::F, None).await?;
            }
            Ok(())
        }
        StepId::Refresh => {
            let request = resolve(s, step, request)?;
            refresh(rec, s, request).await?;
            if chain {
                continue_from(rec, s, StepId::F, None).await?;
            }
            Ok(())
        }
        StepId::F | StepId::G => {
            let request = resolve(s, step, request)?;
            resource(rec, s, request).await
        }
        StepId::Revoke | StepId::Introspect => {
            let request = resolve(s, step, request)?;
            let (resp, open) = single_exchange(rec, s, step, request).await?;
            if (200..300).contains(&resp.status) {
                rec.finish(open, Outcome::Ok);
                return Ok(());
            }
            let reason = match token::parse_token_response(&resp) {
                Err(TokenError::OAuth { error, .. }) => StopReason::Provider(error),
                _ => StopReason::Refused(format!("the provider answered {}", resp.status_line())),
            };
            Err(fail(rec, open, reason))
        }
    }
}

/// The edited request, or the one the step would send by default.
fn resolve(
    s: &mut Session,
    step: StepId,
    request: Option<HttpRequest>,
) -> Result<HttpRequest, Stop> {
    match request {
        Some(r) => Ok(r),
        None => s.default_request(step).map_err(|e| request_stop(step, e)),
    }
}

/// Records the request `step` would send as a prepared, unsent attempt, for the user to edit.
pub fn prepare_step(rec: &Recorder, s: &mut Session, step: StepId) -> Result<(), Stop> {
    let request = s.default_request(step).map_err(|e| request_stop(step, e))?;
    let mut open = rec.begin(step, Outcome::Pending);
    open.attempt.summary = format!(
        "prepared, not sent: {} {}",
        request.method,
        path_of(&request.url)
    );
    open.attempt.request = Some(request);
    rec.update(&open);
    Ok(())
}

/// From `from` to G, honouring `pause_after` and step mode.
async fn continue_from(
    rec: &Recorder,
    s: &mut Session,
    from: StepId,
    received: Option<HttpRequest>,
) -> Result<(), Stop> {
    let pause = s.options.pause_after;
    if from == StepId::C {
        let received =
            received.ok_or_else(|| request_stop(StepId::C, "no callback to check".to_owned()))?;
        callback(rec, s, received).await?;
        if pause == Some(StepId::C) || s.options.step_mode {
            return prepare_step(rec, s, StepId::D);
        }
    }
    if from <= StepId::D {
        let request = s
            .default_request(StepId::D)
            .map_err(|e| request_stop(StepId::D, e))?;
        exchange_code(rec, s, request).await?;
        if matches!(pause, Some(StepId::D | StepId::E)) || s.options.step_mode {
            return prepare_step(rec, s, StepId::F);
        }
    }
    let request = s
        .default_request(StepId::F)
        .map_err(|e| request_stop(StepId::F, e))?;
    resource(rec, s, request).await
}

fn fail(rec: &Recorder, open: Open, reason: StopReason) -> Stop {
    let step = open.step;
    rec.finish(open, Outcome::Failed(reason.to_string()));
    Stop::at(step, reason)
}

/// A request that could not be built or edited stops the run before anything is sent.
fn request_stop(step: StepId, why: String) -> Stop {
    Stop::at(step, StopReason::Request(why))
}

/// How long a look at whether the authorization endpoint answers may take.
const REACH_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether something listens where `url` points (a TCP connection, nothing sent), or why not.
async fn answers(url: &str) -> Result<(), String> {
    let url = url::Url::parse(url).map_err(|e| format!("the URL does not parse ({e})"))?;
    let host = url.host_str().ok_or("the URL names no host")?.to_owned();
    let port = url.port_or_known_default().ok_or("the URL names no port")?;
    let where_ = format!("{host}:{port}");
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    match tokio::time::timeout(REACH_TIMEOUT, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{where_} does not answer from here ({e})")),
        Err(_) => Err(format!(
            "{where_} did not answer from here within {} s",
            REACH_TIMEOUT.as_secs()
        )),
    }
}

/// A and B: sends the browser (or the scripted agent) to the authorization URL and waits for the
/// redirect on the listener. The listener thread answers the redirect by itself, so the scripted
/// agent runs to completion before the callback is collected. Returns the callback and, from the
/// scripted agent, the whole URL it delivered (a fragment included, which no request carries).
async fn authorize(
    rec: &Recorder,
    s: &mut Session,
    mut a: Open,
    request: HttpRequest,
    listener: &mut RedirectListener,
) -> Result<(HttpRequest, Option<String>), Stop> {
    a.attempt.summary = authorization_summary(&request);
    a.attempt.request = Some(request.clone());
    rec.update(&a);
    let mut b = rec.begin(StepId::B, Outcome::WaitingForUser);
    let wait = s.options.callback_timeout;
    let until = crate::timestamp::now_ms().saturating_add(wait.as_millis() as u64);
    b.attempt.summary = format!(
        "waiting for the user to log in and consent: the redirect is awaited until {} ({} s)",
        crate::timestamp::utc_clock(until),
        wait.as_secs()
    );
    rec.update(&b);
    // A person's browser will get nowhere if the provider does not answer here either: say so
    // on A instead of drawing it green while B waits for a redirect that cannot come.
    let unreachable = match &s.options.user_agent {
        UserAgentKind::System | UserAgentKind::Print => answers(&request.url).await.err(),
        UserAgentKind::Scripted { .. } => None,
    };
    let a_went = |opened: &str| match &unreachable {
        None => Outcome::Ok,
        Some(why) => Outcome::Warning(format!(
            "{opened}, but {why}: the browser will most likely not reach it either (unless it goes through a proxy); check the URL, or Cancel"
        )),
    };
    // The callback the scripted agent itself delivered: the one to judge, whatever its state.
    let mut delivered = None;
    match &s.options.user_agent {
        UserAgentKind::System => {
            // An edited A may point anywhere; the browser gets web URLs only.
            if let Err(e) = crate::protocol::http::parse_web_url(&request.url) {
                rec.finish(b, Outcome::Skipped("not opened".into()));
                return Err(fail(rec, a, StopReason::Request(e)));
            }
            let url = request.url.clone();
            let opened = match tokio::task::spawn_blocking(move || webbrowser::open(&url)).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match opened {
                Ok(()) => {
                    a.attempt.summary.push_str(" · opened in the browser");
                    let outcome = a_went("opened in the browser");
                    rec.finish(a, outcome);
                }
                // No browser here (a server, a container, no $BROWSER): the run goes on as
                // with the print user agent, the URL shown for the person to open anywhere.
                Err(e) => {
                    rec.finish(
                        a,
                        Outcome::Warning(format!(
                            "could not open a browser ({e}): open the authorization URL yourself, in any browser; oauthviz waits for the redirect"
                        )),
                    );
                }
            }
        }
        UserAgentKind::Print => {
            let outcome = a_went("shown to open");
            rec.finish(a, outcome);
        }
        UserAgentKind::Scripted {
            username,
            password,
            deny_consent,
            form_fields,
            driver,
        } => {
            let credentials = Credentials {
                username: username.clone(),
                password: password.clone(),
                deny_consent: *deny_consent,
                form_fields: form_fields.clone(),
            };
            let mut pages = Vec::new();
            let (browsed, logged_in, what) = match driver {
                Driver::Http => {
                    let agent = ScriptedAgent::new(s.back.clone(), credentials);
                    let browsed = agent
                        .browse(&request.url, &listener.redirect_uri, &mut pages)
                        .await;
                    // A provider that approves at once (a remembered session, the demo's
                    // auto-approve) shows no login page: the agent logged nobody in.
                    let logged_in = pages.iter().any(|p| {
                        p.request
                            .form()
                            .is_some_and(|f| f.iter().any(|field| field.value == *password))
                    });
                    let sent: Vec<&HttpRequest> = pages.iter().map(|p| &p.request).collect();
                    b.attempt
                        .checks
                        .extend(crate::protocol::login::password_origin_check(
                            &request.url,
                            &sent,
                            password,
                        ));
                    (browsed, logged_in, ("scripted login", "requests"))
                }
                Driver::Chromium => {
                    let browsed = browser::browse(
                        &request.url,
                        &listener.redirect_uri,
                        &credentials,
                        wait,
                        &mut pages,
                    )
                    .await;
                    let logged_in = browsed.as_ref().is_ok_and(|(_, typed)| *typed);
                    (
                        browsed.map(|(url, _)| url),
                        logged_in,
                        ("login in Chromium", "pages"),
                    )
                }
            };
            a.attempt.response = pages.first().and_then(|p| p.response.clone());
            let (how, counted) = what;
            b.attempt.summary = if logged_in {
                format!("{how} as '{username}' ({} {counted})", pages.len())
            } else {
                format!(
                    "no login page: the provider answered at once ({} {counted})",
                    pages.len()
                )
            };
            let first_failed = pages.len() == 1 && pages[0].error.is_some();
            b.attempt.exchanges = pages;
            match browsed {
                Ok(url) => delivered = Some(url),
                Err(e) => {
                    if first_failed {
                        rec.finish(
                            b,
                            Outcome::Skipped("the authorization request failed".into()),
                        );
                        return Err(fail(rec, a, StopReason::Transport(e)));
                    }
                    rec.finish(a, Outcome::Ok);
                    return Err(fail(rec, b, StopReason::UserAgent(e)));
                }
            }
            rec.finish(a, Outcome::Ok);
        }
    }
    let asked_state = s.state.clone();
    let this_run = |callback: &HttpRequest| match (&delivered, &asked_state) {
        (Some(url), _) => same_target(url, &callback.url),
        (None, Some(state)) => callback.query().get("state") == Some(state.as_str()),
        // An A edited to send no state: nothing tells this run's redirect from another's.
        (None, None) => true,
    };
    let deadline = tokio::time::Instant::now() + wait;
    let received = loop {
        let callback = match listener.wait_until(deadline, wait).await {
            Ok(c) => c,
            Err(e) => {
                let e = match set_aside_note(&b) {
                    Some(note) => format!("{e}; {note}"),
                    None => e,
                };
                return Err(fail(rec, b, StopReason::UserAgent(e)));
            }
        };
        if this_run(&callback) {
            break callback;
        }
        // Only this run's redirect may end B: a stray request (another tab, another program on
        // this machine, a forged redirect) is kept and shown, never used (RFC 6749 §10.12).
        b.attempt.exchanges.push(Exchange {
            request: callback,
            response: None,
            error: Some(SET_ASIDE.into()),
            screenshot: None,
        });
        rec.update(&b);
    };
    if b.attempt
        .exchanges
        .iter()
        .all(|x| x.error.as_deref() == Some(SET_ASIDE))
    {
        b.attempt.summary = "the user finished at the authorization server".into();
    }
    // A refusal comes back as the redirect's error: B did not end in a consent, so it is not
    // drawn as one (C says what came back).
    let refused = received.query().get("error").map(|e| {
        crate::protocol::error::ErrorCode::parse(e)
            == crate::protocol::error::ErrorCode::AccessDenied
    });
    let outcome = match refused {
        Some(true) => Outcome::Warning("no consent: the redirect says access_denied".into()),
        Some(false) => Outcome::Warning("the login ended in an error: see C".into()),
        None => match set_aside_note(&b) {
            Some(note) => Outcome::Warning(note),
            None => warning_or_ok(&b),
        },
    };
    rec.finish(b, outcome);
    Ok((received, delivered))
}

/// What a callback that was not this run's is marked with in B.
const SET_ASIDE: &str = "set aside: this request reached the redirect listener without this run's state, so it was not used (RFC 6749 §10.12)";

/// Says how many requests B set aside, and what the last one carried.
fn set_aside_note(b: &Open) -> Option<String> {
    let aside: Vec<&HttpRequest> = b
        .attempt
        .exchanges
        .iter()
        .filter(|x| x.error.as_deref() == Some(SET_ASIDE))
        .map(|x| &x.request)
        .collect();
    let last = aside.last()?;
    let carried = match last.query().get("state") {
        None => "no state".to_owned(),
        Some(other) => format!("state={}", mask(other)),
    };
    Some(format!(
        "{} request(s) with OAuth parameters reached the redirect listener without this run's state and were set aside, not used (the last had {carried}); a provider must return the state it was sent unchanged (RFC 6749 §4.1.2)",
        aside.len()
    ))
}

/// Whether two URLs name the same path and query (the listener rebuilds the host it was bound
/// with, which may be spelled differently from the provider's Location).
fn same_target(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.path() == b.path() && a.query() == b.query(),
        _ => a == b,
    }
}

/// C: the redirect back, checked before anything in it is trusted. Returns the code.
async fn callback(rec: &Recorder, s: &mut Session, received: HttpRequest) -> Result<String, Stop> {
    let mut c = rec.begin(StepId::C, Outcome::InFlight);
    c.attempt.request = Some(received.clone());
    let callback = match Callback::parse(&received.query()) {
        Ok(cb) => cb,
        Err(e) => return Err(fail(rec, c, StopReason::Malformed(e))),
    };
    c.attempt.checks = callback_checks(
        &callback,
        s.state.as_deref(),
        s.provider.issuer.as_deref(),
        s.provider.authorization_response_iss_parameter_supported,
    );
    let code = match &callback {
        Callback::Error { error, .. } => {
            c.attempt.summary = format!("error={}", error.error);
            return Err(fail(rec, c, StopReason::Provider(error.clone())));
        }
        Callback::Code { code, .. } => code.clone(),
    };
    c.attempt.summary = format!("code={}", mask(&code));
    // A failed state or iss check means the code may not be this client's to use.
    if let Some(failed) = c.attempt.checks.iter().find(|c| c.verdict == Verdict::Fail) {
        let stop = StopReason::Check {
            check: failed.id,
            message: failed.detail.clone(),
        };
        return Err(fail(rec, c, stop));
    }
    s.code = Some(code.clone());
    let outcome = warning_or_ok(&c);
    rec.finish(c, outcome);
    Ok(code)
}

/// D and E: the back-channel exchange of the code for tokens.
async fn exchange_code(rec: &Recorder, s: &mut Session, request: HttpRequest) -> Result<(), Stop> {
    let grant = request
        .form()
        .and_then(|f| f.get("grant_type").map(str::to_owned))
        .unwrap_or_default();
    let (resp, mut e) = exchange(
        rec,
        &s.back,
        StepId::D,
        StepId::E,
        request,
        &format!("grant_type={grant}"),
    )
    .await?;
    let tokens = judge_tokens(rec, &resp, &mut e)?;
    if let Some(failed) = check_id_token(s, &tokens, &mut e).await {
        return Err(fail(rec, e, failed));
    }
    s.tokens = Some(tokens);
    let outcome = warning_or_ok(&e);
    rec.finish(e, outcome);
    Ok(())
}

/// Validates the id_token of a token response (OpenID Connect Core §3.1.3.7) into `open`'s
/// checks; returns the reason to stop when a check fails, since a client must not trust it then.
async fn check_id_token(
    s: &Session,
    tokens: &TokenResponse,
    open: &mut Open,
) -> Option<StopReason> {
    let asked_openid = s.provider.scope.split_whitespace().any(|x| x == "openid");
    let Some(id_token) = &tokens.id_token else {
        if asked_openid {
            open.attempt.checks.push(Check::new(
                CheckId::IdTokenPresent,
                Verdict::Warn,
                "scope had openid but the token response has no id_token: this provider did not do OpenID Connect here",
            ));
        }
        return None;
    };
    let jwks = match &s.provider.jwks_uri {
        Some(uri) => {
            let mut req = HttpRequest::get(uri);
            req.headers.push("Accept", "application/json");
            Some(match s.back.send(&req).await {
                Ok(resp) if resp.status == 200 => Ok(resp.body),
                Ok(resp) => Err(format!("the JWKS at {uri} answered {}", resp.status_line())),
                Err(e) => Err(format!("the JWKS at {uri} could not be fetched: {e}")),
            })
        }
        None => None,
    };
    let expected = id_token::Expected {
        issuer: s.provider.issuer.as_deref(),
        client_id: &s.provider.client_id,
        nonce: s.nonce.as_deref(),
        access_token: Some(tokens.access_token.expose()),
        client_secret: s.provider.client_secret.as_ref().map(|x| x.expose()),
        now: crate::timestamp::now_ms() as i64 / 1000,
        leeway: 60,
    };
    let checks = id_token::validate(
        id_token,
        jwks.as_ref().map(|r| r.as_deref().map_err(Clone::clone)),
        &expected,
    );
    let failed: Vec<&Check> = checks
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .collect();
    let stop = failed.first().map(|first| StopReason::Check {
        check: first.id,
        message: format!(
            "the id_token failed validation: {}",
            failed
                .iter()
                .map(|c| format!(
                    "{} ({})",
                    c.name().trim_start_matches("id_token: "),
                    c.detail
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    });
    open.attempt.checks.extend(checks);
    stop
}

/// Refresh (RFC 6749 §6): one step holds the whole exchange.
async fn refresh(rec: &Recorder, s: &mut Session, request: HttpRequest) -> Result<(), Stop> {
    let (resp, mut r) = single_exchange(rec, s, StepId::Refresh, request).await?;
    let mut tokens = judge_tokens(rec, &resp, &mut r)?;
    // §6: a response without a new refresh token means the old one stays valid.
    if tokens.refresh_token.is_none() {
        tokens.refresh_token = s.tokens.as_ref().and_then(|t| t.refresh_token.clone());
    }
    s.tokens = Some(tokens);
    let outcome = warning_or_ok(&r);
    rec.finish(r, outcome);
    Ok(())
}

/// Parses a token response into `open`'s summary and checks; an error fails `open`.
fn judge_tokens(
    rec: &Recorder,
    resp: &HttpResponse,
    open: &mut Open,
) -> Result<TokenResponse, Stop> {
    match token::parse_token_response(resp) {
        Ok(t) => {
            open.attempt.summary = t.summary();
            open.attempt.checks = token::response_checks(resp, &t);
            // A token of a type the client does not understand cannot be used at F.
            if let Some(unusable) = open
                .attempt
                .checks
                .iter()
                .find(|c| c.id == CheckId::TokenTypeBearer && c.verdict == Verdict::Fail)
            {
                let reason = StopReason::Check {
                    check: unusable.id,
                    message: unusable.detail.clone(),
                };
                return Err(fail_in_place(rec, open, reason));
            }
            Ok(t)
        }
        Err(TokenError::OAuth { error, .. }) => {
            open.attempt.summary = format!("{} {}", resp.status, error.error);
            Err(fail_in_place(rec, open, StopReason::Provider(error)))
        }
        Err(TokenError::Malformed(m)) => Err(fail_in_place(rec, open, StopReason::Malformed(m))),
    }
}

fn fail_in_place(rec: &Recorder, open: &mut Open, reason: StopReason) -> Stop {
    open.attempt.duration_ms = Some(open.elapsed_ms());
    open.attempt.outcome = Outcome::Failed(reason.to_string());
    rec.update(open);
    Stop::at(open.step, reason)
}

/// F and G: the protected resource, with the access token as a bearer credential.
async fn resource(rec: &Recorder, s: &mut Session, request: HttpRequest) -> Result<(), Stop> {
    let (resp, mut g) = exchange(
        rec,
        &s.back,
        StepId::F,
        StepId::G,
        request,
        "with Authorization: Bearer",
    )
    .await?;
    g.attempt.summary = response_summary(&resp);
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
    Err(fail(rec, g, StopReason::Refused(reason)))
}

/// An extra step: request and response on one attempt, left open for the caller to judge.
async fn single_exchange(
    rec: &Recorder,
    s: &Session,
    step: StepId,
    request: HttpRequest,
) -> Result<(HttpResponse, Open), Stop> {
    let mut open = rec.begin(step, Outcome::InFlight);
    open.attempt.request = Some(request.clone());
    open.attempt.summary = format!("{} {}", request.method, path_of(&request.url));
    rec.update(&open);
    match s.back.send_keeping_partial(&request).await {
        Ok(resp) => {
            open.attempt.response = Some(resp.clone());
            open.attempt.summary = response_summary(&resp);
            Ok((resp, open))
        }
        Err(err) => {
            open.attempt.response = err.partial;
            open.attempt.transport_error = Some(err.message.clone());
            Err(fail(rec, open, StopReason::Transport(err.message)))
        }
    }
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
    d.attempt.summary = format!("{} {what}", request.method);
    d.attempt.request = Some(request.clone());
    rec.update(&d);
    match client.send_keeping_partial(&request).await {
        Ok(resp) => {
            let mut e = rec.begin_at(resp_step, Outcome::InFlight, d.started());
            e.attempt.response = Some(resp.clone());
            rec.finish(d, Outcome::Ok);
            Ok((resp, e))
        }
        Err(err) => {
            // What did come back of a cut-off answer (status, headers) stays with the error.
            d.attempt.response = err.partial;
            d.attempt.transport_error = Some(err.message.clone());
            Err(fail(rec, d, StopReason::Transport(err.message)))
        }
    }
}

/// A step whose checks warned, or failed without stopping the run (a token response that may
/// be cached is still a token response), is drawn as a warning naming them.
fn warning_or_ok(open: &Open) -> Outcome {
    let warnings: Vec<_> = open
        .attempt
        .checks
        .iter()
        .filter(|c| matches!(c.verdict, Verdict::Warn | Verdict::Fail))
        .map(|c| c.name())
        .collect();
    if warnings.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Warning(warnings.join("; "))
    }
}

fn path_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| url.to_owned())
}

fn response_summary(resp: &HttpResponse) -> String {
    let ct = resp.content_type().unwrap_or("no Content-Type");
    format!(
        "{} · {ct} · {}",
        resp.status_line(),
        human_bytes(resp.body.len())
    )
}

fn authorization_summary(req: &HttpRequest) -> String {
    let q = req.query();
    let mut s = format!("GET {}", path_of(&req.url));
    if let Some(m) = q.get("code_challenge_method") {
        s.push_str(&format!(" · PKCE {m}"));
    }
    if let Some(scope) = q.get("scope") {
        s.push_str(&format!(" · scope={scope}"));
    }
    s
}
