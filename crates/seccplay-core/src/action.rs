//! Seccomp actions: the 32-bit values a filter returns and what the kernel does with them.
//!
//! A filter's return value is `action | data` (`SECCOMP_RET_ACTION_FULL` = 0xffff0000,
//! `SECCOMP_RET_DATA` = 0x0000ffff). [`Action`] is the decoded view; values the kernel does
//! not know are kept as [`Action::Unknown`] because the kernel kills the process for them.

use serde::Serialize;
use std::fmt;

/// `SECCOMP_RET_KILL_PROCESS`.
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
/// `SECCOMP_RET_KILL_THREAD` (= `SECCOMP_RET_KILL`).
pub const RET_KILL_THREAD: u32 = 0x0000_0000;
/// `SECCOMP_RET_TRAP`.
pub const RET_TRAP: u32 = 0x0003_0000;
/// `SECCOMP_RET_ERRNO`.
pub const RET_ERRNO: u32 = 0x0005_0000;
/// `SECCOMP_RET_USER_NOTIF`.
pub const RET_USER_NOTIF: u32 = 0x7fc0_0000;
/// `SECCOMP_RET_TRACE`.
pub const RET_TRACE: u32 = 0x7ff0_0000;
/// `SECCOMP_RET_LOG`.
pub const RET_LOG: u32 = 0x7ffc_0000;
/// `SECCOMP_RET_ALLOW`.
pub const RET_ALLOW: u32 = 0x7fff_0000;
/// `SECCOMP_RET_ACTION_FULL`: the action part of a return value.
pub const RET_ACTION_FULL: u32 = 0xffff_0000;
/// `SECCOMP_RET_DATA`: the data part of a return value.
pub const RET_DATA: u32 = 0x0000_ffff;
/// `MAX_ERRNO`: the kernel caps an ERRNO action's data at this value.
pub const MAX_ERRNO: u16 = 4095;

/// A seccomp action as the kernel decodes a filter's 32-bit return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "action", content = "data")]
pub enum Action {
    /// Kill the whole process with SIGSYS (core dump).
    KillProcess,
    /// Kill the calling thread with SIGSYS (the process, if it is the last thread).
    KillThread,
    /// Skip the syscall and send SIGSYS with `si_errno` = data.
    Trap(u16),
    /// Skip the syscall and return `-data` (capped at 4095; 0 fakes success).
    Errno(u16),
    /// Ask the user-space supervisor (-ENOSYS without a listener).
    UserNotif,
    /// Notify a ptrace tracer with data as the event message (-ENOSYS without a tracer).
    Trace(u16),
    /// Allow and audit-log.
    Log,
    /// Allow.
    Allow,
    /// A value the kernel does not know: it kills the process as for `KillProcess`.
    Unknown(u32),
}

impl Action {
    /// Decodes a filter's return value as the kernel does (`__seccomp_filter`).
    pub fn from_ret(ret: u32) -> Action {
        let data = (ret & RET_DATA) as u16;
        match ret & RET_ACTION_FULL {
            RET_KILL_PROCESS => Action::KillProcess,
            RET_KILL_THREAD => Action::KillThread,
            RET_TRAP => Action::Trap(data),
            RET_ERRNO => Action::Errno(data),
            RET_USER_NOTIF => Action::UserNotif,
            RET_TRACE => Action::Trace(data),
            RET_LOG => Action::Log,
            RET_ALLOW => Action::Allow,
            _ => Action::Unknown(ret),
        }
    }

    /// The canonical 32-bit return value of this action (data in the low 16 bits).
    pub fn to_ret(self) -> u32 {
        match self {
            Action::KillProcess => RET_KILL_PROCESS,
            Action::KillThread => RET_KILL_THREAD,
            Action::Trap(d) => RET_TRAP | d as u32,
            Action::Errno(d) => RET_ERRNO | d as u32,
            Action::UserNotif => RET_USER_NOTIF,
            Action::Trace(d) => RET_TRACE | d as u32,
            Action::Log => RET_LOG,
            Action::Allow => RET_ALLOW,
            Action::Unknown(v) => v,
        }
    }

