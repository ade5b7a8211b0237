//! Proof Key for Code Exchange (RFC 7636).

use super::random;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `code_challenge_method` (RFC 7636 §4.3). `Off` sends no PKCE at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PkceMethod {
    #[default]
    S256,
    Plain,
    Off,
}

impl PkceMethod {
    /// The wire name, or `None` for `Off`.
    pub fn as_param(self) -> Option<&'static str> {
        match self {
            PkceMethod::S256 => Some("S256"),
            PkceMethod::Plain => Some("plain"),
            PkceMethod::Off => None,
        }
    }

    /// The name a profile, a flag and the form use for it: the wire name, or `off`.
    pub fn name(self) -> &'static str {
        self.as_param().unwrap_or("off")
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "s256" => Ok(Self::S256),
            "plain" => Ok(Self::Plain),
            "off" | "none" => Ok(Self::Off),
            _ => Err(format!("unknown PKCE method '{s}': use S256, plain or off")),
        }
    }
}

/// A verifier and the challenge derived from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pkce {
    pub method: PkceMethod,
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// A fresh 43-character verifier (32 random bytes, RFC 7636 §4.1).
    pub fn generate(method: PkceMethod) -> Self {
        Self::from_verifier(method, random::token(32))
    }

    pub fn from_verifier(method: PkceMethod, verifier: String) -> Self {
        let challenge = challenge(method, &verifier);
        Self {
            method,
            verifier,
            challenge,
        }
    }
}

/// The `code_challenge` for a verifier (RFC 7636 §4.2).
pub fn challenge(method: PkceMethod, verifier: &str) -> String {
    match method {
        PkceMethod::S256 => s256(verifier),
        PkceMethod::Plain => verifier.to_owned(),
        PkceMethod::Off => String::new(),
    }
}

/// BASE64URL(SHA256(ASCII(verifier))).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks the verifier syntax of RFC 7636 §4.1: 43–128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
pub fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_well_formed() {
        let p = Pkce::generate(PkceMethod::S256);
        assert!(verifier_is_well_formed(&p.verifier));
        assert_eq!(p.challenge, s256(&p.verifier));
        assert!(!verifier_is_well_formed("short"));
    }

    #[test]
    fn plain_challenge_is_the_verifier() {
        let p = Pkce::from_verifier(PkceMethod::Plain, "x".repeat(43));
        assert_eq!(p.challenge, p.verifier);
    }
}
