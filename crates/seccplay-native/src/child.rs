//! Launching a confined child: fork, the stages before exec, their failure report, the wait
//! status. `apply`, `apply --explain` (through `notif`) and `record` (through `notif`) all start
//! their command here, so each message exists once.
//!
//! Design: the parent opens a CLOEXEC "report" pipe and forks. The child runs its stages in
//! order (no_new_privs, the filter or strict mode, the supervisor's handshake, exec); the first
//! that fails writes `(stage, errno)` on the pipe and exits 125. A successful exec closes the
//! pipe empty. The parent turns a report into a [`PreExec`] error, which says what failed and
//! why, and always ends with "the command did not run". Modelled on seccompiler's `Error`:
//!
//! 1. [`Stage`] names each step; it is the tag on the pipe.
//! 2. [`PreExec`] has one variant per stage and one `Display`.
//! 3. [`exit_status`] maps a wait status to the exit status the CLI returns, with the one
//!    message for a command killed by a signal (SIGSYS explained as a seccomp action).

use crate::{sys, Fail};
use seccplay_core::action::Action;
use std::convert::Infallible;
use std::ffi::CString;
use std::fmt;
use std::io;

/// Exit status when the command did not run because seccplay refused or failed before exec
/// (Docker's convention).
pub const SETUP_FAILED: u8 = 125;

/// A refusal or failure before the command ran: exit status [`SETUP_FAILED`].
pub fn setup(m: impl Into<String>) -> Fail {
    Fail {
        code: SETUP_FAILED,
        message: m.into(),
    }
}

/// The command's words as C strings for execve (a NUL byte inside one is a setup error).
pub fn argv(cmd: &[String]) -> Result<Vec<CString>, Fail> {
    cmd.iter()
        .map(|s| CString::new(s.as_bytes()))
        .collect::<Result<_, _>>()
        .map_err(|_| setup("the command contains a NUL byte"))
}

/// A step the child takes before exec; its number is the tag on the report pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum Stage {
    /// `prctl(PR_SET_NO_NEW_PRIVS, 1)`.
    NoNewPrivs = 1,
    /// `seccomp(SECCOMP_SET_MODE_FILTER, ...)`.
    Filter = 2,
    /// `seccomp(SECCOMP_SET_MODE_STRICT, ...)`.
    Strict = 3,
    /// `execvp` of the command.
    Exec = 4,
    /// Handing the listener to the supervisor (`apply --explain`, `record`).
    Handshake = 5,
}

impl Stage {
    fn from_tag(tag: u32) -> Option<Stage> {
        [
            Stage::NoNewPrivs,
            Stage::Filter,
            Stage::Strict,
            Stage::Exec,
            Stage::Handshake,
        ]
        .into_iter()
        .find(|s| *s as u32 == tag)
    }
}

/// What failed in the child before exec: one variant per [`Stage`].
#[derive(Debug)]
pub enum PreExec {
    /// `prctl(PR_SET_NO_NEW_PRIVS)` failed.
    NoNewPrivs(io::Error),
    /// The kernel refused the filter.
    Filter {
        /// The flags passed to seccomp(2).
        flags: u32,
        /// The program's length in instructions.
        len: usize,
        /// The kernel's error.
        err: io::Error,
    },
    /// `seccomp(SECCOMP_SET_MODE_STRICT)` failed.
    Strict(io::Error),
    /// The listener could not be handed to the supervisor.
    Handshake(io::Error),
    /// `execvp` failed.
    Exec {
        /// The command's name.
        cmd0: String,
        /// Why.
        err: io::Error,
    },
    /// The pipe carried a tag no stage has (cannot happen: the child is this program).
    Unknown(u32, io::Error),
}

impl PreExec {
    /// The exit status: 125, or Docker's 127 (not found) and 126 (not runnable) for exec.
    pub fn code(&self) -> u8 {
        match self {
            PreExec::Exec { err, .. } if err.raw_os_error() == Some(libc::ENOENT) => 127,
            PreExec::Exec { .. } => 126,
            _ => SETUP_FAILED,
        }
    }

