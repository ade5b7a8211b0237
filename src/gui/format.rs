//! Human-readable durations and times, shared by the diagram, the run list and the JWT view.

use crate::trace::Trace;

/// `850 ms`, `1.2 s`, `2 min 5 s`: precise for fast steps, short for slow ones.
pub fn duration_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        let s = (ms / 1000.0).round() as u64;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// A Unix time as `2025-03-01 14:05:09 UTC` (no time-zone database needed, and a screenshot
/// reads the same everywhere).
pub fn utc_time(unix_secs: i64) -> String {
    chrono::DateTime::from_timestamp(unix_secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

/// `in 59 min`, `3 s ago`, relative to `now` (Unix seconds).
pub fn relative(unix_secs: i64, now: i64) -> String {
    let delta = unix_secs - now;
    let magnitude = delta.unsigned_abs();
    let amount = if magnitude < 60 {
        format!("{magnitude} s")
    } else if magnitude < 3600 {
        format!("{} min", magnitude / 60)
    } else if magnitude < 86_400 * 2 {
        format!("{} h {} min", magnitude / 3600, magnitude % 3600 / 60)
    } else {
        format!("{} days", magnitude / 86_400)
    };
    if delta >= 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// Wall-clock time of a run's flow: from its first step's start to the end of the last step of its
/// first pass.
pub fn run_duration_ms(trace: &Trace) -> f64 {
    // The flow as first run: each step's first attempt. Replays and experiments minutes later
    // are theirs to time, not the flow's.
    trace.span_ms(
        trace
            .steps
            .iter()
            .filter(|s| !s.attempts.is_empty())
            .map(|s| (s.id, 0)),
    )
}

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    (crate::timestamp::now_ms() / 1000) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_pick_a_readable_unit() {
        assert_eq!(duration_ms(0.25), "0.25 ms");
        assert_eq!(duration_ms(12.4), "12 ms");
        assert_eq!(duration_ms(1234.0), "1.2 s");
        assert_eq!(duration_ms(125_000.0), "2 min 5 s");
    }

    #[test]
    fn run_duration_spans_first_start_to_last_end() {
        use crate::trace::{Attempt, StepId, Update};
        let mut t = Trace::new("demo");
        assert_eq!(run_duration_ms(&t), 0.0);
        for (step, start, ms) in [
            (StepId::A, 1_000, 5.0),
            (StepId::B, 1_004, 40.0),
            (StepId::G, 1_090, 10.0),
        ] {
            let attempt = Attempt {
                started_at_ms: start,
                duration_ms: Some(ms),
                ..Default::default()
            };
            t.apply(&Update::Attempt {
                step,
                index: 0,
                attempt,
            });
        }
        assert_eq!(run_duration_ms(&t), 100.0);
        // D sent again a minute later does not make the flow a minute long.
        t.apply(&Update::Attempt {
            step: StepId::D,
            index: 0,
            attempt: Attempt {
                started_at_ms: 1_050,
                duration_ms: Some(3.0),
                ..Default::default()
            },
        });
        t.apply(&Update::Attempt {
            step: StepId::D,
            index: 1,
            attempt: Attempt {
                started_at_ms: 61_000,
                duration_ms: Some(3.0),
                ..Default::default()
            },
        });
        assert_eq!(run_duration_ms(&t), 100.0);
    }

    #[test]
    fn utc_times_match_known_dates() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_time(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc_time(-1), "1969-12-31 23:59:59 UTC");
    }

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(1_000 + 3_540, 1_000), "in 59 min");
        assert_eq!(relative(997, 1_000), "3 s ago");
        assert_eq!(relative(1_000 + 7_200 + 60, 1_000), "in 2 h 1 min");
        assert_eq!(relative(0, 86_400 * 3), "3 days ago");
    }
}
