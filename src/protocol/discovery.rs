//! Authorization server metadata: OpenID Connect Discovery 1.0 and RFC 8414.

use serde::{Deserialize, Serialize};

use super::http::{HttpResponse, parse_url};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Vec<String>,
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

/// Where to look for metadata, in order: OpenID Connect's location (appended to the issuer), then
/// RFC 8414 §3.1's (inserted between host and path).
pub fn metadata_urls(issuer: &str) -> Result<Vec<String>, String> {
    let url = parse_url(issuer).map_err(|e| format!("issuer: {e}"))?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "the issuer '{issuer}' must not have a query or fragment (RFC 8414 §2)"
        ));
    }
    let trimmed = issuer.trim().trim_end_matches('/');
    let path = url.path().trim_end_matches('/');
    let origin = url.origin().ascii_serialization();
    Ok(vec![
        format!("{trimmed}/.well-known/openid-configuration"),
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
    ])
}

/// Parses a metadata document and checks it belongs to `issuer` (OIDC Discovery §4.3,
/// RFC 8414 §3.3: the `issuer` value MUST be identical to the one the document was asked for).
pub fn parse_metadata(issuer: &str, resp: &HttpResponse) -> Result<Metadata, String> {
    if resp.status != 200 {
        return Err(format!(
            "the metadata request answered {}",
            resp.status_line()
        ));
    }
    let mut json = serde_json::Deserializer::from_str(&resp.body);
    let meta: Metadata = serde_path_to_error::deserialize(&mut json).map_err(|e| {
        // The member that is wrong, by name: "issuer: invalid type: integer `7`, …".
        let at = e.path().to_string();
        let inner = e.into_inner();
        if at == "." || inner.is_syntax() || inner.is_eof() {
            format!("the metadata document is not valid JSON: {inner}")
        } else {
            format!("the metadata's `{at}` is not what OpenID Connect Discovery §3 / RFC 8414 §2 define: {inner}")
        }
    })?;
    json.end()
        .map_err(|e| format!("the metadata document is not valid JSON: {e}"))?;
    // Surrounding whitespace is a typing slip; everything else, a trailing slash included, counts.
    let asked = issuer.trim();
    if meta.issuer != asked {
        let differs_by_slash = meta.issuer.trim_end_matches('/') == asked.trim_end_matches('/');
        return Err(if differs_by_slash {
            let found = &meta.issuer;
            format!(
                "the metadata says its issuer is '{found}', but '{asked}' was asked for: they differ only by a trailing slash, and issuers are compared exactly (RFC 8414 §3.3, OpenID Connect Discovery §4.3; the iss of its tokens will be '{found}' too): use exactly '{found}' as the issuer"
            )
        } else {
            format!(
                "the metadata says its issuer is '{}', but '{asked}' was asked for: refusing it (it could describe another provider)",
                meta.issuer
            )
        });
    }
    for (name, value) in [
        ("authorization_endpoint", &meta.authorization_endpoint),
        ("token_endpoint", &meta.token_endpoint),
    ] {
        match value {
            None => {
                return Err(format!(
                    "the metadata has no {name}: the Authorization Code flow needs it"
                ));
            }
            Some(v) => {
                parse_url(v).map_err(|e| format!("the metadata's {name}: {e}"))?;
            }
        }
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::http::Headers;

    fn doc(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: Headers::default(),
            body: body.into(),
        }
    }

    #[test]
    fn well_known_locations() {
        assert_eq!(
            metadata_urls("https://idp.example/realms/x/").unwrap(),
            [
                "https://idp.example/realms/x/.well-known/openid-configuration",
                "https://idp.example/.well-known/oauth-authorization-server/realms/x"
            ]
        );
        assert!(metadata_urls("https://idp.example/?a=1").is_err());
    }

    #[test]
    fn issuer_must_match() {
        let body = r#"{"issuer":"https://evil.example","authorization_endpoint":"https://a/auth","token_endpoint":"https://a/token"}"#;
        let err = parse_metadata("https://idp.example", &doc(body)).unwrap_err();
        assert!(err.contains("evil.example"), "{err}");
    }

    #[test]
    fn issuer_comparison_is_exact_and_a_trailing_slash_is_named() {
        let doc_for = |iss: &str| {
            doc(&format!(
                r#"{{"issuer":"{iss}","authorization_endpoint":"https://a/auth","token_endpoint":"https://a/token"}}"#
            ))
        };
        // The document has the slash (Auth0 does), the user typed none.
        let err = parse_metadata(
            "https://t.auth0.example",
            &doc_for("https://t.auth0.example/"),
        )
        .unwrap_err();
        assert!(
            err.contains("trailing slash")
                && err.contains("use exactly 'https://t.auth0.example/'"),
            "{err}"
        );
        // The other way round.
        let err = parse_metadata(
            "https://idp.example/realms/x/",
            &doc_for("https://idp.example/realms/x"),
        )
        .unwrap_err();
        assert!(
            err.contains("trailing slash")
                && err.contains("use exactly 'https://idp.example/realms/x'"),
            "{err}"
        );
        // Another provider altogether is not a slash problem.
        let err = parse_metadata("https://idp.example", &doc_for("https://idp.example.evil"))
            .unwrap_err();
        assert!(!err.contains("trailing slash"), "{err}");
        assert!(
            parse_metadata(
                "https://t.auth0.example/",
                &doc_for("https://t.auth0.example/")
            )
            .is_ok()
        );
    }

    #[test]
    fn parses_endpoints_and_rejects_malformed() {
        let body = r#"{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth","token_endpoint":"https://idp.example/token","code_challenge_methods_supported":["S256"]}"#;
        let m = parse_metadata(" https://idp.example ", &doc(body)).unwrap();
        assert_eq!(m.code_challenge_methods_supported, ["S256"]);
        assert!(
            parse_metadata("https://idp.example", &doc("<html>"))
                .unwrap_err()
                .contains("not valid JSON")
        );
        let missing = r#"{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth"}"#;
        assert!(
            parse_metadata("https://idp.example", &doc(missing))
                .unwrap_err()
                .contains("token_endpoint")
        );
    }
}
