declare_rule! {
    /// ## What it does
    /// Reports `std::process::exit` and `libc::exit` in code that runs in a
    /// forked child.
    ///
    /// ## Why is this bad?
    /// `exit` runs the parent's `atexit` handlers and flushes stdio buffers
    /// that the child inherited: buffered output is written twice (once by
    /// the child, once by the parent), handlers may take locks held by
    /// threads that do not exist in the child, and they may allocate.
    /// `_exit` ends the process at once and is async-signal-safe.
    ///
    /// The call still ends the child: the analysis treats it as the end of
    /// the child region (no `fallthrough` after it).
    ///
    /// ## Example
    /// ```rust,ignore
    /// match unsafe { libc::fork() } {
    ///     0 => {
    ///         unsafe { libc::execv(prog.as_ptr(), argv.as_ptr()) };
    ///         std::process::exit(127); // runs the parent's atexit handlers
    ///     }
    ///     pid => wait_for(pid),
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// match unsafe { libc::fork() } {
    ///     0 => unsafe {
    ///         libc::execv(prog.as_ptr(), argv.as_ptr());
    ///         libc::_exit(127)
    ///     },
    ///     pid => wait_for(pid),
    /// }
    /// ```
    ///
    /// ## Known problems
    /// An `exit` reached through a function pointer or a trait object is not
    /// seen.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions (`_exit` and `_Exit` are listed, `exit` is not)
    /// - POSIX.1-2024 `exit`, `_exit`
    /// - `std::process::exit` documentation, on destructors and atexit handlers
    pub(crate) static EXIT = (Exit, "exit", Error, "`exit` instead of `_exit` in a forked child");
}
