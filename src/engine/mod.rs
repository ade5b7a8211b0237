//! Runs flows: sends the protocol layer's request values over real HTTP, opens the browser,
//! waits on the loopback listener, and reports every change as a [`trace::Update`].
//!
//! The [`Engine`] owns a tokio runtime on its own thread; consumers send [`Command`]s and drain
//! [`Event`]s from a std channel, woken by the callback they injected (the GUI passes
//! `request_repaint`), so nothing polls.

pub mod discovery;
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
use crate::protocol::edit::Edit;
use crate::protocol::http::HttpRequest;
use crate::trace::{StepId, Trace, Update};
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
    /// Stop after this step succeeds and prepare the next request unsent, so it can be edited
    /// before it uses up the code (C) or the token (E).
    pub pause_after: Option<StepId>,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            user_agent: UserAgentKind::System,
            http_timeout: Duration::from_secs(30),
            callback_timeout: Duration::from_secs(300),
            body_limit: 10 * 1024 * 1024,
            pause_after: None,
        }
    }
}

pub type RunId = u64;

/// Which request a replay starts from.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplayRequest {
    /// What the step would send now, built from the run so far (fresh state for A, the latest
    /// code for D, the latest token for F, the latest refresh token for Refresh).
    Default,
    /// The step's latest recorded request, byte for byte.
    Latest,
    /// Exactly this request (as edited in the inspector).
    Exact(HttpRequest),
}

