//! `oauthviz run` against a hostile provider (tests/it/support/hostile.rs), one misbehaviour per
//! case, and against hostile profiles and flags. Every case must end in bounded time, without a
//! panic, with the step and the reason named in plain words, with no secret the run used in its
//! output (the client secret, the password, the code, the tokens, wherever they turn up), and
//! with nothing from outside reaching the terminal as a control sequence.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use support::hostile::*;

enum Setup {
    /// The hostile provider with this endpoint taken over (none: the plain provider), and
    /// flags that replace the usual ones.
    Provider(Vec<(Endpoint, Answer)>, &'static [&'static str]),
    /// A profile file with this text, run with `--provider FILE` (`{base}` is the provider's URL).
    Profile(&'static str),
    /// `oauthviz run` with these flags after the usual ones.
    Flags(&'static [&'static str]),
}

enum Expect {
    /// Exit 0, G answered.
    Completes,
    /// Exit 0, this step drawn as a warning, these words in what was printed.
    Warns(&'static str, &'static [&'static str]),
    /// Exit 1, the error line names this step and these words.
    Fails(&'static str, &'static [&'static str]),
    /// Exit 2 before anything is sent, these words in the error.
    Refused(&'static [&'static str]),
}

struct Case {
    name: &'static str,
    setup: Setup,
    expect: Expect,
}

use Endpoint::*;
use Expect::*;
use Setup::*;

fn at(endpoint: Endpoint, answer: Answer) -> Setup {
    Provider(vec![(endpoint, answer)], &[])
}

fn case(name: &'static str, setup: Setup, expect: Expect) -> Case {
    Case {
        name,
        setup,
        expect,
    }
}

const ESC_LINE: &str = "\u{1b}[2K\r\u{1b}[32mflow complete: G succeeded\u{1b}]0;pwned\u{7}";
const TWELVE_MIB: usize = 12 * 1024 * 1024;

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn token_cases() -> Vec<Case> {
    vec![
        case("the plain provider", Provider(vec![], &[]), Completes),
        case(
            "tokens form-encoded as text/plain",
            at(Token, |_| {
                Reply::new(
                    200,
                    "text/plain",
                    format!(
                        "access_token={ACCESS_TOKEN}&token_type=Bearer&expires_in=3600&refresh_token={REFRESH_TOKEN}"
                    ),
                )
            }),
            Warns("E", &["id_token"]),
        ),
        case(
            "tokens form-encoded with no Content-Type",
            at(Token, |_| {
                Reply::new(
                    200,
                    "",
                    format!(
                        "access_token={ACCESS_TOKEN}&token_type=Bearer&refresh_token={REFRESH_TOKEN}"
                    ),
                )
            }),
            Warns("E", &["id_token"]),
        ),
        case(
            "JSON with a trailing form feed",
            at(Token, |c| {
                Reply::new(200, "application/json", format!("{}\u{c}", tokens(c)))
            }),
            Completes,
        ),
        case(
            "JSON after a no-break space",
            at(Token, |c| {
                Reply::new(200, "application/json", format!("\u{a0}{}", tokens(c)))
            }),
            Completes,
        ),
        case(
            "a number too large for any float",
            at(Token, |_| {
                Reply::new(
                    200,
                    "application/json",
                    format!(
                        r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","expires_in":1e400}}"#
                    ),
                )
            }),
            Fails("E", &["out of range"]),
        ),
        case(
            "access_token given twice",
            at(Token, |_| {
                Reply::new(
                    200,
                    "application/json",
                    format!(
                        r#"{{"access_token":"{ACCESS_TOKEN}","token_type":"Bearer","access_token":"{REFRESH_TOKEN}"}}"#
                    ),
                )
            }),
            Fails("E", &["access_token", "twice"]),
        ),
        case(
            "access_token a number",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "access_token", json!(12345)))
            }),
            Fails("E", &["access_token", "a number"]),
        ),
        case(
            "access_token an object",
            at(Token, |c| {
                Reply::json(
                    200,
                    &tokens_with(c, "access_token", json!({"v": ACCESS_TOKEN})),
                )
            }),
            Fails("E", &["access_token", "an object"]),
        ),
        case(
            "no access_token",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "access_token", Value::Null))
            }),
            Fails("E", &["access_token"]),
        ),
        case(
            "a negative expires_in",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "expires_in", json!(-60)))
            }),
            Fails("E", &["expires_in"]),
        ),
        case(
            "an expires_in of 10^30 seconds",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "expires_in", json!(1e30)))
            }),
            Fails("E", &["expires_in"]),
        ),
        case(
            "bytes that are not UTF-8 in the access token",
            at(Token, |_| {
                let mut body = br#"{"token_type":"Bearer","access_token":"hostile-"#.to_vec();
                body.extend_from_slice(&[0xff, 0xfe]);
                body.extend_from_slice(br#"-access"}"#);
                Reply::new(200, "application/json", body)
            }),
            Fails("E", &["not UTF-8"]),
        ),
        case(
            "an HTML page with 200",
            at(Token, |_| {
                Reply::new(200, "text/html", "<html><body>Please sign in</body></html>")
            }),
            Fails("E", &["HTML"]),
        ),
        case(
            "500 with an empty body",
            at(Token, |_| Reply::new(500, "", "")),
            Fails("E", &["500", "empty"]),
        ),
        case(
            "invalid_grant",
            at(Token, |_| {
                Reply::json(400, &json!({"error": "invalid_grant"}))
            }),
            Fails("E", &["invalid_grant"]),
        ),
        case(
            "an error_description that writes on the terminal",
            at(Token, |_| {
                Reply::json(
                    400,
                    &json!({"error": "invalid_request", "error_description": ESC_LINE}),
                )
            }),
            Fails("E", &["invalid_request"]),
        ),
        case(
            "an error that echoes the client's Authorization header",
            at(Token, |c| {
                let sent = c.authorization.clone().unwrap_or_default();
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(sent.trim_start_matches("Basic "))
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                Reply::json(
                    401,
                    &json!({"error": "invalid_client", "error_description": format!("you sent {sent}, that is {decoded}")}),
                )
            }),
            Fails("E", &["invalid_client"]),
        ),
        case(
            "an error that echoes the request body",
            at(Token, |c| {
                Reply::json(
                    400,
                    &json!({"error": "invalid_request", "error_description": c.body}),
                )
            }),
            Fails("E", &["invalid_request"]),
        ),
        case(
            "tokens echoed in an error page as text",
            at(Token, |_| {
                Reply::new(
                    502,
                    "text/plain",
                    format!(
                        "upstream said access_token={ACCESS_TOKEN} refresh_token={REFRESH_TOKEN}"
                    ),
                )
            }),
            Fails("E", &["502"]),
        ),
        case(
            "a body over the 10 MiB cap",
            at(Token, |_| {
                Reply::new(200, "application/json", vec![b' '; TWELVE_MIB])
            }),
            Fails("D", &["10 MiB"]),
        ),
        case(
            "an answer that stops mid-body",
            at(Token, |_| {
                Reply::Stall(
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"access_token\":\"{ACCESS_TOKEN}\"").into_bytes(),
                    Duration::from_secs(20),
                )
            }),
            Fails("D", &["2 s", "41 bytes"]),
        ),
        case(
            "no answer at all",
            at(Token, |_| Reply::Stall(Vec::new(), Duration::from_secs(20))),
            Fails("D", &["2 s"]),
        ),
        case(
            "a connection closed mid-body",
            at(Token, |_| {
                Reply::Raw(
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{{\"access_token\":\"{ACCESS_TOKEN}\"").into_bytes(),
                )
            }),
            Fails("D", &["closed before the whole body"]),
        ),
        case(
            "garbage instead of HTTP",
            at(Token, |_| {
                Reply::Raw(b"\x00\x01\x02SSH-2.0-nope\r\n\r\n".to_vec())
            }),
            Fails("D", &["not HTTP"]),
        ),
        case(
            "no token_type",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "token_type", Value::Null))
            }),
            Fails("E", &["token_type"]),
        ),
        case(
            "a token_type the client does not know",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "token_type", json!("mac")))
            }),
            Fails("E", &["token_type", "mac"]),
        ),
        case(
            "token_type in lower case",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "token_type", json!("bearer")))
            }),
            Completes,
        ),
        case(
            "JSON nested 100,000 deep",
            at(Token, |_| {
                Reply::new(
                    200,
                    "application/json",
                    format!("{{\"a\":{}}}", nested(100_000)),
                )
            }),
            Fails("E", &["JSON"]),
        ),
        case(
            "a JSON array",
            at(Token, |_| {
                Reply::new(
                    200,
                    "application/json",
                    format!("[{{\"access_token\":\"{ACCESS_TOKEN}\"}}]"),
                )
            }),
            Fails("E", &["not an object"]),
        ),
        case(
            "a redirect instead of an answer",
            at(Token, |c| Reply::redirect(&format!("{}/resource", c.base))),
            Fails("E", &["302"]),
        ),
    ]
}

