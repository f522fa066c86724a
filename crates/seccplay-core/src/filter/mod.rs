//! Raw filters: what any seccomp program (or stack of programs) does to every syscall, with
//! the exact conditions where the answer depends on arguments, and its decompilation to a
//! Docker-format profile.
//!
//! The analysis needs no profile. It asks, for every (ABI, syscall number) a filter can see,
//! which paths of the program ([`sym::explore`], symbolic execution over `seccomp_data`'s
//! words) remain when `nr` and `arch` are fixed, and where they lead.
//!
//! 1. The ABIs are the `AUDIT_ARCH_*` values the program mentions as constants (every ABI
//!    sharing a value: x86_64 and x32); a program that mentions none is read for
//!    `Options::default_abi`. Per ABI value, one row per syscall number of those ABIs' tables,
//!    one row for every other number (`nr` symbolic, different from all of them), and one row
//!    for every other `arch` value (both symbolic).
//! 2. A stack is analysed per row: each filter's paths, then every combination whose atoms can
//!    hold together, its result combined as the kernel does ([`combine_stacked`]).
//! 3. A row is constant when all its paths end in one value; otherwise its [`Case`]s give, per
//!    outcome, the conditions in syscall terms ([`cond`]).
//! 4. Exploration is bounded per row ([`sym::LIMITS`]); a row past the bound says where.
//!
//! Programs the kernel would refuse are refused here too ([`verify`]), with its message.

pub mod check;
pub mod cond;
pub mod decompile;
pub mod order;
pub mod solve;
pub mod sym;
#[cfg(test)]
mod tests;

use crate::action::{combine_stacked, Action};
use crate::arch::{Arch, Endian};
use crate::bpf::insn::*;
use crate::bpf::interp::RunError;
use crate::bpf::verify;
use crate::invariants::Rng;
use crate::syscalls;
use cond::Conj;
use serde::Serialize;
use sym::{Atom, End, Expr, Feasible, LimitError, Limits, Simple, ARCH, NR};

/// What the analysis of a raw program leaves out of a container's context, for the shells to
/// say: the program runs as the kernel runs it, with no profile, runtime or libseccomp before
/// it. Only the kernel's version still counts (calls it passes without running any filter:
/// [`crate::context::filter_bypass`]).
pub const AS_IS_NOTE: &str = "a raw program runs as it is: Docker's --privileged and \
capabilities, runc's ENOSYS stub, the runtime and libseccomp do not apply; the kernel version \
does (calls it passes without running any filter)";

/// How to analyse.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The ABI assumed when the program tests no `AUDIT_ARCH_*` value (seccomp-tools assumes
    /// x86_64 too).
    pub default_abi: Arch,
    /// Bounds per row.
    pub limits: Limits,
    /// Instructions executed over all rows before the remaining rows are left unanalysed.
    pub total_steps: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            default_abi: Arch::X86_64,
            limits: sym::LIMITS,
            total_steps: sym::TOTAL_STEPS,
        }
    }
}

/// One path through a whole stack: the atoms of one path per filter, and the result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackPath {
    /// Every filter's atoms, concatenated (newest filter first).
    pub atoms: Vec<Atom>,
    /// Each filter's end (newest first).
    pub ends: Vec<End>,
    /// The instruction each filter's path ends at (newest first): a `ret`, or the `div x`
    /// whose divisor is 0.
    pub end_pcs: Vec<usize>,
    /// The combined value, when every filter returns a constant.
    pub ret: Option<u32>,
    /// Words satisfying every atom (with `nr`/`arch` set), when found.
    pub witness: Option<[u32; 16]>,
}

/// What one path set ends in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "value")]
pub enum Outcome {
    /// A return value.
    Ret(u32),
    /// A return value computed from the data (`ret a`), as text.
    Computed(String),
    /// The program stops without a verdict.
    Error(String),
}

impl Outcome {
    /// `ERRNO(EPERM)`, `ALLOW`, ... or the computed expression.
    pub fn describe(&self) -> String {
        match self {
            Outcome::Ret(r) => crate::analysis::describe_action(*r),
            Outcome::Computed(e) => format!("the value {e}"),
            Outcome::Error(e) => format!("no verdict ({e})"),
        }
    }
}

