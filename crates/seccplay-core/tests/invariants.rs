//! The six invariants of docs/RELIABILITY.md as property tests, with fixed case counts (about a
//! minute in the workspace's test profile). The fuzz targets in fuzz/ check the same
//! invariants through the same functions (`seccplay_core::invariants`) for as long as one
//! lets them run.
//!
//! 1. Any bytes as a profile → a value or located errors, never a panic.
//! 2. An accepted profile in a context → a program the verifier accepts, deciding like the
//!    reference evaluator on inputs derived from its constants.
//! 3. Any program → the verifier decides; accepted programs run to a verdict within their
//!    length; the cost bound and the constant-allow cache claims hold.
//! 4. Disassembly → assembly is the identity.
//! 5. Any string as a syscall expression → a call or a located error.
//! 6. The same input twice → the same bytes.

use proptest::prelude::*;
use seccplay_core::analysis::analyze;
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::{insn, verify, Insn};
use seccplay_core::codegen::digest;
use seccplay_core::context::{Context, Runtime};
use seccplay_core::invariants::{
    check_expr, check_profile, check_program, derive_data, diagnostics_are_located, SAMPLE_ARCHES,
    SAMPLE_NAMES, SAMPLE_VALUES,
};
use seccplay_core::presets::{all, PresetKind};
use seccplay_core::profile::{self, ActionName, Op};

