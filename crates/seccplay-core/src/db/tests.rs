//! Rule-database tests: the §2.5 outcome table, level ordering, 32-bit truncation,
//! socketcall multiplexing, and decisions through the reference evaluator.

use crate::action::{Action, RET_ALLOW};
use crate::arch::Arch;
use crate::context::{Context, Runtime};
use crate::db::build;
use crate::eval::{decide, Query, Source};
use crate::{profile, resolve};

const ERRNO1: u32 = 0x0005_0001;

fn db_for(text: &str, arches: &[&str]) -> Result<crate::db::Database, crate::diag::Failure> {
    let mut ctx = Context::docker(Arch::X86_64);
    ctx.enosys_stub = false;
    ctx.runtime = Runtime::Crun; // no stub, no flags: the plain libseccomp view
    let text = text.replace(
        "\"ARCHES\"",
        &arches
            .iter()
            .map(|a| format!("\"SCMP_ARCH_{}\"", a.to_uppercase()))
            .collect::<Vec<_>>()
            .join(","),
    );
    let p = profile::parse(&text).expect("profile parses").profile;
    let r = resolve::resolve(&p, &ctx)?;
    build(&r.policy.expect("a policy"))
}

fn q(arch: Arch, name: &str, args: [u64; 6]) -> Query {
    let nr = match crate::syscalls::resolve(arch, name) {
        crate::syscalls::Resolved::Number(n) => n,
        other => panic!("{name} on {arch}: {other:?}"),
    };
    Query {
        audit_arch: arch.audit_arch(),
        nr,
        args,
        instruction_pointer: 0,
    }
}

fn ret(db: &crate::db::Database, arch: Arch, name: &str, args: [u64; 6]) -> u32 {
    decide(db, &q(arch, name, args)).ret
}

fn profile_with(default: &str, rules: &str) -> String {
    format!(
        r#"{{"defaultAction": "{default}", "architectures": ["ARCHES"], "syscalls": [{rules}]}}"#
    )
}

#[test]
fn first_unconditional_rule_wins_and_discards_conditional_ones() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
           {"names":["read"],"action":"SCMP_ACT_LOG"},
           {"names":["read"],"action":"SCMP_ACT_KILL"},
           {"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}"#,
    );
    let db = db_for(&t, &["x86_64"]).unwrap();
    for a0 in [0, 1, 2] {
        assert_eq!(
            ret(&db, Arch::X86_64, "read", [a0, 0, 0, 0, 0, 0]),
            Action::Log.to_ret()
        );
    }
}

#[test]
fn an_extension_of_a_shorter_rule_is_dropped_and_the_reverse_conflicts() {
    let a = r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}"#;
    let b = r#"{"names":["read"],"action":"SCMP_ACT_TRAP","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]}"#;
    let db = db_for(
        &profile_with("SCMP_ACT_ERRNO", &format!("{a},{b}")),
        &["x86_64"],
    )
    .unwrap();
    assert_eq!(
        ret(&db, Arch::X86_64, "read", [1, 2, 0, 0, 0, 0]),
        RET_ALLOW
    );
    let err = db_for(
        &profile_with("SCMP_ACT_ERRNO", &format!("{b},{a}")),
        &["x86_64"],
    )
    .unwrap_err();
    let d = err.first_error().unwrap();
    assert_eq!(d.code, "rule-conflict");
    assert!(d.message.contains("EEXIST"), "{}", d.message);
}

#[test]
fn identical_conditions_with_different_actions_conflict() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
           {"names":["read"],"action":"SCMP_ACT_LOG","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}"#,
    );
    assert!(db_for(&t, &["x86_64"]).is_err());
}

#[test]
fn truncation_makes_rules_conflict_on_32_bit_abis_only() {
    let t = profile_with(
        "SCMP_ACT_KILL",
        r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
           {"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":4294967297,"op":"SCMP_CMP_EQ"}]}"#,
    );
    let db = db_for(&t, &["x86_64"]).unwrap();
    assert_eq!(
        ret(&db, Arch::X86_64, "read", [1, 0, 0, 0, 0, 0]),
        RET_ALLOW
    );
    assert_eq!(
        ret(&db, Arch::X86_64, "read", [0x1_0000_0001, 0, 0, 0, 0, 0]),
        ERRNO1
    );
    let e = db_for(&t, &["x86_64", "x86"]).unwrap_err();
    assert_eq!(e.first_error().unwrap().arch, Some(Arch::X86));
}

#[test]
fn thirty_two_bit_abis_compare_the_low_word() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967297,"op":"SCMP_CMP_LT"}]}"#,
    );
    let db = db_for(&t, &["x86_64", "x86"]).unwrap();
    // x86_64: a0 < 2^32+1 holds for 5; on x86 the datum is truncated to 1: 5 < 1 is false.
    assert_eq!(
        ret(&db, Arch::X86_64, "read", [5, 0, 0, 0, 0, 0]),
        RET_ALLOW
    );
    assert_eq!(ret(&db, Arch::X86, "read", [5, 0, 0, 0, 0, 0]), ERRNO1);
    assert_eq!(ret(&db, Arch::X86, "read", [0, 0, 0, 0, 0, 0]), RET_ALLOW);
    assert!(db
        .diagnostics
        .iter()
        .any(|d| d.code == "truncated-to-32-bits"));
}