    /// The libseccomp/OCI name of the action (`SCMP_ACT_ERRNO`, ...), without data.
    pub fn scmp_name(self) -> &'static str {
        match self {
            Action::KillProcess => "SCMP_ACT_KILL_PROCESS",
            Action::KillThread => "SCMP_ACT_KILL_THREAD",
            Action::Trap(_) => "SCMP_ACT_TRAP",
            Action::Errno(_) => "SCMP_ACT_ERRNO",
            Action::UserNotif => "SCMP_ACT_NOTIFY",
            Action::Trace(_) => "SCMP_ACT_TRACE",
            Action::Log => "SCMP_ACT_LOG",
            Action::Allow => "SCMP_ACT_ALLOW",
            Action::Unknown(_) => "UNKNOWN",
        }
    }

    /// Short upper-case name used in disassembly and badges (`ERRNO`, `KILL_PROCESS`, ...).
    pub fn short_name(self) -> &'static str {
        match self {
            Action::KillProcess => "KILL_PROCESS",
            Action::KillThread => "KILL_THREAD",
            Action::Trap(_) => "TRAP",
            Action::Errno(_) => "ERRNO",
            Action::UserNotif => "USER_NOTIF",
            Action::Trace(_) => "TRACE",
            Action::Log => "LOG",
            Action::Allow => "ALLOW",
            Action::Unknown(_) => "UNKNOWN",
        }
    }

    /// True for the actions that let the syscall run (ALLOW and LOG).
    pub fn is_allow(self) -> bool {
        matches!(self, Action::Allow | Action::Log)
    }

    /// The errno the calling process sees for an ERRNO action: `min(data, 4095)`;
    /// `Some(0)` means the syscall is skipped and 0 is returned.
    pub fn errno(self) -> Option<u16> {
        match self {
            Action::Errno(d) => Some(d.min(MAX_ERRNO)),
            _ => None,
        }
    }

    /// The action's rank in the kernel's precedence across stacked filters: lower wins
    /// (the signed value of the action part, `seccomp_run_filters`).
    pub fn precedence(ret: u32) -> i32 {
        (ret & RET_ACTION_FULL) as i32
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::Trap(d) | Action::Trace(d) | Action::Errno(d) => {
                write!(f, "{}({})", self.short_name(), d)
            }
            Action::Unknown(v) => write!(f, "UNKNOWN({v:#010x})"),
            _ => f.write_str(self.short_name()),
        }
    }
}

/// Combines the return values of stacked filters as the kernel does: starting from ALLOW,
/// a value whose action part is (signed) smaller replaces the current one; ties keep the
/// earlier value of `newest_first` (the newest filter's data). If every filter allowed,
/// the result is exactly `SECCOMP_RET_ALLOW`.
pub fn combine_stacked(newest_first: impl IntoIterator<Item = u32>) -> u32 {
    let mut ret = RET_ALLOW;
    for cur in newest_first {
        if Action::precedence(cur) < Action::precedence(ret) {
            ret = cur;
        }
    }
    ret
}

/// Which filter's value [`combine_stacked`] returns: the newest filter whose action is the
/// most restrictive (the kernel keeps the first value of a tie). `None` for an empty stack.
pub fn deciding_filter(newest_first: &[u32]) -> Option<usize> {
    let best = newest_first.iter().map(|r| Action::precedence(*r)).min()?;
    newest_first
        .iter()
        .position(|r| Action::precedence(*r) == best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_round_trips_known_actions() {
        for a in [
            Action::KillProcess,
            Action::KillThread,
            Action::Trap(7),
            Action::Errno(1),
            Action::UserNotif,
            Action::Trace(3),
            Action::Log,
            Action::Allow,
        ] {
            assert_eq!(Action::from_ret(a.to_ret()), a);
        }
        assert_eq!(Action::from_ret(0x0001_0000), Action::Unknown(0x0001_0000));
        assert_eq!(Action::from_ret(0x7fff_1234), Action::Allow);
    }

    #[test]
    fn errno_is_capped_like_the_kernel() {
        assert_eq!(Action::Errno(5000).errno(), Some(4095));
        assert_eq!(Action::Errno(0).errno(), Some(0));
        assert_eq!(Action::Allow.errno(), None);
    }

    #[test]
    fn stacking_follows_signed_precedence_and_keeps_newest_on_ties() {
        assert_eq!(combine_stacked([RET_ALLOW | 5, RET_LOG]), RET_LOG);
        assert_eq!(
            combine_stacked([RET_ERRNO | 1, RET_ERRNO | 13]),
            RET_ERRNO | 1
        );
        assert_eq!(
            combine_stacked([RET_KILL_THREAD, RET_KILL_PROCESS]),
            RET_KILL_PROCESS
        );
        assert_eq!(combine_stacked([0xffff_0000, RET_KILL_THREAD]), 0xffff_0000);
        assert_eq!(combine_stacked([RET_ALLOW | 9]), RET_ALLOW);
        assert_eq!(
            deciding_filter(&[RET_ALLOW, RET_ERRNO | 1, RET_ERRNO | 13]),
            Some(1)
        );
        assert_eq!(deciding_filter(&[RET_LOG, RET_KILL_THREAD]), Some(1));
        assert_eq!(deciding_filter(&[RET_ALLOW, RET_ALLOW]), Some(0));
        assert_eq!(deciding_filter(&[]), None);
        assert_eq!(combine_stacked([]), RET_ALLOW);
    }
}
