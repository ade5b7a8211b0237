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
    "passwd",
    "pwd",
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
    if crate::protocol::secret::is_mask(value) {
        return value.to_owned();
    }
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

/// `u` with the secret parameters of its query and its fragment masked.
pub fn url(u: &str) -> String {
    let (before_fragment, fragment) = match u.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (u, None),
    };
    // The implicit grant's token is in the fragment of a URL that may have no query at all.
    let mut out = match before_fragment.split_once('?') {
        Some((base, query)) => format!("{base}?{}", encoded_pairs(query)),
        None => before_fragment.to_owned(),
    };
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
                if is_secret_param(k) {
                    mask_strings(v);
                } else {
                    json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json),
        _ => {}
    }
}

/// Every string in `v` masked: what a secret field holds is secret whatever its shape (a
/// provider that sends `"access_token": {"value": …}` sends a token all the same).
fn mask_strings(v: &mut Value) {
    match v {
        Value::String(s) => *s = mask(s),
        Value::Array(items) => items.iter_mut().for_each(mask_strings),
        Value::Object(map) => map.values_mut().for_each(mask_strings),
        _ => {}
    }
}

/// Every string in `v`.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(map) => map.values().for_each(|i| strings(i, out)),
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

/// Values shorter than this are too likely to be ordinary text to be hidden wherever they occur
/// (they are still masked where they are a secret parameter).
const MIN_SCRUBBED: usize = 6;

/// The secret values a run sent, received or was given (the client secret, the user's password),
/// so they can be hidden wherever they turn up — an error line that quotes the callback URL, a
/// form body served as text/plain, JSON the strict parser would not read, a provider echoing a
/// token back — and not only where a secret is expected.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    values: Vec<String>,
    /// Every form of every value (as written, form- and percent-encoded) in one automaton, with
    /// the mask each is replaced by: a run holds hundreds of codes and tokens, and a saved run
    /// thousands of strings, so they are looked for at once, not one after the other. Built on
    /// the first scrub after a change.
    finder: std::sync::OnceLock<Finder>,
}

impl Secrets {
    /// Every value found at a secret place in the run's requests and answers.
    pub fn of_trace(t: &Trace) -> Self {
        let mut known = Self::default();
        for a in t.steps.iter().flat_map(|s| &s.attempts) {
            known.attempt(a);
        }
        known
    }

    /// Adds what one attempt sent and received (a consumer that sees attempts one by one keeps
    /// its `Secrets` up to date without walking the whole trace each time).
    pub fn attempt(&mut self, a: &crate::trace::Attempt) {
        if let Some(r) = &a.request {
            self.request(r);
        }
        if let Some(r) = &a.response {
            self.response(r);
        }
        for ex in &a.exchanges {
            self.request(&ex.request);
            if let Some(r) = &ex.response {
                self.response(r);
            }
        }
    }

    /// Adds a value known to be secret; short or repeated values are ignored.
    pub fn add(&mut self, value: &str) {
        let v = value.trim();
        // A mask is what scrubbing writes: hiding it again would only shorten its count.
        if v.chars().count() >= MIN_SCRUBBED
            && !crate::protocol::secret::is_mask(v)
            && !self.values.iter().any(|k| k == v)
        {
            self.values.push(v.to_owned());
            self.finder = std::sync::OnceLock::new();
        }
    }

    /// Adds what `other` knows.
    pub fn join(&mut self, other: &Secrets) {
        for v in &other.values {
            self.add(v);
        }
    }

    fn request(&mut self, r: &HttpRequest) {
        self.url(&r.url);
        self.body(&r.body);
        self.headers(&r.headers);
    }

    fn response(&mut self, r: &HttpResponse) {
        self.body(&r.body);
        self.headers(&r.headers);
    }

