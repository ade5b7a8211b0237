fn main() -> std::process::ExitCode {
    oauthviz::cli::main()
}
