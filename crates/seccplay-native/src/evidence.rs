//! `audit`, `replay`, `add-log-flag`: evidence from a failure read against a profile, and the
//! profile copy that makes the kernel log its refusals. The core decides; this formats.

use crate::ctx::{self, CtxArgs};
use crate::{read_input, write_out, Fail};
use clap::Args;
use seccplay_core::evidence::attribute::{attribute, Attribution};
use seccplay_core::evidence::audit;
use seccplay_core::evidence::logflag::with_log_flag;
use seccplay_core::evidence::predict::{predict_named, Judged, Prediction};
use seccplay_core::evidence::strace::{self, Input};
use seccplay_core::presets;
use serde_json::json;
use std::path::PathBuf;

/// `audit` arguments.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// PROFILE (a path, or a preset name) and/or FILE of records (`-`: stdin, the default).
    /// One argument is the profile when it is a preset or a JSON file, else the records.
    #[arg(value_name = "PROFILE|FILE", num_args = 0..=2)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `replay` arguments.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// Profile: a path, or a preset name
    pub profile: String,
    /// strace output (`-`: stdin, the default); several files of `strace -ff -o NAME` (NAME.PID)
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// ABI of the traced processes [default: the host arch of the context]
    #[arg(long)]
    pub arch: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `add-log-flag` arguments.
