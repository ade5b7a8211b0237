//! The experiment queue of one run: each experiment is planned when its turn comes (so it
//! starts from what the run has then), skipped with the reason when it does not apply, sent in
//! stages when a later request needs what an earlier one brought, and judged once its last
//! stage has finished — on the attempts recorded since it began.

use std::collections::VecDeque;

use super::audit::{Experiment, Mark, PlanCtx};
use crate::config::ProviderConfig;
use crate::engine::{Command, CommandId, CommandOutcome, RunId};
use crate::trace::Trace;

#[derive(Default)]
pub struct ExperimentRunner {
    queued: VecDeque<Experiment>,
    current: Option<Current>,
}

/// The experiment carried out now.
struct Current {
    experiment: Experiment,
    /// The stage to plan next.
    stage: usize,
    /// The commands of the stage in flight that have not finished.
    commands: Vec<CommandId>,
    since: Mark,
    /// Why it cannot be judged (a command was dropped or rejected).
    aborted: Option<String>,
}

/// What to do next.
pub enum Next {
    /// Send these commands: they carry the experiment (its `first` stage, or a later one) out.
    Send {
        experiment: Experiment,
        commands: Vec<Command>,
        first: bool,
    },
    /// The experiment does not apply to this run, for this reason.
    Skipped(Experiment, String),
    /// The experiment has sent everything: judge it on what came since the mark, unless the
    /// reason says why it cannot be.
    Done(Experiment, Mark, Option<String>),
}

/// What a plan reads of a run.
pub struct RunView<'a> {
    pub run: RunId,
    pub config: &'a ProviderConfig,
    pub trace: &'a Trace,
    pub scripted: bool,
    pub wait: std::time::Duration,
}

impl ExperimentRunner {
    pub fn queue(&mut self, experiments: &[Experiment]) {
        self.queued.extend(experiments.iter().copied());
    }

    pub fn is_active(&self) -> bool {
        self.current.is_some() || !self.queued.is_empty()
    }

    pub fn current(&self) -> Option<Experiment> {
        self.current.as_ref().map(|c| c.experiment)
    }

    /// Empties the queue; returns the experiments that will not run (the current one first).
    pub fn clear(&mut self) -> Vec<Experiment> {
        self.current
            .take()
            .map(|c| c.experiment)
            .into_iter()
            .chain(self.queued.drain(..))
            .collect()
    }

    /// The next thing to do, planned on the run as it stands; none while commands are in flight.
    pub fn next(&mut self, view: &RunView<'_>) -> Option<Next> {
        let ctx = |since| PlanCtx {
            run: view.run,
            provider: view.config,
            trace: view.trace,
            scripted: view.scripted,
            wait: view.wait,
            dry_run: false,
            since,
        };
        if let Some(cur) = &mut self.current {
            if !cur.commands.is_empty() {
                return None;
            }
            let planned = match cur.aborted.take() {
                Some(why) => Err(why),
                None => cur.experiment.plan(cur.stage, &ctx(&cur.since)),
            };
            match planned {
                Ok(Some(commands)) if !commands.is_empty() => {
                    cur.stage += 1;
                    return Some(Next::Send {
                        experiment: cur.experiment,
                        commands,
                        first: false,
                    });
                }
                done => {
                    let cur = self.current.take()?;
                    return Some(Next::Done(cur.experiment, cur.since, done.err()));
                }
            }
        }
        let experiment = self.queued.pop_front()?;
        let since = Mark::of(view.trace);
        Some(match experiment.plan(0, &ctx(&since)) {
            Ok(Some(commands)) if !commands.is_empty() => {
                self.current = Some(Current {
                    experiment,
                    stage: 1,
                    commands: Vec::new(),
                    since,
                    aborted: None,
                });
                Next::Send {
                    experiment,
                    commands,
                    first: true,
                }
            }
            Ok(_) => Next::Skipped(experiment, "it has nothing to send here".into()),
            Err(why) => Next::Skipped(experiment, why),
        })
    }

    /// The commands of the stage just sent.
    pub fn running(&mut self, commands: Vec<CommandId>) {
        if let Some(cur) = &mut self.current {
            cur.commands = commands;
        }
    }

    /// Takes in that `command` finished.
    pub fn finished(&mut self, command: CommandId, outcome: &CommandOutcome) {
        let Some(cur) = &mut self.current else { return };
        let before = cur.commands.len();
        cur.commands.retain(|c| *c != command);
        if cur.commands.len() == before {
            return;
        }
        match outcome {
            CommandOutcome::Completed => {}
            CommandOutcome::Dropped => {
                cur.aborted = Some("cancelled before it finished".into());
            }
            CommandOutcome::Rejected(why) => cur.aborted = Some(why.clone()),
        }
    }
}
