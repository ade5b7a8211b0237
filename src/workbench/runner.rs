//! The experiment queue of one run: each experiment is planned when its turn comes (so it
//! starts from what the run has then), skipped with the reason when it does not apply, and
//! judged once the last of its commands has finished.

use std::collections::VecDeque;

use super::experiments::Experiment;
use crate::config::ProviderConfig;
use crate::engine::{Command, CommandId, RunId};
use crate::trace::Trace;

#[derive(Default)]
pub struct ExperimentRunner {
    queued: VecDeque<Experiment>,
    /// The experiment carried out now and its commands still to finish.
    current: Option<(Experiment, Vec<CommandId>)>,
}

/// What to do next.
pub enum Next {
    /// Send these commands: they carry the experiment out.
    Send(Experiment, Vec<Command>),
    /// The experiment does not apply to this run, for this reason.
    Skipped(Experiment, String),
}

impl ExperimentRunner {
    pub fn queue(&mut self, experiments: &[Experiment]) {
        self.queued.extend(experiments.iter().copied());
    }

    pub fn is_active(&self) -> bool {
        self.current.is_some() || !self.queued.is_empty()
    }

    pub fn current(&self) -> Option<Experiment> {
        self.current.as_ref().map(|(e, _)| *e)
    }

    /// Empties the queue; returns the experiments that will not run (the current one first).
    pub fn clear(&mut self) -> Vec<Experiment> {
        self.current
            .take()
            .map(|(e, _)| e)
            .into_iter()
            .chain(self.queued.drain(..))
            .collect()
    }

    /// The next experiment, planned on the run as it stands; none while one is running.
    pub fn next(&mut self, run: RunId, config: &ProviderConfig, trace: &Trace) -> Option<Next> {
        if self.current.is_some() {
            return None;
        }
        let experiment = self.queued.pop_front()?;
        Some(match experiment.plan(run, config, trace) {
            Ok(commands) => Next::Send(experiment, commands),
            Err(why) => Next::Skipped(experiment, why.to_string()),
        })
    }

    pub fn running(&mut self, experiment: Experiment, commands: Vec<CommandId>) {
        self.current = Some((experiment, commands));
    }

    /// Takes in that `command` finished; returns the current experiment when that was its last.
    pub fn finished(&mut self, command: CommandId) -> Option<Experiment> {
        let (experiment, commands) = self.current.as_mut()?;
        let before = commands.len();
        commands.retain(|c| *c != command);
        if commands.len() == before || !commands.is_empty() {
            return None;
        }
        let done = *experiment;
        self.current = None;
        Some(done)
    }
}
