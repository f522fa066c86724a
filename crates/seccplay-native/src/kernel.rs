//! `status`, `check`, `dump`: what the running kernel and its processes say.

use crate::prog::{render, OutFormat};
use crate::{ctx, sys, write_out, Fail};
use clap::Args;
use seccplay_core::action::{self, Action};
use seccplay_core::bpf::disasm;
use serde_json::{json, Value};
use std::path::PathBuf;

/// `status` arguments.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Process id [default: this process]
    pub pid: Option<i32>,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

fn read_status(pid: Option<i32>) -> Result<String, Fail> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".into(),
    };
    std::fs::read_to_string(&path).map_err(|e| {
        let who = pid.map(|p| format!("process {p}")).unwrap_or("this process".into());
        match e.kind() {
            std::io::ErrorKind::NotFound => {
                Fail::msg(format!("{who} does not exist (or has exited): no {path}"))
            }
            std::io::ErrorKind::PermissionDenied => Fail::msg(format!(
                "cannot read {path}: permission denied ({who} may belong to another user or be hidden by hidepid)"
            )),
            _ => Fail::msg(format!("reading {path}: {e}")),
        }
    })
}

fn field<'a>(status: &'a str, name: &str) -> Option<&'a str> {
    status.lines().find_map(|l| {
        l.strip_prefix(name)
            .and_then(|r| r.strip_prefix(':'))
            .map(str::trim)
    })
}

/// The meaning of a seccomp mode number.
pub fn mode_text(mode: &str) -> &'static str {
    match mode {
        "0" => "disabled: no seccomp",
        "1" => "strict: only read, write, exit and sigreturn (SECCOMP_MODE_STRICT)",
        "2" => "filter: BPF filters decide every syscall (SECCOMP_MODE_FILTER)",
        _ => "unknown mode",
    }
}

/// Runs `status`.
pub fn status(a: StatusArgs) -> Result<u8, Fail> {
    let own = a.pid.is_none() || a.pid == Some(std::process::id() as i32);
    let st = read_status(a.pid)?;
    let name = field(&st, "Name").unwrap_or("?");
    let pid = a.pid.unwrap_or(std::process::id() as i32);
    let seccomp = field(&st, "Seccomp");
    let filters = field(&st, "Seccomp_filters");
    let nnp = field(&st, "NoNewPrivs");
    let prctl = own.then(sys::get_seccomp_mode);
    if a.json {
        let j = json!({
            "pid": pid,
            "name": name,
            "seccomp": seccomp.and_then(|s| s.parse::<u32>().ok()),
            "seccomp_meaning": seccomp.map(mode_text),
            "seccomp_filters": filters.and_then(|s| s.parse::<u32>().ok()),
            "no_new_privs": nnp.map(|s| s == "1"),
            "prctl_get_seccomp": match &prctl {
                Some(Ok(m)) => json!(m),
                Some(Err(e)) => json!(format!("error: {e}")),
                None => Value::Null,
            },
        });
        println!("{}", crate::schema::pretty(j));
        return Ok(0);
    }
    let mut out = format!("process {pid} ({name})\n");
    match seccomp {
        Some(m) => out.push_str(&format!("  Seccomp:         {m}  ({})\n", mode_text(m))),
        None => out.push_str("  Seccomp:         (absent: kernel without CONFIG_SECCOMP)\n"),
    }
    match filters {
        Some(n) => out.push_str(&format!(
            "  Seccomp_filters: {n}  (filters stacked on the process; every one runs on every syscall)\n"
        )),
        None => out.push_str("  Seccomp_filters: (absent: kernel before 5.9)\n"),
    }
    if let Some(n) = nnp {
        out.push_str(&format!(
            "  NoNewPrivs:      {n}  ({})\n",
            if n == "1" {
                "set: execve cannot gain privileges (setuid, file caps); unprivileged filters allowed"
            } else {
                "not set: installing a filter needs CAP_SYS_ADMIN"
            }
        ));
    }
    match prctl {
        Some(Ok(m)) => out.push_str(&format!(
            "  prctl(PR_GET_SECCOMP) = {m}  ({})\n",
            mode_text(&m.to_string())
        )),
        Some(Err(e)) => out.push_str(&format!("  prctl(PR_GET_SECCOMP): {e}\n")),
        None => {}
    }
    write_out(None, out.as_bytes())?;
    Ok(0)
}

