//! The registered clients, redirect URI matching and the parsing of `client_secret_basic`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;

use super::{
    BASIC_CLIENT_ID, BASIC_CLIENT_SECRET, DEMO_REDIRECT_PATH, POST_CLIENT_ID, POST_CLIENT_SECRET,
    PUBLIC_CLIENT_ID,
};
use crate::protocol::token::ClientAuth;

/// A registered client.
#[derive(Debug)]
pub(crate) struct Client {
    pub id: &'static str,
    pub name: &'static str,
    /// `None` for the public client.
    pub secret: Option<&'static str>,
    /// The registered `token_endpoint_auth_method`; the client must use exactly this one.
    pub auth: ClientAuth,
    /// The grant types the client may use (RFC 6749 §5.2 `unauthorized_client` otherwise).
    pub grants: &'static [&'static str],
}

impl Client {
    /// Constant-time comparison of a presented secret with the registered one.
    pub fn secret_matches(&self, presented: &str) -> bool {
        self.secret
            .is_some_and(|s| bool::from(s.as_bytes().ct_eq(presented.as_bytes())))
    }

    pub fn is_public(&self) -> bool {
        self.auth == ClientAuth::None
    }
}

pub(crate) const AUTHORIZATION_CODE: &str = "authorization_code";
pub(crate) const REFRESH_TOKEN: &str = "refresh_token";
pub(crate) const CLIENT_CREDENTIALS: &str = "client_credentials";

pub(crate) static CLIENTS: [Client; 3] = [
    Client {
        id: BASIC_CLIENT_ID,
        name: "Demo app (client_secret_basic)",
        secret: Some(BASIC_CLIENT_SECRET),
        auth: ClientAuth::Basic,
        grants: &[AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS],
    },
    Client {
        id: POST_CLIENT_ID,
        name: "Demo app (client_secret_post)",
        secret: Some(POST_CLIENT_SECRET),
        auth: ClientAuth::Post,
        grants: &[AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS],
    },
    // RFC 6749 §4.4: client_credentials is for confidential clients only.
    Client {
        id: PUBLIC_CLIENT_ID,
        name: "Demo app (public client, PKCE)",
        secret: None,
        auth: ClientAuth::None,
        grants: &[AUTHORIZATION_CODE, REFRESH_TOKEN],
    },
];

pub(crate) fn find(id: &str) -> Option<&'static Client> {
    CLIENTS.iter().find(|c| c.id == id)
}

/// The registered redirect URIs, without port: every client has both.
pub(crate) fn registered_redirect_uris() -> [String; 2] {
    [
        format!("http://127.0.0.1{DEMO_REDIRECT_PATH}"),
        format!("http://localhost{DEMO_REDIRECT_PATH}"),
    ]
}

/// Whether `uri` is a registered redirect URI.
///
/// Strict: the string must equal a registered one exactly once its port is removed — scheme,
/// host, path and query compared as strings, no normalisation (RFC 9700 §2.1 "exact string
/// matching", RFC 6749 §3.1.2.3), with the loopback exception that any port is allowed
/// (RFC 8252 §7.3). `loose` is the misbehaviour: a prefix match, so attacker-chosen paths pass.
pub(crate) fn redirect_uri_allowed(uri: &str, loose: bool) -> bool {
    let Some(bare) = without_port(uri) else {
        return false;
    };
    registered_redirect_uris().iter().any(|r| {
        if loose {
            bare.starts_with(r.as_str())
        } else {
            bare == *r
        }
    })
}

/// `http://host[:port]rest` → `http://hostrest`, or `None` when the scheme is not exactly `http`
/// or the port is not a number in 1–65535.
fn without_port(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("http://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = match authority.rsplit_once(':') {
        Some((host, port)) => {
            let valid = !port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u16>().is_ok_and(|p| p != 0);
            if !valid {
                return None;
            }
            host
        }
        None => authority,
    };
    Some(format!("http://{host}{tail}"))
}

