//! oauthviz: the OAuth 2.0 Authorization Code flow, visible.
//!
//! Layers (each uses only the ones below it): `gui`/`cli` → `engine` → `trace` → `protocol`.
//! The `demo` provider stands alone and is reached only over HTTP.

pub mod cli;
pub mod compare;
pub mod config;
pub mod demo;
pub mod engine;
pub mod export;
pub mod files;
pub mod gui;
pub mod keep;
pub mod profile;
pub mod protocol;
pub mod redact;
pub mod serve;
pub mod timestamp;
pub mod trace;
pub mod workbench;
