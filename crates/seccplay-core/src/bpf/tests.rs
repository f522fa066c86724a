//! Tests across the BPF modules: libseccomp's Example A (spec §2.7), verifier rules, interpreter
//! semantics, traces, cache analysis, disassembly round trips, formats, and property tests.

use super::asm::assemble;
use super::cache::{is_const_allow, kernel_cache_allows, worst_case_steps};
use super::data::SeccompData;
use super::disasm::{human, human_text, plain, HumanOptions};
use super::format::*;
use super::insn::*;
use super::interp::{run, run_counted, run_stack, trace, RunErrorKind, DIV_BY_ZERO_NOTE};
use super::verify::{check_stack, verify, Errno, Rule};
use crate::action::{Action, RET_ALLOW, RET_ERRNO, RET_KILL_THREAD};
use crate::arch::{Arch, Endian};
use proptest::prelude::*;

const X86_64: u32 = 0xc000_003e;
const I386: u32 = 0x4000_0003;

/// Example A of spec §2.7 exactly as listed (libseccomp 2.5.4, x86_64, default ERRNO(1),
/// allow read & write): `code jt jf k` per line.
const EXAMPLE_A_LISTING: &str = "
0000: 0x20 0x00 0x00 0x00000004   ld  $data[4]
0001: 0x15 0x00 0x07 0xc000003e   jeq 3221225534 true:0002 false:0009
0002: 0x20 0x00 0x00 0x00000000   ld  $data[0]
0003: 0x35 0x00 0x01 0x40000000   jge 1073741824 true:0004 false:0005
0004: 0x15 0x00 0x04 0xffffffff   jeq 4294967295 true:0005 false:0009
0005: 0x15 0x02 0x00 0x00000000   jeq 0    true:0008 false:0006
0006: 0x15 0x01 0x00 0x00000001   jeq 1    true:0008 false:0007
0007: 0x06 0x00 0x00 0x00050001   ret ERRNO(1)
0008: 0x06 0x00 0x00 0x7fff0000   ret ALLOW
0009: 0x06 0x00 0x00 0x00000000   ret KILL
";

/// Parses the listing's raw columns into little-endian bytes (as `seccomp_export_bpf` writes
/// them on x86_64), so the test goes through the byte decoder.
fn example_a_bytes() -> Vec<u8> {
    let mut out = Vec::new();
    for line in EXAMPLE_A_LISTING.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<u32> = line
            .split_whitespace()
            .skip(1)
            .take(4)
            .map(|t| u32::from_str_radix(t.trim_start_matches("0x"), 16).unwrap())
            .collect();
        out.extend_from_slice(&(f[0] as u16).to_le_bytes());
        out.push(f[1] as u8);
        out.push(f[2] as u8);
        out.extend_from_slice(&f[3].to_le_bytes());
    }
    out
}

fn example_a() -> Vec<Insn> {
    decode(&example_a_bytes(), Endian::Little).unwrap()
}

fn sd(nr: u32, arch: u32) -> SeccompData {
    SeccompData::new(nr, arch, [0; 6])
}

#[test]
fn example_a_decodes_verifies_and_runs_as_listed() {
    let p = example_a();
    assert_eq!(p.len(), 10);
    assert_eq!(p[1], Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 0, 7));
    verify(&p).unwrap();
    let le = Endian::Little;
    // read (0) and write (1) are allowed (0005/0006 -> 0008).
    assert_eq!(run(&p, &sd(0, X86_64), le), Ok(RET_ALLOW));
    assert_eq!(run(&p, &sd(1, X86_64), le), Ok(RET_ALLOW));
    // Anything else below 0x40000000 -> 0007 ERRNO(1).
    assert_eq!(run(&p, &sd(2, X86_64), le), Ok(RET_ERRNO | 1));
    // nr >= 0x40000000 other than -1 -> 0004 false -> 0009 KILL (bad arch).
    assert_eq!(run(&p, &sd(0x4000_0000, X86_64), le), Ok(RET_KILL_THREAD));
    // nr -1 -> 0004 true -> 0005 -> 0006 -> 0007 ERRNO(1).
    assert_eq!(run(&p, &sd(0xffff_ffff, X86_64), le), Ok(RET_ERRNO | 1));
    // Other arch -> 0009.
    assert_eq!(run(&p, &sd(0, I386), le), Ok(RET_KILL_THREAD));
    assert_eq!(
        Action::from_ret(run(&p, &sd(2, X86_64), le).unwrap()),
        Action::Errno(1)
    );
    // Path lengths from the listing: read 0,1,2,3,5,8; -1: 0..=7.
    assert_eq!(run_counted(&p, &sd(0, X86_64), le).unwrap().1, 6);
    assert_eq!(run_counted(&p, &sd(0xffff_ffff, X86_64), le).unwrap().1, 8);
    let t = trace(&p, &sd(0, X86_64), le).unwrap();
    let pcs: Vec<usize> = t.steps.iter().map(|s| s.pc).collect();
    assert_eq!(pcs, [0, 1, 2, 3, 5, 8]);
    assert_eq!(t.action, Action::Allow);
}

