//! The facade's tests: verdicts, tables and limits on small profiles.

use super::*;
use crate::action::Action;
use crate::arch::Arch;
use crate::context::Context;

const DOCKERISH: &str = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
  "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
  "syscalls":[{"names":["read","write","exit_group","getrandom"],"action":"SCMP_ACT_ALLOW"},
    {"names":["unshare","clone"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
    {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}],"excludes":{"caps":["CAP_SYS_ADMIN"]}},
    {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]}]}"#;

#[test]
fn verdicts_explain_themselves() {
    let a = analyze(DOCKERISH, &Context::docker(Arch::X86_64));
    assert!(!a.failed(), "{:?}", a.diagnostics);
    let v = a
        .simulate_call("unshare(CLONE_NEWUSER)", Arch::X86_64)
        .unwrap();
    assert_eq!(v.errno_name, Some("EPERM"));
    assert_eq!(v.program_ret, Some(v.ret));
    assert!(v.explanation.contains("CAP_SYS_ADMIN"), "{}", v.explanation);
    let v = a
        .simulate_call("clone(CLONE_NEWUSER|SIGCHLD)", Arch::X86_64)
        .unwrap();
    assert_eq!(v.action, Action::Errno(1));
    assert!(v.explanation.contains("none matched"), "{}", v.explanation);
    let v = a
        .simulate_call("personality(0xffffffff)", Arch::X86_64)
        .unwrap();
    assert_eq!(v.action, Action::Allow);
    assert_eq!(v.rule.as_ref().unwrap().origin.entry, 3);
    assert_eq!(v.location.as_ref().unwrap().line, 6);
    let ctx = Context::docker(Arch::X86_64)
        .with_caps(&["SYS_ADMIN"], &[] as &[&str], false)
        .unwrap();
    let a = analyze(DOCKERISH, &ctx);
    assert_eq!(
        a.simulate_call("unshare(CLONE_NEWUSER)", Arch::X86_64)
            .unwrap()
            .action,
        Action::Allow
    );
}

#[test]
fn table_counts_add_up() {
    let a = analyze(DOCKERISH, &Context::docker(Arch::X86_64));
    let t = a.table(Arch::X86_64);
    assert_eq!(t.allowed + t.conditional + t.blocked, t.rows.len());
    assert_eq!(t.allowed, 4);
    assert_eq!(t.conditional, 2);
    assert!(t.to_string().starts_with("x86_64: "));
    assert!(
        t.to_string().ends_with(" blocked (313 EPERM, 66 ENOSYS)"),
        "{t}"
    );
    let read = t.rows.iter().find(|r| r.name == "read").unwrap();
    assert!(read.cached);
}

#[test]
fn too_many_conditional_rules_on_one_syscall_are_refused_quickly() {
    let rule = r#"{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":V,"op":"SCMP_CMP_EQ"}]}"#;
    let rules: Vec<String> = (0..=MAX_CONDITIONAL_RULES_PER_SYSCALL)
        .map(|i| rule.replace('V', &i.to_string()))
        .collect();
    let text = format!(
        r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{}]}}"#,
        rules.join(",\n")
    );
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    let e = a.first_error().unwrap();
    assert_eq!(e.code, "too-many-rules");
    assert!(
        e.message
            .contains("personality has more than 4096 distinct rules"),
        "{e}"
    );
    assert_eq!(e.location.as_ref().unwrap().line, 4097);
    // One rule fewer is built (and is too large for the kernel).
    let text = text.replacen(&(rules[0].clone() + ",\n"), "", 1);
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    assert_eq!(a.first_error().unwrap().code, "program-too-large");
}

#[test]
fn profiles_over_4_mib_are_refused_unread() {
    let text = format!(
        r#"{{"defaultAction":"SCMP_ACT_ALLOW"}}{}"#,
        " ".repeat(MAX_PROFILE_BYTES)
    );
    let a = analyze(&text, &Context::docker(Arch::X86_64));
    let e = a.first_error().unwrap();
    assert_eq!(e.code, "profile-too-large");
    assert!(
        e.message
            .starts_with("the profile is 4.0 MiB; seccplay reads profiles up to 4 MiB"),
        "{e}"
    );
    assert!(a.parsed.is_none());
    let a = analyze(text.trim_end(), &Context::docker(Arch::X86_64));
    assert!(!a.failed());
}

