//! Lookups and table consistency.

use std::collections::HashSet;

use super::*;

fn k() -> Knowledge {
    Knowledge::default()
}

fn verdict(path: &str) -> Option<Verdict> {
    k().lookup_path(path).map(|e| e.verdict)
}

#[test]
fn paths_are_canonicalised() {
    assert_eq!(
        verdict("std::env::var"),
        Some(Verdict::Hazard(RuleId::Env, Level::Error))
    );
    assert_eq!(
        verdict("::std::env::var"),
        Some(Verdict::Hazard(RuleId::Env, Level::Error))
    );
    assert_eq!(verdict("core::ptr::null"), Some(Verdict::Safe));
    assert_eq!(
        verdict("alloc::string::String::from"),
        Some(Verdict::Hazard(RuleId::Alloc, Level::Error))
    );
    assert_eq!(verdict("std::no::such::thing"), None);
}

#[test]
fn associated_functions_by_type_and_name() {
    let alloc = Some(Verdict::Hazard(RuleId::Alloc, Level::Error));
    assert_eq!(verdict("String::from"), alloc);
    assert_eq!(verdict("Box::new"), alloc);
    assert_eq!(verdict("Vec::<u8>::with_capacity"), alloc);
    assert_eq!(verdict("std::vec::Vec::<u8>::with_capacity"), alloc);
    assert_eq!(verdict("Vec::new"), Some(Verdict::Safe));
    assert_eq!(verdict("String::new"), Some(Verdict::Safe));
    assert_eq!(
        verdict("io::Error::last_os_error"),
        None,
        "a module-qualified path is not a type path"
    );
    assert_eq!(verdict("Error::last_os_error"), Some(Verdict::Safe));
    assert_eq!(verdict("std::io::Error::new"), alloc);
    assert_eq!(
        verdict("File::open"),
        Some(Verdict::PathArgument { limit: 384 })
    );
    // Another crate's type of the same name is not std's.
    assert_eq!(verdict("tokio::fs::File::open"), None);
    assert_eq!(verdict("my_crate::String::from"), None);
}

#[test]
fn libc_falls_back_to_the_posix_list() {
    assert_eq!(verdict("libc::getpid"), Some(Verdict::Safe));
    assert_eq!(verdict("libc::write"), Some(Verdict::Safe));
    let e = k().lookup_path("libc::localtime").unwrap();
    assert_eq!(e.verdict, Verdict::Hazard(RuleId::LibcUnsafe, Level::Error));
    assert_eq!(e.path, "libc::localtime");
    assert!(e.reason.contains("POSIX.1-2024"), "{}", e.reason);
    assert!(!e.fix.is_empty());
    // Explicit entries win over the fallback.
    assert_eq!(verdict("libc::fork"), Some(Verdict::Fork(ForkKind::Fork)));
    assert_eq!(verdict("libc::_Fork"), Some(Verdict::Fork(ForkKind::Fork)));
    assert_eq!(verdict("libc::vfork"), Some(Verdict::Fork(ForkKind::Vfork)));
    assert_eq!(
        verdict("libc::malloc"),
        Some(Verdict::Hazard(RuleId::Alloc, Level::Error))
    );
    assert_eq!(
        verdict("libc::printf"),
        Some(Verdict::Hazard(RuleId::Stdio, Level::Error))
    );
    assert_eq!(verdict("libc::execve"), Some(Verdict::Exec));
    assert_eq!(verdict("libc::_exit"), Some(Verdict::Terminates));
    assert_eq!(verdict("libc::dup3"), Some(Verdict::Safe));
    assert_eq!(verdict("libc::WEXITSTATUS"), Some(Verdict::Safe));
    // The fallback is for `libc::name` only.
    assert_eq!(verdict("libc::unix::something"), None);
    // Interning returns the same path twice.
    assert_eq!(
        k().lookup_path("libc::localtime").unwrap().path.as_ptr(),
        e.path.as_ptr()
    );
}

#[test]
fn clone_forks_and_runs_its_callback_in_the_child() {
    let e = k().lookup_path("libc::clone").unwrap();
    assert_eq!(e.verdict, Verdict::RunsInChild { arg: 0 });
    assert_eq!(e.fork_kind(), Some(ForkKind::Fork));
    assert_eq!(
        k().lookup_path("libc::fork").unwrap().fork_kind(),
        Some(ForkKind::Fork)
    );
    assert_eq!(k().lookup_path("libc::getpid").unwrap().fork_kind(), None);
}

