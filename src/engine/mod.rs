//! Runs flows: sends the protocol layer's request values over real HTTP, opens the browser,
//! waits on the loopback listener, and reports every change as a [`trace::Update`].
//!
//! The [`Engine`] owns a tokio runtime on its own thread; consumers send [`Command`]s and drain
//! [`Event`]s from a std channel, woken by the callback they injected (the GUI passes
//! `request_repaint`), so nothing polls. Every command gets an id when it is sent, and exactly
//! one [`Report::Finished`] for it comes back — also for a command a cancel dropped — so a
//! consumer knows a run is idle when it has no unfinished commands.

mod browser;
pub mod discovery;
mod flow;
pub mod forms;
pub mod http;
pub mod listener;
mod recorder;
mod scripted;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::config::ProviderConfig;
use crate::protocol::edit::Edit;
use crate::protocol::http::HttpRequest;
use crate::trace::{StepId, Stop, StopReason, Trace, Update};
use recorder::{Emit, Recorder};

/// Who plays the resource owner's browser in steps A–C.
#[derive(Clone, Debug, PartialEq)]
pub enum UserAgentKind {
    /// The system browser (webbrowser crate, honours `$BROWSER`).
    System,
    /// Only show the URL; the person opens it wherever they like.
    Print,
    /// A scripted login: follows redirects and fills the login and consent forms, with the
    /// built-in HTTP agent or a real browser (`driver`).
    Scripted {
        username: String,
        password: String,
        /// Press "deny" on the consent page (to see `access_denied`).
        deny_consent: bool,
        /// Values for named fields of any form the agent submits (a tenant, a `login_hint`).
        form_fields: Vec<(String, String)>,
        driver: Driver,
    },
}

/// What carries a scripted login out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Driver {
    /// The built-in HTTP agent: server-rendered forms, every request shown as sent.
    #[default]
    Http,
    /// A headless Chromium from the system, over the DevTools protocol: logins built by
    /// JavaScript too; each page recorded with a screenshot.
    Chromium,
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
    /// One step at a time: stop before A, D and F with the request prepared and unsent (B and
    /// C are the browser's); each is sent when the user asks (a replay of the prepared step
    /// that goes on to the next stop).
    pub step_mode: bool,
    /// The implicit grant (`response_type=token`) instead of the code flow: for the lesson that
    /// shows why it is not recommended. The token comes back in the redirect URL's fragment,
    /// which a browser never sends on, so only the scripted user agent can hand it over.
    pub implicit: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            user_agent: UserAgentKind::System,
            http_timeout: Duration::from_secs(30),
            callback_timeout: Duration::from_secs(300),
            body_limit: 10 * 1024 * 1024,
            pause_after: None,
            step_mode: false,
            implicit: false,
        }
    }
}

pub type RunId = u64;

/// Names a command sent to the engine; its [`Report::Finished`] carries the same id.
pub type CommandId = u64;

/// The id of the engine's own housekeeping work, which is never reported: `Engine::send`
/// numbers commands from 1.
pub(crate) const INTERNAL: CommandId = 0;

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
    /// Takes on a run saved earlier (reopened from a file) so it can be sent on again: its trace
    /// goes on from where it was, with what the file kept of the code, verifier and tokens
    /// (masked ones are gone: the step that needs one says so). No other run is cancelled, and
    /// nothing is sent until a replay.
    Adopt {
        run: RunId,
        provider: Box<ProviderConfig>,
        options: RunOptions,
        trace: Box<Trace>,
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
    /// Cancels what the run is doing (its open steps end as skipped, for `why`) and drops what
    /// it had queued; each dropped command finishes as [`CommandOutcome::Dropped`].
    Cancel { run: RunId, why: CancelWhy },
    /// Waits on the run's queue, so what is sent after it goes later: an experiment lets a code
    /// or a token age. A cancel drops it.
    Wait { run: RunId, duration: Duration },
    /// Fetches `issuer`'s metadata for a form, before any run: reported as
    /// [`Report::Discovered`] on [`NO_RUN`], with every request it made.
    Discover { issuer: String },
}

