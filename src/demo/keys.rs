//! The provider's ES256 signing key (fresh at every start), compact JWS signing and the JWKS.

use std::sync::{Arc, OnceLock};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The provider's signing key, generated on a thread of its own. The first use of the crypto
/// library sets it up for the whole process (~20 ms here), which would otherwise hold up
/// whoever starts the provider: the window, before its first frame.
pub(crate) struct PendingKey(Arc<OnceLock<Result<SigningKey, String>>>);

impl std::fmt::Debug for PendingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.get() {
            Some(Ok(key)) => key.fmt(f),
            Some(Err(e)) => write!(f, "PendingKey(failed: {e})"),
            None => f.write_str("PendingKey(generating)"),
        }
    }
}

impl PendingKey {
    /// Starts generating a new key pair.
    pub fn generate() -> std::io::Result<PendingKey> {
        let slot = Arc::new(OnceLock::new());
        let filled = slot.clone();
        std::thread::Builder::new()
            .name("demo-provider-key".into())
            .spawn(move || {
                // A panic must not leave the provider waiting for a key forever.
                let key = std::panic::catch_unwind(SigningKey::generate)
                    .unwrap_or_else(|_| Err(std::io::Error::other("key generation panicked")));
                let _ = filled.set(key.map_err(|e| e.to_string()));
            })?;
        Ok(PendingKey(slot))
    }

    /// The key, waiting for it on first use (the answer is an error message when it could not
    /// be generated).
    pub fn get(&self) -> Result<&SigningKey, String> {
        self.0.wait().as_ref().map_err(Clone::clone)
    }
}

pub(crate) struct SigningKey {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
    /// The RFC 7638 thumbprint of the public key.
    kid: String,
    x: String,
    y: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new P-256 key pair.
    pub fn generate() -> std::io::Result<Self> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).map_err(|_| {
            std::io::Error::other("could not generate the demo provider's ES256 key")
        })?;
        // The public key is the uncompressed point 0x04 || x || y (32 bytes each).
        let point = pair.public_key().as_ref();
        if point.len() != 65 || point[0] != 4 {
            return Err(std::io::Error::other(
                "unexpected P-256 public key encoding",
            ));
        }
        let x = URL_SAFE_NO_PAD.encode(&point[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&point[33..65]);
        // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
        let thumbprint_input = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
        Ok(Self {
            pair,
            rng: SystemRandom::new(),
            kid,
            x,
            y,
        })
    }

    /// A compact JWS (RFC 7515) over `claims` with header `{"alg":"ES256","typ":typ,"kid":…}`.
    /// ES256 signatures are the fixed-width `r || s` of RFC 7518 §3.4.
    pub fn sign_jwt(&self, typ: &str, claims: &Value) -> Result<String, String> {
        self.sign_with_header(
            &json!({ "alg": "ES256", "typ": typ, "kid": self.kid }),
            claims,
        )
    }

    /// A compact JWS with exactly `header` (tests sign tokens without a `kid` with it).
    pub(crate) fn sign_with_header(
        &self,
        header: &Value,
        claims: &Value,
    ) -> Result<String, String> {
        let encode = |v: &Value| {
            serde_json::to_vec(v)
                .map(|bytes| URL_SAFE_NO_PAD.encode(bytes))
                .map_err(|e| format!("cannot serialize JWT part: {e}"))
        };
        let signing_input = format!("{}.{}", encode(header)?, encode(claims)?);
        let signature = self
            .pair
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| "ES256 signing failed".to_owned())?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        ))
    }

    /// The JSON Web Key Set (RFC 7517 §5) with the one public key.
    pub fn jwks(&self) -> Value {
        json!({
            "keys": [{
                "kty": "EC",
                "crv": "P-256",
                "x": self.x,
                "y": self.y,
                "use": "sig",
                "alg": "ES256",
                "kid": self.kid,
            }]
        })
    }
}

/// OpenID Connect Core §3.1.3.6 `at_hash`: base64url of the left half of SHA-256 of the token.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

    /// Verifies a compact ES256 JWS against a JWKS and returns (header, claims).
    pub(crate) fn verify(jwt: &str, jwks: &Value) -> (Value, Value) {
        let key = &jwks["keys"][0];
        let mut point = vec![4u8];
        point.extend(URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap());
        point.extend(URL_SAFE_NO_PAD.decode(key["y"].as_str().unwrap()).unwrap());
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
            .verify(input.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).unwrap())
            .expect("signature verifies");
        let (h, c) = input.split_once('.').unwrap();
        let part =
            |s: &str| serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
        let header = part(h);
        assert_eq!(header["kid"], key["kid"]);
        (header, part(c))
    }

    #[test]
    fn signed_jwts_verify_with_the_jwks() {
        let key = SigningKey::generate().unwrap();
        let jwt = key.sign_jwt("JWT", &json!({"sub": "alice"})).unwrap();
        let (header, claims) = verify(&jwt, &key.jwks());
        assert_eq!(header["alg"], "ES256");
        assert_eq!(claims["sub"], "alice");
        assert_eq!(key.kid.len(), 43);
    }

    #[test]
    fn at_hash_is_left_half() {
        // 16 bytes → 22 base64url characters.
        assert_eq!(at_hash("token").len(), 22);
    }
}
