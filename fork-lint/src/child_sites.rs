//! Syntax that opens a child, shared by `flow` (which follows it) and
//! `regions` (which reports on it): the fork-guard markers and raw
//! `syscall(SYS_fork..)` calls. Kept below both so neither reaches into
//! the other for it.

use syn::visit::Visit;

use crate::knowledge::ForkKind;
use crate::types::strip;

/// The marker attribute that declares a child function (or, on nightly, a
/// child closure).
pub(crate) const CHILD_MARKER: &[&str] = &["fork_guard::child"];
/// The marker macro that declares a child closure. (An attribute macro and a
/// function-like macro cannot share the name `child`.)
pub(crate) const CHILD_CLOSURE_MARKER: &[&str] = &["fork_guard::child_closure"];

/// **The one place that inspects raw system calls:** a call whose first
/// argument is the number `SYS_fork`, `SYS_vfork`, `SYS_clone` or
/// `SYS_clone3` (any path ending so, e.g. `libc::SYS_fork`) creates a child;
/// with `CLONE_VM` in the flags (or `SYS_vfork`) the child shares the
/// parent's memory like `vfork`.
pub(crate) fn syscall_fork_kind(c: &syn::ExprCall) -> Option<ForkKind> {
    let syn::Expr::Path(p) = strip(c.args.first()?) else {
        return None;
    };
    let last = p.path.segments.last()?.ident.to_string();
    match last.as_str() {
        "SYS_fork" => Some(ForkKind::Fork),
        "SYS_vfork" => Some(ForkKind::Vfork),
        "SYS_clone" | "SYS_clone3" => {
            if c.args.iter().skip(1).any(mentions_clone_vm) {
                Some(ForkKind::Vfork)
            } else {
                Some(ForkKind::Fork)
            }
        }
        _ => None,
    }
}

/// Whether a flags expression names `CLONE_VM` (see [`syscall_fork_kind`]).
pub(crate) fn mentions_clone_vm(e: &syn::Expr) -> bool {
    struct V(bool);
    impl<'a> Visit<'a> for V {
        fn visit_path(&mut self, p: &'a syn::Path) {
            if p.segments.last().is_some_and(|s| s.ident == "CLONE_VM") {
                self.0 = true;
            }
        }
    }
    let mut v = V(false);
    v.visit_expr(e);
    v.0
}