fn authorization_cases() -> Vec<Case> {
    vec![
        case(
            "the code in the fragment",
            at(Login, |c| {
                Reply::redirect(&format!("{}#code={CODE}&state={}", c.redirect_uri, c.state))
            }),
            Fails("C", &["code"]),
        ),
        case(
            "an error_description that writes on the terminal",
            at(Login, |c| {
                let d: String = url::form_urlencoded::byte_serialize(ESC_LINE.as_bytes()).collect();
                Reply::redirect(&callback(
                    c,
                    &format!(
                        "error=access_denied&error_description={d}&state={}",
                        c.state
                    ),
                ))
            }),
            Fails("C", &["access_denied"]),
        ),
        case(
            "an error_description that carries the whole callback",
            at(Login, |c| {
                let whole = callback(c, &format!("code={CODE}&state={}", c.state));
                let d: String = url::form_urlencoded::byte_serialize(whole.as_bytes()).collect();
                Reply::redirect(&callback(
                    c,
                    &format!("error=server_error&error_description={d}&state={}", c.state),
                ))
            }),
            Fails("C", &["server_error"]),
        ),
        case(
            "two codes",
            at(Login, |c| {
                Reply::redirect(&callback(
                    c,
                    &format!("code={CODE}&code=other&state={}", c.state),
                ))
            }),
            Fails("C", &["code", "2 times"]),
        ),
        case(
            "another state",
            at(Login, |c| {
                Reply::redirect(&callback(c, &format!("code={CODE}&state=x{}", c.state)))
            }),
            Fails("C", &["state"]),
        ),
        case(
            "no state",
            at(Login, |c| {
                Reply::redirect(&callback(c, &format!("code={CODE}")))
            }),
            Fails("C", &["state"]),
        ),
        case(
            "another issuer's iss",
            at(Login, |c| {
                Reply::redirect(&format!(
                    "{}?code={CODE}&state={}&iss=https%3A%2F%2Fevil.example",
                    c.redirect_uri, c.state
                ))
            }),
            Fails("C", &["iss"]),
        ),
        case(
            "no iss although the metadata promised it",
            at(Login, |c| {
                Reply::redirect(&format!("{}?code={CODE}&state={}", c.redirect_uri, c.state))
            }),
            Fails("C", &["iss"]),
        ),
        case(
            "500 at the authorization endpoint",
            at(Authorize, |_| {
                Reply::new(500, "text/html", "<p>Internal error</p>")
            }),
            Fails("B", &["500"]),
        ),
        case(
            "a redirect loop",
            at(Authorize, |c| {
                Reply::redirect(&format!("{}/authorize?again=1", c.base))
            }),
            Fails("B", &["redirect"]),
        ),
        case(
            "a redirect to javascript:",
            at(Authorize, |_| {
                Reply::redirect("javascript:alert(document.cookie)")
            }),
            Fails("B", &["javascript"]),
        ),
        case(
            "a password field called passwd",
            at(Authorize, |_| login_page("passwd")),
            Completes,
        ),
        case(
            "a login form sent by GET with a field called pwd",
            at(Authorize, |_| {
                Reply::new(
                    200,
                    "text/html",
                    r#"<form method="get" action="/authorize"><input name="user"><input type="password" name="pwd"><button>Go</button></form>"#,
                )
            }),
            // The provider shows the same page again: the agent must give up, not loop.
            Fails("B", &[]),
        ),
        case(
            "a login form that sends the password to another origin",
            at(Authorize, |c| {
                let other = c.base.replace("127.0.0.1", "localhost");
                Reply::new(
                    200,
                    "text/html",
                    format!(
                        r#"<form method="post" action="{other}/login"><input name="username"><input type="password" name="password"><button>Sign in</button></form>"#
                    ),
                )
            }),
            Warns("B", &["origin"]),
        ),
        case(
            "a login page nested 200,000 deep",
            at(Authorize, |_| {
                Reply::new(200, "text/html", "<div>".repeat(200_000))
            }),
            Fails("B", &["did not read the page", "nests"]),
        ),
        case(
            "a login page over the cap",
            at(Authorize, |_| {
                Reply::new(200, "text/html", vec![b'a'; TWELVE_MIB])
            }),
            Fails("A", &["10 MiB"]),
        ),
        case(
            "a login page of 3 MiB",
            at(Authorize, |_| {
                Reply::new(200, "text/html", "<p>".repeat(1024 * 1024))
            }),
            Fails("B", &["did not read the page", "bytes"]),
        ),
        case(
            "a page with no form",
            at(Authorize, |_| {
                Reply::new(
                    200,
                    "text/html",
                    "<h1>Maintenance</h1><p>Come back later</p>",
                )
            }),
            Fails("B", &["no login or consent form", "Maintenance"]),
        ),
        case(
            "a page that repeats the password",
            at(Login, |_| {
                Reply::new(
                    200,
                    "text/html",
                    format!("<p>The password {PASSWORD} is wrong for {USER}</p>"),
                )
            }),
            Fails("B", &["no login or consent form"]),
        ),
        case(
            "a callback too long for the listener",
            at(Login, |c| {
                Reply::redirect(&callback(
                    c,
                    &format!("code={}&state={}", "c".repeat(100_000), c.state),
                ))
            }),
            Fails("B", &["listener"]),
        ),
        case(
            "a stray callback with a forged state first",
            at(Authorize, |c| {
                support::process::get(&format!("{}?code=forged&state=forged", c.redirect_uri));
                login_page("password")
            }),
            Warns("B", &["set aside", "state=••"]),
        ),
        case(
            "a stray callback with no state first",
            at(Authorize, |c| {
                support::process::get(&format!("{}?code={CODE}", c.redirect_uri));
                login_page("password")
            }),
            Warns("B", &["set aside", "no state"]),
        ),
    ]
}

