//! The kernel's load-time checks of a seccomp filter (spec §1.2), in the kernel's order:
//! `seccomp_prepare_filter` (length), `bpf_check_classic` (net/core/filter.c: opcode set,
//! constant operands, jump ranges, last instruction, then `check_load_and_stores`) and
//! `seccomp_check_filter` (kernel/seccomp.c: the seccomp whitelist and load offsets).
//! The first error found is the one the kernel reports.

use super::insn::*;
use serde::Serialize;
use std::fmt;

/// An errno value the kernel returns for a rejected filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Errno {
    /// 22: invalid filter.
    Einval,
    /// 12: stacked filters too long.
    Enomem,
}

impl Errno {
    /// The number (generic Linux errno numbering).
    pub fn number(self) -> i32 {
        match self {
            Errno::Einval => 22,
            Errno::Enomem => 12,
        }
    }
    /// The symbolic name.
    pub fn name(self) -> &'static str {
        match self {
            Errno::Einval => "EINVAL",
            Errno::Enomem => "ENOMEM",
        }
    }
}

/// Which kernel check rejected a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Rule {
    /// `len == 0 || len > BPF_MAXINSNS` (`seccomp_prepare_filter`).
    Length,
    /// Opcode not in classic BPF's `chk_code_allowed` table.
    UnknownOpcode,
    /// `ALU|DIV|K` or `ALU|MOD|K` with `k == 0`.
    DivByZero,
    /// `ALU|LSH|K` or `ALU|RSH|K` with `k >= 32`.
    ShiftTooLarge,
    /// `LD/LDX|MEM`, `ST`, `STX` with `k >= 16`.
    MemIndex,
    /// `JA` target beyond the last instruction.
    JumpOutOfRange,
    /// A conditional jump's `jt` or `jf` target beyond the last instruction.
    CondJumpOutOfRange,
    /// `LD|ABS` with `k >= SKF_AD_OFF` that is no known ancillary load.
    UnknownAncillary,
    /// The last instruction is not `RET|K` or `RET|A`.
    LastNotRet,
    /// A scratch cell is read where not every path has written it.
    UninitMem,
    /// Classic BPF allows the opcode but seccomp's whitelist does not.
    NotSeccompOpcode,
    /// `LD|W|ABS` with `k >= 64` or `k % 4 != 0`.
    BadDataOffset,
    /// Stacked filters exceed `MAX_INSNS_PER_PATH`.
    StackTooLong,
}

impl Rule {
    /// A short stable name.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Length => "length",
            Rule::UnknownOpcode => "unknown-opcode",
            Rule::DivByZero => "div-by-zero",
            Rule::ShiftTooLarge => "shift-too-large",
            Rule::MemIndex => "mem-index",
            Rule::JumpOutOfRange => "ja-out-of-range",
            Rule::CondJumpOutOfRange => "jump-out-of-range",
            Rule::UnknownAncillary => "unknown-ancillary",
            Rule::LastNotRet => "last-not-ret",
            Rule::UninitMem => "uninit-mem",
            Rule::NotSeccompOpcode => "not-seccomp-opcode",
            Rule::BadDataOffset => "bad-data-offset",
            Rule::StackTooLong => "stack-too-long",
        }
    }

    /// One sentence on what the kernel checks.
    pub fn explain(self) -> &'static str {
        match self {
            Rule::Length => "a filter must have 1 to 4096 instructions (seccomp_prepare_filter)",
            Rule::UnknownOpcode => "the opcode is not a classic BPF instruction (bpf_check_classic)",
            Rule::DivByZero => "division or modulo by the constant 0 (bpf_check_classic)",
            Rule::ShiftTooLarge => "shift by a constant of 32 or more (bpf_check_classic)",
            Rule::MemIndex => "scratch memory has only 16 cells, M[0]..M[15] (bpf_check_classic)",
            Rule::JumpOutOfRange => "ja must land on an instruction of the program (bpf_check_classic)",
            Rule::CondJumpOutOfRange => {
                "both targets of a conditional jump must be instructions of the program (bpf_check_classic)"
            }
            Rule::UnknownAncillary => {
                "absolute load at an offset >= SKF_AD_OFF that is no known ancillary field (bpf_check_classic)"
            }
            Rule::LastNotRet => "the last instruction must be ret #k or ret a (bpf_check_classic)",
            Rule::UninitMem => {
                "a scratch cell is read before a store on some path (check_load_and_stores)"
            }
            Rule::NotSeccompOpcode => {
                "seccomp allows only 32-bit loads from seccomp_data, ALU without mod, jumps, ret, \
                 scratch memory and tax/txa (seccomp_check_filter)"
            }
            Rule::BadDataOffset => {
                "ld [k] must read an aligned word inside the 64-byte seccomp_data (seccomp_check_filter)"
            }
            Rule::StackTooLong => {
                "new.len + sum(existing len + 4) must be <= 32768 instructions (seccomp_attach_filter)"
            }
        }
    }
}

