//! The kernel's execution semantics for seccomp filters (spec §1.3), with an optional trace.
//!
//! `A = X = 0` at entry, 32-bit wrapping ALU, `DIV` by `X == 0` makes the program return 0
//! (`SECCOMP_RET_KILL_THREAD`), shifts by X use `X & 31`, `ld #len` is 64. The interpreter also
//! accepts programs the verifier would reject, without panicking: every step moves forward, the
//! number of steps is bounded by the length, and anything the kernel would not run (an opcode
//! outside seccomp's set, a load outside `seccomp_data`, a jump or fall-through past the end, a
//! constant divisor 0, a constant shift ≥ 32, a scratch index ≥ 16) stops with a [`RunError`].
//! Scratch cells that were never written read as 0 (the verifier forbids such reads).

use super::data::{offset_name, SeccompData, SECCOMP_DATA_SIZE};
use super::insn::*;
use crate::action::{combine_stacked, Action};
use crate::arch::Endian;
use serde::Serialize;
use std::fmt;

/// Why a program could not be run to a `ret`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum RunErrorKind {
    /// The program has no instructions.
    Empty,
    /// Execution reached the end of the program without a `ret`.
    FellOffEnd,
    /// A jump lands beyond the last instruction.
    JumpOutOfRange {
        /// The target instruction index.
        target: u64,
    },
    /// An opcode seccomp does not run.
    UnsupportedOpcode {
        /// The opcode.
        code: u16,
    },
    /// `ld [k]` outside `seccomp_data` or unaligned.
    BadLoad {
        /// The offset.
        offset: u32,
    },
    /// Scratch memory index ≥ 16.
    BadMemIndex {
        /// The index.
        index: u32,
    },
    /// `div #0` (the verifier rejects it).
    DivByZeroConst,
    /// Shift by a constant ≥ 32 (the verifier rejects it).
    ShiftTooLarge {
        /// The shift amount.
        k: u32,
    },
}

/// A program that stopped without a verdict: where and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunError {
    /// The instruction that failed (the program length for [`RunErrorKind::FellOffEnd`]).
    pub pc: usize,
    /// What went wrong.
    pub kind: RunErrorKind,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RunErrorKind::Empty => write!(f, "the program has no instructions"),
            RunErrorKind::FellOffEnd => {
                write!(
                    f,
                    "execution ran past the last instruction ({}) without a ret",
                    self.pc
                )
            }
            RunErrorKind::JumpOutOfRange { target } => write!(
                f,
                "instruction {:04}: jump to {target}, beyond the end of the program",
                self.pc
            ),
            RunErrorKind::UnsupportedOpcode { code } => write!(
                f,
                "instruction {:04}: opcode {code:#06x} is not run by seccomp",
                self.pc
            ),
            RunErrorKind::BadLoad { offset } => write!(
                f,
                "instruction {:04}: load at {} of the 64-byte seccomp_data",
                self.pc,
                offset_name(*offset, Endian::Little)
            ),
            RunErrorKind::BadMemIndex { index } => write!(
                f,
                "instruction {:04}: scratch cell M[{index}] does not exist (16 cells)",
                self.pc
            ),
            RunErrorKind::DivByZeroConst => {
                write!(f, "instruction {:04}: division by the constant 0", self.pc)
            }
            RunErrorKind::ShiftTooLarge { k } => {
                write!(
                    f,
                    "instruction {:04}: shift by the constant {k} (≥ 32)",
                    self.pc
                )
            }
        }
    }
}

impl std::error::Error for RunError {}

/// A scratch-memory write of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemWrite {
    /// The cell, 0..16.
    pub index: u8,
    /// The value stored.
    pub value: u32,
}

/// A read of `seccomp_data` by one step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataRead {
    /// Byte offset.
    pub offset: u32,
    /// Width in bytes (always 4 for seccomp).
    pub width: u8,
    /// The value read.
    pub value: u32,
    /// Which field the offset is (`args[0] (low word)`, ...).
    pub field: String,
}

/// Where a jump went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Branch {
    /// The comparison result of a conditional jump (`None` for `ja`).
    pub cond: Option<bool>,
    /// The next instruction.
    pub target: usize,
}

/// One executed instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Instruction index.
    pub pc: usize,
    /// The instruction.
    pub insn: Insn,
    /// A after the instruction.
    pub a: u32,
    /// X after the instruction.
    pub x: u32,
    /// The scratch cell written, if any.
    pub mem_write: Option<MemWrite>,
    /// The `seccomp_data` word read, if any.
    pub read: Option<DataRead>,
    /// The jump taken, for jump instructions.
    pub branch: Option<Branch>,
    /// The return value, if the program ended here.
    pub ret: Option<u32>,
    /// A remark (e.g. division by X = 0).
    pub note: Option<&'static str>,
}