fn discovery_cases() -> Vec<Case> {
    fn meta_with(c: &Ctx, name: &str, value: Value) -> Reply {
        let mut m = metadata(c);
        if value.is_null() {
            m.as_object_mut().unwrap().remove(name);
        } else {
            m[name] = value;
        }
        Reply::json(200, &m)
    }
    vec![
        case(
            "another issuer",
            at(Discovery, |c| {
                meta_with(c, "issuer", json!("https://evil.example"))
            }),
            Fails("A", &["issuer", "https://evil.example"]),
        ),
        case(
            "the issuer with a trailing slash",
            at(Discovery, |c| {
                meta_with(c, "issuer", json!(format!("{}/", c.base)))
            }),
            Fails("A", &["trailing slash"]),
        ),
        case(
            "the issuer a number",
            at(Discovery, |c| meta_with(c, "issuer", json!(7))),
            Fails("A", &["issuer"]),
        ),
        case(
            "the issuer given twice",
            at(Discovery, |c| {
                let m = metadata(c).to_string();
                Reply::new(
                    200,
                    "application/json",
                    m.replacen('{', r#"{"issuer":"https://evil.example","#, 1),
                )
            }),
            Fails("A", &["issuer"]),
        ),
        case(
            "no token_endpoint",
            at(Discovery, |c| meta_with(c, "token_endpoint", Value::Null)),
            Fails("A", &["token_endpoint"]),
        ),
        case(
            "a javascript: authorization endpoint",
            at(Discovery, |c| {
                meta_with(c, "authorization_endpoint", json!("javascript:alert(1)"))
            }),
            Fails("A", &["authorization_endpoint"]),
        ),
        case(
            "a file: token endpoint",
            at(Discovery, |c| {
                meta_with(c, "token_endpoint", json!("file:///etc/passwd"))
            }),
            Fails("A", &["token_endpoint"]),
        ),
        case(
            "not JSON",
            at(Discovery, |_| {
                Reply::new(200, "application/json", "{issuer: nope")
            }),
            Fails("A", &["JSON"]),
        ),
        case(
            "an HTML page",
            at(Discovery, |_| {
                Reply::new(200, "text/html", "<html>Welcome</html>")
            }),
            Fails("A", &["metadata"]),
        ),
        case(
            "404",
            at(Discovery, |_| Reply::new(404, "text/plain", "not found")),
            Fails("A", &["404"]),
        ),
        case(
            "a document over the cap",
            at(Discovery, |_| {
                Reply::new(200, "application/json", vec![b' '; TWELVE_MIB])
            }),
            Fails("A", &["MiB"]),
        ),
        case(
            "no answer",
            at(Discovery, |_| {
                Reply::Stall(Vec::new(), Duration::from_secs(20))
            }),
            Fails("A", &["2 s"]),
        ),
        case(
            "JSON nested 100,000 deep",
            at(Discovery, |_| {
                Reply::new(
                    200,
                    "application/json",
                    format!("{{\"x\":{}}}", nested(100_000)),
                )
            }),
            Fails("A", &["JSON"]),
        ),
    ]
}

fn id_token_cases() -> Vec<Case> {
    vec![
        case(
            "an unsigned id_token (alg none)",
            at(Token, |c| {
                let claims = URL_SAFE.encode(claims(c).to_string());
                let header = URL_SAFE.encode(r#"{"alg":"none"}"#);
                Reply::json(
                    200,
                    &tokens_with(c, "id_token", json!(format!("{header}.{claims}."))),
                )
            }),
            Fails("E", &["id_token", "none"]),
        ),
        case(
            "a signature that does not match",
            at(Token, |c| {
                let good = sign(&claims(c));
                let tampered = format!("{}A", &good[..good.len() - 1]);
                let tampered = if tampered == good {
                    format!("{}B", &good[..good.len() - 1])
                } else {
                    tampered
                };
                Reply::json(200, &tokens_with(c, "id_token", json!(tampered)))
            }),
            Fails("E", &["signature"]),
        ),
        case(
            "another audience",
            at(Token, |c| {
                Reply::json(200, &id_token_with(c, "aud", json!("someone-else")))
            }),
            Fails("E", &["aud"]),
        ),
        case(
            "another issuer",
            at(Token, |c| {
                Reply::json(200, &id_token_with(c, "iss", json!("https://evil.example")))
            }),
            Fails("E", &["iss"]),
        ),
        case(
            "expired an hour ago",
            at(Token, |c| {
                Reply::json(200, &id_token_with(c, "exp", json!(now() - 3600)))
            }),
            Fails("E", &["exp"]),
        ),
        case(
            "another nonce",
            at(Token, |c| {
                Reply::json(200, &id_token_with(c, "nonce", json!("forged-nonce")))
            }),
            Fails("E", &["nonce"]),
        ),
        case(
            "an at_hash of another token",
            at(Token, |c| {
                Reply::json(
                    200,
                    &id_token_with(c, "at_hash", json!("AAAAAAAAAAAAAAAAAAAAAA")),
                )
            }),
            Fails("E", &["at_hash"]),
        ),
        case(
            "sub given twice",
            at(Token, |c| {
                let text = claims(c).to_string().replacen('{', r#"{"sub":"admin","#, 1);
                let jwt = sign_raw(r#"{"alg":"HS256"}"#, &text);
                Reply::json(200, &tokens_with(c, "id_token", json!(jwt)))
            }),
            Fails("E", &["sub", "twice"]),
        ),
        case(
            "an id_token that is an object",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "id_token", claims(c)))
            }),
            Fails("E", &["id_token", "an object"]),
        ),
        case(
            "an id_token that is not a JWT",
            at(Token, |c| {
                Reply::json(200, &tokens_with(c, "id_token", json!("opaque-value")))
            }),
            Fails("E", &["id_token"]),
        ),
    ]
    .into_iter()
    .chain(jwks_cases())
    .collect()
}

