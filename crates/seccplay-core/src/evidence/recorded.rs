//! What each traced call really got (strace's `= result`, a following `--- SIGSYS {…} ---`
//! or `+++ killed by SIGSYS +++`), compared with what the profile predicts: a log taken
//! where a filter already ran tells whether the profile given is the one that ran.
//!
//! 1. [`recorded_of`] reads every call's outcome: a value (`= 3`), an error (`= -1 EPERM
//!    (…)`), a TRAP (a `SIGSYS` signal with `si_code=SYS_SECCOMP` right after the call, on its
//!    pid), a kill (`+++ killed by SIGSYS +++` right after it, no such signal), exit/exit_group
//!    that ended the process, or nothing (`= ?`, `= ? ERESTARTSYS`, `<unfinished ...>`).
//! 2. [`compare`] sets it against the predicted action. Only a refusal gives a definite
//!    expectation: ERRNO(x) must show `-1 x`, KILL a death by SIGSYS, TRAP a SIGSYS signal.
//!    Under ALLOW the kernel answers, and any value or error is possible:
//!
//!    | predicted \ recorded | value | -1 EPERM/EACCES/ENOSYS | other -1 E… | TRAP | killed | no result |
//!    |---|---|---|---|---|---|---|
//!    | ALLOW, LOG | match | undetermined (kernel, LSM, or a filter) | match | mismatch | mismatch¹ | undetermined |
//!    | ERRNO(x) | mismatch² | match if x, else mismatch | match if x, else mismatch | mismatch | mismatch | undetermined |
//!    | KILL_* | mismatch | mismatch | mismatch | mismatch | match | undetermined |
//!    | TRAP | mismatch | mismatch | mismatch | match | mismatch | undetermined |
//!    | TRACE, USER_NOTIF, depends, unknown | undetermined (a tracer, a supervisor or an unseen argument decides) |||||
//!
//!    ¹ undetermined when several threads died by SIGSYS (KILL_PROCESS kills every thread: the
//!    refused call may be another's). ² match for ERRNO(0) and a recorded 0. A finished
//!    exit/exit_group matches ALLOW and contradicts a refusal.
//! 3. For a trace taken under a filter, a mismatch means the profile given is not the one
//!    that ran, or the context (architecture, capabilities, runtime, kernel) differs; for one
//!    taken without a filter (the usual prediction) it is what the profile would change:
//!    [`MISMATCH`] says both.

use crate::action::Action;
use crate::evidence::predict::{Answer, Status};
use crate::evidence::strace::Trace;
use crate::syscalls;
use serde::Serialize;

/// The sentence every mismatch carries.
pub const MISMATCH: &str = "if the trace was taken under a filter, the profile given is not the one that ran, or the context (architecture, capabilities, runtime, kernel) differs from the one the trace was taken in; a trace taken without a filter shows what this profile would change";

/// What strace recorded for one call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recorded {
    /// The call returned a value (`3`, `0x7f…`, `0`).
    Value {
        /// As strace printed it, first word.
        value: String,
    },
    /// `-1 ENAME (…)`.
    Errno {
        /// `EPERM`.
        name: String,
    },
    /// A `SIGSYS` with `si_code=SYS_SECCOMP` followed the call: a TRAP.
    Trapped,
    /// `+++ killed by SIGSYS +++` followed the call (no SIGSYS signal line): a KILL.
    Killed,
    /// exit/exit_group, and the process exited.
    Exited,
    /// No result: `?`, `? ERESTARTSYS`, unfinished.
    None {
        /// As strace printed it (`?`, `<unfinished ...>`).
        shown: String,
    },
}

impl Recorded {
    /// `= -1 EPERM`, `SIGSYS (TRAP)`, `killed by SIGSYS`, `= ?`.
    pub fn label(&self) -> String {
        match self {
            Recorded::Value { value } => format!("= {value}"),
            Recorded::Errno { name } => format!("= -1 {name}"),
            Recorded::Trapped => "SIGSYS (SYS_SECCOMP)".into(),
            Recorded::Killed => "killed by SIGSYS".into(),
            Recorded::Exited => "exited".into(),
            Recorded::None { shown } => shown.clone(),
        }
    }
}

/// How a recorded outcome compares with the prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// What the predicted action produces.
    Match,
    /// Impossible under the predicted action.
    Mismatch,
    /// Possible under the prediction, and under another action too, or no result.
    Undetermined,
}

/// One call's comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What strace recorded.
    pub recorded: Recorded,
    /// `= -1 EPERM` ([`Recorded::label`]).
    pub label: String,
    /// The comparison.
    pub verdict: Verdict,
    /// One line.
    pub reason: String,
}

/// Counts over the calls of a trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Calls with a result, a signal or a death recorded.
    pub recorded: u64,
    /// Matching the prediction.
    pub matched: u64,
    /// Contradicting it.
    pub mismatched: u64,
    /// Neither (including calls without a result).
    pub undetermined: u64,
}

/// Errors a filter commonly returns, which the kernel or an LSM also return under ALLOW.
const FILTER_ERRNOS: [&str; 3] = ["EPERM", "EACCES", "ENOSYS"];

