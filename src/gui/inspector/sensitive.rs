//! What secrets look like on screen until the user reveals them. Which names are secret is
//! decided by [`crate::redact`], for every output; this module only makes the masked values
//! readable (masks are shown unencoded). Masking is the default so a projected demo never
//! shows a live credential by accident.

use std::borrow::Cow;

use url::form_urlencoded;

use crate::protocol::params::Params;
use crate::protocol::secret::mask;
use crate::redact::{is_secret_header, is_secret_param, mask_header_value};

/// `value`, or its mask when it is a secret and not revealed.
pub fn shown(value: &str, secret: bool, reveal: bool) -> Cow<'_, str> {
    if secret && !reveal && !value.is_empty() {
        Cow::Owned(mask(value))
    } else {
        Cow::Borrowed(value)
    }
}

/// A header value for display; an Authorization header keeps its scheme readable (`Basic …`,
/// `Bearer …`): which scheme was used is the lesson, the credential is not.
pub fn header_value<'a>(name: &str, value: &'a str, reveal: bool) -> Cow<'a, str> {
    if is_secret_header(name) && !reveal {
        Cow::Owned(mask_header_value(value))
    } else {
        Cow::Borrowed(value)
    }
}

/// Form-encoded parameters for display: secret values masked and left unencoded (a
/// percent-encoded mask would be unreadable), everything else exactly as it goes on the wire.
pub fn encoded_params(params: &Params, reveal: bool) -> String {
    params
        .iter()
        .map(|p| {
            let name: String = form_urlencoded::byte_serialize(p.name.as_bytes()).collect();
            if is_secret_param(&p.name) && !reveal {
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
    if reveal {
        return Cow::Borrowed(url);
    }
    // The query's secrets and the fragment's (the implicit grant's token), as everywhere else.
    let masked = crate::redact::url(url);
    if masked == url {
        Cow::Borrowed(url)
    } else {
        Cow::Owned(masked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2ln";

    #[test]
    fn masked_unless_revealed() {
        assert_eq!(shown(TOKEN, true, false), mask(TOKEN));
        assert_eq!(shown(TOKEN, true, true), TOKEN);
        assert_eq!(shown("public", false, false), "public");
        assert_eq!(
            shown("", true, false),
            "",
            "an empty secret stays visibly empty"
        );
    }

    #[test]
    fn authorization_keeps_its_scheme() {
        assert_eq!(
            header_value("Authorization", &format!("Bearer {TOKEN}"), false),
            format!("Bearer {}", mask(TOKEN))
        );
        assert_eq!(
            header_value("authorization", "Basic YXBwOnB3", false),
            "Basic ••••••••"
        );
        assert_eq!(
            header_value("Authorization", "Basic YXBwOnB3", true),
            "Basic YXBwOnB3"
        );
        assert_eq!(
            header_value("Set-Cookie", "sid=abcdefghijk; HttpOnly", false),
            mask("sid=abcdefghijk; HttpOnly")
        );
        assert_eq!(
            header_value("Accept", "application/json", false),
            "application/json"
        );
    }

    #[test]
    fn callback_url_hides_the_code_only() {
        let cb = "http://127.0.0.1:8765/callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz+1#f";
        assert_eq!(
            url(cb, false),
            "http://127.0.0.1:8765/callback?code=Splx…[22 chars]&state=xyz+1#f"
        );
        assert_eq!(url(cb, true), cb);
        let authorize = "https://as/authorize?response_type=code&state=s";
        assert_eq!(
            url(authorize, false),
            authorize,
            "response_type=code names no secret"
        );
    }

    #[test]
    fn form_bodies_mask_by_name() {
        let form = Params::from([
            ("grant_type", "authorization_code"),
            ("code", "c0de-c0de-c0de"),
            ("redirect_uri", "http://127.0.0.1/cb"),
        ]);
        assert_eq!(
            encoded_params(&form, false),
            "grant_type=authorization_code&code=c0de…[14 chars]&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb"
        );
        assert_eq!(encoded_params(&form, true), form.encode());
    }
}
