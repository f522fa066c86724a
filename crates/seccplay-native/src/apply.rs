//! `apply`: run a command under a filter.
//!
//! Design: `plan` decides what the child installs (nothing, strict mode or the profile's
//! verified program) and refuses, with exit status 125, what could not work. Then:
//!
//! 1. Plain `apply`: `child::Launch` forks; the child sets no_new_privs, installs the filter
//!    with seccomp(2) and execs; `child` words any failure before exec and the wait status.
//! 2. `--explain`: the plan and its analysis go to `explain`, which supervises the command.

use crate::child::{self, setup, Death, Stage};
use crate::ctx::{self, CtxArgs, Loaded};
use crate::{explain, sys, Fail};
use clap::{ArgGroup, Args};
use seccplay_core::analysis::{describe_action, Analysis};
use seccplay_core::bpf::{strict, verify};
use seccplay_core::presets::PresetKind;
use seccplay_core::resolve;

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
enum Install {
    None,
    Strict,
    Filter {
        filters: Vec<libc::sock_filter>,
        flags: u32,
        /// With --force: what execve gets under the filter, when it is not allowed.
        exec_blocked: Option<String>,
    },
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

/// What `apply` will do: what the child installs, and the profile's analysis when there is one.
struct Plan {
    install: Install,
    analysed: Option<(Loaded, Analysis)>,
}

impl From<Install> for Plan {
    fn from(install: Install) -> Plan {
        Plan {
            install,
            analysed: None,
        }
    }
}

fn plan(a: &ApplyArgs) -> Result<Plan, Fail> {
    let native = ctx::native_arch().map_err(|f| setup(f.message))?;
    let preset = a
        .profile
        .as_deref()
        .and_then(seccplay_core::presets::get)
        .filter(|_| !std::path::Path::new(a.profile.as_deref().unwrap_or("")).exists())
        .map(|p| p.kind);
    if a.unconfined || preset == Some(PresetKind::Unconfined) {
        return Ok(Install::None.into());
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
        return Ok(Install::Strict.into());
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
        return Ok(Install::None.into());
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
    Ok(Plan {
        install: Install::Filter {
            filters: sys::sock_filters(&insns),
            flags,
            exec_blocked: (!execve.action.is_allow()).then(|| describe_action(execve.ret)),
        },
        analysed: Some((loaded, an)),
    })
}

/// Runs `apply`.
pub fn run(a: ApplyArgs) -> Result<u8, Fail> {
    let argv = child::argv(&a.cmd)?;
    let planned = plan(&a)?;
    if a.explain {
        return explain_run(&a, argv, planned);
    }
    let mut install = planned.install;
    let nnp = matches!(install, Install::Filter { .. }) && !a.no_nnp;
    let mut launch = child::Launch::new(&argv)?;
    if let Install::Filter { filters, flags, .. } = &install {
        launch = launch.filter(*flags, filters.len());
    }
    let running = launch.spawn(|c| {
        if nnp {
            c.stage(Stage::NoNewPrivs, sys::set_no_new_privs());
        }
        match &mut install {
            Install::None => {}
            Install::Strict => c.stage(Stage::Strict, sys::set_mode_strict()),
            Install::Filter { filters, flags, .. } => {
                let fd = c.stage(Stage::Filter, sys::set_mode_filter(filters, *flags));
                if fd > 0 {
                    sys::close(fd);
                }
            }
        }
        c.exec(&argv)
    })?;
    sys::ignore_interrupts();
    let status = running.wait()?;
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
    let death = match install {
        Install::Strict => Death::Strict,
        _ => Death::Plain,
    };
    Ok(child::exit_status(&a.cmd[0], status, death))
}

/// `apply --explain`: hands the planned filter and its analysis to the supervisor.
fn explain_run(a: &ApplyArgs, argv: Vec<std::ffi::CString>, planned: Plan) -> Result<u8, Fail> {
    let (flags, analysed) = match (planned.install, planned.analysed) {
        (Install::Filter { flags, .. }, Some(an)) => (flags, an),
        (Install::Strict, _) => {
            return Err(setup(
                "--explain needs a BPF filter; SECCOMP_MODE_STRICT has no program to explain",
            ))
        }
        _ => {
            return Err(setup(
                "--explain: this profile installs no filter (unconfined), so nothing can be blocked or explained; run it with plain apply",
            ))
        }
    };
    explain::run(explain::Supervised {
        argv,
        cmd0: &a.cmd[0],
        origin: &analysed.0.origin,
        an: &analysed.1,
        flags,
        nnp: !a.no_nnp,
        json: a.json,
    })
}