/// One outcome of a row and when it happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Case {
    /// The outcome.
    pub outcome: Outcome,
    /// It happens when any of these conjunctions holds.
    pub when: Vec<Conj>,
    /// The same, as text in syscall terms (`clone_flags & CLONE_NEWUSER`).
    pub text: Vec<String>,
}

/// What a row gets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum Verdict {
    /// One value whatever the arguments.
    Constant {
        /// The value.
        ret: u32,
        /// `ERRNO(EPERM)`, `ALLOW`, ...
        action: String,
    },
    /// Depends on arguments, the instruction pointer or computed values.
    Conditional {
        /// The outcomes (the most frequent last, described as "otherwise" by shells).
        cases: Vec<Case>,
    },
    /// The exploration reached a bound.
    TooComplex {
        /// Where and which bound.
        limit: LimitError,
    },
}

/// One syscall number (or the rest) of one ABI value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The ABI whose table names this number (`None` for the "other" rows).
    pub abi: Option<Arch>,
    /// The number (`None` for "every other number").
    pub nr: Option<u32>,
    /// Its name in that ABI's table.
    pub name: Option<&'static str>,
    /// The answer.
    pub verdict: Verdict,
    /// The paths (for checks and step-through).
    #[serde(skip)]
    pub paths: Vec<StackPath>,
}

/// Every row of one `AUDIT_ARCH_*` value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchRows {
    /// The value of `seccomp_data.arch`.
    pub audit_arch: u32,
    /// The ABIs reporting it.
    pub abis: Vec<Arch>,
    /// One row per number of those ABIs' tables, by number.
    pub rows: Vec<Row>,
    /// Every number not in `rows`.
    pub other_numbers: Row,
}

/// The analysis of one filter or a stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FilterAnalysis {
    /// Instructions per filter, newest first.
    pub lengths: Vec<usize>,
    /// Byte order the programs load words in.
    pub endian: Endian,
    /// Per ABI value the program mentions, in order of first mention.
    pub arches: Vec<ArchRows>,
    /// Every `arch` value not in `arches`.
    pub other_arches: Row,
    /// The most frequent constant value among the first ABI value's rows (the filter's
    /// default action, as far as it has one); conditional rows list its case last.
    pub default_ret: Option<u32>,
}

/// Why a stack could not be analysed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// Which filter (0 = newest).
    pub filter: usize,
    /// The kernel's verifier message.
    pub message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "filter {}: {}", self.filter, self.message)
    }
}

/// The `AUDIT_ARCH_*` values a program compares the `arch` word with, in program order: a
/// forward pass marks where A may hold `arch` (after `ld [4]`, through jumps), and the
/// constants of conditional jumps there that are known `AUDIT_ARCH_*` values are kept (a
/// syscall number that happens to equal a small one, such as 42, is not).
pub fn mentioned_arches(prog: &[Insn]) -> Vec<u32> {
    let n = prog.len();
    let mut may = vec![false; n + 1];
    let mut out = Vec::new();
    for pc in 0..n {
        let i = prog[pc];
        let c = i.code;
        let here = may[pc];
        let mut set = |t: usize, v: bool| {
            if t <= n {
                may[t] |= v;
            }
        };
        if class(c) == BPF_JMP {
            if op(c) == BPF_JA {
                set(pc + 1 + i.k as usize, here);
                continue;
            }
            if here
                && src(c) == BPF_K
                && !Arch::from_audit_arch(i.k).is_empty()
                && !out.contains(&i.k)
            {
                out.push(i.k);
            }
            set(pc + 1 + i.jt as usize, here);
            set(pc + 1 + i.jf as usize, here);
            continue;
        }
        if class(c) == BPF_RET {
            continue;
        }
        let a_changes = matches!(class(c), BPF_LD | BPF_ALU) || c == BPF_MISC | BPF_TXA;
        let v = if c == BPF_LD | BPF_W | BPF_ABS {
            i.k == 4
        } else {
            here && !a_changes
        };
        set(pc + 1, v);
    }
    out
}

