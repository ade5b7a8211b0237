//! Whole flows against a real server on an ephemeral loopback port, over plain TCP.

#![allow(clippy::unwrap_used)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use url::Url;

use super::keys::tests::verify;
use super::*;
use crate::protocol::params::Params;
use crate::protocol::pkce::{Pkce, PkceMethod};
use crate::protocol::token::basic_authorization;

// ---- a tiny blocking HTTP/1.1 client ----

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The query of the `Location` header.
    fn location_params(&self) -> Params {
        let loc = self
            .header("location")
            .unwrap_or_else(|| panic!("no Location: {self:?}"));
        Params::parse(Url::parse(loc).unwrap().query().unwrap_or(""))
    }
}

fn send(port: u16, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut req =
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

fn get(port: u16, target: &str) -> Resp {
    send(port, "GET", target, &[], "")
}

fn post_form(port: u16, target: &str, headers: &[(&str, &str)], form: &Params) -> Resp {
    let mut h = vec![("Content-Type", "application/x-www-form-urlencoded")];
    h.extend_from_slice(headers);
    send(port, "POST", target, &h, &form.encode())
}

// ---- flow helpers ----

fn start(auto_approve: bool) -> DemoServer {
    DemoServer::start(DemoOptions {
        auto_approve,
        ..DemoOptions::default()
    })
    .unwrap()
}

fn redirect_uri(port_hint: u16) -> String {
    format!("http://127.0.0.1:{port_hint}/callback")
}

const RP_PORT: u16 = 53682;

fn authorize_target(
    client_id: &str,
    pkce: Option<&Pkce>,
    scope: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut p = Params::new();
    p.push("response_type", "code");
    p.push("client_id", client_id);
    p.push("redirect_uri", redirect_uri(RP_PORT));
    p.push("scope", scope);
    p.push("state", "st-123");
    if let Some(pkce) = pkce {
        p.push("code_challenge", &pkce.challenge);
        p.push("code_challenge_method", "S256");
    }
    for (n, v) in extra {
        p.push(*n, *v);
    }
    format!("/authorize?{}", p.encode())
}

/// An authorization code from an auto-approving server.
fn code(server: &DemoServer, client_id: &str, pkce: Option<&Pkce>, scope: &str) -> String {
    let r = get(
        server.port(),
        &authorize_target(client_id, pkce, scope, &[("nonce", "n-1")]),
    );
    assert_eq!(r.status, 302, "{r:?}");
    let q = r.location_params();
    assert_eq!(q.get("state"), Some("st-123"));
    assert_eq!(q.get("iss"), Some(server.issuer().as_str()));
    q.get("code")
        .unwrap_or_else(|| panic!("no code: {q:?}"))
        .to_owned()
}

fn code_grant(code: &str, verifier: Option<&str>) -> Params {
    crate::protocol::token::authorization_code_grant(code, &redirect_uri(RP_PORT), verifier)
}

fn basic_header() -> String {
    basic_authorization(BASIC_CLIENT_ID, BASIC_CLIENT_SECRET)
}

fn token_basic(server: &DemoServer, grant: &Params) -> Resp {
    post_form(
        server.port(),
        "/token",
        &[("Authorization", &basic_header())],
        grant,
    )
}

fn bearer(server: &DemoServer, path: &str, token: &str) -> Resp {
    send(
        server.port(),
        "GET",
        path,
        &[("Authorization", &format!("Bearer {token}"))],
        "",
    )
}

fn assert_oauth_error(r: &Resp, status: u16, error: &str) {
    assert_eq!(r.status, status, "{r:?}");
    assert_eq!(r.json()["error"], error, "{r:?}");
}

fn assert_no_store(r: &Resp) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{r:?}");
    assert_eq!(r.header("pragma"), Some("no-cache"), "{r:?}");
}

// ---- discovery ----

