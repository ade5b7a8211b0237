//! Runs flows: sends the protocol layer's request values over real HTTP, opens the browser,
//! waits on the loopback listener, and reports every change as a [`trace::Update`].
//!
//! The [`Engine`] owns a tokio runtime on its own thread; consumers send [`Command`]s and drain
//! [`Event`]s from a std channel, woken by the callback they injected (the GUI passes
//! `request_repaint`), so nothing polls.

use std::time::Duration;

use crate::config::ProviderConfig;
use crate::trace::Update;

/// Who plays the resource owner's browser in steps A–C.
#[derive(Clone, Debug, PartialEq)]
pub enum UserAgentKind {
    /// The system browser (webbrowser crate, honours `$BROWSER`).
    System,
    /// Only show the URL; the person opens it wherever they like.
    Print,
    /// The built-in HTTP agent: follows redirects and fills the login and consent forms.
    Scripted { username: String, password: String },
}

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub user_agent: UserAgentKind,
    /// Per HTTP call.
    pub http_timeout: Duration,
    /// How long the listener waits for the redirect (C).
    pub callback_timeout: Duration,
    /// Largest response body read, in bytes.
    pub body_limit: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            user_agent: UserAgentKind::System,
            http_timeout: Duration::from_secs(30),
            callback_timeout: Duration::from_secs(300),
            body_limit: 10 * 1024 * 1024,
        }
    }
}

pub type RunId = u64;

#[derive(Clone, Debug)]
pub enum Command {
    /// Starts a run; a run still going is cancelled first.
    Start {
        run: RunId,
        provider: Box<ProviderConfig>,
        options: RunOptions,
    },
    /// Cancels the current run (its open steps end as skipped).
    Cancel,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub run: RunId,
    pub update: Update,
}
