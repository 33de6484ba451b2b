declare_rule! {
    /// ## What it does
    /// Reports thread creation and joining in code that runs in a forked
    /// child: `std::thread::spawn`, `thread::scope`, `Builder::spawn`,
    /// `JoinHandle::join`, `pthread_create`, `pthread_join`.
    ///
    /// ## Why is this bad?
    /// Creating a thread allocates its stack and its handle and takes the C
    /// library's thread-list lock, all of which may be held by threads that
    /// did not survive the fork. Joining a thread started before the fork
    /// waits forever: that thread does not exist in the child.
    ///
    /// ## Example
    /// ```rust,ignore
    /// match unsafe { libc::fork() } {
    ///     0 => {
    ///         let pump = std::thread::spawn(move || copy_output(pipe)); // in the child
    ///         exec_child();
    ///     }
    ///     pid => wait_for(pid),
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// let pump = std::thread::spawn(move || copy_output(pipe)); // in the parent
    /// match unsafe { libc::fork() } {
    ///     0 => exec_child(),
    ///     pid => wait_for(pid),
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Threads started by other crates (thread pools, async runtimes) behind
    /// a function the checker cannot see are not reported.
    ///
    /// ## References
    /// - POSIX.1-2024 `fork` (XSH): the child has a single thread
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions (`pthread_create` is not listed)
    pub(crate) static THREAD = (Thread, "thread", Error, "thread creation or joining in a forked child");
}
