//! Which types own heap memory, as data: dropping a value of one of them
//! frees it, and `free` takes malloc's arena lock just as `malloc` does, so
//! in a forked child a drop is an `alloc` hazard (see `crate::frees`, which
//! finds the drops that are not written as calls).
//!
//! Facts checked against std 1.9x: `String`, `Vec`, `Box`, `CString`,
//! `OsString`, `PathBuf` and the collections own a heap buffer (an empty
//! `Vec`/`String` owns none; dropping it frees nothing, which we do not try
//! to tell apart); `BufReader`/`BufWriter`/`LineWriter` own a boxed buffer;
//! `Command` owns its program, arguments and environment as `CString`s;
//! `io::Error` holds a `Box` only when it is a custom error
//! (`io::Error::new`/`other`/`From<String>`): the errors std makes itself
//! carry an OS error code or a static message; `Rc`/`Arc` free their shared
//! allocation only when the last reference goes; `Cow` owns its value only
//! when it is `Cow::Owned`. `ManuallyDrop`, `PhantomData` and `MaybeUninit`
//! never drop what they hold.

/// How surely dropping a value frees heap memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Heap {
    /// Only in some states (a shared pointer that may not be the last, a
    /// custom `io::Error`, an enum variant that holds the heap value):
    /// reported at warning level, with the reason.
    Possible,
    /// Whenever the value holds memory (reported as an error).
    Certain,
}

/// A type that owns heap memory.
#[derive(Debug, Clone, Copy)]
pub struct OwningType {
    /// Canonical path (`std::string::String`); third-party types by their
    /// crate's path (`anyhow::Error`).
    pub path: &'static str,
    pub heap: Heap,
    /// What a value owns, completing "a `T` ..." ("owns a heap buffer").
    pub owns: &'static str,
    /// The name is too common to be taken for this type unqualified
    /// (`Error`, `Output`): it must be written or imported with its module.
    pub qualified_only: bool,
    /// `T::new()` and `T::default()` make an empty value, which owns
    /// nothing until it grows.
    pub empty_new: bool,
    /// The values std (or the owning crate) makes itself own nothing: only
    /// a value made by the checked code or code fork-lint cannot see (a
    /// closure, a function pointer) can free memory.
    pub std_values_own_nothing: bool,
}

const fn certain(path: &'static str, owns: &'static str) -> OwningType {
    OwningType {
        path,
        heap: Heap::Certain,
        owns,
        qualified_only: false,
        empty_new: false,
        std_values_own_nothing: false,
    }
}

/// A growable type: `new()`/`default()` allocate nothing.
const fn growable(path: &'static str, owns: &'static str) -> OwningType {
    OwningType {
        empty_new: true,
        ..certain(path, owns)
    }
}

const fn possible(path: &'static str, owns: &'static str) -> OwningType {
    OwningType {
        path,
        heap: Heap::Possible,
        owns,
        qualified_only: false,
        empty_new: false,
        std_values_own_nothing: false,
    }
}

/// Types whose values own heap memory.
pub static OWNING_TYPES: &[OwningType] = &[
    growable("std::string::String", "owns a heap buffer"),
    growable("std::vec::Vec", "owns a heap buffer"),
    certain("std::boxed::Box", "owns a heap allocation"),
    certain("std::ffi::CString", "owns a heap buffer"),
    growable("std::ffi::OsString", "owns a heap buffer"),
    growable("std::path::PathBuf", "owns a heap buffer"),
    growable("std::collections::HashMap", "owns a heap table"),
    growable("std::collections::HashSet", "owns a heap table"),
    growable("std::collections::BTreeMap", "owns heap nodes"),
    growable("std::collections::BTreeSet", "owns heap nodes"),
    growable("std::collections::VecDeque", "owns a heap buffer"),
    growable("std::collections::BinaryHeap", "owns a heap buffer"),
    growable("std::collections::LinkedList", "owns heap nodes"),
    certain("std::io::BufReader", "owns a boxed buffer"),
    certain("std::io::BufWriter", "owns a heap buffer"),
    certain("std::io::LineWriter", "owns a heap buffer"),
    certain(
        "std::process::Command",
        "owns its program, arguments and environment on the heap",
    ),
    OwningType {
        qualified_only: true,
        ..certain(
            "std::process::Output",
            "owns the captured output in heap buffers",
        )
    },
    possible(
        "std::rc::Rc",
        "owns a shared allocation, freed when this is the last reference",
    ),
    possible(
        "std::sync::Arc",
        "owns a shared allocation, freed when this is the last reference",
    ),
    possible(
        "std::borrow::Cow",
        "owns a heap value when it is `Cow::Owned`",
    ),
    OwningType {
        qualified_only: true,
        std_values_own_nothing: true,
        ..possible(
            "std::io::Error",
            "holds a `Box` when it is a custom error (`io::Error::new`, `io::Error::other`); one from the OS holds none",
        )
    },
    certain("anyhow::Error", "owns a boxed error"),
    certain("eyre::Report", "owns a boxed error"),
];

