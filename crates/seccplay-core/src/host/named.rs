//! Named hosts: real combinations of engine, runtime, libseccomp and kernel, each fact with
//! its source. A fact marked "assumed" is the usual setup, not checked against a source here.

use super::runtime::{release, RuntimeRelease};
use super::Libseccomp;
use crate::arch::Arch;
use crate::context::Context;
use crate::presets::{self, PresetKind};
use crate::profile::KernelVersion;
use serde::Serialize;

/// A named host.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct NamedHost {
    /// Short name (`docker-debian12`).
    pub name: &'static str,
    /// One line for menus.
    pub title: &'static str,
    /// The preset its engine applies by default.
    pub preset: &'static str,
    /// The daemon's architecture.
    pub host_arch: Arch,
    /// Kernel `major.minor`.
    pub kernel: (u8, u8),
    /// The runtime release ([`super::runtime::RELEASES`]).
    pub runtime: &'static str,
    /// The libseccomp table the runtime resolves names with.
    pub libseccomp: Libseccomp,
    /// (fact, source).
    pub facts: &'static [(&'static str, &'static str)],
}

/// The names of [`HOSTS`], in order (computed at compile time: a build that reads only the
/// names, as the playground's first-load build does, links none of the facts).
pub const HOST_NAMES: [&str; HOSTS.len()] = {
    let mut out = [""; HOSTS.len()];
    let mut i = 0;
    while i < HOSTS.len() {
        out[i] = HOSTS[i].name;
        i += 1;
    }
    out
};

/// The named hosts, newest Docker first.
pub const HOSTS: &[NamedHost] = &[
    NamedHost {
        name: "docker-debian12",
        title: "Docker 29 on Debian 12",
        preset: "docker@29.4.3",
        host_arch: Arch::X86_64,
        kernel: (6, 1),
        runtime: "runc@1.4",
        libseccomp: Libseccomp::Current,
        facts: &[
            ("Docker Engine 29.4.3 … 29.7.2 vendor the current moby/profiles default.json", "refdata SOURCES.md §1, §9 (moby tags)"),
            ("Debian 12 (bookworm) runs Linux 6.1", "Debian 12 release notes, §2.2 'linux 6.1'; Debian package linux-image-amd64 6.1"),
            ("runc from Docker's containerd.io package, a static build: runc ≥ 1.3.5 links libseccomp 2.6.0", "runc CHANGELOG 1.3.5 (#5111); assumed: containerd.io ships runc ≥ 1.3.5"),
        ],
    },
    NamedHost {
        name: "k8s-containerd2",
        title: "Kubernetes on containerd 2.x (Ubuntu 24.04 node)",
        preset: "containerd@2.3",
        host_arch: Arch::X86_64,
        kernel: (6, 8),
        runtime: "runc@1.4",
        libseccomp: Libseccomp::Current,
        facts: &[
            ("RuntimeDefault on containerd is containerd's built-in profile (contrib/seccomp/seccomp_default.go)", "containerd source; refdata SOURCES.md §10"),
            ("containerd v2.3.4 has the same seccomp_default.go as main 301026e5", "refdata SOURCES.md §10"),
            ("Ubuntu 24.04's GA kernel is 6.8", "assumed (Ubuntu 24.04 release notes)"),
            ("runc ≥ 1.3.5 static builds link libseccomp 2.6.0", "runc CHANGELOG 1.3.5 (#5111)"),
        ],
    },
    NamedHost {
        name: "k8s-containerd1.7",
        title: "Kubernetes on containerd 1.7 (Ubuntu 22.04 node)",
        preset: "containerd@1.7",
        host_arch: Arch::X86_64,
        kernel: (5, 15),
        runtime: "runc@1.1",
        libseccomp: Libseccomp::V2_5_4,
        facts: &[
            ("containerd 1.7's RuntimeDefault still allows io_uring_* (removed on main in a48ddf4a, not in 1.7)", "refdata SOURCES.md §10"),
            ("Ubuntu 22.04's GA kernel is 5.15", "assumed (Ubuntu 22.04 release notes)"),
            ("runc 1.1.3+ static builds link libseccomp 2.5.4; modelled with Debian 12's 2.5.4 table (2.5.4-1+deb12u1), which also knows the 2.5.5 names upstream 2.5.4 lacks (cachestat, fchmodat2, futex_wait/wake/requeue and map_shadow_stack)", "runc CHANGELOG 1.1.3 (#3481); assumed: the node runs runc 1.1.x; refdata/SOURCES.md §12"),
        ],
    },
    NamedHost {
        name: "docker23-ubuntu22.04",
        title: "Docker 23 on Ubuntu 22.04 (libseccomp 2.5.x, kernel 5.15)",
        preset: "docker@23",
        host_arch: Arch::X86_64,
        kernel: (5, 15),
        runtime: "runc@1.1",
        libseccomp: Libseccomp::V2_5_4,
        facts: &[
            ("Docker 23.0/24.0 default profile", "refdata SOURCES.md §9 (moby v23.0.0 = v24.0.0 blob f361066a)"),
            ("Ubuntu 22.04 ships libseccomp 2.5.3, modelled with Debian 12's 2.5.4 table (2.5.4-1+deb12u1), which also knows set_mempolicy_home_node (2.5.4) and the 2.5.5 names (cachestat, fchmodat2, futex_wait/wake/requeue and map_shadow_stack)", "assumed (Ubuntu package libseccomp2 2.5.3-2ubuntu2); containerd seccomp_default.go comment 'kernel v5.17, libseccomp v2.5.4'"),
            ("kernel 5.15 (GA)", "assumed (Ubuntu 22.04 release notes)"),
        ],
    },
    NamedHost {
        name: "docker20.10-ubuntu20.04",
        title: "Docker 20.10.0 on Ubuntu 20.04 (runc without the ENOSYS stub, kernel 5.4)",
        preset: "docker@20.10",
        host_arch: Arch::X86_64,
        kernel: (5, 4),
        runtime: "runc@1.0-rc92",
        libseccomp: Libseccomp::V2_5_4,
        facts: &[
            ("Docker 20.10.0's default has no clone3 rule: EPERM (moby#42680/#42681 added ENOSYS in 20.10.10)", "refdata SOURCES.md §9"),
            ("Docker 20.10.0 (2020-12-08) predates runc's -ENOSYS stub (first in v1.0.0-rc93, 2021-02)", "moby tag v20.10.0; runc 7a8d7162f"),
            ("Ubuntu 20.04's GA kernel is 5.4; it ships libseccomp 2.5.x, modelled with Debian 12's 2.5.4 table (2.5.4-1+deb12u1)", "assumed (Ubuntu 20.04 release notes, libseccomp2 2.5.1-1ubuntu1~20.04)"),
        ],
    },
    NamedHost {
        name: "podman-fedora",
        title: "Podman on Fedora (crun)",
        preset: "podman@2026.03",
        host_arch: Arch::X86_64,
        kernel: (6, 14),
        runtime: "crun",
        libseccomp: Libseccomp::Current,
        facts: &[
            ("Podman's default profile is containers' seccomp.json (default errno ENOSYS)", "refdata SOURCES.md §2"),
            ("Fedora's Podman runs crun", "assumed (Fedora's podman package requires crun)"),
            ("Fedora 42: kernel 6.14, libseccomp 2.5.5+", "assumed, not checked here; modelled with the current table"),
        ],
    },
];