/// Regression (found by fuzz/compile_differential): libseccomp 2.5.4 loops forever adding
/// the second rule (python3-seccomp hangs in add_rule); our database reproduces its cyclic
/// tree, and compiling it looped forever. Now an error.
#[test]
fn a_rule_pair_that_hangs_libseccomp_is_an_error() {
    let text = r#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[
      {"names":["ptrace"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"SCMP_CMP_LE","value":5},{"index":1,"op":"SCMP_CMP_NE","value":2}]},
      {"names":["ptrace"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"SCMP_CMP_LE","value":5},{"index":3,"op":"SCMP_CMP_NE","value":0}]}]}"#;
    let a = analyze(text, &Context::docker(Arch::X86_64));
    let e = a.first_error().unwrap();
    assert_eq!(e.code, "libseccomp-hangs", "{e}");
    assert!(a.program.is_none());
    // The presets have no cycle.
    let crate::presets::PresetKind::Profile(docker) = crate::presets::get("docker").unwrap().kind
    else {
        unreachable!()
    };
    let a = analyze(docker, &Context::docker(Arch::X86_64));
    assert!(cyclic_rule_tree(a.database.as_ref().unwrap()).is_none());
}

#[test]
fn broken_profiles_are_diagnostics_not_panics() {
    let a = analyze("{\"defaultAction\": ", &Context::docker(Arch::X86_64));
    assert!(a.failed());
    assert_eq!(a.first_error().unwrap().code, "json-syntax");
    let v = a.simulate_call("read(0)", Arch::X86_64).unwrap();
    assert!(v.explanation.contains("refused"));
}

fn docker() -> &'static str {
    match crate::presets::get("docker").unwrap().kind {
        crate::presets::PresetKind::Profile(t) => t,
        _ => unreachable!(),
    }
}

/// Regression (issue 14): `--privileged` with Docker's built-in profile runs unconfined; the
/// same profile given explicitly is applied, with every capability.
#[test]
fn privileged_is_unconfined_unless_the_profile_is_explicit() {
    let calls = [
        "socket(AF_VSOCK, SOCK_STREAM, 0)",
        "keyctl(0)",
        "personality(PER_LINUX|ADDR_NO_RANDOMIZE)",
    ];
    let privileged = |explicit: bool| {
        let mut c = Context::docker(Arch::X86_64);
        c.explicit_profile = explicit;
        c.with_caps(&[] as &[&str], &[] as &[&str], true).unwrap()
    };
    let a = analyze(docker(), &privileged(false));
    assert!(a.unconfined.as_deref().unwrap().contains("--privileged"));
    assert!(a.program.is_none());
    for c in calls {
        let v = a.simulate_call(c, Arch::X86_64).unwrap();
        assert_eq!(v.action, Action::Allow, "{c}");
        assert!(v.explanation.starts_with("No seccomp filter: --privileged"));
    }
    assert_eq!(a.table(Arch::X86_64).blocked, 0);
    // Given explicitly: the profile decides, with all 41 capabilities.
    let a = analyze(docker(), &privileged(true));
    assert!(a.unconfined.is_none() && a.program.is_some());
    let v = |c: &str| a.simulate_call(c, Arch::X86_64).unwrap().action;
    for c in calls {
        assert_eq!(v(c), Action::Errno(1), "{c}: no capability allows it");
    }
    assert_eq!(v("unshare(CLONE_NEWUSER)"), Action::Allow, "CAP_SYS_ADMIN");
    // Engines' own defaults are not explicit (by name or alias); a user's profile is.
    assert!(crate::presets::is_builtin_default("docker"));
    assert!(crate::presets::is_builtin_default("docker@25"));
    assert!(crate::presets::is_builtin_default("podman"));
    assert!(!crate::presets::is_builtin_default("example"));
    assert!(!crate::presets::is_builtin_default("strict"));
    assert!(!crate::presets::is_builtin_default("no-such-preset"));
}

