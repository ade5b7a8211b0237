//! The two servers oauthviz runs — the redirect listener of a CLI run and `oauthviz demo-server`
//! — each in a child process with a lowered descriptor limit, sent what a hostile client on the
//! same machine would send: a huge Content-Length, an endless request line, stalled bodies and
//! more connections than the limit allows. Each must survive and then complete a normal flow.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use support::process::{Running, connect, exit_within, get, spawn_lines, wait_for};

use oauthviz::demo::{self, DemoOptions, DemoServer};

/// `oauthviz ARGS` with at most `nofile` open descriptors, its stdout as lines on a channel.
fn spawn_limited(nofile: u32, args: &[&str]) -> (Running, mpsc::Receiver<String>) {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("ulimit -n {nofile} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_oauthviz"))
        .args(args);
    spawn_lines(cmd)
}

/// The status line of what `raw` gets back (empty if the server closed without one).
fn status_of(addr: SocketAddr, raw: &[u8]) -> String {
    let mut s = connect(addr);
    // The server may close before it read everything it was sent; that is its right.
    let _ = s.write_all(raw);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().unwrap_or_default().to_owned()
}

/// Everything at once a hostile local client can throw at `addr`; returns the connections that
/// stall a body, to be held while the normal flow runs.
fn attack(addr: SocketAddr) -> Vec<TcpStream> {
    let huge = status_of(
        addr,
        b"POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\nx",
    );
    assert!(huge.starts_with("HTTP/1.1 413"), "huge body: {huge:?}");

    let mut line = b"GET /".to_vec();
    line.extend(std::iter::repeat_n(b'a', 4 << 20));
    let endless = status_of(addr, &line);
    assert!(
        endless.is_empty() || endless.starts_with("HTTP/1.1 431"),
        "endless request line: {endless:?}"
    );

    // More connections than the server has descriptors: it must neither die nor spin.
    let flood: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect();
    assert!(
        flood.len() > 200,
        "the backlog took {} connections",
        flood.len()
    );
    std::thread::sleep(Duration::from_millis(500));
    drop(flood);

    (0..5)
        .map(|_| {
            let mut s = connect(addr);
            s.write_all(b"POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nab")
                .unwrap();
            s
        })
        .collect()
}

#[test]
fn the_redirect_listener_survives_hostile_clients_and_the_flow_completes() {
    let provider = DemoServer::start(DemoOptions {
        auto_approve: true,
        ..Default::default()
    })
    .unwrap();
    let (mut run, lines) = spawn_limited(
        64,
        &[
            "run",
            "--issuer",
            &provider.issuer(),
            "--client-id",
            demo::BASIC_CLIENT_ID,
            "--client-secret",
            demo::BASIC_CLIENT_SECRET,
            "--resource-url",
            &provider.resource_url(),
            "--scope",
            "openid api.read",
            "--user-agent",
            "print",
            "--callback-timeout",
            "90",
        ],
    );
    let authorize = wait_for(&lines, |l| {
        l.trim()
            .starts_with(&provider.authorization_endpoint())
            .then(|| l.trim().to_owned())
    });
    let redirect = url::Url::parse(&authorize)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| url::Url::parse(&v).unwrap())
        .unwrap();
    let listener: SocketAddr = format!("127.0.0.1:{}", redirect.port().unwrap())
        .parse()
        .unwrap();

    let stalled = attack(listener);
    // The person finishes the login meanwhile: the redirect reaches the listener all the same.
    let (status, location) = get(&authorize);
    assert!(status.starts_with("HTTP/1.1 30"), "{status}");
    let (status, _) = get(&location.unwrap());
    assert!(
        status.starts_with("HTTP/1.1 200"),
        "callback page: {status}"
    );
    let exit = exit_within(&mut run, 60);
    drop(stalled);
    let printed: Vec<String> = lines.try_iter().collect();
    assert!(exit.success(), "{exit:?}\n{}", printed.join("\n"));
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("G ") && l.contains("ok")),
        "{}",
        printed.join("\n")
    );
}

#[test]
fn the_demo_provider_survives_hostile_clients_and_serves_a_flow() {
    let (_server, lines) = spawn_limited(128, &["demo-server", "--auto-approve"]);
    let issuer = wait_for(&lines, |l| {
        l.strip_prefix("oauthviz demo provider running at ")
            .map(str::to_owned)
    });
    let addr: SocketAddr = issuer.trim_start_matches("http://").parse().unwrap();
    let stalled = attack(addr);
    let out = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .args([
            "run",
            "--issuer",
            &issuer,
            "--client-id",
            demo::BASIC_CLIENT_ID,
            "--client-secret",
            demo::BASIC_CLIENT_SECRET,
            "--resource-url",
            &format!("{issuer}/api/profile"),
            "--scope",
            "openid api.read",
            "--user-agent",
            "scripted",
            "--login",
            "alice:wonderland",
            "--timeout",
            "20",
        ])
        .output()
        .unwrap();
    drop(stalled);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
