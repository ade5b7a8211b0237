//! Sends [`HttpRequest`] values exactly as they are and reads the answer with a time limit and a
//! body-size cap. Redirects are never followed here: on the back channel a redirect is itself the
//! answer worth seeing, and the scripted user agent follows them one hop at a time to record each.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Client, Method};

use crate::protocol::http::{Header, Headers, HttpRequest, HttpResponse};

#[derive(Clone)]
pub struct HttpClient {
    client: Client,
    timeout: Duration,
    body_limit: usize,
}

impl HttpClient {
    /// Building a client loads the system's root certificates (milliseconds), so the engine
    /// builds one and derives per-run limits from it with [`HttpClient::with_limits`]. It keeps
    /// no cookies: the scripted user agent sends its cookies as visible headers.
    pub fn new(timeout: Duration, body_limit: usize) -> Result<Self, String> {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("oauthviz/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("could not set up the HTTP client: {}", error_chain(&e)))?;
        Ok(Self {
            client,
            timeout,
            body_limit,
        })
    }

    /// The same connection pool with other limits.
    pub fn with_limits(&self, timeout: Duration, body_limit: usize) -> Self {
        Self {
            client: self.client.clone(),
            timeout,
            body_limit,
        }
    }

    pub async fn send(&self, req: &HttpRequest) -> Result<HttpResponse, String> {
        self.send_keeping_partial(req).await.map_err(|e| e.message)
    }

    /// Like [`HttpClient::send`], but a response whose body is over the cap, or cut off while
    /// it was read (a timeout mid-body), still comes back in the error with its status line,
    /// headers and the body that arrived (empty when the announced length was over the cap
    /// already): the trace shows what the server answered.
    pub async fn send_keeping_partial(&self, req: &HttpRequest) -> Result<HttpResponse, SendError> {
        let method = Method::from_bytes(req.method.trim().as_bytes())
            .map_err(|_| format!("'{}' is not a valid HTTP method", req.method))?;
        // Anything else would reach reqwest as "builder error"; say what is wrong instead.
        let url = crate::protocol::http::parse_web_url(&req.url)?;
        let mut builder = self
            .client
            .request(method, url.clone())
            .timeout(self.timeout);
        for h in req.headers.iter() {
            let name = HeaderName::from_bytes(h.name.trim().as_bytes())
                .map_err(|_| format!("'{}' is not a valid header name", h.name))?;
            let value = HeaderValue::from_str(h.value.trim()).map_err(|_| {
                format!(
                    "the value of header '{}' contains characters HTTP does not allow",
                    h.name
                )
            })?;
            builder = builder.header(name, value);
        }
        if !req.body.is_empty() {
            builder = builder.body(req.body.clone());
        }
        let mut resp = builder.send().await.map_err(|e| self.describe(&url, &e))?;
        let status = resp.status().as_u16();
        let headers = Headers(
            resp.headers()
                .iter()
                .map(|(n, v)| Header {
                    name: n.as_str().to_owned(),
                    value: String::from_utf8_lossy(v.as_bytes()).into_owned(),
                })
                .collect(),
        );
        let response = |body: &[u8]| HttpResponse {
            status,
            headers: headers.clone(),
            body: String::from_utf8_lossy(body).into_owned(),
        };
        if let Some(len) = resp.content_length()
            && len as usize > self.body_limit
        {
            return Err(SendError {
                message: self.too_large(&url, Some(len)),
                partial: Some(response(&[])),
            });
        }
        let mut body = Vec::new();
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                // Cut off mid-body (a timeout, a reset): what did arrive is still the answer.
                Err(e) => {
                    return Err(SendError {
                        message: format!(
                            "{} after {} bytes of the body: its status and headers are kept, the body is what arrived",
                            self.describe(&url, &e),
                            body.len()
                        ),
                        partial: Some(response(&body)),
                    });
                }
            };
            if body.len() + chunk.len() > self.body_limit {
                let room = self.body_limit - body.len();
                body.extend_from_slice(&chunk[..room]);
                return Err(SendError {
                    message: self.too_large(&url, None),
                    partial: Some(response(&body)),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(response(&body))
    }

    fn too_large(&self, url: &url::Url, announced: Option<u64>) -> String {
        let (announced, kept) = match announced {
            Some(l) => (format!(", it announced {l} bytes"), "the body was not read"),
            None => (String::new(), "the body is cut off at the limit"),
        };
        format!(
            "the response from {} is larger than the {} limit (the body exceeded {} bytes{announced}): its status and headers are kept, {kept}",
            origin(url),
            human_bytes(self.body_limit),
            self.body_limit
        )
    }

    fn describe(&self, url: &url::Url, e: &reqwest::Error) -> String {
        let target = origin(url);
        if e.is_timeout() {
            format!(
                "no answer from {target} within {} s (timeout)",
                self.timeout.as_secs_f32()
            )
        } else if e.is_connect() {
            // The innermost cause ("Connection refused", a TLS alert) is the useful part.
            let mut cause: &dyn std::error::Error = e;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            format!("could not connect to {target}: {cause}")
        } else {
            format!("request to {target} failed: {}", error_chain(e))
        }
    }
}

/// Why [`HttpClient::send_keeping_partial`] has no complete response.
#[derive(Clone, Debug, PartialEq)]
pub struct SendError {
    pub message: String,
    /// What did arrive, when the answer was cut off (a body over the cap, or a stall mid-body).
    pub partial: Option<HttpResponse>,
}

impl From<String> for SendError {
    fn from(message: String) -> Self {
        Self {
            message,
            partial: None,
        }
    }
}

fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// reqwest's top-level message is generic ("error sending request for url …") and hyper's next
/// one is jargon ("client error (SendRequest)"); the cause is deeper, said in plain words where
/// it is a known one.
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        // Wrappers that say only which layer noticed.
        let jargon = [
            "error sending request",
            "client error (",
            "error decoding response body",
            "request or response body error",
            "error reading a body from connection",
        ]
        .iter()
        .any(|w| text.starts_with(w));
        if !jargon && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(plain(&text));
        }
        source = s.source();
    }
    if parts.is_empty() {
        return e.to_string();
    }
    parts.join(": ")
}

