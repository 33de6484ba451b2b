//! Best-effort symbolisation of the traces in a report: the fork call site,
//! the hazardous call, and (for the sentinel) the blocked call.
//!
//! **This is the one documented exception to the `signal_safe` invariant:**
//! it runs only after the core message is out, under `alarm(2)` when the
//! report is fatal, and it allocates (symbolisation does anyway).
//!
//! A trace is flattened into logical frames: one per function, inlined ones
//! included, innermost first. That matters in two places. A tracked lock's
//! `lock` is `#[inline(always)]`: the user's function that calls it is the
//! same machine frame as fork-guard's code, so frames are judged one
//! function at a time, never by the machine frame as a whole. And the stack
//! ends only at the runtime's real entry points (`__rust_begin_short_backtrace`,
//! `lang_start`, `main`, the thread trampolines), not at any `std::` frame
//! on the way (`LocalKey::with`, `catch_unwind`, `FnOnce::call_once` are
//! routinely between the user's frames).

use super::writer::Writer;

/// One logical frame.
struct Sym {
    ip: usize,
    /// Demangled without the hash; empty when unresolved.
    name: String,
    file: Option<String>,
    line: Option<u32>,
}

/// Frames printed at most.
const MAX_SHOWN: usize = 16;

/// Names of frames that belong to the guard, the unwinder or the allocator
/// shims rather than to the user's code.
fn is_machinery(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "fork_guard::",
        "<fork_guard::",
        "backtrace::",
        "<backtrace::",
        "__rust_",
        "__rustc::",
        "__rdl_",
        "__rg_",
        "alloc::",
        "<alloc::",
        "core::alloc::",
        "std::sys::backtrace::__rust_end_short_backtrace",
        "std::backtrace",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Frames where the interesting part of a stack ends: the runtime's entry
/// points and thread trampolines, and nothing else.
fn is_stack_base(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "std::sys::backtrace::__rust_begin_short_backtrace",
        "std::rt::lang_start",
        "std::rt::main",
        "__libc_start",
        "std::sys::pal::unix::thread::Thread::new::thread_start",
        "std::sys::thread::unix::Thread::new::thread_start",
    ];
    matches!(
        name,
        "main" | "_start" | "clone" | "clone3" | "start_thread"
    ) || PREFIXES.iter().any(|p| name.starts_with(p))
}

fn is_libc_fork(name: &str) -> bool {
    matches!(
        name,
        "fork" | "__libc_fork" | "__fork" | "_Fork" | "__GI___fork" | "__GI__Fork" | "libc_fork"
    ) || name.starts_with("__run_prefork")
        || name.starts_with("__run_fork_handlers")
}

/// The kernel's signal return trampoline: the frame after it is the code the
/// signal interrupted.
fn is_signal_trampoline(name: &str) -> bool {
    matches!(
        name,
        "__restore_rt" | "__kernel_rt_sigreturn" | "__GI___restore_rt"
    )
}

/// Library frames, for naming the call the user's code is blocked in: the
/// runtime, the lock crates, C functions (no `::` in the name) and
/// anything compiled from the toolchain's or the registry's sources.
fn is_library(s: &Sym) -> bool {
    const PREFIXES: &[&str] = &[
        "std::",
        "<std::",
        "core::",
        "<core::",
        "alloc::",
        "<alloc::",
        "parking_lot",
        "<parking_lot",
        "lock_api::",
        "<lock_api::",
        "fork_guard::",
        "<fork_guard::",
    ];
    let from_elsewhere = s
        .file
        .as_deref()
        .is_none_or(|f| f.starts_with("/rustc/") || f.contains("/.cargo/registry/"));
    from_elsewhere || !s.name.contains("::") || PREFIXES.iter().any(|p| s.name.starts_with(p))
}

