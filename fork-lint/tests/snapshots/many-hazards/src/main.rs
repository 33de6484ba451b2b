// One call in the child reaches many hazards: the human output shows the
// first few under that call and counts the rest.
fn report() {
    let a = format!("a");
    let b = format!("b");
    let c = format!("c");
    let d = format!("d");
    let e = format!("e");
    let f = format!("f");
    let g = format!("g");
    let h = vec![a, b, c, d, e, f, g];
}

fn main() {
    if unsafe { libc::fork() } == 0 {
        report();
        unsafe { libc::_exit(0) };
    }
}
