declare_rule! {
    /// ## What it does
    /// Reports a `// fork-lint: allow(..)` comment that suppresses nothing:
    /// a listed rule with no finding on the lines the comment covers, an
    /// unknown rule id in `allow(..)` (the other ids still apply), or a
    /// malformed comment (which suppresses nothing at all).
    ///
    /// A comment after code covers its own line; a comment alone on its line
    /// covers the next statement (all of its lines). A finding is covered when
    /// its primary location or the hazard at the end of its call chain is on
    /// a covered line. A rule set to `allow` in the configuration is never
    /// reported as unused: nothing could be found to suppress.
    ///
    /// ## Why is this bad?
    /// Stale suppressions pile up and hide future hazards on the same line:
    /// once the code under a comment changes, a new hazard of the same rule
    /// would be silently accepted. A misspelt rule id suppresses nothing while
    /// looking as if it did.
    ///
    /// ## Example
    /// ```rust,ignore
    /// // fork-lint: allow(alloc) reason="preallocated"
    /// libc::_exit(0);
    ///
    /// let v = buf.to_vec(); // fork-lint: allow(aloc)
    /// ```
    ///
    /// Use instead: delete the stale comment, and spell the rule id as
    /// `fork-lint --list-rules` prints it:
    /// ```rust,ignore
    /// libc::_exit(0);
    ///
    /// let v = buf.to_vec(); // fork-lint: allow(alloc) reason="runs once, before any thread starts"
    /// ```
    ///
    /// ## Known problems
    /// The statement a comment covers is found lexically, without a parse:
    /// from the next line with code to the first line that ends in `;`, `}`
    /// or `,` at the statement's own bracket depth. A comment above a line
    /// that opens a block covers the whole block. Run with `--no-suppress`
    /// to see every finding regardless of comments.
    ///
    /// ## References
    /// - `fork-lint/CI.md`, section Suppressions
    pub(crate) static UNUSED_SUPPRESSION = (UnusedSuppression, "unused-suppression", Warning, "a suppression comment that suppresses nothing");
}
