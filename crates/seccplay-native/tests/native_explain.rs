//! `apply --explain` and `record` against the real kernel: seccomp user notification, the
//! answers that reproduce each action, threads, the supervisor's exit, and recorded profiles
//! replayed with `apply`.
//!
//! Every command runs with a deadline (60 s): a supervisor that hangs fails the test instead of
//! hanging the suite. Tests skip (with a message) where seccomp user notification or root is
//! missing, except when `CI` is set: then they fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");
const PY: &str = "/usr/bin/python3";
const DEADLINE: Duration = Duration::from_secs(60);

/// True when the kernel tests can run here; otherwise prints why (and panics under CI).
fn ready(test: &str, needs: &[&str]) -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let actions =
        std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail").unwrap_or_default();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let missing: Vec<&&str> = needs.iter().filter(|p| !Path::new(p).exists()).collect();
    let why = if !(status.contains("\nSeccomp:\t0") || status.contains("\nSeccomp:\t2")) {
        Some("this process cannot install seccomp filters".to_string())
    } else if !actions.contains("user_notif") {
        Some("the kernel has no SECCOMP_RET_USER_NOTIF (actions_avail)".to_string())
    } else if !root {
        Some("not root".to_string())
    } else if !missing.is_empty() {
        Some(format!("missing {missing:?}"))
    } else {
        None
    };
    common::ready_unless(test, why)
}

/// A scratch directory, removed when the test ends.
struct Tmp(PathBuf);

impl std::ops::Deref for Tmp {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tmpdir(name: &str) -> Tmp {
    let d = std::env::temp_dir().join(format!("seccplay-explain-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Tmp(d)
}

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Out {
    /// stderr without the supervisor's own lines (`seccplay: ...`, `seccplay-native: ...`
    /// and JSON lines).
    fn cmd_stderr(&self) -> String {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("seccplay") && !l.starts_with('{'))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    /// The supervisor's report lines.
    fn report(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("seccplay: pid "))
            .collect()
    }
}

/// Waits for a child with the deadline; kills it (and fails) if it does not end.
fn wait(mut child: Child, what: &str, dir: &Path, tag: &str) -> Out {
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {DEADLINE:?}: the supervisor hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |s: &str| std::fs::read_to_string(dir.join(format!("{tag}.{s}"))).unwrap();
    Out {
        code: status.code(),
        stdout: read("out"),
        stderr: read("err"),
    }
}

fn spawn(args: &[&str], dir: &Path, tag: &str) -> Child {
    let f = |s: &str| std::fs::File::create(dir.join(format!("{tag}.{s}"))).unwrap();
    Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(f("out"))
        .stderr(f("err"))
        .spawn()
        .expect("spawn seccplay-native")
}

fn run(args: &[&str], dir: &Path, tag: &str) -> Out {
    wait(spawn(args, dir, tag), &args.join(" "), dir, tag)
}

/// Runs `apply PROFILE -- CMD` and `apply PROFILE --explain -- CMD`.
fn both(profile: &str, cmd: &[&str], dir: &Path, tag: &str) -> (Out, Out) {
    let mut plain = vec!["apply", profile, "--"];
    plain.extend_from_slice(cmd);
    let mut ex = vec!["apply", profile, "--explain", "--"];
    ex.extend_from_slice(cmd);
    (
        run(&plain, dir, &format!("{tag}-plain")),
        run(&ex, dir, &format!("{tag}-explain")),
    )
}

fn docker_text() -> String {
    let p = seccplay_core::presets::get("docker").unwrap();
    match p.kind {
        seccplay_core::presets::PresetKind::Profile(t) => t.to_string(),
        _ => unreachable!(),
    }
}

/// Docker's default profile with `names` removed from every entry.
fn docker_without(names: &[&str]) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&docker_text()).unwrap();
    for e in v["syscalls"].as_array_mut().unwrap() {
        e["names"]
            .as_array_mut()
            .unwrap()
            .retain(|n| !names.contains(&n.as_str().unwrap()));
    }
    serde_json::to_string_pretty(&v).unwrap()
}

