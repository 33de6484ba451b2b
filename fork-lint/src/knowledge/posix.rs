//! The POSIX async-signal-safe list (placeholder until filled).
/// The edition the list is taken from.
pub const POSIX_EDITION: &str = "POSIX.1-2024 (IEEE Std 1003.1-2024)";
/// Functions POSIX lists as async-signal-safe.
pub static POSIX_SAFE: &[&str] = &[];
/// A function whose status changed between editions.
#[derive(Debug, Clone, Copy)]
pub struct PosixChange {
    pub function: &'static str,
    pub note: &'static str,
}
/// Changes between editions.
pub static POSIX_CHANGES: &[PosixChange] = &[];
