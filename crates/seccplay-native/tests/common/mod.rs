//! What the real-kernel test files share: whether this machine can run them, and the rule for
//! when it cannot (a clear message, and a failure under CI rather than a silent skip).
#![allow(dead_code)] // each test file uses its own part

use std::path::Path;

/// Why this process cannot install seccomp filters, if it cannot.
pub fn no_seccomp_filters() -> Option<&'static str> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let seccomp = status.contains("\nSeccomp:\t0") || status.contains("\nSeccomp:\t2");
    let avail = Path::new("/proc/sys/kernel/seccomp/actions_avail").exists();
    (!seccomp || !avail)
        .then_some("the kernel has no seccomp filter support (or this process is in strict mode)")
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// True when `why` is `None`; otherwise prints why `test` is skipped, or panics under CI.
pub fn ready_unless(test: &str, why: Option<String>) -> bool {
    match why {
        None => true,
        Some(w) if std::env::var_os("CI").is_some() => panic!("{test}: CI is set but {w}"),
        Some(w) => {
            eprintln!("{test}: skipping: {w}");
            false
        }
    }
}
