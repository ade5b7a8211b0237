//! Client assertions for `private_key_jwt` (RFC 7523 §3, OpenID Connect Core §9): a short-lived
//! JWT, signed with the client's private key, that the token endpoint checks against the
//! client's registered public key.

use std::str::FromStr as _;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::random;

/// Signs an assertion for `audience` (the token endpoint). `pem` is a PKCS#8 (or PKCS#1 for
/// RSA) private key; `alg` one of RS256/384/512, PS256/384/512, ES256/384, EdDSA.
pub fn client_assertion(
    client_id: &str,
    audience: &str,
    pem: &str,
    alg: &str,
    kid: Option<&str>,
    now: i64,
) -> Result<String, String> {
    let algorithm = Algorithm::from_str(alg)
        .map_err(|_| format!("'{alg}' is not a signing algorithm oauthviz knows"))?;
    let bytes = pem.as_bytes();
    let key = match algorithm {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 | Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512 => {
            EncodingKey::from_rsa_pem(bytes)
        }
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(bytes),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(bytes),
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => {
            return Err(format!("{alg} is keyed with a shared secret: that is client_secret_jwt, not private_key_jwt"));
        }
        _ => return Err(format!("oauthviz cannot sign with {alg}")),
    }
    .map_err(|e| format!("the private key is not a PEM key for {alg}: {e}"))?;
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": random::token(16),
        "iat": now,
        "exp": now + 60,
    });
    jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|e| format!("could not sign the client assertion: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::jwt;

    const KEY: &str = include_str!("../../tests/fixtures/keys/jwt-client-es256.pem");

    #[test]
    fn assertion_has_the_rfc7523_claims() {
        let a =
            client_assertion("app", "https://as/token", KEY, "ES256", Some("k1"), 1000).unwrap();
        let d = jwt::decode(&a).unwrap();
        assert_eq!(d.alg(), Some("ES256"));
        assert_eq!(d.header["kid"], "k1");
        assert_eq!(d.claim_str("iss"), Some("app"));
        assert_eq!(d.claim_str("sub"), Some("app"));
        assert_eq!(d.claim_str("aud"), Some("https://as/token"));
        assert_eq!(d.claim_i64("exp"), Some(1060));
        assert!(d.claim_str("jti").is_some());
    }

    #[test]
    fn wrong_key_or_alg_is_explained() {
        assert!(
            client_assertion("app", "aud", KEY, "RS256", None, 0)
                .unwrap_err()
                .contains("not a PEM key for RS256")
        );
        assert!(client_assertion("app", "aud", "junk", "ES256", None, 0).is_err());
        assert!(
            client_assertion("app", "aud", KEY, "HS256", None, 0)
                .unwrap_err()
                .contains("client_secret_jwt")
        );
        assert!(
            client_assertion("app", "aud", KEY, "XX1", None, 0)
                .unwrap_err()
                .contains("XX1")
        );
    }
}
