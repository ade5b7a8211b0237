//! Runs flows: sends the protocol layer's request values over real HTTP, opens the browser,
//! waits on the loopback listener, and reports every change as a [`trace::Update`].
//!
//! The [`Engine`] owns a tokio runtime on its own thread; consumers send [`Command`]s and drain
//! [`Event`]s from a std channel, woken by the callback they injected (the GUI passes
//! `request_repaint`), so nothing polls.

mod flow;
mod forms;
pub mod http;
pub mod listener;
mod recorder;
mod scripted;

use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::ProviderConfig;
use crate::trace::{Trace, Update};
use recorder::{Emit, Recorder};

/// Who plays the resource owner's browser in steps A–C.
#[derive(Clone, Debug, PartialEq)]
pub enum UserAgentKind {
    /// The system browser (webbrowser crate, honours `$BROWSER`).
    System,
    /// Only show the URL; the person opens it wherever they like.
    Print,
    /// The built-in HTTP agent: follows redirects and fills the login and consent forms.
    Scripted {
        username: String,
        password: String,
        /// Press "deny" on the consent page (to see `access_denied`).
        deny_consent: bool,
    },
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

/// The engine thread and its channels. Dropping it cancels the current run and joins the thread.
pub struct Engine {
    commands: Option<mpsc::UnboundedSender<Command>>,
    events: std_mpsc::Receiver<Event>,
    thread: Option<JoinHandle<()>>,
}

impl Engine {
    /// Starts the engine thread; `wake` is called after every event is queued.
    pub fn start(wake: impl Fn() + Send + Sync + 'static) -> std::io::Result<Engine> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("oauthviz-engine-worker")
            .enable_all()
            .build()?;
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (ev_tx, ev_rx) = std_mpsc::channel();
        let emit: Emit = Arc::new(move |event| {
            // A consumer that went away does not stop the run; its events are just dropped.
            if ev_tx.send(event).is_ok() {
                wake();
            }
        });
        let thread = std::thread::Builder::new()
            .name("oauthviz-engine".into())
            .spawn(move || runtime.block_on(dispatch(cmd_rx, emit)))?;
        Ok(Engine {
            commands: Some(cmd_tx),
            events: ev_rx,
            thread: Some(thread),
        })
    }

    pub fn send(&self, command: Command) {
        if let Some(tx) = &self.commands {
            // Fails only once the engine thread is gone, when there is nobody left to tell.
            let _ = tx.send(command);
        }
    }

    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Blocks for the next event (`None` after `timeout`, or when the engine has stopped).
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Starts a run and blocks until it finishes, returning its trace; `on_update` sees each change.
    /// For the CLI and tests: the GUI drains events without blocking instead.
    pub fn run_blocking(
        &self,
        run: RunId,
        provider: ProviderConfig,
        options: RunOptions,
        mut on_update: impl FnMut(&Trace, &Update),
    ) -> Trace {
        let mut trace = Trace::new(&provider.name);
        self.send(Command::Start {
            run,
            provider: Box::new(provider),
            options,
        });
        while let Ok(event) = self.events.recv() {
            if event.run != run {
                continue;
            }
            trace.apply(&event.update);
            on_update(&trace, &event.update);
            if trace.finished {
                break;
            }
        }
        trace
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.commands.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Running {
    recorder: Recorder,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn cancel(self, reason: &str) {
        self.task.abort();
        self.recorder.close(false, None, Some(reason.to_owned()));
    }
}

async fn dispatch(mut commands: mpsc::UnboundedReceiver<Command>, emit: Emit) {
    let mut current: Option<Running> = None;
    while let Some(command) = commands.recv().await {
        match command {
            Command::Start {
                run,
                provider,
                options,
            } => {
                if let Some(r) = current.take() {
                    r.cancel("cancelled: a new run was started");
                }
                let recorder = Recorder::new(run, &provider.name, emit.clone());
                let task = tokio::spawn({
                    let recorder = recorder.clone();
                    async move { flow::run_flow(&provider, &options, &recorder).await }
                });
                current = Some(Running { recorder, task });
            }
            Command::Cancel => {
                if let Some(r) = current.take() {
                    r.cancel("cancelled by the user");
                }
            }
        }
    }
    if let Some(r) = current.take() {
        r.cancel("the engine stopped");
    }
}