/// A full run: every step, the return value and its action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The executed instructions, in order.
    pub steps: Vec<Step>,
    /// The filter's return value.
    pub ret: u32,
    /// The decoded action.
    pub action: Action,
}

/// The note attached to a `div x` with `X == 0`.
pub const DIV_BY_ZERO_NOTE: &str =
    "division by X = 0: the kernel's program returns 0 (SECCOMP_RET_KILL_THREAD)";

const LD_W_ABS: u16 = BPF_LD | BPF_W | BPF_ABS;
const LD_W_LEN: u16 = BPF_LD | BPF_W | BPF_LEN;
const LDX_W_LEN: u16 = BPF_LDX | BPF_W | BPF_LEN;
const LD_IMM: u16 = BPF_LD | BPF_IMM;
const LDX_IMM: u16 = BPF_LDX | BPF_IMM;
const LD_MEM: u16 = BPF_LD | BPF_MEM;
const LDX_MEM: u16 = BPF_LDX | BPF_MEM;
const ST: u16 = BPF_ST;
const STX: u16 = BPF_STX;
const TAX: u16 = BPF_MISC | BPF_TAX;
const TXA: u16 = BPF_MISC | BPF_TXA;
const RET_K: u16 = BPF_RET | BPF_K;
const RET_A: u16 = BPF_RET | BPF_A;
const JA: u16 = BPF_JMP | BPF_JA;
const JEQ_K: u16 = BPF_JMP | BPF_JEQ | BPF_K;
const JGT_K: u16 = BPF_JMP | BPF_JGT | BPF_K;
const JGE_K: u16 = BPF_JMP | BPF_JGE | BPF_K;
const JSET_K: u16 = BPF_JMP | BPF_JSET | BPF_K;
const JEQ_X: u16 = BPF_JMP | BPF_JEQ | BPF_X;
const JGT_X: u16 = BPF_JMP | BPF_JGT | BPF_X;
const JGE_X: u16 = BPF_JMP | BPF_JGE | BPF_X;
const JSET_X: u16 = BPF_JMP | BPF_JSET | BPF_X;
const ADD_K: u16 = BPF_ALU | BPF_ADD | BPF_K;
const ADD_X: u16 = BPF_ALU | BPF_ADD | BPF_X;
const SUB_K: u16 = BPF_ALU | BPF_SUB | BPF_K;
const SUB_X: u16 = BPF_ALU | BPF_SUB | BPF_X;
const MUL_K: u16 = BPF_ALU | BPF_MUL | BPF_K;
const MUL_X: u16 = BPF_ALU | BPF_MUL | BPF_X;
const DIV_K: u16 = BPF_ALU | BPF_DIV | BPF_K;
const DIV_X: u16 = BPF_ALU | BPF_DIV | BPF_X;
const AND_K: u16 = BPF_ALU | BPF_AND | BPF_K;
const AND_X: u16 = BPF_ALU | BPF_AND | BPF_X;
const OR_K: u16 = BPF_ALU | BPF_OR | BPF_K;
const OR_X: u16 = BPF_ALU | BPF_OR | BPF_X;
const XOR_K: u16 = BPF_ALU | BPF_XOR | BPF_K;
const XOR_X: u16 = BPF_ALU | BPF_XOR | BPF_X;
const LSH_K: u16 = BPF_ALU | BPF_LSH | BPF_K;
const LSH_X: u16 = BPF_ALU | BPF_LSH | BPF_X;
const RSH_K: u16 = BPF_ALU | BPF_RSH | BPF_K;
const RSH_X: u16 = BPF_ALU | BPF_RSH | BPF_X;
const NEG: u16 = BPF_ALU | BPF_NEG;

trait Observer {
    fn step(&mut self, _s: impl FnOnce() -> Step) {}
}

struct NoTrace;
impl Observer for NoTrace {}

struct Recorder(Vec<Step>);
impl Observer for Recorder {
    fn step(&mut self, s: impl FnOnce() -> Step) {
        self.0.push(s());
    }
}

#[inline(always)]
fn load(d: &SeccompData, k: u32, big: bool) -> Option<u32> {
    if k >= SECCOMP_DATA_SIZE || k & 3 != 0 {
        return None;
    }
    let idx = (k / 4) as usize;
    Some(match idx {
        0 => d.nr,
        1 => d.arch,
        _ => {
            let v = if idx < 4 {
                d.instruction_pointer
            } else {
                d.args[(idx - 4) / 2]
            };
            // First word of a 64-bit field is the low half on LE, the high half on BE.
            if (idx & 1 == 0) != big {
                v as u32
            } else {
                (v >> 32) as u32
            }
        }
    })
}

