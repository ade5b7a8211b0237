//! The desktop app (placeholder until the GUI lands).

mod body_view;
mod curl;
mod diagram;
mod explain;
mod format;
mod inspector;
mod jwt_view;
mod sensitive;
mod table;
mod theme;

/// Opens the main window.
pub fn run() -> Result<(), String> {
    Err("the GUI is not built yet".into())
}
