declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static EXIT = (Exit, "exit", Error, "todo");
}