#[test]
fn region_enders() {
    for p in [
        "libc::_exit",
        "libc::abort",
        "std::process::exit",
        "libc::exit",
        "std::process::abort",
    ] {
        assert!(k().lookup_path(p).unwrap().ends_region(), "{p}");
    }
    assert!(!k().lookup_path("libc::execve").unwrap().ends_region());
    assert_eq!(
        verdict("std::process::exit"),
        Some(Verdict::Hazard(RuleId::Exit, Level::Error))
    );
}

#[test]
fn methods_by_receiver() {
    let m = |name, recv| k().lookup_method(name, recv).map(|(e, c)| (e.verdict, c));
    let lock = Verdict::Hazard(RuleId::Lock, Level::Error);
    let stdio = Verdict::Hazard(RuleId::Stdio, Level::Error);
    assert_eq!(m("lock", Some("Mutex")), Some((lock, Confidence::Exact)));
    assert_eq!(m("lock", Some("Stdout")), Some((stdio, Confidence::Exact)));
    assert_eq!(
        m("lock", Some("MyThing")),
        None,
        "a user type's `lock` is not Mutex::lock"
    );
    assert_eq!(m("lock", None), Some((lock, Confidence::NameOnly)));
    assert_eq!(m("write", Some("RwLock")), Some((lock, Confidence::Exact)));
    assert_eq!(m("write", Some("Stderr")), Some((stdio, Confidence::Exact)));
    assert_eq!(
        m("write", Some("File")),
        Some((Verdict::Safe, Confidence::Exact))
    );
    assert_eq!(
        m("write", None),
        None,
        "`write` is safe on a File, so the name alone says nothing"
    );
    assert_eq!(
        m("clone", Some("Arc")),
        Some((Verdict::Safe, Confidence::Exact))
    );
    assert_eq!(
        m("clone", Some("String")),
        Some((
            Verdict::Hazard(RuleId::Alloc, Level::Error),
            Confidence::Exact
        ))
    );
    assert_eq!(m("clone", None), None);
    assert_eq!(
        m("unwrap", Some("Option")),
        Some((
            Verdict::Hazard(RuleId::Panic, Level::Warning),
            Confidence::Exact
        ))
    );
    assert_eq!(
        m("unwrap", None),
        Some((
            Verdict::Hazard(RuleId::Panic, Level::Warning),
            Confidence::Exact
        ))
    );
    assert_eq!(
        m("pre_exec", None),
        Some((Verdict::RunsInChild { arg: 0 }, Confidence::Exact))
    );
    assert_eq!(
        m("exec", Some("Command")),
        Some((
            Verdict::Hazard(RuleId::Alloc, Level::Error),
            Confidence::Exact
        ))
    );
    assert_eq!(m("no_such_method", None), None);
}

#[test]
fn macros_by_name_or_std_path() {
    let mac = |p| k().lookup_macro(p).map(|e| e.verdict);
    let stdio = Some(Verdict::Hazard(RuleId::Stdio, Level::Error));
    assert_eq!(mac("println"), stdio);
    assert_eq!(mac("println!"), stdio);
    assert_eq!(mac("std::println"), stdio);
    assert_eq!(mac("::std::eprintln"), stdio);
    assert_eq!(
        mac("core::panic"),
        Some(Verdict::Hazard(RuleId::Panic, Level::Warning))
    );
    assert_eq!(
        mac("format"),
        Some(Verdict::Hazard(RuleId::Alloc, Level::Error))
    );
    assert_eq!(
        mac("vec"),
        Some(Verdict::Hazard(RuleId::Alloc, Level::Error))
    );
    assert_eq!(mac("write"), Some(Verdict::Safe));
    assert_eq!(mac("my_macro"), None);
    // Other crates' macros are keyed by their full path only: a bare
    // `info!`/`bail!` may be the crate's own `macro_rules!`.
    let lock = Some(Verdict::Hazard(RuleId::Lock, Level::Error));
    assert_eq!(mac("log::info"), lock);
    assert_eq!(mac("::log::info!"), lock);
    assert_eq!(mac("tracing::debug"), lock);
    assert_eq!(mac("info"), None);
    assert_eq!(mac("debug"), None);
    assert_eq!(mac("bail"), None);
    assert_eq!(mac("anyhow"), None);
    assert_eq!(
        mac("anyhow::bail"),
        Some(Verdict::Hazard(RuleId::Alloc, Level::Error))
    );
    assert_eq!(mac("my_crate::info"), None);
    assert_eq!(mac("log::no_such_macro"), None);
    // A std path still finds std's macro by its last segment.
    assert_eq!(mac("std::format"), mac("format"));
}

