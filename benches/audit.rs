//! The whole provider audit (every check, after the first flow), on loopback against the
//! embedded demo provider and against oidc-provider (tests/fixtures/oidc-provider, needs
//! Node.js). Prints the median and spread of each.
//!
//!     cargo bench --bench audit
//!
//! Budgets: under 1 s on the demo provider, under 5 s on oidc-provider.

#[path = "../tests/it/support/npm.rs"]
mod npm;
#[path = "../tests/it/support/oidc_provider.rs"]
mod oidc_provider;

use std::time::{Duration, Instant};

use oauthviz::config::ProviderConfig;
use oauthviz::demo::{DEMO_PASSWORD, DEMO_USERNAME, DemoOptions, DemoServer};
use oauthviz::engine::{RunOptions, UserAgentKind};
use oauthviz::protocol::params::Params;
use oauthviz::protocol::pkce::PkceMethod;
use oauthviz::protocol::secret::Secret;
use oauthviz::protocol::token::ClientAuth;
use oauthviz::workbench::{AuditCheck, Workbench};

const RUNS: usize = 15;
const WAIT: Duration = Duration::from_secs(60);

fn options(username: &str, password: &str) -> RunOptions {
    RunOptions {
        user_agent: UserAgentKind::Scripted {
            username: username.into(),
            password: password.into(),
            deny_consent: false,
            form_fields: Vec::new(),
            driver: oauthviz::engine::Driver::Http,
        },
        ..Default::default()
    }
}

/// Milliseconds the audit took after the first flow, and how many checks it judged.
fn audit_once(provider: ProviderConfig, options: RunOptions) -> Result<(f64, usize), String> {
    let mut bench = Workbench::new(|| {}).map_err(|e| e.to_string())?;
    let run = bench.start(provider, options);
    bench.wait_idle(run, WAIT, |_, _| {});
    if !bench.run(run).is_some_and(|r| r.trace.ok) {
        return Err("the first flow failed".into());
    }
    let started = Instant::now();
    bench.audit(run, AuditCheck::all());
    bench.wait_idle(run, WAIT, |_, _| {});
    let took = started.elapsed().as_secs_f64() * 1000.0;
    let rows = bench
        .run(run)
        .and_then(|r| r.audit.as_ref()?.report.as_ref().map(|r| r.rows.len()))
        .ok_or("the audit wrote no report")?;
    Ok((took, rows))
}

fn report(name: &str, mut times: Vec<f64>, checks: usize) {
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: {checks} checks, median {:.0} ms (min {:.0}, max {:.0}) over {} audits",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        times.len()
    );
}

fn main() -> Result<(), String> {
    let server = DemoServer::start(DemoOptions::default()).map_err(|e| e.to_string())?;
    let mut times = Vec::new();
    let mut checks = 0;
    for _ in 0..RUNS {
        let (ms, n) = audit_once(
            ProviderConfig::demo(&server),
            options(DEMO_USERNAME, DEMO_PASSWORD),
        )?;
        times.push(ms);
        checks = n;
    }
    report("demo provider", times, checks);

    let op = oidc_provider::OidcProvider::start()?;
    let provider = ProviderConfig {
        name: "oidc-provider".into(),
        issuer: Some(op.issuer.clone()),
        client_id: oidc_provider::BASIC_CLIENT_ID.into(),
        client_secret: Some(Secret::new(oidc_provider::BASIC_CLIENT_SECRET)),
        client_auth: ClientAuth::Basic,
        redirect_uri: "http://127.0.0.1:0/callback".into(),
        scope: oidc_provider::SCOPES.into(),
        extra_auth_params: Params::from([("prompt", "consent")]),
        pkce: PkceMethod::S256,
        ..Default::default()
    };
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let (ms, n) = audit_once(provider.clone(), options("alice", "any"))?;
        times.push(ms);
        checks = n;
    }
    report("oidc-provider", times, checks);
    Ok(())
}
