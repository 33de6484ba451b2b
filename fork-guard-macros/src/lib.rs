//! Compile-time fork-safety checks. Use them through the `fork-guard` crate,
//! which re-exports them: `#[fork_guard::child]`,
//! `fork_guard::child_closure!` and `#[fork_guard::checked]`.
//!
//! Each entry point runs the fork-lint engine (`fork_lint::embedded`, the same
//! analysis and knowledge table as the `fork-lint` command) on the annotated
//! code, turns every hazard into a compile error at the offending expression,
//! and (for `child` and `child_closure!`) arms fork-guard's runtime guard
//! around the code.
//!
//! # Entry points
//!
//! - `#[fork_guard::child]` on a function: the function runs in a forked
//!   child. Its body is checked; calling it puts the calling thread in
//!   fork-guard's child-restricted mode (allocations through `GuardAlloc` and tracked lock
//!   acquisitions abort with a diagnostic, whatever the thread count), unless
//!   fork-guard's runtime guard is compiled out (release builds without the
//!   `release` feature): then only the compile-time check remains.
//! - `fork_guard::child_closure!(|| { ... })` (or `move ||`): the same for a
//!   closure; the result is the closure itself, ready for
//!   `CommandExt::pre_exec`. (It is not spelled `child!`: Rust keeps
//!   attribute and function-like macros in one namespace, so `child` cannot
//!   be both.) On nightly, `#[fork_guard::child]` also applies to a closure
//!   expression under `#![feature(stmt_expr_attributes, proc_macro_hygiene)]`.
//! - `#[fork_guard::checked]` on a function that forks or calls `pre_exec`:
//!   checks every child region inside it, as the lint does. No runtime
//!   prologue (the function itself runs in the parent).
//! - `#[fork_guard::allow(rule, .., reason = "...")]` on a statement or an
//!   expression inside one of the above, or `allow(..)` as an argument of
//!   the attribute (`#[fork_guard::child(allow(alloc, reason = "..."))]`) for
//!   the whole function: accepts a reviewed hazard. Rule ids are fork-lint's
//!   (`alloc`, `libc-unsafe` or `libc_unsafe`, ...); the reason is optional,
//!   as in fork-lint's `// fork-lint: allow(..) reason="..."` comments.
//!   The `fork-lint` command reads these attributes with the same grammar
//!   (`fork_lint::syntax`), so the two agree on what is allowed.
//!   `#[fork_guard::allow]` is an inert marker that the entry points remove
//!   before the compiler sees it; it is not a macro of its own, because an
//!   attribute macro named `allow` in a crate root makes every `#[allow(..)]`
//!   in that module ambiguous with rustc's lint attribute. Outside an entry
//!   point the compiler reports it as an unresolved attribute.
//!
//! # What is an error
//!
//! Every finding of the engine at level warning or error becomes a compile
//! error: definite hazards, and also "may panic" and name-only matches
//! (`.lock()` on a receiver whose type is not known), which the lint reports
//! as warnings. Marking code as child code is an explicit claim, so a
//! possible hazard needs an explicit, reviewed `allow`. Rustc-style notes
//! are folded into the message: the call chain (`child calls label() ->
//! String::from`), the fix, and the `allow` that would accept the line. An
//! `allow` that suppresses nothing is a warning (stable proc macros cannot
//! emit warnings, so it is a use of a deprecated item whose note is the
//! message).
//!
//! # Calls the macro cannot see into
//!
//! A proc macro sees only the item it is applied to. The rule:
//!
//! 1. Calls the knowledge table knows (libc's async-signal-safe functions,
//!    `std`, `nix`, `rustix` APIs) are judged by the table: safe ones are
//!    accepted, hazards are errors. A function of a crate the table covers
//!    but does not list is judged by that crate's fallback (for libc, the
//!    POSIX list; for std, accepted: the table lists std's hazards).
//! 2. A path call to any other function (`helper()`, `util::helper()`,
//!    `some_crate::f()`) must name a function marked `#[fork_guard::child]`
//!    (which is checked where it is defined), or the call is a compile error
//!    at the call: "`helper` is not marked `#[fork_guard::child]`". The
//!    attribute emits a hidden marker `type helper = ChildMarker;` in the
//!    type namespace next to the function, so the mark travels with the
//!    function through `use` imports and module paths; the caller's expansion
//!    checks the callee path against it in type position. A reviewed call is
//!    accepted with `#[fork_guard::allow(unknown-call, reason = "...")]`.
//! 3. Method calls (`x.f()`), associated functions (`Type::f()`,
//!    `Self::f()`), calls through variables and parameters (closures,
//!    function pointers) and macros the table does not know are accepted:
//!    their code cannot be named from the call without type information.
//!    They are covered by the runtime guard, which is armed for the whole
//!    child region.
//!
//! Why: accepting every unseen call would make the compile-time check
//! silently shallow: the typical hazard is one call away (`setup_logging()`
//! calls `println!`). Requiring the mark makes a child region's call graph
//! checked end to end within the crate at no run-time cost, keeps the error
//! at the caller, where the author decides, and the marker needs no registry
//! or build script. Methods fall back to the runtime guard because an
//! `impl` block cannot hold the marker (inherent associated types are
//! unstable) and a method call cannot be resolved syntactically.
//!
//! # Known problems
//!
//! - A function in an `impl` block that has no `self` receiver and does not
//!   mention `Self` is taken for a free function, and its marker does not
//!   compile there ("inherent associated types are unstable"). Mention
//!   `Self` (e.g. call it as `Self::f`) or move it out of the `impl`.
//! - The marker check looks callees up from the enclosing module (through
//!   `use` declarations inside the marked body, which it follows). A callee
//!   defined in an enclosing function's body (a block, not a module) is not
//!   found there, and the check reports an unresolved import at the call.
//!   Functions defined inside the marked item itself are followed by the
//!   engine and need no mark.
//! - Analysis is syntactic: see fork-lint's rule documentation.
//! - Generated code names `::fork_guard::__private`, so the crate using the
//!   macros must depend on `fork-guard` under its own name (as with
//!   thiserror and serde).

