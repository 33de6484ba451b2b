//! Text, numbers and formats: `itoa` (checked against itoa 1.0.19), `ryu`
//! (1.0.23), `memchr` (2.8.3), `shlex` (2.0.1), `shell-words` (1.1.1) and
//! `serde_json` (1.0.154).
//!
//! `itoa::Buffer` and `ryu::Buffer` are fixed arrays on the stack, and
//! `format` writes the digits into them and returns a `&str` borrowing
//! them: the async-signal-safe way to print a number. `memchr` searches
//! borrowed bytes; `memmem::find` builds its searcher on the stack (the
//! crate's search API works without `alloc`). Quoting and splitting shell
//! words builds new `String`s and `Vec`s, and `serde_json` serialises into
//! a growing `Vec` and boxes every error.

use super::ApiEntry;
use super::build::*;

const STACK_BUFFER: &str = "formats into a fixed buffer on the stack, without allocating";
const MEMCHR: &str = "searches borrowed bytes without allocating";
const SHELL: &str = "builds the words or the quoted line in new `String`s";
const FIX_SHELL: &str = "split or quote the command line in the parent before fork";
const JSON: &str = "serialises into a growing `Vec` or `String`, or parses into owned values, and boxes every error";
const FIX_JSON: &str = "serialise before fork into a buffer the child only writes out, or send fixed-size binary data from the child";

pub(super) static ENTRIES: &[ApiEntry] = &[
    // ---- itoa, ryu ----
    safe("itoa::Buffer::new", "creates a fixed buffer on the stack"),
    safe("ryu::Buffer::new", "creates a fixed buffer on the stack"),
    safe_method("format", &["Buffer"], STACK_BUFFER),
    safe_method("format_finite", &["Buffer"], STACK_BUFFER),
    // ---- memchr ----
    safe("memchr::memchr", MEMCHR),
    safe("memchr::memchr2", MEMCHR),
    safe("memchr::memchr3", MEMCHR),
    safe("memchr::memrchr", MEMCHR),
    safe("memchr::memrchr2", MEMCHR),
    safe("memchr::memrchr3", MEMCHR),
    safe("memchr::memchr_iter", MEMCHR),
    safe("memchr::memrchr_iter", MEMCHR),
    safe("memchr::memmem::find", MEMCHR),
    safe("memchr::memmem::rfind", MEMCHR),
    safe("memchr::memmem::find_iter", MEMCHR),
    safe("memchr::memmem::rfind_iter", MEMCHR),
    // ---- shlex, shell-words ----
    func("shlex::split", ALLOC, SHELL, FIX_SHELL),
    func("shlex::try_join", ALLOC, SHELL, FIX_SHELL),
    func(
        "shlex::try_quote",
        ALLOC,
        "copies the word into a new `String` when it needs quoting",
        FIX_SHELL,
    ),
    func("shell_words::split", ALLOC, SHELL, FIX_SHELL),
    func("shell_words::join", ALLOC, SHELL, FIX_SHELL),
    func(
        "shell_words::quote",
        ALLOC,
        "copies the word into a new `String` when it needs quoting",
        FIX_SHELL,
    ),
    // ---- serde_json ----
    func("serde_json::to_string", ALLOC, JSON, FIX_JSON),
    func("serde_json::to_string_pretty", ALLOC, JSON, FIX_JSON),
    func("serde_json::to_vec", ALLOC, JSON, FIX_JSON),
    func("serde_json::to_vec_pretty", ALLOC, JSON, FIX_JSON),
    func("serde_json::to_value", ALLOC, JSON, FIX_JSON),
    func("serde_json::from_str", ALLOC, JSON, FIX_JSON),
    func("serde_json::from_slice", ALLOC, JSON, FIX_JSON),
    func("serde_json::from_reader", ALLOC, JSON, FIX_JSON),
    func("serde_json::from_value", ALLOC, JSON, FIX_JSON),
    mac(
        "serde_json::json",
        ALLOC,
        "builds a `serde_json::Value`, allocating its strings, arrays and maps",
        FIX_JSON,
    ),
];
