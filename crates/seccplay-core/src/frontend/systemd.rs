//! systemd unit files: `SystemCallFilter=`, `SystemCallErrorNumber=`, `SystemCallArchitectures=`
//! and `SystemCallLog=`, read with systemd 252's semantics into one Docker profile.
//!
//! The semantics are systemd 252.38's (Debian 12), read from its source and systemd.exec(5):
//! src/shared/conf-parser.c (lines), src/core/load-fragment.c (`config_parse_syscall_filter`,
//! `_log`, `_archs`, `_errno`), src/shared/seccomp-util.c (`seccomp_parse_syscall_filter`,
//! `seccomp_load_syscall_filter_set_raw`, `seccomp_restrict_archs`, `seccomp_local_archs`),
//! src/core/execute.c (`apply_syscall_filter`, `apply_syscall_log`). The groups are those
//! `systemd-analyze syscall-filter` of that release prints (generated: `tables::systemd`).
//!
//! 1. Lines (conf-parser.c): a line whose first non-blank is `#` or `;` is a comment, even
//!    inside a continuation; a trailing backslash joins the next line (the backslash becomes a
//!    space); lines and joined lines are limited to 1 MiB (else the file fails). `Key=Value`
//!    with both sides stripped; the settings count in `[Service]`, `[Socket]`, `[Mount]`,
//!    `[Swap]`. Assignments outside any section (a pasted fragment) are read as `[Service]`
//!    with a note (systemd itself would ignore them in a unit file).
//! 2. `SystemCallFilter=`: the empty value resets. The first assignment decides the mode: `~`
//!    makes a deny list, anything else an allow list, which implies `@default`. Each word is
//!    `name[:errno]` (`errno` a name, 0..4095, or `kill`); an allow-listed word with an errno
//!    is ignored. A word adds its calls (groups recursively) when its `~` agrees with the mode,
//!    else removes them; in an allow list, `~name:errno` adds `name` with that errno. A later
//!    word replaces an earlier one's errno. Names libseccomp 2.5.4 does not know are ignored
//!    (a warning for the user's own words, silently inside groups: a note here).
//! 3. Actions: filtered calls get `SystemCallErrorNumber=` (`EPERM`, …) or, by default and for
//!    `kill`, KILL_PROCESS (KILL_THREAD where the kernel is older than 4.14). Allow lists:
//!    default = that action, listed calls ALLOW, `~x:errno` ERRNO. Deny lists: default ALLOW,
//!    listed calls their own errno, `kill`, or the filtered-call action. A rule equal to the
//!    default makes libseccomp refuse the filter (EACCES) and the unit fail: an error here.
//! 4. `SystemCallLog=` is a second filter (ALLOW/LOG). Stacked filters take the stricter action,
//!    so it is folded in: a call the first filter allows and the second logs is `SCMP_ACT_LOG`.
//! 5. Architectures: systemd installs one filter per local ABI (x86_64: x86, x32, x86_64).
//!    That is an `archMap` (per host); `SystemCallArchitectures=` keeps the native ABI and the
//!    listed ones and kills the others (a filter with libseccomp's bad-arch action, KILL_THREAD,
//!    which is what the runtime's filter does to an ABI it does not list).
//! 6. Other settings that install seccomp filters of their own (`RestrictNamespaces=`,
//!    `MemoryDenyWriteExecute=`, …) are not modelled: a warning names each.

use crate::arch::Arch;
use crate::diag::{Diagnostic, Failure};
use crate::frontend::tree::{self, Entry, Tree};
use crate::frontend::Policy;
use crate::json::{LineIndex, Span};
use crate::libseccomp::Libseccomp;
use crate::syscalls;
use std::collections::BTreeMap;

use crate::frontend::unit as lines;

/// The systemd release whose semantics and groups are modelled (`252 (252.38-1~deb12u1)`).
pub const VERSION: &str = crate::tables::systemd::SYSTEMD_VERSION;

