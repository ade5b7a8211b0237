//! An id_token and the JWKS it is checked against, both from the provider.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oauthviz::protocol::id_token::{Expected, validate};

fuzz_target!(|input: (&str, &str, bool)| {
    let (token, jwks, hmac) = input;
    let expected = Expected {
        issuer: Some("https://issuer.example"),
        client_id: "client",
        nonce: Some("nonce"),
        access_token: Some("access-token"),
        client_secret: hmac.then_some("secret"),
        now: 1_800_000_000,
        leeway: 60,
    };
    let _ = validate(token, Some(Ok(jwks)), &expected);
    let _ = validate(token, None, &expected);
    let _ = oauthviz::protocol::jwt::decode(token);
});
