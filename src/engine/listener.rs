//! The loopback redirect listener: receives step C the way a native app does (RFC 8252 §7.3).
//! It binds loopback only, answers the one request on the redirect path with a page from
//! `assets/`, and answers anything else 404 without ending the wait.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::sync::mpsc;
use url::{Host, Url};

use crate::protocol::http::{Header, Headers, HttpRequest, parse_url};
use crate::serve::{self, Limits, Server};

const CALLBACK_PAGE: &str = include_str!("../../assets/callback.html");

/// A run's redirect listener. It stays up for the whole run, so a browser that keeps its
/// connection alive can deliver the redirect of a replayed A too; each callback it receives is
/// queued until a step collects it.
pub struct RedirectListener {
    /// The redirect URI with the port actually bound (differs from the configured one for port 0).
    pub redirect_uri: String,
    received: mpsc::UnboundedReceiver<HttpRequest>,
    /// Stops on drop, releasing the port.
    _server: Server,
}

/// A browser delivers one GET with no body; a few connections are all it opens.
fn limits() -> Limits {
    Limits {
        connections: 32,
        body_bytes: 16 * 1024,
        ..Limits::default()
    }
}

impl RedirectListener {
    /// Binds the redirect URI's port on loopback (an ephemeral one when it says 0 or none).
    pub fn bind(redirect_uri: &str) -> Result<Self, String> {
        let mut url = parse_url(redirect_uri).map_err(|e| format!("redirect_uri: {e}"))?;
        if url.scheme() != "http" {
            return Err(format!(
                "the redirect_uri '{redirect_uri}' must use http:// on a loopback address so oauthviz can receive the code itself (RFC 8252 §7.3)"
            ));
        }
        let ip: std::net::IpAddr = match url.host() {
            Some(Host::Ipv4(ip)) if ip.is_loopback() => ip.into(),
            Some(Host::Ipv6(ip)) if ip.is_loopback() => ip.into(),
            Some(Host::Domain("localhost")) => Ipv4Addr::LOCALHOST.into(),
            _ => {
                return Err(format!(
                    "the redirect_uri '{redirect_uri}' does not point at this machine: use http://127.0.0.1:PORT/PATH (or localhost, or [::1]) and register it with the provider"
                ));
            }
        };
        let port = url.port().unwrap_or(0);
        let listener = serve::bind_loopback(SocketAddr::new(ip, port)).map_err(|e| {
            if port == 0 {
                format!("could not open a loopback port for the redirect: {e}")
            } else {
                format!(
                    "port {port} on {ip} is not free for the redirect listener ({e}): close what uses it, or change the redirect_uri's port (0 picks a free one; the provider must accept any loopback port)"
                )
            }
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| format!("the redirect listener has no address: {e}"))?
            .port();
        if port == 0 {
            // set_port only fails for URLs that cannot have a port, ruled out by the http check.
            let _ = url.set_port(Some(bound));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let expected = url.clone();
        let server = Server::start(
            listener,
            "oauthviz-redirect-listener",
            1,
            limits(),
            move |req| answer(req, &expected, &tx),
        )
        .map_err(|e| format!("could not start the redirect listener: {e}"))?;
        Ok(Self {
            redirect_uri: url.into(),
            received: rx,
            _server: server,
        })
    }

    /// Whether a redirect to `uri` reaches this listener (same scheme, host and port).
    pub fn serves(&self, uri: &str) -> bool {
        match (Url::parse(uri), Url::parse(&self.redirect_uri)) {
            (Ok(a), Ok(b)) => {
                a.scheme() == b.scheme()
                    && a.host() == b.host()
                    && a.port_or_known_default() == b.port_or_known_default()
            }
            _ => false,
        }
    }

    /// Forgets callbacks that arrived while nobody was waiting (a reloaded callback page), so
    /// the next wait sees only the answer to the next authorization request.
    pub fn discard_pending(&mut self) {
        while self.received.try_recv().is_ok() {}
    }

    /// Waits for the next redirect; the request as received (method, full URL, headers).
    pub async fn wait(&mut self, timeout: Duration) -> Result<HttpRequest, String> {
        self.wait_until(tokio::time::Instant::now() + timeout, timeout)
            .await
    }

    /// Waits for the next redirect until `deadline`, which is `timeout` after the wait began
    /// (what the message says when nothing came).
    pub async fn wait_until(
        &mut self,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<HttpRequest, String> {
        match tokio::time::timeout_at(deadline, self.received.recv()).await {
            Ok(Some(req)) => Ok(req),
            Ok(None) => Err("the redirect listener stopped before a redirect arrived".into()),
            Err(_) => Err(format!(
                "no redirect arrived on {} within {} s: was the login finished in the browser, and is this exact redirect_uri registered with the provider?",
                self.redirect_uri,
                timeout.as_secs()
            )),
        }
    }
}

/// Answers one request: a callback (on the redirect path, or anywhere with OAuth response
/// parameters, so a redirect to an edited path is still seen) gets the page and is queued;
/// anything else (favicon, probes) gets 404.
fn answer(
    request: serve::Request,
    expected: &Url,
    tx: &mpsc::UnboundedSender<HttpRequest>,
) -> serve::Response {
    let query = request.query.as_deref().unwrap_or("");
    let query_params = crate::protocol::params::Params::parse(query);
    let is_callback = request.path == expected.path()
        || ["code", "error", "state"]
            .iter()
            .any(|n| query_params.get(n).is_some());
    if request.method != "GET" || !is_callback {
        return serve::Response::text(404, "not the redirect path");
    }
    let mut url = expected.clone();
    url.set_path(&request.path);
    url.set_query((!query.is_empty()).then_some(query));
    let received = HttpRequest {
        method: "GET".into(),
        url: url.into(),
        headers: Headers(
            request
                .headers
                .into_iter()
                .map(|(name, value)| Header { name, value })
                .collect(),
        ),
        body: String::new(),
    };
    // Queued before the page goes out: whoever sees the page may rely on the callback being
    // there (a test's client, or a discard right after). Nobody waiting is no reason to fail
    // the browser's request.
    let _ = tx.send(received);
    serve::Response {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: CALLBACK_PAGE.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::{Read, Write};

    fn get(addr: &str, target: &str) -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[tokio::test]
    async fn port_zero_picks_a_port_and_other_paths_get_404() {
        let mut l = RedirectListener::bind("http://127.0.0.1:0/callback").unwrap();
        let url = Url::parse(&l.redirect_uri).unwrap();
        let addr = format!("127.0.0.1:{}", url.port().unwrap());
        assert_ne!(url.port(), Some(0));
        let a = addr.clone();
        let client = std::thread::spawn(move || {
            let miss = get(&a, "/favicon.ico");
            let hit = get(&a, "/callback?code=abc&state=xyz");
            (miss, hit)
        });
        let req = l.wait(Duration::from_secs(5)).await.unwrap();
        let (miss, hit) = client.join().unwrap();
        assert!(miss.starts_with("HTTP/1.1 404"), "{miss}");
        assert!(
            hit.starts_with("HTTP/1.1 200") && hit.contains("close this tab"),
            "{hit}"
        );
        assert_eq!(req.query().get("code"), Some("abc"));
        assert!(req.url.ends_with("/callback?code=abc&state=xyz"));
    }

    #[tokio::test]
    async fn the_listener_serves_every_callback_of_a_run_on_one_connection() {
        let mut l = RedirectListener::bind("http://127.0.0.1:0/cb").unwrap();
        let port = Url::parse(&l.redirect_uri).unwrap().port().unwrap();
        let client = crate::engine::http::HttpClient::new(Duration::from_secs(5), 1 << 16).unwrap();
        for n in 0..3 {
            let url = format!("http://127.0.0.1:{port}/cb?code={n}&state=s");
            // A pooled keep-alive connection carries the later redirects.
            client.send(&HttpRequest::get(&url)).await.unwrap();
            let got = l.wait(Duration::from_secs(5)).await.unwrap();
            assert_eq!(got.query().get("code"), Some(n.to_string().as_str()));
        }
        client
            .send(&HttpRequest::get(format!(
                "http://127.0.0.1:{port}/elsewhere?code=9"
            )))
            .await
            .unwrap();
        l.discard_pending();
        assert!(l.wait(Duration::from_millis(50)).await.is_err());
        assert!(l.serves(&format!("http://127.0.0.1:{port}/other")));
        assert!(!l.serves("http://127.0.0.1:1/cb"));
    }

    #[tokio::test]
    async fn timeout_is_a_clear_error() {
        let mut l = RedirectListener::bind("http://localhost:0/cb").unwrap();
        let err = l.wait(Duration::from_millis(50)).await.unwrap_err();
        assert!(err.contains("no redirect arrived"), "{err}");
    }

    #[test]
    fn busy_port_is_named() {
        let first = RedirectListener::bind("http://127.0.0.1:0/cb").unwrap();
        let port = Url::parse(&first.redirect_uri).unwrap().port().unwrap();
        let err = RedirectListener::bind(&format!("http://127.0.0.1:{port}/cb"))
            .err()
            .unwrap();
        assert!(err.contains(&format!("port {port}")), "{err}");
    }

    #[test]
    fn non_loopback_redirects_are_refused() {
        for uri in ["https://app.example/cb", "http://10.0.0.1/cb", "not a url"] {
            assert!(RedirectListener::bind(uri).is_err(), "{uri}");
        }
        let l = RedirectListener::bind("http://[::1]:0/cb");
        // Some sandboxes have no IPv6 loopback; when it binds, the port is filled in.
        if let Ok(l) = l {
            assert!(l.redirect_uri.starts_with("http://[::1]:"));
        }
    }
}
