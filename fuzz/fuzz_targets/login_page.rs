//! A login or consent page, as the scripted user agent reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::engine::forms::{page_digest, parse_forms, unreadable};

fuzz_target!(|html: &str| {
    if unreadable(html).is_none() {
        for form in parse_forms(html) {
            let _ = form.password_field();
        }
    }
    let _ = page_digest(html);
});
