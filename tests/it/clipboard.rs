//! The clipboard reaches the system: the real window under Xvfb, a field copied with Ctrl+C,
//! read back by another program (xclip). Needs Xvfb, xdotool and xclip (`.ci/run` installs them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::process::Running;

fn need(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{tool} is needed for this test: apt-get install xvfb xdotool xclip (.ci/run does)"
    );
}

/// An X server on a display number nobody uses, once it takes connections: `-displayfd`
/// makes Xvfb pick a free display and print its number when it is ready. What it says on
/// stderr goes to `log`, for the failure message.
fn xvfb(log: &Path) -> (Running, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1280x720x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("Xvfb starts");
    let stdout = child.stdout.take().unwrap();
    let server = Running(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        let _ = tx.send(line);
    });
    let number = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
    let number = number.trim();
    assert!(
        !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()),
        "Xvfb did not start; it said:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
    (server, format!(":{number}"))
}

fn xdotool(display: &str, args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .output()
        .expect("xdotool runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_copied_field_can_be_pasted_in_another_program() {
    for tool in ["Xvfb", "xdotool", "xclip"] {
        need(tool);
    }
    // A fresh home: no saved window state or profiles change the layout the clicks rely on.
    let home = std::env::temp_dir().join(format!("oauthviz-clipboard-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let (_x, display) = xvfb(&home.join("xvfb.log"));
    // What the app logs goes to a file, so a window that never appears says why.
    let log_path = home.join("app.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut app = Running(
        Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("RUST_LOG", "info,oauthviz=debug")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the app starts"),
    );
    let app_said = || {
        let tail = |path: &Path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let start = text.floor_char_boundary(text.len().saturating_sub(4000));
            text[start..].to_owned()
        };
        format!(
            "{}\nwindows on {display}: {:?}\nXvfb said:\n{}",
            tail(&log_path),
            xdotool(&display, &["search", "--name", "."]),
            tail(&home.join("xvfb.log"))
        )
    };
    // Generous: on a fresh machine the first start also builds the font cache.
    let deadline = Instant::now() + Duration::from_secs(90);
    let window = loop {
        let found = xdotool(&display, &["search", "--onlyvisible", "--name", "oauthviz"]);
        if let Some(id) = found.lines().next() {
            break id.to_owned();
        }
        if let Ok(Some(status)) = app.0.try_wait() {
            panic!(
                "the app ended ({status}) before its window appeared; it said:\n{}",
                app_said()
            );
        }
        assert!(
            Instant::now() < deadline,
            "the window never appeared in 90 s; the app said:\n{}",
            app_said()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    xdotool(&display, &["windowsize", &window, "1280", "720"]);
    xdotool(&display, &["windowmove", &window, "0", "0"]);
    std::thread::sleep(Duration::from_secs(1));
    // The Client ID field of the demo provider, at 1280×720 with the settings panel open.
    xdotool(&display, &["mousemove", "145", "536", "click", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["windowfocus", &window]);
    for keys in ["ctrl+a", "ctrl+c"] {
        std::thread::sleep(Duration::from_millis(200));
        xdotool(&display, &["key", "--window", &window, keys]);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let pasted = loop {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "UTF8_STRING"])
            .env("DISPLAY", &display)
            .output()
            .expect("xclip runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let _ = std::fs::remove_dir_all(&home);
    assert_eq!(
        pasted,
        oauthviz::demo::BASIC_CLIENT_ID,
        "Ctrl+C in the Client ID field did not reach the system clipboard"
    );
}
