declare_rule! {
    /// ## What it does
    /// Reports code in a forked child that may panic: `panic!`,
    /// `unreachable!`, `todo!`, `unimplemented!`, `assert!`, `assert_eq!`,
    /// `assert_ne!`, the `debug_assert*` macros, and the methods `unwrap`,
    /// `expect`, `unwrap_err`, `expect_err`. Reported as warnings: most of
    /// them panic only when something else has already gone wrong.
    ///
    /// ## Why is this bad?
    /// A panic is not a quiet exit. The panic machinery allocates the payload
    /// and the message, runs the panic hook (which takes the hook lock and
    /// writes to stderr through its lock), and then unwinds through the
    /// parent's frames, running destructors, or aborts. In a child of a
    /// multithreaded process, any of these steps can deadlock; unwinding out
    /// of a `pre_exec` closure is undefined behaviour territory that std
    /// turns into an abort.
    ///
    /// ## Example
    /// ```rust,ignore
    /// match unsafe { libc::fork() } {
    ///     0 => {
    ///         let fd = open_log().expect("cannot open log"); // may panic
    ///         unsafe { libc::dup2(fd, 1) };
    ///         exec_child();
    ///     }
    ///     pid => wait_for(pid),
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// match unsafe { libc::fork() } {
    ///     0 => unsafe {
    ///         let Ok(fd) = open_log() else { libc::_exit(126) };
    ///         libc::dup2(fd, 1);
    ///         exec_child();
    ///     },
    ///     pid => wait_for(pid),
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Implicit panics (indexing out of bounds, integer overflow in debug
    /// builds, `RefCell` borrow errors) are not reported. `unwrap` is matched
    /// by name, so a user type's infallible `unwrap` method is reported too.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions
    /// - `std::panic::set_hook` and `std::os::unix::process::CommandExt::pre_exec` documentation
    pub(crate) static PANIC = (Panic, "panic", Warning, "code that may panic in a forked child");
}
