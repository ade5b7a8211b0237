//! `oauthviz check`: the normal flow, then the whole provider audit, as a report grouped by
//! area (or `--json`), with `--markdown` and `--junit` files for a provider's own CI.
//! Exit 0 when no check failed, 1 when one did, 2 when the audit could not run.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::args::{AuthArg, RunArgs};
use super::print::terminal_safe;
use crate::config::OtherClient;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;
use crate::redact;
use crate::trace::{StepId, StopReason, Verdict};
use crate::workbench::audit::render;
use crate::workbench::{AuditCheck, Happened, Workbench};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Also write the report as Markdown to FILE.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Also write the report as JUnit XML to FILE (one test case per check).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Run only this area or check (repeatable); `--list` shows them.
    #[arg(long, value_name = "AREA|ID")]
    pub only: Vec<String>,
    /// Leave out this area or check (repeatable).
    #[arg(long, value_name = "AREA|ID")]
    pub skip: Vec<String>,
    /// List every check (id, area, rule, RFC, keyword) and exit.
    #[arg(long)]
    pub list: bool,
    /// A second client of the same provider: code-bound-to-client redeems this client's code
    /// as that one (with the demo provider, its own clients are used).
    #[arg(long, value_name = "ID")]
    pub other_client_id: Option<String>,
    #[arg(long, env = "OAUTHVIZ_OTHER_CLIENT_SECRET", hide_env_values = true)]
    pub other_client_secret: Option<String>,
    /// How the second client authenticates (default: basic with a secret, none without).
    #[arg(long, value_enum)]
    pub other_client_auth: Option<AuthArg>,
}

pub fn check(args: CheckArgs) -> Result<ExitCode, String> {
    if args.list {
        print!("{}", render::check_list());
        return Ok(ExitCode::SUCCESS);
    }
    let run_args = &args.run;
    if !run_args.then.is_empty()
        || !run_args.experiment.is_empty()
        || run_args.pause_after.is_some()
    {
        return Err("check runs its own experiments: --then, --experiment and --pause-after belong to `oauthviz run`".into());
    }
    let checks = AuditCheck::select(&args.only, &args.skip)?;
    let (mut provider, demo_server) = run_args.provider()?;
    if let Some(id) = &args.other_client_id {
        let secret = args.other_client_secret.clone().map(Secret::new);
        let auth = match (args.other_client_auth, &secret) {
            (Some(a), _) => ClientAuth::from(a),
            (None, Some(_)) => ClientAuth::Basic,
            (None, None) => ClientAuth::None,
        };
        provider.other_clients.insert(
            0,
            OtherClient {
                id: id.clone(),
                secret,
                auth,
            },
        );
    } else if args.other_client_secret.is_some() || args.other_client_auth.is_some() {
        return Err(
            "--other-client-secret and --other-client-auth describe --other-client-id: give it too"
                .into(),
        );
    }
    let options = run_args.options(demo_server.is_some())?;
    let mut bench =
        Workbench::new(|| {}).map_err(|e| format!("could not start the engine: {e}"))?;
    let mut hidden = redact::Secrets::default();
    for secret in std::iter::once(&provider.client_secret)
        .chain(provider.other_clients.iter().map(|o| &o.secret))
        .flatten()
    {
        hidden.add(secret.expose());
    }
    let quiet = run_args.json;
    let say = |line: &str| {
        if !quiet {
            eprintln!("{}", terminal_safe(line));
        }
    };
    say(&format!(
        "checking {}: the normal flow first",
        provider.name
    ));
    let forever = Duration::MAX;
    let run = bench.start(provider, options);
    bench.wait_idle(run, forever, |_, _| {});
    let trace = bench
        .run(run)
        .map(|r| r.trace.clone())
        .ok_or("the run was lost")?;
    hidden.join(&redact::Secrets::of_trace(&trace));
    if let Some(why) = unreachable(&trace) {
        return Err(format!("the audit could not run: {}", hidden.scrub(&why)));
    }
    if !trace.ok {
        say(&format!(
            "the normal flow did not finish ({}); checking what can be checked",
            hidden.scrub(&trace.error().unwrap_or_default())
        ));
    }
    let active = checks
        .iter()
        .filter(|c| matches!(c, AuditCheck::Active(_)))
        .count();
    let mut judged = 0;
    bench.set_wait(run, Duration::from_secs(run_args.wait));
    bench.audit(run, checks);
    bench.wait_idle(run, forever, |r, h| {
        if let Happened::Judged { experiment, .. } = h
            && let Some(j) = crate::workbench::Judged::latest(&r.findings, *experiment)
        {
            judged += 1;
            say(&format!(
                "[{judged}/{active}] {}: {}",
                experiment.id(),
                render::verdict_word(j.finding.verdict)
            ));
        }
    });
    let done = bench.run(run).ok_or("the run was lost")?;
    hidden.join(&redact::Secrets::of_trace(&done.trace));
    let report = done
        .audit
        .as_ref()
        .and_then(|a| a.report.clone())
        .ok_or("the audit did not finish")?;
    run_args
        .keep
        .write(&crate::workbench::RunRecord::of(done), &hidden)?;
    drop(bench);
    drop(demo_server);
    let scrub = |text: String| -> String {
        if run_args.show_secrets {
            text
        } else {
            hidden.scrub(&text).into_owned()
        }
    };
    if let Some(path) = &args.markdown {
        crate::files::write_private(path, &scrub(render::markdown(&report)))?;
    }
    if let Some(path) = &args.junit {
        crate::files::write_private(path, &scrub(render::junit(&report)?))?;
    }
    if run_args.json {
        let doc = serde_json::to_string_pretty(&render::json(&report))
            .map_err(|e| format!("could not write JSON: {e}"))?;
        println!("{}", scrub(doc));
    } else {
        println!("{}", terminal_safe(&scrub(text_report(&report))));
    }
    let failed: Vec<&str> = report
        .rows
        .iter()
        .filter(|r| r.finding.verdict == Verdict::Fail)
        .map(|r| r.check.id())
        .collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("oauthviz: failed checks: {}", failed.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

/// Why the provider could not be reached at all, when the first flow got nowhere: then there
/// is nothing to audit.
fn unreachable(trace: &crate::trace::Trace) -> Option<String> {
    let stop = trace.stop.as_ref()?;
    let reached = !trace.step(StepId::C).attempts.is_empty();
    match &stop.reason {
        StopReason::Transport(e) | StopReason::Request(e) | StopReason::UserAgent(e)
            if !reached =>
        {
            Some(e.clone())
        }
        _ => None,
    }
}

/// The report for a terminal: by area, a line per check, the summary last.
fn text_report(report: &crate::workbench::audit::Report) -> String {
    let mut out = String::new();
    for (area, rows) in report.by_area() {
        out.push_str(&format!("\n{}\n", area.title()));
        for row in rows {
            let rule = row.check.rule();
            out.push_str(&format!(
                "  {:<4} {:<34} {} ({} {})\n       {}\n",
                render::verdict_word(row.finding.verdict).to_uppercase(),
                rule.id,
                rule.title,
                rule.rfc,
                rule.keyword.word(),
                row.finding.summary
            ));
        }
    }
    out.push_str(&format!(
        "\n{} — {} in {} ms\n",
        report.provider,
        report.summary().line(),
        report.duration_ms
    ));
    out
}
