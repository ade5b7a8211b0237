//! The integration tests, one binary: each module was its own test binary once, and every one
//! of them linked all of the crate's dependencies again (~4 GiB of `target/` in all, more than
//! a small CI machine has free). `cargo test --test it MODULE::` runs one part.

mod support;

mod architecture;
mod audit;
mod bad_providers;
mod browser_agent;
mod cli;
mod clipboard;
mod export;
mod flow_demo;
mod gui;
mod gui_keep;
mod gui_keyboard;
mod gui_playback;
mod gui_replay;
mod hostile_clients;
mod hostile_providers;
mod oidc_provider;
