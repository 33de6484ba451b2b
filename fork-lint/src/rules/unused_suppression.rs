declare_rule! {
    /// ## What it does
    /// Reports a `// fork-lint: allow(..)` comment that suppresses nothing.
    ///
    /// ## Why is this bad?
    /// Stale suppressions pile up and hide future hazards on the same line.
    ///
    /// ## Example
    /// ```rust,ignore
    /// // fork-lint: allow(alloc) reason="preallocated"
    /// libc::_exit(0);
    /// ```
    ///
    /// Use instead: delete the comment.
    pub(crate) static UNUSED_SUPPRESSION = (UnusedSuppression, "unused-suppression", Warning, "a suppression comment that suppresses nothing");
}
