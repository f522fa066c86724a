//! What a seccomp user-notification supervisor needs to answer for a profile: which ABI a
//! notification came from, how to answer so the caller sees what the profile's own action
//! would have done ([`reply_for`]), how to show the call (`mkdir("/tmp/x", 0777)`,
//! [`format_call`]) and which rule decided ([`decided_by`]). Platform code (the ioctls, reading
//! `/proc/PID/mem`) stays in the shell; this is the part that is policy.

use crate::action::{Action, MAX_ERRNO};
use crate::analysis::{Analysis, Verdict};
use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::diag::Location;
use crate::eval::Source;
use crate::syscalls;

/// `ENOSYS`.
const ENOSYS: u16 = 38;

/// How a supervisor answers a notification to reproduce a filter's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Let the syscall run (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`): ALLOW, LOG.
    Continue,
    /// Fail the syscall with this errno; 0 fakes success (ERRNO(n); TRACE and USER_NOTIF
    /// without a tracer/supervisor give ENOSYS).
    Errno(u16),
    /// Kill: the whole process (KILL_PROCESS and values the kernel does not know), or only the
    /// calling thread (KILL_THREAD), as the kernel would.
    Kill {
        /// The whole thread group.
        process: bool,
    },
    /// Send SIGSYS to the calling thread, then return without running the syscall (TRAP).
    Trap {
        /// The action's data (the kernel puts it in `si_errno`).
        data: u16,
    },
}

/// The reply that reproduces the filter result `ret` for the caller, assuming no ptrace tracer
/// (TRACE → ENOSYS) and no other supervisor (USER_NOTIF → ENOSYS), as under plain `apply`.
/// What each reply does, and where it differs from the kernel: README.md's `apply --explain`
/// table, the one description.
pub fn reply_for(ret: u32) -> Reply {
    match Action::from_ret(ret) {
        Action::Allow | Action::Log => Reply::Continue,
        Action::Errno(n) => Reply::Errno(n.min(MAX_ERRNO)),
        Action::Trace(_) | Action::UserNotif => Reply::Errno(ENOSYS),
        Action::Trap(data) => Reply::Trap { data },
        Action::KillThread => Reply::Kill { process: false },
        Action::KillProcess | Action::Unknown(_) => Reply::Kill { process: true },
    }
}

/// The value the kernel leaves in the return register after a TRAP: it rolls the registers back
/// to the syscall's entry (`syscall_rollback`), which is the syscall number on x86 (`orig_ax`)
/// and the first argument on the other ABIs (`orig_x0`, `orig_a0`, `orig_gpr2`, ...).
pub fn trap_return_value(arch: Arch, nr: u32, args: &[u64; 6]) -> i64 {
    match arch {
        Arch::X86_64 | Arch::X86 | Arch::X32 => nr as i64,
        _ => args[0] as i64,
    }
}

/// The ABI of a notification: `seccomp_data.arch` and `nr` (x32 shares x86_64's AUDIT_ARCH
/// and marks its numbers with bit 30). `None` for an AUDIT_ARCH no ABI has.
pub fn abi_of(audit_arch: u32, nr: u32) -> Option<Arch> {
    let cands = Arch::from_audit_arch(audit_arch);
    if nr & X32_SYSCALL_BIT != 0 && cands.contains(&Arch::X32) {
        return Some(Arch::X32);
    }
    cands.into_iter().find(|&a| a != Arch::X32)
}

/// Integer types printed as signed numbers.
const SIGNED: &[&str] = &[
    "int",
    "long",
    "pid_t",
    "off_t",
    "loff_t",
    "clockid_t",
    "key_serial_t",
    "mqd_t",
    "timer_t",
];

/// A C string literal for `s`: quotes, backslash escapes, `\xNN` for other bytes, cut after
/// `max` bytes with `...` after the closing quote (as strace does).
pub fn c_string(bytes: &[u8], max: usize) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(max) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    if bytes.len() > max {
        s.push_str("...");
    }
    s
}

/// True when argument `i` of `syscall` is an input C string (`const char *`), which a
/// supervisor may read from the caller's memory.
pub fn is_string_arg(syscall: &str, i: usize) -> bool {
    syscalls::prototype(syscall)
        .and_then(|p| p.args.get(i).copied())
        .is_some_and(|p| p.ty.trim() == "const char *")
}

