//! systemd units and LXC policies: their semantics through the whole pipeline (decisions of the
//! compiled filter), LXC's stock policies, located errors, hostile inputs and the fuzz seeds.
//! The groups against the installed `systemd-analyze` are tests/tests/systemd_groups.rs.

use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::frontend::{self, systemd, Format};
use seccplay_core::invariants::{check_frontend, diagnostics_are_located};
use std::path::PathBuf;

const ALLOW: u32 = 0x7fff_0000;
const KILL_PROCESS: u32 = 0x8000_0000;
const KILL_THREAD: u32 = 0;
const TRAP: u32 = 0x0003_0000;
const LOG: u32 = 0x7ffc_0000;
fn errno(e: u32) -> u32 {
    0x0005_0000 | e
}

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// What the compiled filter returns for `call` on `arch` (host x86_64, Docker's context).
fn ret(text: &str, arch: Arch, call: &str) -> u32 {
    let a = analyze(text, &Context::docker(Arch::X86_64));
    assert!(a.first_error().is_none(), "{:?}", a.first_error());
    let v = a.simulate_call(call, arch).unwrap();
    assert_eq!(
        v.program_ret,
        Some(v.ret),
        "{call}: program and evaluator agree"
    );
    v.ret
}

fn codes(text: &str) -> Vec<&'static str> {
    let a = analyze(text, &Context::docker(Arch::X86_64));
    a.diagnostics.iter().map(|d| d.code).collect()
}

#[test]
fn systemd_allow_list_implies_default_and_kills_the_rest() {
    let u = "[Service]\nSystemCallFilter=@basic-io\n";
    assert_eq!(frontend::detect(u), Format::Systemd);
    assert_eq!(ret(u, Arch::X86_64, "read"), ALLOW);
    assert_eq!(ret(u, Arch::X86_64, "execve"), ALLOW, "@default is implied");
    assert_eq!(ret(u, Arch::X86_64, "mount"), KILL_PROCESS);
    // The filter covers the local compat ABIs too (one filter per ABI in systemd).
    assert_eq!(ret(u, Arch::X86, "read"), ALLOW);
    assert_eq!(ret(u, Arch::X86, "mount"), KILL_PROCESS);
    let a = analyze(u, &Context::docker(Arch::X86_64));
    assert!(a
        .diagnostics
        .iter()
        .any(|d| d.message.contains(systemd::VERSION)));
}

#[test]
fn systemd_lines_accumulate_reset_and_take_errnos() {
    let u = "[Service]\nSystemCallFilter=~@mount:EACCES @reboot:kill\nSystemCallFilter=umount2 mount\nSystemCallErrorNumber=EPERM\n";
    assert_eq!(
        ret(u, Arch::X86_64, "mount"),
        ALLOW,
        "a later allow word removes it"
    );
    assert_eq!(ret(u, Arch::X86_64, "pivot_root"), errno(13));
    assert_eq!(ret(u, Arch::X86_64, "reboot"), KILL_PROCESS);
    assert_eq!(ret(u, Arch::X86_64, "read"), ALLOW);
    let reset = format!("{u}SystemCallFilter=\nSystemCallFilter=~sync\n");
    assert_eq!(ret(&reset, Arch::X86_64, "pivot_root"), ALLOW, "reset");
    assert_eq!(ret(&reset, Arch::X86_64, "sync"), errno(1));
    // In an allow list: ~x removes, ~x:errno returns that errno, x:errno is ignored.
    let allow = "SystemCallFilter=@basic-io @file-system\nSystemCallFilter=~write openat:EROFS\nSystemCallFilter=mount:EPERM\n";
    assert_eq!(ret(allow, Arch::X86_64, "write"), KILL_PROCESS);
    assert_eq!(ret(allow, Arch::X86_64, "openat"), errno(30));
    assert_eq!(ret(allow, Arch::X86_64, "mount"), KILL_PROCESS);
    assert!(codes(allow).contains(&"systemd-ignored"));
    assert!(codes(allow).contains(&"unit-fragment"));
}

