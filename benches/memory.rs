//! Resident memory of the release window after a finished demo flow, under an X server of its
//! own (Xvfb 1280×800, llvmpipe): the standing budget is 120 MiB.
//!
//! Each launch starts with fresh data and config directories (Mesa's shader cache is kept
//! across launches, as a user's is, after one warm-up launch), then does what a user does:
//! picks the demo's auto-approve, presses Run flow, and once the run is kept in the history
//! clicks E to open it in the inspector. The input goes through xdotool at the places those
//! controls have in a 1280×800 window. VmRSS is read at start and after the flow, and the
//! last launch's resident memory is split by mapping (`/proc/PID/smaps`).
//!
//! Run: `cargo bench --bench memory` (needs Xvfb and xdotool; `LAUNCHES=N`, 5 by default).
#![allow(clippy::unwrap_used)]

#[path = "support/launch.rs"]
mod launch;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the controls are in a fresh 1280×800 window: the demo's "Auto-approve" radio button,
/// the toolbar's Run flow, and E's arrow in the diagram after the run.
const AUTO_APPROVE: (u32, u32) = (15, 351);
const RUN_FLOW: (u32, u32) = (320, 16);
const E_ARROW: (u32, u32) = (650, 470);

fn main() {
    let launches = launch::count(5);
    let (display, mut xvfb, conn) = launch::start();
    let cache = temp_dir("cache");

    let mut at_start = Vec::new();
    let mut after = Vec::new();
    let mut parts = BTreeMap::new();
    for launch in 0..=launches {
        let home = temp_dir("home");
        launch::forget_events(&conn);
        let mut app = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", &cache)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        launch::next_map(&conn);
        std::thread::sleep(Duration::from_secs(1));
        let start = rss_mib(app.id());
        click(&display, AUTO_APPROVE);
        click(&display, RUN_FLOW);
        wait_for_kept_run(&home.join("data/oauthviz/history"));
        std::thread::sleep(Duration::from_millis(500));
        click(&display, E_ARROW);
        std::thread::sleep(Duration::from_secs(1));
        let end = rss_mib(app.id());
        if launch == launches {
            parts = by_mapping(app.id());
        }
        let _ = app.kill();
        let _ = app.wait();
        let _ = std::fs::remove_dir_all(&home);
        if launch == 0 {
            println!(
                "warm-up launch (Mesa's shader cache empty): {start:.1} MiB at start, {end:.1} MiB after the flow"
            );
            continue;
        }
        at_start.push(start);
        after.push(end);
    }
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let _ = std::fs::remove_dir_all(&cache);

    println!("{launches} launches, 1280×800, Xvfb + llvmpipe, release build (budget 120 MiB):");
    println!(
        "  at start             {}",
        launch::summary(&at_start, "MiB")
    );
    println!("  after a demo flow    {}", launch::summary(&after, "MiB"));
    println!("  the last one by mapping:");
    let mut parts: Vec<_> = parts.into_iter().collect();
    parts.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (name, mib) in parts {
        println!("    {mib:6.1} MiB  {name}");
    }
}

fn temp_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("oauthviz-memory-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn click(display: &str, (x, y): (u32, u32)) {
    let status = Command::new("xdotool")
        .args(["mousemove", &x.to_string(), &y.to_string(), "click", "1"])
        .env("DISPLAY", display)
        .status()
        .expect("xdotool is needed: apt-get install xdotool");
    assert!(status.success(), "xdotool failed");
    std::thread::sleep(Duration::from_millis(300));
}

/// The app keeps each finished run in its history: a run file there means the flow is done.
fn wait_for_kept_run(history: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let kept = std::fs::read_dir(history).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".oauthviz.json"))
        });
        if kept {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no run was kept within 30 s: did the clicks miss (is the window 1280×800)?"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kib / 1024.0
}

/// Resident MiB by what is mapped: each file by its name, and the anonymous memory (heap,
/// stacks, driver buffers) as one.
fn by_mapping(pid: u32) -> BTreeMap<String, f64> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap();
    let mut parts = BTreeMap::<String, f64>::new();
    let mut name = String::new();
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        if first.contains('-') && !first.ends_with(':') {
            let path = fields.nth(4).unwrap_or_default();
            name = if path.starts_with('/') {
                path.rsplit('/').next().unwrap_or(path).to_owned()
            } else {
                "anonymous (heap, stacks, driver buffers)".to_owned()
            };
        } else if first == "Rss:" {
            let kib: f64 = fields.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            *parts.entry(name.clone()).or_default() += kib / 1024.0;
        }
    }
    parts.retain(|_, mib| *mib >= 0.5);
    parts
}
