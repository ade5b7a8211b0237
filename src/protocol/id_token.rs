//! OpenID Connect id_token validation (OpenID Connect Core 1.0 §3.1.3.7), one check per rule so
//! the user sees which one a provider broke. The signature is verified by `jsonwebtoken`; the
//! claims are checked here, against our own clock, so each gets its own verdict and message.

use std::collections::HashSet;
use std::str::FromStr as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::check::{Check, CheckId, Verdict};
use super::jwt;

/// What the id_token must match.
#[derive(Clone, Debug)]
pub struct Expected<'a> {
    /// The provider's issuer; `None` when the configuration has none (endpoints entered by hand,
    /// or a multi-tenant provider such as Entra's `common` that has no single issuer): `iss`
    /// cannot be compared then, which is a warning, not a failure.
    pub issuer: Option<&'a str>,
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
// Long on purpose: the checks of OpenID Connect Core §3.1.3.7, one after the other, in its order.
pub fn validate(
    token: &str,
    jwks: Option<Result<&str, String>>,
    expected: &Expected,
) -> Vec<Check> {
    let decoded = match jwt::decode(token) {
        Ok(d) => d,
        Err(e) => return vec![Check::new(CheckId::IdTokenJwt, Verdict::Fail, e)],
    };
    let mut checks = vec![signature(token, &decoded, jwks, expected)];
    let claims = &decoded.claims;

    checks.push(issuer_check(decoded.claim_str("iss"), expected.issuer));

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    checks.push(Check::from_result(
        CheckId::IdTokenAud,
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
            CheckId::IdTokenAzp,
            Verdict::Fail,
            format!("azp is '{azp}', expected '{}'", expected.client_id),
        )),
        None if audiences.len() > 1 => checks.push(Check::new(
            CheckId::IdTokenAzp,
            Verdict::Warn,
            "several audiences but no azp: OpenID Connect Core §3.1.3.7 says azp SHOULD be present",
        )),
        Some(azp) => checks.push(Check::new(
            CheckId::IdTokenAzp,
            Verdict::Pass,
            format!("azp = {azp}"),
        )),
        None => {}
    }

    checks.push(Check::from_result(
        CheckId::IdTokenExp,
        match decoded.claim_i64("exp") {
            Some(exp) if exp + expected.leeway > expected.now => {
                Ok(format!("expires in {} s", exp - expected.now))
            }
            Some(exp) => Err(format!("expired {} s ago", expected.now - exp)),
            None => Err("the id_token has no exp".into()),
        },
    ));
    checks.push(Check::from_result(
        CheckId::IdTokenIat,
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
    checks.push(match decoded.claim_str("sub").filter(|s| !s.is_empty()) {
        Some(sub) => Check::new(CheckId::IdTokenSub, Verdict::Pass, format!("sub = {sub}")),
        None => Check::new(
            CheckId::IdTokenSub,
            Verdict::Fail,
            "the id_token has no sub",
        ),
    });

    match (expected.nonce, decoded.claim_str("nonce")) {
        (Some(sent), Some(got)) if sent == got => checks.push(Check::new(CheckId::IdTokenNonce, Verdict::Pass, "nonce echoed")),
        (Some(_), Some(got)) => checks.push(Check::new(
            CheckId::IdTokenNonce,
            Verdict::Fail,
            format!("nonce is '{got}', not the one sent: this id_token may be replayed from another login"),
        )),
        (Some(_), None) => checks.push(Check::new(
            CheckId::IdTokenNonce,
            Verdict::Fail,
            "a nonce was sent but the id_token has none (§3.1.3.7 item 11)",
        )),
        (None, _) => {}
    }

    if let (Some(at_hash), Some(access_token)) =
        (decoded.claim_str("at_hash"), expected.access_token)
    {
        checks.push(Check::from_result(
            CheckId::IdTokenAtHash,
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

/// OpenID Connect Core §3.1.3.7 item 2: `iss` MUST exactly match the provider's issuer.
fn issuer_check(iss: Option<&str>, expected: Option<&str>) -> Check {
    const NAME: CheckId = CheckId::IdTokenIss;
    match (iss, expected.filter(|e| !e.trim().is_empty())) {
        (None, _) => Check::new(NAME, Verdict::Fail, "the id_token has no iss"),
        (Some(iss), Some(e)) if iss == e => Check::new(NAME, Verdict::Pass, format!("iss = {iss}")),
        (Some(iss), Some(e)) => Check::new(
            NAME,
            Verdict::Fail,
            format!("iss is '{iss}', expected '{e}'"),
        ),
        (Some(iss), None) => Check::new(
            NAME,
            Verdict::Warn,
            format!(
                "not compared: iss is '{iss}' but this provider's issuer is unknown (none is configured), so the token could come from another provider; set the issuer in the profile to check it"
            ),
        ),
    }
}

// Long on purpose: every way a signature can fail to verify gets its own message here.
fn signature(
    token: &str,
    decoded: &jwt::DecodedJwt,
    jwks: Option<Result<&str, String>>,
    expected: &Expected,
) -> Check {
    const NAME: CheckId = CheckId::IdTokenSignature;
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
            Some(secret) => Ok(vec![DecodingKey::from_secret(secret.as_bytes())]),
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
        .and_then(|set| match kid {
            Some(kid) => {
                let jwk = set.find(kid).ok_or_else(|| {
                    let known: Vec<&str> = set
                        .keys
                        .iter()
                        .filter_map(|k| k.common.key_id.as_deref())
                        .collect();
                    format!(
                        "the JWKS has no key with kid '{kid}' (it has {}): the token was signed with a key this provider does not publish, or its keys rotated",
                        if known.is_empty() {
                            "no kids".to_owned()
                        } else {
                            known.join(", ")
                        }
                    )
                })?;
                key_for(jwk, alg, alg_name, &format!("the JWKS key '{kid}'")).map(|k| vec![k])
            }
            // No kid: every key that fits the alg is a candidate (a provider rotating keys
            // publishes several), and one of them must verify.
            None => {
                let keys: Vec<DecodingKey> = set
                    .keys
                    .iter()
                    .filter_map(|k| key_for(k, alg, alg_name, "a JWKS key").ok())
                    .collect();
                if keys.is_empty() {
                    Err(format!("the JWKS has no key usable for {alg_name}"))
                } else {
                    Ok(keys)
                }
            }
        })
    };
    let keys: Vec<DecodingKey> = match key {
        Ok(k) => k,
        Err(e) => return Check::new(NAME, Verdict::Fail, e),
    };
    // Only the signature here: the claims get their own checks above, with their own messages.
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    let tried = keys.len();
    let mut last_error = None;
    for (i, key) in keys.iter().enumerate() {
        match jsonwebtoken::decode::<Value>(token, key, &validation) {
            Ok(_) => {
                let with = match kid {
                    Some(k) => format!(" with key {k}"),
                    None if tried > 1 => {
                        format!(
                            " with JWKS key {} of {tried} (the token names no kid)",
                            i + 1
                        )
                    }
                    None => String::new(),
                };
                return Check::new(
                    NAME,
                    Verdict::Pass,
                    format!("{alg_name} signature verified{with}"),
                );
            }
            Err(e) => last_error = Some(e),
        }
    }
    let tried = if tried > 1 {
        format!(" by any of the {tried} {alg_name} keys in the JWKS")
    } else {
        String::new()
    };
    Check::new(
        NAME,
        Verdict::Fail,
        format!(
            "{alg_name} signature does not verify{tried}: {}",
            last_error.map(|e| e.to_string()).unwrap_or_default()
        ),
    )
}

/// The verification key `jwk` gives for `alg`, or why it must not be used: a key meant for
/// encryption, declared for another algorithm (RFC 8725 §3.1: each key is used with exactly one
/// algorithm), or of the wrong type or curve for `alg`.
fn key_for(jwk: &Jwk, alg: Algorithm, alg_name: &str, what: &str) -> Result<DecodingKey, String> {
    if let Some(usage) = &jwk.common.public_key_use
        && *usage != PublicKeyUse::Signature
    {
        let usage = match usage {
            PublicKeyUse::Encryption => "enc",
            PublicKeyUse::Other(u) => u.as_str(),
            PublicKeyUse::Signature => "sig",
        };
        return Err(format!(
            "{what} has use '{usage}', not 'sig': it is not for verifying signatures"
        ));
    }
    if let Some(declared) = jwk.common.key_algorithm
        && declared != KeyAlgorithm::from(alg)
    {
        return Err(format!(
            "{what} is declared for alg {declared} but the id_token says {alg_name}: refused (a key is used with exactly one algorithm, RFC 8725 §3.1)"
        ));
    }
    let (kty, curve) = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => ("EC", Some(p.curve.clone())),
        AlgorithmParameters::RSA(_) => ("RSA", None),
        AlgorithmParameters::OctetKey(_) => ("oct", None),
        AlgorithmParameters::OctetKeyPair(p) => ("OKP", Some(p.curve.clone())),
        _ => ("unsupported", None),
    };
    let (needed_kty, needed_curve) = match alg {
        Algorithm::ES256 => ("EC", Some(EllipticCurve::P256)),
        Algorithm::ES384 => ("EC", Some(EllipticCurve::P384)),
        Algorithm::EdDSA => ("OKP", Some(EllipticCurve::Ed25519)),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => ("oct", None),
        _ => ("RSA", None),
    };
    if kty != needed_kty {
        return Err(format!(
            "{what} is an {kty} key, but {alg_name} needs an {needed_kty} key: refused"
        ));
    }
    if let (Some(have), Some(need)) = (&curve, &needed_curve)
        && have != need
    {
        return Err(format!(
            "{what} is on curve {}, but {alg_name} needs {}: refused",
            curve_name(have),
            curve_name(need)
        ));
    }
    DecodingKey::from_jwk(jwk)
        .map_err(|e| format!("{what} cannot be used: {e}"))
        .and_then(|key| {
            if key.family() == alg.family() {
                Ok(key)
            } else {
                Err(format!("{what} is not a key for {alg_name}"))
            }
        })
}

fn curve_name(c: &EllipticCurve) -> &'static str {
    match c {
        EllipticCurve::P256 => "P-256",
        EllipticCurve::P384 => "P-384",
        EllipticCurve::P521 => "P-521",
        EllipticCurve::Ed25519 => "Ed25519",
        _ => "an unsupported curve",
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
            issuer: Some("https://op.example"),
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

    /// The failed rules, named without the `id_token: ` every title here starts with.
    fn failed(checks: &[Check]) -> Vec<&str> {
        checks
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| c.name().trim_start_matches("id_token: "))
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
        assert_eq!(checks.len(), 8, "{checks:?}");
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
                .any(|c| c.id == CheckId::IdTokenAzp && c.verdict == Verdict::Warn)
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
            .find(|c| c.id == CheckId::IdTokenSignature)
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
            .find(|c| c.id == CheckId::IdTokenSignature)
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
    fn without_a_configured_issuer_iss_is_a_warning_and_the_other_checks_still_run() {
        let mut claims = good_claims();
        claims["aud"] = json!("someone-else");
        let checks = validate(
            &token(claims),
            Some(Err(String::new())),
            &Expected {
                issuer: None,
                ..expected(Some("n-1"))
            },
        );
        let iss = checks.iter().find(|c| c.id == CheckId::IdTokenIss).unwrap();
        assert_eq!(iss.verdict, Verdict::Warn, "{iss:?}");
        assert!(
            iss.detail.contains("https://op.example")
                && iss.detail.contains("unknown")
                && iss.detail.contains("set the issuer in the profile"),
            "{iss:?}"
        );
        // The signature and the other claims are still checked: the wrong aud fails.
        assert_eq!(failed(&checks), ["aud contains this client"]);
        assert_eq!(checks[0].verdict, Verdict::Pass, "{checks:?}");
        assert_eq!(checks.len(), 8, "{checks:?}");
        // An empty issuer (a blank field) is no issuer either.
        let blank = validate(
            &token(good_claims()),
            Some(Err(String::new())),
            &Expected {
                issuer: Some(" "),
                ..expected(Some("n-1"))
            },
        );
        assert!(failed(&blank).is_empty(), "{blank:?}");
    }

    // The asymmetric path: ES256 id_tokens signed the way the demo provider signs its own,
    // verified against a JWKS.

    use crate::demo::keys::SigningKey;

    fn es256_claims() -> Value {
        let mut claims = good_claims();
        claims["at_hash"] = json!(left_half_hash("ES256", "the-access-token").unwrap());
        claims
    }

    fn signature_check(token: &str, jwks: &Value) -> Check {
        let doc = jwks.to_string();
        let checks = validate(token, Some(Ok(&doc)), &expected(Some("n-1")));
        let sig = checks
            .iter()
            .find(|c| c.id == CheckId::IdTokenSignature)
            .unwrap()
            .clone();
        let others: Vec<_> = failed(&checks)
            .into_iter()
            .filter(|n| *n != "signature is valid")
            .collect();
        assert!(
            others.is_empty(),
            "only the signature is at stake: {checks:?}"
        );
        sig
    }

    #[test]
    fn an_es256_token_verifies_against_the_jwks() {
        let key = SigningKey::generate().unwrap();
        let jwks = key.jwks();
        let sig = signature_check(&key.sign_jwt("JWT", &es256_claims()).unwrap(), &jwks);
        assert_eq!(sig.verdict, Verdict::Pass, "{sig:?}");
        assert!(
            sig.detail
                .contains(jwks["keys"][0]["kid"].as_str().unwrap()),
            "{sig:?}"
        );
    }

    #[test]
    fn a_token_without_kid_is_tried_against_every_fitting_key() {
        let (first, second) = (
            SigningKey::generate().unwrap(),
            SigningKey::generate().unwrap(),
        );
        let mut jwks = first.jwks();
        jwks["keys"]
            .as_array_mut()
            .unwrap()
            .push(second.jwks()["keys"][0].clone());
        let header = json!({ "alg": "ES256", "typ": "JWT" });
        let by_second = second.sign_with_header(&header, &es256_claims()).unwrap();
        let sig = signature_check(&by_second, &jwks);
        assert_eq!(sig.verdict, Verdict::Pass, "{sig:?}");
        assert!(sig.detail.contains("key 2 of 2"), "{sig:?}");

        let stranger = SigningKey::generate().unwrap();
        let by_stranger = stranger.sign_with_header(&header, &es256_claims()).unwrap();
        let sig = signature_check(&by_stranger, &jwks);
        assert_eq!(sig.verdict, Verdict::Fail, "{sig:?}");
        assert!(sig.detail.contains("any of the 2 ES256 keys"), "{sig:?}");
    }

    #[test]
    fn a_tampered_es256_token_fails_the_signature_check() {
        let key = SigningKey::generate().unwrap();
        let signed = key.sign_jwt("JWT", &es256_claims()).unwrap();
        let [header, _, sig] = signed.split('.').collect::<Vec<_>>()[..] else {
            panic!("{signed}")
        };
        let mut claims = es256_claims();
        claims["sub"] = json!("mallory");
        let forged = format!(
            "{header}.{}.{sig}",
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let check = signature_check(&forged, &key.jwks());
        assert_eq!(check.verdict, Verdict::Fail, "{check:?}");
        assert!(check.detail.contains("does not verify"), "{check:?}");
        // Signed by another key that claims the same kid: refused too.
        let other = SigningKey::generate().unwrap();
        let mut jwks = other.jwks();
        jwks["keys"][0]["kid"] = key.jwks()["keys"][0]["kid"].clone();
        let check = signature_check(&signed, &jwks);
        assert_eq!(check.verdict, Verdict::Fail, "{check:?}");
    }

    #[test]
    fn a_kid_missing_from_the_jwks_fails_naming_the_kid() {
        let signer = SigningKey::generate().unwrap();
        let published = SigningKey::generate().unwrap();
        let kid = signer.jwks()["keys"][0]["kid"].as_str().unwrap().to_owned();
        let check = signature_check(
            &signer.sign_jwt("JWT", &es256_claims()).unwrap(),
            &published.jwks(),
        );
        assert_eq!(check.verdict, Verdict::Fail, "{check:?}");
        assert!(
            check.detail.contains(&format!("no key with kid '{kid}'")),
            "{check:?}"
        );
        let published_kid = published.jwks()["keys"][0]["kid"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(check.detail.contains(&published_kid), "{check:?}");
    }

    #[test]
    fn a_jwks_key_of_the_wrong_type_alg_use_or_curve_is_refused() {
        let key = SigningKey::generate().unwrap();
        let token = key.sign_jwt("JWT", &es256_claims()).unwrap();
        let jwk = key.jwks()["keys"][0].clone();
        let kid = jwk["kid"].clone();
        let refused = |jwk: Value, words: &[&str]| {
            let check = signature_check(&token, &json!({ "keys": [jwk] }));
            assert_eq!(check.verdict, Verdict::Fail, "{check:?}");
            for w in words {
                assert!(check.detail.contains(w), "{w}: {check:?}");
            }
        };
        let mut declared_es384 = jwk.clone();
        declared_es384["alg"] = json!("ES384");
        refused(declared_es384, &["declared for alg ES384", "ES256"]);
        let mut rs256 = jwk.clone();
        rs256["alg"] = json!("RS256");
        refused(rs256, &["declared for alg RS256"]);
        let rsa = json!({
            "kty": "RSA", "kid": kid, "use": "sig",
            "n": URL_SAFE_NO_PAD.encode([0xc5u8; 256]), "e": "AQAB",
        });
        refused(rsa, &["RSA key", "ES256 needs an EC key"]);
        let mut enc = jwk.clone();
        enc["use"] = json!("enc");
        refused(enc, &["use 'enc'"]);
        let mut p384 = jwk;
        p384["crv"] = json!("P-384");
        p384.as_object_mut().unwrap().remove("alg");
        refused(p384, &["curve P-384", "needs P-256"]);
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
