//! The analysis against the interpreter: every path's witness runs to the path's result, and
//! random inputs meet exactly one path of their row, with the interpreter's result.

use super::*;
use crate::action::*;
use crate::arch::Arch;
use crate::bpf::{asm, insn, interp, SeccompData};
use crate::context::Context;

fn check_paths(stack: &[&[Insn]], an: &FilterAnalysis) -> (usize, usize) {
    check::paths(stack, an).unwrap_or_else(|e| panic!("{e}"))
}

fn check_random(stack: &[&[Insn]], an: &FilterAnalysis, seed: u64, n: usize) {
    check::inputs(stack, an, seed, n).unwrap_or_else(|e| panic!("{e}"))
}

fn compiled(name: &str, arch: Arch) -> Vec<Insn> {
    let p = crate::presets::get(name).unwrap();
    let crate::presets::PresetKind::Profile(text) = p.kind else {
        panic!()
    };
    let mut ctx = Context::docker(arch);
    ctx.enosys_stub = false;
    crate::analysis::analyze(text, &ctx).program.unwrap().insns
}

#[test]
fn presets_every_path_and_random_inputs_agree_with_the_interpreter() {
    for name in ["docker", "docker-2020", "podman", "example"] {
        for arch in [Arch::X86_64, Arch::Aarch64, Arch::S390x] {
            let prog = compiled(name, arch);
            let an = analyze(&[&prog], arch.endian(), &Options::default()).unwrap();
            let (ok, unproven) = check_paths(&[&prog], &an);
            assert!(ok > 300, "{name} {arch}: {ok}");
            assert_eq!(unproven, 0);
            check_random(&[&prog], &an, 7, 3000);
        }
    }
}

#[test]
fn docker_default_reads_as_its_rules() {
    let prog = compiled("docker", Arch::X86_64);
    let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
    let clone = an
        .rows_of(Arch::X86_64)
        .into_iter()
        .find(|r| r.name == Some("clone"))
        .unwrap();
    let lines = row_lines(clone);
    assert!(
        lines.iter().any(|l| l == "clone(!(clone_flags & CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET)) → ALLOW"),
        "{lines:?}"
    );
    let read = an
        .rows_of(Arch::X86_64)
        .into_iter()
        .find(|r| r.name == Some("read"))
        .unwrap();
    assert_eq!(row_lines(read), vec!["read → ALLOW"]);
    assert!(matches!(
        an.other_arches.verdict,
        Verdict::Constant { ret: 0, .. }
    ));
}

