//! The token endpoint (RFC 6749 §3.2, §4.1.3, §6, §4.4), client authentication (§2.3), and the
//! revocation (RFC 7009) and introspection (RFC 7662) endpoints that share it.

use std::time::Instant;

use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;

use super::clients::{self, AUTHORIZATION_CODE, CLIENT_CREDENTIALS, Client, REFRESH_TOKEN};
use super::http::{Request, Response, description, first_duplicate};
use super::keys::at_hash;
use super::resource::{RESOURCE_PATH, user_claims};
use super::scopes::parse_scopes;
use super::state::{AccessRecord, Ctx, REFRESH_TTL, RefreshRecord, State, later, unix_now};
use super::{Misbehave, Misbehaviour};
use crate::protocol::error::{ErrorCode, OAuthError};
use crate::protocol::params::Params;
use crate::protocol::pkce;
use crate::protocol::random;
use crate::protocol::token::ClientAuth;

/// The `WWW-Authenticate` challenge on every 401 of these endpoints (RFC 6749 §5.2; RFC 9110
/// §15.5.2 requires one on any 401).
pub(crate) const BASIC_CHALLENGE: &str = "Basic realm=\"oauthviz-demo\"";

/// An RFC 6749 §5.2 error with its HTTP status.
#[derive(Debug)]
pub(crate) struct Failure {
    status: u16,
    error: OAuthError,
}

impl Failure {
    fn new(status: u16, error: &str, text: &str) -> Self {
        Self {
            status,
            error: OAuthError::new(ErrorCode::parse(error), description(text)),
        }
    }

    fn invalid_request(text: &str) -> Self {
        Self::new(400, "invalid_request", text)
    }

    fn invalid_grant(text: &str) -> Self {
        Self::new(400, "invalid_grant", text)
    }

    fn invalid_client(text: &str) -> Self {
        Self::new(401, "invalid_client", text)
    }

    fn server_error(text: &str) -> Self {
        Self::new(500, "server_error", text)
    }

    /// The error as RFC 6749 §5.2 wants it, unless `m` says to break the format.
    fn into_response(self, m: &Misbehaviour) -> Response {
        let status = if m.has(Misbehave::TokenInHttp200Error) {
            200
        } else {
            self.status
        };
        let resp = if m.has(Misbehave::TextErrors) {
            Response::text(status, &format!("error: {}", self.error.error))
        } else {
            Response::json(status, &json!(self.error))
        };
        if self.status == 401 {
            resp.header("WWW-Authenticate", BASIC_CHALLENGE)
        } else {
            resp
        }
    }
}

/// RFC 6749 §5.1: token responses (and anything carrying token data) must not be cached.
fn no_store(resp: Response, misbehaviour: Option<&Misbehaviour>) -> Response {
    if misbehaviour.is_some_and(|m| m.has(Misbehave::NoCacheControl)) {
        resp
    } else {
        resp.header("Cache-Control", "no-store")
            .header("Pragma", "no-cache")
    }
}

fn required<'a>(form: &'a Params, name: &str) -> Result<&'a str, Failure> {
    match form.get(name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Failure::invalid_request(&format!(
            "the parameter {name} is missing"
        ))),
    }
}

/// The form body of a POST to the token, revocation or introspection endpoint.
fn read_form(req: &Request, m: &Misbehaviour) -> Result<Params, Failure> {
    let get = req.method == "GET" && m.has(Misbehave::TokenAcceptsGet);
    let mut form = if get {
        Params::new()
    } else {
        if !req.is_form() {
            return Err(Failure::invalid_request(
                "the body must be application/x-www-form-urlencoded (RFC 6749 §4.1.3)",
            ));
        }
        req.form().map_err(|e| Failure::invalid_request(&e))?
    };
    if let Some(query) = req.query.as_deref().filter(|q| !q.is_empty()) {
        if !get && !m.has(Misbehave::ReadQueryParams) {
            return Err(Failure::invalid_request(
                "parameters belong in the POST body, not the URL query (RFC 6749 §3.2)",
            ));
        }
        for p in Params::parse(query).iter() {
            form.push(&p.name, &p.value);
        }
    }
    if let Some(name) = first_duplicate(&form).filter(|_| !m.has(Misbehave::AcceptRepeatedParams)) {
        return Err(Failure::invalid_request(&format!(
            "the parameter {name} is repeated (RFC 6749 §3.2)"
        )));
    }
    Ok(form)
}