#[test]
fn discovery_documents_name_every_endpoint() {
    let s = start(false);
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let m = get(s.port(), path).json();
        assert_eq!(m["issuer"], s.issuer());
        assert_eq!(m["authorization_endpoint"], s.authorization_endpoint());
        assert_eq!(m["token_endpoint"], s.token_endpoint());
        assert_eq!(m["userinfo_endpoint"], s.userinfo_endpoint());
        assert_eq!(m["jwks_uri"], s.jwks_uri());
        assert_eq!(m["revocation_endpoint"], s.revocation_endpoint());
        assert_eq!(m["introspection_endpoint"], s.introspection_endpoint());
        assert_eq!(m["response_types_supported"], serde_json::json!(["code"]));
        assert_eq!(
            m["code_challenge_methods_supported"],
            serde_json::json!(["S256"])
        );
        assert_eq!(
            m["id_token_signing_alg_values_supported"],
            serde_json::json!(["ES256"])
        );
        assert_eq!(m["authorization_response_iss_parameter_supported"], true);
        assert!(
            m["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&"api.read".into())
        );
    }
    let jwks = get(s.port(), "/jwks").json();
    assert_eq!(jwks["keys"][0]["crv"], "P-256");
    let home = get(s.port(), "/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains(BASIC_CLIENT_ID) && home.body.contains(PUBLIC_CLIENT_ID));
    assert!(s.issuer().starts_with("http://127.0.0.1:"));
}

#[test]
fn unknown_paths_wrong_methods_and_huge_bodies() {
    let s = start(false);
    assert_eq!(get(s.port(), "/nope").status, 404);
    let r = get(s.port(), "/token");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(send(s.port(), "DELETE", "/authorize", &[], "").status, 405);
    let big = "a=".to_owned() + &"x".repeat(70 * 1024);
    let r = send(
        s.port(),
        "POST",
        "/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        &big,
    );
    assert_eq!(r.status, 413);
}

// ---- authorization endpoint ----

#[test]
fn unknown_client_and_bad_redirect_uri_get_a_page_not_a_redirect() {
    let s = start(true);
    let r = get(s.port(), &authorize_target("nobody", None, "openid", &[]));
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.body.contains("nobody"));

    for bad in [
        "http://evil.example/callback",
        "http://127.0.0.1:8080/callback/x",
        "https://127.0.0.1/callback",
    ] {
        let mut p = Params::parse(&authorize_target(BASIC_CLIENT_ID, None, "openid", &[])[11..]);
        p.set("redirect_uri", bad);
        let r = get(s.port(), &format!("/authorize?{}", p.encode()));
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.header("location").is_none(), "{bad}");
    }
    // Without any redirect_uri: also a page.
    let r = get(
        s.port(),
        "/authorize?response_type=code&client_id=demo-basic",
    );
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
}

#[test]
fn loopback_redirect_uri_on_any_port_is_accepted() {
    let s = start(true);
    let target = authorize_target(BASIC_CLIENT_ID, None, "openid", &[])
        .replace("127.0.0.1%3A53682", "localhost%3A40001");
    let r = get(s.port(), &target);
    assert_eq!(r.status, 302, "{r:?}");
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("http://localhost:40001/callback?code=")
    );
}

#[test]
fn authorization_errors_are_redirected_with_state_and_iss() {
    let s = start(true);
    let port = s.port();
    let check = |target: String, error: &str, needle: &str| {
        let r = get(port, &target);
        assert_eq!(r.status, 302, "{r:?}");
        let q = r.location_params();
        assert_eq!(q.get("error"), Some(error), "{q:?}");
        assert!(
            q.get("error_description").unwrap().contains(needle),
            "{q:?}"
        );
        assert_eq!(q.get("state"), Some("st-123"));
        assert_eq!(q.get("iss"), Some(s.issuer().as_str()));
    };
    let pkce = Pkce::generate(PkceMethod::S256);
    // PKCE plain refused (RFC 9700 §2.1.1), explicitly or by omission of the method.
    let plain = Pkce::generate(PkceMethod::Plain);
    check(
        authorize_target(
            BASIC_CLIENT_ID,
            None,
            "openid",
            &[
                ("code_challenge", &plain.challenge),
                ("code_challenge_method", "plain"),
            ],
        ),
        "invalid_request",
        "S256",
    );
    check(
        authorize_target(
            BASIC_CLIENT_ID,
            None,
            "openid",
            &[("code_challenge", &pkce.challenge)],
        ),
        "invalid_request",
        "S256",
    );
    check(
        authorize_target(PUBLIC_CLIENT_ID, None, "openid", &[]),
        "invalid_request",
        "PKCE is required",
    );
    check(
        authorize_target(BASIC_CLIENT_ID, None, "openid admin", &[]),
        "invalid_scope",
        "admin",
    );
    check(
        authorize_target(BASIC_CLIENT_ID, None, "openid", &[("state", "again")]),
        "invalid_request",
        "state is repeated",
    );
    check(
        authorize_target(BASIC_CLIENT_ID, None, "openid", &[])
            .replace("response_type=code", "response_type=token"),
        "unsupported_response_type",
        "token",
    );
}

