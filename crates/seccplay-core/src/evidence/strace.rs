//! strace output, read back into the calls a seccomp filter would have seen.
//!
//! Accepts what `strace -f` writes with any of `-t`, `-tt`, `-ttt`, `-r`, `-T`, `-y`/`-yy`,
//! `-X raw|abbrev|verbose`, to stderr (`[pid N]` prefixes) or with `-o` (`N ` prefixes), and
//! `-ff -o` files (one per pid, given with their pid).
//!
//! 1. A line is split into prefix (pid, time), then one of: a call `name(args) = result`,
//!    the first half of a call (`<unfinished ...>`), its second half (`<... name resumed>`),
//!    `+++ exited with N +++` / `+++ killed by SIG +++`, `--- SIGNAL {…} ---`, strace's own
//!    notes (`strace: Process N attached`, `[ Process PID=N runs in 32 bit mode. ]`).
//!    Anything else (the program's own output on stderr) is counted as skipped.
//! 2. Halves are joined per pid, so the arguments are those of the whole call; a call still
//!    unfinished at the end of the input keeps what its first half shows.
//! 3. Each argument becomes a number when strace printed one (`3`, `0x80000`, `-1`,
//!    `O_RDONLY|O_CLOEXEC`, `AT_FDCWD` — the expression parser's constants, `-X verbose`
//!    comments and `-y` paths removed) and "any value" when it printed what is behind a pointer
//!    (a string, struct or array: seccomp sees only the address) or a name seccplay does not
//!    know. [`Arg`] says which.
//! 4. Broken lines that look like calls are [`Malformed`] with their line number; reading
//!    goes on.

use crate::arch::Arch;
use crate::expr;
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest line read (a 4096-element argv printed in full is under 1 MiB).
pub const MAX_LINE: usize = 1 << 20;

/// What strace printed for one argument, as the filter would see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Arg {
    /// A number (after constants, comments and `-y` decorations).
    Value(u64),
    /// The contents behind a pointer (string, struct, array): the filter sees an address
    /// strace did not print.
    Pointer(&'static str),
    /// A name or form seccplay cannot turn into a number.
    Unknown(String),
}

impl Arg {
    /// The number, when known.
    pub fn value(&self) -> Option<u64> {
        match self {
            Arg::Value(v) => Some(*v),
            _ => None,
        }
    }
}

/// One syscall of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TracedCall {
    /// 1-based line of the call (its first half when split).
    pub line: usize,
    /// Which input (index into the files given; 0 for one input).
    pub input: usize,
    /// The process/thread, when strace said.
    pub pid: Option<u32>,
    /// The syscall name as strace printed it.
    pub name: String,
    /// The arguments (kernel order).
    pub args: Vec<Arg>,
    /// The call as text, shortened (`openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC)`).
    pub text: String,
    /// The result (`3`, `-1 ENOENT (No such file or directory)`, `?`), `None` when unfinished.
    pub result: Option<String>,
    /// The ABI strace said this process runs in (`[ Process PID=N runs in 32 bit mode. ]`).
    pub abi: Option<Arch>,
}

/// A process event: exit, death by signal, a signal delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// 1-based line.
    pub line: usize,
    /// Input index.
    pub input: usize,
    /// The process.
    pub pid: Option<u32>,
    /// `exited with 0`, `killed by SIGSYS (core dumped)`, `SIGSYS {si_signo=SIGSYS, …}`.
    pub text: String,
}

/// A line that looks like a call but cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Malformed {
    /// 1-based line.
    pub line: usize,
    /// Input index.
    pub input: usize,
    /// What is wrong.
    pub message: String,
}

/// A whole trace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The calls, in the order strace saw them enter.
    pub calls: Vec<TracedCall>,
    /// Exits, kills and signals (`--- SIGSYS …` shows a filter already refused something).
    pub events: Vec<Event>,
    /// Lines that are neither calls nor strace's notes.
    pub skipped: usize,
    /// Broken call lines.
    pub malformed: Vec<Malformed>,
}

/// One input: its text and, for `-ff -o` files, the pid from the file name.
pub struct Input<'a> {
    /// The bytes.
    pub bytes: &'a [u8],
    /// The pid for lines without a pid prefix.
    pub pid: Option<u32>,
}

/// Reads one trace (see the module documentation).
pub fn parse(text: &str) -> Trace {
    parse_inputs(&[Input {
        bytes: text.as_bytes(),
        pid: None,
    }])
}

