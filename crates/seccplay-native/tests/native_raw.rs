//! `raw` and `emu` on a real stack: a process gets two filters (one `apply` inside another),
//! `dump PID` takes both from the kernel, and the analysis and the emulator of the dumped stack
//! give the answers the kernel gave the process.

mod common;

use common::{tmpdir, write};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_seccplay-native");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("spawn seccplay-native")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn kernel_ready(test: &str) -> bool {
    let why = if let Some(w) = common::no_seccomp_filters() {
        Some(w.to_string())
    } else if !common::is_root() {
        Some("not root (dump needs CAP_SYS_ADMIN)".to_string())
    } else {
        None
    };
    common::ready_unless(test, why)
}

const OLDER: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
 {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
 {"names":["rmdir"],"action":"SCMP_ACT_ERRNO","errnoRet":39}]}"#;
const NEWER: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
 {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":30},
 {"names":["symlink","symlinkat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}"#;

#[test]
fn a_dumped_stack_of_two_filters_reproduces_the_kernels_answers() {
    if !kernel_ready("stack dump") {
        return;
    }
    let dir = tmpdir("rawstack");
    let older = write(&dir, "older.json", OLDER);
    let newer = write(&dir, "newer.json", NEWER);
    // The kernel's answers, under both filters: mkdir gets the newest filter's errno
    // (equal actions: the newest filter's data), rmdir the older's, symlink the newer's.
    let probe = format!(
        "mkdir {d}/a 2>&1; rmdir {d}/nonexistent 2>&1; ln -s x {d}/l 2>&1; true",
        d = dir.display()
    );
    let o = Command::new(BIN)
        .args([
            "apply", &older, "--", BIN, "apply", &newer, "--", "sh", "-c", &probe,
        ])
        .output()
        .unwrap();
    let kernel = text(&o.stdout) + &text(&o.stderr);
    assert!(kernel.contains("Read-only file system"), "{kernel}");
    assert!(kernel.contains("Directory not empty"), "{kernel}");
    assert!(kernel.contains("Operation not permitted"), "{kernel}");

    // The same stack in a live process, dumped.
    let pidfile = dir.join("pid");
    let script = format!("echo $$ > {}; exec sleep 30", pidfile.display());
    let mut child = Command::new(BIN)
        .args([
            "apply", &older, "--", BIN, "apply", &newer, "--", "sh", "-c", &script,
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = common::sleeping_pid(&pidfile);
    // The whole stack as `dump` prints it (newest first, each header with the kernel's index),
    // and each filter alone by its position.
    let pid_s = pid.to_string();
    let all = dir.join("stack.asm");
    let o = run(&[
        "dump",
        &pid_s,
        "--format",
        "asm",
        "-o",
        all.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{o:?}");
    let o = run(&["dump", &pid_s]);
    let human = text(&o.stdout);
    assert!(human.contains("# filter 0 (newest) of process"), "{human}");
    assert!(human.contains("# filter 1 (oldest) of process"), "{human}");
    // dump's default output (the annotated disassembly) is a stack as it is.
    let human_file = dir.join("stack.txt");
    std::fs::write(&human_file, &human).unwrap();
    let (f0, f1) = (dir.join("f0.bpf"), dir.join("f1.bpf"));
    for (i, f) in [(0, &f0), (1, &f1)] {
        let o = run(&[
            "dump",
            &pid_s,
            "--index",
            &i.to_string(),
            "--format",
            "raw",
            "-o",
            f.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{o:?}");
    }
    // SAFETY: kill has no memory effects; `pid` is the sleep our own child exec'd.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let _ = child.wait();

    // Which filter is which, by content: `apply` installs exactly what `compile` produces.
    let (cn, co) = (dir.join("newer.bpf"), dir.join("older.bpf"));
    for (p, f) in [(&newer, &cn), (&older, &co)] {
        let o = run(&["compile", p, "--format", "raw", "-o", f.to_str().unwrap()]);
        assert!(o.status.success(), "{o:?}");
    }
    let bytes = |p: &std::path::Path| std::fs::read(p).unwrap();
    assert_ne!(bytes(&cn), bytes(&co));
    assert_eq!(
        bytes(&f0),
        bytes(&cn),
        "dump --index 0 is the newest filter"
    );
    assert_eq!(bytes(&f1), bytes(&co), "dump --index 1 is the older filter");
    let listing = std::fs::read_to_string(&all).unwrap();
    let heads: Vec<&str> = listing
        .lines()
        .filter(|l| l.starts_with("# filter"))
        .collect();
    assert_eq!(heads.len(), 2, "{listing}");
    assert!(heads[0].starts_with("# filter 0 (newest)"), "{listing}");
    assert!(
        heads[0].ends_with("(PTRACE_SECCOMP_GET_FILTER index 1)"),
        "{listing}"
    );
    assert!(heads[1].starts_with("# filter 1 (oldest)"), "{listing}");
    assert!(
        heads[1].ends_with("(PTRACE_SECCOMP_GET_FILTER index 0)"),
        "{listing}"
    );
    let (s, older_f) = (f0.to_str().unwrap(), f1.to_str().unwrap());

    // emu reproduces the kernel's answers, from the two files and from the listing.
    let calls = ["mkdir(0, 0)", "rmdir(0)", "symlink(0, 0)", "getpid()"];
    for args in [
        [&["emu", s, "--stack", older_f][..], &calls[..]].concat(),
        [&["emu", all.to_str().unwrap()][..], &calls[..]].concat(),
        [&["emu", human_file.to_str().unwrap()][..], &calls[..]].concat(),
    ] {
        let o = run(&args);
        let out = text(&o.stdout);
        assert!(o.status.success(), "{o:?}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].contains("ERRNO(EROFS)"), "{out}");
        assert!(lines[1].contains("ERRNO(ENOTEMPTY)"), "{out}");
        assert!(lines[2].contains("ERRNO(EPERM)"), "{out}");
        assert!(lines[3].contains(": ALLOW"), "{out}");
    }
    // The wrong order gives other answers (mkdir: the older filter's EACCES).
    let o = run(&["emu", older_f, "--stack", s, "mkdir(0, 0)"]);
    assert!(text(&o.stdout).contains("ERRNO(EACCES)"), "{o:?}");

    let o = run(&["raw", "explain", s, older_f]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{o:?}");
    assert!(out.starts_with("# 2 filter(s)"), "{out}");
    assert!(out.contains("mkdir → ERRNO(EROFS)"), "{out}");
    assert!(out.contains("rmdir → ERRNO(ENOTEMPTY)"), "{out}");
    assert!(out.contains("symlink → ERRNO(EPERM)"), "{out}");
    let o = run(&["raw", "explain", all.to_str().unwrap()]);
    assert!(text(&o.stdout).contains("mkdir → ERRNO(EROFS)"), "{o:?}");
    let o = run(&["raw", "table", s, older_f, "--json"]);
    let js: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(js["lengths"].as_array().map(|a| a.len()), Some(2));

    // The stack decompiles to one profile that the kernel would treat the same way.
    let o = run(&["raw", "decompile", s, older_f, "--check"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).expect("profile");
    let names = p["syscalls"].to_string();
    assert!(names.contains("mkdir") && names.contains("rmdir"), "{p}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `raw explain` and `raw table` at a kernel that runs no filter for a call (uretprobe on
/// x86_64 since 6.14; 6.13 depends on its point release): the row says so, even when the
/// filter gives it the default; at 6.1 nothing is added.
#[test]
fn raw_views_mark_the_calls_the_kernel_passes_without_a_filter() {
    let dir = tmpdir("raw-bypass");
    let profile = write(
        &dir,
        "kill.json",
        r#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
    );
    let out = run(&[
        "compile",
        &profile,
        "--host-arch",
        "amd64",
        "--runtime",
        "crun",
        "--format",
        "hex",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let prog = write(&dir, "kill.hex", &text(&out.stdout));
    let explain = |kernel: &str| -> serde_json::Value {
        let o = run(&[
            "raw", "explain", &prog, "--arch", "x86_64", "--abi", "x86_64", "--kernel", kernel,
            "--json",
        ]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("JSON")
    };
    let uretprobe = |v: &serde_json::Value| {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["name"] == "uretprobe")
            .cloned()
    };
    let new = explain("6.14.2");
    assert_eq!(new["kernel"], "6.14");
    let row =
        uretprobe(&new).expect("uretprobe listed at 6.14 although the filter gives the default");
    assert_eq!(row["verdict"]["action"], "KILL_PROCESS", "{row}");
    assert!(
        row["kernel_bypass"]
            .as_str()
            .is_some_and(|b| b.contains("6.14 and later run no seccomp filter for uretprobe")),
        "{row}"
    );
    let mid = uretprobe(&explain("6.13")).expect("listed at 6.13");
    assert!(
        mid["kernel_bypass"]
            .as_str()
            .is_some_and(|b| b.contains("depends on the point release")),
        "{mid}"
    );
    assert!(
        uretprobe(&explain("6.1")).is_none(),
        "6.1 runs the filter: the default row is not listed"
    );
    let t = run(&[
        "raw", "table", &prog, "--arch", "x86_64", "--kernel", "6.18",
    ]);
    assert!(t.status.success(), "{}", text(&t.stderr));
    let line = text(&t.stdout)
        .lines()
        .find(|l| l.contains(" uretprobe "))
        .map(str::to_string)
        .expect("a uretprobe line");
    assert!(line.contains("[kernel: Linux 6.14 and later"), "{line}");
    let bad = run(&["raw", "table", &prog, "--kernel", "latest"]);
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("--kernel: invalid kernel version"),
        "{}",
        text(&bad.stderr)
    );
}
