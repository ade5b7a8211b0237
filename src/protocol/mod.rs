//! The OAuth 2.0 messages themselves: pure values, builders and parsers. No I/O lives here, so
//! every byte the engine sends is a value the user can see and edit first.

pub mod authorize;
pub mod callback;
pub mod check;
pub mod client_assertion;
pub mod discovery;
pub mod edit;
pub mod error;
pub mod http;
pub mod id_token;
pub mod json;
pub mod jwt;
pub mod login;
pub mod params;
pub mod pkce;
pub mod random;
pub mod resource;
pub mod secret;
pub mod token;