fn asm(src: &str) -> Vec<Insn> {
    asm::assemble(src).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_alu_op_x_scratch_and_len_are_exact() {
    let prog = asm(
        "ld [16]\n add #3\n sub #1\n xor #0x55\n tax\n ld [24]\n and #0xff\n or #0x100\n \
         lsh #2\n rsh #1\n neg\n mul #5\n st M[3]\n ld #len\n div x\n ldx M[3]\n add x\n \
         jset #0x10, bad, next\n next: ld [20]\n jset #0x80000000, bad, ok\n ok: ret #0x7fff0000\n \
         bad: ret #0x50001\n",
    );
    let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
    let (ok, unproven) = check_paths(&[&prog], &an);
    assert!(ok > 0);
    let un: Vec<_> = an.rows_of(Arch::X86_64)[0]
        .paths
        .iter()
        .filter(|p| p.witness.is_none())
        .map(|p| format!("{:?}", p.atoms))
        .collect();
    assert_eq!(unproven, 0, "every computed path gets a witness {un:#?}");
    check_random(&[&prog], &an, 3, 2000);
    // The division by X = 0 path exists and returns 0.
    let read = an.rows_of(Arch::X86_64)[0];
    assert!(read.paths.iter().any(|p| p.ret == Some(0)));
}

#[test]
fn ret_a_and_instruction_pointer_are_reported() {
    let prog = asm(
        "ld [0]\n jeq #1, w, other\n w: ld [8]\n jgt #0x1000, ok, no\n ok: ret #0x7fff0000\n \
         no: ret #0x50001\n other: ld [16]\n and #0xfff\n or #0x50000\n ret a\n",
    );
    let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
    check_paths(&[&prog], &an);
    let rows = an.rows_of(Arch::X86_64);
    let write = rows.iter().find(|r| r.name == Some("write")).unwrap();
    let l = row_lines(write);
    assert!(
        l[0].contains("instruction_pointer (low word) > 0x1000"),
        "{l:?}"
    );
    let read = rows.iter().find(|r| r.name == Some("read")).unwrap();
    let Verdict::Conditional { cases } = &read.verdict else {
        panic!()
    };
    assert!(matches!(cases[0].outcome, Outcome::Computed(_)));
    let d = decompile::decompile(&an);
    assert!(d
        .gaps
        .iter()
        .any(|g| g.syscall == "write" && g.why.contains("instruction-pointer")));
    assert!(d.gaps.iter().any(|g| g.syscall == "read"));
}

#[test]
fn sixty_four_bit_arguments_are_fused() {
    // libseccomp's shape for args[1] >= 0x100000005 and args[0] != 7 on x86_64.
    let text = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
        {"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":4294967301,"op":"SCMP_CMP_GE"}]},
        {"names":["dup"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":7,"op":"SCMP_CMP_NE"}]},
        {"names":["dup2"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":9,"op":"SCMP_CMP_LT"}]},
        {"names":["close"],"action":"SCMP_ACT_TRAP","args":[{"index":0,"value":255,"valueTwo":3,"op":"SCMP_CMP_MASKED_EQ"}]}]}"#;
    let mut ctx = Context::docker(Arch::X86_64);
    ctx.enosys_stub = false;
    let prog = crate::analysis::analyze(text, &ctx).program.unwrap().insns;
    let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
    let rows = an.rows_of(Arch::X86_64);
    let line = |n: &str| row_lines(rows.iter().find(|r| r.name == Some(n)).unwrap())[0].clone();
    assert_eq!(line("kill"), "kill(sig >= 0x100000005) → ERRNO(EPERM)");
    assert_eq!(line("dup"), "dup(fildes != 7) → ERRNO(EPERM)");
    assert_eq!(line("dup2"), "dup2(oldfd <= 8) → ERRNO(EPERM)");
    assert_eq!(line("close"), "close((fd & 0xff) == 3) → TRAP(0)");
}

fn ret(v: u32) -> Vec<Insn> {
    vec![Insn::stmt(insn::BPF_RET | insn::BPF_K, v)]
}

/// The kernel's order (`seccomp_run_filters`: the signed action part, lower wins; ties keep
/// the newest filter's value), written out.
const BY_PRECEDENCE: [u32; 8] = [
    RET_KILL_PROCESS,
    RET_KILL_THREAD,
    RET_TRAP,
    RET_ERRNO,
    RET_USER_NOTIF,
    RET_TRACE,
    RET_LOG,
    RET_ALLOW,
];

#[test]
fn stacks_of_every_pair_of_actions_follow_the_kernels_precedence() {
    for (i, &a) in BY_PRECEDENCE.iter().enumerate() {
        for (j, &b) in BY_PRECEDENCE.iter().enumerate() {
            // a is the newest filter; both carry data where the action has it.
            let (na, ob) = (ret(a | 1), ret(b | 2));
            let an = analyze(&[&na, &ob], Endian::Little, &Options::default()).unwrap();
            let expect = match i.cmp(&j) {
                std::cmp::Ordering::Less | std::cmp::Ordering::Equal => a | 1,
                std::cmp::Ordering::Greater => b | 2,
            };
            // Two ALLOWs give exactly SECCOMP_RET_ALLOW (the kernel starts from it).
            let expect = if a == RET_ALLOW && b == RET_ALLOW {
                RET_ALLOW
            } else {
                expect
            };
            for r in an.all_rows() {
                assert!(
                    matches!(r.verdict, Verdict::Constant { ret, .. } if ret == expect),
                    "{a:#x} over {b:#x}: {:?}",
                    r.verdict
                );
            }
            let d = SeccompData::new(0, 0xc000_003e, [0; 6]);
            assert_eq!(
                interp::run_stack(&[&na, &ob], &d, Endian::Little),
                Ok(expect)
            );
        }
    }
}

#[test]
fn conditional_stacks_combine_per_path() {
    let newest = asm("ld [16]\n jeq #1, e, a\n e: ret #0x50001\n a: ret #0x7fff0000\n");
    let older = asm("ld [24]\n jeq #2, k, a\n k: ret #0x80000000\n a: ret #0x7fff0000\n");
    let stack: [&[Insn]; 2] = [&newest, &older];
    let an = analyze(&stack, Endian::Little, &Options::default()).unwrap();
    let (ok, unproven) = check_paths(&stack, &an);
    assert!(ok > 0 && unproven == 0);
    check_random(&stack, &an, 11, 2000);
    let read = an.rows_of(Arch::X86_64)[0];
    let Verdict::Conditional { cases } = &read.verdict else {
        panic!()
    };
    let out: Vec<String> = cases
        .iter()
        .map(|c| format!("{}: {:?}", c.outcome.describe(), c.text))
        .collect();
    assert_eq!(
        out,
        vec![
            "KILL_PROCESS: [\"(fd & 0xffffffff) == 1 && (buf & 0xffffffff) == 2\", \"args[0] (low word) != 0x1 && (buf & 0xffffffff) == 2\"]",
            "ERRNO(EPERM): [\"args[1] (low word) != 0x2 && (fd & 0xffffffff) == 1\"]",
            "ALLOW: [\"args[0] (low word) != 0x1 && args[1] (low word) != 0x2\"]",
        ]
    );
}

#[test]
fn seccomp_tools_filters_agree_with_the_interpreter() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../refdata/filters/seccomp-tools");
    let mut analysed = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("refdata")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("bpf") {
            continue;
        }
        let prog = insn::decode(&std::fs::read(&p).unwrap(), Endian::Little).unwrap();
        match analyze(&[&prog], Endian::Little, &Options::default()) {
            Ok(an) => {
                let (ok, _) = check_paths(&[&prog], &an);
                assert!(ok > 0, "{p:?}");
                check_random(&[&prog], &an, 5, 2000);
                analysed += 1;
            }
            Err(e) => assert!(crate::bpf::verify::verify(&prog).is_err(), "{p:?}: {e}"),
        }
    }
    assert!(analysed >= 9, "{analysed}");
}

