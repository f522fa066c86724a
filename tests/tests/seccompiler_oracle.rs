//! Firecracker's filters: rust-vmm seccompiler 0.5 (`compile_from_json`, the compiler
//! Firecracker's format comes from) is the oracle. For every thread of every file, its BPF
//! and the program seccplay's pipeline compiles from its reading of the same file are run by
//! `bpf::interp` on the same queries — every syscall number of the target, with argument
//! values around each constant the file compares against (low and high halves varied) — and
//! must return the same action.

use seccompiler::TargetArch;
use seccplay_core::analysis::analyze;
use seccplay_core::arch::{Arch, Endian};
use seccplay_core::bpf::{interp, Insn, SeccompData};
use seccplay_core::context::Context;
use seccplay_core::frontend;
use std::path::PathBuf;

fn refdata(rel: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../refdata");
    let nested = root.join("refdata").join(rel);
    if nested.exists() {
        nested
    } else {
        root.join(rel)
    }
}

/// Firecracker's spelling → seccompiler 0.5's (`default_action` → `mismatch_action`, ...).
fn as_seccompiler(text: &str) -> String {
    text.replace("\"default_action\"", "\"mismatch_action\"")
        .replace("\"filter_action\"", "\"match_action\"")
}

/// Every constant the file compares with, and neighbours in both halves.
fn interesting_values(text: &str) -> Vec<u64> {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut out = vec![0, 1, u32::MAX as u64, u64::MAX, 1 << 32];
    let mut todo = vec![&v];
    while let Some(n) = todo.pop() {
        match n {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if let (true, Some(u)) = (k == "val" || k == "masked_eq", x.as_u64()) {
                        out.extend([u, u ^ 1, u + 1, u | 1 << 32, u | 0xdead << 40, !u & 0xf]);
                    }
                    todo.push(x);
                }
            }
            serde_json::Value::Array(a) => todo.extend(a),
            _ => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn seccompiler_and_seccplay_decide_alike_on_firecrackers_filters() {
    let mut compared = 0u64;
    for (file, arch, target) in [
        (
            "firecracker/x86_64-unknown-linux-musl.json",
            Arch::X86_64,
            TargetArch::x86_64,
        ),
        (
            "firecracker/aarch64-unknown-linux-musl.json",
            Arch::Aarch64,
            TargetArch::aarch64,
        ),
        (
            "firecracker/unimplemented.json",
            Arch::X86_64,
            TargetArch::x86_64,
        ),
    ] {
        let text = std::fs::read_to_string(refdata(file)).unwrap();
        let oracle = seccompiler::compile_from_json(as_seccompiler(&text).as_bytes(), target)
            .unwrap_or_else(|e| panic!("{file}: seccompiler: {e}"));
        let values = interesting_values(&text);
        let input = frontend::read(&text, None).unwrap();
        assert_eq!(input.policies.len(), oracle.len(), "{file}");
        let mut ctx = Context::docker(arch);
        ctx.enosys_stub = false;
        for p in &input.policies {
            let theirs: Vec<Insn> = oracle[&p.name]
                .iter()
                .map(|f| Insn {
                    code: f.code,
                    jt: f.jt,
                    jf: f.jf,
                    k: f.k,
                })
                .collect();
            let a = analyze(&frontend::write_docker(&p.parsed.profile), &ctx);
            assert!(!a.failed(), "{file} {}: {:?}", p.name, a.first_error());
            let ours = &a.program.as_ref().expect("compiled").insns;
            let mut seed = 0x9e37_79b9_7f4a_7c15u64;
            let mut next = || {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed
            };
            for nr in 0..512u32 {
                for q in 0..24 {
                    let mut args = [0u64; 6];
                    for a in &mut args {
                        *a = if q == 0 {
                            0
                        } else {
                            values[(next() % values.len() as u64) as usize]
                        };
                    }
                    let data = SeccompData {
                        nr,
                        arch: arch.audit_arch(),
                        instruction_pointer: 0,
                        args,
                    };
                    let want = interp::run(&theirs, &data, Endian::Little).unwrap();
                    let got = interp::run(ours, &data, Endian::Little).unwrap();
                    assert_eq!(
                        got, want,
                        "{file} thread {}: nr {nr} args {args:x?}: seccplay {got:#x}, seccompiler {want:#x}",
                        p.name
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 100_000, "{compared}");
    eprintln!("{compared} decisions compared");
}
