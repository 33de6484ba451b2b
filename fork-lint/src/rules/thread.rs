declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static THREAD = (Thread, "thread", Error, "todo");
}
