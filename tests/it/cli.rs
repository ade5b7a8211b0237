//! The `oauthviz` binary, run as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::process::Command;

fn oauthviz(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args(args)
        .env_remove("OAUTHVIZ_CLIENT_SECRET")
        .output()
        .expect("the binary runs")
}

#[test]
fn run_demo_scripted_json_exits_0_with_a_to_g_ok() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["ok"], true);
    let steps = doc["steps"].as_array().unwrap();
    let ids: Vec<_> = steps.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["A", "B", "C", "D", "E", "F", "G"]);
    for s in steps {
        assert_eq!(s["attempts"][0]["outcome"]["status"], "ok", "{s}");
    }
    // Secrets are masked unless asked for.
    assert!(!stdout.contains(oauthviz::demo::BASIC_CLIENT_SECRET));
}

#[test]
fn wrong_secret_exits_non_zero_naming_the_step() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--client-secret",
        "wrong",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("step E") && stderr.contains("invalid_client"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("D  Token request"), "{stdout}");
}

#[test]
fn show_secrets_prints_them() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--show-secrets",
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Authorization: Basic ZGVtby1iYXNpYzpkZW1vLWJhc2ljLXNlY3JldA=="),
        "{stdout}"
    );
}

#[test]
fn bad_flags_are_explained() {
    let out = oauthviz(&["run", "--pkce", "S512"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("S512"));
    let out = oauthviz(&["run", "--user-agent", "scripted"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--login"));
}

#[test]
fn pause_after_c_then_an_edited_d_is_sent() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--pause-after",
        "C",
        "--then",
        "D",
        "--set",
        "-code_verifier",
        "--json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["steps"][3]["attempts"];
    assert_eq!(
        d.as_array().unwrap().len(),
        1,
        "the prepared D was sent, not a second one: {d}"
    );
    assert!(
        !d[0]["request"]["body"]
            .as_str()
            .unwrap()
            .contains("code_verifier")
    );
    let e = &doc["steps"][4]["attempts"][0];
    assert_eq!(e["outcome"]["status"], "failed");
    assert!(
        e["outcome"]["reason"]
            .as_str()
            .unwrap()
            .contains("invalid_grant")
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn experiment_verdicts_decide_the_exit_code() {
    let ok = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--experiment",
        "reuse-code",
    ]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("verdict Pass"));
    let caught = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--misbehave",
        "accept_reused_codes",
        "--experiment",
        "reuse-code",
    ]);
    assert_eq!(caught.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&caught.stderr).contains("reuse-code"));
}

#[test]
fn set_without_then_is_refused() {
    let out = oauthviz(&["run", "--provider", "demo", "--set", "code=x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--then"));
}

/// A `$BROWSER` program in a folder of its own (removed by the caller): a shell script whose
/// body gets the authorization URL as `$1`.
fn browser_script(name: &str, body: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("oauthviz-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("browser.sh");
    std::fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, script)
}

/// `oauthviz run` with the system user agent on the demo provider's basic client, `$BROWSER`
/// being `script`.
fn run_with_browser(
    server: &oauthviz::demo::DemoServer,
    script: &std::path::Path,
    more: &[&str],
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args([
            "run",
            "--issuer",
            &server.issuer(),
            "--client-id",
            oauthviz::demo::BASIC_CLIENT_ID,
            "--client-secret",
            oauthviz::demo::BASIC_CLIENT_SECRET,
            "--resource-url",
            &server.resource_url(),
            "--scope",
            "openid api.read",
        ])
        .args(if more.contains(&"--callback-timeout") {
            &[][..]
        } else {
            &["--callback-timeout", "20"][..]
        })
        .args(more)
        .env("BROWSER", script)
        .output()
        .unwrap()
}