/// Reads several inputs (e.g. the files of `strace -ff -o`) into one trace, in input order.
pub fn parse_inputs(inputs: &[Input]) -> Trace {
    let mut t = Trace::default();
    for (k, input) in inputs.iter().enumerate() {
        Reader::new(k, input.pid).read(input.bytes, &mut t);
    }
    t
}

struct Pending {
    index: usize,
    head: String,
}

struct Reader {
    input: usize,
    pid: Option<u32>,
    pending: BTreeMap<Option<u32>, Pending>,
    abi: BTreeMap<Option<u32>, Arch>,
}

impl Reader {
    fn new(input: usize, pid: Option<u32>) -> Reader {
        Reader {
            input,
            pid,
            pending: BTreeMap::new(),
            abi: BTreeMap::new(),
        }
    }

    fn read(mut self, bytes: &[u8], t: &mut Trace) {
        if bytes.is_empty() {
            return;
        }
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let mut carry: Option<(String, usize)> = None;
        for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
            let line = i + 1;
            if raw.len() > MAX_LINE {
                t.malformed.push(Malformed {
                    line,
                    input: self.input,
                    message: format!(
                        "a line of {} bytes (strace lines are under {} KiB): not read",
                        raw.len(),
                        MAX_LINE >> 10
                    ),
                });
                continue;
            }
            let text = String::from_utf8_lossy(raw);
            let mut text = text.trim_end_matches('\r').to_string();
            // strace's own note can land inside a call's line (`…SIGCHLDstrace: Process 7
            // attached`), the call going on at the next line (`, child_tidptr=…) = 7`).
            if let Some((head, head_line)) = carry.take() {
                if text.starts_with([',', ')', ' ']) && !text.trim_start().starts_with('[') {
                    text = format!("{head}{text}");
                    self.line(&text, head_line, t);
                    continue;
                }
                self.line(&head, head_line, t);
            }
            if let Some(p) = text.find("strace: Process ").filter(|&p| p > 0) {
                t.skipped += 1;
                carry = Some((text[..p].to_string(), line));
                continue;
            }
            self.line(&text, line, t);
        }
        if let Some((head, head_line)) = carry {
            self.line(&head, head_line, t);
        }
    }

    fn line(&mut self, s: &str, line: usize, t: &mut Trace) {
        let (pid, rest) = prefix(s);
        let pid = pid.or(self.pid);
        let rest = rest.trim_start();
        if rest.is_empty() {
            t.skipped += 1;
            return;
        }
        if let Some(ev) = rest
            .strip_prefix("+++ ")
            .and_then(|r| r.strip_suffix(" +++"))
            .or_else(|| {
                rest.strip_prefix("--- ")
                    .and_then(|r| r.strip_suffix(" ---"))
            })
        {
            t.events.push(Event {
                line,
                input: self.input,
                pid,
                text: ev.to_string(),
            });
            return;
        }
        if let Some(note) = rest.strip_prefix("[ Process PID=") {
            let (p, mode) = note.split_once(' ').unwrap_or((note, ""));
            let abi = if mode.contains("32 bit") {
                Some(Arch::X86)
            } else if mode.contains("x32") {
                Some(Arch::X32)
            } else if mode.contains("64 bit") {
                Some(Arch::X86_64)
            } else {
                None
            };
            if let (Ok(p), Some(a)) = (p.parse::<u32>(), abi) {
                self.abi.insert(Some(p), a);
            }
            return;
        }
        if rest.starts_with("strace: ") {
            t.skipped += 1;
            return;
        }
        if let Some(r) = rest.strip_prefix("<... ") {
            let Some((name, tail)) = r.split_once(" resumed>") else {
                return self.bad(t, line, "`<... ` without `resumed>`");
            };
            let Some(p) = self.pending.remove(&pid) else {
                // strace -o with -ff split across files, or a cut trace: nothing to join.
                t.skipped += 1;
                return;
            };
            let whole = format!("{}{}", p.head, tail);
            if let Some(c) = t.calls.get_mut(p.index) {
                if c.name == name.trim() {
                    if let Some((args, text, result)) = call_body(&c.name, &whole) {
                        c.args = args;
                        c.text = text;
                        c.result = result;
                    }
                }
            }
            return;
        }
        // A call: NAME(…
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        if name.is_empty()
            || !rest[name_end..].starts_with('(')
            || name.as_bytes()[0].is_ascii_digit()
        {
            t.skipped += 1;
            return;
        }
        let after = &rest[name_end + 1..];
        let unfinished = after.trim_end().ends_with("<unfinished ...>");
        let head = after
            .trim_end()
            .trim_end_matches("<unfinished ...>")
            .trim_end();
        let abi = self.abi.get(&pid).copied();
        let index = t.calls.len();
        if unfinished {
            let (args, text) = head_args(name, head);
            t.calls.push(TracedCall {
                line,
                input: self.input,
                pid,
                name: name.to_string(),
                args,
                text,
                result: None,
                abi,
            });
            self.pending.insert(
                pid,
                Pending {
                    index,
                    head: head.to_string(),
                },
            );
            return;
        }
        match call_body(name, after) {
            Some((args, text, result)) => t.calls.push(TracedCall {
                line,
                input: self.input,
                pid,
                name: name.to_string(),
                args,
                text,
                result,
                abi,
            }),
            None => self.bad(
                t,
                line,
                &format!("{name}( is not closed: the line is cut, or not strace output"),
            ),
        }
    }

    fn bad(&self, t: &mut Trace, line: usize, m: &str) {
        t.malformed.push(Malformed {
            line,
            input: self.input,
            message: m.to_string(),
        });
    }
}