#[test]
fn example_a_cache_and_cost() {
    let p = example_a();
    // Only nr/arch loads, K jumps and ret K: read and write are constant ALLOW.
    assert!(is_const_allow(&p, X86_64, 0));
    assert!(is_const_allow(&p, X86_64, 1));
    assert!(!is_const_allow(&p, X86_64, 2)); // ERRNO
    assert!(!is_const_allow(&p, I386, 0)); // KILL
    assert!(kernel_cache_allows(&p, X86_64, 335, true));
    assert!(!kernel_cache_allows(&p, X86_64, 335, false));
    assert!(!kernel_cache_allows(&p, I386, 335, true));
    // No argument loads, so the bound is the exact path length.
    assert_eq!(worst_case_steps(&p, X86_64, 0).unwrap().steps, 6);
    assert_eq!(worst_case_steps(&p, X86_64, 2).unwrap().steps, 7);
    assert_eq!(worst_case_steps(&p, X86_64, 0xffff_ffff).unwrap().steps, 8);
    assert_eq!(worst_case_steps(&p, I386, 0).unwrap().steps, 3);
}

#[test]
fn example_a_human_disassembly() {
    let lines = human(&example_a(), Some(Arch::X86_64));
    assert_eq!(lines[0].text, "A = arch");
    assert_eq!(lines[1].text, "if (A != ARCH_X86_64) goto 0009");
    assert_eq!(lines[2].text, "A = sys_number");
    assert_eq!(lines[3].text, "if (A < 0x40000000) goto 0005");
    assert_eq!(lines[4].text, "if (A != 0xffffffff) goto 0009");
    assert_eq!(lines[7].text, "return ERRNO(1)");
    assert_eq!(lines[7].comment.as_deref(), Some("EPERM"));
    assert_eq!(lines[8].text, "return ALLOW");
    assert_eq!(lines[9].text, "return KILL_THREAD");
    let text = human_text(&example_a(), Some(Arch::X86_64), HumanOptions::default());
    assert!(text.contains(" 0007: return ERRNO(1)  # EPERM\n"), "{text}");
    let raw = human_text(&example_a(), None, HumanOptions { raw: true });
    assert!(
        raw.contains(" 0001: 0x0015 0x00 0x07 0xc000003e  if (A != ARCH_X86_64) goto 0009"),
        "{raw}"
    );
}

#[test]
fn human_form_names_args_and_tracks_a() {
    let p = vec![
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 16),
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 36),
        Insn::stmt(BPF_LD | BPF_IMM, 5),
        Insn::jump(BPF_JMP | BPF_JSET | BPF_K, 4, 1, 0),
        Insn::stmt(BPF_RET | BPF_A, 0),
        Insn::stmt(BPF_RET | BPF_K, 0x7fff_0003),
    ];
    let be = human(&p, Some(Arch::S390x));
    assert_eq!(be[0].text, "A = args[0] (high word)");
    assert_eq!(be[1].text, "A = args[2] (low word)");
    let le = human(&p, Some(Arch::X86_64));
    assert_eq!(le[0].text, "A = args[0] (low word)");
    assert_eq!(le[2].text, "A = 0x5");
    assert_eq!(le[3].text, "if (A & 0x4) goto 0005");
    assert_eq!(le[4].text, "return A");
    assert_eq!(le[5].comment.as_deref(), Some("data 0x3 ignored"));
}

fn prog(src: &str) -> Vec<Insn> {
    assemble(src).unwrap_or_else(|e| panic!("{e}"))
}

fn rejects(p: &[Insn], pc: Option<usize>, rule: Rule) {
    let e = verify(p).unwrap_err();
    assert_eq!((e.pc, e.rule, e.errno), (pc, rule, Errno::Einval), "{e}");
}

