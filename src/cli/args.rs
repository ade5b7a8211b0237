//! `oauthviz run`'s flags, and how they become a provider, run options and replays. Flags
//! override what the provider (the demo, a profile) sets.

use std::time::Duration;

use clap::ValueEnum;

use crate::config::ProviderConfig;
use crate::demo::{self, DemoOptions, DemoServer};
use crate::engine::{Driver, RunOptions, UserAgentKind};
use crate::profile::Profile;
use crate::protocol::edit::Edit;
use crate::protocol::pkce::PkceMethod;
use crate::protocol::secret::Secret;
use crate::protocol::token::ClientAuth;
use crate::trace::StepId;
use crate::workbench::Experiment;

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum AuthArg {
    Basic,
    Post,
    None,
    /// RFC 7523: a JWT signed with --private-key.
    PrivateKeyJwt,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum UserAgentArg {
    /// The system browser ($BROWSER is honoured).
    System,
    /// Print the URL and wait for the redirect.
    Print,
    /// The built-in HTTP agent fills the login and consent forms (needs --login, except on demo).
    Scripted,
    /// A headless Chromium from the system fills them, JavaScript logins too (needs --login,
    /// except on demo; Chromium must be installed).
    Browser,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// `demo` (the embedded provider, started for this run), a saved profile's name, or a
    /// profile file (TOML).
    #[arg(long)]
    pub provider: Option<String>,
    /// With `--provider demo`: make the demo provider break a rule (repeatable), e.g.
    /// accept_reused_codes, skip_state, no_iss, accept_query_token, ignore_pkce.
    #[arg(long, value_name = "NAME")]
    pub misbehave: Vec<String>,
    /// With `--provider demo`: its login page is built by JavaScript and signs in through a
    /// JSON API (try it with `--user-agent browser`; the scripted HTTP agent cannot follow it).
    #[arg(long)]
    pub js_login: bool,
    /// Issuer URL: the endpoints come from its discovery document.
    #[arg(long)]
    pub issuer: Option<String>,
    #[arg(long)]
    pub authorize_url: Option<String>,
    #[arg(long)]
    pub token_url: Option<String>,
    /// What F calls with the access token.
    #[arg(long)]
    pub resource_url: Option<String>,
    #[arg(long)]
    pub client_id: Option<String>,
    #[arg(long, env = "OAUTHVIZ_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    #[arg(long, value_enum)]
    pub client_auth: Option<AuthArg>,
    /// PEM private key for --client-auth private-key-jwt.
    #[arg(long, value_name = "PEM")]
    pub private_key: Option<String>,
    /// Its algorithm: RS256 (the default), PS256, ES256, EdDSA, …
    #[arg(long, value_name = "ALG")]
    pub private_key_alg: Option<String>,
    /// Its key id (the `kid` the provider knows it by).
    #[arg(long, value_name = "KID")]
    pub private_key_kid: Option<String>,
    /// Must be a loopback http URL; port 0 picks a free port.
    #[arg(long)]
    pub redirect_uri: Option<String>,
    #[arg(long)]
    pub scope: Option<String>,
    /// S256, plain or off.
    #[arg(long, value_parser = PkceMethod::parse)]
    pub pkce: Option<PkceMethod>,
    /// An extra authorization parameter NAME=VALUE (repeatable), e.g. prompt=consent.
    #[arg(long, value_name = "NAME=VALUE")]
    pub auth_param: Vec<String>,
    #[arg(long, value_enum, default_value = "system")]
    pub user_agent: UserAgentArg,
    /// USER:PASS for the scripted user agent.
    #[arg(long)]
    pub login: Option<String>,
    /// Press "deny" on the consent page (scripted user agent).
    #[arg(long)]
    pub deny_consent: bool,
    /// A value for the form field NAME wherever the scripted user agent finds it (repeatable),
    /// e.g. a tenant or `login_hint` on a provider's login page.
    #[arg(long, value_name = "NAME=VALUE")]
    pub form_field: Vec<String>,
    /// Print one JSON document at the end instead of the steps as they happen.
    #[arg(long)]
    pub json: bool,
    /// Print secrets and tokens instead of masking them.
    #[arg(long)]
    pub show_secrets: bool,
    /// Seconds to wait for each HTTP answer.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Seconds to wait for the redirect back (C).
    #[arg(long, default_value_t = 300)]
    pub callback_timeout: u64,
    /// Stop after this step (C or E) and prepare the next request unsent, to edit it with --then.
    #[arg(long, value_parser = StepId::parse_or_explain)]
    pub pause_after: Option<StepId>,
    /// After the flow, send STEP again (A–G, refresh, revoke, introspect); `STEP:continue` goes on
    /// to G from there. Repeatable; runs in order.
    #[arg(long = "then", value_name = "STEP[:continue]")]
    pub then: Vec<String>,
    /// An edit for the preceding --then: name=value, -name, header:Name=value, -header:Name,
    /// @method=M, @url=U, @body=B, @bearer-to-query.
    #[arg(long = "set", value_name = "EDIT", allow_hyphen_values = true)]
    pub set: Vec<String>,
    /// At the end, print what differs between the last two attempts of STEP (repeatable).
    #[arg(long, value_parser = StepId::parse_or_explain, value_name = "STEP")]
    pub compare: Vec<StepId>,
    /// After the flow, run an experiment and judge the provider's answer (repeatable), or `all`.
    #[arg(long, value_parser = Experiment::parse_list, value_name = "ID|all")]
    pub experiment: Vec<Vec<Experiment>>,
    /// Seconds an experiment may wait for a code or an access token to expire (code-lifetime,
    /// expired-access-token; 0 skips them). Codes are judged against RFC 6749's 10 minutes
    /// from 600 up; an access token is waited for until expires_in plus 5 minutes' leeway.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
    #[command(flatten)]
    pub keep: super::keep::KeepArgs,
    /// Where each --set stands among the --then flags (filled from the parsed matches).
    #[arg(skip)]
    pub set_positions: Vec<usize>,
    #[arg(skip)]
    pub then_positions: Vec<usize>,
}

/// A `--then` replay with its `--set` edits.
pub struct Replay {
    pub step: StepId,
    pub continue_flow: bool,
    pub edits: Vec<Edit>,
}

/// The --then replays with their --set edits, in order.
pub fn replays(args: &RunArgs) -> Result<Vec<Replay>, String> {
    if !args.set.is_empty() && args.then.is_empty() {
        return Err(
            "--set edits the request of a --then replay: put a --then STEP before it".into(),
        );
    }
    let mut planned = Vec::new();
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
        let step = StepId::parse_or_explain(step)?;
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
        planned.push(Replay {
            step,
            continue_flow: cont,
            edits,
        });
    }
    Ok(planned)
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

impl From<AuthArg> for ClientAuth {
    fn from(a: AuthArg) -> Self {
        match a {
            AuthArg::Basic => ClientAuth::Basic,
            AuthArg::Post => ClientAuth::Post,
            AuthArg::None => ClientAuth::None,
            AuthArg::PrivateKeyJwt => ClientAuth::PrivateKeyJwt,
        }
    }
}

/// The flags, laid over the provider as written (the demo's settings, a profile file): what
/// a flag gives replaces what the provider said, before anything is checked or defaulted.
fn override_with_flags(p: &mut Profile, a: &RunArgs) -> Result<(), String> {
    if let Some(issuer) = &a.issuer {
        // Another issuer means its endpoints: the engine discovers them (flags below still win).
        p.issuer = Some(issuer.clone());
        // The resource too: another provider's token must not go to this one's API.
        for endpoint in [
            &mut p.authorization_endpoint,
            &mut p.token_endpoint,
            &mut p.resource_url,
            &mut p.userinfo_endpoint,
            &mut p.jwks_uri,
            &mut p.revocation_endpoint,
            &mut p.introspection_endpoint,
        ] {
            *endpoint = None;
        }
        p.authorization_response_iss_parameter_supported = false;
    }
    for param in &a.auth_param {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| format!("--auth-param {param}: write it as NAME=VALUE"))?;
        p.extra_auth_params
            .insert(name.to_owned(), toml::Value::String(value.to_owned()));
    }
    for (field, flag) in [
        (&mut p.authorization_endpoint, &a.authorize_url),
        (&mut p.token_endpoint, &a.token_url),
        (&mut p.resource_url, &a.resource_url),
        (&mut p.redirect_uri, &a.redirect_uri),
        (&mut p.scope, &a.scope),
        (&mut p.private_key_alg, &a.private_key_alg),
        (&mut p.private_key_kid, &a.private_key_kid),
    ] {
        if flag.is_some() {
            field.clone_from(flag);
        }
    }
    if let Some(id) = &a.client_id {
        id.clone_into(&mut p.client_id);
    }
    if let Some(s) = &a.client_secret {
        p.client_secret = Some(Secret::new(s.clone()));
    }
    if let Some(auth) = a.client_auth {
        p.client_auth = Some(ClientAuth::from(auth).method_name().into());
    }
    if let Some(key) = &a.private_key {
        p.private_key_path = Some(key.into());
    }
    if let Some(pkce) = a.pkce {
        p.pkce = Some(pkce.name().into());
    }
    Ok(())
}