/// Analyses a stack of programs (`newest_first`, one is a stack of one) loaded in byte order
/// `endian`. Refuses programs the kernel's verifier refuses.
pub fn analyze(
    newest_first: &[&[Insn]],
    endian: Endian,
    opts: &Options,
) -> Result<FilterAnalysis, Refused> {
    for (f, p) in newest_first.iter().enumerate() {
        if let Err(e) = verify::verify(p) {
            return Err(Refused {
                filter: f,
                message: e.to_string(),
            });
        }
    }
    let mut arch_values: Vec<u32> = Vec::new();
    for p in newest_first {
        for a in mentioned_arches(p) {
            if !arch_values.contains(&a) {
                arch_values.push(a);
            }
        }
    }
    if arch_values.is_empty() {
        arch_values.push(opts.default_abi.audit_arch());
    }
    let mut arches = Vec::new();
    let mut total = opts.total_steps;
    for &aa in &arch_values {
        let abis = Arch::from_audit_arch(aa);
        let mut nrs: Vec<(u32, Arch, &'static str)> = Vec::new();
        for &abi in &abis {
            for (name, nr) in syscalls::syscalls(abi) {
                nrs.push((nr, abi, name));
            }
        }
        crate::sort::sort_by_key(&mut nrs, |r| r.0);
        nrs.dedup_by_key(|r| r.0);
        let rows = nrs
            .iter()
            .map(|&(nr, abi, name)| {
                let known = [(NR, nr), (ARCH, aa)];
                let mut r = row(newest_first, &known, &[], opts, endian, &mut total);
                r.abi = Some(abi);
                r.nr = Some(nr);
                r.name = Some(name);
                r
            })
            .collect();
        let pre: Vec<Atom> = nrs.iter().map(|&(nr, ..)| ne(NR, nr)).collect();
        let other_numbers = row(newest_first, &[(ARCH, aa)], &pre, opts, endian, &mut total);
        arches.push(ArchRows {
            audit_arch: aa,
            abis,
            rows,
            other_numbers,
        });
    }
    let pre: Vec<Atom> = arch_values.iter().map(|&a| ne(ARCH, a)).collect();
    let other_arches = row(newest_first, &[], &pre, opts, endian, &mut total);
    let handled: Vec<Arch> = arches
        .iter()
        .flat_map(|a| a.abis.iter().copied())
        .filter(|abi| handles(&arches, *abi))
        .collect();
    // Numbers outside the tables get what a profile calls the default action. When they get
    // several (runc's ENOSYS stub answers above the profile's highest number, the default
    // below it), the default is the one of those the rows use most: a stub is not a default,
    // and ALLOW, the most frequent action of an allow-list's rows, is not its default either.
    // Failing both, the most frequent constant of the handled ABIs' rows.
    let handled_arches = || {
        arches
            .iter()
            .filter(|a| a.abis.iter().any(|x| handled.contains(x)))
    };
    let other = handled_arches().find_map(|a| match a.other_numbers.verdict {
        Verdict::Constant { ret, .. } => Some(ret),
        _ => None,
    });
    // Inserted one by one: `collect` into a BTreeSet sorts first, a sort instance of its own.
    let mut other_outcomes = std::collections::BTreeSet::<u32>::new();
    if let Some(Verdict::Conditional { cases }) =
        handled_arches().next().map(|a| &a.other_numbers.verdict)
    {
        for c in cases {
            if let Outcome::Ret(r) = c.outcome {
                other_outcomes.insert(r);
            }
        }
    }
    let mut counts: std::collections::BTreeMap<u32, usize> = Default::default();
    for r in arches.iter().flat_map(|a| a.rows.iter()) {
        if let (Some(abi), Verdict::Constant { ret, .. }) = (r.abi, &r.verdict) {
            if handled.contains(&abi) {
                *counts.entry(*ret).or_default() += 1;
            }
        }
    }
    let most = |keep: &dyn Fn(u32) -> bool| {
        counts
            .iter()
            .filter(|(r, _)| keep(**r))
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r)))
            .map(|(r, _)| *r)
    };
    let default_ret = other
        .or_else(|| most(&|r| other_outcomes.contains(&r)))
        .or_else(|| most(&|_| true));
    let mut an = FilterAnalysis {
        lengths: newest_first.iter().map(|p| p.len()).collect(),
        endian,
        arches,
        other_arches,
        default_ret,
    };
    if let Some(d) = default_ret {
        let rows = an
            .arches
            .iter_mut()
            .flat_map(|a| {
                a.rows
                    .iter_mut()
                    .chain(std::iter::once(&mut a.other_numbers))
            })
            .chain(std::iter::once(&mut an.other_arches));
        for r in rows {
            if let Verdict::Conditional { cases } = &mut r.verdict {
                if let Some(i) = cases.iter().position(|c| c.outcome == Outcome::Ret(d)) {
                    let c = cases.remove(i);
                    cases.push(c);
                }
            }
        }
    }
    Ok(an)
}