#[derive(Args, Debug)]
pub struct LogFlagArgs {
    /// Profile: a path, `-` for stdin, or a preset name
    pub profile: String,
    #[command(flatten)]
    pub ctx: CtxArgs,
    /// Write the copy here instead of stdout
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// True when `arg` names a profile rather than a file of records.
fn is_profile(arg: &str) -> bool {
    if arg == "-" {
        return false;
    }
    if !std::path::Path::new(arg).exists() {
        return presets::get(arg).is_some();
    }
    std::fs::read(arg)
        .map(|b| b.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{'))
        .unwrap_or(false)
}

/// `audit`: the records, and with a profile the rule behind each.
pub fn audit(a: AuditArgs) -> Result<u8, Fail> {
    let (profile, input) = match a.args.as_slice() {
        [] => (None, "-".to_string()),
        [one] if is_profile(one) => (Some(one.clone()), "-".to_string()),
        [one] => (None, one.clone()),
        [p, f] => (Some(p.clone()), f.clone()),
        _ => unreachable!("clap allows at most two"),
    };
    let bytes = read_input(&input)?;
    let log = audit::parse_bytes(&bytes);
    let analysed = match &profile {
        Some(p) => {
            let (l, an) = ctx::analyze(p, &a.ctx)?;
            ctx::require_ok(&l, &an)?;
            Some((l, an))
        }
        None => None,
    };
    let att: Option<Vec<Attribution>> = analysed.as_ref().map(|(_, an)| attribute(&log, an));
    let origin = analysed
        .as_ref()
        .map(|(l, _)| l.origin.clone())
        .unwrap_or_default();
    if a.json {
        let v = json!({
            "profile": analysed.as_ref().map(|(l, _)| l.origin.clone()),
            "records": log.records,
            "attributions": att,
            "summary": log.summary(),
            "skipped": log.skipped,
            "malformed": log.malformed,
        });
        write_out(None, format!("{}\n", crate::schema::pretty(v)).as_bytes())?;
        return Ok(0);
    }
    let mut s = String::new();
    s.push_str(&format!(
        "{} seccomp record{} ({} other line{} skipped, {} malformed)\n",
        log.records.len(),
        plural(log.records.len()),
        log.skipped,
        plural(log.skipped),
        log.malformed.len()
    ));
    for m in &log.malformed {
        let col = m.column.map(|c| format!(":{c}")).unwrap_or_default();
        s.push_str(&format!(
            "{input}:{}{col}: malformed: {}\n",
            m.line, m.message
        ));
    }
    for (i, r) in log.records.iter().enumerate() {
        s.push_str(&format!(
            "line {}: {} {} {}{} pid {} {}\n",
            r.line,
            r.abi_label(),
            r.syscall_label(),
            r.action.name(),
            r.sig
                .filter(|&s| s != 0)
                .map(|s| format!(" sig {s}"))
                .unwrap_or_default(),
            r.pid.map(|p| p.to_string()).unwrap_or_else(|| "?".into()),
            r.exe.as_deref().or(r.comm.as_deref()).unwrap_or("?"),
        ));
        if let Some(att) = &att {
            let a = &att[i];
            s.push_str(&format!("  {}\n", a.summary));
            if let [c] = a.candidates.as_slice() {
                if let Some(l) = &c.location {
                    s.push_str(&format!(
                        "  at line {}:{} of {}\n",
                        l.line, l.column, origin
                    ));
                }
            } else if a.candidates.len() > 1 {
                for c in a.candidates.iter() {
                    let at = c
                        .location
                        .as_ref()
                        .map(|l| format!(" (line {}:{})", l.line, l.column))
                        .unwrap_or_default();
                    let ex = c
                        .example
                        .as_deref()
                        .map(|e| format!("; e.g. {e}"))
                        .unwrap_or_default();
                    s.push_str(&format!("    - {}{at}{ex}\n", c.explanation));
                }
            }
        } else if let Some(c) = r.action.caveat() {
            s.push_str(&format!("  ({c})\n"));
        }
    }
    let sum = log.summary();
    if !sum.is_empty() {
        s.push_str("\nsummary (executable, syscall, action):\n");
        for row in &sum {
            s.push_str(&format!(
                "  {:>6}  {}  {}  {}\n",
                row.count, row.exe, row.syscall, row.action
            ));
        }
    }
    if profile.is_none() && !log.records.is_empty() {
        s.push_str("\n(give a profile to see which of its rules produced each record)\n");
    }
    write_out(None, s.as_bytes())?;
    Ok(0)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `replay`: what the profile would answer to every call of a strace log.
pub fn replay(a: ReplayArgs) -> Result<u8, Fail> {
    let (l, an) = ctx::analyze(&a.profile, &a.ctx)?;
    ctx::require_ok(&l, &an)?;
    let host = match &a.arch {
        Some(s) => ctx::arch_arg(Some(s))?,
        None => an.context.host_arch,
    };
    let files: Vec<String> = if a.files.is_empty() {
        vec!["-".into()]
    } else {
        a.files.clone()
    };
    let datas: Vec<Vec<u8>> = files
        .iter()
        .map(|f| read_input(f))
        .collect::<Result<_, _>>()?;
    // `strace -ff -o NAME` writes NAME.PID: the pid comes from the name.
    let inputs: Vec<Input> = files
        .iter()
        .zip(&datas)
        .map(|(f, b)| Input {
            bytes: b,
            pid: (files.len() > 1)
                .then(|| f.rsplit_once('.').and_then(|(_, p)| p.parse().ok()))
                .flatten(),
        })
        .collect();
    let trace = strace::parse_inputs(&inputs);
    let p = predict_named(&trace, &an, host, &l.origin);
    let refused = !p.refused.is_empty();
    if a.json {
        let mut v = serde_json::to_value(&p).unwrap_or_default();
        v["profile"] = json!(l.origin);
        v["files"] = json!(files);
        v["skipped"] = json!(trace.skipped);
        v["malformed"] = json!(trace.malformed);
        v["events"] = json!(trace.events);
        write_out(None, format!("{}\n", crate::schema::pretty(v)).as_bytes())?;
        return Ok(refused as u8);
    }
    write_out(None, replay_text(&p, &trace, &files, &l.origin).as_bytes())?;
    Ok(refused as u8)
}

fn where_(j: &Judged, files: &[String]) -> String {
    let f = files.get(j.input).map(String::as_str).unwrap_or("-");
    let pid = j.pid.map(|p| format!(" pid {p}")).unwrap_or_default();
    format!("{f}:{}{pid}", j.line)
}

fn replay_text(p: &Prediction, t: &strace::Trace, files: &[String], origin: &str) -> String {
    let mut s = format!(
        "{} calls read ({} lines skipped, {} malformed); {origin}, {}.\n",
        p.calls,
        t.skipped,
        t.malformed.len(),
        p.note
    );
    for m in &t.malformed {
        let f = files.get(m.input).map(String::as_str).unwrap_or("-");
        s.push_str(&format!("{f}:{}: malformed: {}\n", m.line, m.message));
    }
    let r = &p.recorded;
    if r.recorded > 0 {
        s.push_str(&r.describe());
        s.push('\n');
    }
    match &p.first_refused {
        Some(j) => s.push_str(&format!(
            "\nfirst refused call: {} {}\n  → {} by {}\n  {}\n",
            where_(j, files),
            j.text,
            j.answer.action,
            j.answer.rule,
            j.answer.explanation
        )),
        None => s.push_str("\nno call would be refused\n"),
    }
    if p.refused.len() > 1 {
        s.push_str(&format!("\nrefused calls ({}):\n", p.refused.len()));
        for j in &p.refused {
            s.push_str(&format!(
                "  {} {} → {} by {}\n",
                where_(j, files),
                j.text,
                j.answer.action,
                j.answer.rule
            ));
        }
    }
    if !p.depends.is_empty() {
        s.push_str(&format!(
            "\ncalls whose verdict depends on values strace did not show ({}):\n",
            p.depends.len()
        ));
        for j in &p.depends {
            s.push_str(&format!(
                "  {} {}\n    {}\n",
                where_(j, files),
                j.text,
                j.answer.explanation
            ));
        }
    }
    if !p.unknown.is_empty() {
        s.push_str(&format!(
            "\nnot syscalls of their ABI ({}):\n",
            p.unknown.len()
        ));
        for j in &p.unknown {
            s.push_str(&format!("  {} {}\n", where_(j, files), j.text));
        }
    }
    if !p.mismatches.is_empty() {
        s.push_str(&format!(
            "\nrecorded results the prediction cannot produce ({}): {}\n",
            p.mismatches.len(),
            seccplay_core::evidence::recorded::MISMATCH
        ));
        for j in &p.mismatches {
            s.push_str(&format!(
                "  {} {}\n    recorded {}, predicted {}: {}\n",
                where_(j, files),
                j.text,
                j.recorded.label,
                j.answer.action,
                j.recorded.short_reason()
            ));
        }
    }
    s.push_str("\nper syscall:            calls  allowed  refused  depends  mismatched  actions\n");
    for r in &p.summary {
        let acts: Vec<&str> = r.actions.iter().map(String::as_str).collect();
        s.push_str(&format!(
            "  {:<20} {:>7}  {:>7}  {:>7}  {:>7}  {:>10}  {}\n",
            r.syscall,
            r.calls,
            r.allowed,
            r.refused,
            r.depends,
            r.mismatched,
            acts.join(", ")
        ));
    }
    if !p.snippet.is_empty() {
        s.push_str("\nto allow the refused calls,");
        if !p.remove_or_change.is_empty() {
            s.push_str(" remove or change these rules of the profile, which refuse them:\n");
            for r in &p.remove_or_change {
                s.push_str(&format!("  {r}\n"));
            }
            s.push_str("and");
        }
        s.push_str(" add these entries to the profile's \"syscalls\":\n");
        s.push_str(&p.snippet);
        s.push('\n');
    }
    s
}

/// `add-log-flag`: the profile with `SECCOMP_FILTER_FLAG_LOG`, behaviour otherwise unchanged.
pub fn add_log_flag(a: LogFlagArgs) -> Result<u8, Fail> {
    let l = ctx::load(&a.profile)?;
    let context = a.ctx.context(l.builtin)?;
    let copy = with_log_flag(&l.text, &context).map_err(|f| {
        let e: Vec<String> = f
            .diagnostics
            .iter()
            .map(|d| format!("{}: {d}", l.origin))
            .collect();
        Fail::msg(e.join("\n"))
    })?;
    if !copy.changed {
        say!(
            "seccplay: {} already has SECCOMP_FILTER_FLAG_LOG; copied unchanged",
            l.origin
        );
    }
    write_out(a.output.as_ref(), copy.text.as_bytes())?;
    Ok(0)
}
