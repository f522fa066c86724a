//! The front-ends on real inputs: SPO's example SeccompProfiles, Firecracker's filters, and
//! Docker → SeccompProfile → Docker for every preset; hostile YAML through the whole pipeline.

use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::frontend::{self, spo, Format};
use seccplay_core::presets::{self, PresetKind};
use seccplay_core::resolve::{self, Policy};
use std::path::PathBuf;

fn refdata(rel: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../refdata");
    // The reference data is committed as refdata/refdata/ for now; accept both layouts.
    let nested = root.join("refdata").join(rel);
    if nested.exists() {
        nested
    } else {
        root.join(rel)
    }
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(refdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// What a policy means: default, ABIs, rules (syscall, action, conditions) in order.
fn meaning(p: &Policy) -> String {
    let mut s = format!("{:#x} {:?} {:?}\n", p.default_action, p.arches, p.flags);
    for r in p.rules.iter() {
        s += &format!("{} {:#x} {:?}\n", r.syscall, r.action, r.conditions);
    }
    s
}

fn policy_of(profile: &seccplay_core::profile::Profile, ctx: &Context) -> Policy {
    resolve::resolve(profile, ctx)
        .expect("resolves")
        .policy
        .expect("a policy")
}

#[test]
fn spo_examples_read_with_names_and_bases() {
    let dir = refdata("profiles/security-profiles-operator/examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "{dir:?}");
    let mut names = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert_eq!(frontend::detect(&text), Format::Spo, "{f:?}");
        let input = frontend::read(&text, None).unwrap_or_else(|e| panic!("{f:?}: {e}"));
        for p in &input.policies {
            names.push(p.name.clone());
            let a = analyze(&text, &Context::docker(Arch::X86_64));
            assert!(!a.failed(), "{f:?}: {:?}", a.first_error());
        }
    }
    assert!(
        names.contains(&"profile-block-all".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"runc-v1.4.2".to_string()), "{names:?}");
    // The block-all profile: ERRNO(EPERM) for everything.
    let text = read("profiles/security-profiles-operator/examples/seccompprofile.yaml");
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    assert_eq!(
        a.simulate_call("read(0)", Arch::X86_64).unwrap().ret,
        0x0005_0001
    );
}

#[test]
fn base_profile_name_unions_the_base_first() {
    let base = read("profiles/security-profiles-operator/examples/baseprofile-runc.yaml");
    let child = "---\napiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata:\n  name: app\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  baseProfileName: runc-v1.4.2\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [mkdir]\n";
    let text = format!("{base}{child}");
    let input = frontend::read(&text, None).unwrap();
    let app = input.policies.iter().find(|p| p.name == "app").unwrap();
    let names: Vec<&str> = app
        .parsed
        .profile
        .syscalls
        .iter()
        .flat_map(|e| e.names.iter().map(|n| n.value.as_str()))
        .collect();
    assert!(
        names.contains(&"execve") && names.last() == Some(&"mkdir"),
        "{names:?}"
    );
    // A preset as the base, an OCI reference, an unknown name, a cycle.
    let one = |base: &str| child.replace("runc-v1.4.2", base);
    let preset = frontend::read(&one("docker"), None).unwrap();
    assert!(preset
        .diagnostics
        .iter()
        .any(|d| d.code == "spo-base-preset"));
    assert!(preset.policies[0].parsed.profile.syscalls.len() > 10);
    for (base, code) in [
        ("oci://ghcr.io/x/y:latest", "spo-base-unresolvable"),
        ("nope", "spo-base-unknown"),
        ("app", "spo-base-cycle"),
    ] {
        let f = frontend::read(&one(base), None).unwrap_err();
        let e = f.first_error().unwrap();
        assert_eq!(e.code, code, "{e}");
        assert_eq!(e.location.as_ref().unwrap().line, 8, "{e}");
    }
}

#[test]
fn spo_prunes_docker_only_fields_with_a_warning() {
    let text = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata: {name: x}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  defaultErrnoRet: 38\n  syscalls:\n  - action: SCMP_ACT_ALLOW\n    names: [read]\n    includes: {caps: [CAP_SYS_ADMIN]}\n";
    let input = frontend::read(text, None).unwrap();
    let pruned: Vec<u32> = input
        .diagnostics
        .iter()
        .filter(|d| d.code == "spo-pruned")
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(pruned, vec![6, 10]);
    let p = &input.policies[0].parsed.profile;
    assert!(p.default_errno_ret.is_none() && p.syscalls[0].includes.is_empty());
}

#[test]
fn spo_errors_are_located_in_the_yaml() {
    let text = "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata: {name: x}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n  - action: SCMP_ACT_ALOW\n    names: [read]\n";
    let a = analyze(text, &Context::docker(Arch::X86_64));
    let e = a.first_error().expect("an error");
    let loc = e.location.as_ref().unwrap();
    assert_eq!((loc.line, loc.column), (7, 13), "{e}");
    assert_eq!(&text[loc.start..loc.end], "SCMP_ACT_ALOW");
}

#[test]
fn every_preset_survives_docker_to_spo_to_docker() {
    for p in presets::all() {
        let PresetKind::Profile(text) = p.kind else {
            continue;
        };
        for arch in [Arch::X86_64, Arch::Aarch64] {
            let ctx = Context::docker(arch);
            let before = policy_of(
                &frontend::read(text, None).unwrap().policies[0]
                    .parsed
                    .profile,
                &ctx,
            );
            let (out, diags) = frontend::convert(text, None, Format::Spo, &ctx).unwrap();
            let lossy: Vec<_> = diags
                .iter()
                .filter(|d| d.code == "not-expressible")
                .collect();
            let yaml = &out[0].text;
            let back =
                frontend::read(yaml, None).unwrap_or_else(|e| panic!("{}: {e}\n{yaml}", p.name));
            assert_eq!(back.format, Format::Spo);
            let (json, _) = frontend::convert(yaml, None, Format::Docker, &ctx).unwrap();
            let after = policy_of(
                &frontend::read(&json[0].text, None).unwrap().policies[0]
                    .parsed
                    .profile,
                &ctx,
            );
            if lossy.is_empty() {
                assert_eq!(meaning(&before), meaning(&after), "{} on {arch}", p.name);
            } else {
                // Podman's ENOSYS default: SeccompProfile has no defaultErrnoRet; the rules
                // still survive, the default errno is what changed (and was reported).
                assert!(p.name.starts_with("podman@"), "{}: {lossy:?}", p.name);
                // (runc drops rules whose action is the default, so EPERM rules go too).
                assert_ne!(before.default_action, after.default_action);
                let key =
                    |r: &resolve::Rule| format!("{} {:#x} {:?}", r.syscall, r.action, r.conditions);
                let kept: Vec<String> = before
                    .rules
                    .iter()
                    .filter(|r| r.action != after.default_action)
                    .map(key)
                    .collect();
                assert_eq!(kept, after.rules.iter().map(key).collect::<Vec<_>>());
            }
        }
    }
}

#[test]
fn firecracker_filters_read_per_thread() {
    for (file, arch) in [
        ("firecracker/x86_64-unknown-linux-musl.json", Arch::X86_64),
        ("firecracker/aarch64-unknown-linux-musl.json", Arch::Aarch64),
    ] {
        let text = read(file);
        assert_eq!(frontend::detect(&text), Format::Firecracker);
        let input = frontend::read(&text, None).unwrap_or_else(|e| panic!("{file}: {e}"));
        let names: Vec<&str> = input.policies.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["vmm", "api", "vcpu"]);
        let a = analyze(&text, &Context::docker(arch));
        assert!(!a.failed(), "{file}: {:?}", a.first_error());
        // vmm: default trap, read allowed.
        assert_eq!(a.simulate_call("read(0)", arch).unwrap().ret, 0x7fff_0000);
        assert_eq!(a.simulate_call("mount()", arch).unwrap().ret, 0x0003_0000);
    }
    let text = read("firecracker/unimplemented.json");
    assert_eq!(frontend::read(&text, None).unwrap().policies.len(), 3);
}

#[test]
fn firecracker_dword_compares_the_low_half() {
    let text = r#"{"t": {"default_action": "trap", "filter_action": "allow", "filter": [
        {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": "eq", "val": 21505}]}]}}"#;
    let a = analyze(text, &Context::docker(Arch::X86_64));
    assert!(!a.failed(), "{:?}", a.first_error());
    assert_eq!(
        a.simulate_call("ioctl(0, 21505)", Arch::X86_64)
            .unwrap()
            .ret,
        0x7fff_0000
    );
    assert_eq!(
        a.simulate_call("ioctl(0, 0x100005401)", Arch::X86_64)
            .unwrap()
            .ret,
        0x7fff_0000
    );
    assert_eq!(
        a.simulate_call("ioctl(0, 21506)", Arch::X86_64)
            .unwrap()
            .ret,
        0x0003_0000
    );
    let bad = r#"{"t": {"default_action": "trap", "filter_action": "allow", "filter": [
        {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": "lt", "val": 99999999999}]}]}}"#;
    let f = frontend::read(bad, None).unwrap_err();
    let e = f.first_error().unwrap();
    assert_eq!(e.location.as_ref().unwrap().line, 2, "{e}");
}

#[test]
fn hostile_yaml_is_refused_with_a_located_error() {
    let head = "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\nkind: SeccompProfile\nmetadata: {name: x}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n";
    let mut bomb =
        format!("{head}  x0: &a0 [read, read, read, read, read, read, read, read, read, read]\n");
    for i in 1..12 {
        bomb += &format!("  x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1);
    }
    let a = analyze(&bomb, &Context::docker(Arch::X86_64));
    assert_eq!(a.first_error().unwrap().code, "yaml-alias-bomb");
    let deep = format!("{head}  syscalls: {}\n", "[".repeat(50_000));
    let a = analyze(&deep, &Context::docker(Arch::X86_64));
    assert!(a.first_error().unwrap().location.is_some());
    let huge = format!("{head}  listenerPath: {}\n", "x".repeat(1 << 20));
    let a = analyze(&huge, &Context::docker(Arch::X86_64));
    assert_eq!(a.first_error().unwrap().code, "yaml-too-large");
}

#[test]
fn spo_writer_quotes_what_yaml_would_retype() {
    assert_eq!(spo::scalar("read"), "read");
    assert_eq!(spo::scalar("yes"), "\"yes\"");
    assert_eq!(spo::scalar("123"), "\"123\"");
    assert_eq!(spo::scalar("a: b"), "\"a: b\"");
}

/// The fuzz target's checks (fuzz/fuzz_targets/frontend_formats.rs) on its seed corpus:
/// errors located inside the text, and what converts reads back.
#[test]
fn fuzz_seeds_keep_the_front_end_invariants() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/frontend_formats");
    let mut n = 0;
    for f in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        seccplay_core::invariants::check_frontend(
            &text,
            &[None, Some(Format::Spo), Some(Format::Firecracker)],
        )
        .unwrap_or_else(|v| panic!("{v}"));
        n += 1;
    }
    assert!(n >= 10, "{n}");
}