fn hidden_id(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(r#"input[name="id"]"#).unwrap();
    doc.select(&sel)
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_owned()
}

// Long on purpose: one browser session walked page by page, each step using what the last left.
#[test]
fn login_and_consent_pages_lead_to_a_code_or_access_denied() {
    let s = start(false);
    let port = s.port();
    let pkce = Pkce::generate(PkceMethod::S256);
    let login_page = |scope: &str| {
        let r = get(
            port,
            &authorize_target(PUBLIC_CLIENT_ID, Some(&pkce), scope, &[]),
        );
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.body.contains(r#"action="login""#) && r.body.contains(DEMO_PASSWORD));
        hidden_id(&r.body)
    };
    let id = login_page("openid email");

    // Wrong password: the form again, with a message.
    let wrong = post_form(
        port,
        "/login",
        &[],
        &Params::from([
            ("id", id.as_str()),
            ("username", "alice"),
            ("password", "nope"),
        ]),
    );
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("Wrong username or password"));
    assert_eq!(hidden_id(&wrong.body), id);
    assert!(wrong.header("set-cookie").is_none());

    let sign_in = |id: &str| {
        let ok = post_form(
            port,
            "/login",
            &[],
            &Params::from([
                ("id", id),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ]),
        );
        assert_eq!(ok.status, 303, "{ok:?}");
        assert_eq!(ok.header("location").unwrap(), format!("/consent?id={id}"));
        let cookie = ok.header("set-cookie").unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/")
        );
        cookie.split(';').next().unwrap().to_owned()
    };
    let cookie = sign_in(&id);

    // The consent page needs the session cookie.
    assert_eq!(get(port, &format!("/consent?id={id}")).status, 403);
    let page = send(
        port,
        "GET",
        &format!("/consent?id={id}"),
        &[("Cookie", &cookie)],
        "",
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"name="decision" value="approve""#));
    assert!(page.body.contains(r#"name="decision" value="deny""#));
    assert!(page.body.contains("email"));
    assert_eq!(hidden_id(&page.body), id);

    let decide = |id: &str, cookie: &str, decision: &str| {
        post_form(
            port,
            "/consent",
            &[("Cookie", cookie)],
            &Params::from([("id", id), ("decision", decision)]),
        )
    };
    assert_eq!(
        decide(&id, "oauthviz_demo_session=forged", "approve").status,
        403
    );
    let approved = decide(&id, &cookie, "approve");
    assert_eq!(approved.status, 303);
    let q = approved.location_params();
    assert_eq!(q.get("state"), Some("st-123"));
    assert_eq!(q.get("iss"), Some(s.issuer().as_str()));
    let code = q.get("code").unwrap();
    // The page is single use.
    assert_eq!(decide(&id, &cookie, "approve").status, 400);

    let t = post_form(port, "/token", &[], &{
        let mut g = code_grant(code, Some(&pkce.verifier));
        g.push("client_id", PUBLIC_CLIENT_ID);
        g
    });
    assert_eq!(t.status, 200, "{t:?}");

    let id = login_page("openid");
    let cookie = sign_in(&id);
    let denied = decide(&id, &cookie, "deny");
    let q = denied.location_params();
    assert_eq!(q.get("error"), Some("access_denied"));
    assert!(q.get("error_description").is_some());
    assert_eq!(q.get("state"), Some("st-123"));
}

// ---- token endpoint ----

#[test]
fn full_flow_with_client_secret_basic() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "openid profile email api.read");
    let r = token_basic(&s, &code_grant(&c, None));
    assert_eq!(r.status, 200, "{r:?}");
    assert_no_store(&r);
    let t = r.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["scope"], "openid profile email api.read");
    assert!(t["refresh_token"].is_string());
    let at = t["access_token"].as_str().unwrap();

    let jwks = get(s.port(), "/jwks").json();
    let (header, claims) = verify(at, &jwks);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(claims["aud"], s.resource_url());
    assert_eq!(claims["client_id"], BASIC_CLIENT_ID);
    assert_eq!(claims["sub"], DEMO_USERNAME);
    let (_, id) = verify(t["id_token"].as_str().unwrap(), &jwks);
    assert_eq!(id["iss"], s.issuer());
    assert_eq!(id["aud"], BASIC_CLIENT_ID);
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["at_hash"], super::keys::at_hash(at));
    assert_eq!(id["email"], "alice@example.org");
    assert!(id["auth_time"].is_u64());

    let api = bearer(&s, "/api/profile", at);
    assert_eq!(api.status, 200, "{api:?}");
    assert_eq!(api.json()["owner"], DEMO_USERNAME);
    let me = bearer(&s, "/userinfo", at).json();
    assert_eq!(me["sub"], DEMO_USERNAME);
    assert_eq!(me["name"], "Alice Liddell");
}

