//! The token request (RFC 6749 §4.1.3 and §6) with client authentication (§2.3.1), and the token
//! response (§5.1 success, §5.2 error).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::form_urlencoded;

use super::check::{Check, CheckId, Verdict};
use super::error::{ErrorCode, OAuthError};
use super::http::{HttpRequest, HttpResponse};
use super::params::Params;
use super::secret::Secret;

/// How the client proves its identity at the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientAuth {
    /// `client_secret_basic`: HTTP Basic with the form-encoded id and secret (§2.3.1).
    #[default]
    Basic,
    /// `client_secret_post`: id and secret in the form body.
    Post,
    /// A public client: only `client_id` in the body; PKCE carries the proof.
    None,
    /// `private_key_jwt` (RFC 7523 §2.2, OpenID Connect Core §9): a JWT signed with the
    /// client's private key proves its identity; no shared secret travels.
    PrivateKeyJwt,
}

impl ClientAuth {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "basic" | "client_secret_basic" => Ok(Self::Basic),
            "post" | "client_secret_post" => Ok(Self::Post),
            "none" => Ok(Self::None),
            "private_key_jwt" | "jwt" => Ok(Self::PrivateKeyJwt),
            _ => Err(format!(
                "unknown client authentication '{s}': use basic, post, none or private_key_jwt"
            )),
        }
    }

    /// The RFC 8414 / OpenID Connect name (`token_endpoint_auth_method`).
    pub fn method_name(self) -> &'static str {
        match self {
            Self::Basic => "client_secret_basic",
            Self::Post => "client_secret_post",
            Self::None => "none",
            Self::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// The client credentials the token request carries.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub id: String,
    pub secret: Option<Secret>,
    pub auth: ClientAuth,
    /// The signed client assertion, for `private_key_jwt` (see `client_assertion`).
    pub assertion: Option<Secret>,
}

/// `client_assertion_type` of RFC 7523 §2.2.
pub const JWT_BEARER_ASSERTION: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The `Authorization: Basic` value of RFC 6749 §2.3.1: id and secret are each
/// form-urlencoded *before* base64 — a step many clients and servers get wrong.
pub fn basic_authorization(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(client_id), enc(secret)))
    )
}

/// Builds a POST to the token endpoint with `grant` parameters and the client's authentication.
pub fn token_request(token_endpoint: &str, client: &Client, grant: Params) -> HttpRequest {
    let mut form = grant;
    let secret = client
        .secret
        .as_ref()
        .map(Secret::expose)
        .unwrap_or_default();
    match client.auth {
        ClientAuth::Basic => {}
        ClientAuth::Post => {
            form.push("client_id", &client.id);
            form.push("client_secret", secret);
        }
        ClientAuth::None => {
            form.push("client_id", &client.id);
        }
        ClientAuth::PrivateKeyJwt => {
            form.push("client_id", &client.id);
            form.push("client_assertion_type", JWT_BEARER_ASSERTION);
            form.push(
                "client_assertion",
                client
                    .assertion
                    .as_ref()
                    .map(Secret::expose)
                    .unwrap_or_default(),
            );
        }
    }
    let mut req = HttpRequest::post_form(token_endpoint, &form);
    req.headers.push("Accept", "application/json");
    if client.auth == ClientAuth::Basic {
        req.headers
            .push("Authorization", basic_authorization(&client.id, secret));
    }
    req
}

/// Grant parameters for the authorization code exchange (§4.1.3).
pub fn authorization_code_grant(
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> Params {
    let mut p = Params::new();
    p.push("grant_type", "authorization_code");
    p.push("code", code);
    p.push("redirect_uri", redirect_uri);
    if let Some(v) = code_verifier {
        p.push("code_verifier", v);
    }
    p
}

/// Grant parameters for a refresh (§6).
pub fn refresh_grant(refresh_token: &str, scope: Option<&str>) -> Params {
    let mut p = Params::new();
    p.push("grant_type", "refresh_token");
    p.push("refresh_token", refresh_token);
    if let Some(s) = scope {
        p.push("scope", s);
    }
    p
}

/// A successful token response. `raw` holds every field as received, including unknown ones.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub token_type: String,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
    pub raw: Map<String, Value>,
}

