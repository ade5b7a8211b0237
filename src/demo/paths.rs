//! Where the authorization server's endpoints live. The router maps these paths to handlers;
//! the metadata document and [`DemoServer`](super::DemoServer)'s URLs are built from them. The
//! resource server's path is `resource::RESOURCE_PATH`.

pub(crate) const AUTHORIZE_PATH: &str = "/authorize";
pub(crate) const LOGIN_PATH: &str = "/login";
/// The script of the JavaScript login page (`DemoOptions::js_login`).
pub(crate) const LOGIN_SCRIPT_PATH: &str = "/login.js";
pub(crate) const CONSENT_PATH: &str = "/consent";
pub(crate) const TOKEN_PATH: &str = "/token";
pub(crate) const USERINFO_PATH: &str = "/userinfo";
pub(crate) const JWKS_PATH: &str = "/jwks";
pub(crate) const REVOKE_PATH: &str = "/revoke";
pub(crate) const INTROSPECT_PATH: &str = "/introspect";
