//! Everything the app says to someone learning OAuth: what each step does and why, what each
//! parameter, header and claim is for, and what a failure means and what to try. Plain words,
//! kept apart from the widgets so the wording can be reviewed in one place.

mod names;
pub mod panel;

pub use names::{At, claim, header, param};

use crate::protocol::error::ErrorCode;
use crate::protocol::http::{HttpRequest, HttpResponse};
use crate::trace::{Attempt, CheckId, Outcome, StepId, Verdict};

pub const OVERVIEW: &str = "The Authorization Code flow lets an app (the client) use an API on your behalf without ever \
seeing your password. Steps A–C happen in your browser (the front channel); D–G happen directly between the client \
and the servers (the back channel). Click an arrow to see exactly what went over the wire, and why.";

pub struct StepText {
    pub what: &'static str,
    pub why: &'static str,
}

pub fn step(step: StepId) -> StepText {
    match step {
        StepId::A => StepText {
            what: "The client builds a link to the authorization server's /authorize endpoint and sends your browser \
                   there. The link says who the client is (client_id), where to send you back (redirect_uri), what it asks \
                   for (scope), a random state, and a PKCE code_challenge.",
            why: "The browser is involved because only you can log in and consent, and you do it on the authorization \
                  server's own page: the client never sees your password. Everything in this link passes through the \
                  browser, where it can be seen, so it carries nothing secret — no client secret, and only the hash of \
                  the PKCE verifier.",
        },
        StepId::B => StepText {
            what: "The authorization server asks you to log in and to approve what the client asked for. This happens \
                   only between your browser and the server.",
            why: "The client is not part of this conversation: that is the point of OAuth. You grant limited access \
                  (the scopes) without handing out your password, and you can revoke it later. In auto-approve mode a \
                  scripted browser logs in as the demo user instead of you.",
        },
        StepId::C => StepText {
            what: "The server redirects your browser back to the client's redirect_uri with a short-lived authorization \
                   code and the state the client sent. oauthviz listens on a loopback address (127.0.0.1) to receive it, \
                   then checks the state.",
            why: "The code travels through the browser, where it can leak (history, logs, other apps), so it is not a \
                  token yet: it expires within minutes, works only once, and is useless without the client's \
                  credentials or PKCE verifier. The state check proves this redirect answers a request this client \
                  made: without it an attacker could slip their own code into your session (login CSRF).",
        },
        StepId::D => StepText {
            what: "The client now talks to the authorization server directly (the back channel) and trades the code \
                   for tokens: it POSTs the code, the same redirect_uri, the PKCE code_verifier, and authenticates \
                   itself.",
            why: "The browser is out of the loop, so this is where secrets may travel: the client secret goes in the \
                  Authorization header (client_secret_basic) or the form (client_secret_post), over TLS straight to the \
                  server, never through the browser. The code_verifier proves that whoever redeems the code started \
                  the flow: only that client knows the verifier whose hash went out in A, so a stolen code is worthless.",
        },
        StepId::E => StepText {
            what: "The server answers with an access token, how long it lasts, and often a refresh token and (with \
                   OpenID Connect) an id_token saying who logged in.",
            why: "The tokens come back on the back channel, so they never appear in a browser URL or history. A \
                  response carrying tokens must not be cached (Cache-Control: no-store).",
        },
        StepId::F => StepText {
            what: "The client calls the protected resource (an API) with the access token in the header \
                   Authorization: Bearer <token>.",
            why: "A bearer token works like cash: whoever holds it can spend it, no further proof asked (RFC 6750). \
                  That is why it stays out of URLs and logs, travels only over TLS, and expires quickly.",
        },
        StepId::G => StepText {
            what: "The resource server checks the token (its signature and expiry, or by asking the authorization \
                   server) and answers with what the granted scopes allow.",
            why: "The resource server never learns your password or the client secret: the token alone says who \
                  authorized what, for how long.",
        },
        StepId::Refresh => StepText {
            what: "The client trades its refresh token for a new access token at the token endpoint (RFC 6749 §6).",
            why: "Access tokens are short-lived to limit the damage of a leak; the refresh token lets the client \
                  stay connected without sending you through the browser again.",
        },
        StepId::Revoke => StepText {
            what: "The client asks the authorization server to invalidate a token (RFC 7009), as at logout.",
            why: "A token stays valid until it expires unless someone revokes it; revoking ends the access at once.",
        },
        StepId::Introspect => StepText {
            what: "A protected resource asks the authorization server whether a token is active and what it allows \
                   (RFC 7662).",
            why: "Opaque tokens carry no readable claims, so the resource server asks their issuer instead.",
        },
    }
}