/// Whether the filter treats ABI `abi` as its own: not every row of it is KILL_THREAD
/// (libseccomp's bad-arch action, which is also what x32 numbers get in a filter for x86_64
/// alone). A filter of one ABI handles it whatever its rows.
pub fn handles(arches: &[ArchRows], abi: Arch) -> bool {
    if arches.iter().map(|a| a.abis.len()).sum::<usize>() == 1 {
        return true;
    }
    let badarch = Action::KillThread.to_ret();
    arches
        .iter()
        .flat_map(|a| a.rows.iter())
        .filter(|r| r.abi == Some(abi))
        .any(|r| !matches!(r.verdict, Verdict::Constant { ret, .. } if ret == badarch))
}

fn ne(word: u8, v: u32) -> Atom {
    Atom {
        lhs: Expr::Word(word),
        op: BPF_JEQ,
        rhs: Expr::Const(v),
        holds: false,
    }
}

/// The units of the analysis' budget each filter of a stack costs per row, before its own
/// instructions: a stack of 6,553 one-instruction filters (the most the kernel takes) spends
/// the budget within the first rows instead of exploring every filter of every row.
pub const STACK_FILTER_COST: usize = 64;

fn charge(total: &mut usize, units: usize) -> Result<(), LimitError> {
    if *total < units {
        *total = 0;
        return Err(LimitError {
            pc: 0,
            what: "the analysis' budget of executed instructions (all rows together) is spent: this row is not analysed".into(),
        });
    }
    *total -= units;
    Ok(())
}

/// The paths of a stack for one query: every filter's paths, combined.
pub fn stack_paths(
    newest_first: &[&[Insn]],
    known: &[(u8, u32)],
    pre: &[Atom],
    limits: Limits,
    total: &mut usize,
) -> Result<Vec<StackPath>, LimitError> {
    let mut rng = Rng::new(0x57ac);
    let mut acc: Vec<StackPath> = vec![StackPath {
        atoms: vec![],
        ends: vec![],
        end_pcs: vec![],
        ret: Some(crate::action::RET_ALLOW),
        witness: None,
    }];
    let single = newest_first.len() == 1;
    for p in newest_first {
        // In a stack, combining costs work too: every filter of every row counts
        // STACK_FILTER_COST units, every combination its atoms / 8 (the feasibility check), so
        // a stack of thousands of tiny filters stops within the budget like one long program.
        if !single {
            charge(total, STACK_FILTER_COST)?;
        }
        let paths = sym::explore(p, known, pre, limits, total)?;
        let mut next = Vec::new();
        for a in &acc {
            for q in &paths {
                let mut atoms = a.atoms.clone();
                atoms.extend(q.atoms.iter().cloned());
                let witness = if single {
                    q.witness
                } else {
                    let mut all = pre.to_vec();
                    all.extend(atoms.iter().cloned());
                    match sym::feasible(&all, &mut rng, 16) {
                        Feasible::No => continue,
                        Feasible::Witness(mut w) => {
                            for &(i, v) in known {
                                w[i as usize] = v;
                            }
                            Some(w)
                        }
                        Feasible::Unproven => None,
                    }
                };
                if !single {
                    charge(total, 1 + atoms.len() / 8)?;
                }
                let mut ends = a.ends.clone();
                ends.push(q.end.clone());
                let mut end_pcs = a.end_pcs.clone();
                end_pcs.push(q.end_pc);
                next.push(StackPath {
                    atoms,
                    ends,
                    end_pcs,
                    ret: None,
                    witness,
                });
                if next.len() > limits.max_paths {
                    return Err(LimitError {
                        pc: q.end_pc,
                        what: format!(
                            "more than {} combined paths of the stack for one query",
                            limits.max_paths
                        ),
                    });
                }
            }
        }
        acc = next;
    }
    for p in &mut acc {
        let rets = const_rets(&p.ends);
        p.ret = rets.map(|r| match r.as_slice() {
            [one] => *one,
            _ => combine_stacked(r),
        });
    }
    Ok(acc)
}

