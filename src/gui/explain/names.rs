//! What each shown name means where it is shown: a parameter, JSON field or header is explained
//! for the step and the half of the exchange it is on (`accept: */*` on the browser's redirect
//! is not the token request's "asks for JSON"), or not at all.

use crate::trace::StepId;

/// Where a name is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// In the request of a step's exchange: A (the authorization request), C (the redirect the
    /// listener received), D (the token request), F, or a step after E.
    Request(StepId),
    /// In the answer of a step's exchange: E (the token response), G (the resource), a step
    /// after E; A's answer is the provider's first page.
    Response(StepId),
    /// A page the browser went through during the login (B), or a discovery request on A.
    Page { response: bool },
}

impl At {
    /// The request half of `step`'s exchange (B's pages are [`At::Page`]).
    pub fn request(step: StepId) -> At {
        At::Request(step.request_step())
    }

    /// The answer half of `step`'s exchange.
    pub fn response(step: StepId) -> At {
        match step {
            StepId::A | StepId::B => At::Response(StepId::A),
            other => At::Response(other.exchange().1),
        }
    }

    /// A token endpoint call's request: D, a refresh, a revocation, an introspection.
    fn token_request(self) -> bool {
        matches!(
            self,
            At::Request(StepId::D | StepId::Refresh | StepId::Revoke | StepId::Introspect)
        )
    }

    /// An answer of the token endpoint that carries tokens: E or a refresh.
    fn token_response(self) -> bool {
        matches!(self, At::Response(StepId::E | StepId::Refresh))
    }

    /// Something a browser sent or got: the login pages, A's page, C's redirect.
    fn browser(self) -> bool {
        matches!(
            self,
            At::Page { .. }
                | At::Request(StepId::A | StepId::C)
                | At::Response(StepId::A | StepId::C)
        )
    }
}

/// What a query, form or JSON parameter is for, where it is.
pub fn param(name: &str, at: At) -> Option<&'static str> {
    use At::{Request, Response};
    use StepId as S;
    Some(match (name, at) {
        ("response_type", _) => {
            "code asks for an authorization code, not a token: the code crosses the browser, the token is fetched later on the back channel where the client can authenticate"
        }
        ("client_id", Response(S::G | S::Introspect)) => "the client the token was issued to",
        ("client_id", _) => "the client's public identifier, as registered with the provider",
        ("redirect_uri", Request(S::D)) => {
            "must be exactly the value sent in A (RFC 6749 §4.1.3): the provider checks the code was issued for it"
        }
        ("redirect_uri", _) => {
            "where the browser is sent back with the code; must exactly match a registered URI (or codes could be sent to an attacker's site), and D must repeat the same value"
        }
        ("scope", Response(S::E | S::Refresh)) => {
            "the access actually granted: it may be less than was asked for (RFC 6749 §3.3)"
        }
        ("scope", Response(_)) => "the access the token carries",
        ("scope", Request(S::Refresh)) => {
            "a narrower scope for the new token (optional; it cannot be wider than before)"
        }
        ("scope", _) => {
            "what access the client asks for; you see and approve it on the consent page"
        }
        ("state", Request(S::C)) => {
            "must be exactly the state sent in A: that ties this redirect to this client's request and blocks CSRF"
        }
        ("state", _) => {
            "random value the client remembers; the callback must return it unchanged, which ties the redirect to this request and blocks CSRF"
        }
        ("code_challenge", _) => {
            "PKCE: the SHA-256 hash of a secret code_verifier; safe in the browser because a hash cannot be reversed"
        }
        ("code_challenge_method", _) => {
            "PKCE: how the challenge was derived; S256 hashes the verifier, plain offers no protection if the link leaks"
        }
        ("nonce", _) => {
            "OpenID Connect: random value copied into the id_token, so a replayed id_token is noticed"
        }
        ("code", Request(S::D)) => {
            "the code from C, redeemed here: it works once, and a second use must fail (RFC 6749 §4.1.2)"
        }
        ("code", _) => {
            "the authorization code, brought back through the browser: short-lived, single-use, and useless without the client's credentials or PKCE verifier"
        }
        ("iss", Request(S::C)) => {
            "who issued this response (RFC 9207): lets the client notice when responses from two providers get mixed up"
        }
        ("iss", _) => "who issued the token",
        ("grant_type", Request(S::Refresh)) => {
            "refresh_token: trades the refresh token for a new access token (RFC 6749 §6)"
        }
        ("grant_type", _) => "authorization_code: redeems the code from C for tokens",
        ("code_verifier", _) => {
            "PKCE: the secret whose hash went out in A; only the client that started the flow knows it"
        }
        ("client_secret", _) => {
            "the client's password; only ever sent on the back channel, never through the browser"
        }
        ("client_assertion", _) => {
            "a JWT signed with the client's private key, proving who the client is (RFC 7523)"
        }
        ("client_assertion_type", _) => {
            "says the client authenticates with a signed JWT (RFC 7523)"
        }
        ("access_token", _) => {
            "the credential for the API; whoever holds it can use it (bearer), so guard it like a password"
        }
        ("token_type", _) => {
            "how to use the token: Bearer means send it as Authorization: Bearer <token>"
        }
        ("expires_in", _) => {
            "seconds until the access token stops working; a short life limits the damage of a leak"
        }
        ("refresh_token", Request(S::Refresh)) => {
            "the refresh token from E, traded for a new access token; a provider may rotate it (RFC 9700 §4.14)"
        }
        ("refresh_token", _) => {
            "gets new access tokens without asking you again; long-lived, so guarded like a password"
        }
        ("id_token", _) => {
            "OpenID Connect: a signed statement of who logged in, meant for the client (not for APIs)"
        }
        ("token", Request(S::Revoke)) => "the token to revoke (RFC 7009)",
        ("token", Request(S::Introspect)) => "the token to ask about (RFC 7662)",
        ("token_type_hint", _) => "which kind of token it is, to help the server look it up",
        ("active", Response(S::Introspect)) => {
            "whether the token is valid right now (RFC 7662): false for revoked, expired or unknown tokens"
        }
        ("error", _) => "an RFC 6749 error code; the explanation panel says what it means",
        ("error_description", _) => "the provider's own words about the error, for developers",
        ("error_uri", _) => "a page about the error, chosen by the provider",
        ("username", At::Page { .. }) => {
            "your login name, typed on the authorization server's page (the client never sees it)"
        }
        ("password", At::Page { .. }) => {
            "your password, typed on the authorization server's page: the client never sees it"
        }
        ("prompt", _) => "OpenID Connect: whether to force a login or consent screen",
        ("login_hint", _) => "OpenID Connect: pre-fills the login name",
        ("audience" | "resource", _) => {
            "which API the token is for (RFC 8707 resource indicator or a provider's own audience parameter)"
        }
        (claim, Response(S::G)) => return profile_claim(claim),
        _ => return None,
    })
}