#[test]
fn hostile_programs_stop_at_the_bound_with_a_location() {
    // 2^40 paths that rejoin: 40 independent tests of argument bits.
    let mut prog = Vec::new();
    for i in 0..40u32 {
        prog.push(Insn::stmt(
            insn::BPF_LD | insn::BPF_W | insn::BPF_ABS,
            16 + 4 * (i % 12),
        ));
        prog.push(Insn::jump(
            insn::BPF_JMP | insn::BPF_JSET | insn::BPF_K,
            1 << (i % 32),
            1,
            0,
        ));
        prog.push(Insn::stmt(insn::BPF_LD | insn::BPF_IMM, i));
    }
    prog.push(Insn::stmt(insn::BPF_RET | insn::BPF_K, RET_ALLOW));
    let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
    let mut too = 0;
    for r in an.all_rows() {
        if let Verdict::TooComplex { limit } = &r.verdict {
            assert!(limit.pc < prog.len());
            too += 1;
        }
    }
    assert_eq!(too, an.all_rows().count());
}

#[test]
fn refused_programs_are_refused_like_the_kernel() {
    let e = analyze(&[&[]], Endian::Little, &Options::default()).unwrap_err();
    assert_eq!(e.filter, 0);
}

/// Chromium 156's renderer and storage-utility filters, dumped from live processes here
/// (refdata/filters/chromium, SOURCES.md §14): every row analysed, every path's witness run
/// through the interpreter, random inputs on every row, and the sandbox's known shape.
#[test]
fn chromium_filters_agree_with_the_interpreter_on_every_path() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../refdata/filters/chromium");
    for (file, len) in [("renderer.bpf", 657), ("utility-storage.bpf", 662)] {
        let bytes = std::fs::read(dir.join(file)).expect("refdata/filters/chromium");
        let prog = insn::decode(&bytes, Endian::Little).unwrap();
        assert_eq!(prog.len(), len, "{file}");
        let an = analyze(&[&prog], Endian::Little, &Options::default()).expect(file);
        let rows: Vec<&Row> = an.all_rows().collect();
        assert!(
            rows.iter()
                .all(|r| !matches!(r.verdict, Verdict::TooComplex { .. })),
            "{file}: a row was not analysed"
        );
        let (ok, unproven) = check_paths(&[&prog], &an);
        assert_eq!(unproven, 0, "{file}: paths without a witness");
        assert!(ok > 400, "{file}: {ok}");
        check_random(&[&prog], &an, 7, 5000);
        // Its shape: x86_64 only; x32 numbers and other arches trap; many syscalls depend on
        // their arguments. (This build tests no instruction pointer: 199 argument loads,
        // one of arch, one of nr.)
        assert_eq!(an.arches.len(), 1, "{file}");
        assert_eq!(an.arches[0].audit_arch, Arch::X86_64.audit_arch());
        let trap = |r: &Row| matches!(r.verdict, Verdict::Constant { ret, .. } if ret >> 16 == 0x3);
        assert!(trap(&an.other_arches), "{file}");
        let x32: Vec<&Row> = an.rows_of(Arch::X32);
        assert!(!x32.is_empty() && x32.iter().all(|r| trap(r)), "{file}");
        let conditional = rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Conditional { .. }))
            .count();
        assert!(conditional >= 10, "{file}: {conditional} conditional rows");
        let getpid = an
            .rows_of(Arch::X86_64)
            .into_iter()
            .find(|r| r.name == Some("getpid"))
            .unwrap();
        assert!(matches!(getpid.verdict, Verdict::Constant { ret, .. } if ret == RET_ALLOW));
    }
}

