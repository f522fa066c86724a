//! End-to-end tests of the libseccomp reference harness, the PFC evaluator and the test
//! cBPF interpreter, against real libseccomp 2.5.4 (python3-seccomp).

use serde_json::{json, Value};

use seccplay_conformance::libseccomp::{self, Built, Reference, DOCKER_DEFAULT_CAPS};
use seccplay_conformance::pfc::{self, action_name};
use seccplay_conformance::queries::{systematic_queries, Query};
use seccplay_conformance::random_profile::random_profile;
use seccplay_conformance::refdata;

const X86_64: u32 = 0xC000_003E;
const X86: u32 = 0x4000_0003;
const AARCH64: u32 = 0xC000_00B7;
const ARM: u32 = 0x4000_0028;
const ALLOW: u32 = 0x7fff_0000;
const KILL: u32 = 0;

fn errno(n: u32) -> u32 {
    0x0005_0000 | n
}

fn docker_default() -> Value {
    let text = refdata::read_refdata("profiles/docker/default.json").unwrap();
    serde_json::from_str(&text).expect("default.json parses")
}

fn args(a0: u64) -> [u64; 6] {
    [a0, 0, 0, 0, 0, 0]
}

/// Both the rule database (PFC) and libseccomp's BPF give `want`.
#[track_caller]
fn expect(b: &Built, arch: u32, nr: u32, a: [u64; 6], want: u32) {
    let pfc = b.decide(arch, nr, a);
    let bpf = b.run_bpf(arch, nr, a).expect("BPF runs");
    assert_eq!(
        (action_name(pfc), action_name(bpf)),
        (action_name(want), action_name(want)),
        "arch {arch:#x} nr {nr} args {a:x?}"
    );
}