impl RunArgs {
    /// The provider the flags describe: the demo (started here, returned to keep it alive for
    /// the run), a profile, or flags alone; flags override what the provider sets.
    pub fn provider(&self) -> Result<(ProviderConfig, Option<DemoServer>), String> {
        let mut demo_server = None;
        let mut provider = match self.provider.as_deref() {
            Some("demo") => {
                let misbehaviour =
                    demo::Misbehaviour::from_names(self.misbehave.iter().map(String::as_str))?;
                let server = DemoServer::start(DemoOptions {
                    misbehaviour,
                    js_login: self.js_login,
                    ..Default::default()
                })
                .map_err(|e| format!("could not start the demo provider: {e}"))?;
                let profile = Profile::from_config(&ProviderConfig::demo(&server));
                demo_server = Some(server);
                profile
            }
            Some(name_or_path) => crate::profile::resolve(name_or_path)?,
            None => Profile {
                // A run from flags alone is named after its issuer, when it has one.
                name: self.issuer.clone().unwrap_or_else(|| "command line".into()),
                ..Default::default()
            },
        };
        if !self.misbehave.is_empty() && demo_server.is_none() {
            return Err(
                "--misbehave switches the embedded demo provider: use it with --provider demo"
                    .into(),
            );
        }
        override_with_flags(&mut provider, self)?;
        let mut provider = provider.into_config()?;
        if demo_server.is_some() {
            // For code-bound-to-client: the demo's other clients.
            provider.other_clients = crate::config::OtherClient::demo();
        }
        ask_for_missing_secret(&mut provider)?;
        Ok((provider, demo_server))
    }