/// hyper's words for what went wrong on the connection, as a person would say them.
fn plain(cause: &str) -> String {
    match cause {
        "connection closed before message completed" => {
            "the server closed the connection without answering".into()
        }
        "invalid HTTP version parsed" | "invalid HTTP status-code parsed" => {
            format!("the answer is not HTTP/1.1 ({cause})")
        }
        "message head is too large" => "the answer's headers are too large".into(),
        "end of file before message length reached" => {
            "the connection closed before the whole body it announced arrived".into()
        }
        "invalid HTTP header parsed" => format!(
            "the answer has a header line that is not valid HTTP, such as a control character in a value ({cause})"
        ),
        other => other.to_owned(),
    }
}

pub fn human_bytes(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_hangs_up_is_said_in_plain_words() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let url = format!(
            "http://{}/token",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        let hang_up = std::thread::spawn(move || {
            // Read the request, then close without a word.
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 1024];
                let _ = std::io::Read::read(&mut s, &mut buf);
            }
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let client =
            HttpClient::new(Duration::from_secs(5), 1024).unwrap_or_else(|e| panic!("{e}"));
        let err = runtime
            .block_on(client.send(&HttpRequest::get(&url)))
            .unwrap_err();
        let _ = hang_up.join();
        assert!(
            !err.contains("SendRequest") && !err.contains("client error"),
            "{err}"
        );
        assert!(
            err.contains("closed the connection without answering"),
            "{err}"
        );
    }

    #[test]
    fn a_url_that_is_not_http_is_named_not_reported_as_a_builder_error() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let client =
            HttpClient::new(Duration::from_secs(1), 1024).unwrap_or_else(|e| panic!("{e}"));
        for url in ["file:///etc/passwd", "data:,x", "javascript:alert(1)"] {
            let err = runtime
                .block_on(client.send(&HttpRequest::get(url)))
                .unwrap_err();
            assert!(err.contains("only http and https"), "{url}: {err}");
        }
    }
}