/// A script that calls mkdir, unshare(CLONE_NEWUSER) and personality(ADDR_NO_RANDOMIZE).
fn script(dir: &Path) -> String {
    let d = dir.join("made").display().to_string();
    format!(
        "mkdir {d}; echo mkdir=$?; rmdir {d} 2>/dev/null; unshare --user true; echo unshare=$?; \
         setarch x86_64 -R true; echo setarch=$?; exit 7"
    )
}

#[test]
fn docker_default_explained_as_plain_apply_behaves() {
    if !ready("docker", &["/usr/bin/unshare", "/usr/bin/setarch"]) {
        return;
    }
    let dir = tmpdir("docker");
    let (plain, ex) = both("docker", &["sh", "-c", &script(&dir)], &dir, "d");
    assert_eq!(plain.code, Some(7), "{}", plain.stderr);
    assert_eq!(ex.code, plain.code, "{}", ex.stderr);
    assert_eq!(ex.stdout, plain.stdout);
    assert_eq!(plain.stdout, "mkdir=0\nunshare=1\nsetarch=1\n");
    assert_eq!(ex.cmd_stderr(), plain.cmd_stderr());
    let r = ex.report();
    // mkdir is allowed by Docker's default: not reported.
    assert!(!r.iter().any(|l| l.contains(" mkdir")), "{r:?}");
    // The rule: the default action, because the entry that allows unshare needs CAP_SYS_ADMIN.
    let un = r
        .iter()
        .find(|l| l.contains("unshare("))
        .unwrap_or_else(|| panic!("{r:?}"));
    // Each location is that of the part it names, read off the profile's text: the default
    // action's value, and the `{` of the left-out entry (the first that names unshare).
    let text = docker_text();
    let lines: Vec<&str> = text.lines().collect();
    let dl = lines
        .iter()
        .position(|l| l.contains("\"defaultAction\""))
        .unwrap();
    let dc = lines[dl].find("\"SCMP_ACT_").unwrap() + 1;
    let syscalls_at = lines
        .iter()
        .position(|l| l.contains("\"syscalls\""))
        .unwrap();
    let unshare_at = lines
        .iter()
        .position(|l| l.trim().trim_end_matches(',') == "\"unshare\"")
        .unwrap();
    let entries: Vec<usize> = (syscalls_at..unshare_at)
        .filter(|&i| lines[i] == "    {")
        .collect();
    let (k, el) = (entries.len() - 1, entries[entries.len() - 1] + 1);
    assert!(
        un.contains(&format!(
            "unshare(CLONE_NEWUSER) → ERRNO(EPERM) — default action (line {}:{dc} of preset docker@29.4.3) — no rule for unshare: syscalls[{k}] (",
            dl + 1
        )),
        "{un}"
    );
    assert!(
        un.contains(&format!(
            ") at line {el}:5 (SCMP_ACT_ALLOW) not applied: requires CAP_SYS_ADMIN, which the container does not have"
        )),
        "{un}"
    );
    assert!(
        r.iter().any(|l| l.contains(&format!(
            "personality(PER_LINUX|ADDR_NO_RANDOMIZE) → ERRNO(EPERM) — default action (line {}:{dc} of preset docker@29.4.3) — no argument rule for personality matched",
            dl + 1
        ))),
        "{r:?}"
    );
    assert!(
        ex.stderr.contains("seccplay: summary: 2 syscalls blocked"),
        "{}",
        ex.stderr
    );
    assert!(ex.stderr.contains("(exit status 7)"), "{}", ex.stderr);
}

