//! Classic BPF instructions (`struct sock_filter`), opcode constants and byte encoding.
//!
//! An instruction is 8 bytes: `u16 code`, `u8 jt`, `u8 jf`, `u32 k`; the multi-byte fields are
//! stored in the byte order of the ABI that loads the filter (`seccomp_export_bpf` writes the
//! target's order).

use crate::arch::Endian;
use serde::Serialize;
use std::fmt;

/// Instruction class `BPF_LD` (load into A).
pub const BPF_LD: u16 = 0x00;
/// Instruction class `BPF_LDX` (load into X).
pub const BPF_LDX: u16 = 0x01;
/// Instruction class `BPF_ST` (store A into scratch memory).
pub const BPF_ST: u16 = 0x02;
/// Instruction class `BPF_STX` (store X into scratch memory).
pub const BPF_STX: u16 = 0x03;
/// Instruction class `BPF_ALU`.
pub const BPF_ALU: u16 = 0x04;
/// Instruction class `BPF_JMP`.
pub const BPF_JMP: u16 = 0x05;
/// Instruction class `BPF_RET`.
pub const BPF_RET: u16 = 0x06;
/// Instruction class `BPF_MISC` (TAX/TXA).
pub const BPF_MISC: u16 = 0x07;

/// Load size: 32-bit word.
pub const BPF_W: u16 = 0x00;
/// Load size: 16-bit half word.
pub const BPF_H: u16 = 0x08;
/// Load size: byte.
pub const BPF_B: u16 = 0x10;

/// Addressing mode: immediate `k`.
pub const BPF_IMM: u16 = 0x00;
/// Addressing mode: absolute offset `k` into the packet (`seccomp_data`).
pub const BPF_ABS: u16 = 0x20;
/// Addressing mode: offset `X + k`.
pub const BPF_IND: u16 = 0x40;
/// Addressing mode: scratch memory cell `M[k]`.
pub const BPF_MEM: u16 = 0x60;
/// Addressing mode: packet length.
pub const BPF_LEN: u16 = 0x80;
/// Addressing mode: `4 * (P[k] & 0xf)` (IP header length helper).
pub const BPF_MSH: u16 = 0xa0;

/// ALU op: add.
pub const BPF_ADD: u16 = 0x00;
/// ALU op: subtract.
pub const BPF_SUB: u16 = 0x10;
/// ALU op: multiply.
pub const BPF_MUL: u16 = 0x20;
/// ALU op: unsigned divide.
pub const BPF_DIV: u16 = 0x30;
/// ALU op: bitwise or.
pub const BPF_OR: u16 = 0x40;
/// ALU op: bitwise and.
pub const BPF_AND: u16 = 0x50;
/// ALU op: left shift.
pub const BPF_LSH: u16 = 0x60;
/// ALU op: logical right shift.
pub const BPF_RSH: u16 = 0x70;
/// ALU op: negate A.
pub const BPF_NEG: u16 = 0x80;
/// ALU op: modulo (classic BPF only; seccomp rejects it).
pub const BPF_MOD: u16 = 0x90;
/// ALU op: bitwise xor.
pub const BPF_XOR: u16 = 0xa0;

/// Jump op: unconditional jump by `k`.
pub const BPF_JA: u16 = 0x00;
/// Jump op: `A == v`.
pub const BPF_JEQ: u16 = 0x10;
/// Jump op: `A > v` (unsigned).
pub const BPF_JGT: u16 = 0x20;
/// Jump op: `A >= v` (unsigned).
pub const BPF_JGE: u16 = 0x30;
/// Jump op: `(A & v) != 0`.
pub const BPF_JSET: u16 = 0x40;

/// Source operand: the constant `k`.
pub const BPF_K: u16 = 0x00;
/// Source operand: register X.
pub const BPF_X: u16 = 0x08;
/// Return value source: register A (`BPF_RET | BPF_A`).
pub const BPF_A: u16 = 0x10;

/// MISC op: `X = A`.
pub const BPF_TAX: u16 = 0x00;
/// MISC op: `A = X`.
pub const BPF_TXA: u16 = 0x80;

/// `BPF_MEMWORDS`: number of scratch memory cells.
pub const BPF_MEMWORDS: u32 = 16;
/// `BPF_MAXINSNS`: the longest program the kernel accepts.
pub const BPF_MAXINSNS: usize = 4096;
/// `SKF_AD_OFF`: start of the ancillary-data offsets of socket filters.
pub const SKF_AD_OFF: u32 = 0xffff_f000;

/// `BPF_CLASS(code)`.
pub fn class(code: u16) -> u16 {
    code & 0x07
}
/// `BPF_SIZE(code)`.
pub fn size(code: u16) -> u16 {
    code & 0x18
}
/// `BPF_MODE(code)`.
pub fn mode(code: u16) -> u16 {
    code & 0xe0
}
/// `BPF_OP(code)`.
pub fn op(code: u16) -> u16 {
    code & 0xf0
}
/// `BPF_SRC(code)`.
pub fn src(code: u16) -> u16 {
    code & 0x08
}
/// `BPF_RVAL(code)`.
pub fn rval(code: u16) -> u16 {
    code & 0x18
}
/// `BPF_MISCOP(code)`.
pub fn miscop(code: u16) -> u16 {
    code & 0xf8
}

