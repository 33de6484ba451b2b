//! The `fork-lint` command (placeholder until the CLI lands).
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(2)
}