#[test]
fn mkdir_unshare_personality_each_named_with_its_rule() {
    if !ready("three", &["/usr/bin/unshare", "/usr/bin/setarch"]) {
        return;
    }
    let dir = tmpdir("three");
    let p = dir.join("no-mkdir.json");
    std::fs::write(&p, docker_without(&["mkdir", "mkdirat"])).unwrap();
    let p = p.to_str().unwrap();
    let sc = script(&dir);
    let (plain, ex) = both(p, &["sh", "-c", &sc], &dir, "t");
    assert_eq!(plain.stdout, "mkdir=1\nunshare=1\nsetarch=1\n");
    assert_eq!(ex.code, plain.code);
    assert_eq!(ex.stdout, plain.stdout);
    assert_eq!(ex.cmd_stderr(), plain.cmd_stderr());
    let r = ex.report();
    let mk = r
        .iter()
        .find(|l| l.contains("mkdir"))
        .unwrap_or_else(|| panic!("{r:?}"));
    // The path is read from the caller's memory, the mode decoded as octal.
    assert!(mk.contains(&format!("(\"{}/made\"", dir.display())), "{mk}");
    assert!(
        mk.contains(", 0777) → ERRNO(EPERM) — default action (line ")
            && mk.contains(") — no rule for mkdir"),
        "{mk}"
    );
    assert!(r
        .iter()
        .any(|l| l.contains("unshare(CLONE_NEWUSER) → ERRNO(EPERM)")));
    assert!(r
        .iter()
        .any(|l| l.contains("personality(PER_LINUX|ADDR_NO_RANDOMIZE) → ERRNO(EPERM)")));
    assert!(
        ex.stderr.contains("seccplay: summary: 3 syscalls blocked"),
        "{}",
        ex.stderr
    );

    // The same as JSON lines.
    let out = run(
        &["apply", p, "--explain", "--json", "--", "sh", "-c", &sc],
        &dir,
        "t-json",
    );
    assert_eq!(out.stdout, plain.stdout);
    let lines: Vec<serde_json::Value> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let un = lines
        .iter()
        .find(|v| v["syscall"] == "unshare")
        .expect("an unshare line");
    assert_eq!(un["action"], "ERRNO(EPERM)");
    assert_eq!(un["errno"], 1);
    assert_eq!(un["ret"], "0x00050001");
    assert_eq!(un["call"], "unshare(CLONE_NEWUSER)");
    assert!(un["explanation"].as_str().unwrap().contains("unshare"));
    let summary = lines.last().unwrap();
    assert_eq!(summary["exit_status"], 7);
    let names: Vec<&str> = summary["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["syscall"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"personality") && names.contains(&"unshare"),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n.starts_with("mkdir")), "{names:?}");
}

#[test]
fn at_flags_and_dirfd_are_named() {
    if !ready(
        "at-flags",
        &["/usr/bin/stat", "/usr/bin/rm", "/usr/bin/mktemp"],
    ) {
        return;
    }
    let dir = tmpdir("at-flags");
    let p = dir.join("at.json");
    let text = r#"{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["statx", "unlinkat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}"#;
    std::fs::write(&p, text).unwrap();
    let sc = "stat / >/dev/null; echo stat=$?; d=$(mktemp -d /tmp/seccplay-at.XXXXXX) && rm -d $d; echo rm=$?; rmdir $d";
    let (plain, ex) = both(p.to_str().unwrap(), &["sh", "-c", sc], &dir, "at");
    assert_eq!(plain.stdout, "stat=1\nrm=1\n", "{}", plain.stderr);
    assert_eq!(ex.stdout, plain.stdout, "{}", ex.stderr);
    let r = ex.report();
    // coreutils' stat asks statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, mask);
    // rm -d asks unlinkat(AT_FDCWD, path, AT_REMOVEDIR). The rule is the name in syscalls[0].
    let lc = |needle: &str| {
        let at = text.find(needle).unwrap();
        let line = text[..at].matches('\n').count() + 1;
        let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
        format!("line {line}:{col} of {}", p.display())
    };
    assert!(
        r.iter().any(|l| l
            .contains("statx(AT_FDCWD, \"/\", AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, ")
            && l.contains(&format!(
                "→ ERRNO(EACCES) — syscalls[0] (\"statx\", {})",
                lc("\"statx\"")
            ))),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|l| l.contains("unlinkat(AT_FDCWD, \"/tmp/seccplay-at.")
                && l.contains(&format!(
                    "\", AT_REMOVEDIR) → ERRNO(EACCES) — syscalls[0] (\"unlinkat\", {})",
                    lc("\"unlinkat\"")
                ))),
        "{r:?}"
    );
}