/// Generic types that own the values of their type arguments (so they own
/// heap memory when those do), whatever crate they come from.
pub static CONTAINERS: &[&str] = &[
    "Option",
    "Result",
    "Cell",
    "RefCell",
    "UnsafeCell",
    "OnceCell",
    "OnceLock",
    "Mutex",
    "RwLock",
    "Pin",
    "Reverse",
    "Wrapping",
];

/// Types that never drop what they hold.
pub static NEVER_DROPPED: &[&str] = &["ManuallyDrop", "PhantomData", "MaybeUninit"];

/// `Result` aliases with a fixed error type: (module of the alias, the
/// error type's canonical path). `io::Result<T>` is `Result<T, io::Error>`.
pub static RESULT_ALIASES: &[(&str, &str)] = &[("io", "std::io::Error")];

/// Functions that take ownership of memory that already exists and return
/// its owner, without allocating (function path, the owner's type): the
/// value they return frees that memory when it is dropped.
pub static OWNING_RETURNS: &[(&str, &str)] = &[
    ("std::boxed::Box::from_raw", "std::boxed::Box"),
    ("std::ffi::CString::from_raw", "std::ffi::CString"),
    ("std::string::String::from_raw_parts", "std::string::String"),
    ("std::vec::Vec::from_raw_parts", "std::vec::Vec"),
    ("std::rc::Rc::from_raw", "std::rc::Rc"),
    ("std::sync::Arc::from_raw", "std::sync::Arc"),
];

/// Associated functions of std's owning types that return a value of that
/// type (`String::from`, `Vec::with_capacity`): a type fact for values made
/// before fork and dropped after it. (`Box::into_raw`, `Box::leak` are not
/// here: they return a pointer that owns nothing; nor is
/// `String::from_utf8_lossy`, whose `Cow` borrows valid input.)
pub static CONSTRUCTORS: &[&str] = &[
    "new",
    "with_capacity",
    "from",
    "from_utf8",
    "from_utf16",
    "from_vec",
    "from_vec_unchecked",
    "from_iter",
    "default",
];

/// The associated functions that make an empty value of a growable type
/// (see [`OwningType::empty_new`]).
pub static EMPTY_CONSTRUCTORS: &[&str] = &["new", "default"];

/// Where a value moved out of a place comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovedOut {
    /// A value of the place's own type (`Option::take` returns the
    /// `Option`).
    Same,
    /// The place's first type argument (`Cell<T>::take` returns the `T`).
    Inner,
}

/// Methods that move the value out of their receiver and leave something
/// else there: (method, receiver type, what they return). The returned
/// value is dropped where it is discarded.
pub static MOVES_OUT_METHODS: &[(&str, &str, MovedOut)] = &[
    ("take", "Option", MovedOut::Same),
    ("replace", "Option", MovedOut::Same),
    ("take", "Cell", MovedOut::Inner),
    ("replace", "Cell", MovedOut::Inner),
    ("take", "RefCell", MovedOut::Inner),
    ("replace", "RefCell", MovedOut::Inner),
];

/// Functions that move the value out of the place their first argument
/// points at (`std::mem::take(&mut x)` returns what `x` held).
pub static MOVES_OUT_FNS: &[&str] = &["std::mem::take", "std::mem::replace"];

/// Functions that build a custom `io::Error`, which holds a `Box` (the
/// errors std makes itself hold none).
pub static CUSTOM_ERROR_MAKERS: &[&str] = &["std::io::Error::new", "std::io::Error::other"];

/// Methods that take their receiver by value, by name convention (`into_`)
/// or because std's `Option`/`Result` combinators and iterators do. A
/// binding used as such a receiver is moved, not dropped where it goes out
/// of scope.
pub static CONSUMING_METHOD_PREFIXES: &[&str] = &["into_", "unwrap", "expect"];
pub static CONSUMING_METHODS: &[&str] = &[
    "ok",
    "err",
    "map",
    "map_err",
    "map_or",
    "map_or_else",
    "and_then",
    "or_else",
    "and",
    "or",
    "leak",
    "join",
    "collect",
    "for_each",
    "fold",
    "zip",
    "chain",
];

