//! The compiler agrees with the reference evaluator; programs pass the verifier.

use crate::arch::Arch;
use crate::bpf::data::SeccompData;
use crate::bpf::{interp, verify};
use crate::codegen::compile;
use crate::context::Context;
use crate::eval::{decide, Query};
use crate::{db, profile, resolve};
use proptest::prelude::*;

fn build(text: &str, ctx: &Context) -> db::Database {
    let p = profile::parse(text).unwrap().profile;
    let r = resolve::resolve(&p, ctx).unwrap();
    db::build(&r.policy.unwrap()).unwrap()
}

fn agree(database: &db::Database, q: Query) {
    let c = compile(database).unwrap();
    let data = SeccompData::new(q.nr, q.audit_arch, q.args);
    let got = interp::run(&c.insns, &data, c.arch.endian()).unwrap();
    let want = decide(database, &q).ret;
    assert_eq!(got, want, "{q:x?}");
}

const SMALL: &str = r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32"],
 "syscalls":[{"names":["read","write","close"],"action":"SCMP_ACT_ALLOW"},
  {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_LT"}]},
  {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":39,"op":"SCMP_CMP_EQ"}]},
  {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_GT"}]},
  {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]},
  {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
  {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]},
  {"names":["mmap"],"action":"SCMP_ACT_TRAP","args":[{"index":2,"value":4,"op":"SCMP_CMP_MASKED_EQ","valueTwo":4},{"index":0,"value":4294967296,"op":"SCMP_CMP_GE"}]}]}"#;

#[test]
fn small_profile_compiles_verifies_and_agrees() {
    let ctx = Context::docker(Arch::X86_64);
    let database = build(SMALL, &ctx);
    let c = compile(&database).unwrap();
    verify::verify(&c.insns).unwrap();
    let vals = [
        0u64,
        1,
        4,
        37,
        38,
        39,
        40,
        41,
        0x7E02_0000,
        0x1000_0000,
        0xffff_ffff,
        0x1_0000_0000,
        0x1_0000_0004,
        u64::MAX,
    ];
    for audit in [
        Arch::X86_64.audit_arch(),
        Arch::X86.audit_arch(),
        Arch::Aarch64.audit_arch(),
    ] {
        for nr in (0..500u32)
            .chain(0x4000_0000..0x4000_0230)
            .chain([u32::MAX, 0x8000_0000])
        {
            for &a0 in &vals[..3] {
                agree(
                    &database,
                    Query {
                        audit_arch: audit,
                        nr,
                        args: [a0, 0, 4, 0, 0, 0],
                        instruction_pointer: 0,
                    },
                );
            }
        }
        for nr in [9u32, 41, 56, 135, 102, 359, 0x4000_0029] {
            for &a0 in &vals {
                for &a2 in &vals {
                    agree(
                        &database,
                        Query {
                            audit_arch: audit,
                            nr,
                            args: [a0, 0, a2, 0, 0, 0],
                            instruction_pointer: 0,
                        },
                    );
                }
            }
        }
    }
}

fn arb_profile() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "read",
        "write",
        "socket",
        "personality",
        "clone",
        "mmap",
        "ioctl",
        "getpid",
        "socketcall",
    ]);
    let op = prop::sample::select(vec![
        "SCMP_CMP_EQ",
        "SCMP_CMP_NE",
        "SCMP_CMP_LT",
        "SCMP_CMP_LE",
        "SCMP_CMP_GT",
        "SCMP_CMP_GE",
        "SCMP_CMP_MASKED_EQ",
    ]);
    let val = prop::sample::select(vec![
        0u64,
        1,
        2,
        5,
        38,
        0xffff_ffff,
        0x1_0000_0000,
        0x1_0000_0005,
        u64::MAX,
    ]);
    let action = prop::sample::select(vec![
        r#""SCMP_ACT_ALLOW""#,
        r#""SCMP_ACT_TRAP""#,
        r#""SCMP_ACT_ERRNO","errnoRet":3"#,
        r#""SCMP_ACT_LOG""#,
    ]);
    let cond = (0u8..3, op, val.clone(), val);
    let rule = (names, action, prop::collection::vec(cond, 0..3));
    prop::collection::vec(rule, 1..8).prop_map(|rules| {
        let rs: Vec<String> = rules
            .into_iter()
            .map(|(n, a, conds)| {
                let cs: Vec<String> = conds
                    .into_iter()
                    .map(|(i, o, v, v2)| format!(r#"{{"index":{i},"op":"{o}","value":{v},"valueTwo":{v2}}}"#))
                    .collect();
                format!(r#"{{"names":["{n}"],"action":{a},"args":[{}]}}"#, cs.join(","))
            })
            .collect();
        format!(
            r#"{{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{}]}}"#,
            rs.join(",")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn compiled_programs_decide_like_the_database(text in arb_profile(), args in prop::array::uniform6(prop::sample::select(vec![0u64, 1, 2, 5, 6, 38, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0005, u64::MAX]))) {
        let p = profile::parse(&text).unwrap().profile;
        let r = resolve::resolve(&p, &Context::docker(Arch::X86_64)).unwrap();
        let Ok(database) = db::build(&r.policy.unwrap()) else { return Ok(()); };
        let c = compile(&database).unwrap();
        prop_assert!(verify::verify(&c.insns).is_ok());
        for audit in [Arch::X86_64.audit_arch(), Arch::X86.audit_arch()] {
            for nr in [0u32, 1, 3, 4, 9, 16, 39, 41, 54, 56, 90, 102, 135, 136, 192, 359, 1000] {
                let q = Query { audit_arch: audit, nr, args, instruction_pointer: 0 };
                let data = SeccompData::new(nr, audit, args);
                let got = interp::run(&c.insns, &data, c.arch.endian()).unwrap();
                prop_assert_eq!(got, decide(&database, &q).ret, "{:x?}", q);
            }
        }
    }
}
