//! The Docker context a profile is resolved in: what `docker run` and the host decide —
//! the daemon's architecture, the container's bounding capabilities, the kernel version
//! and the OCI runtime.

use crate::arch::Arch;
use crate::profile::KernelVersion;
use serde::Serialize;
use std::collections::BTreeSet;

/// Every capability Linux defines (to `CAP_CHECKPOINT_RESTORE`), in number order: Linux 6.1's
/// linux/capability.h, as `tools/gen-tables` renders it from
/// `refdata/host/linux-libc-dev-6.1/capabilities.csv`.
pub const ALL_CAPS: [&str; 41] = crate::tables::host::CAPABILITIES;

/// Docker's default bounding set for containers (moby `oci/caps/defaults.go`).
pub const DOCKER_DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// The OCI runtime that turns the profile into a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Runtime {
    /// runc (Docker's default): libseccomp-golang, ENOSYS stub, binary tree above 32 rules.
    Runc,
    /// crun: libseccomp from C, no ENOSYS stub, first six conditions only.
    Crun,
}

impl Runtime {
    /// `runc` or `crun`.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Runc => "runc",
            Runtime::Crun => "crun",
        }
    }

    /// Parses `runc` or `crun`.
    pub fn parse(s: &str) -> Option<Runtime> {
        match s {
            "runc" => Some(Runtime::Runc),
            "crun" => Some(Runtime::Crun),
            _ => None,
        }
    }
}

/// The first kernel with the constant-action cache (the per-ABI bitmap of syscalls every filter
/// always allows, `seccomp_cache_prepare`): Linux 5.11. Older kernels run the filters on every
/// syscall.
pub const ACTION_CACHE_SINCE: KernelVersion = KernelVersion {
    major: 5,
    minor: 11,
};

/// A syscall the kernel lets through without running any seccomp filter.
///
/// kernel/seccomp.c's `seccomp_uprobe_exception` marks these numbers "always allowed" in the
/// constant-action cache of every filter, for the native ABI only (`sd->arch ==
/// SECCOMP_ARCH_NATIVE`), so no filter of the stack ever sees them; strict mode allows them
/// too. Only x86_64 defines the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FilterBypass {
    /// The syscall.
    pub name: &'static str,
    /// Its x86_64 number.
    pub nr: u32,
    /// The first release that passes it without filtering.
    pub since: KernelVersion,
    /// Older series whose later stable point releases carry the change too (seccplay knows
    /// X.Y only, so there the answer depends on the point release).
    pub stable: &'static [KernelVersion],
    /// Where the fact comes from.
    pub source: &'static str,
}

/// The calls Linux passes without filtering, with their sources.
pub const FILTER_BYPASSES: [FilterBypass; 2] = [
    FilterBypass {
        name: "uretprobe",
        nr: 335,
        since: KernelVersion { major: 6, minor: 14 },
        stable: &[
            KernelVersion { major: 6, minor: 12 },
            KernelVersion { major: 6, minor: 13 },
        ],
        source: "Linux commit cf6cb56ef244 \"seccomp: passthrough uretprobe systemcall without filtering\", merged for v6.14-rc2, backported to the 6.12.y and 6.13.y stable series in February 2025",
    },
    FilterBypass {
        name: "uprobe",
        nr: 336,
        since: KernelVersion { major: 6, minor: 18 },
        stable: &[],
        source: "\"seccomp: passthrough uprobe systemcall without filtering\" (J. Olsa, lore 20250720112133.244369-21-jolsa@kernel.org), with the uprobe syscall itself in 6.18; observed on 6.18.44 by tests/tests/kernel_bypass.rs",
    },
];

/// Whether `kernel` passes call `nr` of ABI `arch` without running any filter
/// ([`FILTER_BYPASSES`]; x86_64's native ABI only).
pub fn filter_bypass(kernel: KernelVersion, arch: Arch, nr: u32) -> Option<Bypass> {
    if arch != Arch::X86_64 {
        return None;
    }
    let b = FILTER_BYPASSES.iter().find(|b| b.nr == nr)?;
    if kernel >= b.since {
        Some(Bypass::Always(b))
    } else if b.stable.contains(&kernel) {
        Some(Bypass::DependsOnPointRelease(b))
    } else {
        None
    }
}

