//! Parser and evaluator for libseccomp 2.5.4's pseudo filter code (`seccomp_export_pfc`).
//!
//! The PFC is a rendering of libseccomp's *rule database* (src/gen_pfc.c), so evaluating it
//! gives what the database says, independent of the BPF code generator (whose §2.8 flaw
//! makes the exported BPF disagree for some profiles). Constructs handled:
//!
//! ```text
//! # filter for arch x86_64 (3221225534)            one block per arch db, collection order
//! if ($arch == 3221225534)                          (x86_64 and x32 both print 0xC000003E)
//!   if ($syscall > 231)                             optimize=2 binary tree (jgt) ...
//!   else # ($syscall <= 231)                        ... decision-irrelevant, checked only
//!   # filter for syscall "socket" (41) [priority: 65533]
//!   if ($syscall == 41)
//!     if ($a0.hi32 > 0)                             64-bit arch: .hi32 / .lo32 words
//!       action ALLOW;
//!     else
//!       if ($a0.lo32 & 0x0000ffff == 3)             MASKED_EQ (datum pre-masked)
//!         action ERRNO(1);
//!     if ($a1 >= 38)                                32-bit arch: $aN = low word
//!       ...
//!   # default action
//!   action ERRNO(1);
//! # invalid architecture action
//! action KILL;
//! ```
//! Actions: `KILL_PROCESS`, `KILL`, `TRAP`, `ERRNO(n)`, `TRACE(n)`, `LOG`, `ALLOW`, and
//! `0x%x` for anything else (e.g. NOTIFY).
//!
//! Evaluation (§2.6): statements run in order; an `if` whose taken branch ends without an
//! action falls through to the statement after the `if`; falling off a syscall body gives
//! the arch block's default action. Arch dispatch reproduces gen_bpf's x86_64/x32 rules
//! (§2.7): x86_64 without x32 sends nr ≥ 0x40000000 (except 0xffffffff) to the bad-arch
//! action, x32 without x86_64 sends nr < 0x40000000 there, together they share one block.

use std::collections::BTreeMap;

/// AUDIT_ARCH_X86_64 (shared by the x86_64 and x32 ABIs).
pub const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;

/// Which 32-bit word of an argument a comparison reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// `$aN.hi32` (64-bit arches).
    Hi,
    /// `$aN.lo32` (64-bit arches).
    Lo,
    /// `$aN` on a 32-bit arch: the low word.
    Only,
}

/// A comparison as printed (NE/LT/LE never appear: libseccomp rewrote them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Gt,
    Ge,
    MaskedEq(u32),
}

/// `if ($aN[.hi32|.lo32] OP datum)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cond {
    pub arg: usize,
    pub word: Word,
    pub op: Op,
    pub datum: u32,
}

impl Cond {
    /// Evaluates the comparison on the 64-bit argument values.
    pub fn test(&self, args: &[u64; 6]) -> bool {
        let v = args[self.arg];
        let w = match self.word {
            Word::Hi => (v >> 32) as u32,
            Word::Lo | Word::Only => v as u32,
        };
        match self.op {
            Op::Eq => w == self.datum,
            Op::Gt => w > self.datum,
            Op::Ge => w >= self.datum,
            Op::MaskedEq(m) => w & m == self.datum,
        }
    }
}

/// A statement of a syscall body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    Action(u32),
    If {
        cond: Cond,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
}

/// `# filter for syscall "name" (nr) [priority: p]` + `if ($syscall == nr)` + body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyscallBlock {
    pub name: String,
    pub nr: u32,
    /// A pseudo syscall (negative number, printed unsigned by 2.5.4, e.g. x86_64's `send`
    /// as 4294967187): listed in the PFC but never emitted into BPF (`_skip_syscall`), so
    /// [`Pfc::decide`] ignores it.
    pub pseudo: bool,
    pub priority: i64,
    pub body: Vec<Stmt>,
}

/// One arch db of the collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchBlock {
    /// Name printed by gen_pfc (`x86_64`, `x32`, `x86`, `aarch64`, …, or `UNKNOWN`).
    pub name: String,
    /// `token_bpf`, the value compared with `seccomp_data.arch`.
    pub token: u32,
    /// Syscall blocks in printed order.
    pub syscalls: Vec<SyscallBlock>,
    /// `# default action` of this block.
    pub default_action: u32,
    /// Number of `if ($syscall > N)` binary-tree tests (0 unless optimize = 2).
    pub bintree_tests: usize,
    by_nr: BTreeMap<u32, usize>,
}

