//! A loopback HTTP/1.1 server with hard limits, for the two servers oauthviz runs: the redirect
//! listener (step C) and the demo provider. Requests and answers are plain values; the handler
//! is a quick, synchronous function of the request.
//!
//! Built on hyper (already in the tree through reqwest) because tiny_http 0.12 cannot be made to
//! hold against a hostile client from outside: it drains an unread body into a buffer of the
//! announced Content-Length (one `Content-Length: 99999999999` aborts the process), buffers a
//! request line whole, gives a stalled body a worker thread for good, and its accept thread
//! panics when file descriptors run out. Here every limit is explicit: the size of a request
//! head and body, the time to send them, and the number of connections at once; an accept that
//! fails (no descriptors left) waits a moment and goes on.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, oneshot};

/// What a server accepts from one client, and how many clients at once.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Connections served at once; more wait in the kernel's backlog until one closes.
    pub connections: usize,
    /// The request line and headers together, in bytes (hyper's floor is 8 KiB).
    pub head_bytes: usize,
    pub body_bytes: usize,
    /// To send a request's head — also how long an idle kept-alive connection stays open.
    pub head_timeout: Duration,
    /// To send a request's body once its head is in.
    pub body_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            connections: 256,
            head_bytes: 16 * 1024,
            body_bytes: 64 * 1024,
            head_timeout: Duration::from_secs(20),
            body_timeout: Duration::from_secs(10),
        }
    }
}

/// A request as the handler sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    pub method: String,
    /// The path of the request target (also of an absolute-form target), without the query.
    pub path: String,
    /// The raw query, without `?`.
    pub query: Option<String>,
    /// As received, in order; values that are not UTF-8 are read lossily.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An answer: status, headers in order, body.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A plain-text answer.
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

type Handler = Arc<dyn Fn(Request) -> Response + Send + Sync>;

/// Binds `addr` (a loopback address) with room in the backlog for a burst of connections, so a
/// flood waiting for the server to catch up does not turn a browser's connection away.
pub fn bind_loopback(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// A running server. Dropping it stops accepting, closes every connection and releases the
/// port before the drop returns.
pub struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves `listener` (already bound, to loopback) on `threads` threads named `name`,
    /// answering each request with `handler`.
    pub fn start(
        listener: std::net::TcpListener,
        name: &str,
        threads: usize,
        limits: Limits,
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name(format!("{name}-worker"))
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (stop, stopped) = oneshot::channel();
        let handler: Handler = Arc::new(handler);
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                runtime.block_on(async {
                    tokio::select! {
                        () = accept(listener, limits, handler) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime drops every connection's task, and with it its socket.
                drop(runtime);
            })?;
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            // Fails only when the thread is gone already.
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts every connection, and closes at once those over `limits.connections`: a flood costs
/// the flooder its connections, and the kernel's backlog keeps moving for the rest. A failed
/// accept (descriptors exhausted, a connection reset before it was taken) concerns that
/// connection only: wait briefly, so a full descriptor table is not spun on, and go on.
async fn accept(listener: tokio::net::TcpListener, limits: Limits, handler: Handler) {
    let open = Arc::new(Semaphore::new(limits.connections.max(1)));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        // Responses go out in more than one segment; with Nagle's algorithm the second
        // waits for the client's delayed ACK (40 ms per kept-alive request).
        let _ = stream.set_nodelay(true);
        let (limits, handler) = (limits.clone(), handler.clone());
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.head_timeout)
                .max_buf_size(limits.head_bytes.max(8192))
                .max_headers(100);
            let service = hyper::service::service_fn(move |req| {
                let (limits, handler) = (limits.clone(), handler.clone());
                async move { Ok::<_, Infallible>(answer(req, &limits, &handler).await) }
            });
            // A client that misbehaves ends its own connection, nothing else.
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
            drop(permit);
        });
    }
}

