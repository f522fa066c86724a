//! `apply` fails closed, and `dump`/`status` fail clearly, against the real kernel.
//!
//! For every failure before exec — an invalid profile, a compile error, a verifier error, a
//! seccomp(2) error, a no_new_privs failure — `apply` must exit 125 with a message and never
//! run the command: each case runs `touch MARKER` and checks the marker does not exist.
//! (native_cli.rs covers an unknown action, a program over 4096 instructions, a flag the kernel
//! refuses with EINVAL and a blocked execve; these are the other cases.) The seccomp(2) and
//! prctl failures are real: an outer `apply` installs a filter that makes the inner `apply`'s
//! seccomp(2) or prctl(PR_SET_NO_NEW_PRIVS) fail with EPERM. The verifier failure needs
//! a fault: debug builds honour SECCPLAY_TEST_BREAK_PROGRAM, which prepends an invalid opcode
//! to the compiled program (a correct compiler never produces one).
//!
//! Kernel tests skip (with a message) where seccomp or root is missing, except when `CI` is set:
//! then they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("spawn seccplay-native")
}

fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

/// True when the kernel tests can run here; otherwise prints why (and panics under CI).
fn kernel_ready(test: &str) -> bool {
    let why = if let Some(w) = common::no_seccomp_filters() {
        Some(w.to_string())
    } else if !common::is_root() {
        Some(
            "not root (the nested apply needs CAP_SYS_ADMIN for dump and a clean start)"
                .to_string(),
        )
    } else {
        None
    };
    common::ready_unless(test, why)
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("seccplay-safety-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    fn write(&self, name: &str, body: &[u8]) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    }

    fn marker(&self) -> String {
        self.0.join("marker").to_str().unwrap().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `apply ARGS -- touch MARKER` (ARGS may nest another apply) and checks it failed closed
/// with `needle` in the message.
fn assert_fails_closed(dir: &Dir, what: &str, args: &[&str], env: &[(&str, &str)], needle: &str) {
    let marker = dir.marker();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--", "touch", &marker]);
    let o = run_env(&all, env);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(125), "{what}: {o:?}");
    assert!(err.contains(needle), "{what}: {err}");
    assert!(
        err.contains("did not run") || err.contains("seccplay-native: "),
        "{what}: {err}"
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert!(!Path::new(&marker).exists(), "{what}: the command ran");
}

#[test]
fn a_clean_run_creates_the_marker() {
    // The control: the marker command works, so its absence below means something.
    if !kernel_ready("control") {
        return;
    }
    let dir = Dir::new("control");
    let marker = dir.marker();
    let o = run(&["apply", "docker", "--", "touch", &marker]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(Path::new(&marker).exists());
}

#[test]
fn invalid_profiles_never_run_the_command() {
    if !kernel_ready("invalid-profile") {
        return;
    }
    let dir = Dir::new("invalid");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "utf8.json",
            b"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"re\xffad\"]}]}",
            "not valid UTF-8",
        ),
        (
            "truncated.json",
            br#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"#,
            "unterminated string",
        ),
        (
            "index.json",
            br#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]}"#,
            "argument index 6",
        ),
        (
            "deep.json",
            deep.as_bytes(),
            "nesting deeper than 128",
        ),
        ("empty.json", b"", "empty document"),
    ];
    for (name, body, needle) in cases {
        let p = dir.write(name, body);
        assert_fails_closed(&dir, name, &["apply", &p], &[], needle);
    }
}

#[test]
fn compile_errors_never_run_the_command() {
    if !kernel_ready("compile-error") {
        return;
    }
    let dir = Dir::new("compile");
    // 5,000 conditional rules on one syscall: refused before the rule database is built.
    let rules: Vec<String> = (0..5000)
        .map(|i| format!(r#"{{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","args":[{{"index":1,"value":{i},"op":"SCMP_CMP_EQ"}}]}}"#))
        .collect();
    let p = dir.write(
        "many.json",
        format!(
            r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{}]}}"#,
            rules.join(",")
        )
        .as_bytes(),
    );
    assert_fails_closed(
        &dir,
        "too many rules",
        &["apply", &p],
        &[],
        "too-many-rules",
    );
}

#[test]
fn verifier_errors_never_run_the_command() {
    if !kernel_ready("verifier-error") {
        return;
    }
    if !cfg!(debug_assertions) {
        eprintln!("verifier_errors_never_run_the_command: skipping: the fault injection exists in debug builds only");
        return;
    }
    let dir = Dir::new("verifier");
    assert_fails_closed(
        &dir,
        "broken program",
        &["apply", "docker"],
        &[("SECCPLAY_TEST_BREAK_PROGRAM", "1")],
        "the kernel would refuse the compiled program",
    );
    // The same fault makes the verifier name the instruction and the rule.
    let marker = dir.marker();
    let o = run_env(
        &["apply", "docker", "--", "touch", &marker],
        &[("SECCPLAY_TEST_BREAK_PROGRAM", "1")],
    );
    assert!(text(&o.stderr).contains("unknown-opcode"), "{o:?}");
}

/// An outer `apply` whose filter makes one syscall of the inner `apply` fail with EPERM.
fn outer_profile(dir: &Dir, name: &str, rule: &str) -> String {
    dir.write(
        name,
        format!(r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{rule}]}}"#).as_bytes(),
    )
}