#[test]
fn verifier_rules() {
    rejects(&[], None, Rule::Length);
    rejects(&vec![Insn::stmt(BPF_RET, 0); 4097], None, Rule::Length);
    verify(&vec![Insn::stmt(BPF_RET, 0); 4096]).unwrap();
    rejects(
        &[
            Insn::stmt(BPF_RET, 0),
            Insn::stmt(0xff, 0),
            Insn::stmt(BPF_RET, 0),
        ],
        Some(1),
        Rule::UnknownOpcode,
    );
    rejects(&[Insn::stmt(0x106, 0)], Some(0), Rule::UnknownOpcode);
    rejects(&prog("ld #1\ndiv #0\nret a"), Some(1), Rule::DivByZero);
    // mod #0 fails in bpf_check_classic before seccomp's whitelist sees mod.
    rejects(&prog("mod #0\nret a"), Some(0), Rule::DivByZero);
    rejects(&prog("mod #3\nret a"), Some(0), Rule::NotSeccompOpcode);
    rejects(&prog("lsh #32\nret a"), Some(0), Rule::ShiftTooLarge);
    verify(&prog("rsh #31\nlsh x\nret a")).unwrap();
    rejects(&prog("st M[16]\nret a"), Some(0), Rule::MemIndex);
    // ja +1 from pc 0 of a 2-insn program lands on 2 == len.
    rejects(&prog("ja +1\nret #0"), Some(0), Rule::JumpOutOfRange);
    verify(&prog("ja +0\nret #0")).unwrap();
    rejects(
        &prog("ld [0]\njeq #1, +0, +1\nret #0"),
        Some(1),
        Rule::CondJumpOutOfRange,
    );
    rejects(
        &prog("ld [0]\njeq #1, +1, +0\nret #0"),
        Some(1),
        Rule::CondJumpOutOfRange,
    );
    rejects(&prog("ld [0]\nadd #1"), Some(1), Rule::LastNotRet);
    rejects(&prog("ld [4]\nld [6]\nret a"), Some(1), Rule::BadDataOffset);
    rejects(&prog("ld [64]\nret a"), Some(0), Rule::BadDataOffset);
    rejects(&prog("ldh [0]\nret a"), Some(0), Rule::NotSeccompOpcode);
    rejects(
        &prog("ldx #0\nld [x+0]\nret a"),
        Some(1),
        Rule::NotSeccompOpcode,
    );
    rejects(
        &prog("ldxb 4*([0]&0xf)\nret a"),
        Some(0),
        Rule::NotSeccompOpcode,
    );
    // Unknown ancillary offsets fail in bpf_check_classic; known ones only in seccomp.
    rejects(
        &prog("ld [0xfffff001]\nret a"),
        Some(0),
        Rule::UnknownAncillary,
    );
    rejects(
        &prog("ld [0xfffff000]\nret a"),
        Some(0),
        Rule::BadDataOffset,
    );
    // Order: the classic pass runs over the whole program before the seccomp pass.
    rejects(
        &prog("ldh [0]\nja +5\nret a"),
        Some(1),
        Rule::JumpOutOfRange,
    );
    rejects(&prog("ldh [0]\nld M[0]\nret a"), Some(1), Rule::UninitMem);
    verify(&prog("ld #len\nldx #len\nneg\nxor x\ntax\ntxa\nret a")).unwrap();
}

#[test]
fn verifier_memvalid_analysis_is_the_kernels() {
    rejects(&prog("ld M[0]\nret a"), Some(0), Rule::UninitMem);
    verify(&prog("st M[3]\nldx M[3]\nret a")).unwrap();
    // Stored on one path only, read after the join.
    let p = prog("ld [0]\njeq #1, L1, L2\nL1: st M[0]\nL2: ld M[0]\nret a");
    rejects(&p, Some(3), Rule::UninitMem);
    // Stored before the branch: fine on both paths.
    verify(&prog(
        "st M[0]\nld [0]\njeq #1, L1, L2\nL1: ld M[1]\nL2: ld M[0]\nret a",
    ))
    .map(|_| ())
    .unwrap_err();
    verify(&prog(
        "st M[0]\nld [0]\njeq #1, L1, L2\nL1: ld #1\nL2: ld M[0]\nret a",
    ))
    .unwrap();
    // Code reached only by falling through after a jump starts with all cells valid.
    verify(&prog("ja L1\nld M[5]\nL1: ret #0")).unwrap();
    // ...and after ret nothing is reset: the kernel does not treat ret as a jump.
    rejects(
        &prog("ld [0]\njeq #0, L1, L1\nL1: ret #0\nld M[2]\nret a"),
        Some(3),
        Rule::UninitMem,
    );
}

#[test]
fn stacking_limit() {
    check_stack(4068, &[4096; 7]).unwrap();
    let e = check_stack(4069, &[4096; 7]).unwrap_err();
    assert_eq!(
        (e.rule, e.errno, e.errno.number()),
        (Rule::StackTooLong, Errno::Enomem, 12)
    );
    check_stack(4096, &[]).unwrap();
}

