//! The rules the demo provider can be told to break, one switch each. All are off by default:
//! the provider is strict. Each audit check has at least one switch under which it fails, so a
//! check is proven both ways on this provider.

use std::collections::BTreeSet;

macro_rules! misbehaviours {
    ($($variant:ident = $name:literal: $what:literal,)*) => {
        /// One rule broken on purpose.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Misbehave {
            $(#[doc = $what] $variant,)*
        }

        impl Misbehave {
            pub const ALL: &'static [Misbehave] = &[$(Misbehave::$variant,)*];

            /// The switch's name on the command line (`--misbehave NAME`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Misbehave::$variant => $name,)*
                }
            }

            /// What the provider does wrong with the switch on.
            pub fn what(self) -> &'static str {
                match self {
                    $(Misbehave::$variant => $what,)*
                }
            }
        }
    };
}

misbehaviours! {
    SkipState = "skip_state": "the redirect does not echo state",
    WrongState = "wrong_state": "the redirect carries a different state",
    NoIss = "no_iss": "the redirect has no iss, although the metadata promises it (RFC 9207)",
    AcceptReusedCodes = "accept_reused_codes": "a code can be exchanged more than once",
    CodesForAnyClient = "codes_for_any_client": "a code can be redeemed by any client, not only the one it was issued to",
    KeepTokensOnCodeReuse = "keep_tokens_on_code_reuse": "a reused code is refused, but the tokens issued from it stay valid",
    CodesNeverExpire = "codes_never_expire": "authorization codes never expire (RFC 6749 §4.1.2 recommends at most 10 minutes)",
    WeakTokens = "weak_tokens": "codes and tokens are short and guessable",
    LooseRedirectUri = "loose_redirect_uri": "redirect_uri is matched by prefix, not exactly",
    AnyRedirectUri = "any_redirect_uri": "/authorize redirects to any redirect_uri it is given",
    PinRedirectPort = "pin_redirect_port": "a loopback redirect_uri must keep the port of the client's first request (RFC 8252 §7.3 says any port)",
    SkipRedirectUriAtToken = "skip_redirect_uri_at_token": "the token endpoint does not compare redirect_uri with the authorization request's",
    IgnorePkce = "ignore_pkce": "PKCE is not required or checked",
    AcceptPkceDowngrade = "accept_pkce_downgrade": "a code_verifier is accepted for a code issued without a code_challenge",
    AllowUnauthenticatedClients = "allow_unauthenticated_clients": "a confidential client may leave out its secret",
    AnyAuthMethod = "any_auth_method": "a confidential client may authenticate with client_secret_basic or client_secret_post, whichever it is registered for",
    AcceptDoubleAuth = "accept_double_auth": "client credentials in both the header and the body are accepted",
    TokenAcceptsGet = "token_accepts_get": "the token endpoint accepts GET with the parameters in the URL",
    AcceptRepeatedParams = "accept_repeated_params": "a repeated token request parameter is accepted (the first counts)",
    ReadQueryParams = "read_query_params": "the token endpoint reads parameters, secrets too, from the URL query",
    TokenInHttp200Error = "token_in_http_200_error": "token errors come with HTTP 200",
    TextErrors = "text_errors": "token errors are plain text, not an RFC 6749 JSON body",
    NoCacheControl = "no_cache_control": "token responses lack Cache-Control: no-store",
    TokenTextPlain = "token_text_plain": "token responses are labelled text/plain instead of application/json",
    NoExpiresIn = "no_expires_in": "token responses have no expires_in",
    NoRefreshRotation = "no_refresh_rotation": "refresh tokens are not rotated",
    NoRefreshReuseDetection = "no_refresh_reuse_detection": "a rotated refresh token used again does not revoke the grant",
    WidenScopeOnRefresh = "widen_scope_on_refresh": "a refresh may ask for scopes that were never granted",
    AcceptQueryToken = "accept_query_token": "the resource server accepts ?access_token=",
    AcceptExpiredTokens = "accept_expired_tokens": "the resource server and introspection take access tokens after they expired",
    RsNoChallenge = "rs_no_challenge": "the resource server's 401s have no WWW-Authenticate",
    RsErrorWithoutToken = "rs_error_without_token": "a resource request without a token gets error=invalid_token",
    RevocationNoop = "revocation_noop": "revocation answers 200 and revokes nothing",
    RequireNonce = "require_nonce": "an openid request without nonce is refused",
    DropNonce = "drop_nonce": "the id_token leaves out the nonce",
    EmptySub = "empty_sub": "the id_token's sub is empty",
    WrongAud = "wrong_aud": "the id_token's aud names another client",
    FutureAuthTime = "future_auth_time": "the id_token's auth_time is an hour after it was issued",
    FrameablePages = "frameable_pages": "the login and consent pages may be framed and leak their URL (no X-Frame-Options, frame-ancestors or Referrer-Policy)",
    NoPkceMetadata = "no_pkce_metadata": "the metadata does not say which PKCE methods are supported",
    IncompleteMetadata = "incomplete_metadata": "the metadata lacks response_types_supported and subject_types_supported",
    MetadataWrongIssuer = "metadata_wrong_issuer": "the metadata names another issuer than the one it was fetched for",
    ImplicitGrant = "implicit_grant": "/authorize also does the implicit grant (response_type=token): the access token comes back in the redirect's URL fragment (RFC 6749 §4.2; RFC 9700 §2.1.2: clients SHOULD NOT use it)",
}

/// The switched-on misbehaviours.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Misbehaviour(BTreeSet<Misbehave>);

impl Misbehaviour {
    /// Exactly these switches on.
    pub fn of(switches: impl IntoIterator<Item = Misbehave>) -> Self {
        Self(switches.into_iter().collect())
    }

    pub fn has(&self, m: Misbehave) -> bool {
        self.0.contains(&m)
    }

    pub fn set(&mut self, m: Misbehave, on: bool) {
        if on {
            self.0.insert(m);
        } else {
            self.0.remove(&m);
        }
    }

    /// The switch called `name`, or an error listing the known names.
    pub fn parse(name: &str) -> Result<Misbehave, String> {
        Misbehave::ALL
            .iter()
            .copied()
            .find(|m| m.name() == name)
            .ok_or_else(|| {
                let known: Vec<_> = Misbehave::ALL.iter().map(|m| m.name()).collect();
                format!(
                    "unknown misbehaviour '{name}': choose from {}",
                    known.join(", ")
                )
            })
    }

    /// Switches on the misbehaviours named; an unknown name is an error listing the known ones.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        names
            .into_iter()
            .map(Self::parse)
            .collect::<Result<_, _>>()
            .map(Self)
    }

    /// The switched-on misbehaviours, by name (for the home page and logs).
    pub fn active(&self) -> Vec<&'static str> {
        self.0.iter().map(|m| m.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let all: Vec<_> = Misbehave::ALL.iter().map(|m| m.name()).collect();
        let m = Misbehaviour::from_names(all.iter().copied()).unwrap();
        assert_eq!(m.active().len(), all.len(), "a name is used twice");
        assert!(
            Misbehaviour::from_names(["nope"])
                .unwrap_err()
                .contains("skip_state")
        );
    }
}