/// The token endpoint answers an ES256 id_token whose key (`kid` k1) the JWKS should hold; the
/// JWKS misbehaves, so the signature cannot be checked and the id_token must not be trusted.
fn jwks_cases() -> Vec<Case> {
    fn es256(c: &Ctx) -> Reply {
        let header = URL_SAFE.encode(r#"{"alg":"ES256","kid":"k1"}"#);
        let claims = URL_SAFE.encode(claims(c).to_string());
        let sig = URL_SAFE.encode([7u8; 64]);
        Reply::json(
            200,
            &tokens_with(c, "id_token", json!(format!("{header}.{claims}.{sig}"))),
        )
    }
    let with_jwks = |name, jwks: Answer, expect| {
        case(
            name,
            Provider(vec![(Token, es256), (Jwks, jwks)], &[]),
            expect,
        )
    };
    vec![
        with_jwks(
            "a JWKS that is not JSON",
            |_| Reply::new(200, "application/json", "keys?"),
            Fails("E", &["JWKS"]),
        ),
        with_jwks(
            "a JWKS without the token's kid",
            |_| {
                Reply::json(
                    200,
                    &json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k2", "x": "AAAA", "y": "AAAA"}]}),
                )
            },
            Fails("E", &["k1"]),
        ),
        with_jwks(
            "the key with coordinates that are not a point",
            |_| {
                Reply::json(
                    200,
                    &json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "x": "AAAA", "y": "AAAA"}]}),
                )
            },
            Fails("E", &["id_token"]),
        ),
        with_jwks(
            "a JWKS at 404",
            |_| Reply::new(404, "text/plain", "gone"),
            Fails("E", &["404"]),
        ),
        with_jwks(
            "a JWKS over the cap",
            |_| Reply::new(200, "application/json", vec![b' '; TWELVE_MIB]),
            Fails("E", &["MiB"]),
        ),
        with_jwks(
            "a JWKS that never answers",
            |_| Reply::Stall(Vec::new(), Duration::from_secs(20)),
            Fails("E", &["2 s"]),
        ),
    ]
}

