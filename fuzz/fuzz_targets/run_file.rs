//! A saved run (`*.oauthviz.json`), as someone may hand one over.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = oauthviz::keep::runfile::RunFile::parse(text);
});
