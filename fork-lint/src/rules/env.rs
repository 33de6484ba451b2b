declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static ENV = (Env, "env", Error, "todo");
}