/// Which token a decoded JWT is: the trust the client may put in it differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtKind {
    /// An OpenID Connect id_token, addressed to the client.
    IdToken,
    /// An access or refresh token, addressed to the servers.
    Token,
}

impl JwtKind {
    /// The kind of the JWT in the JSON field or header named `name`.
    pub fn of_field(name: &str) -> JwtKind {
        if name == "id_token" {
            JwtKind::IdToken
        } else {
            JwtKind::Token
        }
    }
}

/// Why the client may (or need not) trust a token's contents without checking its signature.
pub fn jwt_trust(kind: JwtKind) -> &'static str {
    if kind == JwtKind::IdToken {
        "The client may trust this id_token without verifying the signature itself because it came straight from \
         the token endpoint over TLS (OpenID Connect Core §3.1.3.7); an id_token received any other way must be checked \
         against the provider's keys (JWKS)."
    } else {
        "An access token is addressed to the resource server, which verifies it. The client should treat it as \
         opaque: its format may change without notice. It is decoded here only so you can see what it says."
    }
}

/// What went wrong in a failed (or warned-about) step, in words.
#[derive(Debug, PartialEq)]
pub struct Failure {
    /// The error code and the provider's description, or the engine's reason.
    pub headline: String,
    /// What the error code means (RFC 6749 / 6750).
    pub meaning: Option<&'static str>,
    pub try_this: Vec<&'static str>,
}

/// `request`/`response` are the exchange as the inspector shows it (D's request with E's response).
pub fn failure(
    step: StepId,
    attempt: &Attempt,
    request: Option<&HttpRequest>,
    response: Option<&HttpResponse>,
) -> Option<Failure> {
    let reason = match &attempt.outcome {
        Outcome::Failed(r) | Outcome::Warning(r) => r,
        _ => return None,
    };
    if let Some(error) = crate::trace::oauth_error(step, request, response) {
        return Some(Failure {
            headline: error.to_string(),
            meaning: error.explanation(),
            try_this: try_for_code(&error.error),
        });
    }
    let failed_check = attempt.checks.iter().find(|c| c.verdict == Verdict::Fail);
    let try_this = if attempt.transport_error.is_some() {
        vec![
            "Check the URL and that the server is running and reachable from this machine; the inspector shows the exact error.",
        ]
    } else if let Some(check) = failed_check {
        match check.id {
            CheckId::State => vec![
                "Run the flow again from Run flow. If it keeps failing, the provider is not returning state unchanged: report it.",
            ],
            CheckId::Iss => {
                vec!["Check the issuer field: it must be exactly the provider's issuer identifier."]
            }
            _ => Vec::new(),
        }
    } else if step == StepId::C {
        vec![
            "If the browser never came back, check that the redirect URI is registered at the provider exactly as entered here.",
        ]
    } else {
        Vec::new()
    };
    Some(Failure {
        headline: reason.clone(),
        meaning: None,
        try_this,
    })
}