use base64::engine::general_purpose::URL_SAFE_NO_PAD as URL_SAFE;

fn resource_cases() -> Vec<Case> {
    vec![
        case(
            "the token echoed in the body and a header",
            at(Resource, |c| {
                Reply::json(200, &json!({"you_sent": c.authorization}))
                    .with_header("X-Echo", c.authorization.as_deref().unwrap_or(""))
            }),
            Completes,
        ),
        case(
            "401 without WWW-Authenticate",
            at(Resource, |_| Reply::new(401, "text/plain", "no")),
            Fails("G", &["401"]),
        ),
        case(
            "401 whose challenge writes on the terminal",
            at(Resource, |_| {
                Reply::new(401, "application/json", "{}").with_header(
                    "WWW-Authenticate",
                    &format!(
                        "Bearer error=\"invalid_token\", error_description=\"{}\"",
                        ESC_LINE.replace('"', "'")
                    ),
                )
            }),
            Fails("F", &["header"]),
        ),
        case(
            "401 whose challenge hides C1 controls and a bidi override",
            at(Resource, |_| {
                Reply::new(401, "application/json", "{}").with_header(
                    "WWW-Authenticate",
                    "Bearer error=\"invalid_token\", error_description=\"\u{9b}2K\u{202e}ko si lla\"",
                )
            }),
            Fails("G", &["invalid_token"]),
        ),
        case(
            "a resource over the cap",
            at(Resource, |_| {
                Reply::new(200, "application/octet-stream", vec![0u8; TWELVE_MIB])
            }),
            Fails("F", &["10 MiB"]),
        ),
        case(
            "no answer",
            at(Resource, |_| {
                Reply::Stall(Vec::new(), Duration::from_secs(20))
            }),
            Fails("F", &["2 s"]),
        ),
        case(
            "an HTML page",
            at(Resource, |_| {
                Reply::new(200, "text/html", "<h1>Hello Alice</h1>")
            }),
            Completes,
        ),
        case(
            "a body that writes on the terminal",
            at(Resource, |_| Reply::new(200, "text/plain", ESC_LINE)),
            Completes,
        ),
    ]
}