    fn url(&mut self, u: &str) {
        let rest = u.split_once('?').map_or("", |(_, q)| q);
        let (query, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        // A code in the fragment (`#code=`) is as secret as one in the query.
        let fragment = u.split_once('#').map_or(fragment, |(_, f)| f);
        self.pairs(query);
        self.pairs(fragment);
    }

    /// `name=value` pairs wherever they are, whatever the Content-Type says; the values of the
    /// others are read as text (an `error_description` may quote a whole callback URL).
    fn pairs(&mut self, text: &str) {
        for pair in text.split('&') {
            if let Some((name, value)) = pair.split_once('=') {
                if is_secret_param(decode(name.trim()).as_str()) {
                    self.add(&decode(value));
                } else {
                    self.text(&decode(value));
                }
            }
        }
    }

    /// `access_token=…` written anywhere in running text (an error page that quotes what it
    /// was sent, a URL in a message): the value up to the next delimiter.
    fn text(&mut self, text: &str) {
        let starts_value = |c: char| c.is_whitespace() || "&#?;,\"'<>()[]{}".contains(c);
        for name in SECRET_NAMES {
            let needle = format!("{name}=");
            let mut from = 0;
            while let Some(found) = text[from..].find(&needle) {
                let at = from + found;
                from = at + needle.len();
                let before = text[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue;
                }
                let value = &text[from..];
                let end = value.find(starts_value).unwrap_or(value.len());
                self.add(&decode(&value[..end]));
            }
        }
    }

    /// The body as pairs and as JSON-ish text: `"access_token" : "…"` is found by scanning,
    /// so JSON that no parser accepts (a stray form feed, `1e400`, cut off by a reset) still
    /// gives its secrets up.
    fn body(&mut self, body: &str) {
        self.pairs(body);
        self.text(body);
        if let Ok(v) = serde_json::from_str::<Value>(body) {
            self.json(&v);
        }
        for name in SECRET_NAMES {
            let needle = format!("\"{name}\"");
            let mut rest = body;
            while let Some(at) = rest.find(&needle) {
                rest = &rest[at + needle.len()..];
                let after = rest.trim_start();
                let Some(after) = after.strip_prefix(':') else {
                    continue;
                };
                let Some(value) = after.trim_start().strip_prefix('"') else {
                    continue;
                };
                let end = value.find('"').unwrap_or(value.len());
                self.add(&value[..end]);
            }
        }
    }

    /// Whatever a secret field holds, at any depth and in any shape.
    fn json(&mut self, v: &Value) {
        match v {
            Value::Object(map) => {
                for (name, value) in map {
                    if is_secret_param(name) {
                        let mut found = Vec::new();
                        strings(value, &mut found);
                        found.iter().for_each(|s| self.add(s));
                    } else {
                        self.json(value);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.json(i)),
            _ => {}
        }
    }

    fn headers(&mut self, h: &Headers) {
        for header in &h.0 {
            let name = header.name.to_ascii_lowercase();
            match name.as_str() {
                "authorization" | "proxy-authorization" => {
                    let (scheme, cred) =
                        header.value.split_once(' ').unwrap_or(("", &header.value));
                    self.add(cred);
                    if scheme.eq_ignore_ascii_case("basic") {
                        use base64::Engine as _;
                        let decoded = base64::engine::general_purpose::STANDARD
                            .decode(cred.trim())
                            .ok()
                            .and_then(|b| String::from_utf8(b).ok());
                        if let Some((_, secret)) =
                            decoded.as_deref().and_then(|d| d.split_once(':'))
                        {
                            // RFC 6749 §2.3.1 form-encodes the secret before Basic does.
                            self.add(secret);
                            self.add(&decode(secret));
                        }
                    }
                }
                "cookie" => {
                    for pair in header.value.split(';') {
                        if let Some((_, v)) = pair.split_once('=') {
                            self.add(v);
                        }
                    }
                }
                // Only the cookie itself: the attributes after it are not secret.
                "set-cookie" => {
                    if let Some((_, v)) = header
                        .value
                        .split(';')
                        .next()
                        .and_then(|p| p.split_once('='))
                    {
                        self.add(v);
                    }
                }
                "location" => self.url(&header.value),
                _ => {}
            }
        }
    }

    /// `text` with every known secret, as written or URL-encoded, replaced by its mask. Where
    /// two overlap, the longest is hidden whole.
    pub fn scrub<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if self.values.is_empty() {
            return std::borrow::Cow::Borrowed(text);
        }
        let finder = self.finder.get_or_init(|| {
            let (mut short, long): (Vec<_>, Vec<_>) = self
                .forms()
                .into_iter()
                .partition(|(form, _)| form.len() <= AUTOMATON_FORM_BYTES);
            let automaton = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(short.iter().map(|(form, _)| form))
                .ok();
            let mut one_by_one = long;
            if automaton.is_none() {
                one_by_one.append(&mut short);
            }
            // Longest first, so a secret that contains another is hidden whole.
            one_by_one.sort_by_key(|(form, _)| std::cmp::Reverse(form.len()));
            let masks = short.into_iter().map(|(_, masked)| masked).collect();
            Finder {
                automaton: automaton.map(|a| (a, masks)),
                one_by_one,
            }
        });
        let mut out = std::borrow::Cow::Borrowed(text);
        for (form, masked) in &finder.one_by_one {
            if out.contains(form.as_str()) {
                out = std::borrow::Cow::Owned(out.replace(form.as_str(), masked));
            }
        }
        match &finder.automaton {
            Some((automaton, masks)) if automaton.is_match(out.as_ref()) => {
                std::borrow::Cow::Owned(automaton.replace_all(out.as_ref(), masks))
            }
            _ => out,
        }
    }

    /// Every form of every value, with the mask it is replaced by.
    fn forms(&self) -> Vec<(String, String)> {
        let mut seen = std::collections::HashSet::new();
        let mut forms = Vec::new();
        for value in &self.values {
            let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
            let percent = encoded.replace('+', "%20");
            for form in [value.clone(), encoded, percent] {
                if seen.insert(form.clone()) {
                    forms.push((form, mask(value)));
                }
            }
        }
        forms
    }
}

/// Secrets longer than this are looked for one by one: building an automaton of a long,
/// repetitive one (a provider's 100 KB code of one letter) takes minutes; `str::replace` is
/// linear.
const AUTOMATON_FORM_BYTES: usize = 512;

/// How [`Secrets::scrub`] looks for the run's secrets.
#[derive(Clone, Debug)]
struct Finder {
    /// The short ones all at once, with their masks (none: too many for the automaton's size
    /// limit, so they are in `one_by_one` too).
    automaton: Option<(aho_corasick::AhoCorasick, Vec<String>)>,
    one_by_one: Vec<(String, String)>,
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
    fn a_token_in_the_fragment_is_masked_with_or_without_a_query() {
        for u in [
            "http://127.0.0.1:1/callback#access_token=eyJhbGciOiJFUzI1NiJ9.abc&state=s1",
            "http://127.0.0.1:1/callback?x=1#access_token=eyJhbGciOiJFUzI1NiJ9.abc&state=s1",
        ] {
            let masked = url(u);
            assert!(!masked.contains("eyJhbGciOiJFUzI1NiJ9.abc"), "{masked}");
            assert!(masked.contains("#access_token=") && masked.ends_with("&state=s1"));
        }
        assert_eq!(url("http://h/p"), "http://h/p");
    }

    #[test]
    fn a_long_secret_is_hidden_whole_and_the_short_one_inside_it_too() {
        let long = "c".repeat(100_000);
        let mut known = Secrets::default();
        known.add(&long);
        known.add("short-token-1234");
        let text = format!("code={long}&t=short-token-1234&again={long}x");
        let out = known.scrub(&text);
        assert!(!out.contains("cccccccccccccccc"), "{}", &out[..200]);
        assert!(!out.contains("short-token-1234"));
        assert!(out.ends_with("x") && out.contains("&t="), "{out}");
    }

    #[test]
    fn a_secret_is_hidden_wherever_it_turns_up() {
        let mut t = Trace::new("p");
        let mut d = HttpRequest::post_form(
            "https://as/token",
            &Params::from([
                ("grant_type", "authorization_code"),
                ("code", "the-code-123"),
            ]),
        );
        d.headers
            .push("Authorization", "Basic YXBwOnMzY3JldCt2YWx1ZQ==");
        let e = HttpResponse {
            status: 200,
            headers: Headers::default(),
            // text/plain would not be read as a form, and this is not JSON any parser accepts.
            body: "\u{c}{\"access_token\" : \"tok-abcdef-1\", \"expires_in\": 1e400}".into(),
        };
        t.apply(&crate::trace::Update::Attempt {
            step: crate::trace::StepId::D,
            index: 0,
            attempt: crate::trace::Attempt {
                request: Some(d),
                response: Some(e),
                outcome: crate::trace::Outcome::Ok,
                ..Default::default()
            },
        });
        let mut known = Secrets::of_trace(&t);
        known.add("wonderland");
        let said = "the code the-code-123 came back in https://x/cb#code=the-code-123, \
                    the token tok-abcdef-1, the secret s3cret+value (s3cret%2Bvalue), \
                    passwd=wonderland";
        let scrubbed = known.scrub(said);
        for secret in [
            "the-code-123",
            "tok-abcdef-1",
            "s3cret+value",
            "s3cret%2Bvalue",
            "wonderland",
        ] {
            assert!(!scrubbed.contains(secret), "{secret} in {scrubbed}");
        }
        assert!(scrubbed.contains("the code the-…[12 chars]"), "{scrubbed}");
        assert_eq!(known.scrub("nothing secret"), "nothing secret");
    }

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
