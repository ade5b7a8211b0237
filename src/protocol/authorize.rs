//! The authorization request (RFC 6749 §4.1.1, with PKCE from RFC 7636 §4.3 and the OpenID
//! Connect `nonce`).

use super::http::{HttpRequest, parse_url};
use super::params::Params;
use super::pkce::Pkce;

/// What goes into step A. `extra` holds any further parameters (prompt, audience, …) in order.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationRequest {
    pub authorization_endpoint: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub state: String,
    pub pkce: Option<Pkce>,
    pub nonce: Option<String>,
    pub extra: Params,
}

impl AuthorizationRequest {
    pub fn params(&self) -> Params {
        let mut p = Params::new();
        p.push("response_type", "code");
        p.push("client_id", &self.client_id);
        p.push("redirect_uri", &self.redirect_uri);
        if !self.scope.is_empty() {
            p.push("scope", &self.scope);
        }
        p.push("state", &self.state);
        if let Some(pkce) = &self.pkce
            && let Some(method) = pkce.method.as_param()
        {
            p.push("code_challenge", &pkce.challenge);
            p.push("code_challenge_method", method);
        }
        if let Some(nonce) = &self.nonce {
            p.push("nonce", nonce);
        }
        for extra in self.extra.iter() {
            p.set(&extra.name, extra.value.clone());
        }
        p
    }

    /// The GET the browser is sent to. Parameters already in the endpoint's query are kept
    /// (RFC 6749 §3.1: "MUST be retained"), ours are appended.
    pub fn to_request(&self) -> Result<HttpRequest, String> {
        let endpoint = parse_url(&self.authorization_endpoint)
            .map_err(|e| format!("authorization endpoint: {e}"))?;
        let mut query = endpoint.query().map(Params::parse).unwrap_or_default();
        for p in self.params().iter() {
            query.push(p.name.clone(), p.value.clone());
        }
        let mut req = HttpRequest::get(endpoint.as_str());
        req.set_query(&query)?;
        Ok(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::pkce::PkceMethod;

    fn sample() -> AuthorizationRequest {
        AuthorizationRequest {
            authorization_endpoint: "https://as.example/authorize?tenant=t1".into(),
            client_id: "app".into(),
            redirect_uri: "http://127.0.0.1:8765/callback".into(),
            scope: "openid profile".into(),
            state: "st".into(),
            pkce: Some(Pkce::from_verifier(PkceMethod::S256, "v".repeat(43))),
            nonce: Some("n".into()),
            extra: Params::from([("prompt", "consent")]),
        }
    }

    #[test]
    fn builds_every_parameter_in_order() {
        let req = sample().to_request().unwrap();
        let q = req.query();
        let names: Vec<_> = q.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "tenant",
                "response_type",
                "client_id",
                "redirect_uri",
                "scope",
                "state",
                "code_challenge",
                "code_challenge_method",
                "nonce",
                "prompt"
            ]
        );
        assert_eq!(q.get("code_challenge_method"), Some("S256"));
        assert!(
            req.url
                .starts_with("https://as.example/authorize?tenant=t1&response_type=code")
        );
    }

    #[test]
    fn extra_overrides_a_standard_parameter() {
        let mut a = sample();
        a.extra = Params::from([("response_type", "token")]);
        assert_eq!(a.params().get("response_type"), Some("token"));
    }

    #[test]
    fn pkce_off_sends_no_challenge() {
        let mut a = sample();
        a.pkce = Some(Pkce::generate(PkceMethod::Off));
        assert_eq!(a.params().get("code_challenge"), None);
    }

    #[test]
    fn bad_endpoint_is_reported() {
        let mut a = sample();
        a.authorization_endpoint = "::".into();
        assert!(
            a.to_request()
                .unwrap_err()
                .contains("authorization endpoint")
        );
    }
}
