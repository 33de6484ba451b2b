declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static UNKNOWN_CALL = (UnknownCall, "unknown-call", Error, "todo");
}