/// A rejected filter: where, which rule, and what the kernel returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyError {
    /// The offending instruction, if the rule is about one.
    pub pc: Option<usize>,
    /// The rule.
    pub rule: Rule,
    /// The errno of `seccomp(2)`/`prctl(2)`.
    pub errno: Errno,
    /// Details (values involved).
    pub detail: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(pc) = self.pc {
            write!(f, "instruction {pc:04}: ")?;
        }
        write!(
            f,
            "{} ({}): {}; the kernel returns {}",
            self.detail,
            self.rule.name(),
            self.rule.explain(),
            self.errno.name()
        )
    }
}

impl std::error::Error for VerifyError {}

fn err(pc: Option<usize>, rule: Rule, detail: String) -> VerifyError {
    VerifyError {
        pc,
        rule,
        errno: Errno::Einval,
        detail,
    }
}

/// The opcodes of classic BPF's `chk_code_allowed` table (net/core/filter.c).
pub const CLASSIC_OPCODES: &[u16] = &[
    BPF_ALU | BPF_ADD | BPF_K,
    BPF_ALU | BPF_ADD | BPF_X,
    BPF_ALU | BPF_SUB | BPF_K,
    BPF_ALU | BPF_SUB | BPF_X,
    BPF_ALU | BPF_MUL | BPF_K,
    BPF_ALU | BPF_MUL | BPF_X,
    BPF_ALU | BPF_DIV | BPF_K,
    BPF_ALU | BPF_DIV | BPF_X,
    BPF_ALU | BPF_MOD | BPF_K,
    BPF_ALU | BPF_MOD | BPF_X,
    BPF_ALU | BPF_AND | BPF_K,
    BPF_ALU | BPF_AND | BPF_X,
    BPF_ALU | BPF_OR | BPF_K,
    BPF_ALU | BPF_OR | BPF_X,
    BPF_ALU | BPF_XOR | BPF_K,
    BPF_ALU | BPF_XOR | BPF_X,
    BPF_ALU | BPF_LSH | BPF_K,
    BPF_ALU | BPF_LSH | BPF_X,
    BPF_ALU | BPF_RSH | BPF_K,
    BPF_ALU | BPF_RSH | BPF_X,
    BPF_ALU | BPF_NEG,
    BPF_LD | BPF_W | BPF_ABS,
    BPF_LD | BPF_H | BPF_ABS,
    BPF_LD | BPF_B | BPF_ABS,
    BPF_LD | BPF_W | BPF_LEN,
    BPF_LD | BPF_W | BPF_IND,
    BPF_LD | BPF_H | BPF_IND,
    BPF_LD | BPF_B | BPF_IND,
    BPF_LD | BPF_IMM,
    BPF_LD | BPF_MEM,
    BPF_LDX | BPF_W | BPF_LEN,
    BPF_LDX | BPF_B | BPF_MSH,
    BPF_LDX | BPF_IMM,
    BPF_LDX | BPF_MEM,
    BPF_ST,
    BPF_STX,
    BPF_MISC | BPF_TAX,
    BPF_MISC | BPF_TXA,
    BPF_RET | BPF_K,
    BPF_RET | BPF_A,
    BPF_JMP | BPF_JA,
    BPF_JMP | BPF_JEQ | BPF_K,
    BPF_JMP | BPF_JEQ | BPF_X,
    BPF_JMP | BPF_JGE | BPF_K,
    BPF_JMP | BPF_JGE | BPF_X,
    BPF_JMP | BPF_JGT | BPF_K,
    BPF_JMP | BPF_JGT | BPF_X,
    BPF_JMP | BPF_JSET | BPF_K,
    BPF_JMP | BPF_JSET | BPF_X,
];

