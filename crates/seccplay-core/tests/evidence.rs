//! The evidence readers on real data captured on this project's machine (tests/data/evidence,
//! see its README): kernel audit records through dmesg, dmesg -T, dmesg -r, /dev/kmsg, auditd's
//! audit.log and ausearch -i; strace -f output with -tt -T -y, -X raw/verbose, -ff -o, a
//! SIGSYS death. Then the readings against profiles, property tests and hostile inputs.

use proptest::prelude::*;
use seccplay_core::action::Action;
use seccplay_core::analysis::analyze;
use seccplay_core::arch::Arch;
use seccplay_core::context::Context;
use seccplay_core::evidence::attribute::attribute;
use seccplay_core::evidence::audit::{self, Form, LoggedAction};
use seccplay_core::evidence::logflag::with_log_flag;
use seccplay_core::evidence::predict::{predict, predict_named, Judged, Prediction, Status};
use seccplay_core::evidence::recorded::{self, Recorded, Verdict, MISMATCH};
use seccplay_core::evidence::strace::{self, Arg, Input};
use seccplay_core::presets::{self, PresetKind};
use std::path::PathBuf;

fn data(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/evidence")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn text(name: &str) -> String {
    String::from_utf8(data(name)).unwrap()
}

fn docker() -> &'static str {
    match presets::get("docker").unwrap().kind {
        PresetKind::Profile(t) => t,
        _ => unreachable!(),
    }
}