/// The errno value systemd uses for "kill" (`SECCOMP_ERROR_NUMBER_KILL`).
const KILL: i32 = i32::MAX - 1;

/// One system call group (`@system-service`) as systemd [`VERSION`] defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    /// `@name`.
    pub name: &'static str,
    /// systemd's one-line description.
    pub help: &'static str,
    /// Members in systemd's order; `@x` members are groups.
    pub members: &'static [&'static str],
}

/// Every group, in systemd-analyze's order.
pub fn groups() -> Vec<Group> {
    crate::tables::systemd::SYSTEMD_GROUPS
        .iter()
        .map(|&(name, help, members)| Group {
            name,
            help,
            members,
        })
        .collect()
}

/// The system calls systemd [`VERSION`] knows that only `@known` holds ("Ungrouped System
/// Calls" in `systemd-analyze syscall-filter`).
pub fn ungrouped() -> &'static [&'static str] {
    crate::tables::systemd::SYSTEMD_UNGROUPED
}

/// A group by name (`@mount`).
pub fn group(name: &str) -> Option<Group> {
    groups().into_iter().find(|g| g.name == name)
}

/// The system calls of a group with its member groups expanded, in order, without repeats.
pub fn expand(name: &str) -> Vec<&'static str> {
    fn go(name: &str, depth: u8, out: &mut Vec<&'static str>) {
        let Some(g) = group(name) else { return };
        for m in g.members {
            if m.starts_with('@') {
                if depth < 8 {
                    go(m, depth + 1, out);
                }
            } else if !out.contains(m) {
                out.push(m);
            }
        }
    }
    let mut out = Vec::new();
    go(name, 0, &mut out);
    out
}

/// True if the text looks like a unit file (a unit section header) or has seccomp settings
/// (for detection).
pub fn looks_like(text: &str) -> bool {
    const HEADERS: [&str; 6] = [
        "[Unit]",
        "[Service]",
        "[Socket]",
        "[Mount]",
        "[Swap]",
        "[Install]",
    ];
    text.lines().take(5000).any(|l| {
        let l = l.trim_start();
        HEADERS.contains(&l.trim_end())
            || SETTINGS.iter().any(|k| {
                l.strip_prefix(k)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            })
    })
}

const SETTINGS: [&str; 4] = [
    "SystemCallFilter",
    "SystemCallErrorNumber",
    "SystemCallArchitectures",
    "SystemCallLog",
];

/// Settings that install a seccomp filter of their own (execute.c), not modelled (point 6).
const OTHER_FILTERS: [&str; 13] = [
    "RestrictAddressFamilies",
    "MemoryDenyWriteExecute",
    "RestrictRealtime",
    "RestrictSUIDSGID",
    "RestrictNamespaces",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectKernelLogs",
    "ProtectClock",
    "PrivateDevices",
    "LockPersonality",
    "ProtectHostname",
    "DynamicUser",
];

/// What one name maps to in a filter: its errno (-1 none, [`KILL`]), the word that put it
/// there, and an insertion sequence number (for a stable output order).
#[derive(Clone, Copy)]
struct Slot {
    errno: i32,
    origin: usize,
    seq: usize,
}

#[derive(Default)]
struct Filter {
    allow_list: bool,
    names: BTreeMap<String, Slot>,
}

/// Where a word came from: its span and the text for the entry's comment.
struct Origin {
    span: Span,
    text: String,
}

struct State<'a> {
    idx: &'a LineIndex<'a>,
    diags: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
    origins: Vec<Origin>,
    filter: Option<Filter>,
    log: Option<Filter>,
    errno: i32,
    errno_span: Option<Span>,
    archs: Option<Vec<Option<Arch>>>,
    seq: usize,
    skipped_in_groups: Vec<String>,
}

