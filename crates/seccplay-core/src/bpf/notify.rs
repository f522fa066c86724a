//! Program transforms for a user-space supervisor (`SECCOMP_RET_USER_NOTIF`).
//!
//! [`notify_instead`] turns a filter into one that asks a supervisor wherever the original
//! would not allow the syscall: every `RET #k` whose action is not ALLOW becomes
//! `RET #USER_NOTIF`, and nothing else changes — same instructions, same jumps, same paths.
//! The supervisor runs the *original* program on the notification's `seccomp_data` to learn
//! the exact 32-bit action the kernel would have taken (this is what `apply --explain` does).
//!
//! [`record_program`] builds the filter `record` uses: ALLOW for an allow-list of syscall
//! numbers (and for a few `(nr, arg0)` pairs, the supervisor's own handshake), USER_NOTIF for
//! everything else, including every other ABI.

use super::insn::*;
use super::Insn;
use crate::action::{Action, RET_ALLOW, RET_USER_NOTIF};
use crate::arch::Arch;
use std::fmt;

/// Why a program cannot be transformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifyError {
    /// Index of the offending instruction.
    pub index: usize,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instruction {}: {}", self.index, self.message)
    }
}

impl std::error::Error for NotifyError {}

/// The program with every non-ALLOW `RET #k` replaced by `RET #SECCOMP_RET_USER_NOTIF`.
///
/// LOG is rewritten too (it lets the syscall run, but the supervisor should see it; it answers
/// with CONTINUE). `RET A` cannot be rewritten without knowing A, so it is an error, as is a
/// program that already returns USER_NOTIF (a supervisor could not tell its own notifications
/// from the profile's; callers answer those from the original program anyway, so they are
/// allowed here and keep their value).
pub fn notify_instead(prog: &[Insn]) -> Result<Vec<Insn>, NotifyError> {
    prog.iter()
        .enumerate()
        .map(|(i, &insn)| {
            if class(insn.code) != BPF_RET {
                return Ok(insn);
            }
            match rval(insn.code) {
                BPF_K => {
                    if Action::from_ret(insn.k) == Action::Allow {
                        Ok(insn)
                    } else {
                        Ok(Insn::stmt(BPF_RET | BPF_K, RET_USER_NOTIF))
                    }
                }
                _ => Err(NotifyError {
                    index: i,
                    message: "RET A returns a computed value, which cannot be rewritten statically"
                        .into(),
                }),
            }
        })
        .collect()
}

