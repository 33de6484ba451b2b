declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static STDIO = (Stdio, "stdio", Error, "todo");
}
