// Methods get no marker (an impl block cannot hold one): calls to them are
// left to the runtime guard. Marked methods are still checked themselves.
struct Child {
    fd: libc::c_int,
}

impl Child {
    #[fork_guard::child]
    fn new(fd: libc::c_int) -> Self {
        Self { fd }
    }

    #[fork_guard::child]
    fn redirect(&self) -> libc::c_int {
        // SAFETY: dup2 is async-signal-safe; a bad descriptor makes it fail.
        unsafe { libc::dup2(self.fd, 1) }
    }

    #[fork_guard::child]
    fn run(&self) -> libc::c_int {
        let other = Self::new(self.fd);
        other.redirect()
    }
}

trait Step {
    fn step(&self) -> libc::c_int;
}

impl Step for Child {
    #[fork_guard::child]
    fn step(&self) -> libc::c_int {
        self.redirect()
    }
}

fn main() {
    let c = Child { fd: -1 };
    let _ = (Child::run, c.fd, Child::step);
}
