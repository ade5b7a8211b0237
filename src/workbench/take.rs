//! A run's takes: the main flow, and each replay or experiment sent on it afterwards, each with
//! its own attempts in the order they were sent. The diagram shows one take at a time, so a
//! dozen experiments do not pile up on the flow's arrows, and the run's status and duration are
//! its main flow's: an experiment that gets the refusal it asks for does not fail the run.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::audit::Experiment;
use crate::engine::CommandId;
use crate::trace::{Outcome, StepId, Stop, Trace, Update};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Take {
    pub kind: TakeKind,
    /// Its attempts as (step, index), in the order they were first recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<(StepId, usize)>,
    /// How its last command left the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<TakeEnd>,
    /// For an experiment: its verdict, as an index into the run's findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<usize>,
}

/// Where a take's commands left the run: ok when its G (or its one step) succeeded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TakeEnd {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<Stop>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "of", rename_all = "snake_case")]
pub enum TakeKind {
    /// The flow as run: the start and what carried it on (step mode's Next, sending a paused
    /// run's prepared request).
    Main,
    /// A step sent again by the user, edited or not, with what it went on to; or one of the
    /// steps after E.
    Sent(StepId),
    Experiment(Experiment),
}

impl Take {
    fn new(kind: TakeKind) -> Take {
        Take {
            kind,
            attempts: Vec::new(),
            end: None,
            finding: None,
        }
    }

    /// "Main flow", "D sent again", "Refresh", or the experiment's title.
    pub fn title(&self) -> String {
        match self.kind {
            TakeKind::Main => "Main flow".into(),
            TakeKind::Sent(step) if step.is_extra() => step.name().into(),
            TakeKind::Sent(step) => format!("{} sent again", step.letter()),
            TakeKind::Experiment(e) => e.title().into(),
        }
    }

    /// The take's attempt of `step` (its latest, when it sent the step more than once).
    pub fn attempt_of(&self, step: StepId) -> Option<usize> {
        self.attempts
            .iter()
            .rev()
            .find(|(s, _)| *s == step)
            .map(|(_, i)| *i)
    }

    /// From the start of its first attempt to the end of its last, in milliseconds.
    pub fn duration_ms(&self, trace: &Trace) -> f64 {
        trace.span_ms(self.attempts.iter().copied())
    }
}

/// The takes of one run and which command records into which.
#[derive(Clone, Debug)]
pub struct Takes {
    takes: Vec<Take>,
    by_command: HashMap<CommandId, usize>,
    /// The take of the experiment carried out now.
    experiment: Option<usize>,
}

impl Default for Takes {
    fn default() -> Self {
        Takes {
            takes: vec![Take::new(TakeKind::Main)],
            by_command: HashMap::new(),
            experiment: None,
        }
    }
}

impl Takes {
    /// Takes saved with a run. A file without them (written before takes were kept) gets them
    /// back from what it has: the experiments' attempts are theirs, each step's first attempt
    /// is the main flow's, and every other attempt is a step sent again.
    pub fn restored(saved: Vec<Take>, trace: &Trace, findings: &[super::Judged]) -> Takes {
        if saved.first().is_some_and(|t| t.kind == TakeKind::Main) {
            return Takes {
                takes: saved,
                ..Takes::default()
            };
        }
        let mut takes = Takes::default();
        let mut claimed: Vec<(StepId, usize)> = Vec::new();
        for (index, judged) in findings.iter().enumerate() {
            if judged.attempts.is_empty() {
                continue;
            }
            let mut take = Take::new(TakeKind::Experiment(judged.experiment));
            take.attempts.clone_from(&judged.attempts);
            take.finding = Some(index);
            claimed.extend(&judged.attempts);
            takes.takes.push(take);
        }
        let mut rest: Vec<(u64, StepId, usize)> = Vec::new();
        for step in &trace.steps {
            for (i, a) in step.attempts.iter().enumerate() {
                if claimed.contains(&(step.id, i)) {
                    continue;
                }
                if i == 0 && !step.id.is_extra() {
                    takes.takes[0].attempts.push((step.id, 0));
                } else {
                    rest.push((a.started_at_ms, step.id, i));
                }
            }
        }
        rest.sort();
        for (_, step, i) in rest {
            let mut take = Take::new(TakeKind::Sent(step));
            take.attempts.push((step, i));
            takes.takes.push(take);
        }
        takes.takes[0].end = trace.finished.then(|| TakeEnd {
            ok: trace.ok,
            stop: trace.stop.clone(),
        });
        takes
    }

