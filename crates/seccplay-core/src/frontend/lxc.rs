//! LXC's seccomp policy text (`lxc.seccomp.profile`), versions 1 and 2, read with the
//! semantics of lxc's src/lxc/seccomp.c (`parse_config`, `parse_config_v1`, `parse_config_v2`,
//! `get_v2_default_action`, `get_v2_action`, `get_seccomp_arg_value`, `do_resolve_add_rule`)
//! and lxc.container.conf(5) ("Seccomp configuration").
//!
//! 1. Header: an integer version (`fscanf("%d\n")`: blanks and blank lines around it are
//!    skipped), 1 or 2; then the policy line. `debug` anywhere on it is refused.
//! 2. Version 1: the policy line must contain `allowlist`; every further line is a syscall
//!    *number* of the host (`sscanf("%d")`), allowed; everything else is KILL. A Docker profile
//!    names syscalls, so each number becomes its name per host (`includes.arches`); numbers
//!    with no syscall on a host are reported.
//! 3. Version 2: the policy line starts with `allowlist`/`whitelist` (default KILL, rules ALLOW)
//!    or `denylist`/`blacklist` (default ALLOW, rules KILL); a word after the first space sets
//!    the default (`kill`, `errno N`, `allow`, `trap`, `notify`). Rule lines are
//!    `name [action] [idx,value,op(,mask)]...`: the name ends at the first space, the action
//!    (same words) after it, conditions after the action (`==`, `!=`, `<`, `<=`, `>`, `>=`,
//!    `&=` or `SCMP_CMP_*`; `&=` compares `arg & mask == value`), at most six. `#` starts a
//!    comment only in the first column or where an action could start. `reject_force_umount`
//!    is `umount2` with `MNT_FORCE` → ERRNO(EACCES). Names libseccomp does not know are skipped.
//! 4. Architectures: on an x86_64 host the filter covers x86_64, x86 and x32 (aarch64: + arm;
//!    ppc64: + ppc; mips64: + mips, n32): an `archMap`. An `[arch]` section only says on which
//!    *hosts* the following rules count (`[x86]`: i686 and x86_64 hosts; `[all]`: every host);
//!    lxc then adds each counted rule to every ABI of the filter, not only the section's ABI.
//!    Rules before any section count on the hosts lxc knows (not riscv64). So a section is an
//!    `includes.arches` on its entries.
//! 5. What makes lxc fail to load the policy is an error here: a rule whose action is the
//!    default (libseccomp: EACCES), two conditions on one argument (EINVAL), unparsable lines.

use crate::arch::Arch;
use crate::diag::{Diagnostic, Failure};
use crate::frontend::tree::{self, Arg, Entry, Tree};
use crate::frontend::Policy;
use crate::json::{LineIndex, Span};
use crate::libseccomp::Libseccomp;
use crate::resolve::moby_arch_string;
use crate::syscalls;

/// True if the text starts like an LXC policy (`2` then `denylist`, …), for detection.
pub fn looks_like(text: &str) -> bool {
    let t = text.trim_start();
    let Some(rest) = t.strip_prefix(['1', '2']) else {
        return false;
    };
    let rest = rest.trim_start();
    ["allowlist", "whitelist", "denylist", "blacklist"]
        .iter()
        .any(|w| rest.starts_with(w))
}

/// A v2 action (`get_v2_default_action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    Kill,
    Errno(i32),
    Allow,
    Trap,
    Notify,
}

impl Act {
    /// The libseccomp action value, for "same as the default" (errno keeps 16 bits).
    fn value(self) -> u32 {
        match self {
            Act::Kill => 0,
            Act::Errno(e) => 0x0005_0000 | (e as u32 & 0xffff),
            Act::Allow => 0x7fff_0000,
            Act::Trap => 0x0003_0000,
            Act::Notify => 0x7fc0_0000,
        }
    }

    fn docker(self) -> (&'static str, Option<u16>) {
        match self {
            Act::Kill => ("SCMP_ACT_KILL", None),
            Act::Errno(e) => ("SCMP_ACT_ERRNO", Some((e as u32 & 0xffff) as u16)),
            Act::Allow => ("SCMP_ACT_ALLOW", None),
            Act::Trap => ("SCMP_ACT_TRAP", None),
            Act::Notify => ("SCMP_ACT_NOTIFY", None),
        }
    }
}