/// The opcodes seccomp's `seccomp_check_filter` accepts (`LD|W|ABS` still needs a valid offset).
pub const SECCOMP_OPCODES: &[u16] = &[
    BPF_LD | BPF_W | BPF_ABS,
    BPF_LD | BPF_W | BPF_LEN,
    BPF_LDX | BPF_W | BPF_LEN,
    BPF_RET | BPF_K,
    BPF_RET | BPF_A,
    BPF_ALU | BPF_ADD | BPF_K,
    BPF_ALU | BPF_ADD | BPF_X,
    BPF_ALU | BPF_SUB | BPF_K,
    BPF_ALU | BPF_SUB | BPF_X,
    BPF_ALU | BPF_MUL | BPF_K,
    BPF_ALU | BPF_MUL | BPF_X,
    BPF_ALU | BPF_DIV | BPF_K,
    BPF_ALU | BPF_DIV | BPF_X,
    BPF_ALU | BPF_AND | BPF_K,
    BPF_ALU | BPF_AND | BPF_X,
    BPF_ALU | BPF_OR | BPF_K,
    BPF_ALU | BPF_OR | BPF_X,
    BPF_ALU | BPF_XOR | BPF_K,
    BPF_ALU | BPF_XOR | BPF_X,
    BPF_ALU | BPF_LSH | BPF_K,
    BPF_ALU | BPF_LSH | BPF_X,
    BPF_ALU | BPF_RSH | BPF_K,
    BPF_ALU | BPF_RSH | BPF_X,
    BPF_ALU | BPF_NEG,
    BPF_LD | BPF_IMM,
    BPF_LDX | BPF_IMM,
    BPF_MISC | BPF_TAX,
    BPF_MISC | BPF_TXA,
    BPF_LD | BPF_MEM,
    BPF_LDX | BPF_MEM,
    BPF_ST,
    BPF_STX,
    BPF_JMP | BPF_JA,
    BPF_JMP | BPF_JEQ | BPF_K,
    BPF_JMP | BPF_JEQ | BPF_X,
    BPF_JMP | BPF_JGE | BPF_K,
    BPF_JMP | BPF_JGE | BPF_X,
    BPF_JMP | BPF_JGT | BPF_K,
    BPF_JMP | BPF_JGT | BPF_X,
    BPF_JMP | BPF_JSET | BPF_K,
    BPF_JMP | BPF_JSET | BPF_X,
];

/// Classic BPF's `chk_code_allowed`.
pub fn classic_opcode_allowed(code: u16) -> bool {
    CLASSIC_OPCODES.contains(&code)
}

/// seccomp's whitelist (`seccomp_check_filter`), ignoring the `LD|W|ABS` offset check.
pub fn seccomp_opcode_allowed(code: u16) -> bool {
    SECCOMP_OPCODES.contains(&code)
}

fn is_mem_op(code: u16) -> bool {
    code == BPF_LD | BPF_MEM || code == BPF_LDX | BPF_MEM || code == BPF_ST || code == BPF_STX
}

/// True for the eight conditional jump opcodes (JEQ/JGE/JGT/JSET, K and X).
pub fn is_cond_jump_code(code: u16) -> bool {
    class(code) == BPF_JMP
        && matches!(op(code), BPF_JEQ | BPF_JGE | BPF_JGT | BPF_JSET)
        && code & !0xf8 == BPF_JMP
}

/// `bpf_anc_helper`: is `k` a known ancillary offset (`SKF_AD_OFF + SKF_AD_*`)?
fn known_ancillary(k: u32) -> bool {
    // SKF_AD_PROTOCOL (0) .. SKF_AD_VLAN_TPID (60), every 4 bytes (SKF_AD_MAX = 64).
    k >= SKF_AD_OFF && k - SKF_AD_OFF < 64 && (k - SKF_AD_OFF) % 4 == 0
}

/// Runs every check the kernel makes before installing `prog` as a seccomp filter and returns
/// the first failure, exactly as the kernel would report it.
pub fn verify(prog: &[Insn]) -> Result<(), VerifyError> {
    let flen = prog.len();
    if flen == 0 || flen > BPF_MAXINSNS {
        return Err(err(
            None,
            Rule::Length,
            format!("the program has {flen} instructions"),
        ));
    }
    check_classic(prog)?;
    check_seccomp(prog)
}

