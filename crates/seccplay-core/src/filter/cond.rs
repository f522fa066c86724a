//! Paths in syscall terms: the atoms of the paths that end in one action, turned into
//! conditions on 64-bit arguments (the form a profile's `args` can state) where possible.
//!
//! A filter compares 32-bit words; libseccomp splits every 64-bit comparison into a test of the
//! high word and one of the low word, and a range or `!=` into several paths. This module fuses
//! them back.
//!
//! 1. Each word's simple atoms become a [`WordSet`]: a union of intervals when every atom
//!    compares the whole word, a single masked equality `(w & m) == c` when every atom is one
//!    (a one-bit `jset` is `(w & b) == b` or `== 0`), otherwise nothing representable.
//! 2. An argument's two words become a 64-bit region: intervals of the high word × one interval
//!    of the low word (`[h1<<32 | lo…]` when the low word is free or the high word one value), or
//!    one 64-bit masked equality. On 32-bit ABIs libseccomp compares only the low word, and so do
//!    the regions.
//! 3. Paths with the same outcome whose regions differ in one argument only are merged
//!    (interval union), until nothing merges; this rebuilds `>=`, `<`, `!=` from their two paths.
//! 4. A region is a disjunction of conditions: one point (`==`), a prefix (`<=`), a suffix
//!    (`>=`), the complement of a point (`!=`), or a masked equality. Anything else — interior
//!    ranges, mixed masks and ranges, instruction-pointer or `arch` words, computed values —
//!    stays a word-level text with the reason a profile cannot state it.

use super::sym::{Atom, Expr, Simple, ARCH, NR};
use crate::arch::Endian;
use crate::bpf::data::{Field, Half};
use crate::bpf::insn::*;
use crate::profile::Op;
use crate::syscalls;
use serde::Serialize;

/// One condition a profile can state on an argument (`SCMP_CMP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ArgCond {
    /// Argument index.
    pub index: u8,
    /// Operator.
    pub op: Op,
    /// `value` (the mask for `MaskedEq`).
    pub value: u64,
    /// `valueTwo` (the compared value for `MaskedEq`, 0 otherwise).
    pub value_two: u64,
}

/// A condition of a case: stated on an argument, or a word-level test a profile cannot state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Cond {
    /// A profile condition.
    Arg(ArgCond),
    /// A test no profile condition states.
    Raw {
        /// The test, on `seccomp_data` words (`instruction_pointer (low word) > 0x1000`).
        text: String,
        /// Why a profile cannot state it.
        why: String,
    },
}

const FULL: (u32, u32) = (0, u32::MAX);

/// The values of one word a path allows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum WordSet {
    Intervals(Vec<(u32, u32)>),
    Masked(u32, u32),
}

fn intersect(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    for &(a1, a2) in a {
        for &(b1, b2) in b {
            let (l, h) = (a1.max(b1), a2.min(b2));
            if l <= h {
                out.push((l, h));
            }
        }
    }
    crate::sort::sort(&mut out);
    out
}

fn atom_intervals(s: &Simple) -> Option<Vec<(u32, u32)>> {
    if s.mask != u32::MAX || s.op == BPF_JSET {
        return None;
    }
    let k = s.k;
    let below = |k: u32| if k == 0 { vec![] } else { vec![(0, k - 1)] };
    let above = |k: u32| {
        if k == u32::MAX {
            vec![]
        } else {
            vec![(k + 1, u32::MAX)]
        }
    };
    Some(match (s.op, s.holds) {
        (BPF_JEQ, true) => vec![(k, k)],
        (BPF_JEQ, false) => [below(k), above(k)].concat(),
        (BPF_JGT, true) => above(k),
        (BPF_JGT, false) => vec![(0, k)],
        (BPF_JGE, true) => vec![(k, u32::MAX)],
        _ => below(k),
    })
}

fn atom_masked(s: &Simple) -> Option<(u32, u32)> {
    match (s.op, s.holds) {
        (BPF_JEQ, true) => Some((s.mask, s.k & s.mask)).filter(|_| s.k & !s.mask == 0),
        (BPF_JSET, true) if (s.mask & s.k).count_ones() == 1 => Some((s.mask & s.k, s.mask & s.k)),
        (BPF_JSET, false) => Some((s.mask & s.k, 0)),
        _ => None,
    }
}