#[test]
fn full_flow_with_client_secret_post_and_public_pkce() {
    let s = start(true);
    let c = code(&s, POST_CLIENT_ID, None, "api.read");
    let mut g = code_grant(&c, None);
    g.push("client_id", POST_CLIENT_ID);
    g.push("client_secret", POST_CLIENT_SECRET);
    let r = post_form(s.port(), "/token", &[], &g);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.json().get("id_token").is_none(), "no openid, no id_token");
    // userinfo needs openid.
    let ui = bearer(&s, "/userinfo", r.json()["access_token"].as_str().unwrap());
    assert_eq!(ui.status, 403);
    assert!(
        ui.header("www-authenticate")
            .unwrap()
            .contains(r#"error="insufficient_scope""#)
    );

    let pkce = Pkce::generate(PkceMethod::S256);
    let c = code(&s, PUBLIC_CLIENT_ID, Some(&pkce), "openid api.read");
    let mut g = code_grant(&c, Some(&pkce.verifier));
    g.push("client_id", PUBLIC_CLIENT_ID);
    let r = post_form(s.port(), "/token", &[], &g);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        bearer(
            &s,
            "/api/profile",
            r.json()["access_token"].as_str().unwrap()
        )
        .status,
        200
    );
}

#[test]
fn reused_code_is_refused_and_revokes_its_tokens() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    let first = token_basic(&s, &code_grant(&c, None)).json();
    let at = first["access_token"].as_str().unwrap();
    assert_eq!(bearer(&s, "/api/profile", at).status, 200);

    let again = token_basic(&s, &code_grant(&c, None));
    assert_oauth_error(&again, 400, "invalid_grant");
    assert_no_store(&again);
    let api = bearer(&s, "/api/profile", at);
    assert_eq!(api.status, 401);
    assert!(
        api.header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_token""#)
    );
    let refreshed = token_basic(
        &s,
        &crate::protocol::token::refresh_grant(first["refresh_token"].as_str().unwrap(), None),
    );
    assert_oauth_error(&refreshed, 400, "invalid_grant");

    // The misbehaviour lets it through.
    s.set_misbehaviour(Misbehaviour::of([Misbehave::AcceptReusedCodes]));
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    assert_eq!(token_basic(&s, &code_grant(&c, None)).status, 200);
    assert_eq!(token_basic(&s, &code_grant(&c, None)).status, 200);
}

#[test]
fn client_authentication_failures() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    let g = code_grant(&c, None);
    let wrong = post_form(
        s.port(),
        "/token",
        &[(
            "Authorization",
            &basic_authorization(BASIC_CLIENT_ID, "guess"),
        )],
        &g,
    );
    assert_oauth_error(&wrong, 401, "invalid_client");
    assert_eq!(
        wrong.header("www-authenticate"),
        Some(r#"Basic realm="oauthviz-demo""#)
    );
    assert_no_store(&wrong);

    // Two methods at once.
    let mut both = g.clone();
    both.push("client_secret", BASIC_CLIENT_SECRET);
    assert_oauth_error(&token_basic(&s, &both), 400, "invalid_request");
    // Not the registered method.
    let mut post = g.clone();
    post.push("client_id", BASIC_CLIENT_ID);
    post.push("client_secret", BASIC_CLIENT_SECRET);
    assert_oauth_error(
        &post_form(s.port(), "/token", &[], &post),
        401,
        "invalid_client",
    );
    // No authentication at all.
    assert_oauth_error(
        &post_form(s.port(), "/token", &[], &g),
        401,
        "invalid_client",
    );
    // Garbage Basic header.
    assert_oauth_error(
        &post_form(s.port(), "/token", &[("Authorization", "Basic %%%")], &g),
        401,
        "invalid_client",
    );
    // The code still works after all that.
    assert_eq!(token_basic(&s, &g).status, 200);
}