const MKDIR_ERRNO: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
  {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
  {"names":["getpid"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#;

const MKDIR_ONLY: &str = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
  {"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}"#;

/// (line-independent) what identifies a record: ABI, syscall, whether the action is KILL,
/// ERRNO, LOG or TRAP, pid.
fn key(r: &audit::AuditRecord) -> (Option<Arch>, Option<&'static str>, Option<u32>, String) {
    let act = match r.action {
        LoggedAction::AnyKill => "KILL".to_string(),
        LoggedAction::Exact(v) => match Action::from_ret(v) {
            Action::KillProcess | Action::KillThread => "KILL".into(),
            a => a.short_name().into(),
        },
    };
    (r.abi, r.syscall, r.pid, act)
}

#[test]
fn kernel_records_read_the_same_through_every_tool() {
    let dmesg = audit::parse(&text("dmesg.txt"));
    assert!(dmesg.malformed.is_empty(), "{:?}", dmesg.malformed);
    let n = text("dmesg.txt").matches("type=1326").count();
    assert_eq!(dmesg.records.len(), n);
    assert!(n >= 9, "the fixture has {n} records");
    assert_eq!(
        dmesg.skipped,
        text("dmesg.txt").lines().count() - n,
        "every other line is skipped and counted"
    );
    let first = &dmesg.records[0];
    assert_eq!(first.form, Form::Kernel);
    assert_eq!(first.abi, Some(Arch::X86_64));
    assert_eq!(first.syscall, Some("mkdir"));
    assert_eq!(first.nr, Some(83));
    assert_eq!(first.action, LoggedAction::Exact(0x50000));
    assert_eq!(first.sig, Some(0));
    assert_eq!(first.pid, Some(26010));
    assert_eq!(first.exe.as_deref(), Some("/usr/bin/mkdir"));
    assert_eq!(first.comm.as_deref(), Some("mkdir"));
    assert_eq!(first.serial, Some(2));
    assert_eq!(first.time, "1796312105.199");
    assert_eq!(first.ip, Some(0x7f763ffdaf37));
    let keys: Vec<_> = dmesg.records.iter().map(key).collect();
    for other in ["dmesg-T.txt", "dmesg-raw.txt", "kmsg.txt"] {
        let l = audit::parse(&text(other));
        assert!(l.malformed.is_empty(), "{other}: {:?}", l.malformed);
        let k: Vec<_> = l.records.iter().map(key).collect();
        assert_eq!(k, keys, "{other}");
    }
    // ausearch -i over the same records (converted to auditd's form, as auditd writes them).
    let i = audit::parse(&text("ausearch-i-from-dmesg.txt"));
    assert!(i.malformed.is_empty(), "{:?}", i.malformed);
    assert!(i.records.iter().all(|r| r.form == Form::Interpreted));
    let k: Vec<_> = i.records.iter().map(key).collect();
    assert_eq!(k, keys[..k.len()].to_vec());
}

#[test]
fn compat_x32_and_hex_encoded_names_decode() {
    let l = audit::parse(&text("dmesg.txt"));
    let compat = l.records.iter().find(|r| r.compat == Some(true)).unwrap();
    assert_eq!(compat.abi, Some(Arch::X86));
    assert_eq!(compat.audit_arch, 0x4000_0003);
    assert_eq!(compat.syscall, Some("getpid"));
    let x32 = l
        .records
        .iter()
        .find(|r| r.nr == Some(0x4000_0027))
        .unwrap();
    assert_eq!(x32.abi, Some(Arch::X32));
    assert_eq!(x32.syscall, Some("getpid"));
    let spaced = l
        .records
        .iter()
        .find(|r| r.comm.as_deref() == Some("my prog"))
        .expect("comm=6D792070726F67 is hex for `my prog`");
    assert_eq!(spaced.exe.as_deref(), Some("/tmp/ev/c/my prog"));
    // ausearch -i prints the same record with spaces and names.
    let i = audit::parse(&text("ausearch-i-from-dmesg.txt"));
    let r = i.records.iter().find(|r| r.pid == Some(26316)).unwrap();
    assert_eq!(r.comm.as_deref(), Some("my prog"));
    assert_eq!(r.exe.as_deref(), Some("/tmp/ev/c/my prog"));
    let unk = i.records.iter().find(|r| r.nr == Some(1073741863)).unwrap();
    assert_eq!(
        unk.abi,
        Some(Arch::X32),
        "unknown-syscall(1073741863) is x32's getpid"
    );
    let kill = i.records.iter().find(|r| r.sig == Some(31)).unwrap();
    assert_eq!(kill.action, LoggedAction::AnyKill);
    assert!(kill.action.caveat().unwrap().contains("KILL_THREAD"));
}

#[test]
fn auditd_log_and_its_ausearch_reading() {
    let raw = audit::parse(&text("audit.log"));
    assert!(raw.malformed.is_empty(), "{:?}", raw.malformed);
    assert_eq!(raw.records.len(), 4);
    assert!(raw.records.iter().all(|r| r.form == Form::Auditd));
    // The enriched part after 0x1d (SYSCALL=unknown-syscall(-1)) is not believed.
    assert_eq!(raw.records[0].syscall, Some("mkdir"));
    assert_eq!(raw.skipped, text("audit.log").lines().count() - 4);
    let i = audit::parse(&text("ausearch-i.txt"));
    assert!(i.malformed.is_empty(), "{:?}", i.malformed);
    let a: Vec<_> = raw.records.iter().map(key).collect();
    let b: Vec<_> = i.records.iter().map(key).collect();
    assert_eq!(a, b);
    assert!(i.skipped >= 4, "---- separators and other record types");
}

#[test]
fn journald_prefix_malformed_records_and_the_summary() {
    // `journalctl -k` prefixes the kernel line with date, host and `kernel:`; the record is
    // a real one from dmesg.txt.
    let real = text("dmesg.txt")
        .lines()
        .find(|l| l.contains("type=1326"))
        .unwrap()
        .split_once("] ")
        .unwrap()
        .1
        .to_string();
    let input = format!(
        "Dec 03 15:35:05 seccplay kernel: {real}\n\
         Dec 03 15:35:05 seccplay kernel: audit: type=1326 audit(1796312105.199:2): pid=1 arch=c000003e code=0x50000\n\
         audit: type=1326 audit(1796312105.199:3): arch=zz syscall=83 code=0x50000\n\
         audit: type=1326 audit(1796312105.199:4): arch=c000003e syscall=mkdir code=0x50000\n\
         audit: type=1326 no header here\n\
         audit: type=1300 audit(1.2:3): arch=c000003e syscall=83\n\
         {real}\n"
    );
    let l = audit::parse(&input);
    assert_eq!(l.records.len(), 3, "{:?}", l.malformed);
    assert_eq!(l.records[0].line, 1);
    let lines: Vec<usize> = l.malformed.iter().map(|m| m.line).collect();
    assert_eq!(lines, [2, 3, 5]);
    assert!(
        l.malformed[0].message.contains("syscall="),
        "{:?}",
        l.malformed[0]
    );
    assert!(l.malformed[1].message.contains("arch=zz"));
    assert_eq!(l.malformed[1].column, Some(48));
    assert_eq!(
        l.records[1].syscall,
        Some("mkdir"),
        "a name is accepted too"
    );
    assert_eq!(l.skipped, 1);
    let s = l.summary();
    assert_eq!(s.len(), 2, "{s:?}");
    assert_eq!(s[0].exe, "/usr/bin/mkdir");
    assert_eq!(s[0].syscall, "x86_64 mkdir");
    assert_eq!(s[0].action, "ERRNO");
    assert_eq!(s[0].count, 2);
    assert_eq!((s[1].exe.as_str(), s[1].count), ("?", 1));
}

#[test]
fn records_are_attributed_to_the_rule_that_logs_them() {
    let ctx = Context::docker(Arch::X86_64);
    let an = analyze(MKDIR_ERRNO, &ctx);
    assert!(!an.failed(), "{:?}", an.diagnostics);
    let l = audit::parse(&text("dmesg.txt"));
    let att = attribute(&l, &an);
    assert_eq!(att.len(), l.records.len());
    for (a, r) in att.iter().zip(&l.records) {
        let exact = |v| r.action == LoggedAction::Exact(v);
        match (r.abi, r.syscall) {
            (Some(Arch::X86_64), Some("mkdir")) if exact(0x50000) => {
                assert_eq!(a.candidates.len(), 1, "{}", a.summary);
                let c = &a.candidates[0];
                assert_eq!((c.kind, c.entry), ("rule", Some(0)));
                assert_eq!(c.action, "ERRNO(EACCES)");
                assert_eq!(c.location.as_ref().unwrap().line, 2);
                assert!(a.summary.contains("without its errno"), "{}", a.summary);
            }
            (Some(Arch::X86_64), Some("getpid")) => {
                assert_eq!(a.candidates[0].entry, Some(1), "{}", a.summary)
            }
            _ => {
                assert!(a.candidates.is_empty(), "{}", a.summary);
                assert!(a.summary.contains("never logs"), "{}", a.summary);
                assert!(a.summary.contains("another filter"), "{}", a.summary);
            }
        }
    }
}

#[test]
fn argument_rules_are_listed_with_arguments_that_reach_them() {
    // Docker's clone rule: ALLOW when no namespace flag is set, the default (EPERM) otherwise.
    let an = analyze(docker(), &Context::docker(Arch::X86_64));
    let line = "audit: type=1326 audit(1.2:3): pid=7 comm=\"unshare\" exe=\"/usr/bin/unshare\" sig=0 arch=c000003e syscall=56 compat=0 ip=0x1 code=0x50000\n\
                audit: type=1326 audit(1.2:4): pid=7 comm=\"x\" exe=\"/x\" sig=0 arch=c000003e syscall=56 compat=0 ip=0x1 code=0x7ffc0000\n";
    let l = audit::parse(line);
    let att = attribute(&l, &an);
    let c = &att[0].candidates;
    assert_eq!(c.len(), 1, "{}", att[0].summary);
    assert_eq!(c[0].kind, "default");
    assert_eq!(c[0].action, "ERRNO(EPERM)");
    let ex = c[0].example.as_deref().unwrap();
    assert!(ex.starts_with("clone(") && ex.contains("CLONE_NEW"), "{ex}");
    assert!(
        att[0].summary.contains("the arguments decide"),
        "{}",
        att[0].summary
    );
    assert!(
        att[1].summary.contains("never logs LOG"),
        "{}",
        att[1].summary
    );
}

#[test]
fn the_log_flag_copy_changes_nothing_else() {
    let ctx = Context::docker(Arch::X86_64);
    let c = with_log_flag(docker(), &ctx).unwrap();
    assert!(c.changed);
    assert!(c
        .text
        .contains("\"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"],\n"));
    let at = c.text.find("\"flags\"").unwrap();
    let end = at + c.text[at..].find('"').unwrap() + c.text[at..].find("],\n").unwrap() + 3;
    let indent = c.text[end..].len() - c.text[end..].trim_start_matches(' ').len();
    let removed = format!("{}{}", &c.text[..at], &c.text[end + indent..]);
    assert_eq!(removed, docker(), "only the flags member is new");
    let again = with_log_flag(&c.text, &ctx).unwrap();
    assert!(!again.changed);
    for (src, want) in [
        (
            r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]}"#,
            r#""flags":["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_LOG"]"#,
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":null}"#,
            r#""flags":["SECCOMP_FILTER_FLAG_LOG"]"#,
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":[]}"#,
            r#""flags":["SECCOMP_FILTER_FLAG_LOG"]"#,
        ),
        (
            r#"{"defaultAction":"SCMP_ACT_ALLOW"}"#,
            r#"{"flags": ["SECCOMP_FILTER_FLAG_LOG"], "defaultAction""#,
        ),
    ] {
        let c = with_log_flag(src, &ctx).unwrap();
        assert!(c.text.contains(want), "{src} → {}", c.text);
    }
    let cfg = r#"{"ociVersion":"1.0.2","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}}}"#;
    let c = with_log_flag(cfg, &ctx).unwrap();
    assert!(
        c.text
            .contains(r#""seccomp":{"flags": ["SECCOMP_FILTER_FLAG_LOG"], "defaultAction""#),
        "{}",
        c.text
    );
    assert!(with_log_flag(r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":7}"#, &ctx).is_err());
    assert!(with_log_flag("{", &ctx).is_err());
}

// ------------------------------------------------------------------------------------ strace

#[test]
fn strace_forms_give_the_same_calls() {
    let plain = strace::parse(&text("sh-X-raw.strace"));
    let verbose = strace::parse(&text("sh-X-verbose.strace"));
    assert!(plain.malformed.is_empty(), "{:?}", plain.malformed);
    assert!(verbose.malformed.is_empty(), "{:?}", verbose.malformed);
    assert_eq!(plain.calls.len(), verbose.calls.len());
    // The two runs differ only in pids and addresses: names and small numbers agree.
    let small = |c: &strace::TracedCall| {
        let a: Vec<Option<u64>> = c
            .args
            .iter()
            .map(|a| {
                a.value()
                    .filter(|v| *v < 0x10000 || *v > u64::MAX - 0x10000)
            })
            .collect();
        (c.name.clone(), a)
    };
    let mut diffs = 0;
    for (a, b) in plain.calls.iter().zip(&verbose.calls) {
        if small(a) != small(b) {
            diffs += 1;
        }
    }
    assert!(
        diffs * 20 < plain.calls.len(),
        "{diffs} of {} differ",
        plain.calls.len()
    );
    let openat = verbose.calls.iter().find(|c| c.name == "openat").unwrap();
    assert_eq!(openat.args[0], Arg::Value(-100i64 as u64));
    assert_eq!(openat.args[1], Arg::Pointer("string"));
    assert_eq!(openat.args[2], Arg::Value(0x80000));
}

#[test]
fn strace_prefixes_halves_and_events() {
    let t = strace::parse(&text("sh-pipeline-f.strace"));
    assert!(t.malformed.is_empty(), "{:?}", t.malformed);
    let src = text("sh-pipeline-f.strace");
    let unfinished = src.matches("<unfinished ...>").count();
    let resumed = src.matches(" resumed>").count();
    assert!(unfinished > 10 && resumed > 10);
    let starts = src
        .lines()
        .filter(|l| {
            let r = match l.strip_prefix("[pid ") {
                Some(x) => x.split_once("] ").map(|p| p.1).unwrap_or(""),
                None => l,
            };
            r.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && r.contains('(')
        })
        .count();
    assert_eq!(t.calls.len(), starts, "one call per first half");
    assert!(t.calls.iter().filter(|c| c.pid.is_some()).count() > 100);
    assert!(
        t.calls
            .iter()
            .all(|c| c.result.is_some() || c.name == "exit_group" || c.name.starts_with("wait")),
        "{:?}",
        t.calls
            .iter()
            .filter(|c| c.result.is_none())
            .map(|c| &c.text)
            .collect::<Vec<_>>()
    );
    let exits = t
        .events
        .iter()
        .filter(|e| e.text.starts_with("exited with"))
        .count();
    assert_eq!(exits, src.matches("+++ exited").count());
    let tt = strace::parse(&text("sh-f-tt-T-y-o.strace"));
    assert!(tt.malformed.is_empty(), "{:?}", tt.malformed);
    let read = tt.calls.iter().find(|c| c.name == "read").unwrap();
    assert_eq!(
        read.args[0],
        Arg::Value(3),
        "-y's <path> is dropped: {}",
        read.text
    );
    assert!(
        read.result.as_deref().unwrap().parse::<u64>().is_ok(),
        "-T's <time> is dropped"
    );
    let k = strace::parse(&text("kill-sigsys.strace"));
    assert!(k.events.iter().any(|e| e.text.contains("killed by SIGSYS")));
    // -ff -o: one file per pid, named prefix.PID.
    let files: Vec<(Vec<u8>, u32)> = [25284, 25285, 25286]
        .iter()
        .map(|p| (data(&format!("sh-ff-ttt.{p}")), *p))
        .collect();
    let inputs: Vec<Input> = files
        .iter()
        .map(|(b, p)| Input {
            bytes: b,
            pid: Some(*p),
        })
        .collect();
    let ff = strace::parse_inputs(&inputs);
    assert!(ff.malformed.is_empty(), "{:?}", ff.malformed);
    assert!(ff.calls.iter().any(|c| c.pid == Some(25286)));
    assert_eq!(ff.calls[0].name, "execve");
}

#[test]
fn clone_named_arguments_land_in_kernel_order() {
    let t = strace::parse("1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f4c3f7a2a10) = 2\n");
    let c = &t.calls[0];
    assert_eq!(c.args[0], Arg::Value(0x1200011));
    assert_eq!(c.args[1], Arg::Value(0));
    assert_eq!(c.args[3], Arg::Value(0x7f4c3f7a2a10));
}

#[test]
fn prediction_under_a_strict_profile_and_docker() {
    let ctx = Context::docker(Arch::X86_64);
    let t = strace::parse(&text("sh-X-verbose.strace"));
    // A strict allow-list: what the shell calls, but mkdir.
    let mut names: Vec<&str> = t
        .calls
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| *n != "mkdir")
        .collect();
    names.sort_unstable();
    names.dedup();
    let strict = serde_json::json!({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13,
        "syscalls": [{"names": names, "action": "SCMP_ACT_ALLOW"}]})
    .to_string();
    let an = analyze(&strict, &ctx);
    let p = predict(&t, &an, Arch::X86_64);
    let first = p.first_refused.as_ref().unwrap();
    assert_eq!(first.text.split('(').next(), Some("mkdir"));
    assert_eq!(first.answer.action, "ERRNO(EACCES)");
    assert!(
        first.answer.rule.contains("default action"),
        "{}",
        first.answer.rule
    );
    let mk = p.summary.iter().find(|s| s.syscall == "mkdir").unwrap();
    assert_eq!(mk.refused, mk.calls);
    assert_eq!(p.refused.len() as u64, mk.calls);
    assert!(p.snippet.contains("\"mkdir\""), "{}", p.snippet);
    assert!(p.note.contains("not run"));
    // Adding the snippet's entries to the profile allows every call of the trace.
    let mut prof: serde_json::Value = serde_json::from_str(&strict).unwrap();
    let add: serde_json::Value = serde_json::from_str(&p.snippet).unwrap();
    let list = prof["syscalls"].as_array_mut().unwrap();
    list.extend(add["syscalls"].as_array().unwrap().iter().cloned());
    let fixed = analyze(&prof.to_string(), &ctx);
    let again = predict(&t, &fixed, Arch::X86_64);
    assert!(again.refused.is_empty(), "{:?}", again.refused.first());
    // An explicit refusal: the snippet says to remove that entry too.
    let p = predict(&t, &analyze(MKDIR_ONLY, &ctx), Arch::X86_64);
    assert!(
        p.remove_or_change
            .iter()
            .any(|r| r.starts_with("mkdir: syscalls[0]")),
        "{:?}",
        p.remove_or_change
    );
    assert!(!p.snippet.contains("syscalls[0]"), "{}", p.snippet);
    // Docker's default lets the shell run.
    let an = analyze(docker(), &ctx);
    let p = predict(&t, &an, Arch::X86_64);
    assert!(p.first_refused.is_none(), "{:?}", p.first_refused);
    assert_eq!(
        p.summary.iter().map(|s| s.calls).sum::<u64>() as usize,
        p.calls
    );
}

#[test]
fn pointer_arguments_that_a_rule_compares_make_the_verdict_depend() {
    let prof = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
      {"names":["openat"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":4096,"op":"SCMP_CMP_GT"}]},
      {"names":["clone"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":268435456,"op":"SCMP_CMP_MASKED_EQ","valueTwo":268435456}]}]}"#;
    let an = analyze(prof, &Context::docker(Arch::X86_64));
    assert!(!an.failed(), "{:?}", an.diagnostics);
    let t = strace::parse(
        "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 3\n\
         clone(child_stack=NULL, flags=CLONE_NEWUSER|SIGCHLD) = 5\n\
         clone(child_stack=NULL, flags=SIGCHLD) = 6\n\
         clone(child_stack=NULL, flags=FROB_UNKNOWN) = 7\n",
    );
    let p = predict(&t, &an, Arch::X86_64);
    assert_eq!(p.depends.len(), 2, "{:#?}", p.depends);
    assert_eq!(
        p.depends[0].answer.status,
        Status::Depends { args: vec![1] }
    );
    assert!(
        p.depends[0]
            .answer
            .explanation
            .contains("argument 1 (a string"),
        "{}",
        p.depends[0].answer.explanation
    );
    assert!(p.depends[1].answer.explanation.contains("FROB_UNKNOWN"));
    assert_eq!(p.refused.len(), 1);
    assert_eq!(p.refused[0].line, 2);
    // FROB_UNKNOWN may be anything, so clone is allowed outright (as openat, whose path
    // pointer is compared).
    let add: serde_json::Value = serde_json::from_str(&p.snippet).unwrap();
    assert_eq!(
        add["syscalls"][0]["names"],
        serde_json::json!(["clone", "openat"])
    );
}

// ------------------------------------------------------------------------ properties, hostile

fn kernel_line(pid: u32, nr: u32, arch: u32, code: u32, comm: &str) -> String {
    format!("[  12.5] audit: type=1326 audit(1796312105.199:{pid}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid={pid} comm=\"{comm}\" exe=\"/bin/{comm}\" sig=0 arch={arch:x} syscall={nr} compat=0 ip=0x7f code={code:#x}")
}

proptest! {
    #[test]
    fn audit_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let l = audit::parse_bytes(&bytes);
        prop_assert!(l.records.len() + l.malformed.len() + l.skipped <= bytes.split(|&b| b == b'\n').count());
    }

    #[test]
    fn kernel_records_round_trip(pid in 1u32..1<<22, arch_i in 0usize..23, nr in 0u32..500, act in 0usize..8, comm in "[a-z]{1,15}") {
        let arch = Arch::ALL[arch_i];
        let nr = if arch == Arch::X32 { nr | 0x4000_0000 } else { nr + arch.nr_base() };
        let code = [0x8000_0000u32, 0, 0x30000, 0x50000, 0x7fc0_0000, 0x7ff0_0000, 0x7ffc_0000, 0x7fff_0000][act];
        let l = audit::parse(&kernel_line(pid, nr, arch.audit_arch(), code, &comm));
        prop_assert_eq!(l.records.len(), 1);
        let r = &l.records[0];
        prop_assert_eq!(r.pid, Some(pid));
        prop_assert_eq!(r.nr, Some(nr));
        prop_assert_eq!(r.action, LoggedAction::Exact(code));
        prop_assert!(r.abi.is_some_and(|a| a.audit_arch() == arch.audit_arch()));
        prop_assert_eq!(r.comm.as_deref(), Some(comm.as_str()));
    }

    #[test]
    fn strace_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let t = strace::parse_inputs(&[Input { bytes: &bytes, pid: None }]);
        prop_assert!(t.calls.len() <= bytes.len());
        prop_assert_eq!(recorded::recorded_of(&t).len(), t.calls.len());
    }

    #[test]
    fn recorded_results_of_any_text_are_read(res in "[ -~]{0,40}", sig in "[ -~]{0,60}", pid in 1u32..9) {
        // Any result text, any SIGSYS signal body, a death: each call gets one outcome.
        let text = format!("{pid} mkdir(\"/a\", 0777) = {res}\n{pid} --- SIGSYS {{{sig}}} ---\n{pid} getpid( <unfinished ...>\n{pid} +++ killed by SIGSYS +++\n");
        let t = strace::parse(&text);
        let r = recorded::recorded_of(&t);
        prop_assert_eq!(r.len(), t.calls.len());
        let an = analyze(MKDIR_ERRNO, &Context::docker(Arch::X86_64));
        let p = predict(&t, &an, Arch::X86_64);
        prop_assert_eq!(p.recorded.matched + p.recorded.mismatched + p.recorded.undetermined, p.calls as u64);
    }

    #[test]
    fn strace_numbers_and_flags_read_back(fd in 0u64..1<<20, n in any::<u32>(), pid in 1u32..1<<22, split in any::<bool>()) {
        let line = if split {
            format!("[pid {pid}] write({fd}</tmp/a,b>, \"x\\\"y\"..., {n} <unfinished ...>\n[pid {pid}] <... write resumed>) = 1 <0.000010>\n")
        } else {
            format!("{pid} 12:00:00.000001 write({fd}</tmp/a,b>, \"x\\\"y\"..., {n}) = 1 <0.000010>\n")
        };
        let t = strace::parse(&line);
        prop_assert!(t.malformed.is_empty());
        prop_assert_eq!(t.calls.len(), 1);
        let c = &t.calls[0];
        prop_assert_eq!(c.pid, Some(pid));
        prop_assert_eq!(&c.args, &vec![Arg::Value(fd), Arg::Pointer("string"), Arg::Value(n as u64)]);
        prop_assert_eq!(c.result.as_deref(), Some("1"));
    }
}

#[test]
fn hostile_inputs_are_bounded_and_answered() {
    // A huge seccomp line, a huge other line, binary garbage, a cut call.
    let mut input = format!(
        "audit: type=1326 audit(1.2:3): comm=\"{}\" arch=c000003e syscall=1 code=0x0\n",
        "a".repeat(1 << 20)
    );
    input.push_str(&"x".repeat(4 << 20));
    input.push('\n');
    let mut bytes = input.into_bytes();
    bytes.extend((0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let l = audit::parse_bytes(&bytes);
    assert_eq!(l.malformed[0].line, 1);
    assert!(l.malformed[0].message.contains("not read"));
    let t = strace::parse_inputs(&[Input {
        bytes: &bytes,
        pid: None,
    }]);
    assert!(t.calls.is_empty());
    let t = strace::parse("read(3, \"abc\", 10\nwrite(1, \"ok\", 2) = 2\n");
    assert_eq!(t.malformed.len(), 1);
    assert_eq!(t.malformed[0].line, 1);
    assert_eq!(t.calls.len(), 1);
    // Deep nesting does not recurse.
    let deep = format!(
        "ioctl(3, {}{}) = 0\n",
        "{".repeat(100_000),
        "}".repeat(100_000)
    );
    let t = strace::parse(&deep);
    assert_eq!(t.calls[0].args[1], Arg::Pointer("struct"));
    // Recorded results that are not what strace writes: a huge errno-like word, a SIGSYS
    // without a body, a death with no call before it, a resumed half of nothing.
    let hostile = format!(
        "7 +++ killed by SIGSYS +++\n7 mkdir(\"/a\", 0777) = -1 E{} (x)\n7 --- SIGSYS {{}} ---\n7 --- SIGSYS {{si_code=SYS_SECCOMP, si_syscall=__NR_}} ---\n8 <... mkdir resumed>) = 0\n8 getpid() = -1\n8 +++ killed by SIGSYS +++\n",
        "E".repeat(100_000)
    );
    let t = strace::parse(&hostile);
    let r = recorded::recorded_of(&t);
    assert_eq!(r.len(), 2);
    assert!(matches!(&r[0], Recorded::Errno { name } if name.len() == 100_001));
    assert_eq!(r[1], Recorded::Killed);
    let an = analyze(MKDIR_ERRNO, &Context::docker(Arch::X86_64));
    let p = predict(&t, &an, Arch::X86_64);
    // mkdir: ERRNO(EACCES) against an unknown errno name; getpid: KILL_PROCESS and a death.
    assert_eq!(p.recorded.mismatched, 1, "{:?}", p.mismatches);
    assert_eq!(p.recorded.matched, 1);
}

/// The judged call of `name` among the mismatches, the refused, depends and unknown calls.
fn check_of<'a>(p: &'a Prediction, name: &str) -> Option<&'a Judged> {
    p.mismatches
        .iter()
        .chain(&p.refused)
        .chain(&p.depends)
        .find(|j| j.text.starts_with(&format!("{name}(")))
}

#[test]
fn recorded_results_match_the_filter_that_ran() {
    let ctx = Context::docker(Arch::X86_64);
    let t = strace::parse(&text("under-errno-filter.strace"));
    let an = analyze(&text("errno-filter.json"), &ctx);
    let p = predict(&t, &an, Arch::X86_64);
    assert!(p.mismatches.is_empty(), "{:?}", p.mismatches.first());
    assert_eq!(p.refused.len(), 2, "mkdir and rmdir");
    let mk = check_of(&p, "mkdir").unwrap();
    assert_eq!(
        mk.recorded.recorded,
        Recorded::Errno {
            name: "EPERM".into()
        }
    );
    assert_eq!(
        mk.recorded.verdict,
        Verdict::Match,
        "{}",
        mk.recorded.reason
    );
    let rm = check_of(&p, "rmdir").unwrap();
    assert_eq!(rm.answer.action, "ERRNO(EACCES)");
    assert_eq!(
        rm.recorded.verdict,
        Verdict::Match,
        "{}",
        rm.recorded.reason
    );
    // Every call with a result counts; ls's ENOENT is the kernel's answer under ALLOW.
    let c = &p.recorded;
    assert_eq!(c.matched + c.mismatched + c.undetermined, p.calls as u64);
    assert!(c.recorded > 100 && c.matched >= c.recorded - 10, "{c:?}");
    assert_eq!(p.summary.iter().map(|s| s.mismatched).sum::<u64>(), 0);
}

#[test]
fn recorded_results_that_another_profile_cannot_produce_are_mismatches() {
    let ctx = Context::docker(Arch::X86_64);
    let t = strace::parse(&text("under-errno-filter.strace"));
    // EACCES for mkdir, but the filter that ran returned EPERM.
    let p = predict_named(
        &t,
        &analyze(MKDIR_ONLY, &ctx),
        Arch::X86_64,
        "mkdir-only.json",
    );
    let names: Vec<&str> = p
        .mismatches
        .iter()
        .map(|j| j.text.split('(').next().unwrap())
        .collect();
    assert_eq!(names, ["mkdir"], "{:?}", p.mismatches);
    let m = &p.mismatches[0];
    assert_eq!(m.line, 198, "{}", m.text);
    assert!(
        m.recorded
            .reason
            .contains("returns -1 EACCES, the call got -1 EPERM"),
        "{}",
        m.recorded.reason
    );
    assert!(m.recorded.reason.ends_with(MISMATCH));
    let row = p.summary.iter().find(|s| s.syscall == "mkdir").unwrap();
    assert_eq!(row.mismatched, 1);
    assert_eq!(p.recorded.mismatched, 1);
    // Docker's profile allows mkdir and rmdir: their EPERM/EACCES may be the kernel's or a
    // filter's, nothing is definite.
    let p = predict(&t, &analyze(docker(), &ctx), Arch::X86_64);
    assert!(p.mismatches.is_empty(), "{:?}", p.mismatches.first());
    assert!(p.recorded.undetermined >= 2);
    // A strict allow-list refuses write, which ran and returned 7: a definite mismatch.
    let strict = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"names":["execve","mkdir","rmdir"],"action":"SCMP_ACT_ALLOW"}]}"#;
    let p = predict(&t, &analyze(strict, &ctx), Arch::X86_64);
    let w = p
        .mismatches
        .iter()
        .find(|j| j.text.starts_with("write(2, \"mkdir: \""))
        .unwrap();
    assert_eq!(w.recorded.recorded, Recorded::Value { value: "7".into() });
    assert!(
        w.recorded.reason.contains("ran and returned 7"),
        "{}",
        w.recorded.reason
    );
    // mkdir got EPERM, what the strict profile's ALLOW lets the kernel answer, or a filter.
    let mk = p
        .mismatches
        .iter()
        .chain(&p.refused)
        .all(|j| !j.text.starts_with("mkdir("));
    assert!(mk);
}

#[test]
fn recorded_trap_and_kill_against_the_predicted_action() {
    let ctx = Context::docker(Arch::X86_64);
    let trap = strace::parse(&text("under-trap-filter.strace"));
    let p = predict(
        &trap,
        &analyze(&text("trap-filter.json"), &ctx),
        Arch::X86_64,
    );
    let mk = check_of(&p, "mkdir").unwrap();
    assert_eq!(mk.recorded.recorded, Recorded::Trapped);
    assert_eq!(
        mk.recorded.verdict,
        Verdict::Match,
        "{}",
        mk.recorded.reason
    );
    assert!(p.mismatches.is_empty(), "{:?}", p.mismatches.first());
    // The same trace under an ERRNO profile: mkdir was trapped, not refused with an error.
    let p = predict(&trap, &analyze(MKDIR_ONLY, &ctx), Arch::X86_64);
    assert_eq!(p.mismatches.len(), 1);
    assert!(p.mismatches[0].recorded.reason.contains("trapped"));
    // kill-sigsys.strace: mkdir `= 83` then `+++ killed by SIGSYS +++`.
    let kill = strace::parse(&text("kill-sigsys.strace"));
    let killer = r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_KILL_PROCESS"}]}"#;
    let p = predict(&kill, &analyze(killer, &ctx), Arch::X86_64);
    let mk = check_of(&p, "mkdir").unwrap();
    assert_eq!(mk.recorded.recorded, Recorded::Killed);
    assert_eq!(mk.recorded.verdict, Verdict::Match);
    // Docker's profile allows mkdir: the death by SIGSYS contradicts it.
    let p = predict(&kill, &analyze(docker(), &ctx), Arch::X86_64);
    assert_eq!(p.mismatches.len(), 1, "{:?}", p.mismatches);
    assert!(p.mismatches[0].text.starts_with("mkdir("));
    assert!(p.mismatches[0].recorded.reason.contains("died by SIGSYS"));
}

#[test]
fn the_snippet_is_a_docker_fragment_that_allows_the_refused_calls() {
    use seccplay_core::frontend::{self, Format};
    let ctx = Context::docker(Arch::X86_64);
    let t = strace::parse(&text("under-errno-filter.strace"));
    let prof = text("errno-filter.json");
    let p = predict(&t, &analyze(&prof, &ctx), Arch::X86_64);
    assert!(!p.refused.is_empty());
    let frag: serde_json::Value = serde_json::from_str(&p.snippet).unwrap();
    let keys: Vec<&String> = frag.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["syscalls"], "{}", p.snippet);
    assert_eq!(frontend::detect(&p.snippet), Format::Docker);
    // The rules to remove are named outside the JSON: syscalls[0] (mkdir), syscalls[1] (rmdir).
    assert_eq!(p.remove_or_change.len(), 2, "{:?}", p.remove_or_change);
    let mut doc: serde_json::Value = serde_json::from_str(&prof).unwrap();
    let mut idx: Vec<usize> = p
        .remove_or_change
        .iter()
        .flat_map(|r| r.split("syscalls[").skip(1))
        .map(|r| r.split(']').next().unwrap().parse().unwrap())
        .collect();
    idx.sort_unstable();
    idx.dedup();
    let list = doc["syscalls"].as_array_mut().unwrap();
    for i in idx.into_iter().rev() {
        list.remove(i);
    }
    list.extend(frag["syscalls"].as_array().unwrap().iter().cloned());
    let merged = doc.to_string();
    let input = frontend::read(&merged, None).unwrap_or_else(|f| panic!("{f:?}"));
    assert_eq!(input.format, Format::Docker);
    let again = predict(&t, &analyze(&merged, &ctx), Arch::X86_64);
    assert!(again.refused.is_empty(), "{:?}", again.refused.first());
    for j in &p.refused {
        let name = j.text.split('(').next().unwrap();
        let row = again.summary.iter().find(|s| s.syscall == name).unwrap();
        assert_eq!(row.actions.iter().collect::<Vec<_>>(), ["ALLOW"], "{name}");
    }
}