/// Where rules count: every host, the hosts lxc knows (before any section), or a section's.
#[derive(Clone, Debug)]
enum Hosts {
    All,
    Known,
    Some(&'static [Arch]),
}

/// lxc's sections (both spellings) and the hosts on which each counts (point 4).
const SECTIONS: &[(&str, &[Arch])] = &[
    ("x86", &[Arch::X86, Arch::X86_64]),
    ("x32", &[Arch::X86_64]),
    ("x86_64", &[Arch::X86_64]),
    ("arm", &[Arch::Arm, Arch::Aarch64]),
    ("arm64", &[Arch::Aarch64]),
    ("ppc64le", &[Arch::Ppc64le]),
    ("ppc64", &[Arch::Ppc64]),
    ("ppc", &[Arch::Ppc, Arch::Ppc64]),
    ("mips64", &[Arch::Mips64]),
    ("mips64n32", &[Arch::Mips64]),
    ("mips", &[Arch::Mips, Arch::Mips64]),
    ("mipsel64", &[Arch::Mipsel64]),
    ("mipsel64n32", &[Arch::Mipsel64]),
    ("mipsel", &[Arch::Mipsel, Arch::Mipsel64]),
    ("s390x", &[Arch::S390x]),
    ("s390", &[Arch::S390]),
    ("loongarch64", &[Arch::Loongarch64]),
];

/// Hosts where lxc's filter has compat ABIs (`parse_config_v2`'s `get_new_ctx` calls).
const ARCH_MAP: &[(Arch, &[Arch])] = &[
    (Arch::X86_64, &[Arch::X86, Arch::X32]),
    (Arch::Aarch64, &[Arch::Arm]),
    (Arch::Ppc64, &[Arch::Ppc]),
    (Arch::Mips64, &[Arch::Mips, Arch::Mips64n32]),
    (Arch::Mipsel64, &[Arch::Mipsel, Arch::Mipsel64n32]),
];

/// Hosts a version 1 policy's numbers are named on (those moby has a name for).
const V1_HOSTS: [Arch; 13] = [
    Arch::X86_64,
    Arch::X86,
    Arch::Aarch64,
    Arch::Arm,
    Arch::Ppc64le,
    Arch::Ppc64,
    Arch::Ppc,
    Arch::S390x,
    Arch::S390,
    Arch::Mips64,
    Arch::Mipsel64,
    Arch::Riscv64,
    Arch::Loongarch64,
];

struct Reader<'a> {
    text: &'a str,
    idx: LineIndex<'a>,
    notes: Vec<Diagnostic>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// `sscanf("%d")` at `s`: the value and the bytes consumed, or `None`.
fn scan_int(s: &str) -> Option<(i64, usize)> {
    let b = s.as_bytes();
    let mut i = b.iter().take_while(|&&c| is_space(c)).count();
    let neg = matches!(b.get(i), Some(b'-'));
    if matches!(b.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let d = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if d == 0 {
        return None;
    }
    let v: i64 = s[i..i + d].parse().unwrap_or(i64::MAX);
    Some((if neg { -v } else { v }, i + d))
}

impl Reader<'_> {
    fn at(&self, start: usize, len: usize) -> Option<crate::diag::Location> {
        Some(self.idx.location(
            Span {
                start,
                end: start + len.max(1),
            },
            "",
        ))
    }

    fn err(&self, start: usize, len: usize, msg: String) -> Diagnostic {
        Diagnostic::error("lxc-policy", msg).at(self.at(start, len))
    }

    /// `get_v2_default_action` on `s` (at offset `off`): `Ok(None)` is "no action word".
    fn action(
        &mut self,
        s: &str,
        off: usize,
        line_has_newline: bool,
    ) -> Result<Option<Act>, Diagnostic> {
        let t = s.trim_start_matches(' ');
        let o = off + s.len() - t.len();
        Ok(Some(if t.starts_with("kill") {
            Act::Kill
        } else if let Some(r) = t.strip_prefix("errno") {
            let Some((e, _)) = scan_int(r) else {
                return Err(self.err(
                    o,
                    t.len(),
                    format!(
                        "\"{t}\": lxc reads a number after errno (\"Failed to parse errno value\")"
                    ),
                ));
            };
            let e32 = i32::try_from(e).unwrap_or(i32::MAX);
            if !(0..=0xffff).contains(&e) {
                self.warn_errno(e, o, t.len());
            }
            Act::Errno(e32)
        } else if t.starts_with("allow") {
            Act::Allow
        } else if t.starts_with("trap") {
            Act::Trap
        } else if t.starts_with("notify") {
            Act::Notify
        } else if !t.is_empty() || line_has_newline {
            return Err(self.err(o, t.len(), format!("\"{t}\" is not an lxc action (kill, errno N, allow, trap, notify): \"Unrecognized seccomp action\"")));
        } else {
            return Ok(None);
        }))
    }

    fn warn_errno(&mut self, e: i64, o: usize, len: usize) {
        let d = Diagnostic::warning(
            "lxc-errno",
            format!(
                "errno {e}: lxc passes it to SCMP_ACT_ERRNO, which keeps the low 16 bits ({})",
                e as u32 & 0xffff
            ),
        )
        .at(self.at(o, len));
        self.notes.push(d);
    }
}

/// Reads the policy as one Docker profile.
pub fn read(text: &str) -> Result<(Vec<Policy>, Vec<Diagnostic>), Failure> {
    let mut r = Reader {
        text,
        idx: LineIndex::new(text),
        notes: Vec::new(),
    };
    let single = Failure::single;
    let Some((version, used)) = scan_int(text) else {
        return Err(single(r.err(
            0,
            1,
            "an LXC policy starts with its version, 1 or 2 (\"Invalid version\")".into(),
        )));
    };
    let vstart = text.as_bytes().iter().take_while(|&&c| is_space(c)).count();
    if version != 1 && version != 2 {
        return Err(single(r.err(
            vstart,
            used - vstart,
            format!("version {version}: lxc reads versions 1 and 2 (\"Invalid version\")"),
        )));
    }
    let p = used
        + text.as_bytes()[used..]
            .iter()
            .take_while(|&&c| is_space(c))
            .count();
    if p >= text.len() {
        return Err(single(r.err(
            vstart,
            1,
            "no policy line after the version (\"Invalid config file\")".into(),
        )));
    }
    let (line2, nl) = match text[p..].find('\n') {
        Some(i) => (&text[p..p + i], true),
        None => (&text[p..], false),
    };
    if line2.contains("debug") {
        return Err(single(r.err(
            p,
            line2.len(),
            "lxc refuses \"debug\" on the policy line (\"Debug not yet implemented\")".into(),
        )));
    }
    let body_start = p + line2.len() + usize::from(nl);
    let lines = body_lines(text, body_start);
    let tree = if version == 1 {
        if !line2.contains("allowlist") {
            return Err(single(r.err(p, line2.len(), "a version 1 policy must say \"allowlist\" on its second line (\"Only allowlist policy is supported\")".into())));
        }
        v1(&mut r, &lines)?
    } else {
        v2(&mut r, line2, p, nl, &lines)?
    };
    let (policy, mut warnings) = tree::policy(text, &tree, "lxc")?;
    r.notes.append(&mut warnings);
    Ok((vec![policy], r.notes))
}

/// The lines after the policy line: (offset, text without `\n`; a final empty piece dropped).
fn body_lines(text: &str, start: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut off = start;
    let body = &text[start.min(text.len())..];
    let n = body.split('\n').count();
    for (i, l) in body.split('\n').enumerate() {
        if i + 1 == n && l.is_empty() {
            break;
        }
        out.push((off, l));
        off += l.len() + 1;
    }
    out
}

fn whole(text: &str) -> Span {
    Span {
        start: 0,
        end: text.len().min(1),
    }
}

/// Version 1 (point 2).
fn v1(r: &mut Reader, lines: &[(usize, &str)]) -> Result<Tree, Failure> {
    let mut numbers = Vec::new();
    for &(off, l) in lines {
        match scan_int(l) {
            Some((n, used)) if (0..=i32::MAX as i64).contains(&n) => {
                numbers.push((n as u32, Span { start: off, end: off + used }))
            }
            _ => {
                return Err(Failure::single(r.err(off, l.len(), format!("\"{}\": every line of a version 1 policy is a syscall number (lxc stops: \"Failed loading allow rule\")", l.trim_end()))))
            }
        }
    }
    let mut entries = Vec::new();
    let mut missing: Vec<u32> = Vec::new();
    for host in V1_HOSTS {
        let Some(moby) = moby_arch_string(host) else {
            continue;
        };
        let mut names: Vec<(String, Span)> = Vec::new();
        for &(n, span) in &numbers {
            match syscalls::name(host, n) {
                Some(name) if !names.iter().any(|(x, _)| x == name) => {
                    names.push((name.into(), span))
                }
                Some(_) => {}
                None if host == Arch::X86_64 => missing.push(n),
                None => {}
            }
        }
        if names.is_empty() {
            continue;
        }
        let span = names[0].1;
        entries.push(Entry {
            names,
            action: "SCMP_ACT_ALLOW",
            errno: None,
            args: Vec::new(),
            includes_arches: vec![moby],
            excludes_arches: Vec::new(),
            comment: format!("version 1 numbers, named on {host}"),
            span,
        });
    }
    if !missing.is_empty() {
        r.notes.push(Diagnostic::warning("not-expressible", format!("{} number(s) are no syscall on x86_64 ({}{}): lxc allows them, a Docker profile names syscalls, so they are left out (such calls fail with ENOSYS under lxc, are killed here)", missing.len(), missing.iter().take(8).map(|n| n.to_string()).collect::<Vec<_>>().join(", "), if missing.len() > 8 { ", …" } else { "" })));
    }
    r.notes.push(Diagnostic::note("lxc", "LXC policy version 1: an allow list of syscall numbers of the host's native ABI; everything else is KILL (thread)"));
    Ok(Tree {
        default_action: ("SCMP_ACT_KILL", whole(r.text)),
        default_errno: None,
        architectures: Vec::new(),
        arch_map: Vec::new(),
        flags: Vec::new(),
        entries,
    })
}

/// Version 2 (points 3–5).
fn v2(
    r: &mut Reader,
    line2: &str,
    p: usize,
    nl: bool,
    lines: &[(usize, &str)],
) -> Result<Tree, Failure> {
    let one = Failure::single;
    let deny = line2.starts_with("denylist") || line2.starts_with("blacklist");
    if !(deny || line2.starts_with("allowlist") || line2.starts_with("whitelist")) {
        return Err(one(r.err(p, line2.len(), format!("\"{}\": the policy line starts with allowlist or denylist (\"Bad seccomp policy style\")", line2.trim_end()))));
    }
    let mut default = None;
    if let Some(sp) = line2.find(' ') {
        default = r.action(&line2[sp + 1..], p + sp + 1, nl).map_err(one)?;
    }
    let (default, rule_default) = if deny {
        (default.unwrap_or(Act::Allow), Act::Kill)
    } else {
        (default.unwrap_or(Act::Kill), Act::Allow)
    };
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut hosts = Hosts::Known;
    let mut noted_sections = false;
    let mut notify = false;
    for &(off, l) in lines {
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        if l.starts_with('[') {
            let name = l.strip_prefix('[').and_then(|x| x.strip_suffix(']'));
            let found = name.and_then(|n| {
                if n == "all" || n == "ALL" {
                    return Some(Hosts::All);
                }
                SECTIONS
                    .iter()
                    .find(|(s, _)| *s == n || s.to_ascii_uppercase() == n)
                    .map(|(_, h)| Hosts::Some(h))
            });
            match found {
                Some(h) => {
                    if !noted_sections && !matches!(h, Hosts::All) {
                        noted_sections = true;
                        r.notes.push(Diagnostic::note("lxc-sections", "an [arch] section says on which hosts its rules count; lxc adds each rule to every ABI of the filter (src/lxc/seccomp.c ignores the section when adding): read as includes.arches").at(r.at(off, l.len())));
                    }
                    hosts = h;
                }
                None => errors.push(r.err(off, l.len(), format!("\"{}\": not an architecture section lxc knows (\"Unsupported architecture\"){}", l, if l.ends_with('\r') { "; lxc keeps the \\r of a CRLF line end" } else { "" }))),
            }
            continue;
        }
        match rule(r, l, off, rule_default, default, &hosts) {
            Ok(Some(e)) => {
                notify |= e.action == "SCMP_ACT_NOTIFY";
                entries.push(e)
            }
            Ok(None) => {}
            Err(d) => errors.push(d),
        }
        if errors.len() > 100 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(Failure {
            diagnostics: errors,
        });
    }
    let (action, errno) = default.docker();
    let kind = if deny { "a deny list" } else { "an allow list" };
    r.notes.push(Diagnostic::note("lxc", format!("LXC policy version 2, {kind}: default {action}{}, rules without an action {}; on x86_64 hosts the filter covers x86_64, x86 and x32", errno.map(|e| format!("({e})")).unwrap_or_default(), rule_default.docker().0)));
    if notify {
        r.notes.push(Diagnostic::note("lxc-notify", "notify rules: lxc asks for a listener (SECCOMP_FILTER_FLAG_NEW_LISTENER) and forwards the notifications to lxc.seccomp.notify.proxy"));
    }
    Ok(Tree {
        default_action: (
            action,
            Span {
                start: p,
                end: p + line2.len().max(1),
            },
        ),
        default_errno: errno,
        architectures: Vec::new(),
        arch_map: ARCH_MAP.iter().map(|(h, s)| (*h, s.to_vec())).collect(),
        flags: Vec::new(),
        entries,
    })
}

/// One v2 rule line: an entry, `None` for a line lxc skips, or why lxc refuses it.
fn rule(
    r: &mut Reader,
    l: &str,
    off: usize,
    rule_default: Act,
    default: Act,
    hosts: &Hosts,
) -> Result<Option<Entry>, Diagnostic> {
    let name_end = l.find(' ').unwrap_or(l.len());
    let name = &l[..name_end];
    let name_span = Span {
        start: off,
        end: off + name_end.max(1),
    };
    let action = match l.find(' ') {
        None => rule_default,
        Some(sp) => {
            let rest = l[sp + 1..].trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                rule_default
            } else {
                r.action(&l[sp + 1..], off + sp + 1, false)?
                    .unwrap_or(rule_default)
            }
        }
    };
    let mut args = Vec::new();
    if l.contains('[') {
        let mut pos = 0;
        for (i, tok) in l.split(']').enumerate() {
            let tok_off = off + pos;
            pos += tok.len() + 1;
            if tok.is_empty() {
                continue;
            }
            if args.len() == 6 {
                r.notes.push(
                    Diagnostic::warning(
                        "lxc-ignored",
                        "lxc reads at most six conditions: the rest of the line is ignored",
                    )
                    .at(r.at(tok_off, tok.len())),
                );
                break;
            }
            let _ = i;
            args.push(condition(r, tok, tok_off)?);
        }
    }
    let mut seen = [false; 6];
    for a in &args {
        let i = a.index as usize;
        if seen[i] {
            return Err(r.err(a.span.start, a.span.end - a.span.start, format!("two conditions on argument {i}: libseccomp refuses the rule (EINVAL) and lxc fails to load the policy")));
        }
        seen[i] = true;
    }
    let (names, action, args) = if name.starts_with("reject_force_umount") {
        let force = Arg {
            index: 1,
            value: 1,
            value_two: Some(1),
            op: "SCMP_CMP_MASKED_EQ",
            span: name_span,
        };
        ("umount2", Act::Errno(13), vec![force])
    } else {
        (name, action, args)
    };
    if !syscalls::is_known_in(Libseccomp::V2_5_4, names) {
        let why = if names.is_empty() {
            "an empty name (the line starts with a space)".to_string()
        } else if names.contains(['\t', '\r']) {
            format!(
                "\"{}\" (a tab or CR is part of the name: lxc splits at the first space only)",
                names.escape_debug()
            )
        } else {
            format!("\"{names}\", which libseccomp does not know")
        };
        r.notes.push(
            Diagnostic::warning("unknown-syscall", format!("lxc skips this rule: {why}"))
                .at(r.at(name_span.start, name_span.end - name_span.start)),
        );
        return Ok(None);
    }
    if action.value() == default.value() {
        return Err(r.err(off, l.len(), format!("the rule's action is the policy's default ({}): libseccomp refuses it (EACCES) and lxc fails to load the policy", default.docker().0)));
    }
    let (act, errno) = action.docker();
    let (includes, excludes) = match hosts {
        Hosts::All => (Vec::new(), Vec::new()),
        Hosts::Known => (Vec::new(), vec!["riscv64"]),
        Hosts::Some(h) => (
            h.iter().filter_map(|a| moby_arch_string(*a)).collect(),
            Vec::new(),
        ),
    };
    Ok(Some(Entry {
        names: vec![(names.to_string(), name_span)],
        action: act,
        errno,
        args,
        includes_arches: includes,
        excludes_arches: excludes,
        comment: l.trim_end().to_string(),
        span: name_span,
    }))
}