/// Parses `Authorization: Basic …` back into client id and secret: base64, then each part
/// form-urldecoded (RFC 6749 §2.3.1) — the inverse of
/// [`crate::protocol::token::basic_authorization`]. Pure; it could move to `protocol::token`.
pub(crate) fn parse_basic(value: &str) -> Result<(String, String), String> {
    let value = value.trim();
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(format!("the Authorization scheme is '{scheme}', not Basic"));
    }
    let decoded = STANDARD
        .decode(credentials.trim())
        .map_err(|_| "the Basic credentials are not valid base64".to_owned())?;
    let decoded =
        String::from_utf8(decoded).map_err(|_| "the Basic credentials are not UTF-8".to_owned())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(|| {
        "the Basic credentials have no ':' between client id and secret".to_owned()
    })?;
    let id = form_urldecode(id).ok_or_else(|| {
        "the client id in the Basic credentials is not valid form-urlencoding".to_owned()
    })?;
    let secret = form_urldecode(secret).ok_or_else(|| {
        "the secret in the Basic credentials is not valid form-urlencoding".to_owned()
    })?;
    Ok((id, secret))
}

/// `application/x-www-form-urlencoded` decoding of one value: `+` is a space, `%XX` a byte;
/// a stray `%` or non-UTF-8 result is an error.
fn form_urldecode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::protocol::token::basic_authorization;

    #[test]
    fn loopback_redirect_uris_match_exactly_on_any_port() {
        for ok in [
            "http://127.0.0.1/callback",
            "http://127.0.0.1:53682/callback",
            "http://localhost:8080/callback",
        ] {
            assert!(redirect_uri_allowed(ok, false), "{ok}");
        }
        for bad in [
            "https://127.0.0.1/callback",
            "HTTP://127.0.0.1/callback",
            "http://127.0.0.1:80x/callback",
            "http://127.0.0.1:/callback",
            "http://127.0.0.1:0/callback",
            "http://127.0.0.1:99999/callback",
            "http://127.0.0.1/callback/",
            "http://127.0.0.1/callback?x=1",
            "http://127.0.0.1/callback#f",
            "http://127.0.0.1/Callback",
            "http://127.0.0.1/./callback",
            "http://evil@127.0.0.1/callback",
            "http://127.0.0.1.evil.com/callback",
            "http://[::1]/callback",
            "",
        ] {
            assert!(!redirect_uri_allowed(bad, false), "{bad}");
        }
    }

    #[test]
    fn loose_matching_is_a_prefix_match() {
        assert!(redirect_uri_allowed(
            "http://127.0.0.1:9/callback/../evil",
            true
        ));
        assert!(redirect_uri_allowed(
            "http://localhost/callback?next=x",
            true
        ));
        assert!(!redirect_uri_allowed("http://evil.example/callback", true));
    }

    #[test]
    fn basic_credentials_round_trip_with_protocol_encoder() {
        let header = basic_authorization("my client", "s3cr:t ü%+");
        assert_eq!(
            parse_basic(&header).unwrap(),
            ("my client".into(), "s3cr:t ü%+".into())
        );
        assert_eq!(
            parse_basic("basic ZGVtbzpwdw==").unwrap(),
            ("demo".into(), "pw".into())
        );
        assert!(parse_basic("Bearer abc").is_err());
        assert!(parse_basic("Basic !!!").is_err());
        assert!(parse_basic("Basic bm9jb2xvbg==").is_err()); // "nocolon"
        assert!(parse_basic("Basic").is_err());
        assert_eq!(form_urldecode("a%2"), None);
        assert_eq!(form_urldecode("a%zz"), None);
        assert_eq!(form_urldecode("%C3%A9+x").as_deref(), Some("é x"));
    }

    #[test]
    fn secrets_compare_exactly() {
        let c = find(BASIC_CLIENT_ID).unwrap();
        assert!(c.secret_matches(BASIC_CLIENT_SECRET));
        assert!(!c.secret_matches("demo-basic-secre"));
        assert!(!find(PUBLIC_CLIENT_ID).unwrap().secret_matches(""));
    }
}
