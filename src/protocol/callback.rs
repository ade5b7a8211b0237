//! The authorization response on the redirect URI (RFC 6749 §4.1.2 and §4.1.2.1, `iss` from RFC 9207).

use super::check::{Check, CheckId, Verdict};
use super::error::{ErrorCode, OAuthError};
use super::params::Params;
use subtle::ConstantTimeEq as _;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Callback {
    Code {
        code: String,
        state: Option<String>,
        iss: Option<String>,
    },
    Error {
        error: OAuthError,
        state: Option<String>,
        iss: Option<String>,
    },
}

impl Callback {
    /// Parses the callback's query. Neither `code` nor `error` is itself an error of the provider.
    pub fn parse(query: &Params) -> Result<Self, String> {
        // Which of two codes (or states) is meant is anyone's guess; RFC 6749 §3.1 rules it out.
        for name in ["code", "state", "error", "iss"] {
            let n = query.iter().filter(|p| p.name == name).count();
            if n > 1 {
                return Err(format!(
                    "the redirect carries `{name}` {n} times (RFC 6749 §3.1: a parameter MUST NOT be included more than once)"
                ));
            }
        }
        let state = query.get("state").map(str::to_owned);
        let iss = query.get("iss").map(str::to_owned);
        if let Some(error) = query.get("error") {
            return Ok(Callback::Error {
                error: OAuthError {
                    error: ErrorCode::parse(error),
                    error_description: query.get("error_description").map(str::to_owned),
                    error_uri: query.get("error_uri").map(str::to_owned),
                },
                state,
                iss,
            });
        }
        match query.get("code") {
            Some(code) if !code.is_empty() => Ok(Callback::Code {
                code: code.to_owned(),
                state,
                iss,
            }),
            _ => Err(
                "the redirect carried neither `code` nor `error` (RFC 6749 §4.1.2 requires one)"
                    .into(),
            ),
        }
    }

    pub fn state(&self) -> Option<&str> {
        match self {
            Callback::Code { state, .. } | Callback::Error { state, .. } => state.as_deref(),
        }
    }

    pub fn iss(&self) -> Option<&str> {
        match self {
            Callback::Code { iss, .. } | Callback::Error { iss, .. } => iss.as_deref(),
        }
    }
}

/// The client's checks of a callback before it trusts anything in it: the state (RFC 6749
/// §10.12) and the issuer (RFC 9207). `sent_state` is what this client sent (none: it cannot
/// tie the callback to a request); `issuer` is the provider's configured issuer.
pub fn callback_checks(
    callback: &Callback,
    sent_state: Option<&str>,
    issuer: Option<&str>,
    iss_advertised: bool,
) -> Vec<Check> {
    let state = state_check(sent_state, callback.state());
    let configured = issuer.filter(|i| !i.trim().is_empty());
    let iss = match (
        check_iss(issuer, callback.iss(), iss_advertised),
        callback.iss(),
    ) {
        (Ok(()), Some(iss)) if configured.is_none() => Check::new(
            CheckId::Iss,
            Verdict::Warn,
            format!(
                "iss = {iss}, but this provider's issuer is not configured, so it was not compared: set the issuer in the profile to get the mix-up defence"
            ),
        ),
        (Ok(()), Some(iss)) => Check::new(CheckId::Iss, Verdict::Pass, format!("iss = {iss}")),
        (Ok(()), None) => Check::new(
            CheckId::Iss,
            Verdict::Warn,
            "the provider sent no `iss`: a client talking to several providers cannot detect mix-up attacks (RFC 9700 §4.4)",
        ),
        (Err(e), _) => Check::new(CheckId::Iss, Verdict::Fail, e),
    };
    vec![state, iss]
}

/// The state check as a `Check` (a failure is a MUST of RFC 6749 §4.1.2 and §10.12): `sent` is
/// what this run sent, if anything, `returned` what came back (in the query, or the implicit
/// grant's fragment).
pub fn state_check(sent: Option<&str>, returned: Option<&str>) -> Check {
    let result = match sent {
        Some(sent) => check_state(sent, returned),
        None => Err("this run sent no state, so the callback cannot be tied to a request".into()),
    };
    Check::from_result(
        CheckId::State,
        result.map(|()| "the returned state equals the one this client sent".into()),
    )
}

