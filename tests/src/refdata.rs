//! Test-only access to the reference data in the repository's `refdata/` (byte-exact copies
//! of upstream files; `refdata/SOURCES.md` gives each file's provenance).
//!
//! The data is part of the repository, so no test skips for want of it: a file that cannot be
//! read is an error, and the test that needed it fails.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The repository's `refdata/` folder.
pub fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../refdata"))
}

/// Reads a file below `refdata/` (`rel` as in `refdata/SOURCES.md`).
pub fn read_refdata(rel: &str) -> Result<String, String> {
    let path = dir().join(rel);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// libseccomp arch name → (audit arch value, syscalls.csv column, number base, 64-bit).
pub fn arch_info(name: &str) -> Option<(u32, &'static str, u32, bool)> {
    Some(match name {
        "x86" => (0x4000_0003, "x86", 0, false),
        "x86_64" => (0xC000_003E, "x86_64", 0, true),
        "x32" => (0xC000_003E, "x32", 0x4000_0000, false),
        "arm" => (0x4000_0028, "arm", 0, false),
        "aarch64" => (0xC000_00B7, "aarch64", 0, true),
        "loongarch64" => (0xC000_0102, "loongarch64", 0, true),
        "m68k" => (0x0000_0004, "m68k", 0, false),
        "mips" => (0x0000_0008, "mips", 4000, false),
        "mipsel" => (0x4000_0008, "mips", 4000, false),
        "mips64" => (0x8000_0008, "mips64", 5000, true),
        "mipsel64" => (0xC000_0008, "mips64", 5000, true),
        "mips64n32" => (0xA000_0008, "mips64n32", 6000, false),
        "mipsel64n32" => (0xE000_0008, "mips64n32", 6000, false),
        "parisc" => (0x0000_000F, "parisc", 0, false),
        "parisc64" => (0x8000_000F, "parisc64", 0, true),
        "ppc" => (0x0000_0014, "ppc", 0, false),
        "ppc64" => (0x8000_0015, "ppc64", 0, true),
        "ppc64le" => (0xC000_0015, "ppc64", 0, true),
        "riscv64" => (0xC000_00F3, "riscv64", 0, true),
        "s390" => (0x0000_0016, "s390", 0, false),
        "s390x" => (0x8000_0016, "s390x", 0, true),
        "sh" => (0x4000_002A, "sh", 0, false),
        "sheb" => (0x0000_002A, "sh", 0, false),
        _ => return None,
    })
}

/// Audit arch value of a libseccomp arch name.
pub fn audit_arch(name: &str) -> Option<u32> {
    arch_info(name).map(|i| i.0)
}

/// True for big-endian arches (their BPF loads the high word of an argument at 16+8i).
pub fn big_endian(name: &str) -> bool {
    matches!(
        name,
        "m68k"
            | "mips"
            | "mips64"
            | "mips64n32"
            | "parisc"
            | "parisc64"
            | "ppc"
            | "ppc64"
            | "s390"
            | "s390x"
            | "sheb"
    )
}

/// libseccomp's syscall table (`syscalls/libseccomp/syscalls.csv`): name → column → number
/// (as stored, i.e. without the mips/x32 bases; `None` = PNR).
pub struct SyscallTable {
    columns: Vec<String>,
    rows: BTreeMap<String, Vec<Option<u32>>>,
}

impl SyscallTable {
    /// Loads the table from `refdata/`.
    pub fn load() -> Result<SyscallTable, String> {
        Self::parse(&read_refdata("syscalls/libseccomp/syscalls.csv")?)
    }

    /// Parses the CSV text.
    pub fn parse(text: &str) -> Result<SyscallTable, String> {
        let mut lines = text.lines();
        let header = lines.next().ok_or("empty syscalls.csv")?;
        let columns: Vec<String> = header
            .split(',')
            .skip(1)
            .step_by(2)
            .map(|s| s.to_string())
            .collect();
        let mut rows = BTreeMap::new();
        for line in lines.filter(|l| !l.trim().is_empty()) {
            let cells: Vec<&str> = line.split(',').collect();
            let nums = cells
                .iter()
                .skip(1)
                .step_by(2)
                .map(|c| c.trim().parse::<u32>().ok())
                .collect::<Vec<_>>();
            if nums.len() != columns.len() {
                return Err(format!("bad syscalls.csv row: {line}"));
            }
            rows.insert(cells[0].to_string(), nums);
        }
        Ok(SyscallTable { columns, rows })
    }

    /// All syscall names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(|s| s.as_str())
    }

    /// The number the kernel sees for `name` on libseccomp arch `arch` (bases applied).
    pub fn number(&self, arch: &str, name: &str) -> Option<u32> {
        let (_, column, base, _) = arch_info(arch)?;
        let col = self.columns.iter().position(|c| c == column)?;
        let n = (*self.rows.get(name)?.get(col)?)?;
        Some(if base == 0x4000_0000 {
            n | base
        } else {
            n + base
        })
    }

    /// Every (name, number) present on `arch`, bases applied.
    pub fn numbers(&self, arch: &str) -> Vec<(String, u32)> {
        self.rows
            .keys()
            .filter_map(|name| Some((name.clone(), self.number(arch, name)?)))
            .collect()
    }
}