    fn hint(&self) -> &'static str {
        let errno = |e: &io::Error| e.raw_os_error().unwrap_or(0);
        match self {
            PreExec::Filter { err, .. } => match errno(err) {
                libc::EINVAL => {
                    " (bad program or flag combination for this kernel; see `seccplay-native check`)"
                }
                libc::EACCES => " (needs no_new_privs or CAP_SYS_ADMIN)",
                libc::ENOMEM => " (over 32768 instructions counting the filters already installed)",
                libc::ESRCH => " (another thread could not be synchronised)",
                _ => "",
            },
            PreExec::Exec { err, .. } if matches!(errno(err), libc::EPERM | libc::EACCES) => {
                " (the filter or file permissions forbid the exec)"
            }
            _ => "",
        }
    }
}

impl fmt::Display for PreExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PreExec::NoNewPrivs(e) => write!(f, "prctl(PR_SET_NO_NEW_PRIVS): {e}")?,
            PreExec::Filter { flags, len, err } => write!(
                f,
                "the kernel refused the filter: seccomp(SECCOMP_SET_MODE_FILTER, {flags:#x}, {len} instructions): {err}"
            )?,
            PreExec::Strict(e) => write!(f, "seccomp(SECCOMP_SET_MODE_STRICT): {e}")?,
            PreExec::Handshake(e) => write!(
                f,
                "handing the seccomp listener to the supervisor failed: {e}"
            )?,
            PreExec::Exec { cmd0, err } => write!(f, "cannot run {cmd0}: {err}")?,
            PreExec::Unknown(tag, e) => write!(f, "stage {tag} before exec failed: {e}")?,
        }
        write!(f, "{}; the command did not run", self.hint())
    }
}

impl From<PreExec> for Fail {
    fn from(p: PreExec) -> Fail {
        Fail {
            code: p.code(),
            message: p.to_string(),
        }
    }
}

/// The child's side of the report pipe, given to the closure that runs in the child.
pub struct Child {
    report: i32,
}

impl Child {
    /// The value of a stage that worked; on failure reports it and exits 125.
    pub fn stage<T>(&self, stage: Stage, r: io::Result<T>) -> T {
        match r {
            Ok(v) => v,
            Err(e) => self.fail(stage, &e),
        }
    }

    /// Reports `stage` failed with `err` and exits 125.
    pub fn fail(&self, stage: Stage, err: &io::Error) -> ! {
        sys::child_fail(self.report, stage as u32, err)
    }

    /// Execs the command; reports the failure if it returns.
    pub fn exec(&self, argv: &[CString]) -> ! {
        let e = sys::execvp(argv);
        self.fail(Stage::Exec, &e)
    }
}

/// A child about to be forked: the report pipe, and what the parent needs to word a failure.
pub struct Launch {
    rd: i32,
    wr: i32,
    cmd0: String,
    filter: (u32, usize),
}

impl Launch {
    /// Opens the report pipe for a child that will exec `argv`.
    pub fn new(argv: &[CString]) -> Result<Launch, Fail> {
        let (rd, wr) = sys::pipe_cloexec().map_err(|e| setup(format!("pipe2: {e}")))?;
        Ok(Launch {
            rd,
            wr,
            cmd0: argv
                .first()
                .map(|a| a.to_string_lossy().into_owned())
                .unwrap_or_default(),
            filter: (0, 0),
        })
    }

    /// The descriptor the child reports on (the same number in the child).
    pub fn report_fd(&self) -> i32 {
        self.wr
    }

    /// Records the filter's flags and length, for the message if the kernel refuses it.
    pub fn filter(mut self, flags: u32, len: usize) -> Launch {
        self.filter = (flags, len);
        self
    }