#[test]
fn interpreter_semantics() {
    let le = Endian::Little;
    let d = SeccompData::new(7, X86_64, [0x1_0000_0002, 0, 0, 0, 0, 0]);
    // DIV by X = 0 returns 0 (KILL_THREAD), whatever follows.
    let p = prog("ld #10\nldx #0\ndiv x\nret #0x7fff0000");
    assert_eq!(run(&p, &d, le), Ok(0));
    let t = trace(&p, &d, le).unwrap();
    assert_eq!(t.steps.last().unwrap().note, Some(DIV_BY_ZERO_NOTE));
    assert_eq!((t.ret, t.action), (0, Action::KillThread));
    assert_eq!(run(&prog("ld #10\nldx #3\ndiv x\nret a"), &d, le), Ok(3));
    // RET A, wrapping ALU, NEG.
    assert_eq!(run(&prog("ld #0\nsub #1\nret a"), &d, le), Ok(0xffff_ffff));
    assert_eq!(run(&prog("ld #0x80000000\nmul #2\nret a"), &d, le), Ok(0));
    assert_eq!(run(&prog("ld #1\nneg\nret a"), &d, le), Ok(0xffff_ffff));
    // Shifts by X use X & 31.
    assert_eq!(run(&prog("ld #1\nldx #33\nlsh x\nret a"), &d, le), Ok(2));
    assert_eq!(
        run(&prog("ld #0x80000000\nldx #63\nrsh x\nret a"), &d, le),
        Ok(1)
    );
    // Scratch memory and TAX/TXA.
    assert_eq!(
        run(
            &prog("ld #5\nst M[15]\nld #1\nldx M[15]\ntxa\nadd x\nret a"),
            &d,
            le
        ),
        Ok(10)
    );
    // ld #len is sizeof(seccomp_data).
    assert_eq!(run(&prog("ld #len\nret a"), &d, le), Ok(64));
    assert_eq!(run(&prog("ldx #len\ntxa\nret a"), &d, le), Ok(64));
    // Arg words by byte order.
    let p = prog("ld [16]\nret a");
    assert_eq!(run(&p, &d, Endian::Little), Ok(2));
    assert_eq!(run(&p, &d, Endian::Big), Ok(1));
    let p = prog("ld [20]\nret a");
    assert_eq!(run(&p, &d, Endian::Little), Ok(1));
    assert_eq!(run(&p, &d, Endian::Big), Ok(2));
    // Unsigned comparisons.
    assert_eq!(
        run(
            &prog("ld #0xffffffff\njgt #1, L1, L2\nL1: ret #1\nL2: ret #2"),
            &d,
            le
        ),
        Ok(1)
    );
    assert_eq!(
        run(
            &prog("ld #6\njset #1, L1, L2\nL1: ret #1\nL2: ret #2"),
            &d,
            le
        ),
        Ok(2)
    );
    assert_eq!(
        run(
            &prog("ld #6\nldx #6\njge x, L1, L2\nL1: ret #1\nL2: ret #2"),
            &d,
            le
        ),
        Ok(1)
    );
}

#[test]
fn interpreter_errors_on_unverified_programs() {
    let d = sd(0, X86_64);
    let le = Endian::Little;
    let k = |p: &[Insn]| run(p, &d, le).unwrap_err();
    assert_eq!(k(&[]).kind, RunErrorKind::Empty);
    assert_eq!(k(&prog("ld #1")).kind, RunErrorKind::FellOffEnd);
    assert_eq!(
        k(&prog("ld [6]\nret a")).kind,
        RunErrorKind::BadLoad { offset: 6 }
    );
    assert_eq!(
        k(&prog("ldh [0]\nret a")).kind,
        RunErrorKind::UnsupportedOpcode { code: 0x28 }
    );
    assert_eq!(
        k(&prog("ja +0xffffffff\nret a")).kind,
        RunErrorKind::JumpOutOfRange {
            target: 0x1_0000_0000
        }
    );
    assert_eq!(k(&prog("jeq #0, +9, +9\nret a")).pc, 0);
    assert_eq!(
        k(&prog("st M[16]\nret a")).kind,
        RunErrorKind::BadMemIndex { index: 16 }
    );
    assert_eq!(k(&prog("div #0\nret a")).kind, RunErrorKind::DivByZeroConst);
    assert_eq!(
        k(&prog("lsh #32\nret a")).kind,
        RunErrorKind::ShiftTooLarge { k: 32 }
    );
    assert!(k(&prog("ld [6]\nret a"))
        .to_string()
        .contains("instruction 0000"));
}