/// Why a person stopped a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelWhy {
    /// Cancel.
    User,
    /// The browser shows the provider's error page, so no redirect will come back (with "Just
    /// show me the URL" or the system browser, oauthviz cannot see the page itself).
    ErrorPage,
}

impl CancelWhy {
    pub fn words(self) -> &'static str {
        match self {
            CancelWhy::User => "cancelled by the user",
            CancelWhy::ErrorPage => {
                "the provider showed an error page instead of redirecting back (as the user saw it in the browser)"
            }
        }
    }
}

/// The run of events that belong to none (a discovery asked for from a form); runs are
/// numbered from 1.
pub const NO_RUN: RunId = 0;

impl Command {
    pub fn run(&self) -> RunId {
        match self {
            Command::Start { run, .. }
            | Command::Adopt { run, .. }
            | Command::Replay { run, .. }
            | Command::Prepare { run, .. }
            | Command::Cancel { run, .. }
            | Command::Wait { run, .. } => *run,
            Command::Discover { .. } => NO_RUN,
        }
    }
}

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandOutcome {
    /// It ran to its end (the trace says how the steps went).
    Completed,
    /// A cancel or a newer run dropped it, queued or half done.
    Dropped,
    /// The engine could not take it (an unknown run); the words say why.
    Rejected(String),
}

/// What the engine reports about a run.
// Most reports are trace updates; boxing them would only add an allocation per update.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// A change to the run's trace, made by `command` (0 for the engine's own: a cancel
    /// marking the open steps skipped).
    Trace { command: CommandId, update: Update },
    /// A command is done: sent exactly once for every command the engine was sent.
    Finished {
        command: CommandId,
        outcome: CommandOutcome,
    },
    /// What a [`Command::Discover`] found, before its `Finished`.
    Discovered(discovery::Discovered),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub run: RunId,
    pub report: Report,
}

/// The engine thread and its channels. Dropping it cancels the current run and joins the thread.
pub struct Engine {
    commands: Option<mpsc::UnboundedSender<(CommandId, Command)>>,
    next_command: AtomicU64,
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
            next_command: AtomicU64::new(1),
            events: ev_rx,
            thread: Some(thread),
        })
    }

    /// Sends `command`; its `Finished` report will carry the id returned.
    pub fn send(&self, command: Command) -> CommandId {
        let id = self.next_command.fetch_add(1, Ordering::Relaxed);
        if let Some(tx) = &self.commands {
            // Fails only once the engine thread is gone, when there is nobody left to tell.
            let _ = tx.send((id, command));
        }
        id
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
        self.command_blocking(
            Command::Start {
                run,
                provider: Box::new(provider),
                options,
            },
            &mut trace,
            on_update,
        );
        trace
    }

    /// Sends `command` and blocks until it finished, folding its run's updates into `trace`.
    /// For tests: it ignores other runs' events, which a consumer of several runs must not.
    pub fn command_blocking(
        &self,
        command: Command,
        trace: &mut Trace,
        mut on_update: impl FnMut(&Trace, &Update),
    ) -> CommandOutcome {
        let run = command.run();
        let id = self.send(command);
        while let Ok(event) = self.events.recv() {
            if event.run != run {
                continue;
            }
            match event.report {
                Report::Trace { update, .. } => {
                    trace.apply(&update);
                    on_update(trace, &update);
                }
                Report::Finished { command, outcome } if command == id => return outcome,
                Report::Finished { .. } | Report::Discovered(_) => {}
            }
        }
        CommandOutcome::Dropped
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
    id: RunId,
    recorder: Recorder,
    /// `None` when the run could not be set up (see `dispatch`).
    session: Arc<tokio::sync::Mutex<Option<flow::Session>>>,
    /// The run's work, done by one task in the order it was sent: an experiment's commands
    /// build on each other, so they must not overtake one another.
    queue: mpsc::UnboundedSender<(CommandId, Work)>,
    worker: tokio::task::JoinHandle<()>,
    /// Commands queued or running. Whoever removes an id reports it finished — the worker
    /// when the work is done, a cancel when it drops it — so each is reported exactly once.
    unfinished: Arc<Mutex<Vec<CommandId>>>,
    emit: Emit,
}