/// The client-side state check of RFC 6749 §10.12: the callback must return exactly the value
/// this client sent. Compared in constant time so timing tells an attacker nothing.
pub fn check_state(sent: &str, returned: Option<&str>) -> Result<(), String> {
    match returned {
        None => Err("the callback carries no `state`: it cannot be tied to the request this client made (possible CSRF); the flow stops here".into()),
        Some(r) if bool::from(r.as_bytes().ct_eq(sent.as_bytes())) => Ok(()),
        Some(_) => Err("the returned `state` differs from the one sent: this callback does not belong to this client's request (possible CSRF); the flow stops here".into()),
    }
}

/// RFC 9207 §2.4: when the provider sends `iss`, it must be the expected issuer (mix-up defence);
/// when its metadata says it sends one (`authorization_response_iss_parameter_supported`), a
/// response without `iss` must be rejected.
pub fn check_iss(
    expected: Option<&str>,
    returned: Option<&str>,
    advertised: bool,
) -> Result<(), String> {
    match (expected, returned) {
        (Some(e), Some(r)) if e != r => Err(format!(
            "the callback's `iss` is '{r}' but this provider's issuer is '{e}' (RFC 9207 mix-up defence): the flow stops here"
        )),
        (_, None) if advertised => Err(
            "the callback has no `iss`, but the provider's metadata says it sends one (authorization_response_iss_parameter_supported: true): RFC 9207 §2.4 says the client MUST reject such a response, as it may come from another provider (mix-up attack); the flow stops here".into(),
        ),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_code_state_and_iss() {
        let cb =
            Callback::parse(&Params::parse("code=abc&state=xyz&iss=https%3A%2F%2Fas")).unwrap();
        assert_eq!(
            cb,
            Callback::Code {
                code: "abc".into(),
                state: Some("xyz".into()),
                iss: Some("https://as".into())
            }
        );
    }

    #[test]
    fn parses_error_with_description() {
        let cb = Callback::parse(&Params::parse(
            "error=access_denied&error_description=The+user+said+no&state=s",
        ))
        .unwrap();
        match cb {
            Callback::Error { error, state, .. } => {
                assert_eq!(error.error, "access_denied");
                assert_eq!(error.error_description.as_deref(), Some("The user said no"));
                assert_eq!(state.as_deref(), Some("s"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_parameter_given_twice_is_rejected() {
        let err = Callback::parse(&Params::parse("code=a&code=b&state=s")).unwrap_err();
        assert!(
            err.contains("`code` 2 times") && err.contains("MUST NOT"),
            "{err}"
        );
        assert!(Callback::parse(&Params::parse("code=a&state=s&state=t")).is_err());
    }

    #[test]
    fn neither_code_nor_error_is_rejected() {
        assert!(Callback::parse(&Params::parse("state=s")).is_err());
        assert!(Callback::parse(&Params::parse("code=&state=s")).is_err());
    }

    #[test]
    fn state_check() {
        assert!(check_state("abc", Some("abc")).is_ok());
        assert!(
            check_state("abc", Some("abd"))
                .unwrap_err()
                .contains("differs")
        );
        assert!(check_state("abc", Some("ab")).is_err());
        assert!(check_state("abc", None).unwrap_err().contains("no `state`"));
    }

    #[test]
    fn iss_check() {
        assert!(check_iss(Some("https://a"), Some("https://a"), false).is_ok());
        assert!(check_iss(Some("https://a"), None, false).is_ok());
        assert!(check_iss(Some("https://a"), Some("https://b"), false).is_err());
        // RFC 9207 §2.4: advertised, so a missing iss is rejected.
        assert!(check_iss(Some("https://a"), Some("https://a"), true).is_ok());
        let err = check_iss(Some("https://a"), None, true).unwrap_err();
        assert!(
            err.contains("authorization_response_iss_parameter_supported") && err.contains("MUST"),
            "{err}"
        );
        assert!(check_iss(None, None, true).is_err());
    }
}
