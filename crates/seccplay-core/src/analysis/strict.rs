//! Strict mode's answers (`SECCOMP_MODE_STRICT`: no profile, no filter): the decision of
//! [`crate::bpf::strict`] for one call or for every syscall of an ABI, with the sentences both
//! shells show. The page's strict preset and the CLI's `simulate strict` read these.
//!
//! 1. The role of the calling ABI is the host's: the host's own ABI runs natively, any other
//!    ABI as a compat task of the host's kernel ([`StrictMode::role`]).
//! 2. The decision is [`strict::strict_mode_on`]: the four calls of the role's list, plus the
//!    calls the context's kernel lets through past filters (x86_64 `uretprobe` from 6.14,
//!    `uprobe` from 6.18, [`crate::context::FILTER_BYPASSES`]).
//! 3. The sentences name the four calls as the ABI's table names them, say the x32 case (the
//!    ia32 list, numbers with bit 30: nothing passes) and the point-release caveat of 6.12/6.13.

use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::bpf::strict::{self, AbiRole, StrictOutcome};
use crate::context::{Bypass, Context};
use crate::eval::Query;
use crate::expr::{self, ExprError};
use crate::profile::KernelVersion;
use crate::syscalls;
use serde::Serialize;

/// Strict mode on a host: the kernel's version (newer ones let more calls through) and its ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrictMode {
    /// The kernel's version.
    pub kernel: KernelVersion,
    /// The kernel's own ABI; any other ABI runs as a compat task.
    pub host: Arch,
}

/// The answer for one syscall under strict mode.
#[derive(Clone, Debug, Serialize)]
pub struct StrictVerdict {
    /// The ABI the syscall was issued on.
    pub arch: Arch,
    /// The syscall's name on that ABI, if it has one.
    pub name: Option<&'static str>,
    /// The input (`query.nr` is what strict mode compares).
    pub query: Query,
    /// How the ABI runs on the host: `Native` or `Compat`.
    pub role: AbiRole,
    /// What strict mode does: `Allowed` or `ThreadKilledSigkill`; `None` when the ABI cannot
    /// run in that role on the host (then there is no answer).
    pub outcome: Option<StrictOutcome>,
    /// `ALLOW`, `KILL (SIGKILL)` or `n/a`.
    pub label: &'static str,
    /// The answer in one plain sentence.
    pub headline: String,
    /// Why, in detail.
    pub explanation: String,
}

/// One syscall of an ABI under strict mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StrictRow {
    /// The syscall's name.
    pub name: &'static str,
    /// Its number on the ABI (`seccomp_data.nr`).
    pub nr: u32,
    /// True when strict mode lets it through; false when it kills the thread.
    pub allowed: bool,
    /// `ALLOW` or `KILL (SIGKILL)`.
    pub label: &'static str,
}

/// Every syscall of an ABI under strict mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StrictTable {
    /// The ABI.
    pub arch: Arch,
    /// Its role on the host.
    pub role: AbiRole,
    /// One row per syscall of the ABI's table, by number; empty when the ABI cannot run in
    /// that role (see `none`).
    pub rows: Vec<StrictRow>,
    /// Rows strict mode lets through.
    pub allowed: usize,
    /// Rows that kill the thread.
    pub killed: usize,
    /// `x86_64: strict mode lets 4 of 373 syscalls through; any other kills the thread
    /// (SIGKILL)`.
    pub summary: String,
    /// Why there are no rows: the ABI cannot run in that role on the host.
    pub none: Option<String>,
}

/// The label of an answer.
fn label(o: Option<StrictOutcome>) -> &'static str {
    match o {
        Some(StrictOutcome::Allowed) => "ALLOW",
        Some(StrictOutcome::ThreadKilledSigkill) => "KILL (SIGKILL)",
        None => "n/a",
    }
}

