//! Evidence against the real kernel and real programs.
//!
//! * `audit`: commands run under a profile copied by `add-log-flag`, with `apply`; the kernel's
//!   own records are read back with `dmesg` and `audit` must name each blocked call and the
//!   rule that blocked it.
//! * `replay` vs `apply --explain`: real programs (a shell pipeline, python3, cc) are traced
//!   unconfined with strace, then run under Docker's default profile and a strict one with
//!   `apply --explain`; the first refused call the trace predicts must be the first one the
//!   supervisor reports.
//!
//! Skips with a message where the kernel, root, dmesg or strace is missing; fails under CI.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");

/// The programs the differential test crashes under its strict profile fill the kernel's
/// printk budget; the audit test waits for it, so the two do not run together.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("seccplay-evidence-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", args[0]));
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn which(p: &str) -> Option<String> {
    ["/usr/bin", "/bin", "/usr/sbin"]
        .iter()
        .map(|d| format!("{d}/{p}"))
        .find(|f| Path::new(f).exists())
}

const PROFILE: &str = r#"{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
    {"names": ["rmdir"], "action": "SCMP_ACT_KILL_PROCESS"},
    {"names": ["fchmodat", "fchmodat2"], "action": "SCMP_ACT_LOG"}
  ]
}
"#;

