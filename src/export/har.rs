//! HAR 1.2: every HTTP exchange of the run, the front channel as far as oauthviz saw it, with
//! the OAuth facts (step, attempt, take, outcome, checks) in `_oauthviz` fields, the way HTTP
//! Toolkit and mitmproxy add theirs. The HAR types are the `har` crate's.

use har::v1_2::{Cache, Content, Creator, Entries, Headers, Log, PostData, QueryString};
use har::v1_2::{Request, Response, Timings};
use serde_json::{Value, json};

use super::{Part, Scope, Sent, exchanges_in};
use crate::protocol::http::{HttpRequest, HttpResponse, reason_phrase};
use crate::workbench::RunRecord;

/// The run (or one step of it) as a HAR document.
pub fn render(record: &RunRecord, scope: Scope) -> Result<String, String> {
    let sent = exchanges_in(record, scope);
    let log = Log {
        creator: Creator {
            name: "oauthviz".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            comment: None,
        },
        browser: None,
        pages: None,
        entries: sent.iter().map(entry).collect(),
        comment: Some(format!(
            "OAuth 2.0 Authorization Code flow against {}",
            record.provider.name
        )),
    };
    let har = har::Har {
        log: har::Spec::V1_2(log),
    };
    let mut value = serde_json::to_value(&har).map_err(|e| format!("could not write HAR: {e}"))?;
    if let Some(entries) = value["log"]["entries"].as_array_mut() {
        for (entry, s) in entries.iter_mut().zip(&sent) {
            entry["_oauthviz"] = extension(s);
        }
    }
    serde_json::to_string_pretty(&value).map_err(|e| format!("could not write HAR: {e}"))
}

fn entry(s: &Sent<'_>) -> Entries {
    let response = match (s.response, s.error) {
        (Some(r), _) => response(r),
        // HAR keeps an exchange without an answer as status 0, as browsers do for a request
        // that was blocked or failed.
        (None, error) => Response {
            status: 0,
            status_text: String::new(),
            http_version: String::new(),
            cookies: Vec::new(),
            headers: Vec::new(),
            content: Content {
                size: 0,
                mime_type: Some("x-unknown".into()),
                ..Default::default()
            },
            redirect_url: Some(String::new()),
            headers_size: -1,
            body_size: -1,
            comment: Some(match error {
                Some(e) => format!("no answer: {e}"),
                None => "oauthviz did not see the answer (the browser got it)".into(),
            }),
        },
    };
    let time = s.duration_ms.max(0.0);
    Entries {
        pageref: None,
        started_date_time: crate::timestamp::rfc3339_ms(s.started_at_ms),
        time,
        request: request(s.request),
        response,
        cache: Cache::default(),
        timings: Timings {
            blocked: None,
            dns: None,
            connect: None,
            send: 0.0,
            wait: time,
            receive: 0.0,
            ssl: None,
            comment: None,
        },
        server_ip_address: None,
        connection: None,
        comment: Some(s.label()),
    }
}

fn headers(h: &crate::protocol::http::Headers) -> Vec<Headers> {
    h.iter()
        .map(|h| Headers {
            name: h.name.clone(),
            value: h.value.clone(),
            comment: None,
        })
        .collect()
}

fn request(r: &HttpRequest) -> Request {
    let post_data = (!r.body.is_empty()).then(|| PostData {
        mime_type: r.headers.get("content-type").unwrap_or("").to_owned(),
        text: Some(r.body.clone()),
        params: None,
        comment: None,
    });
    Request {
        method: r.method.clone(),
        url: uri(&r.url),
        http_version: "HTTP/1.1".into(),
        cookies: Vec::new(),
        headers: headers(&r.headers),
        query_string: super::query_pairs(r)
            .into_iter()
            .map(|(name, value)| QueryString {
                name,
                value,
                comment: None,
            })
            .collect(),
        post_data,
        headers_size: -1,
        body_size: r.body.len() as i64,
        comment: None,
    }
}

