//! What a user types as an edit to a request (`--set`, the request editor), applied to a
//! request that is itself arbitrary.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::edit::{Edit, apply, between};
use oauthviz::protocol::http::HttpRequest;

fuzz_target!(|input: (&str, &str, &str)| {
    let (url, body, specs) = input;
    let edits: Vec<Edit> = specs
        .split('\n')
        .filter_map(|s| Edit::parse(s).ok())
        .collect();
    let mut request = HttpRequest::get(url);
    request.body = body.to_owned();
    let original = request.clone();
    if apply(&mut request, &edits).is_ok() {
        let _ = between(&original, &request);
    }
});