/// A live syscall as C-like text: `mkdir("/tmp/x", 0777)`, `unshare(CLONE_NEWUSER)`,
/// `personality(PER_LINUX|ADDR_NO_RANDOMIZE)`. Arguments follow the prototype: constants where
/// the decoder knows the group, strings through `read_string` (given the pointer; `None` when
/// unreadable, then the pointer is shown), octal modes, signed ints, hex pointers and large
/// values. Unknown numbers print as `nr=N(arg0, ..., arg5)`.
pub fn format_call(
    arch: Arch,
    nr: u32,
    args: &[u64; 6],
    read_string: &mut dyn FnMut(u64) -> Option<Vec<u8>>,
) -> String {
    let Some(name) = syscalls::name(arch, nr) else {
        let a: Vec<String> = args.iter().map(|v| format!("{v:#x}")).collect();
        return format!("nr={nr}({})", a.join(", "));
    };
    let Some(proto) = syscalls::prototype(name) else {
        let a: Vec<String> = args.iter().map(|v| format!("{v:#x}")).collect();
        return format!("{name}({})", a.join(", "));
    };
    let described = syscalls::describe_args(name, args);
    let wide = arch.bits() == 64;
    let mut out = Vec::new();
    for (i, p) in proto.args.iter().enumerate().take(6) {
        let ty = p.ty.trim();
        let int32 = ty == "unsigned int" || ty == "u32" || ty == "uid_t" || ty == "gid_t";
        let v = if wide && !int32 {
            args[i]
        } else {
            args[i] & 0xffff_ffff
        };
        let text = if let Some(d) = described.get(i).cloned().flatten() {
            d
        } else if ty.ends_with('*') {
            if v == 0 {
                "NULL".to_string()
            } else if is_string_arg(name, i) {
                match read_string(v) {
                    Some(b) => c_string(&b, 256),
                    None => format!("{v:#x}"),
                }
            } else {
                format!("{v:#x}")
            }
        } else if ty == "umode_t" || p.name == "mode" {
            format!("0{:o}", v)
        } else if SIGNED.contains(&ty) {
            if ty == "int" || !wide {
                (v as u32 as i32).to_string()
            } else {
                (v as i64).to_string()
            }
        } else if v < 0x1_0000 {
            v.to_string()
        } else {
            format!("{v:#x}")
        };
        out.push(text);
    }
    format!("{name}({})", out.join(", "))
}

/// Where a location is, for a one-line report: `line 59:3 of preset docker`.
fn at(loc: Option<&Location>, origin: &str) -> String {
    match loc {
        Some(l) => format!("line {}:{} of {origin}", l.line, l.column),
        None => origin.to_string(),
    }
}

