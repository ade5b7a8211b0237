//! The result of one check on a message (state echoed, iss matches, id_token signature, …).
//! Every check has a typed id: the explanations and the experiments' judges match on it, never
//! on the words shown to the user.

use serde::{Deserialize, Serialize};

/// Ordered by severity: `Skip < Pass < Info < Warn < Fail`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Could not be judged here (the reason says why); never counted against the provider.
    Skip,
    Pass,
    /// Allowed (a MAY, or unusual but permitted): shown, never counted against the provider.
    Info,
    Warn,
    Fail,
}

/// Which rule a check applies. The title names the rule and, where one decides it, the RFC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// C: the state returned equals the one sent (RFC 6749 §10.12).
    State,
    /// C: the `iss` parameter names the expected provider (RFC 9207).
    Iss,
    /// E: `Cache-Control: no-store` on a response with tokens (RFC 6749 §5.1).
    CacheControlNoStore,
    /// E: the token type is Bearer (RFC 6750).
    TokenTypeBearer,
    /// E: `expires_in` is given (RFC 6749 §5.1, RECOMMENDED).
    ExpiresIn,
    /// E: an id_token came back for scope `openid` (OpenID Connect Core §3.1.3.3).
    IdTokenPresent,
    /// The id_token is a JWT at all.
    IdTokenJwt,
    IdTokenSignature,
    IdTokenIss,
    IdTokenAud,
    IdTokenAzp,
    IdTokenExp,
    IdTokenIat,
    IdTokenSub,
    IdTokenNonce,
    IdTokenAtHash,
    /// B: a scripted login sent the password only to the authorization server's origin.
    PasswordOrigin,
}

impl CheckId {
    /// The rule, as the inspector and the command line show it.
    pub fn title(self) -> &'static str {
        match self {
            CheckId::State => "state matches the one sent (RFC 6749 §10.12)",
            CheckId::Iss => "iss identifies the expected provider (RFC 9207)",
            CheckId::CacheControlNoStore => "Cache-Control: no-store (RFC 6749 §5.1)",
            CheckId::TokenTypeBearer => "token_type is Bearer (RFC 6750)",
            CheckId::ExpiresIn => "expires_in is given (RFC 6749 §5.1, RECOMMENDED)",
            CheckId::IdTokenPresent => "id_token is present (scope openid)",
            CheckId::IdTokenJwt => "id_token: id_token is a JWT",
            CheckId::IdTokenSignature => "id_token: signature is valid",
            CheckId::IdTokenIss => "id_token: iss is the provider's issuer",
            CheckId::IdTokenAud => "id_token: aud contains this client",
            CheckId::IdTokenAzp => "id_token: azp is this client",
            CheckId::IdTokenExp => "id_token: exp is in the future",
            CheckId::IdTokenIat => "id_token: iat is not in the future",
            CheckId::IdTokenSub => "id_token: sub identifies the user",
            CheckId::IdTokenNonce => "id_token: nonce matches the one sent",
            CheckId::IdTokenAtHash => "id_token: at_hash matches the access token",
            CheckId::PasswordOrigin => "the password goes only to the authorization server",
        }
    }

    /// Whether the check is one of the id_token validation (OpenID Connect Core §3.1.3.7).
    pub fn is_id_token(self) -> bool {
        matches!(
            self,
            CheckId::IdTokenJwt
                | CheckId::IdTokenSignature
                | CheckId::IdTokenIss
                | CheckId::IdTokenAud
                | CheckId::IdTokenAzp
                | CheckId::IdTokenExp
                | CheckId::IdTokenIat
                | CheckId::IdTokenSub
                | CheckId::IdTokenNonce
                | CheckId::IdTokenAtHash
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub verdict: Verdict,
    pub detail: String,
}

impl Check {
    pub fn new(id: CheckId, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            id,
            verdict,
            detail: detail.into(),
        }
    }

    /// Pass with `ok` as the detail, or fail with the error.
    pub fn from_result(id: CheckId, result: Result<String, String>) -> Self {
        match result {
            Ok(detail) => Self::new(id, Verdict::Pass, detail),
            Err(detail) => Self::new(id, Verdict::Fail, detail),
        }
    }

    /// The rule checked, as shown.
    pub fn name(&self) -> &'static str {
        self.id.title()
    }
}
