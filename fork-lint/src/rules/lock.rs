declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static LOCK = (Lock, "lock", Error, "todo");
}