impl TokenResponse {
    /// One line for the diagram: `access_token (Bearer, 3600 s) + refresh_token + id_token`.
    pub fn summary(&self) -> String {
        let mut s = format!("access_token ({}", self.token_type);
        if let Some(e) = self.expires_in {
            s.push_str(&format!(", {e} s"));
        }
        s.push(')');
        if self.refresh_token.is_some() {
            s.push_str(" + refresh_token");
        }
        if self.id_token.is_some() {
            s.push_str(" + id_token");
        }
        s
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TokenError {
    /// The provider answered with an RFC 6749 §5.2 error object (whatever the HTTP status).
    OAuth { status: u16, error: OAuthError },
    /// The body could not be understood; the message says why.
    Malformed(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::OAuth { status, error } => write!(f, "HTTP {status}, {error}"),
            TokenError::Malformed(m) => f.write_str(m),
        }
    }
}

/// The checks of a successful token response (RFC 6749 §5.1, RFC 6750), each as severe as the
/// RFC's word: `no-store` is a MUST, a token type the client understands is what it MUST have
/// to use the token at all (§7.1), `expires_in` is RECOMMENDED.
pub fn response_checks(resp: &HttpResponse, tokens: &TokenResponse) -> Vec<Check> {
    let cache = resp.headers.get("cache-control").unwrap_or("");
    let must = |ok: bool| if ok { Verdict::Pass } else { Verdict::Fail };
    let verdict = |ok: bool| if ok { Verdict::Pass } else { Verdict::Warn };
    let bearer = tokens.token_type.eq_ignore_ascii_case("bearer");
    vec![
        Check::new(
            CheckId::CacheControlNoStore,
            must(cache.to_ascii_lowercase().contains("no-store")),
            if cache.is_empty() {
                "the token response has no Cache-Control header: a proxy or the client's cache could keep the tokens".into()
            } else {
                format!("Cache-Control: {cache}")
            },
        ),
        Check::new(
            CheckId::TokenTypeBearer,
            must(bearer),
            if bearer {
                format!("token_type = {}", tokens.token_type)
            } else {
                format!(
                    "token_type is '{}': this client sends Bearer tokens (RFC 6750) and asked for no other kind, and a client MUST NOT use an access token whose type it does not understand (RFC 6749 §7.1)",
                    tokens.token_type
                )
            },
        ),
        Check::new(
            CheckId::ExpiresIn,
            verdict(tokens.expires_in.is_some()),
            match tokens.expires_in {
                Some(s) => format!("the access token lives {s} s"),
                None => "no expires_in: the client cannot know when the token expires".into(),
            },
        ),
    ]
}

/// Parses a token endpoint response: JSON (§5.1), or a form-encoded body as some providers send
/// (GitHub without `Accept: application/json`), or an error object (§5.2), also inside an HTTP 200.
pub fn parse_token_response(resp: &HttpResponse) -> Result<TokenResponse, TokenError> {
    token_from_fields(body_fields(resp)?, resp.status)
}

/// The implicit grant's answer (RFC 6749 §4.2.2): the token response's fields, and the state,
/// form-encoded in the redirect URI's fragment (an error there is §4.2.2.1's). The `state` is
/// returned apart for the client's check.
pub fn parse_fragment_token(fragment: &str) -> Result<(TokenResponse, Option<String>), TokenError> {
    let mut fields = Map::new();
    for (name, value) in url::form_urlencoded::parse(fragment.as_bytes()) {
        if fields.contains_key(name.as_ref()) {
            // Which of two tokens (or states) is meant is anyone's guess (RFC 6749 §3.1).
            return Err(TokenError::Malformed(format!(
                "the fragment repeats `{name}`"
            )));
        }
        fields.insert(name.into_owned(), Value::String(value.into_owned()));
    }
    let state = fields
        .remove("state")
        .and_then(|v| v.as_str().map(str::to_owned));
    Ok((token_from_fields(fields, 200)?, state))
}

/// A token response from its fields, `status` the HTTP status they came with.
fn token_from_fields(fields: Map<String, Value>, status: u16) -> Result<TokenResponse, TokenError> {
    if let Some(error) = fields.get("error").and_then(Value::as_str) {
        return Err(TokenError::OAuth {
            status,
            error: OAuthError {
                error: ErrorCode::parse(error),
                // The error is the news; a description of the wrong type does not hide it.
                error_description: str_field(&fields, "error_description").ok().flatten(),
                error_uri: str_field(&fields, "error_uri").ok().flatten(),
            },
        });
    }
    if !(200..300).contains(&status) {
        return Err(TokenError::Malformed(format!(
            "HTTP {} without an RFC 6749 error object in the body",
            status
        )));
    }
    let access_token = token_field(&fields, "access_token")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            TokenError::Malformed(
                "the response has no `access_token` (RFC 6749 §5.1 requires it)".into(),
            )
        })?;
    let token_type = str_field(&fields, "token_type")?.ok_or_else(|| {
        TokenError::Malformed("the response has no `token_type` (RFC 6749 §5.1 requires it)".into())
    })?;
    let expires_in = match fields.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_u64().ok_or_else(|| {
            TokenError::Malformed(format!(
                "`expires_in` is {n}, not a whole number of seconds from now (RFC 6749 §5.1)"
            ))
        })?),
        // Some providers send it as a string; accept it when it is a number.
        Some(Value::String(s)) => Some(s.trim().parse().map_err(|_| {
            TokenError::Malformed(format!("`expires_in` is '{s}', not a number of seconds"))
        })?),
        Some(other) => {
            return Err(TokenError::Malformed(format!(
                "`expires_in` is {other}, not a number of seconds"
            )));
        }
    };
    Ok(TokenResponse {
        access_token: Secret::new(access_token),
        token_type,
        expires_in,
        refresh_token: token_field(&fields, "refresh_token")?.map(Secret::new),
        id_token: str_field(&fields, "id_token")?,
        scope: str_field(&fields, "scope")?,
        raw: fields,
    })
}

