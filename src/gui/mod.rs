//! The desktop app (placeholder until the GUI lands).

/// Opens the main window.
pub fn run() -> Result<(), String> {
    Err("the GUI is not built yet".into())
}
