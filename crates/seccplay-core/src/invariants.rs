//! The invariants of ARCHITECTURE.md and docs/RELIABILITY.md as checks: each function takes
//! an input from anyone (profile text, program, expression) and says whether the pipeline kept
//! its promises on it — no panic (the caller's harness catches those), errors located inside
//! the input, compiled programs the kernel accepts that decide like the reference evaluator,
//! interpreter runs bounded by the program length, cache claims the interpreter confirms,
//! disassembly that assembles back to the same program, the same bytes twice.
//!
//! The fuzz targets (fuzz/) and the property tests (tests/invariants.rs) share these, so
//! that both check the same thing.

use crate::analysis::{analyze, data_of, Analysis};
use crate::arch::{Arch, Endian};
use crate::bpf::insn::*;
use crate::bpf::{asm, cache, disasm, interp, verify, Insn, SeccompData};
use crate::codegen;
use crate::context::Context;
use crate::diag::Diagnostic;
use crate::eval::{self, Query};
use crate::expr;
use std::collections::BTreeSet;
use std::fmt;

/// Syscall names random profiles draw from (property tests and fuzz targets): common ones,
/// argument-checked ones, multiplexed socket/IPC calls, ABI-specific and unknown names.
pub const SAMPLE_NAMES: &[&str] = &[
    "read",
    "write",
    "open",
    "openat",
    "close",
    "ioctl",
    "fcntl",
    "mmap",
    "mmap2",
    "personality",
    "clone",
    "clone3",
    "prctl",
    "kill",
    "ptrace",
    "execve",
    "futex",
    "unshare",
    "socket",
    "connect",
    "accept4",
    "sendto",
    "socketcall",
    "semop",
    "shmat",
    "ipc",
    "chown32",
    "set_tls",
    "uretprobe",
    "mseal",
    "no_such_syscall",
];

/// Architectures random profiles draw from: both byte orders, x32, multiplexing ABIs.
pub const SAMPLE_ARCHES: &[&str] = &[
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86",
    "SCMP_ARCH_X32",
    "SCMP_ARCH_AARCH64",
    "SCMP_ARCH_ARM",
    "SCMP_ARCH_S390X",
    "SCMP_ARCH_S390",
    "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_MIPSEL64",
];

/// Argument values random profiles draw from: the edges of 32 and 64 bits.
pub const SAMPLE_VALUES: &[u64] = &[
    0,
    1,
    2,
    38,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x1_0000_0001,
    u64::MAX - 1,
    u64::MAX,
];

/// A broken invariant: which one (1–6, as numbered in docs/RELIABILITY.md) and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's number.
    pub invariant: u8,
    /// What was observed.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invariant {} broken: {}", self.invariant, self.detail)
    }
}

impl std::error::Error for Violation {}

fn broken<T>(invariant: u8, detail: impl Into<String>) -> Result<T, Violation> {
    Err(Violation {
        invariant,
        detail: detail.into(),
    })
}

/// A tiny deterministic generator (splitmix64) for deriving inputs from a seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EC0_C0DE_D00D_F00D)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `pct`/100.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The constants a program compares against (`jeq/jgt/jge/jset #k`), each with its
/// neighbours: the values where a filter's decisions change, as gVisor's secfuzz derives them.
pub fn interesting_words(prog: &[Insn]) -> Vec<u32> {
    let mut set: BTreeSet<u32> = [0, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX].into();
    for i in prog {
        if verify::is_cond_jump_code(i.code) && src(i.code) == BPF_K {
            let k = i.k;
            set.extend([k, k.wrapping_sub(1), k.wrapping_add(1)]);
            if op(i.code) == BPF_JSET {
                set.insert(!k);
            }
        }
    }
    set.into_iter().collect()
}

