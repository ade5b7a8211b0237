//! The authorization endpoint (RFC 6749 §4.1.1–§4.1.2.1) with its login and consent pages.
//!
//! `GET /authorize` validates the request; until `client_id` and `redirect_uri` are known to be
//! registered, errors are shown as a page and never redirected (§4.1.2.1, §10.15 open redirector).
//! Then it shows the login page (or, with auto-approve, redirects with a code at once).
//! `POST /login` checks the password, sets the session cookie and sends the browser to
//! `GET /consent?id=…`; `POST /consent` redirects to the client with a code or `access_denied`.

use subtle::ConstantTimeEq as _;
use url::Url;

use super::clients::{self, Client};
use super::http::{Request, Response, count, description, enc, first_duplicate};
use super::pages;
use super::scopes::{DEFAULT_SCOPE, parse_scopes};
use super::state::{
    CodeRecord, Ctx, PENDING_TTL, Pending, SESSION_COOKIE, Session, State, unix_now,
};
use super::{DEMO_PASSWORD, DEMO_USERNAME, Misbehave, Misbehaviour};
use crate::protocol::params::Params;
use crate::protocol::random;

/// The way back to the client once `redirect_uri` is trusted: an authorization response or an
/// error response, with `state` (§4.1.2) and `iss` (RFC 9207 §2) added.
struct Back<'a> {
    target: Url,
    state: Option<String>,
    issuer: &'a str,
    misbehaviour: &'a Misbehaviour,
}

impl Back<'_> {
    fn send(&self, status: u16, pairs: &[(&str, &str)]) -> Response {
        let mut url = self.target.clone();
        {
            let mut query = url.query_pairs_mut();
            for (name, value) in pairs {
                query.append_pair(name, value);
            }
            if let Some(state) = self.state_back() {
                query.append_pair("state", &state);
            }
            // RFC 9207 §2: iss in every authorization response, errors included.
            if !self.misbehaviour.has(Misbehave::NoIss) {
                query.append_pair("iss", self.issuer);
            }
        }
        Response::redirect(status, url.as_str())
    }

    /// The state an answer carries back: §4.1.2 (and §4.2.2) make it REQUIRED when the request
    /// had one, with exactly the value received — unless a misbehaviour drops or changes it.
    fn state_back(&self) -> Option<String> {
        let state = self.state.as_ref()?;
        if self.misbehaviour.has(Misbehave::SkipState) {
            None
        } else if self.misbehaviour.has(Misbehave::WrongState) {
            Some(random::state())
        } else {
            Some(state.clone())
        }
    }

    fn error(&self, status: u16, error: &str, text: &str) -> Response {
        self.send(
            status,
            &[("error", error), ("error_description", &description(text))],
        )
    }

    fn code(&self, status: u16, code: &str) -> Response {
        self.send(status, &[("code", code)])
    }

    /// The implicit grant's answer (RFC 6749 §4.2.2): the token response's fields and the state
    /// in the redirect URI's fragment, form-encoded; no refresh token.
    fn token_in_fragment(&self, status: u16, token: &serde_json::Value) -> Response {
        let mut fragment = url::form_urlencoded::Serializer::new(String::new());
        for name in ["access_token", "token_type", "expires_in", "scope"] {
            match token.get(name) {
                Some(serde_json::Value::String(v)) => fragment.append_pair(name, v),
                Some(serde_json::Value::Number(n)) => fragment.append_pair(name, &n.to_string()),
                _ => &mut fragment,
            };
        }
        if let Some(state) = self.state_back() {
            fragment.append_pair("state", &state);
        }
        let mut url = self.target.clone();
        url.set_fragment(Some(&fragment.finish()));
        Response::redirect(status, url.as_str())
    }

    /// What an approved `pending` request gets back: a code, or for the implicit grant the
    /// access token itself.
    fn approved(
        &self,
        ctx: &Ctx,
        st: &mut State,
        pending: Pending,
        user: &str,
        auth_time: u64,
        status: u16,
    ) -> Response {
        if !pending.implicit {
            let code = issue_code(st, pending, user, auth_time);
            return self.code(status, &code);
        }
        match super::token::implicit_token(ctx, st, &pending, user) {
            Ok(token) => self.token_in_fragment(status, &token),
            Err(e) => self.error(status, "server_error", &e),
        }
    }
}