/// Splits the pid prefix (`[pid  12] `, `12 `) and the time (`15:04:05`, `15:04:05.123456`,
/// `1733240401.123456`, `     0.000123`) from a line.
fn prefix(s: &str) -> (Option<u32>, &str) {
    let mut pid = None;
    let mut rest = s;
    if let Some(r) = rest.strip_prefix("[pid ") {
        if let Some((p, tail)) = r.split_once(']') {
            pid = p.trim().parse().ok();
            rest = tail;
        }
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(' ') {
            pid = rest[..digits].parse().ok();
            rest = &rest[digits..];
        }
    }
    let r = rest.trim_start();
    let tok = r.split(' ').next().unwrap_or("");
    if !tok.is_empty()
        && tok.as_bytes()[0].is_ascii_digit()
        && tok
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
        && (tok.contains(':') || tok.contains('.'))
    {
        rest = &r[tok.len()..];
    }
    (pid, rest)
}

/// The arguments of a first half (`read(3, ` before `<unfinished ...>`).
fn head_args(name: &str, head: &str) -> (Vec<Arg>, String) {
    let parts = split_args(head);
    let args = to_args(name, &parts);
    (
        args,
        shorten(&format!("{name}({}", head.trim_end_matches([',', ' ']))),
    )
}

/// `args) = result <time>` after `name(`: arguments, text and result; `None` when no `)`.
type Body = (Vec<Arg>, String, Option<String>);

fn call_body(name: &str, after: &str) -> Option<Body> {
    let close = closing_paren(after)?;
    let inner = &after[..close];
    let tail = after[close + 1..].trim();
    let result = tail.strip_prefix('=').map(|r| {
        let r = r.trim();
        // -T: ` <0.000123>` at the end.
        match r.rfind(" <") {
            Some(p) if r.ends_with('>') => r[..p].trim().to_string(),
            _ => r.to_string(),
        }
    });
    let parts = split_args(inner);
    let args = to_args(name, &parts);
    Some((args, shorten(&format!("{name}({inner})")), result))
}

