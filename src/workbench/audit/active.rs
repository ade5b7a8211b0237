//! The active checks ("experiments"): each sends a modified request that a provider should
//! refuse (or that the client's own checks must catch). Their plans are in `plan`, their
//! judges in `judge`.

use super::rule::{Area, check_table};
use crate::trace::StepId;

check_table! {
    pub enum Experiment {
        RedirectUriUnregistered = "redirect-uri-unregistered", RedirectUri, Must, "RFC 6749 §4.1.2.1",
            "Unregistered redirect_uri at A",
            "an unregistered redirect_uri is refused: the provider MUST NOT redirect the browser to it";
        RedirectUriOtherPath = "redirect-uri-other-path", RedirectUri, Must, "RFC 9700 §2.1",
            "redirect_uri with a longer path at A",
            "redirect URIs are compared by exact string matching, so a path added to the registered one is refused";
        RedirectUriOneCharAtA = "redirect-uri-one-char-at-a", RedirectUri, Must, "RFC 9700 §2.1",
            "redirect_uri changed by one character at A",
            "exact string matching: a redirect_uri one character off the registered one is refused";
        RedirectUriOtherHost = "redirect-uri-other-host", RedirectUri, Must, "RFC 9700 §2.1",
            "redirect_uri on another host at A",
            "exact string matching: a redirect_uri on another host is refused";
        RedirectUriOtherScheme = "redirect-uri-other-scheme", RedirectUri, Must, "RFC 9700 §2.1",
            "redirect_uri with another scheme at A",
            "exact string matching: a redirect_uri with another scheme is refused";
        RedirectUriOtherPort = "redirect-uri-other-port", RedirectUri, Must, "RFC 8252 §7.3, RFC 9700 §2.1",
            "redirect_uri on another port at A",
            "a loopback redirect URI may change port (for 127.0.0.1 and [::1] the provider MUST allow any port); any other redirect_uri must match exactly";
        OpenRedirectOnError = "open-redirect-on-error", RedirectUri, Must, "RFC 6749 §4.1.2.1, RFC 9700 §4.11.2",
            "Invalid request to an unregistered redirect_uri",
            "an error with an unregistered redirect_uri is shown to the user, never redirected (no open redirector)";
        RedirectUriOneChar = "redirect-uri-one-char", RedirectUri, Must, "RFC 6749 §4.1.3",
            "redirect_uri changed by one character at D",
            "the token request's redirect_uri MUST be identical to the authorization request's (invalid_grant)";
        RedirectUriOmittedAtD = "redirect-uri-omitted-at-d", RedirectUri, Must, "RFC 6749 §4.1.3",
            "redirect_uri left out at D",
            "redirect_uri is REQUIRED at the token endpoint when the authorization request had one";
        ReuseCode = "reuse-code", Code, Must, "RFC 6749 §4.1.2",
            "Reuse the authorization code",
            "a code is single-use: a second exchange MUST be denied (invalid_grant)";
        ReuseCodeRevokesTokens = "reuse-code-revokes-tokens", Code, Should, "RFC 6749 §4.1.2",
            "Tokens of a reused code still work",
            "when a code is used twice, the tokens already issued from it SHOULD be revoked";
        CodeBoundToClient = "code-bound-to-client", Code, Must, "RFC 6749 §4.1.3",
            "Redeem the code as another client",
            "a code is redeemed only by the client it was issued to (invalid_grant)";
        MadeUpCode = "made-up-code", Code, Must, "RFC 6749 §4.1.3",
            "A made-up authorization code",
            "the provider MUST verify that the code is valid (invalid_grant)";
        CodeLifetime = "code-lifetime", Code, Should, "RFC 6749 §4.1.2",
            "Redeem a code after a wait",
            "a code expires shortly after it is issued: a maximum lifetime of 10 minutes is RECOMMENDED (judged with a wait of 600 s or more)";
        PkceRequired = "pkce-required", Pkce, Should, "RFC 9700 §2.1.1",
            "No PKCE at all",
            "public clients MUST use PKCE, so a provider should not let them go without (confidential clients SHOULD use it)";
        DropCodeVerifier = "drop-code-verifier", Pkce, Must, "RFC 9700 §2.1.1, RFC 7636 §4.6",
            "Drop code_verifier",
            "a code issued for a code_challenge MUST NOT be redeemed without the verifier";
        WrongCodeVerifier = "wrong-code-verifier", Pkce, Must, "RFC 7636 §4.6",
            "Wrong code_verifier",
            "the verifier MUST hash to the challenge, else invalid_grant";
        PkceDowngrade = "pkce-downgrade", Pkce, Must, "RFC 9700 §2.1.1, §4.8.2",
            "PKCE downgrade: no challenge at A, a verifier at D",
            "a token request with a code_verifier is accepted only if the authorization request had a code_challenge";
        ShortCodeVerifier = "short-code-verifier", Pkce, Should, "RFC 7636 §4.1",
            "A code_verifier shorter than 43 characters",
            "a code_verifier is 43 to 128 characters; a shorter one is not a valid verifier";
        PkcePlain = "pkce-plain", Pkce, May, "RFC 7636 §4.2, RFC 9700 §2.1.1",
            "Switch PKCE from S256 to plain",
            "plain is allowed by RFC 7636; RFC 9700 advises clients to use S256, so accepting plain is shown, not counted";
        WrongClientSecret = "wrong-client-secret", ClientAuth, Must, "RFC 6749 §3.2.1, §5.2",
            "Wrong client_secret",
            "a confidential client MUST be authenticated: a wrong secret gets invalid_client (401 with a challenge for Basic)";
        NoClientAuthentication = "no-client-authentication", ClientAuth, Must, "RFC 6749 §4.1.3",
            "No client authentication at D",
            "the provider MUST require client authentication for confidential clients";
        OtherAuthMethod = "client-auth-other-method", ClientAuth, May, "RFC 7591 §2, OpenID Connect Registration §2",
            "Authenticate with another method than the registered one",
            "a client uses the token_endpoint_auth_method it is registered with; a provider may also accept another (shown, not counted)";
        CredentialsTwice = "credentials-in-header-and-body", ClientAuth, Should, "RFC 6749 §2.3, §5.2",
            "Client credentials in both header and body",
            "a client MUST NOT use more than one authentication method per request; the provider should refuse (invalid_request)";
        TokenGet = "token-get", TokenEndpoint, Should, "RFC 6749 §3.2",
            "Token request as GET",
            "the token request MUST be a POST: a GET puts the code and credentials in the URL, so the provider should refuse it";
        TokenParamsTwice = "token-params-twice", TokenEndpoint, Should, "RFC 6749 §3.2, §5.2",
            "A token request parameter twice",
            "request parameters MUST NOT be included more than once; the provider should refuse (invalid_request)";
        CredentialsInQuery = "credentials-in-query", TokenEndpoint, Should, "RFC 6749 §2.3.1",
            "Client credentials in the token URL's query",
            "client credentials MUST NOT be in the request URI; the provider should not accept them there";
        RefreshTwice = "refresh-twice", Refresh, Must, "RFC 9700 §2.2.2, §4.14.2",
            "Use a refresh token twice",
            "refresh tokens of public clients MUST be rotated (or sender-constrained): a used one is refused; confidential clients MAY keep theirs";
        RefreshReuseRevokesFamily = "refresh-reuse-revokes-family", Refresh, Should, "RFC 9700 §4.14.2",
            "Reuse a rotated refresh token, then the new one",
            "when a rotated refresh token comes back, the provider revokes the active one too, so a thief and the client both lose access";
        RefreshScopeWidened = "refresh-scope-widened", Refresh, Must, "RFC 6749 §6",
            "Ask for more scope when refreshing",
            "the scope of a refresh MUST NOT include any scope not originally granted (invalid_scope)";
        ResourceNoToken = "resource-no-token", Resource, Must, "RFC 6750 §3, §3.1",
            "Resource request without a token",
            "refused with 401 and WWW-Authenticate (MUST), and no error code when no token was sent (SHOULD NOT)";
        GarbageToken = "garbage-token", Resource, Must, "RFC 6750 §3.1",
            "Garbage access token on F",
            "refused with 401, WWW-Authenticate: Bearer and error=\"invalid_token\"";
        ExpiredAccessToken = "expired-access-token", Resource, Must, "RFC 6749 §7, RFC 6750 §3.1",
            "Use an access token after it expired",
            "the resource server MUST ensure the access token has not expired (invalid_token); a few minutes' clock leeway is allowed (judged with a wait past expires_in)";
        BearerInQuery = "bearer-in-query", Resource, May, "RFC 6750 §2.3, RFC 9700 §4.3.2",
            "Bearer token in the query string",
            "resource servers MAY accept ?access_token= (clients MUST NOT send it so, RFC 9700); shown, not counted";
        RevokedTokenIntrospection = "revoked-token-introspection", Revocation, Must, "RFC 7009 §2.1, RFC 7662 §2.2",
            "Introspect a revoked access token",
            "after revocation, introspection MUST answer active: false";
        RevokedAccessTokenAtResource = "revoked-access-token-at-resource", Revocation, May, "RFC 7009 §2.1",
            "Use a revoked access token",
            "a revoked access token stops working; self-contained tokens may live on at a resource server until they expire";
        RevokedRefreshToken = "revoked-refresh-token", Revocation, Must, "RFC 7009 §2.1",
            "Use a revoked refresh token",
            "a revoked refresh token is invalidated at once: it gets no new tokens";
        NonceNotRequired = "nonce-not-required", OpenId, Should, "OpenID Connect Core §3.1.2.1",
            "OpenID request without nonce",
            "nonce is OPTIONAL in the code flow: a provider that requires it deviates from OpenID Connect";
        TamperedState = "tampered-state", Client, Must, "RFC 6749 §10.12",
            "Tampered state on the callback",
            "the client's state check fails and the flow stops before D";
        MissingState = "missing-state", Client, Must, "RFC 6749 §10.12",
            "Missing state on the callback",
            "the client's state check fails and the flow stops before D";
    }
}

