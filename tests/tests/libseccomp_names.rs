//! The core's list of names libseccomp 2.5.x does not know
//! (`seccplay_core::syscalls::UNKNOWN_TO_LIBSECCOMP_2_5`, which the verdicts' "hosts with
//! libseccomp 2.5.x" note comes from) equals what real libseccomp answers: every name of the
//! current table is resolved by python3-seccomp (Debian 12's 2.5.4) on every ABI it knows.
use seccplay_conformance::libseccomp;
use seccplay_core::syscalls;
use std::process::Command;

#[test]
fn libseccomp_2_5_unknown_names() {
    if !libseccomp::require("libseccomp_2_5_unknown_names") {
        return;
    }
    let names: Vec<&str> = syscalls::all_names().collect();
    // A name is known when some ABI resolves it (a number, or a negative pseudo number that is
    // not -1 = __NR_SCMP_ERROR).
    let script = r#"
import sys, seccomp as S
arches = [a for a in ("x86_64", "x86", "x32", "aarch64", "arm", "riscv64", "ppc64le", "s390x", "mips", "mips64")]
for n in sys.stdin.read().split():
    known = False
    for a in arches:
        try:
            if S.resolve_syscall(S.Arch(a), n) != -1:
                known = True
                break
        except Exception:
            pass
    if not known:
        print(n)
"#;
    let mut child = Command::new(libseccomp::PYTHON)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(names.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let unknown: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let core: Vec<String> = syscalls::UNKNOWN_TO_LIBSECCOMP_2_5
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(unknown, core, "libseccomp 2.5.x vs the core's list");
}
