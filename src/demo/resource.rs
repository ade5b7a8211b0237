//! The resource server: `/userinfo` (OpenID Connect Core §5.3) and the protected API
//! `/api/profile`, both reached with a bearer token (RFC 6750).

use serde_json::{Map, Value, json};

use super::http::{Request, Response, description};
use super::state::{AccessRecord, Ctx, State};
use super::{DEMO_USERNAME, Misbehave, Misbehaviour};

/// The protected API; also the `aud` of every access token (RFC 9068 §3).
pub(crate) const RESOURCE_PATH: &str = "/api/profile";

/// The `WWW-Authenticate` realm of RFC 6750 §3.
const REALM: &str = "oauthviz-demo";

/// The claims about the demo user that `scopes` allow (OpenID Connect Core §5.4).
pub(crate) fn user_claims(scopes: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    if scopes.iter().any(|s| s == "profile") {
        claims.insert("name".into(), json!("Alice Liddell"));
        claims.insert("given_name".into(), json!("Alice"));
        claims.insert("family_name".into(), json!("Liddell"));
        claims.insert("preferred_username".into(), json!(DEMO_USERNAME));
    }
    if scopes.iter().any(|s| s == "email") {
        claims.insert("email".into(), json!("alice@example.org"));
        claims.insert("email_verified".into(), json!(true));
    }
    claims
}

/// A refusal with its RFC 6750 §3 challenge. `error` is `(code, description)`; none for a
/// request without any token (§3.1: no error code then).
fn refuse(status: u16, error: Option<(&str, &str)>, scope: Option<&str>) -> Response {
    let mut challenge = format!("Bearer realm=\"{REALM}\"");
    let body = match error {
        Some((code, text)) => {
            let text = description(text);
            challenge.push_str(&format!(", error=\"{code}\", error_description=\"{text}\""));
            json!({ "error": code, "error_description": text })
        }
        None => json!({
            "message": "this resource needs an access token: send Authorization: Bearer <token> (RFC 6750 section 2.1)"
        }),
    };
    if let Some(scope) = scope {
        challenge.push_str(&format!(", scope=\"{scope}\""));
    }
    Response::json(status, &body)
        .header("WWW-Authenticate", challenge)
        .header("Cache-Control", "no-store")
}

/// Finds the one access token in the request (RFC 6750 §2).
fn presented_token(misbehaviour: &Misbehaviour, req: &Request) -> Result<String, Response> {
    let query_token = req.query_params().get("access_token").map(str::to_owned);
    let header_token = match req.header("authorization").map(str::trim) {
        None => None,
        Some(h) => {
            let (scheme, credentials) = h.split_once(' ').unwrap_or((h, ""));
            if !scheme.eq_ignore_ascii_case("bearer") {
                return Err(refuse(401, None, None));
            }
            let credentials = credentials.trim();
            if credentials.is_empty() {
                return Err(refuse(
                    400,
                    Some(("invalid_request", "the Bearer credentials are empty")),
                    None,
                ));
            }
            Some(credentials.to_owned())
        }
    };
    // §2.2 (form body) is not offered: say so rather than ignoring the token silently.
    if req.method == "POST"
        && req.is_form()
        && req.form().is_ok_and(|f| f.get("access_token").is_some())
    {
        return Err(refuse(
            400,
            Some((
                "invalid_request",
                "access tokens in the form body (RFC 6750 §2.2) are not accepted here; send Authorization: Bearer",
            )),
            None,
        ));
    }
    match (header_token, query_token) {
        (Some(_), Some(_)) => Err(refuse(
            400,
            Some((
                "invalid_request",
                "the token was sent both in the Authorization header and the query; use exactly one method (RFC 6750 §2)",
            )),
            None,
        )),
        (Some(token), None) => Ok(token),
        (None, Some(token)) if misbehaviour.has(Misbehave::AcceptQueryToken) => Ok(token),
        (None, Some(_)) => Err(refuse(
            400,
            Some((
                "invalid_request",
                "access tokens in the URL query are refused: RFC 9700 §4.3.2 says clients MUST NOT send them there (they leak into logs, history and Referer); send Authorization: Bearer",
            )),
            None,
        )),
        (None, None) if misbehaviour.has(Misbehave::RsErrorWithoutToken) => Err(refuse(
            401,
            Some(("invalid_token", "no access token")),
            None,
        )),
        (None, None) => Err(refuse(401, None, None)),
    }
}

/// The live access token of the request, if it carries `scope`.
fn authorized(st: &State, req: &Request, scope: &str) -> Result<AccessRecord, Response> {
    checked_token(st, req, scope).map_err(|refusal| {
        if st.misbehaviour.has(Misbehave::RsNoChallenge) {
            refusal.without_header("WWW-Authenticate")
        } else {
            refusal
        }
    })
}

fn checked_token(st: &State, req: &Request, scope: &str) -> Result<AccessRecord, Response> {
    let token = presented_token(&st.misbehaviour, req)?;
    let record = st
        .access_token(&token)
        .map_err(|dead| refuse(401, Some(("invalid_token", dead.describe())), None))?;
    if !record.scopes.iter().any(|s| s == scope) {
        return Err(refuse(
            403,
            Some((
                "insufficient_scope",
                &format!(
                    "this resource needs scope {scope}; the token has '{}'",
                    record.scopes.join(" ")
                ),
            )),
            Some(scope),
        ));
    }
    Ok(record.clone())
}

/// `GET`/`POST /userinfo`: claims about the user, per the token's scopes; needs `openid`.
pub(crate) fn userinfo(_ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    match authorized(st, req, "openid") {
        Ok(token) => {
            let mut claims = Map::new();
            claims.insert("sub".into(), json!(token.sub));
            claims.extend(user_claims(&token.scopes));
            Response::json(200, &Value::Object(claims)).header("Cache-Control", "no-store")
        }
        Err(resp) => resp,
    }
}

/// `GET /api/profile`: the protected API; needs `api.read`.
pub(crate) fn profile(_ctx: &Ctx, st: &mut State, req: &Request) -> Response {
    match authorized(st, req, "api.read") {
        Ok(token) => Response::json(
            200,
            &json!({
                "resource": "profile",
                "owner": token.sub,
                "accessed_by": token.client_id,
                "scope": token.scopes.join(" "),
                "items": [
                    { "id": 1, "title": "Invitation to a mad tea party", "kind": "event" },
                    { "id": 2, "title": "Bottle labelled DRINK ME", "kind": "object" },
                    { "id": 3, "title": "Croquet with the Queen of Hearts", "kind": "event" },
                ],
            }),
        )
        .header("Cache-Control", "no-store"),
        Err(resp) => resp,
    }
}
