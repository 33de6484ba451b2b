//! The `fork-lint` command. The library does the work (`fork_lint::cli`).

fn main() -> std::process::ExitCode {
    fork_lint::cli::main()
}