#[test]
fn token_request_shape_errors() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    let auth = basic_header();
    let json_body = send(
        s.port(),
        "POST",
        "/token",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        "{}",
    );
    assert_oauth_error(&json_body, 400, "invalid_request");
    let missing = token_basic(
        &s,
        &Params::from([("grant_type", "authorization_code"), ("code", c.as_str())]),
    );
    assert_oauth_error(&missing, 400, "invalid_request");
    assert!(
        missing.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("redirect_uri")
    );
    assert_oauth_error(
        &token_basic(&s, &Params::from([("grant_type", "password")])),
        400,
        "unsupported_grant_type",
    );
    let mut other_uri = code_grant(&c, None);
    other_uri.set("redirect_uri", "http://localhost:53682/callback");
    assert_oauth_error(&token_basic(&s, &other_uri), 400, "invalid_grant");
    let dup = Params::parse(&format!(
        "{}&grant_type=authorization_code",
        code_grant(&c, None).encode()
    ));
    assert_oauth_error(&token_basic(&s, &dup), 400, "invalid_request");
    // client_credentials: confidential clients only.
    let cc = post_form(
        s.port(),
        "/token",
        &[],
        &Params::from([
            ("grant_type", "client_credentials"),
            ("client_id", PUBLIC_CLIENT_ID),
        ]),
    );
    assert_oauth_error(&cc, 400, "unauthorized_client");
    let cc = token_basic(&s, &Params::from([("grant_type", "client_credentials")]));
    assert_eq!(cc.status, 200, "{cc:?}");
    assert!(cc.json().get("refresh_token").is_none());
}

#[test]
fn pkce_is_checked_at_the_token_endpoint() {
    let s = start(true);
    let pkce = Pkce::generate(PkceMethod::S256);
    let public = |c: &str, v: Option<&str>| {
        let mut g = code_grant(c, v);
        g.push("client_id", PUBLIC_CLIENT_ID);
        post_form(s.port(), "/token", &[], &g)
    };
    let c = code(&s, PUBLIC_CLIENT_ID, Some(&pkce), "api.read");
    let other = Pkce::generate(PkceMethod::S256);
    assert_oauth_error(&public(&c, Some(&other.verifier)), 400, "invalid_grant");
    assert_oauth_error(&public(&c, None), 400, "invalid_grant");
    assert_oauth_error(&public(&c, Some("too-short")), 400, "invalid_request");
    assert_eq!(public(&c, Some(&pkce.verifier)).status, 200);
    // A verifier without a challenge is a downgrade attempt.
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    assert_oauth_error(
        &token_basic(&s, &code_grant(&c, Some(&pkce.verifier))),
        400,
        "invalid_grant",
    );
    // ignore_pkce: the public client gets a code without PKCE and nothing is checked.
    s.set_misbehaviour(Misbehaviour::of([Misbehave::IgnorePkce]));
    let c = code(&s, PUBLIC_CLIENT_ID, None, "api.read");
    assert_eq!(public(&c, Some(&other.verifier)).status, 200);
}

