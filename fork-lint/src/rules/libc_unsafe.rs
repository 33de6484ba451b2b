declare_rule! {
    /// ## What it does
    /// Reports calls to C library functions that are not async-signal-safe in
    /// code that runs in a forked child: every `libc::` function that is not
    /// on the POSIX.1-2024 async-signal-safe list (XSH 2.4.3) and that the
    /// knowledge table does not list as safe (Linux system-call wrappers such
    /// as `dup3`, `pipe2`, `prctl`, `close_range` are). More specific rules
    /// take precedence: `malloc` is `alloc`, `printf` is `stdio`, `getenv` is
    /// `env`.
    ///
    /// Crates that wrap name-service lookups are reported under this rule
    /// too, for the libc functions they call: `users`/`uzers`
    /// (`get_user_by_uid`, `get_group_by_name`, `get_current_username`, ...)
    /// and `whoami` (`username`, `realname`) call `getpwuid_r`, `getpwnam_r`,
    /// `getgrgid_r` or `getgrouplist`.
    ///
    /// `execvp`, `execlp` and `execvpe` are reported at warning level: they
    /// search `PATH`, and POSIX does not list them, although the glibc and
    /// musl implementations are safe in practice.
    ///
    /// ## Why is this bad?
    /// A child of a multithreaded process may only call async-signal-safe
    /// functions until it calls `exec` or `_exit`. Other functions may take
    /// locks held by threads that did not survive the fork (name-service
    /// lookups, `dlopen`, locale data), allocate, or use static buffers.
    /// `getpwnam` and `initgroups` in a `pre_exec` closure are classic causes
    /// of children that hang forever.
    ///
    /// ## Example
    /// ```rust,ignore
    /// unsafe {
    ///     cmd.pre_exec(move || {
    ///         libc::initgroups(user.as_ptr(), gid); // NSS: dlopen, malloc, locks
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// // Look the groups up before fork...
    /// let groups: Vec<libc::gid_t> = nix::unistd::getgrouplist(&user, gid.into())?
    ///     .into_iter().map(|g| g.as_raw()).collect();
    /// unsafe {
    ///     cmd.pre_exec(move || {
    ///         // ...and only make the system call in the child.
    ///         if libc::setgroups(groups.len(), groups.as_ptr()) == -1 {
    ///             return Err(std::io::Error::last_os_error());
    ///         }
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// ## Known problems
    /// The list is the POSIX one plus the table's Linux entries; a function
    /// that is safe on your platform but not listed is reported (add it to
    /// the configuration's knowledge with a reason). Calls through function
    /// pointers are not seen.
    ///
    /// ## References
    /// - POSIX.1-2024 (IEEE Std 1003.1-2024), XSH 2.4.3 Signal Actions: the async-signal-safe list (`fork` removed, `_Fork` added)
    /// - signal-safety(7), Linux man-pages, including the glibc deviations
    /// - `std::os::unix::process::CommandExt::pre_exec` documentation
    pub(crate) static LIBC_UNSAFE = (LibcUnsafe, "libc-unsafe", Error, "a C library function that is not async-signal-safe in a forked child");
}
