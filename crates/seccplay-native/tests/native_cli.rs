//! The CLI as a process, against the real kernel: filters installed with seccomp(2), exit
//! statuses, /proc status, PTRACE_SECCOMP_GET_FILTER, fail-closed behaviour, and the batch
//! simulator against the emulator.
//!
//! Kernel tests skip (with a message) where seccomp or root is missing, except when `CI` is set:
//! then they fail.

mod common;

use common::{run, tmpdir, write};

use seccplay_core::analysis;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::eval::{self, Query};
use seccplay_core::presets::{self, PresetKind};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// True when the kernel tests can run here; otherwise prints why (and panics under CI).
fn kernel_ready(test: &str) -> bool {
    let why = if let Some(w) = common::no_seccomp_filters() {
        Some(w.to_string())
    } else if !common::is_root() {
        Some("not root (dump and the capability tests need CAP_SYS_ADMIN)".to_string())
    } else {
        None
    };
    common::ready_unless(test, why)
}

#[test]
fn default_profile_blocks_user_namespaces_and_cap_sys_admin_lifts_it() {
    if !kernel_ready("userns") {
        return;
    }
    let cmd = ["unshare", "--map-root-user", "--user", "sh", "-c", "whoami"];
    let plain = Command::new(cmd[0]).args(&cmd[1..]).output().unwrap();
    let with = |extra: &[&str]| {
        let mut a = vec!["apply"];
        a.extend_from_slice(extra);
        a.push("--");
        a.extend_from_slice(&cmd);
        run(&a)
    };
    let d = with(&["--default"]);
    assert_ne!(d.status.code(), Some(0), "{d:?}");
    assert!(
        text(&d.stderr).contains("Operation not permitted"),
        "{}",
        text(&d.stderr)
    );
    // With SYS_ADMIN and unconfined, whatever happens is what happens without a filter.
    for extra in [
        &["--default", "--cap-add", "SYS_ADMIN"][..],
        &["--unconfined"][..],
    ] {
        let o = with(extra);
        assert_eq!(o.status.code(), plain.status.code(), "{extra:?}: {o:?}");
        assert_eq!(o.stdout, plain.stdout, "{extra:?}");
        assert_eq!(
            text(&o.stderr).contains("Operation not permitted"),
            text(&plain.stderr).contains("Operation not permitted"),
            "{extra:?}: {}",
            text(&o.stderr)
        );
    }
}