/// A filter for recording: on ABI `arch`, ALLOW the syscall numbers in `allow` and the
/// `(nr, arg0)` pairs of `pass` (arg0 compared on its low 32 bits, e.g. a file descriptor);
/// USER_NOTIF for everything else, including other ABIs. Linear code: one short jump per
/// entry, so any number of entries fits the 8-bit jump offsets.
pub fn record_program(arch: Arch, allow: &[u32], pass: &[(u32, u32)]) -> Vec<Insn> {
    let endian = arch.endian();
    let nr_off = super::data::Field::Nr.offset(endian);
    let arch_off = super::data::Field::Arch.offset(endian);
    let arg0_lo = super::data::Field::Arg(0, super::data::Half::Low).offset(endian);
    let mut allow: Vec<u32> = allow.to_vec();
    crate::sort::sort(&mut allow);
    allow.dedup();
    let mut p = vec![
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, arch_off),
        Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, arch.audit_arch(), 1, 0),
        Insn::stmt(BPF_RET | BPF_K, RET_USER_NOTIF),
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, nr_off),
    ];
    for &(nr, a0) in pass {
        p.push(Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 4));
        p.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, arg0_lo));
        p.push(Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, a0, 0, 1));
        p.push(Insn::stmt(BPF_RET | BPF_K, RET_ALLOW));
        p.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, nr_off));
    }
    for nr in allow {
        p.push(Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
        p.push(Insn::stmt(BPF_RET | BPF_K, RET_ALLOW));
    }
    p.push(Insn::stmt(BPF_RET | BPF_K, RET_USER_NOTIF));
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::bpf::{interp, verify, SeccompData};
    use crate::context::Context;
    use crate::syscalls;

    fn docker_program() -> Vec<Insn> {
        let text = match crate::presets::get("docker").map(|p| p.kind) {
            Some(crate::presets::PresetKind::Profile(t)) => t,
            _ => panic!("docker preset"),
        };
        let a = analyze(text, &Context::docker(Arch::X86_64));
        a.program.expect("compiled").insns
    }

    #[test]
    fn notify_program_differs_only_in_ret_values_and_verifies() {
        let orig = docker_program();
        let n = notify_instead(&orig).unwrap();
        assert_eq!(orig.len(), n.len());
        verify::verify(&n).unwrap();
        let mut rewritten = 0;
        for (a, b) in orig.iter().zip(&n) {
            if a != b {
                assert_eq!(class(a.code), BPF_RET);
                assert_eq!(*b, Insn::stmt(BPF_RET | BPF_K, RET_USER_NOTIF));
                assert_ne!(Action::from_ret(a.k), Action::Allow);
                rewritten += 1;
            }
        }
        assert!(rewritten > 0);
    }

    #[test]
    fn notify_program_notifies_exactly_where_the_original_does_not_allow() {
        let orig = docker_program();
        let n = notify_instead(&orig).unwrap();
        let e = Arch::X86_64.endian();
        let mut checked = 0;
        for audit in [Arch::X86_64.audit_arch(), Arch::X86.audit_arch(), 0xdead] {
            for nr in (0..460).chain([0x4000_0000, 0x4000_0001, 0xffff_ffff]) {
                for args in [[0u64; 6], [0x1000_0000, 0, 0, 0, 0, 0], [0xffff_ffff; 6]] {
                    let d = SeccompData::new(nr, audit, args);
                    let r0 = interp::run(&orig, &d, e).unwrap();
                    let r1 = interp::run(&n, &d, e).unwrap();
                    if Action::from_ret(r0) == Action::Allow {
                        assert_eq!(r1, r0);
                    } else {
                        assert_eq!(r1, RET_USER_NOTIF, "nr {nr} arch {audit:#x}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn ret_a_is_refused() {
        let p = [
            Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 0),
            Insn::stmt(BPF_RET | BPF_A, 0),
        ];
        let e = notify_instead(&p).unwrap_err();
        assert_eq!(e.index, 1);
        assert!(e.to_string().contains("RET A"));
    }

    #[test]
    fn record_program_allows_the_list_and_notifies_the_rest() {
        let a = Arch::X86_64;
        let nr = |n| match syscalls::resolve(a, n) {
            syscalls::Resolved::Number(x) => x,
            _ => panic!("{n}"),
        };
        let allow: Vec<u32> = (0..300).filter(|n| n % 3 == 0).collect();
        let p = record_program(a, &allow, &[(nr("write"), 7), (nr("read"), 9)]);
        verify::verify(&p).unwrap();
        let run = |n: u32, arch: u32, a0: u64| {
            interp::run(
                &p,
                &SeccompData::new(n, arch, [a0, 0, 0, 0, 0, 0]),
                a.endian(),
            )
            .unwrap()
        };
        let native = a.audit_arch();
        assert_eq!(run(3, native, 0), RET_ALLOW);
        assert_eq!(run(4, native, 0), RET_USER_NOTIF);
        assert_eq!(run(3, Arch::X86.audit_arch(), 0), RET_USER_NOTIF);
        assert_eq!(run(nr("write"), native, 7), RET_ALLOW);
        assert_eq!(run(nr("write"), native, 8), RET_USER_NOTIF);
        assert_eq!(run(nr("read"), native, 9), RET_ALLOW);
        // read is 0, which is also in the allow-list: allowed whatever the descriptor.
        assert_eq!(run(nr("read"), native, 1), RET_ALLOW);
        assert_eq!(run(0x4000_0000, native, 0), RET_USER_NOTIF);
        let empty = record_program(a, &[], &[]);
        verify::verify(&empty).unwrap();
        assert_eq!(
            interp::run(&empty, &SeccompData::new(59, native, [0; 6]), a.endian()).unwrap(),
            RET_USER_NOTIF
        );
    }
}