/// `count` queries derived from a compiled program and a seed: syscall numbers and argument
/// words taken from the program's constants (and their neighbours), on the ABIs of `arches`
/// and on one ABI outside them.
pub fn derive_queries(prog: &[Insn], arches: &[Arch], seed: u64, count: usize) -> Vec<Query> {
    let words = interesting_words(prog);
    let mut audits: Vec<u32> = arches.iter().map(|a| a.audit_arch()).collect();
    audits.push(Arch::Parisc.audit_arch());
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let mut args = [0u64; 6];
            for a in &mut args {
                let hi = match rng.next_u64() % 4 {
                    0 => *rng.pick(&words),
                    1 => u32::MAX,
                    _ => 0,
                };
                let lo = if rng.next_u64() % 8 == 0 {
                    rng.next_u64() as u32
                } else {
                    *rng.pick(&words)
                };
                *a = (u64::from(hi) << 32) | u64::from(lo);
            }
            Query {
                audit_arch: *rng.pick(&audits),
                nr: *rng.pick(&words),
                args,
                instruction_pointer: rng.next_u64(),
            }
        })
        .collect()
}

/// Invariant 1: every error diagnostic has a message, and every location lies inside `text`
/// with line and column that match the byte offset.
pub fn diagnostics_are_located(text: &str, diags: &[Diagnostic]) -> Result<(), Violation> {
    let index = crate::json::LineIndex::new(text);
    for d in diags {
        if d.message.trim().is_empty() {
            return broken(1, format!("diagnostic {} has an empty message", d.code));
        }
        let Some(loc) = &d.location else { continue };
        if loc.start > loc.end || loc.end > text.len().max(loc.start + 1) || loc.start > text.len()
        {
            return broken(
                1,
                format!(
                    "{}: location {}..{} outside the {}-byte input",
                    d.code,
                    loc.start,
                    loc.end,
                    text.len()
                ),
            );
        }
        let (line, column) = index.line_col(loc.start);
        if (line, column) != (loc.line, loc.column) {
            return broken(
                1,
                format!(
                    "{}: location says {}:{} but offset {} is {line}:{column}",
                    d.code, loc.line, loc.column, loc.start
                ),
            );
        }
    }
    Ok(())
}

/// Invariant 1 for the front-ends: `text` read as each of `formats` (`None`: detected) gives
/// at least one policy or a failure with an error, every diagnostic located inside `text`;
/// what is read converts to Docker JSON and SeccompProfile YAML that read back.
pub fn check_frontend(
    text: &str,
    formats: &[Option<crate::frontend::Format>],
) -> Result<(), Violation> {
    use crate::frontend::{self, Format};
    let ctx = Context::docker(Arch::X86_64);
    for &format in formats {
        let input = match frontend::read(text, format) {
            Err(f) => {
                if f.first_error().is_none() {
                    return broken(1, "a front-end failure without an error");
                }
                diagnostics_are_located(text, &f.diagnostics)?;
                continue;
            }
            Ok(input) => input,
        };
        if input.policies.is_empty() {
            return broken(1, "a front-end read no policy and no error");
        }
        diagnostics_are_located(text, &input.diagnostics)?;
        for to in [Format::Docker, Format::Spo] {
            let (out, _) = match frontend::convert(text, format, to, &ctx) {
                Ok(c) => c,
                Err(f) => return broken(1, format!("read once but does not convert: {f:?}")),
            };
            for c in out {
                if let Err(f) = frontend::read(&c.text, Some(to)) {
                    return broken(
                        1,
                        format!("{} written does not read back: {f:?}", to.name()),
                    );
                }
            }
        }
    }
    Ok(())
}

