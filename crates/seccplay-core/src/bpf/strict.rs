//! `SECCOMP_MODE_STRICT` (mode 1, `prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT)`): only four
//! syscalls pass, anything else makes the kernel end the calling thread with
//! `do_exit(SIGKILL)` (`__secure_computing_strict`, kernel/seccomp.c).
//!
//! The four numbers are `mode1_syscalls` (`__NR_seccomp_{read,write,exit,sigreturn}`) for a task
//! of the kernel's native ABI, and `get_compat_mode1_syscalls()` (`__NR_seccomp_*_32`) for a
//! compat task (`in_compat_syscall()`); the per-architecture values come from
//! `include/asm-generic/seccomp.h` and `arch/{x86,arm64,mips,powerpc,s390}/include/asm/seccomp.h`.
//! The list is compared with the raw syscall number (`syscall_get_nr`).

use crate::arch::Arch;
use serde::Serialize;

/// How an ABI runs on the kernel: as the kernel's own ABI or as a compat ABI of a 64-bit kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AbiRole {
    /// The kernel is built for this ABI (`mode1_syscalls`).
    Native,
    /// A 32-bit (or x32) task on a 64-bit kernel (`get_compat_mode1_syscalls()`).
    Compat,
}

/// What strict mode does with a syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StrictOutcome {
    /// The syscall is one of the four and runs normally.
    Allowed,
    /// The calling thread is ended with `do_exit(SIGKILL)`: no SIGSYS, no core dump, no return
    /// to user space; the kernel logs it as `SECCOMP_RET_KILL_THREAD`. (Not a filter return
    /// value: strict mode runs no BPF.)
    ThreadKilledSigkill,
}

/// The four syscall numbers strict mode lets through for `arch` in `role`, in the kernel's
/// order (read, write, exit, sigreturn-or-rt_sigreturn), as seen in `seccomp_data.nr`
/// (mips bases included). `None` if the ABI cannot run in that role (x32 and mips n32 exist only
/// as compat ABIs; aarch64, x86_64, riscv64, loongarch64, mips n64, ppc64, s390x, parisc64, m68k
/// and sh only natively).
///
/// x32 tasks get the ia32 compat list (3, 4, 1, 119) but their numbers carry bit 30, so no x32
/// syscall matches and the first syscall kills the thread (inferred from the source; see the
/// module docs).
pub fn mode1_syscalls(arch: Arch, role: AbiRole) -> Option<[u32; 4]> {
    use AbiRole::*;
    use Arch::*;
    Some(match (arch, role) {
        (X86_64, Native) => [0, 1, 60, 15],
        // CONFIG_X86_32: __NR_sigreturn; compat: __NR_ia32_sigreturn.
        (X86, _) => [3, 4, 1, 119],
        (X32, Compat) => [3, 4, 1, 119],
        // arm: asm-generic (rt_sigreturn); arm64 compat: __NR_compat_rt_sigreturn.
        (Arm, _) => [3, 4, 1, 173],
        (Aarch64 | Riscv64 | Loongarch64, Native) => [63, 64, 93, 139],
        (M68k, Native) => [3, 4, 1, 173],
        // o32: native asm-generic and syscalls_O32 agree (rt_sigreturn 4193).
        (Mips | Mipsel, _) => [4003, 4004, 4001, 4193],
        (Mips64 | Mipsel64, Native) => [5000, 5001, 5058, 5211],
        (Mips64n32 | Mipsel64n32, Compat) => [6000, 6001, 6058, 6211],
        (Parisc, _) | (Parisc64, Native) => [3, 4, 1, 173],
        // powerpc defines __NR_seccomp_sigreturn_32 as __NR_sigreturn for compat tasks only.
        (Ppc, Native) => [3, 4, 1, 172],
        (Ppc, Compat) => [3, 4, 1, 119],
        (Ppc64 | Ppc64le, Native) => [3, 4, 1, 172],
        // s390 uses sigreturn for both lists.
        (S390, _) | (S390x, Native) => [3, 4, 1, 119],
        (Sh | Sheb, Native) => [3, 4, 1, 173],
        _ => return None,
    })
}