#[test]
fn trace_records_reads_writes_and_branches() {
    let p = prog("ld [20]\nst M[2]\nldx M[2]\njeq x, L1, L2\nL1: ret #0x7fff0000\nL2: ret #0");
    let d = SeccompData::new(1, X86_64, [0x0000_0009_0000_0000, 0, 0, 0, 0, 0]);
    let t = trace(&p, &d, Endian::Little).unwrap();
    let r = t.steps[0].read.as_ref().unwrap();
    assert_eq!((r.offset, r.width, r.value), (20, 4, 9));
    assert_eq!(r.field, "args[0] (high word)");
    assert_eq!(t.steps[0].a, 9);
    let w = t.steps[1].mem_write.unwrap();
    assert_eq!((w.index, w.value), (2, 9));
    assert_eq!(t.steps[2].x, 9);
    let b = t.steps[3].branch.unwrap();
    assert_eq!((b.cond, b.target), (Some(true), 4));
    assert_eq!(t.steps[4].ret, Some(RET_ALLOW));
    assert_eq!(t.action, Action::Allow);
}

#[test]
fn stacked_filters_combine_by_precedence() {
    let d = sd(2, X86_64);
    let allow = prog("ret #0x7fff0000");
    let e1 = prog("ret #0x50001");
    let e13 = prog("ret #0x5000d");
    let a = example_a();
    assert_eq!(
        run_stack(&[&allow, &e13], &d, Endian::Little),
        Ok(RET_ERRNO | 13)
    );
    // Same action: the newest filter's data wins.
    assert_eq!(
        run_stack(&[&e1, &e13], &d, Endian::Little),
        Ok(RET_ERRNO | 1)
    );
    assert_eq!(
        run_stack(&[&e13, &a], &d, Endian::Little),
        Ok(RET_ERRNO | 13)
    );
    assert_eq!(
        run_stack(&[&e13, &a], &sd(2, I386), Endian::Little),
        Ok(RET_KILL_THREAD)
    );
    assert_eq!(run_stack(&[], &d, Endian::Little), Ok(RET_ALLOW));
}

#[test]
fn cache_emulator_is_restricted_like_the_kernels() {
    // ALLOW with data is not "constant ALLOW".
    assert!(!is_const_allow(&prog("ret #0x7fff0001"), X86_64, 0));
    assert!(is_const_allow(&prog("ret #0x7fff0000"), X86_64, 0));
    // Argument loads, RET A, X forms, LD IMM are not understood.
    assert!(!is_const_allow(
        &prog("ld [16]\nret #0x7fff0000"),
        X86_64,
        0
    ));
    assert!(!is_const_allow(&prog("ld #0x7fff0000\nret a"), X86_64, 0));
    assert!(!is_const_allow(
        &prog("ld [0]\njeq x, L1, L1\nL1: ret #0x7fff0000"),
        X86_64,
        0
    ));
    // AND K and JA are.
    let p = prog("ld [0]\nand #0xff\njeq #1, L1, L2\nL1: ja L3\nL2: ret #0\nL3: ret #0x7fff0000");
    assert!(is_const_allow(&p, X86_64, 0x101));
    assert!(!is_const_allow(&p, X86_64, 2));
    // An argument load on a path not taken does not matter.
    let p = prog("ld [0]\njeq #1, L1, L2\nL1: ret #0x7fff0000\nL2: ld [16]\nret a");
    assert!(is_const_allow(&p, X86_64, 1));
    assert!(!is_const_allow(&p, X86_64, 2));
}

#[test]
fn worst_case_follows_argument_branches() {
    // nr 1: arg test takes 2 or 4 more instructions; nr 2: straight to ret.
    let p = prog(
        "ld [0]\njeq #1, L1, L9\nL1: ld [16]\njeq #5, L9, L2\nL2: ld [24]\njgt #3, L9, L8\nL8: ret #0\nL9: ret #0x7fff0000",
    );
    assert_eq!(worst_case_steps(&p, X86_64, 1).unwrap().steps, 7);
    assert_eq!(worst_case_steps(&p, X86_64, 2).unwrap().steps, 3);
}

#[test]
fn plain_form_round_trips_and_locates_errors() {
    let a = example_a();
    let text = plain(&a);
    assert!(text.contains("    jeq #0xc000003e, L2, L9\n"), "{text}");
    assert!(text.contains("L9:\n    ret #0x0\n"), "{text}");
    assert_eq!(assemble(&text).unwrap(), a);
    // Fields a mnemonic cannot express survive as raw lines.
    let odd = vec![
        Insn::new(BPF_RET | BPF_A, 1, 0, 5),
        Insn::new(0xffff, 255, 255, u32::MAX),
        Insn::jump(BPF_JMP | BPF_JEQ | BPF_X, 7, 0, 0),
        Insn::jump(BPF_JMP | BPF_JGE | BPF_K, 1, 200, 3),
    ];
    assert_eq!(assemble(&plain(&odd)).unwrap(), odd);
    let e = assemble("ld [0]\n  jeq #1, nowhere, +0\nret #0").unwrap_err();
    assert_eq!((e.line, e.col), (2, 11));
    assert!(e.message.contains("unknown label"));
    let e = assemble("L1: ret #0\n  jeq #1, L1, L1").unwrap_err();
    assert!(e.message.contains("forward"), "{e}");
    let e = assemble("frob #1").unwrap_err();
    assert_eq!((e.line, e.col), (1, 1));
    let e = assemble("ld #0x1ffffffff").unwrap_err();
    assert_eq!((e.line, e.col), (1, 4));
    assert!(assemble("A: ret #0\nA: ret #0")
        .unwrap_err()
        .message
        .contains("already defined"));
}