/// 4096 instructions (the kernel's most): a chain of 1365 range tests on argument words, each
/// path forking at every one. Every row stops at the bound (the work of a fork grows with the
/// path, see sym::FORK_COST_DIVISOR), names the instruction, and the analysis ends.
#[test]
fn a_4096_instruction_chain_of_range_tests_stops_at_the_bound() {
    let mut prog = Vec::new();
    let mut i = 0u32;
    while prog.len() < 4095 {
        prog.push(Insn::stmt(
            insn::BPF_LD | insn::BPF_W | insn::BPF_ABS,
            8 + 4 * (i % 14),
        ));
        prog.push(Insn::jump(
            insn::BPF_JMP | insn::BPF_JGT | insn::BPF_K,
            i.wrapping_mul(0x9e37_79b9),
            1,
            0,
        ));
        prog.push(Insn::stmt(insn::BPF_LD | insn::BPF_IMM, i));
        i += 1;
    }
    prog.push(Insn::stmt(insn::BPF_RET | insn::BPF_K, RET_ALLOW));
    assert_eq!(prog.len(), 4096);
    let an = analyze(&[&prog], Endian::Little, &Options::default()).unwrap();
    for r in an.all_rows() {
        match &r.verdict {
            Verdict::TooComplex { limit } => assert!(limit.pc < prog.len(), "{limit}"),
            v => panic!("a row of the chain was analysed to the end: {v:?}"),
        }
    }
}

