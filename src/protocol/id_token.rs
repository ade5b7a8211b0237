//! OpenID Connect id_token validation (OpenID Connect Core 1.0 §3.1.3.7), one check per rule so
//! the user sees which one a provider broke. The signature is verified by `jsonwebtoken`; the
//! claims are checked here, against our own clock, so each gets its own verdict and message.

use std::collections::HashSet;
use std::str::FromStr as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::check::{Check, Verdict};
use super::jwt;

/// What the id_token must match.
#[derive(Clone, Debug)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The nonce sent in the authorization request, if one was.
    pub nonce: Option<&'a str>,
    /// The access token issued with it, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// The key for HS256/384/512 id_tokens (§10.1: the client secret).
    pub client_secret: Option<&'a str>,
    /// Seconds since the Unix epoch.
    pub now: i64,
    /// Allowed clock skew, in seconds.
    pub leeway: i64,
}

/// Validates `token`; `jwks` is the provider's JWKS document (JSON) or why it could not be
/// had, and `None` when the provider has no JWKS configured (the signature is then unverified,
/// a warning: the claims are still checked).
pub fn validate(
    token: &str,
    jwks: Option<Result<&str, String>>,
    expected: &Expected,
) -> Vec<Check> {
    let decoded = match jwt::decode(token) {
        Ok(d) => d,
        Err(e) => return vec![Check::new("id_token is a JWT", Verdict::Fail, e)],
    };
    let mut checks = vec![signature(token, &decoded, jwks, expected)];
    let claims = &decoded.claims;

    checks.push(Check::from_result(
        "iss is the provider's issuer",
        match decoded.claim_str("iss") {
            Some(iss) if iss == expected.issuer => Ok(format!("iss = {iss}")),
            Some(iss) => Err(format!("iss is '{iss}', expected '{}'", expected.issuer)),
            None => Err("the id_token has no iss".into()),
        },
    ));

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    checks.push(Check::from_result(
        "aud contains this client",
        if audiences.contains(&expected.client_id) {
            Ok(format!("aud = {}", audiences.join(", ")))
        } else if audiences.is_empty() {
            Err("the id_token has no aud".into())
        } else {
            Err(format!(
                "aud is {} but this client is '{}': the token was issued to someone else",
                audiences.join(", "),
                expected.client_id
            ))
        },
    ));
    match decoded.claim_str("azp") {
        Some(azp) if azp != expected.client_id => checks.push(Check::new(
            "azp is this client",
            Verdict::Fail,
            format!("azp is '{azp}', expected '{}'", expected.client_id),
        )),
        None if audiences.len() > 1 => checks.push(Check::new(
            "azp is this client",
            Verdict::Warn,
            "several audiences but no azp: OpenID Connect Core §3.1.3.7 says azp SHOULD be present",
        )),
        Some(azp) => checks.push(Check::new(
            "azp is this client",
            Verdict::Pass,
            format!("azp = {azp}"),
        )),
        None => {}
    }

    checks.push(Check::from_result(
        "exp is in the future",
        match decoded.claim_i64("exp") {
            Some(exp) if exp + expected.leeway > expected.now => {
                Ok(format!("expires in {} s", exp - expected.now))
            }
            Some(exp) => Err(format!("expired {} s ago", expected.now - exp)),
            None => Err("the id_token has no exp".into()),
        },
    ));
    checks.push(Check::from_result(
        "iat is not in the future",
        match decoded.claim_i64("iat") {
            Some(iat) if iat <= expected.now + expected.leeway => {
                Ok(format!("issued {} s ago", expected.now - iat))
            }
            Some(iat) => Err(format!(
                "issued {} s in the future: the provider's clock or the token is wrong",
                iat - expected.now
            )),
            None => Err("the id_token has no iat".into()),
        },
    ));
    if decoded.claim_str("sub").is_none_or(str::is_empty) {
        checks.push(Check::new(
            "sub identifies the user",
            Verdict::Fail,
            "the id_token has no sub",
        ));
    }

    match (expected.nonce, decoded.claim_str("nonce")) {
        (Some(sent), Some(got)) if sent == got => checks.push(Check::new("nonce matches the one sent", Verdict::Pass, "nonce echoed")),
        (Some(_), Some(got)) => checks.push(Check::new(
            "nonce matches the one sent",
            Verdict::Fail,
            format!("nonce is '{got}', not the one sent: this id_token may be replayed from another login"),
        )),
        (Some(_), None) => checks.push(Check::new(
            "nonce matches the one sent",
            Verdict::Fail,
            "a nonce was sent but the id_token has none (§3.1.3.7 item 11)",
        )),
        (None, _) => {}
    }

    if let (Some(at_hash), Some(access_token)) =
        (decoded.claim_str("at_hash"), expected.access_token)
    {
        checks.push(Check::from_result(
            "at_hash matches the access token",
            match left_half_hash(decoded.alg().unwrap_or_default(), access_token) {
                Some(h) if h == at_hash => {
                    Ok("at_hash binds this id_token to the access token".into())
                }
                Some(h) => Err(format!(
                    "at_hash is '{at_hash}' but the access token hashes to '{h}'"
                )),
                None => Err(format!(
                    "cannot compute at_hash for alg {}",
                    decoded.alg().unwrap_or("?")
                )),
            },
        ));
    }
    checks
}