type Work = Box<dyn for<'a> FnOnce(&'a Recorder, &'a mut flow::Session) -> BoxFuture<'a> + Send>;

impl Run {
    fn new(id: RunId, recorder: Recorder, session: Option<flow::Session>, emit: Emit) -> Run {
        let session = Arc::new(tokio::sync::Mutex::new(session));
        let unfinished = Arc::new(Mutex::new(Vec::new()));
        let (queue, worker) = Self::worker(id, &recorder, &session, &unfinished, &emit);
        Run {
            id,
            recorder,
            session,
            queue,
            worker,
            unfinished,
            emit,
        }
    }

    fn worker(
        run: RunId,
        recorder: &Recorder,
        session: &Arc<tokio::sync::Mutex<Option<flow::Session>>>,
        unfinished: &Arc<Mutex<Vec<CommandId>>>,
        emit: &Emit,
    ) -> (
        mpsc::UnboundedSender<(CommandId, Work)>,
        tokio::task::JoinHandle<()>,
    ) {
        let (tx, mut rx) = mpsc::unbounded_channel::<(CommandId, Work)>();
        let recorder = recorder.for_task();
        let session = session.clone();
        let unfinished = unfinished.clone();
        let emit = emit.clone();
        let worker = tokio::spawn(async move {
            while let Some((id, work)) = rx.recv().await {
                {
                    let mut guard = session.lock().await;
                    let recorder = recorder.for_command(id);
                    match guard.as_mut() {
                        Some(s) => work(&recorder, s).await,
                        None => recorder.settle(Some(Stop::at(
                            StepId::A,
                            StopReason::Request("this run never started".into()),
                        ))),
                    }
                }
                if take(&unfinished, id) {
                    emit(finished(run, id, CommandOutcome::Completed));
                }
            }
        });
        (tx, worker)
    }

    /// Stops what the run is doing and drops what was queued; later commands start afresh.
    fn cancel(&mut self, reason: &str) {
        self.worker.abort();
        self.recorder.cancel(reason);
        let dropped = std::mem::take(&mut *lock(&self.unfinished));
        for id in dropped {
            (self.emit)(finished(self.id, id, CommandOutcome::Dropped));
        }
        (self.queue, self.worker) = Self::worker(
            self.id,
            &self.recorder,
            &self.session,
            &self.unfinished,
            &self.emit,
        );
    }

    /// Frees the run's redirect port (a newer run may need it), once the cancelled work has
    /// let go of the session: queued, so it waits for that.
    fn close_listener(&mut self) {
        // Not a command anyone sent: no id in `unfinished`, so nothing reports it.
        let _ = self.queue.send((
            INTERNAL,
            Box::new(|_, s| {
                s.close_listener();
                Box::pin(async {})
            }),
        ));
    }

    /// Queues `work` on this run's session, after everything sent before it.
    fn spawn<F>(&mut self, id: CommandId, work: F)
    where
        F: for<'a> FnOnce(&'a Recorder, &'a mut flow::Session) -> BoxFuture<'a> + Send + 'static,
    {
        lock(&self.unfinished).push(id);
        // The worker lives as long as the run; a send fails only while the engine shuts down.
        let _ = self.queue.send((id, Box::new(work)));
    }
}

fn lock(unfinished: &Mutex<Vec<CommandId>>) -> std::sync::MutexGuard<'_, Vec<CommandId>> {
    // A panic elsewhere leaves the list consistent: ids are pushed and removed whole.
    unfinished.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Removes `id` from the unfinished commands; true when it was still there.
fn take(unfinished: &Mutex<Vec<CommandId>>, id: CommandId) -> bool {
    let mut list = lock(unfinished);
    let found = list.iter().position(|c| *c == id);
    found.map(|i| list.remove(i)).is_some()
}

fn finished(run: RunId, command: CommandId, outcome: CommandOutcome) -> Event {
    Event {
        run,
        report: Report::Finished { command, outcome },
    }
}

