//! Keeps a run's trace and sends every change to the consumer, once per change. After a cancel
//! the recorder is closed, so a task that is still winding down cannot paint over "cancelled".

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::{Event, RunId};
use crate::trace::{Attempt, Outcome, StepId, Trace, Update};

pub type Emit = Arc<dyn Fn(Event) + Send + Sync>;

struct Shared {
    trace: Trace,
    closed: bool,
}

#[derive(Clone)]
pub struct Recorder {
    run: RunId,
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
    pub fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

impl Recorder {
    pub fn new(run: RunId, provider: &str, emit: Emit) -> Self {
        Self {
            run,
            shared: Arc::new(Mutex::new(Shared {
                trace: Trace::new(provider),
                closed: false,
            })),
            emit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        // A panic elsewhere must not take the trace with it: the data is still consistent.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn send(&self, update: Update) {
        {
            let mut shared = self.lock();
            if shared.closed {
                return;
            }
            shared.trace.apply(&update);
            if matches!(update, Update::Finished { .. }) {
                shared.closed = true;
            }
        }
        (self.emit)(Event {
            run: self.run,
            update,
        });
    }

    /// Starts a new attempt of `step` with the given outcome (usually in flight).
    pub fn begin(&self, step: StepId, outcome: Outcome) -> Open {
        let index = self.lock().trace.step(step).attempts.len();
        let attempt = Attempt {
            started_at_ms: now_ms(),
            outcome,
            ..Default::default()
        };
        let open = Open {
            step,
            index,
            attempt,
            started: Instant::now(),
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

    /// Ends the run. Steps that never ended are marked skipped with `reason`.
    pub fn close(&self, ok: bool, failed_step: Option<StepId>, reason: Option<String>) {
        let open_steps: Vec<(StepId, usize, Attempt)> = {
            let shared = self.lock();
            shared
                .trace
                .steps
                .iter()
                .filter_map(|s| {
                    let last = s.attempts.last()?;
                    (!last.outcome.is_final()).then(|| (s.id, s.attempts.len() - 1, last.clone()))
                })
                .collect()
        };
        let skip_reason = reason.clone().unwrap_or_else(|| "the run ended".into());
        for (step, index, mut attempt) in open_steps {
            attempt.outcome = Outcome::Skipped(skip_reason.clone());
            self.send(Update::Attempt {
                step,
                index,
                attempt,
            });
        }
        self.send(Update::Finished {
            ok,
            failed_step,
            reason,
        });
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