fn signature(
    token: &str,
    decoded: &jwt::DecodedJwt,
    jwks: Option<Result<&str, String>>,
    expected: &Expected,
) -> Check {
    const NAME: &str = "signature is valid";
    let alg_name = decoded.alg().unwrap_or("");
    if alg_name.eq_ignore_ascii_case("none") {
        return Check::new(
            NAME,
            Verdict::Fail,
            "alg is none: an unsigned id_token proves nothing and is refused",
        );
    }
    let Ok(alg) = Algorithm::from_str(alg_name) else {
        return Check::new(
            NAME,
            Verdict::Fail,
            format!("alg '{alg_name}' is not one oauthviz can verify"),
        );
    };
    let kid = decoded.header.get("kid").and_then(Value::as_str);
    let key = if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
        match expected.client_secret {
            Some(secret) => Ok(DecodingKey::from_secret(secret.as_bytes())),
            None => Err(format!(
                "alg {alg_name} is keyed with the client secret, and this client has none"
            )),
        }
    } else {
        let Some(jwks) = jwks else {
            return Check::new(
                NAME,
                Verdict::Warn,
                "not verified: this provider has no JWKS configured (give its issuer so discovery finds jwks_uri, or enter the JWKS URI)",
            );
        };
        jwks.and_then(|doc| {
            serde_json::from_str::<JwkSet>(doc)
                .map_err(|e| format!("the JWKS is not a valid JWK set: {e}"))
        })
        .and_then(|set| {
            let jwk = match kid {
                Some(kid) => set
                    .find(kid)
                    .ok_or_else(|| format!("the JWKS has no key with kid '{kid}'"))?,
                None => set
                    .keys
                    .iter()
                    .find(|k| DecodingKey::from_jwk(k).is_ok_and(|d| d.family() == alg.family()))
                    .ok_or_else(|| format!("the JWKS has no key for {alg_name}"))?,
            };
            DecodingKey::from_jwk(jwk).map_err(|e| format!("the JWKS key cannot be used: {e}"))
        })
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => return Check::new(NAME, Verdict::Fail, e),
    };
    // Only the signature here: the claims get their own checks above, with their own messages.
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    match jsonwebtoken::decode::<Value>(token, &key, &validation) {
        Ok(_) => Check::new(
            NAME,
            Verdict::Pass,
            format!(
                "{alg_name} signature verified{}",
                kid.map(|k| format!(" with key {k}")).unwrap_or_default()
            ),
        ),
        Err(e) => Check::new(
            NAME,
            Verdict::Fail,
            format!("{alg_name} signature does not verify: {e}"),
        ),
    }
}