/// Reads the unit's seccomp settings as one Docker profile.
pub fn read(text: &str) -> Result<(Vec<Policy>, Vec<Diagnostic>), Failure> {
    let idx = LineIndex::new(text);
    let mut st = State {
        idx: &idx,
        diags: Vec::new(),
        errors: Vec::new(),
        origins: Vec::new(),
        filter: None,
        log: None,
        errno: KILL,
        errno_span: None,
        archs: None,
        seq: 0,
        skipped_in_groups: Vec::new(),
    };
    let assignments = lines::assignments(text, &idx, &mut st.diags).map_err(Failure::single)?;
    for a in &assignments {
        match a.key.as_str() {
            "SystemCallFilter" => st.filter_assign(a, false),
            "SystemCallLog" => st.filter_assign(a, true),
            "SystemCallErrorNumber" => st.errno_assign(a),
            "SystemCallArchitectures" => st.archs_assign(a),
            k if OTHER_FILTERS.contains(&k)
                && !matches!(a.value.as_str(), "" | "no" | "false" | "0" | "off") =>
            {
                let d = st.warn(
                    "not-modelled",
                    a.key_span,
                    format!("{k}={} installs a seccomp filter of its own (systemd's execute.c), which this profile does not include", a.value),
                );
                st.diags.push(d);
            }
            _ => {}
        }
    }
    if !st.skipped_in_groups.is_empty() {
        crate::sort::sort(&mut st.skipped_in_groups);
        st.skipped_in_groups.dedup();
        st.diags.push(Diagnostic::note(
            "unknown-syscall",
            format!(
                "{} group member(s) unknown to libseccomp {} are left out, as systemd does: {}",
                st.skipped_in_groups.len(),
                Libseccomp::V2_5_4.label(),
                st.skipped_in_groups.join(", ")
            ),
        ));
    }
    let tree = st.build(text);
    if !st.errors.is_empty() {
        return Err(Failure {
            diagnostics: st.errors,
        });
    }
    let (policy, mut warnings) = tree::policy(text, &tree, "unit")?;
    st.diags.append(&mut warnings);
    Ok((vec![policy], st.diags))
}

/// What one filter decides for a name it mentions.
type Decided = Option<(Act, Slot)>;

/// An action in precedence order (lower is stricter, as the kernel ranks them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Act {
    KillProcess,
    Errno(u16),
    Log,
    Allow,
}

impl Act {
    fn docker(self) -> (&'static str, Option<u16>) {
        match self {
            Act::KillProcess => ("SCMP_ACT_KILL_PROCESS", None),
            Act::Errno(e) => ("SCMP_ACT_ERRNO", Some(e)),
            Act::Log => ("SCMP_ACT_LOG", None),
            Act::Allow => ("SCMP_ACT_ALLOW", None),
        }
    }

    fn text(self) -> String {
        match self {
            Act::Errno(e) => format!(
                "ERRNO({})",
                syscalls::errno_name(e).map_or(e.to_string(), str::to_string)
            ),
            a => a.docker().0.trim_start_matches("SCMP_ACT_").to_string(),
        }
    }
}

