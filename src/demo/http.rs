//! Requests and responses as plain values, so the endpoints are pure functions of (state, request)
//! and the HTTP server stays in `server`.

use serde_json::Value;

use crate::protocol::params::Params;

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// An HTTP request as the endpoints see it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    pub method: String,
    /// The path of the request target, without the query.
    pub path: String,
    /// The raw query (without `?`), if the target had one.
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query_params(&self) -> Params {
        self.query.as_deref().map(Params::parse).unwrap_or_default()
    }

    /// The value of a cookie sent in the `Cookie` header(s).
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .find_map(|pair| {
                let (n, v) = pair.trim().split_once('=')?;
                (n.trim() == name).then(|| v.trim())
            })
    }

    /// Whether the body is declared `application/x-www-form-urlencoded` (parameters such as
    /// `charset` allowed).
    pub fn is_form(&self) -> bool {
        self.header("content-type").is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|media| media.trim().eq_ignore_ascii_case(FORM))
        })
    }

    /// The body as form parameters; the body must be UTF-8.
    pub fn form(&self) -> Result<Params, String> {
        std::str::from_utf8(&self.body)
            .map(Params::parse)
            .map_err(|_| "the form body is not UTF-8".to_owned())
    }
}

/// The first parameter name that occurs more than once (RFC 6749 §3.1 and §3.2: "Request and
/// response parameters MUST NOT be included more than once").
pub(crate) fn first_duplicate(params: &Params) -> Option<&str> {
    params.iter().enumerate().find_map(|(i, p)| {
        params
            .iter()
            .skip(i + 1)
            .any(|q| q.name == p.name)
            .then_some(p.name.as_str())
    })
}

/// How many times a parameter occurs.
pub(crate) fn count(params: &Params, name: &str) -> usize {
    params.iter().filter(|p| p.name == name).count()
}

/// Form-urlencodes one value (for building URLs by hand).
pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// An HTTP response as the endpoints build it.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The response without any header called `name`.
    pub fn without_header(mut self, name: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    /// The response with `name` set to `value` alone.
    pub fn replace_header(self, name: &str, value: &str) -> Self {
        self.without_header(name).header(name, value)
    }

    pub fn json(status: u16, value: &Value) -> Self {
        let mut body = serde_json::to_vec_pretty(value).unwrap_or_default();
        body.push(b'\n');
        Self {
            body,
            ..Self::new(status)
        }
        .header("Content-Type", "application/json")
    }

    /// A page. Pages are never cached and never framed (RFC 6749 §10.13 clickjacking), and may
    /// load nothing but their own inline style.
    pub fn html(status: u16, page: String) -> Self {
        Self {
            body: page.into_bytes(),
            ..Self::new(status)
        }
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .header("X-Frame-Options", "DENY")
        .header(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )
        .header("Referrer-Policy", "no-referrer")
    }

    pub fn text(status: u16, text: &str) -> Self {
        Self {
            body: format!("{text}\n").into_bytes(),
            ..Self::new(status)
        }
        .header("Content-Type", "text/plain; charset=utf-8")
    }

    /// A redirect; `location` must already be a valid URI reference.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::new(status)
            .header("Location", location)
            .header("Cache-Control", "no-store")
            .header("Referrer-Policy", "no-referrer")
    }

    pub fn not_found() -> Self {
        Self::text(
            404,
            "404 Not Found: the demo provider has no such endpoint (see / for the list)",
        )
    }

    pub fn method_not_allowed(allow: &str) -> Self {
        Self::text(405, &format!("405 Method Not Allowed: use {allow}")).header("Allow", allow)
    }
}

impl From<crate::serve::Request> for Request {
    fn from(r: crate::serve::Request) -> Self {
        Self {
            method: r.method,
            path: r.path,
            query: r.query,
            headers: r.headers,
            body: r.body,
        }
    }
}

impl From<Response> for crate::serve::Response {
    fn from(r: Response) -> Self {
        Self {
            status: r.status,
            headers: r.headers,
            body: r.body,
        }
    }
}

/// Makes an `error_description` fit the character set of RFC 6749 §5.2 and RFC 6750 §3
/// (`%x20-21 / %x23-5B / %x5D-7E`: printable ASCII without `"` and `\`), so the same text can go
/// into JSON, a redirect and a `WWW-Authenticate` header. `§` is spelled out.
pub(crate) fn description(text: &str) -> String {
    text.replace('§', "section ")
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\\' => '/',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_found() {
        assert_eq!(first_duplicate(&Params::parse("a=1&b=2&a=3")), Some("a"));
        assert_eq!(first_duplicate(&Params::parse("a=1&b=2")), None);
        assert_eq!(count(&Params::parse("a=1&b=2&a=3"), "a"), 2);
    }

    #[test]
    fn cookies_and_form_content_type() {
        let req = Request {
            headers: vec![
                ("Cookie".into(), "x=1; sid=abc".into()),
                (
                    "Content-Type".into(),
                    "Application/X-WWW-Form-Urlencoded; charset=UTF-8".into(),
                ),
            ],
            ..Request::default()
        };
        assert_eq!(req.cookie("sid"), Some("abc"));
        assert_eq!(req.cookie("y"), None);
        assert!(req.is_form());
    }

    #[test]
    fn descriptions_are_header_safe() {
        assert_eq!(
            description("RFC 6749 §4.1.3: \"x\" \\ é"),
            "RFC 6749 section 4.1.3: 'x' / ?"
        );
    }
}
