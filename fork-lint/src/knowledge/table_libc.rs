use super::ApiEntry;

pub(super) static ENTRIES: &[ApiEntry] = &[];
