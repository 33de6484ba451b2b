declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static PANIC = (Panic, "panic", Error, "todo");
}
