//! Checks the lookup API against the reference csv files directly (independently of the
//! generator): every constant, every `__PNR_*` number, every libseccomp name and column.

use seccplay_core::arch::Arch;
use seccplay_core::bpf::strict::{mode1_syscalls, AbiRole};
use seccplay_core::syscalls::{self, Resolved};
use std::path::PathBuf;

/// The repository's `refdata/` (always there: the tests never skip for want of it).
fn refdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../refdata"))
}

/// Rows of a simple csv; the fields used here never contain quoted commas before the last
/// field we read, so splitting on ',' is enough.
fn rows(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(refdata().join(file)).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn every_constant() {
    let rs = rows("kernel/constants/syscall_arg_constants.csv");
    assert!(rs.len() > 350);
    for r in rs {
        let v: u64 = r[1].parse().unwrap();
        assert_eq!(syscalls::constant(&r[0]), Some(v), "{}", r[0]);
        if r[4] == "errno" {
            assert_eq!(syscalls::errno_by_name(&r[0]), Some(v as u16));
            assert!(syscalls::errno_message(v as u16).is_some_and(|m| !m.is_empty()));
            let canonical = syscalls::errno_name(v as u16).unwrap();
            assert_eq!(syscalls::constant(canonical), Some(v));
        }
    }
}

#[test]
fn every_pseudo_number() {
    for r in rows("syscalls/libseccomp/pseudo_syscalls_pnr.csv") {
        let p: i32 = r[1].parse().unwrap();
        if r[0] == "oldwait4" {
            // In seccomp-syscalls.h but not in syscalls.csv: libseccomp cannot resolve it.
            assert!(!syscalls::is_known("oldwait4"));
            continue;
        }
        assert_eq!(syscalls::pseudo(&r[0]), Some(p), "{}", r[0]);
        assert!(syscalls::names_of_pseudo(p).contains(&r[0].as_str()));
    }
}

#[test]
fn every_libseccomp_cell() {
    let text = std::fs::read_to_string(refdata().join("syscalls/libseccomp/syscalls.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        for a in Arch::ALL {
            let col = format!("{:?}", a.table_column()).to_ascii_lowercase();
            let i = header.iter().position(|h| *h == col).unwrap();
            let want = match f[i] {
                "PNR" => Resolved::Pseudo(syscalls::pseudo(f[0]).unwrap()),
                v => {
                    let v: u32 = v.parse().unwrap();
                    Resolved::Number(match a {
                        Arch::X32 => v | 0x4000_0000,
                        _ => v + a.nr_base(),
                    })
                }
            };
            assert_eq!(syscalls::resolve(a, f[0]), want, "{} on {a}", f[0]);
            n += 1;
        }
    }
    assert_eq!(n, 508 * 23);
    assert_eq!(syscalls::all_names().count(), 508);
}

/// `bpf::strict`'s mode-1 numbers against libseccomp's syscall table: read, write, exit and
/// (rt_)sigreturn of each ABI's column, plus the mips base.
#[test]
fn strict_mode_numbers_match_the_libseccomp_table() {
    let text = std::fs::read_to_string(refdata().join("syscalls/libseccomp/syscalls.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let lookup = |name: &str, col: &str| -> Option<u32> {
        let ci = header.iter().position(|h| *h == col)?;
        let row = rows.iter().find(|r| r[0] == name)?;
        row[ci].parse().ok()
    };
    let cases: &[(Arch, AbiRole, &str, &str)] = &[
        (Arch::X86_64, AbiRole::Native, "x86_64", "rt_sigreturn"),
        (Arch::X86, AbiRole::Compat, "x86", "sigreturn"),
        (Arch::Arm, AbiRole::Compat, "arm", "rt_sigreturn"),
        (Arch::Aarch64, AbiRole::Native, "aarch64", "rt_sigreturn"),
        (Arch::Riscv64, AbiRole::Native, "riscv64", "rt_sigreturn"),
        (
            Arch::Loongarch64,
            AbiRole::Native,
            "loongarch64",
            "rt_sigreturn",
        ),
        (Arch::M68k, AbiRole::Native, "m68k", "rt_sigreturn"),
        (Arch::Mips, AbiRole::Compat, "mips", "rt_sigreturn"),
        (Arch::Mips64, AbiRole::Native, "mips64", "rt_sigreturn"),
        (
            Arch::Mips64n32,
            AbiRole::Compat,
            "mips64n32",
            "rt_sigreturn",
        ),
        (Arch::Parisc64, AbiRole::Native, "parisc64", "rt_sigreturn"),
        (Arch::Ppc, AbiRole::Native, "ppc", "rt_sigreturn"),
        (Arch::Ppc, AbiRole::Compat, "ppc", "sigreturn"),
        (Arch::Ppc64, AbiRole::Native, "ppc64", "rt_sigreturn"),
        (Arch::S390x, AbiRole::Native, "s390x", "sigreturn"),
        (Arch::S390, AbiRole::Compat, "s390", "sigreturn"),
        (Arch::Sh, AbiRole::Native, "sh", "rt_sigreturn"),
    ];
    for &(arch, role, col, sigret) in cases {
        let base = arch.nr_base();
        let want: Vec<u32> = ["read", "write", "exit", sigret]
            .iter()
            .map(|n| lookup(n, col).expect(n) + base)
            .collect();
        assert_eq!(mode1_syscalls(arch, role).unwrap().to_vec(), want, "{arch}");
    }
}

/// `LIBSECCOMP_MODEL` names the table the generator read: SOURCES.md records the same commit,
/// date and Linux version for `syscalls.csv`, and the same number of names.
#[test]
fn libseccomp_model_matches_refdata_sources() {
    let sources = std::fs::read_to_string(refdata().join("SOURCES.md")).unwrap();
    let row = sources
        .lines()
        .find(|l| l.starts_with("| `syscalls/libseccomp/syscalls.csv`"))
        .expect("SOURCES.md row for syscalls.csv");
    let m = seccplay_core::LIBSECCOMP_MODEL;
    assert!(row.contains(m.table_commit), "{row}");
    assert!(row.contains(m.table_date), "{row}");
    assert!(
        row.contains(&m.table_linux.replace("v", "Linux v")),
        "{row}"
    );
    let n = syscalls::all_names().count();
    assert!(row.contains(&format!("{n} syscalls")), "{n}: {row}");
}