/// `<std::io::stdio::Stdout>::lock` (how symbol names spell an inherent
/// method) as `std::io::stdio::Stdout::lock` (how debug info and people
/// spell it); trait impls (`<A as B>::m`) are left alone.
fn plain_name(name: &str) -> std::borrow::Cow<'_, str> {
    let Some(rest) = name.strip_prefix('<') else {
        return name.into();
    };
    let mut depth = 1usize;
    for (i, c) in rest.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    let (inner, tail) = rest.split_at(i);
                    let tail = tail.get(1..).unwrap_or("");
                    if inner.contains(" as ") || !tail.starts_with("::") {
                        return name.into();
                    }
                    return format!("{inner}{tail}").into();
                }
            }
            _ => {}
        }
    }
    name.into()
}

fn symbolise(ips: &[usize]) -> Vec<Sym> {
    let mut out = Vec::new();
    for &ip in ips {
        let before = out.len();
        // SAFETY: `resolve_unsynchronized` requires that no other thread
        // symbolises concurrently through the same backtrace state. The
        // report holds the `REPORTING` flag, which serialises all reports in
        // this process, and fork-guard calls into `backtrace` nowhere else
        // except the prepare handler's `trace_unsynchronized` (serialised by
        // libc's atfork lock) and the sentinel's watcher, which uses the
        // synchronised `backtrace::resolve` and never runs in a child.
        // Other users of the `backtrace` crate in the same process could
        // race; in a child there are none, and in the parent this is
        // best-effort.
        unsafe {
            backtrace::resolve_unsynchronized(ip as *mut core::ffi::c_void, |sym| {
                let name = sym
                    .name()
                    .map(|n| plain_name(&format!("{n:#}")).into_owned())
                    .unwrap_or_default();
                out.push(Sym {
                    ip,
                    name,
                    file: sym.filename().and_then(|f| f.to_str()).map(str::to_owned),
                    line: sym.lineno(),
                });
            });
        }
        if out.len() == before {
            out.push(Sym {
                ip,
                name: String::new(),
                file: None,
                line: None,
            });
        }
    }
    out
}

fn capture() -> Vec<usize> {
    let mut ips = Vec::with_capacity(64);
    // SAFETY: `trace_unsynchronized` requires no concurrent unsynchronised
    // use of the unwinder state; reports are serialised by `REPORTING`.
    unsafe {
        backtrace::trace_unsynchronized(|frame| {
            ips.push(frame.ip() as usize);
            ips.len() < 96
        });
    }
    ips
}

/// Prints frames from `syms[start..]`, stopping before the first stack base
/// (unless it is the first frame shown).
fn print(w: &mut Writer, syms: &[Sym], start: usize) {
    let mut last_ip = None;
    let mut index = 0;
    for (shown, s) in syms.iter().skip(start).enumerate() {
        if shown > 0 && is_stack_base(&s.name) {
            break;
        }
        if shown == MAX_SHOWN {
            w.str("     ...\n");
            break;
        }
        if last_ip == Some(s.ip) {
            w.str("        (inlined into) ");
        } else {
            w.str("     #").dec(index).str(" ");
            index += 1;
        }
        last_ip = Some(s.ip);
        if s.name.is_empty() {
            w.hex(s.ip);
        } else {
            w.str(&s.name);
        }
        if let (Some(f), Some(l)) = (&s.file, s.line) {
            w.str("\n           at ").str(f).str(":").dec(u64::from(l));
        }
        w.str("\n");
    }
}

/// The fork call site, from the raw addresses the prepare handler captured.
pub(crate) fn fork_site(w: &mut Writer, ips: &[usize]) {
    if ips.is_empty() {
        return;
    }
    let syms = symbolise(ips);
    // Start after libc's fork (and the handlers it runs) when we can see it,
    // else at the first function that is not the guard's.
    let after_fork = syms
        .iter()
        .rposition(|s| is_libc_fork(&s.name))
        .and_then(|i| {
            let fork_ip = syms.get(i)?.ip;
            (i..syms.len()).find(|&j| syms.get(j).is_some_and(|s| s.ip != fork_ip))
        });
    let start = after_fork
        .or_else(|| {
            syms.iter()
                .position(|s| !s.name.is_empty() && !is_machinery(&s.name))
        })
        .unwrap_or(0);
    w.str("fork-guard: fork call site (best-effort symbolisation):\n");
    print(w, &syms, start);
}

