declare_rule! {
    /// ## What it does
    /// TODO
    pub(crate) static ALLOCATING_WRAPPER = (AllocatingWrapper, "allocating-wrapper", Error, "todo");
}