#[derive(Clone, Debug)]
pub enum Command {
    /// Starts a run; a run still going is cancelled first.
    Start {
        run: RunId,
        provider: Box<ProviderConfig>,
        options: RunOptions,
    },
    /// Sends `step` of an earlier run again: the chosen request with `edits` applied; with
    /// `continue_flow`, goes on to G from there (a new code goes on to D, a new token to F).
    Replay {
        run: RunId,
        step: StepId,
        request: ReplayRequest,
        edits: Vec<Edit>,
        continue_flow: bool,
    },
    /// Records the request `step` would send as an unsent attempt, to be edited and replayed.
    Prepare { run: RunId, step: StepId },
    /// Cancels whatever is in flight (its open steps end as skipped).
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
        on_update: impl FnMut(&Trace, &Update),
    ) -> Trace {
        let mut trace = Trace::new(&provider.name);
        self.send(Command::Start {
            run,
            provider: Box::new(provider),
            options,
        });
        self.wait_finished(run, &mut trace, on_update);
        trace
    }

    /// Sends `command` (a replay or prepare of `run`) and blocks until the run settles again,
    /// folding the updates into `trace`.
    pub fn command_blocking(
        &self,
        command: Command,
        trace: &mut Trace,
        on_update: impl FnMut(&Trace, &Update),
    ) {
        let run = match &command {
            Command::Replay { run, .. }
            | Command::Prepare { run, .. }
            | Command::Start { run, .. } => *run,
            Command::Cancel => return self.send(command),
        };
        self.send(command);
        self.wait_finished(run, trace, on_update);
    }

    fn wait_finished(
        &self,
        run: RunId,
        trace: &mut Trace,
        mut on_update: impl FnMut(&Trace, &Update),
    ) {
        while let Ok(event) = self.events.recv() {
            if event.run != run {
                continue;
            }
            trace.apply(&event.update);
            on_update(trace, &event.update);
            if matches!(event.update, Update::Finished { .. }) {
                break;
            }
        }
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

type BoxFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>;

/// A run the engine remembers, so its steps can be replayed after it finished.
struct Run {
    recorder: Recorder,
    /// `None` when the run could not be set up (see `dispatch`).
    session: Arc<tokio::sync::Mutex<Option<flow::Session>>>,
    /// The run's work, done by one task in the order it was sent: an experiment's commands
    /// build on each other, so they must not overtake one another.
    queue: mpsc::UnboundedSender<Work>,
    worker: tokio::task::JoinHandle<()>,
}

type Work = Box<dyn for<'a> FnOnce(&'a Recorder, &'a mut flow::Session) -> BoxFuture<'a> + Send>;

impl Run {
    fn new(recorder: Recorder, session: Option<flow::Session>) -> Run {
        let session = Arc::new(tokio::sync::Mutex::new(session));
        let (queue, worker) = Self::worker(&recorder, &session);
        Run {
            recorder,
            session,
            queue,
            worker,
        }
    }

    fn worker(
        recorder: &Recorder,
        session: &Arc<tokio::sync::Mutex<Option<flow::Session>>>,
    ) -> (mpsc::UnboundedSender<Work>, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Work>();
        let recorder = recorder.for_task();
        let session = session.clone();
        let worker = tokio::spawn(async move {
            while let Some(work) = rx.recv().await {
                let mut guard = session.lock().await;
                match guard.as_mut() {
                    Some(s) => work(&recorder, s).await,
                    None => recorder.settle(Some((StepId::A, "this run never started".into()))),
                }
            }
        });
        (tx, worker)
    }

    /// Stops what the run is doing and drops what was queued; later commands start afresh.
    fn cancel(&mut self, reason: &str) {
        self.worker.abort();
        self.recorder.cancel(reason);
        (self.queue, self.worker) = Self::worker(&self.recorder, &self.session);
    }

    /// Queues `work` on this run's session, after everything sent before it.
    fn spawn<F>(&mut self, work: F)
    where
        F: for<'a> FnOnce(&'a Recorder, &'a mut flow::Session) -> BoxFuture<'a> + Send + 'static,
    {
        // The worker lives as long as the run; a send fails only while the engine shuts down.
        let _ = self.queue.send(Box::new(work));
    }
}

async fn dispatch(mut commands: mpsc::UnboundedReceiver<Command>, emit: Emit) {
    let mut runs: std::collections::HashMap<RunId, Run> = Default::default();
    let defaults = RunOptions::default();
    let client = http::HttpClient::new(defaults.http_timeout, defaults.body_limit);
    while let Some(command) = commands.recv().await {
        match command {
            Command::Start {
                run,
                provider,
                options,
            } => {
                for r in runs.values_mut() {
                    r.cancel("cancelled: a new run was started");
                    r.spawn(|_, s| {
                        s.close_listener();
                        Box::pin(async {})
                    });
                }
                let recorder = Recorder::new(run, &provider.name, emit.clone());
                let session = match &client {
                    Ok(client) => Some(flow::Session::new(*provider, options, client)),
                    Err(e) => {
                        recorder.settle(Some((StepId::A, e.clone())));
                        None
                    }
                };
                let mut entry = Run::new(recorder, session);
                entry.spawn(|rec, s| Box::pin(flow::run_flow(s, rec)));
                runs.insert(run, entry);
            }
            Command::Replay {
                run,
                step,
                request,
                edits,
                continue_flow,
            } => match runs.get_mut(&run) {
                Some(r) => r.spawn(move |rec, s| {
                    Box::pin(async move {
                        let stop = flow::replay(rec, s, step, request, &edits, continue_flow)
                            .await
                            .err();
                        rec.settle(stop);
                    })
                }),
                None => emit(Event {
                    run,
                    update: Update::Finished {
                        ok: false,
                        failed_step: Some(step),
                        reason: Some(format!(
                            "run {run} is not known to the engine: start a run first"
                        )),
                    },
                }),
            },
            Command::Prepare { run, step } => {
                if let Some(r) = runs.get_mut(&run) {
                    r.spawn(move |rec, s| {
                        Box::pin(async move {
                            if let Err(stop) = flow::prepare_step(rec, s, step) {
                                rec.settle(Some(stop));
                            }
                        })
                    });
                }
            }
            Command::Cancel => {
                for r in runs.values_mut() {
                    r.cancel("cancelled by the user");
                }
            }
        }
    }
    for r in runs.values_mut() {
        r.cancel("the engine stopped");
    }
}
