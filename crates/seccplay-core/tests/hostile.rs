//! Hostile and broken inputs: a committed corpus (tests/hostile/) with the expected messages
//! next to each input (`name.ext` + `name.ext.expected`), and the inputs too big to commit
//! (tests/support/huge.rs) generated here. Each gets a clear answer; none panics.
//!
//! Profiles (`.json`) go through the whole pipeline in Docker's amd64 context; programs
//! (`.asm`, `.hex`) through the importer and the kernel's verifier; stacks (`.stack`: dump's
//! output, `---` separators) through `format::import_stack` and the verifier. The test fails on any
//! difference from a snapshot and on a missing one; `UPDATE_SNAPSHOTS=1` rewrites them.
//! Time and memory of the big inputs are measured by `examples/hostile_bounds.rs`
//! (docs/RELIABILITY.md), not asserted here.

#[path = "support/huge.rs"]
mod huge;

use seccplay_core::analysis::{self, analyze};
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::verify::{self, Rule};
use seccplay_core::bpf::{asm, format, insn, Insn};
use seccplay_core::context::Context;
use seccplay_core::profile;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

/// What the pipeline says about profile bytes, one diagnostic per line, then the outcome.
fn profile_report(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            let f = profile::parse_bytes(bytes).expect_err("invalid UTF-8 is refused");
            return format!("{f}\nrefused\n");
        }
    };
    let a = analyze(text, &Context::docker(Arch::X86_64));
    let mut s = String::new();
    for d in &a.diagnostics {
        let _ = writeln!(s, "{d}");
    }
    if a.failed() {
        s.push_str("refused\n");
    } else if let Some(p) = &a.program {
        let _ = writeln!(s, "accepted: {} instructions", p.insns.len());
    } else {
        let _ = writeln!(
            s,
            "accepted, no filter: {}",
            a.unconfined.as_deref().unwrap_or("?")
        );
    }
    s
}

/// What the importer and the verifier say about a program file.
fn program_report(path: &Path, bytes: &[u8]) -> String {
    let prog = match path.extension().and_then(|e| e.to_str()) {
        Some("asm") => {
            asm::assemble(&String::from_utf8_lossy(bytes)).map_err(|e| format!("assembler: {e}"))
        }
        // A stack in one text (dump's output, `---` separators): each filter's format, then
        // each filter's verifier report.
        Some("stack") => {
            return match format::import_stack(bytes, Arch::X86_64) {
                Err(e) => format!("import_stack: {e}\n"),
                Ok(sections) => sections
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        format!(
                            "filter {i} ({:?}, line {}): {}",
                            s.format,
                            s.line,
                            verify_report(&s.insns)
                        )
                    })
                    .collect(),
            }
        }
        _ => format::import(bytes, format::Format::Hex, Endian::Little)
            .map_err(|e| format!("import: {e}")),
    };
    match prog {
        Err(e) => format!("{e}\n"),
        Ok(p) => verify_report(&p),
    }
}

fn verify_report(p: &[Insn]) -> String {
    match verify::verify(p) {
        Ok(()) => format!("accepted: {} instructions\n", p.len()),
        Err(e) => format!("verifier: {e}\n"),
    }
}

fn update() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Compares `got` with the snapshot at `path` (or rewrites it under UPDATE_SNAPSHOTS=1);
/// returns a complaint on a difference.
fn snapshot(path: &Path, got: &str) -> Option<String> {
    if update() {
        std::fs::write(path, got).expect("write snapshot");
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(want) if want == got => None,
        Ok(want) => Some(format!(
            "{}: differs\n--- expected\n{want}--- got\n{got}",
            path.display()
        )),
        Err(_) => Some(format!(
            "{}: missing snapshot (run with UPDATE_SNAPSHOTS=1 to create it); got:\n{got}",
            path.display()
        )),
    }
}