/// The hazardous call: the stack of the reporting thread, from the first
/// function that is not the guard's own.
pub(crate) fn here(w: &mut Writer) {
    let syms = symbolise(&capture());
    let start = syms
        .iter()
        .position(|s| !s.name.is_empty() && !is_machinery(&s.name))
        .unwrap_or(0);
    w.str("fork-guard: the hazardous call (best-effort symbolisation):\n");
    print(w, &syms, start);
}

/// The blocked call, from inside the sentinel's signal handler: the stack
/// the signal interrupted, from the blocked system call out to the user's
/// code, with a summary line naming the call it is blocked in.
pub(crate) fn blocked(w: &mut Writer) {
    let syms = symbolise(&capture());
    // After the signal trampoline; when it has no symbol, after the
    // handler's frames and whatever unresolved frames follow them.
    let start = match syms.iter().position(|s| is_signal_trampoline(&s.name)) {
        Some(i) => i + 1,
        None => {
            let after_handler = syms
                .iter()
                .position(|s| s.name.contains("sentinel_child::on_signal"))
                .map_or(0, |i| i + 1);
            (after_handler..syms.len())
                .find(|&i| syms.get(i).is_some_and(|s| !s.name.is_empty()))
                .unwrap_or(after_handler)
        }
    };
    let rest = syms.get(start..).unwrap_or(&[]);
    w.str("fork-guard: the blocked call (best-effort symbolisation):\n");
    if let Some(user) = rest
        .iter()
        .position(|s| !is_library(s) && !is_stack_base(&s.name))
    {
        let waits_in = rest
            .get(..user)
            .unwrap_or(&[])
            .iter()
            .rev()
            .find(|s| s.name.contains("::"));
        if let (Some(lib), Some(caller)) = (waits_in, rest.get(user)) {
            w.str("   = the child waits in `")
                .str(&lib.name)
                .str("`, called from `")
                .str(&caller.name)
                .str("`");
            if let (Some(f), Some(l)) = (&caller.file, caller.line) {
                w.str(" at ").str(f).str(":").dec(u64::from(l));
            }
            w.str("\n");
        }
    }
    print(w, &syms, start);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inherent_methods_lose_their_brackets() {
        assert_eq!(
            plain_name("<std::io::stdio::Stdout>::lock"),
            "std::io::stdio::Stdout::lock"
        );
        assert_eq!(
            plain_name("<std::sync::reentrant_lock::ReentrantLock<core::cell::RefCell<u8>>>::lock"),
            "std::sync::reentrant_lock::ReentrantLock<core::cell::RefCell<u8>>::lock"
        );
        assert_eq!(
            plain_name("<parking_lot::raw_mutex::RawMutex as lock_api::mutex::RawMutex>::lock"),
            "<parking_lot::raw_mutex::RawMutex as lock_api::mutex::RawMutex>::lock"
        );
        assert_eq!(plain_name("main"), "main");
        assert_eq!(plain_name("<broken"), "<broken");
    }

    #[test]
    fn only_entry_points_end_a_stack() {
        assert!(is_stack_base(
            "std::sys::backtrace::__rust_begin_short_backtrace"
        ));
        assert!(is_stack_base("std::rt::lang_start::{{closure}}"));
        assert!(is_stack_base("main"));
        assert!(is_stack_base("start_thread"));
        // Frames routinely found between the user's own frames.
        assert!(!is_stack_base("std::thread::local::LocalKey<T>::try_with"));
        assert!(!is_stack_base("std::thread::local::LocalKey<T>::with"));
        assert!(!is_stack_base("std::panicking::catch_unwind"));
        assert!(!is_stack_base("std::panic::catch_unwind"));
        assert!(!is_stack_base("core::ops::function::FnOnce::call_once"));
        assert!(!is_stack_base("std::thread::scoped::scope"));
    }
}
