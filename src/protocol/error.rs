//! The error object of RFC 6749 §4.1.2.1 (authorization response) and §5.2 (token response).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An error code of RFC 6749 §4.1.2.1 / §5.2 or RFC 6750 §3.1. Providers invent codes of their
/// own (`bad_verification_code`), kept as they came in `Other`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidRequest,
    UnauthorizedClient,
    AccessDenied,
    UnsupportedResponseType,
    InvalidScope,
    ServerError,
    TemporarilyUnavailable,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
    InvalidToken,
    InsufficientScope,
    Other(String),
}

impl ErrorCode {
    const KNOWN: [ErrorCode; 12] = [
        ErrorCode::InvalidRequest,
        ErrorCode::UnauthorizedClient,
        ErrorCode::AccessDenied,
        ErrorCode::UnsupportedResponseType,
        ErrorCode::InvalidScope,
        ErrorCode::ServerError,
        ErrorCode::TemporarilyUnavailable,
        ErrorCode::InvalidClient,
        ErrorCode::InvalidGrant,
        ErrorCode::UnsupportedGrantType,
        ErrorCode::InvalidToken,
        ErrorCode::InsufficientScope,
    ];

    /// The code as it goes on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::ServerError => "server_error",
            ErrorCode::TemporarilyUnavailable => "temporarily_unavailable",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InsufficientScope => "insufficient_scope",
            ErrorCode::Other(code) => code,
        }
    }

    /// The code a provider sent; codes are case-sensitive (RFC 6749 §5.2), so `Invalid_Grant`
    /// is a code of the provider's own.
    pub fn parse(code: &str) -> ErrorCode {
        Self::KNOWN
            .into_iter()
            .find(|known| known.as_str() == code)
            .unwrap_or_else(|| ErrorCode::Other(code.to_owned()))
    }

    /// What the code means, in words, for the codes RFC 6749 and RFC 6750 define.
    pub fn explanation(&self) -> Option<&'static str> {
        Some(match self {
            ErrorCode::InvalidRequest => {
                "the request is missing a parameter, repeats one, or is otherwise malformed"
            }
            ErrorCode::UnauthorizedClient => {
                "this client is not allowed to use this grant or response type"
            }
            ErrorCode::AccessDenied => "the user or the server refused the request",
            ErrorCode::UnsupportedResponseType => "the server does not offer this response_type",
            ErrorCode::InvalidScope => "the requested scope is unknown, malformed or too broad",
            ErrorCode::ServerError => "the authorization server hit an unexpected condition",
            ErrorCode::TemporarilyUnavailable => {
                "the authorization server is overloaded or in maintenance"
            }
            ErrorCode::InvalidClient => {
                "client authentication failed: unknown client, wrong secret, or wrong method"
            }
            ErrorCode::InvalidGrant => {
                "the code or refresh token is invalid, expired, already used, or was issued to another client or redirect_uri (or the PKCE verifier does not match)"
            }
            ErrorCode::UnsupportedGrantType => "the server does not offer this grant_type",
            ErrorCode::InvalidToken => "the access token is expired, revoked, malformed or invalid",
            ErrorCode::InsufficientScope => "the access token lacks the scope this resource needs",
            ErrorCode::Other(_) => return None,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|code| ErrorCode::parse(&code))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// The error code, e.g. `invalid_grant`.
    pub error: ErrorCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

impl OAuthError {
    pub fn new(error: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            error,
            error_description: Some(description.into()),
            error_uri: None,
        }
    }

    /// What the code means, in words, for the codes RFC 6749 and RFC 6750 define.
    pub fn explanation(&self) -> Option<&'static str> {
        self.error.explanation()
    }

    /// The provider's own words first, then what the code means.
    pub fn described(&self) -> String {
        let mut s = format!("the provider answered {self}");
        if let Some(uri) = &self.error_uri {
            s.push_str(&format!(" (see {uri})"));
        }
        if let Some(meaning) = self.explanation() {
            s.push_str(&format!(" — {meaning}"));
        }
        s
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.error.as_str())?;
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
        let e = OAuthError::new(ErrorCode::InvalidGrant, "code already used");
        assert_eq!(e.to_string(), "invalid_grant: code already used");
        assert!(e.explanation().unwrap().contains("already used"));
    }

    #[test]
    fn codes_round_trip_and_unknown_ones_are_kept() {
        for code in ErrorCode::KNOWN {
            assert_eq!(ErrorCode::parse(code.as_str()), code);
        }
        assert_eq!(
            ErrorCode::parse("bad_verification_code"),
            ErrorCode::Other("bad_verification_code".into())
        );
        // RFC 6749 codes are case-sensitive.
        assert!(matches!(
            ErrorCode::parse("Invalid_Grant"),
            ErrorCode::Other(_)
        ));
        let json = serde_json::to_string(&ErrorCode::InvalidGrant).unwrap();
        assert_eq!(json, "\"invalid_grant\"");
    }
}