/// What the context's kernel does with a call before any filter runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bypass {
    /// No filter runs: the call proceeds whatever the filters say.
    Always(&'static FilterBypass),
    /// An X.Y series where later point releases pass it and earlier ones run the filters.
    DependsOnPointRelease(&'static FilterBypass),
}

impl Bypass {
    /// One sentence: what the kernel does and since when, with the source.
    pub fn describe(self) -> String {
        match self {
            Bypass::Always(b) => format!(
                "Linux {}.{} and later run no seccomp filter for {} on x86_64: the call goes through whatever the filter says ({}).",
                b.since.major, b.since.minor, b.name, b.source
            ),
            Bypass::DependsOnPointRelease(b) => format!(
                "On this series it depends on the point release: later stable releases run no seccomp filter for {} on x86_64, as {}.{} does ({}); this answer is the filter's, for the releases without the change.",
                b.name,
                b.since.major,
                b.since.minor,
                b.source
            ),
        }
    }
}

/// The container engine whose built-in default profile a container runs with: the four engines
/// of the presets ([`crate::presets::Preset::engine`]). They all drop their built-in profile for
/// a privileged container; the sentence says which engine, and how it puts the flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum Engine {
    /// Docker (moby): `docker run --privileged`.
    #[default]
    Docker,
    /// Podman (`podman run --privileged`; CRI-O shares the profile).
    Podman,
    /// containerd's CRI plugin (what Kubernetes nodes on containerd run).
    Containerd,
    /// Kubernetes `RuntimeDefault` (`securityContext.privileged: true`).
    Kubernetes,
}

impl Engine {
    /// True for Docker (the default, left out of JSON output).
    pub fn is_docker(&self) -> bool {
        *self == Engine::Docker
    }

    /// Why a privileged container runs without this engine's built-in profile, with the
    /// engine's own words for the flag and the source of the rule.
    pub fn privileged_unconfined(self) -> &'static str {
        match self {
            Engine::Docker => "--privileged: Docker runs privileged containers without seccomp unless a profile is given with --security-opt seccomp=...",
            Engine::Podman => "--privileged: Podman runs privileged containers without seccomp unless a profile is given with --security-opt seccomp=... (podman's specgen, security_linux.go)",
            Engine::Containerd => "privileged: containerd's CRI plugin sets no seccomp profile for a privileged container, so its built-in profile does not apply (generateSeccompSpecOpts)",
            Engine::Kubernetes => "securityContext.privileged: true: Kubernetes runs privileged containers Unconfined, so RuntimeDefault does not apply (containerd's CRI plugin sets no seccomp profile for them)",
        }
    }

    /// What this engine does with a profile given explicitly to a privileged container:
    /// `Err(reason)` when it drops it (the container runs without seccomp), `Ok(note)` when it
    /// applies it, the note saying which releases do. Sources:
    /// 1. Docker: moby#47500 (commit 896de6d, first tagged in v27.0.0-rc.1, released in 27.0.1)
    ///    loads the given profile; up to 26.1 `WithSeccomp` returned before reading it.
    /// 2. Podman: podman#7269 (2020) applies a given profile to privileged containers.
    /// 3. containerd's CRI plugin: `generateSeccompSpecOpts` returns first thing for a
    ///    privileged container, Localhost profiles included (1.6 to 2.x).
    /// 4. CRI-O drops it too unless its `privileged_seccomp_profile` option is set (cri-o#9190).
    pub fn given_profile_when_privileged(self) -> Result<&'static str, &'static str> {
        match self {
            Engine::Docker => Ok("--privileged with a profile given: Docker 27.0 and later apply the profile (moby#47500); Docker 26 and earlier ignore it and run the container without seccomp"),
            Engine::Podman => Ok("--privileged with a profile given: Podman applies the profile (podman#7269)"),
            Engine::Containerd | Engine::Kubernetes => Err("privileged: containerd's CRI plugin sets no seccomp profile for a privileged container, a Localhost profile included (generateSeccompSpecOpts); CRI-O does the same unless its privileged_seccomp_profile option names one (cri-o#9190)"),
        }
    }
}

