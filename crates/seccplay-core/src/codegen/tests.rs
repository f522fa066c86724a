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

/// Many equality tests of one word (compiled as a binary search over the values) mixed with
/// other comparisons, a repeated value, masked values and 64-bit values: every value, its
/// neighbours and values that differ only in the high word decide as the database does.
#[test]
fn equality_searches_decide_like_the_database() {
    let eq = |v: u64| {
        format!(
            r#"{{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{{"index":0,"value":{v},"op":"SCMP_CMP_EQ"}}]}}"#
        )
    };
    let mut rules: Vec<String> = [0u64, 8, 0x20000, 0x20008, 0xffff_ffff, 8, 3, 0x1_0000_0003]
        .iter()
        .map(|&v| eq(v))
        .collect();
    rules.push(r#"{"names":["personality"],"action":"SCMP_ACT_TRAP","args":[{"index":0,"value":100,"op":"SCMP_CMP_GT"}]}"#.into());
    rules.extend([11u64, 12, 13, 14, 15].iter().map(|&v| {
        format!(r#"{{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","errnoRet":{v},"args":[{{"index":1,"value":{v},"op":"SCMP_CMP_EQ"}}]}}"#)
    }));
    rules.extend([1u64, 2, 4, 8].iter().map(|&v| {
        format!(r#"{{"names":["ioctl"],"action":"SCMP_ACT_LOG","args":[{{"index":1,"value":12,"op":"SCMP_CMP_MASKED_EQ","valueTwo":{v}}}]}}"#)
    }));
    let text = format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{}]}}"#,
        rules.join(",")
    );
    let database = build(&text, &Context::docker(Arch::X86_64));
    let c = compile(&database).unwrap();
    verify::verify(&c.insns).unwrap();
    let mut vals = Vec::new();
    for v in [
        0u64,
        3,
        8,
        11,
        12,
        13,
        14,
        15,
        100,
        0x20000,
        0x20008,
        0xffff_ffff,
    ] {
        for d in [
            v.wrapping_sub(1),
            v,
            v + 1,
            v | 1 << 32,
            v | 0xffff_ffff_0000_0000,
        ] {
            vals.push(d);
        }
    }
    for nr in [16u32, 135] {
        for &a in &vals {
            for q in [[a, 0, 0, 0, 0, 0], [0, a, 0, 0, 0, 0], [a, a, 0, 0, 0, 0]] {
                agree(
                    &database,
                    Query {
                        audit_arch: Arch::X86_64.audit_arch(),
                        nr,
                        args: q,
                        instruction_pointer: 0,
                    },
                );
            }
        }
    }
}

/// Docker's default profile (the preset's text).
fn docker_text() -> &'static str {
    let crate::presets::PresetKind::Profile(text) = crate::presets::get("docker").unwrap().kind
    else {
        panic!("the docker preset is a profile");
    };
    text
}

/// Instructions `insns` executes for syscall `nr` of `arch` with zero arguments.
fn usual_steps(insns: &[crate::bpf::Insn], arch: Arch, nr: u32) -> usize {
    let data = SeccompData::new(nr, arch.audit_arch(), [0; 6]);
    interp::run_counted(insns, &data, arch.endian()).unwrap().1
}