    /// Forks. The child restores SIGPIPE and runs `body`, which never returns (it ends with
    /// [`Child::exec`] or [`Child::fail`]); the parent gets the running child.
    pub fn spawn(self, body: impl FnOnce(&Child) -> Infallible) -> Result<Running, Fail> {
        let pid = match sys::fork() {
            Ok(p) => p,
            Err(e) => {
                sys::close(self.rd);
                sys::close(self.wr);
                return Err(setup(format!("fork: {e}")));
            }
        };
        if pid == 0 {
            sys::close(self.rd);
            sys::default_sigpipe();
            // `body` never returns (Infallible has no value); say so to the compiler.
            #[allow(unreachable_code)]
            match body(&Child { report: self.wr }) {}
        }
        sys::close(self.wr);
        Ok(Running {
            pid,
            rd: Some(self.rd),
            failure: None,
            cmd0: self.cmd0,
            filter: self.filter,
        })
    }

    /// Closes the pipe without forking.
    pub fn abandon(self) {
        sys::close(self.rd);
        sys::close(self.wr);
    }
}

/// A forked child, until it is reaped.
pub struct Running {
    /// The child's pid.
    pub pid: i32,
    rd: Option<i32>,
    failure: Option<PreExec>,
    cmd0: String,
    filter: (u32, usize),
}

impl Running {
    /// The read end of the report pipe while it is open (to poll it).
    pub fn report_fd(&self) -> Option<i32> {
        self.rd
    }

    /// Reads the report (blocking until exec or failure) and closes the pipe; true if a stage
    /// failed.
    pub fn read_report(&mut self) -> bool {
        if let Some(rd) = self.rd.take() {
            let report = sys::read_report(rd);
            sys::close(rd);
            self.failure = report.map(|(tag, errno)| self.decode(tag, errno));
        }
        self.failure.is_some()
    }

    fn decode(&self, tag: u32, errno: i32) -> PreExec {
        let err = io::Error::from_raw_os_error(errno);
        match Stage::from_tag(tag) {
            Some(Stage::NoNewPrivs) => PreExec::NoNewPrivs(err),
            Some(Stage::Filter) => PreExec::Filter {
                flags: self.filter.0,
                len: self.filter.1,
                err,
            },
            Some(Stage::Strict) => PreExec::Strict(err),
            Some(Stage::Handshake) => PreExec::Handshake(err),
            Some(Stage::Exec) => PreExec::Exec {
                cmd0: self.cmd0.clone(),
                err,
            },
            None => PreExec::Unknown(tag, err),
        }
    }

    /// Kills the child (SIGKILL) and reaps it: for a supervisor that cannot go on.
    pub fn kill(mut self) {
        let _ = sys::kill(self.pid, libc::SIGKILL);
        let _ = sys::waitpid(self.pid, 0);
        if let Some(rd) = self.rd.take() {
            sys::close(rd);
        }
    }

    /// Reaps the child: its raw wait status, or the stage that failed before exec.
    pub fn wait(mut self) -> Result<i32, Fail> {
        self.read_report();
        let status = sys::waitpid(self.pid, 0).map_err(|e| setup(format!("waitpid: {e}")))?;
        match self.failure.take() {
            Some(p) => Err(p.into()),
            None => Ok(status),
        }
    }
}

/// Why a command may have died of the signal it died of, beyond what the signal says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Death {
    /// Nothing more is known.
    Plain,
    /// It ran in SECCOMP_MODE_STRICT (SIGKILL is the kernel's answer there).
    Strict,
    /// The `--explain` supervisor killed it with SIGKILL for this seccomp action.
    Supervisor(&'static str),
}