/// `check` arguments.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

fn gunzip(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err("not a gzip (deflate) file".into());
    }
    let flg = data[3];
    let mut pos = 10;
    if flg & 4 != 0 {
        let n = u16::from_le_bytes([data[pos], data[pos + 1]]) as usize;
        pos += 2 + n;
    }
    for bit in [8u8, 16] {
        if flg & bit != 0 {
            while pos < data.len() && data[pos] != 0 {
                pos += 1;
            }
            pos += 1;
        }
    }
    if flg & 2 != 0 {
        pos += 2;
    }
    if pos >= data.len() {
        return Err("truncated gzip header".into());
    }
    miniz_oxide::inflate::decompress_to_vec(&data[pos..]).map_err(|e| format!("inflate: {e:?}"))
}

/// The kernel config text and where it came from.
fn kernel_config() -> Result<(String, String), String> {
    let release = sys::uname_release().unwrap_or_default();
    let boot = format!("/boot/config-{release}");
    if let Ok(t) = std::fs::read_to_string(&boot) {
        return Ok((boot, t));
    }
    match std::fs::read("/proc/config.gz") {
        Ok(gz) => {
            let t = gunzip(&gz).map_err(|e| format!("/proc/config.gz: {e}"))?;
            Ok((
                "/proc/config.gz".into(),
                String::from_utf8_lossy(&t).into_owned(),
            ))
        }
        Err(_) => Err(format!(
            "neither {boot} nor /proc/config.gz exists: the kernel configuration is not available"
        )),
    }
}

fn config_value(cfg: &str, key: &str) -> String {
    for l in cfg.lines() {
        if let Some(v) = l.strip_prefix(key).and_then(|r| r.strip_prefix('=')) {
            return v.to_string();
        }
        if l == format!("# {key} is not set") {
            return "not set".into();
        }
    }
    "absent".into()
}

const ACTIONS: [(&str, u32); 8] = [
    ("kill_process", action::RET_KILL_PROCESS),
    ("kill_thread", action::RET_KILL_THREAD),
    ("trap", action::RET_TRAP),
    ("errno", action::RET_ERRNO),
    ("user_notif", action::RET_USER_NOTIF),
    ("trace", action::RET_TRACE),
    ("log", action::RET_LOG),
    ("allow", action::RET_ALLOW),
];

