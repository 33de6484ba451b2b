//! What the watcher reads about a child in `/proc/<pid>`, parsed from fixed
//! buffers (the watcher allocates nothing while it watches).

use std::io::Read;

/// Reads `/proc/<pid>/<file>` into `buf`; the byte count or the OS error.
pub(super) fn read(pid: i32, file: &str, buf: &mut [u8]) -> Result<usize, i32> {
    let mut path = [0u8; 64];
    let len = proc_path(pid, file, &mut path);
    let path = std::str::from_utf8(path.get(..len).unwrap_or(&[])).unwrap_or("");
    let errno = |e: std::io::Error| e.raw_os_error().unwrap_or(libc::EIO);
    let mut f = std::fs::File::open(path).map_err(errno)?;
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..) {
        if rest.is_empty() {
            break;
        }
        match f.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(errno(e)),
        }
    }
    Ok(n)
}

/// Reads `/proc/self/task/<tid>/children` (the pids of the children that
/// thread forked, separated by spaces).
pub(super) fn read_task_children(tid: i32, buf: &mut [u8]) -> Result<usize, i32> {
    read_task_file(tid, b"/children", buf)
}

/// Whether `/proc/self/task/<tid>` exists.
pub(super) fn task_exists(tid: i32) -> bool {
    read_task_file(tid, b"/comm", &mut [0u8; 8]).is_ok()
}

/// Reads `/proc/self/task/<tid><suffix>` into `buf`.
fn read_task_file(tid: i32, suffix: &[u8], buf: &mut [u8]) -> Result<usize, i32> {
    let mut file = [0u8; 40];
    let mut len = 0;
    for b in b"task/".iter().chain(decimal(tid).as_bytes()).chain(suffix) {
        if let Some(slot) = file.get_mut(len) {
            *slot = *b;
            len += 1;
        }
    }
    let file = std::str::from_utf8(file.get(..len).unwrap_or(&[])).unwrap_or("");
    read(sys_getpid(), file, buf)
}

fn sys_getpid() -> i32 {
    crate::signal_safe::sys::getpid()
}

/// `n` in decimal (see `signal_safe::writer::Decimal`).
fn decimal(n: i32) -> crate::signal_safe::writer::Decimal {
    crate::signal_safe::writer::Decimal::of(u64::from(n.unsigned_abs()))
}

/// A pid or tid in decimal.
pub(super) fn parse_pid(t: &[u8]) -> Option<i32> {
    i32::try_from(parse_dec(t)?).ok().filter(|p| *p > 0)
}

/// `/proc/<pid>/<file>` into `out`, without allocating; returns the length.
fn proc_path(pid: i32, file: &str, out: &mut [u8]) -> usize {
    let mut len = 0;
    let mut push = |bytes: &[u8]| {
        for b in bytes {
            if let Some(slot) = out.get_mut(len) {
                *slot = *b;
                len += 1;
            }
        }
    };
    push(b"/proc/");
    push(decimal(pid).as_bytes());
    push(b"/");
    push(file.as_bytes());
    len
}

/// From `/proc/<pid>/stat`: the scheduler state letter and the thread count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stat {
    pub(super) state: u8,
    pub(super) threads: u32,
}

/// Parses `/proc/<pid>/stat`. The command name (field 2) may hold spaces
/// and parentheses, so fields are counted from the last `)`.
pub(super) fn parse_stat(text: &[u8]) -> Option<Stat> {
    let close = text.iter().rposition(|b| *b == b')')?;
    let mut fields = text
        .get(close + 1..)?
        .split(|b| *b == b' ')
        .filter(|f| !f.is_empty());
    let state = *fields.next()?.first()?;
    // Fields 4..=19 come between the state (3) and num_threads (20).
    let threads = parse_dec(fields.nth(16)?)?;
    Some(Stat {
        state,
        threads: u32::try_from(threads).ok()?,
    })
}

/// What `/proc/<pid>/syscall` says about the (single) thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Syscall {
    /// `running`: on a CPU.
    Running,
    /// Blocked, but not in a system call (`-1 sp pc`), e.g. stopped.
    Elsewhere,
    /// Blocked in system call `nr` with these arguments.
    In {
        nr: i64,
        args: [u64; 6],
        sp: u64,
        pc: u64,
    },
}