#[test]
fn expired_code_is_invalid_grant() {
    let s = DemoServer::start(DemoOptions {
        auto_approve: true,
        code_ttl: Duration::from_millis(50),
        ..DemoOptions::default()
    })
    .unwrap();
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    std::thread::sleep(Duration::from_millis(80));
    let r = token_basic(&s, &code_grant(&c, None));
    assert_oauth_error(&r, 400, "invalid_grant");
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[test]
fn token_misbehaviours_change_status_and_headers() {
    let s = start(true);
    s.set_misbehaviour(Misbehaviour::of([
        Misbehave::TokenInHttp200Error,
        Misbehave::NoCacheControl,
    ]));
    let r = token_basic(
        &s,
        &Params::from([("grant_type", "authorization_code"), ("code", "x")]),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["error"], "invalid_request");
    assert!(r.header("cache-control").is_none() && r.header("pragma").is_none());
}

#[test]
fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "openid api.read");
    let first = token_basic(&s, &code_grant(&c, None)).json();
    let rt1 = first["refresh_token"].as_str().unwrap();
    let refresh = |rt: &str, scope: Option<&str>| {
        token_basic(&s, &crate::protocol::token::refresh_grant(rt, scope))
    };

    let second = refresh(rt1, Some("api.read"));
    assert_eq!(second.status, 200, "{second:?}");
    assert_no_store(&second);
    let second = second.json();
    assert_eq!(second["scope"], "api.read");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2);
    assert_oauth_error(&refresh(rt2, Some("email")), 400, "invalid_scope");
    let at2 = second["access_token"].as_str().unwrap();
    assert_eq!(bearer(&s, "/api/profile", at2).status, 200);

    // rt1 again: reuse. Everything of this grant dies, rt2 included.
    let reuse = refresh(rt1, None);
    assert_oauth_error(&reuse, 400, "invalid_grant");
    assert!(
        reuse.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("reuse")
    );
    assert_oauth_error(&refresh(rt2, None), 400, "invalid_grant");
    assert_eq!(bearer(&s, "/api/profile", at2).status, 401);
    assert_eq!(
        bearer(&s, "/api/profile", first["access_token"].as_str().unwrap()).status,
        401
    );

    // Bound to the client.
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    let rt = token_basic(&s, &code_grant(&c, None)).json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut g = crate::protocol::token::refresh_grant(&rt, None);
    g.push("client_id", POST_CLIENT_ID);
    g.push("client_secret", POST_CLIENT_SECRET);
    assert_oauth_error(
        &post_form(s.port(), "/token", &[], &g),
        400,
        "invalid_grant",
    );
}

// ---- resource server ----

