//! The error object of RFC 6749 §4.1.2.1 (authorization response) and §5.2 (token response).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// The error code, e.g. `invalid_grant`.
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

impl OAuthError {
    pub fn new(error: &str, description: impl Into<String>) -> Self {
        Self {
            error: error.to_owned(),
            error_description: Some(description.into()),
            error_uri: None,
        }
    }

    /// What the code means, in words, for the codes RFC 6749 and RFC 6750 define.
    pub fn explanation(&self) -> Option<&'static str> {
        Some(match self.error.as_str() {
            "invalid_request" => {
                "the request is missing a parameter, repeats one, or is otherwise malformed"
            }
            "unauthorized_client" => {
                "this client is not allowed to use this grant or response type"
            }
            "access_denied" => "the user or the server refused the request",
            "unsupported_response_type" => "the server does not offer this response_type",
            "invalid_scope" => "the requested scope is unknown, malformed or too broad",
            "server_error" => "the authorization server hit an unexpected condition",
            "temporarily_unavailable" => "the authorization server is overloaded or in maintenance",
            "invalid_client" => {
                "client authentication failed: unknown client, wrong secret, or wrong method"
            }
            "invalid_grant" => {
                "the code or refresh token is invalid, expired, already used, or was issued to another client or redirect_uri (or the PKCE verifier does not match)"
            }
            "unsupported_grant_type" => "the server does not offer this grant_type",
            "invalid_token" => "the access token is expired, revoked, malformed or invalid",
            "insufficient_scope" => "the access token lacks the scope this resource needs",
            _ => return None,
        })
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)?;
        if let Some(d) = &self.error_description {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_description() {
        let e = OAuthError::new("invalid_grant", "code already used");
        assert_eq!(e.to_string(), "invalid_grant: code already used");
        assert!(e.explanation().unwrap().contains("already used"));
    }
}