fn no_redirect(title: &str, message: &str) -> Response {
    Response::html(
        400,
        pages::error_page(
            title,
            message,
            "Because the client or its redirect_uri could not be trusted, this error is shown here \
             instead of being sent back to the client (RFC 6749 §4.1.2.1).",
        ),
    )
}

/// `GET /authorize`.
pub(crate) fn authorize(ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    let params = req.query_params();
    let misbehaviour = st.misbehaviour.clone();

    // Who is asking, and where would the answer go? Errors here are never redirected.
    let (client, redirect_uri, target) = match trusted_client(&params, &misbehaviour) {
        Ok(trusted) => trusted,
        Err(page) => return page,
    };
    if misbehaviour.has(Misbehave::PinRedirectPort) {
        let first = *st.first_ports.entry(client.id).or_insert(target.port());
        if first != target.port() {
            return no_redirect(
                "Invalid redirect_uri",
                &format!(
                    "The redirect_uri '{redirect_uri}' uses another port than this client's first request."
                ),
            );
        }
    }
    let back = Back {
        target,
        state: params.get("state").map(str::to_owned),
        issuer: &ctx.issuer,
        misbehaviour: &misbehaviour,
    };

    // From here on, errors go back to the client (§4.1.2.1).
    let (scopes, code_challenge) = match checked_request(&params, client, &back) {
        Ok(checked) => checked,
        Err(redirect) => return redirect,
    };
    let pending = Pending {
        client_id: client.id,
        redirect_uri: redirect_uri.to_owned(),
        state: back.state.clone(),
        scopes,
        code_challenge,
        nonce: params.get("nonce").map(str::to_owned),
        implicit: params.get("response_type") == Some("token"),
        created: std::time::Instant::now(),
        session: None,
    };
    if st.auto_approve {
        return back.approved(ctx, st, pending, DEMO_USERNAME, unix_now(), 302);
    }
    let id = random::token(24);
    st.pending.insert(id.clone(), pending);
    if st.js_login {
        return pages::js_login(&id, client);
    }
    Response::html(200, pages::login(&id, client, None, ""))
}

/// The client and its redirect URI, once both are known to be registered (and the URI parses);
/// until then an error is a page, never a redirect (RFC 6749 §4.1.2.1, §10.15).
fn trusted_client<'p>(
    params: &'p Params,
    misbehaviour: &Misbehaviour,
) -> Result<(&'static Client, &'p str, Url), Response> {
    for name in ["client_id", "redirect_uri"] {
        if count(params, name) > 1 {
            return Err(no_redirect(
                "Invalid request",
                &format!("The parameter {name} is repeated (RFC 6749 §3.1)."),
            ));
        }
    }
    let Some(client_id) = params.get("client_id") else {
        return Err(no_redirect(
            "Invalid request",
            "The request has no client_id (RFC 6749 §4.1.1).",
        ));
    };
    let Some(client) = clients::find(client_id) else {
        return Err(no_redirect(
            "Unknown client",
            &format!("No client with client_id '{client_id}' is registered here."),
        ));
    };
    // Two redirect URIs are registered, so the request must name one (RFC 6749 §3.1.2.3).
    let Some(redirect_uri) = params.get("redirect_uri") else {
        return Err(no_redirect(
            "Invalid request",
            "The request has no redirect_uri; this client has several registered, so it must say which (RFC 6749 §3.1.2.3).",
        ));
    };
    let registered = clients::registered_redirect_uris().join(" or ");
    if !misbehaviour.has(Misbehave::AnyRedirectUri)
        && !clients::redirect_uri_allowed(
            redirect_uri,
            misbehaviour.has(Misbehave::LooseRedirectUri),
        )
    {
        return Err(no_redirect(
            "Invalid redirect_uri",
            &format!(
                "The redirect_uri '{redirect_uri}' is not registered for {client_id}. Registered: {registered}, \
                 on any port (RFC 8252 §7.3), compared as exact strings (RFC 9700 §2.1)."
            ),
        ));
    }
    let Ok(target) = Url::parse(redirect_uri) else {
        return Err(no_redirect(
            "Invalid redirect_uri",
            &format!("The redirect_uri '{redirect_uri}' is not a valid URL."),
        ));
    };
    Ok((client, redirect_uri, target))
}

