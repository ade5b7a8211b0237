//! What the benches that launch the release window share: an X server of their own (Xvfb at
//! 1280×800), news of the windows it maps, and a line of figures.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::xproto::{ChangeWindowAttributesAux, ConnectionExt, EventMask};

/// An Xvfb of the bench's own, on the first display number nobody holds, and a connection to
/// it that is told of every window mapped ([`next_map`]).
pub fn start() -> (String, Child, x11rb::rust_connection::RustConnection) {
    for n in 150..250 {
        if std::path::Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let display = format!(":{n}");
        let Ok(mut child) = Command::new("Xvfb")
            .args([
                &display,
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            panic!("Xvfb is needed: apt-get install xvfb");
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok((conn, screen)) = x11rb::connect(Some(&display)) {
                watch_maps(&conn, screen);
                return (display, child, conn);
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
    }
    panic!("no free X display number in :150–:249");
}

/// How many launches to measure: `$LAUNCHES`, or `default`.
pub fn count(default: usize) -> usize {
    std::env::var("LAUNCHES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Asks the X server to tell `conn` of every window mapped on the screen.
fn watch_maps(conn: &impl Connection, screen: usize) {
    let root = conn.setup().roots[screen].root;
    conn.change_window_attributes(
        root,
        &ChangeWindowAttributesAux::new().event_mask(EventMask::SUBSTRUCTURE_NOTIFY),
    )
    .unwrap()
    .check()
    .unwrap();
}

/// Drops the events so far, so the next [`next_map`] is of a window mapped from now on.
pub fn forget_events(conn: &impl Connection) {
    while conn.poll_for_event().unwrap().is_some() {}
}

/// Waits for the next window to be mapped; returns it.
pub fn next_map(conn: &impl Connection) -> u32 {
    loop {
        if let Event::MapNotify(map) = conn.wait_for_event().unwrap() {
            return map.window;
        }
    }
}

/// Median, min and max of `values`, each followed by `unit`.
pub fn summary(values: &[f64], unit: &str) -> String {
    if values.is_empty() {
        return "not measured".into();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    format!(
        "median {:6.1} {unit}   min {:6.1}   max {:6.1}",
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1]
    )
}