#[test]
fn audit_names_each_blocked_call_and_its_rule() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let logged =
        std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_logged").unwrap_or_default();
    let dmesg = which("dmesg");
    let why = common::no_seccomp_filters()
        .map(str::to_string)
        .or_else(|| (!common::is_root()).then(|| "reading the kernel log needs root".into()))
        .or_else(|| dmesg.is_none().then(|| "no dmesg (util-linux)".into()))
        .or_else(|| {
            (!logged.contains("errno") || !logged.contains("kill_process")).then(|| {
                format!("the kernel does not log errno/kill_process (actions_logged: {logged:?})")
            })
        });
    if !common::ready_unless("audit_names_each_blocked_call_and_its_rule", why) {
        return;
    }
    let d = tmp("audit");
    let prof = d.join("profile.json");
    std::fs::write(&prof, PROFILE).unwrap();
    let copy = d.join("logged.json");
    let (rc, _, err) = run(&[
        BIN,
        "add-log-flag",
        prof.to_str().unwrap(),
        "-o",
        copy.to_str().unwrap(),
    ]);
    assert_eq!(rc, 0, "{err}");
    // Our own copies of the tools: their exe path singles out our records in the kernel log.
    for t in ["mkdir", "rmdir", "chmod"] {
        std::fs::copy(which(t).unwrap(), d.join(format!("ev-{t}"))).unwrap();
    }
    let target = d.join("target");
    std::fs::create_dir(&target).unwrap();
    let p = |s: &str| d.join(s).to_str().unwrap().to_string();
    let copy_s = copy.to_str().unwrap();
    // The kernel rate-limits its audit printk (printk_ratelimit: 10 lines per 5 s, shared with
    // every other test's core dumps): records of a burst can be dropped. Run again after the
    // window when ours did not all arrive.
    let dir = d.to_str().unwrap().to_string();
    let mut ours = String::new();
    'attempts: for attempt in 0..4 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_secs(6));
        }
        let (rc, _, _) = run(&[BIN, "apply", copy_s, "--", &p("ev-mkdir"), &p("newdir")]);
        assert_eq!(rc, 1, "mkdir fails with EACCES");
        let (rc, _, _) = run(&[BIN, "apply", copy_s, "--", &p("ev-rmdir"), &p("target")]);
        assert_eq!(rc, 128 + 31, "rmdir dies of SIGSYS");
        let (rc, _, _) = run(&[
            BIN,
            "apply",
            copy_s,
            "--",
            &p("ev-chmod"),
            "700",
            &p("target"),
        ]);
        assert_eq!(rc, 0, "chmod runs (LOG)");
        for _ in 0..15 {
            let (_, out, _) = run(&[dmesg.as_deref().unwrap()]);
            ours = out
                .lines()
                .filter(|l| l.contains(&dir) && l.contains("type=1326"))
                .map(|l| format!("{l}\n"))
                .collect();
            let has = |s: &str| ours.contains(&format!("ev-{s}\""));
            if has("mkdir") && has("rmdir") && has("chmod") {
                break 'attempts;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        eprintln!(
            "attempt {attempt}: the kernel log has {} of our records so far (rate limit?)",
            ours.lines().count()
        );
    }
    assert!(ours.lines().count() >= 3, "the kernel logged: {ours}");
    let input = d.join("records.txt");
    std::fs::write(&input, &ours).unwrap();
    let (rc, out, err) = run(&[BIN, "audit", copy_s, input.to_str().unwrap(), "--json"]);
    assert_eq!(rc, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let recs = v["records"].as_array().unwrap();
    let atts = v["attributions"].as_array().unwrap();
    let mut seen = Vec::new();
    for (r, a) in recs.iter().zip(atts) {
        let sys = r["syscall"].as_str().unwrap_or("?").to_string();
        let c = &a["candidates"][0];
        let (entry, action) = (c["entry"].as_u64(), c["action"].as_str().unwrap_or(""));
        match sys.as_str() {
            "mkdir" | "mkdirat" => assert_eq!((entry, action), (Some(0), "ERRNO(EACCES)"), "{a}"),
            "rmdir" => assert_eq!((entry, action), (Some(1), "KILL_PROCESS"), "{a}"),
            "fchmodat" | "fchmodat2" => assert_eq!((entry, action), (Some(2), "LOG"), "{a}"),
            other => panic!("unexpected record for {other}: {r}"),
        }
        seen.push(sys);
    }
    assert!(seen.iter().any(|s| s.starts_with("mkdir")), "{seen:?}");
    assert!(seen.iter().any(|s| s == "rmdir"), "{seen:?}");
    assert!(seen.iter().any(|s| s.starts_with("fchmodat")), "{seen:?}");
    // The text form says the same, with the missing errno spelled out.
    let (_, text, _) = run(&[BIN, "audit", copy_s, input.to_str().unwrap()]);
    assert!(text.contains("without its errno"), "{text}");
    assert!(
        text.contains("syscalls[1] returns KILL_PROCESS for rmdir"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// The first refused call of a trace, as `replay --json` predicts it.
fn predicted_first(profile: &str, trace: &Path) -> Option<String> {
    let (rc, out, err) = run(&[BIN, "replay", profile, trace.to_str().unwrap(), "--json"]);
    assert!(rc == 0 || rc == 1, "replay: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["malformed"].as_array().map(Vec::len),
        Some(0),
        "{}",
        v["malformed"]
    );
    v["first_refused"]["text"]
        .as_str()
        .map(|t| t.split('(').next().unwrap_or("").to_string())
}

/// The first call `apply --explain` reports.
fn explained_first(profile: &str, cmd: &[&str]) -> Option<String> {
    let mut args = vec![BIN, "apply"];
    if profile == "docker" {
        args.push("--default");
    } else {
        args.push(profile);
    }
    args.extend(["--explain", "--json", "--"]);
    args.extend(cmd);
    let (_, _, err) = run(&args);
    err.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|v| v["syscall"].as_str().map(str::to_string))
}

/// strace's path, and why a test that traces under a filter cannot run here (no seccomp
/// filters, no strace).
fn strace_or_why() -> (Option<String>, Option<String>) {
    let strace = which("strace");
    let why = common::no_seccomp_filters()
        .map(str::to_string)
        .or_else(|| {
            strace
                .is_none()
                .then(|| "no strace (scripts/setup.sh installs it)".into())
        });
    (strace, why)
}

#[test]
fn replay_predicts_the_first_refusal_apply_explain_reports() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (strace, why) = strace_or_why();
    let why = why.or_else(|| {
        let a =
            std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail").unwrap_or_default();
        (!a.contains("user_notif")).then(|| "no SECCOMP_RET_USER_NOTIF for --explain".into())
    });
    if !common::ready_unless(
        "replay_predicts_the_first_refusal_apply_explain_reports",
        why,
    ) {
        return;
    }
    let d = tmp("replay");
    let src = d.join("hello.c");
    std::fs::write(&src, "int main(void) { return 0; }\n").unwrap();
    let obj = d.join("hello.o");
    let dir = d.to_str().unwrap();
    let pipeline = format!("echo hello | tr a-z A-Z | wc -c; mkdir -p {dir}/m && ls {dir}/m");
    let mut programs: Vec<(&str, Vec<String>)> = vec![(
        "shell pipeline",
        vec!["/bin/sh".into(), "-c".into(), pipeline],
    )];
    if Path::new("/usr/bin/python3").exists() {
        programs.push((
            "python3",
            vec!["/usr/bin/python3".into(), "-c".into(), format!("import os; os.makedirs('{dir}/p', exist_ok=True); print(len(os.listdir('{dir}')))")],
        ));
    }
    if let Some(cc) = which("cc") {
        programs.push((
            "cc",
            vec![
                cc,
                "-c".into(),
                src.to_str().unwrap().into(),
                "-o".into(),
                obj.to_str().unwrap().into(),
            ],
        ));
    }
    if std::env::var_os("CI").is_some() {
        assert_eq!(programs.len(), 3, "CI needs python3 and cc for this test");
    }
    // A strict profile: what a small C program needs, not what these programs need.
    let strict = d.join("strict.json");
    std::fs::write(&strict, r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"names":["execve","brk","mmap","mprotect","munmap","openat","close","read","write","pread64","newfstatat","fstat","arch_prctl","set_tid_address","set_robust_list","rseq","prlimit64","getrandom","access","exit_group","rt_sigaction","rt_sigprocmask"],"action":"SCMP_ACT_ALLOW"}]}"#).unwrap();
    let strict_s = strict.to_str().unwrap();
    let mut checked = 0;
    for (what, cmd) in &programs {
        let trace = d.join(format!("{}.strace", what.replace(' ', "-")));
        let mut args = vec![
            strace.as_deref().unwrap(),
            "-f",
            "-o",
            trace.to_str().unwrap(),
        ];
        args.extend(cmd.iter().map(String::as_str));
        let (rc, _, err) = run(&args);
        assert_eq!(rc, 0, "{what} under strace: {err}");
        let cmdv: Vec<&str> = cmd.iter().map(String::as_str).collect();
        for profile in ["docker", strict_s] {
            let predicted = predicted_first(profile, &trace);
            let explained = explained_first(profile, &cmdv);
            eprintln!("{what} under {profile}: replay predicts {predicted:?}, --explain reports {explained:?}");
            assert_eq!(predicted, explained, "{what} under {profile}");
            checked += 1;
        }
    }
    assert!(checked >= 2);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn replay_compares_what_a_trace_under_a_filter_recorded() {
    let (strace, why) = strace_or_why();
    if !common::ready_unless("replay_compares_what_a_trace_under_a_filter_recorded", why) {
        return;
    }
    let d = tmp("recorded");
    let ran = d.join("ran.json");
    std::fs::write(&ran, r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1},{"names":["rmdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#).unwrap();
    let other = d.join("other.json");
    std::fs::write(&other, r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#).unwrap();
    let trace = d.join("t.strace");
    let dir = d.to_str().unwrap();
    // strace runs under the filter: the trace records what the filter answered.
    let script = format!("mkdir {dir}/m; rmdir {dir}; ls {dir}/nonexistent; true");
    let (rc, _, err) = run(&[
        BIN,
        "apply",
        ran.to_str().unwrap(),
        "--",
        strace.as_deref().unwrap(),
        "-f",
        "-o",
        trace.to_str().unwrap(),
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(rc, 0, "{err}");
    let t = trace.to_str().unwrap();
    // Under the profile that ran: no mismatch, mkdir's EPERM and rmdir's EACCES match.
    let (rc, out, err) = run(&[BIN, "replay", ran.to_str().unwrap(), t, "--json"]);
    assert_eq!(rc, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["mismatches"].as_array().unwrap().len(),
        0,
        "{}",
        v["mismatches"]
    );
    let refused = v["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2);
    for r in refused {
        assert_eq!(r["recorded"]["verdict"], "match", "{r}");
    }
    assert_eq!(refused[0]["recorded"]["recorded"]["name"], "EPERM");
    assert_eq!(refused[1]["recorded"]["recorded"]["name"], "EACCES");
    assert!(v["recorded"]["matched"].as_u64().unwrap() > 100);
    assert_eq!(v["recorded"]["mismatched"], 0);
    // Under another profile: mkdir would get EACCES, it got EPERM.
    let (rc, out, err) = run(&[BIN, "replay", other.to_str().unwrap(), t, "--json"]);
    assert_eq!(rc, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let m = v["mismatches"].as_array().unwrap();
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(m[0]["text"].as_str().unwrap().starts_with("mkdir("));
    assert_eq!(m[0]["recorded"]["label"], "= -1 EPERM");
    assert_eq!(v["recorded"]["mismatched"], 1);
    let row = v["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["syscall"] == "mkdir")
        .unwrap();
    assert_eq!(row["mismatched"], 1);
    assert_eq!(
        v["remove_or_change"][0].as_str().unwrap().split(':').next(),
        Some("mkdir")
    );
    let snippet: Value = serde_json::from_str(v["snippet"].as_str().unwrap()).unwrap();
    assert_eq!(snippet.as_object().unwrap().len(), 1, "{snippet}");
    // The text: counts, the mismatch with file:line and pid, the rules to remove before the
    // snippet.
    let (_, text, _) = run(&[BIN, "replay", other.to_str().unwrap(), t]);
    let line = m[0]["line"].as_u64().unwrap();
    let pid = m[0]["pid"].as_u64().unwrap();
    assert!(text.contains(", 1 mismatch, "), "{text}");
    assert!(
        text.contains("recorded results the prediction cannot produce (1):"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{t}:{line} pid {pid} mkdir(")),
        "{text}"
    );
    assert!(
        text.contains("recorded = -1 EPERM, predicted ERRNO(EACCES)"),
        "{text}"
    );
    let remove = text.find("remove or change these rules").unwrap();
    assert!(remove < text.find("\"syscalls\": [").unwrap(), "{text}");
    let _ = std::fs::remove_dir_all(&d);
}