fn try_for_code(code: &ErrorCode) -> Vec<&'static str> {
    match code.as_str() {
        "invalid_client" => vec![
            "Check the client secret: copy it again from the provider's app registration.",
            "Check the client authentication method: the provider may expect client_secret_basic where you chose client_secret_post, or the other way round.",
        ],
        "invalid_grant" => vec![
            "Codes are single-use and expire within minutes: run the flow again.",
            "Check that redirect_uri in D is exactly the one sent in A.",
            "With PKCE, the code_verifier must be the one whose hash went out in A.",
        ],
        "invalid_request" => vec![
            "Look at the parameters in the inspector: one may be missing (e.g. code_verifier when the provider requires PKCE), repeated or malformed.",
        ],
        "unauthorized_client" | "unsupported_response_type" | "unsupported_grant_type" => {
            vec![
                "Enable the authorization code grant for this client in the provider's app registration.",
            ]
        }
        "access_denied" => {
            vec!["The consent was refused: run again and approve, or check the user's permissions."]
        }
        "invalid_scope" => {
            vec!["Ask for fewer or different scopes: use the names the provider documents."]
        }
        "server_error" | "temporarily_unavailable" => {
            vec!["The provider failed: try again in a moment, or check its status page."]
        }
        "invalid_token" => vec![
            "The access token was refused: it may have expired or be meant for another API (audience). Run the flow again.",
        ],
        "insufficient_scope" => {
            vec!["Add the scope this resource needs to the scope field and run again."]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::protocol::http::Headers;
    use crate::trace::Check;

    fn json_response(status: u16, body: &str) -> HttpResponse {
        let mut headers = Headers::default();
        headers.push("Content-Type", "application/json");
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    fn failed(reason: &str) -> Attempt {
        Attempt {
            outcome: Outcome::Failed(reason.into()),
            ..Default::default()
        }
    }

    #[test]
    fn token_endpoint_errors_are_explained_with_what_to_try() {
        let resp = json_response(
            401,
            r#"{"error":"invalid_client","error_description":"bad secret"}"#,
        );
        let f = failure(
            StepId::E,
            &failed("HTTP 401, invalid_client"),
            None,
            Some(&resp),
        )
        .unwrap();
        assert_eq!(f.headline, "invalid_client: bad secret");
        assert!(f.meaning.unwrap().contains("client authentication failed"));
        assert!(f.try_this.iter().any(|t| t.contains("client secret")));
    }

    #[test]
    fn callback_errors_come_from_the_redirect_query() {
        let req = HttpRequest::get("http://127.0.0.1:1/callback?error=access_denied&state=s");
        let f = failure(StepId::C, &failed("access_denied"), Some(&req), None).unwrap();
        assert_eq!(f.headline, "access_denied");
        assert!(f.try_this[0].contains("approve"));
    }

    #[test]
    fn resource_errors_come_from_www_authenticate() {
        let mut resp = json_response(401, "");
        resp.headers.push(
            "WWW-Authenticate",
            r#"Bearer realm="demo", error="invalid_token", error_description="expired""#,
        );
        let e = crate::trace::oauth_error(StepId::G, None, Some(&resp)).unwrap();
        assert_eq!(e.error, "invalid_token");
    }

    #[test]
    fn failed_checks_and_transport_errors_get_advice() {
        let mut a = failed("state mismatch");
        a.checks
            .push(Check::new(CheckId::State, Verdict::Fail, "differs"));
        let f = failure(StepId::C, &a, None, None).unwrap();
        assert_eq!(f.headline, "state mismatch");
        assert!(f.try_this[0].contains("state"));

        let mut t = failed("connection refused");
        t.transport_error = Some("connection refused".into());
        assert!(
            failure(StepId::D, &t, None, None).unwrap().try_this[0].contains("server is running")
        );
    }

    #[test]
    fn nothing_to_explain_when_ok() {
        let ok = Attempt {
            outcome: Outcome::Ok,
            ..Default::default()
        };
        assert_eq!(failure(StepId::E, &ok, None, None), None);
    }
}
