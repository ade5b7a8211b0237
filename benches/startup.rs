//! Start-up of the release window, from process start to its first frame on screen, under an
//! X server of its own (Xvfb, llvmpipe): what a user waits for after typing `oauthviz`.
//!
//! Each launch is timed twice over: from outside, by the X server's `MapNotify` for the window
//! (eframe keeps its window hidden until the first frame has been painted and swapped, so the
//! map is the first frame shown), and from inside, by the phases the app logs at debug level
//! (GL context ready, engine and demo provider ready, history listed, first UI pass built).
//! One launch before the measured ones warms the caches a first launch on a machine fills
//! (fontconfig, Mesa's shader cache); that one is reported on its own.
//!
//! Run: `cargo bench --bench startup` (needs Xvfb; `LAUNCHES=N` sets how many, 10 by default).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/launch.rs"]
mod launch;

use x11rb::connection::Connection;

/// The phases the app logs (`src/gui/mod.rs`), in the order they happen.
const PHASES: [(&str, &str); 4] = [
    ("window and GL context ready after", "GL context"),
    (
        "engine, demo provider and settings ready after",
        "app state",
    ),
    ("history listed after", "history"),
    ("first frame after", "first UI pass"),
];

fn main() {
    let launches = launch::count(10);
    let (display, mut xvfb, conn) = launch::start();

    let mut shown = Vec::new();
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); PHASES.len()];
    for launch in 0..=launches {
        let (map_ms, logged) = launch_once(&conn, &display);
        if launch == 0 {
            println!("warm-up launch: first frame shown after {map_ms:.0} ms");
            continue;
        }
        shown.push(map_ms);
        for (i, ms) in logged.into_iter().enumerate() {
            if let Some(ms) = ms {
                phases[i].push(ms);
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = xvfb.kill();
    let _ = xvfb.wait();

    println!("{launches} launches, 1280×800, Xvfb + llvmpipe, release build:");
    for ((_, name), values) in PHASES.iter().zip(&phases) {
        println!("  {name:<14} {}", launch::summary(values, "ms"));
    }
    println!(
        "  {:<14} {}",
        "first frame shown",
        launch::summary(&shown, "ms")
    );
}

/// Launches the window once; returns when it was mapped and the phases it logged (ms after
/// process start).
fn launch_once(conn: &impl Connection, display: &str) -> (f64, [Option<f64>; PHASES.len()]) {
    launch::forget_events(conn);
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_oauthviz"))
        .env("DISPLAY", display)
        .env("RUST_LOG", "oauthviz=debug")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    launch::next_map(conn);
    let map_ms = started.elapsed().as_secs_f64() * 1000.0;
    // The first UI pass is logged before the frame is painted, so by now every phase is out.
    std::thread::sleep(Duration::from_millis(200));
    let logged = stop(&mut child);
    (map_ms, logged)
}

fn stop(child: &mut Child) -> [Option<f64>; PHASES.len()] {
    let _ = child.kill();
    let mut logged = [None; PHASES.len()];
    let stderr = BufReader::new(child.stderr.take().unwrap());
    for line in stderr.lines().map_while(Result::ok) {
        for (i, (words, _)) in PHASES.iter().enumerate() {
            if let Some(rest) = line.split(words).nth(1) {
                logged[i] = rest.trim().trim_end_matches("ms").trim().parse().ok();
            }
        }
    }
    let _ = child.wait();
    logged
}
