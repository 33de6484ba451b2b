declare_rule! {
    /// ## What it does
    /// Reports heap allocation and deallocation in code that runs in a forked
    /// child before `exec` or `_exit`: `Box::new`, `Vec`/`String` growth,
    /// `format!`, `vec!`, `to_string`, `to_owned`, `collect`, `CString::new`,
    /// `Rc::new`/`Arc::new`, `io::Error::new`, and drops of heap values where
    /// they are visible. Frees that are not written as calls are reported
    /// too: a value that goes out of scope where the child gets to the end
    /// of its block or `match` arm (`Err(e) => ..` with a custom `io::Error`,
    /// a `let` binding of a `Vec` made before fork), a value a statement
    /// discards (`make_string();`, `let _ = f();`, `self.buf.take();`), a
    /// temporary dropped after its statement (`Box::from_raw(p)()`), a
    /// collection a `for` loop consumes (`for x in v`), and `drop(x)` of a
    /// crate type whose fields own heap memory. A free that depends on the
    /// value (an `io::Error` is boxed only when custom, an `Arc` may not be
    /// the last reference) is a warning. Locals still alive at `_exit` or at
    /// a successful exec are never dropped and are not reported.
    /// Calls into other crates that allocate are reported
    /// from the knowledge table: error types that box (`anyhow!`, `bail!`,
    /// `ensure!`, `.context()`, `eyre!`), `serde_json::to_string`,
    /// `shlex::split`, `procfs` readers, `caps` sets, `prctl::set_name`,
    /// `hostname::get`, libseccomp's `load`.
    ///
    /// ## Why is this bad?
    /// `fork()` copies only the calling thread. If another thread was inside
    /// `malloc` at that instant, the allocator's arena lock stays held forever
    /// in the child, and the child's first allocation deadlocks. `malloc` and
    /// `free` are not async-signal-safe (POSIX.1-2024, XSH 2.4.3), so a child
    /// of a multithreaded process may not call them.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let cmd = Command::new("sh");
    /// unsafe {
    ///     cmd.pre_exec(|| {
    ///         let dir = format!("/proc/{}", std::process::id()); // allocates
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// let dir = CString::new(format!("/proc/{}", std::process::id()))?; // before fork
    /// unsafe {
    ///     cmd.pre_exec(move || {
    ///         if libc::chdir(dir.as_ptr()) == -1 {
    ///             return Err(std::io::Error::last_os_error()); // does not allocate
    ///         }
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Without type information, method calls are matched by name and by the
    /// receiver types that local `let` bindings, constructors and parameters
    /// reveal; an allocation hidden behind a trait object or a function
    /// pointer is not seen. Some third-party calls allocate only on their
    /// error path (`.context()`, `caps::has_cap`); they are reported all the
    /// same, since a child that just saw a system call fail takes that path.
    /// `.context()` on a receiver whose type is unknown is a guess, reported
    /// at warning level.
    ///
    /// Implicit frees are found where the source states the types (`let x:
    /// T`, function signatures, struct fields) and where a binding is plainly
    /// not moved away: a use that may move it (an argument, a capture, a
    /// mention in a macro) keeps it quiet. Not reported yet: drops at early
    /// exits (`return`, `?`, `break`), by-value parameters dropped at the
    /// end of the callee, the old value dropped by an assignment, and the
    /// crate's own `Drop` impls. A `mut` binding of an empty `Vec::new()`
    /// that never grows frees nothing, but is reported.
    ///
    /// ## References
    /// - POSIX.1-2024 `signal-safety`, XSH 2.4.3 Signal Actions
    /// - `std::os::unix::process::CommandExt::pre_exec`
    pub(crate) static ALLOC = (Alloc, "alloc", Error, "heap allocation or deallocation in a forked child");
}

#[cfg(test)]
mod doc_contract {
    //! The documentation contract of the hazard rules: every rule file's
    //! docs have the full set of sections, cite the POSIX edition, and the
    //! default levels are the documented ones.

    use crate::diagnostic::Level;
    use crate::rules::{ALL, RuleId};

    #[test]
    fn hazard_rules_are_fully_documented() {
        for r in ALL.iter().filter(|r| r.id != RuleId::UnusedSuppression) {
            for section in ["Known problems", "References"] {
                assert!(
                    r.section(section).is_some_and(|s| !s.is_empty()),
                    "rule `{}` lacks a `## {section}` section",
                    r.name
                );
            }
            assert!(
                !r.docs.contains("TODO"),
                "rule `{}` still says TODO",
                r.name
            );
            let refs = r.section("References").unwrap_or_default();
            assert!(
                refs.contains("POSIX"),
                "rule `{}` cites no POSIX text",
                r.name
            );
            let example = r.section("Example").unwrap_or_default();
            assert!(
                example.contains("```"),
                "rule `{}` has no example code",
                r.name
            );
            let fixed = r.docs.split("Use instead:").nth(1).unwrap_or_default();
            assert!(fixed.contains("```"), "rule `{}` has no fixed code", r.name);
        }
    }

    #[test]
    fn default_levels() {
        for r in ALL {
            let expected = match r.id {
                RuleId::UnknownCall => Level::Note,
                RuleId::Panic | RuleId::UnusedSuppression => Level::Warning,
                _ => Level::Error,
            };
            assert_eq!(r.default_level, expected, "default level of `{}`", r.name);
        }
    }
}