/// The demo provider approving at once (no login page for `$BROWSER` to fill), breaking
/// `rules`.
fn approving_demo(rules: &[oauthviz::demo::Misbehave]) -> oauthviz::demo::DemoServer {
    oauthviz::demo::DemoServer::start(oauthviz::demo::DemoOptions {
        auto_approve: true,
        misbehaviour: oauthviz::demo::Misbehaviour::of(rules.iter().copied()),
        ..Default::default()
    })
    .unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_stray_request_at_the_listener_is_set_aside_and_the_run_goes_on() {
    // Another program on this machine knocks on the redirect listener before the real redirect:
    // with a forged state, then with none. Neither ends B; both are shown.
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let (dir, script) = browser_script(
        "stray",
        &format!(
            "curl -fs -o /dev/null '{redirect}?code=forged&state=forged'\ncurl -fs -o /dev/null '{redirect}?code=forged-2'\nexec curl -fsSL -o /dev/null \"$1\""
        ),
    );
    let server = approving_demo(&[]);
    let out = run_with_browser(&server, &script, &["--redirect-uri", &redirect, "--json"]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let steps = run["steps"].as_array().unwrap();
    let b = steps.iter().find(|s| s["id"] == "B").unwrap();
    let last = b["attempts"].as_array().unwrap().last().unwrap();
    let aside: Vec<&str> = last["exchanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["error"].as_str().is_some_and(|e| e.contains("set aside")))
        .map(|x| x["request"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(aside.len(), 2, "{last:#}");
    // (masked: a code is a secret wherever it turns up)
    assert!(
        aside[0].contains("state=") && !aside[1].contains("state="),
        "{aside:?}"
    );
    let said = last["outcome"].to_string();
    assert!(
        said.contains("2 request(s)") && said.contains("no state"),
        "{said}"
    );
    // (The run's success above says C used the real code: the demo provider refuses a forged
    // one at E.)
}

#[test]
fn a_redirect_without_state_in_the_browser_is_named_when_the_wait_ends() {
    // The provider drops state: the person's redirect is not this run's, so B waits on (it
    // could still come) and, at the end, says what arrived instead.
    let (dir, script) = browser_script("nostate", "exec curl -fsSL -o /dev/null \"$1\"");
    let server = approving_demo(&[oauthviz::demo::Misbehave::SkipState]);
    let out = run_with_browser(&server, &script, &["--callback-timeout", "3"]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("without this run's state") && stderr.contains("RFC 6749 §4.1.2"),
        "{stderr}"
    );
}

#[test]
fn system_user_agent_opens_browser_from_the_environment() {
    // $BROWSER stands in for the person at the browser: it follows the demo provider's
    // auto-approve redirect straight back to the listener.
    let (dir, script) = browser_script("browser", "exec curl -fsSL -o /dev/null \"$1\"");
    let server = approving_demo(&[]);
    let out = run_with_browser(&server, &script, &[]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("opened in the browser"), "{stdout}");
}

#[test]
fn the_browser_is_never_handed_a_url_that_is_not_http() {
    let (dir, script) = browser_script("scheme", "echo \"$1\" > \"$(dirname \"$0\")/opened\"");
    let marker = dir.join("opened");
    for endpoint in ["javascript:alert(1)", "file:///etc/passwd", "myapp://open"] {
        let out = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .args([
                "run",
                "--authorize-url",
                endpoint,
                "--token-url",
                "http://127.0.0.1:9/token",
                "--resource-url",
                "http://127.0.0.1:9/api",
                "--client-id",
                "app",
                "--client-auth",
                "none",
                "--callback-timeout",
                "5",
            ])
            .env("BROWSER", &script)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{endpoint}");
        assert!(
            stderr.contains("only http and https"),
            "{endpoint}: {stderr}"
        );
        assert!(!marker.exists(), "{endpoint} reached the browser");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_private_key_that_never_ends_is_refused_not_read() {
    let dir = std::env::temp_dir().join(format!("oauthviz-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("key.pem");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for key in [std::path::Path::new("/dev/zero"), fifo.as_path()] {
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .args([
                "run",
                "--provider",
                "demo",
                "--user-agent",
                "scripted",
                "--client-auth",
                "private-key-jwt",
                "--private-key",
            ])
            .arg(key)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("it is not a regular file"),
            "{}: {stderr}",
            key.display()
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_saved_profile_runs_by_name_with_its_secret_from_the_environment() {
    let home = std::env::temp_dir().join(format!("oauthviz-config-{}", std::process::id()));
    let server = oauthviz::demo::DemoServer::start(Default::default()).unwrap();
    let store = oauthviz::profile::ProfileStore::new(home.join("oauthviz/profiles"));
    let profile = oauthviz::profile::Profile {
        name: "my-demo".into(),
        issuer: Some(server.issuer()),
        client_id: oauthviz::demo::BASIC_CLIENT_ID.into(),
        client_secret_env: Some("MY_DEMO_SECRET".into()),
        client_auth: Some("basic".into()),
        scope: Some("openid api.read".into()),
        resource_url: Some(server.resource_url()),
        ..Default::default()
    };
    store
        .save(&profile, oauthviz::profile::SecretChoice::DoNotStore)
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args([
            "run",
            "--provider",
            "my-demo",
            "--user-agent",
            "scripted",
            "--login",
            "alice:wonderland",
            "--json",
        ])
        .env("XDG_CONFIG_HOME", &home)
        .env("MY_DEMO_SECRET", oauthviz::demo::BASIC_CLIENT_SECRET)
        .output()
        .unwrap();
    let missing = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args([
            "run",
            "--provider",
            "my-demo",
            "--user-agent",
            "scripted",
            "--login",
            "alice:wonderland",
        ])
        .env("XDG_CONFIG_HOME", &home)
        .env_remove("MY_DEMO_SECRET")
        .output()
        .unwrap();
    std::fs::remove_dir_all(&home).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], true);
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("MY_DEMO_SECRET"), "{stderr}");
}

#[test]
fn compare_prints_what_a_replay_changed() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--then",
        "D",
        "--set",
        "-code_verifier",
        "--compare",
        "D",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("attempts 1 and 2 of step D differ in:"),
        "{stdout}"
    );
    assert!(stdout.contains("- param code_verifier: "), "{stdout}");
    assert!(
        stdout.contains("~ status: 200 OK -> 400 Bad Request"),
        "{stdout}"
    );
    assert!(stdout.contains("+ json error: invalid_grant"), "{stdout}");
}

/// `--experiment all` on a public client: the confidential-only experiments are skipped with
/// their reason, the rest judged, and the skips do not fail the run.
#[test]
fn experiment_all_on_a_public_client_judges_or_skips_each() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--client-id",
        oauthviz::demo::PUBLIC_CLIENT_ID,
        "--client-auth",
        "none",
        "--experiment",
        "all",
        "--json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let experiments = doc["experiments"].as_array().unwrap();
    let ids: Vec<_> = experiments
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let all: Vec<_> = oauthviz::workbench::Experiment::ALL
        .iter()
        .map(|e| e.id())
        .collect();
    assert_eq!(ids, all, "every experiment once, in order");
    for e in experiments {
        let verdict = e["verdict"].as_str().unwrap();
        match e["id"].as_str().unwrap() {
            "wrong-client-secret"
            | "credentials-in-header-and-body"
            | "client-auth-other-method"
            | "no-client-authentication"
            | "credentials-in-query"
            | "revoked-token-introspection" => {
                assert_eq!(verdict, "skip", "{e}");
                let why = e["summary"].as_str().unwrap();
                assert!(
                    why.contains("confidential client")
                        || why.contains("authenticates with a secret"),
                    "{e}"
                );
            }
            // Without --wait.
            "code-lifetime" | "expired-access-token" => {
                assert_eq!(verdict, "skip", "{e}");
                assert!(e["summary"].as_str().unwrap().contains("--wait"), "{e}");
            }
            _ => assert_eq!(verdict, "pass", "{e}"),
        }
    }
}

#[test]
fn what_a_provider_says_reaches_the_terminal_as_text_not_as_commands() {
    let server = oauthviz::demo::DemoServer::start(Default::default()).unwrap();
    // An error_description that would erase the failure line, print a green success and set
    // the window title.
    let canned = support::canned::Canned::start(support::canned::Answer::Fixed(
        400,
        "application/json",
        r#"{"error":"invalid_grant","error_description":"\r\u001b[2K\u001b[32mflow complete: G succeeded\u001b]0;pwned\u0007"}"#
            .into(),
    ));
    let out = demo_login_with_token_endpoint(&server, &canned.url, &[]);
    assert!(!out.status.success());
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !bytes
                .iter()
                .any(|b| *b == 0x1b || *b == b'\r' || *b == 0x07),
            "a control character reached {name}: {text:?}"
        );
        assert!(text.contains("\\x1b[32mflow complete"), "{name}: {text}");
    }
}

#[test]
fn secrets_are_hidden_wherever_they_turn_up_without_show_secrets() {
    let server = oauthviz::demo::DemoServer::start(Default::default()).unwrap();
    // A form-encoded token answer served as text/plain: used, and never printed.
    let token = "canned-access-token-0123456789";
    let canned = support::canned::Canned::start(support::canned::Answer::Fixed(
        200,
        "text/plain",
        format!("access_token={token}&token_type=Bearer&echo=demo-basic-secret"),
    ));
    for json in [false, true] {
        let extra: &[&str] = if json { &["--json"] } else { &[] };
        let out = demo_login_with_token_endpoint(&server, &canned.url, extra);
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(printed.contains("F "), "the run reached F: {printed}");
        for secret in [token, oauthviz::demo::BASIC_CLIENT_SECRET, "wonderland"] {
            assert!(
                !printed.contains(secret),
                "{secret} printed (json: {json}):\n{printed}"
            );
        }
    }
}

#[test]
fn with_no_browser_to_open_the_run_shows_the_url_and_waits_for_the_login() {
    use support::process::{exit_within, get, spawn_lines, wait_for};
    let provider = oauthviz::demo::DemoServer::start(oauthviz::demo::DemoOptions {
        auto_approve: true,
        ..Default::default()
    })
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oauthviz"));
    cmd.args([
        "run",
        "--issuer",
        &provider.issuer(),
        "--client-id",
        oauthviz::demo::BASIC_CLIENT_ID,
        "--client-secret",
        oauthviz::demo::BASIC_CLIENT_SECRET,
        "--scope",
        "openid",
        "--user-agent",
        "system",
        "--callback-timeout",
        "60",
    ])
    // No browser anywhere: neither $BROWSER nor one on the PATH (CI has Chromium installed for
    // the browser user agent, and the system opener would find it).
    .env("BROWSER", "/nonexistent/browser")
    .env("PATH", "/nonexistent");
    let (mut run, lines) = spawn_lines(cmd);
    let authorize = wait_for(&lines, |l| {
        l.trim()
            .starts_with(&provider.authorization_endpoint())
            .then(|| l.trim().to_owned())
    });
    // A says why no browser opened; B waits all the same.
    let warned = wait_for(&lines, |l| l.starts_with("A ").then(|| l.to_owned()));
    assert!(warned.contains("could not open a browser"), "{warned}");
    // The person opens it in a browser of their own.
    let (status, location) = get(&authorize);
    assert!(status.starts_with("HTTP/1.1 30"), "{status}");
    get(&location.unwrap());
    let exit = exit_within(&mut run, 60);
    let printed: Vec<String> = lines.try_iter().collect();
    assert!(exit.success(), "{exit:?}\n{}", printed.join("\n"));
}

/// A scripted run (alice) against the demo provider `server`, its token endpoint replaced by
/// `token_url`, with `extra` flags.
fn demo_login_with_token_endpoint(
    server: &oauthviz::demo::DemoServer,
    token_url: &str,
    extra: &[&str],
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args([
            "run",
            "--authorize-url",
            &server.authorization_endpoint(),
            "--token-url",
            token_url,
            "--resource-url",
            &server.resource_url(),
            "--client-id",
            oauthviz::demo::BASIC_CLIENT_ID,
            "--client-secret",
            oauthviz::demo::BASIC_CLIENT_SECRET,
            "--scope",
            "openid api.read",
            "--user-agent",
            "scripted",
            "--login",
            "alice:wonderland",
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn check_on_the_strict_demo_exits_0_with_a_stable_json_report() {
    let out = oauthviz(&[
        "check",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let checks = doc["checks"].as_array().unwrap();
    assert!(checks.len() >= 40, "{} checks", checks.len());
    for c in checks {
        for key in ["id", "area", "rule", "rfc", "message", "keyword"] {
            assert!(c[key].is_string(), "{key} in {c}");
        }
        assert!(c["attempts"].is_array(), "{c}");
        // The checks that wait are skipped without --wait, and say so.
        if c["id"] == "code-lifetime" || c["id"] == "expired-access-token" {
            assert_eq!(c["verdict"], "skip", "{c}");
            assert!(c["message"].as_str().unwrap().contains("--wait"), "{c}");
        } else {
            assert_eq!(c["verdict"], "pass", "{c}");
        }
    }
    assert_eq!(doc["summary"]["fail"], 0);
    assert_eq!(doc["summary"]["total"], checks.len());
    // The attempts that prove an active check are named, step and attempt.
    let reuse = checks.iter().find(|c| c["id"] == "reuse-code").unwrap();
    assert!(
        reuse["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["step"] == "E" && a["attempt"].as_u64().unwrap() > 1),
        "{reuse}"
    );
    // No secret reaches the report.
    assert!(!stdout.contains(oauthviz::demo::BASIC_CLIENT_SECRET));
}

#[test]
fn check_against_a_misbehaving_demo_exits_1_naming_the_check_and_writes_markdown_and_junit() {
    let dir = std::env::temp_dir().join(format!("oauthviz-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let md = dir.join("report.md");
    let xml = dir.join("report.xml");
    let out = oauthviz(&[
        "check",
        "--provider",
        "demo",
        "--user-agent",
        "scripted",
        "--misbehave",
        "accept_reused_codes",
        "--markdown",
        md.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stderr.contains("failed checks: reuse-code"), "{stderr}");
    assert!(stdout.contains("FAIL reuse-code"), "{stdout}");
    assert!(
        stdout.contains("checks:") && stdout.contains("1 failed"),
        "{stdout}"
    );
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.contains("| FAIL | `reuse-code`"), "{markdown}");
    let junit = std::fs::read_to_string(&xml).unwrap();
    validate_with_third_party_readers(&md, &xml);
    assert!(junit.contains("reuse-code"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The report files as other programs read them: junitparser (what CI dashboards use) and
/// markdown-it (a CommonMark + GFM table parser), installed from PyPI into the target dir.
fn validate_with_third_party_readers(md: &std::path::Path, xml: &std::path::Path) {
    let deps = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("pydeps");
    if !deps.join("junitparser").exists() || !deps.join("markdown_it").exists() {
        // Into a directory of our own, so a distribution's "externally managed" Python is fine.
        let pip = std::process::Command::new("python3")
            .env("PIP_BREAK_SYSTEM_PACKAGES", "1")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg("--target")
            .arg(&deps)
            .args(["junitparser==3.2.0", "markdown-it-py==3.0.0"])
            .output()
            .expect("python3 runs");
        assert!(
            pip.status.success(),
            "{}",
            String::from_utf8_lossy(&pip.stderr)
        );
    }
    let script = r#"
import sys
from junitparser import JUnitXml, Failure
from markdown_it import MarkdownIt
xml = JUnitXml.fromfile(sys.argv[1])
cases = [c for suite in xml for c in suite]
failed = [c.name for c in cases if any(isinstance(r, Failure) for r in c.result)]
assert failed == ["reuse-code"], failed
assert len(cases) >= 40, len(cases)
tokens = MarkdownIt("commonmark").enable("table").parse(open(sys.argv[2]).read())
rows = [t for t in tokens if t.type == "tr_open"]
tables = [t for t in tokens if t.type == "table_open"]
# One header row per area table, one row per check.
assert len(rows) - len(tables) == len(cases), (len(rows), len(tables), len(cases))
print("ok", len(cases))
"#;
    let out = std::process::Command::new("python3")
        .env("PYTHONPATH", &deps)
        .args(["-c", script])
        .arg(xml)
        .arg(md)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_that_cannot_run_exits_2_with_the_reason() {
    let out = oauthviz(&["check", "--provider", "demo", "--only", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'nope'") && stderr.contains("redirect-uri"),
        "{stderr}"
    );
    // Nothing listens on port 1: the provider is unreachable.
    let out = oauthviz(&[
        "check",
        "--authorize-url",
        "http://127.0.0.1:1/authorize",
        "--token-url",
        "http://127.0.0.1:1/token",
        "--client-id",
        "x",
        "--user-agent",
        "scripted",
        "--login",
        "a:b",
        "--timeout",
        "5",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("could not run"), "{stderr}");
}

/// README's list of checks is `oauthviz check --list`, so it cannot drift from the code.
#[test]
fn the_readme_lists_every_check_as_the_code_defines_it() {
    let out = oauthviz(&["check", "--list"]);
    assert!(out.status.success());
    let list = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&list),
        "README.md's list of checks is out of date: paste the output of `cargo run -- check --list`"
    );
}

#[test]
fn with_the_print_agent_and_json_the_url_goes_to_stderr_at_once_and_stdout_stays_json() {
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "print",
        "--json",
        "--callback-timeout",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("open this URL to log in")
            && stderr.contains("/authorize?response_type=code"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false, "nobody logged in: the wait ran out");
    assert_eq!(out.status.code(), Some(1));
    // --form-field is for the scripted agent only: said, not ignored.
    let out = oauthviz(&[
        "run",
        "--provider",
        "demo",
        "--user-agent",
        "print",
        "--form-field",
        "a=b",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user-agent scripted"));
}

/// A provider that does not answer: A says so instead of being drawn as sent, and B waits out
/// its (short) time for the redirect all the same.
#[test]
fn an_authorization_endpoint_that_does_not_answer_is_named_on_a() {
    // Nothing listens on a port just freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let out = oauthviz(&[
        "run",
        "--authorize-url",
        &format!("{base}/authorize"),
        "--token-url",
        &format!("{base}/token"),
        "--resource-url",
        &format!("{base}/api"),
        "--client-id",
        "x",
        "--client-auth",
        "none",
        "--user-agent",
        "print",
        "--callback-timeout",
        "1",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let a = stdout
        .lines()
        .find(|l| l.starts_with("A  "))
        .unwrap_or_default();
    assert!(
        a.contains("warning") && a.contains(&format!("127.0.0.1:{port} does not answer")),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1));
}