/// The checks whose errors go back to the client: repeated parameters, `response_type`, the
/// scope and PKCE. Returns the scopes granted and the code challenge to remember.
fn checked_request(
    params: &Params,
    client: &Client,
    back: &Back<'_>,
) -> Result<(Vec<String>, Option<String>), Response> {
    let misbehaviour = back.misbehaviour;
    if let Some(name) = first_duplicate(params) {
        return Err(back.error(
            302,
            "invalid_request",
            &format!("the parameter {name} is repeated (RFC 6749 §3.1)"),
        ));
    }
    match params.get("response_type") {
        None => {
            return Err(back.error(
                302,
                "invalid_request",
                "response_type is missing (RFC 6749 §4.1.1)",
            ));
        }
        Some("code") => {}
        // The implicit grant, for the lesson that shows why it is not recommended.
        Some("token") if misbehaviour.has(Misbehave::ImplicitGrant) => {}
        Some(other) => {
            return Err(back.error(
                302,
                "unsupported_response_type",
                &format!("response_type '{other}' is not supported; this provider only does the authorization code flow (response_type=code)"),
            ));
        }
    }
    let scopes = match parse_scopes(params.get("scope"), DEFAULT_SCOPE) {
        Ok(s) => s,
        Err(e) => return Err(back.error(302, "invalid_scope", &e)),
    };
    if misbehaviour.has(Misbehave::RequireNonce)
        && scopes.iter().any(|s| s == "openid")
        && params.get("nonce").is_none()
    {
        return Err(back.error(302, "invalid_request", "nonce is required"));
    }
    // PKCE binds a code to its client; the implicit grant has no code to bind.
    let implicit = params.get("response_type") == Some("token");
    let code_challenge = if misbehaviour.has(Misbehave::IgnorePkce) || implicit {
        None
    } else {
        match check_pkce(
            client,
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        ) {
            Ok(c) => c,
            Err(e) => return Err(back.error(302, "invalid_request", &e)),
        }
    };
    Ok((scopes, code_challenge))
}

/// RFC 7636 §4.3 and RFC 9700 §2.1.1: the challenge, if any, must use S256; the public client
/// must send one.
fn check_pkce(
    client: &Client,
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<String>, String> {
    let Some(challenge) = challenge else {
        if method.is_some() {
            return Err("code_challenge_method without code_challenge (RFC 7636 §4.3)".into());
        }
        if client.is_public() {
            return Err(format!(
                "{} is a public client: PKCE is required (send code_challenge with code_challenge_method=S256, RFC 9700 §2.1.1)",
                client.id
            ));
        }
        return Ok(None);
    };
    match method {
        Some("S256") => {}
        // RFC 7636 §4.3: an absent method means plain.
        None | Some("plain") => {
            return Err("code_challenge_method plain is not accepted here: use S256 (RFC 9700 §2.1.1; an absent method means plain, RFC 7636 §4.3)".into());
        }
        Some(other) => {
            return Err(format!(
                "unsupported code_challenge_method '{other}': use S256"
            ));
        }
    }
    // BASE64URL(SHA-256(verifier)) is always 43 characters.
    let well_formed = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(
            "code_challenge is not a base64url SHA-256 value (43 characters, RFC 7636 §4.2)".into(),
        );
    }
    Ok(Some(challenge.to_owned()))
}

