//! A profile file (TOML), as a user or a shared file may have written it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(profile) = oauthviz::profile::parse(std::path::Path::new("fuzz.toml"), text) {
        let _ = profile.check();
        let _ = profile.into_config();
    }
});