/// Every call's recorded outcome, in [`Trace::calls`] order.
pub fn recorded_of(trace: &Trace) -> Vec<Recorded> {
    let mut out: Vec<Recorded> = trace
        .calls
        .iter()
        .map(|c| match c.result.as_deref() {
            None => Recorded::None {
                shown: "<unfinished ...>".into(),
            },
            Some(r) => from_result(r),
        })
        .collect();
    // Calls and events in input order; each event belongs to the last call of its pid.
    let mut items: Vec<(usize, usize, bool, usize)> = trace
        .calls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.input, c.line, false, i))
        .chain(
            trace
                .events
                .iter()
                .enumerate()
                .map(|(i, e)| (e.input, e.line, true, i)),
        )
        .collect();
    items.sort();
    let mut last: std::collections::BTreeMap<(usize, Option<u32>), usize> = Default::default();
    for (input, _, is_event, i) in items {
        if !is_event {
            last.insert((input, trace.calls[i].pid), i);
            continue;
        }
        let e = &trace.events[i];
        let Some(&c) = last.get(&(input, e.pid)) else {
            continue;
        };
        let call = &trace.calls[c];
        if e.text.starts_with("SIGSYS {") && seccomp_signal(&e.text, &call.name) {
            out[c] = Recorded::Trapped;
        } else if e.text.starts_with("killed by SIGSYS") && out[c] != Recorded::Trapped {
            out[c] = Recorded::Killed;
        } else if e.text.starts_with("exited with")
            && matches!(call.name.as_str(), "exit" | "exit_group")
            && matches!(&out[c], Recorded::None { .. })
        {
            out[c] = Recorded::Exited;
        }
        // Later events of this pid belong to no call.
        last.remove(&(input, e.pid));
    }
    out
}

/// `-1 EPERM (…)`, `3</etc/passwd>`, `? ERESTARTSYS (…)`.
fn from_result(r: &str) -> Recorded {
    let mut words = r.split_whitespace();
    let first = words.next().unwrap_or("");
    if first.starts_with('?') || first.is_empty() {
        return Recorded::None {
            shown: format!("= {}", r.trim()),
        };
    }
    if first == "-1" {
        if let Some(n) = words.next().filter(|n| {
            n.len() > 1
                && n.starts_with('E')
                && n.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }) {
            return Recorded::Errno { name: n.into() };
        }
    }
    Recorded::Value {
        value: first.split('<').next().unwrap_or(first).to_string(),
    }
}

/// A `SIGSYS {…}` signal the filter raised for `name` (`si_code=SYS_SECCOMP`; the
/// `si_syscall=__NR_name`, when shown, names the call).
fn seccomp_signal(text: &str, name: &str) -> bool {
    if !(text.contains("si_code=SYS_SECCOMP") || text.contains("si_code=1,")) {
        return false;
    }
    match text.split("si_syscall=__NR_").nth(1) {
        Some(rest) => {
            let n: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            n == name
        }
        None => true,
    }
}

/// Compares `rec` with `answer` (see the module documentation); `deaths` is how many calls of
/// the trace died by SIGSYS.
pub fn compare(rec: &Recorded, answer: &Answer, deaths: usize) -> Check {
    let (verdict, reason) = verdict(rec, answer, deaths);
    Check {
        label: rec.label(),
        recorded: rec.clone(),
        verdict,
        reason,
    }
}