/// Creates a single-use authorization code for an approved request.
fn issue_code(st: &mut State, pending: Pending, user: &str, auth_time: u64) -> String {
    let weak = st.misbehaviour.has(Misbehave::WeakTokens);
    let code = random::token(if weak { 3 } else { 32 });
    st.codes.insert(
        code.clone(),
        CodeRecord {
            client_id: pending.client_id,
            redirect_uri: pending.redirect_uri,
            scopes: pending.scopes,
            code_challenge: pending.code_challenge,
            nonce: pending.nonce,
            user: user.to_owned(),
            auth_time,
            issued: std::time::Instant::now(),
            used: false,
            grants: Vec::new(),
        },
    );
    code
}

fn expired_request() -> Response {
    Response::html(
        400,
        pages::error_page(
            "Sign-in request expired",
            "This sign-in request is unknown or has expired.",
            &format!(
                "Sign-in requests last {} minutes. Start again from the app.",
                PENDING_TTL.as_secs() / 60
            ),
        ),
    )
}

fn not_a_form() -> Response {
    Response::html(
        415,
        pages::error_page(
            "Unsupported form encoding",
            "The form must be sent as application/x-www-form-urlencoded.",
            "Submit the form from the page.",
        ),
    )
}

/// The pending request a form or page refers to (with its id), if it is still live.
fn live_pending<'a>(st: &'a State, id: Option<&str>) -> Option<(String, &'a Pending)> {
    let id = id?;
    let pending = st.pending.get(id)?;
    (pending.created.elapsed() <= PENDING_TTL).then(|| (id.to_owned(), pending))
}

/// `POST /login`: form fields `id`, `username`, `password`; or, from the JavaScript login page,
/// the same as a JSON object, answered in JSON (`{"next": URL}` or `{"error": …}`).
pub(crate) fn login(_ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    let json = req
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json"));
    let fields = if json {
        serde_json::from_slice::<serde_json::Value>(&req.body)
            .ok()
            .map(|v| {
                let field = |name: &str| v.get(name).and_then(|f| f.as_str()).map(str::to_owned);
                [field("id"), field("username"), field("password")]
            })
    } else if req.is_form() {
        req.form().ok().map(|f| {
            let field = |name: &str| f.get(name).map(str::to_owned);
            [field("id"), field("username"), field("password")]
        })
    } else {
        None
    };
    let Some([id, username, password]) = fields else {
        return not_a_form();
    };
    let Some((id, pending)) = live_pending(st, id.as_deref()) else {
        return expired_request();
    };
    let Some(client) = clients::find(pending.client_id) else {
        return expired_request();
    };
    let username = username.unwrap_or_default();
    let password = password.unwrap_or_default();
    let password_ok = bool::from(password.as_bytes().ct_eq(DEMO_PASSWORD.as_bytes()));
    if username != DEMO_USERNAME || !password_ok {
        if json {
            return Response::json(
                401,
                &serde_json::json!({ "error": "Wrong username or password." }),
            );
        }
        return Response::html(
            200,
            pages::login(&id, client, Some("Wrong username or password."), &username),
        );
    }
    let session = random::token(32);
    st.sessions.insert(
        session.clone(),
        Session {
            user: username.to_owned(),
            auth_time: unix_now(),
            created: std::time::Instant::now(),
        },
    );
    if let Some(p) = st.pending.get_mut(&id) {
        p.session = Some(session.clone());
    }
    let next = format!("/consent?id={}", enc(&id));
    let answer = if json {
        Response::json(200, &serde_json::json!({ "next": next }))
    } else {
        Response::redirect(303, &next)
    };
    answer.header(
        "Set-Cookie",
        format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"),
    )
}