fn word_set(cs: &[Simple]) -> Option<WordSet> {
    if let Some(ivs) = cs.iter().map(atom_intervals).collect::<Option<Vec<_>>>() {
        let mut cur = vec![FULL];
        for iv in ivs {
            cur = intersect(&cur, &iv);
        }
        return Some(WordSet::Intervals(cur));
    }
    let mut m = 0u32;
    let mut c = 0u32;
    for s in cs {
        let (sm, sc) = atom_masked(s)?;
        if (c ^ sc) & (m & sm) != 0 {
            return None;
        }
        m |= sm;
        c |= sc;
    }
    Some(WordSet::Masked(m, c))
}

/// The values of one argument a path allows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Region {
    Intervals(Vec<(u64, u64)>),
    Masked(u64, u64),
}

const ALL64: (u64, u64) = (0, u64::MAX);

fn normalize(mut v: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    crate::sort::sort(&mut v);
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (l, h) in v {
        match out.last_mut() {
            Some(last) if l <= last.1.saturating_add(1) => last.1 = last.1.max(h),
            _ => out.push((l, h)),
        }
    }
    out
}

fn region(hi: Option<WordSet>, lo: Option<WordSet>, bits32: bool) -> Option<Region> {
    use WordSet::*;
    if bits32 && hi.is_none() {
        return Some(match lo {
            None => Region::Intervals(vec![ALL64]),
            Some(Intervals(v)) => Region::Intervals(normalize(
                v.iter().map(|&(l, h)| (l as u64, h as u64)).collect(),
            )),
            Some(Masked(m, c)) => Region::Masked(m as u64, c as u64),
        });
    }
    let hi = hi.unwrap_or(Intervals(vec![FULL]));
    let lo = lo.unwrap_or(Intervals(vec![FULL]));
    match (&hi, &lo) {
        (Intervals(h), Intervals(l)) => {
            let mut out = Vec::new();
            for &(h1, h2) in h {
                for &(l1, l2) in l {
                    if (l1, l2) == FULL {
                        out.push(((h1 as u64) << 32, (h2 as u64) << 32 | 0xffff_ffff));
                    } else if h1 == h2 {
                        out.push(((h1 as u64) << 32 | l1 as u64, (h1 as u64) << 32 | l2 as u64));
                    } else {
                        return masked(&hi, &lo);
                    }
                }
            }
            Some(Region::Intervals(normalize(out)))
        }
        _ => masked(&hi, &lo),
    }
}

/// Both words as one 64-bit masked equality, when each is free, one value or masked.
fn masked(hi: &WordSet, lo: &WordSet) -> Option<Region> {
    use WordSet::*;
    let half = |w: &WordSet| match w {
        Masked(m, c) => Some((*m, *c)),
        Intervals(v) if v.as_slice() == [FULL] => Some((0, 0)),
        Intervals(v) if v.len() == 1 && v[0].0 == v[0].1 => Some((u32::MAX, v[0].0)),
        Intervals(_) => None,
    };
    let (hm, hc) = half(hi)?;
    let (lm, lc) = half(lo)?;
    Some(Region::Masked(
        (hm as u64) << 32 | lm as u64,
        (hc as u64) << 32 | lc as u64,
    ))
}

/// A path's atoms as per-argument regions plus the tests no region holds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Shape {
    args: [Region; 6],
    raw: Vec<Cond>,
}

/// The text of a word-level atom (`args[0] (high word) & 0xff > 0x3`).
pub fn atom_text(a: &Atom, endian: Endian) -> String {
    let rel = match (a.op, a.holds) {
        (BPF_JEQ, true) => "==",
        (BPF_JEQ, false) => "!=",
        (BPF_JGT, true) => ">",
        (BPF_JGT, false) => "<=",
        (BPF_JGE, true) => ">=",
        (BPF_JGE, false) => "<",
        (_, true) => "&",
        (_, false) => "&!",
    };
    match rel {
        "&" => format!(
            "({}) & {} != 0",
            expr_text(&a.lhs, endian),
            expr_text(&a.rhs, endian)
        ),
        "&!" => format!(
            "({}) & {} == 0",
            expr_text(&a.lhs, endian),
            expr_text(&a.rhs, endian)
        ),
        _ => format!(
            "{} {rel} {}",
            expr_text(&a.lhs, endian),
            expr_text(&a.rhs, endian)
        ),
    }
}