/// A token: a string of printable ASCII (RFC 6749 Appendix A.12, A.17: `1*VSCHAR`). Anything
/// else (bytes that were not UTF-8 arrive as U+FFFD) could not be sent back as it was received.
fn token_field(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, TokenError> {
    let value = str_field(fields, name)?;
    if let Some(bad) = value
        .as_deref()
        .and_then(|v| v.chars().find(|c| !(' '..='~').contains(c)))
    {
        let what = if bad == char::REPLACEMENT_CHARACTER {
            "bytes that are not UTF-8".to_owned()
        } else {
            format!("the character {:?}", bad)
        };
        return Err(TokenError::Malformed(format!(
            "`{name}` holds {what}; a token is printable ASCII (RFC 6749 Appendix A), so it could not be sent back as received"
        )));
    }
    Ok(value)
}

/// A string field: absent (or null) is `None`; any other type is the provider's error, named,
/// never taken for "absent".
fn str_field(fields: &Map<String, Value>, name: &str) -> Result<Option<String>, TokenError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(TokenError::Malformed(format!(
            "`{name}` is {}, not a string (RFC 6749 §5.1)",
            json_kind(other)
        ))),
    }
}

/// The body's fields, from JSON or a form-encoded body.
fn body_fields(resp: &HttpResponse) -> Result<Map<String, Value>, TokenError> {
    let ct = resp.content_type().unwrap_or("").to_ascii_lowercase();
    let body = resp.body.trim();
    let looks_json = body.starts_with('{');
    if ct.starts_with("application/x-www-form-urlencoded")
        || (!looks_json && !ct.contains("json") && body.contains('=') && !body.contains('<'))
    {
        return Ok(Params::parse(body)
            .iter()
            .map(|p| (p.name.clone(), Value::String(p.value.clone())))
            .collect());
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(_)) if let Some(name) = super::json::repeated_member(body) => {
            Err(TokenError::Malformed(format!(
                "HTTP {}: `{name}` appears twice in the JSON object, and parsers differ on which one counts (RFC 6749 §3.2: response parameters MUST NOT be included more than once)",
                resp.status
            )))
        }
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(TokenError::Malformed(format!(
            "HTTP {}: the body is JSON but not an object ({})",
            resp.status,
            json_kind(&other)
        ))),
        Err(e) => {
            let what = if body.is_empty() {
                "the body is empty".to_owned()
            } else if body.starts_with('<') {
                format!(
                    "the body is HTML, not JSON (Content-Type: {}) — is the token endpoint URL right?",
                    if ct.is_empty() { "none" } else { &ct }
                )
            } else {
                format!("the body is not JSON ({e})")
            };
            Err(TokenError::Malformed(format!(
                "HTTP {}: {what}",
                resp.status
            )))
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `no-store` is a MUST of RFC 6749 §5.1, and a token type the client does not understand
    /// MUST NOT be used (§7.1): both fail when missed, pass when met (Bearer in any case).
    #[test]
    fn no_store_and_the_token_type_are_judged_as_musts() {
        let verdicts = |cache: Option<&str>, token_type: &str| {
            let mut headers = crate::protocol::http::Headers::default();
            headers.push("Content-Type", "application/json");
            if let Some(c) = cache {
                headers.push("Cache-Control", c);
            }
            let resp = HttpResponse {
                status: 200,
                headers,
                body: format!(r#"{{"access_token":"a","token_type":"{token_type}"}}"#),
            };
            let tokens = parse_token_response(&resp).unwrap_or_else(|e| panic!("{e:?}"));
            let of = |id| {
                response_checks(&resp, &tokens)
                    .into_iter()
                    .find(|c| c.id == id)
                    .map(|c| c.verdict)
            };
            (
                of(CheckId::CacheControlNoStore),
                of(CheckId::TokenTypeBearer),
            )
        };
        assert_eq!(
            verdicts(Some("no-store"), "Bearer"),
            (Some(Verdict::Pass), Some(Verdict::Pass))
        );
        assert_eq!(
            verdicts(Some("no-cache, No-Store"), "bearer"),
            (Some(Verdict::Pass), Some(Verdict::Pass))
        );
        assert_eq!(
            verdicts(None, "mac"),
            (Some(Verdict::Fail), Some(Verdict::Fail))
        );
        assert_eq!(
            verdicts(Some("max-age=60"), "DPoP"),
            (Some(Verdict::Fail), Some(Verdict::Fail))
        );
    }

    fn answer(body: &str) -> Result<TokenResponse, TokenError> {
        let mut headers = crate::protocol::http::Headers::default();
        headers.push("Content-Type", "application/json");
        parse_token_response(&HttpResponse {
            status: 200,
            headers,
            body: body.into(),
        })
    }

    fn malformed(body: &str) -> String {
        match answer(body) {
            Err(TokenError::Malformed(m)) => m,
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn a_token_that_is_not_printable_ascii_is_named() {
        let m = malformed("{\"access_token\":\"ab\u{FFFD}c\",\"token_type\":\"Bearer\"}");
        assert!(m.contains("bytes that are not UTF-8"), "{m}");
        let m = malformed(r#"{"access_token":"a","token_type":"Bearer","refresh_token":"r\n"}"#);
        assert!(
            m.contains("`refresh_token` holds the character '\\n'"),
            "{m}"
        );
    }

    #[test]
    fn a_member_sent_twice_is_refused_not_read_one_way() {
        let m = malformed(r#"{"access_token":"a","token_type":"Bearer","access_token":"b"}"#);
        assert!(m.contains("`access_token` appears twice"), "{m}");
        // Nested objects may repeat nothing of the top level; different names are fine.
        assert!(
            answer(r#"{"access_token":"a","token_type":"Bearer","x":{"a":1},"y":{"a":2}}"#).is_ok()
        );
    }

    #[test]
    fn a_field_of_the_wrong_type_is_named_not_taken_for_absent() {
        assert_eq!(
            malformed(r#"{"access_token":12345,"token_type":"Bearer"}"#),
            "`access_token` is a number, not a string (RFC 6749 §5.1)"
        );
        assert_eq!(
            malformed(r#"{"access_token":"a","token_type":"Bearer","id_token":{"x":1}}"#),
            "`id_token` is an object, not a string (RFC 6749 §5.1)"
        );
        for n in ["-60", "1e300", "3.5"] {
            let m = malformed(&format!(
                r#"{{"access_token":"a","token_type":"Bearer","expires_in":{n}}}"#
            ));
            assert!(m.contains("not a whole number of seconds"), "{n}: {m}");
        }
        assert!(answer(r#"{"access_token":"a","token_type":"Bearer","expires_in":null}"#).is_ok());
    }
    use crate::protocol::http::Headers;

    fn resp(status: u16, ct: &str, body: &str) -> HttpResponse {
        let mut headers = Headers::default();
        if !ct.is_empty() {
            headers.push("Content-Type", ct);
        }
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    #[test]
    fn basic_auth_form_encodes_before_base64() {
        // RFC 6749 §2.3.1: "s3cr:t ü" is encoded as s3cr%3At+%C3%BC first.
        let v = basic_authorization("my client", "s3cr:t ü");
        let decoded =
            String::from_utf8(STANDARD.decode(v.trim_start_matches("Basic ")).unwrap()).unwrap();
        assert_eq!(decoded, "my+client:s3cr%3At+%C3%BC");
    }

    #[test]
    fn token_request_per_auth_method() {
        let grant = authorization_code_grant("c0de", "http://127.0.0.1/cb", Some("verifier"));
        let mut client = Client {
            id: "app".into(),
            secret: Some(Secret::new("pw")),
            auth: ClientAuth::Basic,
            assertion: Some(Secret::new("a.b.c")),
        };
        let basic = token_request("https://as/token", &client, grant.clone());
        assert!(
            basic
                .headers
                .get("authorization")
                .unwrap()
                .starts_with("Basic ")
        );
        assert_eq!(basic.form().unwrap().get("client_secret"), None);
        assert_eq!(
            basic.body,
            "grant_type=authorization_code&code=c0de&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&code_verifier=verifier"
        );

        client.auth = ClientAuth::Post;
        let post = token_request("https://as/token", &client, grant.clone());
        assert_eq!(post.headers.get("authorization"), None);
        assert_eq!(post.form().unwrap().get("client_secret"), Some("pw"));

        client.auth = ClientAuth::None;
        let none = token_request("https://as/token", &client, grant.clone());
        let form = none.form().unwrap();
        assert_eq!(form.get("client_id"), Some("app"));
        assert_eq!(form.get("client_secret"), None);

        client.auth = ClientAuth::PrivateKeyJwt;
        let jwt = token_request("https://as/token", &client, grant);
        let form = jwt.form().unwrap();
        assert_eq!(
            form.get("client_assertion_type"),
            Some(JWT_BEARER_ASSERTION)
        );
        assert_eq!(form.get("client_assertion"), Some("a.b.c"));
        assert_eq!(jwt.headers.get("authorization"), None);
    }

    #[test]
    fn refresh_grant_params() {
        assert_eq!(
            refresh_grant("rt", Some("a b")).encode(),
            "grant_type=refresh_token&refresh_token=rt&scope=a+b"
        );
    }

    #[test]
    fn parses_json_success() {
        let r = parse_token_response(&resp(
            200,
            "application/json;charset=UTF-8",
            r#"{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","id_token":"a.b.c","x":1}"#,
        ))
        .unwrap();
        assert_eq!(r.access_token.expose(), "at");
        assert_eq!(r.expires_in, Some(3600));
        assert_eq!(
            r.summary(),
            "access_token (Bearer, 3600 s) + refresh_token + id_token"
        );
        assert_eq!(r.raw["x"], 1);
    }

    #[test]
    fn parses_form_encoded_success_like_github() {
        let r = parse_token_response(&resp(
            200,
            "application/x-www-form-urlencoded; charset=utf-8",
            "access_token=gho_x&scope=repo&token_type=bearer",
        ))
        .unwrap();
        assert_eq!(r.access_token.expose(), "gho_x");
        assert_eq!(r.token_type, "bearer");
        assert_eq!(r.expires_in, None);
    }

    #[test]
    fn error_object_is_found_even_in_http_200() {
        let e = parse_token_response(&resp(
            200,
            "application/x-www-form-urlencoded",
            "error=bad_verification_code&error_description=The+code+is+wrong",
        ))
        .unwrap_err();
        assert_eq!(
            e,
            TokenError::OAuth {
                status: 200,
                error: OAuthError::new(
                    ErrorCode::Other("bad_verification_code".into()),
                    "The code is wrong"
                )
            }
        );
        let e = parse_token_response(&resp(
            400,
            "application/json",
            r#"{"error":"invalid_grant"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.to_string(), "HTTP 400, invalid_grant");
    }

    #[test]
    fn malformed_bodies_are_named() {
        let html = parse_token_response(&resp(200, "text/html", "<html>login</html>")).unwrap_err();
        assert!(html.to_string().contains("HTML"), "{html}");
        let empty = parse_token_response(&resp(502, "", "")).unwrap_err();
        assert!(empty.to_string().contains("empty"), "{empty}");
        let no_type =
            parse_token_response(&resp(200, "application/json", r#"{"access_token":"a"}"#))
                .unwrap_err();
        assert!(no_type.to_string().contains("token_type"));
        let arr = parse_token_response(&resp(200, "application/json", "[1]")).unwrap_err();
        assert!(arr.to_string().contains("array"));
        let status = parse_token_response(&resp(500, "application/json", "{}")).unwrap_err();
        assert!(status.to_string().contains("HTTP 500"));
        let bad_exp = parse_token_response(&resp(
            200,
            "application/json",
            r#"{"access_token":"a","token_type":"Bearer","expires_in":"soon"}"#,
        ))
        .unwrap_err();
        assert!(bad_exp.to_string().contains("soon"));
    }
}