#[test]
fn the_higher_argument_index_is_tested_first() {
    for order in [0, 1] {
        let r1 = r#"{"names":["read"],"action":"SCMP_ACT_TRAP","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}"#;
        let r2 = r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]}"#;
        let rules = if order == 0 {
            format!("{r1},{r2}")
        } else {
            format!("{r2},{r1}")
        };
        let db = db_for(&profile_with("SCMP_ACT_ERRNO", &rules), &["x86_64"]).unwrap();
        assert_eq!(
            ret(&db, Arch::X86_64, "read", [1, 2, 0, 0, 0, 0]),
            RET_ALLOW,
            "order {order}"
        );
        assert_eq!(
            ret(&db, Arch::X86_64, "read", [1, 3, 0, 0, 0, 0]),
            0x0003_0000
        );
    }
}

#[test]
fn docker_socket_rules_decide_like_the_or_of_the_rules() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":38,"op":"SCMP_CMP_LT"}]},
           {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":39,"op":"SCMP_CMP_EQ"}]},
           {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":40,"op":"SCMP_CMP_GT"}]}"#,
    );
    let db = db_for(&t, &["x86_64", "x86", "x32"]).unwrap();
    for a0 in [0u64, 2, 37, 38, 39, 40, 41, 0x1_0000_0000, u64::MAX] {
        let want = if a0 < 38 || a0 == 39 || a0 > 40 {
            RET_ALLOW
        } else {
            ERRNO1
        };
        assert_eq!(
            ret(&db, Arch::X86_64, "socket", [a0, 0, 0, 0, 0, 0]),
            want,
            "x86_64 a0={a0:#x}"
        );
        let lo = a0 as u32 as u64;
        let want32 = if lo < 38 || lo == 39 || lo > 40 {
            RET_ALLOW
        } else {
            ERRNO1
        };
        assert_eq!(
            ret(&db, Arch::X32, "socket", [a0, 0, 0, 0, 0, 0]),
            want32,
            "x32 a0={a0:#x}"
        );
        assert_eq!(
            ret(&db, Arch::X86, "socket", [a0, 0, 0, 0, 0, 0]),
            want32,
            "x86 a0={a0:#x}"
        );
    }
    // i386 socketcall(SYS_SOCKET, ...) is allowed whatever the family: the a0 filter is lost.
    assert_eq!(
        ret(&db, Arch::X86, "socketcall", [1, 0, 0, 0, 0, 0]),
        RET_ALLOW
    );
    assert_eq!(
        ret(&db, Arch::X86, "socketcall", [2, 0, 0, 0, 0, 0]),
        ERRNO1
    );
    assert!(db
        .diagnostics
        .iter()
        .any(|d| d.code == "multiplexer-overwrites-a0"));
}

#[test]
fn bad_arch_and_x32_numbers() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["read"],"action":"SCMP_ACT_ALLOW"}"#,
    );
    let db = db_for(&t, &["x86_64"]).unwrap();
    let mut query = q(Arch::X86_64, "read", [0; 6]);
    query.audit_arch = Arch::Aarch64.audit_arch();
    let d = decide(&db, &query);
    assert_eq!((d.ret, d.source), (0, Source::BadArch));
    query.audit_arch = Arch::X86_64.audit_arch();
    query.nr = 0x4000_0000;
    assert_eq!(decide(&db, &query).source, Source::WrongAbiNumber);
    query.nr = u32::MAX;
    assert_eq!(decide(&db, &query).ret, ERRNO1);
}

#[test]
fn masked_eq_with_a_zero_mask_is_unconditional() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"valueTwo":5,"op":"SCMP_CMP_MASKED_EQ"}]},
           {"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":2,"args":[{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]}"#,
    );
    let db = db_for(&t, &["x86_64"]).unwrap();
    assert_eq!(
        ret(&db, Arch::X86_64, "read", [7, 1, 0, 0, 0, 0]),
        RET_ALLOW
    );
}

#[test]
fn provenance_names_the_rule() {
    let t = profile_with(
        "SCMP_ACT_ERRNO",
        r#"{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
           {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]}"#,
    );
    let db = db_for(&t, &["x86_64"]).unwrap();
    let d = decide(&db, &q(Arch::X86_64, "write", [0; 6]));
    assert_eq!(
        d.source,
        Source::Rule {
            arch: Arch::X86_64,
            rule: 1,
            unconditional: true
        }
    );
    let d = decide(&db, &q(Arch::X86_64, "personality", [8, 0, 0, 0, 0, 0]));
    assert_eq!(
        d.source,
        Source::Rule {
            arch: Arch::X86_64,
            rule: 2,
            unconditional: false
        }
    );
    assert_eq!(d.steps.len(), 2);
    let d = decide(&db, &q(Arch::X86_64, "personality", [9, 0, 0, 0, 0, 0]));
    assert_eq!(
        d.source,
        Source::Default {
            arch: Arch::X86_64,
            had_rules: true
        }
    );
}
