//! Error handling: `anyhow` (checked against anyhow 1.0.105), `eyre`
//! (0.6.14) and `serde-error` (0.1.3).
//!
//! An `anyhow::Error` is a pointer to a heap-allocated `ErrorImpl`: every
//! constructor (`anyhow!`, `bail!`, a failed `ensure!`, `Error::msg`,
//! `Error::new`, `.context()` on an `Err`) calls `Box::new`, and `anyhow!`
//! with format arguments formats into a `String` first. It may also capture
//! a backtrace, which reads `RUST_BACKTRACE` under std's environment lock.
//! `eyre::Report` is built the same way and also calls the installed
//! handler hook. So they are `alloc` hazards, on the error path: the path a
//! child takes when a system call has just failed.
//!
//! `thiserror` generates `Display`, `Error` and `From` impls at compile
//! time and has no functions of its own: formatting such an error is judged
//! as any `to_string`/`format!` is, by the std table.
//!
//! Macros are keyed by full path (`anyhow::bail`): a bare `bail!` resolves
//! to it through `use anyhow::bail;` or `use anyhow::*;`, and is otherwise
//! taken for the crate's own macro.

use super::ApiEntry;
use super::build::*;

const ANYHOW: &str =
    "boxes a new `anyhow::Error` (and formats its message into a `String` when given arguments)";
const ANYHOW_ERR_PATH: &str = "boxes a new `anyhow::Error` when it returns early (and formats its message into a `String` when given arguments)";
const CONTEXT: &str =
    "wraps an `Err` in a new boxed error (`anyhow::Error`, `eyre::Report`) carrying the context";
const EYRE: &str = "boxes a new `eyre::Report` and calls the installed report handler hook";
const EYRE_ERR_PATH: &str =
    "boxes a new `eyre::Report` when it returns early and calls the installed report handler hook";
const FIX: &str = "return a plain `io::Error::from_raw_os_error(errno)` or an integer code from the child, and build the rich error in the parent";

pub(super) static ENTRIES: &[ApiEntry] = &[
    // ---- anyhow ----
    mac("anyhow::anyhow", ALLOC, ANYHOW, FIX),
    mac("anyhow::format_err", ALLOC, ANYHOW, FIX),
    mac("anyhow::bail", ALLOC, ANYHOW_ERR_PATH, FIX),
    mac("anyhow::ensure", ALLOC, ANYHOW_ERR_PATH, FIX),
    func("anyhow::Error::msg", ALLOC, ANYHOW, FIX),
    func("anyhow::Error::new", ALLOC, ANYHOW, FIX),
    func("anyhow::Error::from", ALLOC, ANYHOW, FIX),
    safe("anyhow::Ok", "wraps the value in `Ok`"),
    // ---- eyre ----
    mac("eyre::eyre", ALLOC, EYRE, FIX),
    mac("eyre::format_err", ALLOC, EYRE, FIX),
    mac("eyre::bail", ALLOC, EYRE_ERR_PATH, FIX),
    mac("eyre::ensure", ALLOC, EYRE_ERR_PATH, FIX),
    func("eyre::Report::msg", ALLOC, EYRE, FIX),
    func("eyre::Report::new", ALLOC, EYRE, FIX),
    func("eyre::Report::from", ALLOC, EYRE, FIX),
    safe("eyre::Ok", "wraps the value in `Ok`"),
    // ---- context on results (anyhow::Context, eyre::WrapErr) ----
    method(
        "context",
        &["Result", "Option", "Error", "Report"],
        ALLOC,
        CONTEXT,
        FIX,
    ),
    method(
        "with_context",
        &["Result", "Option", "Error", "Report"],
        ALLOC,
        CONTEXT,
        FIX,
    ),
    method("wrap_err", &["Result", "Report"], ALLOC, CONTEXT, FIX),
    method("wrap_err_with", &["Result", "Report"], ALLOC, CONTEXT, FIX),
    // ---- serde-error ----
    func(
        "serde_error::Error::new",
        ALLOC,
        "copies the error's message into a `String` and boxes each source",
        FIX,
    ),
];