/// Client authentication (RFC 6749 §2.3): `client_secret_basic`, `client_secret_post` or, for
/// the public client, just `client_id`. A client must use the method it is registered with.
fn authenticate(
    req: &Request,
    form: &Params,
    m: &Misbehaviour,
) -> Result<&'static Client, Failure> {
    let body_id = form.get("client_id");
    let body_secret = form.get("client_secret");
    if let Some(header) = req.header("authorization") {
        if body_secret.is_some() && !m.has(Misbehave::AcceptDoubleAuth) {
            return Err(Failure::invalid_request(
                "the client sent credentials in both the Authorization header and the body; use exactly one method (RFC 6749 §2.3)",
            ));
        }
        let (id, secret) = clients::parse_basic(header).map_err(|e| Failure::invalid_client(&e))?;
        if body_id.is_some_and(|b| b != id) {
            return Err(Failure::invalid_request(
                "client_id in the body differs from the client id in the Authorization header",
            ));
        }
        let client = clients::find(&id)
            .ok_or_else(|| Failure::invalid_client(&format!("unknown client '{id}'")))?;
        if client.auth != ClientAuth::Basic
            && !(client.auth == ClientAuth::Post && m.has(Misbehave::AnyAuthMethod))
        {
            return Err(Failure::invalid_client(&format!(
                "{} is registered for {}, not client_secret_basic",
                client.id,
                client.auth.method_name()
            )));
        }
        if !client.secret_matches(&secret) {
            return Err(Failure::invalid_client("wrong client secret"));
        }
        return Ok(client);
    }
    let Some(id) = body_id else {
        return Err(Failure::invalid_client(
            "no client authentication: use client_secret_basic, client_secret_post, or client_id for a public client (RFC 6749 §2.3)",
        ));
    };
    let client = clients::find(id)
        .ok_or_else(|| Failure::invalid_client(&format!("unknown client '{id}'")))?;
    let unauthenticated_ok = m.has(Misbehave::AllowUnauthenticatedClients);
    match (client.auth, body_secret) {
        (ClientAuth::Post | ClientAuth::Basic, None) if unauthenticated_ok => Ok(client),
        (ClientAuth::Post, Some(secret)) if client.secret_matches(secret) => Ok(client),
        (ClientAuth::Post, Some(_)) => Err(Failure::invalid_client("wrong client secret")),
        (ClientAuth::Post, None) => Err(Failure::invalid_client(&format!(
            "client_secret is missing: {id} authenticates with client_secret_post"
        ))),
        (ClientAuth::Basic, Some(secret))
            if m.has(Misbehave::AnyAuthMethod) && client.secret_matches(secret) =>
        {
            Ok(client)
        }
        (ClientAuth::Basic, _) => Err(Failure::invalid_client(&format!(
            "{id} must authenticate with client_secret_basic (an Authorization: Basic header)"
        ))),
        (ClientAuth::None, Some(_)) => Err(Failure::invalid_client(&format!(
            "{id} is a public client and has no secret (token_endpoint_auth_method none)"
        ))),
        (ClientAuth::None, None) => Ok(client),
        // No demo client is registered with private_key_jwt (clients.rs).
        (ClientAuth::PrivateKeyJwt, _) => Err(Failure::invalid_client(&format!(
            "{id} is not registered for private_key_jwt"
        ))),
    }
}

