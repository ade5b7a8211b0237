//! Hides secrets in recorded messages before they are printed or exported, unless the user asks
//! for them. Which names are secret is decided here, once, for every output.

use serde_json::Value;

use crate::protocol::http::{Headers, HttpRequest, HttpResponse};
use crate::protocol::params::Params;
use crate::protocol::secret::mask;
use crate::trace::{Exchange, Trace};

/// Parameter and JSON field names whose values are credentials.
pub const SECRET_NAMES: &[&str] = &[
    "client_secret",
    "code",
    "code_verifier",
    "access_token",
    "refresh_token",
    "id_token",
    "password",
    "token",
    "client_assertion",
    "assertion",
    "device_code",
];

/// Header names whose values are credentials.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

pub fn is_secret_param(name: &str) -> bool {
    SECRET_NAMES.contains(&name.to_ascii_lowercase().as_str())
}

pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

/// `Bearer eyJh…[812 chars]`: keeps the scheme so the reader still sees how it was sent.
pub fn mask_header_value(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, cred)) if !scheme.contains('=') => format!("{scheme} {}", mask(cred)),
        _ => mask(value),
    }
}

/// Masks secret values in `a=1&b=2` text in place, keeping everything else byte for byte (a
/// re-encoded mask would turn "…" into %E2%80%A6 noise).
fn encoded_pairs(encoded: &str) -> String {
    encoded
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if is_secret_param(&decode(name)) => {
                format!("{name}={}", mask(&decode(value)))
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn decode(s: &str) -> String {
    Params::parse(&format!("x={s}"))
        .get("x")
        .unwrap_or_default()
        .to_owned()
}

fn headers(h: &Headers) -> Headers {
    let mut out = h.clone();
    for header in &mut out.0 {
        if is_secret_header(&header.name) {
            header.value = mask_header_value(&header.value);
        } else if header.name.eq_ignore_ascii_case("location") {
            header.value = url(&header.value);
        }
    }
    out
}

fn url(u: &str) -> String {
    let (before_fragment, fragment) = match u.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (u, None),
    };
    let Some((base, query)) = before_fragment.split_once('?') else {
        return u.to_owned();
    };
    let mut out = format!("{base}?{}", encoded_pairs(query));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(&encoded_pairs(f));
    }
    out
}

fn json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if is_secret_param(k) => *s = mask(s),
                    _ => json(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        _ => {}
    }
}

/// A body with its secret fields masked: form bodies by parameter, JSON bodies by field.
fn body(body: &str, content_type: Option<&str>) -> String {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.starts_with("application/x-www-form-urlencoded") {
        return encoded_pairs(body);
    }
    if let Ok(mut v) = serde_json::from_str::<Value>(body) {
        json(&mut v);
        return serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.to_owned());
    }
    body.to_owned()
}

pub fn request(r: &HttpRequest) -> HttpRequest {
    HttpRequest {
        method: r.method.clone(),
        url: url(&r.url),
        body: body(&r.body, r.headers.get("content-type")),
        headers: headers(&r.headers),
    }
}

pub fn response(r: &HttpResponse) -> HttpResponse {
    HttpResponse {
        status: r.status,
        body: body(&r.body, r.headers.get("content-type")),
        headers: headers(&r.headers),
    }
}

/// Whether a [`crate::compare::Difference`]'s place (`param code`, `header Authorization`,
/// `json access_token`) names a secret.
pub fn is_secret_place(place: &crate::compare::Place) -> bool {
    use crate::compare::Place;
    match (place, place.name()) {
        (Place::Header(_), Some(name)) => is_secret_header(name),
        (_, Some(name)) => is_secret_param(name),
        (_, None) => false,
    }
}

/// A difference for printing, with a secret parameter's or header's values masked.
pub fn difference(d: &crate::compare::Difference) -> String {
    use crate::compare::{Change, Difference};
    if !is_secret_place(&d.place) {
        return d.to_string();
    }
    let change = match &d.change {
        Change::Added(v) => Change::Added(mask(v)),
        Change::Removed(v) => Change::Removed(mask(v)),
        Change::Changed(a, b) => Change::Changed(mask(a), mask(b)),
    };
    Difference {
        place: d.place.clone(),
        change,
    }
    .to_string()
}

/// The whole trace with every secret masked (for `--json` and exports without secrets).
pub fn trace(t: &Trace) -> Trace {
    let mut t = t.clone();
    for step in &mut t.steps {
        for a in &mut step.attempts {
            a.request = a.request.as_ref().map(request);
            a.response = a.response.as_ref().map(response);
            for Exchange {
                request: req,
                response: resp,
                ..
            } in &mut a.exchanges
            {
                *req = request(req);
                *resp = resp.as_ref().map(response);
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_form_query_headers_and_json() {
        let mut req = HttpRequest::post_form(
            "http://127.0.0.1/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=s",
            &Params::from([
                ("grant_type", "authorization_code"),
                ("client_secret", "topsecretvalue"),
            ]),
        );
        req.headers
            .push("Authorization", "Basic ZGVtbzpzZWNyZXQxMjM0NQ==");
        let r = request(&req);
        assert_eq!(r.url, "http://127.0.0.1/cb?code=Splx…[22 chars]&state=s");
        assert!(
            !r.body.contains("topsecretvalue") && r.body.contains("grant_type=authorization_code")
        );
        assert!(
            r.headers
                .get("authorization")
                .unwrap()
                .starts_with("Basic ZGVt…")
        );

        let mut h = Headers::default();
        h.push("Content-Type", "application/json");
        let resp = response(&HttpResponse {
            status: 200,
            headers: h,
            body: r#"{"access_token":"eyJhbGciOiJFUzI1NiJ9.abc.def","token_type":"Bearer","nested":{"refresh_token":"rrrrrrrrrrrr"}}"#.into(),
        });
        assert!(!resp.body.contains("abc.def") && !resp.body.contains("rrrrrrrrrrrr"));
        assert!(resp.body.contains("Bearer"));
    }

    #[test]
    fn non_secret_bodies_are_unchanged() {
        assert_eq!(body("plain text", Some("text/plain")), "plain text");
    }
}