fn verdict(rec: &Recorded, answer: &Answer, deaths: usize) -> (Verdict, String) {
    use Verdict::*;
    let predicted = &answer.action;
    let mis = |what: String| (Mismatch, format!("{what}: {MISMATCH}"));
    let none = |shown: &str| {
        (
            Undetermined,
            format!("no result recorded ({shown}): nothing to compare"),
        )
    };
    if let Recorded::None { shown } = rec {
        return none(shown);
    }
    match &answer.status {
        Status::Depends { .. } => {
            return (
                Undetermined,
                "the verdict depends on an argument strace did not show".into(),
            )
        }
        Status::Unknown => {
            return (
                Undetermined,
                "not a syscall of this ABI: nothing predicted".into(),
            )
        }
        _ => {}
    }
    let action = Action::from_ret(answer.ret);
    match action {
        Action::Allow | Action::Log => match rec {
            Recorded::Value { .. } | Recorded::Exited => (Match, format!("{predicted}: it ran")),
            Recorded::Errno { name } if FILTER_ERRNOS.contains(&name.as_str()) => (
                Undetermined,
                format!("consistent with {predicted} (the kernel or an LSM returns {name} too), but also what a filter returns"),
            ),
            Recorded::Errno { name } => (
                Match,
                format!("{predicted}: {name} is the kernel's answer (under ALLOW any error is possible)"),
            ),
            Recorded::Trapped => mis(format!("{predicted} predicted, but a filter trapped it (SIGSYS, SYS_SECCOMP)")),
            Recorded::Killed if deaths > 1 => (
                Undetermined,
                "the process died by SIGSYS during this call, as did others: KILL_PROCESS kills every thread, the refused call may be another's".into(),
            ),
            Recorded::Killed => mis(format!("{predicted} predicted, but the process died by SIGSYS at this call")),
            Recorded::None { shown } => none(shown),
        },
        Action::Errno(_) => {
            let x = action.errno().unwrap_or(0);
            let want = syscalls::errno_name(x)
                .map(str::to_string)
                .unwrap_or_else(|| x.to_string());
            match rec {
                Recorded::Errno { name } => {
                    let same = syscalls::errno_by_name(name).map_or(name == &want, |n| n == x);
                    if same {
                        (Match, format!("{predicted}: -1 {name}, as the filter returns"))
                    } else {
                        mis(format!("{predicted} returns -1 {want}, the call got -1 {name}"))
                    }
                }
                Recorded::Value { value } if x == 0 && value == "0" => {
                    (Match, format!("{predicted}: the filter fakes success (0)"))
                }
                Recorded::Value { value } => mis(format!("{predicted} predicted, but the call ran and returned {value}")),
                Recorded::Exited => mis(format!("{predicted} predicted, but the call ended the process")),
                Recorded::Trapped => mis(format!("{predicted} predicted, but a filter trapped it (SIGSYS)")),
                Recorded::Killed => mis(format!("{predicted} predicted, but the process died by SIGSYS")),
                Recorded::None { shown } => none(shown),
            }
        }
        Action::KillProcess | Action::KillThread | Action::Unknown(_) => match rec {
            Recorded::Killed => (Match, format!("{predicted}: killed by SIGSYS")),
            other => mis(format!("{predicted} predicted, but the call got {}", other.label())),
        },
        Action::Trap(_) => match rec {
            Recorded::Trapped => (Match, format!("{predicted}: SIGSYS with SYS_SECCOMP")),
            other => mis(format!(
                "{predicted} predicted, but no SIGSYS followed (the call got {})",
                other.label()
            )),
        },
        Action::Trace(_) | Action::UserNotif => (
            Undetermined,
            format!("{predicted}: a tracer or supervisor decides what the call gets"),
        ),
    }
}

impl Check {
    /// The reason without the [`MISMATCH`] sentence (for a list that says it once).
    pub fn short_reason(&self) -> &str {
        self.reason
            .strip_suffix(MISMATCH)
            .map(|r| r.trim_end_matches([':', ' ']))
            .unwrap_or(&self.reason)
    }
}

impl Verdict {
    /// `match`, `mismatch`, `undetermined` (as in JSON).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Match => "match",
            Verdict::Mismatch => "mismatch",
            Verdict::Undetermined => "undetermined",
        }
    }
}

impl Counts {
    /// `recorded results against the prediction: 3 match, 1 mismatch, 0 undetermined (4 calls
    /// with a result)`, the line `replay` and the page print.
    pub fn describe(&self) -> String {
        format!(
            "recorded results against the prediction: {} match, {} mismatch, {} undetermined ({} calls with a result)",
            self.matched, self.mismatched, self.undetermined, self.recorded
        )
    }

    /// Counts one call's comparison.
    pub fn add(&mut self, c: &Check) {
        if !matches!(c.recorded, Recorded::None { .. }) {
            self.recorded += 1;
        }
        match c.verdict {
            Verdict::Match => self.matched += 1,
            Verdict::Mismatch => self.mismatched += 1,
            Verdict::Undetermined => self.undetermined += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::strace::parse;

    // Lines from strace 6.1 on this machine (tests/data/evidence).
    #[test]
    fn results_signals_and_deaths_read_back() {
        let t = parse(concat!(
            "12440 mkdir(\"/tmp/rec/d\", 0777)         = -1 EPERM (Operation not permitted)\n",
            "12442 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>\n",
            "12447 mkdir(\"/tmp/rec/t\", 0777)         = 83\n",
            "12447 --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x7fcae849ff37, si_syscall=__NR_mkdir, si_arch=AUDIT_ARCH_X86_64} ---\n",
            "12447 +++ killed by SIGSYS +++\n",
            "10734 mkdir(\"/tmp/ev/sig1\", 0777)       = 83\n",
            "10734 +++ killed by SIGSYS +++\n",
            "12439 wait4(-1,  <unfinished ...>\n",
            "12441 read(0, 0x7ffd, 4096)             = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n",
            "12443 exit_group(0)                     = ?\n",
            "12443 +++ exited with 0 +++\n",
        ));
        let r = recorded_of(&t);
        assert_eq!(
            r,
            [
                Recorded::Errno {
                    name: "EPERM".into()
                },
                Recorded::Value { value: "3".into() },
                Recorded::Trapped,
                Recorded::Killed,
                Recorded::None {
                    shown: "<unfinished ...>".into()
                },
                Recorded::None {
                    shown: "= ? ERESTARTSYS (To be restarted if SA_RESTART is set)".into()
                },
                Recorded::Exited,
            ]
        );
        // A SIGSYS for another call is not this call's TRAP.
        let t = parse("5 getpid() = 5\n5 --- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_syscall=__NR_mkdir} ---\n");
        assert_eq!(recorded_of(&t)[0], Recorded::Value { value: "5".into() });
    }
}
