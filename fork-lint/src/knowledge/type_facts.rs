//! Type facts about std APIs that the receiver-type guesses use (not safety
//! verdicts): which methods return their receiver, so that in a builder
//! chain such as `OpenOptions::new().write(true).append(true).open(p)` each
//! call's receiver is known to be an `OpenOptions`, and `append` is not
//! taken for `Vec::append`.

/// `(type, methods)`: methods of `type` that return `Self`, `&Self` or
/// `&mut Self`.
pub static BUILDER_METHODS: &[(&str, &[&str])] = &[
    (
        "OpenOptions",
        &[
            "read",
            "write",
            "append",
            "truncate",
            "create",
            "create_new",
            "mode",
            "custom_flags",
        ],
    ),
    (
        "Command",
        &[
            "arg",
            "args",
            "env",
            "envs",
            "env_remove",
            "env_clear",
            "current_dir",
            "stdin",
            "stdout",
            "stderr",
            "uid",
            "gid",
            "groups",
            "process_group",
            "pre_exec",
            "before_exec",
            "arg0",
            "kill_on_drop",
        ],
    ),
    ("DirBuilder", &["recursive", "mode"]),
    ("Builder", &["name", "stack_size", "no_hooks"]),
];

/// Whether `method` called on a `ty` returns the receiver's type.
pub fn returns_receiver(ty: &str, method: &str) -> bool {
    BUILDER_METHODS
        .iter()
        .any(|(t, ms)| *t == ty && ms.contains(&method))
}

/// A value that `unwrap`/`expect` cannot find empty: the `panic` rule stays
/// silent on it. Calls are named by their last two path segments
/// (`Type::function`), as written or as resolved.
#[derive(Debug, Clone, Copy)]
pub enum Infallible {
    /// `producer().method()` always returns `Some`/`Ok`.
    Chain {
        producer: &'static str,
        method: &'static str,
    },
    /// `local.take()` where the local was bound once to `Some(..)` and is
    /// used nowhere else (`types::Env::taken_once`).
    TakeOfSomeUsedOnce,
    /// `constructor(literal)` is `Ok` when the string or byte-string literal
    /// holds no NUL byte.
    NulFreeLiteral { constructor: &'static str },
}

pub static INFALLIBLE: &[Infallible] = &[
    // `io::Error::last_os_error()` is built from `errno`: always an OS error
    // with a code.
    Infallible::Chain {
        producer: "Error::last_os_error",
        method: "raw_os_error",
    },
    Infallible::NulFreeLiteral {
        constructor: "CString::new",
    },
    Infallible::TakeOfSomeUsedOnce,
];

/// `(macro name, type)`: the type of a macro's value, by the macro's last
/// path segment (a type fact, not a verdict): `vec![..]` is a `Vec`,
/// `tracing::info_span!(..)` a `Span`.
pub static MACRO_TYPES: &[(&str, &str)] = &[
    ("vec", "Vec"),
    ("format", "String"),
    ("span", "Span"),
    ("error_span", "Span"),
    ("warn_span", "Span"),
    ("info_span", "Span"),
    ("debug_span", "Span"),
    ("trace_span", "Span"),
];

/// The type of the value of macro `name` (its last path segment).
pub fn macro_type(name: &str) -> Option<&'static str> {
    MACRO_TYPES
        .iter()
        .find(|(m, _)| *m == name)
        .map(|(_, t)| *t)
}

/// `(trait, provided method, required methods)`: std traits whose provided
/// method calls the implementor's own methods, so that
/// `stream.read_exact(..)` on a crate type with `impl Read for Stream`
/// runs the crate's `read` (and `write_all` its `write`).
pub static PROVIDED_METHODS: &[(&str, &str, &[&str])] = &[
    ("Read", "read_exact", &["read"]),
    ("Read", "read_to_end", &["read"]),
    ("Read", "read_to_string", &["read"]),
    ("Read", "read_vectored", &["read"]),
    ("Write", "write_all", &["write"]),
    ("Write", "write_fmt", &["write"]),
    ("Write", "write_vectored", &["write"]),
    ("Iterator", "for_each", &["next"]),
    ("Iterator", "collect", &["next"]),
    ("Iterator", "count", &["next"]),
    ("Iterator", "last", &["next"]),
    ("Iterator", "nth", &["next"]),
    ("Iterator", "find", &["next"]),
    ("Iterator", "any", &["next"]),
    ("Iterator", "all", &["next"]),
    ("Iterator", "fold", &["next"]),
    ("Iterator", "position", &["next"]),
];

/// The required methods that `name` runs on a type implementing the std
/// traits `traits` (last path segments).
pub fn provided_calls<'a>(
    traits: &'a [String],
    name: &'a str,
) -> impl Iterator<Item = &'static str> + 'a {
    PROVIDED_METHODS
        .iter()
        .filter(move |(tr, m, _)| *m == name && traits.iter().any(|t| t == tr))
        .flat_map(|(_, _, req)| req.iter().copied())
}
