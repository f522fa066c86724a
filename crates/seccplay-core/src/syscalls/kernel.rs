//! Kernel versions: a call the filter allows but the kernel does not implement fails with
//! ENOSYS from the kernel itself (`sys_ni_syscall`, or no table slot at all).
//!
//! The version each syscall appeared in comes from two cited tables, rendered into one by
//! `tools/gen-tables`:
//! 1. man-pages' syscalls(2) (man-pages 6.03, Debian's manpages-dev 6.03-2;
//!    `refdata/host/man-pages-6.03/syscalls.csv`). The page lists calls "as at Linux 5.14", even
//!    in the newest man-pages; it gives one version per call, the first Linux release that had
//!    it on any architecture.
//! 2. The calls added after 5.14 (x86_64 numbers 448–471, and x86_64's uretprobe), each with its source in
//!    `refdata/host/kernel-after-5.14/since.csv`: the call's own man page HISTORY where one
//!    exists (futex_waitv, cachestat, open_tree_attr in open_tree.2), else the Linux commit
//!    that added it and the release that first contained it (the pull request or stable tag
//!    that says so).
//!    `rseq_slice_yield` has no release found and stays "version unknown".
//! 3. Neither gives per-arch versions, so the version is applied to every ABI (an arch-only call
//!    such as `arch_prctl` is decided by the syscall table, not here; `map_shadow_stack` is
//!    x86_64-only at 6.6, other ABIs reserve the number). Calls neither table dates are
//!    "version unknown" rather than guessed.

use crate::profile::KernelVersion;
use crate::tables::host::{Since, KERNEL_SINCE_NAMES, KERNEL_SINCE_VERSIONS};
use serde::Serialize;
use std::sync::OnceLock;

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
    /// Neither syscalls(2) (man-pages 6.03, to Linux 5.14) nor the project's table of later
    /// calls dates the call (`rseq_slice_yield`, and names the tables do not know): no kernel
    /// verdict.
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
                "no cited Linux version for {name} (syscalls(2) lists calls to 5.14; refdata/host/kernel-after-5.14 dates the later ones): kernel support not modelled"
            ),
        }
    }
}

/// A cited row: name, first version (`None`: never implemented), removed in.
type Row = (&'static str, Since, Since);

/// The cited table, sorted by name: decoded once from its two packed columns (names one per
/// line; four bytes per name, 0xff for none).
fn rows() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let version = |a: u8, b: u8| (a != 0xff).then_some((u16::from(a), u16::from(b)));
        KERNEL_SINCE_NAMES
            .split('\n')
            .zip(KERNEL_SINCE_VERSIONS)
            .map(|(name, &[a, b, c, d])| (name, version(a, b), version(c, d)))
            .collect()
    })
}

/// The cited row of a name: (first version or `None` if never implemented, removed in).
pub fn since(name: &str) -> Option<(Since, Since)> {
    let rows = rows();
    rows.binary_search_by(|r| r.0.cmp(name))
        .ok()
        .map(|i| (rows[i].1, rows[i].2))
}

/// Whether a kernel implements a syscall, by the cited versions (major.minor compared;
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
    }

    /// The calls after 5.14, as refdata/host/kernel-after-5.14/since.csv cites them.
    #[test]
    fn versions_after_5_14() {
        assert_eq!(since("futex_waitv"), Some((Some((5, 16)), None)));
        assert_eq!(since("cachestat"), Some((Some((6, 5)), None)));
        assert_eq!(since("process_mrelease"), Some((Some((5, 15)), None)));
        assert_eq!(since("listns"), Some((Some((6, 19)), None)));
        assert_eq!(since("rseq_slice_yield"), None, "no release cited");
        // Every x86_64 call numbered 448..=471 except rseq_slice_yield is dated.
        let x86_64 = crate::arch::Arch::X86_64;
        let dated = (448..=471u32)
            .filter_map(|nr| crate::syscalls::name(x86_64, nr))
            .filter(|n| since(n).is_some())
            .count();
        assert_eq!(dated, 23);
    }

    #[test]
    fn outcomes_by_kernel() {
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
        assert_eq!(
            implemented("rseq_slice_yield", kv(6, 1)),
            Implemented::Unknown
        );
        assert!(!Implemented::Unknown.enosys());
        assert_eq!(
            implemented("unshare", kv(2, 6)),
            Implemented::Yes { since: (2, 6) }
        );
    }

    /// At its first release a call is implemented; one release earlier the kernel says ENOSYS
    /// (two calls of syscalls(2), then the calls after 5.14).
    #[test]
    fn outcomes_at_the_first_release() {
        for (name, (a, b), before) in [
            ("clone3", (5, 3), (5, 2)),
            ("faccessat2", (5, 8), (5, 7)),
            ("mseal", (6, 10), (6, 9)),
            ("futex_waitv", (5, 16), (5, 15)),
            ("process_mrelease", (5, 15), (5, 14)),
            ("statmount", (6, 8), (6, 7)),
            ("setxattrat", (6, 13), (6, 12)),
            ("listns", (6, 19), (6, 18)),
            ("uretprobe", (6, 11), (6, 10)),
        ] {
            let since = (u16::from(a), u16::from(b));
            let old = implemented(name, kv(before.0, before.1));
            assert_eq!(old, Implemented::TooOld { since }, "{name}");
            assert!(old.enosys(), "{name}");
            assert_eq!(
                implemented(name, kv(a, b)),
                Implemented::Yes { since },
                "{name}"
            );
        }
        let d = implemented("mseal", kv(6, 9)).describe("mseal", kv(6, 9));
        assert!(d.contains("added in 6.10") && d.contains("ENOSYS"), "{d}");
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(rows().windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            KERNEL_SINCE_NAMES.split('\n').count(),
            KERNEL_SINCE_VERSIONS.len()
        );
    }

    /// Every decoded row equals its cited source: syscalls(2)'s csv (version, removed) and,
    /// for the calls after 5.14, since.csv.
    #[test]
    fn decoded_rows_equal_the_cited_csvs() {
        let host = concat!(env!("CARGO_MANIFEST_DIR"), "/../../refdata/host/");
        let read = |f: &str| std::fs::read_to_string(format!("{host}{f}")).unwrap();
        let v = |s: &str| -> Since {
            let mut p = s.split('.');
            let a = p.next()?.parse().ok()?;
            Some((a, p.next().map_or(0, |b| b.parse().unwrap())))
        };
        let page = read("man-pages-6.03/syscalls.csv");
        let mut n = 0;
        for l in page.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            let want = (if f[1] == "-" { None } else { v(f[1]) }, v(f[2]));
            assert_eq!(since(f[0]), Some(want), "{l}");
            n += 1;
        }
        let later = read("kernel-after-5.14/since.csv");
        for l in later.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            if f[1] == "?" {
                assert_eq!(since(f[0]), None, "{l}");
            } else {
                assert_eq!(since(f[0]), Some((v(f[1]), None)), "{l}");
                n += 1;
            }
        }
        assert_eq!(n, rows().len());
    }
}