#[test]
fn systemd_log_filter_folds_and_archs_restrict() {
    let u = "[Service]\nSystemCallFilter=~@reboot\nSystemCallLog=read write\nSystemCallArchitectures=native\n";
    assert_eq!(ret(u, Arch::X86_64, "read"), LOG);
    assert_eq!(ret(u, Arch::X86_64, "close"), ALLOW);
    assert_eq!(
        ret(u, Arch::X86_64, "reboot"),
        KILL_PROCESS,
        "stricter than LOG"
    );
    assert_eq!(
        ret(u, Arch::X86, "read"),
        KILL_THREAD,
        "a non-native ABI is killed"
    );
    let inverse = "[Service]\nSystemCallLog=~read\n";
    assert_eq!(ret(inverse, Arch::X86_64, "close"), LOG);
    assert_eq!(ret(inverse, Arch::X86_64, "read"), ALLOW);
    let x86 = "[Service]\nSystemCallFilter=~reboot\nSystemCallArchitectures=native x86\n";
    assert_eq!(ret(x86, Arch::X86, "read"), ALLOW);
    assert_eq!(ret(x86, Arch::X32, "read"), KILL_THREAD);
}

#[test]
fn systemd_refusals_and_errors_are_located() {
    let refused = "[Service]\nSystemCallFilter=@system-service\nSystemCallFilter=~@resources:EPERM\nSystemCallErrorNumber=EPERM\n";
    let f = frontend::read(refused, None).unwrap_err();
    let e = f.first_error().unwrap();
    assert_eq!(e.code, "systemd-refused");
    let l = e.location.as_ref().unwrap();
    assert_eq!((l.line, l.column), (3, 19), "{e}");
    let bad = "[Service\nSystemCallFilter=read\n";
    let e = frontend::read(bad, Some(Format::Systemd)).unwrap_err();
    assert_eq!(e.first_error().unwrap().location.as_ref().unwrap().line, 1);
    let words = "[Service]\nSystemCallFilter=~@nope read:ENOPE nosuchcall\nSystemCallErrorNumber=log\nSystemCallArchitectures=vax\n";
    let input = frontend::read(words, None).unwrap();
    let lines: Vec<u32> = input
        .diagnostics
        .iter()
        .filter(|d| d.severity == seccplay_core::diag::Severity::Warning)
        .filter_map(|d| d.location.as_ref().map(|l| l.line))
        .collect();
    assert_eq!(lines, [2, 2, 2, 3, 4], "{:#?}", input.diagnostics);
    // A continuation: comment lines inside are skipped, words located on their own lines.
    let cont = "[Service]\nSystemCallFilter=~read \\\n# skipped\n    write\n";
    let p = &frontend::read(cont, None).unwrap().policies[0]
        .parsed
        .profile;
    let names: Vec<(&str, u32)> = p
        .syscalls
        .iter()
        .flat_map(|e| e.names.iter())
        .map(|n| (n.value.as_str(), n.location.line))
        .collect();
    assert_eq!(names, [("read", 2), ("write", 4)]);
}

