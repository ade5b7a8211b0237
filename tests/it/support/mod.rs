//! Helpers shared by the integration tests' modules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod canned;
pub mod demo_flow;
pub mod gui;
pub mod hostile;
pub mod npm;
pub mod oidc_provider;
pub mod process;
