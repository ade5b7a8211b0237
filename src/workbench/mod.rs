//! What a person works with, shared by the window and the command line: the runs, which of
//! their commands are still in flight, and the experiment runner. No egui, no clap: the GUI
//! calls [`Workbench::poll`] each frame, the CLI blocks in [`Workbench::wait_idle`], and both
//! see the same [`Happened`]s.

pub mod audit;
mod record;
mod run;
mod runner;
mod take;

use std::time::Duration;

use crate::config::ProviderConfig;
pub use crate::engine::discovery::Discovered;
use crate::engine::{
    CancelWhy, Command, Engine, Event, ReplayRequest, Report, RunId, RunOptions, UserAgentKind,
};
use crate::protocol::edit::Edit;
use crate::trace::{StepId, Trace, Update};
pub use audit::{AuditCheck, Experiment, Finding};
pub use record::RunRecord;
pub use run::{Activity, Audit, Judged, Run};
pub use take::{Take, TakeEnd, TakeKind, Takes};

/// Something the workbench took in, for a consumer that shows it as it happens.
// Most are trace updates, handed on as they came; boxing them would add an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Happened {
    /// The run's trace changed.
    Trace { run: RunId, update: Update },
    /// An experiment's commands were sent.
    ExperimentStarted { run: RunId, experiment: Experiment },
    /// An experiment got its verdict (or was skipped, with the reason).
    Judged { run: RunId, experiment: Experiment },
    /// The run has no unfinished commands and no experiments waiting.
    Idle { run: RunId },
    /// A discovery asked for with [`Workbench::discover`] is done.
    Discovered(Discovered),
    /// The run's audit has its report.
    Audited { run: RunId },
}

pub struct Workbench {
    engine: Engine,
    runs: Vec<Run>,
    next_run: RunId,
}

impl Workbench {
    /// Starts the engine; `wake` is called whenever there is something to `poll`.
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> std::io::Result<Workbench> {
        Ok(Workbench {
            engine: Engine::start(wake)?,
            runs: Vec::new(),
            next_run: 1,
        })
    }

    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    pub fn run(&self, id: RunId) -> Option<&Run> {
        self.runs.iter().find(|r| r.id == id)
    }

    fn run_mut(&mut self, id: RunId) -> Option<&mut Run> {
        self.runs.iter_mut().find(|r| r.id == id)
    }

    /// Starts a run against `provider`; the engine cancels every other run first.
    pub fn start(&mut self, provider: ProviderConfig, options: RunOptions) -> RunId {
        let id = self.next_run;
        self.next_run += 1;
        for run in &mut self.runs {
            run.forget_experiments("cancelled: a new run was started");
        }
        let scripted = matches!(options.user_agent, UserAgentKind::Scripted { .. });
        let mut run = Run::new(id, Trace::new(&provider.name), provider.clone(), scripted);
        let command = self.engine.send(Command::Start {
            run: id,
            provider: Box::new(provider),
            options,
        });
        run.sent(command);
        run.takes.main_command(command);
        self.runs.push(run);
        id
    }

    /// Adds a run from a saved record (`from` names its file); nothing is sent, and the engine
    /// knows nothing of it until it is replayed.
    pub fn reopen(&mut self, record: RunRecord, from: impl Into<String>) -> RunId {
        let id = self.next_run;
        self.next_run += 1;
        self.runs.push(Run::reopened(id, record, from.into()));
        id
    }

    /// Lets a reopened run be sent on again: the engine takes it on with `provider` (the saved
    /// settings with the client secret the user typed, which no file holds) and goes on from
    /// its trace. Its experiments then plan with `provider` too.
    pub fn connect(&mut self, run: RunId, provider: ProviderConfig, options: RunOptions) {
        let Some(r) = self.run_mut(run) else { return };
        if r.sendable() {
            return;
        }
        r.connected = true;
        r.scripted = matches!(options.user_agent, UserAgentKind::Scripted { .. });
        r.config = provider.clone();
        let trace = Box::new(r.trace.clone());
        let id = self.engine.send(Command::Adopt {
            run,
            provider: Box::new(provider),
            options,
            trace,
        });
        if let Some(r) = self.run_mut(run) {
            r.sent(id);
        }
    }