/// Strict mode's decision for syscall `nr` (as in `seccomp_data.nr`) of `arch` in `role`;
/// `None` if the ABI cannot run in that role.
pub fn strict_mode(arch: Arch, role: AbiRole, nr: u32) -> Option<StrictOutcome> {
    let list = mode1_syscalls(arch, role)?;
    Some(if list.contains(&nr) {
        StrictOutcome::Allowed
    } else {
        StrictOutcome::ThreadKilledSigkill
    })
}

/// Strict mode's decision on a given kernel: [`strict_mode`], plus the calls that kernel also
/// lets through in strict mode. The commits that made x86_64 `uretprobe` (6.14, 6.12.y and
/// 6.13.y) and `uprobe` (6.18) bypass filters added them to `mode1_syscalls` too, so the
/// versions are those of [`crate::context::FILTER_BYPASSES`]. On a series where it depends on
/// the point release, the answer is the one of the releases without the change.
pub fn strict_mode_on(
    kernel: crate::profile::KernelVersion,
    arch: Arch,
    role: AbiRole,
    nr: u32,
) -> Option<StrictOutcome> {
    let bypass = crate::context::filter_bypass(kernel, arch, nr);
    if role == AbiRole::Native && matches!(bypass, Some(crate::context::Bypass::Always(_))) {
        return Some(StrictOutcome::Allowed);
    }
    strict_mode(arch, role, nr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_abi_has_some_role() {
        for a in Arch::ALL {
            assert!(
                mode1_syscalls(a, AbiRole::Native).is_some()
                    || mode1_syscalls(a, AbiRole::Compat).is_some(),
                "{a}"
            );
        }
        assert_eq!(mode1_syscalls(Arch::X32, AbiRole::Native), None);
        assert_eq!(mode1_syscalls(Arch::Aarch64, AbiRole::Compat), None);
    }

    #[test]
    fn decisions() {
        use StrictOutcome::*;
        assert_eq!(
            strict_mode(Arch::X86_64, AbiRole::Native, 15),
            Some(Allowed)
        );
        assert_eq!(
            strict_mode(Arch::X86_64, AbiRole::Native, 2),
            Some(ThreadKilledSigkill)
        );
        // i386 allows sigreturn (119), not rt_sigreturn (173).
        assert_eq!(
            strict_mode(Arch::X86, AbiRole::Compat, 173),
            Some(ThreadKilledSigkill)
        );
        assert_eq!(strict_mode(Arch::X86, AbiRole::Compat, 119), Some(Allowed));
        // x32 read is 0x40000000: not in the ia32 list.
        assert_eq!(
            strict_mode(Arch::X32, AbiRole::Compat, 0x4000_0000),
            Some(ThreadKilledSigkill)
        );
        assert_eq!(strict_mode(Arch::Ppc, AbiRole::Native, 172), Some(Allowed));
        let k = |major, minor| crate::profile::KernelVersion { major, minor };
        let on = |kv, nr| strict_mode_on(kv, Arch::X86_64, AbiRole::Native, nr);
        assert_eq!(on(k(6, 14), 335), Some(Allowed));
        assert_eq!(on(k(6, 11), 335), Some(ThreadKilledSigkill));
        assert_eq!(on(k(6, 14), 336), Some(ThreadKilledSigkill));
        assert_eq!(on(k(6, 18), 336), Some(Allowed));
        assert_eq!(
            strict_mode_on(k(6, 18), Arch::X86, AbiRole::Compat, 335),
            Some(ThreadKilledSigkill)
        );
        assert_eq!(
            strict_mode(Arch::Ppc, AbiRole::Compat, 172),
            Some(ThreadKilledSigkill)
        );
    }
}