#[test]
fn a_failing_seccomp_call_never_runs_the_command() {
    if !kernel_ready("seccomp-error") {
        return;
    }
    let dir = Dir::new("seccomp");
    let outer = outer_profile(
        &dir,
        "outer.json",
        r#"{"names":["seccomp"],"action":"SCMP_ACT_ERRNO","errnoRet":1}"#,
    );
    let inner = outer_profile(
        &dir,
        "inner.json",
        r#"{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}"#,
    );
    assert_fails_closed(
        &dir,
        "seccomp(2) EPERM",
        &["apply", &outer, "--", BIN, "apply", &inner],
        &[],
        "the kernel refused the filter",
    );
}

#[test]
fn a_failing_no_new_privs_never_runs_the_command() {
    if !kernel_ready("nnp-error") {
        return;
    }
    let dir = Dir::new("nnp");
    // prctl(PR_SET_NO_NEW_PRIVS = 38, ...) fails with EPERM under the outer filter (the outer
    // apply sets it for itself before installing that filter).
    let outer = outer_profile(
        &dir,
        "outer.json",
        r#"{"names":["prctl"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":38,"op":"SCMP_CMP_EQ"}]}"#,
    );
    assert_fails_closed(
        &dir,
        "prctl EPERM",
        &["apply", &outer, "--", BIN, "apply", "docker"],
        &[],
        "prctl(PR_SET_NO_NEW_PRIVS): Operation not permitted",
    );
}

/// A pid that existed and was reaped.
fn dead_pid() -> u32 {
    let mut c = Command::new("true").spawn().expect("spawn true");
    let pid = c.id();
    c.wait().unwrap();
    pid
}

fn assert_clear_error(args: &[&str], needle: &str) {
    let o = run(args);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {o:?}");
    assert!(err.contains(needle), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn dump_and_status_on_vanished_and_foreign_pids_are_clear_errors() {
    let dead = dead_pid().to_string();
    let far = 0x3fff_ffff.to_string();
    for pid in [&dead, &far] {
        assert_clear_error(&["status", pid], "does not exist");
        assert_clear_error(&["dump", pid], "does not exist");
    }
    // A zombie: it exists, but has no memory or filters left to read.
    let mut z = Command::new("true").spawn().expect("spawn true");
    let zpid = z.id().to_string();
    // Wait until it has exited (it stays a zombie until reaped).
    for _ in 0..1000 {
        let st = std::fs::read_to_string(format!("/proc/{zpid}/stat")).unwrap_or_default();
        if st.contains(") Z ") {
            break;
        }
        std::thread::yield_now();
    }
    let o = run(&["dump", &zpid]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "zombie: {o:?}");
    assert!(err.contains(&format!("process {zpid}")), "zombie: {err}");
    assert!(!err.contains("panicked"), "{err}");
    z.wait().unwrap();
    // PID 1 and a kernel thread have no filter to dump (here: neither is filtered).
    for pid in ["1", "2"] {
        let st = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        if st.contains("\nSeccomp:\t0") {
            assert_clear_error(&["dump", pid], "has no filters to dump");
        }
    }
    for bad in ["0", "-5", "abc", "99999999999"] {
        let o = run(&["dump", bad]);
        assert_ne!(o.status.code(), Some(0), "dump {bad}: {o:?}");
        let err = text(&o.stderr);
        assert!(
            !err.is_empty() && !err.contains("panicked"),
            "dump {bad}: {err}"
        );
    }
}