/// The pending request and the signed-in user, if the browser's session is the one that signed
/// in for this request.
fn consent_context<'a>(
    st: &'a State,
    req: &Request,
    id: Option<&str>,
) -> Result<(String, &'a Pending, &'static Client, String), Response> {
    let Some((id, pending)) = live_pending(st, id) else {
        return Err(expired_request());
    };
    let Some(client) = clients::find(pending.client_id) else {
        return Err(expired_request());
    };
    let session = st.session(req.cookie(SESSION_COOKIE));
    match session {
        Some((sid, s)) if pending.session.as_deref() == Some(sid) => {
            Ok((id, pending, client, s.user.clone()))
        }
        _ => Err(Response::html(
            403,
            pages::error_page(
                "Sign in first",
                "This consent page belongs to a sign-in that did not happen in this browser.",
                "Start again from the app; cookies must be enabled.",
            ),
        )),
    }
}

/// `GET /consent?id=…`.
pub(crate) fn consent_page(_ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    let query = req.query_params();
    match consent_context(st, req, query.get("id")) {
        Ok((id, pending, client, user)) => Response::html(
            200,
            pages::consent(&id, client, &user, &pending.scopes, &pending.redirect_uri),
        ),
        Err(page) => page,
    }
}

/// `POST /consent`: form fields `id` and `decision` (`approve` or `deny`).
pub(crate) fn consent_decision(ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    if !req.is_form() {
        return not_a_form();
    }
    let Ok(form) = req.form() else {
        return not_a_form();
    };
    let (id, user, auth_time) = match consent_context(st, req, form.get("id")) {
        Ok((id, pending, _, user)) => {
            let auth_time = pending
                .session
                .as_ref()
                .and_then(|s| st.sessions.get(s))
                .map_or_else(unix_now, |s| s.auth_time);
            (id, user, auth_time)
        }
        Err(page) => return page,
    };
    let approve = match form.get("decision") {
        Some("approve") => true,
        Some("deny") => false,
        _ => {
            return Response::html(
                400,
                pages::error_page(
                    "Invalid decision",
                    "The consent form needs decision=approve or decision=deny.",
                    "Use the buttons on the page.",
                ),
            );
        }
    };
    let Some(pending) = st.pending.remove(&id) else {
        return expired_request();
    };
    let Ok(target) = Url::parse(&pending.redirect_uri) else {
        return expired_request();
    };
    let misbehaviour = st.misbehaviour.clone();
    let back = Back {
        target,
        state: pending.state.clone(),
        issuer: &ctx.issuer,
        misbehaviour: &misbehaviour,
    };
    if approve {
        back.approved(ctx, st, pending, &user, auth_time, 303)
    } else {
        back.error(
            303,
            "access_denied",
            "the resource owner denied the request",
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn pkce_rules() {
        let public = clients::find(super::super::PUBLIC_CLIENT_ID).unwrap();
        let basic = clients::find(super::super::BASIC_CLIENT_ID).unwrap();
        let good = crate::protocol::pkce::s256(&"v".repeat(43));
        assert_eq!(
            check_pkce(public, Some(&good), Some("S256")).unwrap(),
            Some(good.clone())
        );
        assert!(
            check_pkce(public, None, None)
                .unwrap_err()
                .contains("PKCE is required")
        );
        assert_eq!(check_pkce(basic, None, None).unwrap(), None);
        assert!(
            check_pkce(basic, Some(&good), None)
                .unwrap_err()
                .contains("S256")
        );
        assert!(
            check_pkce(basic, Some(&good), Some("plain"))
                .unwrap_err()
                .contains("S256")
        );
        assert!(check_pkce(basic, Some("short"), Some("S256")).is_err());
        assert!(check_pkce(basic, None, Some("S256")).is_err());
    }
}