const ACTIONS: &str = r#"{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
  {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
  {"names": ["rmdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 0},
  {"names": ["uname"], "action": "SCMP_ACT_TRACE"},
  {"names": ["getcwd"], "action": "SCMP_ACT_LOG"},
  {"names": ["getppid"], "action": "SCMP_ACT_TRAP"},
  {"names": ["personality"], "action": "SCMP_ACT_KILL_PROCESS"},
  {"names": ["getpgrp"], "action": "SCMP_ACT_KILL_THREAD"}
]}"#;

const PY_ACTIONS: &str = r#"
import os, sys
os.chdir(sys.argv[1])
def t(name, f):
    try:
        print(name, "ok", f())
    except OSError as e:
        print(name, "errno", e.errno)
t("mkdir", lambda: os.mkdir("/tmp/seccplay-explain-never"))
t("rmdir", lambda: os.rmdir("/nonexistent/seccplay"))
t("uname", lambda: os.uname().sysname)
t("getcwd", lambda: os.getcwd())
"#;

#[test]
fn every_action_is_answered_as_the_kernel_would() {
    if !ready("actions", &[PY, "/usr/bin/setarch"]) {
        return;
    }
    let dir = tmpdir("actions");
    let p = dir.join("actions.json");
    std::fs::write(&p, ACTIONS).unwrap();
    let p = p.to_str().unwrap();
    let cwd = dir.to_str().unwrap();
    // Not through sh: dash calls getppid, which this profile traps.
    let (plain, ex) = both(p, &[PY, "-c", PY_ACTIONS, cwd], &dir, "a");
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert_eq!(
        plain.stdout,
        format!("mkdir errno 13\nrmdir ok None\nuname errno 38\ngetcwd ok {cwd}\n")
    );
    assert_eq!(ex.code, plain.code, "{}", ex.stderr);
    assert_eq!(ex.stdout, plain.stdout);
    let r = ex.report().join("\n");
    assert!(r.contains("→ ERRNO(EACCES) — syscalls[0]"), "{r}");
    assert!(
        r.contains("rmdir(\"/nonexistent/seccplay\") → ERRNO(0) — syscalls[1]"),
        "{r}"
    );
    assert!(r.contains("uname(") && r.contains("→ TRACE"), "{r}");
    assert!(
        r.contains("getcwd(") && r.contains("→ LOG — syscalls[3]"),
        "{r}"
    );

    // TRAP: SIGSYS to the thread; python has no handler, so it dies of it.
    let (plain, ex) = both(
        p,
        &[
            PY,
            "-c",
            "import os; print('before', flush=True); os.getppid(); print('after')",
        ],
        &dir,
        "trap",
    );
    assert_eq!(plain.code, Some(159), "{}", plain.stderr);
    assert_eq!(ex.code, Some(159), "{}", ex.stderr);
    assert_eq!(ex.stdout, "before\n");
    assert_eq!(ex.stdout, plain.stdout);
    assert!(
        ex.stderr.contains("getppid() → TRAP(0) — syscalls[4]"),
        "{}",
        ex.stderr
    );
    assert!(ex.stderr.contains("SIGSYS sent to thread"), "{}", ex.stderr);

    // TRAP with a SIGSYS handler: the handler runs and the call returns what the kernel
    // leaves in the return register (the syscall number on x86_64: getppid is 110).
    let (plain, ex) = both(
        p,
        &[
            PY,
            "-c",
            "import os, signal\nsignal.signal(signal.SIGSYS, lambda s, f: print('handler', s))\nr = os.getppid()\nprint('getppid returned', r)",
        ],
        &dir,
        "trap-handled",
    );
    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert_eq!(ex.code, Some(0), "{}", ex.stderr);
    assert_eq!(plain.stdout, "handler 31\ngetppid returned 110\n");
    assert_eq!(ex.stdout, plain.stdout);

    // KILL_PROCESS and KILL_THREAD (one thread): the same status as under the kernel's SIGSYS.
    for (tag, cmd) in [
        ("kill", vec!["setarch", "x86_64", "-R", "true"]),
        (
            "killthread",
            vec![PY, "-c", "import os; os.getpgrp(); print('survived')"],
        ),
    ] {
        let (plain, ex) = both(p, &cmd, &dir, tag);
        assert_eq!(plain.code, Some(159), "{tag}: {}", plain.stderr);
        assert_eq!(ex.code, Some(159), "{tag}: {}", ex.stderr);
        assert_eq!(ex.stdout, plain.stdout);
        assert!(
            ex.stderr
                .contains("with SIGKILL (the kernel would send SIGSYS)"),
            "{tag}: {}",
            ex.stderr
        );
        assert!(ex.stderr.contains("died of SIGSYS"), "{tag}: {}", ex.stderr);
    }
}

const PY_THREADS: &str = r#"
import os, threading
res = []
def work(i):
    try:
        os.mkdir("/tmp/seccplay-explain-thread-%d" % i)
        res.append((i, "made"))
    except OSError as e:
        res.append((i, e.errno))
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(res))
"#;