impl State<'_> {
    fn warn(&self, code: &'static str, span: Span, msg: String) -> Diagnostic {
        Diagnostic::warning(code, msg).at(Some(self.idx.location(span, "")))
    }

    fn origin(&mut self, span: Span, text: String) -> usize {
        self.origins.push(Origin { span, text });
        self.origins.len() - 1
    }

    /// `SystemCallFilter=` / `SystemCallLog=` (point 2).
    fn filter_assign(&mut self, a: &lines::Assignment, log: bool) {
        let key = if log {
            "SystemCallLog"
        } else {
            "SystemCallFilter"
        };
        if a.value.is_empty() {
            *self.slot(log) = None;
            return;
        }
        let invert = a.value.starts_with('~');
        if self.slot(log).is_none() {
            let mut f = Filter {
                allow_list: !invert,
                ..Filter::default()
            };
            if !invert && !log {
                let o = self.origin(
                    a.value_span,
                    format!("{key}= (an allow list implies @default)"),
                );
                self.apply(&mut f, "@default", -1, false, o, false, 0);
            }
            *self.slot(log) = Some(f);
        }
        let mut f = self.slot(log).take().unwrap_or_default();
        for (word, span) in lines::words(a, usize::from(invert)) {
            let (name, num) = if log {
                (word.clone(), -1)
            } else {
                match parse_syscall_and_errno(&word) {
                    Ok(x) => x,
                    Err(why) => {
                        let d = self.warn("systemd-ignored", span, format!("systemd ignores \"{word}\": {why} (\"Failed to parse syscall:errno\")"));
                        self.diags.push(d);
                        continue;
                    }
                }
            };
            if !invert && num >= 0 {
                let d = self.warn("systemd-ignored", span, format!("systemd ignores \"{word}\": allow-listed system calls cannot take an error number (use ~{word} to return it)"));
                self.diags.push(d);
                continue;
            }
            let tilde = if invert { "~" } else { "" };
            let o = self.origin(span, format!("{key}={tilde}{word}"));
            self.apply(&mut f, &name, num, invert, o, true, 0);
        }
        *self.slot(log) = Some(f);
    }

    fn slot(&mut self, log: bool) -> &mut Option<Filter> {
        if log {
            &mut self.log
        } else {
            &mut self.filter
        }
    }

    /// `seccomp_parse_syscall_filter`: a name or group into the filter (point 2).
    #[allow(clippy::too_many_arguments)]
    fn apply(
        &mut self,
        f: &mut Filter,
        name: &str,
        errno: i32,
        invert: bool,
        origin: usize,
        top: bool,
        depth: u8,
    ) {
        let span = self.origins[origin].span;
        if name.starts_with('@') {
            let Some(g) = group(name) else {
                let d = self.warn("unknown-group", span, format!("systemd {VERSION} has no group {name}: ignored (\"Unknown system call group\"; `systemd-analyze syscall-filter` lists them)"));
                self.diags.push(d);
                return;
            };
            for m in g.members {
                if depth < 8 {
                    self.apply(f, m, errno, invert, origin, false, depth + 1);
                }
            }
            return;
        }
        if !syscalls::is_known_in(Libseccomp::V2_5_4, name) {
            if top {
                let d = self.warn("unknown-syscall", span, format!("libseccomp {} does not know \"{name}\": systemd ignores it (\"Failed to parse system call\")", Libseccomp::V2_5_4.label()));
                self.diags.push(d);
            } else {
                self.skipped_in_groups.push(name.to_string());
            }
            return;
        }
        if invert != f.allow_list || (invert && f.allow_list && errno >= 0) {
            self.seq += 1;
            f.names.insert(
                name.to_string(),
                Slot {
                    errno,
                    origin,
                    seq: self.seq,
                },
            );
        } else {
            f.names.remove(name);
        }
    }

    /// `SystemCallErrorNumber=` (point 3).
    fn errno_assign(&mut self, a: &lines::Assignment) {
        let v = a.value.as_str();
        if v.is_empty() || v == "kill" {
            self.errno = KILL;
            self.errno_span = Some(a.value_span);
            return;
        }
        match parse_errno(v) {
            Ok(e) if e > 0 => {
                self.errno = e;
                self.errno_span = Some(a.value_span);
            }
            Ok(_) => {
                let d = self.warn("systemd-ignored", a.value_span, format!("systemd ignores SystemCallErrorNumber={v}: 0 is not a valid error number here (\"Invalid error number\")"));
                self.diags.push(d);
            }
            Err(why) => {
                let extra = if v == "log" {
                    " (systemd 252's config_parse_syscall_errno accepts only \"kill\" and error numbers)"
                } else {
                    ""
                };
                let d = self.warn(
                    "systemd-ignored",
                    a.value_span,
                    format!("systemd ignores SystemCallErrorNumber={v}: {why}{extra}"),
                );
                self.diags.push(d);
            }
        }
    }

    /// `SystemCallArchitectures=` (point 5): `None` in the list is `native`.
    fn archs_assign(&mut self, a: &lines::Assignment) {
        if a.value.is_empty() {
            self.archs = None;
            return;
        }
        let mut set = self.archs.take().unwrap_or_default();
        for (word, span) in lines::words(a, 0) {
            let word = word.trim_matches(|c| c == '"' || c == '\'');
            match arch_from_string(word) {
                Some(x) => set.push(x),
                None => {
                    let d = self.warn("systemd-ignored", span, format!("systemd ignores architecture \"{word}\" (known: native, x86, x86-64, x32, arm, arm64, mips, mips64, mips64-n32, mips-le, mips64-le, mips64-le-n32, parisc, parisc64, ppc, ppc64, ppc64-le, riscv64, s390, s390x)"));
                    self.diags.push(d);
                }
            }
        }
        self.archs = Some(set);
    }

    /// The Docker profile (points 3–5).
    fn build(&mut self, text: &str) -> Tree {
        let start = Span {
            start: 0,
            end: text.len().min(1),
        };
        let neg = match u16::try_from(self.errno) {
            Ok(e) if self.errno != KILL => Act::Errno(e),
            _ => Act::KillProcess,
        };
        let filter = self
            .filter
            .take()
            .filter(|f| f.allow_list || !f.names.is_empty());
        let log = self
            .log
            .take()
            .filter(|f| f.allow_list || !f.names.is_empty());
        let main_default = match &filter {
            Some(f) if f.allow_list => neg,
            _ => Act::Allow,
        };
        let log_default = match &log {
            Some(f) if !f.allow_list => Act::Log,
            _ => Act::Allow,
        };
        let main_of = |s: &Slot, allow_list: bool| match s.errno {
            KILL => Act::KillProcess,
            e if e >= 0 => Act::Errno(e as u16),
            _ if allow_list => Act::Allow,
            _ => neg,
        };
        // Every name either filter mentions: (main action and origin, log action and origin).
        let mut names: BTreeMap<&str, (Decided, Decided)> = BTreeMap::new();
        let mut refused: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        if let Some(f) = &filter {
            for (n, s) in &f.names {
                let act = main_of(s, f.allow_list);
                if act == main_default {
                    refused.entry(s.origin).or_default().push(n);
                }
                names.entry(n).or_default().0 = Some((act, *s));
            }
        }
        for (origin, ns) in refused {
            let o = &self.origins[origin];
            self.errors.push(Diagnostic::error("systemd-refused", format!("{} gives {} the filter's default action {}: libseccomp refuses such a rule (EACCES) and systemd {VERSION} fails to start the unit", o.text, ns.join(", "), main_default.text())).at(Some(self.idx.location(o.span, ""))));
        }
        if let Some(f) = &log {
            for (n, s) in &f.names {
                let act = if f.allow_list { Act::Log } else { Act::Allow };
                names.entry(n).or_default().1 = Some((act, *s));
            }
        }
        let default = main_default.min(log_default);
        let mut decided: Vec<(usize, Act, usize, &str)> = Vec::new();
        for (n, (m, l)) in &names {
            let ma = m.map_or(main_default, |x| x.0);
            let la = l.map_or(log_default, |x| x.0);
            let act = ma.min(la);
            if act == default {
                continue;
            }
            let slot = if ma <= la { m.or(*l) } else { l.or(*m) };
            let s = slot.map(|x| x.1).expect("a mentioned name has a slot");
            decided.push((s.origin, act, s.seq, n));
        }
        crate::sort::sort(&mut decided);
        let mut entries: Vec<Entry> = Vec::new();
        for (origin, act, _, n) in decided {
            let o = &self.origins[origin];
            let (action, errno) = act.docker();
            match entries.last_mut() {
                Some(e) if e.span == o.span && e.action == action && e.errno == errno => {
                    e.names.push((n.to_string(), o.span))
                }
                _ => entries.push(Entry {
                    names: vec![(n.to_string(), o.span)],
                    action,
                    errno,
                    args: Vec::new(),
                    includes_arches: Vec::new(),
                    excludes_arches: Vec::new(),
                    comment: o.text.clone(),
                    span: o.span,
                }),
            }
        }
        let default_span = match (&filter, self.errno_span) {
            (Some(f), Some(s)) if f.allow_list => s,
            _ => self.origins.first().map_or(start, |o| o.span),
        };
        let (action, errno) = default.docker();
        self.summary(&filter, &log, neg, default);
        Tree {
            default_action: (action, default_span),
            default_errno: errno,
            architectures: Vec::new(),
            arch_map: self.arch_map(),
            flags: Vec::new(),
            entries,
        }
    }

    fn summary(&mut self, filter: &Option<Filter>, log: &Option<Filter>, neg: Act, default: Act) {
        let mode = match filter {
            Some(f) if f.allow_list => format!(
                "an allow list ({} calls, @default included); other calls {}",
                f.names.len(),
                neg.text()
            ),
            Some(f) => format!(
                "a deny list of {} calls ({} unless a word says otherwise)",
                f.names.len(),
                neg.text()
            ),
            None => "no SystemCallFilter=".to_string(),
        };
        let mut s = format!(
            "systemd {VERSION}: {mode}; default action {}",
            default.text()
        );
        if log.is_some() {
            s += "; SystemCallLog= (a second filter) folded in: calls the first allows and the second logs are SCMP_ACT_LOG";
        }
        if neg == Act::KillProcess {
            s += "; KILL_PROCESS needs Linux 4.14 (systemd falls back to KILL_THREAD before)";
        }
        self.diags.push(Diagnostic::note("systemd", s));
        if filter.is_none() && log.is_none() && self.archs.is_none() {
            self.diags.push(Diagnostic::warning("no-filter", "no SystemCallFilter=, SystemCallLog= or SystemCallArchitectures= in effect: systemd installs no seccomp filter (everything is allowed)"));
        }
    }

    /// One filter per local ABI (point 5), as `archMap`; `SystemCallArchitectures=` keeps the
    /// native ABI and the listed ones.
    fn arch_map(&self) -> Vec<(Arch, Vec<Arch>)> {
        let mut out = Vec::new();
        for (host, local) in LOCAL_ARCHS {
            let subs: Vec<Arch> = local
                .iter()
                .copied()
                .filter(|a| a != host)
                .filter(|a| {
                    self.archs
                        .as_ref()
                        .is_none_or(|set| set.contains(&Some(*a)))
                })
                .collect();
            if !subs.is_empty() {
                out.push((*host, subs));
            }
        }
        out
    }
}