/// `bpf_check_classic` alone (the per-instruction pass, the last-instruction check and
/// `check_load_and_stores`). Assumes `1 <= prog.len() <= 4096`.
pub fn check_classic(prog: &[Insn]) -> Result<(), VerifyError> {
    let flen = prog.len();
    if flen == 0 {
        return Err(err(None, Rule::Length, "the program is empty".into()));
    }
    for (pc, i) in prog.iter().enumerate() {
        let code = i.code;
        let here = Some(pc);
        if !classic_opcode_allowed(code) {
            return Err(err(
                here,
                Rule::UnknownOpcode,
                format!("opcode {code:#06x}"),
            ));
        }
        let c = code;
        if c == BPF_ALU | BPF_DIV | BPF_K || c == BPF_ALU | BPF_MOD | BPF_K {
            if i.k == 0 {
                return Err(err(here, Rule::DivByZero, "constant divisor 0".into()));
            }
        } else if c == BPF_ALU | BPF_LSH | BPF_K || c == BPF_ALU | BPF_RSH | BPF_K {
            if i.k >= 32 {
                return Err(err(here, Rule::ShiftTooLarge, format!("shift by {}", i.k)));
            }
        } else if is_mem_op(c) {
            if i.k >= BPF_MEMWORDS {
                return Err(err(here, Rule::MemIndex, format!("M[{}]", i.k)));
            }
        } else if c == BPF_JMP | BPF_JA {
            if i.k as u64 >= (flen - pc - 1) as u64 {
                return Err(err(
                    here,
                    Rule::JumpOutOfRange,
                    format!(
                        "ja +{} lands on {} but the last instruction is {}",
                        i.k,
                        pc as u64 + 1 + i.k as u64,
                        flen - 1
                    ),
                ));
            }
        } else if is_cond_jump_code(c) {
            let (t, f) = (pc + i.jt as usize + 1, pc + i.jf as usize + 1);
            if t >= flen || f >= flen {
                return Err(err(
                    here,
                    Rule::CondJumpOutOfRange,
                    format!(
                        "targets {t} (jt {}) and {f} (jf {}) but the last instruction is {}",
                        i.jt,
                        i.jf,
                        flen - 1
                    ),
                ));
            }
        } else if (c == BPF_LD | BPF_W | BPF_ABS
            || c == BPF_LD | BPF_H | BPF_ABS
            || c == BPF_LD | BPF_B | BPF_ABS)
            && i.k >= SKF_AD_OFF
            && !known_ancillary(i.k)
        {
            return Err(err(
                here,
                Rule::UnknownAncillary,
                format!("offset {:#x}", i.k),
            ));
        }
    }
    let last = prog[flen - 1].code;
    if last != BPF_RET | BPF_K && last != BPF_RET | BPF_A {
        return Err(err(
            Some(flen - 1),
            Rule::LastNotRet,
            format!("last opcode is {last:#06x}"),
        ));
    }
    check_load_and_stores(prog)
}

/// `check_load_and_stores`: the kernel's linear "memvalid" pass. Assumes the jump ranges and
/// memory indices were checked already (as `bpf_check_classic` does before calling it).
fn check_load_and_stores(prog: &[Insn]) -> Result<(), VerifyError> {
    let flen = prog.len();
    let mut masks = vec![0xffffu16; flen];
    let mut memvalid: u16 = 0;
    for (pc, i) in prog.iter().enumerate() {
        memvalid &= masks[pc];
        let c = i.code;
        if c == BPF_ST || c == BPF_STX {
            memvalid |= 1u16.wrapping_shl(i.k);
        } else if c == BPF_LD | BPF_MEM || c == BPF_LDX | BPF_MEM {
            if memvalid & 1u16.wrapping_shl(i.k) == 0 || i.k >= 16 {
                return Err(err(
                    Some(pc),
                    Rule::UninitMem,
                    format!("M[{}] is read but not written on every path here", i.k),
                ));
            }
        } else if c == BPF_JMP | BPF_JA {
            if let Some(m) = masks.get_mut(pc + 1 + i.k as usize) {
                *m &= memvalid;
            }
            memvalid = 0xffff;
        } else if is_cond_jump_code(c) {
            for off in [i.jt, i.jf] {
                if let Some(m) = masks.get_mut(pc + 1 + off as usize) {
                    *m &= memvalid;
                }
            }
            memvalid = 0xffff;
        }
    }
    Ok(())
}

/// `seccomp_check_filter` alone: seccomp's whitelist and the `ld [k]` offset check.
pub fn check_seccomp(prog: &[Insn]) -> Result<(), VerifyError> {
    for (pc, i) in prog.iter().enumerate() {
        if i.code == BPF_LD | BPF_W | BPF_ABS {
            if i.k >= 64 || i.k & 3 != 0 {
                return Err(err(Some(pc), Rule::BadDataOffset, format!("ld [{}]", i.k)));
            }
        } else if !seccomp_opcode_allowed(i.code) {
            return Err(err(
                Some(pc),
                Rule::NotSeccompOpcode,
                format!("opcode {:#06x}", i.code),
            ));
        }
    }
    Ok(())
}

/// `MAX_INSNS_PER_PATH`: the instruction budget of a task's whole filter stack.
pub const MAX_INSNS_PER_PATH: usize = 32768;

/// The kernel's stacking limit (`seccomp_attach_filter`): a new filter of `new_len` instructions
/// may be attached over filters of `existing_lens` only if
/// `new_len + Σ(len + 4) <= 32768`; else `ENOMEM`.
pub fn check_stack(new_len: usize, existing_lens: &[usize]) -> Result<(), VerifyError> {
    let total = existing_lens
        .iter()
        .fold(new_len as u64, |acc, l| acc + *l as u64 + 4);
    if total > MAX_INSNS_PER_PATH as u64 {
        return Err(VerifyError {
            pc: None,
            rule: Rule::StackTooLong,
            errno: Errno::Enomem,
            detail: format!(
                "{new_len} new + {} existing filters come to {total} instructions",
                existing_lens.len()
            ),
        });
    }
    Ok(())
}
