//! The protected-resource request (RFC 6750 §2.1: the token in the `Authorization` header).

use super::error::ErrorCode;
use super::http::HttpRequest;

pub fn bearer_request(resource_url: &str, access_token: &str) -> HttpRequest {
    let mut req = HttpRequest::get(resource_url);
    req.headers
        .push("Authorization", format!("Bearer {access_token}"));
    req.headers.push("Accept", "application/json");
    req
}

/// The `error` of a `WWW-Authenticate: Bearer error="…"` challenge (RFC 6750 §3), if any.
pub fn bearer_challenge_error(www_authenticate: &str) -> Option<ErrorCode> {
    let rest = www_authenticate.trim().strip_prefix("Bearer")?;
    rest.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k.trim() == "error").then(|| ErrorCode::parse(v.trim().trim_matches('"')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header() {
        let r = bearer_request("http://127.0.0.1/api", "tok");
        assert_eq!(r.headers.get("Authorization"), Some("Bearer tok"));
    }

    #[test]
    fn challenge_error() {
        assert_eq!(
            bearer_challenge_error(
                r#"Bearer realm="x", error="invalid_token", error_description="expired""#
            ),
            Some(ErrorCode::InvalidToken)
        );
        assert_eq!(bearer_challenge_error("Basic realm=x"), None);
    }
}
