//! JSON Web Tokens (RFC 7519) taken apart for reading: header and claims decoded, times shown as
//! dates. Nothing is verified here: the point is to show what the token says, and the explanation
//! panel says why the client may trust it without checking the signature itself.
//! The decoding itself is `protocol::jwt`.

use serde_json::{Map, Value};

use crate::protocol::jwt::decode;
pub use crate::protocol::jwt::looks_like_jwt;

use crate::gui::inspector::table;
use crate::gui::{explain, format};

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
pub fn show(ui: &mut egui::Ui, source: &str, kind: explain::JwtKind, token: &str, now: i64) {
    egui::CollapsingHeader::new(format!("{source}: decoded JWT"))
        .id_salt(("jwt", source))
        .default_open(true)
        .show(ui, |ui| match decode(token) {
            Ok(jwt) => {
                ui.label(egui::RichText::new("Header").strong());
                claims_table(ui, ("jwt-header", source), &jwt.header, now);
                ui.label(egui::RichText::new("Claims").strong());
                claims_table(ui, ("jwt-claims", source), &jwt.claims, now);
                let signature = if jwt.signature.is_empty() {
                    "no signature (alg: none)".to_owned()
                } else {
                    format!(
                        "signature: {} characters; this view decodes, it does not verify (the step's checks do)",
                        jwt.signature.len()
                    )
                };
                ui.weak(signature);
                ui.label(explain::jwt_trust(kind));
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
