//! Ordered, editable parameter lists: the query of an authorization URL, the form body of a token
//! request. Order is kept and unknown or duplicate names are allowed, because the user must be able
//! to send exactly what they typed, including requests a strict client library would refuse to build.

use serde::{Deserialize, Serialize};
use url::form_urlencoded;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Params(pub Vec<Param>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a parameter even if one with the same name exists.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.0.push(Param {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Replaces the first parameter of that name (dropping later duplicates), or appends it.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        match self.0.iter().position(|p| p.name == name) {
            Some(i) => {
                self.0[i].value = value;
                let mut seen = 0;
                self.0.retain(|p| {
                    if p.name != name {
                        return true;
                    }
                    seen += 1;
                    seen == 1
                });
            }
            None => {
                self.push(name, value);
            }
        }
        self
    }

    pub fn remove(&mut self, name: &str) -> &mut Self {
        self.0.retain(|p| p.name != name);
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Param> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `application/x-www-form-urlencoded` serialization (also used for URL queries).
    pub fn encode(&self) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for p in &self.0 {
            ser.append_pair(&p.name, &p.value);
        }
        ser.finish()
    }

    /// Parses a query string or form body; a leading `?` is ignored.
    pub fn parse(encoded: &str) -> Self {
        let encoded = encoded.strip_prefix('?').unwrap_or(encoded);
        Self(
            form_urlencoded::parse(encoded.as_bytes())
                .map(|(name, value)| Param {
                    name: name.into_owned(),
                    value: value.into_owned(),
                })
                .collect(),
        )
    }
}

impl<const N: usize> From<[(&str, &str); N]> for Params {
    fn from(pairs: [(&str, &str); N]) -> Self {
        let mut params = Params::new();
        for (name, value) in pairs {
            params.push(name, value);
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_duplicates() {
        let p = Params::parse("b=2&a=1&b=3");
        assert_eq!(p.encode(), "b=2&a=1&b=3");
        assert_eq!(p.get("b"), Some("2"));
    }

    #[test]
    fn set_replaces_first_and_drops_duplicates() {
        let mut p = Params::parse("b=2&a=1&b=3");
        p.set("b", "x");
        assert_eq!(p.encode(), "b=x&a=1");
        p.set("c", "new");
        assert_eq!(p.encode(), "b=x&a=1&c=new");
        p.remove("a");
        assert_eq!(p.encode(), "b=x&c=new");
    }

    #[test]
    fn encodes_reserved_characters() {
        let p = Params::from([
            ("redirect_uri", "http://127.0.0.1:8080/cb?x=1"),
            ("scope", "openid email"),
        ]);
        assert_eq!(
            p.encode(),
            "redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcb%3Fx%3D1&scope=openid+email"
        );
        assert_eq!(Params::parse(&p.encode()), p);
    }
}
