//! What the kernel's constant-action cache would record (spec §1.5) and how many instructions a
//! filter costs.
//!
//! [`is_const_allow`] is the kernel's restricted emulator (`seccomp_is_const_allow`): it runs the
//! *original* program with only `nr` and `arch` known and says "always ALLOW" only when every
//! instruction on the way is one it understands and the `ret #k` reached is exactly
//! `SECCOMP_RET_ALLOW`.
//!
//! [`worst_case_steps`] bounds the instructions executed for one `(arch, nr)` over all argument
//! and instruction-pointer values: it walks the program forward, following every path whose
//! conditions are consistent with the known `nr`/`arch` (A, X and scratch cells are tracked as
//! "known constant" or "unknown"; a jump on an unknown value takes both ways), and returns the
//! longest such path to a `ret`. Since unknown values may take both ways even where real data
//! could not (e.g. testing the same argument twice), it is an upper bound, exact for programs
//! whose only data-dependent jumps test independent values.

use super::insn::*;
use super::interp::{RunError, RunErrorKind};
use crate::action::RET_ALLOW;
use std::collections::BTreeMap;

/// `__NR_uretprobe` on x86_64, which kernels ≥ 6.14 (and 6.12.y) always allow for the native ABI.
pub const X86_64_NR_URETPROBE: u32 = 335;

/// The kernel's `seccomp_is_const_allow` emulator for `seccomp_data.arch = arch` and
/// `seccomp_data.nr = nr`, without the uretprobe exception (see [`kernel_cache_allows`]).
pub fn is_const_allow(prog: &[Insn], arch: u32, nr: u32) -> bool {
    let mut reg = 0u32;
    let mut pc = 0usize;
    while pc < prog.len() {
        let i = prog[pc];
        let k = i.k;
        match i.code {
            c if c == BPF_LD | BPF_W | BPF_ABS => match k {
                0 => reg = nr,
                4 => reg = arch,
                _ => return false,
            },
            c if c == BPF_RET | BPF_K => return k == RET_ALLOW,
            c if c == BPF_JMP | BPF_JA => pc = pc.saturating_add(k as usize),
            c if c == BPF_JMP | BPF_JEQ | BPF_K
                || c == BPF_JMP | BPF_JGE | BPF_K
                || c == BPF_JMP | BPF_JGT | BPF_K
                || c == BPF_JMP | BPF_JSET | BPF_K =>
            {
                let r = match op(c) {
                    BPF_JEQ => reg == k,
                    BPF_JGE => reg >= k,
                    BPF_JGT => reg > k,
                    _ => reg & k != 0,
                };
                pc += if r { i.jt as usize } else { i.jf as usize };
            }
            c if c == BPF_ALU | BPF_AND | BPF_K => reg &= k,
            _ => return false,
        }
        pc = pc.saturating_add(1);
    }
    // Ran off the end (the kernel WARNs): not constant.
    false
}

/// Whether the kernel's cache bit for (`arch`, `nr`) would be set by this filter alone,
/// including the hard-wired uretprobe exception when `uretprobe_exception` is true (x86_64
/// kernels ≥ 6.14 or 6.12.y: syscall 335 of `AUDIT_ARCH_X86_64` is always allowed). The kernel
/// only keeps bits for `0 <= nr < NR_syscalls` of its native and compat ABI; the caller decides
/// which numbers to ask about. Over a stack, the bit is the AND over all filters.
pub fn kernel_cache_allows(prog: &[Insn], arch: u32, nr: u32, uretprobe_exception: bool) -> bool {
    if uretprobe_exception && arch == 0xc000_003e && nr == X86_64_NR_URETPROBE {
        return true;
    }
    is_const_allow(prog, arch, nr)
}

/// A value as the cost analysis knows it.
type Val = Option<u32>;

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct AbsState {
    a: Val,
    x: Val,
    mem: [Val; 16],
}

impl AbsState {
    fn top() -> AbsState {
        AbsState {
            a: None,
            x: None,
            mem: [None; 16],
        }
    }
}

/// The result of [`worst_case_steps`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorstCase {
    /// The most instructions executed on a path consistent with the known `nr` and `arch`.
    pub steps: usize,
    /// True if the analysis had to forget known values to stay within its state budget (the
    /// bound is still an upper bound, only looser).
    pub widened: bool,
}

/// States kept per instruction before they are merged into "everything unknown".
const STATE_BUDGET: usize = 64;