#[inline(always)]
fn exec<O: Observer>(
    prog: &[Insn],
    d: &SeccompData,
    endian: Endian,
    obs: &mut O,
) -> Result<(u32, usize), RunError> {
    if prog.is_empty() {
        return Err(RunError {
            pc: 0,
            kind: RunErrorKind::Empty,
        });
    }
    let big = endian == Endian::Big;
    let (mut a, mut x) = (0u32, 0u32);
    let mut mem = [0u32; 16];
    let mut pc = 0usize;
    let mut steps = 0usize;
    let n = prog.len();
    let fail = |pc: usize, kind: RunErrorKind| Err(RunError { pc, kind });
    // Every instruction moves pc forward by at least one, so this loop runs at most n times.
    while pc < n {
        let i = prog[pc];
        steps += 1;
        let mut next = pc + 1;
        let mut read = None;
        let mut mw = None;
        let mut branch = None;
        let k = i.k;
        match i.code {
            LD_W_ABS => match load(d, k, big) {
                Some(v) => {
                    a = v;
                    read = Some(v);
                }
                None => return fail(pc, RunErrorKind::BadLoad { offset: k }),
            },
            c @ (JEQ_K | JGT_K | JGE_K | JSET_K | JEQ_X | JGT_X | JGE_X | JSET_X) => {
                let v = if c & BPF_X != 0 { x } else { k };
                let r = match op(c) {
                    BPF_JEQ => a == v,
                    BPF_JGT => a > v,
                    BPF_JGE => a >= v,
                    _ => a & v != 0,
                };
                next = pc + 1 + if r { i.jt as usize } else { i.jf as usize };
                if next >= n {
                    return fail(
                        pc,
                        RunErrorKind::JumpOutOfRange {
                            target: next as u64,
                        },
                    );
                }
                branch = Some(Branch {
                    cond: Some(r),
                    target: next,
                });
            }
            c @ (RET_K | RET_A) => {
                let ret = if c == RET_K { k } else { a };
                obs.step(|| Step {
                    pc,
                    insn: i,
                    a,
                    x,
                    mem_write: None,
                    read: None,
                    branch: None,
                    ret: Some(ret),
                    note: None,
                });
                return Ok((ret, steps));
            }
            JA => {
                let t = pc as u64 + 1 + k as u64;
                if t >= n as u64 {
                    return fail(pc, RunErrorKind::JumpOutOfRange { target: t });
                }
                next = t as usize;
                branch = Some(Branch {
                    cond: None,
                    target: next,
                });
            }
            AND_K => a &= k,
            AND_X => a &= x,
            ADD_K => a = a.wrapping_add(k),
            ADD_X => a = a.wrapping_add(x),
            SUB_K => a = a.wrapping_sub(k),
            SUB_X => a = a.wrapping_sub(x),
            MUL_K => a = a.wrapping_mul(k),
            MUL_X => a = a.wrapping_mul(x),
            OR_K => a |= k,
            OR_X => a |= x,
            XOR_K => a ^= k,
            XOR_X => a ^= x,
            NEG => a = a.wrapping_neg(),
            DIV_K => {
                if k == 0 {
                    return fail(pc, RunErrorKind::DivByZeroConst);
                }
                a /= k
            }
            DIV_X => {
                if x == 0 {
                    // The converted program does `A ^= A; exit`.
                    obs.step(|| Step {
                        pc,
                        insn: i,
                        a: 0,
                        x,
                        mem_write: None,
                        read: None,
                        branch: None,
                        ret: Some(0),
                        note: Some(DIV_BY_ZERO_NOTE),
                    });
                    return Ok((0, steps));
                }
                a /= x
            }
            c @ (LSH_K | RSH_K) => {
                if k >= 32 {
                    return fail(pc, RunErrorKind::ShiftTooLarge { k });
                }
                a = if c == LSH_K { a << k } else { a >> k };
            }
            LSH_X => a <<= x & 31,
            RSH_X => a >>= x & 31,
            LD_IMM => a = k,
            LDX_IMM => x = k,
            LD_W_LEN => a = SECCOMP_DATA_SIZE,
            LDX_W_LEN => x = SECCOMP_DATA_SIZE,
            TAX => x = a,
            TXA => a = x,
            c @ (LD_MEM | LDX_MEM | ST | STX) => {
                if k >= 16 {
                    return fail(pc, RunErrorKind::BadMemIndex { index: k });
                }
                let m = &mut mem[k as usize];
                match c {
                    LD_MEM => a = *m,
                    LDX_MEM => x = *m,
                    _ => {
                        *m = if c == ST { a } else { x };
                        mw = Some(MemWrite {
                            index: k as u8,
                            value: *m,
                        });
                    }
                }
            }
            c => return fail(pc, RunErrorKind::UnsupportedOpcode { code: c }),
        }
        obs.step(|| Step {
            pc,
            insn: i,
            a,
            x,
            mem_write: mw,
            read: read.map(|value| DataRead {
                offset: k,
                width: 4,
                value,
                field: offset_name(k, endian),
            }),
            branch,
            ret: None,
            note: None,
        });
        pc = next;
    }
    fail(n, RunErrorKind::FellOffEnd)
}

