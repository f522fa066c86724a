//! The real kernel accepts every program seccplay compiles, and refuses invalid programs with
//! exactly the errno `bpf::verify` predicts.
//!
//! Corpus: the real profiles of the repository's `refdata/` (Docker's current default, its 2020 version
//! and the old-format fixture; Podman's two; the Security Profiles Operator's two) in Docker
//! amd64 contexts (default capabilities and `+CAP_SYS_ADMIN`, runc and crun), and 50 generated
//! profiles. Each program is installed with `seccomp(SECCOMP_SET_MODE_FILTER, 0, ..)` in a
//! forked child (`seccplay_conformance::kernel`).

use seccplay_conformance::kernel::{self, Outcome};
use seccplay_conformance::random_profile::random_profile;
use seccplay_conformance::refdata;
use seccplay_core::arch::Arch;
use seccplay_core::bpf::insn::*;
use seccplay_core::bpf::verify::verify;
use seccplay_core::bpf::Insn;
use seccplay_core::context::{Context, Runtime};
use seccplay_core::{codegen, db, profile, resolve};
use std::sync::mpsc;
use std::time::Duration;

const PROFILES: &[&str] = &[
    "profiles/docker/default.json",
    "profiles/docker/default-2020-11-11-f7bcb02f.json",
    "profiles/docker/fixture-default-old-format.json",
    "profiles/podman/container-libs-seccomp.json",
    "profiles/podman/containers-common-seccomp.json",
    "profiles/security-profiles-operator/security-profiles-operator.json",
    "profiles/security-profiles-operator/bpf-recorder.json",
];

const SMALL_PROFILES: &[&str] = &["profiles/docker/fixture-conditional_include.json"];

/// A small profile with argument conditions of every operator (no long jumps needed).
const INLINE_PROFILE: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    {"names": ["read", "write", "close", "exit_group"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 97,
     "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]},
    {"names": ["mmap"], "action": "SCMP_ACT_TRAP",
     "args": [{"index": 2, "value": 7, "op": "SCMP_CMP_GE"},
              {"index": 3, "value": 4294967296, "op": "SCMP_CMP_LT"}]},
    {"names": ["kill"], "action": "SCMP_ACT_KILL_PROCESS",
     "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_GT"}]},
    {"names": ["getpid"], "action": "SCMP_ACT_LOG",
     "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_LE"}]}
  ]
}"#;

fn context(sys_admin: bool, runtime: Runtime) -> Context {
    let add: &[&str] = if sys_admin { &["CAP_SYS_ADMIN"] } else { &[] };
    let mut c = Context::docker(Arch::X86_64)
        .with_caps(add, &[] as &[&str], false)
        .unwrap();
    c.runtime = runtime;
    c
}

/// How long one compilation may take (it takes milliseconds) before the test gives up.
const COMPILE_TIMEOUT: Duration = Duration::from_secs(20);

/// [`compile_now`] on a helper thread, failing the test if it does not finish in time (a
/// non-terminating compiler must fail the test, not hang it; the stuck thread ends with the
/// test process).
fn compile(what: &str, text: &str, ctx: &Context) -> Result<Option<Vec<Insn>>, String> {
    let (tx, rx) = mpsc::channel();
    let (text, ctx2) = (text.to_string(), ctx.clone());
    std::thread::spawn(move || {
        let _ = tx.send(compile_now(&text, &ctx2));
    });
    rx.recv_timeout(COMPILE_TIMEOUT).unwrap_or_else(|_| {
        panic!("{what}: parse/resolve/build/compile did not finish within {COMPILE_TIMEOUT:?}")
    })
}

/// parse → resolve → build → compile; `Ok(None)` when the container runs unconfined.
fn compile_now(text: &str, ctx: &Context) -> Result<Option<Vec<Insn>>, String> {
    let parsed = profile::parse(text).map_err(|e| format!("parse: {e}"))?;
    let res = resolve::resolve(&parsed.profile, ctx).map_err(|e| format!("resolve: {e}"))?;
    let Some(policy) = res.policy else {
        return Ok(None);
    };
    let database = db::build(&policy).map_err(|e| format!("build: {e}"))?;
    let compiled = codegen::compile(&database).map_err(|e| format!("compile: {e}"))?;
    Ok(Some(compiled.insns))
}

fn assert_accepted(what: &str, prog: &[Insn]) {
    verify(prog).unwrap_or_else(|e| panic!("{what}: seccplay's verifier refuses it: {e:?}"));
    match kernel::install(prog) {
        Outcome::Ran { .. } => {}
        other => panic!(
            "{what}: the kernel did not accept the {}-instruction program: {other:?}",
            prog.len()
        ),
    }
}

/// Small real profiles, whose programs need no long jumps.
#[test]
fn kernel_accepts_compiled_small_profiles() {
    if !kernel::kernel_or_skip("kernel_accepts_compiled_small_profiles") {
        return;
    }
    assert_eq!(
        compile_and_install(SMALL_PROFILES),
        SMALL_PROFILES.len() * 4
    );
    for runtime in [Runtime::Runc, Runtime::Crun] {
        let what = format!("inline profile ({})", runtime.name());
        let prog = compile(&what, INLINE_PROFILE, &context(false, runtime))
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .unwrap();
        assert!(prog.len() > 40, "{what}: only {} instructions", prog.len());
        assert_accepted(&what, &prog);
    }
}

