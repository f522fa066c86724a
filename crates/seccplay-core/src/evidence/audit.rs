//! The kernel's seccomp audit records (`type=1326`, `type=SECCOMP`) in every form people paste.
//!
//! The kernel writes one record per logged action (`audit_seccomp` in kernel/auditsc.c):
//! `auid=… uid=… gid=… ses=… [subj=…] pid=… comm=… exe=… sig=… arch=<AUDIT_ARCH hex>
//! syscall=<nr> compat=… ip=0x… code=0x<action>`. Without auditd it goes to the kernel log
//! (`audit: type=1326 audit(SECS.MS:SERIAL): …`, seen through `dmesg`, `dmesg -T`, `dmesg -r`,
//! `/dev/kmsg` or `journalctl -k`); with auditd it goes to /var/log/audit/audit.log as
//! `type=SECCOMP msg=audit(…): …`, possibly followed by auditd's "enriched" fields after a
//! 0x1d byte; `ausearch -i` prints it interpreted (`arch=x86_64 syscall=mkdir code=errno`).
//!
//! 1. A line is a seccomp record when it holds `type=1326` or `type=SECCOMP` followed by
//!    `audit(…)`; whatever precedes that (timestamps, host names, `<5>`, `5,333,…;`) is ignored.
//!    Other lines are counted as skipped.
//! 2. A seccomp line without the fields that identify the call (arch, syscall, code) is
//!    [`Malformed`], with its line number and the reason; reading goes on.
//! 3. `code` is the action only: the kernel logs `action & SECCOMP_RET_ACTION_FULL`, never the
//!    errno or trap data. [`LoggedAction`] keeps exactly that; interpreted `code=kill` cannot
//!    tell KILL_THREAD from KILL_PROCESS (auparse masks with the old 0x7fff0000).
//! 4. The ABI comes from `arch` and, on x86_64, bit 30 of the number (x32).

use crate::action::{self, Action};
use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::supervise::abi_of;
use crate::syscalls;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Longest seccomp line read (a kernel record is under 1 KiB even with a 4 KiB exe path
/// hex-encoded it stays under 9 KiB); longer ones are reported as malformed.
pub const MAX_RECORD_LINE: usize = 16 << 10;

/// Which tool wrote the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Form {
    /// The kernel's printk line (`audit: type=1326 …`), raw numbers.
    Kernel,
    /// auditd's log line (`type=SECCOMP msg=audit(…): …`), raw numbers.
    Auditd,
    /// `ausearch -i`: names instead of numbers.
    Interpreted,
}

/// The action the record logs: the action part of the filter's return value, no data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum LoggedAction {
    /// An exact action value (`code=0x50000`): `SECCOMP_RET_*` with the data bits zero.
    Exact(u32),
    /// `code=kill` from `ausearch -i`: KILL_THREAD or KILL_PROCESS.
    AnyKill,
}

impl LoggedAction {
    /// True when a filter return value `ret` is logged as this action.
    pub fn matches(self, ret: u32) -> bool {
        let act = ret & action::RET_ACTION_FULL;
        match self {
            LoggedAction::Exact(v) => act == v,
            LoggedAction::AnyKill => {
                matches!(
                    Action::from_ret(ret),
                    Action::KillThread | Action::KillProcess
                )
            }
        }
    }

    /// `ERRNO`, `KILL_PROCESS`, `KILL (thread or process)`.
    pub fn name(self) -> String {
        match self {
            LoggedAction::Exact(v) => match Action::from_ret(v) {
                Action::Unknown(u) => format!("UNKNOWN({u:#x})"),
                a => a.short_name().to_string(),
            },
            LoggedAction::AnyKill => "KILL (thread or process)".into(),
        }
    }

    /// What the record cannot say about this action.
    pub fn caveat(self) -> Option<&'static str> {
        match self {
            LoggedAction::Exact(v) => match Action::from_ret(v) {
                Action::Errno(_) => Some("the kernel logs the action without its errno: the rule decides which errno the caller saw"),
                Action::Trap(_) | Action::Trace(_) => Some("the kernel logs the action without its data"),
                _ => None,
            },
            LoggedAction::AnyKill => Some("ausearch -i prints both KILL_THREAD and KILL_PROCESS as `kill`"),
        }
    }
}