fn shorten(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Byte offset of the `)` closing the argument list (strings, brackets and comments skipped).
fn closing_paren(s: &str) -> Option<usize> {
    scan(s, |i, b, top| (top && b == b')').then_some(i))
}

/// Walks `s` outside strings and comments, calling `f(offset, byte, at_top_level)` for each
/// structural byte; `f` returns `Some` to stop. Tracks `(`/`[`/`{` and `-y`'s `<…>` after a digit.
fn scan<T>(s: &str, mut f: impl FnMut(usize, u8, bool) -> Option<T>) -> Option<T> {
    let b = s.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = s[i + 2..]
                    .find("*/")
                    .map(|p| i + 2 + p + 1)
                    .unwrap_or(b.len());
            }
            b'(' | b'[' | b'{' => {
                if let Some(r) = f(i, c, stack.is_empty()) {
                    return Some(r);
                }
                stack.push(match c {
                    b'(' => b')',
                    b'[' => b']',
                    _ => b'}',
                });
            }
            b'<' if i > 0 && b[i - 1].is_ascii_digit() => stack.push(b'>'),
            b')' | b']' | b'}' | b'>' => {
                if stack.last() == Some(&c) {
                    stack.pop();
                } else if c != b'>' {
                    if let Some(r) = f(i, c, stack.is_empty()) {
                        return Some(r);
                    }
                }
            }
            b',' => {
                if let Some(r) = f(i, c, stack.is_empty()) {
                    return Some(r);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Top-level comma-separated pieces.
fn split_args(s: &str) -> Vec<&str> {
    let mut cuts = Vec::new();
    scan(s, |i, c, top| {
        if top && c == b',' {
            cuts.push(i);
        }
        None::<()>
    });
    let mut out = Vec::new();
    let mut from = 0;
    for c in cuts {
        out.push(s[from..c].trim());
        from = c + 1;
    }
    let last = s[from..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last);
    }
    out
}

/// strace's names for clone's arguments → the kernel's positions (x86_64 and most ABIs:
/// flags, stack, parent_tid, child_tid, tls).
fn named_position(name: &str, key: &str) -> Option<usize> {
    if name != "clone" {
        return None;
    }
    Some(match key {
        "flags" => 0,
        "child_stack" | "stack" => 1,
        "parent_tid" | "parent_tidptr" => 2,
        "child_tidptr" | "child_tid" => 3,
        "tls" | "newtls" => 4,
        _ => return None,
    })
}

fn to_args(name: &str, parts: &[&str]) -> Vec<Arg> {
    let mut args: Vec<Arg> = Vec::new();
    let mut named: Vec<(usize, Arg)> = Vec::new();
    for p in parts {
        if *p == "..." || p.is_empty() {
            continue;
        }
        let (key, val) = split_name(p);
        let a = arg_value(val);
        match key.and_then(|k| named_position(name, k)) {
            Some(pos) => named.push((pos, a)),
            None => args.push(a),
        }
    }
    if !named.is_empty() {
        let n = named
            .iter()
            .map(|x| x.0 + 1)
            .max()
            .unwrap_or(0)
            .max(args.len());
        let mut out = vec![Arg::Value(0); n];
        for (i, a) in args.into_iter().enumerate() {
            out[i] = a;
        }
        for (pos, a) in named {
            out[pos] = a;
        }
        args = out;
    }
    args.truncate(6);
    args
}

/// `flags=CLONE_VM` → (`flags`, `CLONE_VM`).
fn split_name(p: &str) -> (Option<&str>, &str) {
    let n = p
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(0);
    if n > 0
        && p[n..].starts_with('=')
        && !p[n..].starts_with("==")
        && !p.as_bytes()[0].is_ascii_digit()
    {
        (Some(&p[..n]), &p[n + 1..])
    } else {
        (None, p)
    }
}

/// One argument's value (see the module documentation, point 3).
pub fn arg_value(text: &str) -> Arg {
    let t = strip_decorations(text);
    let t = t.trim();
    if t.is_empty() {
        return Arg::Unknown(text.trim().to_string());
    }
    match t.as_bytes()[0] {
        b'"' => return Arg::Pointer("string"),
        b'{' => return Arg::Pointer("struct"),
        b'[' | b'~' => return Arg::Pointer("array"),
        b'@' => return Arg::Pointer("string"),
        _ => {}
    }
    if t == "NULL" {
        return Arg::Value(0);
    }
    match expr::eval(t) {
        Ok(v) => Arg::Value(v),
        Err(_) => Arg::Unknown(shorten(text.trim())),
    }
}

/// Removes `/* … */` comments and `-y`'s `<path>` after a number.
fn strip_decorations(s: &str) -> String {
    if !s.contains("/*") && !s.contains('<') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(b.len());
            out.push_str(&s[start..i]);
            continue;
        }
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            i = s[i + 2..]
                .find("*/")
                .map(|p| i + 2 + p + 2)
                .unwrap_or(b.len());
            continue;
        }
        if b[i] == b'<' && i > 0 && b[i - 1].is_ascii_digit() {
            let mut depth = 0i32;
            while i < b.len() {
                match b[i] {
                    b'<' | b'[' => depth += 1,
                    b'>' | b']' => depth -= 1,
                    _ => {}
                }
                i += 1;
                if depth == 0 {
                    break;
                }
            }
            continue;
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}