/// Reads a host kernel version as people have it: `uname -r` (`5.15.0-91-generic`,
/// `3.10.0-1160.el7`), `X.Y.Z`, `X.Y` or `X` alone (`6` is 6.0). The leading `X.Y` counts, as
/// moby's `kernel.ParseRelease` reads it; whatever follows a third part or a non-digit is
/// ignored. Refused with a reason: anything not starting with a number, `X.` without a minor,
/// parts above 255, and 0.0.
pub fn parse_kernel_release(s: &str) -> Result<KernelVersion, String> {
    let t = s.trim();
    let bad = |why: &str| {
        format!("invalid kernel version \"{s}\": {why} (expected X.Y such as 6.1, or `uname -r` such as 5.15.0-91-generic)")
    };
    let digits = |x: &str| x.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(t);
    if n == 0 {
        return Err(bad("it does not start with a number"));
    }
    let number = |x: &str| x.parse::<u8>().map_err(|_| bad("a part is above 255"));
    let major = number(&t[..n])?;
    let rest = &t[n..];
    let minor = match rest.strip_prefix('.') {
        None => 0,
        Some(after) => {
            let m = digits(after);
            if m == 0 {
                return Err(bad("no minor version after the dot"));
            }
            number(&after[..m])?
        }
    };
    if major == 0 && minor == 0 {
        return Err(bad("0.0 is not a kernel"));
    }
    Ok(KernelVersion { major, minor })
}

/// A capability set from names, inserted one by one: the set `collect` would build, without
/// the sort `BTreeSet`'s `FromIterator` runs first (a copy of the standard sort of its own in
/// the playground's wasm).
pub fn cap_set(names: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for n in names {
        set.insert(n);
    }
    set
}

/// What `docker run` and the host decide about a container's seccomp filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The daemon's (and runtime's) native ABI.
    pub host_arch: Arch,
    /// The container's bounding capability set, `CAP_*` names.
    pub caps: BTreeSet<String>,
    /// `--privileged`: all capabilities, and no seccomp at all unless the profile was given
    /// explicitly (`explicit_profile`) to an engine that applies it
    /// ([`Engine::given_profile_when_privileged`]).
    pub privileged: bool,
    /// The profile was given with `--security-opt seccomp=...` (false for Docker's built-in default).
    pub explicit_profile: bool,
    /// The engine that runs the container: the one whose built-in default the profile is, when it
    /// is one (`explicit_profile` false), else the one given the profile (Docker, or Kubernetes
    /// for a SeccompProfile). `--privileged` follows its rules and names it. Docker unless a
    /// shell or the input's format says otherwise.
    #[serde(skip_serializing_if = "Engine::is_docker")]
    pub engine: Engine,
    /// The host kernel version (for `minKernel`).
    pub kernel: KernelVersion,
    /// runc or crun.
    pub runtime: Runtime,
    /// Model runc's ENOSYS stub (only meaningful for runc).
    pub enosys_stub: bool,
    /// The libseccomp whose syscall table the runtime resolves names with.
    #[serde(skip_serializing_if = "crate::libseccomp::Libseccomp::is_current")]
    pub libseccomp: crate::libseccomp::Libseccomp,
}

impl Context {
    /// Docker's defaults on a host: default capabilities, runc, kernel 6.1 (Debian 12).
    pub fn docker(host_arch: Arch) -> Context {
        Context {
            host_arch,
            caps: cap_set(DOCKER_DEFAULT_CAPS.iter().map(|s| s.to_string())),
            privileged: false,
            explicit_profile: true,
            engine: Engine::Docker,
            kernel: KernelVersion { major: 6, minor: 1 },
            runtime: Runtime::Runc,
            enosys_stub: true,
            libseccomp: crate::libseccomp::Libseccomp::Current,
        }
    }