/// Characters an RFC 3986 URI cannot hold as they are (non-ASCII is always encoded). A masked
/// secret (`code=SplxlOB…[22 chars]`) has some; `%` is left alone, as the URL is encoded already.
const NOT_IN_URI: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

fn uri(url: &str) -> String {
    percent_encoding::utf8_percent_encode(url, NOT_IN_URI).to_string()
}

fn response(r: &HttpResponse) -> Response {
    Response {
        status: i64::from(r.status),
        status_text: reason_phrase(r.status).to_owned(),
        http_version: "HTTP/1.1".into(),
        cookies: Vec::new(),
        headers: headers(&r.headers),
        content: Content {
            size: r.body.len() as i64,
            compression: None,
            mime_type: Some(r.headers.get("content-type").unwrap_or("").to_owned()),
            text: Some(r.body.clone()),
            encoding: None,
            comment: None,
        },
        redirect_url: Some(r.headers.get("location").unwrap_or("").to_owned()),
        headers_size: -1,
        body_size: r.body.len() as i64,
        comment: None,
    }
}

/// The OAuth facts of one entry.
fn extension(s: &Sent<'_>) -> Value {
    let part = match s.part {
        Part::Step => json!("step"),
        Part::Discovery => json!("discovery"),
        Part::Page(n) => json!({ "page": n }),
    };
    let checks: Vec<Value> = s
        .checks
        .iter()
        .map(|c| json!({ "id": c.id, "verdict": c.verdict, "detail": c.detail }))
        .collect();
    json!({
        "step": s.step.letter(),
        "step_name": s.step.name(),
        "attempt": s.attempt + 1,
        "part": part,
        "take": super::take_words(s.take),
        "outcome": s.outcome,
        "summary": s.summary,
        "checks": checks,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::ProviderConfig;
    use crate::protocol::params::Params;
    use crate::trace::{Attempt, Outcome, StepId, Trace, Update};

    #[test]
    fn a_token_exchange_is_one_entry_with_its_answer_and_step() {
        let mut trace = Trace::new("p");
        let mut set = |step, attempt| {
            trace.apply(&Update::Attempt {
                step,
                index: 0,
                attempt,
            })
        };
        set(
            StepId::D,
            Attempt {
                request: Some(HttpRequest::post_form(
                    "https://as.example/token",
                    &Params::from([("grant_type", "authorization_code")]),
                )),
                started_at_ms: 1_000,
                duration_ms: Some(2.0),
                outcome: Outcome::Ok,
                ..Default::default()
            },
        );
        set(
            StepId::E,
            Attempt {
                response: Some(HttpResponse {
                    status: 400,
                    headers: Default::default(),
                    body: "{\"error\":\"invalid_grant\"}".into(),
                }),
                started_at_ms: 1_002,
                duration_ms: Some(1.0),
                outcome: Outcome::Failed("refused".into()),
                ..Default::default()
            },
        );
        let record = RunRecord {
            provider: ProviderConfig::default(),
            trace,
            experiments: Vec::new(),
            audit: None,
            takes: Vec::new(),
        };
        let har: Value = serde_json::from_str(&render(&record, Scope::Run).unwrap()).unwrap();
        let entries = har["log"]["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(har["log"]["version"], "1.2");
        let e = &entries[0];
        assert_eq!(
            e["request"]["postData"]["text"],
            "grant_type=authorization_code"
        );
        assert_eq!(e["response"]["status"], 400);
        assert_eq!(e["response"]["statusText"], "Bad Request");
        assert_eq!(e["_oauthviz"]["step"], "D");
        assert_eq!(e["_oauthviz"]["outcome"]["status"], "failed");
        // D and E share one clock: the round trip is the longer, not the sum.
        assert_eq!(e["time"], 2.0);
        assert_eq!(e["startedDateTime"], "1970-01-01T00:00:01.000Z");
        // Our own reader of HAR reads it back; the third-party validator runs in tests/it/export.rs.
        assert!(har::from_str(&serde_json::to_string(&har).unwrap()).is_ok());
    }
}