fn preset_texts() -> Vec<&'static str> {
    all()
        .iter()
        .filter_map(|p| match p.kind {
            PresetKind::Profile(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn contexts() -> Vec<Context> {
    let mut crun = Context::docker(Arch::Aarch64);
    crun.runtime = Runtime::Crun;
    crun.enosys_stub = false;
    let mut admin = Context::docker(Arch::S390x);
    admin.caps.insert("CAP_SYS_ADMIN".into());
    vec![Context::docker(Arch::X86_64), crun, admin]
}

// ---- 1. any bytes as a profile ------------------------------------------------------------

/// Small edits of real profiles: truncations, a replaced byte, an inserted fragment.
fn mutated_profile() -> impl Strategy<Value = Vec<u8>> {
    let fragments = prop::sample::select(vec![
        "\"",
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "-1",
        "1.5",
        "1e3",
        "18446744073709551616",
        "null",
        "\"SCMP_ACT_NOPE\"",
        "\"index\":6",
        "\u{0}",
        "\\u0000",
        "\\ud800",
        "true",
        "\"\"",
        "\"names\":[]",
        "\"defaultAction\":\"SCMP_ACT_ALLOW\"",
        "\"op\":\"SCMP_CMP_BAD\"",
    ]);
    (
        prop::sample::select(preset_texts()),
        any::<prop::sample::Index>(),
        0u8..4,
        fragments,
        any::<u8>(),
    )
        .prop_map(|(text, at, how, frag, byte)| {
            let mut b = text.as_bytes().to_vec();
            let i = at.index(b.len() + 1);
            match how {
                0 => b.truncate(i),
                1 if i < b.len() => b[i] = byte,
                2 => {
                    b.splice(i..i, frag.bytes());
                }
                _ => {
                    let end = (i + 1 + byte as usize).min(b.len());
                    b.drain(i.min(end)..end);
                }
            }
            b
        })
}

fn check_bytes(b: &[u8]) -> Result<(), TestCaseError> {
    match std::str::from_utf8(b) {
        Err(_) => {
            let f = profile::parse_bytes(b).expect_err("invalid UTF-8 refused");
            let d = f.first_error().expect("an error");
            prop_assert_eq!(d.code, "invalid-utf8");
            prop_assert!(d.location.as_ref().is_some_and(|l| l.start < b.len()));
        }
        Ok(text) => {
            if let Err(f) = profile::parse(text) {
                prop_assert!(f.first_error().is_some());
                // Every error of the profile front-end is located.
                for d in f.diagnostics.iter().filter(|d| d.is_error()) {
                    prop_assert!(d.location.is_some(), "unlocated: {}", d);
                }
                diagnostics_are_located(text, &f.diagnostics)
                    .map_err(|v| TestCaseError::fail(v.to_string()))?;
            }
            check_profile(text, &Context::docker(Arch::X86_64), b.len() as u64, 8)
                .map_err(|v| TestCaseError::fail(v.to_string()))?;
        }
    }
    Ok(())
}

// ---- 2, 6. random profiles in random contexts ---------------------------------------------

fn arb_value() -> impl Strategy<Value = u64> {
    prop_oneof![4 => prop::sample::select(SAMPLE_VALUES), 1 => any::<u64>()]
}

fn arb_action() -> impl Strategy<Value = &'static str> {
    prop::sample::select(ActionName::ALL.map(|a| a.as_str()).to_vec())
}

fn arb_entry() -> impl Strategy<Value = String> {
    let cond = (
        0u8..7,
        prop::sample::select(Op::ALL.to_vec()),
        arb_value(),
        prop::option::of(arb_value()),
    )
        .prop_map(|(i, op, v, v2)| {
            let two = v2
                .map(|v| format!(r#","valueTwo":{v}"#))
                .unwrap_or_default();
            format!(r#"{{"index":{i},"op":"{}","value":{v}{two}}}"#, op.as_str())
        });
    let filter = prop_oneof![
        Just(String::new()),
        Just(r#","includes":{"caps":["CAP_SYS_ADMIN"]}"#.to_string()),
        Just(r#","excludes":{"caps":["CAP_SYS_ADMIN"]}"#.to_string()),
        Just(r#","includes":{"arches":["arm64"]}"#.to_string()),
        Just(r#","includes":{"minKernel":"6.2"}"#.to_string()),
    ];
    (
        prop::collection::vec(prop::sample::select(SAMPLE_NAMES), 1..4),
        arb_action(),
        prop::option::of(0u32..70000),
        prop::collection::vec(cond, 0..4),
        filter,
    )
        .prop_map(|(names, act, errno, conds, filter)| {
            let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            let errno = errno
                .map(|e| format!(r#","errnoRet":{e}"#))
                .unwrap_or_default();
            format!(
                r#"{{"names":[{}],"action":"{act}"{errno},"args":[{}]{filter}}}"#,
                names.join(","),
                conds.join(",")
            )
        })
}

fn arb_profile() -> impl Strategy<Value = String> {
    (
        arb_action(),
        prop::option::of(0u32..200),
        prop::collection::vec(prop::sample::select(SAMPLE_ARCHES), 0..4),
        prop::collection::vec(arb_entry(), 0..20),
    )
        .prop_map(|(def, errno, arches, entries)| {
            let errno = errno
                .map(|e| format!(r#","defaultErrnoRet":{e}"#))
                .unwrap_or_default();
            let arches: Vec<String> = arches.iter().map(|a| format!("\"{a}\"")).collect();
            format!(
                r#"{{"defaultAction":"{def}"{errno},"architectures":[{}],"syscalls":[{}]}}"#,
                arches.join(","),
                entries.join(",")
            )
        })
}

// ---- 3, 4. programs ------------------------------------------------------------------------

/// Instructions biased towards seccomp's opcodes, valid loads and short forward jumps, so that
/// a good share of programs passes the verifier; one in twenty is any 64 bits.
fn arb_insn() -> impl Strategy<Value = Insn> {
    let codes: Vec<u16> = verify::SECCOMP_OPCODES.to_vec();
    prop_oneof![
        20 => (prop::sample::select(codes), 0u8..4, 0u8..4, prop_oneof![0u32..64, any::<u32>(), Just(0x7fff_0000u32)])
            .prop_map(|(c, jt, jf, k)| {
                let k = match c {
                    _ if c == BPF_LD | BPF_W | BPF_ABS => (k % 64) & !3,
                    _ if c == BPF_JMP | BPF_JA => k % 4,
                    _ if matches!(c & 0xf7, 0x60 | 0x61 | 0x02 | 0x03) => k % 17,
                    _ => k,
                };
                let (jt, jf) = if verify::is_cond_jump_code(c) { (jt, jf) } else { (0, 0) };
                Insn::new(c, jt, jf, k)
            }),
        1 => (any::<u16>(), any::<u8>(), any::<u8>(), any::<u32>()).prop_map(|(c, t, f, k)| Insn::new(c, t, f, k)),
    ]
}

fn arb_prog() -> impl Strategy<Value = Vec<Insn>> {
    (
        prop::collection::vec(arb_insn(), 0..40),
        prop_oneof![Just(0x7fff_0000u32), Just(0x5_0001), Just(0), any::<u32>()],
    )
        .prop_map(|(mut p, r)| {
            p.push(Insn::stmt(BPF_RET | BPF_K, r));
            p
        })
}

// ---- 5. expressions ------------------------------------------------------------------------

fn arb_expr() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "read",
        "openat",
        "unshare",
        "nr",
        "=",
        "(",
        ")",
        ",",
        "|",
        "&",
        "<<",
        ">>",
        "+",
        "-",
        "~",
        "0x",
        "0o",
        "0b",
        "7",
        "0755",
        "18446744073709551616",
        "CLONE_NEWUSER",
        "O_RDONLY",
        "AT_FDCWD",
        "flags",
        "a5",
        "arg6",
        "@ip",
        "ip",
        "\"/tmp/x\"",
        "\"",
        " ",
        "\n",
        "é",
        "\u{0}",
    ]);
    prop_oneof![
        prop::collection::vec(piece, 0..16).prop_map(|v| v.concat()),
        "\\PC{0,40}",
        ".{0,40}",
    ]
}

// Case counts are fixed (not time-based), sized for about a minute in all.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// 1: arbitrary bytes and edited real profiles.
    #[test]
    fn any_bytes_give_a_profile_or_located_errors(b in prop::collection::vec(any::<u8>(), 0..200)) {
        check_bytes(&b)?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn edited_profiles_give_a_profile_or_located_errors(b in mutated_profile()) {
        check_bytes(&b)?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// 2 and 6: every accepted random profile compiles to a verified program that decides like
    /// the reference evaluator, in three contexts; analysing twice gives the same bytes.
    #[test]
    fn compiled_programs_are_verified_and_decide_like_the_reference(text in arb_profile(), seed in any::<u64>()) {
        for ctx in contexts() {
            let a = check_profile(&text, &ctx, seed, 48).map_err(|v| TestCaseError::fail(format!("{v}\n{text}")))?;
            if let Some(p) = &a.program {
                let again = analyze(&text, &ctx);
                prop_assert_eq!(digest(again.program.as_ref().unwrap()), digest(p));
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// 3 and 4 on generated programs.
    #[test]
    fn programs_are_decided_run_bounded_and_round_trip(p in arb_prog(), seed in any::<u64>(), big in any::<bool>()) {
        let endian = if big { Endian::Big } else { Endian::Little };
        check_program(&p, &derive_data(&p, seed, 12), endian).map_err(|v| TestCaseError::fail(v.to_string()))?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// 3 on raw bytes.
    #[test]
    fn any_bytes_as_a_program(b in prop::collection::vec(any::<u8>(), 0..400), big in any::<bool>()) {
        let endian = if big { Endian::Big } else { Endian::Little };
        match insn::decode(&b, endian) {
            Ok(p) => check_program(&p, &derive_data(&p, b.len() as u64, 4), endian).map_err(|v| TestCaseError::fail(v.to_string()))?,
            Err(e) => prop_assert!(b.len() % 8 != 0, "{e}"),
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6000))]

    /// 5.
    #[test]
    fn expressions_parse_or_point_at_the_error(s in arb_expr(), arch in prop::sample::select(Arch::ALL.to_vec())) {
        check_expr(&s, arch).map_err(|v| TestCaseError::fail(format!("{v}: {s:?}")))?;
    }
}

/// 2, 3, 4, 6 on the real profiles in every context: the programs people actually run.
#[test]
fn presets_keep_every_invariant() {
    for text in preset_texts() {
        for ctx in contexts() {
            let a = check_profile(text, &ctx, 1, 400).unwrap_or_else(|v| panic!("{v}"));
            let p = a.program.expect("presets compile");
            check_program(&p.insns, &derive_data(&p.insns, 2, 100), p.arch.endian())
                .unwrap_or_else(|v| panic!("{v}"));
        }
    }
}

/// The generators are useful: most random profiles compile, many random programs verify.
#[test]
fn generators_reach_the_interesting_cases() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut compiled, mut verified) = (0, 0);
    for _ in 0..200 {
        let text = arb_profile().new_tree(&mut runner).unwrap().current();
        compiled += analyze(&text, &Context::docker(Arch::X86_64))
            .program
            .is_some() as usize;
        let p = arb_prog().new_tree(&mut runner).unwrap().current();
        verified += verify::verify(&p).is_ok() as usize;
    }
    eprintln!("of 200: {compiled} profiles compiled, {verified} programs verified");
    assert!(
        compiled >= 30,
        "only {compiled}/200 random profiles compiled"
    );
    assert!(
        verified >= 20,
        "only {verified}/200 random programs verified"
    );
}

/// Regression (found by `compiled_programs_are_verified_and_decide_like_the_reference`): runc's
/// ENOSYS stub tests bit 30 with `jset`, so on an x86_64-only filter 0x8000_0000..0xbfff_ffff
/// (bit 30 clear, above the maximum) get ENOSYS; the compiler treated everything from
/// 0x4000_0000 up as x32 numbers and returned the default action there.
#[test]
fn runc_stub_tests_bit_30_not_a_range() {
    use seccplay_core::analysis::data_of;
    use seccplay_core::bpf::interp;
    use seccplay_core::eval::{decide, Query};
    let text = r#"{"defaultAction":"SCMP_ACT_KILL_THREAD","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read"],"action":"SCMP_ACT_KILL"}]}"#;
    let a = analyze(text, &Context::docker(Arch::X86_64));
    let (db, p) = (a.database.unwrap(), a.program.unwrap());
    let enosys = 0x0005_0026;
    for (nr, want) in [
        (1u32, enosys),
        (0x3fff_ffff, enosys),
        (0x4000_0000, 0),
        (0x7fff_ffff, 0),
        (0x8000_0000, enosys),
        (0xbfff_ffff, enosys),
        (0xc000_0000, 0),
        (u32::MAX, 0),
    ] {
        let q = Query {
            audit_arch: Arch::X86_64.audit_arch(),
            nr,
            args: [0; 6],
            instruction_pointer: 0,
        };
        assert_eq!(decide(&db, &q).ret, want, "reference, nr {nr:#x}");
        let got = interp::run(&p.insns, &data_of(&q), Endian::Little).unwrap();
        assert_eq!(got, want, "program, nr {nr:#x}");
    }
}