/// Every query: PFC decision == BPF result. Returns the number of queries.
fn agree_everywhere(b: &Built, queries: &[Query]) -> usize {
    let mut bad = Vec::new();
    for q in queries {
        let pfc = b.decide(q.arch, q.nr, q.args);
        let bpf = b.run_bpf(q.arch, q.nr, q.args).expect("BPF runs");
        if pfc != bpf {
            bad.push(format!(
                "{q:x?}: pfc {} bpf {}",
                action_name(pfc),
                action_name(bpf)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} disagreements, e.g. {:?}",
        bad.len(),
        &bad[..bad.len().min(5)]
    );
    queries.len()
}

#[test]
fn docker_default_amd64_runc_and_crun() {
    if !libseccomp::require("docker_default_amd64_runc_and_crun") {
        return;
    }
    let profile = docker_default();
    let reqs: Vec<Value> = ["runc", "crun"]
        .iter()
        .map(|rt| libseccomp::request(&profile, "x86_64", "amd64", DOCKER_DEFAULT_CAPS, "6.1", rt))
        .collect();
    let answers = libseccomp::reference_batch(&reqs).expect("harness runs");
    let (runc, crun) = (
        answers[0].built().expect("runc builds"),
        answers[1].built().expect("crun builds"),
    );
    for (b, opt) in [(runc, 2), (crun, 1)] {
        assert_eq!(b.arches, ["x86_64", "x86", "x32"]);
        assert_eq!(b.optimize, opt);
        assert_eq!(b.default_action, errno(1));
        assert!(
            b.skipped
                .iter()
                .any(|s| s.name == "mseal" && s.why == "unknown"),
            "{:?}",
            b.skipped
        );
        let names: Vec<&str> = b.pfc.arches.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["x86_64", "x86", "x32"]);
        assert_eq!(b.pfc.bad_arch_action, KILL);
        // §2.7 observations
        expect(b, X86_64, 41, args(2), ALLOW); // socket(AF_INET)
        expect(b, X86_64, 41, args(38), errno(1)); // socket(AF_ALG)
        expect(b, X86_64, 41, args(40), errno(1)); // socket(AF_VSOCK)
        expect(b, X86_64, 135, args(0xffff_ffff), ALLOW); // personality
        expect(b, X86_64, 135, args(0x1_ffff_ffff), errno(1));
        expect(b, X86_64, 56, args(0x1000_0000), errno(1)); // clone(CLONE_NEWUSER)
        expect(b, X86_64, 56, args(0x11), ALLOW);
        expect(b, X86_64, 435, args(0), errno(38)); // clone3 → ENOSYS
        expect(b, X86_64, 999, args(0), errno(1));
        expect(b, X86_64, 0x4000_0000, args(0), ALLOW); // x32 read
        expect(b, X86_64, 0xffff_ffff, args(0), errno(1));
        expect(b, X86, 102, args(1), ALLOW); // i386 socketcall: allowed outright
        expect(b, AARCH64, 63, args(0), KILL); // bad arch
    }
    // the PFC lists pseudo syscalls (2.5.4 prints them unsigned) that BPF never emits
    let x86_64 = runc.pfc.arch("x86_64").unwrap();
    assert!(
        x86_64.syscalls.iter().any(|s| s.pseudo),
        "expected pseudo syscalls in the x86_64 PFC block"
    );
    assert!(
        x86_64.bintree_tests > 0,
        "runc (optimize 2) prints a binary tree"
    );
    assert_eq!(crun.pfc.arch("x86_64").unwrap().bintree_tests, 0);
}

#[test]
fn docker_default_pfc_and_bpf_agree_on_all_queries() {
    if !libseccomp::require("docker_default_pfc_and_bpf_agree_on_all_queries") {
        return;
    }
    let profile = docker_default();
    let reqs: Vec<Value> = [("runc", &["CAP_SYS_ADMIN"][..]), ("crun", &[][..])]
        .iter()
        .map(|(rt, extra)| {
            let caps: Vec<&str> = DOCKER_DEFAULT_CAPS
                .iter()
                .chain(extra.iter())
                .copied()
                .collect();
            libseccomp::request(&profile, "x86_64", "amd64", &caps, "6.1", rt)
        })
        .collect();
    for answer in libseccomp::reference_batch(&reqs).expect("harness runs") {
        let b = answer.built().expect("builds");
        let queries = systematic_queries(&profile, &b.audit_arches(), 7);
        let n = agree_everywhere(b, &queries);
        assert!(n > 3000, "only {n} queries");
        eprintln!(
            "docker default ({} arches): PFC and BPF agree on {n} queries",
            b.arches.len()
        );
    }
}

#[test]
fn docker_default_cap_sys_admin_and_arm64() {
    if !libseccomp::require("docker_default_cap_sys_admin_and_arm64") {
        return;
    }
    let profile = docker_default();
    let mut admin: Vec<&str> = DOCKER_DEFAULT_CAPS.to_vec();
    admin.push("CAP_SYS_ADMIN");
    let reqs = [
        libseccomp::request(
            &profile,
            "x86_64",
            "amd64",
            DOCKER_DEFAULT_CAPS,
            "6.1",
            "runc",
        ),
        libseccomp::request(&profile, "x86_64", "amd64", &admin, "6.1", "runc"),
        libseccomp::request(
            &profile,
            "aarch64",
            "arm64",
            DOCKER_DEFAULT_CAPS,
            "6.1",
            "runc",
        ),
    ];
    let answers = libseccomp::reference_batch(&reqs).expect("harness runs");
    let (plain, admin, arm64) = (
        answers[0].built().unwrap(),
        answers[1].built().unwrap(),
        answers[2].built().unwrap(),
    );
    // mount (165) and unshare(CLONE_NEWUSER)-style clone flags need CAP_SYS_ADMIN
    expect(plain, X86_64, 165, args(0), errno(1));
    expect(admin, X86_64, 165, args(0), ALLOW);
    expect(plain, X86_64, 56, args(0x1000_0000), errno(1));
    expect(admin, X86_64, 56, args(0x1000_0000), ALLOW);
    assert!(admin.rules.len() > plain.rules.len());
    // arm64 daemon: archMap gives aarch64 + arm, includes.arches "arm64" entries apply
    assert_eq!(arm64.arches, ["aarch64", "arm"]);
    assert_eq!(
        arm64.pfc.arches.iter().map(|a| a.token).collect::<Vec<_>>(),
        [AARCH64, ARM]
    );
    expect(arm64, AARCH64, 63, args(0), ALLOW); // read
    expect(arm64, ARM, 3, args(0), ALLOW); // arm read
    expect(arm64, AARCH64, 198, args(2), ALLOW); // socket(AF_INET)
    expect(arm64, AARCH64, 198, args(38), errno(1));
    expect(arm64, X86_64, 0, args(0), KILL); // x86_64 is now a bad arch
    let queries = systematic_queries(&profile, &arm64.audit_arches(), 3);
    agree_everywhere(arm64, &queries);
}

#[test]
fn conflict_after_32bit_truncation_is_eexist() {
    if !libseccomp::require("conflict_after_32bit_truncation_is_eexist") {
        return;
    }
    // §2.5: `ALLOW a0==1` and `ERRNO a0==0x100000001` are distinct on x86_64 but identical
    // after 32-bit truncation on x86 ⇒ EEXIST for the whole rule add.
    let profile = |arches: Value| {
        json!({
            "defaultAction": "SCMP_ACT_KILL",
            "architectures": arches,
            "syscalls": [
                {"names": ["read"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
                {"names": ["read"], "action": "SCMP_ACT_ERRNO",
                 "args": [{"index": 0, "value": 0x1_0000_0001u64, "op": "SCMP_CMP_EQ"}]}
            ]
        })
    };
    let reqs: Vec<Value> = ["runc", "crun"]
        .iter()
        .flat_map(|rt| {
            [
                libseccomp::request(
                    &profile(json!(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"])),
                    "x86_64",
                    "amd64",
                    &[],
                    "6.1",
                    rt,
                ),
                libseccomp::request(
                    &profile(json!(["SCMP_ARCH_X86_64"])),
                    "x86_64",
                    "amd64",
                    &[],
                    "6.1",
                    rt,
                ),
            ]
        })
        .collect();
    let answers = libseccomp::reference_batch(&reqs).expect("harness runs");
    for pair in answers.chunks(2) {
        let r = pair[0].refused().expect("x86_64 + x86 is refused");
        assert_eq!(
            (r.stage.as_str(), r.errno, r.rule),
            ("libseccomp", Some(17), Some(1)),
            "{r:?}"
        );
        let b = pair[1].built().expect("x86_64 alone builds");
        expect(b, X86_64, 0, args(1), ALLOW);
        expect(b, X86_64, 0, args(0x1_0000_0001), errno(1));
        expect(b, X86_64, 0, args(2), KILL);
    }
}

#[test]
fn runtime_front_ends() {
    if !libseccomp::require("runtime_front_ends") {
        return;
    }
    let p = json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "syscalls": [
            {"names": ["write", "mseal"], "action": "SCMP_ACT_ERRNO"},
            {"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [
                {"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"},
                {"index": 1, "value": 3, "op": "SCMP_CMP_EQ"}]},
            {"names": ["close"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5}
        ]
    });
    let reqs = [
        libseccomp::request(&p, "x86_64", "amd64", &[], "6.1", "runc"),
        libseccomp::request(&p, "x86_64", "amd64", &[], "6.1", "crun"),
    ];
    let answers = libseccomp::reference_batch(&reqs).expect("harness runs");
    let runc = answers[0].built().expect("runc ignores errnoRet on ALLOW");
    // ERRNO(1) == default: skipped before the name is even resolved
    assert_eq!(runc.skipped.len(), 2, "{:?}", runc.skipped);
    assert!(runc.skipped.iter().all(|s| s.why == "equals default"));
    // duplicate index ⇒ OR of all conditions, including the one on a1
    expect(runc, X86_64, 0, args(2), ALLOW);
    expect(runc, X86_64, 0, [9, 3, 0, 0, 0, 0], ALLOW);
    expect(runc, X86_64, 0, [9, 4, 0, 0, 0, 0], errno(1));
    assert_eq!(runc.rules.len(), 4);
    let crun = answers[1]
        .refused()
        .expect("crun refuses errnoRet on ALLOW");
    assert_eq!((crun.stage.as_str(), crun.rule), ("crun", Some(3)));
}

#[test]
fn random_profiles_never_crash_the_harness() {
    if !libseccomp::require("random_profiles_never_crash_the_harness") {
        return;
    }
    let runtimes = ["runc", "crun"];
    let profiles: Vec<Value> = (0..300).map(random_profile).collect();
    let reqs: Vec<Value> = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            libseccomp::request(
                p,
                "x86_64",
                "amd64",
                DOCKER_DEFAULT_CAPS,
                "6.1",
                runtimes[i % 2],
            )
        })
        .collect();
    let answers = libseccomp::reference_batch(&reqs).expect("harness answers every request");
    let (mut built, mut eexist, mut other) = (0, 0, std::collections::BTreeMap::new());
    let (mut queried, mut divergent) = (0, 0);
    for (i, a) in answers.iter().enumerate() {
        match a {
            Reference::Built(b) => {
                built += 1;
                // the PFC parses and covers every arch of the filter
                assert_eq!(b.pfc.arches.len(), b.arches.len(), "profile {i}");
                // PFC vs libseccomp's BPF: must agree unless the profile has a §2.8 shape
                // (multi-condition rules or datums ≥ 2^32); count divergent profiles
                let simple = b.rules.iter().all(|r| {
                    let a = r["args"].as_array().map(Vec::as_slice).unwrap_or_default();
                    a.len() <= 1
                        && a.iter().all(|c| {
                            c["value"].as_u64() < Some(1 << 32)
                                && c["valueTwo"].as_u64() < Some(1 << 32)
                        })
                });
                let qs = systematic_queries(&profiles[i], &b.audit_arches(), i as u64);
                let mut diverged = None;
                for q in qs.iter().step_by(5) {
                    let d = b.decide(q.arch, q.nr, q.args);
                    let r = b.run_bpf(q.arch, q.nr, q.args).expect("BPF runs");
                    queried += 1;
                    if d != r && diverged.is_none() {
                        diverged = Some((*q, action_name(d), action_name(r)));
                    }
                }
                if let Some(d) = diverged {
                    assert!(
                        !simple,
                        "profile {i} has no §2.8 shape but PFC and BPF disagree: {d:x?}"
                    );
                    divergent += 1;
                }
            }
            Reference::Refused(r) => {
                assert!(
                    ["moby", "runc", "crun", "libseccomp"].contains(&r.stage.as_str()),
                    "{r:?}"
                );
                if r.stage == "libseccomp" && r.errno == Some(17) {
                    assert!(r.rule.is_some(), "EEXIST names its rule: {r:?}");
                    eexist += 1;
                } else {
                    *other
                        .entry(format!("{}:{:?}", r.stage, r.errno))
                        .or_insert(0) += 1;
                }
            }
            Reference::Disabled => {}
        }
    }
    eprintln!(
        "300 random profiles: {built} built ({divergent} with PFC/BPF divergence, §2.8), \
         {eexist} EEXIST conflicts, other refusals {other:?}; {queried} queries"
    );
    assert!(eexist > 0, "some random profiles must conflict (EEXIST)");
    assert!(built > 100, "most random profiles must build ({built})");
}

#[test]
fn pfc_parser_handles_hand_written_constructs() {
    let text = "#\n# pseudo filter code start\n#\n# filter for arch x86_64 (3221225534)\nif ($arch == 3221225534)\n  # filter for syscall \"read\" (0) [priority: 65533]\n  if ($syscall == 0)\n    if ($a1.hi32 > 0)\n    else\n      if ($a1.lo32 & 0x0000ff00 == 512)\n        action TRACE(7);\n    if ($a0.hi32 == 0)\n      if ($a0.lo32 >= 5)\n        action LOG;\n      else\n        action KILL_PROCESS;\n  # default action\n  action ERRNO(1);\n# filter for arch x86 (1073741827)\nif ($arch == 1073741827)\n  # filter for syscall \"read\" (3) [priority: 65534]\n  if ($syscall == 3)\n    if ($a0 > 7)\n      action 0x7fc00000;\n  # default action\n  action TRAP;\n# invalid architecture action\naction KILL;\n#\n# pseudo filter code end\n#\n";
    let p = pfc::parse(text).expect("parses");
    assert_eq!(
        p.decide(X86_64, 0, [5, 0x1_0000_0000, 0, 0, 0, 0]),
        0x7ffc_0000
    ); // a1.hi > 0: fall through
    assert_eq!(p.decide(X86_64, 0, [4, 0x200, 0, 0, 0, 0]), 0x7ff0_0007);
    assert_eq!(p.decide(X86_64, 0, [4, 0x300, 0, 0, 0, 0]), 0x8000_0000);
    assert_eq!(p.decide(X86_64, 0, [1 << 32, 0, 0, 0, 0, 0]), errno(1)); // falls off the body
    assert_eq!(p.decide(X86_64, 1, [0; 6]), errno(1));
    assert_eq!(p.decide(X86_64, 0x4000_0000, [0; 6]), KILL); // x86_64 only: x32 nr is bad arch
    assert_eq!(p.decide(X86_64, 0xffff_ffff, [0; 6]), errno(1));
    assert_eq!(
        p.decide(X86, 3, [0x1_0000_0008, 0, 0, 0, 0, 0]),
        0x7fc0_0000
    );
    assert_eq!(
        p.decide(X86, 3, [0x1_0000_0007, 0, 0, 0, 0, 0]),
        0x0003_0000
    );
    assert_eq!(p.decide(AARCH64, 3, [0; 6]), KILL);
    assert!(pfc::parse(
        "if ($arch == 1)\n  if ($syscall == 0)\n    if ($a0 ??? 1)\n      action KILL;\n"
    )
    .is_err());
}

#[test]
fn stale_accumulator_reproducers_pfc_is_the_database_bpf_is_not() {
    if !libseccomp::require("stale_accumulator_reproducers_pfc_is_the_database_bpf_is_not") {
        return;
    }
    // §2.8 table: (arches, rules on read (all ALLOW, default KILL), args, BPF says, OR-of-rules)
    let c = |i: u64, op: &str, v: u64| json!({"index": i, "value": v, "op": op});
    let m = |i: u64, mask: u64, v: u64| json!({"index": i, "value": mask, "valueTwo": v, "op": "SCMP_CMP_MASKED_EQ"});
    type Case = (Vec<&'static str>, Vec<Vec<Value>>, [u64; 6], u32, u32);
    let cases: Vec<Case> = vec![
        (
            vec!["SCMP_ARCH_X86_64"],
            vec![
                vec![c(0, "SCMP_CMP_GE", 0x2_0000_0000)],
                vec![c(0, "SCMP_CMP_LE", 1)],
            ],
            args(2),
            ALLOW,
            KILL,
        ),
        (
            vec!["SCMP_ARCH_X86_64"],
            vec![
                vec![c(0, "SCMP_CMP_LE", 0x1_0000_0000)],
                vec![c(0, "SCMP_CMP_LT", 0), m(2, 0x1_0000_0005, 1)],
            ],
            args(1),
            KILL,
            ALLOW,
        ),
        (
            vec!["SCMP_ARCH_X86_64"],
            vec![
                vec![c(2, "SCMP_CMP_EQ", 1), c(0, "SCMP_CMP_NE", 0xffff_fffe)],
                vec![c(0, "SCMP_CMP_EQ", 5)],
            ],
            [5, 0, 0x28, 0, 0, 0],
            KILL,
            ALLOW,
        ),
        (
            vec!["SCMP_ARCH_X86_64"],
            vec![
                vec![c(2, "SCMP_CMP_EQ", 38)],
                vec![c(1, "SCMP_CMP_LT", 1), c(2, "SCMP_CMP_LT", 2)],
                vec![c(1, "SCMP_CMP_GE", 39)],
            ],
            [0, 0, 39, 0, 0, 0],
            ALLOW,
            KILL,
        ),
    ];
    let reqs: Vec<Value> = cases
        .iter()
        .map(|(arches, rules, ..)| {
            let syscalls: Vec<Value> = rules
                .iter()
                .map(|a| json!({"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": a}))
                .collect();
            let p = json!({"defaultAction": "SCMP_ACT_KILL", "architectures": arches, "syscalls": syscalls});
            libseccomp::request(&p, "x86_64", "amd64", &[], "6.1", "crun")
        })
        .collect();
    let answers = libseccomp::reference_batch(&reqs).expect("harness runs");
    for ((_, _, a, bpf_says, or_says), ans) in cases.iter().zip(&answers) {
        let b = ans.built().expect("builds");
        assert_eq!(
            action_name(b.run_bpf(X86_64, 0, *a).unwrap()),
            action_name(*bpf_says),
            "BPF\n{}",
            b.pfc_text
        );
        assert_eq!(
            action_name(b.decide(X86_64, 0, *a)),
            action_name(*or_says),
            "PFC\n{}",
            b.pfc_text
        );
    }
}