#[test]
fn errno_kill_and_proc_status_under_a_custom_profile() {
    if !kernel_ready("custom") {
        return;
    }
    let dir = tmpdir("custom");
    let deny = write(
        &dir,
        "deny.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#,
    );
    let kill = write(
        &dir,
        "kill.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#,
    );
    let target = dir.join("d");
    let t = target.to_str().unwrap();
    let o = run(&["apply", &deny, "--", "mkdir", t]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(text(&o.stderr).contains("Permission denied"), "{o:?}");
    assert!(!target.exists());

    let o = run(&["apply", &kill, "--", "mkdir", t]);
    assert_eq!(o.status.code(), Some(159), "{o:?}");
    let err = text(&o.stderr);
    assert!(err.contains("SIGSYS") && err.contains("seccomp"), "{err}");
    assert!(!target.exists());

    let o = run(&["apply", &deny, "--", "cat", "/proc/self/status"]);
    let s = text(&o.stdout);
    assert!(s.contains("Seccomp:\t2"), "{s}");
    assert!(s.contains("NoNewPrivs:\t1"), "{s}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn status_and_dump_of_a_running_filtered_child() {
    if !kernel_ready("dump") {
        return;
    }
    let dir = tmpdir("dump");
    let profile = write(
        &dir,
        "p.json",
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},{"names":["personality"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":8,"op":"SCMP_CMP_NE"}]}]}"#,
    );
    let pidfile = dir.join("pid");
    let script = format!("echo $$ > {}; exec sleep 30", pidfile.display());
    let mut child = Command::new(BIN)
        .args(["apply", &profile, "--", "sh", "-c", &script])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = common::sleeping_pid(&pidfile);
    let pid_s = pid.to_string();
    let st = run(&["status", &pid_s]);
    let s = text(&st.stdout);
    assert!(
        s.contains("Seccomp:         2") && s.contains("filter"),
        "{s}"
    );
    let js: serde_json::Value =
        serde_json::from_slice(&run(&["status", &pid_s, "--json"]).stdout).unwrap();
    assert_eq!(js["seccomp"], 2);
    assert_eq!(js["no_new_privs"], true);

    let dumped = dir.join("dump.bpf");
    let compiled = dir.join("compiled.bpf");
    let o = run(&[
        "dump",
        &pid_s,
        "--format",
        "raw",
        "-o",
        dumped.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let o = run(&["compile", &profile, "-o", compiled.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let (d, c) = (
        std::fs::read(&dumped).unwrap(),
        std::fs::read(&compiled).unwrap(),
    );
    assert!(!c.is_empty());
    assert_eq!(d, c, "the kernel holds exactly the bytes compile produced");
    // The dump is emu input.
    let o = run(&["emu", dumped.to_str().unwrap(), "mkdir(0, 0)"]);
    assert!(text(&o.stdout).contains("ERRNO(EACCES)"), "{o:?}");
    let o = run(&["dump", &pid_s]);
    assert!(text(&o.stdout).contains("filter 0 (newest)"), "{o:?}");

    // SAFETY: kill has no memory effects; `pid` is the sleep our own child exec'd.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + libc::SIGTERM));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vanished_pids_are_clear_errors() {
    for args in [&["status", "2147483646"][..], &["dump", "2147483646"][..]] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(text(&o.stderr).contains("does not exist"), "{o:?}");
    }
}

#[test]
fn fails_closed_before_exec() {
    if !kernel_ready("fail-closed") {
        return;
    }
    let dir = tmpdir("closed");
    let marker = dir.join("marker");
    let m = marker.to_str().unwrap().to_string();
    // A program over 4096 instructions: 6 64-bit conditions on 120 syscalls.
    let names = seccplay_core::syscalls::syscalls(Arch::X86_64);
    let rules: Vec<String> = names
        .iter()
        .filter(|(n, _)| !n.starts_with("exec") && !n.starts_with("exit"))
        .take(130)
        .enumerate()
        .map(|(i, (n, _))| {
            let args: Vec<String> = (0..6)
                .map(|a| {
                    format!(
                        r#"{{"index":{a},"value":{},"op":"SCMP_CMP_EQ"}}"#,
                        (1u64 << 33) + (i as u64) * 10 + a
                    )
                })
                .collect();
            format!(
                r#"{{"names":["{n}"],"action":"SCMP_ACT_ERRNO","args":[{}]}}"#,
                args.join(",")
            )
        })
        .collect();
    let big = write(
        &dir,
        "big.json",
        &format!(
            r#"{{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{}]}}"#,
            rules.join(",")
        ),
    );
    let cases = [
        (
            write(&dir, "bad.json", r#"{"defaultAction": "SCMP_ACT_ALOW"}"#),
            "unknown-action",
        ),
        (big, "4096"),
        // The kernel refuses WAIT_KILLABLE_RECV without NEW_LISTENER (EINVAL).
        (
            write(
                &dir,
                "flags.json",
                r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#,
            ),
            "the kernel refused the filter",
        ),
        (
            write(&dir, "noexec.json", r#"{"defaultAction":"SCMP_ACT_ERRNO"}"#),
            "execve",
        ),
    ];
    for (profile, why) in &cases {
        let o = run(&["apply", profile, "--", "touch", &m]);
        assert_eq!(o.status.code(), Some(125), "{profile}: {o:?}");
        assert!(
            text(&o.stderr).contains(why),
            "{profile}: {}",
            text(&o.stderr)
        );
        assert!(!marker.exists(), "{profile}: the command ran");
    }
    let o = run(&["apply", "--strict", "--", "touch", &m]);
    assert_eq!(o.status.code(), Some(125));
    assert!(!marker.exists());
    let o = run(&["apply", "no-such-profile", "--", "touch", &m]);
    assert_eq!(o.status.code(), Some(125));
    assert!(!marker.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

fn docker_analysis() -> analysis::Analysis {
    let PresetKind::Profile(text) = presets::get("docker").unwrap().kind else {
        panic!("docker is a profile preset")
    };
    analysis::analyze(text, &Context::docker(Arch::X86_64))
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn arg(&mut self) -> u64 {
        const SPECIAL: [u64; 8] = [
            0,
            1,
            8,
            0x20000,
            0xffff_ffff,
            0x7e02_0000,
            0x1000_0000,
            0x26,
        ];
        match self.next() % 4 {
            0 => SPECIAL[(self.next() % 8) as usize],
            1 => self.next() & 0xffff_ffff,
            2 => self.next(),
            _ => self.next() % 64,
        }
    }
    fn query(&mut self) -> (Arch, Query) {
        let arch = [Arch::X86_64, Arch::X86, Arch::X32, Arch::Aarch64][(self.next() % 4) as usize];
        let nr = match self.next() % 8 {
            0 => self.next() as u32,
            1 => 0x4000_0000 | (self.next() % 600) as u32,
            _ => (self.next() % 600) as u32 | if arch == Arch::X32 { 0x4000_0000 } else { 0 },
        };
        let mut args = [0u64; 6];
        for a in &mut args {
            *a = self.arg();
        }
        let q = Query {
            audit_arch: arch.audit_arch(),
            nr,
            args,
            instruction_pointer: self.next(),
        };
        (arch, q)
    }
}

/// In-process: the reference evaluator (what `simulate --batch` reports as "reference") and
/// the program run by the emulator (what `emu` reports) agree on 100k random queries.
#[test]
fn batch_reference_agrees_with_the_emulator_in_process() {
    let a = docker_analysis();
    let (db, p) = (a.database.as_ref().unwrap(), a.program.as_ref().unwrap());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..100_000 {
        let (arch, q) = rng.query();
        let reference = eval::decide(db, &q).ret;
        let emu = analysis::run_program(&p.insns, p.arch, &q).unwrap().ret;
        assert_eq!(reference, emu, "query {i} on {arch}: {q:?}");
    }
}

/// End to end: `simulate --batch` and `emu --batch` on the compiled program agree on a few
/// thousand JSON lines, and `simulate` flags no difference.
#[test]
fn simulate_batch_agrees_with_emu_end_to_end() {
    let dir = tmpdir("batch");
    let prog = dir.join("docker.bpf");
    let o = run(&["compile", "docker", "-o", prog.to_str().unwrap()]);
    assert!(o.status.success(), "{o:?}");
    let mut rng = Rng(42);
    let mut lines = String::new();
    for i in 0..3000 {
        let (arch, q) = rng.query();
        if i % 10 == 0 {
            lines.push_str(&format!(
                "{{\"arch\":\"x86_64\",\"syscall\":\"clone({:#x})\"}}\n",
                q.args[0] & 0xffff_ffff
            ));
        } else {
            lines.push_str(&format!(
                "{{\"arch\":\"{}\",\"nr\":{},\"args\":{:?},\"ip\":{}}}\n",
                arch.name(),
                q.nr,
                q.args,
                q.instruction_pointer
            ));
        }
    }
    let input = write(&dir, "q.jsonl", &lines);
    let sim = run(&["simulate", "docker", "--batch", &input]);
    assert!(sim.status.success(), "{}", text(&sim.stderr));
    let emu = run(&["emu", prog.to_str().unwrap(), "--batch", &input]);
    assert!(emu.status.success(), "{}", text(&emu.stderr));
    let (s, e) = (text(&sim.stdout), text(&emu.stdout));
    let (s, e): (Vec<&str>, Vec<&str>) = (s.lines().collect(), e.lines().collect());
    assert_eq!(s.len(), 3000);
    assert_eq!(e.len(), 3000);
    for (ls, le) in s.iter().zip(&e) {
        let js: serde_json::Value = serde_json::from_str(ls).unwrap();
        let je: serde_json::Value = serde_json::from_str(le).unwrap();
        assert_eq!(js["differ"], false, "{ls}");
        assert_eq!(js["program"], je["program"], "{ls}\n{le}");
        assert_eq!(js["reference"]["ret"], je["program"]["ret"], "{ls}\n{le}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--kernel` takes what `uname -r` prints (its leading X.Y counts); a kernel before 5.11 has no
/// constant-action cache, so the table marks no row cached.
#[test]
fn kernel_releases_as_uname_prints_them() {
    for (k, cache) in [
        ("5.15.0-91-generic", true),
        ("3.10.0-1160.el7", false),
        ("6", true),
    ] {
        let o = run(&[
            "table",
            "docker",
            "--host-arch",
            "amd64",
            "--kernel",
            k,
            "--json",
        ]);
        assert_eq!(o.status.code(), Some(0), "{k}: {o:?}");
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(j["action_cache"], cache, "{k}");
        let cached = j["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["cached"] == true)
            .count();
        assert_eq!(cached > 0, cache, "{k}: {cached}");
    }
}

/// `simulate strict`: SECCOMP_MODE_STRICT answered by the core's `StrictMode`, in the words the
/// page shows (same headline and explanation), as text and as JSON.
#[test]
fn simulate_strict_allows_the_four_calls_and_kills_the_rest() {
    let ctx = ["--host-arch", "amd64", "--kernel", "6.1"];
    let mut args = vec!["simulate", "strict", "read(0, 0, 0)", "getpid()"];
    args.extend(ctx);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = text(&o.stdout);
    assert!(
        out.contains("read(0, 0, 0) on x86_64: ALLOW\n  Allowed: strict mode lets read through.\n"),
        "{out}"
    );
    assert!(
        out.contains("getpid() on x86_64: KILL (SIGKILL)\n  Killed (SIGKILL): strict mode does not let getpid through.\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "lets only read, write, exit and rt_sigreturn (0, 1, 60 and 15) through on x86_64"
        ),
        "{out}"
    );
    args.push("--json");
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["mode"], "strict");
    let r = &j["results"];
    assert_eq!(
        (&r[0]["input"], &r[0]["outcome"], &r[0]["label"]),
        (&"read(0, 0, 0)".into(), &"Allowed".into(), &"ALLOW".into())
    );
    assert_eq!(
        (&r[1]["name"], &r[1]["outcome"], &r[1]["query"]["nr"]),
        (&"getpid".into(), &"ThreadKilledSigkill".into(), &39.into())
    );
    // `table strict`: the core's StrictMode::table, the page's strict table.
    let mut args = vec!["table", "strict", "--json"];
    args.extend(["--host-arch", "amd64", "--kernel", "6.18"]);
    let j: serde_json::Value = serde_json::from_slice(&run(&args).stdout).unwrap();
    let allowed: Vec<&str> = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["allowed"] == true)
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        allowed,
        [
            "read",
            "write",
            "rt_sigreturn",
            "exit",
            "uretprobe",
            "uprobe"
        ]
    );
    assert_eq!((&j["mode"], &j["allowed"]), (&"strict".into(), &6.into()));
    let o = run(&["table", "strict", "--arch", "x32", "--host-arch", "amd64"]);
    assert!(
        text(&o.stdout).contains("x32: strict mode lets 0 of"),
        "{o:?}"
    );
    // An ia32 task on an amd64 host: the compat list, where sigreturn (119) passes.
    let o = run(&[
        "simulate",
        "strict",
        "--arch",
        "x86",
        "sigreturn()",
        "--json",
        "--host-arch",
        "amd64",
        "--kernel",
        "6.1",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&j["results"][0]["role"], &j["results"][0]["outcome"]),
        (&"Compat".into(), &"Allowed".into())
    );
}

/// `--privileged` with an engine's built-in preset: no filter, and the sentence names the
/// engine the preset belongs to (the same core sentence the page shows).
#[test]
fn privileged_names_the_presets_engine() {
    for (preset, says) in [
        ("docker", "--privileged: Docker runs"),
        ("podman", "--privileged: Podman runs"),
        ("containerd@2.0", "containerd's CRI plugin"),
        (
            "kubernetes",
            "Kubernetes runs privileged containers Unconfined",
        ),
    ] {
        let o = run(&["simulate", preset, "--privileged", "keyctl(0)"]);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let out = text(&o.stdout);
        assert!(
            out.contains("ALLOW") && out.contains(says),
            "{preset}: {out}"
        );
        if preset != "docker" {
            assert!(!out.contains("Docker"), "{preset}: {out}");
        }
    }
}

/// `nr=-1`: seccomp_data.nr is an int, and the kernel runs the filter for -1 (what a ptracer
/// writes to skip a call, filtered again since 4.8): the filter sees 0xffffffff. runc's stub
/// takes it for an x32 number above the profile's newest (ENOSYS); without the stub it falls to
/// the default action.
#[test]
fn simulate_takes_syscall_minus_one() {
    let ctx = ["--host-arch", "amd64", "--kernel", "6.1"];
    let go = |runtime: &str| {
        let mut args = vec![
            "simulate",
            "docker",
            "nr=-1",
            "--runtime",
            runtime,
            "--json",
        ];
        args.extend(ctx);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        j["results"][0].clone()
    };
    let v = go("runc");
    assert_eq!(v["query"]["nr"], 0xffff_ffffu32);
    assert_eq!(
        (&v["errno_name"], &v["program_ret"]),
        (&"ENOSYS".into(), &v["ret"])
    );
    let v = go("crun");
    assert_eq!(v["errno_name"], "EPERM");
    assert!(
        v["explanation"]
            .as_str()
            .unwrap()
            .starts_with("No rule allows syscall -1 on x86_64"),
        "{v}"
    );
    let o = run(&["simulate", "docker", "nr=-0x80000001"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(text(&o.stderr).contains("does not fit in seccomp_data.nr"));
}

#[test]
fn bad_input_is_a_clear_error_not_a_panic() {
    let cases: [(&[&str], &str); 6] = [
        (&["simulate", "nope", "read(0)"], "not a preset"),
        (&["simulate", "docker", "reed(0)"], "reed"),
        (
            &["simulate", "docker", "--kernel", "v6.1", "read(0)"],
            "--kernel",
        ),
        (&["table", "docker", "--cap-add", "CAP_NOPE"], "CAP_NOPE"),
        (
            &["lint", "strict"],
            "only `simulate`, `table` and `apply --strict`",
        ),
        (&["simulate", "strict", "--batch", "-"], "strict mode"),
    ];
    for (args, needle) in cases {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {o:?}");
        let err = text(&o.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let dir = tmpdir("lint");
    let bad = write(&dir, "bad.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [{\"names\": [\"read\"], \"action\": 3}]}");
    let o = run(&["lint", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains(":2:") && out.contains("error["), "{out}");
    let o = run(&["lint", "docker"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn simulate_table_diff_and_asm_round_trip() {
    let o = run(&["simulate", "docker", "unshare(CLONE_NEWUSER)"]);
    let s = text(&o.stdout);
    assert!(
        s.contains("EPERM") && s.contains("Operation not permitted"),
        "{s}"
    );
    assert!(s.contains("decided by: the default action at"), "{s}");
    let o = run(&[
        "simulate",
        "docker",
        "--cap-add",
        "SYS_ADMIN",
        "--trace",
        "unshare(0x10000000)",
    ]);
    let s = text(&o.stdout);
    assert!(
        s.contains("ALLOW") && s.contains("syscalls[") && s.contains("trace:"),
        "{s}"
    );
    let o = run(&["table", "docker"]);
    let s = text(&o.stdout);
    assert!(s.lines().last().unwrap().starts_with("x86_64: "), "{s}");
    let o = run(&["diff", "docker", "docker", "--b-cap-add", "SYS_ADMIN"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("unshare"));
    let o = run(&["diff", "docker", "docker"]);
    assert_eq!(o.status.code(), Some(0));

    let dir = tmpdir("asm");
    let a = run(&["compile", "docker", "--format", "asm"]);
    let src = write(&dir, "d.s", &text(&a.stdout));
    let out = dir.join("d.bpf");
    assert!(run(&["asm", &src, "-o", out.to_str().unwrap()])
        .status
        .success());
    let raw = run(&["compile", "docker", "--format", "raw"]);
    assert_eq!(std::fs::read(&out).unwrap(), raw.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reader that stops early (`| head`) ends a printing command quietly by SIGPIPE, as with
/// Unix tools: no panic, no "Broken pipe" message.
#[test]
fn printing_into_a_closed_pipe_is_quiet() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    // 77 kB of JSON: more than a pipe holds, so the writer meets the closed pipe.
    let args = ["table", "docker", "--json"];
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let o = child.wait_with_output().expect("wait");
    let err = text(&o.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    assert!(
        o.status.success() || o.status.signal() == Some(libc::SIGPIPE),
        "{:?}",
        o.status
    );
}
