//! Architectures (ABIs) as libseccomp knows them: tokens, `AUDIT_ARCH_*` values, word size,
//! byte order, syscall-number bases and the socketcall/ipc multiplexers.
//!
//! Facts from libseccomp's `src/arch-*.c` and `include/seccomp.h.in` and the kernel's
//! `include/uapi/linux/audit.h` (see NOTICE).

use serde::Serialize;
use std::fmt;

/// Byte order of an ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Endian {
    /// Little endian.
    Little,
    /// Big endian.
    Big,
}

/// One ABI that a seccomp filter can see in `seccomp_data.arch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[allow(missing_docs)]
pub enum Arch {
    X86_64,
    X86,
    X32,
    Arm,
    Aarch64,
    Loongarch64,
    M68k,
    Mips,
    Mipsel,
    Mips64,
    Mipsel64,
    Mips64n32,
    Mipsel64n32,
    Parisc,
    Parisc64,
    Ppc,
    Ppc64,
    Ppc64le,
    Riscv64,
    S390,
    S390x,
    Sh,
    Sheb,
}

/// `__X32_SYSCALL_BIT`: x32 syscall numbers carry this bit.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// Which column of the generated syscall table an ABI reads its numbers from (generated with
/// the table, so its order is the table's).
pub use crate::tables::syscalls::TableColumn;

/// The multiplexer syscalls of an ABI that routes socket and SysV IPC calls through
/// `socketcall(2)` and `ipc(2)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Multiplexers {
    /// Number of `socketcall`.
    pub socketcall: u32,
    /// Number of `ipc`.
    pub ipc: u32,
}

impl Arch {
    /// Every ABI, in a fixed order.
    pub const ALL: [Arch; 23] = [
        Arch::X86_64,
        Arch::X86,
        Arch::X32,
        Arch::Arm,
        Arch::Aarch64,
        Arch::Loongarch64,
        Arch::M68k,
        Arch::Mips,
        Arch::Mipsel,
        Arch::Mips64,
        Arch::Mipsel64,
        Arch::Mips64n32,
        Arch::Mipsel64n32,
        Arch::Parisc,
        Arch::Parisc64,
        Arch::Ppc,
        Arch::Ppc64,
        Arch::Ppc64le,
        Arch::Riscv64,
        Arch::S390,
        Arch::S390x,
        Arch::Sh,
        Arch::Sheb,
    ];

