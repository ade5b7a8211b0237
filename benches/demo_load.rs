//! The demo provider under load: `oauthviz demo-server --auto-approve` in a child process, and
//! 1,000 clients each running complete flows (authorization request, token request with PKCE,
//! resource request) back to back for 60 s. Prints flows per 10 s slice (flat within 20 % is the
//! budget), errors (0 is the budget), latency percentiles of a whole flow and the provider's
//! resident memory before and after.
//!
//!     cargo bench --bench demo_load

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use oauthviz::demo::{BASIC_CLIENT_ID, BASIC_CLIENT_SECRET};
use oauthviz::protocol::pkce::{Pkce, PkceMethod};

const CLIENTS: usize = 1000;
const SLICE: Duration = Duration::from_secs(10);
const SLICES: usize = 6;
const REDIRECT: &str = "http://127.0.0.1:9/callback";

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// One complete flow; the error names the step that went wrong.
async fn flow(http: &reqwest::Client, issuer: &str, n: usize) -> Result<(), String> {
    let pkce = Pkce::generate(PkceMethod::S256);
    let state = format!("s{n}");
    let authorize = reqwest::Url::parse_with_params(
        &format!("{issuer}/authorize"),
        [
            ("response_type", "code"),
            ("client_id", BASIC_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("scope", "openid api.read"),
            ("state", &state),
            ("nonce", &format!("n{n}")),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
        ],
    )
    .map_err(|e| e.to_string())?;
    let answer = http
        .get(authorize)
        .send()
        .await
        .map_err(|e| format!("A: {e}"))?;
    let location = answer
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or_else(|| format!("A: {} without a redirect", answer.status()))?;
    let code = reqwest::Url::parse(location)
        .map_err(|e| format!("C: {e}"))?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("C: no code in {location}"))?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("code_verifier", &pkce.verifier)
        .finish();
    let body = http
        .post(format!("{issuer}/token"))
        .basic_auth(BASIC_CLIENT_ID, Some(BASIC_CLIENT_SECRET))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .map_err(|e| format!("D: {e}"))?
        .text()
        .await
        .map_err(|e| format!("E: {e}"))?;
    let tokens: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("E: {e}: {body}"))?;
    let token = tokens["access_token"]
        .as_str()
        .ok_or_else(|| format!("E: no access_token in {tokens}"))?;
    let resource = http
        .get(format!("{issuer}/api/profile"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("F: {e}"))?;
    if resource.status() != 200 {
        return Err(format!("G: {}", resource.status()));
    }
    Ok(())
}

fn main() -> Result<(), String> {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args(["demo-server", "--auto-approve"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("oauthviz demo-server: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let child = Child(child);
    let mut lines = std::io::BufReader::new(stdout);
    let mut first = String::new();
    std::io::BufRead::read_line(&mut lines, &mut first).map_err(|e| e.to_string())?;
    // The rest of its banner, and whatever it prints later, must find the pipe open.
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    let issuer = first
        .trim()
        .strip_prefix("oauthviz demo provider running at ")
        .ok_or_else(|| format!("unexpected first line: {first}"))?
        .to_owned();
    let pid = child.0.id();
    let rss_before = rss_kib(pid);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let done = Arc::new((0..SLICES).map(|_| AtomicUsize::new(0)).collect::<Vec<_>>());
    let errors = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let latencies = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        let tasks: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (http, issuer) = (http.clone(), issuer.clone());
                let (done, errors, first_error) =
                    (done.clone(), errors.clone(), first_error.clone());
                tokio::spawn(async move {
                    let mut took = Vec::new();
                    let mut n = c * 1_000_000;
                    loop {
                        let t = Instant::now();
                        let slice = (t - started).as_secs_f64() / SLICE.as_secs_f64();
                        if slice as usize >= SLICES {
                            return took;
                        }
                        match flow(&http, &issuer, n).await {
                            Ok(()) => {
                                took.push(t.elapsed().as_secs_f64() * 1000.0);
                                done[slice as usize].fetch_add(1, Ordering::Relaxed);
                            }
                            Err(e) => {
                                errors.fetch_add(1, Ordering::Relaxed);
                                first_error
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                                    .get_or_insert(e);
                            }
                        }
                        n += 1;
                    }
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.map_err(|e| e.to_string())?);
        }
        Ok::<_, String>(all)
    })?;
    let rss_after = rss_kib(pid);
    let mut latencies = latencies;
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let slices: Vec<usize> = done.iter().map(|d| d.load(Ordering::Relaxed)).collect();
    let (lo, hi) = (
        *slices.iter().min().unwrap_or(&0),
        *slices.iter().max().unwrap_or(&0),
    );
    println!(
        "{CLIENTS} concurrent clients, {} s",
        SLICE.as_secs() * SLICES as u64
    );
    println!(
        "flows per {} s slice: {slices:?} (flows/s {:.0} to {:.0}; lowest {:.0} % of highest)",
        SLICE.as_secs(),
        lo as f64 / SLICE.as_secs_f64(),
        hi as f64 / SLICE.as_secs_f64(),
        100.0 * lo as f64 / hi.max(1) as f64
    );
    println!(
        "errors: {} {}",
        errors.load(Ordering::Relaxed),
        first_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_deref()
            .map(|e| format!("(first: {e})"))
            .unwrap_or_default()
    );
    if !latencies.is_empty() {
        println!(
            "whole flow: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            pct(0.5),
            pct(0.9),
            pct(0.99),
            pct(1.0)
        );
    }
    println!(
        "provider RSS: {:.1} MiB before, {:.1} MiB after",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0
    );
    Ok(())
}