/// `a, b, c and d`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl StrictMode {
    /// Strict mode on the context's host and kernel.
    pub fn of(ctx: &Context) -> StrictMode {
        StrictMode {
            kernel: ctx.kernel,
            host: ctx.host_arch,
        }
    }

    /// How `abi` runs on this host: natively when it is the host's ABI, else as compat.
    pub fn role(&self, abi: Arch) -> AbiRole {
        if abi == self.host {
            AbiRole::Native
        } else {
            AbiRole::Compat
        }
    }

    /// The calls strict mode lets through for `abi`, in words: `read, write, exit and
    /// rt_sigreturn (0, 1, 60 and 15)`; x32 names the x86 calls its list holds.
    fn four(&self, abi: Arch, role: AbiRole) -> Option<String> {
        let list = strict::mode1_syscalls(abi, role)?;
        // x32 tasks are checked against the ia32 list: those numbers are x86's.
        let table = if abi == Arch::X32 { Arch::X86 } else { abi };
        let names: Vec<String> = list
            .iter()
            .map(|&nr| {
                syscalls::name(table, nr).map_or_else(|| format!("syscall {nr}"), str::to_string)
            })
            .collect();
        let nrs: Vec<String> = list.iter().map(u32::to_string).collect();
        let of = if abi == Arch::X32 { "x86's " } else { "" };
        Some(format!("{of}{} ({})", and_list(&names), and_list(&nrs)))
    }

    /// Why `abi` has no answer in `role` on this host.
    fn cannot_run(&self, abi: Arch, role: AbiRole) -> String {
        match role {
            AbiRole::Native => format!(
                "{abi} is never a kernel's own ABI (it runs only as a compat ABI): strict mode has no list for it as the host's ABI"
            ),
            AbiRole::Compat => format!(
                "{abi} cannot run as a compat ABI of the host's kernel ({}): strict mode has no list for it there",
                self.host
            ),
        }
    }

    /// Strict mode's answer for one query on `abi`.
    pub fn simulate(&self, abi: Arch, query: Query) -> StrictVerdict {
        let role = self.role(abi);
        let nr = query.nr;
        let name = syscalls::name(abi, nr);
        let sys = name.map_or_else(|| format!("syscall {}", nr as i32), str::to_string);
        let outcome = strict::strict_mode_on(self.kernel, abi, role, nr);
        let bypass = match role {
            AbiRole::Native => crate::context::filter_bypass(self.kernel, abi, nr),
            AbiRole::Compat => None,
        };
        let (headline, explanation) = match (outcome, self.four(abi, role)) {
            (None, _) | (_, None) => {
                let why = self.cannot_run(abi, role);
                (format!("No answer: {why}."), format!("{why}."))
            }
            (Some(StrictOutcome::Allowed), Some(four)) => match bypass {
                Some(Bypass::Always(b)) => (
                    format!("Allowed: the kernel lets {sys} through in strict mode."),
                    format!(
                        "Strict mode (SECCOMP_MODE_STRICT) runs no filter and lets {four} through on {abi}; Linux {}.{} and later also let {} through, as they do past filters ({}).",
                        b.since.major, b.since.minor, b.name, b.source
                    ),
                ),
                _ => (
                    format!("Allowed: strict mode lets {sys} through."),
                    format!(
                        "Strict mode (SECCOMP_MODE_STRICT) runs no filter and lets {four} through on {abi}: {sys} is one of them."
                    ),
                ),
            },
            (Some(StrictOutcome::ThreadKilledSigkill), Some(four)) => {
                let mut why = format!(
                    "Strict mode (SECCOMP_MODE_STRICT) runs no filter and lets only {four} through on {abi}: any other call, {sys} here, ends the thread with SIGKILL (no SIGSYS, no core dump; logged as KILL_THREAD)."
                );
                if abi == Arch::X32 {
                    why.push_str(&format!(
                        " x32 numbers carry bit 30 ({X32_SYSCALL_BIT:#x}), so no x32 call matches that list: the first one kills the thread."
                    ));
                }
                if let Some(Bypass::DependsOnPointRelease(b)) = bypass {
                    why.push_str(&format!(
                        " On this series it depends on the point release: later stable releases let {} through in strict mode, as {}.{} does ({}); this answer is the one of the releases without the change.",
                        b.name, b.since.major, b.since.minor, b.source
                    ));
                }
                (
                    format!("Killed (SIGKILL): strict mode does not let {sys} through."),
                    why,
                )
            }
        };
        StrictVerdict {
            arch: abi,
            name,
            query,
            role,
            outcome,
            label: label(outcome),
            headline,
            explanation,
        }
    }

    /// Parses a syscall expression (`read(0, 0, 0)`, `nr=135`) and answers it on `abi`.
    pub fn simulate_call(&self, text: &str, abi: Arch) -> Result<StrictVerdict, ExprError> {
        let call = expr::parse_call(text, abi)?;
        Ok(self.simulate(abi, super::query_of(&call, abi)))
    }

    /// Every syscall of `abi` under strict mode.
    pub fn table(&self, abi: Arch) -> StrictTable {
        let role = self.role(abi);
        if strict::mode1_syscalls(abi, role).is_none() {
            let why = self.cannot_run(abi, role);
            return StrictTable {
                arch: abi,
                role,
                rows: Vec::new(),
                allowed: 0,
                killed: 0,
                summary: format!("{abi}: strict mode: no answer"),
                none: Some(format!("{why}.")),
            };
        }
        let rows: Vec<StrictRow> = syscalls::syscalls(abi)
            .into_iter()
            .map(|(name, nr)| {
                let o = strict::strict_mode_on(self.kernel, abi, role, nr);
                StrictRow {
                    name,
                    nr,
                    allowed: o == Some(StrictOutcome::Allowed),
                    label: label(o),
                }
            })
            .collect();
        let allowed = rows.iter().filter(|r| r.allowed).count();
        let killed = rows.len() - allowed;
        StrictTable {
            arch: abi,
            role,
            summary: format!(
                "{abi}: strict mode lets {allowed} of {} syscalls through; any other kills the thread (SIGKILL)",
                rows.len()
            ),
            rows,
            allowed,
            killed,
            none: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(major: u8, minor: u8) -> StrictMode {
        StrictMode {
            kernel: KernelVersion { major, minor },
            host: Arch::X86_64,
        }
    }

    fn call(m: StrictMode, text: &str, abi: Arch) -> StrictVerdict {
        m.simulate_call(text, abi).unwrap()
    }

    #[test]
    fn the_four_calls_pass_and_anything_else_is_killed() {
        let m = mode(6, 1);
        let v = call(m, "read(0, 0, 0)", Arch::X86_64);
        assert_eq!(
            (v.outcome, v.label, v.role),
            (Some(StrictOutcome::Allowed), "ALLOW", AbiRole::Native)
        );
        assert_eq!(v.headline, "Allowed: strict mode lets read through.");
        assert!(
            v.explanation
                .contains("read, write, exit and rt_sigreturn (0, 1, 60 and 15) through on x86_64"),
            "{}",
            v.explanation
        );
        let v = call(m, "getpid()", Arch::X86_64);
        assert_eq!(
            (v.outcome, v.label),
            (Some(StrictOutcome::ThreadKilledSigkill), "KILL (SIGKILL)")
        );
        assert_eq!(
            v.headline,
            "Killed (SIGKILL): strict mode does not let getpid through."
        );
        // The ptracers' "skip" number is compared like any other: not in the list.
        let v = call(m, "nr=-1", Arch::X86_64);
        assert_eq!(v.outcome, Some(StrictOutcome::ThreadKilledSigkill));
        assert!(v.headline.contains("syscall -1"), "{}", v.headline);
    }

    #[test]
    fn compat_abis_use_the_compat_list() {
        let m = mode(6, 1);
        // ia32 on x86_64: sigreturn (119) passes, rt_sigreturn (173) does not.
        let v = call(m, "sigreturn()", Arch::X86);
        assert_eq!(
            (v.role, v.outcome),
            (AbiRole::Compat, Some(StrictOutcome::Allowed))
        );
        let v = call(m, "rt_sigreturn()", Arch::X86);
        assert_eq!(v.outcome, Some(StrictOutcome::ThreadKilledSigkill));
        // x32: the ia32 list, but x32 numbers carry bit 30: even read is killed.
        let v = call(m, "read(0, 0, 0)", Arch::X32);
        assert_eq!(v.outcome, Some(StrictOutcome::ThreadKilledSigkill));
        assert!(
            v.explanation
                .contains("x86's read, write, exit and sigreturn (3, 4, 1 and 119)"),
            "{}",
            v.explanation
        );
        assert!(v.explanation.contains("bit 30"), "{}", v.explanation);
        // aarch64 is no compat ABI of x86_64.
        let v = call(m, "read(0, 0, 0)", Arch::Aarch64);
        assert_eq!((v.outcome, v.label), (None, "n/a"));
        assert!(
            v.headline.starts_with(
                "No answer: aarch64 cannot run as a compat ABI of the host's kernel (x86_64)"
            ),
            "{}",
            v.headline
        );
    }

    #[test]
    fn newer_kernels_let_uretprobe_and_uprobe_through() {
        let v = call(mode(6, 14), "uretprobe()", Arch::X86_64);
        assert_eq!(v.outcome, Some(StrictOutcome::Allowed));
        assert!(
            v.explanation
                .contains("Linux 6.14 and later also let uretprobe through"),
            "{}",
            v.explanation
        );
        let v = call(mode(6, 12), "uretprobe()", Arch::X86_64);
        assert_eq!(v.outcome, Some(StrictOutcome::ThreadKilledSigkill));
        assert!(
            v.explanation.contains("depends on the point release"),
            "{}",
            v.explanation
        );
        let v = call(mode(6, 11), "uretprobe()", Arch::X86_64);
        assert!(
            !v.explanation.contains("point release"),
            "{}",
            v.explanation
        );
        assert_eq!(
            call(mode(6, 18), "uprobe()", Arch::X86_64).outcome,
            Some(StrictOutcome::Allowed)
        );
        // Not for an ia32 task.
        assert_eq!(
            mode(6, 18)
                .simulate_call("nr=335", Arch::X86)
                .unwrap()
                .outcome,
            Some(StrictOutcome::ThreadKilledSigkill)
        );
    }

    #[test]
    fn tables() {
        let t = mode(6, 1).table(Arch::X86_64);
        assert_eq!(t.allowed, 4);
        assert_eq!(t.killed + t.allowed, t.rows.len());
        let allowed: Vec<&str> = t
            .rows
            .iter()
            .filter(|r| r.allowed)
            .map(|r| r.name)
            .collect();
        assert_eq!(allowed, ["read", "write", "rt_sigreturn", "exit"]);
        assert_eq!(mode(6, 18).table(Arch::X86_64).allowed, 6);
        assert_eq!(mode(6, 18).table(Arch::X32).allowed, 0);
        let t = mode(6, 1).table(Arch::Aarch64);
        assert!(t.rows.is_empty() && t.none.is_some(), "{t:?}");
        assert_eq!(t.summary, "aarch64: strict mode: no answer");
        assert_eq!(
            mode(6, 1).table(Arch::X86).summary,
            format!(
                "x86: strict mode lets 4 of {} syscalls through; any other kills the thread (SIGKILL)",
                mode(6, 1).table(Arch::X86).rows.len()
            )
        );
    }
}
