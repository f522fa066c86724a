//! Resolution against moby's and the runtimes' behaviour (seccomp-semantics.md §3).

use super::*;
use crate::profile::{self, ActionName};

fn resolve_text(text: &str, ctx: &Context) -> Result<Resolution, Failure> {
    resolve(&profile::parse(text).unwrap().profile, ctx)
}

const DOCKERISH: &str = r#"{
  "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
              {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
  "syscalls": [
    {"names": ["read", "write", "mseal_nope"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
     "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
    {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
    {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
    {"names": ["getpid"], "action": "SCMP_ACT_ERRNO"},
    {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 3, "op": "SCMP_CMP_EQ"}]}
  ]}"#;

#[test]
fn docker_context_filters_like_moby() {
    let r = resolve_text(DOCKERISH, &Context::docker(Arch::X86_64)).unwrap();
    let p = r.policy.unwrap();
    assert_eq!(p.arches, [Arch::X86_64, Arch::X86, Arch::X32]);
    assert_eq!(p.default_action, 0x0005_0001);
    let names: Vec<&str> = p.rules.iter().map(|r| r.syscall.as_str()).collect();
    assert_eq!(
        names,
        [
            "read",
            "write",
            "clone",
            "arch_prctl",
            "ptrace",
            "socket",
            "socket",
            "socket"
        ]
    );
    // The split keeps one condition per rule, including the one on arg 1.
    assert_eq!(p.rules[7].conditions[0].arg, 1);
    let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"unknown-syscall"));
    assert!(codes.contains(&"equals-default"));
    assert!(codes.contains(&"or-split"));
    assert!(codes.contains(&"entry-excluded"));
    assert!(p.enosys.is_some());
}

#[test]
fn capabilities_and_arches_change_the_rules() {
    let ctx = Context::docker(Arch::Aarch64)
        .with_caps(&["SYS_ADMIN"], &[] as &[&str], false)
        .unwrap();
    let p = resolve_text(DOCKERISH, &ctx).unwrap().policy.unwrap();
    assert_eq!(p.arches, [Arch::Aarch64, Arch::Arm]);
    let clones: Vec<&Rule> = p.rules.iter().filter(|r| r.syscall == "clone").collect();
    assert_eq!(clones.len(), 1);
    assert!(clones[0].conditions.is_empty());
    assert!(!p.rules.iter().any(|r| r.syscall == "arch_prctl"));
}

#[test]
fn old_kernels_drop_min_kernel_entries() {
    let mut ctx = Context::docker(Arch::X86_64);
    ctx.kernel = crate::profile::KernelVersion { major: 4, minor: 4 };
    let p = resolve_text(DOCKERISH, &ctx).unwrap().policy.unwrap();
    assert!(!p.rules.iter().any(|r| r.syscall == "ptrace"));
}

#[test]
fn runtime_differences() {
    let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_PARISC"],
        "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":5}]}"#;
    let e = resolve_text(text, &Context::docker(Arch::X86_64)).unwrap_err();
    assert_eq!(e.first_error().unwrap().code, "arch-unsupported-by-runtime");
    let mut crun = Context::docker(Arch::X86_64);
    crun.runtime = Runtime::Crun;
    let e = resolve_text(text, &crun).unwrap_err();
    let codes: Vec<_> = e
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect();
    // crun accepts PARISC's name but libseccomp refuses to mix endianness; crun also refuses errnoRet on ALLOW.
    assert_eq!(codes, ["arch-endian-mismatch", "invalid-action"]);
}

#[test]
fn errno_values_are_truncated_and_checked() {
    assert_eq!(
        action_value(ActionName::Errno, Some(65536 + 13), Runtime::Runc),
        Ok(0x0005_000d)
    );
    assert_eq!(
        action_value(ActionName::Errno, Some(65536), Runtime::Runc),
        Ok(0x0005_0000)
    );
    assert!(action_value(ActionName::Errno, Some(4095), Runtime::Runc).is_err());
    assert_eq!(
        action_value(ActionName::Errno, Some(4094), Runtime::Runc),
        Ok(0x0005_0ffe)
    );
    assert_eq!(
        action_value(ActionName::Trace, None, Runtime::Runc),
        Ok(0x7ff0_0001)
    );
    assert_eq!(
        action_value(ActionName::Trap, Some(9), Runtime::Runc),
        Ok(0x0003_0000)
    );
    assert!(action_value(ActionName::Trap, Some(9), Runtime::Crun).is_err());
}

