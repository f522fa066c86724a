//! Golden programs: Docker's default profile compiled in Docker's contexts must give exactly
//! the committed bytes (determinism), pass the kernel's verifier, decide like the reference
//! evaluator, and survive disassembly → assembly unchanged.
//! `UPDATE_GOLDEN=1 cargo test -p seccplay-conformance --test golden` rewrites the files.

use seccplay_conformance::refdata;
use seccplay_core::arch::Arch;
use seccplay_core::bpf::{asm, disasm, format, insn, interp, verify, SeccompData};
use seccplay_core::context::Context;
use seccplay_core::eval::{decide, Query};
use seccplay_core::{codegen, db, profile, resolve};

fn check(name: &str, host: Arch) {
    let text = refdata::read_refdata("profiles/docker/default.json").unwrap();
    let p = profile::parse(&text).unwrap().profile;
    let database = db::build(
        &resolve::resolve(&p, &Context::docker(host))
            .unwrap()
            .policy
            .unwrap(),
    )
    .unwrap();
    let c = codegen::compile(&database).unwrap();
    verify::verify(&c.insns).unwrap();
    let hex = String::from_utf8(format::export(
        &c.insns,
        format::ExportFormat::Hex,
        c.arch.endian(),
    ))
    .unwrap();
    let path = format!("{}/golden/{name}.hex", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &hex).unwrap();
    }
    let want = std::fs::read_to_string(&path).expect("golden file (UPDATE_GOLDEN=1 creates it)");
    assert_eq!(hex, want, "{name}: the compiled program changed");
    // Round trip through the plain disassembly.
    assert_eq!(asm::assemble(&disasm::plain(&c.insns)).unwrap(), c.insns);
    // Decisions on every syscall number of every ABI of the filter (and a bad ABI).
    let mut audits: Vec<u32> = database.dbs.iter().map(|d| d.arch.audit_arch()).collect();
    audits.push(Arch::S390x.audit_arch());
    for audit in audits {
        for nr in (0..1100u32)
            .chain(0x4000_0000..0x4000_0240)
            .chain([u32::MAX])
        {
            for a0 in [0u64, 8, 38, 0x1000_0000, 0xffff_ffff] {
                let args = [a0, 0, 0, 0, 0, 0];
                let q = Query {
                    audit_arch: audit,
                    nr,
                    args,
                    instruction_pointer: 0,
                };
                let got = interp::run(
                    &c.insns,
                    &SeccompData::new(nr, audit, args),
                    c.arch.endian(),
                )
                .unwrap();
                assert_eq!(got, decide(&database, &q).ret, "{name}: {q:x?}");
            }
        }
    }
    let _ = insn::encode(&c.insns, c.arch.endian());
}

#[test]
fn docker_default_amd64() {
    check("docker-default-amd64", Arch::X86_64);
}

#[test]
fn docker_default_arm64() {
    check("docker-default-arm64", Arch::Aarch64);
}
