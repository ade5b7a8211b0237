//! The redirect's query, as any program on this machine may send it to the listener.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::callback::{Callback, callback_checks};
use oauthviz::protocol::params::Params;

fuzz_target!(|query: &str| {
    let params = Params::parse(query);
    if let Ok(callback) = Callback::parse(&params) {
        let _ = callback_checks(
            &callback,
            Some("state"),
            Some("https://issuer.example"),
            true,
        );
        let _ = callback_checks(&callback, None, None, false);
    }
    let _ = params.encode();
});