/// systemd 252's `seccomp_local_archs` for each native ABI seccplay knows (seccomp-util.c).
const LOCAL_ARCHS: &[(Arch, &[Arch])] = &[
    (Arch::X86_64, &[Arch::X86, Arch::X32, Arch::X86_64]),
    (Arch::Aarch64, &[Arch::Arm, Arch::Aarch64]),
    (
        Arch::Mips64,
        &[
            Arch::Mipsel,
            Arch::Mips,
            Arch::Mipsel64n32,
            Arch::Mips64n32,
            Arch::Mipsel64,
            Arch::Mips64,
        ],
    ),
    (
        Arch::Mipsel64,
        &[
            Arch::Mips,
            Arch::Mipsel,
            Arch::Mips64n32,
            Arch::Mipsel64n32,
            Arch::Mips64,
            Arch::Mipsel64,
        ],
    ),
    (Arch::Parisc64, &[Arch::Parisc, Arch::Parisc64]),
    (Arch::Ppc64, &[Arch::Ppc, Arch::Ppc64le, Arch::Ppc64]),
    (Arch::Ppc64le, &[Arch::Ppc, Arch::Ppc64, Arch::Ppc64le]),
    (Arch::S390x, &[Arch::S390, Arch::S390x]),
];

/// `seccomp_arch_from_string`: `Some(None)` is `native`.
fn arch_from_string(s: &str) -> Option<Option<Arch>> {
    Some(Some(match s {
        "native" => return Some(None),
        "x86" => Arch::X86,
        "x86-64" => Arch::X86_64,
        "x32" => Arch::X32,
        "arm" => Arch::Arm,
        "arm64" => Arch::Aarch64,
        "mips" => Arch::Mips,
        "mips64" => Arch::Mips64,
        "mips64-n32" => Arch::Mips64n32,
        "mips-le" => Arch::Mipsel,
        "mips64-le" => Arch::Mipsel64,
        "mips64-le-n32" => Arch::Mipsel64n32,
        "parisc" => Arch::Parisc,
        "parisc64" => Arch::Parisc64,
        "ppc" => Arch::Ppc,
        "ppc64" => Arch::Ppc64,
        "ppc64-le" => Arch::Ppc64le,
        "riscv64" => Arch::Riscv64,
        "s390" => Arch::S390,
        "s390x" => Arch::S390x,
        _ => return None,
    }))
}

