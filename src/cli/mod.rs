//! The command line: `oauthviz` opens the window; `oauthviz run` runs a flow headless and prints
//! it; `oauthviz demo-server` runs the embedded provider on its own.

mod args;
mod check;
mod keep;
mod print;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::demo::{self, DemoOptions, DemoServer};
use crate::engine::{ReplayRequest, UserAgentKind};
use crate::redact;
use crate::trace::{StepId, Trace, Verdict};
use crate::workbench::{Judged, Workbench};
use args::RunArgs;
use print::Printer;

#[derive(Parser, Debug)]
#[command(
    name = "oauthviz",
    version,
    about = "The OAuth 2.0 Authorization Code flow, visible.\n\nWith no command, opens the window; with a run file, opens the window on it.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A run file to open in the window (the same as `oauthviz open RUNFILE`).
    #[arg(value_name = "RUNFILE")]
    file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run one Authorization Code flow (A–G) without a window and print every step.
    Run(Box<RunArgs>),
    /// Run the flow, then audit the provider against RFC 6749, 6750, 7636, 7009, 7662, 8414,
    /// 9207, 9700 and OpenID Connect; exit 0 when no check failed, 1 when one did, 2 when the
    /// audit could not run.
    Check(Box<check::CheckArgs>),
    /// Open the window on a saved run (`*.oauthviz.json`): every step, verdict and the audit,
    /// with no network until you send something again.
    Open {
        #[arg(value_name = "RUNFILE")]
        file: std::path::PathBuf,
    },
    /// Write a saved run as HAR, Mermaid, SVG, Markdown, curl commands, or a run file again.
    Export(keep::ExportArgs),
    /// Run the embedded demo authorization + resource server until interrupted.
    DemoServer {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Skip the login and consent pages: approve every valid request at once.
        #[arg(long)]
        auto_approve: bool,
        /// The login page is built by JavaScript and signs in through a JSON API.
        #[arg(long)]
        js_login: bool,
    },
}

/// `started`: when the process began, for the GUI's start-up log line.
pub fn main(started: std::time::Instant) -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // clap keeps each flag's values apart; the order of --then and --set says which edits go
    // with which replay.
    if let (Some(Cmd::Run(args)), Some(("run", sub))) = (&mut cli.command, matches.subcommand()) {
        args.then_positions = sub
            .indices_of("then")
            .map(Iterator::collect)
            .unwrap_or_default();
        args.set_positions = sub
            .indices_of("set")
            .map(Iterator::collect)
            .unwrap_or_default();
    }
    let result = match cli.command {
        None => open_window(started, cli.file),
        Some(Cmd::Open { file }) => open_window(started, Some(file)),
        Some(Cmd::Export(args)) => keep::export(args),
        Some(Cmd::DemoServer {
            port,
            auto_approve,
            js_login,
        }) => demo_server(port, auto_approve, js_login),
        Some(Cmd::Run(args)) => run(*args),
        Some(Cmd::Check(args)) => check::check(*args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("oauthviz: {}", print::terminal_safe(&e));
            ExitCode::from(2)
        }
    }
}

/// The window, on `file` when one is given. The file is read first, so a file that cannot be
/// opened says why on the terminal instead of opening an empty window.
fn open_window(
    started: std::time::Instant,
    file: Option<std::path::PathBuf>,
) -> Result<ExitCode, String> {
    let open = match file {
        Some(path) => {
            let saved = crate::keep::RunFile::open(&path)?;
            Some((path, saved))
        }
        None => None,
    };
    crate::gui::run(started, open).map(|()| ExitCode::SUCCESS)
}

fn demo_server(port: u16, auto_approve: bool, js_login: bool) -> Result<ExitCode, String> {
    let server = DemoServer::start(DemoOptions {
        port,
        auto_approve,
        js_login,
        ..Default::default()
    })
    .map_err(|e| format!("could not start the demo provider: {e}"))?;
    println!("oauthviz demo provider running at {}", server.issuer());
    println!(
        "  discovery:        {}/.well-known/openid-configuration",
        server.issuer()
    );
    println!("  authorization:    {}", server.authorization_endpoint());
    println!("  token:            {}", server.token_endpoint());
    println!("  protected API:    {}", server.resource_url());
    println!(
        "  user:             {} / {}",
        demo::DEMO_USERNAME,
        demo::DEMO_PASSWORD
    );
    println!(
        "  clients:          {} / {} (client_secret_basic)",
        demo::BASIC_CLIENT_ID,
        demo::BASIC_CLIENT_SECRET
    );
    println!(
        "                    {} / {} (client_secret_post)",
        demo::POST_CLIENT_ID,
        demo::POST_CLIENT_SECRET
    );
    println!(
        "                    {} (public, PKCE S256)",
        demo::PUBLIC_CLIENT_ID
    );
    println!(
        "  redirect URIs:    http://127.0.0.1:ANY-PORT{0}, http://localhost:ANY-PORT{0}",
        demo::DEMO_REDIRECT_PATH
    );
    println!("Press Ctrl+C to stop.");
    loop {
        std::thread::park();
    }
}