/// Parses `/proc/<pid>/syscall`.
pub(super) fn parse_syscall(text: &[u8]) -> Option<Syscall> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text == b"running" {
        return Some(Syscall::Running);
    }
    let mut fields = text.split(|b| *b == b' ').filter(|f| !f.is_empty());
    let nr_text = fields.next()?;
    if nr_text == b"-1" {
        return Some(Syscall::Elsewhere);
    }
    let nr = i64::try_from(parse_dec(nr_text)?).ok()?;
    let mut args = [0u64; 6];
    for a in &mut args {
        *a = parse_hex(fields.next()?)?;
    }
    let sp = parse_hex(fields.next()?)?;
    let pc = parse_hex(fields.next()?)?;
    Some(Syscall::In { nr, args, sp, pc })
}

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;

/// The futex address when the call is a wait that can only end by a wake
/// from this process: `futex(uaddr, FUTEX_WAIT[_BITSET] | FUTEX_PRIVATE_FLAG,
/// val, NULL, ...)`. In a process with one thread, nobody is left to wake it.
/// Shared futexes (another process may wake them), timed waits,
/// `futex_waitv` and PI locks are not claimed.
pub(super) fn endless_private_futex_wait(s: &Syscall) -> Option<u64> {
    let Syscall::In { nr, args, .. } = *s else {
        return None;
    };
    if nr != libc::SYS_futex {
        return None;
    }
    let [uaddr, op, _val, timeout, ..] = args;
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let private = op & FUTEX_PRIVATE_FLAG != 0;
    (private && timeout == 0 && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET)).then_some(uaddr)
}

/// From `/proc/<pid>/status`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Status {
    /// Voluntary context switches: a wait that ends and starts again (a
    /// timeout, a wake, a signal) counts one.
    pub(super) nvcsw: u64,
    /// Blocked signals (bit `n - 1` for signal `n`).
    pub(super) blocked: u64,
    /// Caught signals.
    pub(super) caught: u64,
}

