//! Checks the lookup API against the reference csv files directly (independently of the
//! generator): every constant, every `__PNR_*` number, every libseccomp name and column.

use seccplay_core::arch::Arch;
use seccplay_core::syscalls::{self, Resolved};
use std::path::PathBuf;

fn refdata() -> Option<PathBuf> {
    let d = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if !d.is_dir() {
        eprintln!("skipping: ../shared not found");
        return None;
    }
    Some(d.join("refdata"))
}

/// Rows of a simple csv; the fields used here never contain quoted commas before the last
/// field we read, so splitting on ',' is enough.
fn rows(file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(refdata().unwrap().join(file)).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn every_constant() {
    if refdata().is_none() {
        return;
    }
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
    if refdata().is_none() {
        return;
    }
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
    if refdata().is_none() {
        return;
    }
    let text = std::fs::read_to_string(refdata().unwrap().join("syscalls/libseccomp/syscalls.csv"))
        .unwrap();
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