    /// libseccomp's name (`seccomp_arch_resolve_name`), e.g. `x86_64`, `mipsel64n32`.
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::X86 => "x86",
            Arch::X32 => "x32",
            Arch::Arm => "arm",
            Arch::Aarch64 => "aarch64",
            Arch::Loongarch64 => "loongarch64",
            Arch::M68k => "m68k",
            Arch::Mips => "mips",
            Arch::Mipsel => "mipsel",
            Arch::Mips64 => "mips64",
            Arch::Mipsel64 => "mipsel64",
            Arch::Mips64n32 => "mips64n32",
            Arch::Mipsel64n32 => "mipsel64n32",
            Arch::Parisc => "parisc",
            Arch::Parisc64 => "parisc64",
            Arch::Ppc => "ppc",
            Arch::Ppc64 => "ppc64",
            Arch::Ppc64le => "ppc64le",
            Arch::Riscv64 => "riscv64",
            Arch::S390 => "s390",
            Arch::S390x => "s390x",
            Arch::Sh => "sh",
            Arch::Sheb => "sheb",
        }
    }

    /// Looks an ABI up by libseccomp name (`x86_64`) or OCI name (`SCMP_ARCH_X86_64`),
    /// case-insensitively, as crun does (strip `SCMP_ARCH_`, lowercase).
    pub fn from_name(s: &str) -> Option<Arch> {
        let lower = s.to_ascii_lowercase();
        let n = lower.strip_prefix("scmp_arch_").unwrap_or(&lower);
        Arch::ALL.into_iter().find(|a| a.name() == n)
    }

    /// The OCI / Docker profile spelling, `SCMP_ARCH_X86_64`.
    pub fn oci_name(self) -> String {
        format!("SCMP_ARCH_{}", self.name().to_ascii_uppercase())
    }

    /// libseccomp's arch token (`SCMP_ARCH_*` value). Equal to [`Arch::audit_arch`] except
    /// for x32, whose token is a fake `0x4000003E`.
    pub fn token(self) -> u32 {
        match self {
            Arch::X32 => 0x4000_003e,
            _ => self.audit_arch(),
        }
    }

    /// The `AUDIT_ARCH_*` value the kernel puts in `seccomp_data.arch` for this ABI
    /// (libseccomp's `token_bpf`). x32 tasks report `AUDIT_ARCH_X86_64`.
    pub fn audit_arch(self) -> u32 {
        match self {
            Arch::X86_64 | Arch::X32 => 0xc000_003e,
            Arch::X86 => 0x4000_0003,
            Arch::Arm => 0x4000_0028,
            Arch::Aarch64 => 0xc000_00b7,
            Arch::Loongarch64 => 0xc000_0102,
            Arch::M68k => 0x0000_0004,
            Arch::Mips => 0x0000_0008,
            Arch::Mipsel => 0x4000_0008,
            Arch::Mips64 => 0x8000_0008,
            Arch::Mipsel64 => 0xc000_0008,
            Arch::Mips64n32 => 0xa000_0008,
            Arch::Mipsel64n32 => 0xe000_0008,
            Arch::Parisc => 0x0000_000f,
            Arch::Parisc64 => 0x8000_000f,
            Arch::Ppc => 0x0000_0014,
            Arch::Ppc64 => 0x8000_0015,
            Arch::Ppc64le => 0xc000_0015,
            Arch::Riscv64 => 0xc000_00f3,
            Arch::S390 => 0x0000_0016,
            Arch::S390x => 0x8000_0016,
            Arch::Sh => 0x4000_002a,
            Arch::Sheb => 0x0000_002a,
        }
    }

    /// The ABIs whose filters see `audit_arch` in `seccomp_data.arch` (x86_64 and x32 share one).
    pub fn from_audit_arch(audit_arch: u32) -> Vec<Arch> {
        Arch::ALL
            .into_iter()
            .filter(|a| a.audit_arch() == audit_arch)
            .collect()
    }

    /// Word size in bits as libseccomp models it: 32-bit ABIs compare only the low word of
    /// each argument (x32, mips n32 included).
    pub fn bits(self) -> u32 {
        match self {
            Arch::X86_64
            | Arch::Aarch64
            | Arch::Loongarch64
            | Arch::Mips64
            | Arch::Mipsel64
            | Arch::Parisc64
            | Arch::Ppc64
            | Arch::Ppc64le
            | Arch::Riscv64
            | Arch::S390x => 64,
            _ => 32,
        }
    }

    /// Byte order.
    pub fn endian(self) -> Endian {
        match self {
            Arch::M68k
            | Arch::Mips
            | Arch::Mips64
            | Arch::Mips64n32
            | Arch::Parisc
            | Arch::Parisc64
            | Arch::Ppc
            | Arch::Ppc64
            | Arch::S390
            | Arch::S390x
            | Arch::Sheb => Endian::Big,
            _ => Endian::Little,
        }
    }

    /// What is added to the table's number to get the real syscall number
    /// (mips o32 4000, n64 5000, n32 6000; x32 ORs in bit 30).
    pub fn nr_base(self) -> u32 {
        match self {
            Arch::Mips | Arch::Mipsel => 4000,
            Arch::Mips64 | Arch::Mipsel64 => 5000,
            Arch::Mips64n32 | Arch::Mipsel64n32 => 6000,
            Arch::X32 => X32_SYSCALL_BIT,
            _ => 0,
        }
    }

    /// The column of the syscall table this ABI reads.
    pub fn table_column(self) -> TableColumn {
        match self {
            Arch::X86_64 => TableColumn::X86_64,
            Arch::X86 => TableColumn::X86,
            Arch::X32 => TableColumn::X32,
            Arch::Arm => TableColumn::Arm,
            Arch::Aarch64 => TableColumn::Aarch64,
            Arch::Loongarch64 => TableColumn::Loongarch64,
            Arch::M68k => TableColumn::M68k,
            Arch::Mips | Arch::Mipsel => TableColumn::Mips,
            Arch::Mips64 | Arch::Mipsel64 => TableColumn::Mips64,
            Arch::Mips64n32 | Arch::Mipsel64n32 => TableColumn::Mips64n32,
            Arch::Parisc => TableColumn::Parisc,
            Arch::Parisc64 => TableColumn::Parisc64,
            Arch::Ppc => TableColumn::Ppc,
            Arch::Ppc64 | Arch::Ppc64le => TableColumn::Ppc64,
            Arch::Riscv64 => TableColumn::Riscv64,
            Arch::S390 => TableColumn::S390,
            Arch::S390x => TableColumn::S390x,
            Arch::Sh | Arch::Sheb => TableColumn::Sh,
        }
    }

    /// The socketcall/ipc multiplexers of the ABIs libseccomp treats with its "abi" resolver
    /// (x86, m68k, mips o32, ppc, ppc64, s390, s390x, sh), `None` elsewhere.
    pub fn multiplexers(self) -> Option<Multiplexers> {
        match self {
            Arch::X86
            | Arch::M68k
            | Arch::Ppc
            | Arch::Ppc64
            | Arch::Ppc64le
            | Arch::S390
            | Arch::S390x
            | Arch::Sh
            | Arch::Sheb => Some(Multiplexers {
                socketcall: 102,
                ipc: 117,
            }),
            Arch::Mips | Arch::Mipsel => Some(Multiplexers {
                socketcall: 4102,
                ipc: 4117,
            }),
            _ => None,
        }
    }

    /// Offset in `seccomp_data` of the low 32-bit word of argument `i` (0..6).
    pub fn arg_offset_lo(self, i: u8) -> u32 {
        16 + 8 * i as u32 + if self.endian() == Endian::Big { 4 } else { 0 }
    }

    /// Offset in `seccomp_data` of the high 32-bit word of argument `i` (0..6).
    pub fn arg_offset_hi(self, i: u8) -> u32 {
        16 + 8 * i as u32 + if self.endian() == Endian::Big { 0 } else { 4 }
    }

    /// Docker's name for a host architecture (Go's `GOARCH`) → the ABI dockerd runs on.
    /// Accepts `amd64`, `arm64`, `386`, `arm`, `loong64`, `mips64`, `mips64le`, `mips64p32`,
    /// `mips64p32le`, `mipsle`, `ppc`, `ppc64`, `ppc64le`, `riscv64`, `s390`, `s390x`, and the
    /// libseccomp names as aliases.
    pub fn from_docker_host(goarch: &str) -> Option<Arch> {
        Some(match goarch {
            "amd64" => Arch::X86_64,
            "386" => Arch::X86,
            "arm64" => Arch::Aarch64,
            "arm" => Arch::Arm,
            "loong64" => Arch::Loongarch64,
            "mips64" => Arch::Mips64,
            "mips64le" => Arch::Mipsel64,
            "mips64p32" => Arch::Mips64n32,
            "mips64p32le" => Arch::Mipsel64n32,
            "mipsle" => Arch::Mipsel,
            "ppc" => Arch::Ppc,
            "ppc64" => Arch::Ppc64,
            "ppc64le" => Arch::Ppc64le,
            "riscv64" => Arch::Riscv64,
            "s390" => Arch::S390,
            "s390x" => Arch::S390x,
            other => return Arch::from_name(other),
        })
    }

    /// Docker's `GOARCH` name for this ABI as a host, if Docker runs on it.
    pub fn docker_host_name(self) -> Option<&'static str> {
        Some(match self {
            Arch::X86_64 => "amd64",
            Arch::X86 => "386",
            Arch::Aarch64 => "arm64",
            Arch::Arm => "arm",
            Arch::Loongarch64 => "loong64",
            Arch::Mips64 => "mips64",
            Arch::Mipsel64 => "mips64le",
            Arch::Mips64n32 => "mips64p32",
            Arch::Mipsel64n32 => "mips64p32le",
            Arch::Mipsel => "mipsle",
            Arch::Ppc => "ppc",
            Arch::Ppc64 => "ppc64",
            Arch::Ppc64le => "ppc64le",
            Arch::Riscv64 => "riscv64",
            Arch::S390 => "s390",
            Arch::S390x => "s390x",
            _ => return None,
        })
    }

    /// The ABI of the machine this code was compiled for, if it is one seccomp knows.
    pub fn native() -> Option<Arch> {
        let a = match std::env::consts::ARCH {
            "x86_64" => Arch::X86_64,
            "x86" => Arch::X86,
            "aarch64" => Arch::Aarch64,
            "arm" => Arch::Arm,
            "loongarch64" => Arch::Loongarch64,
            "riscv64" => Arch::Riscv64,
            "s390x" => Arch::S390x,
            "powerpc64" if cfg!(target_endian = "little") => Arch::Ppc64le,
            "powerpc64" => Arch::Ppc64,
            "powerpc" => Arch::Ppc,
            "mips64" if cfg!(target_endian = "little") => Arch::Mipsel64,
            "mips64" => Arch::Mips64,
            "mips" if cfg!(target_endian = "little") => Arch::Mipsel,
            "mips" => Arch::Mips,
            _ => return None,
        };
        Some(a)
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Arch::ALL {
            assert_eq!(Arch::from_name(a.name()), Some(a));
            assert_eq!(Arch::from_name(&a.oci_name()), Some(a));
            if let Some(h) = a.docker_host_name() {
                assert_eq!(Arch::from_docker_host(h), Some(a));
            }
        }
        assert_eq!(Arch::from_name("SCMP_ARCH_NOPE"), None);
    }

    #[test]
    fn argument_offsets_follow_byte_order() {
        assert_eq!(Arch::X86_64.arg_offset_lo(0), 16);
        assert_eq!(Arch::X86_64.arg_offset_hi(0), 20);
        assert_eq!(Arch::S390x.arg_offset_lo(1), 28);
        assert_eq!(Arch::S390x.arg_offset_hi(1), 24);
    }

    #[test]
    fn x32_shares_the_x86_64_audit_arch_but_not_the_token() {
        assert_eq!(Arch::X32.audit_arch(), Arch::X86_64.audit_arch());
        assert_ne!(Arch::X32.token(), Arch::X86_64.token());
        assert_eq!(
            Arch::from_audit_arch(0xc000_003e),
            vec![Arch::X86_64, Arch::X32]
        );
    }
}
