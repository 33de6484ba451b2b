pub fn respawn() {
    if unsafe { libc::fork() } == 0 {
        let status = ;
        unsafe { libc::_exit(status) };
    }
}