#[test]
fn lxc_stock_policies_decide_like_lxc() {
    let common = std::fs::read_to_string(repo("refdata/profiles/lxc/common.seccomp")).unwrap();
    assert_eq!(frontend::detect(&common), Format::Lxc);
    assert_eq!(ret(&common, Arch::X86_64, "kexec_load"), errno(1));
    assert_eq!(ret(&common, Arch::X86, "init_module"), errno(1));
    assert_eq!(ret(&common, Arch::X86_64, "umount2(0, 1)"), errno(13));
    assert_eq!(ret(&common, Arch::X86_64, "umount2(0, 0)"), ALLOW);
    assert_eq!(ret(&common, Arch::X86_64, "read"), ALLOW);
    let v2 = std::fs::read_to_string(repo("refdata/profiles/lxc/seccomp-v2.conf")).unwrap();
    assert_eq!(ret(&v2, Arch::X86_64, "mount"), ALLOW);
    assert_eq!(ret(&v2, Arch::X86_64, "fork"), TRAP);
    // [x86] rules count on an x86_64 host and apply to every ABI of the filter.
    assert_eq!(ret(&v2, Arch::X32, "read"), ALLOW);
    let deny =
        std::fs::read_to_string(repo("refdata/profiles/lxc/seccomp-v2-denylist.conf")).unwrap();
    assert_eq!(ret(&deny, Arch::X86_64, "mknod"), errno(0));
    let v1 = std::fs::read_to_string(repo("refdata/profiles/lxc/seccomp-v1.conf")).unwrap();
    assert_eq!(ret(&v1, Arch::X86_64, "read"), ALLOW);
    // 425 is not listed: the default action (LXC loads its filter itself: no runc ENOSYS stub).
    assert_ne!(ret(&v1, Arch::X86_64, "io_uring_setup"), ALLOW);
    let on_arm = analyze(&v1, &Context::docker(Arch::Aarch64));
    assert_eq!(
        on_arm.simulate_call("read", Arch::Aarch64).unwrap().ret,
        ALLOW,
        "63 on arm64"
    );
    assert!(codes(&v1).contains(&"not-expressible"));
}

#[test]
fn lxc_rules_actions_and_conditions() {
    let p = "2\nallowlist errno 38\nread\nwrite trap\nclose kill\n[all]\nioctl allow [1,0x5401,==]\nmmap errno 1 [2,4,&=,4] [3,1,SCMP_CMP_NE]\n[arm64]\nopenat\n";
    assert_eq!(ret(p, Arch::X86_64, "read"), ALLOW);
    assert_eq!(ret(p, Arch::X86_64, "write"), TRAP);
    assert_eq!(ret(p, Arch::X86_64, "close"), KILL_THREAD);
    assert_eq!(ret(p, Arch::X86_64, "ioctl(0, 0x5401)"), ALLOW);
    assert_eq!(ret(p, Arch::X86_64, "ioctl(0, 0x5402)"), errno(38));
    assert_eq!(ret(p, Arch::X86_64, "mmap(0, 0, 4, 0)"), errno(1));
    assert_eq!(ret(p, Arch::X86_64, "mmap(0, 0, 4, 1)"), errno(38));
    assert_eq!(
        ret(p, Arch::X86_64, "openat"),
        errno(38),
        "[arm64] does not count here"
    );
    let on_arm = analyze(p, &Context::docker(Arch::Aarch64));
    assert_eq!(
        on_arm.simulate_call("openat", Arch::Aarch64).unwrap().ret,
        ALLOW
    );
}

#[test]
fn lxc_refusals_are_located() {
    for (text, line, code) in [
        ("3\ndenylist\n", 1, "lxc-policy"),
        ("2\nallowlist debug\n", 2, "lxc-policy"),
        ("2\nsomething\n", 2, "lxc-policy"),
        ("2\ndenylist\nread [0,1,==]\n", 3, "lxc-policy"),
        (
            "2\ndenylist\nread errno 1 [0,1,==][0,2,==]\n",
            3,
            "lxc-policy",
        ),
        ("2\ndenylist\nread allow\n", 3, "lxc-policy"),
        ("2\ndenylist\n[vax]\n", 3, "lxc-policy"),
        ("2\ndenylist\nread kill [7,1,==]\n", 3, "lxc-policy"),
        ("1\nallowlist\n0\nread\n", 4, "lxc-policy"),
        // The name ends at the first space: " mount" has an empty name and the action "mount".
        ("2\ndenylist\n mount\n", 3, "lxc-policy"),
    ] {
        let f = frontend::read(text, Some(Format::Lxc)).unwrap_err();
        let e = f.first_error().unwrap();
        assert_eq!(
            (e.code, e.location.as_ref().unwrap().line),
            (code, line),
            "{text:?}: {e}"
        );
    }
    let skipped = frontend::read("2\ndenylist\n# x\nmount\t errno 1\nnosuchcall\n", None).unwrap();
    let warned: Vec<u32> = skipped
        .diagnostics
        .iter()
        .filter(|d| d.code == "unknown-syscall")
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    assert_eq!(warned, [4, 5]);
}