#[test]
fn third_party_macros_are_keyed_by_path() {
    let std_macros: HashSet<&str> = table_std::ENTRIES
        .iter()
        .filter(|e| matches!(e.kind, ApiKind::Macro))
        .map(|e| e.path)
        .collect();
    for e in builtin().filter(|e| matches!(e.kind, ApiKind::Macro)) {
        if std_macros.contains(e.path) {
            assert!(!e.path.contains("::"), "std macro `{}` by path", e.path);
            continue;
        }
        let root = e.path.split("::").next().unwrap_or("");
        assert!(
            e.path.contains("::") && !matches!(root, "std" | "core" | "alloc" | "$crate"),
            "macro `{}` of another crate must be keyed by its full path",
            e.path
        );
        assert_eq!(
            k().lookup_macro(e.path).map(|f| f.path),
            Some(e.path),
            "macro `{}` is unreachable",
            e.path
        );
    }
}

#[test]
fn third_party_tables_name_the_checked_versions() {
    for (file, text) in [
        ("table_logging.rs", include_str!("table_logging.rs")),
        ("table_errors.rs", include_str!("table_errors.rs")),
        ("table_linux.rs", include_str!("table_linux.rs")),
        ("table_host.rs", include_str!("table_host.rs")),
        ("table_text.rs", include_str!("table_text.rs")),
        ("table_fork_crate.rs", include_str!("table_fork_crate.rs")),
    ] {
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            header.to_lowercase().contains("checked against")
                && header.chars().any(|c| c.is_ascii_digit()),
            "{file}: the header must say which versions were checked"
        );
    }
}