pub(super) fn parse_status(text: &[u8]) -> Option<Status> {
    let mut s = Status::default();
    let mut seen = 0;
    for line in text.split(|b| *b == b'\n') {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (key, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or(&[]).trim_ascii();
        match key {
            b"voluntary_ctxt_switches" => {
                s.nvcsw = parse_dec(value)?;
                seen += 1;
            }
            b"SigBlk" => {
                s.blocked = parse_hex(value)?;
                seen += 1;
            }
            b"SigCgt" => {
                s.caught = parse_hex(value)?;
                seen += 1;
            }
            _ => {}
        }
    }
    (seen == 3).then_some(s)
}

/// Whether signal `sig` is set in a `/proc` signal mask.
pub(super) fn mask_has(mask: u64, sig: i32) -> bool {
    u32::try_from(sig - 1).is_ok_and(|bit| bit < 64 && mask & (1 << bit) != 0)
}

/// Whether a `/proc/<pid>/wchan` name is the kernel's futex wait.
pub(super) fn wchan_is_futex_wait(text: &[u8]) -> bool {
    // `futex_wait_queue_me` (before 5.16), `futex_wait_queue`,
    // `futex_do_wait` (6.17+), ...
    let t = text.trim_ascii();
    (t.starts_with(b"futex") && t.windows(4).any(|w| w == b"wait")) || t == b"do_futex"
}

fn parse_dec(t: &[u8]) -> Option<u64> {
    if t.is_empty() {
        return None;
    }
    t.iter().try_fold(0u64, |v, b| {
        b.is_ascii_digit()
            .then(|| v.checked_mul(10)?.checked_add(u64::from(b - b'0')))?
    })
}

fn parse_hex(t: &[u8]) -> Option<u64> {
    let t = t.strip_prefix(b"0x").unwrap_or(t);
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    t.iter().try_fold(0u64, |v, b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        Some(v << 4 | u64::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_counted_from_the_last_paren() {
        let text = b"4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 3 1 0 0 20 0 1 0 123 4096 100 18446744073709551615\n";
        assert_eq!(
            parse_stat(text),
            Some(Stat {
                state: b'S',
                threads: 1
            })
        );
        let text = b"7 (w) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 5 0";
        assert_eq!(parse_stat(text).map(|s| s.threads), Some(5));
        assert_eq!(parse_stat(b"7 (w) S 1"), None);
        assert_eq!(parse_stat(b""), None);
    }

    #[test]
    fn syscall_lines() {
        assert_eq!(parse_syscall(b"running\n"), Some(Syscall::Running));
        assert_eq!(
            parse_syscall(b"-1 0x7ffd1000 0x401000\n"),
            Some(Syscall::Elsewhere)
        );
        let nr = libc::SYS_futex;
        // std's Mutex::lock_contended: FUTEX_WAIT_BITSET | PRIVATE, no timeout.
        let line =
            format!("{nr} 0x5555deadbe00 0x89 0x2 0x0 0x0 0xffffffff 0x7ffc0000 0x7f0000001234\n");
        let s = parse_syscall(line.as_bytes()).unwrap();
        assert_eq!(endless_private_futex_wait(&s), Some(0x5555_dead_be00));
        // parking_lot: FUTEX_WAIT | PRIVATE, no timeout.
        let line = format!("{nr} 0x1000 0x80 0x1 0x0 0x0 0x0 0x7ffc0000 0x7f0000001234");
        assert_eq!(
            endless_private_futex_wait(&parse_syscall(line.as_bytes()).unwrap()),
            Some(0x1000)
        );
        // A timed wait (Condvar::wait_timeout, park_timeout) may end.
        let line =
            format!("{nr} 0x1000 0x89 0x1 0x7ffc0100 0x0 0xffffffff 0x7ffc0000 0x7f0000001234");
        assert_eq!(
            endless_private_futex_wait(&parse_syscall(line.as_bytes()).unwrap()),
            None
        );
        // A shared futex may be woken by another process.
        let line = format!("{nr} 0x1000 0x0 0x1 0x0 0x0 0x0 0x7ffc0000 0x7f0000001234");
        assert_eq!(
            endless_private_futex_wait(&parse_syscall(line.as_bytes()).unwrap()),
            None
        );
        // FUTEX_WAKE is not a wait.
        let line = format!("{nr} 0x1000 0x81 0x1 0x0 0x0 0x0 0x7ffc0000 0x7f0000001234");
        assert_eq!(
            endless_private_futex_wait(&parse_syscall(line.as_bytes()).unwrap()),
            None
        );
        // Sleeping, polling, reading: other system calls.
        let line = format!(
            "{} 0x0 0x0 0x7ffc05c0 0x7ffc0600 0x0 0x0 0x7ffc05a8 0x7f9c7e562503",
            libc::SYS_clock_nanosleep
        );
        assert_eq!(
            endless_private_futex_wait(&parse_syscall(line.as_bytes()).unwrap()),
            None
        );
        assert_eq!(endless_private_futex_wait(&Syscall::Running), None);
        assert_eq!(parse_syscall(b"202 0x1"), None);
        assert_eq!(parse_syscall(b"garbage"), None);
    }

    #[test]
    fn status_fields() {
        let text = b"Name:\tx\nSigQ:\t0/1\nSigPnd:\t0000000000000000\nSigBlk:\t0000000000000001\nSigIgn:\t0000000000000006\nSigCgt:\t4000000000000000\nvoluntary_ctxt_switches:\t17\nnonvoluntary_ctxt_switches:\t3\n";
        let s = parse_status(text).unwrap();
        assert_eq!(s.nvcsw, 17);
        assert!(mask_has(s.blocked, 1));
        assert!(!mask_has(s.blocked, 2));
        assert!(mask_has(s.caught, 63));
        assert!(!mask_has(s.caught, 0));
        assert!(!mask_has(s.caught, 65));
        assert_eq!(parse_status(b"Name:\tx\n"), None);
    }

    #[test]
    fn wchan_names() {
        assert!(wchan_is_futex_wait(b"futex_wait_queue"));
        assert!(wchan_is_futex_wait(b"futex_wait_queue_me\n"));
        assert!(wchan_is_futex_wait(b"futex_do_wait"));
        assert!(!wchan_is_futex_wait(b"futex_wake"));
        assert!(!wchan_is_futex_wait(b"hrtimer_nanosleep"));
        assert!(!wchan_is_futex_wait(b"0"));
    }

    #[test]
    fn children_of_this_thread() {
        assert_eq!(parse_pid(b"123"), Some(123));
        assert_eq!(parse_pid(b"0"), None);
        assert_eq!(parse_pid(b""), None);
        assert_eq!(parse_pid(b"99999999999"), None);
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let me = crate::signal_safe::sys::gettid();
        let mut buf = [0u8; 1024];
        let n = read_task_children(me, &mut buf).unwrap();
        let pids: Vec<_> = buf[..n]
            .split(|b| *b == b' ' || *b == b'\n')
            .filter_map(parse_pid)
            .collect();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(pids.contains(&(child.id() as i32)), "{pids:?}");
        assert!(task_exists(me));
        assert!(!task_exists(i32::MAX));
    }

    #[test]
    fn reads_this_process() {
        let mut buf = [0u8; 1024];
        let n = read(std::process::id() as i32, "stat", &mut buf).unwrap();
        let st = parse_stat(&buf[..n]).unwrap();
        assert!(st.threads >= 1);
        // Above the kernel's pid_max limit (4194304): no such process.
        assert_eq!(read(i32::MAX, "stat", &mut buf), Err(libc::ENOENT));
    }
}
