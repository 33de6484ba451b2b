//! `FORK_GUARD` and `FORK_GUARD_ALLOW_THREADS`: parsing and errors.

use core::fmt;
use core::str::FromStr;

/// The environment variable that selects the policy.
pub const POLICY_ENV: &str = "FORK_GUARD";
/// The environment variable with comma-separated thread-name patterns to
/// allow-list (exact names, or prefixes ending in `*`).
pub const ALLOW_THREADS_ENV: &str = "FORK_GUARD_ALLOW_THREADS";

/// What the guard does when it sees a hazard. See the crate docs for the
/// full table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    /// The handlers do nothing; the guard never reports.
    Off,
    /// Report to stderr what `trap` or `strict` would have stopped, and carry on.
    Warn,
    /// The default: abort a child at its first hazardous operation.
    Trap,
    /// Abort the parent at fork time when other threads are alive or another
    /// thread holds a tracked lock.
    Strict,
}

impl Policy {
    #[cfg_attr(not(fork_guard_active), allow(dead_code))]
    pub(crate) const fn as_u8(self) -> u8 {
        match self {
            Policy::Off => 0,
            Policy::Warn => 1,
            Policy::Trap => 2,
            Policy::Strict => 3,
        }
    }

    #[cfg_attr(not(fork_guard_active), allow(dead_code))]
    pub(crate) const fn from_u8(v: u8) -> Policy {
        match v {
            0 => Policy::Off,
            1 => Policy::Warn,
            3 => Policy::Strict,
            _ => Policy::Trap,
        }
    }

    /// The name used by `FORK_GUARD` and in diagnostics.
    pub const fn name(self) -> &'static str {
        match self {
            Policy::Off => "off",
            Policy::Warn => "warn",
            Policy::Trap => "trap",
            Policy::Strict => "strict",
        }
    }
}

/// A `FORK_GUARD` value that is not a policy name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsePolicyError {
    value: String,
}

impl fmt::Display for ParsePolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid policy `{}`: expected one of `off`, `warn`, `trap`, `strict`",
            self.value.escape_debug()
        )
    }
}

impl std::error::Error for ParsePolicyError {}

impl FromStr for Policy {
    type Err = ParsePolicyError;

    /// Parses a policy name, ignoring ASCII case and surrounding whitespace.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Policy::Off),
            "warn" => Ok(Policy::Warn),
            "trap" => Ok(Policy::Trap),
            "strict" => Ok(Policy::Strict),
            _ => Err(ParsePolicyError {
                value: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why [`try_install`](crate::try_install) could not do everything asked.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum InstallError {
    /// `FORK_GUARD` holds something other than a policy name. The guard is
    /// installed with the default policy (`trap`).
    InvalidPolicy(ParsePolicyError),
    /// `FORK_GUARD` is not valid Unicode.
    NotUnicode,
    /// `pthread_atfork` failed (with this error number); no handler runs.
    AtFork(i32),
}

impl fmt::Display for InstallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallError::InvalidPolicy(e) => {
                write!(f, "{POLICY_ENV}: {e}; using `trap`")
            }
            InstallError::NotUnicode => {
                write!(
                    f,
                    "{POLICY_ENV}: the value is not valid Unicode; using `trap`"
                )
            }
            InstallError::AtFork(errno) => {
                write!(
                    f,
                    "pthread_atfork failed (errno {errno}); the fork guard is not active"
                )
            }
        }
    }
}

impl std::error::Error for InstallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InstallError::InvalidPolicy(e) => Some(e),
            _ => None,
        }
    }
}

/// Splits `FORK_GUARD_ALLOW_THREADS` into patterns.
#[cfg_attr(not(fork_guard_active), allow(dead_code))]
pub(crate) fn split_patterns(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_policies_and_rejects_others_with_the_value() {
        assert_eq!("strict".parse::<Policy>(), Ok(Policy::Strict));
        assert_eq!(" Warn ".parse::<Policy>(), Ok(Policy::Warn));
        assert_eq!("off".parse::<Policy>(), Ok(Policy::Off));
        assert_eq!("trap".parse::<Policy>(), Ok(Policy::Trap));
        let e = "tarp".parse::<Policy>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid policy `tarp`: expected one of `off`, `warn`, `trap`, `strict`"
        );
        assert!("".parse::<Policy>().is_err());
    }

    #[test]
    fn splits_patterns() {
        let v: Vec<_> = split_patterns(" tokio-*, ,idle,").collect();
        assert_eq!(v, ["tokio-*", "idle"]);
    }
}