/// A profile given explicitly to a privileged container: Docker (27.0+) and Podman apply it,
/// with a note on Docker's older releases; containerd's CRI plugin and Kubernetes drop it, and
/// a SeccompProfile is a Kubernetes pod's Localhost profile, so privileged drops it too.
#[test]
fn a_given_profile_under_privileged_follows_the_engine() {
    use crate::context::Engine;
    let ctx = |engine: Engine, privileged: bool| {
        let mut c = Context::docker(Arch::X86_64);
        c.engine = engine;
        c.with_caps(&[] as &[&str], &[] as &[&str], privileged)
            .unwrap()
    };
    let vsock = "socket(AF_VSOCK, SOCK_STREAM, 0)";
    for engine in [Engine::Docker, Engine::Podman] {
        let a = analyze(docker(), &ctx(engine, true));
        assert!(a.unconfined.is_none(), "{engine:?}");
        let v = a.simulate_call(vsock, Arch::X86_64).unwrap();
        assert_eq!(v.action, Action::Errno(1), "{engine:?}");
        let note = a
            .diagnostics
            .iter()
            .find(|d| d.code == "privileged-given-profile")
            .unwrap_or_else(|| panic!("{engine:?}: no note"));
        assert!(note.message.contains("applies") || note.message.contains("apply"));
        if engine == Engine::Docker {
            assert!(note.message.contains("Docker 26 and earlier ignore it"));
        }
    }
    for engine in [Engine::Containerd, Engine::Kubernetes] {
        let a = analyze(docker(), &ctx(engine, true));
        let why = a
            .unconfined
            .as_deref()
            .unwrap_or_else(|| panic!("{engine:?}"));
        assert!(why.contains("a Localhost profile included"), "{why}");
        let v = a.simulate_call(vsock, Arch::X86_64).unwrap();
        assert_eq!(v.action, Action::Allow);
        // Not privileged: the profile decides on every engine, with no note.
        let a = analyze(docker(), &ctx(engine, false));
        assert!(a.unconfined.is_none());
        assert!(!a
            .diagnostics
            .iter()
            .any(|d| d.code == "privileged-given-profile"));
    }
    // A SeccompProfile under Docker's context: the pod's runtime decides.
    let spo =
        crate::frontend::spo::write(&crate::profile::parse(docker()).unwrap().profile, "docker");
    let a = analyze(&spo, &ctx(Engine::Docker, true));
    assert_eq!(a.context.engine, Engine::Kubernetes);
    assert!(a.unconfined.as_deref().unwrap().contains("Localhost"));
    assert!(a.diagnostics.iter().any(|d| d.code == "kubernetes-runtime"));
    let a = analyze(&spo, &ctx(Engine::Docker, false));
    assert!(a.unconfined.is_none() && a.program.is_some());
    assert_eq!(a.context.engine, Engine::Docker);
}

/// `--privileged` drops an engine's built-in profile, and the sentence names that engine (a
/// newcomer read Docker's wording under the kubernetes preset).
#[test]
fn privileged_names_the_engine_of_the_builtin_profile() {
    use crate::context::Engine;
    use crate::presets::{self, PresetKind};
    for (preset, engine, says) in [
        (
            "docker@25",
            Engine::Docker,
            "Docker runs privileged containers",
        ),
        (
            "podman",
            Engine::Podman,
            "Podman runs privileged containers",
        ),
        (
            "containerd@1.7",
            Engine::Containerd,
            "containerd's CRI plugin",
        ),
        (
            "kubernetes",
            Engine::Kubernetes,
            "securityContext.privileged: true: Kubernetes",
        ),
    ] {
        let p = presets::get(preset).unwrap();
        assert_eq!(p.engine, Some(engine), "{preset}");
        assert_eq!(presets::engine_of(preset), Some(engine), "{preset}");
        let PresetKind::Profile(text) = p.kind else {
            panic!("{preset}")
        };
        let mut c = Context::docker(Arch::X86_64);
        c.explicit_profile = false;
        c.engine = engine;
        let c = c.with_caps(&[] as &[&str], &[] as &[&str], true).unwrap();
        let why = analyze(text, &c).unconfined.unwrap();
        assert!(why.contains(says), "{preset}: {why}");
        if engine != Engine::Docker {
            assert!(!why.contains("Docker"), "{preset}: {why}");
        }
    }
    for name in ["example", "strict", "unconfined"] {
        assert_eq!(presets::engine_of(name), None, "{name}");
    }
}

/// docker@19.03's description: the calls it lacks get runc's ENOSYS stub on x86_64 (they are
/// above io_pgetevents, 333, its newest call there), EPERM without the stub and on arm.
#[test]
fn docker_19_03_description_is_what_the_pipeline_decides() {
    use crate::context::Runtime;
    use crate::presets::{self, PresetKind};
    let p = presets::get("docker@19.03").unwrap();
    let PresetKind::Profile(text) = p.kind else {
        panic!()
    };
    let calls = [
        "clone3()",
        "io_uring_setup(0, 0)",
        "faccessat2(0, 0, 0, 0)",
        "openat2(0, 0, 0, 0)",
        "rseq(0, 0, 0, 0)",
    ];
    let enosys = Action::Errno(38);
    let ctx = |host: Arch, runtime: Runtime| {
        let mut c = Context::docker(host);
        c.explicit_profile = false;
        c.runtime = runtime;
        c.enosys_stub = runtime == Runtime::Runc;
        c
    };
    let runc = analyze(text, &ctx(Arch::X86_64, Runtime::Runc));
    let crun = analyze(text, &ctx(Arch::X86_64, Runtime::Crun));
    let arm = analyze(text, &ctx(Arch::Aarch64, Runtime::Runc));
    for c in calls {
        assert_eq!(
            runc.simulate_call(c, Arch::X86_64).unwrap().action,
            enosys,
            "{c}"
        );
        assert_eq!(
            arm.simulate_call(c, Arch::Aarch64).unwrap().action,
            enosys,
            "{c}"
        );
        assert_eq!(
            crun.simulate_call(c, Arch::X86_64).unwrap().action,
            Action::Errno(1),
            "{c}"
        );
        assert_eq!(
            arm.simulate_call(c, Arch::Arm).unwrap().action,
            Action::Errno(1),
            "{c}"
        );
    }
    // io_pgetevents (333) is the newest call it names on x86_64: allowed, not the stub's.
    assert_eq!(
        runc.simulate_call("io_pgetevents(0, 0, 0, 0, 0, 0)", Arch::X86_64)
            .unwrap()
            .action,
        Action::Allow
    );
    assert!(p.description.contains("io_pgetevents (333 on x86_64)"));
}