#[test]
fn base64_matches_rfc4648_vectors() {
    for (raw, enc) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64_encode(raw.as_bytes()), enc);
        assert_eq!(base64_decode(enc).unwrap(), raw.as_bytes());
    }
    assert!(base64_decode("Zm9v!").is_err());
    assert!(base64_decode("Z").is_err());
}

#[test]
fn base64url_is_base64_with_the_url_alphabet_and_no_padding() {
    for n in 0..40u8 {
        let v: Vec<u8> = (0..n)
            .map(|i| i.wrapping_mul(37).wrapping_add(250))
            .collect();
        let url = base64url_encode(&v);
        let std = base64_encode(&v)
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_");
        assert_eq!(url, std);
        assert_eq!(base64_decode(&url).unwrap(), v);
    }
}

#[test]
fn c_macro_form_gives_example_a() {
    let src = r#"
    /* Example A, hand-written with the kernel's macros */
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP+BPF_JEQ+BPF_K, AUDIT_ARCH_X86_64, 0, 7),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (offsetof(struct seccomp_data, nr))),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)-1, 0, 4),
        { 0x15, 2, 0, 0 },   // read
        { 0x15, 1, 0, 0x00000001 },
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL),
    };"#;
    assert_eq!(parse_c(src).unwrap(), example_a());
    assert_eq!(detect(src.as_bytes()), Format::C);
    let e = parse_c("{ 0x20, 0, 0 }").unwrap_err();
    assert!(e.message.contains("4 fields"), "{e}");
    let e = parse_c("BPF_STMT(BPF_LD | BPF_NOPE, 0)").unwrap_err();
    assert_eq!((e.line, e.col), (Some(1), Some(19)));
}

#[test]
fn every_export_imports_back() {
    let a = example_a();
    for endian in [Endian::Little, Endian::Big] {
        for (ef, f) in [
            (ExportFormat::Raw, Format::Raw),
            (ExportFormat::Hex, Format::Hex),
            (ExportFormat::Base64, Format::Base64),
            (ExportFormat::C, Format::C),
            (ExportFormat::Json, Format::Json),
        ] {
            let out = export(&a, ef, endian);
            assert_eq!(import(&out, f, endian).unwrap(), a, "{ef:?} {endian:?}");
            assert_eq!(
                import_auto(&out, endian).unwrap(),
                (f, a.clone()),
                "{ef:?} {endian:?}"
            );
        }
    }
    assert_eq!(
        import_auto(plain(&a).as_bytes(), Endian::Little).unwrap(),
        (Format::Asm, a.clone())
    );
    assert_eq!(
        import(
            b"0x20 0x00 0x00 0x00,\n 04000000",
            Format::Hex,
            Endian::Little
        )
        .unwrap(),
        vec![Insn::stmt(0x20, 4)]
    );
    let rust = String::from_utf8(export(&a, ExportFormat::Rust, Endian::Little)).unwrap();
    assert!(rust.contains("libc::sock_filter { code: 0x0015, jt: 0, jf: 7, k: 0xc000003e },"));
    let e = import(b"2000000004", Format::Hex, Endian::Little).unwrap_err();
    assert!(e.message.contains("8-byte"), "{e}");
    assert!(
        import(b"20 0g", Format::Hex, Endian::Little)
            .unwrap_err()
            .col
            == Some(4)
    );
}

#[test]
fn export_file_ends_text_formats_with_one_newline_and_leaves_raw_alone() {
    let p = [Insn::stmt(0x20, 4), Insn::stmt(0x06, 0x7fff_0000)];
    for ef in [
        ExportFormat::Hex,
        ExportFormat::C,
        ExportFormat::Rust,
        ExportFormat::Json,
        ExportFormat::Base64,
    ] {
        let f = export_file(&p, ef, Endian::Little);
        assert!(f.ends_with(b"\n") && !f.ends_with(b"\n\n"), "{ef:?}");
        assert_eq!(
            f.trim_ascii_end(),
            export(&p, ef, Endian::Little).trim_ascii_end()
        );
    }
    let raw = export_file(&p, ExportFormat::Raw, Endian::Little);
    assert_eq!(raw, export(&p, ExportFormat::Raw, Endian::Little));
    assert_eq!(raw.len(), 16);
}