#[test]
fn third_party_verdicts() {
    const ALLOC: Verdict = Verdict::Hazard(RuleId::Alloc, Level::Error);
    let alloc = Some(Verdict::Hazard(RuleId::Alloc, Level::Error));
    let lock = Some(Verdict::Hazard(RuleId::Lock, Level::Error));
    let env = Some(Verdict::Hazard(RuleId::Env, Level::Error));
    let libc_unsafe = Some(Verdict::Hazard(RuleId::LibcUnsafe, Level::Error));
    let safe = Some(Verdict::Safe);
    // Logging.
    assert_eq!(verdict("log::max_level"), safe);
    assert_eq!(verdict("env_logger::init"), env);
    assert_eq!(verdict("env_logger::Builder::from_default_env"), env);
    assert_eq!(verdict("tracing::subscriber::set_global_default"), lock);
    // Errors.
    assert_eq!(verdict("anyhow::Error::msg"), alloc);
    assert_eq!(verdict("eyre::Report::new"), alloc);
    assert_eq!(verdict("anyhow::Ok"), safe);
    let m = |name, recv| k().lookup_method(name, recv).map(|(e, c)| (e.verdict, c));
    assert_eq!(
        m("context", Some("Result")),
        Some((ALLOC, Confidence::Exact))
    );
    assert_eq!(
        m("context", None),
        Some((ALLOC, Confidence::NameOnly)),
        "an unknown receiver is a guess, reported at warning level"
    );
    assert_eq!(m("context", Some("MyStruct")), None);
    // Linux set-up: safe wrappers are safe, allocating ones are not.
    assert_eq!(verdict("prctl::set_death_signal"), safe);
    assert_eq!(verdict("prctl::set_no_new_privileges"), safe);
    assert_eq!(verdict("prctl::set_name"), alloc);
    assert_eq!(verdict("procfs::process::Process::myself"), alloc);
    assert_eq!(verdict("caps::clear"), alloc);
    assert_eq!(verdict("seccompiler::apply_filter"), safe);
    assert_eq!(verdict("seccompiler::compile_from_json"), alloc);
    assert_eq!(
        m("load", Some("ScmpFilterContext")),
        Some((ALLOC, Confidence::Exact))
    );
    assert_eq!(
        m("load", None),
        None,
        "`load` is also an atomic load: the name alone says nothing"
    );
    assert_eq!(verdict("signal_hook::low_level::raise"), safe);
    assert_eq!(
        verdict("signal_hook::low_level::exit"),
        Some(Verdict::Terminates)
    );
    assert!(
        k().lookup_path("signal_hook::low_level::exit")
            .unwrap()
            .ends_region()
    );
    assert_eq!(verdict("signal_hook::flag::register"), lock);
    assert_eq!(verdict("close_fds::close_open_fds"), safe);
    assert_eq!(verdict("errno::errno"), safe);
    assert_eq!(verdict("nix::sys::ptrace::traceme"), safe);
    assert_eq!(
        verdict("libc::forkpty"),
        Some(Verdict::Fork(ForkKind::Fork))
    );
    assert_eq!(
        verdict("nix::pty::forkpty"),
        Some(Verdict::Fork(ForkKind::Fork))
    );
    // Users and hosts: NSS lookups are `libc-unsafe`.
    assert_eq!(verdict("users::get_user_by_uid"), libc_unsafe);
    assert_eq!(verdict("uzers::get_user_by_name"), libc_unsafe);
    assert_eq!(verdict("whoami::username"), libc_unsafe);
    assert_eq!(
        verdict("users::get_current_uid"),
        Some(Verdict::Hazard(RuleId::Lock, Level::Warning))
    );
    assert_eq!(verdict("users::switch::set_current_uid"), safe);
    assert_eq!(verdict("hostname::get"), alloc);
    assert_eq!(verdict("hostname::set"), safe);
    assert_eq!(verdict("dirs::home_dir"), env);
    assert_eq!(verdict("home::home_dir"), env);
    assert_eq!(verdict("tempfile::tempfile"), env);
    assert_eq!(verdict("tempfile::tempfile_in"), alloc);
    // Text: stack buffers are safe, shell words and JSON allocate.
    assert_eq!(verdict("itoa::Buffer::new"), safe);
    assert_eq!(
        m("format", Some("Buffer")),
        Some((Verdict::Safe, Confidence::Exact))
    );
    assert_eq!(
        m("format", None),
        None,
        "std has no `.format()`: the name alone is not a hazard"
    );
    assert_eq!(verdict("memchr::memmem::find"), safe);
    assert_eq!(verdict("shlex::split"), alloc);
    assert_eq!(verdict("serde_json::to_string"), alloc);
    // Fully covered crates are known; the others leave unlisted calls to
    // `unknown-call`.
    for c in ["prctl", "close_fds", "errno", "itoa", "ryu"] {
        assert!(k().is_known_crate(c), "{c}");
    }
    for c in ["log", "tracing", "anyhow", "procfs", "users", "serde_json"] {
        assert!(!k().is_known_crate(c), "{c}");
    }
}

#[test]
fn extra_entries_come_first() {
    let mut kb = Knowledge::default();
    kb.extra.push(ApiEntry {
        path: "libc::localtime",
        kind: ApiKind::Function,
        verdict: Verdict::Safe,
        reason: "is audited by this project",
        fix: "",
    });
    kb.extra.push(ApiEntry {
        path: "lock",
        kind: ApiKind::Method {
            receivers: &["Mutex"],
        },
        verdict: Verdict::Safe,
        reason: "is a project override",
        fix: "",
    });
    kb.extra.push(ApiEntry {
        path: "log::info",
        kind: ApiKind::Macro,
        verdict: Verdict::Hazard(RuleId::Alloc, Level::Error),
        reason: "formats into a `String`",
        fix: "log in the parent",
    });
    assert_eq!(
        kb.lookup_path("libc::localtime").unwrap().verdict,
        Verdict::Safe
    );
    assert_eq!(
        kb.lookup_method("lock", Some("Mutex")).unwrap().0.verdict,
        Verdict::Safe
    );
    assert_eq!(
        kb.lookup_method("lock", Some("Stdout")).unwrap().0.verdict,
        Verdict::Hazard(RuleId::Stdio, Level::Error),
        "an override for one receiver leaves the others alone"
    );
    assert_eq!(
        kb.lookup_macro("log::info").unwrap().verdict,
        Verdict::Hazard(RuleId::Alloc, Level::Error)
    );
}

