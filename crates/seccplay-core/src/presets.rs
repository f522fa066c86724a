//! Built-in profiles and modes: what `--default`, `docker`, `podman` and the playground's
//! preset menu mean. The real profiles are embedded by `tools/gen-tables` (see NOTICE).

use crate::tables::presets as gen;
use serde::Serialize;

/// What a preset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PresetKind {
    /// A seccomp profile (JSON text).
    Profile(&'static str),
    /// `SECCOMP_MODE_STRICT`: read, write, exit and sigreturn only.
    Strict,
    /// No filter at all (`--security-opt seccomp=unconfined`).
    Unconfined,
}

/// A named preset.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Preset {
    /// Short name used on the command line (`docker`).
    pub name: &'static str,
    /// Title for menus.
    pub title: &'static str,
    /// One sentence about it.
    pub description: &'static str,
    /// The profile or mode.
    pub kind: PresetKind,
}

/// A small annotated example: what most people write first.
pub const EXAMPLE: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "archMap": [
    { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
    { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
  ],
  "syscalls": [
    {
      "comment": "what a shell needs to start and run simple commands",
      "names": ["read", "write", "openat", "close", "fstat", "newfstatat", "mmap", "munmap",
                "mprotect", "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "ioctl",
                "pread64", "access", "faccessat2", "execve", "exit_group", "wait4", "clone",
                "getpid", "getuid", "geteuid", "getgid", "getegid", "uname", "fcntl", "getcwd",
                "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
                "getrandom", "dup2", "pipe2", "lseek", "statx"],
      "action": "SCMP_ACT_ALLOW"
    },
    {
      "comment": "mkdir fails with EACCES instead of EPERM",
      "names": ["mkdir", "mkdirat"],
      "action": "SCMP_ACT_ERRNO",
      "errnoRet": 13
    },
    {
      "comment": "only the plain Linux personality, and the query form",
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{ "index": 0, "value": 0, "op": "SCMP_CMP_EQ" }]
    },
    {
      "names": ["personality"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{ "index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ" }]
    },
    {
      "comment": "no new user namespaces: the flag is checked with a mask",
      "names": ["unshare"],
      "action": "SCMP_ACT_ALLOW",
      "args": [{ "index": 0, "value": 268435456, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" }]
    }
  ]
}
"#;

/// Every preset, in menu order.
pub const ALL: &[Preset] = &[
    Preset {
        name: "docker",
        title: "Docker default (current)",
        description: "moby's default profile: ~370 syscalls allowed, EPERM for the rest, argument rules for socket, personality and clone, capability-dependent groups.",
        kind: PresetKind::Profile(gen::DOCKER_DEFAULT),
    },
    Preset {
        name: "docker-2020",
        title: "Docker default (2020)",
        description: "moby's default profile as of November 2020 (no defaultErrnoRet, no minKernel).",
        kind: PresetKind::Profile(gen::DOCKER_DEFAULT_2020),
    },
    Preset {
        name: "podman",
        title: "Podman default",
        description: "containers/common's default profile: ENOSYS as the default errno, per-rule errnoRet.",
        kind: PresetKind::Profile(gen::PODMAN_DEFAULT),
    },
    Preset {
        name: "example",
        title: "Small annotated example",
        description: "A short allow-list with an errnoRet, argument rules and a masked comparison.",
        kind: PresetKind::Profile(EXAMPLE),
    },
    Preset {
        name: "strict",
        title: "Strict mode",
        description: "SECCOMP_MODE_STRICT: only read, write, _exit and sigreturn; anything else kills with SIGKILL.",
        kind: PresetKind::Strict,
    },
    Preset {
        name: "unconfined",
        title: "Unconfined",
        description: "No filter, as with --security-opt seccomp=unconfined.",
        kind: PresetKind::Unconfined,
    },
];

/// True for the preset that is Docker's built-in default: a container runs with it when no
/// `--security-opt seccomp=` is given, so `--privileged` switches it off
/// ([`Context::explicit_profile`](crate::context::Context::explicit_profile) false). Any other
/// profile reaches Docker through `--security-opt seccomp=FILE`, which `--privileged` keeps.
pub fn is_builtin_default(name: &str) -> bool {
    name == "docker"
}

/// Looks a preset up by name.
pub fn get(name: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Arch;
    use crate::context::Context;

    #[test]
    fn every_profile_preset_analyzes_cleanly() {
        for p in ALL {
            if let PresetKind::Profile(text) = p.kind {
                let a = crate::analysis::analyze(text, &Context::docker(Arch::X86_64));
                assert!(!a.failed(), "{}: {:?}", p.name, a.first_error());
                assert!(a.program.is_some(), "{}", p.name);
            }
        }
    }

    #[test]
    fn docker_preset_decides_the_classics() {
        let PresetKind::Profile(text) = get("docker").unwrap().kind else {
            panic!()
        };
        let a = crate::analysis::analyze(text, &Context::docker(Arch::X86_64));
        let v = |s: &str| a.simulate_call(s, Arch::X86_64).unwrap().ret;
        assert_eq!(v("unshare(CLONE_NEWUSER)"), 0x0005_0001);
        assert_eq!(v("personality(0xffffffff)"), 0x7fff_0000);
        assert_eq!(v("personality(0x1234)"), 0x0005_0001);
        assert_eq!(v("socket(AF_INET, SOCK_STREAM, 0)"), 0x7fff_0000);
        assert_eq!(v("socket(AF_VSOCK, SOCK_STREAM, 0)"), 0x0005_0001);
        assert_eq!(v("clone3()"), 0x0005_0026);
    }
}