/// `parse_syscall_and_errno`: `name[:errno|:kill]` → (name, errno or -1 or [`KILL`]).
fn parse_syscall_and_errno(word: &str) -> Result<(String, i32), String> {
    let (name, e) = match word.split_once(':') {
        Some((n, "kill")) => (n, KILL),
        Some((n, e)) => (n, parse_errno(e)?),
        None => (word, -1),
    };
    if name.is_empty() {
        return Err("the system call name is empty".into());
    }
    Ok((name.to_string(), e))
}

/// `parse_errno`: an errno name, or an integer 0..=4095 (C's base prefixes, and `0b`/`0o`).
fn parse_errno(s: &str) -> Result<i32, String> {
    if let Some(n) = syscalls::errno_by_name(s).filter(|&n| n > 0) {
        return Ok(n as i32);
    }
    let t = s.trim_start_matches([' ', '\t', '\n', '\r']);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (digits, radix) = if let Some(r) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (r, 16)
    } else if let Some(r) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (r, 2)
    } else if let Some(r) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (r, 8)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    let v = i64::from_str_radix(digits, radix)
        .ok()
        .filter(|_| !digits.is_empty() && !digits.starts_with(['+', '-']))
        .ok_or_else(|| format!("\"{s}\" is neither an errno name nor a number"))?;
    let v = if neg { -v } else { v };
    if !(0..=4095).contains(&v) {
        return Err(format!("{v} is outside 0..4095"));
    }
    Ok(v as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_words_parse_like_systemd() {
        assert_eq!(parse_errno("EPERM"), Ok(1));
        assert_eq!(parse_errno("0x10"), Ok(16));
        assert_eq!(parse_errno("010"), Ok(8));
        assert_eq!(parse_errno("0"), Ok(0));
        assert!(parse_errno("4096").is_err());
        assert!(parse_errno("-1").is_err());
        assert!(parse_errno("log").is_err());
        assert_eq!(
            parse_syscall_and_errno("uname:kill"),
            Ok(("uname".into(), KILL))
        );
        assert!(parse_syscall_and_errno(":EPERM").is_err());
    }

    #[test]
    fn groups_expand_recursively() {
        let s = expand("@system-service");
        assert!(s.contains(&"read") && s.contains(&"chown") && s.contains(&"execve"));
        assert!(!s.contains(&"mount"));
        assert!(expand("@privileged").contains(&"settimeofday"));
    }
}