fn row(
    newest_first: &[&[Insn]],
    known: &[(u8, u32)],
    pre: &[Atom],
    opts: &Options,
    endian: Endian,
    total: &mut usize,
) -> Row {
    let abi = known
        .iter()
        .find(|k| k.0 == ARCH)
        .and_then(|k| Arch::from_audit_arch(k.1).first().copied());
    let nr = known.iter().find(|k| k.0 == NR).map(|k| k.1);
    let (verdict, paths) = match stack_paths(newest_first, known, pre, opts.limits, total) {
        Err(limit) => (Verdict::TooComplex { limit }, vec![]),
        Ok(paths) => (verdict_of(&paths, abi, nr, endian), paths),
    };
    Row {
        abi: None,
        nr: None,
        name: None,
        verdict,
        paths,
    }
}

fn outcome_of(p: &StackPath, endian: Endian) -> Outcome {
    if let Some(r) = p.ret {
        return Outcome::Ret(r);
    }
    for e in &p.ends {
        match e {
            End::Error(RunError { pc, kind }) => {
                return Outcome::Error(
                    RunError {
                        pc: *pc,
                        kind: kind.clone(),
                    }
                    .to_string(),
                )
            }
            End::Ret(Expr::Const(_)) => {}
            End::Ret(x) => {
                let a = Atom {
                    lhs: x.clone(),
                    op: BPF_JEQ,
                    rhs: Expr::Const(0),
                    holds: true,
                };
                let t = cond::atom_text(&a, endian);
                return Outcome::Computed(t.trim_end_matches(" == 0x0").to_string());
            }
        }
    }
    Outcome::Error("no path".into())
}

fn verdict_of(paths: &[StackPath], abi: Option<Arch>, nr: Option<u32>, endian: Endian) -> Verdict {
    let mut outcomes: Vec<(Outcome, Vec<&StackPath>)> = Vec::new();
    for p in paths {
        let o = outcome_of(p, endian);
        match outcomes.iter_mut().find(|x| x.0 == o) {
            Some(x) => x.1.push(p),
            None => outcomes.push((o, vec![p])),
        }
    }
    if let [(Outcome::Ret(r), _)] = outcomes.as_slice() {
        return Verdict::Constant {
            ret: *r,
            action: crate::analysis::describe_action(*r),
        };
    }
    let bits32 = abi.is_some_and(|a| a.bits() == 32);
    let name = match (abi, nr) {
        (Some(a), Some(n)) => syscalls::name(a, n),
        _ => None,
    };
    // The outcome of the last path (every test false: the fall-through) goes last.
    if let Some(last) = paths.last().map(|p| outcome_of(p, endian)) {
        if let Some(i) = outcomes.iter().position(|o| o.0 == last) {
            let o = outcomes.remove(i);
            outcomes.push(o);
        }
    }
    let cases = outcomes
        .into_iter()
        .map(|(outcome, ps)| {
            let shapes: Vec<cond::Shape> = ps
                .iter()
                .map(|p| cond::shape(&p.atoms, endian, bits32))
                .collect();
            let when: Vec<Conj> = cond::merge(shapes)
                .iter()
                .flat_map(|s| cond::conjunctions(s, bits32))
                .collect();
            let text = when
                .iter()
                .map(|c| {
                    c.iter()
                        .map(|x| cond::cond_text(name, x))
                        .collect::<Vec<_>>()
                        .join(" && ")
                })
                .collect();
            Case {
                outcome,
                when,
                text,
            }
        })
        .collect();
    Verdict::Conditional { cases }
}