/// One seccomp record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// 1-based line number in the input.
    pub line: usize,
    /// Which tool wrote it.
    pub form: Form,
    /// The time inside `audit(…)`: `1796312105.199` or `12/03/26 15:35:05.199`.
    pub time: String,
    /// The record's serial number.
    pub serial: Option<u64>,
    /// `AUDIT_ARCH_*` value (from the hex, or the interpreted name's ABI).
    pub audit_arch: u32,
    /// The calling ABI, when seccomp knows the AUDIT_ARCH (x32 from bit 30).
    pub abi: Option<Arch>,
    /// `seccomp_data.nr` as the filter saw it, when the record says (interpreted records give a
    /// name, resolved on the ABI).
    pub nr: Option<u32>,
    /// The syscall's name on the ABI.
    pub syscall: Option<&'static str>,
    /// `compat=1`: a 32-bit call from a 64-bit kernel's compat entry.
    pub compat: Option<bool>,
    /// The logged action.
    pub action: LoggedAction,
    /// `sig`: the signal the action sends (31 = SIGSYS for KILL; 0 for ERRNO, LOG, TRAP).
    pub sig: Option<u32>,
    /// `pid`.
    pub pid: Option<u32>,
    /// `uid` as written (number or name).
    pub uid: Option<Arc<str>>,
    /// `comm` (hex-encoded names decoded).
    pub comm: Option<Arc<str>>,
    /// `exe` (hex-encoded paths decoded).
    pub exe: Option<Arc<str>>,
    /// `ip`.
    pub ip: Option<u64>,
}

impl AuditRecord {
    /// `mkdir`, or `syscall 1073741863` when the ABI has no name for it.
    pub fn syscall_label(&self) -> String {
        match (self.syscall, self.nr) {
            (Some(n), _) => n.to_string(),
            (None, Some(nr)) => format!("syscall {nr}"),
            (None, None) => "syscall ?".into(),
        }
    }

    /// `x86_64`, or the hex AUDIT_ARCH when no ABI has it.
    pub fn abi_label(&self) -> String {
        match self.abi {
            Some(a) => a.name().to_string(),
            None => format!("AUDIT_ARCH {:#010x}", self.audit_arch),
        }
    }
}

/// A seccomp record that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// 1-based line number.
    pub line: usize,
    /// 1-based byte column of the offending field, when there is one.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// Every record of an input, and what was not a record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditLog {
    /// The seccomp records, in input order.
    pub records: Vec<AuditRecord>,
    /// Lines that are not seccomp records (other audit types, other log lines, blank lines).
    pub skipped: usize,
    /// Seccomp records that could not be read.
    pub malformed: Vec<Malformed>,
}

/// One group of the summary: how often an executable met an action on a syscall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SummaryRow {
    /// `exe` (or `comm`, or `?`).
    pub exe: String,
    /// The ABI and syscall: `x86_64 mkdir`.
    pub syscall: String,
    /// The logged action's name.
    pub action: String,
    /// Records in the group.
    pub count: u64,
}

impl AuditLog {
    /// Records grouped by executable, syscall and action, in that order.
    pub fn summary(&self) -> Vec<SummaryRow> {
        let mut g: BTreeMap<(String, String, String), u64> = BTreeMap::new();
        for r in &self.records {
            let exe = r
                .exe
                .as_deref()
                .or(r.comm.as_deref())
                .unwrap_or("?")
                .to_string();
            let sys = format!("{} {}", r.abi_label(), r.syscall_label());
            *g.entry((exe, sys, r.action.name())).or_default() += 1;
        }
        g.into_iter()
            .map(|((exe, syscall, action), count)| SummaryRow {
                exe,
                syscall,
                action,
                count,
            })
            .collect()
    }
}

/// Reads every line of `text` (see the module documentation).
pub fn parse(text: &str) -> AuditLog {
    parse_bytes(text.as_bytes())
}

/// As [`parse`], for bytes that may not be UTF-8 (binary garbage is skipped line by line).
pub fn parse_bytes(bytes: &[u8]) -> AuditLog {
    let mut log = AuditLog::default();
    let mut names: BTreeMap<Vec<u8>, Arc<str>> = BTreeMap::new();
    if bytes.is_empty() {
        return log;
    }
    // A final newline ends the last line; it does not start another.
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        match parse_line(raw, i + 1, &mut names) {
            Line::Skip => log.skipped += 1,
            Line::Record(r) => log.records.push(*r),
            Line::Bad(m) => log.malformed.push(m),
        }
    }
    log
}

enum Line {
    Skip,
    Record(Box<AuditRecord>),
    Bad(Malformed),
}

