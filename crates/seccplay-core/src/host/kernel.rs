//! Kernel versions: a call the filter allows but the kernel does not implement fails with
//! ENOSYS from the kernel itself (`sys_ni_syscall`, or no table slot at all).
//!
//! The version each syscall appeared in comes from man-pages' syscalls(2) (man-pages 6.03,
//! Debian's manpages-dev 6.03-2; `refdata/host/man-pages-6.03/syscalls.csv`). The page gives one
//! version per call, the first Linux release that had it on any architecture, and lists calls to
//! Linux 5.14; it does not give per-arch versions, so the version is applied to every ABI (an
//! arch-only call such as `arch_prctl` is decided by the syscall table, not here). Calls the page
//! does not list are "version unknown" rather than guessed.

use crate::profile::KernelVersion;
use crate::tables::host::{Since, KERNEL_SINCE};
use serde::Serialize;

/// What the selected kernel does with a syscall the filter let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Implemented {
    /// The kernel has it (since `since`).
    Yes {
        /// First Linux version with the call, `[major, minor]`.
        since: (u16, u16),
    },
    /// The kernel is older than the call: ENOSYS.
    TooOld {
        /// First Linux version with the call.
        since: (u16, u16),
    },
    /// The call was removed before this kernel: ENOSYS.
    Removed {
        /// The version that removed it.
        removed: (u16, u16),
    },
    /// Never implemented in the standard kernel (a reserved slot): ENOSYS.
    Never,
    /// syscalls(2) of man-pages 6.03 does not list the call (newer than Linux 5.14, or
    /// arch-specific): no kernel verdict.
    Unknown,
}

impl Implemented {
    /// True when the kernel answers ENOSYS.
    pub fn enosys(self) -> bool {
        matches!(
            self,
            Implemented::TooOld { .. } | Implemented::Removed { .. } | Implemented::Never
        )
    }

    /// One sentence, for matrices and explanations.
    pub fn describe(self, name: &str, kernel: KernelVersion) -> String {
        let k = format!("{}.{}", kernel.major, kernel.minor);
        match self {
            Implemented::Yes { since: (a, b) } => format!("Linux {k} has {name} (since {a}.{b})"),
            Implemented::TooOld { since: (a, b) } => {
                format!("Linux {k} does not implement {name} (added in {a}.{b}): ENOSYS from the kernel")
            }
            Implemented::Removed { removed: (a, b) } => {
                format!("{name} was removed in Linux {a}.{b}: ENOSYS from the kernel")
            }
            Implemented::Never => {
                format!("{name} is not implemented in the standard kernel: ENOSYS from the kernel")
            }
            Implemented::Unknown => format!(
                "syscalls(2) (man-pages 6.03, to Linux 5.14) does not list {name}: kernel support not modelled"
            ),
        }
    }
}

/// The syscalls(2) row of a name: (first version or `None` if never implemented, removed in).
pub fn since(name: &str) -> Option<(Since, Since)> {
    KERNEL_SINCE
        .binary_search_by(|r| r.0.cmp(name))
        .ok()
        .map(|i| (KERNEL_SINCE[i].1, KERNEL_SINCE[i].2))
}

/// Whether a kernel implements a syscall, by syscalls(2)'s versions (major.minor compared;
/// a `2.6.x` call counts as present on any 2.6 kernel).
pub fn implemented(name: &str, kernel: KernelVersion) -> Implemented {
    let k = (u16::from(kernel.major), u16::from(kernel.minor));
    match since(name) {
        None => Implemented::Unknown,
        Some((None, _)) => Implemented::Never,
        Some((Some(_), Some(r))) if k >= r => Implemented::Removed { removed: r },
        Some((Some(s), _)) if k < s => Implemented::TooOld { since: s },
        Some((Some(s), _)) => Implemented::Yes { since: s },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(major: u8, minor: u8) -> KernelVersion {
        KernelVersion { major, minor }
    }

    /// The rows the README's matrix relies on, as syscalls(2) of man-pages 6.03 gives them.
    #[test]
    fn versions_from_the_cited_table() {
        assert_eq!(since("clone3"), Some((Some((5, 3)), None)));
        assert_eq!(since("io_uring_setup"), Some((Some((5, 1)), None)));
        assert_eq!(since("faccessat2"), Some((Some((5, 8)), None)));
        assert_eq!(since("_sysctl"), Some((Some((2, 0)), Some((5, 5)))));
        assert_eq!(since("tuxcall"), Some((None, None)));
        assert_eq!(since("futex_waitv"), None, "newer than the page (5.16)");
    }

    #[test]
    fn outcomes_by_kernel() {
        assert_eq!(
            implemented("clone3", kv(5, 2)),
            Implemented::TooOld { since: (5, 3) }
        );
        assert_eq!(
            implemented("clone3", kv(5, 3)),
            Implemented::Yes { since: (5, 3) }
        );
        assert!(implemented("faccessat2", kv(5, 4)).enosys());
        assert!(!implemented("faccessat2", kv(5, 15)).enosys());
        assert!(implemented("io_uring_setup", kv(4, 19)).enosys());
        assert_eq!(
            implemented("_sysctl", kv(5, 4)),
            Implemented::Yes { since: (2, 0) }
        );
        assert_eq!(
            implemented("_sysctl", kv(6, 1)),
            Implemented::Removed { removed: (5, 5) }
        );
        assert_eq!(implemented("tuxcall", kv(6, 1)), Implemented::Never);
        assert_eq!(implemented("mseal", kv(6, 1)), Implemented::Unknown);
        assert!(!Implemented::Unknown.enosys());
        assert_eq!(
            implemented("unshare", kv(2, 6)),
            Implemented::Yes { since: (2, 6) }
        );
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(KERNEL_SINCE.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
