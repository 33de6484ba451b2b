mod broken;

fn main() {
    if unsafe { libc::fork() } == 0 {
        let v = vec![1, 2, 3];
        unsafe { libc::_exit(v.len() as i32) };
    }
}
