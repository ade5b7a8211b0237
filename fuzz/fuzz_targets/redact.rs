//! Secrets found in, and hidden from, whatever a provider answers.
//!
//! Finding them runs on every input; hiding them runs with a fixed set of secrets, built once:
//! an automaton built from each input's secrets costs half a millisecond, which would leave
//! this target at 2,000 executions a second (`Secrets`' own tests cover long and overlapping
//! secrets).
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::http::{Headers, HttpRequest, HttpResponse};
use oauthviz::redact::{Secrets, response};
use oauthviz::trace::Attempt;

fn known() -> &'static Secrets {
    static KNOWN: OnceLock<Secrets> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut s = Secrets::default();
        for value in [
            "access-token-1234",
            "refresh/token+5678",
            "code-value-9012",
            "pässwörd-3456",
        ] {
            s.add(value);
        }
        let _ = s.scrub("build the automaton once");
        s
    })
}

fuzz_target!(|input: (&str, &str, &str)| {
    let (location, body, text) = input;
    let mut headers = Headers::default();
    headers.push("Location", location);
    let answer = HttpResponse {
        status: 302,
        headers,
        body: body.to_owned(),
    };
    let attempt = Attempt {
        request: Some(HttpRequest::get(location)),
        response: Some(answer.clone()),
        ..Attempt::default()
    };
    let mut found = Secrets::default();
    found.attempt(&attempt);
    let _ = known().scrub(text);
    let _ = known().scrub(body);
    let _ = response(&answer);
});