mod analyze;
mod expand;
mod parse;
mod validate;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;

use crate::analyze::Target;
use crate::parse::Entry;
use crate::validate::Errors;

/// Marks a function (or, on nightly, a closure) as code that runs in a forked
/// child before `exec`/`_exit`: its body is checked at compile time with the
/// fork-lint engine, and calling it arms fork-guard's runtime guard.
///
/// ```ignore
/// #[fork_guard::child]
/// fn redirect_stdin(fd: libc::c_int) {
///     // SAFETY: `fd` is an open descriptor owned by the caller; dup2 and
///     // _exit are async-signal-safe.
///     unsafe {
///         if libc::dup2(fd, 0) == -1 {
///             libc::_exit(127);
///         }
///     }
/// }
/// ```
///
/// Arguments: `allow(rule, .., reason = "...")`, any number of times.
/// See the crate documentation for the rule on calls the macro cannot see.
#[proc_macro_attribute]
pub fn child(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item2 = TokenStream2::from(item);
    if let Ok(syn::Expr::Closure(closure)) = syn::parse2::<syn::Expr>(item2.clone()) {
        return closure_entry(attr.into(), closure).into();
    }
    fn_entry(attr.into(), item2, Entry::ChildFn).into()
}

/// Checks every child region (fork sites' child branches, `pre_exec`
/// closures) inside a function, as `fork-lint` does.
///
/// ```ignore
/// #[fork_guard::checked]
/// fn spawn() -> std::io::Result<()> {
///     match unsafe { libc::fork() } {
///         0 => unsafe { libc::_exit(0) },
///         -1 => Err(std::io::Error::last_os_error()),
///         _ => Ok(()),
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn checked(attr: TokenStream, item: TokenStream) -> TokenStream {
    fn_entry(attr.into(), item.into(), Entry::Checked).into()
}