/// Invariants 1, 2 and 6 for one profile text in one context: the analysis ends in a program,
/// no filter, or located errors; a program passes the verifier, decides like the reference
/// evaluator on `queries` derived queries (seeded by `seed`), and compiling again gives the
/// same bytes. Returns the analysis for further checks.
pub fn check_profile(
    text: &str,
    ctx: &Context,
    seed: u64,
    queries: usize,
) -> Result<Analysis, Violation> {
    let a = analyze(text, ctx);
    diagnostics_are_located(text, &a.diagnostics)?;
    if a.failed() {
        if a.program.is_some() {
            return broken(1, "an analysis with errors produced a program");
        }
        return Ok(a);
    }
    if a.database.is_none() && a.unconfined.is_none() {
        return broken(
            1,
            "no error, no filter and no reason for running unconfined",
        );
    }
    if let (Some(db), None) = (&a.database, &a.program) {
        return broken(
            2,
            format!("a database of {} ABIs compiled to nothing", db.dbs.len()),
        );
    }
    check_compiled(&a, seed, queries)?;
    Ok(a)
}

/// Invariants 2 and 6 on an analysis that has a program (no-op otherwise).
pub fn check_compiled(a: &Analysis, seed: u64, queries: usize) -> Result<(), Violation> {
    let (Some(db), Some(p)) = (&a.database, &a.program) else {
        return Ok(());
    };
    if let Err(e) = verify::verify(&p.insns) {
        return broken(2, format!("the compiled program fails the verifier: {e}"));
    }
    let arches: Vec<Arch> = db.dbs.iter().map(|d| d.arch).collect();
    for q in derive_queries(&p.insns, &arches, seed, queries) {
        let want = eval::decide(db, &q).ret;
        match interp::run(&p.insns, &data_of(&q), p.arch.endian()) {
            Ok(got) if got == want => {}
            Ok(got) => {
                return broken(
                    2,
                    format!("program returns {got:#x}, reference {want:#x} for {q:x?}"),
                )
            }
            Err(e) => return broken(2, format!("program did not run on {q:x?}: {e}")),
        }
    }
    match codegen::compile(db) {
        Ok(again) if again == *p => Ok(()),
        Ok(again) => broken(
            6,
            format!(
                "compiling the same database twice gave {} then {} instructions (digests {:#x}, {:#x})",
                p.insns.len(),
                again.insns.len(),
                codegen::digest(p),
                codegen::digest(&again)
            ),
        ),
        Err(e) => broken(6, format!("the second compilation failed: {e}")),
    }
}

/// `count` `seccomp_data` inputs for a raw program: numbers and argument words from its
/// constants, on `x86_64`, `i386` and whatever arch word the constants suggest.
pub fn derive_data(prog: &[Insn], seed: u64, count: usize) -> Vec<SeccompData> {
    let words = interesting_words(prog);
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let mut args = [0u64; 6];
            for a in &mut args {
                *a = (u64::from(*rng.pick(&words)) << 32) | u64::from(*rng.pick(&words));
            }
            let arch = match rng.next_u64() % 3 {
                0 => Arch::X86_64.audit_arch(),
                1 => Arch::X86.audit_arch(),
                _ => *rng.pick(&words),
            };
            let mut d = SeccompData::new(*rng.pick(&words), arch, args);
            d.instruction_pointer = rng.next_u64();
            d
        })
        .collect()
}