    pub fn all(&self) -> &[Take] {
        &self.takes
    }

    pub fn main(&self) -> &Take {
        &self.takes[0]
    }

    /// The take that holds attempt `index` of `step`.
    pub fn holding(&self, step: StepId, index: usize) -> Option<usize> {
        self.takes
            .iter()
            .position(|t| t.attempts.contains(&(step, index)))
    }

    /// `command` records into the main flow (the run's start).
    pub fn main_command(&mut self, command: CommandId) {
        self.by_command.insert(command, 0);
    }

    /// The take a send of `step` by the user records into: the take whose prepared, unsent
    /// request it sends (step mode's Next goes on with the main flow), else a new one.
    pub fn for_send(&mut self, step: StepId, trace: &Trace) -> usize {
        let request = step.request_step();
        let prepared = trace
            .step(request)
            .latest()
            .filter(|a| a.outcome == Outcome::Pending)
            .and_then(|_| self.holding(request, trace.step(request).attempts.len() - 1));
        prepared.unwrap_or_else(|| self.open(TakeKind::Sent(step)))
    }

    /// A new take of `kind`.
    pub fn open(&mut self, kind: TakeKind) -> usize {
        self.takes.push(Take::new(kind));
        self.takes.len() - 1
    }

    /// `command` records into take `take`.
    pub fn assign(&mut self, command: CommandId, take: usize) {
        self.by_command.insert(command, take);
    }

    /// `experiment` starts: its commands record into a take of its own.
    pub fn experiment_started(&mut self, experiment: Experiment) {
        self.experiment = Some(self.open(TakeKind::Experiment(experiment)));
    }

    /// The current experiment's commands.
    pub fn experiment_sent(&mut self, commands: &[CommandId]) {
        if let Some(take) = self.experiment {
            for c in commands {
                self.by_command.insert(*c, take);
            }
        }
    }

    /// The current experiment got its verdict, `finding` in the run's findings.
    pub fn experiment_judged(&mut self, finding: usize) {
        if let Some(take) = self.experiment.take() {
            self.takes[take].finding = Some(finding);
        }
    }