/// `POST /token`.
pub(crate) fn token(ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    let misbehaviour = st.misbehaviour.clone();
    if req.method != "POST" && !misbehaviour.has(Misbehave::TokenAcceptsGet) {
        return Response::method_not_allowed("POST");
    }
    let resp = match token_inner(ctx, st, req) {
        Ok(body) if misbehaviour.has(Misbehave::TokenTextPlain) => {
            Response::json(200, &body).replace_header("Content-Type", "text/plain")
        }
        Ok(body) => Response::json(200, &body),
        Err(f) => f.into_response(&misbehaviour),
    };
    no_store(resp, Some(&misbehaviour))
}

fn token_inner(ctx: &Ctx, st: &mut State, req: &Request) -> Result<Value, Failure> {
    let m = st.misbehaviour.clone();
    let form = read_form(req, &m)?;
    let client = authenticate(req, &form, &m)?;
    let grant_type = required(&form, "grant_type")?;
    if ![AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS].contains(&grant_type) {
        return Err(Failure::new(
            400,
            "unsupported_grant_type",
            &format!(
                "grant_type '{grant_type}' is not supported; use authorization_code, refresh_token or client_credentials"
            ),
        ));
    }
    if !client.grants.contains(&grant_type) {
        return Err(Failure::new(
            400,
            "unauthorized_client",
            &format!("{} may not use grant_type {grant_type}", client.id),
        ));
    }
    match grant_type {
        AUTHORIZATION_CODE => exchange_code(ctx, st, client, &form),
        REFRESH_TOKEN => refresh(ctx, st, client, &form),
        _ => client_credentials(ctx, st, client, &form),
    }
}

