//! Keeps a run's trace and sends every change to the consumer, once per change. Each task that
//! records belongs to an epoch; a cancel starts a new epoch, so a task that is still winding down
//! cannot paint over "cancelled".

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{CommandId, Event, INTERNAL, Report, RunId};
use crate::trace::{Attempt, Outcome, StepId, Stop, StopReason, Trace, Update};

pub type Emit = Arc<dyn Fn(Event) + Send + Sync>;

struct Shared {
    trace: Trace,
    epoch: u64,
}

#[derive(Clone)]
pub struct Recorder {
    run: RunId,
    epoch: u64,
    /// The command whose work this handle records (its updates name it).
    command: CommandId,
    shared: Arc<Mutex<Shared>>,
    emit: Emit,
}

/// An attempt being recorded: its index and when it started.
pub struct Open {
    pub step: StepId,
    pub index: usize,
    pub attempt: Attempt,
    started: Instant,
}

impl Open {
    pub fn started(&self) -> Instant {
        self.started
    }

    pub fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

impl Recorder {
    pub fn new(run: RunId, provider: &str, emit: Emit) -> Self {
        Self {
            run,
            epoch: 0,
            command: INTERNAL,
            shared: Arc::new(Mutex::new(Shared {
                trace: Trace::new(provider),
                epoch: 0,
            })),
            emit,
        }
    }

    /// A recorder that goes on from `trace` (a run saved earlier): new attempts come after the
    /// ones it holds.
    pub fn resumed(run: RunId, trace: Trace, emit: Emit) -> Self {
        Self {
            run,
            epoch: 0,
            command: INTERNAL,
            shared: Arc::new(Mutex::new(Shared { trace, epoch: 0 })),
            emit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        // A panic elsewhere must not take the trace with it: the data is still consistent.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn trace(&self) -> Trace {
        self.lock().trace.clone()
    }

    /// A handle for a new task; handles of earlier epochs go quiet once `cancel` runs.
    pub fn for_task(&self) -> Recorder {
        let mut r = self.clone();
        r.epoch = self.lock().epoch;
        r
    }

    /// This handle, recording for `command`.
    pub fn for_command(&self, command: CommandId) -> Recorder {
        Recorder {
            command,
            ..self.clone()
        }
    }

    fn send(&self, update: Update) {
        {
            let mut shared = self.lock();
            if shared.epoch != self.epoch {
                return;
            }
            shared.trace.apply(&update);
        }
        (self.emit)(Event {
            run: self.run,
            report: Report::Trace {
                command: self.command,
                update,
            },
        });
    }

    /// Starts an attempt of `step`. A prepared attempt that was never sent is taken over.
    pub fn begin(&self, step: StepId, outcome: Outcome) -> Open {
        self.begin_at(step, outcome, Instant::now())
    }

    /// Like `begin`, timed from `started`: a response step (E, G) shares its request's clock,
    /// so its duration is the round trip and not the microseconds spent parsing.
    pub fn begin_at(&self, step: StepId, outcome: Outcome, started: Instant) -> Open {
        let index = {
            let shared = self.lock();
            let attempts = &shared.trace.step(step).attempts;
            match attempts.last() {
                Some(last) if last.outcome == Outcome::Pending => attempts.len() - 1,
                _ => attempts.len(),
            }
        };
        let open = Open {
            step,
            index,
            attempt: Attempt {
                started_at_ms: crate::timestamp::now_ms(),
                outcome,
                ..Default::default()
            },
            started,
        };
        self.update(&open);
        open
    }

    pub fn update(&self, open: &Open) {
        self.send(Update::Attempt {
            step: open.step,
            index: open.index,
            attempt: open.attempt.clone(),
        });
    }

    /// Ends the attempt with `outcome`, stamping its duration.
    pub fn finish(&self, mut open: Open, outcome: Outcome) {
        open.attempt.duration_ms = Some(open.elapsed_ms());
        open.attempt.outcome = outcome;
        self.update(&open);
    }

    /// Reports where the run stands: ok when G's latest attempt succeeded and nothing stopped it.
    pub fn settle(&self, stop: Option<Stop>) {
        let succeeded = self.lock().trace.succeeded();
        let stop = match stop {
            Some(stop) => Some(stop),
            None if succeeded => None,
            None => Some(Stop {
                step: None,
                reason: StopReason::Paused,
            }),
        };
        self.send(Update::Finished {
            ok: stop.is_none(),
            stop,
        });
    }

    /// Stops whatever this run is doing: open steps end as skipped, later updates of the tasks
    /// that were running are dropped.
    pub fn cancel(&self, reason: &str) {
        let open_steps: Vec<(StepId, usize, Attempt)> = {
            let mut shared = self.lock();
            shared.epoch += 1;
            shared
                .trace
                .steps
                .iter()
                .filter_map(|s| {
                    let last = s.attempts.last()?;
                    matches!(last.outcome, Outcome::InFlight | Outcome::WaitingForUser)
                        .then(|| (s.id, s.attempts.len() - 1, last.clone()))
                })
                .collect()
        };
        if open_steps.is_empty() {
            return;
        }
        let current = self.for_task();
        for (step, index, mut attempt) in open_steps {
            attempt.outcome = Outcome::Skipped(reason.to_owned());
            current.send(Update::Attempt {
                step,
                index,
                attempt,
            });
        }
        current.send(Update::Finished {
            ok: false,
            stop: Some(Stop {
                step: None,
                reason: StopReason::Cancelled(reason.to_owned()),
            }),
        });
    }
}