#[test]
fn known_crates() {
    for c in [
        "std", "core", "alloc", "libc", "nix", "rustix", "fork", "::std",
    ] {
        assert!(k().is_known_crate(c), "{c}");
    }
    for c in ["tokio", "serde", "my_crate", ""] {
        assert!(!k().is_known_crate(c), "{c}");
    }
}

// ---- table consistency ----

#[test]
fn no_duplicate_keys() {
    let mut funcs = HashSet::new();
    let mut macros = HashSet::new();
    let mut methods = HashSet::new();
    for e in builtin() {
        match e.kind {
            ApiKind::Function => assert!(
                funcs.insert(e.path),
                "duplicate function entry `{}`",
                e.path
            ),
            ApiKind::Macro => assert!(macros.insert(e.path), "duplicate macro entry `{}`", e.path),
            ApiKind::Method { receivers } => {
                if receivers.is_empty() {
                    assert!(
                        methods.insert((e.path, "*")),
                        "duplicate any-receiver method `{}`",
                        e.path
                    );
                }
                for r in receivers {
                    assert!(
                        methods.insert((e.path, *r)),
                        "duplicate method `{}` on `{r}`",
                        e.path
                    );
                }
            }
        }
    }
    // An any-receiver method must be the only entry for its name, or the
    // receiver-specific ones would be unreachable.
    for e in builtin() {
        if let ApiKind::Method { receivers } = e.kind
            && !receivers.is_empty()
        {
            assert!(
                !methods.contains(&(e.path, "*")),
                "method `{}` has both any-receiver and typed entries",
                e.path
            );
        }
    }
}

#[test]
fn every_entry_explains_itself() {
    for e in builtin() {
        assert!(!e.reason.is_empty(), "`{}` has no reason", e.path);
        assert!(
            e.reason.starts_with(|c: char| !c.is_uppercase()) && !e.reason.ends_with('.'),
            "reason of `{}` must be a lowercase clause without trailing period: {:?}",
            e.path,
            e.reason
        );
        if let Verdict::Hazard(..) = e.verdict {
            assert!(!e.fix.is_empty(), "hazard `{}` has no fix", e.path);
            assert!(
                !e.fix.ends_with('.'),
                "fix of `{}` ends with a period",
                e.path
            );
        }
        if e.verdict == Verdict::Safe {
            assert!(e.fix.is_empty(), "safe `{}` has a fix", e.path);
        }
        if let ApiKind::Function = e.kind {
            assert!(
                !e.path.contains(' ')
                    && !e.path.starts_with("core::")
                    && !e.path.starts_with("alloc::"),
                "`{}` is not canonical",
                e.path
            );
        }
    }
}

#[test]
fn posix_list_is_sorted_and_current() {
    assert!(
        POSIX_SAFE.windows(2).all(|w| w[0] < w[1]),
        "POSIX_SAFE must be sorted and unique"
    );
    assert!(POSIX_SAFE.binary_search(&"_Fork").is_ok());
    assert!(
        POSIX_SAFE.binary_search(&"fork").is_err(),
        "POSIX.1-2024 removed fork"
    );
    for f in [
        "execl", "execle", "execv", "execve", "fexecve", "_exit", "write", "dup2", "close",
    ] {
        assert!(POSIX_SAFE.binary_search(&f).is_ok(), "{f}");
    }
    for f in ["execvp", "execlp", "execvpe", "malloc", "printf", "sysconf"] {
        assert!(POSIX_SAFE.binary_search(&f).is_err(), "{f}");
    }
    assert!(
        POSIX_CHANGES
            .iter()
            .any(|c| c.function == "fork" && c.note.contains("2024"))
    );
    assert!(
        POSIX_CHANGES
            .iter()
            .any(|c| c.function == "_Fork" && c.note.contains("2024"))
    );
    assert!(POSIX_EDITION.contains("2024"));
}

#[test]
fn exec_p_variants_are_warnings() {
    for f in ["libc::execvp", "libc::execlp", "libc::execvpe"] {
        let e = k().lookup_path(f).unwrap();
        assert_eq!(
            e.verdict,
            Verdict::Hazard(RuleId::LibcUnsafe, Level::Warning),
            "{f}"
        );
        assert!(e.reason.contains("POSIX"), "{f}: {}", e.reason);
    }
}

