//! A fixed-buffer writer over `write(2)`, with integer formatting that does
//! not use `std::fmt`.
//!
//! **Invariant:** nothing here allocates, locks or panics. Text that does not
//! fit the buffer is flushed to the descriptor first; there is no truncation
//! of the message as a whole.

use super::sys;

const CAPACITY: usize = 2048;

/// Accumulates bytes in a stack buffer and writes them to `fd` when full and
/// on [`Writer::flush`].
/// An unsigned integer's decimal digits in a fixed buffer, without
/// `std::fmt` (async-signal-safe). The one integer formatter of the
/// child-side zone: the writer, `/proc` paths in the census and the
/// sentinel use it.
pub(crate) struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    pub(crate) fn of(mut n: u64) -> Decimal {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                // `n % 10` is below 10, so the cast cannot truncate.
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || start == 0 {
                break;
            }
        }
        Decimal { digits, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.digits.get(self.start..).unwrap_or(&[])
    }
}

pub(crate) struct Writer {
    fd: i32,
    len: usize,
    buf: [u8; CAPACITY],
}

impl Writer {
    pub(crate) const fn new(fd: i32) -> Self {
        Writer {
            fd,
            len: 0,
            buf: [0; CAPACITY],
        }
    }

    /// Writes out what is buffered.
    pub(crate) fn flush(&mut self) {
        let filled = self.buf.get(..self.len).unwrap_or(&[]);
        sys::write_all(self.fd, filled);
        self.len = 0;
    }

    pub(crate) fn bytes(&mut self, mut bytes: &[u8]) -> &mut Self {
        while !bytes.is_empty() {
            if self.len == CAPACITY {
                self.flush();
            }
            let free = self.buf.get_mut(self.len..).unwrap_or(&mut []);
            let mut copied = 0;
            for (dst, src) in free.iter_mut().zip(bytes) {
                *dst = *src;
                copied += 1;
            }
            self.len += copied;
            bytes = bytes.get(copied..).unwrap_or(&[]);
        }
        self
    }

    pub(crate) fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Unsigned decimal.
    pub(crate) fn dec(&mut self, n: u64) -> &mut Self {
        self.bytes(Decimal::of(n).as_bytes())
    }

    /// Signed decimal.
    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        if n < 0 {
            self.str("-");
        }
        self.dec(n.unsigned_abs())
    }

    /// `0x`-prefixed lowercase hexadecimal.
    pub(crate) fn hex(&mut self, n: usize) -> &mut Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 18];
        let mut start = out.len();
        let mut v = n;
        loop {
            start -= 1;
            if let (Some(slot), Some(digit)) = (out.get_mut(start), DIGITS.get(v & 0xf)) {
                *slot = *digit;
            }
            v >>= 4;
            if v == 0 || start <= 2 {
                break;
            }
        }
        self.str("0x");
        let text = out.get(start..).unwrap_or(&[]);
        self.bytes(text)
    }
}

impl core::fmt::Write for Writer {
    /// Only used in the best-effort phase (symbolisation), after the core
    /// diagnostic is out; the core path never goes through `core::fmt`.
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.str(s);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(f: impl FnOnce(&mut Writer)) -> Vec<u8> {
        let mut w = Writer::new(-1);
        f(&mut w);
        w.buf[..w.len].to_vec()
    }

    #[test]
    fn formats_integers_without_fmt() {
        assert_eq!(
            render(|w| {
                w.dec(0);
            }),
            b"0"
        );
        assert_eq!(
            render(|w| {
                w.dec(u64::MAX);
            }),
            b"18446744073709551615"
        );
        assert_eq!(
            render(|w| {
                w.int(-42);
            }),
            b"-42"
        );
        assert_eq!(
            render(|w| {
                w.int(i64::MIN);
            }),
            b"-9223372036854775808"
        );
        assert_eq!(
            render(|w| {
                w.hex(0);
            }),
            b"0x0"
        );
        assert_eq!(
            render(|w| {
                w.hex(0xdead_beef);
            }),
            b"0xdeadbeef"
        );
        assert_eq!(
            render(|w| {
                w.hex(usize::MAX);
            }),
            b"0xffffffffffffffff"
        );
    }

    #[test]
    fn long_text_is_flushed_not_truncated() {
        // fd -1: the flushed part is lost (EBADF), but what remains must be
        // the tail of the input, proving the writer kept going.
        let long = "x".repeat(CAPACITY * 2 + 7);
        let mut w = Writer::new(-1);
        w.str(&long).str("END");
        assert_eq!(&w.buf[..w.len], format!("{}END", "x".repeat(7)).as_bytes());
    }
}