    /// Applies `--cap-add`, `--cap-drop` and `--privileged` as Docker does
    /// (`TweakCapabilities`): names with or without `CAP_`, any case, and `ALL`.
    pub fn with_caps(
        mut self,
        add: &[impl AsRef<str>],
        drop: &[impl AsRef<str>],
        privileged: bool,
    ) -> Result<Context, String> {
        self.privileged = privileged;
        if privileged {
            self.caps = cap_set(ALL_CAPS.iter().map(|s| s.to_string()));
            return Ok(self);
        }
        let add = normalize_caps(add)?;
        let drop = normalize_caps(drop)?;
        let all = |v: &[String]| v.iter().any(|c| c == "ALL");
        let mut caps: BTreeSet<String> = if all(&add) {
            cap_set(ALL_CAPS.iter().map(|s| s.to_string()))
        } else if all(&drop) {
            BTreeSet::new()
        } else {
            self.caps.clone()
        };
        if !all(&drop) {
            for d in &drop {
                caps.remove(d);
            }
        }
        if !all(&add) {
            for a in add {
                caps.insert(a);
            }
        }
        self.caps = caps;
        Ok(self)
    }

    /// True when the kernel has the constant-action cache ([`ACTION_CACHE_SINCE`]).
    pub fn has_action_cache(&self) -> bool {
        self.kernel >= ACTION_CACHE_SINCE
    }

    /// Whether this kernel passes call `nr` of ABI `arch` without running any filter
    /// ([`FILTER_BYPASSES`]).
    pub fn filter_bypass(&self, arch: Arch, nr: u32) -> Option<Bypass> {
        filter_bypass(self.kernel, arch, nr)
    }

    /// True if the bounding set has the capability.
    pub fn has_cap(&self, cap: &str) -> bool {
        self.caps.contains(cap)
    }
}

/// Normalises capability names as Docker does: upper case, `CAP_` prefix, `ALL` kept.
pub fn normalize_caps(names: &[impl AsRef<str>]) -> Result<Vec<String>, String> {
    names
        .iter()
        .map(|n| {
            let up = n.as_ref().trim().to_ascii_uppercase();
            if up == "ALL" {
                return Ok(up);
            }
            let full = if up.starts_with("CAP_") {
                up
            } else {
                format!("CAP_{up}")
            };
            if ALL_CAPS.contains(&full.as_str()) {
                Ok(full)
            } else {
                Err(format!("unknown capability: \"{}\"", n.as_ref()))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_read_their_leading_x_y() {
        let k = |s: &str| parse_kernel_release(s).map(|k| k.to_string());
        assert_eq!(k("5.15.0-91-generic").unwrap(), "5.15");
        assert_eq!(k("3.10.0-1160.el7.x86_64").unwrap(), "3.10");
        assert_eq!(k("4.7.0").unwrap(), "4.7");
        assert_eq!(k("6").unwrap(), "6.0");
        assert_eq!(k(" 6.1 ").unwrap(), "6.1");
        assert_eq!(k("6.8-rc3").unwrap(), "6.8");
        assert_eq!(k("6-rc1").unwrap(), "6.0");
        for bad in [
            "", "abc", "v5.15", "5.", "5.x", "256.1", "5.256", "0.0", "-1.2", ".5",
        ] {
            let e = parse_kernel_release(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("invalid kernel version \"{bad}\": ")),
                "{e}"
            );
        }
    }

    #[test]
    fn cap_add_and_drop_follow_docker() {
        let c = Context::docker(Arch::X86_64)
            .with_caps(&["sys_admin"], &["CAP_CHOWN"], false)
            .unwrap();
        assert!(c.has_cap("CAP_SYS_ADMIN"));
        assert!(!c.has_cap("CAP_CHOWN"));
        assert_eq!(c.caps.len(), 14);
        let c = Context::docker(Arch::X86_64)
            .with_caps(&["NET_ADMIN"], &["ALL"], false)
            .unwrap();
        assert_eq!(c.caps.iter().collect::<Vec<_>>(), ["CAP_NET_ADMIN"]);
        let c = Context::docker(Arch::X86_64)
            .with_caps(&["ALL"], &["SYS_ADMIN"], false)
            .unwrap();
        assert_eq!(c.caps.len(), 40);
        let c = Context::docker(Arch::X86_64)
            .with_caps(&[] as &[&str], &[] as &[&str], true)
            .unwrap();
        assert_eq!(c.caps.len(), 41);
        assert!(Context::docker(Arch::X86_64)
            .with_caps(&["CAP_NOPE"], &[] as &[&str], false)
            .is_err());
    }
}