/// Which part of the profile decided a verdict, in a few words for a one-line report, with the
/// location of the part it names: `syscalls[12] (line 300:9 of preset docker)` (the name in
/// the entry), `default action (line 2:20 of profile.json) — no rule for rmdir`; when entries
/// naming the syscall were left out in this context, each with its own location
/// (`… — no rule for unshare: syscalls[17] (…) at line 617:5 (SCMP_ACT_ALLOW) not applied:
/// requires CAP_SYS_ADMIN, …`).
pub fn decided_by(an: &Analysis, v: &Verdict, origin: &str) -> String {
    let sys = v.name.unwrap_or("this syscall");
    let Some(d) = &v.decision else {
        return "no filter".to_string();
    };
    match &d.source {
        Source::Rule { unconditional, .. } => {
            let how = if *unconditional { "" } else { "argument rule " };
            match &v.rule {
                Some(r) => format!(
                    "{how}syscalls[{}] (\"{}\", {})",
                    r.origin.entry,
                    r.syscall,
                    at(Some(&r.origin.location), origin)
                ),
                None => format!("{how}a rule for {sys}"),
            }
        }
        Source::Default { had_rules, .. } => {
            let why = if *had_rules {
                format!("no argument rule for {sys} matched")
            } else {
                let left: Vec<String> = v
                    .name
                    .map(|n| an.left_out(n))
                    .unwrap_or_default()
                    .iter()
                    .map(|l| l.to_string())
                    .collect();
                if left.is_empty() {
                    format!("no rule for {sys}")
                } else {
                    format!("no rule for {sys}: {}", left.join("; "))
                }
            };
            format!(
                "default action ({}) — {why}",
                at(v.location.as_ref(), origin)
            )
        }
        Source::EnosysStub { max } => format!(
            "runc's ENOSYS stub (number above {max}, the largest the profile names on {})",
            v.arch
        ),
        Source::BadArch | Source::WrongAbiNumber => {
            "the bad-architecture action (an ABI the profile does not cover)".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::context::Context;

    #[test]
    fn replies_reproduce_each_action() {
        assert_eq!(reply_for(Action::Allow.to_ret()), Reply::Continue);
        assert_eq!(reply_for(Action::Log.to_ret()), Reply::Continue);
        assert_eq!(reply_for(Action::Errno(1).to_ret()), Reply::Errno(1));
        assert_eq!(reply_for(Action::Errno(0).to_ret()), Reply::Errno(0));
        assert_eq!(reply_for(0x0005_ffff), Reply::Errno(MAX_ERRNO));
        assert_eq!(reply_for(Action::Trace(7).to_ret()), Reply::Errno(ENOSYS));
        assert_eq!(reply_for(Action::UserNotif.to_ret()), Reply::Errno(ENOSYS));
        assert_eq!(reply_for(Action::Trap(9).to_ret()), Reply::Trap { data: 9 });
        assert_eq!(
            reply_for(Action::KillThread.to_ret()),
            Reply::Kill { process: false }
        );
        assert_eq!(
            reply_for(Action::KillProcess.to_ret()),
            Reply::Kill { process: true }
        );
        assert_eq!(reply_for(0x1234_0000), Reply::Kill { process: true });
        assert_eq!(trap_return_value(Arch::X86_64, 83, &[7; 6]), 83);
        assert_eq!(trap_return_value(Arch::Aarch64, 34, &[7; 6]), 7);
    }

    #[test]
    fn abis_of_notifications() {
        let a = Arch::X86_64.audit_arch();
        assert_eq!(abi_of(a, 59), Some(Arch::X86_64));
        assert_eq!(abi_of(a, 0x4000_0000 | 59), Some(Arch::X32));
        assert_eq!(abi_of(Arch::X86.audit_arch(), 11), Some(Arch::X86));
        assert_eq!(abi_of(0xdead_beef, 1), None);
    }

    #[test]
    fn calls_read_like_c() {
        let mut mem = |p: u64| (p == 0x1000).then(|| b"/tmp/x".to_vec());
        let a = Arch::X86_64;
        assert_eq!(
            format_call(a, 83, &[0x1000, 0o777, 0, 0, 0, 0], &mut mem),
            "mkdir(\"/tmp/x\", 0777)"
        );
        assert_eq!(
            format_call(a, 83, &[0x2000, 0o755, 0, 0, 0, 0], &mut mem),
            "mkdir(0x2000, 0755)"
        );
        assert_eq!(
            format_call(a, 272, &[0x1000_0000, 0, 0, 0, 0, 0], &mut mem),
            "unshare(CLONE_NEWUSER)"
        );
        assert_eq!(
            format_call(a, 135, &[0x40000, 0, 0, 0, 0, 0], &mut mem),
            "personality(PER_LINUX|ADDR_NO_RANDOMIZE)"
        );
        assert_eq!(
            format_call(
                a,
                257,
                &[(-100i64) as u64, 0x1000, 0o1101, 0o644, 0, 0],
                &mut mem
            ),
            "openat(AT_FDCWD, \"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644)"
        );
        assert_eq!(
            format_call(
                a,
                332,
                &[(-100i64) as u64, 0x1000, 0x900, 0x25e, 0x7fff_0000, 0],
                &mut mem
            ),
            "statx(AT_FDCWD, \"/tmp/x\", AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, 606, 0x7fff0000)"
        );
        assert_eq!(
            format_call(
                a,
                263,
                &[(-100i64) as u64, 0x1000, 0x200, 0, 0, 0],
                &mut mem
            ),
            "unlinkat(AT_FDCWD, \"/tmp/x\", AT_REMOVEDIR)"
        );
        assert_eq!(
            format_call(a, 3, &[u32::MAX as u64, 0, 0, 0, 0, 0], &mut mem),
            "close(0xffffffff)"
        );
        assert_eq!(
            format_call(a, 0, &[(-1i64) as u64, 0, 5, 0, 0, 0], &mut mem),
            "read(0xffffffff, NULL, 5)"
        );
        assert_eq!(
            format_call(a, 100_000, &[1, 2, 3, 4, 5, 6], &mut mem),
            "nr=100000(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)"
        );
        assert_eq!(c_string(b"a\"b\n\x01", 16), "\"a\\\"b\\n\\x01\"");
        assert_eq!(c_string(b"abcdef", 3), "\"abc\"...");
    }

    /// 1-based line and column of the first occurrence of `needle` in `text`.
    fn line_col(text: &str, needle: &str) -> (usize, usize) {
        let at = text
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in the text"));
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, col)
    }

    #[test]
    fn the_deciding_rule_in_a_few_words() {
        let text = r#"{"defaultAction":"SCMP_ACT_ERRNO",
"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ALLOW"},
{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
  {"names":["rmdir"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}"#;
        let (dl, dc) = line_col(text, "\"SCMP_ACT_ERRNO\"");
        let default_at = format!("line {dl}:{dc} of p.json");
        let a = analyze(text, &Context::docker(Arch::X86_64));
        let v = a.simulate_call("mkdir(0, 0)", Arch::X86_64).unwrap();
        let (l, c) = line_col(text, "\"mkdir\"");
        assert_eq!(
            decided_by(&a, &v, "p.json"),
            format!("syscalls[0] (\"mkdir\", line {l}:{c} of p.json)")
        );
        let v = a.simulate_call("personality(8)", Arch::X86_64).unwrap();
        let (l, c) = line_col(text, "\"personality\"");
        assert_eq!(
            decided_by(&a, &v, "p.json"),
            format!("argument rule syscalls[1] (\"personality\", line {l}:{c} of p.json)")
        );
        let v = a.simulate_call("personality(0)", Arch::X86_64).unwrap();
        assert_eq!(
            decided_by(&a, &v, "p.json"),
            format!("default action ({default_at}) — no argument rule for personality matched")
        );
        let v = a.simulate_call("chdir(0)", Arch::X86_64).unwrap();
        assert_eq!(
            decided_by(&a, &v, "p.json"),
            format!("default action ({default_at}) — no rule for chdir")
        );
        // The entry left out is named with its own location, the default action with its.
        let v = a.simulate_call("rmdir(0)", Arch::X86_64).unwrap();
        let (el, ec) = line_col(text, "{\"names\":[\"rmdir\"]");
        assert_eq!(
            decided_by(&a, &v, "p.json"),
            format!(
                "default action ({default_at}) — no rule for rmdir: syscalls[2] (rmdir) at line {el}:{ec} (SCMP_ACT_ALLOW) not applied: requires CAP_SYS_ADMIN, which the container does not have"
            )
        );
        assert_eq!((el, ec), (4, 3));
        assert!(
            v.explanation.contains(&format!(
                "syscalls[2] (rmdir) at line {el}:{ec} (SCMP_ACT_ALLOW)"
            )),
            "{}",
            v.explanation
        );
        let docker_text = match crate::presets::get("docker").map(|p| p.kind) {
            Some(crate::presets::PresetKind::Profile(t)) => t,
            _ => panic!("docker preset"),
        };
        let docker = analyze(docker_text, &Context::docker(Arch::X86_64));
        let v = docker
            .simulate_call("unshare(CLONE_NEWUSER)", Arch::X86_64)
            .unwrap();
        let d = decided_by(&docker, &v, "preset docker");
        // Docker's entry for unshare under CAP_SYS_ADMIN: the entry that names unshare
        // first, counted from the text (entries of "syscalls" start at four spaces).
        let syscalls_at = line_col(docker_text, "\"syscalls\": [").0;
        let entries: Vec<(usize, &str)> = docker_text
            .lines()
            .enumerate()
            .filter(|(i, l)| *i >= syscalls_at && *l == "    {")
            .collect();
        let unshare = docker_text
            .lines()
            .position(|l| l.trim() == "\"unshare\"" || l.trim() == "\"unshare\",")
            .unwrap();
        let k = entries.iter().rposition(|(i, _)| *i < unshare).unwrap();
        let (dl, dc) = line_col(docker_text, "\"SCMP_ACT_ERRNO\"");
        assert!(
            d.starts_with(&format!(
                "default action (line {dl}:{dc} of preset docker) — no rule for unshare: syscalls[{k}] ("
            )),
            "{d}"
        );
        assert!(
            d.contains(&format!(
                ") at line {}:5 (SCMP_ACT_ALLOW) not applied: requires CAP_SYS_ADMIN, which the container does not have",
                entries[k].0 + 1
            )),
            "{d}"
        );
        // runc's stub answers numbers above the largest named (personality, 135).
        let v = a.simulate_call("unshare(0)", Arch::X86_64).unwrap();
        assert_eq!(
            decided_by(&a, &v, "p.json"),
            "runc's ENOSYS stub (number above 135, the largest the profile names on x86_64)"
        );
    }
}
