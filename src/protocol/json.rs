//! What JSON parsers disagree on: a member name given twice.

use serde::Deserialize;

/// The first member name the top-level JSON object repeats: `serde_json` keeps the last, another
/// client may keep the first, so a provider that sends two must not be read as either.
pub fn repeated_member(body: &str) -> Option<String> {
    use serde::de::{IgnoredAny, MapAccess, Visitor};
    struct Repeated(Option<String>);
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = Repeated;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Repeated, A::Error> {
            let mut seen = std::collections::HashSet::new();
            let mut repeated = None;
            while let Some(name) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                if !seen.insert(name.clone()) && repeated.is_none() {
                    repeated = Some(name);
                }
            }
            Ok(Repeated(repeated))
        }
    }
    impl<'de> Deserialize<'de> for Repeated {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(Names)
        }
    }
    serde_json::from_str::<Repeated>(body).ok()?.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_first_repeated_top_level_member() {
        assert_eq!(
            repeated_member(r#"{"a":1,"b":{"a":2},"b":3,"a":4}"#).as_deref(),
            Some("b")
        );
        assert_eq!(repeated_member(r#"{"a":1,"b":{"a":2,"a":3}}"#), None);
        assert_eq!(repeated_member("not json"), None);
    }
}