    /// How the run goes: the user agent, timeouts, where to pause. `on_demo`: the demo user
    /// logs in when no --login is given.
    pub fn options(&self, on_demo: bool) -> Result<RunOptions, String> {
        if !self.form_field.is_empty() && !matches!(self.user_agent, UserAgentArg::Scripted) {
            return Err(
                "--form-field fills forms for the scripted user agent: add --user-agent scripted"
                    .into(),
            );
        }
        let user_agent = match self.user_agent {
            UserAgentArg::System => UserAgentKind::System,
            UserAgentArg::Print => UserAgentKind::Print,
            UserAgentArg::Scripted | UserAgentArg::Browser => {
                let driver = match self.user_agent {
                    UserAgentArg::Browser => Driver::Chromium,
                    _ => Driver::Http,
                };
                let (username, password) = match (&self.login, on_demo) {
                    (Some(login), _) => login
                        .split_once(':')
                        .map(|(u, p)| (u.to_owned(), p.to_owned()))
                        .ok_or("--login takes USER:PASS")?,
                    (None, true) => (
                        demo::DEMO_USERNAME.to_owned(),
                        demo::DEMO_PASSWORD.to_owned(),
                    ),
                    (None, false) => {
                        return Err(
                            "the scripted and browser user agents need --login USER:PASS".into(),
                        );
                    }
                };
                UserAgentKind::Scripted {
                    username,
                    password,
                    deny_consent: self.deny_consent,
                    form_fields: self
                        .form_field
                        .iter()
                        .map(|f| {
                            f.split_once('=')
                                .filter(|(n, _)| !n.is_empty())
                                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                                .ok_or_else(|| format!("--form-field {f}: use NAME=VALUE"))
                        })
                        .collect::<Result<_, _>>()?,
                    driver,
                }
            }
        };
        // Only these have a next request to prepare: A and B go on in the browser, and G ends.
        if let Some(step) = self.pause_after
            && !matches!(step, StepId::C | StepId::D | StepId::E)
        {
            return Err(format!(
                "--pause-after {}: a run can stop after C (before the token request) or E (before the resource request)",
                step.letter()
            ));
        }
        Ok(RunOptions {
            user_agent,
            http_timeout: Duration::from_secs(self.timeout),
            callback_timeout: Duration::from_secs(self.callback_timeout),
            pause_after: self.pause_after,
            ..Default::default()
        })
    }

