//! Recording a command's syscalls and writing the Docker-format profile that allows them.
//!
//! A [`Recorder`] counts the syscalls a supervisor saw (and, with argument recording, the
//! values of the arguments Docker's default profile rules on: clone's flags, socket's family,
//! personality's persona). [`Recorder::profile`] writes a profile: default
//! `SCMP_ACT_ERRNO` (EPERM), the architectures seen, then the syscalls grouped — recorded,
//! needed to exec but not seen, allowed by the base profile — each group's names sorted and
//! its `comment` saying how many times each was seen; argument rules one entry per value.

use crate::arch::Arch;
use crate::supervise::abi_of;
use crate::syscalls;
use std::collections::{BTreeMap, BTreeSet};

/// The arguments recorded as rules with argument recording on: `(syscall, argument index)`.
/// These are the arguments Docker's default profile rules on (clone's flags, socket's address
/// family, personality's persona). clone3 is not here: its flags are in memory, where seccomp
/// cannot look, so they go in a comment ([`Recorder::add_clone3_flags`]).
pub const ARG_RULES: &[(&str, usize)] = &[("clone", 0), ("socket", 0), ("personality", 0)];

/// Syscalls every recorded profile allows, seen or not, because the runtime makes them between
/// installing the filter and the command's first instruction:
///
/// * `execve` itself, and the `read`/`write` of seccplay's listener handshake (the recording
///   filter lets those through for its own descriptors, so they are not counted);
/// * runc's init after the filter: unless no_new_privs is set (Docker sets it only with
///   `--security-opt no-new-privileges`), runc installs the filter *before* dropping privileges,
///   so capabilities, groups, uid/gid, the working directory and closing descriptors
///   (`finalizeNamespace`) run under it: `capget`, `capset`, `setgroups`, `setresgid`,
///   `setresuid`, `setgid`, `setuid`, `prctl`, `chdir`, `fchdir`, `getppid`, `close`,
///   `close_range`, `fcntl`, `fstat`, `newfstatat`, `openat`, `getdents64`;
/// * what the Go runtime's threads of runc may call meanwhile (the filter is installed with
///   TSYNC): `futex`, `nanosleep`, `sched_yield`, `epoll_pwait`, `epoll_ctl`, `tgkill`,
///   `getpid`, `gettid`, `rt_sigaction`, `rt_sigprocmask`, `rt_sigreturn`, `sigaltstack`,
///   `mmap`, `munmap`, `madvise`, `exit`, `exit_group`.
///
/// Chosen from runc's init sequence and cross-checked against the base list of the
/// security-profiles-operator's `spoc record` (which also lists runc's namespace setup before
/// the filter — mount, pivot_root, sethostname, ... — left out here). Not verified against a
/// traced runc. Names an ABI does not have are skipped.
pub const EXEC_NEEDS: &[&str] = &[
    "execve",
    "read",
    "write",
    "capget",
    "capset",
    "setgroups",
    "setresgid",
    "setresuid",
    "setgid",
    "setuid",
    "prctl",
    "chdir",
    "fchdir",
    "getppid",
    "close",
    "close_range",
    "fcntl",
    "fstat",
    "newfstatat",
    "openat",
    "getdents64",
    "futex",
    "nanosleep",
    "sched_yield",
    "epoll_pwait",
    "epoll_ctl",
    "tgkill",
    "getpid",
    "gettid",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sigaltstack",
    "mmap",
    "munmap",
    "madvise",
    "exit",
    "exit_group",
];

/// A base profile's contribution: its name and the syscalls it allows whatever the arguments
/// (the recording filter lets those through unseen).
#[derive(Clone, Debug, Default)]
pub struct Base {
    /// For the comment: `preset docker`, `base.json`.
    pub origin: String,
    /// Syscall names.
    pub allowed: Vec<&'static str>,
}

/// The syscalls of a recording, with counts.
#[derive(Clone, Debug)]
pub struct Recorder {
    with_args: bool,
    arches: BTreeSet<Arch>,
    calls: BTreeMap<&'static str, u64>,
    values: BTreeMap<(&'static str, usize), BTreeMap<u64, u64>>,
    clone3_flags: BTreeMap<u64, u64>,
    unnamed: BTreeMap<(u32, u32), u64>,
}

impl Recorder {
    /// An empty recording on the `native` ABI; `with_args` records [`ARG_RULES`] values.
    pub fn new(native: Arch, with_args: bool) -> Recorder {
        Recorder {
            with_args,
            arches: BTreeSet::from([native]),
            calls: BTreeMap::new(),
            values: BTreeMap::new(),
            clone3_flags: BTreeMap::new(),
            unnamed: BTreeMap::new(),
        }
    }

