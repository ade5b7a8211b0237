//! Checks of what a scripted login sent (step B), from the requests it made.

use crate::protocol::check::{Check, CheckId, Verdict};
use crate::protocol::http::HttpRequest;

/// Where the password went. A login page is the authorization server's to serve, and a form
/// that posts the password to another origin deserves a look (a federated login does that on
/// purpose; a compromised or spoofed page does it too, RFC 6749 §10.11): a warning naming both
/// origins, never a failure. `None` when no request carried the password.
pub fn password_origin_check(
    authorization_url: &str,
    sent: &[&HttpRequest],
    password: &str,
) -> Option<Check> {
    let origin = |u: &str| {
        url::Url::parse(u)
            .ok()
            .map(|u| u.origin().ascii_serialization())
    };
    let home = origin(authorization_url)?;
    let encoded: String = url::form_urlencoded::byte_serialize(password.as_bytes()).collect();
    let carries = |r: &HttpRequest| {
        !password.is_empty()
            && [password, encoded.as_str()]
                .iter()
                .any(|p| r.body.contains(p) || r.url.contains(p))
    };
    let targets: Vec<String> = sent
        .iter()
        .filter(|r| carries(r))
        .filter_map(|r| origin(&r.url))
        .collect();
    if targets.is_empty() {
        return None;
    }
    let elsewhere: Vec<&String> = targets.iter().filter(|t| **t != home).collect();
    Some(match elsewhere.first() {
        None => Check::new(
            CheckId::PasswordOrigin,
            Verdict::Pass,
            format!("the password went only to the authorization server's origin, {home}"),
        ),
        Some(other) => Check::new(
            CheckId::PasswordOrigin,
            Verdict::Warn,
            format!(
                "the login form sent the password to {other}, not to the authorization server's origin {home}: make sure {other} is the provider's own login service (RFC 6749 §10.11)"
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::params::Params;

    fn login_post(url: &str) -> HttpRequest {
        HttpRequest::post_form(
            url,
            &Params::from([("user", "alice"), ("passwd", "wonder land")]),
        )
    }

    #[test]
    fn the_password_posted_elsewhere_is_a_warning_naming_both_origins() {
        let page = HttpRequest::get("https://as.example/authorize?x=1");
        let home = login_post("https://as.example/login");
        let away = login_post("https://evil.example/collect");
        let check = password_origin_check(&page.url, &[&page, &home], "wonder land").unwrap();
        assert_eq!(check.verdict, Verdict::Pass);
        let check = password_origin_check(&page.url, &[&page, &away], "wonder land").unwrap();
        assert_eq!(check.verdict, Verdict::Warn);
        assert!(
            check.detail.contains("https://evil.example")
                && check.detail.contains("https://as.example"),
            "{}",
            check.detail
        );
        assert_eq!(
            password_origin_check(&page.url, &[&page], "wonder land"),
            None
        );
    }
}