#[test]
fn bearer_token_rules() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "openid api.read");
    let at = token_basic(&s, &code_grant(&c, None)).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let none = get(s.port(), "/api/profile");
    assert_eq!(none.status, 401);
    assert_eq!(
        none.header("www-authenticate"),
        Some(r#"Bearer realm="oauthviz-demo""#)
    );

    let query = get(s.port(), &format!("/api/profile?access_token={at}"));
    assert_eq!(query.status, 400);
    assert!(
        query
            .header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_request""#)
    );
    assert!(
        query.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("RFC 9700")
    );

    let bogus = bearer(&s, "/api/profile", "not-a-token");
    assert_eq!(bogus.status, 401);
    assert!(
        bogus
            .header("www-authenticate")
            .unwrap()
            .contains(r#"error="invalid_token", error_description=""#)
    );

    s.set_misbehaviour(Misbehaviour::of([Misbehave::AcceptQueryToken]));
    assert_eq!(
        get(s.port(), &format!("/api/profile?access_token={at}")).status,
        200
    );
    let ui = send(
        s.port(),
        "POST",
        "/userinfo",
        &[("Authorization", &format!("Bearer {at}"))],
        "",
    );
    assert_eq!(ui.status, 200);
}

#[test]
fn expired_access_token_is_invalid_token() {
    let s = DemoServer::start(DemoOptions {
        auto_approve: true,
        access_token_ttl: Duration::from_millis(30),
        ..DemoOptions::default()
    })
    .unwrap();
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    let at = token_basic(&s, &code_grant(&c, None)).json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    std::thread::sleep(Duration::from_millis(50));
    let r = bearer(&s, "/api/profile", &at);
    assert_eq!(r.status, 401);
    assert!(
        r.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

// ---- revocation and introspection ----

#[test]
fn revocation_and_introspection() {
    let s = start(true);
    let c = code(&s, BASIC_CLIENT_ID, None, "api.read");
    let t = token_basic(&s, &code_grant(&c, None)).json();
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let auth = basic_header();
    let introspect = |token: &str| {
        post_form(
            s.port(),
            "/introspect",
            &[("Authorization", &auth)],
            &Params::from([("token", token)]),
        )
        .json()
    };

    let info = introspect(at);
    assert_eq!(info["active"], true);
    assert_eq!(info["client_id"], BASIC_CLIENT_ID);
    assert_eq!(introspect(rt)["token_type"], "refresh_token");
    assert_eq!(introspect("nonsense"), serde_json::json!({"active": false}));

    let revoke = |token: &str, hint: &str| {
        post_form(
            s.port(),
            "/revoke",
            &[("Authorization", &auth)],
            &Params::from([("token", token), ("token_type_hint", hint)]),
        )
    };
    let r = revoke(at, "access_token");
    assert_eq!(r.status, 200);
    assert_no_store(&r);
    assert_eq!(bearer(&s, "/api/profile", at).status, 401);
    assert_eq!(introspect(at)["active"], false);
    assert_eq!(revoke("unknown", "access_token").status, 200);

    // Revoking the refresh token ends the grant.
    assert_eq!(revoke(rt, "refresh_token").status, 200);
    assert_oauth_error(
        &token_basic(&s, &crate::protocol::token::refresh_grant(rt, None)),
        400,
        "invalid_grant",
    );

    // Client authentication is required; the public client may revoke but not introspect.
    assert_oauth_error(
        &post_form(s.port(), "/revoke", &[], &Params::from([("token", at)])),
        401,
        "invalid_client",
    );
    let public = Params::from([("token", at), ("client_id", PUBLIC_CLIENT_ID)]);
    // RFC 7009 §2.1: a client may only revoke its own tokens.
    assert_oauth_error(
        &post_form(s.port(), "/revoke", &[], &public),
        400,
        "unauthorized_client",
    );
    let unknown = Params::from([("token", "whatever"), ("client_id", PUBLIC_CLIENT_ID)]);
    assert_eq!(post_form(s.port(), "/revoke", &[], &unknown).status, 200);
    assert_oauth_error(
        &post_form(s.port(), "/introspect", &[], &public),
        401,
        "invalid_client",
    );
}

// ---- authorization response misbehaviours ----

#[test]
fn state_iss_and_redirect_misbehaviours() {
    let s = start(true);
    let target = authorize_target(BASIC_CLIENT_ID, None, "openid", &[]);
    s.set_misbehaviour(Misbehaviour::of([Misbehave::SkipState, Misbehave::NoIss]));
    let q = get(s.port(), &target).location_params();
    assert!(q.get("code").is_some() && q.get("state").is_none() && q.get("iss").is_none());

    s.set_misbehaviour(Misbehaviour::of([Misbehave::WrongState]));
    let q = get(s.port(), &target).location_params();
    assert_ne!(q.get("state"), Some("st-123"));
    assert!(q.get("state").is_some());

    let sneaky = target.replace("%2Fcallback", "%2Fcallback%2F..%2Fevil");
    s.set_misbehaviour(Misbehaviour::default());
    assert_eq!(get(s.port(), &sneaky).status, 400);
    s.set_misbehaviour(Misbehaviour::of([Misbehave::LooseRedirectUri]));
    let r = get(s.port(), &sneaky);
    assert_eq!(r.status, 302);
    // The URL is normalised on the way out: the code lands on /evil.
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("http://127.0.0.1:53682/evil?code="),
        "{r:?}"
    );

    s.set_auto_approve(false);
    assert_eq!(get(s.port(), &target).status, 200);
}

// ---- lifecycle ----

#[test]
fn shutdown_is_prompt_and_frees_the_port() {
    let s = start(false);
    let port = s.port();
    let t0 = Instant::now();
    s.shutdown();
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "{:?}",
        t0.elapsed()
    );
    // The port can be bound again.
    let again = DemoServer::start(DemoOptions {
        port,
        ..DemoOptions::default()
    })
    .unwrap();
    assert_eq!(again.port(), port);
    // And a busy port is named in the error.
    let err = DemoServer::start(DemoOptions {
        port,
        ..DemoOptions::default()
    })
    .unwrap_err();
    assert!(err.to_string().contains(&port.to_string()), "{err}");
}

#[test]
fn malformed_requests_never_break_the_server() {
    let s = start(false);
    let port = s.port();
    for target in [
        "/authorize?%zz=%%&client_id=%ff",
        "/authorize?client_id=demo-basic&redirect_uri=http%3A%2F%2F127.0.0.1%3A65536%2Fcallback",
        "/consent?id=",
        "/consent",
        "/api/profile?access_token=",
    ] {
        let r = get(port, target);
        assert!((400..500).contains(&r.status), "{target}: {r:?}");
    }
    let r = send(
        port,
        "POST",
        "/login",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "id=%ff%fe&username=\u{0}",
    );
    assert_eq!(r.status, 400);
    let r = send(
        port,
        "POST",
        "/token",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Authorization", "Basic"),
        ],
        "grant_type=x",
    );
    assert_eq!(r.status, 401);
    let r = send(
        port,
        "GET",
        "/api/profile",
        &[("Authorization", "Bearer")],
        "",
    );
    assert_eq!(r.status, 400);
    assert_eq!(get(port, "/").status, 200);
}