/// Methods on a collection that iterate it by value: `for x in v.into_iter()`
/// consumes `v` as `for x in v` does.
pub static CONSUMING_ITERATION: &[&str] = &["into_iter", "into_values", "into_keys"];

/// The owning type a path names, if any. `path` is a type's path as
/// resolved: canonical for std and imported types (`std::ffi::CString`),
/// as written otherwise (`String`, `io::Error`, `CString`).
///
/// A path into std (or `core`/`alloc`) matches an entry by its last
/// segment (std re-exports types under several paths); an unqualified name
/// matches unless the entry is `qualified_only`; `module::Name` matches an
/// entry whose path ends so (`io::Error`); a path into another crate
/// matches only that crate's own entries.
pub fn owning_type(path: &str) -> Option<&'static OwningType> {
    let segs: Vec<&str> = path.trim_start_matches("::").split("::").collect();
    let last = *segs.last()?;
    let root = segs.first().copied().unwrap_or("");
    OWNING_TYPES.iter().find(|e| {
        let esegs: Vec<&str> = e.path.split("::").collect();
        if esegs.last() != Some(&last) {
            return false;
        }
        if e.path == path.trim_start_matches("::") {
            return true;
        }
        match segs.len() {
            1 => !e.qualified_only && e.path.starts_with("std::"),
            n => {
                let std_root = matches!(root, "std" | "core" | "alloc");
                let module = segs.get(n - 2).copied();
                let emodule = esegs
                    .len()
                    .checked_sub(2)
                    .and_then(|i| esegs.get(i))
                    .copied();
                e.path.starts_with("std::") && (std_root || (n == 2 && module == emodule))
            }
        }
    })
}

/// The last segment of a path.
pub fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Whether a type (by path) owns the values of its type arguments.
pub fn is_container(path: &str) -> bool {
    CONTAINERS.contains(&last_segment(path))
}

/// Whether a type (by path) never drops what it holds.
pub fn is_never_dropped(path: &str) -> bool {
    NEVER_DROPPED.contains(&last_segment(path))
}

/// The error type of a `Result` alias (`io::Result`, `std::io::Result`).
pub fn result_alias_error(path: &str) -> Option<&'static str> {
    let segs: Vec<&str> = path.trim_start_matches("::").split("::").collect();
    let (&last, rest) = segs.split_last()?;
    if last != "Result" {
        return None;
    }
    let module = rest.last()?;
    RESULT_ALIASES
        .iter()
        .find(|(m, _)| m == module)
        .map(|(_, err)| *err)
}

/// Whether a method takes its receiver by value (see
/// [`CONSUMING_METHODS`]).
pub fn is_consuming_method(name: &str) -> bool {
    CONSUMING_METHODS.contains(&name)
        || CONSUMING_METHOD_PREFIXES
            .iter()
            .any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owning_types_by_path() {
        let hit = |p: &str| owning_type(p).map(|e| e.path);
        assert_eq!(hit("String"), Some("std::string::String"));
        assert_eq!(hit("std::vec::Vec"), Some("std::vec::Vec"));
        assert_eq!(
            hit("std::collections::hash_map::HashMap"),
            Some("std::collections::HashMap")
        );
        assert_eq!(hit("io::Error"), Some("std::io::Error"));
        assert_eq!(hit("std::io::Error"), Some("std::io::Error"));
        assert_eq!(hit("alloc::string::String"), Some("std::string::String"));
        assert_eq!(hit("anyhow::Error"), Some("anyhow::Error"));
        // An unqualified `Error` is anybody's.
        assert_eq!(hit("Error"), None);
        // Another crate's `String` is not std's.
        assert_eq!(hit("heapless::String"), None);
        assert_eq!(hit("nix::Error"), None);
        assert_eq!(hit("OwnedFd"), None);
    }

    #[test]
    fn aliases_and_wrappers() {
        assert_eq!(result_alias_error("io::Result"), Some("std::io::Error"));
        assert_eq!(
            result_alias_error("std::io::Result"),
            Some("std::io::Error")
        );
        assert_eq!(result_alias_error("Result"), None);
        assert_eq!(result_alias_error("fmt::Result"), None);
        assert!(is_container("std::option::Option"));
        assert!(is_never_dropped("std::mem::ManuallyDrop"));
        assert!(is_consuming_method("into_iter"));
        assert!(is_consuming_method("unwrap_or_default"));
        assert!(!is_consuming_method("len"));
        assert!(!is_consuming_method("raw_os_error"));
    }
}
