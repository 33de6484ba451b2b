declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static VFORK = (Vfork, "vfork", Error, "todo");
}
