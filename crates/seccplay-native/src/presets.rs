//! STOPGAP until `seccplay_core::presets` lands: the brief's preset names, mapped to profile
//! text. Docker's and Podman's profiles are not embedded (the project only embeds what its own
//! generator produces); they are read from the reference data (`$SECCPLAY_REFDATA`, or
//! `../shared/refdata` next to the source tree). The small presets are written here.
//! This whole module should be replaced by `seccplay_core::presets::{ALL, get}`.

use std::path::PathBuf;

/// A named built-in profile.
pub struct Preset {
    /// The name users type.
    pub name: &'static str,
    /// One line for `--help`.
    pub about: &'static str,
    source: Source,
}

enum Source {
    Refdata(&'static str),
    Inline(&'static str),
}

const STRICT: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 1,
  "syscalls": [
    {"names": ["read", "write", "readv", "writev", "close", "exit", "exit_group", "rt_sigreturn",
               "rt_sigaction", "rt_sigprocmask", "brk", "mmap", "munmap", "mprotect", "fstat",
               "newfstatat", "openat", "lseek", "execve", "arch_prctl", "set_tid_address",
               "set_robust_list", "rseq", "prlimit64", "getrandom", "access", "pread64",
               "futex", "getpid", "gettid", "uname", "ioctl", "fcntl", "statx", "readlink",
               "clock_gettime", "clock_nanosleep", "nanosleep", "getcwd", "dup2", "dup3"],
     "action": "SCMP_ACT_ALLOW"}
  ]
}"#;

const UNCONFINED: &str = r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#;

/// Every preset, in `--help` order.
pub const ALL: &[Preset] = &[
    Preset {
        name: "docker",
        about: "Docker's built-in default profile (moby profiles/seccomp default.json)",
        source: Source::Refdata("profiles/docker/default.json"),
    },
    Preset {
        name: "docker-2020",
        about: "Docker's default profile as of 2020-11-11",
        source: Source::Refdata("profiles/docker/default-2020-11-11-f7bcb02f.json"),
    },
    Preset {
        name: "podman",
        about: "Podman's default (containers/common seccomp.json)",
        source: Source::Refdata("profiles/podman/containers-common-seccomp.json"),
    },
    Preset {
        name: "example",
        about: "moby's example fixture profile",
        source: Source::Refdata("profiles/docker/fixture-example.json"),
    },
    Preset {
        name: "strict",
        about: "a small allow-list (ERRNO(EPERM) for everything else)",
        source: Source::Inline(STRICT),
    },
    Preset {
        name: "unconfined",
        about: "allows everything (defaultAction ALLOW, no rules)",
        source: Source::Inline(UNCONFINED),
    },
];

/// The preset called `name`.
pub fn get(name: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.name == name)
}

fn refdata_dir() -> PathBuf {
    match std::env::var_os("SECCPLAY_REFDATA") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/refdata"
        )),
    }
}

impl Preset {
    /// The profile text.
    pub fn text(&self) -> Result<String, String> {
        match self.source {
            Source::Inline(t) => Ok(t.to_string()),
            Source::Refdata(rel) => {
                let path = refdata_dir().join(rel);
                std::fs::read_to_string(&path).map_err(|e| {
                    format!(
                        "preset \"{}\" is read from the reference data until seccplay-core embeds it, and {} is unreadable ({e}); set SECCPLAY_REFDATA or pass the profile's path",
                        self.name,
                        path.display()
                    )
                })
            }
        }
    }
}

/// The `--help` paragraph listing the presets.
pub fn help() -> String {
    let mut s = String::from("Presets (PROFILE may name one instead of a path):\n");
    for p in ALL {
        s.push_str(&format!("  {:<12} {}\n", p.name, p.about));
    }
    s
}