#[test]
fn crate_tables() {
    assert_eq!(
        verdict("nix::unistd::fork"),
        Some(Verdict::Fork(ForkKind::Fork))
    );
    for f in [
        "execv", "execve", "execvp", "execvpe", "fexecve", "execveat",
    ] {
        assert_eq!(
            verdict(&format!("nix::unistd::{f}")),
            Some(Verdict::Hazard(RuleId::AllocatingWrapper, Level::Error)),
            "{f}"
        );
    }
    assert_eq!(
        verdict("nix::unistd::chdir"),
        Some(Verdict::PathArgument { limit: 1024 })
    );
    assert_eq!(verdict("nix::unistd::dup2"), Some(Verdict::Safe));
    assert_eq!(verdict("nix::sys::wait::waitpid"), Some(Verdict::Safe));
    assert_eq!(
        k().lookup_path("nix::sched::clone").unwrap().fork_kind(),
        Some(ForkKind::Fork)
    );
    assert_eq!(verdict("nix::unistd::_exit"), None, "nix has no _exit");
    assert_eq!(
        verdict("rustix::runtime::kernel_fork"),
        Some(Verdict::Fork(ForkKind::Fork))
    );
    assert_eq!(verdict("rustix::runtime::execve"), Some(Verdict::Exec));
    assert_eq!(
        verdict("rustix::runtime::exit_group"),
        Some(Verdict::Terminates)
    );
    assert_eq!(
        verdict("rustix::process::chdir"),
        Some(Verdict::PathArgument { limit: 256 })
    );
    assert_eq!(
        verdict("rustix::fs::open"),
        Some(Verdict::PathArgument { limit: 256 })
    );
    assert_eq!(verdict("rustix::stdio::stdout"), Some(Verdict::Safe));
    assert_eq!(
        verdict("std::io::stdout"),
        Some(Verdict::Hazard(RuleId::Stdio, Level::Error))
    );
    assert_eq!(
        verdict("std::fs::File::open"),
        Some(Verdict::PathArgument { limit: 384 })
    );
    assert_eq!(verdict("fork::fork"), Some(Verdict::Fork(ForkKind::Fork)));
    assert_eq!(verdict("fork::daemon"), Some(Verdict::Fork(ForkKind::Fork)));
    assert_eq!(verdict("fork::close_fd"), Some(Verdict::Safe));
    assert_eq!(
        verdict("std::os::unix::process::CommandExt::pre_exec"),
        Some(Verdict::RunsInChild { arg: 1 }),
        "called as a path, the closure is the second argument"
    );
}

#[test]
fn mixed_lookups_answer_consistently() {
    // The analysis asks for every call in child code; the answers must not
    // depend on what was asked before (the index is built once). Speed is
    // measured by the corpus benchmark, never by a timed test.
    let kb = Knowledge::default();
    let mut hits = 0usize;
    for i in 0..50_000 {
        hits += kb
            .lookup_path(if i % 2 == 0 {
                "std::env::var"
            } else {
                "libc::getpid"
            })
            .is_some() as usize;
        hits += kb.lookup_path("String::from").is_some() as usize;
        hits += kb.lookup_method("lock", Some("Mutex")).is_some() as usize;
        hits += kb.lookup_macro("println").is_some() as usize;
    }
    assert_eq!(hits, 200_000);
}

#[test]
fn bare_fork_names_are_forks() {
    let k = Knowledge::default();
    let none = |_: &str| false;
    for b in BARE_FORKS {
        assert!(k.bare_fork(b.name, none).is_some(), "{} is a fork", b.name);
        for (ty, path) in b.by_type {
            assert_eq!(k.bare_fork(b.name, |t| t == *ty).map(|f| f.0), Some(*path));
        }
    }
    assert_eq!(
        k.bare_fork("fork", none),
        Some(("libc::fork", ForkKind::Fork))
    );
    assert_eq!(
        k.bare_fork("fork", |t| t == "ForkResult"),
        Some(("nix::unistd::fork", ForkKind::Fork))
    );
    assert_eq!(
        k.bare_fork("vfork", none),
        Some(("libc::vfork", ForkKind::Vfork))
    );
    assert_eq!(k.bare_fork("daemon", none), None);
    assert_eq!(k.bare_fork("spawn", none), None);
}
