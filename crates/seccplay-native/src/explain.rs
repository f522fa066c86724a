//! `apply --explain`: run a command under a profile and say which syscall was blocked, how,
//! and by which rule.
//!
//! The installed program is the profile's compiled program with every non-ALLOW return turned
//! into USER_NOTIF (`bpf::notify::notify_instead`, same paths otherwise). For each
//! notification the original program runs in the core's interpreter on the notification's
//! `seccomp_data`, which gives the exact action; the analysis gives the deciding rule
//! (`supervise::decided_by`); the answer reproduces the action (`supervise::reply_for`):
//!
//! * ERRNO(n): the same errno; ERRNO(0) fakes success, as the kernel does.
//! * KILL_PROCESS: SIGKILL to the process. The kernel would kill with SIGSYS (and a core
//!   dump); when the command itself dies so, the exit status is reported as 128+31 with the
//!   SIGSYS message, as plain `apply` does. Its own children see SIGKILL, not SIGSYS.
//! * KILL_THREAD: as KILL_PROCESS when the thread is alone; otherwise the whole process dies
//!   too, because no signal kills one thread of several from outside (the kernel kills only the
//!   thread). The report says so.
//! * TRAP: `tgkill(SIGSYS)` to the thread, then the syscall returns the value the kernel leaves
//!   (the syscall number on x86). The siginfo differs: `si_code` is SI_TKILL, not SYS_SECCOMP,
//!   and `si_syscall`, `si_arch`, `si_call_addr`, `si_errno` are not filled in.
//! * TRACE (no tracer) and the profile's own USER_NOTIF (no other supervisor): ENOSYS.
//! * LOG: the syscall runs (CONTINUE); the audit log gets no record of it.
//!
//! USER_NOTIF with CONTINUE is not a security boundary (the kernel docs say so: the memory the
//! supervisor read may change before the syscall runs), and that is fine here: every syscall
//! that runs, runs because the profile allows it (ALLOW never notifies) or logs it (LOG).

use crate::child::{self, setup, Death};
use crate::notif::{self, Answer, Handshake, Listener};
use crate::{ctx, sys, Fail};
use seccplay_core::action::Action;
use seccplay_core::analysis::describe_action;
use seccplay_core::analysis::Analysis;
use seccplay_core::bpf::notify::notify_instead;
use seccplay_core::eval::Query;
use seccplay_core::supervise::{self, Reply};
use seccplay_core::syscalls;
use std::collections::BTreeMap;
use std::ffi::CString;

/// What `apply` hands to the supervisor: the command and the profile's planned filter.
pub struct Supervised<'a> {
    /// The command, as C strings.
    pub argv: Vec<CString>,
    /// The command's name, for messages.
    pub cmd0: &'a str,
    /// Where the profile came from, for messages.
    pub origin: &'a str,
    /// The profile's analysis in the context given.
    pub an: &'a Analysis,
    /// The seccomp(2) flags `apply` planned (NEW_LISTENER and friends are added by `notif`).
    pub flags: u32,
    /// Set no_new_privs before installing.
    pub nnp: bool,
    /// One JSON object per line instead of text.
    pub json: bool,
}