#[test]
fn kernel_accepts_compiled_real_profiles() {
    if !kernel::kernel_or_skip("kernel_accepts_compiled_real_profiles") {
        return;
    }
    assert_eq!(compile_and_install(PROFILES), PROFILES.len() * 4);
}

/// Compiles every profile in the four amd64 contexts and installs it; returns the count.
fn compile_and_install(profiles: &[&str]) -> usize {
    let mut installed = 0;
    for rel in profiles {
        let text = refdata::read_refdata(rel).unwrap();
        for sys_admin in [false, true] {
            for runtime in [Runtime::Runc, Runtime::Crun] {
                let ctx = context(sys_admin, runtime);
                let what = format!(
                    "{rel} (amd64, {}{})",
                    runtime.name(),
                    if sys_admin { ", +CAP_SYS_ADMIN" } else { "" }
                );
                let prog = compile(&what, &text, &ctx)
                    .unwrap_or_else(|e| panic!("{what}: {e}"))
                    .unwrap_or_else(|| panic!("{what}: unexpectedly unconfined"));
                assert_accepted(&what, &prog);
                installed += 1;
            }
        }
    }
    installed
}

#[test]
fn kernel_accepts_compiled_random_profiles() {
    if !kernel::kernel_or_skip("kernel_accepts_compiled_random_profiles") {
        return;
    }
    let (mut installed, mut refused) = (0, 0);
    for seed in 0..64u64 {
        let text = random_profile(seed).to_string();
        let runtime = if seed % 2 == 0 {
            Runtime::Runc
        } else {
            Runtime::Crun
        };
        let ctx = context(seed % 3 == 0, runtime);
        match compile(&format!("random profile {seed}"), &text, &ctx) {
            Ok(Some(prog)) => {
                assert_accepted(&format!("random profile {seed}"), &prog);
                installed += 1;
            }
            Ok(None) => {}
            Err(_) => refused += 1, // seccplay refuses it: nothing to install
        }
    }
    assert!(
        installed >= 40,
        "only {installed} generated profiles compiled ({refused} refused)"
    );
}

/// Programs the kernel must refuse, and the errno `verify` must predict for each.
fn invalid_programs() -> Vec<(&'static str, Vec<Insn>)> {
    let allow = Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000);
    let ld = |k| Insn::stmt(BPF_LD | BPF_W | BPF_ABS, k);
    vec![
        ("4097 instructions", vec![allow; 4097]),
        ("no ret at the end", vec![ld(0)]),
        (
            "ends with an ALU op",
            vec![ld(0), Insn::stmt(BPF_ALU | BPF_ADD | BPF_K, 1)],
        ),
        ("empty", vec![]),
        (
            "div #0",
            vec![Insn::stmt(BPF_ALU | BPF_DIV | BPF_K, 0), allow],
        ),
        (
            "lsh #32",
            vec![Insn::stmt(BPF_ALU | BPF_LSH | BPF_K, 32), allow],
        ),
        (
            "mod (not in seccomp's list)",
            vec![Insn::stmt(BPF_ALU | BPF_MOD | BPF_K, 3), allow],
        ),
        ("ld [64]", vec![ld(64), allow]),
        ("ld [2] (unaligned)", vec![ld(2), allow]),
        (
            "ldh [0]",
            vec![Insn::stmt(BPF_LD | BPF_H | BPF_ABS, 0), allow],
        ),
        (
            "ld [x+0]",
            vec![Insn::stmt(BPF_LD | BPF_W | BPF_IND, 0), allow],
        ),
        (
            "ja past the end",
            vec![Insn::stmt(BPF_JMP | BPF_JA, 1), allow],
        ),
        (
            "jeq jt past the end",
            vec![Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), allow],
        ),
        (
            "ld M[0] unwritten",
            vec![Insn::stmt(BPF_LD | BPF_MEM, 0), allow],
        ),
        (
            "ld M[3] written on one path only",
            vec![
                ld(0),
                Insn::jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
                Insn::stmt(BPF_ST, 3),
                Insn::stmt(BPF_LD | BPF_MEM, 3),
                allow,
            ],
        ),
        ("st M[16]", vec![Insn::stmt(BPF_ST, 16), allow]),
        ("unknown opcode 0xff", vec![Insn::stmt(0xff, 0), allow]),
    ]
}

#[test]
fn kernel_refuses_invalid_programs_as_verify_predicts() {
    if !kernel::kernel_or_skip("kernel_refuses_invalid_programs_as_verify_predicts") {
        return;
    }
    let mut failures = Vec::new();
    for (what, prog) in invalid_programs() {
        let predicted = verify(&prog)
            .err()
            .unwrap_or_else(|| panic!("{what}: verify accepts it"));
        match kernel::install(&prog) {
            Outcome::Refused(e) if e == predicted.errno.number() => {}
            other => failures.push(format!(
                "{what}: verify predicts {} ({:?}), the kernel: {other:?}",
                predicted.errno.name(),
                predicted.rule
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kernel_accepts_the_longest_program() {
    if !kernel::kernel_or_skip("kernel_accepts_the_longest_program") {
        return;
    }
    let prog = vec![Insn::stmt(BPF_RET | BPF_K, 0x7fff_0000); 4096];
    assert_accepted("4096 instructions", &prog);
}
