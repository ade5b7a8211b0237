//! Where an experiment began in a run's trace: the attempts recorded after the mark are the
//! experiment's own, so its judge never reads an earlier experiment's answer.

use crate::trace::{Attempt, StepId, Trace};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mark(Vec<(StepId, usize)>);

/// Every step a trace keeps, the flow's and the extra ones.
fn steps() -> impl Iterator<Item = StepId> {
    StepId::ALL.into_iter().chain(StepId::EXTRA)
}

impl Mark {
    /// The trace as it stands: how many attempts each step has.
    pub fn of(trace: &Trace) -> Mark {
        Mark(steps().map(|s| (s, trace.step(s).attempts.len())).collect())
    }

    fn count(&self, step: StepId) -> usize {
        self.0
            .iter()
            .find(|(s, _)| *s == step)
            .map_or(0, |(_, n)| *n)
    }

    /// The attempts of `step` recorded since the mark, oldest first.
    pub fn new_attempts<'t>(&self, trace: &'t Trace, step: StepId) -> &'t [Attempt] {
        let all = &trace.step(step).attempts;
        all.get(self.count(step)..).unwrap_or_default()
    }

    /// The newest attempt of `step` since the mark.
    pub fn latest<'t>(&self, trace: &'t Trace, step: StepId) -> Option<&'t Attempt> {
        self.new_attempts(trace, step).last()
    }

    /// Every attempt recorded since the mark, as (step, index): what proves a verdict.
    pub fn touched(&self, trace: &Trace) -> Vec<(StepId, usize)> {
        steps()
            .flat_map(|s| (self.count(s)..trace.step(s).attempts.len()).map(move |i| (s, i)))
            .collect()
    }
}