/// Runs `apply --explain`.
pub fn run(s: Supervised) -> Result<u8, Fail> {
    let Supervised {
        argv,
        cmd0,
        origin,
        an,
        flags,
        nnp,
        json,
    } = s;
    let native = ctx::native_arch().map_err(|f| setup(f.message))?;
    let Some(program) = an.program.as_ref() else {
        return Err(setup(format!("{origin}: no program was compiled")));
    };
    let notified = notify_instead(&program.insns).map_err(|e| {
        setup(format!(
            "{origin}: cannot derive the explaining program: {e}"
        ))
    })?;
    let build = |hs: Handshake| {
        // The handshake runs under the filter before we hold the listener: the profile must
        // allow it, or the child would wait for an answer nobody can give.
        for (name, fd) in [("write", hs.ready), ("write", hs.report), ("read", hs.go)] {
            let nr = match syscalls::resolve(native, name) {
                syscalls::Resolved::Number(n) => n,
                _ => continue,
            };
            let v = an.simulate(
                native,
                Query {
                    audit_arch: native.audit_arch(),
                    nr,
                    args: [fd as u64, 0, 4, 0, 0, 0],
                    instruction_pointer: 0,
                },
            );
            if !Action::from_ret(v.program_ret.unwrap_or(v.ret)).is_allow() {
                return Err(setup(format!(
                    "--explain: {origin} does not allow {name}({fd}, ...) ({}), which seccplay makes under the filter to hand its listener to the supervisor; the command did not run",
                    describe_action(v.ret)
                )));
            }
        }
        Ok(sys::sock_filters(&notified))
    };
    let mut tally: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut killed: Vec<(i32, &'static str)> = Vec::new();
    let mut on = |l: &Listener, n: &sys::Notif| -> Answer {
        let arch = supervise::abi_of(n.arch, n.nr).unwrap_or(native);
        let q = Query {
            audit_arch: n.arch,
            nr: n.nr,
            args: n.args,
            instruction_pointer: n.ip,
        };
        let v = an.simulate(arch, q);
        let ret = v.program_ret.unwrap_or(v.ret);
        let call = supervise::format_call(arch, n.nr, &n.args, &mut |p| {
            notif::read_string(n.tid, p, 4096)
        });
        // What we read belongs to this syscall only if the thread is still waiting in it.
        if !l.valid(n.id) {
            return Answer::Nothing;
        }
        let tgid = notif::tgid_of(n.tid).unwrap_or(n.tid);
        let action = describe_action(ret);
        let reply = supervise::reply_for(ret);
        let kind = match reply {
            Reply::Continue => "continue",
            Reply::Errno(_) => "errno",
            Reply::Trap { .. } => "trap",
            Reply::Kill { .. } => "kill",
        };
        let (answer, what) = match reply {
            Reply::Continue => (Answer::Continue, String::new()),
            Reply::Errno(e) => (
                Answer::Return {
                    val: 0,
                    error: -(e as i32),
                },
                String::new(),
            ),
            Reply::Trap { .. } => {
                let r = sys::tgkill(tgid, n.tid, libc::SIGSYS);
                let val = supervise::trap_return_value(arch, n.nr, &n.args);
                (
                    Answer::Return { val, error: 0 },
                    match r {
                        Ok(()) => format!("; SIGSYS sent to thread {}", n.tid),
                        Err(e) => format!("; sending SIGSYS to thread {} failed: {e}", n.tid),
                    },
                )
            }
            Reply::Kill { process } => {
                let alone = notif::threads_of(tgid) == Some(1);
                let r = sys::kill(tgid, libc::SIGKILL);
                killed.push((
                    tgid,
                    if process {
                        "KILL_PROCESS"
                    } else {
                        "KILL_THREAD"
                    },
                ));
                let how = match (process, alone) {
                    (true, _) | (false, true) => format!(
                        "; seccplay killed process {tgid} with SIGKILL (the kernel would send SIGSYS)"
                    ),
                    (false, false) => format!(
                        "; seccplay killed all of process {tgid} with SIGKILL (the kernel would kill only thread {} with SIGSYS: one thread of several cannot be killed from outside)",
                        n.tid
                    ),
                };
                let how = match r {
                    Ok(()) => how,
                    Err(e) => format!("; killing process {tgid} failed: {e}"),
                };
                (Answer::Nothing, how)
            }
        };
        let name = v
            .name
            .map(str::to_string)
            .unwrap_or_else(|| format!("nr={}", n.nr));
        *tally.entry((name.clone(), action.clone())).or_default() += 1;
        let mut decided = supervise::decided_by(an, &v, origin);
        if ret != v.ret {
            // The program decides what happens; the rule database explains it. They agree on
            // every input the conformance suite tries; say so loudly if they do not.
            decided.push_str(&format!(
                " [the rule database says {} but the program returned {ret:#010x}: a seccplay bug, please report it]",
                describe_action(v.ret)
            ));
        }
        if json {
            let line = serde_json::json!({
                "pid": n.tid,
                "tgid": tgid,
                "arch": arch.name(),
                "nr": n.nr,
                "syscall": v.name,
                "call": call,
                "args": n.args.iter().map(|x| format!("{x:#x}")).collect::<Vec<_>>(),
                "action": action,
                "ret": format!("{ret:#010x}"),
                "errno": Action::from_ret(ret).errno(),
                "decided_by": decided,
                "location": v.location.as_ref().map(|l| serde_json::json!({"line": l.line, "column": l.column, "path": l.path})),
                "explanation": v.explanation,
                "reply": kind,
                "note": what.trim_start_matches("; "),
            });
            say!("{}", crate::schema::line(line));
        } else {
            say!(
                "seccplay: pid {} {call} → {action} — {decided}{what}",
                n.tid
            );
        }
        answer
    };
    let (pid, status) = notif::run(&argv, nnp, flags, &build, &mut on)?;
    let death = match killed.iter().find(|k| k.0 == pid) {
        Some(k) => Death::Supervisor(k.1),
        None => Death::Plain,
    };
    let code = child::exit_status(cmd0, status, death);
    summary(&tally, json, code);
    Ok(code)
}

fn summary(tally: &BTreeMap<(String, String), u64>, json: bool, code: u8) {
    let blocked: Vec<_> = tally.iter().filter(|((_, act), _)| act != "LOG").collect();
    if json {
        let rows: Vec<_> = tally
            .iter()
            .map(|((s, a), c)| serde_json::json!({"syscall": s, "action": a, "count": c}))
            .collect();
        say!(
            "{}",
            crate::schema::line(serde_json::json!({"summary": rows, "exit_status": code}))
        );
        return;
    }
    let calls: u64 = blocked.iter().map(|(_, c)| **c).sum();
    if blocked.is_empty() {
        say!("seccplay: summary: nothing was blocked (exit status {code})");
        return;
    }
    say!(
        "seccplay: summary: {} syscall{} blocked, {calls} call{} (exit status {code}):",
        blocked.len(),
        if blocked.len() == 1 { "" } else { "s" },
        if calls == 1 { "" } else { "s" }
    );
    let w = blocked.iter().map(|((s, _), _)| s.len()).max().unwrap_or(0);
    for ((s, a), c) in &blocked {
        say!("seccplay:   {s:<w$} {c:>5}  {a}");
    }
    let logged: Vec<_> = tally.iter().filter(|((_, a), _)| a == "LOG").collect();
    for ((s, _), c) in logged {
        say!("seccplay:   {s:<w$} {c:>5}  LOG (ran)");
    }
}