impl Experiment {
    /// The step whose latest attempt shows the provider's answer.
    pub fn judged_step(self) -> StepId {
        match self {
            Experiment::RedirectUriUnregistered
            | Experiment::RedirectUriOtherPath
            | Experiment::RedirectUriOneCharAtA
            | Experiment::RedirectUriOtherHost
            | Experiment::RedirectUriOtherScheme
            | Experiment::RedirectUriOtherPort
            | Experiment::OpenRedirectOnError => StepId::B,
            Experiment::RedirectUriOneChar
            | Experiment::RedirectUriOmittedAtD
            | Experiment::ReuseCode
            | Experiment::CodeBoundToClient
            | Experiment::MadeUpCode
            | Experiment::CodeLifetime
            | Experiment::PkceRequired
            | Experiment::DropCodeVerifier
            | Experiment::WrongCodeVerifier
            | Experiment::PkceDowngrade
            | Experiment::ShortCodeVerifier
            | Experiment::WrongClientSecret
            | Experiment::NoClientAuthentication
            | Experiment::OtherAuthMethod
            | Experiment::CredentialsTwice
            | Experiment::TokenGet
            | Experiment::TokenParamsTwice
            | Experiment::CredentialsInQuery => StepId::E,
            Experiment::ReuseCodeRevokesTokens
            | Experiment::ResourceNoToken
            | Experiment::GarbageToken
            | Experiment::ExpiredAccessToken
            | Experiment::BearerInQuery
            | Experiment::RevokedAccessTokenAtResource => StepId::G,
            Experiment::PkcePlain
            | Experiment::NonceNotRequired
            | Experiment::TamperedState
            | Experiment::MissingState => StepId::C,
            Experiment::RefreshTwice
            | Experiment::RefreshReuseRevokesFamily
            | Experiment::RefreshScopeWidened
            | Experiment::RevokedRefreshToken => StepId::Refresh,
            Experiment::RevokedTokenIntrospection => StepId::Introspect,
        }
    }

