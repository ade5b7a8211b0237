//! Helpers shared by the integration tests; each test binary uses a different part of them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod canned;
pub mod demo_flow;
pub mod gui;
pub mod hostile;
pub mod npm;
pub mod oidc_provider;
pub mod process;
