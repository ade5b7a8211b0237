//! The scopes this provider knows (RFC 6749 §3.3): what each means for the user (the consent
//! page), which are advertised (the metadata document) and how a `scope` value is checked.

/// The scopes this provider knows, with what they mean for the user.
pub(crate) const SCOPES: [(&str, &str); 5] = [
    (
        "openid",
        "sign you in (OpenID Connect): an ID token about who you are",
    ),
    ("profile", "your name"),
    ("email", "your email address"),
    ("offline_access", "stay connected when you are away"),
    (
        "api.read",
        "read your data from the demo API (/api/profile)",
    ),
];

/// Used when the request has no `scope` (RFC 6749 §3.3 lets the server pick a default).
pub(crate) const DEFAULT_SCOPE: &str = "openid profile api.read";

pub(crate) fn scope_description(scope: &str) -> &'static str {
    SCOPES
        .iter()
        .find(|(name, _)| *name == scope)
        .map_or("(unknown scope)", |(_, d)| d)
}

/// Parses a `scope` value (RFC 6749 §3.3): space-separated, every entry known; duplicates dropped.
pub(crate) fn parse_scopes(scope: Option<&str>, default: &str) -> Result<Vec<String>, String> {
    let raw = match scope {
        None | Some("") => default,
        Some(s) => s,
    };
    let mut scopes: Vec<String> = Vec::new();
    for s in raw.split(' ') {
        if s.is_empty() {
            return Err(
                "the scope has an empty entry: separate scopes with single spaces (RFC 6749 §3.3)"
                    .into(),
            );
        }
        if !SCOPES.iter().any(|(name, _)| *name == s) {
            let known: Vec<&str> = SCOPES.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "unknown scope '{s}'; this provider knows: {}",
                known.join(" ")
            ));
        }
        if !scopes.iter().any(|k| k == s) {
            scopes.push(s.to_owned());
        }
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn scopes_are_strict() {
        assert_eq!(
            parse_scopes(None, DEFAULT_SCOPE).unwrap(),
            ["openid", "profile", "api.read"]
        );
        assert_eq!(
            parse_scopes(Some("email email"), DEFAULT_SCOPE).unwrap(),
            ["email"]
        );
        assert!(parse_scopes(Some("openid  email"), DEFAULT_SCOPE).is_err());
        assert!(
            parse_scopes(Some("admin"), DEFAULT_SCOPE)
                .unwrap_err()
                .contains("admin")
        );
    }
}
