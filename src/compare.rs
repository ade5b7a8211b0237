//! What differs between two attempts of a step: the request (method, URL, each parameter and
//! header) and the response (status, headers, and JSON fields by path). UI-free, so the GUI's
//! side-by-side view and the tests read the same differences.

use serde_json::Value;

use crate::protocol::edit::params_of;
use crate::protocol::http::{Headers, HttpRequest, HttpResponse};
use crate::trace::{Attempt, StepId, Trace};

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.change {
            Change::Added(v) => write!(f, "+ {}: {v}", self.place),
            Change::Removed(v) => write!(f, "- {}: {v}", self.place),
            Change::Changed(a, b) => write!(f, "~ {}: {a} -> {b}", self.place),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Added(String),
    Removed(String),
    Changed(String, String),
}

/// Where two messages differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The whole request: one attempt has one, the other none (an unsent step).
    Request,
    /// The whole response: one attempt got one, the other none (a transport error).
    Response,
    Method,
    /// The URL without its query.
    Url,
    /// A parameter where the request keeps them: the query of a GET, the form body of a POST.
    Param(String),
    /// A query parameter of a request whose parameters are in its form body.
    Query(String),
    /// A header, by the name the first message spells it with.
    Header(String),
    /// A body that is neither a form nor JSON.
    Body,
    Status,
    /// A JSON field by path (`access_token`, `items[2].title`); empty for the whole document.
    Json(String),
}

impl Place {
    /// The parameter, header or JSON field name this place is about, if any.
    pub fn name(&self) -> Option<&str> {
        match self {
            Place::Param(n) | Place::Query(n) | Place::Header(n) => Some(n),
            Place::Json(path) => path.rsplit('.').next().filter(|n| !n.is_empty()),
            Place::Request
            | Place::Response
            | Place::Method
            | Place::Url
            | Place::Body
            | Place::Status => None,
        }
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Request => f.write_str("request"),
            Place::Response => f.write_str("response"),
            Place::Method => f.write_str("method"),
            Place::Url => f.write_str("url"),
            Place::Param(n) => write!(f, "param {n}"),
            Place::Query(n) => write!(f, "query {n}"),
            Place::Header(n) => write!(f, "header {n}"),
            Place::Body => f.write_str("body"),
            Place::Status => f.write_str("status"),
            Place::Json(p) if p.is_empty() => f.write_str("json"),
            Place::Json(p) => write!(f, "json {p}"),
        }
    }
}

/// One difference: where and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub place: Place,
    pub change: Change,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    pub request: Vec<Difference>,
    pub response: Vec<Difference>,
}

impl Comparison {
    pub fn is_empty(&self) -> bool {
        self.request.is_empty() && self.response.is_empty()
    }
}

/// Attempts `i` and `j` of a step's exchange, compared.
pub fn step_attempts(trace: &Trace, step: StepId, i: usize, j: usize) -> Option<Comparison> {
    Some(attempts(
        &trace.exchange(step, i)?,
        &trace.exchange(step, j)?,
    ))
}

pub fn attempts(a: &Attempt, b: &Attempt) -> Comparison {
    let mut out = Comparison::default();
    match (&a.request, &b.request) {
        (Some(x), Some(y)) => out.request = requests(x, y),
        (None, Some(_)) => out
            .request
            .push(diff(Place::Request, Change::Added("sent".into()))),
        (Some(_), None) => out
            .request
            .push(diff(Place::Request, Change::Removed("sent".into()))),
        (None, None) => {}
    }
    match (&a.response, &b.response) {
        (Some(x), Some(y)) => out.response = responses(x, y),
        (None, Some(y)) => out
            .response
            .push(diff(Place::Response, Change::Added(y.status_line()))),
        (Some(x), None) => out.response.push(diff(
            Place::Response,
            Change::Changed(
                x.status_line(),
                b.transport_error.clone().unwrap_or_else(|| "none".into()),
            ),
        )),
        (None, None) => {}
    }
    out
}

fn diff(place: Place, change: Change) -> Difference {
    Difference { place, change }
}

fn scalar(place: Place, a: &str, b: &str, out: &mut Vec<Difference>) {
    if a != b {
        out.push(diff(place, Change::Changed(a.to_owned(), b.to_owned())));
    }
}

/// Name/value lists, matched by name (the n-th occurrence with the n-th), order ignored.
fn pairs<'a>(
    kind: fn(String) -> Place,
    a: impl Iterator<Item = (&'a str, &'a str)>,
    b: impl Iterator<Item = (&'a str, &'a str)>,
    fold_case: bool,
    out: &mut Vec<Difference>,
) {
    let key = |n: &str| {
        if fold_case {
            n.to_ascii_lowercase()
        } else {
            n.to_owned()
        }
    };
    let mut rest: Vec<(String, &str, &str)> = b.map(|(n, v)| (key(n), n, v)).collect();
    for (name, value) in a {
        let k = key(name);
        match rest.iter().position(|(rk, _, _)| *rk == k) {
            Some(i) => {
                let (_, _, other) = rest.remove(i);
                scalar(kind(name.to_owned()), value, other, out);
            }
            None => out.push(diff(
                kind(name.to_owned()),
                Change::Removed(value.to_owned()),
            )),
        }
    }
    for (_, name, value) in rest {
        out.push(diff(kind(name.to_owned()), Change::Added(value.to_owned())));
    }
}

