//! A value that must never reach a log, a panic message or an export by accident.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A client secret, token, password or PKCE verifier.
///
/// `Debug` and `Display` print `[redacted]`; the value is reached only through [`Secret::expose`],
/// so every place that shows or sends it is greppable.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Masks a secret for display: keeps a short prefix so two different tokens stay distinguishable
/// on screen, hides the rest.
pub fn mask(value: &str) -> String {
    // A value masked already (a saved run masked again) stays as it is, with its real length.
    if is_mask(value) {
        return value.to_owned();
    }
    let chars = value.chars().count();
    if chars <= 8 {
        return "•".repeat(chars.max(4));
    }
    let head: String = value.chars().take(4).collect();
    format!("{head}…[{chars} chars]")
}

/// Whether `value` is what [`mask`] makes: `••••` or `eyJh…[812 chars]`.
pub fn is_mask(value: &str) -> bool {
    if value.chars().count() >= 4 && value.chars().all(|c| c == '•') {
        return true;
    }
    let Some((head, rest)) = value.split_once('…') else {
        return false;
    };
    let count = rest
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(" chars]"));
    head.chars().count() == 4
        && count.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_twice_changes_nothing() {
        let once = mask("SplxlOBeZQQYbYS6WxSbIA");
        assert_eq!(mask(&once), once);
        assert_eq!(mask(&mask("short")), "•••••");
        assert!(!is_mask("abcd…[x chars]") && !is_mask("plain"));
    }

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn mask_keeps_a_prefix_only() {
        assert_eq!(mask("abc"), "••••");
        assert_eq!(mask("eyJhbGciOiJFUzI1NiJ9.payload"), "eyJh…[28 chars]");
    }
}
