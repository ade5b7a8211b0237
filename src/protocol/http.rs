//! HTTP messages as plain values: what the engine sends is exactly what the user sees and edits.

use serde::{Deserialize, Serialize};
use url::Url;

use super::params::Params;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// Header list with case-insensitive lookup; order and duplicates are kept as sent/received.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Headers(pub Vec<Header>);

impl Headers {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.remove(name);
        self.push(name, value);
    }

    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.0.push(Header {
            name: name.to_owned(),
            value: value.into(),
        });
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(name));
    }

    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }
}

pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Headers,
    pub body: String,
}

impl HttpRequest {
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: "GET".into(),
            url: url.into(),
            headers: Headers::default(),
            body: String::new(),
        }
    }

    /// A POST with a form-encoded body.
    pub fn post_form(url: impl Into<String>, form: &Params) -> Self {
        let mut headers = Headers::default();
        headers.push("Content-Type", FORM_CONTENT_TYPE);
        Self {
            method: "POST".into(),
            url: url.into(),
            headers,
            body: form.encode(),
        }
    }

    /// The URL's query parameters (empty if the URL does not parse).
    pub fn query(&self) -> Params {
        Url::parse(&self.url)
            .ok()
            .and_then(|u| u.query().map(Params::parse))
            .unwrap_or_default()
    }

    /// Replaces the URL's query with `params`, keeping everything else.
    pub fn set_query(&mut self, params: &Params) -> Result<(), String> {
        let mut url = parse_url(&self.url)?;
        if params.is_empty() {
            url.set_query(None);
        } else {
            url.set_query(Some(&params.encode()));
        }
        self.url = url.into();
        Ok(())
    }

    /// The body as form parameters, when it is form-encoded.
    pub fn form(&self) -> Option<Params> {
        let ct = self.headers.get("content-type")?;
        ct.starts_with(FORM_CONTENT_TYPE)
            .then(|| Params::parse(&self.body))
    }

    /// The request as an HTTP/1.1 message, the way it goes on the wire (for the raw view).
    pub fn to_raw(&self) -> String {
        let (target, host) = match Url::parse(&self.url) {
            Ok(u) => {
                let mut target = u.path().to_owned();
                if let Some(q) = u.query() {
                    target.push('?');
                    target.push_str(q);
                }
                let host = match u.port() {
                    Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
                    None => u.host_str().unwrap_or_default().to_owned(),
                };
                (target, host)
            }
            Err(_) => (self.url.clone(), String::new()),
        };
        let mut raw = format!("{} {} HTTP/1.1\r\n", self.method, target);
        if self.headers.get("host").is_none() {
            raw.push_str(&format!("Host: {host}\r\n"));
        }
        for h in self.headers.iter() {
            raw.push_str(&format!("{}: {}\r\n", h.name, h.value));
        }
        raw.push_str("\r\n");
        raw.push_str(&self.body);
        raw
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Headers,
    /// The body as received, decoded as UTF-8 (invalid sequences replaced).
    pub body: String,
}

impl HttpResponse {
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type")
    }

    pub fn is_json(&self) -> bool {
        self.content_type().is_some_and(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.starts_with("application/json") || ct.contains("+json")
        })
    }

    /// `200 OK`, `401 Unauthorized`, … for display.
    pub fn status_line(&self) -> String {
        format!("{} {}", self.status, reason_phrase(self.status))
    }
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Parses a URL with a message that names the input, for errors shown to the user.
pub fn parse_url(input: &str) -> Result<Url, String> {
    Url::parse(input.trim()).map_err(|e| format!("'{input}' is not a valid URL: {e}"))
}

/// A URL a browser may be sent to and HTTP may fetch: http or https only, so a provider (or a
/// discovery document) cannot have oauthviz open `file:`, `javascript:` or another program's
/// scheme.
pub fn parse_web_url(input: &str) -> Result<Url, String> {
    let url = parse_url(input)?;
    match url.scheme() {
        "http" | "https" => Ok(url),
        other => Err(format!(
            "'{}' uses the scheme '{other}:', and only http and https URLs are opened or fetched",
            input.trim()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_are_web_urls() {
        assert!(parse_web_url("https://as.example/authorize").is_ok());
        assert!(parse_web_url(" http://127.0.0.1:1/x ").is_ok());
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "myapp://x",
            "data:,x",
        ] {
            let err = parse_web_url(bad).unwrap_err();
            assert!(err.contains("only http and https"), "{bad}: {err}");
        }
    }

    #[test]
    fn headers_are_case_insensitive() {
        let mut h = Headers::default();
        h.push("Content-Type", "application/json");
        assert_eq!(h.get("content-type"), Some("application/json"));
        h.set("CONTENT-TYPE", "text/plain");
        assert_eq!(h.0.len(), 1);
        assert_eq!(h.get("Content-Type"), Some("text/plain"));
    }

    #[test]
    fn query_round_trip() {
        let mut r = HttpRequest::get("https://as.example/authorize?a=1#frag");
        let mut q = r.query();
        q.set("b", "two words");
        r.set_query(&q).unwrap();
        assert_eq!(r.url, "https://as.example/authorize?a=1&b=two+words#frag");
    }

    #[test]
    fn raw_form_shows_target_and_host() {
        let r = HttpRequest::post_form("http://127.0.0.1:9000/token", &Params::from([("a", "b")]));
        assert_eq!(
            r.to_raw(),
            "POST /token HTTP/1.1\r\nHost: 127.0.0.1:9000\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\na=b"
        );
        assert_eq!(r.form().unwrap().get("a"), Some("b"));
    }

    #[test]
    fn malformed_url_is_named() {
        let err = parse_url("not a url").unwrap_err();
        assert!(err.contains("'not a url'"), "{err}");
    }
}