    /// Counts one notification (`seccomp_data.arch`, `nr`, `args`). Returns the syscall's name
    /// when it has one on its ABI.
    pub fn add(&mut self, audit_arch: u32, nr: u32, args: &[u64; 6]) -> Option<&'static str> {
        let Some((arch, name)) =
            abi_of(audit_arch, nr).and_then(|a| syscalls::name(a, nr).map(|n| (a, n)))
        else {
            *self.unnamed.entry((audit_arch, nr)).or_default() += 1;
            return None;
        };
        self.arches.insert(arch);
        *self.calls.entry(name).or_default() += 1;
        if self.with_args {
            for &(s, i) in ARG_RULES {
                if s == name {
                    let v = if arch.bits() == 64 {
                        args[i]
                    } else {
                        args[i] & 0xffff_ffff
                    };
                    *self.values.entry((s, i)).or_default().entry(v).or_default() += 1;
                }
            }
        }
        Some(name)
    }

    /// Counts the flags of a clone3 call (`struct clone_args.flags`, which the supervisor read
    /// from the caller's memory). They end up in a comment: seccomp cannot compare them.
    pub fn add_clone3_flags(&mut self, flags: u64) {
        *self.clone3_flags.entry(flags).or_default() += 1;
    }

    /// Every syscall seen, by name, with its count.
    pub fn calls(&self) -> &BTreeMap<&'static str, u64> {
        &self.calls
    }

    /// Notifications whose number has no name on its ABI: `(AUDIT_ARCH, nr)` → count. A
    /// Docker profile cannot name them, so they are left out of it.
    pub fn unnamed(&self) -> &BTreeMap<(u32, u32), u64> {
        &self.unnamed
    }

    /// Total notifications counted.
    pub fn total(&self) -> u64 {
        self.calls.values().sum::<u64>() + self.unnamed.values().sum::<u64>()
    }

    /// The Docker-format profile (JSON text, deterministic) allowing what was recorded.
    pub fn profile(&self, base: Option<&Base>) -> String {
        let ruled: BTreeSet<&str> = if self.with_args {
            ARG_RULES
                .iter()
                .map(|r| r.0)
                .chain(["clone3"])
                .filter(|n| self.calls.contains_key(n))
                .collect()
        } else {
            BTreeSet::new()
        };
        let has = |n: &str| {
            self.arches
                .iter()
                .any(|&a| matches!(syscalls::resolve(a, n), syscalls::Resolved::Number(_)))
        };
        let recorded: Vec<(&str, u64)> = self
            .calls
            .iter()
            .filter(|(n, _)| !ruled.contains(**n))
            .map(|(n, c)| (*n, *c))
            .collect();
        let base_names: BTreeSet<&str> = base
            .map(|b| b.allowed.iter().copied().collect())
            .unwrap_or_default();
        let needs: Vec<&str> = {
            let mut v: Vec<&str> = EXEC_NEEDS
                .iter()
                .copied()
                .filter(|n| has(n) && !self.calls.contains_key(n) && !base_names.contains(n))
                .collect();
            crate::sort::sort(&mut v);
            v
        };
        let base_only: Vec<&str> = base_names
            .iter()
            .copied()
            .filter(|n| !self.calls.contains_key(n))
            .collect();

        let mut entries = Vec::new();
        if !recorded.is_empty() {
            let counts: Vec<String> = recorded.iter().map(|(n, c)| format!("{n} {c}")).collect();
            entries.push(entry(
                recorded.iter().map(|r| r.0).collect(),
                None,
                &format!(
                    "recorded by seccplay-native record (times seen): {}",
                    counts.join(", ")
                ),
            ));
        }
        for ((name, idx), vals) in &self.values {
            for (v, c) in vals {
                let sym = syscalls::describe_arg(name, *idx, *v)
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                entries.push(entry(
                    vec![name],
                    Some((*idx, *v)),
                    &format!(
                        "recorded: {name} with args[{idx}] = {v:#x}{sym}, seen {c} time{}",
                        if *c == 1 { "" } else { "s" }
                    ),
                ));
            }
        }
        if let Some(n) = self.calls.get("clone3").filter(|_| self.with_args) {
            let flags: Vec<String> = self
                .clone3_flags
                .iter()
                .map(|(f, c)| {
                    let sym = syscalls::describe_arg("clone", 0, *f)
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default();
                    format!("{f:#x}{sym} {c}")
                })
                .collect();
            entries.push(entry(
                vec!["clone3"],
                None,
                &format!(
                    "recorded: clone3 seen {n} time{}; its flags are in memory, where seccomp cannot compare them (times seen): {}",
                    if *n == 1 { "" } else { "s" },
                    if flags.is_empty() { "none read".to_string() } else { flags.join(", ") }
                ),
            ));
        }
        if !needs.is_empty() {
            entries.push(entry(
                needs,
                None,
                "not seen, but the runtime may need them between installing the filter and the command's first instruction (the exec; runc's privilege drop and Go runtime threads)",
            ));
        }
        if let Some(b) = base {
            if !base_only.is_empty() {
                entries.push(entry(
                    base_only,
                    None,
                    &format!(
                        "allowed by the base profile {} (not recorded: the recording filter let them through unseen)",
                        b.origin
                    ),
                ));
            }
        }
        let arches: Vec<String> = self
            .arches
            .iter()
            .map(|a| crate::json::quote(&a.oci_name()))
            .collect();
        format!(
            "{{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"defaultErrnoRet\": 1,\n  \"architectures\": [{}],\n  \"syscalls\": [\n{}\n  ]\n}}\n",
            arches.join(", "),
            entries.join(",\n")
        )
    }
}