#[test]
fn enosys_stub_answers_above_the_profiles_largest_number() {
    let r = resolve_text(DOCKERISH, &Context::docker(Arch::X86_64)).unwrap();
    let stub = r.policy.unwrap().enosys.unwrap();
    let x86_64_max = stub.max.iter().find(|(a, _)| *a == Arch::X86_64).unwrap().1;
    assert_eq!(x86_64_max, 158); // arch_prctl is the largest named x86_64 number here.
    let audit = Arch::X86_64.audit_arch();
    assert_eq!(stub.decide(audit, 158), None);
    assert_eq!(stub.decide(audit, 159), Some(0x0005_0026));
    // x32 calls are judged against the x32 maximum.
    assert!(stub.decide(audit, 0x4000_0000 + 158).is_none());
}

#[test]
fn unconfined_cases() {
    let r = resolve_text("{}", &Context::docker(Arch::X86_64)).unwrap();
    assert!(r.policy.is_none());
    let mut ctx = Context::docker(Arch::X86_64);
    ctx.explicit_profile = false;
    let ctx = ctx.with_caps(&[] as &[&str], &[] as &[&str], true).unwrap();
    assert!(resolve_text(DOCKERISH, &ctx).unwrap().policy.is_none());
}

/// The stub's verdict as first written (one list of the ABIs per AUDIT_ARCH value, in
/// `Arch::ALL` order), kept as the reference for the allocation-free `decide`.
fn stub_reference(stub: &EnosysStub, audit_arch: u32, nr: u32) -> Option<u32> {
    let on = |a: Arch| stub.max.iter().find(|(x, _)| *x == a).map(|&(_, m)| m);
    let listed: Vec<Arch> = Arch::from_audit_arch(audit_arch)
        .into_iter()
        .filter(|a| on(*a).is_some())
        .collect();
    let enosys = Action::Errno(ENOSYS).to_ret();
    let x32 = crate::arch::X32_SYSCALL_BIT;
    match listed.as_slice() {
        [] => None,
        [a] if matches!(a, Arch::S390 | Arch::S390x) && nr == 0 => Some(enosys),
        [Arch::X86_64] if nr & x32 != 0 => None,
        [Arch::X32] if nr & x32 == 0 => None,
        [a] => (nr > on(*a)?).then_some(enosys),
        _ => {
            let a = if nr & x32 != 0 {
                Arch::X32
            } else {
                Arch::X86_64
            };
            (nr > on(a)?).then_some(enosys)
        }
    }
}

#[test]
fn stub_decides_like_its_reference_for_every_abi_set() {
    let abis = [
        Arch::X86_64,
        Arch::X32,
        Arch::X86,
        Arch::S390x,
        Arch::Aarch64,
        Arch::Arm,
    ];
    let nrs = [
        0u32,
        1,
        100,
        334,
        335,
        462,
        463,
        0x4000_0000,
        0x4000_0200,
        0x4000_0300,
        0x8000_0000,
        u32::MAX,
    ];
    for set in 0u32..1 << abis.len() {
        let max: Vec<(Arch, u32)> = abis
            .iter()
            .enumerate()
            .filter(|&(b, _)| set & 1 << b != 0)
            .map(|(b, &a)| {
                (
                    a,
                    if a == Arch::X32 {
                        0x4000_0000 | 300
                    } else {
                        300 + b as u32
                    },
                )
            })
            .collect();
        let stub = EnosysStub { max };
        for audit in abis.iter().map(|a| a.audit_arch()) {
            for &nr in &nrs {
                assert_eq!(
                    stub.decide(audit, nr),
                    stub_reference(&stub, audit, nr),
                    "{:?} audit {audit:#x} nr {nr:#x}",
                    stub.max
                );
            }
        }
    }
}
