declare_rule! {
    /// ## What it does
    /// Reports anything in a `vfork` child other than calling an `exec`
    /// function or `_exit`: assignments, other calls, returning from the
    /// function that called `vfork`, and code after a failed exec other than
    /// `_exit`.
    ///
    /// ## Why is this bad?
    /// A `vfork` child runs on the parent's memory and stack, and the parent
    /// is suspended until the child calls exec or `_exit`. POSIX leaves the
    /// behaviour undefined if the child modifies any data other than the
    /// `pid_t` that holds vfork's result, returns from the calling function,
    /// or calls any function other than `_exit` or an exec function. In
    /// Rust, even a drop or a function call can overwrite stack slots the
    /// parent will use when it resumes. POSIX.1-2008 removed `vfork`
    /// entirely; `posix_spawn` or `fork` is the portable choice.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let pid = unsafe { libc::vfork() };
    /// if pid == 0 {
    ///     unsafe { libc::close(3) }; // modifies state before exec
    ///     unsafe { libc::execv(prog.as_ptr(), argv.as_ptr()) };
    ///     unsafe { libc::_exit(127) };
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// // Set close-on-exec on descriptor 3 before vfork...
    /// unsafe { libc::fcntl(3, libc::F_SETFD, libc::FD_CLOEXEC) };
    /// let pid = unsafe { libc::vfork() };
    /// if pid == 0 {
    ///     unsafe {
    ///         libc::execv(prog.as_ptr(), argv.as_ptr());
    ///         libc::_exit(127);
    ///     }
    /// }
    /// ```
    /// or use `posix_spawn`, or `fork` with the usual async-signal-safe rules.
    ///
    /// ## Known problems
    /// The check is syntactic: it does not see what the compiler spills to
    /// the shared stack, so a child region that passes the check can still
    /// misbehave. Prefer `posix_spawn`.
    ///
    /// ## References
    /// - POSIX.1-2001 `vfork` (removed in POSIX.1-2008): the undefined-behaviour list
    /// - vfork(2), Linux man-pages
    /// - POSIX.1-2024 `posix_spawn`
    pub(crate) static VFORK = (Vfork, "vfork", Error, "anything but exec or `_exit` in a vfork child");
}

/// What any operation in a vfork child does, completing "`op` ...".
pub(crate) const REASON: &str = "runs in a vfork child, which shares the parent's memory and stack until it calls exec or `_exit`";

/// The fix.
pub(crate) const HELP: &str =
    "call only an exec function or `_exit` after vfork, or use fork or `posix_spawn` instead";
