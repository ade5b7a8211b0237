//! Authorization server metadata (RFC 8414) and OpenID Connect Discovery 1.0, the JWKS, and the
//! home page.

use serde_json::{Value, json};

use super::http::{Request, Response};
use super::paths::{
    AUTHORIZE_PATH, INTROSPECT_PATH, JWKS_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH,
};
use super::scopes::SCOPES;
use super::state::{Ctx, State};
use super::{Misbehave, Misbehaviour, pages};

/// The metadata document. Both well-known URLs serve the same document: RFC 8414 allows the
/// OpenID Connect members, and OpenID Connect Discovery allows the RFC 8414 ones.
pub(crate) fn metadata(ctx: &Ctx, m: &Misbehaviour) -> Value {
    let auth_methods = ["client_secret_basic", "client_secret_post", "none"];
    let issuer = if m.has(Misbehave::MetadataWrongIssuer) {
        format!("{}/other", ctx.issuer)
    } else {
        ctx.issuer.clone()
    };
    let mut doc = json!({
        "issuer": issuer,
        "authorization_endpoint": ctx.url(AUTHORIZE_PATH),
        "token_endpoint": ctx.url(TOKEN_PATH),
        "userinfo_endpoint": ctx.url(USERINFO_PATH),
        "jwks_uri": ctx.url(JWKS_PATH),
        "revocation_endpoint": ctx.url(REVOKE_PATH),
        "introspection_endpoint": ctx.url(INTROSPECT_PATH),
        "scopes_supported": SCOPES.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "revocation_endpoint_auth_methods_supported": auth_methods,
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            "name", "given_name", "family_name", "preferred_username", "email", "email_verified"
        ],
        "authorization_response_iss_parameter_supported": true,
    });
    if let Value::Object(map) = &mut doc {
        if m.has(Misbehave::NoPkceMetadata) {
            map.remove("code_challenge_methods_supported");
        }
        if m.has(Misbehave::ImplicitGrant) {
            map.insert("response_types_supported".into(), json!(["code", "token"]));
            map.insert(
                "response_modes_supported".into(),
                json!(["query", "fragment"]),
            );
            map.insert(
                "grant_types_supported".into(),
                json!([
                    "authorization_code",
                    "implicit",
                    "refresh_token",
                    "client_credentials"
                ]),
            );
        }
        if m.has(Misbehave::IncompleteMetadata) {
            map.remove("response_types_supported");
            map.remove("subject_types_supported");
        }
    }
    doc
}

/// `GET /.well-known/openid-configuration` and `GET /.well-known/oauth-authorization-server`.
pub(crate) fn configuration(ctx: &Ctx, st: &mut State, _req: &Request) -> Response {
    Response::json(200, &metadata(ctx, &st.misbehaviour))
}

/// `GET /jwks`.
pub(crate) fn jwks(ctx: &Ctx, _st: &mut State, _req: &Request) -> Response {
    match ctx.key.get() {
        Ok(key) => Response::json(200, &key.jwks()),
        Err(e) => Response::json(
            500,
            &serde_json::json!({ "error": "server_error", "error_description": e }),
        ),
    }
}

/// `GET /`.
pub(crate) fn home(ctx: &Ctx, st: &mut State, _req: &Request) -> Response {
    Response::html(
        200,
        pages::home(&ctx.issuer, &st.misbehaviour.active(), st.auto_approve),
    )
}
