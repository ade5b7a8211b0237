//! Secrets found in and hidden from whatever a provider answers.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::http::{Headers, HttpRequest, HttpResponse};
use oauthviz::redact::{Secrets, response};
use oauthviz::trace::Attempt;

fuzz_target!(|input: (&str, &str, &str)| {
    let (location, body, text) = input;
    let mut headers = Headers::default();
    headers.push("Location", location);
    let answer = HttpResponse { status: 302, headers, body: body.to_owned() };
    let attempt = Attempt {
        request: Some(HttpRequest::get(location)),
        response: Some(answer.clone()),
        ..Attempt::default()
    };
    let mut secrets = Secrets::default();
    secrets.attempt(&attempt);
    let _ = secrets.scrub(text);
    let _ = secrets.scrub(body);
    let _ = response(&answer);
});
