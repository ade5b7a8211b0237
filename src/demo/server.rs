//! The server: the demo's endpoints on a loopback [`crate::serve::Server`].

use std::io;
use std::net::Ipv4Addr;
use std::sync::Arc;

use super::http::Request;
use super::keys::PendingKey;
use super::paths::{
    AUTHORIZE_PATH, INTROSPECT_PATH, JWKS_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH,
};
use super::resource::RESOURCE_PATH;
use super::router;
use super::state::Ctx;
use super::{DemoOptions, Misbehaviour};
use crate::serve::{self, Limits, Server};

/// Threads serving requests (`demo-provider-worker`).
const WORKERS: usize = 2;

/// What one client may send: a request body is a form or a small JSON document.
fn limits() -> Limits {
    Limits {
        connections: 2048,
        body_bytes: 64 * 1024,
        ..Limits::default()
    }
}

/// A running demo provider on `127.0.0.1`. Stops on [`DemoServer::shutdown`] or drop, which
/// releases the port before it returns.
pub struct DemoServer {
    ctx: Arc<Ctx>,
    _server: Server,
    port: u16,
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("issuer", &self.ctx.issuer)
            .finish_non_exhaustive()
    }
}

impl DemoServer {
    /// Binds `127.0.0.1:port` (loopback only; port 0 picks a free one) and starts serving.
    pub fn start(options: DemoOptions) -> io::Result<DemoServer> {
        let listener =
            serve::bind_loopback((Ipv4Addr::LOCALHOST, options.port).into()).map_err(|e| {
                let hint = if e.kind() == io::ErrorKind::AddrInUse {
                    " (another program is using it: choose another port, or 0 for any free one)"
                } else {
                    ""
                };
                io::Error::new(
                    e.kind(),
                    format!(
                        "the demo provider cannot listen on 127.0.0.1:{}: {e}{hint}",
                        options.port
                    ),
                )
            })?;
        let port = listener.local_addr()?.port();
        let key = PendingKey::generate()?;
        let ctx = Arc::new(Ctx::new(format!("http://127.0.0.1:{port}"), key, &options));
        let routed = ctx.clone();
        let server = Server::start(listener, "demo-provider", WORKERS, limits(), move |req| {
            router::route(&routed, &Request::from(req)).into()
        })
        .map_err(|e| {
            io::Error::other(format!(
                "the demo provider cannot start on port {port}: {e}"
            ))
        })?;
        Ok(DemoServer {
            ctx,
            _server: server,
            port,
        })
    }

    /// `http://127.0.0.1:PORT`, the `iss` of everything this provider issues.
    pub fn issuer(&self) -> String {
        self.ctx.issuer.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `/.well-known/openid-configuration` (the same document is at
    /// `/.well-known/oauth-authorization-server`).
    pub fn discovery_url(&self) -> String {
        self.ctx.url("/.well-known/openid-configuration")
    }

    pub fn authorization_endpoint(&self) -> String {
        self.ctx.url(AUTHORIZE_PATH)
    }

    pub fn token_endpoint(&self) -> String {
        self.ctx.url(TOKEN_PATH)
    }

    pub fn userinfo_endpoint(&self) -> String {
        self.ctx.url(USERINFO_PATH)
    }

    /// The protected API (`/api/profile`, needs scope `api.read`).
    pub fn resource_url(&self) -> String {
        self.ctx.url(RESOURCE_PATH)
    }

    pub fn jwks_uri(&self) -> String {
        self.ctx.url(JWKS_PATH)
    }

    pub fn revocation_endpoint(&self) -> String {
        self.ctx.url(REVOKE_PATH)
    }

    pub fn introspection_endpoint(&self) -> String {
        self.ctx.url(INTROSPECT_PATH)
    }

    /// Switches misbehaviours on or off; takes effect with the next request.
    pub fn set_misbehaviour(&self, m: Misbehaviour) {
        self.ctx.lock().misbehaviour = m;
    }

    pub fn set_auto_approve(&self, on: bool) {
        self.ctx.lock().auto_approve = on;
    }

    /// The login page built by JavaScript (`DemoOptions::js_login`), or the plain HTML one.
    pub fn set_js_login(&self, on: bool) {
        self.ctx.lock().js_login = on;
    }

    /// Stops serving and closes the port (also done on drop).
    pub fn shutdown(self) {
        drop(self);
    }
}