/// OpenID Connect Core §3.1.3.6: base64url of the left half of the hash of the token, the hash
/// being the one of the id_token's alg (SHA-512 for EdDSA/Ed25519).
pub fn left_half_hash(alg: &str, token: &str) -> Option<String> {
    let digest: Vec<u8> = match alg {
        "RS256" | "ES256" | "PS256" | "HS256" => Sha256::digest(token.as_bytes()).to_vec(),
        "RS384" | "ES384" | "PS384" | "HS384" => Sha384::digest(token.as_bytes()).to_vec(),
        "RS512" | "ES512" | "PS512" | "HS512" | "EdDSA" => {
            Sha512::digest(token.as_bytes()).to_vec()
        }
        _ => return None,
    };
    Some(URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;

    const SECRET: &str = "a-client-secret-long-enough-for-hs256";
    const NOW: i64 = 1_800_000_000;

    fn expected(nonce: Option<&'static str>) -> Expected<'static> {
        Expected {
            issuer: "https://op.example",
            client_id: "app",
            nonce,
            access_token: Some("the-access-token"),
            client_secret: Some(SECRET),
            now: NOW,
            leeway: 60,
        }
    }

    fn token(claims: Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap()
    }

    fn good_claims() -> Value {
        json!({
            "iss": "https://op.example", "sub": "alice", "aud": "app",
            "exp": NOW + 300, "iat": NOW - 5, "nonce": "n-1",
            "at_hash": left_half_hash("HS256", "the-access-token").unwrap(),
        })
    }

    fn failed(checks: &[Check]) -> Vec<&str> {
        checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| c.name.as_str())
            .collect()
    }

    #[test]
    fn a_good_token_passes_every_check() {
        let checks = validate(
            &token(good_claims()),
            Some(Err("unused".into())),
            &expected(Some("n-1")),
        );
        assert!(failed(&checks).is_empty(), "{checks:?}");
        assert_eq!(checks.len(), 7, "{checks:?}");
    }

    #[test]
    fn bad_signature_fails() {
        let mut t = token(good_claims());
        t.push('x');
        assert_eq!(
            failed(&validate(
                &t,
                Some(Err(String::new())),
                &expected(Some("n-1"))
            )),
            ["signature is valid"]
        );
    }

    #[test]
    fn wrong_aud_expired_and_wrong_nonce_are_named() {
        let mut claims = good_claims();
        claims["aud"] = json!(["other", "third"]);
        claims["exp"] = json!(NOW - 120);
        let checks = validate(
            &token(claims),
            Some(Err(String::new())),
            &expected(Some("n-2")),
        );
        assert_eq!(
            failed(&checks),
            [
                "aud contains this client",
                "exp is in the future",
                "nonce matches the one sent"
            ]
        );
        assert!(
            checks
                .iter()
                .any(|c| c.name == "azp is this client" && c.verdict == Verdict::Warn)
        );
    }

    #[test]
    fn alg_none_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let claims = URL_SAFE_NO_PAD.encode(good_claims().to_string());
        let checks = validate(
            &format!("{header}.{claims}."),
            Some(Err(String::new())),
            &expected(Some("n-1")),
        );
        let sig = checks
            .iter()
            .find(|c| c.name == "signature is valid")
            .unwrap();
        assert_eq!(sig.verdict, Verdict::Fail);
        assert!(sig.detail.contains("none"));
    }

    #[test]
    fn at_hash_mismatch_fails() {
        let mut claims = good_claims();
        claims["at_hash"] = json!("AAAA");
        assert_eq!(
            failed(&validate(
                &token(claims),
                Some(Err(String::new())),
                &expected(Some("n-1"))
            )),
            ["at_hash matches the access token"]
        );
    }

    #[test]
    fn no_jwks_leaves_an_asymmetric_signature_unverified_with_a_warning() {
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
        let claims = URL_SAFE_NO_PAD.encode(good_claims().to_string());
        let checks = validate(
            &format!("{header}.{claims}.c2ln"),
            None,
            &expected(Some("n-1")),
        );
        let sig = checks
            .iter()
            .find(|c| c.name == "signature is valid")
            .unwrap();
        assert_eq!(sig.verdict, Verdict::Warn, "{sig:?}");
        let unreachable = validate(
            &format!("{header}.{claims}.c2ln"),
            Some(Err("refused".into())),
            &expected(Some("n-1")),
        );
        assert_eq!(unreachable[0].verdict, Verdict::Fail);
    }

    #[test]
    fn rfc_example_at_hash() {
        // OpenID Connect Core Appendix A.4 (RS256 → SHA-256).
        assert_eq!(
            left_half_hash("RS256", "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y").unwrap(),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
