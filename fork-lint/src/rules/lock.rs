declare_rule! {
    /// ## What it does
    /// Reports lock acquisition and waiting in code that runs in a forked
    /// child: `Mutex::lock`, `RwLock::read`/`write` (std, `parking_lot`,
    /// `spin`), `ReentrantLock::lock`, `Once::call_once`,
    /// `OnceLock::get_or_init`, `LazyLock::force`, `Condvar::wait`,
    /// `Barrier::wait`, and `pthread_mutex_lock` and friends. Also the
    /// logging macros of `log` (`info!`, `debug!`, ...) and `tracing`
    /// (events and spans): they call the global logger or subscriber, which
    /// formats the record and writes it under a lock (env_logger locks
    /// stderr, tracing-subscriber its writer), and signal-hook's handler
    /// registration, which takes its registry's `Mutex`.
    ///
    /// ## Why is this bad?
    /// `fork` copies only the calling thread, but it copies every lock in
    /// the state it had. A lock that another thread held at the moment of the
    /// fork is held forever in the child: the owner does not exist there to
    /// release it, and the child blocks on it forever. A `Once` or `OnceLock`
    /// that another thread was initialising stays "running" forever in the
    /// same way.
    ///
    /// ## Example
    /// ```rust,ignore
    /// static CONFIG: Mutex<Config> = Mutex::new(Config::DEFAULT);
    /// unsafe {
    ///     cmd.pre_exec(|| {
    ///         let uid = CONFIG.lock().unwrap().uid; // may block forever
    ///         libc::setuid(uid);
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// let uid = CONFIG.lock().unwrap().uid; // in the parent, before fork
    /// unsafe {
    ///     cmd.pre_exec(move || {
    ///         if libc::setuid(uid) == -1 {
    ///             return Err(std::io::Error::last_os_error());
    ///         }
    ///         Ok(())
    ///     });
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Method calls are matched by name and by the receiver type the checker
    /// can infer; a lock reached through a trait object, a function pointer,
    /// or an implicit `Deref` of a `LazyLock` is not seen. A `.lock()` whose
    /// receiver type is unknown is reported at warning level as a guess.
    /// A logging macro is reported whether or not its level is enabled at
    /// run time, and whatever logger is installed (with none, `log` calls a
    /// no-op). `users::get_current_uid` and friends are warnings: they call
    /// `log::trace!` only with the crate's default `logging` feature. A bare
    /// `info!` is taken for `log`'s only when `use log::info;`, `use
    /// log::*;` or `#[macro_use] extern crate log;` brings it into scope.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions (`pthread_mutex_lock` is not listed)
    /// - POSIX.1-2024 `pthread_atfork`, rationale: the fork-and-locks problem
    /// - `std::os::unix::process::CommandExt::pre_exec` documentation
    pub(crate) static LOCK = (Lock, "lock", Error, "lock acquisition or waiting in a forked child");
}