/// Random instructions biased towards seccomp's opcodes and small offsets, so that a useful
/// share of programs passes the verifier.
fn arb_insn() -> impl Strategy<Value = Insn> {
    let codes: Vec<u16> = super::verify::SECCOMP_OPCODES.to_vec();
    prop_oneof![
        30 => (prop::sample::select(codes), 0u8..4, 0u8..4, prop_oneof![0u32..64, any::<u32>(), Just(0x7fff_0000u32)])
            .prop_map(|(c, jt, jf, k)| {
                let k = if c == BPF_LD | BPF_W | BPF_ABS { (k % 64) & !3 } else if matches!(c & 0xf7, 0x60 | 0x61 | 0x02 | 0x03) { k % 17 } else { k };
                let (jt, jf) = if super::verify::is_cond_jump_code(c) { (jt, jf) } else { (0, 0) };
                let k = if c == BPF_JMP | BPF_JA { k % 4 } else { k };
                Insn::new(c, jt, jf, k)
            }),
        1 => (any::<u16>(), any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(c, t, f, k)| Insn::new(c, t, f, k)),
    ]
}

fn arb_prog() -> impl Strategy<Value = Vec<Insn>> {
    (
        prop::collection::vec(arb_insn(), 0..30),
        prop_oneof![Just(0x7fff_0000u32), Just(0x5_0001), Just(0), any::<u32>()],
        any::<bool>(),
    )
        .prop_map(|(mut p, r, fix)| {
            p.push(Insn::stmt(BPF_RET | BPF_K, r));
            if fix {
                // Keep jumps inside the program and constant shifts below 32, so that most
                // programs pass the verifier; the unfixed half exercises rejections.
                let n = p.len();
                for (pc, i) in p.iter_mut().enumerate() {
                    let room = (n - pc - 1) as u32;
                    if super::verify::is_cond_jump_code(i.code) && room > 0 {
                        i.jt = (i.jt as u32 % room) as u8;
                        i.jf = (i.jf as u32 % room) as u8;
                    } else if i.code == BPF_JMP | BPF_JA && room > 0 {
                        i.k %= room;
                    } else if matches!(i.code, 0x64 | 0x74) {
                        i.k %= 32;
                    }
                }
            }
            p
        })
}