/// Invariants 3 and 4 for any program: the verifier decides; for an accepted program the
/// interpreter ends within the program's length on every input of `data`, its trace agrees,
/// the cost bound holds, and what the cache analysis calls constant-allow is ALLOW for every
/// input; the plain disassembly assembles back to the same instructions.
pub fn check_program(prog: &[Insn], data: &[SeccompData], endian: Endian) -> Result<(), Violation> {
    let verdict = verify::verify(prog);
    // The human disassembly must not panic on anything.
    let _ = disasm::human_text(prog, Some(Arch::X86_64), disasm::HumanOptions { raw: true });
    let text = disasm::plain(prog);
    match asm::assemble(&text) {
        Ok(back) if back == prog => {}
        Ok(back) => {
            let at = back.iter().zip(prog).position(|(a, b)| a != b);
            return broken(
                4,
                format!(
                    "disassembly of {} instructions assembled to {} (first difference at {at:?})",
                    prog.len(),
                    back.len()
                ),
            );
        }
        Err(e) => return broken(4, format!("the disassembly does not assemble: {e}\n{text}")),
    }
    if verdict.is_err() {
        return Ok(());
    }
    for d in data {
        let (ret, steps) = match interp::run_counted(prog, d, endian) {
            Ok(r) => r,
            Err(e) => return broken(3, format!("an accepted program did not run: {e}")),
        };
        if steps == 0 || steps > prog.len() {
            return broken(
                3,
                format!("{steps} steps on a {}-instruction program", prog.len()),
            );
        }
        match interp::trace(prog, d, endian) {
            Ok(t) if t.ret == ret && t.steps.len() == steps => {}
            Ok(t) => {
                return broken(
                    3,
                    format!(
                        "trace says {:#x} in {} steps, run says {ret:#x} in {steps}",
                        t.ret,
                        t.steps.len()
                    ),
                )
            }
            Err(e) => return broken(3, format!("trace failed where run succeeded: {e}")),
        }
        match cache::worst_case_steps(prog, d.arch, d.nr) {
            Ok(w) if w.steps >= steps => {}
            Ok(w) => {
                return broken(
                    3,
                    format!("cost bound {} below the {steps} steps executed", w.steps),
                )
            }
            Err(e) => {
                return broken(
                    3,
                    format!("cost analysis failed on an accepted program: {e}"),
                )
            }
        }
        if cache::is_const_allow(prog, d.arch, d.nr) && ret != crate::action::RET_ALLOW {
            return broken(
                3,
                format!(
                    "the cache analysis calls (arch {:#x}, nr {}) always-ALLOW, the interpreter returns {ret:#x}",
                    d.arch, d.nr
                ),
            );
        }
    }
    Ok(())
}

/// Invariant 5: a syscall expression parses, or the error points inside the text with the
/// right column and says something.
pub fn check_expr(text: &str, arch: Arch) -> Result<(), Violation> {
    match expr::parse_call(text, arch) {
        Ok(c) => {
            if c.given > 6 {
                return broken(5, format!("{} arguments accepted", c.given));
            }
            Ok(())
        }
        Err(e) => {
            if e.message.trim().is_empty() {
                return broken(5, "an empty error message");
            }
            if e.offset > text.len() || !text.is_char_boundary(e.offset) {
                return broken(
                    5,
                    format!(
                        "error offset {} not a character boundary of the {}-byte input",
                        e.offset,
                        text.len()
                    ),
                );
            }
            let line_start = text[..e.offset].rfind('\n').map_or(0, |p| p + 1);
            let column = text[line_start..e.offset].chars().count() + 1;
            if column != e.column {
                return broken(
                    5,
                    format!(
                        "error at offset {} says column {}, it is {column}",
                        e.offset, e.column
                    ),
                );
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docker_preset_keeps_every_invariant() {
        let crate::presets::PresetKind::Profile(text) = crate::presets::get("docker").unwrap().kind
        else {
            unreachable!()
        };
        let a = check_profile(text, &Context::docker(Arch::X86_64), 7, 200).unwrap();
        let p = a.program.unwrap();
        check_program(&p.insns, &derive_data(&p.insns, 7, 50), p.arch.endian()).unwrap();
    }

    #[test]
    fn violations_are_reported() {
        // A located error whose line is wrong is caught.
        let mut d = Diagnostic::error("x", "m");
        d.location = Some(crate::diag::Location {
            path: String::new(),
            line: 2,
            column: 1,
            start: 0,
            end: 1,
        });
        assert_eq!(
            diagnostics_are_located("{}", &[d]).unwrap_err().invariant,
            1
        );
        // A cost bound, a cache claim: a program that allows nr 0 and kills the rest.
        let p = asm::assemble("ld [0]\njeq #0, +0, +1\nret #0x7fff0000\nret #0").unwrap();
        check_program(&p, &derive_data(&p, 1, 20), Endian::Little).unwrap();
        assert!(check_expr("read(", Arch::X86_64).is_ok());
        assert!(check_expr("", Arch::X86_64).is_ok());
    }
}