/// The exit status for a raw wait status: the exit code, or 128+N for a death by signal N, with
/// a message on stderr (SIGSYS explained as a seccomp action). 125 for anything else.
pub fn exit_status(cmd0: &str, status: i32, death: Death) -> u8 {
    if libc::WIFEXITED(status) {
        return libc::WEXITSTATUS(status) as u8;
    }
    if !libc::WIFSIGNALED(status) {
        return SETUP_FAILED;
    }
    let seccomp_kill =
        |act: &str| format!(": a seccomp {act} action (a syscall the filter does not allow)");
    let mut sig = libc::WTERMSIG(status);
    let (why, note) = match (sig, death) {
        (libc::SIGKILL, Death::Supervisor(act)) => {
            sig = libc::SIGSYS;
            (
                seccomp_kill(act),
                "; under --explain seccplay delivered it as SIGKILL",
            )
        }
        (libc::SIGSYS, _) => (
            seccomp_kill(&format!(
                "{} or {}",
                Action::KillProcess.short_name(),
                Action::Trap(0).short_name()
            )),
            "",
        ),
        (libc::SIGKILL, Death::Strict) => (
            ": strict mode kills any syscall but read, write, exit and sigreturn".into(),
            "",
        ),
        _ => (String::new(), ""),
    };
    let code = 128 + sig as u8;
    say!(
        "seccplay-native: {cmd0} died of {}{why} (exit status {code}{note})",
        sys::signal_name(sig)
    );
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(errno: i32) -> io::Error {
        io::Error::from_raw_os_error(errno)
    }

    /// Every stage's tag reads back as that stage, and nothing else reads as a stage.
    #[test]
    fn stage_tags_round_trip() {
        for s in [
            Stage::NoNewPrivs,
            Stage::Filter,
            Stage::Strict,
            Stage::Exec,
            Stage::Handshake,
        ] {
            assert_eq!(Stage::from_tag(s as u32), Some(s));
        }
        assert_eq!(Stage::from_tag(0), None);
        assert_eq!(Stage::from_tag(6), None);
    }

    /// One message per stage, each ending with "the command did not run"; Docker's exit
    /// statuses for exec (127 not found, 126 not runnable), 125 for the rest.
    #[test]
    fn pre_exec_messages_and_statuses() {
        let cases = [
            (
                PreExec::NoNewPrivs(err(libc::EPERM)),
                125,
                "prctl(PR_SET_NO_NEW_PRIVS)",
            ),
            (
                PreExec::Filter {
                    flags: 0x9,
                    len: 42,
                    err: err(libc::EINVAL),
                },
                125,
                "seccomp(SECCOMP_SET_MODE_FILTER, 0x9, 42 instructions)",
            ),
            (
                PreExec::Strict(err(libc::EINVAL)),
                125,
                "SECCOMP_SET_MODE_STRICT",
            ),
            (PreExec::Handshake(err(libc::EPIPE)), 125, "listener"),
            (
                PreExec::Exec {
                    cmd0: "x".into(),
                    err: err(libc::ENOENT),
                },
                127,
                "cannot run x",
            ),
            (
                PreExec::Exec {
                    cmd0: "x".into(),
                    err: err(libc::EACCES),
                },
                126,
                "forbid the exec",
            ),
            (PreExec::Unknown(9, err(libc::EIO)), 125, "stage 9"),
        ];
        for (p, code, part) in cases {
            let m = p.to_string();
            assert_eq!(p.code(), code, "{m}");
            assert!(
                m.contains(part) && m.ends_with("; the command did not run"),
                "{m}"
            );
        }
        let f = Fail::from(PreExec::Filter {
            flags: 0,
            len: 1,
            err: err(libc::ENOMEM),
        });
        assert!(
            f.message.contains("over 32768 instructions"),
            "{}",
            f.message
        );
    }

    /// The wait status as the CLI's exit status: the code, or 128+N (SIGSYS for a kill by the
    /// --explain supervisor, which used SIGKILL).
    #[test]
    fn exit_status_of_wait_statuses() {
        assert_eq!(exit_status("c", 3 << 8, Death::Plain), 3);
        assert_eq!(exit_status("c", libc::SIGSYS, Death::Plain), 159);
        assert_eq!(exit_status("c", libc::SIGKILL, Death::Plain), 137);
        assert_eq!(exit_status("c", libc::SIGKILL, Death::Strict), 137);
        assert_eq!(
            exit_status("c", libc::SIGKILL, Death::Supervisor("KILL_PROCESS")),
            159
        );
        // Stopped (0x7f): not an end the CLI can report as the command's.
        assert_eq!(exit_status("c", 0x137f, Death::Plain), SETUP_FAILED);
    }
}