fn url_without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

pub fn requests(a: &HttpRequest, b: &HttpRequest) -> Vec<Difference> {
    let mut out = Vec::new();
    scalar(Place::Method, &a.method, &b.method, &mut out);
    scalar(
        Place::Url,
        url_without_query(&a.url),
        url_without_query(&b.url),
        &mut out,
    );
    let (pa, _) = params_of(a);
    let (pb, _) = params_of(b);
    pairs(
        Place::Param,
        pa.iter().map(|p| (p.name.as_str(), p.value.as_str())),
        pb.iter().map(|p| (p.name.as_str(), p.value.as_str())),
        false,
        &mut out,
    );
    // With a form body the query can still differ; compare it too.
    if a.form().is_some() || b.form().is_some() {
        let (qa, qb) = (a.query(), b.query());
        pairs(
            Place::Query,
            qa.iter().map(|p| (p.name.as_str(), p.value.as_str())),
            qb.iter().map(|p| (p.name.as_str(), p.value.as_str())),
            false,
            &mut out,
        );
    } else if !(a.body.is_empty() && b.body.is_empty()) {
        scalar(Place::Body, &a.body, &b.body, &mut out);
    }
    headers(&a.headers, &b.headers, &mut out);
    out
}

/// Headers that differ on every message and say nothing about the provider's behaviour.
const NOISE: &[&str] = &[
    "date",
    "content-length",
    "x-request-id",
    "etag",
    "set-cookie",
    "expires",
];

fn headers(a: &Headers, b: &Headers, out: &mut Vec<Difference>) {
    let keep =
        |h: &&crate::protocol::http::Header| !NOISE.contains(&h.name.to_ascii_lowercase().as_str());
    pairs(
        Place::Header,
        a.iter()
            .filter(keep)
            .map(|h| (h.name.as_str(), h.value.as_str())),
        b.iter()
            .filter(keep)
            .map(|h| (h.name.as_str(), h.value.as_str())),
        true,
        out,
    );
}

pub fn responses(a: &HttpResponse, b: &HttpResponse) -> Vec<Difference> {
    let mut out = Vec::new();
    scalar(Place::Status, &a.status_line(), &b.status_line(), &mut out);
    headers(&a.headers, &b.headers, &mut out);
    match (
        serde_json::from_str::<Value>(&a.body),
        serde_json::from_str::<Value>(&b.body),
    ) {
        (Ok(x), Ok(y)) => json("", &x, &y, &mut out),
        _ => scalar(Place::Body, &a.body, &b.body, &mut out),
    }
    out
}

/// JSON values compared field by field; `path` is where they sit (empty at the top).
fn json(path: &str, a: &Value, b: &Value, out: &mut Vec<Difference>) {
    let field = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => json(&field(k), va, vb, out),
                    None => out.push(diff(Place::Json(field(k)), Change::Removed(short(va)))),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(diff(Place::Json(field(k)), Change::Added(short(vb))));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                json(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(diff(
            Place::Json(path.to_owned()),
            Change::Changed(short(a), short(b)),
        )),
        _ => {}
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::params::Params;

    fn resp(status: u16, body: &str) -> HttpResponse {
        let mut headers = Headers::default();
        headers.push("Content-Type", "application/json");
        headers.push("Date", if status == 200 { "Mon" } else { "Tue" });
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    #[test]
    fn request_params_and_headers() {
        let a = HttpRequest::post_form(
            "http://as/token",
            &Params::from([
                ("grant_type", "authorization_code"),
                ("code", "c1"),
                ("code_verifier", "v"),
            ]),
        );
        let mut b = HttpRequest::post_form(
            "http://as/token",
            &Params::from([
                ("code", "c2"),
                ("grant_type", "authorization_code"),
                ("x", "1"),
            ]),
        );
        b.headers.push("Authorization", "Basic abc");
        let d = requests(&a, &b);
        assert_eq!(
            d,
            vec![
                diff(
                    Place::Param("code".into()),
                    Change::Changed("c1".into(), "c2".into())
                ),
                diff(
                    Place::Param("code_verifier".into()),
                    Change::Removed("v".into())
                ),
                diff(Place::Param("x".into()), Change::Added("1".into())),
                diff(
                    Place::Header("Authorization".into()),
                    Change::Added("Basic abc".into())
                ),
            ]
        );
    }

    #[test]
    fn response_status_and_json_fields_by_path() {
        let a = resp(
            200,
            r#"{"access_token":"t1","token_type":"Bearer","items":[{"n":1}]}"#,
        );
        let b = resp(
            400,
            r#"{"error":"invalid_grant","token_type":"Bearer","items":[{"n":2}]}"#,
        );
        let d = responses(&a, &b);
        let places: Vec<_> = d.iter().map(|x| x.place.to_string()).collect();
        // Date is noise and not reported.
        assert_eq!(
            places,
            [
                "status",
                "json access_token",
                "json items[0].n",
                "json error"
            ]
        );
        assert_eq!(
            d[0].change,
            Change::Changed("200 OK".into(), "400 Bad Request".into())
        );
    }

    #[test]
    fn identical_attempts_have_no_differences() {
        let a = Attempt {
            request: Some(HttpRequest::get("http://rs/api?x=1")),
            response: Some(resp(200, "{}")),
            ..Default::default()
        };
        assert!(attempts(&a, &a.clone()).is_empty());
    }
}
