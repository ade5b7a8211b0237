//! Which endpoint answers which path and method.

use super::http::{Request, Response};
use super::paths::{
    AUTHORIZE_PATH, CONSENT_PATH, INTROSPECT_PATH, JWKS_PATH, LOGIN_PATH, LOGIN_SCRIPT_PATH,
    REVOKE_PATH, TOKEN_PATH, USERINFO_PATH,
};
use super::state::{Ctx, State};
use super::{Misbehave, authorize, discovery, pages, resource, token};

type Handler = fn(&Ctx, &mut State, &Request) -> Response;

const ROUTES: &[(&str, &[(&str, Handler)])] = &[
    ("/", &[("GET", discovery::home)]),
    (
        "/.well-known/openid-configuration",
        &[("GET", discovery::configuration)],
    ),
    (
        "/.well-known/oauth-authorization-server",
        &[("GET", discovery::configuration)],
    ),
    (JWKS_PATH, &[("GET", discovery::jwks)]),
    (AUTHORIZE_PATH, &[("GET", authorize::authorize)]),
    (LOGIN_PATH, &[("POST", authorize::login)]),
    (LOGIN_SCRIPT_PATH, &[("GET", pages::login_script)]),
    (
        CONSENT_PATH,
        &[
            ("GET", authorize::consent_page),
            ("POST", authorize::consent_decision),
        ],
    ),
    // GET reaches the token endpoint only to be refused there (unless told to misbehave).
    (TOKEN_PATH, &[("POST", token::token), ("GET", token::token)]),
    (
        USERINFO_PATH,
        &[("GET", resource::userinfo), ("POST", resource::userinfo)],
    ),
    (resource::RESOURCE_PATH, &[("GET", resource::profile)]),
    (REVOKE_PATH, &[("POST", token::revoke)]),
    (INTROSPECT_PATH, &[("POST", token::introspect)]),
];

/// Answers one request.
pub(crate) fn route(ctx: &Ctx, req: &Request) -> Response {
    let Some((_, methods)) = ROUTES.iter().find(|(path, _)| *path == req.path) else {
        return Response::not_found();
    };
    let Some((_, handler)) = methods.iter().find(|(method, _)| *method == req.method) else {
        let allow: Vec<&str> = methods.iter().map(|(m, _)| *m).collect();
        return Response::method_not_allowed(&allow.join(", "));
    };
    let mut st = ctx.lock();
    st.purge(ctx.code_ttl);
    let resp = handler(ctx, &mut st, req);
    if st.misbehaviour.has(Misbehave::FrameablePages) {
        resp.without_header("X-Frame-Options")
            .without_header("Content-Security-Policy")
            .without_header("Referrer-Policy")
    } else {
        resp
    }
}