/// `get_seccomp_arg_value`: `[idx,value,op]` or `[idx,value,op,mask]` in a token.
fn condition(r: &Reader, tok: &str, off: usize) -> Result<Arg, Diagnostic> {
    let bad = |why: &str| {
        r.err(
            off,
            tok.len(),
            format!(
                "\"{}\": {why} (an lxc condition is [index,value,op] or [index,value,op,mask])",
                tok.trim()
            ),
        )
    };
    let Some(b) = tok.find('[') else {
        return Err(bad(
            "text after a condition that is no condition (\"Failed to interpret args\")",
        ));
    };
    let s = &tok[b + 1..];
    let span = Span {
        start: off + b,
        end: off + tok.len() + 1,
    };
    let (index, used) = scan_int(s).ok_or_else(|| bad("no argument index"))?;
    let s = s[used..]
        .strip_prefix(',')
        .ok_or_else(|| bad("a comma after the index"))?;
    let v_len = s.find(',').unwrap_or(s.len());
    if v_len == 0 || v_len > 23 || v_len == s.len() {
        return Err(bad("a value of 1 to 23 characters, then a comma"));
    }
    let value =
        safe_u64(&s[..v_len]).ok_or_else(|| bad("the value is no unsigned 64-bit number"))?;
    let s = &s[v_len + 1..];
    let op_len = s
        .find(|c: char| c.is_ascii_digit() || c == '^' || c == ',')
        .unwrap_or(s.len());
    if op_len == 0 || op_len > 30 {
        return Err(bad("an operator"));
    }
    let op = match &s[..op_len] {
        "SCMP_CMP_NE" | "!=" => "SCMP_CMP_NE",
        "SCMP_CMP_LT" | "<" => "SCMP_CMP_LT",
        "SCMP_CMP_LE" | "<=" => "SCMP_CMP_LE",
        "SCMP_CMP_EQ" | "==" => "SCMP_CMP_EQ",
        "SCMP_CMP_GE" | ">=" => "SCMP_CMP_GE",
        "SCMP_CMP_GT" | ">" => "SCMP_CMP_GT",
        "SCMP_CMP_MASKED_EQ" | "&=" => "SCMP_CMP_MASKED_EQ",
        _ => return Err(bad("an operator ==, !=, <, <=, >, >=, &= or SCMP_CMP_* (\"Failed to interpret args operator value\")")),
    };
    let mask = match s[op_len..].strip_prefix(',') {
        Some(m) if !m.is_empty() => {
            let m = &m[..m.find(',').unwrap_or(m.len()).min(23)];
            safe_u64(m).ok_or_else(|| bad("the mask is no unsigned 64-bit number"))?
        }
        _ => 0,
    };
    if !(0..6).contains(&index) {
        return Err(bad("an argument index 0..5"));
    }
    let (value, value_two) = if op == "SCMP_CMP_MASKED_EQ" {
        (mask, Some(value))
    } else {
        (value, None)
    };
    Ok(Arg {
        index: index as u64,
        value,
        value_two,
        op,
        span,
    })
}

/// `lxc_safe_uint64(s, base 0)`: C's `strtoull` with its prefixes, the whole string.
fn safe_u64(s: &str) -> Option<u64> {
    let t = s.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
    if t.starts_with('-') {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    let (d, radix) = if let Some(x) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (x, 16)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    if d.is_empty() || d.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(d, radix).ok()
}
