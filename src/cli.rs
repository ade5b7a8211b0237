//! The command line: `oauthviz` opens the window; `oauthviz run` runs a flow headless and prints
//! it; `oauthviz demo-server` runs the embedded provider on its own.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::ProviderConfig;
use crate::demo::{self, DemoOptions, DemoServer};
use crate::engine::http::HttpClient;
use crate::engine::{Engine, RunOptions, UserAgentKind};
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;
use crate::redact;
use crate::trace::{Attempt, Outcome, StepId, Trace, Update};

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
    /// `demo` (the embedded provider, started for this run) or a profile file (TOML).
    #[arg(long)]
    provider: Option<String>,
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
    /// Must be a loopback http URL; port 0 picks a free port.
    #[arg(long)]
    redirect_uri: Option<String>,
    #[arg(long)]
    scope: Option<String>,
    /// S256, plain or off.
    #[arg(long, value_parser = PkceMethod::parse)]
    pkce: Option<PkceMethod>,
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
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => crate::gui::run().map(|()| ExitCode::SUCCESS),
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
            let server = DemoServer::start(DemoOptions::default())
                .map_err(|e| format!("could not start the demo provider: {e}"))?;
            let cfg = demo_config(&server);
            demo_server = Some(server);
            cfg
        }
        Some(path) => crate::profile::load(std::path::Path::new(path))?.into_config()?,
        None => ProviderConfig {
            name: "command line".into(),
            redirect_uri: "http://127.0.0.1:0/callback".into(),
            scope: "openid".into(),
            ..Default::default()
        },
    };
    let timeout = Duration::from_secs(args.timeout);
    if let Some(issuer) = &args.issuer {
        let client = HttpClient::new(timeout, 1024 * 1024, false)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not start an async runtime: {e}"))?;
        let meta = runtime.block_on(crate::engine::discovery::discover(&client, issuer))?;
        provider.apply_metadata(&meta);
    }
    override_with_flags(&mut provider, &args);

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
    let options = RunOptions {
        user_agent,
        http_timeout: timeout,
        callback_timeout: Duration::from_secs(args.callback_timeout),
        ..Default::default()
    };

    let engine = Engine::start(|| {}).map_err(|e| format!("could not start the engine: {e}"))?;
    let show = args.show_secrets;
    let json = args.json;
    let trace = engine.run_blocking(1, provider, options, |trace, update| {
        if !json {
            print_update(trace, update, show);
        }
    });
    drop(demo_server);
    if json {
        let out = if show {
            trace.clone()
        } else {
            redact::trace(&trace)
        };
        let text =
            serde_json::to_string_pretty(&out).map_err(|e| format!("could not write JSON: {e}"))?;
        println!("{text}");
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

/// The demo provider's basic client, with the demo user's scopes.
pub fn demo_config(server: &DemoServer) -> ProviderConfig {
    ProviderConfig {
        name: "demo".into(),
        issuer: Some(server.issuer()),
        authorization_endpoint: server.authorization_endpoint(),
        token_endpoint: server.token_endpoint(),
        resource_url: server.resource_url(),
        client_id: demo::BASIC_CLIENT_ID.into(),
        client_secret: Some(Secret::new(demo::BASIC_CLIENT_SECRET)),
        client_auth: ClientAuth::Basic,
        redirect_uri: format!("http://127.0.0.1:0{}", demo::DEMO_REDIRECT_PATH),
        scope: "openid profile email offline_access api.read".into(),
        pkce: PkceMethod::S256,
        extra_auth_params: Default::default(),
        revocation_endpoint: Some(server.revocation_endpoint()),
        introspection_endpoint: Some(server.introspection_endpoint()),
    }
}

fn override_with_flags(p: &mut ProviderConfig, a: &RunArgs) {
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
        };
    }
    if let Some(pkce) = a.pkce {
        p.pkce = pkce;
    }
    if let Some(issuer) = &a.issuer {
        p.issuer = Some(issuer.clone());
    }
}

/// Prints a step when its attempt ends (and B when it starts waiting, with the URL to open).
fn print_update(trace: &Trace, update: &Update, show_secrets: bool) {
    let mut out = std::io::stdout().lock();
    match update {
        Update::Attempt { step, attempt, .. } => {
            if attempt.outcome == Outcome::WaitingForUser {
                if let Some(url) = trace
                    .step(StepId::A)
                    .latest()
                    .and_then(|a| a.request.as_ref())
                    .map(|r| r.url.clone())
                {
                    let _ = writeln!(
                        out,
                        "B  waiting for the login and consent; the authorization URL is:\n   {url}"
                    );
                }
                return;
            }
            if !attempt.outcome.is_final() {
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
                let req = if show_secrets {
                    req.clone()
                } else {
                    redact::request(req)
                };
                let _ = writeln!(out, "{}", indent(&req.to_raw()));
            }
            if let Some(resp) = &attempt.response {
                let resp = if show_secrets {
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
        Update::Finished { ok, .. } => {
            let _ = writeln!(
                out,
                "{}",
                if *ok {
                    "flow complete: A–G ok"
                } else {
                    "flow stopped"
                }
            );
        }
    }
}

fn step_line(step: StepId, a: &Attempt) -> String {
    let status = match &a.outcome {
        Outcome::Ok => "ok".to_owned(),
        Outcome::Warning(r) => format!("warning: {r}"),
        Outcome::Failed(r) => format!("FAILED: {r}"),
        Outcome::Skipped(r) => format!("skipped: {r}"),
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
    text.replace("\r\n", "\n")
        .lines()
        .map(|l| format!("   │ {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