/// Finds `needle` as a whole `type=` token in `hay` (start of line or after a space, `;`, `:`).
fn find_type(hay: &[u8]) -> Option<(usize, Form)> {
    let mut from = 0;
    while let Some(p) = find(&hay[from..], b"type=") {
        let at = from + p;
        let ok_before = at == 0 || matches!(hay[at - 1], b' ' | b';' | b':' | b'\t' | b']');
        let rest = &hay[at + 5..];
        if ok_before {
            if rest.starts_with(b"1326") && rest.get(4).is_none_or(|b| !b.is_ascii_digit()) {
                return Some((at + 9, Form::Kernel));
            }
            if rest.starts_with(b"SECCOMP")
                && rest
                    .get(7)
                    .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_')
            {
                return Some((at + 12, Form::Auditd));
            }
        }
        from = at + 5;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_line(raw: &[u8], line: usize, names: &mut BTreeMap<Vec<u8>, Arc<str>>) -> Line {
    let Some((after_type, mut form)) = find_type(raw) else {
        return Line::Skip;
    };
    let bad = |column: Option<usize>, message: String| {
        Line::Bad(Malformed {
            line,
            column,
            message,
        })
    };
    if raw.len() > MAX_RECORD_LINE {
        return bad(
            None,
            format!(
                "a seccomp record of {} bytes (records are under {} KiB): not read",
                raw.len(),
                MAX_RECORD_LINE >> 10
            ),
        );
    }
    // auditd's enriched format appends interpreted fields after 0x1d; they are not the
    // kernel's (auditd writes `SYSCALL=unknown-syscall(-1)` for seccomp records).
    let raw = match raw.iter().position(|&b| b == 0x1d) {
        Some(p) => &raw[..p],
        None => raw,
    };
    let text = String::from_utf8_lossy(raw);
    let text = text.trim_end_matches(['\r', ' ']);
    let Some(open) = text[after_type..].find("audit(").map(|p| p + after_type) else {
        return bad(
            Some(after_type + 1),
            "a seccomp record without its `audit(TIME:SERIAL)` header".into(),
        );
    };
    let Some(close) = text[open..].find(')').map(|p| p + open) else {
        return bad(Some(open + 1), "`audit(` is not closed".into());
    };
    let stamp = &text[open + 6..close];
    let (time, serial) = match stamp.rsplit_once(':') {
        Some((t, s)) => (t.to_string(), s.parse().ok()),
        None => (stamp.to_string(), None),
    };
    let mut body_start = close + 1;
    let rest = &text[body_start..];
    let trimmed = rest.trim_start_matches(' ');
    if let Some(r) = trimmed.strip_prefix(':') {
        body_start = text.len() - r.len();
        if rest.starts_with(' ') {
            form = Form::Interpreted;
        }
    }
    let fields = split_fields(text, body_start);
    let get = |k: &str| fields.iter().find(|f| f.0 == k).map(|f| (f.1, f.2));
    // An interpreted record names the arch; a raw one gives hex.
    let Some((arch_text, arch_col)) = get("arch") else {
        return bad(None, "a seccomp record without `arch=`".into());
    };
    let Some((sys_text, sys_col)) = get("syscall") else {
        return bad(None, "a seccomp record without `syscall=`".into());
    };
    let Some((code_text, code_col)) = get("code") else {
        return bad(None, "a seccomp record without `code=`".into());
    };
    let hex = |s: &str| u32::from_str_radix(s.trim_start_matches("0x"), 16).ok();
    let (audit_arch, named_abi) = match hex(arch_text) {
        Some(v) if !arch_text.is_empty() && arch_text.chars().all(|c| c.is_ascii_hexdigit()) => {
            (v, None)
        }
        _ => match interpreted_arch(arch_text) {
            Some(a) => {
                form = Form::Interpreted;
                (a.audit_arch(), Some(a))
            }
            None => {
                return bad(
                    Some(arch_col),
                    format!("arch={arch_text}: neither an AUDIT_ARCH in hex nor an architecture name ausearch prints"),
                )
            }
        },
    };
    let (nr, abi, syscall) = match sys_text.parse::<u32>() {
        Ok(nr) => {
            let abi = named_abi
                .filter(|a| *a != Arch::X86_64 || nr & X32_SYSCALL_BIT == 0)
                .or_else(|| abi_of(audit_arch, nr));
            (Some(nr), abi, abi.and_then(|a| syscalls::name(a, nr)))
        }
        Err(_) => {
            if let Some(n) = sys_text
                .strip_prefix("unknown-syscall(")
                .and_then(|s| s.strip_suffix(')'))
                .and_then(|s| s.parse::<u32>().ok())
            {
                let abi = abi_of(audit_arch, n);
                (Some(n), abi, abi.and_then(|a| syscalls::name(a, n)))
            } else {
                let abi = named_abi.or_else(|| abi_of(audit_arch, 0));
                let Some(a) = abi else {
                    return bad(
                        Some(sys_col),
                        format!("syscall={sys_text} on an unknown ABI"),
                    );
                };
                match syscalls::resolve(a, sys_text) {
                    syscalls::Resolved::Number(nr) => (Some(nr), Some(a), syscalls::name(a, nr)),
                    _ => {
                        return bad(
                            Some(sys_col),
                            format!(
                            "syscall={sys_text}: not a syscall number, and not a syscall of {a}"
                        ),
                        )
                    }
                }
            }
        }
    };
    let action = match code_text
        .strip_prefix("0x")
        .and_then(|h| u32::from_str_radix(h, 16).ok())
    {
        Some(v) => LoggedAction::Exact(v & action::RET_ACTION_FULL),
        None => match interpreted_code(code_text) {
            Some(a) => a,
            None => {
                return bad(
                    Some(code_col),
                    format!(
                        "code={code_text}: neither a hex action nor an action name ausearch prints"
                    ),
                )
            }
        },
    };
    let mut intern = |v: &str| -> Arc<str> {
        let decoded = untrusted(v);
        names
            .entry(decoded.clone().into_bytes())
            .or_insert_with(|| Arc::from(decoded.as_str()))
            .clone()
    };
    let record = AuditRecord {
        line,
        form,
        time,
        serial,
        audit_arch,
        abi,
        nr,
        syscall,
        compat: get("compat").map(|c| c.0 == "1"),
        action,
        sig: get("sig").and_then(|s| signal(s.0)),
        pid: get("pid").and_then(|p| p.0.parse().ok()),
        uid: get("uid").map(|u| intern(u.0)),
        comm: get("comm").map(|c| intern(c.0)),
        exe: get("exe").map(|e| intern(e.0)),
        ip: get("ip").and_then(|i| u64::from_str_radix(i.0.trim_start_matches("0x"), 16).ok()),
    };
    Line::Record(Box::new(record))
}

/// `key=value` fields of a record body: a value runs to the next ` key=` (so interpreted values
/// with spaces, `comm=my prog`, stay whole). Returns (key, value, 1-based column of the value).
fn split_fields(text: &str, from: usize) -> Vec<(&str, &str, usize)> {
    let b = text.as_bytes();
    let mut starts = Vec::new();
    let mut i = from;
    while i < b.len() {
        if (i == from || b[i - 1] == b' ') && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
            let mut j = i;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
                j += 1;
            }
            if j < b.len() && b[j] == b'=' {
                starts.push((i, j));
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    let mut out = Vec::with_capacity(starts.len());
    for (n, &(k, eq)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map(|s| s.0).unwrap_or(b.len());
        let v = text[eq + 1..end].trim_end_matches(' ');
        out.push((&text[k..eq], v, eq + 2));
    }
    out
}

/// A value the kernel logs with `audit_log_untrustedstring`: `"quoted"`, hex when it holds
/// spaces, quotes or control bytes, `(null)` when absent.
fn untrusted(v: &str) -> String {
    if let Some(q) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return q.to_string();
    }
    if v.len() >= 2 && v.len() % 2 == 0 && v.bytes().all(|c| c.is_ascii_hexdigit()) {
        let bytes: Option<Vec<u8>> = (0..v.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&v[i..i + 2], 16).ok())
            .collect();
        if let Some(b) = bytes {
            return String::from_utf8_lossy(&b).into_owned();
        }
    }
    v.to_string()
}

fn signal(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    if let Some(n) = s.strip_prefix("SIG").and_then(|n| n.parse().ok()) {
        return Some(n);
    }
    syscalls::constant(s).map(|v| v as u32)
}

/// ausearch's architecture names (auparse's machine table) and libseccomp's.
fn interpreted_arch(s: &str) -> Option<Arch> {
    Some(match s {
        "i386" | "i486" | "i586" | "i686" => Arch::X86,
        "armeb" | "armv5tejl" | "armv7l" | "armv7" => Arch::Arm,
        "ppc64le" => Arch::Ppc64le,
        "mips64el" => Arch::Mipsel64,
        "mipsel" => Arch::Mipsel,
        other => return Arch::from_name(other).or_else(|| Arch::from_docker_host(other)),
    })
}

/// ausearch's `code=` names (auparse's seccomp table) and the action names people write.
fn interpreted_code(s: &str) -> Option<LoggedAction> {
    let e = LoggedAction::Exact;
    Some(match s.to_ascii_lowercase().replace('-', "_").as_str() {
        "kill" => LoggedAction::AnyKill,
        "kill_thread" => e(action::RET_KILL_THREAD),
        "kill_process" => e(action::RET_KILL_PROCESS),
        "trap" => e(action::RET_TRAP),
        "errno" => e(action::RET_ERRNO),
        "trace" => e(action::RET_TRACE),
        "user_notif" | "notify" => e(action::RET_USER_NOTIF),
        "log" => e(action::RET_LOG),
        "allow" => e(action::RET_ALLOW),
        other => {
            let inner = other
                .strip_prefix("unknown_seccomp_code(")
                .and_then(|x| x.strip_suffix(')'))?;
            let v = u32::from_str_radix(inner.trim_start_matches("0x"), 16).ok()?;
            e(v & action::RET_ACTION_FULL)
        }
    })
}
