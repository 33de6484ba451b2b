declare_rule! {
    /// ## What it does
    /// Reports heap allocation and deallocation in code that runs in a forked
    /// child before `exec` or `_exit`: `Box::new`, `Vec`/`String` growth,
    /// `format!`, `vec!`, `to_string`, `to_owned`, `collect`, `CString::new`,
    /// `Rc::new`/`Arc::new`, `io::Error::new`, and drops of heap values where
    /// they are visible.
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
    /// pointer is not seen.
    ///
    /// ## References
    /// - POSIX.1-2024 `signal-safety`, XSH 2.4.3 Signal Actions
    /// - `std::os::unix::process::CommandExt::pre_exec`
    pub(crate) static ALLOC = (Alloc, "alloc", Error, "heap allocation or deallocation in a forked child");
}