    pub fn id(self) -> &'static str {
        self.rule().id
    }

    pub fn title(self) -> &'static str {
        self.rule().title
    }

    /// What the RFCs expect, in words, with the section.
    pub fn expectation(self) -> String {
        let r = self.rule();
        format!("{} ({})", r.rule, r.rfc)
    }

    /// Whether the experiment waits for a code or a token to expire ([`super::PlanCtx::wait`]).
    pub fn waits(self) -> bool {
        matches!(
            self,
            Experiment::CodeLifetime | Experiment::ExpiredAccessToken
        )
    }

    /// Whether the experiment judges the provider (the audit runs those); the `Client` ones
    /// show oauthviz's own checks.
    pub fn judges_provider(self) -> bool {
        self.rule().area != Area::Client
    }

    /// An experiment by id, or `all` for every one.
    pub fn parse_list(id: &str) -> Result<Vec<Experiment>, String> {
        if id == "all" {
            return Ok(Self::ALL.to_vec());
        }
        Self::parse(id).map(|e| vec![e])
    }

    pub fn parse(id: &str) -> Result<Experiment, String> {
        Self::by_id(id).ok_or_else(|| {
            let ids: Vec<_> = Self::ALL.iter().map(|e| e.id()).collect();
            format!(
                "unknown experiment '{id}': choose all or one of {}",
                ids.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_ids_list_the_choices() {
        for e in Experiment::ALL {
            assert_eq!(Experiment::parse(e.id()).unwrap(), e);
        }
        assert!(
            Experiment::parse("nope")
                .unwrap_err()
                .contains("reuse-code")
        );
    }
}
