// `fork` imported with `use`: the attribute cannot see the import, and
// takes the bare `fork()` call for a fork site all the same.
use libc::fork;

#[fork_guard::checked]
fn spawn() {
    // SAFETY: test of a bare fork call: the child prints.
    let pid = unsafe { fork() };
    if pid == 0 {
        println!("in the child");
        // SAFETY: ends the child.
        unsafe { libc::_exit(0) };
    }
}

fn main() {
    let _ = spawn;
}
