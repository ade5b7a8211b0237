//! Keeping and sharing a big run: the demo flow with every experiment on it (hundreds of
//! attempts), saved (masked and not), opened again, and written in every export format.
//! Prints the median of each over repeated runs.
//!
//!     cargo bench --bench keep

use std::time::Instant;

use oauthviz::demo::{DEMO_PASSWORD, DEMO_USERNAME, DemoOptions, DemoServer};
use oauthviz::engine::{RunOptions, UserAgentKind};
use oauthviz::export::{Format, Scope};
use oauthviz::keep::{RunFile, SecretsIn};
use oauthviz::redact::Secrets;
use oauthviz::workbench::{Experiment, RunRecord, Workbench};

const ROUNDS: usize = 15;

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[ROUNDS / 2]
}

fn main() -> Result<(), String> {
    let server = DemoServer::start(DemoOptions::default()).map_err(|e| e.to_string())?;
    let mut bench = Workbench::new(|| {}).map_err(|e| e.to_string())?;
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
    let forever = std::time::Duration::MAX;
    let run = bench.start(oauthviz::config::ProviderConfig::demo(&server), options);
    bench.wait_idle(run, forever, |_, _| {});
    bench.run_experiments(run, &Experiment::ALL);
    bench.wait_idle(run, forever, |_, _| {});
    let record = RunRecord::of(bench.run(run).ok_or("the run was lost")?);
    let attempts: usize = record.trace.steps.iter().map(|s| s.attempts.len()).sum();
    let given = Secrets::default();
    let masked_json = RunFile::new(&record, SecretsIn::Masked, &given).to_json()?;
    println!(
        "a demo run with all {} experiments: {attempts} attempts, run file {} KiB masked; medians of {ROUNDS}:",
        Experiment::ALL.len(),
        masked_json.len() / 1024
    );
    let line = |what: &str, ms: f64| println!("  {what:<34} {ms:>8.2} ms");
    line(
        "save, masked (mask + JSON)",
        median_ms(|| {
            let _ = RunFile::new(&record, SecretsIn::Masked, &given).to_json();
        }),
    );
    line(
        "save, with secrets",
        median_ms(|| {
            let _ = RunFile::new(&record, SecretsIn::Included, &given).to_json();
        }),
    );
    line(
        "open (parse and check)",
        median_ms(|| {
            let _ = RunFile::parse(&masked_json);
        }),
    );
    for format in [
        Format::Har,
        Format::Mermaid,
        Format::Markdown,
        Format::Curl,
        Format::Svg,
    ] {
        line(
            &format!("export {} (masked)", format.id()),
            median_ms(|| {
                let _ = oauthviz::export::render(
                    format,
                    &record,
                    Scope::Run,
                    SecretsIn::Masked,
                    &given,
                    oauthviz::gui::diagram_svg,
                );
            }),
        );
    }
    Ok(())
}
