//! Which values are secrets, and what they look like on screen until the user reveals them.
//! Masking is the default so a projected demo never shows a live credential by accident.

use std::borrow::Cow;

use serde_json::Value;
use url::form_urlencoded;

use crate::protocol::params::Params;
use crate::protocol::secret::mask;

/// Parameter and JSON field names whose values are credentials or grant material.
const SECRET_NAMES: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "client_assertion",
];

/// Headers that carry credentials (the Authorization header holds the client secret in
/// client_secret_basic, and the access token in F) or session cookies.
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.iter().any(|s| s.eq_ignore_ascii_case(name))
}

pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// `value`, or its mask when it is a secret and not revealed.
pub fn shown(value: &str, secret: bool, reveal: bool) -> Cow<'_, str> {
    if secret && !reveal && !value.is_empty() {
        Cow::Owned(mask(value))
    } else {
        Cow::Borrowed(value)
    }
}

/// A header value for display. The scheme of an Authorization header stays readable
/// (`Basic …`, `Bearer …`): which scheme was used is the lesson, the credential is not.
pub fn header_value<'a>(name: &str, value: &'a str, reveal: bool) -> Cow<'a, str> {
    if !is_secret_header(name) || reveal {
        return Cow::Borrowed(value);
    }
    match value.split_once(' ') {
        Some((scheme, credential)) if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization") => {
            Cow::Owned(format!("{scheme} {}", mask(credential)))
        }
        _ => Cow::Owned(mask(value)),
    }
}

/// Form-encoded parameters for display: secret values masked and left unencoded (a
/// percent-encoded mask would be unreadable), everything else exactly as it goes on the wire.
pub fn encoded_params(params: &Params, reveal: bool) -> String {
    params
        .iter()
        .map(|p| {
            let name: String = form_urlencoded::byte_serialize(p.name.as_bytes()).collect();
            if is_secret_name(&p.name) && !reveal {
                format!("{name}={}", mask(&p.value))
            } else {
                let value: String = form_urlencoded::byte_serialize(p.value.as_bytes()).collect();
                format!("{name}={value}")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A URL for display, with secret query parameters (the `code` on the callback) masked.
pub fn url(url: &str, reveal: bool) -> Cow<'_, str> {
    let Some((base, query)) = url.split_once('?') else {
        return Cow::Borrowed(url);
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let params = Params::parse(query);
    if reveal || !params.iter().any(|p| is_secret_name(&p.name)) {
        return Cow::Borrowed(url);
    }
    let mut shown = format!("{base}?{}", encoded_params(&params, false));
    if let Some(f) = fragment {
        shown.push('#');
        shown.push_str(f);
    }
    Cow::Owned(shown)
}

/// Masks, in place, every string under a secret key, at any depth.
pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if is_secret_name(key) => *s = mask(s),
                    other => mask_json(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2ln";

    #[test]
    fn grant_material_and_credentials_are_secret() {
        for name in ["client_secret", "code", "code_verifier", "access_token", "refresh_token", "id_token", "password", "Code"] {
            assert!(is_secret_name(name), "{name}");
        }
        for name in ["state", "client_id", "scope", "redirect_uri", "code_challenge", "token_type", "expires_in"] {
            assert!(!is_secret_name(name), "{name}");
        }
        assert!(is_secret_header("Authorization"));
        assert!(is_secret_header("set-cookie"));
        assert!(!is_secret_header("Content-Type"));
    }

    #[test]
    fn masked_unless_revealed() {
        assert_eq!(shown(TOKEN, true, false), mask(TOKEN));
        assert_eq!(shown(TOKEN, true, true), TOKEN);
        assert_eq!(shown("public", false, false), "public");
        assert_eq!(shown("", true, false), "", "an empty secret stays visibly empty");
    }

    #[test]
    fn authorization_keeps_its_scheme() {
        assert_eq!(header_value("Authorization", &format!("Bearer {TOKEN}"), false), format!("Bearer {}", mask(TOKEN)));
        assert_eq!(header_value("authorization", "Basic YXBwOnB3", false), "Basic ••••••••");
        assert_eq!(header_value("Authorization", "Basic YXBwOnB3", true), "Basic YXBwOnB3");
        assert_eq!(header_value("Set-Cookie", "sid=abcdefghijk; HttpOnly", false), mask("sid=abcdefghijk; HttpOnly"));
        assert_eq!(header_value("Accept", "application/json", false), "application/json");
    }

    #[test]
    fn callback_url_hides_the_code_only() {
        let cb = "http://127.0.0.1:8765/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz+1#f";
        assert_eq!(url(cb, false), "http://127.0.0.1:8765/callback?code=Splx…[22 chars]&state=xyz+1#f");
        assert_eq!(url(cb, true), cb);
        let authorize = "https://as/authorize?response_type=code&state=s";
        assert_eq!(url(authorize, false), authorize, "response_type=code names no secret");
    }

    #[test]
    fn form_bodies_mask_by_name() {
        let form = Params::from([("grant_type", "authorization_code"), ("code", "c0de-c0de-c0de"), ("redirect_uri", "http://127.0.0.1/cb")]);
        assert_eq!(
            encoded_params(&form, false),
            "grant_type=authorization_code&code=c0de…[14 chars]&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
        );
        assert_eq!(encoded_params(&form, true), form.encode());
    }

    #[test]
    fn json_masks_nested_secret_strings() {
        let mut v = serde_json::json!({
            "access_token": TOKEN,
            "token_type": "Bearer",
            "nested": [{"refresh_token": "rrrrrrrrrrrr"}],
            "code": 42
        });
        mask_json(&mut v);
        assert_eq!(v["access_token"], mask(TOKEN));
        assert_eq!(v["token_type"], "Bearer");
        assert_eq!(v["nested"][0]["refresh_token"], mask("rrrrrrrrrrrr"));
        assert_eq!(v["code"], 42, "only strings are credentials");
    }
}