#[test]
fn hostile_text_policies_are_bounded_and_located() {
    // A line over systemd's 1 MiB: refused, located.
    let huge = format!("[Service]\nSystemCallFilter={}\n", "a".repeat(1 << 20));
    let e = frontend::read(&huge, Some(Format::Systemd)).unwrap_err();
    assert_eq!(e.first_error().unwrap().location.as_ref().unwrap().line, 2);
    // 100 000 continuation lines and 100 000 assignments: read, no quadratic blow-up.
    let cont = format!(
        "[Service]\nSystemCallFilter=~read \\\n{}write\n",
        "sync \\\n".repeat(100_000)
    );
    assert!(frontend::read(&cont, None).is_ok());
    let many = format!(
        "[Service]\n{}",
        "SystemCallFilter=~@mount\n".repeat(100_000)
    );
    assert!(frontend::read(&many, None).is_ok());
    let lxc = format!("2\ndenylist\n{}", "read errno 1 [0,1,==]\n".repeat(100_000));
    assert!(frontend::read(&lxc, None).is_ok());
    // Binary garbage in either format: an answer, never a panic, errors located.
    let mut seed = 7u64;
    for n in 0..200 {
        let bytes: Vec<u8> = (0..(n * 13 % 500))
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 33) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        for (prefix, f) in [
            ("[Service]\nSystemCallFilter=", Format::Systemd),
            ("2\ndenylist\n", Format::Lxc),
        ] {
            let t = format!("{prefix}{text}");
            match frontend::read(&t, Some(f)) {
                Ok(i) => diagnostics_are_located(&t, &i.diagnostics).unwrap(),
                Err(e) => diagnostics_are_located(&t, &e.diagnostics).unwrap(),
            }
        }
    }
}

/// The fuzz target's checks (fuzz/fuzz_targets/text_policies.rs) on its seed corpus.
#[test]
fn fuzz_seeds_keep_the_text_front_end_invariants() {
    let mut n = 0;
    for f in std::fs::read_dir(repo("fuzz/corpus/text_policies")).unwrap() {
        let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
        check_frontend(&text, &[None, Some(Format::Systemd), Some(Format::Lxc)])
            .unwrap_or_else(|v| panic!("{v}"));
        n += 1;
    }
    assert!(n >= 10, "{n}");
}

/// Regression: systemd, LXC and Firecracker load their filters themselves, so runc's ENOSYS
/// stub (which once answered ENOSYS above a unit's highest listed number) and `--privileged`
/// (which once made a unit unconfined) do not apply; a note says so.
#[test]
fn filters_loaded_without_a_container_runtime_have_no_stub_and_ignore_privileged() {
    let unit = "[Service]\nSystemCallFilter=read write exit_group\n";
    let lxc = "2\nallowlist\nread\nwrite\nexit_group\n";
    let mut privileged = Context::docker(Arch::X86_64);
    privileged.privileged = true;
    for (text, default) in [(unit, KILL_PROCESS), (lxc, KILL_THREAD)] {
        // mseal (462) is above every listed number: runc's stub would say ENOSYS.
        assert_eq!(ret(text, Arch::X86_64, "mseal"), default, "{text}");
        assert!(codes(text).contains(&"no-container-runtime"), "{text}");
        let a = analyze(text, &privileged);
        assert!(a.unconfined.is_none(), "{text}: --privileged is Docker's");
        assert_eq!(
            a.simulate_call("mseal", Arch::X86_64).unwrap().ret,
            default,
            "{text}"
        );
    }
    // A Docker profile with the same rules keeps the stub.
    let docker = r#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}"#;
    assert_eq!(ret(docker, Arch::X86_64, "mseal"), errno(38));
    assert!(!codes(docker).contains(&"no-container-runtime"));
}