fn run(args: RunArgs) -> Result<ExitCode, String> {
    // Kept alive for the whole run: dropping it stops the embedded provider.
    let (provider, demo_server) = args.provider()?;
    let options = args.options(demo_server.is_some())?;
    let replays = args::replays(&args)?;
    let experiments = args.experiments();

    let mut bench =
        Workbench::new(|| {}).map_err(|e| format!("could not start the engine: {e}"))?;
    let mut given = redact::Secrets::default();
    if let Some(secret) = &provider.client_secret {
        given.add(secret.expose());
    }
    if let UserAgentKind::Scripted { password, .. } = &options.user_agent {
        given.add(password);
    }
    let person = matches!(
        options.user_agent,
        UserAgentKind::System | UserAgentKind::Print
    );
    let mut printer =
        Printer::new(args.show_secrets, args.json, given.clone()).person_logs_in(person);
    // The engine reports every command's end, so waiting needs no deadline of its own: the
    // HTTP and callback timeouts bound each step.
    let forever = Duration::MAX;
    let run = bench.start(provider, options);
    bench.wait_idle(run, forever, |r, h| printer.happened(r, h));
    for replay in replays {
        bench.replay(
            run,
            replay.step,
            ReplayRequest::Default,
            replay.edits,
            replay.continue_flow,
        );
        bench.wait_idle(run, forever, |r, h| printer.happened(r, h));
    }
    if !experiments.is_empty() {
        bench.set_wait(run, Duration::from_secs(args.wait));
        bench.run_experiments(run, &experiments);
        bench.wait_idle(run, forever, |r, h| printer.happened(r, h));
    }
    let Some(done) = bench.run(run) else {
        return Err("the run was lost".into());
    };
    for step in &args.compare {
        printer.note(&comparison(&done.trace, *step, args.show_secrets));
    }
    let (trace, findings) = (done.trace.clone(), done.findings.clone());
    args.keep
        .write(&crate::workbench::RunRecord::of(done), &given)?;
    drop(bench);
    drop(demo_server);
    let hidden = printer.hidden();
    if args.json {
        let doc = json_document(&trace, &findings, args.show_secrets)?;
        println!(
            "{}",
            hidden
                .as_ref()
                .map_or(doc.as_str().into(), |h| h.scrub(&doc))
        );
    }
    Ok(exit_code(&trace, &findings, hidden))
}

/// What differs between the last two attempts of `step`, as lines.
fn comparison(trace: &Trace, step: StepId, show_secrets: bool) -> String {
    let n = trace.exchange_count(step);
    match n
        .checked_sub(2)
        .and_then(|i| crate::compare::step_attempts(trace, step, i, i + 1))
    {
        None => format!(
            "step {} has {n} attempt(s): nothing to compare",
            step.letter()
        ),
        Some(c) if c.is_empty() => format!(
            "attempts {} and {} of step {} are the same",
            n - 1,
            n,
            step.letter()
        ),
        Some(c) => {
            let mut lines = vec![format!(
                "attempts {} and {} of step {} differ in:",
                n - 1,
                n,
                step.letter()
            )];
            for d in c.request.iter().chain(&c.response) {
                let d = if show_secrets {
                    d.to_string()
                } else {
                    redact::difference(d)
                };
                lines.push(format!("   {d}"));
            }
            lines.join("\n")
        }
    }
}

/// `--json`: the trace (masked unless asked) with the experiments' verdicts.
fn json_document(trace: &Trace, findings: &[Judged], show_secrets: bool) -> Result<String, String> {
    let out = if show_secrets {
        trace.clone()
    } else {
        redact::trace(trace)
    };
    let mut doc = serde_json::to_value(&out).map_err(|e| format!("could not write JSON: {e}"))?;
    if !findings.is_empty() {
        doc["experiments"] = findings
            .iter()
            .map(|j| {
                serde_json::json!({
                    "id": j.experiment.id(),
                    "verdict": j.finding.verdict,
                    "summary": j.finding.summary,
                })
            })
            .collect();
    }
    serde_json::to_string_pretty(&doc).map_err(|e| format!("could not write JSON: {e}"))
}

/// 0 when every experiment judged passed (or, with none judged, when G succeeded); else 1,
/// with the reason on stderr.
fn exit_code(trace: &Trace, findings: &[Judged], hidden: Option<&redact::Secrets>) -> ExitCode {
    let judged: Vec<&Judged> = findings
        .iter()
        .filter(|j| j.finding.verdict != Verdict::Skip)
        .collect();
    if !judged.is_empty() {
        // A note (an allowed choice) is not held against the provider.
        let failed: Vec<_> = judged
            .iter()
            .filter(|j| j.finding.verdict > Verdict::Info)
            .map(|j| j.experiment.id())
            .collect();
        if failed.is_empty() {
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "oauthviz: the provider did not do what the RFCs expect in: {}",
            failed.join(", ")
        );
        return ExitCode::FAILURE;
    }
    if trace.ok {
        return ExitCode::SUCCESS;
    }
    let step = trace
        .failed_step()
        .map(|s| format!("step {} ({})", s.letter(), s.name()))
        .unwrap_or_else(|| "the run".into());
    let reason = trace.error().unwrap_or_else(|| "unknown reason".into());
    let reason = hidden.map_or(reason.as_str().into(), |h| h.scrub(&reason));
    eprintln!("oauthviz: {step} failed: {}", print::terminal_safe(&reason));
    ExitCode::FAILURE
}
