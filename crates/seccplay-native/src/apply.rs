//! `apply`: run a command under a filter.
//!
//! Design: fork; the child sets no_new_privs, installs the filter with seccomp(2) and execs;
//! the parent waits and maps the status (so a death by SIGSYS can be reported as 128+31 with a
//! message). A CLOEXEC pipe carries any failure before exec from the child to the parent, which
//! then exits 125 — the command never ran.

use crate::ctx::{self, CtxArgs};
use crate::{sys, Fail};
use clap::{ArgGroup, Args};
use seccplay_core::action::Action;
use seccplay_core::analysis::describe_action;
use seccplay_core::bpf::{strict, verify};
use seccplay_core::presets::PresetKind;
use seccplay_core::resolve;
use std::ffi::CString;

/// Exit status when the command did not run (Docker's convention).
pub const SETUP_FAILED: u8 = 125;

/// `apply` arguments.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("mode").required(true).args(["profile", "default", "unconfined", "strict"])))]
pub struct ApplyArgs {
    /// Profile: a path, `-` for stdin, or a preset name
    pub profile: Option<String>,
    /// Docker's default profile (the `docker` preset, as `docker run` without --security-opt)
    #[arg(long)]
    pub default: bool,
    /// No filter at all (as `--security-opt seccomp=unconfined`)
    #[arg(long)]
    pub unconfined: bool,
    /// SECCOMP_MODE_STRICT: refused without --force, because strict mode kills execve itself
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Add SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW
    #[arg(long)]
    pub log: bool,
    /// Do not set no_new_privs (the kernel then requires CAP_SYS_ADMIN)
    #[arg(long)]
    pub no_nnp: bool,
    /// Install even when the command could not exec (execve blocked), or enter strict mode
    #[arg(long)]
    pub force: bool,
    /// Supervise: report each syscall the profile does not allow (pid, call, action, deciding
    /// rule) on stderr, answer it as the profile would, and summarise at exit
    #[arg(long)]
    pub explain: bool,
    /// With --explain: one JSON object per line instead of text
    #[arg(long, requires = "explain")]
    pub json: bool,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

/// What the child installs before exec.
pub(crate) enum Install {
    None,
    Strict,
    Filter {
        filters: Vec<libc::sock_filter>,
        flags: u32,
        /// With --force: what execve gets under the filter, when it is not allowed.
        exec_blocked: Option<String>,
    },
}

/// The command's words as C strings for execve (a NUL byte inside one is a setup error).
pub(crate) fn argv(cmd: &[String]) -> Result<Vec<CString>, Fail> {
    cmd.iter()
        .map(|s| CString::new(s.as_bytes()))
        .collect::<Result<_, _>>()
        .map_err(|_| setup("the command contains a NUL byte"))
}

pub(crate) fn setup(m: impl Into<String>) -> Fail {
    Fail {
        code: SETUP_FAILED,
        message: m.into(),
    }
}

fn has_cap_sys_admin() -> bool {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return false;
    };
    s.lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .map(|caps| caps & (1 << 21) != 0)
        .unwrap_or(false)
}