    /// Sends a replay or prepare of `run` (what `command` names), remembering `activity` for the
    /// banner. Returns the take that records it.
    pub fn send(&mut self, command: Command, activity: Option<Activity>) -> Option<usize> {
        let run = command.run();
        let r = self.run_mut(run)?;
        let take = match &command {
            Command::Replay { step, .. } => Some(r.takes.for_send(*step, &r.trace)),
            Command::Prepare { step, .. } => Some(r.takes.open(TakeKind::Sent(*step))),
            _ => None,
        };
        self.send_into(command, activity, take);
        take
    }

    /// Sends `command`, its updates recorded into `take` (when given).
    fn send_into(&mut self, command: Command, activity: Option<Activity>, take: Option<usize>) {
        let run = command.run();
        let id = self.engine.send(command);
        if let Some(r) = self.run_mut(run) {
            r.sent(id);
            if let Some(take) = take {
                r.takes.assign(id, take);
            }
            if activity.is_some() {
                r.activity = activity;
            }
        }
    }

    /// Gets a new code (A–C) and sends D with `edits` applied, as one take.
    pub fn send_with_fresh_code(
        &mut self,
        run: RunId,
        edits: Vec<Edit>,
        continue_flow: bool,
    ) -> Option<usize> {
        let r = self.run_mut(run)?;
        let take = r.takes.open(TakeKind::Sent(StepId::D));
        let fresh_code = Command::Replay {
            run,
            step: StepId::A,
            request: ReplayRequest::Default,
            edits: Vec::new(),
            continue_flow: false,
        };
        self.send_into(fresh_code, Some(Activity::Sent(StepId::A)), Some(take));
        let token = Command::Replay {
            run,
            step: StepId::D,
            request: ReplayRequest::Default,
            edits,
            continue_flow,
        };
        self.send_into(token, Some(Activity::Sent(StepId::D)), Some(take));
        Some(take)
    }

    /// Sends `step` of `run` again from `request` with `edits`; returns the take that records it.
    pub fn replay(
        &mut self,
        run: RunId,
        step: StepId,
        request: ReplayRequest,
        edits: Vec<Edit>,
        continue_flow: bool,
    ) -> Option<usize> {
        self.send(
            Command::Replay {
                run,
                step,
                request,
                edits,
                continue_flow,
            },
            Some(Activity::Sent(step)),
        )
    }

    /// Names what the run's banner reports on (the GUI's "Show" of an experiment).
    pub fn set_activity(&mut self, run: RunId, activity: Activity) {
        if let Some(r) = self.run_mut(run) {
            r.activity = Some(activity);
        }
    }

    /// How long `run`'s experiments may wait for a code or a token to expire (`code-lifetime`,
    /// `expired-access-token`); zero, the default, skips them.
    pub fn set_wait(&mut self, run: RunId, wait: Duration) {
        if let Some(r) = self.run_mut(run) {
            r.wait = wait;
        }
    }

    /// Cancels what `run` is doing; its queued experiments are dropped with the reason.
    pub fn cancel(&mut self, run: RunId, why: CancelWhy) {
        if let Some(r) = self.run_mut(run) {
            r.forget_experiments(why.words());
        }
        self.send(Command::Cancel { run, why }, None);
    }

    /// Fetches `issuer`'s metadata through the engine, so its requests are recorded like a
    /// run's; [`Happened::Discovered`] brings the answer.
    pub fn discover(&mut self, issuer: &str) {
        self.engine.send(Command::Discover {
            issuer: issuer.trim().to_owned(),
        });
    }

    /// Queues `experiments` on `run`, after any already queued; each is checked for
    /// applicability when its turn comes and skipped with the reason when it does not apply.
    pub fn run_experiments(&mut self, run: RunId, experiments: &[Experiment]) {
        let Some(r) = self.run_mut(run) else { return };
        r.complete_config();
        r.activity = Some(match experiments {
            [one] => Activity::Experiment(*one),
            _ => Activity::AllExperiments,
        });
        r.queue_experiments(experiments);
        let mut happened = Vec::new();
        self.advance(run, &mut happened);
    }