/// Regression (issue 14): kernels before 5.11 have no constant-action cache.
#[test]
fn no_cache_before_5_11() {
    let mut ctx = Context::docker(Arch::X86_64);
    for (k, cache) in [
        ("5.4", false),
        ("5.10", false),
        ("5.11", true),
        ("6.1", true),
    ] {
        ctx.kernel = crate::context::parse_kernel_release(k).unwrap();
        let t = analyze(docker(), &ctx).table(Arch::X86_64);
        let cached = t.rows.iter().filter(|r| r.cached).count();
        assert_eq!(t.action_cache, cache, "{k}");
        assert_eq!(cached > 250, cache, "{k}: {cached} cached");
    }
}

/// Regression (issue 14): rows and summaries say what actually answers — runc's ENOSYS stub is
/// not "(default)", blocked rows are counted per action, an allow-by-default profile does not
/// read "blocked (ALLOW)".
#[test]
fn labels_and_counts_follow_the_actual_outcome() {
    let t = analyze(docker(), &Context::docker(Arch::X86_64)).table(Arch::X86_64);
    let stub: Vec<&TableRow> = t
        .rows
        .iter()
        .filter(|r| {
            matches!(
                r.verdict,
                RowVerdict::Blocked {
                    by: DecidedBy::EnosysStub,
                    ..
                }
            )
        })
        .collect();
    assert!(!stub.is_empty());
    for r in &stub {
        assert_eq!(
            r.verdict.label(),
            "ERRNO(ENOSYS) (runc's ENOSYS stub)",
            "{}",
            r.name
        );
        assert!(matches!(
            r.verdict,
            RowVerdict::Blocked {
                by_default: false,
                ..
            }
        ));
    }
    let unshare = t.rows.iter().find(|r| r.name == "unshare").unwrap();
    assert_eq!(unshare.verdict.label(), "ERRNO(EPERM) (default)");
    // The why column: the left-out entry and its capability; the rule and its line; the stub.
    assert!(
        unshare.why.starts_with("default action (syscalls["),
        "{}",
        unshare.why
    );
    assert!(unshare.why.contains("CAP_SYS_ADMIN"), "{}", unshare.why);
    let read = t.rows.iter().find(|r| r.name == "read").unwrap();
    assert!(read.why.starts_with("syscalls[0] line "), "{}", read.why);
    assert!(
        stub[0].why.starts_with("runc's ENOSYS stub: above "),
        "{}",
        stub[0].why
    );
    let socket = t.rows.iter().find(|r| r.name == "socket").unwrap();
    assert!(
        socket.why.starts_with("argument rules: syscalls["),
        "{}",
        socket.why
    );
    let RowVerdict::Conditional { rules, .. } = &socket.verdict else {
        panic!()
    };
    assert!(rules[0].contains("family < 0x26 (AF_ALG)"), "{rules:?}");
    // clone3 gets ENOSYS from a rule (errnoRet 38), the others from the stub.
    let clone3 = t.rows.iter().find(|r| r.name == "clone3").unwrap();
    assert_eq!(clone3.verdict.label(), "ERRNO(ENOSYS)");
    let enosys = stub.len() + 1;
    let eperm = t.blocked - enosys;
    assert_eq!(
        t.to_string(),
        format!(
            "x86_64: {} syscalls, {} allowed, {} conditional, {} blocked ({eperm} EPERM, {} ENOSYS)",
            t.rows.len(),
            t.allowed,
            t.conditional,
            t.blocked,
            enosys
        )
    );
    // Allow by default, two calls blocked by rules (one with EACCES).
    let text = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
      {"names":["mount"],"action":"SCMP_ACT_ERRNO"},
      {"names":["umount2"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#;
    let t = analyze(text, &Context::docker(Arch::X86_64)).table(Arch::X86_64);
    assert!(
        t.to_string().ends_with(", 2 blocked (1 EPERM, 1 EACCES)"),
        "{t}"
    );
    let mount = t.rows.iter().find(|r| r.name == "mount").unwrap();
    assert_eq!(mount.verdict.label(), "ERRNO(EPERM)");
}

/// Names newer than libseccomp 2.5.x: the verdict says what such hosts do.
#[test]
fn names_unknown_to_libseccomp_2_5_are_flagged() {
    let a = analyze(docker(), &Context::docker(Arch::X86_64));
    let v = a.simulate_call("mseal(0, 0, 0)", Arch::X86_64).unwrap();
    assert_eq!(v.action, Action::Allow);
    let note = v.older_libseccomp.unwrap();
    assert!(
        note.contains("libseccomp 2.5.x") && note.contains("mseal"),
        "{note}"
    );
    assert!(a
        .simulate_call("read(0)", Arch::X86_64)
        .unwrap()
        .older_libseccomp
        .is_none());
    let t = a.table(Arch::X86_64);
    let flagged: Vec<&str> = t
        .rows
        .iter()
        .filter(|r| r.unknown_to_libseccomp_2_5)
        .map(|r| r.name)
        .collect();
    assert!(
        flagged.contains(&"mseal") && flagged.contains(&"statmount"),
        "{flagged:?}"
    );
    assert!(!flagged.contains(&"read"));
    assert!(crate::syscalls::UNKNOWN_TO_LIBSECCOMP_2_5
        .windows(2)
        .all(|w| w[0] < w[1]));
}

/// The diff of two tables: changed rows, which behave the same, which way they go.
#[test]
fn diff_of_two_tables() {
    let a = analyze(docker(), &Context::docker(Arch::X86_64));
    let ctx = Context::docker(Arch::X86_64)
        .with_caps(&["SYS_ADMIN"], &[] as &[&str], false)
        .unwrap();
    let b = analyze(docker(), &ctx);
    let (ta, tb) = (a.table(Arch::X86_64), b.table(Arch::X86_64));
    let d = diff_tables(&ta, &tb);
    let unshare = d.iter().find(|c| c.name == "unshare").unwrap();
    assert_eq!(unshare.direction, Direction::Looser);
    assert!(!unshare.same_outcome);
    assert!(d.iter().all(|c| c.direction != Direction::Tighter));
    assert!(diff_tables(&tb, &ta)
        .iter()
        .any(|c| c.direction == Direction::Tighter));
    assert!(diff_tables(&ta, &ta).is_empty());
    // Blocked on both sides with the same errno, by a rule vs by the default: same outcome.
    let rule = r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#;
    let none = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#;
    let mut c = Context::docker(Arch::X86_64);
    c.enosys_stub = false;
    let d = diff_tables(
        &analyze(rule, &c).table(Arch::X86_64),
        &analyze(none, &c).table(Arch::X86_64),
    );
    let mount = d.iter().find(|c| c.name == "mount").unwrap();
    assert!(mount.same_outcome);
    assert_eq!(mount.direction, Direction::Other);
}

#[test]
fn headlines_say_the_answer_in_one_sentence_with_its_line() {
    let a = analyze(
        crate::tables::presets::DOCKER_DEFAULT,
        &Context::docker(Arch::X86_64),
    );
    let h = |call: &str| a.headline(&a.simulate_call(call, Arch::X86_64).unwrap());
    assert_eq!(
        h("unshare(CLONE_NEWUSER)"),
        "Blocked: unshare needs CAP_SYS_ADMIN (line 633)."
    );
    assert_eq!(
        h("read(0)"),
        "Allowed: the profile's rule for read decides (line 281)."
    );
    assert_eq!(
        h("socket(AF_VSOCK, SOCK_STREAM, 0)"),
        "Blocked: none of socket's argument rules matches, so the default action applies (line 59)."
    );
    assert_eq!(
        h("personality(8)"),
        "Allowed: the rule for personality matches personality == 0x8 (PER_LINUX32) (line 501)."
    );
    assert_eq!(
        h("nfsservctl(0)"),
        "Blocked: the profile does not list nfsservctl, so the default action applies (line 59)."
    );
    let a = analyze(DOCKERISH, &Context::docker(Arch::X86_64));
    let v = a
        .simulate_call("clone(CLONE_NEWUSER)", Arch::X86_64)
        .unwrap();
    assert!(a
        .headline(&v)
        .starts_with("Blocked: none of clone's argument rules matches"));
}

/// The first-load build's reader gives exactly what the full one does for Docker JSON: every
/// Docker-format preset, broken JSON and an empty text, in two contexts.
#[test]
fn analyze_docker_equals_analyze_for_docker_json() {
    use crate::frontend::{detect_json, Format};
    use crate::presets::{all, PresetKind};
    let mut texts: Vec<&str> = all()
        .iter()
        .filter_map(|p| match p.kind {
            PresetKind::Profile(t) => Some(t),
            _ => None,
        })
        .collect();
    texts.extend(["", "{", "{\"defaultAction\": 1}", "{}"]);
    let mut privileged = Context::docker(Arch::Aarch64);
    privileged.privileged = true;
    for ctx in [Context::docker(Arch::X86_64), privileged] {
        for t in &texts {
            if !t.is_empty() {
                assert_eq!(detect_json(t), Some(Format::Docker), "{t:.60}");
            }
            let (a, b) = (analyze(t, &ctx), analyze_docker(t, &ctx));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{t:.60}");
        }
    }
    assert_eq!(detect_json("[Service]\nSystemCallFilter=@basic-io"), None);
}

/// Linux ≥ 6.14 runs no filter for x86_64 uretprobe (6.18: uprobe too): the process gets ALLOW
/// whatever the profile says, and the verdict, the headline and the table say so; 6.12 and
/// 6.13 depend on the point release (the filter's answer, with a note); 6.11 runs the filter.
/// The kernel side is checked on the running kernel by tests/tests/kernel_bypass.rs.
#[test]
fn kernels_that_run_no_filter_for_uretprobe_allow_it_whatever_the_profile_says() {
    let at = |k: &str| {
        let mut ctx = Context::docker(Arch::X86_64);
        ctx.kernel = crate::context::parse_kernel_release(k).unwrap();
        analyze(DOCKERISH, &ctx)
    };
    let a = at("6.14");
    let v = a.simulate_call("uretprobe()", Arch::X86_64).unwrap();
    assert!(v.bypassed);
    // The filter's own answer (runc's ENOSYS stub: 335 is above every listed number) is kept.
    assert_eq!(v.action, Action::Errno(38));
    assert_eq!(Action::from_ret(v.outcome_ret()), Action::Allow);
    assert!(a
        .headline(&v)
        .starts_with("Allowed: the kernel runs no seccomp filter for uretprobe"));
    assert!(v.kernel_bypass.as_deref().unwrap().contains("cf6cb56ef244"));
    let uprobe = a.simulate_call("uprobe()", Arch::X86_64).unwrap();
    assert!(!uprobe.bypassed && uprobe.kernel_bypass.is_none());
    let t = a.table(Arch::X86_64);
    let row = t.rows.iter().find(|r| r.name == "uretprobe").unwrap();
    assert_eq!(
        row.verdict,
        RowVerdict::Allowed {
            ret: Action::Allow.to_ret()
        }
    );
    assert!(
        row.why
            .starts_with("Linux 6.14 and later run no seccomp filter"),
        "{}",
        row.why
    );
    assert!(row.cached);
    // The same number on x32 and i386 is another call: the filter decides.
    let v = a.simulate_call("nr=335", Arch::X86).unwrap();
    assert!(!v.bypassed && v.kernel_bypass.is_none());

    let v = at("6.18").simulate_call("uprobe()", Arch::X86_64).unwrap();
    assert!(v.bypassed);

    let v = at("6.13")
        .simulate_call("uretprobe()", Arch::X86_64)
        .unwrap();
    assert!(!v.bypassed);
    assert_eq!(v.outcome_ret(), v.ret);
    assert_eq!(v.action, Action::Errno(38));
    assert!(v
        .kernel_bypass
        .as_deref()
        .unwrap()
        .contains("point release"));

    let v = at("6.11")
        .simulate_call("uretprobe()", Arch::X86_64)
        .unwrap();
    assert!(!v.bypassed && v.kernel_bypass.is_none());
}

/// The size in the "profile-too-large" message reads as `{:.1}` of the float would.
#[test]
fn mib1_rounds_as_float_formatting() {
    let mut sizes: Vec<usize> = (0..200_000).step_by(997).collect();
    for k in 0..400usize {
        // Around the ties: tenths of a MiB plus or minus a half, and exactly on them.
        let tie = (2 * k + 1) << 19;
        for d in [0, 1, 2, 10, 11] {
            sizes.push((tie + d * 5 - 25) / 10);
        }
        sizes.push(tie / 10);
        sizes.push(k << 20);
    }
    sizes.extend([4 << 20, (4 << 20) + 1, 20 << 20, usize::MAX >> 12]);
    for n in sizes {
        assert_eq!(
            super::mib1(n),
            format!("{:.1}", n as f64 / (1 << 20) as f64),
            "{n}"
        );
    }
}

/// lint's execve check: a profile that does not allow the host ABI's execve gets the warning,
/// with the action and the reason; Docker's default, a refused profile and an unconfined
/// container do not.
#[test]
fn a_profile_that_blocks_execve_is_warned_about() {
    let ctx = Context::docker(Arch::X86_64);
    let d = analyze(DOCKERISH, &ctx)
        .execve_blocked()
        .expect("DOCKERISH does not allow execve");
    assert_eq!(
        (d.code, d.severity),
        ("execve-blocked", crate::diag::Severity::Warning)
    );
    assert!(
        d.message
            .starts_with("execve gets ERRNO(EPERM) on x86_64: a container could not even start"),
        "{}",
        d.message
    );
    let docker = crate::presets::CURRENT_DOCKER;
    let crate::presets::PresetKind::Profile(text) = docker.kind else {
        panic!("Docker's default is a profile")
    };
    assert_eq!(analyze(text, &ctx).execve_blocked(), None);
    assert_eq!(analyze("{", &ctx).execve_blocked(), None, "refused");
    let mut privileged = ctx.clone();
    privileged.privileged = true;
    privileged.explicit_profile = false;
    assert_eq!(
        analyze(text, &privileged).execve_blocked(),
        None,
        "unconfined"
    );
}

/// A call the filter lets through on a kernel that predates it: the verdict says the kernel
/// answers ENOSYS (the host matrix's table); not on a kernel that has it, nor when the filter
/// blocks the call.
#[test]
fn a_call_the_kernel_lacks_is_answered_by_the_kernel() {
    let allow_all = r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#;
    let at = |k: &str, profile: &str, call: &str| {
        let mut ctx = Context::docker(Arch::X86_64);
        ctx.kernel = crate::context::parse_kernel_release(k).unwrap();
        analyze(profile, &ctx)
            .simulate_call(call, Arch::X86_64)
            .unwrap()
            .kernel_enosys
    };
    assert_eq!(
        at("5.4", allow_all, "faccessat2(0, 0, 0, 0)").as_deref(),
        Some("Linux 5.4 does not implement faccessat2 (added in 5.8): ENOSYS from the kernel")
    );
    assert_eq!(at("5.8", allow_all, "faccessat2(0, 0, 0, 0)"), None);
    assert_eq!(
        at("6.1", allow_all, "_sysctl(0)").as_deref(),
        Some("_sysctl was removed in Linux 5.5: ENOSYS from the kernel")
    );
    let deny = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["faccessat2"],"action":"SCMP_ACT_ERRNO"}]}"#;
    assert_eq!(
        at("5.4", deny, "faccessat2(0, 0, 0, 0)"),
        None,
        "the filter answers first"
    );
}

