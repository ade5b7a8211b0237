//! The clipboard reaches the system: the real window under Xvfb, a field copied with Ctrl+C,
//! read back by another program (xclip). Needs Xvfb, xdotool and xclip (`.ci/run` installs them).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

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

/// An X server on a display number nobody uses.
fn xvfb() -> (Running, String) {
    for n in 90..200 {
        if Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x720x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let server = Running(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (server, display);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("no free X display between :90 and :199");
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
    let (_x, display) = xvfb();
    // A fresh home: no saved window state or profiles change the layout the clicks rely on.
    let home = std::env::temp_dir().join(format!("oauthviz-clipboard-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let _app = Running(
        Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the app starts"),
    );
    // Generous: on a fresh machine the first start also builds the font cache.
    let deadline = Instant::now() + Duration::from_secs(90);
    let window = loop {
        let found = xdotool(&display, &["search", "--onlyvisible", "--name", "oauthviz"]);
        if let Some(id) = found.lines().next() {
            break id.to_owned();
        }
        assert!(Instant::now() < deadline, "the window never appeared");
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