/// `#[fork_guard::child]` for a closure, on stable Rust: checks the closure
/// body and arms the runtime guard when the closure runs. Yields the closure.
///
/// ```ignore
/// use std::os::unix::process::CommandExt;
/// let mut cmd = std::process::Command::new("true");
/// // SAFETY: the closure is checked by child_closure! to be async-signal-safe.
/// unsafe {
///     cmd.pre_exec(fork_guard::child_closure!(|| {
///         libc::setsid();
///         Ok(())
///     }));
/// }
/// ```
#[proc_macro]
pub fn child_closure(input: TokenStream) -> TokenStream {
    let input = TokenStream2::from(input);
    match parse::parse_closure(input) {
        Ok(parsed) => closure_checked(parsed).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn fn_entry(attr: TokenStream2, item: TokenStream2, entry: Entry) -> TokenStream2 {
    let mut errors = Errors::default();
    let args = match parse::parse_args(attr) {
        Ok(args) => args,
        Err(e) => {
            errors.push(e);
            parse::Args::default()
        }
    };
    let input = match parse::parse_fn(item) {
        Ok(input) => input,
        Err(not_fn) => {
            let message = match entry {
                Entry::Checked => format!(
                    "#[fork_guard::checked] applies to a function with a body, not {}",
                    not_fn.what
                ),
                _ => format!(
                    "#[fork_guard::child] applies to a function with a body (or, on nightly, a closure), not {}; \
                     for a closure on stable Rust use fork_guard::child_closure!(|| ..)",
                    not_fn.what
                ),
            };
            errors.spanned(first_tokens(&not_fn.tokens), message);
            let mut out = errors.to_compile_errors();
            out.extend(not_fn.tokens);
            return out;
        }
    };
    let parse::FnInput {
        item,
        allows: statement_allows,
        errors: statement_errors,
    } = input;
    errors.extend(statement_errors);
    let mut allows = args.allows;
    allows.extend(statement_allows);
    let suppressions = validate::allows(&allows, &mut errors);
    validate::function(&item, entry, &mut errors);
    if !errors.is_empty() {
        // One real error, not a cascade: the function, unchanged but for the
        // removed `#[fork_guard::allow]`s, next to the errors.
        let mut out = errors.to_compile_errors();
        out.extend(quote!(#item));
        return out;
    }
    let target = match entry {
        Entry::Checked => Target::CheckedFn(&item),
        _ => Target::ChildFn(&item),
    };
    let outcome = analyze::run(target, &suppressions);
    let checks = expand::callee_checks(&outcome.unseen);
    match entry {
        Entry::Checked => expand::checked_fn(item, checks, outcome.diagnostics),
        _ => expand::child_fn(item, checks, outcome.diagnostics),
    }
}

/// The nightly form: `#[fork_guard::child] || ..`.
fn closure_entry(attr: TokenStream2, mut closure: syn::ExprClosure) -> TokenStream2 {
    let mut errors = Errors::default();
    let args = match parse::parse_args(attr) {
        Ok(args) => args,
        Err(e) => {
            errors.push(e);
            parse::Args::default()
        }
    };
    match parse::closure_input(&mut closure, args.allows) {
        Ok((allows, errs)) => {
            errors.extend(errs);
            closure_with(
                parse::ClosureInput {
                    closure,
                    allows,
                    errors: Vec::new(),
                },
                errors,
            )
        }
        Err(e) => e.to_compile_error(),
    }
}

fn closure_checked(parsed: parse::ClosureInput) -> TokenStream2 {
    closure_with(parsed, Errors::default())
}

fn closure_with(parsed: parse::ClosureInput, mut errors: Errors) -> TokenStream2 {
    errors.extend(parsed.errors);
    let suppressions = validate::allows(&parsed.allows, &mut errors);
    validate::closure(&parsed.closure, &mut errors);
    if !errors.is_empty() {
        let closure = &parsed.closure;
        let errors = errors.to_compile_errors();
        return quote!({ #errors #closure });
    }
    let outcome = analyze::run(Target::Closure(&parsed.closure), &suppressions);
    let checks = expand::callee_checks(&outcome.unseen);
    expand::child_closure(parsed.closure, checks, outcome.diagnostics)
}

/// The first few tokens of an item (its attributes and keyword), for an
/// error span that does not cover a whole body.
fn first_tokens(tokens: &TokenStream2) -> TokenStream2 {
    let mut out = TokenStream2::new();
    for tt in tokens.clone() {
        let is_body = matches!(&tt, proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace);
        if is_body {
            break;
        }
        out.extend([tt]);
    }
    if out.is_empty() { tokens.clone() } else { out }
}