/// The three ways libseccomp keeps no trace of a rule (seccomp-semantics.md §2.5), as
/// python3-seccomp (Debian 12's libseccomp 2.5.4) exports the same rules: `setns`'s ERRNO after
/// an unconditional ALLOW is ignored; `read`'s conditional ERRNO is discarded by a later
/// unconditional ALLOW; `write`'s longer ERRNO rule extends the shorter ALLOW and is dropped.
/// A rule repeated with the same action is a note, not a warning; rules that all take effect
/// give nothing.
#[test]
fn rules_without_a_trace_are_reported_at_their_location() {
    let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
  "architectures":["SCMP_ARCH_X86_64"],
  "syscalls":[
    {"names":["setns"],"action":"SCMP_ACT_ALLOW"},
    {"names":["setns"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
    {"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
    {"names":["read"],"action":"SCMP_ACT_ALLOW"},
    {"names":["write"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
    {"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
    {"names":["getpid"],"action":"SCMP_ACT_ALLOW"},
    {"names":["getpid"],"action":"SCMP_ACT_ALLOW"},
    {"names":["close"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
    {"names":["close"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":2,"op":"SCMP_CMP_EQ"}]}]}"#;
    let mut ctx = Context::docker(Arch::X86_64);
    ctx.runtime = crate::context::Runtime::Crun;
    let a = analyze(text, &ctx);
    assert!(!a.failed(), "{:?}", a.diagnostics);
    let found: Vec<(&str, u32, &str)> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == "rule-shadowed" || d.code == "rule-redundant")
        .map(|d| {
            (
                d.code,
                d.location.as_ref().unwrap().line,
                d.message.as_str(),
            )
        })
        .collect();
    let lines: Vec<(&str, u32)> = found.iter().map(|(c, l, _)| (*c, *l)).collect();
    assert_eq!(
        lines,
        [
            ("rule-shadowed", 5),
            ("rule-shadowed", 6),
            ("rule-shadowed", 9),
            ("rule-redundant", 11),
        ],
        "{found:#?}"
    );
    let msg = |i: usize| found[i].2;
    assert!(
        msg(0).contains("setns (ERRNO(1)) never decides a call")
            && msg(0).contains("get ALLOW from the rule at 4:"),
        "{}",
        msg(0)
    );
    assert!(msg(0).contains("unconditional"), "{}", msg(0));
    assert!(
        msg(1).contains("read (ERRNO(1))") && msg(1).contains("get ALLOW from the rule at 7:"),
        "{}",
        msg(1)
    );
    assert!(
        msg(2).contains("write (ERRNO(5))") && msg(2).contains("extend a shorter rule"),
        "{}",
        msg(2)
    );
    assert!(
        msg(2).contains("get ALLOW from the rule at 8:"),
        "{}",
        msg(2)
    );
    assert!(msg(3).contains("getpid (ALLOW) is redundant"), "{}", msg(3));
    // The verdicts are libseccomp's: the dropped rules decide nothing.
    for (call, want) in [
        ("setns(0, 0)", Action::Allow),
        ("read(1, 0, 0)", Action::Allow),
        ("write(1, 2, 0)", Action::Allow),
        ("close(2)", Action::Errno(1)),
    ] {
        assert_eq!(
            a.simulate_call(call, Arch::X86_64).unwrap().action,
            want,
            "{call}"
        );
    }
}

/// The review flags what Docker's table keeps out and Docker's current default refuses in the
/// same context: Podman's keyring and mount calls, containerd 1.7's io_uring; never Docker's
/// own default; `mount` not once CAP_SYS_ADMIN lets Docker's default allow it; `ptrace` only
/// before 4.8.
#[test]
fn review_flags_what_dockers_default_refuses_in_the_same_context() {
    use crate::presets::{self, PresetKind};
    let text = |name: &str| match presets::get(name).unwrap().kind {
        PresetKind::Profile(t) => t,
        _ => unreachable!(),
    };
    let ctx = |caps: &[&str], kernel: (u8, u8)| {
        let mut c = Context::docker(Arch::X86_64)
            .with_caps(caps, &[] as &[&str], false)
            .unwrap();
        c.kernel = crate::profile::KernelVersion {
            major: kernel.0,
            minor: kernel.1,
        };
        c
    };
    let flagged = |name: &str, c: &Context| -> Vec<String> {
        analyze(text(name), c)
            .review()
            .iter()
            .map(|d| {
                assert_eq!(d.code, "review-allowed");
                d.message.split(' ').next().unwrap().to_string()
            })
            .collect()
    };
    let base = ctx(&[], (6, 1));
    for name in ["docker", "docker@26", "docker@25"] {
        assert!(flagged(name, &base).is_empty(), "{name}");
    }
    assert!(flagged("docker", &ctx(&["ALL"], (6, 1))).is_empty());
    let podman = flagged("podman", &base);
    for n in ["keyctl", "mount", "unshare", "setns", "pivot_root"] {
        assert!(podman.iter().any(|f| f == n), "{n}: {podman:?}");
    }
    assert!(!podman.iter().any(|f| f == "ptrace" || f == "clock_adjtime"));
    let admin = flagged("podman", &ctx(&["SYS_ADMIN"], (6, 1)));
    assert!(!admin.iter().any(|f| f == "mount"), "{admin:?}");
    assert!(admin.iter().any(|f| f == "keyctl"), "{admin:?}");
    let old = flagged("podman", &ctx(&[], (4, 4)));
    assert!(old.iter().any(|f| f == "ptrace"), "{old:?}");
    assert_eq!(
        flagged("containerd@1.7", &base),
        ["io_uring_setup", "io_uring_enter", "io_uring_register"]
    );
    assert!(flagged("containerd@2.3", &base).is_empty());
    // The capability the kernel also checks, as the context has it.
    let a = analyze(text("podman"), &base);
    let mount = a
        .review()
        .into_iter()
        .find(|d| d.message.starts_with("mount "))
        .unwrap();
    assert!(mount
        .message
        .contains("CAP_SYS_ADMIN, and the container does not have it"));
    // Nothing to review without a filter.
    let unconfined = analyze(r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#, &base);
    assert!(unconfined
        .review()
        .iter()
        .any(|d| d.message.starts_with("bpf ")));
    assert!(analyze("{}", &base).review().is_empty());
    assert!(analyze("{", &base).review().is_empty());
}