/// Looks a named host up.
pub fn host(name: &str) -> Option<&'static NamedHost> {
    HOSTS.iter().find(|h| h.name == name)
}

impl NamedHost {
    /// The runtime release.
    pub fn release(&self) -> &'static RuntimeRelease {
        release(self.runtime).expect("every named host names a modelled release")
    }

    /// The context: the engine's defaults (default capabilities, its built-in profile) with the
    /// host's arch, kernel, runtime, stub and libseccomp.
    pub fn context(&self) -> Context {
        let r = self.release();
        let mut c = Context::docker(self.host_arch);
        c.explicit_profile = false;
        c.engine = presets::engine_of(self.preset).unwrap_or_default();
        c.kernel = KernelVersion {
            major: self.kernel.0,
            minor: self.kernel.1,
        };
        c.runtime = r.runtime;
        c.enosys_stub = r.enosys_stub;
        c.libseccomp = self.libseccomp;
        c
    }

    /// The preset's profile text.
    pub fn profile(&self) -> &'static str {
        match presets::get(self.preset).map(|p| p.kind) {
            Some(PresetKind::Profile(t)) => t,
            _ => unreachable!("every named host names a profile preset"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_host_resolves_and_builds() {
        for h in HOSTS {
            let a = crate::analysis::analyze(h.profile(), &h.context());
            assert!(!a.failed(), "{}: {:?}", h.name, a.first_error());
            assert!(a.program.is_some(), "{}", h.name);
            assert!(!h.facts.is_empty());
        }
        let names: Vec<&str> = HOSTS.iter().map(|h| h.name).collect();
        assert_eq!(names, HOST_NAMES);
    }
}