fn input_cases() -> Vec<Case> {
    vec![
        case(
            "a profile that is not TOML",
            Profile("client_id = \"x\nissuer = "),
            Refused(&["TOML"]),
        ),
        case(
            "a profile with a field nobody knows",
            Profile(
                "name = \"p\"\nclient_id = \"x\"\nissuer = \"{base}\"\nclient_secrett = \"typo\"\n",
            ),
            Refused(&["client_secrett"]),
        ),
        case(
            "a profile whose private key is /dev/zero",
            Profile(
                "name = \"p\"\nclient_id = \"x\"\nissuer = \"{base}\"\nresource_url = \"{base}/resource\"\nclient_auth = \"private_key_jwt\"\nprivate_key_path = \"/dev/zero\"\n",
            ),
            Fails("A", &["/dev/zero", "not a regular file"]),
        ),
        case(
            "a profile whose redirect_uri is another host",
            Profile(
                "name = \"p\"\nclient_id = \"x\"\nissuer = \"{base}\"\nresource_url = \"{base}/resource\"\nclient_auth = \"none\"\nredirect_uri = \"https://evil.example/cb\"\n",
            ),
            Fails("A", &["redirect_uri"]),
        ),
        case(
            "a redirect URI on another machine",
            Flags(&["--redirect-uri", "http://example.com/cb"]),
            Fails("A", &["this machine"]),
        ),
        case(
            "a login without a password",
            Provider(vec![], &["--login", "alice"]),
            Refused(&["USER:PASS"]),
        ),
        case(
            "a timeout that is not a number",
            Provider(vec![], &["--timeout", "soon"]),
            Refused(&["--timeout"]),
        ),
        case(
            "an auth-param without a value",
            Provider(vec![], &["--auth-param", "prompt"]),
            Refused(&["NAME=VALUE"]),
        ),
        case(
            "an issuer that is not a URL",
            Provider(vec![], &["--issuer", "not a url"]),
            Fails("A", &["issuer"]),
        ),
    ]
}