/// Runs `check`.
pub fn check(a: CheckArgs) -> Result<u8, Fail> {
    let release = sys::uname_release().unwrap_or_else(|| "?".into());
    let keys = [
        "CONFIG_SECCOMP",
        "CONFIG_SECCOMP_FILTER",
        "CONFIG_SECCOMP_CACHE_DEBUG",
        "CONFIG_CHECKPOINT_RESTORE",
    ];
    let config = kernel_config();
    let cfg_vals: Vec<(&str, String)> = match &config {
        Ok((_, t)) => keys.iter().map(|k| (*k, config_value(t, k))).collect(),
        Err(_) => Vec::new(),
    };
    let read = |p: &str| std::fs::read_to_string(p).map(|s| s.trim().to_string());
    let avail = read("/proc/sys/kernel/seccomp/actions_avail");
    let logged = read("/proc/sys/kernel/seccomp/actions_logged");
    let per_action: Vec<(&str, u32, Result<(), std::io::Error>)> = ACTIONS
        .iter()
        .map(|(n, v)| (*n, *v, sys::action_avail(*v)))
        .collect();
    let sizes = sys::notif_sizes();
    let mode = sys::get_seccomp_mode();
    let filter_ok = per_action
        .iter()
        .any(|(n, _, r)| *n == "allow" && r.is_ok());
    let verdict = if filter_ok {
        "seccomp filter mode is supported"
    } else if mode.is_ok() {
        "seccomp is built in, but filter mode did not answer (CONFIG_SECCOMP_FILTER missing?)"
    } else {
        "seccomp is not supported by this kernel"
    };
    if a.json {
        let j = json!({
            "kernel": release,
            "config_source": config.as_ref().map(|c| c.0.clone()).map_err(|e| e.clone()).ok(),
            "config_error": config.as_ref().err(),
            "config": cfg_vals.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "actions_avail": avail.as_ref().ok(),
            "actions_logged": logged.as_ref().ok(),
            "get_action_avail": per_action.iter().map(|(n, _, r)| (n.to_string(), json!(r.is_ok()))).collect::<serde_json::Map<_, _>>(),
            "notif_sizes": sizes.as_ref().ok().map(|(a, b, c)| json!({"seccomp_notif": a, "seccomp_notif_resp": b, "seccomp_data": c})),
            "prctl_get_seccomp": mode.as_ref().ok(),
            "supported": filter_ok,
            "verdict": verdict,
        });
        println!("{}", crate::schema::pretty(j));
        return Ok(if filter_ok { 0 } else { 1 });
    }
    let mut out = format!("kernel {release}\n");
    match &config {
        Ok((src, _)) => {
            out.push_str(&format!("configuration from {src}:\n"));
            for (k, v) in &cfg_vals {
                out.push_str(&format!("  {k}={v}\n"));
            }
        }
        Err(e) => out.push_str(&format!("configuration: {e}\n")),
    }
    let show = |r: &Result<String, std::io::Error>| match r {
        Ok(s) => s.clone(),
        Err(e) => format!("unavailable ({e})"),
    };
    out.push_str(&format!(
        "/proc/sys/kernel/seccomp/actions_avail:  {}\n",
        show(&avail)
    ));
    out.push_str(&format!(
        "/proc/sys/kernel/seccomp/actions_logged: {}\n",
        show(&logged)
    ));
    out.push_str("seccomp(SECCOMP_GET_ACTION_AVAIL):\n");
    for (n, v, r) in &per_action {
        let what = Action::from_ret(*v).scmp_name();
        match r {
            Ok(()) => out.push_str(&format!("  {n:<13} {v:#010x} {what:<22} available\n")),
            Err(e) => out.push_str(&format!(
                "  {n:<13} {v:#010x} {what:<22} NOT available ({e})\n"
            )),
        }
    }
    match sizes {
        Ok((n, r, d)) => out.push_str(&format!(
            "seccomp(SECCOMP_GET_NOTIF_SIZES): seccomp_notif {n} bytes, seccomp_notif_resp {r}, seccomp_data {d}\n"
        )),
        Err(e) => out.push_str(&format!("seccomp(SECCOMP_GET_NOTIF_SIZES): {e}\n")),
    }
    match mode {
        Ok(m) => out.push_str(&format!(
            "prctl(PR_GET_SECCOMP) = {m} ({})\n",
            mode_text(&m.to_string())
        )),
        Err(e) => out.push_str(&format!("prctl(PR_GET_SECCOMP): {e}\n")),
    }
    out.push_str(&format!("=> {verdict}\n"));
    write_out(None, out.as_bytes())?;
    Ok(if filter_ok { 0 } else { 1 })
}

/// `dump` arguments.
#[derive(Args, Debug)]
pub struct DumpArgs {
    /// Process id
    pub pid: i32,
    /// Output format [default: disasm]; with several filters, text formats give one section per
    /// filter (`# filter N` headers: a stack `emu` and `raw` read), raw needs --index
    #[arg(long, value_enum, default_value = "disasm")]
    pub format: OutFormat,
    /// Only filter N, counted newest first as the kernel runs them (0 = the newest; the
    /// kernel's PTRACE_SECCOMP_GET_FILTER index counts the other way, 0 = the oldest)
    #[arg(long, value_name = "N")]
    pub index: Option<usize>,
    /// Write to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn dump_error(pid: i32, what: &str, e: &std::io::Error) -> Fail {
    let hint = match e.raw_os_error() {
        Some(libc::ESRCH) => format!(": process {pid} does not exist (or has exited)"),
        Some(libc::EPERM) => format!(
            ": not allowed to trace process {pid} (needs CAP_SYS_PTRACE over it, and it must not be traced already)"
        ),
        Some(libc::EACCES) => ": reading filters needs CAP_SYS_ADMIN, and this process must not be under seccomp itself".into(),
        Some(libc::EMEDIUMTYPE) => format!(": process {pid} is not in seccomp filter mode"),
        Some(libc::EINVAL) => ": this kernel lacks PTRACE_SECCOMP_GET_FILTER (CONFIG_CHECKPOINT_RESTORE and CONFIG_SECCOMP_FILTER)".into(),
        _ => String::new(),
    };
    Fail::msg(format!("{what}: {e}{hint}"))
}

