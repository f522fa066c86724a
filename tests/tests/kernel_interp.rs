//! seccplay's interpreter (`bpf::interp::run`) against the real kernel on random programs.
//!
//! Every program returns `ERRNO(id)` with a distinct id per `ret` (so no syscall ever runs
//! under it and the result names the return site), or 0 = KILL_THREAD after a `div x` by zero.
//! A forked child installs the program and issues raw syscalls with chosen numbers and
//! arguments; each result must be what the interpreter predicts for the same `seccomp_data`
//! (`AUDIT_ARCH_X86_64`, the number as issued, the arguments). The instruction pointer cannot be
//! chosen, so the programs only read it right before overwriting `A`.

use seccplay_conformance::kernel::{self, expected_result, random_calls, random_errno_program};
use seccplay_conformance::random_profile::Rng;
use seccplay_core::arch::Endian;
use seccplay_core::bpf::disasm::plain;
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::interp::run;
use seccplay_core::bpf::verify::verify;
use seccplay_core::bpf::{Insn, SeccompData};

const PROGRAMS: usize = 300;
const CALLS_PER_PROGRAM: usize = 128;

/// Compares kernel and interpreter on one program; returns the number of pairs compared.
fn check(prog: &[Insn], calls: &[kernel::Call], failures: &mut Vec<String>) -> usize {
    let got = match kernel::run_all(prog, calls) {
        Ok(g) => g,
        Err(e) => {
            failures.push(format!("{e}\nprogram:\n{}", plain(prog)));
            return 0;
        }
    };
    let mut bad = Vec::new();
    for (c, g) in calls.iter().zip(&got) {
        let data = SeccompData::new(c.nr, kernel::AUDIT_ARCH_X86_64, c.args);
        let ret = run(prog, &data, Endian::Little).expect("verified programs run");
        let want = expected_result(ret).unwrap_or_else(|| panic!("generator made ret {ret:#x}"));
        if *g != want {
            bad.push(format!(
                "  nr {:#x} args {:x?}: interpreter ret {ret:#010x} → {want:?}, kernel {g:?}",
                c.nr, c.args
            ));
        }
    }
    if !bad.is_empty() {
        bad.truncate(5);
        failures.push(format!("{}\nprogram:\n{}", bad.join("\n"), plain(prog)));
    }
    got.len()
}

#[test]
fn kernel_agrees_with_interpreter_on_random_programs() {
    if !kernel::kernel_or_skip("kernel_agrees_with_interpreter_on_random_programs") {
        return;
    }
    if !cfg!(target_arch = "x86_64") {
        eprintln!("kernel_agrees_with_interpreter_on_random_programs: skipping: not x86_64");
        return;
    }
    let t0 = std::time::Instant::now();
    let mut rng = Rng::new(0x6b65_726e);
    let (mut programs, mut pairs, mut rejected, mut kills, mut sites) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    while programs < PROGRAMS {
        let (prog, consts) = random_errno_program(&mut rng);
        if verify(&prog).is_err() {
            rejected += 1;
            assert!(
                rejected < 20 * PROGRAMS,
                "the generator rarely makes valid programs"
            );
            continue;
        }
        programs += 1;
        let calls = random_calls(&mut rng, &consts, CALLS_PER_PROGRAM);
        let mut rets: Vec<u32> = calls
            .iter()
            .map(|c| {
                let d = SeccompData::new(c.nr, kernel::AUDIT_ARCH_X86_64, c.args);
                run(&prog, &d, Endian::Little).unwrap_or(0)
            })
            .collect();
        rets.sort_unstable();
        rets.dedup();
        sites += rets.len();
        kills += calls
            .iter()
            .filter(|c| {
                let d = SeccompData::new(c.nr, kernel::AUDIT_ARCH_X86_64, c.args);
                run(&prog, &d, Endian::Little) == Ok(0)
            })
            .count();
        pairs += check(&prog, &calls, &mut failures);
    }
    eprintln!(
        "kernel vs interpreter: {programs} programs ({rejected} generated ones refused by \
         verify), {pairs} pairs ({kills} KILL_THREAD), {sites} distinct (program, return) \
         outcomes, {:.1?}",
        t0.elapsed()
    );
    // Not vacuous: inputs reach several return sites per program on average.
    assert!(sites >= 2 * programs, "only {sites} distinct outcomes");
    assert!(
        failures.is_empty(),
        "{} of {programs} programs disagree:\n{}",
        failures.len(),
        failures[..failures.len().min(3)].join("\n\n")
    );
    assert!(pairs >= 10_000, "only {pairs} pairs compared");
}

/// The corner cases, one program each: division by X = 0, shifts by X ≥ 32, NEG, both
/// argument halves, `len`, and x32 / negative syscall numbers.
#[test]
fn kernel_agrees_with_interpreter_on_corner_cases() {
    if !kernel::kernel_or_skip("kernel_agrees_with_interpreter_on_corner_cases") {
        return;
    }
    if !cfg!(target_arch = "x86_64") {
        eprintln!("kernel_agrees_with_interpreter_on_corner_cases: skipping: not x86_64");
        return;
    }
    let ld = |k| Insn::stmt(BPF_LD | BPF_W | BPF_ABS, k);
    let ret = |id: u32| Insn::stmt(BPF_RET | BPF_K, 0x0005_0000 | id);
    // `ret a` is excluded, so the result is observed through a jset tree on its low 2 bits.
    let tail = |v: &mut Vec<Insn>| {
        v.extend([
            Insn::jump(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 3),
            Insn::jump(BPF_JMP | BPF_JSET | BPF_K, 2, 0, 1),
            ret(1),
            ret(2),
            Insn::jump(BPF_JMP | BPF_JSET | BPF_K, 2, 0, 1),
            ret(3),
            ret(4),
        ]);
    };
    let mut progs = Vec::new();
    for op in [BPF_DIV, BPF_LSH, BPF_RSH, BPF_SUB, BPF_MUL] {
        // X = arg1.lo (seccomp has no LDX|ABS: via A), A = arg0.lo, A op= X
        let mut p = Vec::new();
        p.extend([
            ld(24),
            Insn::stmt(BPF_MISC | BPF_TAX, 0),
            ld(16),
            Insn::stmt(BPF_ALU | op | BPF_X, 0),
        ]);
        tail(&mut p);
        progs.push(p);
    }
    let mut p = vec![ld(20), Insn::stmt(BPF_ALU | BPF_NEG, 0)];
    tail(&mut p);
    progs.push(p);
    let mut p = vec![
        Insn::stmt(BPF_LD | BPF_W | BPF_LEN, 0),
        Insn::stmt(BPF_ALU | BPF_RSH | BPF_K, 5),
    ];
    tail(&mut p);
    progs.push(p);
    let mut p = vec![ld(0), Insn::stmt(BPF_ALU | BPF_RSH | BPF_K, 29)];
    tail(&mut p);
    progs.push(p);

    let mut calls = Vec::new();
    for a0 in [
        0u64,
        1,
        7,
        0xffff_ffff,
        0x1_0000_0005,
        0x8000_0000_0000_0003,
    ] {
        for a1 in [0u64, 1, 3, 31, 32, 33, 63, 0xffff_ffff, 0x2_0000_0000] {
            for nr in [39u32, 0x4000_0027, 0xffff_ffff, 0xc000_0001] {
                calls.push(kernel::Call {
                    nr,
                    args: [a0, a1, 0, 0, 0, 0],
                });
            }
        }
    }
    let mut failures = Vec::new();
    for p in &progs {
        verify(p).unwrap_or_else(|e| panic!("{e:?}\n{}", plain(p)));
        check(p, &calls, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
