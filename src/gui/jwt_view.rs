//! JSON Web Tokens (RFC 7519) taken apart for reading: header and claims decoded, times shown as
//! dates. Nothing is verified here: the point is to show what the token says, and the explanation
//! panel says why the client may trust it without checking the signature itself.
//!
//! The decoding half is pure and belongs in `protocol` (protocol/jwt.rs) once main takes it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT;
use serde_json::{Map, Value};

use crate::gui::{explain, format, table};

#[derive(Clone, Debug, PartialEq)]
pub struct DecodedJwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// Length of the signature part, in characters (0 for `alg: none`).
    pub signature_len: usize,
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
        let bytes = URL_SAFE_NO_PAD_INDIFFERENT
            .decode(b64)
            .map_err(|e| format!("the {name} is not base64url ({e})"))?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(format!("the {name} is JSON but not an object")),
            Err(e) => Err(format!("the {name} is not JSON ({e})")),
        }
    };
    Ok(DecodedJwt {
        header: part("header", parts[0])?,
        claims: part("payload", parts[1])?,
        signature_len: parts[2].len(),
    })
}

/// A cheap test before trying [`decode`]: three parts and a header that starts like `{"`.
pub fn looks_like_jwt(s: &str) -> bool {
    s.starts_with("eyJ") && s.split('.').count() == 3 && !s.contains(char::is_whitespace)
}

/// Claims that hold NumericDate values (RFC 7519 §2), shown as dates.
fn is_time_claim(name: &str) -> bool {
    matches!(name, "exp" | "iat" | "nbf" | "auth_time" | "updated_at")
}

/// A claim's value for display: strings bare, times as `1700000000 = 2023-11-14 … (in 59 min)`,
/// anything else as compact JSON.
pub fn claim_value(name: &str, value: &Value, now: i64) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if is_time_claim(name) => match n.as_i64() {
            Some(t) => format!(
                "{t} = {} ({})",
                format::utc_time(t),
                format::relative(t, now)
            ),
            None => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Shows a decoded token under a collapsible heading named after where it came from.
pub fn show(ui: &mut egui::Ui, source: &str, token: &str, now: i64) {
    egui::CollapsingHeader::new(format!("{source}: decoded JWT"))
        .id_salt(("jwt", source))
        .default_open(true)
        .show(ui, |ui| match decode(token) {
            Ok(jwt) => {
                ui.label(egui::RichText::new("Header").strong());
                claims_table(ui, ("jwt-header", source), &jwt.header, now);
                ui.label(egui::RichText::new("Claims").strong());
                claims_table(ui, ("jwt-claims", source), &jwt.claims, now);
                let signature = if jwt.signature_len == 0 {
                    "no signature (alg: none)".to_owned()
                } else {
                    format!(
                        "signature: {} characters; this view decodes, it does not verify (the step's checks do)",
                        jwt.signature_len
                    )
                };
                ui.weak(signature);
                ui.label(explain::jwt_trust(source));
            }
            Err(e) => {
                ui.label(format!("Not readable as a JWT: {e}"));
            }
        });
}

fn claims_table(ui: &mut egui::Ui, id: impl egui::AsIdSalt, claims: &Map<String, Value>, now: i64) {
    let rows: Vec<table::Row> = claims
        .iter()
        .map(|(name, value)| table::Row {
            name: name.clone(),
            shown: claim_value(name, value, now),
            copy: None,
            note: explain::claim(name),
        })
        .collect();
    table::show(ui, id, &rows);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
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
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"sub":"demo","exp":1700003600,"aud":["a","b"]}"#,
            "c2ln",
        );
        assert!(looks_like_jwt(&token));
        let d = decode(&token).unwrap();
        assert_eq!(d.header["alg"], "RS256");
        assert_eq!(d.claims["sub"], "demo");
        assert_eq!(d.signature_len, 4);
    }

    #[test]
    fn accepts_padded_base64url() {
        let header = URL_SAFE.encode(r#"{"alg":"none"}"#);
        assert!(header.ends_with('='));
        let token = format!("{header}.{}.", URL_SAFE_NO_PAD.encode(r#"{"a":1}"#));
        let d = decode(&token).unwrap();
        assert_eq!(d.signature_len, 0);
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

    #[test]
    fn time_claims_read_as_dates() {
        let now = 1_700_000_000;
        assert_eq!(
            claim_value("exp", &Value::from(now + 3600), now),
            "1700003600 = 2023-11-14 23:13:20 UTC (in 1 h 0 min)"
        );
        assert_eq!(
            claim_value("iat", &Value::from(now - 5), now),
            "1699999995 = 2023-11-14 22:13:15 UTC (5 s ago)"
        );
        assert_eq!(claim_value("sub", &Value::from("demo"), now), "demo");
        assert_eq!(
            claim_value("aud", &serde_json::json!(["a", "b"]), now),
            r#"["a","b"]"#
        );
        assert_eq!(
            claim_value("count", &Value::from(1_700_000_000), now),
            "1700000000",
            "only time claims become dates"
        );
    }
}