#[test]
fn deciders_name_the_filter_whose_value_the_kernel_takes() {
    let newer = asm::assemble("ld [0]\njeq #83, L1, L2\nL1:\nret #0x5001e\nL2:\nret #0x7fff0000\n")
        .unwrap();
    let older = asm::assemble("ld [0]\njge #83, L1, L2\nL1:\nret #0x50027\nL2:\nret #0x7fff0000\n")
        .unwrap();
    let stack: [&[Insn]; 2] = [&newer, &older];
    let an = analyze(&stack, crate::arch::Endian::Little, &Options::default()).unwrap();
    let row = |name: &str| {
        an.rows_of(Arch::X86_64)
            .into_iter()
            .find(|r| r.name == Some(name))
            .unwrap()
    };
    // mkdir: both say ERRNO, the newer one's data wins; rmdir: only the older refuses.
    assert_eq!(deciders(row("mkdir")), [0]);
    assert_eq!(verdict_short(row("mkdir")), "ERRNO(EROFS)");
    assert_eq!(deciders(row("rmdir")), [1]);
    assert_eq!(verdict_short(row("rmdir")), "ERRNO(ENOTEMPTY)");
    assert_eq!(deciders(row("read")), [0]);
    let d = analysis_data(84);
    let t = interp::trace_stack(&stack, &d, crate::arch::Endian::Little).unwrap();
    assert_eq!((t.ret, t.decided_by, t.traces.len()), (0x50027, 1, 2));
}

fn analysis_data(nr: u32) -> SeccompData {
    SeccompData::new(nr, Arch::X86_64.audit_arch(), [0; 6])
}

#[test]
fn a_stack_of_thousands_of_tiny_filters_spends_the_budget_early() {
    // 6,000 one-instruction filters (the kernel takes up to 6,553): each filter of each row
    // costs STACK_FILTER_COST units, so the analysis stops after a few rows, each past the
    // bound saying so, instead of exploring 6,000 filters for every row.
    let one = [Insn::stmt(insn::BPF_RET | insn::BPF_K, RET_ALLOW)];
    let stack: Vec<&[Insn]> = (0..6000).map(|_| &one[..]).collect();
    let an = analyze(&stack, crate::arch::Endian::Little, &Options::default()).unwrap();
    let analysed = an
        .all_rows()
        .filter(|r| !matches!(r.verdict, Verdict::TooComplex { .. }))
        .count();
    assert!(analysed > 0 && analysed < 10, "{analysed} rows analysed");
    // A stack of three real filters is still analysed whole.
    let a = compiled("docker", Arch::X86_64);
    let b = compiled("podman", Arch::X86_64);
    let stack: [&[Insn]; 3] = [&a, &b, &a];
    let an = analyze(&stack, crate::arch::Endian::Little, &Options::default()).unwrap();
    assert!(an
        .all_rows()
        .all(|r| !matches!(r.verdict, Verdict::TooComplex { .. })));
}

/// A filter with runc's ENOSYS stub (what `dump PID` shows for a Docker container) gets
/// several actions for numbers outside the tables (ENOSYS above the profile's highest number,
/// the default below): its default is the default's action, not ALLOW (the most frequent action
/// of an allow-list's rows), so clone's mask and personality's values are stated as Docker
/// states them instead of left out to a default that would allow them.
#[test]
fn a_stub_filter_decompiles_with_its_default_not_the_stub_or_allow() {
    let p = crate::presets::get("docker").unwrap();
    let crate::presets::PresetKind::Profile(text) = p.kind else {
        panic!()
    };
    let ctx = Context::docker(Arch::X86_64);
    assert!(ctx.enosys_stub);
    let prog = crate::analysis::analyze(text, &ctx).program.unwrap().insns;
    let an = analyze(&[&prog], Arch::X86_64.endian(), &Options::default()).unwrap();
    assert_eq!(an.default_ret, Some(Action::Errno(1).to_ret()));
    let d = decompile::decompile(&an);
    let x86_64_gaps: Vec<&str> = d
        .gaps
        .iter()
        .filter(|g| g.abi == Some(Arch::X86_64))
        .map(|g| g.syscall.as_str())
        .collect();
    for name in ["clone", "personality", "socket"] {
        assert!(!x86_64_gaps.contains(&name), "{name}: {x86_64_gaps:?}");
    }
}