    /// Takes in an update `command` made.
    pub fn record(&mut self, command: CommandId, update: &Update) {
        let Some(&take) = self.by_command.get(&command) else {
            return;
        };
        match update {
            Update::Attempt { step, index, .. } => {
                let key = (*step, *index);
                if self.takes[take].attempts.contains(&key) {
                    return;
                }
                // A prepared attempt sent by another take becomes that take's.
                for t in &mut self.takes {
                    t.attempts.retain(|a| *a != key);
                }
                self.takes[take].attempts.push(key);
            }
            Update::Finished { ok, stop } => {
                self.takes[take].end = Some(TakeEnd {
                    ok: *ok,
                    stop: stop.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Attempt, StopReason};

    fn attempt(step: StepId, index: usize, outcome: Outcome) -> Update {
        Update::Attempt {
            step,
            index,
            attempt: Attempt {
                outcome,
                ..Default::default()
            },
        }
    }

    fn apply(trace: &mut Trace, takes: &mut Takes, command: CommandId, update: Update) {
        trace.apply(&update);
        takes.record(command, &update);
    }

    #[test]
    fn each_command_records_into_its_take_and_the_main_flow_keeps_its_status() {
        let mut trace = Trace::new("demo");
        let mut takes = Takes::default();
        takes.main_command(1);
        for step in StepId::ALL {
            apply(&mut trace, &mut takes, 1, attempt(step, 0, Outcome::Ok));
        }
        let ok = Update::Finished {
            ok: true,
            stop: None,
        };
        apply(&mut trace, &mut takes, 1, ok);
        // An experiment reuses the code: D/E again, refused, which is what it wants.
        takes.experiment_started(Experiment::ALL[0]);
        takes.experiment_sent(&[2]);
        apply(
            &mut trace,
            &mut takes,
            2,
            attempt(StepId::D, 1, Outcome::Ok),
        );
        apply(
            &mut trace,
            &mut takes,
            2,
            attempt(StepId::E, 1, Outcome::Failed("invalid_grant".into())),
        );
        let refused = Update::Finished {
            ok: false,
            stop: Some(Stop::at(StepId::E, StopReason::Refused("x".into()))),
        };
        apply(&mut trace, &mut takes, 2, refused);
        takes.experiment_judged(0);
        // A cancel's own updates (command 0) belong to no take.
        apply(
            &mut trace,
            &mut takes,
            0,
            attempt(StepId::G, 0, Outcome::Ok),
        );

        assert_eq!(takes.all().len(), 2);
        assert_eq!(takes.main().attempts.len(), 7);
        assert_eq!(takes.main().end.as_ref().map(|e| e.ok), Some(true));
        let exp = &takes.all()[1];
        assert_eq!(exp.attempts, vec![(StepId::D, 1), (StepId::E, 1)]);
        assert_eq!(exp.finding, Some(0));
        assert_eq!(exp.end.as_ref().map(|e| e.ok), Some(false));
        assert!(
            !trace.ok,
            "the trace itself ends as its last command left it"
        );
    }

    #[test]
    fn sending_a_prepared_step_goes_on_with_the_take_that_prepared_it() {
        let mut trace = Trace::new("demo");
        let mut takes = Takes::default();
        takes.main_command(1);
        for step in [StepId::A, StepId::B, StepId::C] {
            apply(&mut trace, &mut takes, 1, attempt(step, 0, Outcome::Ok));
        }
        apply(
            &mut trace,
            &mut takes,
            1,
            attempt(StepId::D, 0, Outcome::Pending),
        );
        // Step mode's Next: D is sent from the main flow's prepared request.
        let next = takes.for_send(StepId::D, &trace);
        assert_eq!(next, 0);
        takes.assign(2, next);
        apply(
            &mut trace,
            &mut takes,
            2,
            attempt(StepId::D, 0, Outcome::Ok),
        );
        apply(
            &mut trace,
            &mut takes,
            2,
            attempt(StepId::E, 0, Outcome::Ok),
        );
        assert_eq!(takes.all().len(), 1);
        assert_eq!(takes.main().attempt_of(StepId::E), Some(0));
        // Sending D again after that is a take of its own.
        let again = takes.for_send(StepId::D, &trace);
        assert_eq!(again, 1);
        assert_eq!(takes.all()[again].title(), "D sent again");
    }

    #[test]
    fn a_run_file_without_takes_gets_them_back_from_its_attempts() {
        let mut trace = Trace::new("demo");
        for step in StepId::ALL {
            trace.apply(&attempt(step, 0, Outcome::Ok));
        }
        trace.apply(&attempt(StepId::D, 1, Outcome::Ok));
        trace.apply(&attempt(StepId::E, 1, Outcome::Failed("x".into())));
        trace.apply(&attempt(StepId::Refresh, 0, Outcome::Ok));
        trace.apply(&Update::Finished {
            ok: true,
            stop: None,
        });
        let findings = vec![super::super::Judged {
            experiment: Experiment::ALL[0],
            finding: super::super::Finding::skipped("x"),
            attempt: Some(1),
            attempts: vec![(StepId::D, 1), (StepId::E, 1)],
        }];
        let takes = Takes::restored(Vec::new(), &trace, &findings);
        let kinds: Vec<TakeKind> = takes.all().iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![
                TakeKind::Main,
                TakeKind::Experiment(Experiment::ALL[0]),
                TakeKind::Sent(StepId::Refresh)
            ]
        );
        assert_eq!(takes.main().attempts.len(), 7);
        assert_eq!(takes.all()[1].finding, Some(0));
        assert!(takes.main().end.as_ref().is_some_and(|e| e.ok));
    }
}
