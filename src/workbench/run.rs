//! One run as a person works with it: its trace, the provider it ran against, the commands
//! still in flight, and the experiments queued, running and judged on it.

use std::collections::BTreeSet;

use super::experiments::{Experiment, Finding};
use super::runner::{ExperimentRunner, Next};
use crate::config::ProviderConfig;
use crate::engine::{CommandId, CommandOutcome, RunId};
use crate::trace::{StepId, Trace, Verdict};

pub struct Run {
    pub id: RunId,
    pub trace: Trace,
    /// What the run was started with (experiments plan and judge from it).
    pub config: ProviderConfig,
    /// The scripted agent (not a person) is at the login page.
    pub scripted: bool,
    /// What was last sent after the first flow, for the banner.
    pub activity: Option<Activity>,
    /// Verdicts of the experiments run on this run, oldest first.
    pub findings: Vec<Judged>,
    /// Commands sent that have not reported `Finished`.
    unfinished: BTreeSet<CommandId>,
    experiments: ExperimentRunner,
}

/// Something sent on a run after its first flow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activity {
    /// A step sent again (edited or not), or one of the steps after E.
    Sent(StepId),
    Experiment(Experiment),
    /// Several experiments, one after the other ("Run all").
    AllExperiments,
}

/// An experiment's verdict and where its answer is.
#[derive(Clone, Debug, PartialEq)]
pub struct Judged {
    pub experiment: Experiment,
    pub finding: Finding,
    /// The attempt of the judged step that holds the provider's answer (none when the
    /// experiment did not run).
    pub attempt: Option<usize>,
}

impl Judged {
    /// The newest verdict on `experiment` among `findings`.
    pub fn latest(findings: &[Judged], experiment: Experiment) -> Option<&Judged> {
        findings.iter().rev().find(|j| j.experiment == experiment)
    }

    /// The newest verdict of each experiment judged, in the order of `Experiment::ALL`.
    pub fn newest(findings: &[Judged]) -> impl Iterator<Item = &Judged> {
        Experiment::ALL
            .into_iter()
            .filter_map(|e| Judged::latest(findings, e))
    }

    /// "N passed, N warnings, N failed" (and skipped, when any) over the newest verdict of
    /// each experiment, or `None` before any was judged.
    pub fn tally(findings: &[Judged]) -> Option<String> {
        let judged: Vec<&Judged> = Judged::newest(findings).collect();
        let count = |v: Verdict| judged.iter().filter(|j| j.finding.verdict == v).count();
        (!judged.is_empty()).then(|| {
            let mut text = format!(
                "{} passed, {} warnings, {} failed",
                count(Verdict::Pass),
                count(Verdict::Warn),
                count(Verdict::Fail)
            );
            let skipped = count(Verdict::Skip);
            if skipped > 0 {
                text.push_str(&format!(", {skipped} skipped"));
            }
            text
        })
    }

    /// The worst newest verdict, skips aside.
    pub fn worst(findings: &[Judged]) -> Option<Verdict> {
        Judged::newest(findings)
            .map(|j| j.finding.verdict)
            .filter(|v| *v != Verdict::Skip)
            .max()
    }
}

impl Run {
    pub(super) fn new(id: RunId, trace: Trace, config: ProviderConfig, scripted: bool) -> Run {
        Run {
            id,
            trace,
            config,
            scripted,
            activity: None,
            findings: Vec::new(),
            unfinished: BTreeSet::new(),
            experiments: ExperimentRunner::default(),
        }
    }

    /// Whether anything sent on this run is still to finish, or experiments wait their turn.
    pub fn busy(&self) -> bool {
        !self.unfinished.is_empty() || self.experiments.is_active()
    }

    /// The experiment being carried out now.
    pub fn running_experiment(&self) -> Option<Experiment> {
        self.experiments.current()
    }

    /// Whether experiments are still queued or running (for "Run all").
    pub fn experiments_pending(&self) -> bool {
        self.experiments.is_active()
    }

    pub(super) fn sent(&mut self, command: CommandId) {
        self.unfinished.insert(command);
    }

    pub(super) fn queue_experiments(&mut self, experiments: &[Experiment]) {
        self.experiments.queue(experiments);
    }

    /// Drops the queued experiments and the one running, each judged skipped with `why`.
    pub(super) fn forget_experiments(&mut self, why: &str) {
        for experiment in self.experiments.clear() {
            self.findings.push(Judged {
                experiment,
                finding: Finding::skipped(why),
                attempt: None,
            });
        }
    }

    /// The next experiment to send, or one that does not apply here (already judged skipped).
    pub(super) fn next_experiment(&mut self) -> Option<Next> {
        if !self.unfinished.is_empty() {
            return None;
        }
        let next = self.experiments.next(self.id, &self.config, &self.trace)?;
        if let Next::Skipped(experiment, why) = &next {
            self.findings.push(Judged {
                experiment: *experiment,
                finding: Finding::skipped(why),
                attempt: None,
            });
        }
        Some(next)
    }

    pub(super) fn experiment_sent(&mut self, experiment: Experiment, commands: Vec<CommandId>) {
        self.unfinished.extend(commands.iter().copied());
        self.experiments.running(experiment, commands);
    }

    /// Takes in that `command` finished; returns the experiment judged by it, if it was that
    /// experiment's last command.
    pub(super) fn finished(
        &mut self,
        command: CommandId,
        outcome: &CommandOutcome,
    ) -> Option<Experiment> {
        self.unfinished.remove(&command);
        let experiment = self.experiments.finished(command)?;
        let finding = match outcome {
            CommandOutcome::Completed => experiment.judge(&self.config, &self.trace),
            CommandOutcome::Dropped => Finding::skipped("cancelled before it finished"),
            CommandOutcome::Rejected(why) => Finding::skipped(why),
        };
        let attempt = self
            .trace
            .exchange_count(experiment.judged_step())
            .checked_sub(1);
        self.findings.push(Judged {
            experiment,
            finding,
            attempt,
        });
        Some(experiment)
    }
}
