//! One complete headless Authorization Code flow (A–G) against the embedded demo provider on
//! loopback, through the real engine and scripted user agent. Prints the median and spread.
//!
//!     cargo bench --bench flow
//!
//! Start-up (engine thread, demo provider, first connections) is paid once, before timing.

use std::time::{Duration, Instant};

use oauthviz::demo::{DEMO_PASSWORD, DEMO_USERNAME, DemoOptions, DemoServer};
use oauthviz::engine::{Engine, RunOptions, UserAgentKind};

const WARMUP: usize = 20;
const RUNS: usize = 200;

fn main() -> Result<(), String> {
    let server = DemoServer::start(DemoOptions::default()).map_err(|e| e.to_string())?;
    let engine = Engine::start(|| {}).map_err(|e| e.to_string())?;
    let options = RunOptions {
        user_agent: UserAgentKind::Scripted {
            username: DEMO_USERNAME.into(),
            password: DEMO_PASSWORD.into(),
            deny_consent: false,
            form_fields: Vec::new(),
            driver: oauthviz::engine::Driver::Http,
        },
        ..Default::default()
    };
    let mut times = Vec::with_capacity(RUNS);
    let mut per_step: Vec<Vec<f64>> = vec![Vec::new(); 7];
    for i in 0..WARMUP + RUNS {
        let started = Instant::now();
        let trace = engine.run_blocking(
            i as u64,
            oauthviz::config::ProviderConfig::demo(&server),
            options.clone(),
            |_, _| {},
        );
        let took = started.elapsed();
        if !trace.ok {
            return Err(format!("run {i} failed: {:?}", trace.error()));
        }
        if i >= WARMUP {
            times.push(took);
            for (k, step) in trace.steps.iter().take(7).enumerate() {
                per_step[k].extend(step.latest().and_then(|a| a.duration_ms));
            }
        }
    }
    times.sort();
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "full A–G flow (login + consent pages, token, resource) on loopback, {RUNS} runs: median {:.2} ms, p10 {:.2} ms, p90 {:.2} ms, max {:.2} ms",
        ms(pct(0.5)),
        ms(pct(0.1)),
        ms(pct(0.9)),
        ms(pct(1.0))
    );
    let medians: Vec<String> = trace_letters()
        .iter()
        .zip(per_step.iter_mut())
        .map(|(letter, ms)| {
            ms.sort_by(f64::total_cmp);
            format!(
                "{letter} {:.2}",
                ms.get(ms.len() / 2).copied().unwrap_or_default()
            )
        })
        .collect();
    println!("median per step, ms: {}", medians.join(" · "));
    Ok(())
}

fn trace_letters() -> Vec<&'static str> {
    oauthviz::trace::StepId::ALL
        .iter()
        .map(|s| s.letter())
        .collect()
}
