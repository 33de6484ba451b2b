declare_rule! {
    /// ## What it does
    /// Reports reads and writes of the process environment in code that runs
    /// in a forked child before `exec`: `std::env::var`, `var_os`, `vars`,
    /// `set_var`, `remove_var`, `temp_dir`, `home_dir`, and `libc::getenv`,
    /// `setenv`, `putenv`, `unsetenv`, `clearenv`. Also the crates that
    /// read the environment for you: `dirs::*_dir`, `home::home_dir`,
    /// `tempfile::tempfile`/`tempdir` (`TMPDIR`), `env_logger::init`
    /// (`RUST_LOG`), `whoami::lang_prefs`.
    ///
    /// ## Why is this bad?
    /// std guards the environment with a process-wide `RwLock`, and
    /// `std::env::var` copies the value into a new heap `String`. If another
    /// thread was inside `set_var` (or reading the environment) when the
    /// parent forked, the lock stays taken forever in the child; and the
    /// allocation can deadlock on the allocator's lock. `getenv` and `setenv`
    /// are not on the POSIX async-signal-safe list either.
    ///
    /// ## Example
    /// ```rust,ignore
    /// unsafe {
    ///     cmd.pre_exec(|| {
    ///         let home = std::env::var("HOME").unwrap_or_default(); // lock + allocation
    ///         libc::chdir(home.as_ptr().cast());
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// // Read it before fork and move the value into the closure.
    /// let home = CString::new(std::env::var("HOME")?)?;
    /// unsafe {
    ///     cmd.pre_exec(move || {
    ///         if libc::chdir(home.as_ptr()) == -1 {
    ///             return Err(std::io::Error::last_os_error());
    ///         }
    ///         Ok(())
    ///     });
    /// }
    /// ```
    /// To change the child's environment, use `Command::env` or build `envp`
    /// before fork and pass it to `execve`.
    ///
    /// ## Known problems
    /// Reads through a wrapper the checker cannot see (a function pointer, a
    /// trait object, a function of another crate) are not reported.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions (`getenv` and `setenv` are not listed)
    /// - `std::env::set_var` documentation, on the environment lock
    /// - `std::os::unix::process::CommandExt::pre_exec` documentation
    pub(crate) static ENV = (Env, "env", Error, "environment access in a forked child");
}