#[test]
fn threads_are_supervised_each_with_its_own_tid() {
    if !ready("threads", &[PY]) {
        return;
    }
    let dir = tmpdir("threads");
    let p = dir.join("actions.json");
    std::fs::write(&p, ACTIONS).unwrap();
    let (plain, ex) = both(p.to_str().unwrap(), &[PY, "-c", PY_THREADS], &dir, "th");
    let want: Vec<String> = (0..8).map(|i| format!("({i}, 13)")).collect();
    assert_eq!(plain.stdout, format!("[{}]\n", want.join(", ")));
    assert_eq!(ex.code, Some(0), "{}", ex.stderr);
    assert_eq!(ex.stdout, plain.stdout);
    let r = ex.report();
    let mk: Vec<&&str> = r.iter().filter(|l| l.contains("mkdir")).collect();
    assert_eq!(mk.len(), 8, "{r:?}");
    let tids: std::collections::BTreeSet<&str> = mk
        .iter()
        .map(|l| l.split_whitespace().nth(2).unwrap())
        .collect();
    assert_eq!(tids.len(), 8, "eight threads, eight tids: {r:?}");

    // KILL_PROCESS from a second thread while the main thread waits: the whole process ends.
    let out = run(
        &["apply", p.to_str().unwrap(), "--explain", "--", PY, "-c",
          "import threading, ctypes; t = threading.Thread(target=lambda: ctypes.CDLL(None).personality(8)); t.start(); t.join(); print('survived')"],
        &dir,
        "th-kill",
    );
    assert_eq!(out.code, Some(159), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

#[test]
fn the_supervisor_ends_when_the_command_exits_or_is_killed() {
    if !ready("ends", &["/usr/bin/sleep"]) {
        return;
    }
    let dir = tmpdir("ends");
    let pidfile = dir.join("pid");
    let pf = pidfile.to_str().unwrap();
    // Killed from outside while running.
    let child = spawn(
        &[
            "apply",
            "docker",
            "--explain",
            "--",
            "sh",
            "-c",
            &format!("echo $$ > {pf}.tmp && mv {pf}.tmp {pf} && exec sleep 1000"),
        ],
        &dir,
        "killed",
    );
    let start = Instant::now();
    let pid: i32 = loop {
        if let Ok(s) = std::fs::read_to_string(&pidfile) {
            break s.trim().parse().unwrap();
        }
        assert!(start.elapsed() < DEADLINE, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    // SAFETY: kill with integer arguments.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGKILL) }, 0);
    let out = wait(child, "explain of a killed command", &dir, "killed");
    assert_eq!(out.code, Some(137), "{}", out.stderr);
    assert!(out.stderr.contains("died of SIGKILL"), "{}", out.stderr);

    // The command exits while its child keeps running under the filter: no waiting for it.
    let _ = std::fs::remove_file(&pidfile);
    let out = run(
        &[
            "apply",
            "docker",
            "--explain",
            "--",
            "sh",
            "-c",
            &format!("sleep 1000 & echo $! > {pf}; exit 3"),
        ],
        &dir,
        "orphan",
    );
    assert_eq!(out.code, Some(3), "{}", out.stderr);
    if let Ok(s) = std::fs::read_to_string(&pidfile) {
        if let Ok(p) = s.trim().parse::<i32>() {
            // SAFETY: kill with integer arguments.
            unsafe { libc::kill(p, libc::SIGKILL) };
        }
    }
}

#[test]
fn explain_fails_closed() {
    if !ready("closed", &[]) {
        return;
    }
    let dir = tmpdir("closed");
    let marker = dir.join("ran");
    let m = marker.to_str().unwrap();
    let touch = format!("touch {m}");
    let no_write = dir.join("no-write.json");
    std::fs::write(&no_write, docker_without(&["write"])).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"defaultAction\": \"SCMP_ACT_NOPE\"}").unwrap();
    for (tag, prof, want) in [
        (
            "nowrite",
            no_write.to_str().unwrap(),
            "does not allow write(",
        ),
        ("bad", bad.to_str().unwrap(), "invalid"),
        ("unconfined", "unconfined", "installs no filter"),
    ] {
        let out = run(
            &["apply", prof, "--explain", "--", "sh", "-c", &touch],
            &dir,
            tag,
        );
        assert_eq!(out.code, Some(125), "{tag}: {}", out.stderr);
        assert!(out.stderr.contains(want), "{tag}: {}", out.stderr);
        assert!(!marker.exists(), "{tag}: the command ran");
    }
    let out = run(
        &["record", "--base", "unconfined", "--", "sh", "-c", &touch],
        &dir,
        "record-unconfined",
    );
    assert_eq!(out.code, Some(125), "{}", out.stderr);
    assert!(
        out.stderr.contains("nothing would be recorded"),
        "{}",
        out.stderr
    );
    assert!(
        !marker.exists(),
        "record --base unconfined: the command ran"
    );
    let out = run(
        &["apply", "docker", "--json", "--", "true"],
        &dir,
        "json-alone",
    );
    assert_eq!(
        out.code,
        Some(2),
        "--json without --explain is a usage error: {}",
        out.stderr
    );
}

const REC_SCRIPT: &str =
    "d=$(mktemp -d) && mkdir $d/a && echo hello > $d/a/f && cat $d/a/f && ls $d && rm -r $d";

#[test]
fn a_recorded_profile_runs_the_command_and_tightens_docker() {
    if !ready("record", &[]) {
        return;
    }
    let dir = tmpdir("record");
    let prof = dir.join("rec.json");
    let pf = prof.to_str().unwrap();
    let rec = run(
        &["record", "-o", pf, "--", "sh", "-c", REC_SCRIPT],
        &dir,
        "rec",
    );
    assert_eq!(rec.code, Some(0), "{}", rec.stderr);
    assert_eq!(rec.stdout, "hello\na\n");
    assert!(
        rec.stderr.contains(&format!("profile written to {pf}")),
        "{}",
        rec.stderr
    );
    let text = std::fs::read_to_string(&prof).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(v["defaultErrnoRet"], 1);
    let first = &v["syscalls"][0];
    let names: Vec<&str> = first["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "names are sorted");
    for n in ["execve", "mkdir", "openat", "write", "unlinkat"] {
        assert!(names.contains(&n), "{n} missing: {names:?}");
    }
    let comment = first["comment"].as_str().unwrap();
    assert!(comment.contains("execve "), "{comment}");

    // Replayed with apply: the same output; something it did not do is refused.
    let ok = run(&["apply", pf, "--", "sh", "-c", REC_SCRIPT], &dir, "replay");
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);
    assert_eq!(ok.stdout, rec.stdout);
    let no = run(
        &[
            "apply",
            pf,
            "--explain",
            "--",
            "sh",
            "-c",
            "d=$(mktemp -d) && rmdir $d; echo rmdir=$?; rm -r $d",
        ],
        &dir,
        "refused",
    );
    assert_eq!(no.stdout, "rmdir=1\n", "{}", no.stderr);
    assert!(no.stderr.contains("rmdir(\"/tmp/tmp."), "{}", no.stderr);
    assert!(
        no.stderr.contains("→ ERRNO(EPERM) — default action (line ")
            && no.stderr.contains(") — no rule for rmdir"),
        "{}",
        no.stderr
    );

    // diff against Docker's default: what it tightened.
    let d = run(&["diff", "docker", pf], &dir, "diff");
    assert_eq!(d.code, Some(1), "{}", d.stderr);
    assert!(
        d.stdout
            .contains("x86_64 connect (42):\n  A: ALLOW\n  B: ERRNO(EPERM) (default)"),
        "{}",
        d.stdout
    );
    assert!(d.stdout.contains(" syscall(s) differ"), "{}", d.stdout);
}

#[test]
fn record_with_arguments_and_a_base_profile() {
    if !ready("record-args", &["/usr/bin/setarch", PY]) {
        return;
    }
    let dir = tmpdir("record-args");
    let prof = dir.join("rec.json");
    let pf = prof.to_str().unwrap();
    let cmd = ["setarch", "x86_64", "-R", "true"];
    let mut a = vec!["record", "--args", "--base", "docker", "-o", pf, "--"];
    a.extend_from_slice(&cmd);
    let rec = run(&a, &dir, "rec");
    assert_eq!(rec.code, Some(0), "{}", rec.stderr);
    let text = std::fs::read_to_string(&prof).unwrap();
    // setarch -R asks personality(PER_LINUX|ADDR_NO_RANDOMIZE), which Docker's default refuses.
    assert!(text.contains("\"value\": 262144"), "{text}");
    assert!(text.contains("ADDR_NO_RANDOMIZE"), "{text}");
    assert!(
        text.contains("allowed by the base profile preset docker"),
        "{text}"
    );
    let mut ap = vec!["apply", pf, "--"];
    ap.extend_from_slice(&cmd);
    assert_eq!(run(&ap, &dir, "replay").code, Some(0));
    // Threads: glibc starts them with clone3, whose flags are recorded in a comment.
    let code = "import os, threading\nr = []\nts = [threading.Thread(target=lambda: r.append(os.stat('/').st_ino)) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nprint(len(r), 'threads')";
    let threads = [PY, "-c", code];
    let mut a = vec!["record", "--args", "-o", pf, "--"];
    a.extend_from_slice(&threads);
    let rec = run(&a, &dir, "rec-threads");
    assert_eq!(rec.code, Some(0), "{}", rec.stderr);
    let text3 = std::fs::read_to_string(&prof).unwrap();
    assert!(text3.contains("\"names\": [\"clone3\"]"), "{text3}");
    assert!(
        text3.contains("CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND"),
        "{text3}"
    );
    assert!(text3.contains("CLONE_THREAD"), "{text3}");
    let mut ap = vec!["apply", pf, "--"];
    ap.extend_from_slice(&threads);
    let replay = run(&ap, &dir, "replay-threads");
    assert_eq!(replay.code, Some(0), "{}", replay.stderr);
    assert_eq!(replay.stdout, "4 threads\n");
    assert_eq!(replay.stdout, rec.stdout);
    std::fs::write(&prof, &text).unwrap();

    // Another persona is not what was recorded.
    let other = run(
        &["apply", pf, "--", "setarch", "x86_64", "-L", "true"],
        &dir,
        "other",
    );
    assert_eq!(other.code, Some(1), "{}", other.stderr);
    assert!(
        other.stderr.contains("Operation not permitted"),
        "{}",
        other.stderr
    );
}

#[test]
fn commands_start_with_default_sigpipe() {
    if !ready("sigpipe", &[]) {
        return;
    }
    // Rust ignores SIGPIPE in seccplay itself; an ignored signal survives execve, so the
    // command would see EPIPE where it should die of SIGPIPE.
    let dir = tmpdir("sigpipe");
    let cmd = ["sh", "-c", "grep SigIgn /proc/self/status"];
    for (tag, pre) in [
        ("plain", vec!["apply", "--unconfined", "--"]),
        ("explain", vec!["apply", "docker", "--explain", "--"]),
        ("record", vec!["record", "-o", "/dev/null", "--"]),
    ] {
        let mut a = pre.clone();
        a.extend_from_slice(&cmd);
        let out = run(&a, &dir, tag);
        assert_eq!(out.code, Some(0), "{tag}: {}", out.stderr);
        let mask = out
            .stdout
            .trim()
            .strip_prefix("SigIgn:")
            .map(|m| u64::from_str_radix(m.trim(), 16).unwrap())
            .unwrap_or_else(|| panic!("{tag}: {}", out.stdout));
        assert_eq!(
            mask & (1 << (libc::SIGPIPE - 1)),
            0,
            "{tag}: SIGPIPE ignored: {mask:#x}"
        );
    }
}
