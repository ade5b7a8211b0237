//! What a person works with, shared by the window and the command line: the runs, which of
//! their commands are still in flight, and the experiment runner. No egui, no clap: the GUI
//! calls [`Workbench::poll`] each frame, the CLI blocks in [`Workbench::wait_idle`], and both
//! see the same [`Happened`]s.

pub mod audit;
mod record;
mod run;
mod runner;

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
    /// banner.
    pub fn send(&mut self, command: Command, activity: Option<Activity>) {
        let run = command.run();
        if self.run(run).is_none() {
            return;
        }
        let id = self.engine.send(command);
        if let Some(r) = self.run_mut(run) {
            r.sent(id);
            if activity.is_some() {
                r.activity = activity;
            }
        }
    }

    /// Sends `step` of `run` again from `request` with `edits`.
    pub fn replay(
        &mut self,
        run: RunId,
        step: StepId,
        request: ReplayRequest,
        edits: Vec<Edit>,
        continue_flow: bool,
    ) {
        self.send(
            Command::Replay {
                run,
                step,
                request,
                edits,
                continue_flow,
            },
            Some(Activity::Sent(step)),
        );
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
            Report::Trace(update) => {
                if let Some(r) = self.run_mut(run) {
                    r.trace.apply(&update);
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
                    let ids: Vec<_> = commands.into_iter().map(|c| self.engine.send(c)).collect();
                    if let Some(r) = self.run_mut(run) {
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