impl ArchBlock {
    /// The syscall block for `nr`, if the db has one.
    pub fn syscall(&self, nr: u32) -> Option<&SyscallBlock> {
        self.by_nr.get(&nr).map(|&i| &self.syscalls[i])
    }
}

/// A parsed PFC document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pfc {
    pub arches: Vec<ArchBlock>,
    /// `# invalid architecture action`.
    pub bad_arch_action: u32,
}

/// Parses the PFC text printed by libseccomp 2.5.4.
pub fn parse(text: &str) -> Result<Pfc, String> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let spaces = l.len() - l.trim_start_matches(' ').len();
            Line {
                no: i + 1,
                indent: spaces / 2,
                text: l.trim().to_string(),
            }
        })
        .collect();
    let mut arches: Vec<ArchBlock> = Vec::new();
    let mut bad_arch = None;
    let mut pending_arch: Option<(String, u32)> = None;
    let mut pending_sys: Option<(String, i64)> = None;
    let mut bintree: Vec<(usize, Bound)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = &lines[i];
        let t = l.text.as_str();
        let err = |m: &str| format!("PFC line {}: {m}: {t:?}", l.no);
        if let Some(rest) = t.strip_prefix("# filter for arch ") {
            let (name, tok) = rest
                .rsplit_once(" (")
                .ok_or_else(|| err("bad arch comment"))?;
            let tok = parse_u32(tok.trim_end_matches(')')).ok_or_else(|| err("bad arch token"))?;
            pending_arch = Some((name.to_string(), tok));
        } else if let Some(rest) = t.strip_prefix("if ($arch == ") {
            let tok = parse_u32(rest.trim_end_matches(')')).ok_or_else(|| err("bad arch test"))?;
            let name = match pending_arch.take() {
                Some((n, t2)) if t2 == tok => n,
                Some(_) => return Err(err("arch comment and test disagree")),
                None => "UNKNOWN".to_string(),
            };
            bintree.clear();
            arches.push(ArchBlock {
                name,
                token: tok,
                syscalls: Vec::new(),
                default_action: 0,
                bintree_tests: 0,
                by_nr: BTreeMap::new(),
            });
        } else if let Some(rest) = t.strip_prefix("# filter for syscall \"") {
            let (name, rest) = rest
                .split_once("\" (")
                .ok_or_else(|| err("bad syscall comment"))?;
            let prio = rest
                .split_once("[priority: ")
                .and_then(|(_, p)| p.trim_end_matches(']').parse::<i64>().ok())
                .ok_or_else(|| err("bad priority"))?;
            pending_sys = Some((name.to_string(), prio));
        } else if let Some(rest) = t.strip_prefix("if ($syscall == ") {
            let nr =
                parse_i64(rest.trim_end_matches(')')).ok_or_else(|| err("bad syscall test"))?;
            let arch = arches
                .last_mut()
                .ok_or_else(|| err("syscall outside an arch block"))?;
            let (body, next) = parse_block(&lines, i + 1, l.indent + 1)?;
            if body.is_empty() {
                return Err(err("syscall without a body"));
            }
            let (name, priority) = pending_sys.take().unwrap_or_else(|| ("UNKNOWN".into(), 0));
            let nr = nr as u32; // "%d" of a negative number wraps like the BPF k field
            if arch.by_nr.insert(nr, arch.syscalls.len()).is_some() {
                return Err(err("syscall listed twice in one arch block"));
            }
            for (ind, c) in &bintree {
                let ok = match *c {
                    Bound::Gt(n) => nr > n,
                    Bound::Le(n) => nr <= n,
                };
                if *ind < l.indent && !ok {
                    return Err(err("syscall outside its binary-tree branch"));
                }
            }
            arch.syscalls.push(SyscallBlock {
                name,
                nr,
                pseudo: (nr as i32) < 0,
                priority,
                body,
            });
            i = next;
            continue;
        } else if let Some(rest) = t.strip_prefix("if ($syscall > ") {
            let arch = arches
                .last_mut()
                .ok_or_else(|| err("bintree test outside an arch"))?;
            arch.bintree_tests += 1;
            let n = parse_u32(rest.trim_end_matches(')')).ok_or_else(|| err("bad bintree test"))?;
            bintree.retain(|(ind, _)| *ind < l.indent);
            bintree.push((l.indent, Bound::Gt(n)));
        } else if let Some(rest) = t.strip_prefix("else # ($syscall <= ") {
            // binary-tree else: decision-irrelevant, but checked for consistency
            let n = parse_u32(rest.trim_end_matches(')')).ok_or_else(|| err("bad bintree else"))?;
            if !bintree
                .iter()
                .any(|(ind, c)| *ind == l.indent && *c == Bound::Gt(n))
            {
                return Err(err("bintree else without its if"));
            }
            bintree.retain(|(ind, _)| *ind < l.indent);
            bintree.push((l.indent, Bound::Le(n)));
        } else if t == "# default action" || t == "# invalid architecture action" {
            let next = lines.get(i + 1).ok_or_else(|| err("missing action"))?;
            let act = parse_action(&next.text).ok_or_else(|| err("bad action after it"))?;
            if t == "# default action" {
                arches
                    .last_mut()
                    .ok_or_else(|| err("default outside an arch"))?
                    .default_action = act;
            } else {
                bad_arch = Some(act);
            }
            i += 2;
            continue;
        } else if t.starts_with('#') {
            // "#", "# pseudo filter code start/end"
        } else {
            return Err(err("unexpected line"));
        }
        i += 1;
    }
    Ok(Pfc {
        arches,
        bad_arch_action: bad_arch.ok_or("PFC has no invalid architecture action")?,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Gt(u32),
    Le(u32),
}

struct Line {
    no: usize,
    indent: usize,
    text: String,
}

/// Parses statements at exactly `indent`, starting at `start`; returns them and the index
/// of the first line not consumed.
fn parse_block(lines: &[Line], start: usize, indent: usize) -> Result<(Vec<Stmt>, usize), String> {
    let mut out = Vec::new();
    let mut i = start;
    while i < lines.len() && lines[i].indent >= indent {
        let l = &lines[i];
        let err = |m: &str| format!("PFC line {}: {m}: {:?}", l.no, l.text);
        if l.indent > indent {
            return Err(err("unexpected indentation"));
        }
        if let Some(act) = parse_action(&l.text) {
            out.push(Stmt::Action(act));
            i += 1;
        } else if let Some(c) = l
            .text
            .strip_prefix("if (")
            .and_then(|c| c.strip_suffix(')'))
        {
            if c.starts_with("$syscall") || c.starts_with("$arch") {
                break; // next syscall/bintree line at a deeper bintree indentation
            }
            let cond = parse_cond(c).ok_or_else(|| err("bad condition"))?;
            let (then, next) = parse_block(lines, i + 1, indent + 1)?;
            i = next;
            let mut els = None;
            if i < lines.len() && lines[i].indent == indent && lines[i].text == "else" {
                let (e, next) = parse_block(lines, i + 1, indent + 1)?;
                els = Some(e);
                i = next;
            }
            out.push(Stmt::If { cond, then, els });
        } else {
            break; // a comment or bintree line ends the body
        }
    }
    Ok((out, i))
}

fn parse_cond(c: &str) -> Option<Cond> {
    let rest = c.strip_prefix("$a")?;
    let digits = rest.find(|ch: char| !ch.is_ascii_digit())?;
    let arg: usize = rest[..digits].parse().ok().filter(|&a| a < 6)?;
    let rest = &rest[digits..];
    let (word, rest) = if let Some(r) = rest.strip_prefix(".hi32") {
        (Word::Hi, r)
    } else if let Some(r) = rest.strip_prefix(".lo32") {
        (Word::Lo, r)
    } else {
        (Word::Only, rest)
    };
    let rest = rest.trim_start();
    let (op, datum) = if let Some(r) = rest.strip_prefix("& ") {
        let (mask, d) = r.split_once(" == ")?;
        (Op::MaskedEq(parse_u32(mask)?), d)
    } else if let Some(d) = rest.strip_prefix("== ") {
        (Op::Eq, d)
    } else if let Some(d) = rest.strip_prefix(">= ") {
        (Op::Ge, d)
    } else if let Some(d) = rest.strip_prefix("> ") {
        (Op::Gt, d)
    } else {
        return None; // includes " ??? "
    };
    Some(Cond {
        arg,
        word,
        op,
        datum: parse_u32(d_trim(datum))?,
    })
}

fn d_trim(s: &str) -> &str {
    s.trim()
}

fn parse_u32(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn parse_i64(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// Parses `action X;` into the 32-bit action value.
pub fn parse_action(line: &str) -> Option<u32> {
    let a = line.strip_prefix("action ")?.strip_suffix(';')?;
    let with_data = |prefix: &str, base: u32| {
        a.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(')'))
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|&n| n <= 0xffff)
            .map(|n| base | n)
    };
    Some(match a {
        "KILL_PROCESS" => 0x8000_0000,
        "KILL" => 0x0000_0000,
        "TRAP" => 0x0003_0000,
        "LOG" => 0x7ffc_0000,
        "ALLOW" => 0x7fff_0000,
        _ if a.starts_with("ERRNO(") => with_data("ERRNO(", 0x0005_0000)?,
        _ if a.starts_with("TRACE(") => with_data("TRACE(", 0x7ff0_0000)?,
        _ => parse_u32(a).filter(|_| a.starts_with("0x"))?,
    })
}

/// Human-readable name of an action value (`ERRNO(1)`, `ALLOW`, …).
pub fn action_name(v: u32) -> String {
    match v & 0xffff_0000 {
        0x8000_0000 => "KILL_PROCESS".into(),
        0x0000_0000 => "KILL".into(),
        0x0003_0000 => format!("TRAP({})", v & 0xffff),
        0x0005_0000 => format!("ERRNO({})", v & 0xffff),
        0x7ff0_0000 => format!("TRACE({})", v & 0xffff),
        0x7fc0_0000 => "NOTIFY".into(),
        0x7ffc_0000 => "LOG".into(),
        0x7fff_0000 => "ALLOW".into(),
        _ => format!("{v:#x}"),
    }
}

fn eval(stmts: &[Stmt], args: &[u64; 6]) -> Option<u32> {
    for s in stmts {
        match s {
            Stmt::Action(a) => return Some(*a),
            Stmt::If { cond, then, els } => {
                let branch = if cond.test(args) {
                    Some(then)
                } else {
                    els.as_ref()
                };
                if let Some(b) = branch {
                    if let Some(a) = eval(b, args) {
                        return Some(a);
                    }
                }
            }
        }
    }
    None
}

impl Pfc {
    /// What the rule database decides for `(seccomp_data.arch, nr, args)`: the 32-bit
    /// action value.
    pub fn decide(&self, audit_arch: u32, nr: u32, args: [u64; 6]) -> u32 {
        let blocks: Vec<&ArchBlock> = self
            .arches
            .iter()
            .filter(|a| a.token == audit_arch)
            .collect();
        if blocks.is_empty() {
            return self.bad_arch_action;
        }
        if audit_arch == AUDIT_ARCH_X86_64 {
            let x86_64 = blocks.iter().any(|b| b.name == "x86_64");
            let x32 = blocks.iter().any(|b| b.name == "x32");
            if x86_64 && !x32 && nr >= 0x4000_0000 && nr != u32::MAX {
                return self.bad_arch_action;
            }
            if x32 && !x86_64 && nr < 0x4000_0000 {
                return self.bad_arch_action;
            }
        }
        for b in &blocks {
            if let Some(s) = b.syscall(nr).filter(|s| !s.pseudo) {
                return eval(&s.body, &args).unwrap_or(b.default_action);
            }
        }
        blocks[0].default_action
    }

    /// The arch block(s) for an audit arch value.
    pub fn blocks(&self, audit_arch: u32) -> impl Iterator<Item = &ArchBlock> {
        self.arches.iter().filter(move |a| a.token == audit_arch)
    }

    /// The arch block printed with this name (`x86_64`, `x32`, `x86`, …).
    pub fn arch(&self, name: &str) -> Option<&ArchBlock> {
        self.arches.iter().find(|a| a.name == name)
    }
}
