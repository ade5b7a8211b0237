//! Runs the loopback OIDC provider fixture (`tests/fixtures/oidc-provider`,
//! `panva/oidc-provider` on Node.js) for integration tests.
//!
//! `OidcProvider::start()` installs the fixture's npm dependencies on first use
//! (`npm ci`, serialised across threads and test processes), spawns
//! `node server.mjs`, waits for its JSON ready line and kills it on drop.
//! Node.js must be installed: without it `start()` returns `Err` (tests fail,
//! they do not skip). See the fixture's README.md for the login/consent pages.
#![allow(dead_code)] // the tests and benches/audit.rs each use a different subset

use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Confidential client authenticating with HTTP Basic (`client_secret_basic`).
pub const BASIC_CLIENT_ID: &str = "basic-client";
pub const BASIC_CLIENT_SECRET: &str = "basic-secret";
/// Confidential client sending its secret in the form (`client_secret_post`).
pub const POST_CLIENT_ID: &str = "post-client";
pub const POST_CLIENT_SECRET: &str = "post-secret";
/// Public client (`none`); the provider requires PKCE S256 for it.
pub const PUBLIC_CLIENT_ID: &str = "public-client";
/// Authenticates with `private_key_jwt` (RFC 7523), signing with this test-only ES256 key.
pub const JWT_CLIENT_ID: &str = "jwt-client";
pub const JWT_CLIENT_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/keys/jwt-client-es256.pem"
);
pub const JWT_CLIENT_KID: &str = "jwt-client-key";
/// Registered for all the clients. Any port is accepted at request time
/// (`application_type: native`, RFC 8252 §7.3), e.g. `http://127.0.0.1:54321/callback`.
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// Scopes the provider supports. `offline_access` only yields a refresh
/// token when the authorization request also carries `prompt=consent`.
pub const SCOPES: &str = "openid profile email offline_access";

const READY_TIMEOUT: Duration = Duration::from_secs(60);
const STDERR_KEEP: usize = 16 * 1024;

/// A running provider; dropped = killed.
pub struct OidcProvider {
    /// `http://127.0.0.1:PORT`, also the `iss` value.
    pub issuer: String,
    pub port: u16,
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl OidcProvider {
    /// Installs dependencies if needed, starts `node server.mjs` on an
    /// ephemeral loopback port and waits (up to 60 s) until it listens.
    /// The error is multi-line (includes node's stderr); in tests prefer
    /// `OidcProvider::start().unwrap_or_else(|e| panic!("{e}"))` over `unwrap()`.
    pub fn start() -> Result<Self, String> {
        Self::start_with(&[])
    }

    /// The same, with more arguments for `server.mjs` (`--short-ttl N`).
    pub fn start_with(args: &[&str]) -> Result<Self, String> {
        let dir = fixture_dir();
        check_node()?;
        super::npm::ensure(&dir, "oidc-provider")?;

        let mut child = Command::new("node")
            .arg("server.mjs")
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot spawn `node server.mjs` in {}: {e}", dir.display()))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("child stdout not piped")?;
        let stderr_pipe = child.stderr.take().ok_or("child stderr not piped")?;

        // Both pipes are drained for the child's whole life so node never
        // blocks on a full pipe; stderr is kept (tail) for error messages.
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_reader = {
            let stderr = Arc::clone(&stderr);
            thread::spawn(move || collect_stderr(stderr_pipe, &stderr))
        };
        let (tx, rx) = mpsc::channel();
        let stdout_reader = thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(first) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });

        let mut provider = Self {
            issuer: String::new(),
            port: 0,
            child,
            stdin,
            stderr,
            readers: vec![stderr_reader, stdout_reader],
        };
        let failure = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(Ok(line)) => match parse_ready_line(&line) {
                Ok((issuer, port)) => {
                    provider.issuer = issuer;
                    provider.port = port;
                    return Ok(provider);
                }
                Err(e) => e,
            },
            Ok(Err(e)) => format!("reading node's stdout failed: {e}"),
            Err(RecvTimeoutError::Timeout) => {
                format!("no ready line within {} s", READY_TIMEOUT.as_secs())
            }
            Err(RecvTimeoutError::Disconnected) => "node exited before it was ready".to_owned(),
        };
        let status = provider.shutdown();
        Err(format!(
            "oidc-provider fixture failed to start: {failure} ({status}); node stderr:\n{}",
            provider.stderr_output()
        ))
    }

    /// What node wrote to stderr so far (last 16 KiB).
    pub fn stderr_output(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn authorization_endpoint(&self) -> String {
        format!("{}/auth", self.issuer)
    }
    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer)
    }
    pub fn userinfo_endpoint(&self) -> String {
        format!("{}/me", self.issuer)
    }
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.issuer)
    }
    pub fn revocation_endpoint(&self) -> String {
        format!("{}/token/revocation", self.issuer)
    }
    pub fn introspection_endpoint(&self) -> String {
        format!("{}/token/introspection", self.issuer)
    }
    pub fn end_session_endpoint(&self) -> String {
        format!("{}/session/end", self.issuer)
    }
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// Closes stdin (node exits on EOF), kills, reaps and joins the readers.
    fn shutdown(&mut self) -> String {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let status = match self.child.wait() {
            Ok(s) => s.to_string(),
            Err(e) => format!("wait failed: {e}"),
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        status
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// `tests/fixtures/oidc-provider` of this crate.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oidc-provider")
}

fn check_node() -> Result<(), String> {
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`node --version` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(
            "Node.js is not installed (`node` not found on PATH); the OIDC integration tests \
             need Node.js >= 20 and npm to run tests/fixtures/oidc-provider"
                .to_owned(),
        ),
        Err(e) => Err(format!("cannot run `node --version`: {e}")),
    }
}

fn collect_stderr(pipe: impl Read, sink: &Mutex<String>) {
    for line in BufReader::new(pipe).lines() {
        let Ok(line) = line else { break };
        if let Ok(mut s) = sink.lock() {
            s.push_str(&line);
            s.push('\n');
            if s.len() > STDERR_KEEP {
                let mut cut = s.len() - STDERR_KEEP;
                while !s.is_char_boundary(cut) {
                    cut += 1;
                }
                s.drain(..cut);
            }
        }
    }
}

/// Parses `{"issuer":"http://127.0.0.1:PORT","port":PORT}` (no JSON crate).
fn parse_ready_line(line: &str) -> Result<(String, u16), String> {
    let bad = || format!("unexpected ready line from server.mjs: {line:?}");
    let after = |key: &str| {
        line.find(key)
            .map(|i| &line[i + key.len()..])
            .ok_or_else(bad)
    };
    let issuer = after("\"issuer\":\"")?.split('"').next().ok_or_else(bad)?;
    let port: u16 = after("\"port\":")?
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(bad)?;
    if port == 0 || issuer != format!("http://127.0.0.1:{port}") {
        return Err(bad());
    }
    Ok((issuer.to_owned(), port))
}