/// Runs `prog` on `data` (the program's byte order `endian`) and returns the filter's value.
/// No allocation.
///
/// The hot path: the instructions compiled seccomp filters consist of (absolute word loads,
/// `and`, conditional jumps against constants, `ja`, `ret`) run in a tight loop; at the first
/// other instruction, or anything that would be an error, the program is rerun from the start
/// by the general interpreter (which has no side effects, so the result is the same).
pub fn run(prog: &[Insn], data: &SeccompData, endian: Endian) -> Result<u32, RunError> {
    let words = |k: u32| load(data, k, endian == Endian::Big);
    let n = prog.len();
    let mut a = 0u32;
    let mut pc = 0usize;
    while let Some(i) = prog.get(pc) {
        let k = i.k;
        let cond = match i.code {
            LD_W_ABS => match words(k) {
                Some(v) => {
                    a = v;
                    pc += 1;
                    continue;
                }
                None => break,
            },
            JEQ_K => a == k,
            JGE_K => a >= k,
            JGT_K => a > k,
            JSET_K => a & k != 0,
            RET_K => return Ok(k),
            RET_A => return Ok(a),
            AND_K => {
                a &= k;
                pc += 1;
                continue;
            }
            JA => match (pc + 1).checked_add(k as usize) {
                Some(t) if t < n => {
                    pc = t;
                    continue;
                }
                _ => break,
            },
            _ => break,
        };
        let next = pc + 1 + if cond { i.jt } else { i.jf } as usize;
        if next >= n {
            break;
        }
        pc = next;
    }
    exec(prog, data, endian, &mut NoTrace).map(|r| r.0)
}

/// Like [`run`], and also returns how many instructions were executed.
pub fn run_counted(
    prog: &[Insn],
    data: &SeccompData,
    endian: Endian,
) -> Result<(u32, usize), RunError> {
    exec(prog, data, endian, &mut NoTrace)
}

/// Runs `prog` on `data` and records every step.
pub fn trace(prog: &[Insn], data: &SeccompData, endian: Endian) -> Result<Trace, RunError> {
    let mut rec = Recorder(Vec::new());
    let (ret, _) = exec(prog, data, endian, &mut rec)?;
    Ok(Trace {
        steps: rec.0,
        ret,
        action: Action::from_ret(ret),
    })
}

/// Every filter of a stack traced on one input, and what the kernel makes of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackTrace {
    /// Each filter's trace, newest first.
    pub traces: Vec<Trace>,
    /// The combined value ([`combine_stacked`]).
    pub ret: u32,
    /// The filter whose value it is ([`crate::action::deciding_filter`]).
    pub decided_by: usize,
}

/// [`run_stack`] with every filter's trace; an error names the filter (0 = newest).
pub fn trace_stack(
    newest_first: &[&[Insn]],
    data: &SeccompData,
    endian: Endian,
) -> Result<StackTrace, (usize, RunError)> {
    let mut traces = Vec::with_capacity(newest_first.len());
    for (i, p) in newest_first.iter().enumerate() {
        traces.push(trace(p, data, endian).map_err(|e| (i, e))?);
    }
    let rets: Vec<u32> = traces.iter().map(|t| t.ret).collect();
    Ok(StackTrace {
        ret: combine_stacked(rets.iter().copied()),
        decided_by: crate::action::deciding_filter(&rets).unwrap_or(0),
        traces,
    })
}

/// Runs stacked filters (`newest_first`, as `current->seccomp.filter` walks them) and
/// combines their values with the kernel's precedence ([`combine_stacked`]). An empty stack
/// allows.
pub fn run_stack(
    newest_first: &[&[Insn]],
    data: &SeccompData,
    endian: Endian,
) -> Result<u32, RunError> {
    let mut rets = Vec::with_capacity(newest_first.len());
    for p in newest_first {
        rets.push(run(p, data, endian)?);
    }
    Ok(combine_stacked(rets))
}