/// Reads the request within the limits and hands it to the handler; a body too large or too
/// slow is answered here, and the connection closed.
async fn answer(
    req: hyper::Request<Incoming>,
    limits: &Limits,
    handler: &Handler,
) -> hyper::Response<Full<Bytes>> {
    let (head, body) = req.into_parts();
    let announced = head
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limits.body_bytes as u64) {
        return closing(too_large(limits));
    }
    let read = tokio::time::timeout(
        limits.body_timeout,
        Limited::new(body, limits.body_bytes).collect(),
    )
    .await;
    let body = match read {
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return closing(too_large(limits));
        }
        Ok(Err(_)) => {
            return closing(Response::text(
                400,
                "400 Bad Request: the body could not be read",
            ));
        }
        Err(_) => {
            return closing(Response::text(
                408,
                &format!(
                    "408 Request Timeout: the body did not arrive within {} s",
                    limits.body_timeout.as_secs()
                ),
            ));
        }
    };
    let request = Request {
        method: head.method.as_str().to_owned(),
        path: head.uri.path().to_owned(),
        query: head.uri.query().map(str::to_owned),
        headers: head
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    // A bug must cost one request a 500, not the server.
    let response = catch_unwind(AssertUnwindSafe(|| handler(request)))
        .unwrap_or_else(|_| Response::text(500, "500 Internal Server Error: the server hit a bug"));
    to_hyper(response)
}

fn too_large(limits: &Limits) -> Response {
    Response::text(
        413,
        &format!(
            "413 Content Too Large: at most {} bytes of body are read",
            limits.body_bytes
        ),
    )
}

/// The answer, and the connection closed after it: what is left of the request is not read.
fn closing(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut out = to_hyper(response);
    out.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    out
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body)))
        .unwrap_or_else(|_| {
            // A header the handler built that HTTP cannot carry: never send half a response.
            let mut out = hyper::Response::new(Full::new(Bytes::from_static(
                b"500 Internal Server Error: bad response header\n",
            )));
            *out.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            out
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    fn echo(limits: Limits) -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        Server::start(listener, "serve-test", 1, limits, |req| Response {
            status: 200,
            headers: vec![("X-Path".into(), req.path.clone())],
            body: req.body,
        })
        .unwrap()
    }

    fn exchange(server: &Server, raw: &[u8]) -> String {
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(raw).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn a_huge_announced_body_is_refused_without_reading_it() {
        let server = echo(Limits::default());
        let answer = exchange(
            &server,
            b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\nx",
        );
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        let answer = exchange(
            &server,
            b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        );
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"),
            "{answer}"
        );
    }

    #[test]
    fn a_chunked_body_over_the_limit_is_refused() {
        let server = echo(Limits {
            body_bytes: 10,
            ..Limits::default()
        });
        let answer = exchange(
            &server,
            b"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n14\r\n01234567890123456789\r\n0\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    }

    #[test]
    fn an_endless_request_line_is_refused() {
        let server = echo(Limits::default());
        let mut raw = b"GET /".to_vec();
        raw.extend(std::iter::repeat_n(b'a', 1 << 20));
        let answer = exchange(&server, &raw);
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    }

    #[test]
    fn a_stalled_body_times_out_and_others_are_served_meanwhile() {
        let server = echo(Limits {
            body_timeout: Duration::from_millis(300),
            ..Limits::default()
        });
        let mut stalled = TcpStream::connect(server.local_addr()).unwrap();
        stalled
            .write_all(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nab")
            .unwrap();
        let answer = exchange(
            &server,
            b"GET /other HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        );
        assert!(answer.contains("x-path: /other"), "{answer}");
        let mut out = String::new();
        stalled
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let _ = stalled.read_to_string(&mut out);
        assert!(out.starts_with("HTTP/1.1 408"), "{out}");
    }

    #[test]
    fn a_panicking_handler_costs_one_request_a_500() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server = Server::start(listener, "serve-test", 1, Limits::default(), |req| {
            assert!(req.path != "/panic", "a bug");
            Response::text(200, "fine")
        })
        .unwrap();
        let get = |path: &str| {
            exchange(
                &server,
                format!("GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").as_bytes(),
            )
        };
        assert!(get("/panic").starts_with("HTTP/1.1 500"));
        assert!(get("/").starts_with("HTTP/1.1 200"));
    }

    #[test]
    fn the_port_is_free_once_the_server_is_dropped() {
        let server = echo(Limits::default());
        let addr = server.local_addr();
        let _idle = TcpStream::connect(addr).unwrap();
        drop(server);
        std::net::TcpListener::bind(addr).unwrap();
    }
}
