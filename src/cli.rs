//! The command line: `oauthviz` opens the window; `oauthviz run` runs a flow headless and prints
//! it; `oauthviz demo-server` runs the embedded provider on its own.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::config::ProviderConfig;
use crate::demo::{self, DemoOptions, DemoServer};
use crate::engine::{Command, Engine, ReplayRequest, RunOptions, UserAgentKind};
use crate::experiments::Experiment;
use crate::protocol::edit::Edit;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;
use crate::redact;
use crate::trace::{Attempt, Outcome, StepId, Trace, Update, Verdict};

#[derive(Parser, Debug)]
#[command(
    name = "oauthviz",
    version,
    about = "The OAuth 2.0 Authorization Code flow, visible.\n\nWith no command, opens the window."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run one Authorization Code flow (A–G) without a window and print every step.
    Run(Box<RunArgs>),
    /// Run the embedded demo authorization + resource server until interrupted.
    DemoServer {
        /// Port on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Skip the login and consent pages: approve every valid request at once.
        #[arg(long)]
        auto_approve: bool,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum AuthArg {
    Basic,
    Post,
    None,
    /// RFC 7523: a JWT signed with --private-key.
    PrivateKeyJwt,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum UserAgentArg {
    /// The system browser ($BROWSER is honoured).
    System,
    /// Print the URL and wait for the redirect.
    Print,
    /// The built-in HTTP agent fills the login and consent forms (needs --login, except on demo).
    Scripted,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// `demo` (the embedded provider, started for this run), a saved profile's name, or a
    /// profile file (TOML).
    #[arg(long)]
    provider: Option<String>,
    /// With `--provider demo`: make the demo provider break a rule (repeatable), e.g.
    /// accept_reused_codes, skip_state, no_iss, accept_query_token, ignore_pkce.
    #[arg(long, value_name = "NAME")]
    misbehave: Vec<String>,
    /// Issuer URL: the endpoints come from its discovery document.
    #[arg(long)]
    issuer: Option<String>,
    #[arg(long)]
    authorize_url: Option<String>,
    #[arg(long)]
    token_url: Option<String>,
    /// What F calls with the access token.
    #[arg(long)]
    resource_url: Option<String>,
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long, env = "OAUTHVIZ_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    #[arg(long, value_enum)]
    client_auth: Option<AuthArg>,
    /// PEM private key for --client-auth private-key-jwt.
    #[arg(long, value_name = "PEM")]
    private_key: Option<String>,
    /// Its algorithm: RS256 (the default), PS256, ES256, EdDSA, …
    #[arg(long, value_name = "ALG")]
    private_key_alg: Option<String>,
    /// Its key id (the `kid` the provider knows it by).
    #[arg(long, value_name = "KID")]
    private_key_kid: Option<String>,
    /// Must be a loopback http URL; port 0 picks a free port.
    #[arg(long)]
    redirect_uri: Option<String>,
    #[arg(long)]
    scope: Option<String>,
    /// S256, plain or off.
    #[arg(long, value_parser = PkceMethod::parse)]
    pkce: Option<PkceMethod>,
    /// An extra authorization parameter NAME=VALUE (repeatable), e.g. prompt=consent.
    #[arg(long, value_name = "NAME=VALUE")]
    auth_param: Vec<String>,
    #[arg(long, value_enum, default_value = "system")]
    user_agent: UserAgentArg,
    /// USER:PASS for the scripted user agent.
    #[arg(long)]
    login: Option<String>,
    /// Press "deny" on the consent page (scripted user agent).
    #[arg(long)]
    deny_consent: bool,
    /// Print one JSON document at the end instead of the steps as they happen.
    #[arg(long)]
    json: bool,
    /// Print secrets and tokens instead of masking them.
    #[arg(long)]
    show_secrets: bool,
    /// Seconds to wait for each HTTP answer.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Seconds to wait for the redirect back (C).
    #[arg(long, default_value_t = 300)]
    callback_timeout: u64,
    /// Stop after this step (C or E) and prepare the next request unsent, to edit it with --then.
    #[arg(long, value_parser = parse_step)]
    pause_after: Option<StepId>,
    /// After the flow, send STEP again (A–G, refresh, revoke, introspect); `STEP:continue` goes on
    /// to G from there. Repeatable; runs in order.
    #[arg(long = "then", value_name = "STEP[:continue]")]
    then: Vec<String>,
    /// An edit for the preceding --then: name=value, -name, header:Name=value, -header:Name,
    /// @method=M, @url=U, @body=B, @bearer-to-query.
    #[arg(long = "set", value_name = "EDIT", allow_hyphen_values = true)]
    set: Vec<String>,
    /// At the end, print what differs between the last two attempts of STEP (repeatable).
    #[arg(long, value_parser = parse_step, value_name = "STEP")]
    compare: Vec<StepId>,
    /// After the flow, run an experiment and judge the provider's answer (repeatable).
    #[arg(long, value_parser = Experiment::parse)]
    experiment: Vec<Experiment>,
    /// Where each --set stands among the --then flags (filled from the parsed matches).
    #[arg(skip)]
    set_positions: Vec<usize>,
    #[arg(skip)]
    then_positions: Vec<usize>,
}

fn parse_step(s: &str) -> Result<StepId, String> {
    StepId::parse(s)
        .ok_or_else(|| format!("'{s}' is not a step: use A–G, refresh, revoke or introspect"))
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
        None => crate::gui::run(started).map(|()| ExitCode::SUCCESS),
        Some(Cmd::DemoServer { port, auto_approve }) => demo_server(port, auto_approve),
        Some(Cmd::Run(args)) => run(*args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("oauthviz: {e}");
            ExitCode::from(2)
        }
    }
}

fn demo_server(port: u16, auto_approve: bool) -> Result<ExitCode, String> {
    let server = DemoServer::start(DemoOptions {
        port,
        auto_approve,
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
    let mut demo_server = None;
    let mut provider = match args.provider.as_deref() {
        Some("demo") => {
            let misbehaviour =
                demo::Misbehaviour::from_names(args.misbehave.iter().map(String::as_str))?;
            let server = DemoServer::start(DemoOptions {
                misbehaviour,
                ..Default::default()
            })
            .map_err(|e| format!("could not start the demo provider: {e}"))?;
            let cfg = ProviderConfig::demo(&server);
            demo_server = Some(server);
            cfg
        }
        Some(name_or_path) => crate::profile::resolve(name_or_path)?.into_config()?,
        None => ProviderConfig {
            name: "command line".into(),
            redirect_uri: "http://127.0.0.1:0/callback".into(),
            scope: "openid".into(),
            ..Default::default()
        },
    };
    if !args.misbehave.is_empty() && demo_server.is_none() {
        return Err(
            "--misbehave switches the embedded demo provider: use it with --provider demo".into(),
        );
    }
    let timeout = Duration::from_secs(args.timeout);
    override_with_flags(&mut provider, &args)?;
    ask_for_missing_secret(&mut provider)?;

    let user_agent = match args.user_agent {
        UserAgentArg::System => UserAgentKind::System,
        UserAgentArg::Print => UserAgentKind::Print,
        UserAgentArg::Scripted => {
            let (username, password) = match (&args.login, &demo_server) {
                (Some(login), _) => login
                    .split_once(':')
                    .map(|(u, p)| (u.to_owned(), p.to_owned()))
                    .ok_or("--login takes USER:PASS")?,
                (None, Some(_)) => (
                    demo::DEMO_USERNAME.to_owned(),
                    demo::DEMO_PASSWORD.to_owned(),
                ),
                (None, None) => {
                    return Err("the scripted user agent needs --login USER:PASS".into());
                }
            };
            UserAgentKind::Scripted {
                username,
                password,
                deny_consent: args.deny_consent,
            }
        }
    };
    let replays = replays(&args)?;
    let options = RunOptions {
        user_agent,
        http_timeout: timeout,
        callback_timeout: Duration::from_secs(args.callback_timeout),
        pause_after: args.pause_after,
        ..Default::default()
    };

    let engine = Engine::start(|| {}).map_err(|e| format!("could not start the engine: {e}"))?;
    let mut printer = Printer::new(args.show_secrets, args.json);
    let run_id = 1;
    let config = provider.clone();
    let mut trace = engine.run_blocking(run_id, provider, options, |t, u| printer.print(t, u));
    for command in replays(run_id) {
        engine.command_blocking(command, &mut trace, |t, u| printer.print(t, u));
    }
    let mut findings = Vec::new();
    for experiment in &args.experiment {
        printer.note(&format!(
            "experiment {}: {}",
            experiment.id(),
            experiment.title()
        ));
        let plan = experiment
            .plan(run_id, &config, &trace)
            .map_err(|e| format!("experiment {}: {e}", experiment.id()))?;
        for command in plan {
            engine.command_blocking(command, &mut trace, |t, u| printer.print(t, u));
        }
        let finding = experiment.judge(&config, &trace);
        printer.note(&format!(
            "verdict {:?}: {}",
            finding.verdict, finding.summary
        ));
        findings.push((*experiment, finding));
    }
    for step in &args.compare {
        let n = crate::compare::exchange_count(&trace, *step);
        let text = match n
            .checked_sub(2)
            .and_then(|i| crate::compare::step_attempts(&trace, *step, i, i + 1))
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
                    let d = if args.show_secrets {
                        d.to_string()
                    } else {
                        redact::difference(d)
                    };
                    lines.push(format!("   {d}"));
                }
                lines.join("\n")
            }
        };
        printer.note(&text);
    }
    drop(engine);
    drop(demo_server);
    if args.json {
        let out = if args.show_secrets {
            trace.clone()
        } else {
            redact::trace(&trace)
        };
        let mut doc =
            serde_json::to_value(&out).map_err(|e| format!("could not write JSON: {e}"))?;
        if !findings.is_empty() {
            doc["experiments"] = findings
                .iter()
                .map(|(e, f)| serde_json::json!({"id": e.id(), "verdict": f.verdict, "summary": f.summary}))
                .collect();
        }
        let text =
            serde_json::to_string_pretty(&doc).map_err(|e| format!("could not write JSON: {e}"))?;
        println!("{text}");
    }
    if !findings.is_empty() {
        let failed: Vec<_> = findings
            .iter()
            .filter(|(_, f)| f.verdict != Verdict::Pass)
            .map(|(e, _)| e.id())
            .collect();
        if failed.is_empty() {
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!(
            "oauthviz: the provider did not do what the RFCs expect in: {}",
            failed.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    if trace.ok {
        Ok(ExitCode::SUCCESS)
    } else {
        let step = trace
            .failed_step
            .map(|s| format!("step {} ({})", s.letter(), s.name()))
            .unwrap_or_else(|| "the run".into());
        eprintln!(
            "oauthviz: {step} failed: {}",
            trace.error.as_deref().unwrap_or("unknown reason")
        );
        Ok(ExitCode::FAILURE)
    }
}

/// The --then replays with their --set edits, as engine commands for a run.
fn replays(args: &RunArgs) -> Result<impl Fn(u64) -> Vec<Command> + use<>, String> {
    if !args.set.is_empty() && args.then.is_empty() {
        return Err(
            "--set edits the request of a --then replay: put a --then STEP before it".into(),
        );
    }
    let mut planned: Vec<(StepId, bool, Vec<Edit>)> = Vec::new();
    for (i, spec) in args.then.iter().enumerate() {
        let (step, cont) = match spec.split_once(':') {
            Some((step, "continue")) => (step, true),
            Some((_, other)) => {
                return Err(format!(
                    "--then {spec}: ':{other}' is not known; only ':continue' is"
                ));
            }
            None => (spec.as_str(), false),
        };
        let step = parse_step(step)?;
        let from = args.then_positions.get(i).copied().unwrap_or(0);
        let to = args
            .then_positions
            .get(i + 1)
            .copied()
            .unwrap_or(usize::MAX);
        let edits = args
            .set
            .iter()
            .zip(&args.set_positions)
            .filter(|(_, pos)| (from..to).contains(*pos))
            .map(|(e, _)| Edit::parse(e))
            .collect::<Result<Vec<_>, _>>()?;
        planned.push((step, cont, edits));
    }
    Ok(move |run| {
        planned
            .iter()
            .map(|(step, cont, edits)| Command::Replay {
                run,
                step: *step,
                request: ReplayRequest::Default,
                edits: edits.clone(),
                continue_flow: *cont,
            })
            .collect()
    })
}

/// A profile that does not store its secret gets it at run time: typed at a hidden prompt when
/// there is a terminal (with none, the validation names the missing secret and the ways to give it).
fn ask_for_missing_secret(p: &mut ProviderConfig) -> Result<(), String> {
    use std::io::IsTerminal as _;
    let needs = matches!(p.client_auth, ClientAuth::Basic | ClientAuth::Post);
    if !needs
        || p.client_secret.as_ref().is_some_and(|s| !s.is_empty())
        || !std::io::stdin().is_terminal()
    {
        return Ok(());
    }
    let typed = rpassword::prompt_password(format!(
        "client secret for {} (not shown, not stored): ",
        p.client_id
    ))
    .map_err(|e| format!("could not read the client secret: {e}"))?;
    p.client_secret = Some(Secret::new(typed.trim_end_matches(['\r', '\n']).to_owned()));
    Ok(())
}

fn override_with_flags(p: &mut ProviderConfig, a: &RunArgs) -> Result<(), String> {
    if let Some(issuer) = &a.issuer {
        // Another issuer means its endpoints: the engine discovers them (flags below still win).
        p.issuer = Some(issuer.clone());
        p.authorization_endpoint.clear();
        p.token_endpoint.clear();
        p.jwks_uri = None;
        p.revocation_endpoint = None;
        p.introspection_endpoint = None;
    }
    for param in &a.auth_param {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| format!("--auth-param {param}: write it as NAME=VALUE"))?;
        p.extra_auth_params.set(name, value);
    }
    let set = |field: &mut String, flag: &Option<String>| {
        if let Some(v) = flag {
            *field = v.clone();
        }
    };
    set(&mut p.authorization_endpoint, &a.authorize_url);
    set(&mut p.token_endpoint, &a.token_url);
    set(&mut p.resource_url, &a.resource_url);
    set(&mut p.client_id, &a.client_id);
    set(&mut p.redirect_uri, &a.redirect_uri);
    set(&mut p.scope, &a.scope);
    if let Some(s) = &a.client_secret {
        p.client_secret = Some(Secret::new(s.clone()));
    }
    if let Some(auth) = a.client_auth {
        p.client_auth = match auth {
            AuthArg::Basic => ClientAuth::Basic,
            AuthArg::Post => ClientAuth::Post,
            AuthArg::None => ClientAuth::None,
            AuthArg::PrivateKeyJwt => ClientAuth::PrivateKeyJwt,
        };
    }
    for (field, flag) in [
        (&mut p.private_key_path, &a.private_key),
        (&mut p.private_key_alg, &a.private_key_alg),
        (&mut p.private_key_kid, &a.private_key_kid),
    ] {
        if flag.is_some() {
            field.clone_from(flag);
        }
    }
    if let Some(pkce) = a.pkce {
        p.pkce = pkce;
    }
    Ok(())
}

/// Prints each attempt when it ends (and B when it starts waiting, with the URL to open).
struct Printer {
    show_secrets: bool,
    quiet: bool,
    waiting_shown: std::collections::HashSet<(StepId, usize)>,
}

/// Bodies longer than this are cut in the step-by-step output (`--json` has them whole).
const BODY_LINES: usize = 30;

impl Printer {
    fn new(show_secrets: bool, quiet: bool) -> Self {
        Self {
            show_secrets,
            quiet,
            waiting_shown: Default::default(),
        }
    }

    fn note(&self, text: &str) {
        if !self.quiet {
            println!("== {text}");
        }
    }

    fn print(&mut self, trace: &Trace, update: &Update) {
        if self.quiet {
            return;
        }
        let mut out = std::io::stdout().lock();
        let Update::Attempt {
            step,
            index,
            attempt,
        } = update
        else {
            if let Update::Finished { ok, reason, .. } = update {
                let _ = match (ok, reason) {
                    (true, _) => writeln!(out, "flow complete: G succeeded"),
                    (false, Some(r)) => writeln!(out, "flow stopped: {r}"),
                    (false, None) => writeln!(out, "flow stopped"),
                };
            }
            return;
        };
        if attempt.outcome == Outcome::WaitingForUser {
            let url = trace
                .step(StepId::A)
                .latest()
                .and_then(|a| a.request.as_ref())
                .map(|r| r.url.clone());
            if let Some(url) = url
                && self.waiting_shown.insert((*step, *index))
            {
                let _ = writeln!(
                    out,
                    "B  waiting for the login and consent; the authorization URL is:\n   {url}"
                );
            }
            return;
        }
        let shown_before =
            attempt.outcome == Outcome::Pending && !self.waiting_shown.insert((*step, *index));
        if shown_before || (!attempt.outcome.is_final() && attempt.outcome != Outcome::Pending) {
            return;
        }
        let _ = writeln!(out, "{}", step_line(*step, attempt));
        for check in &attempt.checks {
            let _ = writeln!(
                out,
                "   check {:?}: {} — {}",
                check.verdict, check.name, check.detail
            );
        }
        if let Some(req) = &attempt.request {
            let req = if self.show_secrets {
                req.clone()
            } else {
                redact::request(req)
            };
            let _ = writeln!(out, "{}", indent(&req.to_raw()));
        }
        if let Some(resp) = &attempt.response {
            let resp = if self.show_secrets {
                resp.clone()
            } else {
                redact::response(resp)
            };
            let mut raw = format!("HTTP/1.1 {}\n", resp.status_line());
            for h in resp.headers.iter() {
                raw.push_str(&format!("{}: {}\n", h.name, h.value));
            }
            raw.push('\n');
            raw.push_str(&resp.body);
            let _ = writeln!(out, "{}", indent(&raw));
        }
    }
}

fn step_line(step: StepId, a: &Attempt) -> String {
    let status = match &a.outcome {
        Outcome::Ok => "ok".to_owned(),
        Outcome::Warning(r) => format!("warning: {r}"),
        Outcome::Failed(r) => format!("FAILED: {r}"),
        Outcome::Skipped(r) => format!("skipped: {r}"),
        Outcome::Pending => "prepared, not sent (edit it with --then and --set)".to_owned(),
        other => format!("{other:?}"),
    };
    let ms = a
        .duration_ms
        .map(|d| format!(" ({d:.1} ms)"))
        .unwrap_or_default();
    format!(
        "{}  {} — {status}{ms}\n   {}",
        step.letter(),
        step.name(),
        a.summary
    )
}

fn indent(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<_> = text.lines().collect();
    let mut out: Vec<String> = lines
        .iter()
        .take(BODY_LINES)
        .map(|l| format!("   │ {l}"))
        .collect();
    if lines.len() > BODY_LINES {
        out.push(format!(
            "   │ … {} more lines (--json prints everything)",
            lines.len() - BODY_LINES
        ));
    }
    out.join("\n")
}