/// OpenID Connect's standard claims (Core §5.1), as a userinfo answer (G) carries them.
fn profile_claim(name: &str) -> Option<&'static str> {
    Some(match name {
        "sub" => "who you are at this provider: a stable identifier, the one to key accounts on",
        "name" => "your full name, as the provider has it",
        "given_name" => "your first name, as the provider has it",
        "family_name" => "your last name, as the provider has it",
        "preferred_username" => "the name you go by; not unique, not stable: never key on it",
        "email" => "your email address, as the provider has it",
        "email_verified" => "whether the provider checked that the address is yours",
        "picture" => "a picture of you",
        "locale" => "your language and region",
        "updated_at" => "when your profile last changed",
        _ => return None,
    })
}

/// What a header is for, where it is.
pub fn header(name: &str, at: At) -> Option<&'static str> {
    use At::{Request, Response};
    use StepId as S;
    let name = name.to_ascii_lowercase();
    Some(match name.as_str() {
        "authorization" if at.token_request() => {
            "client authentication: Basic base64(client_id:client_secret) (RFC 6749 §2.3.1)"
        }
        "authorization" if at == Request(S::F) => {
            "Bearer <access token> (RFC 6750 §2.1): whoever holds the token can use it"
        }
        "authorization" => "credentials for the server",
        "content-type" if at.token_request() => {
            "a token request's body is application/x-www-form-urlencoded (RFC 6749 §4.1.3)"
        }
        "content-type" if at.token_response() => "a token response is JSON (RFC 6749 §5.1)",
        "content-type" if at == Response(S::G) => "the format of the protected resource",
        "content-type" if at.browser() => "the format of the page or form",
        "content-type" => "how the body is encoded",
        "accept" if at.token_request() => {
            "asks for JSON; some providers (GitHub) answer form-encoded otherwise"
        }
        "accept" if at == Request(S::F) => "the format the client wants the resource in",
        "accept" if at.browser() => "the formats the browser takes (*/* is any)",
        "accept" => "the formats the sender takes",
        "cache-control" if at.token_response() => {
            "no-store: a response with tokens must not be cached anywhere (RFC 6749 §5.1)"
        }
        "cache-control" if at == Response(S::G) => {
            "whether the resource may be cached; personal data should not be"
        }
        "cache-control" if at.browser() => {
            "whether the page may be cached; a login page should not be"
        }
        "cache-control" => "caching instructions",
        "pragma" if at.token_response() => {
            "no-cache: the HTTP/1.0 way to forbid caching, which RFC 6749 §5.1 asks for too"
        }
        "pragma" => "no-cache: the HTTP/1.0 way to forbid caching",
        "location" => "where this redirect sends the browser",
        "www-authenticate" if at == Response(S::G) => {
            "why the resource server refused the token (RFC 6750 §3 error codes)"
        }
        "www-authenticate" => {
            "how to authenticate here: a 401 for invalid_client carries one (RFC 6749 §5.2)"
        }
        "set-cookie" | "cookie" if at == Request(S::C) => {
            "cookies the browser sends to the listener (oauthviz sets none)"
        }
        "set-cookie" | "cookie" => "the authorization server's login session in your browser",
        "user-agent" if at.browser() => "the browser (or the scripted agent) that made the request",
        "user-agent" => "the program that sent the request: here oauthviz's HTTP client",
        "host" => "the server, and port, the request is for",
        "date" => "when the server sent this answer",
        "content-length" => "the size of the body, in bytes",
        "origin" | "referer" => {
            "the page the request came from; the provider checks it against cross-site forgery"
        }
        "x-frame-options" => "keeps other sites from framing this page (clickjacking)",
        "content-security-policy" => "what the page may load, and which sites may frame it",
        "referrer-policy" => {
            "keeps this page's URL (which may hold a code or state) out of the Referer sent elsewhere"
        }
        _ => return None,
    })
}

