//! A discovery document (OpenID Connect Discovery, RFC 8414), whatever it holds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::discovery::parse_metadata;
use oauthviz::protocol::http::{Headers, HttpResponse};

fuzz_target!(|body: &str| {
    let mut headers = Headers::default();
    headers.push("Content-Type", "application/json");
    let resp = HttpResponse {
        status: 200,
        headers,
        body: body.to_owned(),
    };
    let _ = parse_metadata("https://issuer.example", &resp);
});