    /// Audits the provider on `run` (after its first flow): queues the active `checks`, fetches
    /// the metadata when the run has an issuer but did not discover, and writes the report
    /// ([`Happened::Audited`]) when everything has been judged.
    pub fn audit(&mut self, run: RunId, checks: Vec<AuditCheck>) {
        let Some(r) = self.run_mut(run) else { return };
        r.complete_config();
        r.activity = Some(Activity::Audit);
        let discovered = r
            .trace
            .step(StepId::A)
            .attempts
            .first()
            .is_some_and(|a| !a.exchanges.is_empty());
        let issuer = r
            .config
            .issuer
            .clone()
            .filter(|i| !i.trim().is_empty() && !discovered);
        r.start_audit(checks, issuer.clone());
        if let Some(issuer) = issuer {
            self.discover(&issuer);
        }
        let mut happened = Vec::new();
        self.advance(run, &mut happened);
        self.settle(run, &mut happened);
    }

    /// Takes in whatever the engine reported, without blocking.
    pub fn poll(&mut self) -> Vec<Happened> {
        let mut happened = Vec::new();
        while let Some(event) = self.engine.try_recv() {
            self.take_in(event, &mut happened);
        }
        happened
    }

    /// Blocks until `run` is idle (or `timeout` passes with no news), showing each thing that
    /// happened to `on` as it comes.
    pub fn wait_idle(
        &mut self,
        run: RunId,
        timeout: Duration,
        mut on: impl FnMut(&Run, &Happened),
    ) {
        let mut happened = Vec::new();
        loop {
            if self.run(run).is_none_or(|r| !r.busy()) {
                return;
            }
            let Some(event) = self.engine.recv_timeout(timeout) else {
                return;
            };
            self.take_in(event, &mut happened);
            for h in happened.drain(..) {
                if let Some(r) = self.run(run) {
                    on(r, &h);
                }
            }
        }
    }

    fn take_in(&mut self, event: Event, happened: &mut Vec<Happened>) {
        let Event { run, report } = event;
        match report {
            Report::Discovered(discovered) => {
                let for_audit = self.runs.iter_mut().find_map(|r| {
                    r.metadata_arrived(&discovered.issuer, &discovered.exchanges)
                        .then_some(r.id)
                });
                match for_audit {
                    Some(run) => {
                        self.advance(run, happened);
                        self.settle(run, happened);
                    }
                    None => happened.push(Happened::Discovered(discovered)),
                }
            }
            Report::Trace { command, update } => {
                if let Some(r) = self.run_mut(run) {
                    r.trace.apply(&update);
                    r.takes.record(command, &update);
                    happened.push(Happened::Trace { run, update });
                }
            }
            Report::Finished { command, outcome } => {
                // A discovery's (on no run) needs nothing more than its answer.
                let Some(r) = self.run_mut(run) else { return };
                r.finished(command, &outcome);
                self.advance(run, happened);
                self.settle(run, happened);
            }
        }
    }

    /// When `run` has nothing left to do: its audit's report, then `Idle`.
    fn settle(&mut self, run: RunId, happened: &mut Vec<Happened>) {
        let Some(r) = self.run_mut(run) else { return };
        if r.busy() {
            return;
        }
        if r.finish_audit() {
            happened.push(Happened::Audited { run });
        }
        happened.push(Happened::Idle { run });
    }

    /// Sends the next queued experiment of `run` when nothing else is in flight; the ones that
    /// do not apply are judged skipped on the way.
    fn advance(&mut self, run: RunId, happened: &mut Vec<Happened>) {
        loop {
            let Some(r) = self.run_mut(run) else { return };
            let Some(next) = r.next_experiment() else {
                return;
            };
            match next {
                runner::Next::Skipped(experiment, _) | runner::Next::Done(experiment, ..) => {
                    happened.push(Happened::Judged { run, experiment });
                }
                runner::Next::Send {
                    experiment,
                    commands,
                    first,
                } => {
                    if first && let Some(r) = self.run_mut(run) {
                        r.takes.experiment_started(experiment);
                    }
                    let ids: Vec<_> = commands.into_iter().map(|c| self.engine.send(c)).collect();
                    if let Some(r) = self.run_mut(run) {
                        r.takes.experiment_sent(&ids);
                        r.experiment_sent(ids);
                    }
                    if first {
                        happened.push(Happened::ExperimentStarted { run, experiment });
                    }
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
