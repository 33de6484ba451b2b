declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static LIBC_UNSAFE = (LibcUnsafe, "libc-unsafe", Error, "todo");
}
