//! How closures and functions travel to a child as raw pointers and
//! integers, as data.
//!
//! The flow analysis (`crate::flow::pointers`) reads these tables to follow
//! a closure boxed into a raw pointer and handed to a `clone` trampoline
//! (`Box::into_raw(Box::new(f)) as *mut c_void`, cast back with
//! `Box::from_raw(arg as *mut F)` in the trampoline), and a function whose
//! address is sent as an integer (`f as usize`) and turned back into a
//! function pointer by `transmute` in the child.

/// A function that runs a callback in a child and hands it a data pointer:
/// the callback (the knowledge table's `RunsInChild { arg }`) receives the
/// argument at `data` as its first parameter.
#[derive(Debug, Clone, Copy)]
pub struct CallbackData {
    /// Canonical path, as in the knowledge tables.
    pub path: &'static str,
    /// 0-based index of the data argument.
    pub data: usize,
}

/// `clone(cb, stack, flags, arg, ..)`: `cb(arg)` runs in the child.
pub static CALLBACK_DATA: &[CallbackData] = &[CallbackData {
    path: "libc::clone",
    data: 3,
}];

/// The data argument of a callback function of [`CALLBACK_DATA`].
pub fn callback_data(path: &str) -> Option<usize> {
    CALLBACK_DATA
        .iter()
        .find(|c| c.path == path)
        .map(|c| c.data)
}

/// Calls that wrap a value on its way to a raw pointer (by their last two
/// path segments): `Box::into_raw(Box::new(f))` carries `f`.
pub static INTO_RAW: &[&str] = &[
    "Box::new",
    "Box::into_raw",
    "Box::leak",
    "Box::pin",
    "Arc::new",
    "Arc::into_raw",
    "Rc::new",
    "Rc::into_raw",
    "NonNull::from",
    "ptr::from_mut",
    "ptr::from_ref",
];

/// Calls that read a value back from a raw pointer (by their last two path
/// segments): `Box::from_raw(arg as *mut F)` is the closure `arg` points
/// to.
pub static FROM_RAW: &[&str] = &[
    "Box::from_raw",
    "Arc::from_raw",
    "Rc::from_raw",
    "ptr::read",
    "ptr::read_unaligned",
    "NonNull::new_unchecked",
];

/// Methods on a raw pointer that keep pointing at the same value
/// (`arg.cast::<F>()`, `p.as_mut()`).
pub static POINTER_METHODS: &[&str] = &[
    "cast",
    "cast_mut",
    "cast_const",
    "as_mut",
    "as_ref",
    "as_ptr",
    "read",
    "read_unaligned",
    "unwrap",
];

/// Functions that reinterpret bits: into a function pointer type, the
/// result is a function whose address the program chose at run time.
pub static TRANSMUTES: &[&str] = &["mem::transmute", "mem::transmute_copy"];

/// The types a function's address is cast to when it is stored or sent as a
/// number or an untyped pointer (`f as usize`, `f as *const ()`). Casts to
/// a typedef such as `libc::sighandler_t` (signal handlers) are not listed.
pub static ADDRESS_TYPES: &[&str] = &[
    "usize",
    "isize",
    "u64",
    "i64",
    "*const ()",
    "*mut ()",
    "*const c_void",
    "*mut c_void",
    "*const u8",
    "*mut u8",
];

/// Whether a path (written or resolved) names an item of `table` by its
/// last two segments (`Box::from_raw`, `std::mem::transmute`).
pub fn names(table: &[&str], segs: &[String]) -> bool {
    let [.., a, b] = segs else { return false };
    table.iter().any(|row| {
        row.split_once("::")
            .is_some_and(|(x, y)| x == a.as_str() && y == b.as_str())
    })
}

/// Whether `name` is the last segment of an item of `table`.
pub fn ends_one(table: &[&str], name: &str) -> bool {
    table
        .iter()
        .any(|row| row.rsplit("::").next() == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<String> {
        p.split("::").map(str::to_string).collect()
    }

    #[test]
    fn names_match_the_last_two_segments() {
        assert!(names(FROM_RAW, &segs("Box::from_raw")));
        assert!(names(FROM_RAW, &segs("std::ptr::read")));
        assert!(names(TRANSMUTES, &segs("std::mem::transmute")));
        assert!(names(TRANSMUTES, &segs("core::mem::transmute")));
        assert!(!names(TRANSMUTES, &segs("transmute")));
        assert!(!names(FROM_RAW, &segs("Vec::from_raw_parts")));
        assert!(ends_one(TRANSMUTES, "transmute"));
        assert_eq!(callback_data("libc::clone"), Some(3));
        assert_eq!(callback_data("nix::sched::clone"), None);
    }
}
