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
