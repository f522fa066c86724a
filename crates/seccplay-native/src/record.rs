//! `record`: run a command, see every syscall it makes, and write the profile that allows them.
//!
//! The filter (`bpf::notify::record_program`) allows the base profile's unconditional
//! allow-list (with `--base`) and the supervisor's handshake on its own descriptors, and
//! notifies everything else; every notification is counted (`record::Recorder`) and answered
//! with `SECCOMP_USER_NOTIF_FLAG_CONTINUE`, so the command runs as if unfiltered. This is for
//! recording, not confinement: CONTINUE is not a security boundary.

use crate::child::{self, setup, Death};
use crate::ctx::{self, CtxArgs};
use crate::notif::{self, Answer, Handshake};
use crate::{sys, Fail};
use clap::Args;
use seccplay_core::action::RET_ALLOW;
use seccplay_core::analysis::RowVerdict;
use seccplay_core::bpf::notify::record_program;
use seccplay_core::record::{Base, Recorder};
use seccplay_core::syscalls;
use std::path::PathBuf;

/// `record` arguments.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// Let the syscalls this profile allows whatever the arguments run unseen (faster), and
    /// keep them in the result
    #[arg(long, value_name = "PROFILE")]
    pub base: Option<String>,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Also record clone's flags, socket's address family and personality's persona, and
    /// write them as argument rules (the arguments Docker's default profile rules on)
    #[arg(long)]
    pub args: bool,
    /// Write the profile here [default: stdout, after the command's own output]
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The command and its arguments, after `--`
    #[arg(last = true, required = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

/// Runs `record`: the command's exit status (or 125 when it could not run).
pub fn run(a: RecordArgs) -> Result<u8, Fail> {
    let argv = child::argv(&a.cmd)?;
    let native = ctx::native_arch().map_err(|f| setup(f.message))?;
    if let Some(h) = &a.ctx.host_arch {
        if ctx::arch_arg(Some(h)).map_err(|f| setup(f.message))? != native {
            return Err(setup(format!(
                "--host-arch {h}: record runs the command on this machine, which is {native}"
            )));
        }
    }
    let base = match &a.base {
        None => None,
        Some(p) => {
            let (loaded, an) = ctx::analyze(p, &a.ctx).map_err(|f| setup(f.message))?;
            ctx::require_ok(&loaded, &an).map_err(|f| setup(f.message))?;
            if let Some(why) = &an.unconfined {
                return Err(setup(format!(
                    "--base {p}: no filter would be installed ({why}), so everything would pass unseen and nothing would be recorded"
                )));
            }
            let rows = an.table(native).rows;
            let allowed: Vec<(&'static str, u32)> = rows
                .iter()
                .filter(|r| matches!(r.verdict, RowVerdict::Allowed { ret } if ret == RET_ALLOW))
                .map(|r| (r.name, r.nr))
                .collect();
            Some((loaded.origin, allowed))
        }
    };
    let base_nrs: Vec<u32> = base
        .as_ref()
        .map(|(_, v)| v.iter().map(|x| x.1).collect())
        .unwrap_or_default();
    let nr_of = |name: &str| match syscalls::resolve(native, name) {
        syscalls::Resolved::Number(n) => Some(n),
        _ => None,
    };
    let build = |hs: Handshake| {
        let mut pass = Vec::new();
        for (name, fd) in [("write", hs.ready), ("write", hs.report), ("read", hs.go)] {
            if let Some(nr) = nr_of(name) {
                pass.push((nr, fd as u32));
            }
        }
        Ok(sys::sock_filters(&record_program(native, &base_nrs, &pass)))
    };
    let mut rec = Recorder::new(native, a.args);
    let with_args = a.args;
    let mut on = |l: &notif::Listener, n: &sys::Notif| {
        let name = rec.add(n.arch, n.nr, &n.args);
        if with_args && name == Some("clone3") {
            // struct clone_args starts with the u64 flags.
            if let Some(flags) = notif::read_u64(n.tid, n.args[0]) {
                if l.valid(n.id) {
                    rec.add_clone3_flags(flags);
                }
            }
        }
        Answer::Continue
    };
    let flags = libc::SECCOMP_FILTER_FLAG_TSYNC as u32;
    let (_, status) = notif::run(&argv, true, flags, &build, &mut on)?;
    let base = base.map(|(origin, v)| Base {
        origin,
        allowed: v.iter().map(|x| x.0).collect(),
    });
    let text = rec.profile(base.as_ref());
    crate::write_out(a.out.as_ref(), text.as_bytes())?;
    let dest = a
        .out
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "stdout".into());
    say!(
        "seccplay-native: recorded {} calls of {} syscalls{}; profile written to {dest}",
        rec.total(),
        rec.calls().len(),
        base.as_ref()
            .map(|b| format!(
                " (not counting the {} the base profile allows)",
                b.allowed.len()
            ))
            .unwrap_or_default()
    );
    for ((audit, nr), c) in rec.unnamed() {
        say!(
            "seccplay-native: note: syscall number {nr} (AUDIT_ARCH {audit:#x}) was seen {c} times but has no name, so the profile cannot allow it"
        );
    }
    Ok(child::exit_status(&a.cmd[0], status, Death::Plain))
}
