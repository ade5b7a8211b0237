fn main() -> std::process::ExitCode {
    let started = std::time::Instant::now();
    // RUST_LOG=info shows what eframe picked (renderer, adapter) and oauthviz's start-up time.
    env_logger::init();
    oauthviz::cli::main(started)
}
