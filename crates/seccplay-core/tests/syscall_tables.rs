//! Checks the generated syscall numbers against the kernel's own `.tbl` files in
//! the repository's `refdata/kernel/syscall-tables` (every row of every table an ABI reads).

use seccplay_core::arch::{Arch, X32_SYSCALL_BIT};
use seccplay_core::syscalls::{self, Resolved};
use std::path::PathBuf;

/// The kernel tables in the repository's `refdata/` (always there: no test skips for them).
fn tables_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../refdata/kernel/syscall-tables"
    ))
}

/// (number, abi, name, entry point) rows of a `.tbl` file.
fn rows(file: &str) -> Vec<(u32, String, String, Option<String>)> {
    let path = tables_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        assert!(f.len() >= 3, "{file}:{}: short row `{line}`", i + 1);
        let nr: u32 = f[0]
            .parse()
            .unwrap_or_else(|_| panic!("{file}:{}: bad number", i + 1));
        out.push((
            nr,
            f[1].to_string(),
            f[2].to_string(),
            f.get(3).map(|s| s.to_string()),
        ));
    }
    assert!(out.len() > 300, "{file}: only {} rows", out.len());
    out
}

/// Asserts that every row of `file` whose ABI is in `abis` resolves on `arch` to `nr` with the
/// base applied by `base`.
fn check(file: &str, arch: Arch, abis: &[&str], base: impl Fn(u32) -> u32) {
    let mut bad = Vec::new();
    let mut n = 0;
    for (nr, abi, name, _) in rows(file) {
        // mips n64 keeps numbered placeholders (`reserved177`) that no libc or libseccomp names.
        if !abis.contains(&abi.as_str()) || name.starts_with("reserved") {
            continue;
        }
        n += 1;
        let want = Resolved::Number(base(nr));
        let got = syscalls::resolve(arch, &name);
        if got != want {
            bad.push(format!("{name}: table {want:?}, ours {got:?}"));
        }
        if syscalls::name(arch, base(nr)) != Some(name.as_str()) {
            bad.push(format!(
                "{} → {:?}, table says {name}",
                base(nr),
                syscalls::name(arch, base(nr))
            ));
        }
    }
    assert!(n > 300, "{file}/{arch}: only {n} rows checked");
    assert!(
        bad.is_empty(),
        "{file} on {arch}: {} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn x86_64() {
    check(
        "x86_64-syscall_64.tbl",
        Arch::X86_64,
        &["common", "64"],
        |n| n,
    );
}

#[test]
fn x32() {
    check(
        "x86_64-syscall_64.tbl",
        Arch::X32,
        &["common", "x32"],
        |n| n | X32_SYSCALL_BIT,
    );
}

#[test]
fn i386() {
    check("x86-syscall_32.tbl", Arch::X86, &["i386"], |n| n);
}

#[test]
fn arm_eabi() {
    check("arm-syscall.tbl", Arch::Arm, &["common"], |n| n);
}

#[test]
fn aarch64() {
    // arch/arm64/kernel/Makefile.syscalls: syscall_abis_64 += renameat rlimit memfd_secret
    check(
        "generic-scripts-syscall.tbl",
        Arch::Aarch64,
        &["common", "64", "renameat", "rlimit", "memfd_secret"],
        |n| n,
    );
}

#[test]
fn riscv64() {
    // arch/riscv/kernel/Makefile.syscalls: syscall_abis_64 += riscv rlimit memfd_secret
    check(
        "generic-scripts-syscall.tbl",
        Arch::Riscv64,
        &["common", "64", "riscv", "rlimit", "memfd_secret"],
        |n| n,
    );
}

#[test]
fn powerpc() {
    check(
        "powerpc-syscall.tbl",
        Arch::Ppc,
        &["common", "nospu", "32"],
        |n| n,
    );
    check(
        "powerpc-syscall.tbl",
        Arch::Ppc64,
        &["common", "nospu", "64"],
        |n| n,
    );
    check(
        "powerpc-syscall.tbl",
        Arch::Ppc64le,
        &["common", "nospu", "64"],
        |n| n,
    );
}

#[test]
fn mips_n64() {
    check("mips-syscall_n64.tbl", Arch::Mips64, &["n64"], |n| n + 5000);
    check("mips-syscall_n64.tbl", Arch::Mipsel64, &["n64"], |n| {
        n + 5000
    });
}

#[test]
fn every_abi_has_its_basic_calls() {
    // `exit` exists everywhere; a quick sanity check of every column and base.
    for a in Arch::ALL {
        match syscalls::resolve(a, "exit") {
            Resolved::Number(n) => assert_eq!(syscalls::name(a, n), Some("exit"), "{a}"),
            other => panic!("{a}: exit → {other:?}"),
        }
    }
}

#[test]
fn s390_v6_18() {
    // The old-format table (v6.17–v6.18): 64-bit entries for s390x, compat entries for s390.
    check(
        "s390-syscall_v6.18-old-format.tbl",
        Arch::S390x,
        &["common", "64"],
        |n| n,
    );
    check(
        "s390-syscall_v6.18-old-format.tbl",
        Arch::S390,
        &["common", "32"],
        |n| n,
    );
}
