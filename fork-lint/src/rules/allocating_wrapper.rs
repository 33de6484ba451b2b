declare_rule! {
    /// ## What it does
    /// Reports calls, in code that runs in a forked child, to a wrapper of an
    /// async-signal-safe system call that allocates before making the call.
    /// The common case is the `exec` family of `nix`: `nix::unistd::execv`,
    /// `execve`, `execvp`, `execvpe`, `fexecve` and `execveat` collect the
    /// argument and environment pointers into a new `Vec` before calling
    /// `libc::execv*`.
    ///
    /// ## Why is this bad?
    /// `execve` itself is async-signal-safe, so the call looks right, but the
    /// allocation in front of it is not: if another thread held the
    /// allocator's lock when the parent forked, the child deadlocks in
    /// `malloc` before it ever reaches `execve`. The hang happens rarely and
    /// only under load, which makes it hard to trace back to this line.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let argv = [c"/bin/true".to_owned()];
    /// match unsafe { nix::unistd::fork() }? {
    ///     ForkResult::Child => {
    ///         let _ = nix::unistd::execv(c"/bin/true", &argv); // allocates a Vec
    ///         unsafe { libc::_exit(127) }
    ///     }
    ///     ForkResult::Parent { child } => { /* wait */ }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// let argv = [c"/bin/true".to_owned()];
    /// // Build the null-terminated pointer array before fork.
    /// let argv_ptrs: Vec<*const libc::c_char> =
    ///     argv.iter().map(|a| a.as_ptr()).chain(std::iter::once(std::ptr::null())).collect();
    /// match unsafe { nix::unistd::fork() }? {
    ///     ForkResult::Child => unsafe {
    ///         libc::execv(c"/bin/true".as_ptr(), argv_ptrs.as_ptr());
    ///         libc::_exit(127)
    ///     },
    ///     ForkResult::Parent { child } => { /* wait */ }
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Only wrappers listed in the knowledge table are recognised; a wrapper
    /// in another crate that allocates internally is reported as
    /// `unknown-call` at most.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions (the async-signal-safe list)
    /// - nix `unistd::execv` source: `to_exec_array` collects into a `Vec`
    /// - rustix `runtime::kernel_fork` documentation, on what a child may do
    pub(crate) static ALLOCATING_WRAPPER = (AllocatingWrapper, "allocating-wrapper", Error, "a wrapper of a safe system call that allocates in a forked child");
}