/// Upper bound of the instructions executed for syscall `nr` of `seccomp_data.arch = arch`, over
/// all argument values (see the module docs). Fails like the interpreter on instructions
/// seccomp would not run or jumps past the end, if such an instruction is reachable.
pub fn worst_case_steps(prog: &[Insn], arch: u32, nr: u32) -> Result<WorstCase, RunError> {
    let n = prog.len();
    if n == 0 {
        return Err(RunError {
            pc: 0,
            kind: RunErrorKind::Empty,
        });
    }
    // For every pc: abstract state -> most steps taken before reaching it.
    let mut at: Vec<BTreeMap<AbsState, usize>> = vec![BTreeMap::new(); n];
    at[0].insert(AbsState::top_with(0, 0), 0);
    let mut best: Option<usize> = None;
    let mut widened = false;
    for pc in 0..n {
        let states = std::mem::take(&mut at[pc]);
        let i = prog[pc];
        let k = i.k;
        for (mut s, steps) in states {
            let steps = steps + 1;
            let mut push = |t: u64, st: AbsState| -> Result<(), RunError> {
                if t >= n as u64 {
                    return Err(RunError {
                        pc,
                        kind: RunErrorKind::JumpOutOfRange { target: t },
                    });
                }
                let slot = &mut at[t as usize];
                let e = slot.entry(st).or_insert(0);
                *e = (*e).max(steps);
                if slot.len() > STATE_BUDGET {
                    let m = slot.values().copied().max().unwrap_or(0);
                    slot.clear();
                    slot.insert(AbsState::top(), m);
                    widened = true;
                }
                Ok(())
            };
            let c = i.code;
            let next = pc as u64 + 1;
            if c == BPF_RET | BPF_K || c == BPF_RET | BPF_A {
                best = Some(best.map_or(steps, |b| b.max(steps)));
                continue;
            }
            if c == BPF_JMP | BPF_JA {
                push(next + k as u64, s)?;
                continue;
            }
            if super::verify::is_cond_jump_code(c) {
                let v = if src(c) == BPF_X { s.x } else { Some(k) };
                let r = match (s.a, v) {
                    (Some(a), Some(v)) => Some(match op(c) {
                        BPF_JEQ => a == v,
                        BPF_JGT => a > v,
                        BPF_JGE => a >= v,
                        _ => a & v != 0,
                    }),
                    _ => None,
                };
                if r != Some(false) {
                    push(next + i.jt as u64, s.clone())?;
                }
                if r != Some(true) {
                    push(next + i.jf as u64, s)?;
                }
                continue;
            }
            match c {
                _ if c == BPF_LD | BPF_W | BPF_ABS => {
                    if k >= 64 || k % 4 != 0 {
                        return fail2(pc, RunErrorKind::BadLoad { offset: k });
                    }
                    s.a = match k {
                        0 => Some(nr),
                        4 => Some(arch),
                        _ => None,
                    };
                }
                _ if class(c) == BPF_ALU && super::verify::seccomp_opcode_allowed(c) => {
                    let v = if src(c) == BPF_X { s.x } else { Some(k) };
                    if op(c) == BPF_DIV && v == Some(0) {
                        if src(c) == BPF_K {
                            return fail2(pc, RunErrorKind::DivByZeroConst);
                        }
                        // Returns 0 here.
                        best = Some(best.map_or(steps, |b| b.max(steps)));
                        continue;
                    }
                    if op(c) == BPF_DIV && v.is_none() {
                        // X might be 0: this instruction may end the program.
                        best = Some(best.map_or(steps, |b| b.max(steps)));
                    }
                    s.a = match (s.a, v, op(c)) {
                        (Some(a), _, BPF_NEG) => Some(a.wrapping_neg()),
                        (Some(a), Some(v), o) => Some(match o {
                            BPF_ADD => a.wrapping_add(v),
                            BPF_SUB => a.wrapping_sub(v),
                            BPF_MUL => a.wrapping_mul(v),
                            BPF_DIV => a / v,
                            BPF_AND => a & v,
                            BPF_OR => a | v,
                            BPF_XOR => a ^ v,
                            BPF_LSH => a << (v & 31),
                            _ => a >> (v & 31),
                        }),
                        (_, Some(0), BPF_AND) | (_, Some(0), BPF_MUL) => Some(0),
                        _ => None,
                    };
                }
                _ if c == BPF_LD | BPF_IMM => s.a = Some(k),
                _ if c == BPF_LDX | BPF_IMM => s.x = Some(k),
                _ if c == BPF_LD | BPF_W | BPF_LEN => s.a = Some(64),
                _ if c == BPF_LDX | BPF_W | BPF_LEN => s.x = Some(64),
                _ if c == BPF_MISC | BPF_TAX => s.x = s.a,
                _ if c == BPF_MISC | BPF_TXA => s.a = s.x,
                _ if c == BPF_LD | BPF_MEM
                    || c == BPF_LDX | BPF_MEM
                    || c == BPF_ST
                    || c == BPF_STX =>
                {
                    if k >= 16 {
                        return fail2(pc, RunErrorKind::BadMemIndex { index: k });
                    }
                    let ki = k as usize;
                    match c {
                        _ if c == BPF_LD | BPF_MEM => s.a = s.mem[ki],
                        _ if c == BPF_LDX | BPF_MEM => s.x = s.mem[ki],
                        _ if c == BPF_ST => s.mem[ki] = s.a,
                        _ => s.mem[ki] = s.x,
                    }
                }
                _ => return fail2(pc, RunErrorKind::UnsupportedOpcode { code: c }),
            }
            push(next, s)?;
        }
    }
    match best {
        Some(steps) => Ok(WorstCase { steps, widened }),
        None => fail2(n, RunErrorKind::FellOffEnd),
    }
}

impl AbsState {
    fn top_with(a: u32, x: u32) -> AbsState {
        AbsState {
            a: Some(a),
            x: Some(x),
            mem: [Some(0); 16],
        }
    }
}

fn fail2<T>(pc: usize, kind: RunErrorKind) -> Result<T, RunError> {
    Err(RunError { pc, kind })
}