impl FilterAnalysis {
    /// Every row (ABI rows by number, then their "other numbers", then "other arches").
    pub fn all_rows(&self) -> impl Iterator<Item = &Row> {
        self.arches
            .iter()
            .flat_map(|a| a.rows.iter().chain(std::iter::once(&a.other_numbers)))
            .chain(std::iter::once(&self.other_arches))
    }

    /// The rows of one ABI (by its table), if the filter sees its `AUDIT_ARCH_*` value.
    pub fn rows_of(&self, abi: Arch) -> Vec<&Row> {
        self.arches
            .iter()
            .filter(|a| a.abis.contains(&abi))
            .flat_map(|a| a.rows.iter())
            .filter(|r| r.abi == Some(abi))
            .collect()
    }
}

/// The word atoms `(w & m) OP k` of a path, for shells that show raw conditions.
pub fn simple_atoms(p: &StackPath) -> Vec<Simple> {
    p.atoms.iter().filter_map(Atom::simple).collect()
}

/// One line per row: `clone(clone_flags & CLONE_NEWUSER) → ERRNO(EPERM)`; constant rows are
/// `read → ALLOW`.
pub fn row_lines(r: &Row) -> Vec<String> {
    let name = r
        .name
        .map(str::to_string)
        .or_else(|| r.nr.map(|n| format!("#{n}")))
        .unwrap_or_else(|| "(other)".into());
    match &r.verdict {
        Verdict::Constant { action, .. } => vec![format!("{name} → {action}")],
        Verdict::TooComplex { limit } => vec![format!("{name} → not analysed: {limit}")],
        Verdict::Conditional { cases } => {
            let mut out = Vec::new();
            let n = cases.len();
            for (i, c) in cases.iter().enumerate() {
                if i + 1 == n {
                    out.push(format!("{name}(otherwise) → {}", c.outcome.describe()));
                } else {
                    for t in &c.text {
                        out.push(format!("{name}({t}) → {}", c.outcome.describe()));
                    }
                }
            }
            out
        }
    }
}

/// A row in a few words, as `raw table` prints it: the action, `conditional: A / B`, or
/// `not analysed (why)`.
pub fn verdict_short(r: &Row) -> String {
    match &r.verdict {
        Verdict::Constant { action, .. } => action.clone(),
        Verdict::Conditional { cases } => format!(
            "conditional: {}",
            cases
                .iter()
                .map(|c| c.outcome.describe())
                .collect::<Vec<_>>()
                .join(" / ")
        ),
        Verdict::TooComplex { limit } => format!("not analysed ({limit})"),
    }
}

/// Each filter's return value on a stack path, newest first, or `None` when one filter's end
/// is not a constant (`ret a`, or no verdict).
fn const_rets(ends: &[End]) -> Option<Vec<u32>> {
    ends.iter()
        .map(|e| match e {
            End::Ret(Expr::Const(v)) => Some(*v),
            _ => None,
        })
        .collect()
}

/// The filters of the stack (0 = newest) whose value the kernel takes on some path of the
/// row ([`crate::action::deciding_filter`]), in order; empty when no path ends in constants.
pub fn deciders(r: &Row) -> Vec<usize> {
    let mut out: Vec<usize> = r
        .paths
        .iter()
        .filter_map(|p| crate::action::deciding_filter(&const_rets(&p.ends)?))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The action of a constant row, if it is one.
pub fn constant(r: &Row) -> Option<Action> {
    match r.verdict {
        Verdict::Constant { ret, .. } => Some(Action::from_ret(ret)),
        _ => None,
    }
}
