declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static FALLTHROUGH = (Fallthrough, "fallthrough", Error, "todo");
}