/// The flags every provider case starts from; `more` replaces a flag it names.
fn flags(base: &str, more: &[&str]) -> Vec<String> {
    let mut usual: Vec<(String, String)> = [
        ("--issuer", base.to_owned()),
        ("--client-id", CLIENT_ID.into()),
        ("--client-secret", CLIENT_SECRET.into()),
        ("--resource-url", format!("{base}/resource")),
        ("--scope", "openid profile".into()),
        ("--user-agent", "scripted".into()),
        ("--login", format!("{USER}:{PASSWORD}")),
        ("--timeout", "2".into()),
        ("--callback-timeout", "4".into()),
    ]
    .into_iter()
    .map(|(f, v)| (f.to_owned(), v))
    .collect();
    for pair in more.chunks(2) {
        match usual.iter_mut().find(|(f, _)| f == pair[0]) {
            Some(slot) => slot.1 = pair[1].to_owned(),
            None => usual.push((pair[0].to_owned(), pair[1].to_owned())),
        }
    }
    let mut out = vec!["run".to_owned()];
    for (f, v) in usual {
        out.push(f);
        out.push(v);
    }
    out
}

/// Every way a secret of the run could be spelled in the output.
fn secret_forms(issued: &[String]) -> Vec<String> {
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    let mut forms: Vec<String> = [CLIENT_SECRET, PASSWORD, CODE, ACCESS_TOKEN, REFRESH_TOKEN]
        .iter()
        .map(|s| s.to_string())
        .collect();
    forms.push(basic);
    // An id_token is a bearer credential of its own: its signature must not be printed whole.
    forms.extend(
        issued
            .iter()
            .filter_map(|t| t.rsplit('.').next())
            .filter(|sig| sig.len() >= 16)
            .map(str::to_owned),
    );
    forms
}

