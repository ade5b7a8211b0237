//! Reading a JWT (RFC 7519) without trusting it: the header and claims as JSON, for display and
//! for the checks that follow. Verification is `id_token`'s job.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;
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

/// A cheap test before trying [`decode`] (it runs on every value the inspector shows): three
/// parts and a header that starts like `{"`.
pub fn looks_like_jwt(s: &str) -> bool {
    s.starts_with("eyJ") && s.split('.').count() == 3 && !s.contains(char::is_whitespace)
}

/// Decodes a JWS compact serialization (`header.payload.signature`). Encrypted tokens (JWE,
/// five parts) cannot be read without the key, and say so.
pub fn decode(token: &str) -> Result<DecodedJwt, String> {
    let parts: Vec<&str> = token.trim().split('.').collect();
    match parts.len() {
        3 => {}
        5 => return Err("an encrypted JWT (JWE): only the holder of the key can read it".into()),
        n => return Err(format!("a JWT has 3 dot-separated parts, this has {n}")),
    }
    let part = |name: &str, b64: &str| -> Result<Map<String, Value>, String> {
        // Some issuers pad their base64url; RFC 7515 says not to, but it is harmless to read.
        let bytes = URL_SAFE_NO_PAD_INDIFFERENT
            .decode(b64)
            .map_err(|e| format!("the {name} is not base64url ({e})"))?;
        match serde_json::from_slice(&bytes) {
            // Parsers differ on which of the two counts; RFC 7515 §4 and RFC 7519 §4 let a
            // reader refuse them, which is the only reading nobody can be fooled by.
            Ok(Value::Object(_))
                if let Some(twice) = std::str::from_utf8(&bytes)
                    .ok()
                    .and_then(super::json::repeated_member) =>
            {
                Err(format!(
                    "the {name} has `{twice}` twice: names in a JWT MUST be unique (RFC 7515 §4, RFC 7519 §4), and readers differ on which one counts"
                ))
            }
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(format!("the {name} is JSON but not an object")),
            Err(e) => Err(format!("the {name} is not JSON ({e})")),
        }
    };
    Ok(DecodedJwt {
        header: part("header", parts[0])?,
        claims: part("payload", parts[1])?,
        signature: parts[2].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};

    fn jwt(header: &str, claims: &str, sig: &str) -> String {
        format!(
            "{}.{}.{sig}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn decodes_header_and_claims() {
        let token = jwt(
            r#"{"alg":"ES256","kid":"k1"}"#,
            r#"{"sub":"alice","exp":1700000000}"#,
            "c2ln",
        );
        assert!(looks_like_jwt(&token));
        let d = decode(&token).unwrap();
        assert_eq!(d.alg(), Some("ES256"));
        assert_eq!(d.claim_str("sub"), Some("alice"));
        assert_eq!(d.claim_i64("exp"), Some(1_700_000_000));
        assert_eq!(d.signature, "c2ln");
    }

    #[test]
    fn a_name_given_twice_is_refused_not_read_either_way() {
        let claims = decode(&jwt(
            r#"{"alg":"ES256"}"#,
            r#"{"sub":"alice","sub":"admin"}"#,
            "c2ln",
        ));
        let e = claims.unwrap_err();
        assert!(e.contains("payload has `sub` twice"), "{e}");
        let header = decode(&jwt(
            r#"{"alg":"ES256","alg":"none"}"#,
            r#"{"sub":"a"}"#,
            "",
        ));
        assert!(header.unwrap_err().contains("header has `alg` twice"));
    }

    #[test]
    fn accepts_padded_base64url() {
        let header = URL_SAFE.encode(r#"{"alg":"none"}"#);
        assert!(header.ends_with('='));
        let d = decode(&format!(
            "{header}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"a":1}"#)
        ))
        .unwrap();
        assert_eq!(d.signature, "");
        assert_eq!(d.claims["a"], 1);
    }

    #[test]
    fn explains_what_is_wrong_with_non_jwts() {
        assert!(
            decode("opaque-token")
                .unwrap_err()
                .contains("3 dot-separated parts, this has 1")
        );
        assert!(decode("a.b.c.d.e").unwrap_err().contains("encrypted"));
        assert!(
            decode("!!.e30.x")
                .unwrap_err()
                .contains("header is not base64url")
        );
        let not_json = format!("{}.e30.x", URL_SAFE_NO_PAD.encode("hello"));
        assert!(
            decode(&not_json)
                .unwrap_err()
                .contains("header is not JSON")
        );
        let array = format!("e30.{}.x", URL_SAFE_NO_PAD.encode("[1]"));
        assert!(
            decode(&array)
                .unwrap_err()
                .contains("payload is JSON but not an object")
        );
        assert!(!looks_like_jwt("eyJ.a"));
        assert!(!looks_like_jwt("abc.def.ghi"));
    }
}