fn entry(names: Vec<&str>, arg: Option<(usize, u64)>, comment: &str) -> String {
    let names: Vec<String> = names.iter().map(|n| crate::json::quote(n)).collect();
    let mut s = format!(
        "    {{\n      \"names\": [{}],\n      \"action\": \"SCMP_ACT_ALLOW\",\n",
        names.join(", ")
    );
    if let Some((i, v)) = arg {
        s.push_str(&format!(
            "      \"args\": [{{\"index\": {i}, \"value\": {v}, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}}],\n"
        ));
    }
    s.push_str(&format!(
        "      \"comment\": {}\n    }}",
        crate::json::quote(comment)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::analysis::analyze;
    use crate::context::Context;

    fn nr(n: &str) -> u32 {
        match syscalls::resolve(Arch::X86_64, n) {
            syscalls::Resolved::Number(x) => x,
            _ => panic!("{n}"),
        }
    }

    #[test]
    fn a_recorded_profile_allows_what_was_seen_and_nothing_else() {
        let a = Arch::X86_64;
        let au = a.audit_arch();
        let mut r = Recorder::new(a, false);
        for _ in 0..3 {
            r.add(au, nr("mkdir"), &[0; 6]);
        }
        r.add(au, nr("openat"), &[0; 6]);
        r.add(au, 100_000, &[0; 6]);
        assert_eq!(r.total(), 5);
        assert_eq!(r.calls().get("mkdir"), Some(&3));
        assert_eq!(r.unnamed().len(), 1);
        let text = r.profile(None);
        assert_eq!(text, r.profile(None), "deterministic");
        assert!(text.contains("mkdir 3, openat 1"), "{text}");
        let an = analyze(&text, &Context::docker(a));
        assert!(!an.failed(), "{:?}", an.diagnostics);
        let act = |c: &str| an.simulate_call(c, a).unwrap().action;
        assert_eq!(act("mkdir(0, 0)"), Action::Allow);
        assert_eq!(act("execve(0, 0, 0)"), Action::Allow);
        assert_eq!(act("exit_group(0)"), Action::Allow);
        assert_eq!(act("unshare(0)"), Action::Errno(1));
        assert_eq!(act("rmdir(0)"), Action::Errno(1));
    }

    #[test]
    fn argument_rules_and_base_profiles() {
        let a = Arch::X86_64;
        let au = a.audit_arch();
        let mut r = Recorder::new(a, true);
        r.add(au, nr("personality"), &[8, 0, 0, 0, 0, 0]);
        r.add(au, nr("personality"), &[8, 0, 0, 0, 0, 0]);
        r.add(au, nr("socket"), &[1, 1, 0, 0, 0, 0]);
        r.add(au, nr("clone"), &[0x0120_0011, 0, 0, 0, 0, 0]);
        let base = Base {
            origin: "preset example".into(),
            allowed: vec!["getpid", "brk"],
        };
        let text = r.profile(Some(&base));
        assert!(text.contains("seen 2 times"), "{text}");
        assert!(text.contains("AF_UNIX"), "{text}");
        let an = analyze(&text, &Context::docker(a));
        assert!(!an.failed(), "{:?}", an.diagnostics);
        let act = |c: &str| an.simulate_call(c, a).unwrap().action;
        assert_eq!(act("personality(8)"), Action::Allow);
        assert_eq!(act("personality(0x40000)"), Action::Errno(1));
        assert_eq!(act("socket(AF_UNIX, 1, 0)"), Action::Allow);
        assert_eq!(act("socket(AF_NETLINK, 3, 0)"), Action::Errno(1));
        assert_eq!(act("clone(0x1200011)"), Action::Allow);
        assert_eq!(act("clone(CLONE_NEWUSER|SIGCHLD)"), Action::Errno(1));
        assert_eq!(act("brk(0)"), Action::Allow);
        assert_eq!(act("getpid()"), Action::Allow);
        assert!(text.contains("allowed by the base profile preset example"));
        // clone3: its own entry, flags in the comment, no argument rule.
        r.add(au, nr("clone3"), &[0x7fff_0000, 88, 0, 0, 0, 0]);
        r.add_clone3_flags(0x0001_0000 | 0x0000_0100);
        let text = r.profile(None);
        assert!(
            text.contains("clone3 seen 1 time; its flags are in memory")
                && text.contains("CLONE_VM|CLONE_THREAD"),
            "{text}"
        );
        let an = analyze(&text, &Context::docker(a));
        assert_eq!(
            an.simulate_call("clone3(0, 88)", a).unwrap().action,
            Action::Allow
        );
    }
}