/// The program's output, killed if it runs past 30 s (then its exit code is None).
fn run_bounded(cmd: &mut Command) -> std::process::Output {
    use std::io::Read as _;
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = r.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Runs one case; what is wrong with its outcome, if anything.
fn try_case(case: &Case) -> Result<(), String> {
    let hostile = Hostile::start(match &case.setup {
        Provider(takeovers, _) => takeovers.clone(),
        _ => Vec::new(),
    });
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "oauthviz-hostile-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let args = match &case.setup {
        Provider(_, more) => flags(&hostile.base, more),
        Flags(more) => {
            let mut a = flags(&hostile.base, &[]);
            a.extend(more.iter().map(|s| s.to_string()));
            a
        }
        Profile(text) => {
            let file = dir.join("profile.toml");
            std::fs::write(&file, text.replace("{base}", &hostile.base)).unwrap();
            let mut a = flags(&hostile.base, &[]);
            // The profile replaces the provider flags.
            let keep = |f: &str| {
                ![
                    "--issuer",
                    "--client-id",
                    "--client-secret",
                    "--resource-url",
                    "--scope",
                ]
                .contains(&f)
            };
            let mut kept = vec![
                "run".to_owned(),
                "--provider".into(),
                file.display().to_string(),
            ];
            let mut it = a.drain(1..);
            while let (Some(f), Some(v)) = (it.next(), it.next()) {
                if keep(&f) {
                    kept.push(f);
                    kept.push(v);
                }
            }
            kept
        }
    };
    let started = Instant::now();
    let out = run_bounded(
        Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .args(&args)
            .env("XDG_CONFIG_HOME", &dir)
            .env_remove("OAUTHVIZ_CLIENT_SECRET"),
    );
    let took = started.elapsed();
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let printed = format!("{stdout}\n{stderr}");
    let shown = || format!("--- stdout\n{stdout}\n--- stderr\n{stderr}");
    let mut wrong = Vec::new();
    if took > Duration::from_secs(15) {
        wrong.push(format!("took {took:?}"));
    }
    if stderr.contains("panicked") {
        wrong.push("panicked".into());
    }
    for form in secret_forms(&hostile.issued.lock().unwrap()) {
        if printed.contains(&form) {
            wrong.push(format!("printed the secret {form}"));
        }
    }
    if let Some(c) = printed.chars().find(|c| {
        (c.is_control() && !matches!(c, '\n' | '\t')) || matches!(c, '\u{202a}'..='\u{202e}')
    }) {
        wrong.push(format!("printed the control character {:?}", c));
    }
    let has_all = |text: &str, words: &[&str]| {
        words
            .iter()
            .filter(|w| !text.to_lowercase().contains(&w.to_lowercase()))
            .map(|w| format!("'{w}' not said"))
            .collect::<Vec<_>>()
    };
    let code = out.status.code();
    match &case.expect {
        Completes => {
            if code != Some(0) || !stdout.contains("G  Protected resource response — ok") {
                wrong.push(format!("did not complete (exit {code:?})"));
            }
        }
        Warns(step, words) => {
            let line = stdout
                .lines()
                .find(|l| l.starts_with(&format!("{step}  ")) && l.contains(" — warning"));
            if code != Some(0) {
                wrong.push(format!("exit {code:?}, not 0"));
            }
            if line.is_none() {
                wrong.push(format!("{step} is not drawn as a warning"));
            }
            wrong.extend(has_all(&stdout, words));
        }
        Fails(step, words) => {
            if code != Some(1) {
                wrong.push(format!("exit {code:?}, not 1"));
            }
            let line = stderr
                .lines()
                .find(|l| l.starts_with("oauthviz: "))
                .unwrap_or("");
            if !line.contains(&format!("step {step} (")) {
                wrong.push(format!("the error line does not name step {step}"));
            }
            wrong.extend(has_all(line, words));
        }
        Refused(words) => {
            if code != Some(2) {
                wrong.push(format!("exit {code:?}, not 2"));
            }
            wrong.extend(has_all(&stderr, words));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{}: {}\n{}", case.name, wrong.join("; "), shown()))
    }
}

#[test]
fn a_hostile_provider_or_input_is_named_never_crashes_hangs_or_leaks() {
    let cases: Vec<Case> = [
        token_cases(),
        authorization_cases(),
        discovery_cases(),
        id_token_cases(),
        resource_cases(),
        input_cases(),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    // HOSTILE_CASE=words runs only the cases whose name has them (to look at one).
    let only = std::env::var("HOSTILE_CASE").unwrap_or_default();
    let cases: Vec<Case> = cases
        .into_iter()
        .filter(|c| c.name.contains(&only))
        .collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    // A few at a time: most end in milliseconds, the timeouts take their 2 s.
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = try_case(case) {
                        failures.lock().unwrap().push(e);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} cases went wrong:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