/// " (newest)", " (oldest)" or nothing, for filter `i` (newest first) of `count`.
fn position(i: usize, count: usize) -> &'static str {
    match (i, count) {
        (0, _) => " (newest)",
        (i, n) if i + 1 == n => " (oldest)",
        _ => "",
    }
}

/// Runs `dump`: every filter of a process, newest first (the order the kernel runs them).
pub fn dump(a: DumpArgs) -> Result<u8, Fail> {
    let pid = a.pid;
    if pid <= 0 {
        return Err(Fail::msg(format!("{pid} is not a process id")));
    }
    if pid == std::process::id() as i32 {
        return Err(Fail::msg(
            "a process cannot ptrace itself: give another pid",
        ));
    }
    let st = read_status(Some(pid))?;
    if let Some(m) = field(&st, "Seccomp") {
        if m != "2" {
            return Err(Fail::msg(format!(
                "process {pid} has no filters to dump: Seccomp {m} ({})",
                mode_text(m)
            )));
        }
    }
    sys::ptrace_seize_stop(pid).map_err(|e| dump_error(pid, &format!("attaching to {pid}"), &e))?;
    // The kernel numbers filters oldest first (get_nth_filter); everything here, like the
    // kernel's own walk in seccomp_run_filters, reads a stack newest first.
    let mut filters = Vec::new();
    let mut err = None;
    for i in 0.. {
        match sys::seccomp_get_filter(pid, i) {
            Ok(Some(p)) => filters.push(p),
            Ok(None) => break,
            Err(e) => {
                err = Some(e);
                break;
            }
        }
    }
    sys::ptrace_detach(pid);
    if let Some(e) = err {
        return Err(dump_error(pid, "PTRACE_SECCOMP_GET_FILTER", &e));
    }
    filters.reverse();
    let count = filters.len();
    let arch = ctx::native_arch()?;
    let selected: Vec<(usize, &Vec<_>)> = match a.index {
        Some(i) => vec![(
            i,
            filters.get(i).ok_or_else(|| {
                Fail::msg(format!(
                    "process {pid} has {} filter(s); --index {i} does not exist",
                    filters.len()
                ))
            })?,
        )],
        None => filters.iter().enumerate().collect(),
    };
    if a.format == OutFormat::Disasm || (selected.len() > 1 && a.format != OutFormat::Raw) {
        // One section per filter under a `# filter N` header: `emu`, `raw` and the
        // playground read a stack from it, in every text format (the core's
        // `format::import_stack`).
        let mut out = String::new();
        for (i, p) in &selected {
            out.push_str(&format!(
                "# filter {i}{} of process {pid}: {} instructions (PTRACE_SECCOMP_GET_FILTER index {})\n",
                position(*i, count),
                p.len(),
                count - 1 - i
            ));
            if a.format == OutFormat::Disasm {
                out.push_str(&disasm::human_text(p, Some(arch), Default::default()));
            } else {
                out.push_str(&String::from_utf8_lossy(&render(p, arch, a.format)));
            }
        }
        write_out(a.output.as_ref(), out.as_bytes())?;
        return Ok(0);
    }
    if selected.len() != 1 {
        return Err(Fail::msg(format!(
            "process {pid} has {} filters: choose one with --index N (0 = the newest) for --format raw, or use a text format",
            selected.len(),
        )));
    }
    write_out(a.output.as_ref(), &render(selected[0].1, arch, a.format))?;
    Ok(0)
}