fn arb_data() -> impl Strategy<Value = SeccompData> {
    (
        0u32..8,
        prop_oneof![Just(X86_64), Just(I386), any::<u32>()],
        any::<u64>(),
        any::<[u64; 6]>(),
    )
        .prop_map(|(nr, arch, ip, args)| SeccompData {
            nr,
            arch,
            instruction_pointer: ip,
            args,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn nothing_panics_and_verified_programs_terminate(p in arb_prog(), d in arb_data(), big in any::<bool>()) {
        let endian = if big { Endian::Big } else { Endian::Little };
        let verdict = verify(&p);
        let r = run_counted(&p, &d, endian);
        // The fast path of `run` agrees with the general interpreter, errors included.
        prop_assert_eq!(run(&p, &d, endian), r.clone().map(|r| r.0));
        let _ = human_text(&p, Some(Arch::X86_64), HumanOptions { raw: true });
        let _ = worst_case_steps(&p, d.arch, d.nr);
        if verdict.is_ok() {
            let (ret, steps) = r.unwrap();
            prop_assert!(steps >= 1 && steps <= p.len());
            let t = trace(&p, &d, endian).unwrap();
            prop_assert_eq!(t.ret, ret);
            prop_assert_eq!(t.steps.len(), steps);
            // The cost bound holds for this input.
            let w = worst_case_steps(&p, d.arch, d.nr).unwrap();
            prop_assert!(w.steps >= steps, "bound {} < actual {}", w.steps, steps);
        }
    }

    #[test]
    fn const_allow_claims_hold_for_all_args(p in arb_prog(), nr in 0u32..6, d in arb_data(), big in any::<bool>()) {
        let endian = if big { Endian::Big } else { Endian::Little };
        if verify(&p).is_ok() && is_const_allow(&p, X86_64, nr) {
            let d = SeccompData { nr, arch: X86_64, ..d };
            prop_assert_eq!(run(&p, &d, endian), Ok(RET_ALLOW));
        }
    }

    #[test]
    fn plain_form_round_trips(p in prop::collection::vec(arb_insn(), 0..60)) {
        prop_assert_eq!(assemble(&plain(&p)).unwrap(), p);
    }

    #[test]
    fn formats_round_trip(p in prop::collection::vec(arb_insn(), 1..30), big in any::<bool>()) {
        let endian = if big { Endian::Big } else { Endian::Little };
        for (ef, f) in [(ExportFormat::Raw, Format::Raw), (ExportFormat::Hex, Format::Hex), (ExportFormat::Base64, Format::Base64), (ExportFormat::C, Format::C), (ExportFormat::Json, Format::Json)] {
            prop_assert_eq!(import(&export(&p, ef, endian), f, endian).unwrap(), p.clone());
        }
    }

    #[test]
    fn decoders_never_panic(s in "\\PC{0,80}", b in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = import_auto(s.as_bytes(), Endian::Little);
        let _ = import_auto(&b, Endian::Big);
        let _ = parse_c(&s);
        let _ = assemble(&s);
    }
}

/// Verified programs generated with a high share of constant-allow paths: the interpreter agrees.
#[test]
fn const_allow_agrees_on_generated_linear_filters() {
    // A libseccomp-like linear filter allowing nrs 0..50 step 3.
    let mut src = String::from("ld [4]\njeq #0xc000003e, L0, Lkill\nL0: ld [0]\n");
    for (i, nr) in (0..50u32).step_by(3).enumerate() {
        src.push_str(&format!("jeq #{nr}, Lallow, N{i}\nN{i}:\n"));
    }
    src.push_str("ret #0x50001\nLallow: ret #0x7fff0000\nLkill: ret #0\n");
    let p = prog(&src);
    verify(&p).unwrap();
    for nr in 0..60 {
        let want = nr < 50 && nr % 3 == 0;
        assert_eq!(is_const_allow(&p, X86_64, nr), want, "nr {nr}");
        assert_eq!(
            run(&p, &sd(nr, X86_64), Endian::Little) == Ok(RET_ALLOW),
            want
        );
    }
}

/// Throughput of the fast path (run with `cargo test --release -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput() {
    // ~400 instructions: arch check, then 396 jeq on nr in a linear list (libseccomp optimize=1).
    let mut p = vec![
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 4),
        Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 0, 0),
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 0),
    ];
    let n = 396usize;
    for i in 0..n {
        p.push(Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, 1000 + i as u32, 0, 0));
    }
    p.push(Insn::stmt(BPF_RET | BPF_K, RET_ERRNO | 1));
    // Binary-search tree over nr (like runc's optimize=2): 9 levels of jgt, leaves ret.
    fn build(lo: u32, hi: u32, out: &mut Vec<Insn>) {
        // Emits a subtree deciding nr in [lo, hi); returns when laid out.
        if hi - lo <= 1 {
            out.push(Insn::stmt(
                BPF_RET | BPF_K,
                if lo % 3 == 0 {
                    RET_ALLOW
                } else {
                    RET_ERRNO | 1
                },
            ));
            return;
        }
        let mid = (lo + hi) / 2;
        let at = out.len();
        out.push(Insn::jump(BPF_JMP | BPF_JGE | BPF_K, mid, 0, 0));
        build(lo, mid, out);
        let jt = out.len() - at - 1;
        out[at].jt = jt as u8;
        build(mid, hi, out);
    }
    let mut tree = vec![
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 4),
        Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, X86_64, 1, 0),
        Insn::stmt(BPF_RET, 0),
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, 0),
    ];
    build(0, 128, &mut tree);
    // 128 leaves need jt offsets < 256 in every node: true for this size (391 insns).
    verify(&tree).unwrap();
    verify(&p).ok();
    for (name, prog) in [
        ("linear, ~400 executed", &p),
        ("tree-like, 400 insns", &tree),
    ] {
        let iters = 2_000_000u32;
        let start = std::time::Instant::now();
        let mut acc = 0u64;
        let mut steps = 0usize;
        for i in 0..iters {
            let d = SeccompData::new(i % 500, X86_64, [i as u64; 6]);
            let (r, s) = run_counted(prog, &d, Endian::Little).unwrap();
            acc = acc.wrapping_add(r as u64);
            steps += s;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{name}: {:.1} M decisions/s, {:.0} M insns/s, {:.1} insns/decision (acc {acc})",
            iters as f64 / secs / 1e6,
            steps as f64 / secs / 1e6,
            steps as f64 / iters as f64
        );
    }
}

/// The generators produce a useful share of verifier-accepted programs (so the properties above
/// that only look at accepted programs are exercised).
#[test]
fn generated_programs_are_often_accepted() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strat = arb_prog();
    let mut ok = 0;
    for _ in 0..1000 {
        let p = strat.new_tree(&mut runner).unwrap().current();
        ok += verify(&p).is_ok() as usize;
    }
    assert!(ok >= 200, "only {ok}/1000 accepted");
    eprintln!("{ok}/1000 generated programs accepted");
}
