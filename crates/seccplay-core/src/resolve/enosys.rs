//! runc's ENOSYS stub (seccomp-semantics.md §3.3): syscalls newer than the profile get
//! `ERRNO(ENOSYS)` before the filter runs, so programs fall back instead of failing with EPERM.

use super::ENOSYS;
use crate::action::Action;
use crate::arch::Arch;
use crate::context::{Context, Runtime};
use crate::profile::SyscallEntry;
use crate::syscalls::{self, Resolved, Syscall};
use serde::Serialize;

/// runc's ENOSYS stub (§3.3): per `AUDIT_ARCH` value, the largest syscall number the profile
/// names on each ABI; larger numbers get `ERRNO(ENOSYS)` before the filter runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnosysStub {
    /// `(abi, max nr)` for every ABI with at least one known name, in filter ABI order.
    pub max: Vec<(Arch, u32)>,
}

impl EnosysStub {
    /// The stub's verdict: `Some(ERRNO(ENOSYS))` if it answers, `None` if the filter runs.
    pub fn decide(&self, audit_arch: u32, nr: u32) -> Option<u32> {
        let on = |a: Arch| self.max.iter().find(|(x, _)| *x == a).map(|&(_, m)| m);
        // The stub's ABIs with this AUDIT_ARCH value: none, one, or x86_64 and x32 (the
        // only two ABIs that share one). No allocation: the compiler asks for every range.
        let mut listed = self
            .max
            .iter()
            .map(|&(a, _)| a)
            .filter(|a| a.audit_arch() == audit_arch);
        let first = listed.next();
        let more = first.is_some_and(|f| listed.any(|a| a != f));
        let enosys = Action::Errno(ENOSYS).to_ret();
        match (first, more) {
            (None, _) => None,
            (Some(a), false) => {
                // s390/s390x: syscall 0 is the multiplexer, always ENOSYS.
                if matches!(a, Arch::S390 | Arch::S390x) && nr == 0 {
                    return Some(enosys);
                }
                match a {
                    Arch::X86_64 if nr & crate::arch::X32_SYSCALL_BIT != 0 => None,
                    Arch::X32 if nr & crate::arch::X32_SYSCALL_BIT == 0 => None,
                    _ => (nr > on(a)?).then_some(enosys),
                }
            }
            (Some(_), true) => {
                // x86_64 and x32 share AUDIT_ARCH_X86_64.
                let a = if nr & crate::arch::X32_SYSCALL_BIT != 0 {
                    Arch::X32
                } else {
                    Arch::X86_64
                };
                (nr > on(a)?).then_some(enosys)
            }
        }
    }
}

/// Step 4: whether runc puts the stub in front of this filter (not when the default action
/// allows or traces).
pub(super) fn modelled(ctx: &Context, default_action: u32) -> bool {
    ctx.runtime == Runtime::Runc
        && ctx.enosys_stub
        && !Action::from_ret(default_action).is_allow()
        && !matches!(Action::from_ret(default_action), Action::Trace(_))
}

/// The stub's per-ABI maximum: the largest number of any name the profile lists (all entries
/// kept by moby, whatever their action), ignoring names unknown to the table.
pub(super) fn enosys_stub(
    arches: &[Arch],
    kept: &[&SyscallEntry],
    lib: crate::libseccomp::Libseccomp,
) -> EnosysStub {
    let mut max = Vec::new();
    let known: Vec<Syscall> = kept
        .iter()
        .flat_map(|e| e.names.iter())
        .filter_map(|n| syscalls::lookup_in(lib, &n.value))
        .collect();
    for &a in arches {
        let m = known
            .iter()
            .filter_map(|s| match s.on(a) {
                // libseccomp's "abi" resolvers give socket/ipc names their pseudo number.
                Resolved::Number(_) if a.multiplexers().is_some() && s.multiplexed().is_some() => {
                    None
                }
                Resolved::Number(nr) => Some(nr),
                _ => None,
            })
            .max();
        if let Some(m) = m {
            max.push((a, m));
        }
    }
    EnosysStub { max }
}