/// One classic BPF instruction, `struct sock_filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Insn {
    /// Opcode (class | size/op | mode/src).
    pub code: u16,
    /// Jump offset if true (conditional jumps).
    pub jt: u8,
    /// Jump offset if false (conditional jumps).
    pub jf: u8,
    /// Generic operand.
    pub k: u32,
}

/// Why bytes could not be decoded into instructions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Number of bytes given.
    pub len: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes is not a whole number of 8-byte instructions ({} trailing bytes)",
            self.len,
            self.len % 8
        )
    }
}

impl std::error::Error for DecodeError {}

impl Insn {
    /// Builds an instruction from all four fields.
    pub const fn new(code: u16, jt: u8, jf: u8, k: u32) -> Insn {
        Insn { code, jt, jf, k }
    }

    /// `BPF_STMT(code, k)`.
    pub const fn stmt(code: u16, k: u32) -> Insn {
        Insn {
            code,
            jt: 0,
            jf: 0,
            k,
        }
    }

    /// `BPF_JUMP(code, k, jt, jf)`.
    pub const fn jump(code: u16, k: u32, jt: u8, jf: u8) -> Insn {
        Insn { code, jt, jf, k }
    }

    /// True for the conditional jumps (JEQ/JGT/JGE/JSET, K or X form).
    pub fn is_cond_jump(self) -> bool {
        class(self.code) == BPF_JMP && op(self.code) != BPF_JA
    }

    /// The 8 bytes of this instruction in byte order `endian`.
    pub fn to_bytes(self, endian: Endian) -> [u8; 8] {
        let (c, k) = match endian {
            Endian::Little => (self.code.to_le_bytes(), self.k.to_le_bytes()),
            Endian::Big => (self.code.to_be_bytes(), self.k.to_be_bytes()),
        };
        [c[0], c[1], self.jt, self.jf, k[0], k[1], k[2], k[3]]
    }

    /// Reads one instruction from 8 bytes in byte order `endian`.
    pub fn from_bytes(b: [u8; 8], endian: Endian) -> Insn {
        let c = [b[0], b[1]];
        let k = [b[4], b[5], b[6], b[7]];
        let (code, k) = match endian {
            Endian::Little => (u16::from_le_bytes(c), u32::from_le_bytes(k)),
            Endian::Big => (u16::from_be_bytes(c), u32::from_be_bytes(k)),
        };
        Insn {
            code,
            jt: b[2],
            jf: b[3],
            k,
        }
    }
}

/// Encodes a program as `struct sock_filter` bytes in byte order `endian`.
pub fn encode(prog: &[Insn], endian: Endian) -> Vec<u8> {
    let mut out = Vec::with_capacity(prog.len() * 8);
    for i in prog {
        out.extend_from_slice(&i.to_bytes(endian));
    }
    out
}

/// Decodes `struct sock_filter` bytes in byte order `endian`; the length must be a multiple of 8.
pub fn decode(bytes: &[u8], endian: Endian) -> Result<Vec<Insn>, DecodeError> {
    if bytes.len() % 8 != 0 {
        return Err(DecodeError { len: bytes.len() });
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            Insn::from_bytes(b, endian)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_layout_matches_sock_filter() {
        let i = Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, 0xc000_003e, 1, 7);
        assert_eq!(i.code, 0x15);
        assert_eq!(
            i.to_bytes(Endian::Little),
            [0x15, 0x00, 0x01, 0x07, 0x3e, 0x00, 0x00, 0xc0]
        );
        assert_eq!(
            i.to_bytes(Endian::Big),
            [0x00, 0x15, 0x01, 0x07, 0xc0, 0x00, 0x00, 0x3e]
        );
        for e in [Endian::Little, Endian::Big] {
            assert_eq!(Insn::from_bytes(i.to_bytes(e), e), i);
        }
    }

    #[test]
    fn decode_rejects_partial_instructions() {
        let e = decode(&[0; 12], Endian::Little).unwrap_err();
        assert_eq!(e.len, 12);
        assert!(e.to_string().contains("4 trailing bytes"));
        assert_eq!(decode(&[], Endian::Big).unwrap(), vec![]);
        let p = vec![
            Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 4),
            Insn::stmt(BPF_RET, 0),
        ];
        assert_eq!(decode(&encode(&p, Endian::Big), Endian::Big).unwrap(), p);
    }

    #[test]
    fn field_helpers_split_opcodes() {
        let c = BPF_ALU | BPF_RSH | BPF_X;
        assert_eq!((class(c), op(c), src(c)), (BPF_ALU, BPF_RSH, BPF_X));
        let c = BPF_LDX | BPF_B | BPF_MSH;
        assert_eq!((class(c), size(c), mode(c)), (BPF_LDX, BPF_B, BPF_MSH));
        assert_eq!(rval(BPF_RET | BPF_A), BPF_A);
        assert_eq!(miscop(BPF_MISC | BPF_TXA), BPF_TXA);
    }
}
