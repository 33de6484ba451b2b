declare_rule! {
    /// ## What it does
    /// Reports calls in a forked child to functions the checker cannot judge:
    /// functions of other crates that the knowledge table does not cover,
    /// calls through function pointers, closures passed in from elsewhere,
    /// and trait objects. Reported as notes, and off by default: enable it
    /// with `unknown-call = "warn"` (or `"deny"`) under `[rules]` in
    /// `fork-lint.toml` to audit a child region completely.
    ///
    /// Calls into crates the table covers (`std`, `core`, `alloc`, `libc`,
    /// `nix`, `rustix`, `fork`) are never unknown: an unlisted `libc`
    /// function is judged by the POSIX list (`libc-unsafe`).
    ///
    /// ## Why is this bad?
    /// The checker follows calls within the crate it checks. A call it cannot
    /// follow may do anything (allocate, lock, print) and silently defeat
    /// every other rule. Knowing where the blind spots are lets you review
    /// them by hand, or describe the function in the configuration's
    /// knowledge so the checker can judge it.
    ///
    /// ## Example
    /// ```rust,ignore
    /// unsafe {
    ///     cmd.pre_exec(|| {
    ///         caps::drop(None, CapSet::Effective, Capability::CAP_SYS_ADMIN) // another crate
    ///             .map_err(|_| std::io::Error::from_raw_os_error(libc::EPERM))
    ///     });
    /// }
    /// ```
    ///
    /// Use instead: audit the function and describe it in `fork-lint.toml`
    /// (a `[[knowledge]]` entry with `path = "caps::drop"`, a `verdict` and a
    /// `reason`), or make the system call directly:
    /// ```rust,ignore
    /// unsafe {
    ///     cmd.pre_exec(move || {
    ///         if libc::prctl(libc::PR_CAPBSET_DROP, libc::CAP_SYS_ADMIN, 0, 0, 0) == -1 {
    ///             return Err(std::io::Error::last_os_error());
    ///         }
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Off by default because it is noisy: every call into a dependency is a
    /// note until the dependency is described.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions
    /// - `std::os::unix::process::CommandExt::pre_exec` documentation
    pub(crate) static UNKNOWN_CALL = (UnknownCall, "unknown-call", Note, "a call in a forked child that the checker cannot judge");
}