async fn dispatch(mut commands: mpsc::UnboundedReceiver<(CommandId, Command)>, emit: Emit) {
    let mut runs: std::collections::HashMap<RunId, Run> = Default::default();
    let defaults = RunOptions::default();
    let client = http::HttpClient::new(defaults.http_timeout, defaults.body_limit);
    while let Some((id, command)) = commands.recv().await {
        let run = command.run();
        match command {
            Command::Start {
                run,
                provider,
                options,
            } => {
                for r in runs.values_mut() {
                    r.cancel("cancelled: a new run was started");
                    r.close_listener();
                }
                let recorder = Recorder::new(run, &provider.name, emit.clone());
                let session = match &client {
                    Ok(client) => Some(flow::Session::new(*provider, options, client)),
                    Err(e) => {
                        recorder.settle(Some(Stop::at(StepId::A, StopReason::Request(e.clone()))));
                        None
                    }
                };
                let mut entry = Run::new(run, recorder, session, emit.clone());
                entry.spawn(id, |rec, s| Box::pin(flow::run_flow(s, rec)));
                runs.insert(run, entry);
            }
            Command::Adopt {
                run,
                provider,
                options,
                trace,
            } => {
                let recorder = Recorder::resumed(run, *trace, emit.clone());
                let session = match &client {
                    Ok(client) => {
                        let mut session = flow::Session::new(*provider, options, client);
                        session.resume(&recorder.trace());
                        Some(session)
                    }
                    Err(e) => {
                        recorder.settle(Some(Stop::at(StepId::A, StopReason::Request(e.clone()))));
                        None
                    }
                };
                runs.insert(run, Run::new(run, recorder, session, emit.clone()));
                emit(finished(run, id, CommandOutcome::Completed));
            }
            Command::Replay {
                run: _,
                step,
                request,
                edits,
                continue_flow,
            } => match runs.get_mut(&run) {
                Some(r) => r.spawn(id, move |rec, s| {
                    Box::pin(async move {
                        let stop = flow::replay(rec, s, step, request, &edits, continue_flow)
                            .await
                            .err();
                        rec.settle(stop);
                    })
                }),
                None => emit(unknown(run, id)),
            },
            Command::Prepare { run: _, step } => match runs.get_mut(&run) {
                Some(r) => r.spawn(id, move |rec, s| {
                    Box::pin(async move {
                        if let Err(stop) = flow::prepare_step(rec, s, step) {
                            rec.settle(Some(stop));
                        }
                    })
                }),
                None => emit(unknown(run, id)),
            },
            Command::Wait { run: _, duration } => match runs.get_mut(&run) {
                Some(r) => r.spawn(id, move |_, _| Box::pin(tokio::time::sleep(duration))),
                None => emit(unknown(run, id)),
            },
            Command::Cancel { run: _, why } => {
                if let Some(r) = runs.get_mut(&run) {
                    r.cancel(why.words());
                }
                emit(finished(run, id, CommandOutcome::Completed));
            }
            Command::Discover { issuer } => {
                let client = client
                    .as_ref()
                    .map(|c| {
                        c.with_limits(discovery::DISCOVERY_TIMEOUT, discovery::METADATA_BODY_LIMIT)
                    })
                    .map_err(Clone::clone);
                let emit = emit.clone();
                // Not a run's work: it waits on no session and nothing cancels it.
                tokio::spawn(async move {
                    let discovered = match client {
                        Ok(client) => discovery::discover(&client, &issuer).await,
                        Err(e) => discovery::Discovered {
                            issuer,
                            metadata: Err(e.clone()),
                            exchanges: Vec::new(),
                        },
                    };
                    emit(Event {
                        run: NO_RUN,
                        report: Report::Discovered(discovered),
                    });
                    emit(finished(NO_RUN, id, CommandOutcome::Completed));
                });
            }
        }
    }
    for r in runs.values_mut() {
        r.cancel("the engine stopped");
    }
}

fn unknown(run: RunId, command: CommandId) -> Event {
    finished(
        run,
        command,
        CommandOutcome::Rejected(format!(
            "run {run} is not known to the engine: start a run first"
        )),
    )
}
