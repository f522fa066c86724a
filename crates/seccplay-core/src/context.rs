//! The Docker context a profile is resolved in: what `docker run` and the host decide —
//! the daemon's architecture, the container's bounding capabilities, the kernel version
//! and the OCI runtime.

use crate::arch::Arch;
use crate::profile::KernelVersion;
use serde::Serialize;
use std::collections::BTreeSet;

/// Every capability Linux defines (to `CAP_CHECKPOINT_RESTORE`), in number order.
pub const ALL_CAPS: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

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

/// What `docker run` and the host decide about a container's seccomp filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Context {
    /// The daemon's (and runtime's) native ABI.
    pub host_arch: Arch,
    /// The container's bounding capability set, `CAP_*` names.
    pub caps: BTreeSet<String>,
    /// `--privileged`: all capabilities, and no seccomp at all unless the profile was given
    /// explicitly (`explicit_profile`).
    pub privileged: bool,
    /// The profile was given with `--security-opt seccomp=...` (false for Docker's built-in default).
    pub explicit_profile: bool,
    /// The host kernel version (for `minKernel`).
    pub kernel: KernelVersion,
    /// runc or crun.
    pub runtime: Runtime,
    /// Model runc's ENOSYS stub (only meaningful for runc).
    pub enosys_stub: bool,
    /// The libseccomp whose syscall table the runtime resolves names with.
    #[serde(skip_serializing_if = "crate::host::Libseccomp::is_current")]
    pub libseccomp: crate::host::Libseccomp,
}

impl Context {
    /// Docker's defaults on a host: default capabilities, runc, kernel 6.1 (Debian 12).
    pub fn docker(host_arch: Arch) -> Context {
        Context {
            host_arch,
            caps: DOCKER_DEFAULT_CAPS.iter().map(|s| s.to_string()).collect(),
            privileged: false,
            explicit_profile: true,
            kernel: KernelVersion { major: 6, minor: 1 },
            runtime: Runtime::Runc,
            enosys_stub: true,
            libseccomp: crate::host::Libseccomp::Current,
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
            self.caps = ALL_CAPS.iter().map(|s| s.to_string()).collect();
            return Ok(self);
        }
        let add = normalize_caps(add)?;
        let drop = normalize_caps(drop)?;
        let all = |v: &[String]| v.iter().any(|c| c == "ALL");
        let mut caps: BTreeSet<String> = if all(&add) {
            ALL_CAPS.iter().map(|s| s.to_string()).collect()
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
