//! The desktop app: the flow as a live sequence diagram, an inspector for every exchange, and
//! explanations for learners. Everything is in the library so tests and benchmarks drive the
//! real app without a window; [`run`] only opens one.

mod app;
mod audit_panel;
mod diagram;
mod experiments_panel;
mod explain;
mod form_widgets;
mod format;
mod inspector;
mod keep_panel;
mod keyboard;
mod lesson;
mod playback;
mod presenter;
mod provider;
mod run_status;
mod takes;
mod theme;
mod warm_glyphs;

pub use app::OauthvizApp;
pub use diagram::svg::of_trace as diagram_svg;

/// Opens the main window and returns when it is closed. `started` is when the process began:
/// the time to the first frame is logged (`RUST_LOG=info`), since start-up speed is a feature.
/// Opens the window; `open` is a run file (read already, so one that cannot be opened says so
/// on the terminal) to show at once (`oauthviz FILE`).
pub fn run(
    started: std::time::Instant,
    open: Option<(std::path::PathBuf, crate::keep::RunFile)>,
) -> Result<(), String> {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png"))
        .map_err(|e| format!("the window icon is not a valid PNG: {e}"))?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("oauthviz")
            .with_app_id("oauthviz")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([960.0, 600.0])
            .with_icon(icon),
        ..Default::default()
    };
    eframe::run_native(
        "oauthviz",
        options,
        Box::new(move |cc| {
            // The phases of start-up, at debug level: `cargo bench --bench startup` reads them.
            let since = move || started.elapsed().as_secs_f64() * 1000.0;
            log::debug!("window and GL context ready after {:.1} ms", since());
            let logged = std::sync::Once::new();
            cc.egui_ctx.on_end_pass(
                "start-up time",
                std::sync::Arc::new(move |_| {
                    logged.call_once(|| log::info!("first frame after {:.0} ms", since()));
                }),
            );
            let mut app = OauthvizApp::new(cc.storage, &cc.egui_ctx);
            log::debug!(
                "engine, demo provider and settings ready after {:.1} ms",
                since()
            );
            if let Some(dir) = crate::keep::History::default_dir() {
                app = app.with_history_dir(dir);
            }
            if let Some((path, saved)) = open {
                app.show_run_file(&path, saved);
            }
            log::debug!("history listed after {:.1} ms", since());
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| e.to_string())
}