fn expr_text(e: &Expr, endian: Endian) -> String {
    match e {
        Expr::Const(c) => format!("{c:#x}"),
        Expr::Word(i) => Field::at(4 * *i as u32, endian).map_or("?".into(), |f| f.to_string()),
        Expr::Neg(e) => format!("-({})", expr_text(e, endian)),
        Expr::Alu(op, l, r) => {
            let s = match *op {
                BPF_ADD => "+",
                BPF_SUB => "-",
                BPF_MUL => "*",
                BPF_DIV => "/",
                BPF_AND => "&",
                BPF_OR => "|",
                BPF_XOR => "^",
                BPF_LSH => "<<",
                _ => ">>",
            };
            format!("({} {s} {})", expr_text(l, endian), expr_text(r, endian))
        }
    }
}

fn why_raw(a: &Atom, endian: Endian) -> String {
    let words = a.lhs.words() | a.rhs.words();
    let field = |i: u8| Field::at(4 * i as u32, endian);
    if words & (1 << ARCH) != 0 {
        "a test of arch that a profile cannot state (profiles list architectures, they do not test them per syscall)".into()
    } else if words & (1 << NR) != 0 {
        "a test of the syscall number mixed with other values".into()
    } else if (0..16)
        .any(|i| words & (1 << i) != 0 && matches!(field(i), Some(Field::InstructionPointer(_))))
    {
        "an instruction-pointer check (profiles cannot test where the call comes from)".into()
    } else if a.simple().is_none() {
        "a test of a computed value (ALU on arguments, or two values compared) that profile conditions cannot state".into()
    } else {
        "a mix of masks and ranges on one argument word that no single SCMP_CMP condition states"
            .into()
    }
}

/// The shape of one path's atoms (`bits32`: the ABI compares only low words).
pub(crate) fn shape(atoms: &[Atom], endian: Endian, bits32: bool) -> Shape {
    let mut words: [Vec<Simple>; 16] = Default::default();
    let mut raw = Vec::new();
    let mut raw_word = [false; 16];
    for a in atoms {
        let arg_word = a
            .simple()
            .filter(|s| matches!(Field::at(4 * s.word as u32, endian), Some(Field::Arg(..))));
        match arg_word {
            Some(s) => words[s.word as usize].push(s),
            None => raw.push(Cond::Raw {
                text: atom_text(a, endian),
                why: why_raw(a, endian),
            }),
        }
    }
    let mut args: [Region; 6] = std::array::from_fn(|_| Region::Intervals(vec![ALL64]));
    for (i, slot) in args.iter_mut().enumerate() {
        let idx = |h: Half| (Field::Arg(i as u8, h).offset(endian) / 4) as usize;
        let (hw, lw) = (idx(Half::High), idx(Half::Low));
        let set = |w: usize| (!words[w].is_empty()).then(|| word_set(&words[w]));
        let hs = set(hw);
        let ls = set(lw);
        let r = match (hs, ls) {
            (Some(None), _) | (_, Some(None)) => None,
            (h, l) => region(h.flatten(), l.flatten(), bits32),
        };
        match r {
            Some(r) => *slot = r,
            None => {
                for w in [hw, lw] {
                    raw_word[w] = true;
                }
            }
        }
    }
    for a in atoms {
        if let Some(s) = a.simple() {
            if raw_word[s.word as usize] {
                raw.push(Cond::Raw {
                    text: atom_text(a, endian),
                    why: why_raw(a, endian),
                });
            }
        }
    }
    Shape { args, raw }
}

/// Merges shapes (of paths with the same outcome) that differ in one argument's intervals.
pub(crate) fn merge(mut v: Vec<Shape>) -> Vec<Shape> {
    loop {
        let mut merged = false;
        'outer: for i in 0..v.len() {
            for j in i + 1..v.len() {
                if v[i].raw != v[j].raw {
                    continue;
                }
                let diff: Vec<usize> = (0..6).filter(|&a| v[i].args[a] != v[j].args[a]).collect();
                if diff.len() > 1 {
                    continue;
                }
                if let Some(&a) = diff.first() {
                    let (Region::Intervals(x), Region::Intervals(y)) =
                        (&v[i].args[a], &v[j].args[a])
                    else {
                        continue;
                    };
                    let u = normalize([x.clone(), y.clone()].concat());
                    v[i].args[a] = Region::Intervals(u);
                }
                v.remove(j);
                merged = true;
                break 'outer;
            }
        }
        if !merged {
            return v;
        }
    }
}