    /// The experiments asked for, in order (`all` expanded).
    pub fn experiments(&self) -> Vec<Experiment> {
        self.experiment.iter().flatten().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        run: RunArgs,
    }

    fn flags(args: &[&str]) -> RunArgs {
        Flags::try_parse_from(std::iter::once("run").chain(args.iter().copied()))
            .unwrap()
            .run
    }

    fn profile() -> Profile {
        Profile {
            name: "mine".into(),
            authorization_endpoint: Some("https://as.example/authorize".into()),
            token_endpoint: Some("https://as.example/token".into()),
            resource_url: Some("https://rs.example/api".into()),
            client_id: "app".into(),
            // A variable nobody sets: the secret must come from the flag.
            client_secret_env: Some("OAUTHVIZ_TEST_NEVER_SET".into()),
            ..Default::default()
        }
    }

    #[test]
    fn pause_after_names_only_a_step_with_a_next_request() {
        let err = flags(&["--pause-after", "A"]).options(true).unwrap_err();
        assert!(err.contains("--pause-after A"), "{err}");
        assert!(flags(&["--pause-after", "G"]).options(true).is_err());
        for ok in ["C", "D", "E"] {
            assert!(flags(&["--pause-after", ok]).options(true).is_ok(), "{ok}");
        }
    }

    #[test]
    fn a_flag_secret_stands_in_for_an_unset_environment_variable() {
        let mut p = profile();
        assert!(p.clone().into_config().is_err(), "the variable is not set");
        override_with_flags(&mut p, &flags(&["--client-secret", "from-flag"])).unwrap();
        let cfg = p.into_config().unwrap();
        assert_eq!(
            cfg.client_secret.as_ref().map(Secret::expose),
            Some("from-flag")
        );
    }

    #[test]
    fn flags_replace_what_the_profile_says_and_leave_the_rest() {
        let mut p = profile();
        let args = flags(&[
            "--client-id",
            "other",
            "--client-auth",
            "none",
            "--pkce",
            "plain",
            "--scope",
            "openid email",
            "--auth-param",
            "prompt=consent",
        ]);
        override_with_flags(&mut p, &args).unwrap();
        let cfg = p.into_config().unwrap();
        assert_eq!(cfg.client_id, "other");
        assert_eq!(cfg.client_auth, ClientAuth::None);
        assert_eq!(cfg.pkce, PkceMethod::Plain);
        assert_eq!(cfg.scope, "openid email");
        assert_eq!(cfg.extra_auth_params.get("prompt"), Some("consent"));
        assert_eq!(cfg.token_endpoint, "https://as.example/token");
    }

    #[test]
    fn another_issuer_drops_the_endpoints_it_would_discover() {
        let mut p = profile();
        override_with_flags(&mut p, &flags(&["--issuer", "https://other.example"])).unwrap();
        assert_eq!(p.issuer.as_deref(), Some("https://other.example"));
        assert_eq!(p.authorization_endpoint, None);
        assert_eq!(p.token_endpoint, None);
        assert_eq!(p.resource_url, None, "F calls the new issuer's userinfo");
        let mut q = profile();
        let args = flags(&[
            "--issuer",
            "https://other.example",
            "--resource-url",
            "https://api",
        ]);
        override_with_flags(&mut q, &args).unwrap();
        assert_eq!(
            q.resource_url.as_deref(),
            Some("https://api"),
            "a flag still wins"
        );
    }
}