#[test]
fn the_committed_corpus_gives_the_expected_messages() {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/hostile")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expected"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 40, "only {} inputs", inputs.len());
    let mut failures = Vec::new();
    for p in &inputs {
        let bytes = std::fs::read(p).unwrap();
        let got = match p.extension().and_then(|e| e.to_str()) {
            Some("json") => profile_report(&bytes),
            _ => program_report(p, &bytes),
        };
        assert!(!got.contains("panicked"), "{}: {got}", p.display());
        let mut exp = p.clone().into_os_string();
        exp.push(".expected");
        failures.extend(snapshot(Path::new(&exp), &got));
    }
    // Every snapshot has its input.
    for e in std::fs::read_dir(corpus_dir()).unwrap() {
        let e = e.unwrap().path();
        let generated = e
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("generated-"));
        if e.extension().is_some_and(|x| x == "expected") && !generated {
            let input = e.with_extension("");
            if !input.exists() {
                failures.push(format!("{}: snapshot without input", e.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every opcode the kernel refuses, with the check that refuses it: one line per 8-bit code
/// (codes above 0xff are unknown to every check), in a snapshot.
#[test]
fn every_refused_opcode_is_named() {
    let mut s = String::new();
    let mut refused = 0;
    for code in 0u16..=0xff {
        // k = 0 after `st M[0]`: no operand check but div/mod #0 can refuse it.
        let p = [
            Insn::stmt(BPF_ST, 0),
            Insn::new(code, 0, 0, 0),
            Insn::stmt(BPF_RET | BPF_K, 0),
        ];
        match verify::verify(&p) {
            Ok(()) => assert!(verify::seccomp_opcode_allowed(code), "{code:#04x} accepted"),
            Err(e) => {
                assert_eq!(e.pc, Some(1), "{code:#04x}: {e}");
                let expected = if !verify::classic_opcode_allowed(code) {
                    Rule::UnknownOpcode
                } else if code == BPF_ALU | BPF_DIV | BPF_K || code == BPF_ALU | BPF_MOD | BPF_K {
                    Rule::DivByZero
                } else {
                    Rule::NotSeccompOpcode
                };
                assert_eq!(e.rule, expected, "{code:#04x}: {e}");
                refused += 1;
                let _ = writeln!(s, "{code:#04x} {}", e.rule.name());
            }
        }
    }
    for code in [0x100u16, 0x1234, 0xffff] {
        let e = verify::verify(&[Insn::new(code, 0, 0, 0), Insn::stmt(BPF_RET | BPF_K, 0)])
            .unwrap_err();
        assert_eq!(e.rule, Rule::UnknownOpcode, "{code:#x}");
    }
    let _ = writeln!(s, "{refused} of 256 refused");
    let p = corpus_dir().join("generated-refused-opcodes.expected");
    if let Some(f) = snapshot(&p, &s) {
        panic!("{f}");
    }
}

fn first_error(text: &str) -> (String, String) {
    let a = analyze(text, &Context::docker(Arch::X86_64));
    let e = a.first_error().map(|d| (d.code.to_string(), d.to_string()));
    e.unwrap_or_else(|| {
        (
            String::new(),
            format!(
                "accepted: {:?} instructions",
                a.program.as_ref().map(|p| p.insns.len())
            ),
        )
    })
}

#[test]
fn nesting_10000_deep_is_a_located_error() {
    for text in [huge::nested_arrays_10k(), huge::nested_objects_10k()] {
        let (code, msg) = first_error(&text);
        assert_eq!(code, "json-syntax", "{msg}");
        assert!(msg.contains("nesting deeper than 128"), "{msg}");
        assert!(msg.starts_with("1:"), "{msg}");
    }
}

#[test]
fn a_program_of_4097_instructions_is_refused() {
    let p = huge::program_4097();
    let e = verify::verify(&p).unwrap_err();
    assert_eq!(e.rule, Rule::Length);
    assert!(e.to_string().contains("1 to 4096"), "{e}");
    // The same as raw bytes through the importer.
    let raw = insn::encode(&p, Endian::Little);
    let back = format::import(&raw, format::Format::Raw, Endian::Little).unwrap();
    assert_eq!(verify::verify(&back).unwrap_err().rule, Rule::Length);
}

#[test]
fn a_hundred_thousand_rules_compile_or_say_why_not() {
    // Distinct conditions over many syscalls: a valid profile too large for the kernel.
    let text = huge::rules_100k_conditional();
    assert!(text.len() < analysis::MAX_PROFILE_BYTES);
    let (code, msg) = first_error(&text);
    assert_eq!(code, "program-too-large", "{msg}");
    assert!(msg.contains("the kernel accepts at most 4096"), "{msg}");
    // 5,000 distinct conditions on one syscall: refused before libseccomp's quadratic
    // database build, at the first rule over the limit.
    let (code, msg) = first_error(&huge::conditional_rules(5000));
    assert_eq!(code, "too-many-rules", "{msg}");
    assert!(msg.contains("personality has more than 4096"), "{msg}");
    assert!(msg.starts_with("1:"), "{msg}");
    // The same names or the same rule again and again: they merge, the program is small.
    for text in [
        huge::rules_100k_unconditional(),
        huge::rules_100k_identical(),
    ] {
        let a = analyze(&text, &Context::docker(Arch::X86_64));
        assert!(!a.failed(), "{:?}", a.first_error());
        assert!(a.program.unwrap().insns.len() < 100);
    }
}

#[test]
fn a_20_mb_profile_is_refused_and_4_mib_is_analysed() {
    let text = huge::profile_20mb();
    assert!(text.len() >= 20 << 20);
    let (code, msg) = first_error(&text);
    assert_eq!(code, "profile-too-large", "{msg}");
    assert!(msg.contains("the profile is 20.0 MiB"), "{msg}");
    // Just under the limit: read, resolved and compiled.
    let text = huge::profile_of_size(analysis::MAX_PROFILE_BYTES);
    assert!(text.len() <= analysis::MAX_PROFILE_BYTES);
    assert!(text.len() > analysis::MAX_PROFILE_BYTES - 10_000);
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    assert!(!a.failed(), "{:?}", a.first_error());
    let p = a.program.expect("compiles");
    verify::verify(&p.insns).unwrap();
}

/// A profile of 200,000 unknown syscall names: one warning each, and "did you mean" only for
/// the first hundred (each suggestion compares with all 508 known names; unbounded, this took
/// minutes for a 4 MiB profile).
#[test]
fn many_unknown_names_warn_without_a_suggestion_each() {
    // 676 names two edits from "read" ("readaa" …), then names far from every syscall.
    let close = ('a'..='z').flat_map(|x| ('a'..='z').map(move |y| format!("read{x}{y}")));
    let far = (0..200_000 - 676).map(|i| format!("zz{i}qq"));
    let names: Vec<String> = close.chain(far).map(|n| format!("\"{n}\"")).collect();
    let text = format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":["read",{}],"action":"SCMP_ACT_ALLOW"}}]}}"#,
        names.join(",")
    );
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    assert!(!a.failed(), "{:?}", a.first_error());
    let unknown: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-syscall")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(unknown.len(), 200_000);
    let suggested = unknown
        .iter()
        .filter(|m| m.contains("did you mean"))
        .count();
    assert_eq!(suggested, 100);
    assert!(
        unknown[0].contains(r#"did you mean "read"?"#),
        "{}",
        unknown[0]
    );
}

/// Stacks at the kernel's bound: 6600 filters of one instruction (past MAX_INSNS_PER_PATH,
/// counting 4 per filter) are refused at the filter that crosses it; a 4096-instruction
/// disassembly (dump's form) and a 1 MB line are read or refused with a location.
#[test]
fn stacks_past_the_kernels_bound_and_huge_disassemblies() {
    let e = format::import_stack(huge::stack_6600().as_bytes(), Arch::X86_64).unwrap_err();
    assert_eq!(e.filter, 6553, "{e}");
    assert!(e.to_string().contains("MAX_INSNS_PER_PATH"), "{e}");
    let (prog, t) = huge::disasm_4096();
    let s = format::import_stack(t.as_bytes(), Arch::X86_64).unwrap();
    assert_eq!(s[0].insns, prog);
    let long = format!(" 0000: return {}\n", "A".repeat(1 << 20));
    let e = format::import_stack(long.as_bytes(), Arch::X86_64).unwrap_err();
    assert_eq!((e.error.line, e.error.col), (Some(1), Some(8)), "{e}");
    assert!(
        e.to_string().len() < 2000,
        "the message does not echo the megabyte"
    );
}

/// The stack seeds of the `program_bytes` fuzz target (first byte with bits 1 and 2 set) hold
/// the target's checks here too, without cargo-fuzz: an error names a line of the text; every
/// filter read passes `check_program` and its disassembly reads back.
#[test]
fn the_fuzz_seeds_of_stacks_hold_the_targets_checks() {
    use seccplay_core::bpf::disasm::human_text;
    use seccplay_core::invariants::{check_program, derive_data};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/program_bytes");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).expect("fuzz/corpus/program_bytes") {
        let p = e.unwrap().path();
        let data = std::fs::read(&p).unwrap();
        let Some((&sel, rest)) = data.split_first() else {
            continue;
        };
        if sel & 6 != 6 {
            continue;
        }
        seen += 1;
        let arch = if sel & 1 == 0 {
            Arch::X86_64
        } else {
            Arch::S390x
        };
        match format::import_stack(rest, arch) {
            Ok(sections) => {
                for s in sections {
                    let inputs = derive_data(&s.insns, u64::from(sel), 4);
                    check_program(&s.insns, &inputs, arch.endian())
                        .unwrap_or_else(|v| panic!("{}: {v}", p.display()));
                    let t = human_text(&s.insns, Some(arch), Default::default());
                    let back = format::parse_human(&t, arch).unwrap();
                    assert_eq!(human_text(&back, Some(arch), Default::default()), t);
                }
            }
            Err(e) => {
                let lines = rest.split(|b| *b == b'\n').count().max(1);
                assert!(
                    e.error.line.is_some_and(|l| l >= 1 && l <= lines),
                    "{}: {e}",
                    p.display()
                );
            }
        }
    }
    assert!(seen >= 8, "{seen} stack seeds");
}