/// The alternatives one region is: each a condition (or none for "any value"); `None` when an
/// interval is interior (needs two conditions on one argument).
fn region_conds(index: u8, r: &Region, max: u64) -> Option<Vec<Option<ArgCond>>> {
    let c = |op, value, value_two| {
        Some(ArgCond {
            index,
            op,
            value,
            value_two,
        })
    };
    match r {
        Region::Masked(0, _) => Some(vec![None]),
        Region::Masked(m, v) => Some(vec![c(Op::MaskedEq, *m, *v)]),
        Region::Intervals(iv) => {
            let iv: Vec<(u64, u64)> = iv
                .iter()
                .map(|&(l, h)| (l, h.min(max)))
                .filter(|p| p.0 <= p.1)
                .collect();
            match iv.as_slice() {
                [(0, h)] if *h == max => return Some(vec![None]),
                [(0, a), (b, h)] if *h == max && a + 2 == *b => {
                    return Some(vec![c(Op::Ne, a + 1, 0)]);
                }
                _ => {}
            }
            iv.iter()
                .map(|&(l, h)| match (l, h) {
                    (l, h) if l == h => Some(c(Op::Eq, l, 0)),
                    (0, h) => Some(c(Op::Le, h, 0)),
                    (l, h) if h == max => Some(c(Op::Ge, l, 0)),
                    _ => None,
                })
                .collect()
        }
    }
}

/// One way a case holds: profile conditions (at most one per argument) and raw tests.
pub type Conj = Vec<Cond>;

/// The conjunctions a merged shape is (the product of its arguments' alternatives).
pub(crate) fn conjunctions(s: &Shape, bits32: bool) -> Vec<Conj> {
    let max = if bits32 { u32::MAX as u64 } else { u64::MAX };
    let mut out: Vec<Conj> = vec![s.raw.clone()];
    for (i, r) in s.args.iter().enumerate() {
        match region_conds(i as u8, r, max) {
            Some(alts) => {
                let mut next = Vec::new();
                for conj in &out {
                    for a in &alts {
                        let mut c = conj.clone();
                        if let Some(a) = a {
                            c.push(Cond::Arg(*a));
                        }
                        next.push(c);
                    }
                }
                out = next;
            }
            None => {
                let text = match r {
                    Region::Intervals(iv) => iv
                        .iter()
                        .map(|(l, h)| format!("{l:#x}..={h:#x}"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    Region::Masked(m, v) => format!("& {m:#x} == {v:#x}"),
                };
                for conj in &mut out {
                    conj.push(Cond::Raw {
                        text: format!("args[{i}] in {text}"),
                        why: "a range with both ends inside, which needs two conditions on one argument (libseccomp refuses that in one rule)".into(),
                    });
                }
            }
        }
    }
    out
}

/// `clone_flags & CLONE_NEWUSER`, `fd == 3`, `addr > 0x1000`: a condition in syscall terms.
pub fn cond_text(sys: Option<&str>, c: &Cond) -> String {
    let Cond::Arg(a) = c else {
        let Cond::Raw { text, .. } = c else {
            unreachable!()
        };
        return text.clone();
    };
    let i = a.index as usize;
    let name = sys
        .and_then(syscalls::prototype)
        .and_then(|p| p.args.get(i).map(|p| p.name.to_string()))
        .unwrap_or_else(|| format!("args[{i}]"));
    let sym = |v: u64| {
        sys.and_then(|s| syscalls::describe_arg(s, i, v))
            .filter(|s| !s.starts_with("0x") && s != &v.to_string() && !s.contains(" (if"))
            .unwrap_or_else(|| {
                if v < 10 {
                    v.to_string()
                } else {
                    format!("{v:#x}")
                }
            })
    };
    match a.op {
        Op::MaskedEq if a.value == a.value_two => format!("{name} & {}", sym(a.value)),
        Op::MaskedEq if a.value_two == 0 => format!("!({name} & {})", sym(a.value)),
        Op::MaskedEq => format!("({name} & {}) == {}", sym(a.value), sym(a.value_two)),
        op => format!("{name} {} {}", op.symbol(), sym(a.value)),
    }
}
