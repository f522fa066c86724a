//! `struct seccomp_data`: what a seccomp filter reads (spec §1.1).
//!
//! 64 bytes: `nr` (0), `arch` (4), `instruction_pointer` (8), `args[6]` (16 + 8·i). The
//! 64-bit fields are stored in the task's byte order, so a 32-bit `ld [16]` reads the low
//! word of `args[0]` on little-endian ABIs and the high word on big-endian ones.

use crate::arch::Endian;
use serde::Serialize;

/// `sizeof(struct seccomp_data)`.
pub const SECCOMP_DATA_SIZE: u32 = 64;

/// The input of a seccomp filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct SeccompData {
    /// Syscall number (an `int` in the kernel, read as u32: -1 is 0xffffffff).
    pub nr: u32,
    /// `AUDIT_ARCH_*` of the calling ABI.
    pub arch: u32,
    /// Address of the syscall instruction.
    pub instruction_pointer: u64,
    /// The six syscall arguments.
    pub args: [u64; 6],
}

/// Which word of a 64-bit field an offset names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Half {
    /// Bits 0..32.
    Low,
    /// Bits 32..64.
    High,
}

/// A 32-bit aligned word of `seccomp_data`, by meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Field {
    /// `nr` (offset 0).
    Nr,
    /// `arch` (offset 4).
    Arch,
    /// A word of `instruction_pointer` (offsets 8, 12).
    InstructionPointer(Half),
    /// A word of `args[i]` (offsets 16 + 8·i, 20 + 8·i).
    Arg(u8, Half),
}

impl Field {
    /// The field at a 4-byte aligned offset `< 64` for byte order `endian`; `None` otherwise.
    pub fn at(offset: u32, endian: Endian) -> Option<Field> {
        if offset >= SECCOMP_DATA_SIZE || offset % 4 != 0 {
            return None;
        }
        let half_at = |second: bool| match (endian, second) {
            (Endian::Little, false) | (Endian::Big, true) => Half::Low,
            _ => Half::High,
        };
        Some(match offset {
            0 => Field::Nr,
            4 => Field::Arch,
            8 | 12 => Field::InstructionPointer(half_at(offset == 12)),
            _ => {
                let rel = offset - 16;
                Field::Arg((rel / 8) as u8, half_at(rel % 8 == 4))
            }
        })
    }

    /// The offset of this field's word for byte order `endian` (inverse of [`Field::at`]).
    pub fn offset(self, endian: Endian) -> u32 {
        let second = |h: Half| match (endian, h) {
            (Endian::Little, Half::Low) | (Endian::Big, Half::High) => 0,
            _ => 4,
        };
        match self {
            Field::Nr => 0,
            Field::Arch => 4,
            Field::InstructionPointer(h) => 8 + second(h),
            Field::Arg(i, h) => 16 + 8 * i as u32 + second(h),
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let h = |h: &Half| match h {
            Half::Low => "low word",
            Half::High => "high word",
        };
        match self {
            Field::Nr => f.write_str("nr"),
            Field::Arch => f.write_str("arch"),
            Field::InstructionPointer(x) => write!(f, "instruction_pointer ({})", h(x)),
            Field::Arg(i, x) => write!(f, "args[{i}] ({})", h(x)),
        }
    }
}

/// Names the `seccomp_data` word at `offset` (`nr`, `args[2] (high word)`, ...). Offsets that a
/// seccomp filter may not load (unaligned or ≥ 64) are described as such.
pub fn offset_name(offset: u32, endian: Endian) -> String {
    match Field::at(offset, endian) {
        Some(f) => f.to_string(),
        None if offset >= SECCOMP_DATA_SIZE => format!("offset {offset} (beyond seccomp_data)"),
        None => format!("offset {offset} (unaligned)"),
    }
}

impl SeccompData {
    /// A `seccomp_data` for syscall `nr` of ABI `arch` (`AUDIT_ARCH_*`) with these arguments.
    pub fn new(nr: u32, arch: u32, args: [u64; 6]) -> SeccompData {
        SeccompData {
            nr,
            arch,
            instruction_pointer: 0,
            args,
        }
    }

