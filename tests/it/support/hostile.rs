//! A hostile provider on loopback, written for these tests alone (it shares no code with the
//! demo provider): discovery, a login page, authorization, token, JWKS and resource endpoints
//! that answer like a plain OpenID provider, except the one endpoint a test gives an answer of
//! its own. Raw HTTP over TCP, one thread per connection, so an answer can be any bytes, cut
//! off, or late.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "hostile-client";
pub const CLIENT_SECRET: &str = "hostile-secret-5d7e3b1f";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "hostile-pass-2a9f4c8e";
pub const CODE: &str = "hostile-code-7f3a9c2d";
pub const ACCESS_TOKEN: &str = "hostile-access-4b8e1d6a";
pub const REFRESH_TOKEN: &str = "hostile-refresh-9c2f6a0b";

/// The endpoints, each of which a test may take over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Discovery,
    /// `GET /authorize`: honestly, the login page.
    Authorize,
    /// `POST /login`: honestly, the redirect back with the code.
    Login,
    Token,
    Jwks,
    Resource,
}

/// What the provider knows when it answers: the authorization request's values and the
/// request being answered.
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    pub base: String,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: Option<String>,
    /// The request being answered: its `Authorization` header and its body.
    pub authorization: Option<String>,
    pub body: String,
}

/// An answer, as bytes on the wire.
pub enum Reply {
    /// A whole response (Content-Length and `Connection: close` added).
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// These bytes, then the connection closes (an answer cut off).
    Raw(Vec<u8>),
    /// These bytes, then nothing for this long (a server that hangs).
    Stall(Vec<u8>, Duration),
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        let headers = if content_type.is_empty() {
            Vec::new()
        } else {
            vec![("Content-Type".into(), content_type.into())]
        };
        Reply::Full {
            status,
            headers,
            body: body.into(),
        }
    }

    pub fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, "application/json", value.to_string())
    }

    pub fn redirect(location: &str) -> Reply {
        Reply::Full {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

pub type Answer = fn(&Ctx) -> Reply;

pub struct Hostile {
    pub base: String,
    stop: Arc<AtomicBool>,
    /// Every id_token it issued (to look for in what the client printed).
    pub issued: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    /// Starts the provider with each of `takeovers` answering at its endpoint.
    pub fn start(takeovers: Vec<(Endpoint, Answer)>) -> Hostile {
        let takeovers = Arc::new(takeovers);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let issued = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::new(Mutex::new(Ctx {
            base: base.clone(),
            ..Ctx::default()
        }));
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn({
            let (stop, issued) = (stop.clone(), issued.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((conn, _)) => {
                            let (shared, issued) = (shared.clone(), issued.clone());
                            let (stop, takeovers) = (stop.clone(), takeovers.clone());
                            std::thread::spawn(move || {
                                serve(conn, &shared, &issued, &takeovers, &stop)
                            });
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            }
        });
        Hostile { base, stop, issued }
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

struct Request {
    method: String,
    path: String,
    query: HashMap<String, String>,
    headers: Vec<(String, String)>,
    body: String,
}

fn read_request(conn: &mut TcpStream) -> Option<Request> {
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 256 * 1024 || conn.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = url::Url::parse(&format!("http://h{}", first.next()?)).ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1024 * 1024)];
    conn.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path: target.path().to_owned(),
        query: target.query_pairs().into_owned().collect(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn serve(
    mut conn: TcpStream,
    shared: &Mutex<Ctx>,
    issued: &Mutex<Vec<String>>,
    takeovers: &[(Endpoint, Answer)],
    stop: &AtomicBool,
) {
    let Some(req) = read_request(&mut conn) else {
        return;
    };
    let endpoint = match (req.method.as_str(), req.path.as_str()) {
        (_, "/.well-known/openid-configuration") => Endpoint::Discovery,
        ("GET", "/authorize") => Endpoint::Authorize,
        ("POST", "/login") => Endpoint::Login,
        ("POST", "/token") => Endpoint::Token,
        (_, "/jwks") => Endpoint::Jwks,
        (_, "/resource") => Endpoint::Resource,
        _ => {
            write_reply(
                &mut conn,
                Reply::new(404, "text/plain", "no such endpoint"),
                stop,
            );
            return;
        }
    };
    let ctx = {
        let mut ctx = shared.lock().unwrap();
        if endpoint == Endpoint::Authorize {
            ctx.redirect_uri = req.query.get("redirect_uri").cloned().unwrap_or_default();
            ctx.state = req.query.get("state").cloned().unwrap_or_default();
            ctx.nonce = req.query.get("nonce").cloned();
        }
        let mut ctx = ctx.clone();
        ctx.authorization = req
            .headers
            .iter()
            .find(|(n, _)| n == "authorization")
            .map(|(_, v)| v.clone());
        ctx.body = req.body.clone();
        ctx
    };
    let reply = match takeovers.iter().find(|(at, _)| *at == endpoint) {
        Some((_, answer)) => answer(&ctx),
        None => honest(endpoint, &ctx, &req),
    };
    if let Reply::Full { body, .. } = &reply
        && endpoint == Endpoint::Token
        && let Ok(Value::Object(tokens)) = serde_json::from_slice::<Value>(body)
        && let Some(Value::String(id)) = tokens.get("id_token")
    {
        issued.lock().unwrap().push(id.clone());
    }
    write_reply(&mut conn, reply, stop);
}

fn write_reply(conn: &mut TcpStream, reply: Reply, stop: &AtomicBool) {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = format!("HTTP/1.1 {status} Hostile\r\n").into_bytes();
            for (name, value) in headers {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
            out.extend_from_slice(
                format!(
                    "Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            out.extend_from_slice(&body);
            let _ = conn.write_all(&out);
        }
        Reply::Raw(bytes) => {
            let _ = conn.write_all(&bytes);
        }
        Reply::Stall(bytes, time) => {
            let _ = conn.write_all(&bytes);
            let _ = conn.flush();
            let until = Instant::now() + time;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    let _ = conn.flush();
}

/// What a plain provider answers.
fn honest(endpoint: Endpoint, ctx: &Ctx, req: &Request) -> Reply {
    match endpoint {
        Endpoint::Discovery => Reply::json(200, &metadata(ctx)),
        Endpoint::Authorize => login_page("password"),
        Endpoint::Login => {
            let form: HashMap<String, String> = url::form_urlencoded::parse(req.body.as_bytes())
                .into_owned()
                .collect();
            if form.values().any(|v| v == PASSWORD) {
                Reply::redirect(&callback(ctx, &format!("code={CODE}&state={}", ctx.state)))
            } else {
                login_page("password")
            }
        }
        Endpoint::Token => {
            let basic = format!(
                "Basic {}",
                STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
            );
            if ctx.authorization.as_deref() != Some(basic.as_str()) {
                return Reply::json(401, &json!({"error": "invalid_client"}))
                    .with_header("WWW-Authenticate", "Basic");
            }
            if !ctx.body.contains(&format!("code={CODE}")) {
                return Reply::json(400, &json!({"error": "invalid_grant"}));
            }
            Reply::json(200, &tokens(ctx)).with_header("Cache-Control", "no-store")
        }
        Endpoint::Jwks => Reply::json(200, &json!({"keys": []})),
        Endpoint::Resource => {
            if ctx.authorization.as_deref() == Some(&format!("Bearer {ACCESS_TOKEN}")) {
                Reply::json(200, &json!({"sub": USER, "name": "Alice"}))
            } else {
                Reply::json(401, &json!({"error": "invalid_token"}))
                    .with_header("WWW-Authenticate", "Bearer error=\"invalid_token\"")
            }
        }
    }
}

pub fn metadata(ctx: &Ctx) -> Value {
    let b = &ctx.base;
    json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/authorize"),
        "token_endpoint": format!("{b}/token"),
        "jwks_uri": format!("{b}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "authorization_response_iss_parameter_supported": true,
    })
}

/// The redirect back to the client, with `params` and this provider's `iss` (RFC 9207).
pub fn callback(ctx: &Ctx, params: &str) -> String {
    let iss: String = url::form_urlencoded::byte_serialize(ctx.base.as_bytes()).collect();
    format!("{}?{params}&iss={iss}", ctx.redirect_uri)
}

/// A login form whose password field is called `password_name`.
pub fn login_page(password_name: &str) -> Reply {
    Reply::new(
        200,
        "text/html; charset=utf-8",
        format!(
            r#"<!doctype html><html><body><h1>Sign in</h1>
<form method="post" action="/login">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input type="password" name="{password_name}"></label>
<button type="submit">Sign in</button>
</form></body></html>"#
        ),
    )
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The id_token claims a plain provider issues for this authorization.
pub fn claims(ctx: &Ctx) -> Value {
    let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(ACCESS_TOKEN.as_bytes())[..16]);
    json!({
        "iss": ctx.base,
        "sub": USER,
        "aud": CLIENT_ID,
        "exp": now() + 600,
        "iat": now(),
        "nonce": ctx.nonce,
        "at_hash": at_hash,
    })
}

/// A compact JWS over exactly these header and claims texts, HS256 with the client secret
/// (OpenID Connect Core §10.1).
pub fn sign_raw(header: &str, claims: &str) -> String {
    use aws_lc_rs::hmac;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, CLIENT_SECRET.as_bytes());
    let tag = hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

pub fn sign(claims: &Value) -> String {
    sign_raw(r#"{"alg":"HS256","typ":"JWT"}"#, &claims.to_string())
}

/// The token response a plain provider gives.
pub fn tokens(ctx: &Ctx) -> Value {
    json!({
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": REFRESH_TOKEN,
        "scope": "openid profile",
        "id_token": sign(&claims(ctx)),
    })
}

/// `tokens` with one member replaced (or removed, for `Value::Null`).
pub fn tokens_with(ctx: &Ctx, name: &str, value: Value) -> Value {
    let mut t = tokens(ctx);
    if value.is_null() {
        t.as_object_mut().unwrap().remove(name);
    } else {
        t[name] = value;
    }
    t
}

/// `claims` with one replaced (or removed), signed.
pub fn id_token_with(ctx: &Ctx, name: &str, value: Value) -> Value {
    let mut c = claims(ctx);
    if value.is_null() {
        c.as_object_mut().unwrap().remove(name);
    } else {
        c[name] = value;
    }
    tokens_with(ctx, "id_token", json!(sign(&c)))
}