/// The authorization code grant (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6).
fn exchange_code(
    ctx: &Ctx,
    st: &mut State,
    client: &'static Client,
    form: &Params,
) -> Result<Value, Failure> {
    let code = required(form, "code")?;
    // §4.1.3: REQUIRED because the authorization request carried one (it always does here).
    let misbehaviour = st.misbehaviour.clone();
    let check_redirect_uri = !misbehaviour.has(Misbehave::SkipRedirectUriAtToken);
    let redirect_uri = if check_redirect_uri {
        required(form, "redirect_uri")?
    } else {
        ""
    };
    let verifier = form.get("code_verifier");
    let ignore_pkce = misbehaviour.has(Misbehave::IgnorePkce);
    if !ignore_pkce && verifier.is_some_and(|v| !pkce::verifier_is_well_formed(v)) {
        return Err(Failure::invalid_request(
            "code_verifier is malformed: 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
        ));
    }
    let Some(record) = st.codes.get(code).cloned() else {
        return Err(Failure::invalid_grant("unknown authorization code"));
    };
    if record.client_id != client.id && !misbehaviour.has(Misbehave::CodesForAnyClient) {
        return Err(Failure::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if record.used && !misbehaviour.has(Misbehave::AcceptReusedCodes) {
        // §4.1.2: "If an authorization code is used more than once, the authorization server
        // MUST deny the request and SHOULD revoke (when possible) all tokens previously issued
        // based on that authorization code." (also §10.5)
        if !misbehaviour.has(Misbehave::KeepTokensOnCodeReuse) {
            for grant in &record.grants {
                st.revoke_grant(grant);
            }
        }
        return Err(Failure::invalid_grant(
            "the code has already been used; the tokens issued for it are now revoked (RFC 6749 §4.1.2)",
        ));
    }
    if record.issued.elapsed() > ctx.code_ttl && !misbehaviour.has(Misbehave::CodesNeverExpire) {
        return Err(Failure::invalid_grant(&format!(
            "the code has expired (codes live {} ms)",
            ctx.code_ttl.as_millis()
        )));
    }
    if check_redirect_uri && record.redirect_uri != redirect_uri {
        return Err(Failure::invalid_grant(
            "redirect_uri differs from the one in the authorization request (RFC 6749 §4.1.3)",
        ));
    }
    if !ignore_pkce {
        match (&record.code_challenge, verifier) {
            (Some(challenge), Some(v)) => {
                if !bool::from(pkce::s256(v).as_bytes().ct_eq(challenge.as_bytes())) {
                    return Err(Failure::invalid_grant(
                        "code_verifier does not match the code_challenge (RFC 7636 §4.6)",
                    ));
                }
            }
            (Some(_), None) => {
                return Err(Failure::invalid_grant(
                    "code_verifier is missing, but the authorization request had a code_challenge (RFC 7636 §4.5)",
                ));
            }
            (None, Some(_)) if misbehaviour.has(Misbehave::AcceptPkceDowngrade) => {}
            (None, Some(_)) => {
                return Err(Failure::invalid_grant(
                    "code_verifier was sent, but the authorization request had no code_challenge (PKCE downgrade, RFC 9700 §2.1.1)",
                ));
            }
            (None, None) => {}
        }
    }
    let grant = random::token(16);
    if let Some(r) = st.codes.get_mut(code) {
        r.used = true;
        r.grants.push(grant.clone());
    }
    issue(
        ctx,
        st,
        Issue {
            client,
            sub: &record.user,
            scopes: &record.scopes,
            refresh_scopes: Some(&record.scopes),
            grant: &grant,
            id_token: Some((record.auth_time, record.nonce.as_deref())),
        },
    )
}

/// The refresh token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).
fn refresh(
    ctx: &Ctx,
    st: &mut State,
    client: &'static Client,
    form: &Params,
) -> Result<Value, Failure> {
    let token = required(form, "refresh_token")?;
    let Some(record) = st.refresh.get(token).cloned() else {
        return Err(Failure::invalid_grant("unknown refresh token"));
    };
    if record.client_id != client.id {
        return Err(Failure::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    if record.revoked || st.grant_revoked(&record.grant) {
        return Err(Failure::invalid_grant("the refresh token has been revoked"));
    }
    let m = st.misbehaviour.clone();
    if record.rotated {
        // A rotated token came back: either the client or an attacker holds a stolen copy.
        // Revoke the whole family so neither can go on (RFC 9700 §4.14.2).
        if !m.has(Misbehave::NoRefreshReuseDetection) {
            st.revoke_grant(&record.grant);
        }
        return Err(Failure::invalid_grant(
            "refresh token reuse: this token was already exchanged, so every token of this grant is now revoked (RFC 9700 §4.14.2)",
        ));
    }
    if Instant::now() >= record.expires {
        return Err(Failure::invalid_grant("the refresh token has expired"));
    }
    let scopes = match form.get("scope") {
        None => record.scopes.clone(),
        Some(s) if m.has(Misbehave::WidenScopeOnRefresh) => {
            s.split_whitespace().map(str::to_owned).collect()
        }
        Some(s) => {
            let asked =
                parse_scopes(Some(s), "").map_err(|e| Failure::new(400, "invalid_scope", &e))?;
            if let Some(extra) = asked.iter().find(|a| !record.scopes.contains(a)) {
                return Err(Failure::new(
                    400,
                    "invalid_scope",
                    &format!("scope {extra} was not granted originally (RFC 6749 §6)"),
                ));
            }
            asked
        }
    };
    let rotate = !m.has(Misbehave::NoRefreshRotation);
    if let Some(r) = st.refresh.get_mut(token) {
        r.rotated = rotate;
    }
    issue(
        ctx,
        st,
        Issue {
            client,
            sub: &record.sub,
            scopes: &scopes,
            // §6: the new refresh token keeps the scope of the old one.
            refresh_scopes: rotate.then_some(&record.scopes[..]),
            grant: &record.grant,
            id_token: None,
        },
    )
}

/// The client credentials grant (RFC 6749 §4.4): a token about the client itself, `api.read` only.
fn client_credentials(
    ctx: &Ctx,
    st: &mut State,
    client: &'static Client,
    form: &Params,
) -> Result<Value, Failure> {
    let scopes = parse_scopes(form.get("scope"), "api.read")
        .map_err(|e| Failure::new(400, "invalid_scope", &e))?;
    if let Some(s) = scopes.iter().find(|s| *s != "api.read") {
        return Err(Failure::new(
            400,
            "invalid_scope",
            &format!("scope {s} needs a user; client_credentials tokens can only carry api.read"),
        ));
    }
    let grant = random::token(16);
    issue(
        ctx,
        st,
        Issue {
            client,
            sub: client.id,
            scopes: &scopes,
            // §4.4.3: a refresh token SHOULD NOT be included.
            refresh_scopes: None,
            grant: &grant,
            id_token: None,
        },
    )
}

struct Issue<'a> {
    client: &'static Client,
    sub: &'a str,
    scopes: &'a [String],
    /// Issue a refresh token with these scopes.
    refresh_scopes: Option<&'a [String]>,
    grant: &'a str,
    /// `(auth_time, nonce)` for an ID token, issued when the scopes include `openid`.
    id_token: Option<(u64, Option<&'a str>)>,
}

/// Mints the tokens of a successful token response (RFC 6749 §5.1).
fn issue(ctx: &Ctx, st: &mut State, issue: Issue<'_>) -> Result<Value, Failure> {
    let now = unix_now();
    let ttl = ctx.access_ttl;
    let m = st.misbehaviour.clone();
    let weak = m.has(Misbehave::WeakTokens);
    let sub = if m.has(Misbehave::EmptySub) {
        ""
    } else {
        issue.sub
    };
    let scope = issue.scopes.join(" ");
    let jti = random::token(16);
    // RFC 9068 §2.2: a JWT access token for the protected API.
    let claims = json!({
        "iss": ctx.issuer,
        "sub": issue.sub,
        "aud": ctx.url(RESOURCE_PATH),
        "client_id": issue.client.id,
        "scope": scope,
        "jti": jti,
        "iat": now,
        "exp": now.saturating_add(ttl.as_secs()),
    });
    let access_token = if weak {
        random::token(3)
    } else {
        ctx.key
            .get()
            .and_then(|key| key.sign_jwt("at+jwt", &claims))
            .map_err(|e| Failure::server_error(&e))?
    };
    st.access.insert(
        access_token.clone(),
        AccessRecord {
            client_id: issue.client.id,
            sub: issue.sub.to_owned(),
            scopes: issue.scopes.to_vec(),
            grant: issue.grant.to_owned(),
            jti,
            iat: now,
            exp: now.saturating_add(ttl.as_secs()),
            expires: later(ttl),
            revoked: false,
        },
    );
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ttl.as_secs(),
        "scope": scope,
    });
    if m.has(Misbehave::NoExpiresIn)
        && let Value::Object(map) = &mut body
    {
        map.remove("expires_in");
    }
    if let Some(refresh_scopes) = issue.refresh_scopes {
        let refresh_token = random::token(if weak { 3 } else { 32 });
        st.refresh.insert(
            refresh_token.clone(),
            RefreshRecord {
                client_id: issue.client.id,
                sub: issue.sub.to_owned(),
                scopes: refresh_scopes.to_vec(),
                grant: issue.grant.to_owned(),
                iat: now,
                expires: later(REFRESH_TTL),
                rotated: false,
                revoked: false,
            },
        );
        body["refresh_token"] = json!(refresh_token);
    }
    if let Some((auth_time, nonce)) = issue.id_token
        && issue.scopes.iter().any(|s| s == "openid")
    {
        // OpenID Connect Core §2 and §3.1.3.6.
        let mut claims = json!({
            "iss": ctx.issuer,
            "sub": sub,
            "aud": if m.has(Misbehave::WrongAud) { "another-client" } else { issue.client.id },
            "exp": now.saturating_add(ttl.as_secs()),
            "iat": now,
            "auth_time": if m.has(Misbehave::FutureAuthTime) { now + 3600 } else { auth_time },
            "at_hash": at_hash(&access_token),
        });
        if let Some(nonce) = nonce.filter(|_| !m.has(Misbehave::DropNonce)) {
            claims["nonce"] = json!(nonce);
        }
        if let Value::Object(map) = &mut claims {
            map.extend(user_claims(issue.scopes));
        }
        let id_token = ctx
            .key
            .get()
            .and_then(|key| key.sign_jwt("JWT", &claims))
            .map_err(|e| Failure::server_error(&e))?;
        body["id_token"] = json!(id_token);
    }
    Ok(body)
}

/// The access token the implicit grant puts in the redirect (RFC 6749 §4.2.2): as a token
/// response's fields, with no refresh token (§4.2.2: the server MUST NOT issue one).
pub(crate) fn implicit_token(
    ctx: &Ctx,
    st: &mut State,
    pending: &crate::demo::state::Pending,
    user: &str,
) -> Result<Value, String> {
    let client = clients::find(pending.client_id)
        .ok_or_else(|| format!("unknown client {}", pending.client_id))?;
    let grant = random::token(16);
    issue(
        ctx,
        st,
        Issue {
            client,
            sub: user,
            scopes: &pending.scopes,
            refresh_scopes: None,
            grant: &grant,
            id_token: None,
        },
    )
    .map_err(|f| f.error.described())
}

/// `POST /revoke` (RFC 7009).
pub(crate) fn revoke(_ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    let m = st.misbehaviour.clone();
    let resp = match revoke_inner(st, req, &m) {
        // §2.2: 200 whether or not the token was known.
        Ok(()) => Response::new(200),
        Err(f) => f.into_response(&m),
    };
    no_store(resp, None)
}

fn revoke_inner(st: &mut State, req: &Request, m: &Misbehaviour) -> Result<(), Failure> {
    let form = read_form(req, m)?;
    let client = authenticate(req, &form, m)?;
    let token = required(&form, "token")?;
    if m.has(Misbehave::RevocationNoop) {
        return Ok(());
    }
    // §2.1: token_type_hint is only a hint; both kinds are looked up.
    let other_client = || {
        Failure::new(
            400,
            "unauthorized_client",
            "the token was issued to another client (RFC 7009 §2.1)",
        )
    };
    if let Some(access) = st.access.get_mut(token) {
        if access.client_id != client.id {
            return Err(other_client());
        }
        access.revoked = true;
    } else if let Some(refresh) = st.refresh.get(token) {
        if refresh.client_id != client.id {
            return Err(other_client());
        }
        // §2.1: revoking a refresh token SHOULD also invalidate the access tokens of its grant.
        let grant = refresh.grant.clone();
        st.revoke_grant(&grant);
    }
    Ok(())
}

/// `POST /introspect` (RFC 7662).
pub(crate) fn introspect(ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    let m = st.misbehaviour.clone();
    let resp = match introspect_inner(ctx, st, req, &m) {
        Ok(body) => Response::json(200, &body),
        Err(f) => f.into_response(&m),
    };
    no_store(resp, None)
}

fn introspect_inner(
    ctx: &Ctx,
    st: &State,
    req: &Request,
    m: &Misbehaviour,
) -> Result<Value, Failure> {
    let form = read_form(req, m)?;
    let client = authenticate(req, &form, m)?;
    if client.is_public() {
        // §2.1: the caller must be authorized to introspect; here that means a confidential client.
        return Err(Failure::invalid_client(
            "introspection needs a confidential client (RFC 7662 §2.1)",
        ));
    }
    let token = required(&form, "token")?;
    if let Ok(a) = st.access_token(token) {
        return Ok(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": a.scopes.join(" "),
            "client_id": a.client_id,
            "sub": a.sub,
            "aud": ctx.url(RESOURCE_PATH),
            "iss": ctx.issuer,
            "jti": a.jti,
            "iat": a.iat,
            "exp": a.exp,
        }));
    }
    if let Some(r) = st.refresh.get(token)
        && !r.rotated
        && !r.revoked
        && !st.grant_revoked(&r.grant)
        && Instant::now() < r.expires
    {
        return Ok(json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": r.scopes.join(" "),
            "client_id": r.client_id,
            "sub": r.sub,
            "iss": ctx.issuer,
            "iat": r.iat,
            "exp": r.iat + REFRESH_TTL.as_secs(),
        }));
    }
    // §2.2: anything else is simply inactive, with no reason given.
    Ok(json!({ "active": false }))
}
