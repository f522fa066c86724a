//! Time of the raw-filter analysis (seccplay_core::filter) on real and hostile programs, for
//! docs/BENCHMARKS.md and docs/RELIABILITY.md, one input per run:
//!
//! ```text
//! cargo build -p seccplay-core --example filter_bounds
//! for c in docker docker-aarch64 chromium-renderer chromium-utility chromium-like seccomp-tools paths-2pow40 chain-4096 every-alu stack-3; do
//!   /usr/bin/time -v target/debug/examples/filter_bounds $c 2>&1 | grep -E 'filter_bounds|Maximum resident|Elapsed'
//! done
//! ```

use seccplay_core::analysis::analyze;
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::insn::*;
use seccplay_core::context::Context;
use seccplay_core::filter::{self, Options, Verdict};
use std::time::Instant;

fn docker(arch: Arch) -> Vec<Insn> {
    let mut c = Context::docker(arch);
    c.enosys_stub = false;
    let Some(seccplay_core::presets::PresetKind::Profile(text)) =
        seccplay_core::presets::get("docker").map(|p| p.kind)
    else {
        unreachable!("the docker preset is a profile")
    };
    analyze(text, &c).program.expect("compiles").insns
}

/// A program shaped like Chromium's renderer policy (bpf_dsl): an arch check, a binary search
/// over ~300 syscall numbers, and for every 8th an instruction-pointer check and a 64-bit
/// argument test (both words), about 660 instructions.
fn chromium_like() -> Vec<Insn> {
    let ld = |k| Insn::stmt(BPF_LD | BPF_W | BPF_ABS, k);
    let ret = |k| Insn::stmt(BPF_RET | BPF_K, k);
    let jeq = |k, t, f| Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, k, t, f);
    let mut p = vec![ld(4), jeq(0xc000_003e, 1, 0), ret(0), ld(0)];
    // Linear blocks per number (a tree would be shorter; the length is what matters here).
    for nr in 0..300u32 {
        if nr % 8 == 0 {
            // nr == N ? (ip_hi == 0x7f && (arg0_hi == 0 && arg0_lo == 3) ? ALLOW : TRAP) : next
            p.push(jeq(nr, 0, 8));
            p.push(ld(12));
            p.push(jeq(0x7f, 0, 4));
            p.push(ld(20));
            p.push(jeq(0, 0, 2));
            p.push(ld(16));
            p.push(jeq(3, 1, 0));
            p.push(ret(0x0003_0000 | nr));
            p.push(ret(0x7fff_0000));
            p.push(ld(0));
        } else {
            p.push(jeq(nr, 0, 1));
            p.push(ret(if nr % 3 == 0 {
                0x0005_0001
            } else {
                0x7fff_0000
            }));
        }
    }
    p.push(ret(0x0005_0026));
    p
}

fn paths_2pow40() -> Vec<Insn> {
    let mut p = Vec::new();
    for i in 0..40u32 {
        p.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 16 + 4 * (i % 12)));
        p.push(Insn::jump(BPF_JMP | BPF_JSET | BPF_K, 1 << (i % 32), 1, 0));
        p.push(Insn::stmt(BPF_LD | BPF_IMM, i));
    }
    p.push(Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000));
    p
}

/// 4096 instructions: a chain of tests on every argument word, each skipping one load.
fn chain_4096() -> Vec<Insn> {
    let mut p = Vec::new();
    let mut i = 0u32;
    while p.len() < 4093 {
        p.push(Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 8 + 4 * (i % 14)));
        p.push(Insn::jump(
            BPF_JMP | BPF_JGT | BPF_K,
            i.wrapping_mul(0x9e37_79b9),
            1,
            0,
        ));
        p.push(Insn::stmt(BPF_LD | BPF_IMM, i));
        i += 1;
    }
    while p.len() < 4095 {
        p.push(Insn::stmt(BPF_LD | BPF_IMM, 0));
    }
    p.push(Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000));
    p
}

fn every_alu() -> Vec<Insn> {
    let mut p = vec![
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 16),
        Insn::stmt(BPF_MISC | BPF_TAX, 0),
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 24),
    ];
    for op in [
        BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_XOR,
    ] {
        p.push(Insn::stmt(BPF_ALU | op | BPF_K, 3));
        p.push(Insn::stmt(BPF_ALU | op | BPF_X, 0));
        p.push(Insn::jump(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 0));
    }
    p.push(Insn::stmt(BPF_ALU | BPF_NEG, 0));
    p.push(Insn::jump(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1));
    p.push(Insn::stmt(BPF_RET | BPF_K, 0x0005_0001));
    p.push(Insn::stmt(BPF_RET | BPF_A, 0));
    p
}

fn main() {
    let case = std::env::args().nth(1).unwrap_or_default();
    let stack: Vec<Vec<Insn>> = match case.as_str() {
        "docker" => vec![docker(Arch::X86_64)],
        "docker-aarch64" => vec![docker(Arch::Aarch64)],
        "chromium-like" => vec![chromium_like()],
        "paths-2pow40" => vec![paths_2pow40()],
        "chain-4096" => vec![chain_4096()],
        "every-alu" => vec![every_alu()],
        "stack-3" => vec![chromium_like(), docker(Arch::X86_64), every_alu()],
        "chromium-renderer" | "chromium-utility" => {
            let file = if case == "chromium-renderer" {
                "renderer.bpf"
            } else {
                "utility-storage.bpf"
            };
            let path = format!(
                "{}/../../refdata/filters/chromium/{file}",
                env!("CARGO_MANIFEST_DIR")
            );
            vec![decode(&std::fs::read(path).unwrap(), Endian::Little).unwrap()]
        }
        "seccomp-tools" => {
            let dir = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../refdata/filters/seccomp-tools"
            );
            let mut v = Vec::new();
            let mut names: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect();
            names.sort();
            for p in names
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "bpf"))
            {
                let prog = decode(&std::fs::read(p).unwrap(), Endian::Little).unwrap();
                let t = Instant::now();
                let r = filter::analyze(&[&prog], Endian::Little, &Options::default());
                println!(
                    "filter_bounds seccomp-tools {}: {} insns, {:?} ({})",
                    p.file_name().unwrap().to_string_lossy(),
                    prog.len(),
                    t.elapsed(),
                    if r.is_ok() {
                        "analysed"
                    } else {
                        "refused by the verifier"
                    }
                );
            }
            v.push(vec![Insn::stmt(BPF_RET | BPF_K, 0)]);
            v
        }
        _ => {
            eprintln!("unknown case");
            std::process::exit(2)
        }
    };
    let refs: Vec<&[Insn]> = stack.iter().map(|p| p.as_slice()).collect();
    let t = Instant::now();
    let an = filter::analyze(&refs, Endian::Little, &Options::default()).expect("verifies");
    let el = t.elapsed();
    let rows = an.all_rows().count();
    let paths: usize = an.all_rows().map(|r| r.paths.len()).sum();
    let too = an
        .all_rows()
        .filter(|r| matches!(r.verdict, Verdict::TooComplex { .. }))
        .count();
    let cond = an
        .all_rows()
        .filter(|r| matches!(r.verdict, Verdict::Conditional { .. }))
        .count();
    println!(
        "filter_bounds {case}: {} insns, {rows} rows ({cond} conditional, {too} past the bound), {paths} paths, analysed in {el:?}",
        an.lengths.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("+")
    );
}
