//! Reading a JWT (RFC 7519) without trusting it: the header and claims as JSON, for display and
//! for the checks that follow. Verification is `id_token`'s job.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct DecodedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// The signature segment as sent (base64url).
    pub signature: String,
}

impl DecodedJwt {
    pub fn alg(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    pub fn claim_i64(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }
}

/// Whether a string has the shape of a compact JWS (three base64url segments, JSON header).
pub fn looks_like_jwt(s: &str) -> bool {
    decode(s).is_ok()
}

pub fn decode(token: &str) -> Result<DecodedJwt, String> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    if parts.len() != 3 {
        return Err(format!(
            "a JWT has three dot-separated parts; this has {} (an encrypted JWE has five)",
            parts.len()
        ));
    }
    let segment = |i: usize, what: &str| -> Result<Map<String, Value>, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(parts[i].trim_end_matches('='))
            .map_err(|e| format!("the {what} is not base64url: {e}"))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(format!("the {what} is JSON but not an object")),
            Err(e) => Err(format!("the {what} is not JSON: {e}")),
        }
    };
    Ok(DecodedJwt {
        header: segment(0, "header")?,
        claims: segment(1, "claims part")?,
        signature: parts[2].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn decodes_header_and_claims() {
        let d = decode(&jwt(
            r#"{"alg":"ES256","kid":"k1"}"#,
            r#"{"sub":"alice","exp":1700000000}"#,
        ))
        .unwrap();
        assert_eq!(d.alg(), Some("ES256"));
        assert_eq!(d.claim_str("sub"), Some("alice"));
        assert_eq!(d.claim_i64("exp"), Some(1_700_000_000));
        assert_eq!(d.signature, "sig");
    }

    #[test]
    fn rejects_what_is_not_a_jwt() {
        assert!(!looks_like_jwt("opaque-token"));
        assert!(decode("a.b").unwrap_err().contains("three"));
        assert!(
            decode(&format!("{}.e30.x", URL_SAFE_NO_PAD.encode("[1]")))
                .unwrap_err()
                .contains("not an object")
        );
        assert!(decode("***.e30.x").unwrap_err().contains("base64url"));
    }
}
