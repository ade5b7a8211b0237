//! The server: a loopback tiny_http listener served by a few named worker threads.

use std::io::{self, Read as _};
use std::net::{Ipv4Addr, TcpListener};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::http::{MAX_BODY, Request, Response};
use super::keys::SigningKey;
use super::paths::{
    AUTHORIZE_PATH, INTROSPECT_PATH, JWKS_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH,
};
use super::resource::RESOURCE_PATH;
use super::router;
use super::state::Ctx;
use super::{DemoOptions, Misbehaviour};

/// Worker threads (`demo-provider-N`).
const WORKERS: usize = 3;
/// How often an idle worker looks at the stop flag: the upper bound of a shutdown's wait.
/// The longest a shutdown waits for tiny_http to release the port.
const RELEASE_WAIT: Duration = Duration::from_millis(500);

/// A running demo provider on `127.0.0.1`. Stops on [`DemoServer::shutdown`] or drop.
pub struct DemoServer {
    ctx: Arc<Ctx>,
    /// `None` only while dropping.
    server: Option<Arc<tiny_http::Server>>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
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
        let listener = bind_nodelay(options.port).map_err(|e| {
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
        let key = SigningKey::generate()?;
        let ctx = Arc::new(Ctx::new(format!("http://127.0.0.1:{port}"), key, &options));
        let server = Arc::new(
            tiny_http::Server::from_listener(listener, None).map_err(|e| {
                io::Error::other(format!(
                    "the demo provider cannot start on port {port}: {e}"
                ))
            })?,
        );
        let mut this = DemoServer {
            ctx,
            server: Some(server.clone()),
            stop: Arc::new(AtomicBool::new(false)),
            workers: Vec::with_capacity(WORKERS),
            port,
        };
        for n in 0..WORKERS {
            let (ctx, server, stop) = (this.ctx.clone(), server.clone(), this.stop.clone());
            let worker = thread::Builder::new()
                .name(format!("demo-provider-{n}"))
                .spawn(move || serve(&ctx, &server, &stop))?; // on error, drop stops the others
            this.workers.push(worker);
        }
        Ok(this)
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

    /// Stops the workers and closes the listener (also done on drop).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(server) = &self.server {
            for _ in &self.workers {
                server.unblock();
            }
        }
        for worker in self.workers.drain(..) {
            // A worker cannot panic out of `serve`; nothing useful to do if it did.
            let _ = worker.join();
        }
        // The last reference: tiny_http tells its accept thread to close the listener…
        drop(self.server.take());
        // …but does not wait for it. Wait here (briefly), so that a restart on the same port
        // right after shutdown does not fail with "address in use".
        let deadline = Instant::now() + RELEASE_WAIT;
        while TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).is_err()
            && Instant::now() < deadline
        {
            thread::sleep(Duration::from_millis(2));
        }
    }
}

/// A loopback listener whose accepted connections have Nagle's algorithm off (Linux hands the
/// listener's TCP_NODELAY down to them). tiny_http writes a response in more than one segment;
/// with Nagle on, the second waits for the client's delayed ACK: 40 ms per kept-alive request.
fn bind_nodelay(port: u16) -> io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, port)).into())?;
    socket.listen(128)?;
    Ok(socket.into())
}

/// Blocks for the next request, so an idle provider costs no CPU; `Drop` wakes each worker with
/// `unblock` after raising `stop`.
fn serve(ctx: &Ctx, server: &tiny_http::Server, stop: &AtomicBool) {
    while !stop.load(Ordering::Acquire) {
        // An error is an unblock on shutdown, or a failed accept that concerns one connection only.
        if let Ok(request) = server.recv() {
            answer(ctx, request);
        }
    }
}

fn answer(ctx: &Ctx, mut request: tiny_http::Request) {
    let response = match read_request(&mut request) {
        // A bug must cost one request a 500, not the worker thread.
        Ok(req) => {
            catch_unwind(AssertUnwindSafe(|| router::route(ctx, &req))).unwrap_or_else(|_| {
                Response::text(
                    500,
                    "500 Internal Server Error: the demo provider hit a bug",
                )
            })
        }
        Err(response) => response,
    };
    // The client may have gone away; there is no one left to tell.
    let _ = request.respond(to_tiny(response));
}

/// Reads a tiny_http request into a [`Request`], refusing bodies over [`MAX_BODY`].
fn read_request(request: &mut tiny_http::Request) -> Result<Request, Response> {
    let target = request.url();
    let target = if target.starts_with('/') {
        target.to_owned()
    } else {
        // absolute-form (RFC 9112 §3.2.2), as proxies send it
        let url = url::Url::parse(target)
            .map_err(|_| Response::text(400, "400 Bad Request: malformed request target"))?;
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target, None),
    };
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Response::too_large());
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|_| Response::text(400, "400 Bad Request: the body could not be read"))?;
    if body.len() > MAX_BODY {
        return Err(Response::too_large());
    }
    Ok(Request {
        method: request.method().as_str().to_owned(),
        path,
        query,
        headers: request
            .headers()
            .iter()
            .map(|h| {
                (
                    h.field.as_str().as_str().to_owned(),
                    h.value.as_str().to_owned(),
                )
            })
            .collect(),
        body,
    })
}

fn to_tiny(response: Response) -> tiny_http::Response<io::Cursor<Vec<u8>>> {
    let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
    for (name, value) in &response.headers {
        match tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            Ok(header) => out.add_header(header),
            // Only non-ASCII header text could fail; never send a half-built response.
            Err(()) => {
                return tiny_http::Response::from_data(
                    &b"500 Internal Server Error: bad response header\n"[..],
                )
                .with_status_code(500);
            }
        }
    }
    out
}