pub(crate) fn plan(a: &ApplyArgs) -> Result<Install, Fail> {
    let native = ctx::native_arch().map_err(|f| setup(f.message))?;
    let preset = a
        .profile
        .as_deref()
        .and_then(seccplay_core::presets::get)
        .filter(|_| !std::path::Path::new(a.profile.as_deref().unwrap_or("")).exists())
        .map(|p| p.kind);
    if a.unconfined || preset == Some(PresetKind::Unconfined) {
        return Ok(Install::None);
    }
    if a.strict || preset == Some(PresetKind::Strict) {
        let allowed = strict::mode1_syscalls(native, strict::AbiRole::Native)
            .map(|nrs| {
                nrs.iter()
                    .map(|&nr| {
                        seccplay_core::syscalls::name(native, nr)
                            .map(str::to_string)
                            .unwrap_or_else(|| nr.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "read, write, exit, sigreturn".into());
        if !a.force {
            return Err(setup(format!(
                "refusing --strict: SECCOMP_MODE_STRICT allows only {allowed}; the execve that would start the command is itself killed with SIGKILL, so the command can never run. Strict mode is for a program to enter itself after setup. Use --force to watch the kernel kill the exec (exit status 137)."
            )));
        }
        return Ok(Install::Strict);
    }
    if let Some(h) = &a.ctx.host_arch {
        let want = ctx::arch_arg(Some(h)).map_err(|f| setup(f.message))?;
        if want != native {
            return Err(setup(format!(
                "--host-arch {h}: apply installs the filter on this machine, which is {native}"
            )));
        }
    }
    let profile = if a.default {
        "docker"
    } else {
        a.profile.as_deref().unwrap_or("docker")
    };
    let (loaded, an) = ctx::analyze(profile, &a.ctx).map_err(|f| setup(f.message))?;
    ctx::require_ok(&loaded, &an).map_err(|f| setup(f.message))?;
    if let Some(why) = &an.unconfined {
        eprintln!("seccplay-native: note: no filter installed: {why}");
        return Ok(Install::None);
    }
    let Some(program) = &an.program else {
        return Err(setup(format!("{}: no program was compiled", loaded.origin)));
    };
    let mut insns = program.insns.clone();
    // Fault injection for tests/native_safety.rs, debug builds only: a program the verifier
    // refuses must never be installed, and a correct compiler never produces one.
    if cfg!(debug_assertions) && std::env::var_os("SECCPLAY_TEST_BREAK_PROGRAM").is_some() {
        insns.insert(0, seccplay_core::bpf::Insn::new(0xffff, 0, 0, 0));
    }
    if let Err(e) = verify::verify(&insns) {
        return Err(setup(format!(
            "{}: the kernel would refuse the compiled program: {e}",
            loaded.origin
        )));
    }
    let execve = an
        .simulate_call("execve", native)
        .map_err(|e| setup(format!("simulating execve: {e}")))?;
    if !execve.action.is_allow() && !a.force {
        return Err(setup(format!(
            "refusing: under {} the command could not even start: {} (execve gets {}). Use --force to install it anyway.",
            loaded.origin,
            execve.explanation,
            describe_action(execve.ret)
        )));
    }
    // The runtime's flags come from the resolved policy (the analysis does not keep them).
    let policy_flags = an
        .parsed
        .as_ref()
        .and_then(|p| resolve::resolve(&p.profile, &an.context).ok())
        .and_then(|r| r.policy)
        .map(|p| p.flags)
        .unwrap_or_default();
    let mut flags = policy_flags.bits() | libc::SECCOMP_FILTER_FLAG_TSYNC as u32;
    if a.log {
        flags |= libc::SECCOMP_FILTER_FLAG_LOG as u32;
    }
    if policy_flags.new_listener {
        // TSYNC with NEW_LISTENER needs TSYNC_ESRCH. Nobody supervises the listener: the
        // child closes it, and USER_NOTIF actions then return ENOSYS.
        flags |= libc::SECCOMP_FILTER_FLAG_TSYNC_ESRCH as u32;
        eprintln!("seccplay-native: note: the profile has SCMP_ACT_NOTIFY rules; without a supervisor those syscalls fail with ENOSYS");
    }
    if a.no_nnp && !has_cap_sys_admin() {
        return Err(setup(
            "--no-nnp: without no_new_privs the kernel only accepts a filter from a task with CAP_SYS_ADMIN, which this process lacks (seccomp(2) would fail with EACCES)",
        ));
    }
    Ok(Install::Filter {
        filters: sys::sock_filters(&insns),
        flags,
        exec_blocked: (!execve.action.is_allow()).then(|| describe_action(execve.ret)),
    })
}

pub(crate) const STAGE_NNP: u32 = 1;
pub(crate) const STAGE_FILTER: u32 = 2;
pub(crate) const STAGE_STRICT: u32 = 3;
pub(crate) const STAGE_EXEC: u32 = 4;

pub(crate) fn explain_errno(stage: u32, errno: i32) -> &'static str {
    match (stage, errno) {
        (STAGE_FILTER, libc::EINVAL) => {
            " (bad program or flag combination for this kernel; see `seccplay-native check`)"
        }
        (STAGE_FILTER, libc::EACCES) => " (needs no_new_privs or CAP_SYS_ADMIN)",
        (STAGE_FILTER, libc::ENOMEM) => {
            " (over 32768 instructions counting the filters already installed)"
        }
        (STAGE_FILTER, libc::ESRCH) => " (another thread could not be synchronised)",
        (STAGE_EXEC, libc::EPERM) | (STAGE_EXEC, libc::EACCES) => {
            " (the filter or file permissions forbid the exec)"
        }
        _ => "",
    }
}

/// Runs `apply`.
pub fn run(a: ApplyArgs) -> Result<u8, Fail> {
    if a.explain {
        return crate::explain::run(a);
    }
    let argv = argv(&a.cmd)?;
    let mut install = plan(&a)?;
    let nnp = matches!(install, Install::Filter { .. }) && !a.no_nnp;
    let (rd, wr) = sys::pipe_cloexec().map_err(|e| setup(format!("pipe2: {e}")))?;
    let pid = sys::fork().map_err(|e| setup(format!("fork: {e}")))?;
    if pid == 0 {
        sys::close(rd);
        sys::default_sigpipe();
        if nnp {
            if let Err(e) = sys::set_no_new_privs() {
                sys::child_fail(wr, STAGE_NNP, &e);
            }
        }
        match &mut install {
            Install::None => {}
            Install::Strict => {
                if let Err(e) = sys::set_mode_strict() {
                    sys::child_fail(wr, STAGE_STRICT, &e);
                }
            }
            Install::Filter { filters, flags, .. } => match sys::set_mode_filter(filters, *flags) {
                Ok(fd) if fd > 0 => sys::close(fd),
                Ok(_) => {}
                Err(e) => sys::child_fail(wr, STAGE_FILTER, &e),
            },
        }
        let e = sys::execvp(&argv);
        sys::child_fail(wr, STAGE_EXEC, &e);
    }
    sys::close(wr);
    sys::ignore_interrupts();
    let report = sys::read_report(rd);
    sys::close(rd);
    let status = sys::waitpid(pid, 0).map_err(|e| setup(format!("waitpid: {e}")))?;
    if let Some((stage, errno)) = report {
        let err = std::io::Error::from_raw_os_error(errno);
        let why = explain_errno(stage, errno);
        let (code, what) = match stage {
            STAGE_NNP => (SETUP_FAILED, format!("prctl(PR_SET_NO_NEW_PRIVS): {err}")),
            STAGE_FILTER => {
                let (n, flags) = match &install {
                    Install::Filter { filters, flags, .. } => (filters.len(), *flags),
                    _ => (0, 0),
                };
                (
                    SETUP_FAILED,
                    format!("the kernel refused the filter: seccomp(SECCOMP_SET_MODE_FILTER, {flags:#x}, {n} instructions): {err}"),
                )
            }
            STAGE_STRICT => (
                SETUP_FAILED,
                format!("seccomp(SECCOMP_SET_MODE_STRICT): {err}"),
            ),
            // Docker's convention: 127 not found, 126 found but not runnable.
            _ => (
                if errno == libc::ENOENT { 127 } else { 126 },
                format!("cannot run {}: {err}", a.cmd[0]),
            ),
        };
        return Err(Fail {
            code,
            message: format!("{what}{why}; the command did not run"),
        });
    }
    if let Install::Filter {
        exec_blocked: Some(act),
        ..
    } = &install
    {
        // execve is blocked, so the command cannot have run; the child could not report why
        // (the filter may block write and exit too, and then it crashes).
        return Err(setup(format!(
            "the command did not run: execve gets {act} under this filter (installed anyway because of --force); the child then ended with status {status:#x}"
        )));
    }
    if libc::WIFEXITED(status) {
        return Ok(libc::WEXITSTATUS(status) as u8);
    }
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        let code = 128 + sig as u8;
        let why = match (sig, &install) {
            (libc::SIGSYS, _) => format!(
                ": a seccomp {} or {} action (a syscall the filter does not allow)",
                Action::KillProcess.short_name(),
                Action::Trap(0).short_name()
            ),
            (libc::SIGKILL, Install::Strict) => {
                ": strict mode kills any syscall but read, write, exit and sigreturn".into()
            }
            _ => String::new(),
        };
        eprintln!(
            "seccplay-native: {} died of {}{why} (exit status {code})",
            a.cmd[0],
            sys::signal_name(sig)
        );
        return Ok(code);
    }
    Ok(SETUP_FAILED)
}
