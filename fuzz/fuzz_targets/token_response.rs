//! A token endpoint's answer: any status, any of the content types providers send, any body.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::http::{Headers, HttpResponse};
use oauthviz::protocol::token::{parse_token_response, response_checks};

const TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/html",
    "",
];

fuzz_target!(|input: (u8, u8, &str)| {
    let (status, kind, body) = input;
    let mut headers = Headers::default();
    let content_type = TYPES[kind as usize % TYPES.len()];
    if !content_type.is_empty() {
        headers.push("Content-Type", content_type);
    }
    let resp = HttpResponse {
        status: if status < 128 {
            200
        } else {
            400 + u16::from(status % 100)
        },
        headers,
        body: body.to_owned(),
    };
    if let Ok(tokens) = parse_token_response(&resp) {
        let _ = response_checks(&resp, &tokens);
        let _ = tokens.summary();
    }
});
