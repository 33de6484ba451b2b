declare_rule! {
    /// ## What it does
    /// Reports a fork site whose child branch can complete without calling
    /// an `exec` function, `_exit` or `abort` (or diverging in another way
    /// the checker can see). The finding is reported at the `fork` call, with
    /// a note at the end of the child branch where control falls out.
    ///
    /// ## Why is this bad?
    /// A child that leaves its branch goes on running the parent's code: the
    /// rest of the function, the caller's code, and at the end every
    /// destructor and `atexit` handler. It may write the parent's output a
    /// second time, answer the parent's clients, or deadlock on a lock held
    /// by a thread that does not exist in the child. A failed `execv` is the
    /// common cause: exec returns on failure, and the child must `_exit`.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let pid = unsafe { libc::fork() };
    /// if pid == 0 {
    ///     unsafe { libc::execv(prog.as_ptr(), argv.as_ptr()) };
    ///     // execv failed: the child falls through into the parent's code
    /// }
    /// serve_requests(); // now also runs in the child
    /// ```
    ///
    /// Use instead:
    /// ```rust,ignore
    /// let pid = unsafe { libc::fork() };
    /// if pid == 0 {
    ///     unsafe {
    ///         libc::execv(prog.as_ptr(), argv.as_ptr());
    ///         libc::_exit(127);
    ///     }
    /// }
    /// serve_requests();
    /// ```
    ///
    /// ## Known problems
    /// The check follows the syntax of the child branch: a call to a function
    /// that always exits but is not declared `-> !` (and is not in the
    /// knowledge table) is taken to return. Conversely, the child branch is
    /// recognised only in the usual shapes (`if pid == 0`, `match` on the
    /// result, `ForkResult::Child`, `Fork::Child`); other shapes are not
    /// checked.
    ///
    /// ## References
    /// - POSIX.1-2024 `fork` (XSH), on the state of the child process
    /// - POSIX.1-2024, XSH 2.4.3 Signal Actions
    /// - std `library/std/src/sys/process/unix/unix.rs`: the child reports exec failure and calls `_exit`
    pub(crate) static FALLTHROUGH = (Fallthrough, "fallthrough", Error, "a forked child that can return into the parent's code");
}

/// Where the child leaves without exec or `_exit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Through `?`.
    Question,
    /// Through `return`.
    Return,
    /// Off the end of the branch it ran in.
    End,
}

/// The finding's message for a child that leaves at `exit`.
pub(crate) fn message(exit: Exit) -> String {
    let how = match exit {
        Exit::Question => "leaves the function here through `?`",
        Exit::Return => "returns from the function here",
        Exit::End => "reaches the end of its branch here",
    };
    format!(
        "the child {how} without exec or `_exit`, and the caller cannot tell it from the parent, so the child goes on to run the parent's code and destructors"
    )
}

/// The fix.
pub(crate) const HELP: &str = "end every path of the child with `libc::_exit(..)`, also after a failed exec (or return a value that tells the child apart, such as `ForkResult::Child`)";