/// What a JWT claim (header or payload) means.
pub fn claim(name: &str) -> Option<&'static str> {
    Some(match name {
        "alg" => "the signature algorithm; the verifier must insist on the one it expects",
        "kid" => "which of the issuer's keys (JWKS) signed the token",
        "typ" => "the token's type (at+jwt marks an access token, RFC 9068)",
        "iss" => "who issued the token; must be the expected issuer",
        "aud" => "who the token is for; a recipient rejects tokens meant for someone else",
        "exp" => "expiry: after this the token must be rejected",
        "iat" => "when the token was issued",
        "nbf" => "not valid before this time",
        "auth_time" => {
            "when the user actually logged in (may be earlier than iat with a remembered session)"
        }
        "nonce" => "echo of the nonce sent in A; proves this id_token answers that request",
        "azp" => "authorized party: the client the token was issued to",
        "client_id" => "the client the token was issued to (RFC 9068)",
        "scope" => "the access granted",
        "jti" => "unique token id, lets a server refuse replays",
        "at_hash" => "hash of the access token, binding it to this id_token",
        "sid" => "the login session id at the provider",
        other => return profile_claim(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_the_flow_sends_is_explained_where_it_is_sent() {
        let a = At::request(StepId::A);
        let c = At::request(StepId::C);
        let d = At::request(StepId::D);
        let e = At::response(StepId::E);
        for (name, at) in [
            ("response_type", a),
            ("client_id", a),
            ("redirect_uri", a),
            ("scope", a),
            ("state", a),
            ("code_challenge", a),
            ("code_challenge_method", a),
            ("nonce", a),
            ("code", c),
            ("state", c),
            ("iss", c),
            ("grant_type", d),
            ("code", d),
            ("redirect_uri", d),
            ("code_verifier", d),
            ("client_secret", d),
            ("access_token", e),
            ("token_type", e),
            ("expires_in", e),
            ("refresh_token", e),
            ("id_token", e),
            ("scope", e),
        ] {
            assert!(
                param(name, at).is_some(),
                "{name} at {at:?} has no explanation"
            );
        }
    }

    #[test]
    fn an_explanation_is_chosen_by_step_and_place() {
        // The browser's redirect is no token request.
        let accept_c = header("accept", At::request(StepId::C)).unwrap();
        assert!(!accept_c.contains("JSON"), "{accept_c}");
        assert!(
            header("accept", At::request(StepId::D))
                .unwrap()
                .contains("JSON")
        );
        // G's body is the resource, not a token request or response.
        let g = At::response(StepId::G);
        let ct = header("content-type", g).unwrap();
        assert!(!ct.contains("x-www-form-urlencoded"), "{ct}");
        let cc = header("cache-control", g).unwrap();
        assert!(!cc.contains("token"), "{cc}");
        assert!(
            header("cache-control", At::response(StepId::E))
                .unwrap()
                .contains("tokens")
        );
        // Whether it is masked is the inspector's to show, not the explanation's to claim.
        assert!(
            !param("access_token", At::response(StepId::E))
                .unwrap()
                .contains("masked")
        );
        // The same name differs by step.
        assert_ne!(
            param("code", At::request(StepId::C)),
            param("code", At::request(StepId::D))
        );
        assert_ne!(
            param("scope", At::request(StepId::A)),
            param("scope", At::response(StepId::E))
        );
        // Names that had none.
        for (name, at) in [("given_name", g), ("family_name", g)] {
            assert!(param(name, at).is_some(), "{name}");
        }
        for name in ["user-agent", "host"] {
            assert!(header(name, At::request(StepId::C)).is_some(), "{name}");
        }
        assert!(header("date", g).is_some());
        // A claim-looking field elsewhere is not a profile claim.
        assert_eq!(param("given_name", At::response(StepId::E)), None);
        // A login page's fields are explained only on the login page.
        assert!(param("password", At::Page { response: false }).is_some());
        assert_eq!(param("password", At::request(StepId::D)), None);
    }
}
