//! Logging: `log` (checked against log 0.4.35), `tracing` (tracing 0.1.44
//! with tracing-core 0.1.36) and `env_logger` (0.11.12).
//!
//! A `log` macro tests the level with atomics and, when it is enabled, calls
//! the global logger (`__private_api::log` → `logger().log(&record)`). What
//! the logger does is not `log`'s: env_logger formats the record into a
//! thread-local `RefCell` buffer (allocating it on a thread's first record,
//! growing it for long ones) and writes it under the stdout or stderr lock;
//! other loggers lock a file, a channel or a syslog socket. A lock another
//! thread held at fork stays held in the child, so the macros are `lock`
//! hazards (the reason mentions the allocation too).
//!
//! A `tracing` macro registers its callsite on first use (a global
//! `RwLock` once scoped dispatchers exist), then hands the event or span to
//! the current subscriber; tracing-subscriber's `fmt` layer formats into a
//! `String` and locks its writer, its `Registry` stores spans in a shared
//! slab. Same verdict: `lock`.
//!
//! `env_logger`'s set-up functions read `RUST_LOG`/`RUST_LOG_STYLE` with
//! `std::env::var` (std's environment lock) and box the logger: `env`.
//!
//! Macros are keyed by their full path (`log::info`, `tracing::debug`),
//! never by bare name: `use log::info;` or `use log::*;` makes a bare
//! `info!` resolve to `log::info` before the lookup, while a crate's own
//! `macro_rules! info` must not be mistaken for `log`'s.

use super::ApiEntry;
use super::build::*;

const LOG: &str = "calls the global logger when the level is enabled; loggers format the record (allocating) and write it under a lock (env_logger: the stderr lock), which another thread may have held at fork";
const TRACING_EVENT: &str = "registers its callsite (a global lock once scoped dispatchers exist) and hands the event to the subscriber, which formats it (allocating) and writes it under its writer's lock";
const TRACING_SPAN: &str = "registers its callsite (a global lock once scoped dispatchers exist) and asks the subscriber for a new span, which it stores in shared, allocated state";
const TRACING_INSTRUMENT: &str = "makes every call of the function create and enter a span: the callsite registration takes a global lock once scoped dispatchers exist, and the subscriber stores the span in shared, allocated state";
const TRACING_ENTER: &str = "enters the span: the subscriber records it as current in shared, allocated state (tracing-subscriber's registry: a thread-local stack that grows, a slab of span data)";
const FIX_LOG: &str = "log in the parent, before fork or after the child reports back; in the child write a fixed message with `libc::write`";
const ENV_LOGGER: &str = "reads `RUST_LOG` and `RUST_LOG_STYLE` with `std::env::var`, under std's environment lock, and builds the logger on the heap";
const FIX_INIT: &str = "initialise logging in the parent, before fork";
const ATOMIC: &str = "reads or writes the logger state with atomics";

pub(super) static ENTRIES: &[ApiEntry] = &[
    // ---- log ----
    mac("log::log", LOCK, LOG, FIX_LOG),
    mac("log::error", LOCK, LOG, FIX_LOG),
    mac("log::warn", LOCK, LOG, FIX_LOG),
    mac("log::info", LOCK, LOG, FIX_LOG),
    mac("log::debug", LOCK, LOG, FIX_LOG),
    mac("log::trace", LOCK, LOG, FIX_LOG),
    safe("log::max_level", ATOMIC),
    safe("log::set_max_level", ATOMIC),
    safe("log::logger", ATOMIC),
    // ---- tracing ----
    mac("tracing::event", LOCK, TRACING_EVENT, FIX_LOG),
    mac("tracing::error", LOCK, TRACING_EVENT, FIX_LOG),
    mac("tracing::warn", LOCK, TRACING_EVENT, FIX_LOG),
    mac("tracing::info", LOCK, TRACING_EVENT, FIX_LOG),
    mac("tracing::debug", LOCK, TRACING_EVENT, FIX_LOG),
    mac("tracing::trace", LOCK, TRACING_EVENT, FIX_LOG),
    mac("tracing::span", LOCK, TRACING_SPAN, FIX_LOG),
    // The attribute `#[tracing::instrument]` on a function the child calls
    // (attributes are looked up as macros, by their resolved path).
    mac("tracing::instrument", LOCK, TRACING_INSTRUMENT, FIX_LOG),
    method("enter", &["Span"], LOCK, TRACING_ENTER, FIX_LOG),
    method("entered", &["Span"], LOCK, TRACING_ENTER, FIX_LOG),
    method("in_scope", &["Span"], LOCK, TRACING_ENTER, FIX_LOG),
    mac("tracing::error_span", LOCK, TRACING_SPAN, FIX_LOG),
    mac("tracing::warn_span", LOCK, TRACING_SPAN, FIX_LOG),
    mac("tracing::info_span", LOCK, TRACING_SPAN, FIX_LOG),
    mac("tracing::debug_span", LOCK, TRACING_SPAN, FIX_LOG),
    mac("tracing::trace_span", LOCK, TRACING_SPAN, FIX_LOG),
    func(
        "tracing::subscriber::set_global_default",
        LOCK,
        "boxes the subscriber in an `Arc` and registers it under the dispatcher registry's write lock",
        FIX_INIT,
    ),
    func(
        "tracing::subscriber::set_default",
        LOCK,
        "boxes the subscriber in an `Arc` and registers it under the dispatcher registry's write lock",
        FIX_INIT,
    ),
    func(
        "tracing::subscriber::with_default",
        LOCK,
        "boxes the subscriber in an `Arc` and registers it under the dispatcher registry's write lock",
        FIX_INIT,
    ),
    func(
        "tracing::Dispatch::new",
        LOCK,
        "boxes the subscriber in an `Arc` and registers it under the dispatcher registry's write lock",
        FIX_INIT,
    ),
    // ---- env_logger ----
    func("env_logger::init", ENV, ENV_LOGGER, FIX_INIT),
    func("env_logger::try_init", ENV, ENV_LOGGER, FIX_INIT),
    func("env_logger::init_from_env", ENV, ENV_LOGGER, FIX_INIT),
    func("env_logger::try_init_from_env", ENV, ENV_LOGGER, FIX_INIT),
    func("env_logger::builder", ENV, ENV_LOGGER, FIX_INIT),
    func("env_logger::from_env", ENV, ENV_LOGGER, FIX_INIT),
    func("env_logger::Builder::from_env", ENV, ENV_LOGGER, FIX_INIT),
    func(
        "env_logger::Builder::from_default_env",
        ENV,
        ENV_LOGGER,
        FIX_INIT,
    ),
    func("env_logger::Logger::from_env", ENV, ENV_LOGGER, FIX_INIT),
    func(
        "env_logger::Logger::from_default_env",
        ENV,
        ENV_LOGGER,
        FIX_INIT,
    ),
];
