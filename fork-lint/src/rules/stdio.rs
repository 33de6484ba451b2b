declare_rule! {
    /// ## What it does
    /// Reports buffered standard I/O in code that runs in a forked child:
    /// `print!`, `println!`, `eprint!`, `eprintln!`, `dbg!`,
    /// `io::stdout()`/`stderr()`/`stdin()` and their `lock`, `write*`,
    /// `flush` and `read*` methods, and C stdio (`printf`, `puts`, `fputs`,
    /// `fwrite`, `fflush`, `perror`, `fopen`, ...).
    ///
    /// ## Why is this bad?
    /// std's stdout is a heap-allocated line buffer behind a reentrant lock,
    /// and C's `FILE` streams have their own locks and buffers. If another
    /// thread was printing when the parent forked, the child blocks forever
    /// on the stream lock; if not, it may still allocate, and text still in
    /// the inherited buffer can be printed twice. None of the stdio functions
    /// is async-signal-safe.
    ///
    /// ## Example
    /// ```rust,ignore
    /// unsafe {
    ///     cmd.pre_exec(|| {
    ///         eprintln!("child: dropping privileges"); // stderr lock
    ///         drop_privileges()
    ///     });
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// unsafe {
    ///     cmd.pre_exec(|| {
    ///         const MSG: &[u8] = b"child: dropping privileges\n";
    ///         libc::write(2, MSG.as_ptr().cast(), MSG.len()); // one system call
    ///         drop_privileges()
    ///     });
    /// }
    /// ```
    ///
    /// ## Known problems
    /// Output through a `Box<dyn Write>` or a logging facade (`log`,
    /// `tracing`) that ends in stdout is not seen as stdio; such calls are
    /// `unknown-call` at most.
    ///
    /// ## References
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions (`write` is listed, stdio functions are not)
    /// - signal-safety(7), on why stdio is unsafe
    /// - `std::io::Stdout` documentation, on its buffering and lock
    pub(crate) static STDIO = (Stdio, "stdio", Error, "buffered standard i/o in a forked child");
}