    /// The 64 bytes of the structure in byte order `endian`.
    pub fn to_bytes(&self, endian: Endian) -> [u8; 64] {
        let mut out = [0u8; 64];
        let put32 = |v: u32| match endian {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        let put64 = |v: u64| match endian {
            Endian::Little => v.to_le_bytes(),
            Endian::Big => v.to_be_bytes(),
        };
        out[0..4].copy_from_slice(&put32(self.nr));
        out[4..8].copy_from_slice(&put32(self.arch));
        out[8..16].copy_from_slice(&put64(self.instruction_pointer));
        for (i, a) in self.args.iter().enumerate() {
            out[16 + 8 * i..24 + 8 * i].copy_from_slice(&put64(*a));
        }
        out
    }

    /// What `BPF_LD|BPF_W|BPF_ABS` at `offset` loads: the 32-bit word at that offset, as the
    /// kernel reads it (native order). `None` for offsets seccomp rejects (≥ 64 or unaligned).
    pub fn load_word(&self, offset: u32, endian: Endian) -> Option<u32> {
        let lo = |v: u64| v as u32;
        let hi = |v: u64| (v >> 32) as u32;
        Some(match Field::at(offset, endian)? {
            Field::Nr => self.nr,
            Field::Arch => self.arch,
            Field::InstructionPointer(Half::Low) => lo(self.instruction_pointer),
            Field::InstructionPointer(Half::High) => hi(self.instruction_pointer),
            Field::Arg(i, Half::Low) => lo(self.args[i as usize]),
            Field::Arg(i, Half::High) => hi(self.args[i as usize]),
        })
    }

    /// All 16 words as [`SeccompData::load_word`] sees them, indexed by `offset / 4`.
    pub fn words(&self, endian: Endian) -> [u32; 16] {
        let mut w = [0u32; 16];
        for (i, slot) in w.iter_mut().enumerate() {
            *slot = self.load_word(4 * i as u32, endian).unwrap_or(0);
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SeccompData {
        SeccompData {
            nr: 0xffff_ffff,
            arch: 0xc000_003e,
            instruction_pointer: 0x1122_3344_5566_7788,
            args: [
                0x0000_0001_0000_0002,
                3,
                0xaaaa_bbbb_cccc_dddd,
                0,
                0,
                0xffff_ffff_0000_0000,
            ],
        }
    }

    #[test]
    fn load_word_follows_byte_order() {
        let d = sample();
        let le = Endian::Little;
        let be = Endian::Big;
        assert_eq!(d.load_word(0, le), Some(0xffff_ffff));
        assert_eq!(d.load_word(4, be), Some(0xc000_003e));
        assert_eq!(d.load_word(16, le), Some(2));
        assert_eq!(d.load_word(20, le), Some(1));
        assert_eq!(d.load_word(16, be), Some(1));
        assert_eq!(d.load_word(20, be), Some(2));
        assert_eq!(d.load_word(8, le), Some(0x5566_7788));
        assert_eq!(d.load_word(8, be), Some(0x1122_3344));
        assert_eq!(d.load_word(56, le), Some(0));
        assert_eq!(d.load_word(60, le), Some(0xffff_ffff));
        assert_eq!(d.load_word(64, le), None);
        assert_eq!(d.load_word(18, le), None);
    }

    #[test]
    fn load_word_agrees_with_the_byte_image() {
        let d = sample();
        for e in [Endian::Little, Endian::Big] {
            let b = d.to_bytes(e);
            for off in (0..64).step_by(4) {
                let w = [b[off], b[off + 1], b[off + 2], b[off + 3]];
                let v = match e {
                    Endian::Little => u32::from_le_bytes(w),
                    Endian::Big => u32::from_be_bytes(w),
                };
                assert_eq!(d.load_word(off as u32, e), Some(v), "offset {off} {e:?}");
            }
        }
    }

    #[test]
    fn offsets_are_named() {
        assert_eq!(offset_name(0, Endian::Little), "nr");
        assert_eq!(offset_name(4, Endian::Big), "arch");
        assert_eq!(offset_name(36, Endian::Little), "args[2] (high word)");
        assert_eq!(offset_name(36, Endian::Big), "args[2] (low word)");
        assert_eq!(
            offset_name(8, Endian::Little),
            "instruction_pointer (low word)"
        );
        assert!(offset_name(64, Endian::Little).contains("beyond"));
        assert!(offset_name(6, Endian::Little).contains("unaligned"));
        for e in [Endian::Little, Endian::Big] {
            for off in (0..64).step_by(4) {
                assert_eq!(Field::at(off, e).unwrap().offset(e), off);
            }
        }
    }
}
