//! Runtime releases: where runc's handling of a profile changed between releases, with the
//! release and source of each difference.
//!
//! Only what changes a verdict is modelled (the ENOSYS stub, and the libseccomp a release's
//! static build links); the rest is recorded as facts. Sources: runc's CHANGELOG.md and git
//! history (opencontainers/runc at 76d9cf5d, 2026-08-19). crun's releases are not modelled: no
//! difference between its releases is cited here.

use super::Libseccomp;
use crate::context::Runtime;
use serde::Serialize;

/// A runtime release line whose seccomp handling differs from its neighbours.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuntimeRelease {
    /// `runc@1.0-rc92`, `runc@1.1`, …
    pub name: &'static str,
    /// runc or crun.
    pub runtime: Runtime,
    /// The releases it covers.
    pub releases: &'static str,
    /// runc's `-ENOSYS` stub is prepended to the filter.
    pub enosys_stub: bool,
    /// The libseccomp the project's own static release binaries link (distribution builds
    /// link the distribution's), as the closest modelled table.
    pub static_libseccomp: Option<Libseccomp>,
    /// What differs, each with its source.
    pub facts: &'static [(&'static str, &'static str)],
}

/// The modelled releases, oldest first.
pub const RELEASES: &[RuntimeRelease] = &[
    RuntimeRelease {
        name: "runc@1.0-rc92",
        runtime: Runtime::Runc,
        releases: "runc up to v1.0.0-rc92 (2020-08)",
        enosys_stub: false,
        static_libseccomp: None,
        facts: &[(
            "no -ENOSYS stub: a syscall newer than the profile gets the profile's default action (EPERM for Docker's)",
            "opencontainers/runc 7a8d7162f 'seccomp: prepend -ENOSYS stub to all filters' (2021-01-17), first tag v1.0.0-rc93",
        )],
    },
    RuntimeRelease {
        name: "runc@1.1",
        runtime: Runtime::Runc,
        releases: "runc v1.0.0-rc93 … v1.1.14",
        enosys_stub: true,
        static_libseccomp: Some(Libseccomp::V2_5_4),
        facts: &[
            ("-ENOSYS stub for syscalls newer than the profile's newest", "runc 7a8d7162f, first in v1.0.0-rc93"),
            ("redundant rules (action equal to the default) are skipped instead of failing", "runc CHANGELOG 1.0.0 (#3109, #3129)"),
            ("SCMP_ACT_NOTIFY and SCMP_ACT_KILL_PROCESS/KILL_THREAD accepted", "runc CHANGELOG 1.1.0-rc.1 (#2682, #3204)"),
            ("the stub handles s390/s390x multiplexed syscalls", "runc CHANGELOG 1.1.3 (#3478)"),
            ("static release binaries link libseccomp 2.5.4; modelled with Debian 12's 2.5.4 table (2.5.4-1+deb12u1), which also knows the 2.5.5 names upstream 2.5.4 lacks (cachestat, fchmodat2, futex_wait/wake/requeue and map_shadow_stack)", "runc CHANGELOG 1.1.3 (#3481); refdata/SOURCES.md §12"),
            ("no binary-tree layout: one linear syscall list (changes the program, not the verdicts)", "runc CHANGELOG 1.2.0-rc.1 (#3405) added it"),
        ],
    },
    RuntimeRelease {
        name: "runc@1.2",
        runtime: Runtime::Runc,
        releases: "runc v1.2.0 … v1.3.4",
        enosys_stub: true,
        static_libseccomp: Some(Libseccomp::V2_5_4),
        facts: &[
            ("binary-tree layout above 32 rules (libseccomp optimize level 2)", "runc CHANGELOG 1.2.0-rc.1 (#3405)"),
            ("SECCOMP_FILTER_FLAG_SPEC_ALLOW set by default; flags listed in `runc features`", "runc CHANGELOG 1.2.0-rc.1 (#3588)"),
            ("the -ENOSYS stub is always generated for the native arch (Docker on ppc64le passes no arch list)", "runc CHANGELOG 1.2.0-rc.1 and 1.1.15"),
            ("static builds link libseccomp 2.5.5/2.5.6 (1.3.0: 2.5.6, #4625); modelled with Debian 12's 2.5.4 table (2.5.4-1+deb12u1), which has the 2.5.5 names (cachestat, fchmodat2, futex_wait/wake/requeue and map_shadow_stack; not x32's map_shadow_stack)", "runc CHANGELOG 1.3.0-rc.1; containerd seccomp_default.go comments 'libseccomp v2.5.5'; refdata/SOURCES.md §12"),
        ],
    },
    RuntimeRelease {
        name: "runc@1.4",
        runtime: Runtime::Runc,
        releases: "runc v1.3.5, v1.4.x, v1.5.x",
        enosys_stub: true,
        static_libseccomp: Some(Libseccomp::Current),
        facts: &[
            ("static builds link libseccomp 2.6.0 (2.6.1 unreleased): the current table's numbers", "runc CHANGELOG 1.3.5 and 1.4.0-rc (#5111, #5053); libseccomp v2.6.1 has the same numbers as the current table (refdata SOURCES §5)"),
            ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV supported", "runc CHANGELOG 1.5.0-rc.1 (#5183, #5172)"),
        ],
    },
    RuntimeRelease {
        name: "crun",
        runtime: Runtime::Crun,
        releases: "crun (any release; no release difference modelled)",
        enosys_stub: false,
        static_libseccomp: None,
        facts: &[("no -ENOSYS stub; at most six argument conditions per rule", "seccomp-semantics.md §3.4")],
    },
];

/// Looks a release up by name.
pub fn release(name: &str) -> Option<&'static RuntimeRelease> {
    RELEASES.iter().find(|r| r.name == name)
}