/// The search keeps the usual call within budget: in Docker's preset, every syscall of the
/// filter's own ABI (x86_64 in the amd64 context, aarch64 in arm64's) executes at most
/// `MAX_USUAL_PATH` instructions with zero arguments — argument-checked ones (socket,
/// personality, clone) included — and no argument-checked syscall of another ABI of the
/// x86_64 block (x32) is slower with zero arguments than the slowest plain one of the block.
#[test]
fn usual_calls_fit_the_path_budget() {
    let text = docker_text();
    for native in [Arch::X86_64, Arch::Aarch64] {
        let database = build(text, &Context::docker(native));
        let c = compile(&database).unwrap();
        let mut checked = 0;
        for (_, nr) in crate::syscalls::syscalls(native) {
            let steps = usual_steps(&c.insns, native, nr);
            assert!(
                steps <= super::MAX_USUAL_PATH,
                "{native:?} nr {nr}: {steps} instructions > {}",
                super::MAX_USUAL_PATH
            );
            let adb = &database.dbs[0];
            checked += adb.syscalls.get(&nr).is_some_and(|s| s.action.is_none()) as usize;
        }
        assert!(
            checked >= 2,
            "{native:?}: argument-checked syscalls were tested"
        );
    }
    let database = build(text, &Context::docker(Arch::X86_64));
    let c = compile(&database).unwrap();
    let (mut plain, mut checked) = (0, 0);
    for adb in database
        .dbs
        .iter()
        .filter(|d| d.arch.audit_arch() == Arch::X86_64.audit_arch())
    {
        for (_, nr) in crate::syscalls::syscalls(adb.arch) {
            let steps = usual_steps(&c.insns, adb.arch, nr);
            if adb.syscalls.get(&nr).is_some_and(|s| s.action.is_none()) {
                if adb.arch == Arch::X32 {
                    checked = checked.max(steps);
                }
            } else {
                plain = plain.max(steps);
            }
        }
    }
    assert!(checked > 0 && plain > 0);
    assert!(
        checked <= plain,
        "slowest argument-checked x32 syscall {checked} > slowest plain one {plain}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// A rebalancing round that redoes only the intervals holding a reweighted range plans
    /// exactly what a plan from scratch does (integer weights: no rounding to differ by).
    #[test]
    fn incremental_plans_equal_plans_from_scratch(
        seed in any::<u64>(),
        changes in prop::collection::vec((any::<prop::sample::Index>(), 1u32..6), 1..5),
    ) {
        use super::{group_ranges, DpTables, NumberModel, SearchPlan};
        let text = docker_text();
        let database = build(text, &Context::docker(Arch::X86_64));
        let ranges = group_ranges(&database, Arch::X86_64.audit_arch());
        let members: Vec<&db::ArchDb> = database.dbs.iter().filter(|d| d.arch.audit_arch() == Arch::X86_64.audit_arch()).collect();
        let mut rng = crate::invariants::Rng::new(seed);
        let mut weights: Vec<u64> = NumberModel::new(&members)
            .weights(&ranges)
            .iter()
            .map(|&w| w + rng.below(100))
            .collect();
        let mut tables = DpTables::new(ranges.len());
        SearchPlan::new(&ranges, &weights, &mut tables, None);
        let mut changed = vec![false; ranges.len()];
        for (at, shift) in changes {
            let r = at.index(ranges.len());
            weights[r] <<= shift;
            changed[r] = true;
        }
        let incremental = SearchPlan::new(&ranges, &weights, &mut tables, Some(&changed));
        let mut fresh_tables = DpTables::new(ranges.len());
        let fresh = SearchPlan::new(&ranges, &weights, &mut fresh_tables, None);
        prop_assert_eq!(&incremental.nodes, &fresh.nodes);
        let cells = (ranges.len() + 1) * (ranges.len() + 1);
        prop_assert_eq!(&tables.cost[..cells], &fresh_tables.cost[..cells]);
    }
}

/// The planner's tables outlive a compilation (kept per thread): whatever they hold, a first
/// plan must be the plan fresh tables give.
#[test]
fn first_plans_do_not_depend_on_what_the_tables_held() {
    use super::{group_ranges, DpTables, NumberModel, SearchPlan};
    let database = build(docker_text(), &Context::docker(Arch::X86_64));
    let audit = Arch::X86_64.audit_arch();
    let ranges = group_ranges(&database, audit);
    let members: Vec<&db::ArchDb> = database
        .dbs
        .iter()
        .filter(|d| d.arch.audit_arch() == audit)
        .collect();
    let weights = NumberModel::new(&members).weights(&ranges);
    let mut fresh = DpTables::new(ranges.len());
    let want = SearchPlan::new(&ranges, &weights, &mut fresh, None);
    let mut rng = crate::invariants::Rng::new(7);
    let mut dirty = DpTables::new(ranges.len() + 3);
    for c in dirty.cost.iter_mut() {
        *c = rng.below(1 << 40);
    }
    for (s, c) in dirty.split.iter_mut().zip(dirty.choice.iter_mut()) {
        *s = rng.below(ranges.len() as u64 + 2) as u32;
        *c = if rng.below(2) == 0 { super::LEAF } else { *s };
    }
    let got = SearchPlan::new(&ranges, &weights, &mut dirty, None);
    assert_eq!(got.nodes, want.nodes);
    // And through `compile`, which reuses the thread's tables: arm64 in between changes them.
    let first = super::digest(&compile(&database).unwrap());
    compile(&build(docker_text(), &Context::docker(Arch::Aarch64))).unwrap();
    assert_eq!(super::digest(&compile(&database).unwrap()), first);
}

proptest! {
    /// `args::SmallMap` reads, compares and orders as the `BTreeMap` it replaced (the argument
    /// compiler's memo keys, which hold two of them, keep their order).
    #[test]
    fn small_map_is_ordered_as_a_btree_map(
        a in proptest::collection::vec((0u32..6, 0u32..4), 0..8),
        b in proptest::collection::vec((0u32..6, 0u32..4), 0..8),
    ) {
        use crate::codegen::args::SmallMap;
        use std::collections::BTreeMap;
        let small = |v: &[(u32, u32)]| {
            let mut m = SmallMap::default();
            for &(k, x) in v {
                m.insert(k, x);
            }
            m
        };
        let btree = |v: &[(u32, u32)]| v.iter().copied().collect::<BTreeMap<u32, u32>>();
        let (sa, sb, ba, bb) = (small(&a), small(&b), btree(&a), btree(&b));
        prop_assert_eq!(sa.cmp(&sb), ba.cmp(&bb));
        prop_assert_eq!(sa == sb, ba == bb);
        for k in 0..6 {
            prop_assert_eq!(sa.get(&k), ba.get(&k));
        }
    }
}
