//! The compiler: rule database → classic BPF.
//!
//! Layout: `ld arch`, one `jeq` per ABI group, `ret badarch`. Each ABI block loads the syscall
//! number once and finds its outcome by a weighted search over ranges of numbers with equal
//! outcome (runc's ENOSYS stub and the bad-arch checks for x32 numbers are folded into the
//! ranges): `jge` splits, and leaves that test up to three single numbers by `jeq` inside a
//! stretch of one outcome. The search minimises the expected comparisons when every number of
//! the native ABI's table is equally likely, then is rebalanced so that the usual call (zero
//! arguments) of every native syscall fits in [`MAX_USUAL_PATH`] instructions. In a block of
//! two ABIs (x86_64 and x32) the second's numbers are searched apart and hang off the first's
//! search as one range. A range whose syscall has argument rules continues into code
//! specialised from the rule database's decision DAG: the DAG is partially evaluated under
//! what the path already knows (intervals of each argument word, the accumulator's content),
//! so no comparison is repeated and the accumulator is reloaded exactly when it holds another
//! word — the flaw of libseccomp's generator (§2.8) cannot happen; equality tests of one word
//! against many values (personality's) become a binary search over the values. Every action
//! is returned by one shared `ret` where jumps reach it, and by a local copy where they would
//! not.
//!
//! Decisions equal [`crate::eval::decide`] for every input (property and differential tests).

use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::bpf::insn::*;
use crate::db::{ArchDb, Cmp, Database, NodeId};
use crate::eval::select;
use std::collections::BTreeMap;

/// Why a database could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CompileError {}

/// A compiled program with the ABI whose byte order it uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiled {
    /// The instructions.
    pub insns: Vec<Insn>,
    /// The native ABI (first in the filter): byte order of `seccomp_data` and of the encoding.
    pub arch: Arch,
}

/// Compiles a database. Programs longer than the kernel's 4096 instructions are an error.
pub fn compile(db: &Database) -> Result<Compiled, CompileError> {
    let native = db.dbs.first().map(|d| d.arch).ok_or_else(|| CompileError {
        message: "the filter has no architecture".into(),
    })?;
    let mut g = Graph::default();
    let badarch = g.ret(db.badarch_action);
    // ABI groups by AUDIT_ARCH value (x86_64 and x32 share one), in filter order.
    let mut groups: Vec<u32> = Vec::new();
    for d in &db.dbs {
        if !groups.contains(&d.arch.audit_arch()) {
            groups.push(d.arch.audit_arch());
        }
    }
    let blocks: Vec<Vec<(u32, Outcome)>> = groups.iter().map(|&a| group_ranges(db, a)).collect();
    // One set of tables for every block's search, as large as the largest needs, kept by
    // the thread for its next compilation (a first plan writes every cell it reads).
    let mut tables = SCRATCH.take();
    tables.reserve(blocks.iter().map(Vec::len).max().unwrap_or(0));
    let mut next = badarch;
    for (index, &audit) in groups.iter().enumerate().rev() {
        let block = compile_group(&mut g, &mut tables, db, audit, &blocks[index], index);
        next = g.add(GNode::Jmp {
            op: BPF_JEQ,
            k: audit,
            t: block,
            f: next,
        });
    }
    SCRATCH.set(tables);
    let entry = g.add(GNode::Load { offset: 4, next });
    let insns = g.linearize(entry);
    if insns.len() > BPF_MAXINSNS {
        return Err(CompileError {
            message: format!(
                "the compiled program has {} instructions; the kernel accepts at most {BPF_MAXINSNS} (seccomp(2) would fail with EINVAL)",
                insns.len()
            ),
        });
    }
    Ok(Compiled {
        insns,
        arch: native,
    })
}

/// What a range of syscall numbers leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Ret(u32),
    Tree(usize, u32),
    /// In the search of a group's first ABI: the other ABIs' numbers, searched apart.
    Others,
}

/// The outcome for `(audit, nr)` with argument trees as opaque leaves; mirrors `eval::decide`.
fn outcome(db: &Database, audit: u32, nr: u32) -> Outcome {
    if let Some(stub) = &db.enosys {
        if let Some(r) = stub.decide(audit, nr) {
            return Outcome::Ret(r);
        }
    }
    match select(db, audit, nr) {
        Err(_) => Outcome::Ret(db.badarch_action),
        Ok(adb) => match adb.syscalls.get(&nr) {
            None => Outcome::Ret(db.default_action),
            Some(s) => match s.action {
                Some(l) => Outcome::Ret(l.action),
                None => {
                    let i = db.dbs.iter().position(|d| d.arch == adb.arch).expect("db");
                    Outcome::Tree(i, nr)
                }
            },
        },
    }
}

/// The ranges of syscall numbers with one outcome each in the block of ABI group `audit`:
/// `[start, next start)`, the last one up to 2^32.
fn group_ranges(db: &Database, audit: u32) -> Vec<(u32, Outcome)> {
    // Breakpoints: every place the outcome can change. runc's stub tests bit 30 with jset, so
    // its answer also changes where bit 30 flips again above it (0x8000_0000, 0xc000_0000).
    let mut bps: Vec<u64> = vec![
        0,
        1,
        X32_SYSCALL_BIT as u64,
        0x8000_0000,
        0xc000_0000,
        u32::MAX as u64,
    ];
    for d in db.dbs.iter().filter(|d| d.arch.audit_arch() == audit) {
        for &nr in d.syscalls.keys() {
            bps.extend([nr as u64, nr as u64 + 1]);
        }
    }
    if let Some(stub) = &db.enosys {
        bps.extend(stub.max.iter().map(|&(_, m)| m as u64 + 1));
    }
    bps.sort();
    bps.dedup();
    let starts: Vec<u32> = bps
        .into_iter()
        .filter(|&b| b <= u32::MAX as u64)
        .map(|b| b as u32)
        .collect();
    // Ranges [start, next start) with merged equal outcomes.
    let mut ranges: Vec<(u32, Outcome)> = Vec::new();
    for &s in &starts {
        let o = outcome(db, audit, s);
        if ranges.last().map(|r| r.1) != Some(o) {
            ranges.push((s, o));
        }
    }
    ranges
}

/// The block of ABI group `audit` over its `ranges`; `index`: the group's place in the filter
/// (its block runs after `index` failed arch tests).
fn compile_group(
    g: &mut Graph,
    tables: &mut DpTables,
    db: &Database,
    audit: u32,
    ranges: &[(u32, Outcome)],
    index: usize,
) -> usize {
    let members: Vec<&ArchDb> = db
        .dbs
        .iter()
        .filter(|d| d.arch.audit_arch() == audit)
        .collect();
    let model = NumberModel::new(&members);
    let weights = model.weights(ranges);
    let primary = model.primary(ranges);
    // The code of every outcome first: its usual path bounds where its leaf may sit.
    let mut code: BTreeMap<Outcome, usize> = BTreeMap::new();
    for &(_, o) in ranges {
        if code.contains_key(&o) {
            continue;
        }
        let id = match o {
            Outcome::Others => unreachable!("only in the first ABI's search"),
            Outcome::Ret(v) => g.ret(v),
            Outcome::Tree(i, nr) => {
                let adb = &db.dbs[i];
                let sys = &adb.syscalls[&nr];
                let ctx = PathCtx {
                    acc: Acc::Word(0, u32::MAX),
                    ..Default::default()
                };
                ArgCompiler {
                    g,
                    db: adb,
                    default: db.default_action,
                    memo: BTreeMap::new(),
                    budget: 20_000,
                }
                .level(sys.chains, &Cont::Done, &ctx)
            }
        };
        code.insert(o, id);
    }
    let tail: Vec<usize> = ranges
        .iter()
        .map(|&(s, o)| g.zero_args_steps(code[&o], s, audit))
        .collect();
    // The native ABI's group is first: `ld arch`, `jeq`, `ld nr` come before its search.
    let budget = (index == 0).then_some(MAX_USUAL_PATH - 3);
    // The numbers of the group's other ABIs (x32's, from bit 30 up) are searched apart and
    // hang off the first ABI's search as one range: x32 numbers, rare, do not shape the
    // x86_64 tree, and each ABI's search is planned over its own ranges only.
    let others = model
        .others_start()
        .and_then(|start| ranges.iter().position(|&(s, _)| s as u64 >= start))
        .filter(|&p| p > 0);
    let body = match others {
        Some(p) => {
            let rest = SearchPlan::balanced(
                &ranges[p..],
                weights[p..].to_vec(),
                &tail[p..],
                &primary[p..],
                None,
                tables,
            );
            let mut head: Vec<(u32, Outcome)> = ranges[..p].to_vec();
            head.push((ranges[p].0, Outcome::Others));
            let mut head_weights = weights[..p].to_vec();
            head_weights.push(weights[p..].iter().sum());
            let head_tail: Vec<usize> = tail[..p].iter().copied().chain([1]).collect();
            let head_primary: Vec<bool> = primary[..p].iter().copied().chain([false]).collect();
            let plan = SearchPlan::balanced(
                &head,
                head_weights,
                &head_tail,
                &head_primary,
                budget,
                tables,
            );
            let rest_entry = rest.emit(g, &ranges[p..], &mut |_, o| code[&o]);
            plan.emit(g, &head, &mut |_, o| match o {
                Outcome::Others => rest_entry,
                o => code[&o],
            })
        }
        None => {
            let plan = SearchPlan::balanced(ranges, weights, &tail, &primary, budget, tables);
            plan.emit(g, ranges, &mut |_, o| code[&o])
        }
    };
    g.add(GNode::Load {
        offset: 0,
        next: body,
    })
}

/// The search's model of which syscall numbers occur: it minimises the expected number of
/// comparisons when every number of the group's first ABI's table — from its lowest to its
/// highest syscall number, the unassigned ones between included (x86_64's 335..423: probes,
/// fuzzers and the project's benchmark call them; the kernel runs the filter for them all
/// the same) — is equally likely. Numbers of the group's other ABIs (x32, which most kernels
/// disable) count [`WEIGHT_SECONDARY`] each, and every range gets [`WEIGHT_FLOOR`] so that
/// numbers outside every table still sit at a bounded depth. docs/BENCHMARKS.md ("Weights")
/// has the measurements behind the choice. Weights are integers in units of 1/1280 of a native
/// number, so the planning is exact arithmetic: no rounding, the same tree on every target.
const WEIGHT_NATIVE: Weight = 1280;
/// See [`WEIGHT_NATIVE`]: 1/64 of a native number.
const WEIGHT_SECONDARY: Weight = 20;
/// See [`WEIGHT_NATIVE`]: 1/20 of a native number.
const WEIGHT_FLOOR: Weight = 64;
/// No weight grows past this when the search is rebalanced, so that sums of weights times
/// depths stay far below `u64::MAX` (at most ~2^12 ranges, each at most ~2^12 deep).
const WEIGHT_MAX: Weight = 1 << 38;

/// A range's weight in the search (see [`WEIGHT_NATIVE`]).
type Weight = u64;
/// A hole of at least this many numbers between two syscalls of an ABI is outside its table
/// (ARM's private calls at 0xf0001.. do not make the million numbers below them likely).
const TABLE_HOLE: u64 = 1024;

/// Where range `i` ends (exclusive): the next range's start, or 2^32 for the last.
fn range_end(ranges: &[(u32, Outcome)], i: usize) -> u64 {
    ranges.get(i + 1).map_or(1 << 32, |r| r.0 as u64)
}

/// The syscall tables of a group's ABIs, for [`WEIGHT_SECONDARY`]'s model.
struct NumberModel {
    /// Per ABI, in filter order: its weight per number and the spans `[lo, hi)` of its table.
    abis: Vec<(Weight, Vec<(u64, u64)>)>,
}

impl NumberModel {
    fn new(members: &[&ArchDb]) -> NumberModel {
        let abis = members
            .iter()
            .enumerate()
            .map(|(m, d)| {
                let scale = if m == 0 {
                    WEIGHT_NATIVE
                } else {
                    WEIGHT_SECONDARY
                };
                let mut spans: Vec<(u64, u64)> = Vec::new();
                for &(_, nr) in crate::syscalls::by_number(d.arch) {
                    let nr = nr as u64;
                    match spans.last_mut() {
                        Some(s) if nr < s.1 + TABLE_HOLE => s.1 = s.1.max(nr + 1),
                        _ => spans.push((nr, nr + 1)),
                    }
                }
                (scale, spans)
            })
            .collect();
        NumberModel { abis }
    }

    /// The weight of each range.
    fn weights(&self, ranges: &[(u32, Outcome)]) -> Vec<Weight> {
        ranges
            .iter()
            .enumerate()
            .map(|(i, &(s, _))| {
                let (s, end) = (s as u64, range_end(ranges, i));
                let mut w = WEIGHT_FLOOR;
                for (scale, spans) in &self.abis {
                    let numbers: u64 = spans
                        .iter()
                        .map(|&(a, b)| b.min(end).saturating_sub(a.max(s)))
                        .sum();
                    w += scale * numbers;
                }
                w
            })
            .collect()
    }

    /// Where the tables of the group's other ABIs begin, if they all lie above the first
    /// ABI's (x32's numbers carry bit 30, above every x86_64 number).
    fn others_start(&self) -> Option<u64> {
        let (_, first) = self.abis.first()?;
        let end = first.last()?.1;
        let start = self.abis[1..]
            .iter()
            .filter_map(|(_, s)| s.first())
            .map(|s| s.0)
            .min()?;
        (start >= end).then_some(start)
    }

    /// For each range, whether it holds numbers of the group's first ABI's table (x86_64
    /// numbers, not x32 ones).
    fn primary(&self, ranges: &[(u32, Outcome)]) -> Vec<bool> {
        let spans = self.abis.first().map_or(&[][..], |(_, s)| &s[..]);
        ranges
            .iter()
            .enumerate()
            .map(|(i, &(s, _))| {
                let end = range_end(ranges, i);
                spans.iter().any(|&(a, b)| a < end && (s as u64) < b)
            })
            .collect()
    }
}

/// The most instructions the usual call of a syscall (all arguments zero) should execute
/// through the filter, for the ABI the filter is for (x86_64 in Docker's amd64 context): the
/// search lifts ranges that would take longer, where it can. libseccomp's binary tree takes
/// up to 24 on Docker's default profile; 14 is the project's target (docs/BENCHMARKS.md).
const MAX_USUAL_PATH: usize = 14;

/// Rounds of reweighting in [`SearchPlan::balanced`] (each runs the dynamic programme once).
const BALANCE_ROUNDS: usize = 12;

/// Equality tests of one word against at least this many values become a binary search.
const MIN_EQUALITY_SEARCH: usize = 4;

/// At most this many single syscall numbers are tested by `jeq` in one leaf of the search.
const MAX_EXCEPTIONS: usize = 3;

/// The search over ranges of syscall numbers: a weighted decision tree whose inner nodes are
/// `jge` splits and whose leaves are either one range or a run of ranges with one outcome
/// interrupted by at most [`MAX_EXCEPTIONS`] single numbers with other outcomes, tested by
/// `jeq` (an allowed stretch with one blocked syscall in it costs one comparison, not two
/// splits). The tree minimises the weighted number of comparisons by Knuth's dynamic
/// programme for optimal alphabetic trees (O(n²) with his root bounds; with exception leaves
/// the bounds make it a close approximation rather than a guaranteed optimum).
struct SearchPlan {
    /// The tree, root first.
    nodes: Vec<PlanNode>,
    weights: Vec<Weight>,
}

/// A node of a [`SearchPlan`] over ranges `i..j`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlanNode {
    /// One range.
    Single(usize),
    /// Ranges `i..j` as one [`exception_leaf`].
    Leaf(usize, usize),
    /// `jge` the start of range `at`: `right` (nodes index) searches `at..j`, `left` `i..at`.
    Split {
        at: usize,
        left: usize,
        right: usize,
    },
}

/// [`DpTables::choice`] of an interval searched as one leaf.
const LEAF: u32 = u32::MAX;

/// A leaf of the search: the base outcome and the single-number exceptions in test order.
struct Leaf {
    cost: Weight,
    base: usize,
    exceptions: [usize; MAX_EXCEPTIONS],
    count: usize,
}

/// The dynamic programme's tables, shared by the blocks and the rounds of
/// [`SearchPlan::balanced`]; a search over `n` ranges uses the first `(n + 1)²` cells.
#[derive(Default)]
struct DpTables {
    /// Cost of the best search of `i..j`, at `i * (n + 1) + j`.
    cost: Vec<Weight>,

    /// Best split of `i..j`, kept even where a leaf wins (Knuth's bounds need it).
    split: Vec<u32>,
    /// What `i..j` is searched by: the first range of the right half, or [`LEAF`].
    choice: Vec<u32>,
}

thread_local! {
    /// The dynamic programme's tables between two compilations on this thread.
    static SCRATCH: std::cell::Cell<DpTables> = const {
        std::cell::Cell::new(DpTables {
            cost: Vec::new(),
            split: Vec::new(),
            choice: Vec::new(),
        })
    };
}

impl DpTables {
    /// Tables for searches over at most `n` ranges.
    #[cfg(test)]
    fn new(n: usize) -> DpTables {
        let mut t = DpTables::default();
        t.reserve(n);
        t
    }

    /// Grows the tables to hold searches over `n` ranges (cells keep what they hold).
    fn reserve(&mut self, n: usize) {
        let cells = (n + 1) * (n + 1);
        if self.cost.len() < cells {
            self.cost.resize(cells, 0);
            self.split.resize(cells, 0);
            self.choice.resize(cells, LEAF);
        }
    }
}

impl SearchPlan {
    /// The plan for weights `w`. `changed`: the ranges whose weight changed since the plan
    /// the tables `t` hold (`None`: a first plan); only the intervals holding one of them are
    /// worked out again, the others' cells are still right.
    fn new(
        ranges: &[(u32, Outcome)],
        w: &[Weight],
        t: &mut DpTables,
        changed: Option<&[bool]>,
    ) -> SearchPlan {
        let n = ranges.len();
        // The first changed range at or after each index (n: none).
        let mut next_changed = vec![n; n + 1];
        for i in (0..n).rev() {
            next_changed[i] = match changed {
                Some(c) if !c[i] => next_changed[i + 1],
                _ => i,
            };
        }
        let mut prefix: Vec<Weight> = vec![0; n + 1];
        for i in 0..n {
            prefix[i + 1] = prefix[i] + w[i];
        }
        let stride = n + 1;
        let cells = stride * stride;
        // Every cell read below was written by this plan or, when it is unchanged, by the
        // previous one of the same search.
        assert!(t.cost.len() >= cells && t.split.len() >= cells && t.choice.len() >= cells);
        // Row by row from the last: interval i..j reads row i left of j (this row, done) and
        // rows below i at column j (done), so every row is a contiguous slice.
        for i in (0..n).rev() {
            let (above, below) = t.cost[..cells].split_at_mut((i + 1) * stride);
            let cost = &mut above[i * stride..];
            let (split_above, split_below) = t.split[..cells].split_at_mut((i + 1) * stride);
            let split = &mut split_above[i * stride..];
            let choice = &mut t.choice[i * stride..(i + 1) * stride];
            cost[i + 1] = 0;
            split[i + 1] = i as u32;
            choice[i + 1] = LEAF;
            // Intervals i..j without a changed range are still right.
            for j in (i + 2).max(next_changed[i] + 1)..=n {
                let (lo, hi) = if j == i + 2 {
                    (i + 1, i + 1)
                } else {
                    // Knuth's bounds: split(i, j-1) ≤ split(i, j) ≤ split(i+1, j).
                    let lo = (split[j - 1] as usize).max(i + 1);
                    (lo, (split_below[j] as usize).min(j - 1).max(lo))
                };
                let mut best = (Weight::MAX, lo);
                for k in lo..hi + 1 {
                    // cost(i, k) + cost(k, j); row k sits k - i - 1 rows into `below`.
                    let c = cost[k] + below[(k - i - 1) * stride + j];
                    if c < best.0 {
                        best = (c, k);
                    }
                }
                let mut c = best.0 + (prefix[j] - prefix[i]);
                split[j] = best.1 as u32;
                choice[j] = best.1 as u32;
                if j - i <= 2 * MAX_EXCEPTIONS + 1 {
                    if let Some(l) = exception_leaf(ranges, w, i, j) {
                        if l.cost < c {
                            c = l.cost;
                            choice[j] = LEAF;
                        }
                    }
                }
                cost[j] = c;
            }
        }
        let mut nodes = Vec::new();
        SearchPlan::extract(&t.choice, n, 0, n, &mut nodes);
        SearchPlan {
            nodes,
            weights: w.to_vec(),
        }
    }

    /// Appends the tree the tables' `choice` gives for `i..j` to `nodes`; returns its index.
    fn extract(choice: &[u32], n: usize, i: usize, j: usize, nodes: &mut Vec<PlanNode>) -> usize {
        let me = nodes.len();
        if j - i == 1 {
            nodes.push(PlanNode::Single(i));
            return me;
        }
        let k = choice[i * (n + 1) + j];
        if k == LEAF {
            nodes.push(PlanNode::Leaf(i, j));
            return me;
        }
        let at = k as usize;
        nodes.push(PlanNode::Split {
            at,
            left: 0,
            right: 0,
        });
        let left = SearchPlan::extract(choice, n, i, at, nodes);
        let right = SearchPlan::extract(choice, n, at, j, nodes);
        nodes[me] = PlanNode::Split { at, left, right };
        me
    }

    /// The plan for `weights`, then reweighted so that the usual call (`tail`: the
    /// instructions of each range's code with zero arguments, `ret` included) of every range
    /// of the group's first ABI (`primary`) fits in `budget` instructions from the start of
    /// the search (the native group; `None` for the others), and no other argument-checked
    /// range is slower than this search's slowest plain one. A range `k` instructions over the
    /// budget gets its weight multiplied by 2^k (over the moving plain bound: 2^(k+1)), for at
    /// most [`BALANCE_ROUNDS`] rounds, each redoing only the intervals that hold a reweighted
    /// range; the first plan within every bound wins, failing that the one with the shortest
    /// worst path of the first ABI, then of the whole search (ties: the first, the least
    /// reweighted).
    fn balanced(
        ranges: &[(u32, Outcome)],
        mut weights: Vec<Weight>,
        tail: &[usize],
        primary: &[bool],
        budget: Option<usize>,
        tables: &mut DpTables,
    ) -> SearchPlan {
        let mut best: Option<((usize, usize), SearchPlan)> = None;
        let longest = |total: &[usize], keep: &dyn Fn(usize) -> bool| {
            (0..ranges.len())
                .filter(|&r| keep(r))
                .map(|r| total[r])
                .max()
                .unwrap_or(0)
        };
        let mut changed: Option<Vec<bool>> = None;
        for _ in 0..BALANCE_ROUNDS {
            let plan = SearchPlan::new(ranges, &weights, tables, changed.as_deref());
            let depth = plan.depths(ranges);
            let total: Vec<usize> = depth.iter().zip(tail).map(|(d, t)| d + t).collect();
            let plain = longest(&total, &|r| tail[r] == 1);
            let bound = |r: usize| match budget {
                Some(b) if primary[r] => b,
                _ if tail[r] > 1 => plain,
                _ => usize::MAX,
            };
            if (0..ranges.len()).all(|r| total[r] <= bound(r)) {
                return plan;
            }
            let key = (longest(&total, &|r| primary[r]), longest(&total, &|_| true));
            if best.as_ref().is_none_or(|(k, _)| key < *k) {
                best = Some((key, plan));
            }
            let mut now = vec![false; ranges.len()];
            for r in 0..ranges.len() {
                if total[r] > bound(r) {
                    now[r] = true;
                    let over = (total[r] - bound(r)).min(20) as u32;
                    // Within the budget, gently (the cheapest tree that fits); against the
                    // moving bound of the slowest plain path, firmly (it converges).
                    let factor: Weight = match budget {
                        Some(_) if primary[r] => 1 << over,
                        _ => 2 << over,
                    };
                    weights[r] = weights[r].saturating_mul(factor).min(WEIGHT_MAX);
                }
            }
            changed = Some(now);
        }
        best.expect("at least one round").1
    }

    /// For each range, the comparisons the search executes before its code.
    fn depths(&self, ranges: &[(u32, Outcome)]) -> Vec<usize> {
        let mut out = vec![0; ranges.len()];
        let mut stack = vec![(0usize, 0usize)];
        while let Some((node, d)) = stack.pop() {
            match self.nodes[node] {
                PlanNode::Single(i) => out[i] = d,
                PlanNode::Leaf(i, j) => {
                    let l = exception_leaf(ranges, &self.weights, i, j).expect("planned leaf");
                    out[i..j].fill(d + l.count);
                    for (t, &e) in l.exceptions[..l.count].iter().enumerate() {
                        out[e] = d + t + 1;
                    }
                }
                PlanNode::Split { left, right, .. } => {
                    stack.push((left, d + 1));
                    stack.push((right, d + 1));
                }
            }
        }
        out
    }

    /// Emits the search; `leaf_code` gives the code of one outcome.
    fn emit(
        &self,
        g: &mut Graph,
        ranges: &[(u32, Outcome)],
        leaf_code: &mut impl FnMut(&mut Graph, Outcome) -> usize,
    ) -> usize {
        self.emit_node(g, ranges, 0, leaf_code)
    }

    fn emit_node(
        &self,
        g: &mut Graph,
        ranges: &[(u32, Outcome)],
        node: usize,
        leaf_code: &mut impl FnMut(&mut Graph, Outcome) -> usize,
    ) -> usize {
        match self.nodes[node] {
            PlanNode::Single(i) => leaf_code(g, ranges[i].1),
            PlanNode::Leaf(i, j) => {
                let l = exception_leaf(ranges, &self.weights, i, j).expect("planned leaf");
                let mut next = leaf_code(g, ranges[l.base].1);
                for &e in l.exceptions[..l.count].iter().rev() {
                    let t = leaf_code(g, ranges[e].1);
                    next = g.add(GNode::Jmp {
                        op: BPF_JEQ,
                        k: ranges[e].0,
                        t,
                        f: next,
                    });
                }
                next
            }
            PlanNode::Split { at, left, right } => {
                let right = self.emit_node(g, ranges, right, leaf_code);
                let left = self.emit_node(g, ranges, left, leaf_code);
                g.add(GNode::Jmp {
                    op: BPF_JGE,
                    k: ranges[at].0,
                    t: right,
                    f: left,
                })
            }
        }
    }
}

/// Ranges `i..j` as one leaf, if they are one outcome (the base: that of every range wider
/// than one number, or the heaviest) with at most [`MAX_EXCEPTIONS`] single numbers of other
/// outcomes. Cost: the exceptions are tested heaviest first; the base pays for all tests.
fn exception_leaf(ranges: &[(u32, Outcome)], w: &[Weight], i: usize, j: usize) -> Option<Leaf> {
    let single = |r: usize| r + 1 < ranges.len() && ranges[r + 1].0 == ranges[r].0.wrapping_add(1);
    let mut base: Option<usize> = None;
    for r in i..j {
        if !single(r) {
            match base {
                Some(b) if ranges[b].1 != ranges[r].1 => return None,
                Some(_) => {}
                None => base = Some(r),
            }
        }
    }
    let base = base.unwrap_or_else(|| {
        (i..j)
            .max_by(|&a, &b| w[a].cmp(&w[b]).then(b.cmp(&a)))
            .expect("non-empty")
    });
    let mut exceptions = [0usize; MAX_EXCEPTIONS];
    let mut count = 0;
    let mut base_weight: Weight = 0;
    for r in i..j {
        if ranges[r].1 == ranges[base].1 {
            base_weight += w[r];
        } else {
            if count == MAX_EXCEPTIONS {
                return None;
            }
            exceptions[count] = r;
            count += 1;
        }
    }
    exceptions[..count].sort_by(|&a, &b| w[b].cmp(&w[a]).then(a.cmp(&b)));
    let mut cost = base_weight * count as Weight;
    for (t, &e) in exceptions[..count].iter().enumerate() {
        cost += (t + 1) as Weight * w[e];
    }
    Some(Leaf {
        cost,
        base,
        exceptions,
        count,
    })
}

// ------------------------------------------------------------------ argument DAG compilation

/// What the accumulator holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Acc {
    #[default]
    Unknown,
    /// `word(offset) & mask`.
    Word(u32, u32),
}

/// What a path knows: the accumulator, an interval per word, and masked-test results.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct PathCtx {
    acc: Acc,
    ranges: BTreeMap<u32, (u32, u32)>,
    facts: BTreeMap<(u32, u32, u32, u8), bool>,
}

impl PathCtx {
    fn range(&self, off: u32) -> (u32, u32) {
        self.ranges.get(&off).copied().unwrap_or((0, u32::MAX))
    }

    /// The comparison's result if the path already decides it.
    fn known(&self, off: u32, mask: u32, cmp: Cmp, d: u32) -> Option<bool> {
        if mask == 0 {
            // The masked word is 0 whatever the argument (libseccomp's high-word test of a
            // 32-bit mask): the comparison is a constant.
            return Some(match cmp {
                Cmp::Eq | Cmp::MaskedEq | Cmp::Ge => d == 0,
                Cmp::Gt => false,
            });
        }
        if mask != u32::MAX {
            return self.facts.get(&(off, mask, d, cmp_code(cmp))).copied();
        }
        let (lo, hi) = self.range(off);
        match cmp {
            Cmp::Eq | Cmp::MaskedEq => {
                if lo == hi && lo == d {
                    Some(true)
                } else if d < lo || d > hi {
                    Some(false)
                } else {
                    None
                }
            }
            Cmp::Gt => {
                if lo > d {
                    Some(true)
                } else if hi <= d {
                    Some(false)
                } else {
                    None
                }
            }
            Cmp::Ge => {
                if lo >= d {
                    Some(true)
                } else if hi < d {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }

    fn learn(&self, off: u32, mask: u32, cmp: Cmp, d: u32, r: bool) -> PathCtx {
        let mut c = self.clone();
        c.acc = Acc::Word(off, mask);
        if mask != u32::MAX {
            c.facts.insert((off, mask, d, cmp_code(cmp)), r);
            return c;
        }
        let (mut lo, mut hi) = self.range(off);
        match (cmp, r) {
            (Cmp::Eq | Cmp::MaskedEq, true) => (lo, hi) = (d, d),
            (Cmp::Eq | Cmp::MaskedEq, false) => {
                if lo == d {
                    lo = d.saturating_add(1);
                } else if hi == d {
                    hi = d.saturating_sub(1);
                }
            }
            (Cmp::Gt, true) => lo = lo.max(d.saturating_add(1)),
            (Cmp::Gt, false) => hi = hi.min(d),
            (Cmp::Ge, true) => lo = lo.max(d),
            (Cmp::Ge, false) => hi = hi.min(d.saturating_sub(1)),
        }
        c.ranges.insert(off, (lo, hi));
        c
    }
}

fn cmp_code(c: Cmp) -> u8 {
    match c {
        Cmp::Eq | Cmp::MaskedEq => 0,
        Cmp::Gt => 1,
        Cmp::Ge => 2,
    }
}

/// Where evaluation continues when a level falls through: the next siblings of the levels
/// above, innermost first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cont {
    Done,
    Then(Option<NodeId>, Box<Cont>),
}

struct ArgCompiler<'a> {
    g: &'a mut Graph,
    db: &'a ArchDb,
    default: u32,
    memo: BTreeMap<(Option<NodeId>, Cont, PathCtx), usize>,
    budget: usize,
}

impl ArgCompiler<'_> {
    /// Code for evaluating from `pos` (a node, evaluated with its following siblings) on.
    fn level(&mut self, level: Option<NodeId>, cont: &Cont, ctx: &PathCtx) -> usize {
        let start = level.map(|mut n| {
            while let Some(p) = self.db.nodes[n].prev {
                n = p;
            }
            n
        });
        self.at(start, cont, ctx)
    }

    fn at(&mut self, pos: Option<NodeId>, cont: &Cont, ctx: &PathCtx) -> usize {
        let Some(n) = pos else {
            return match cont {
                Cont::Done => self.g.ret(self.default),
                Cont::Then(next, up) => {
                    let up = (**up).clone();
                    self.at(*next, &up, ctx)
                }
            };
        };
        // Past the budget, stop specialising on path knowledge (still correct).
        let ctx = if self.budget == 0 {
            PathCtx::default()
        } else {
            ctx.clone()
        };
        let key = (Some(n), cont.clone(), ctx.clone());
        if let Some(&id) = self.memo.get(&key) {
            return id;
        }
        self.budget = self.budget.saturating_sub(1);
        let node = &self.db.nodes[n];
        let (off, mask, cmp, d) = (node.offset, node.mask, node.cmp, node.datum);
        let run = self.equality_run(n, &ctx);
        if run.len() >= MIN_EQUALITY_SEARCH {
            let id = self.equality_search(n, run, cont, &ctx);
            self.memo.insert(key, id);
            return id;
        }
        let id = match ctx.known(off, mask, cmp, d) {
            Some(r) => self.branch(n, r, cont, &ctx),
            None => {
                let t = self.branch(n, true, cont, &ctx.learn(off, mask, cmp, d, true));
                let f = self.branch(n, false, cont, &ctx.learn(off, mask, cmp, d, false));
                let op = match cmp {
                    Cmp::Eq | Cmp::MaskedEq => BPF_JEQ,
                    Cmp::Gt => BPF_JGT,
                    Cmp::Ge => BPF_JGE,
                };
                let id = self.g.add(GNode::Jmp { op, k: d, t, f });
                self.with_word(ctx.acc, off, mask, id)
            }
        };
        self.memo.insert(key, id);
        id
    }

    /// The siblings from `n` on that test the same word for equality with distinct values
    /// and fall through to the next sibling when false: only one of them can hold, so their
    /// order does not matter and a binary search may replace the chain. Sorted by value;
    /// a repeated value (unreachable when true) is left out.
    fn equality_run(&self, n: NodeId, ctx: &PathCtx) -> Vec<(u32, NodeId)> {
        let first = &self.db.nodes[n];
        let mut run: Vec<(u32, NodeId)> = Vec::new();
        let mut pos = Some(n);
        while let Some(m) = pos {
            let node = &self.db.nodes[m];
            let same_word = node.offset == first.offset && node.mask == first.mask;
            let plain_eq = matches!(node.cmp, Cmp::Eq | Cmp::MaskedEq);
            let falls_through = node.act_f.is_none() && node.nxt_f.is_none();
            if !(same_word && plain_eq && falls_through)
                || ctx
                    .known(node.offset, node.mask, node.cmp, node.datum)
                    .is_some()
            {
                break;
            }
            if !run.iter().any(|&(d, _)| d == node.datum) {
                run.push((node.datum, m));
            }
            pos = node.next;
        }
        run.sort_unstable();
        run
    }

    /// A binary search over an [`Self::equality_run`] starting at `n`; where no value
    /// matches, evaluation continues after the run.
    fn equality_search(
        &mut self,
        n: NodeId,
        run: Vec<(u32, NodeId)>,
        cont: &Cont,
        ctx: &PathCtx,
    ) -> usize {
        let (off, mask) = (self.db.nodes[n].offset, self.db.nodes[n].mask);
        // The node after the run: follow the siblings past every member.
        let mut after = Some(n);
        while let Some(m) = after {
            let node = &self.db.nodes[m];
            let member = node.offset == off
                && node.mask == mask
                && matches!(node.cmp, Cmp::Eq | Cmp::MaskedEq)
                && node.act_f.is_none()
                && node.nxt_f.is_none()
                && ctx.known(off, mask, node.cmp, node.datum).is_none();
            if !member {
                break;
            }
            after = node.next;
        }
        let mut loaded = ctx.clone();
        loaded.acc = Acc::Word(off, mask);
        let miss = self.at(after, cont, &loaded);
        let id = self.search_values(&run, off, mask, miss, cont, &loaded);
        self.with_word(ctx.acc, off, mask, id)
    }

    /// `next`, preceded by loading `word(off) & mask` unless the accumulator `acc` holds it.
    fn with_word(&mut self, acc: Acc, off: u32, mask: u32, next: usize) -> usize {
        if acc == Acc::Word(off, mask) {
            return next;
        }
        let mut id = next;
        if mask != u32::MAX {
            id = self.g.add(GNode::And { k: mask, next: id });
        }
        self.g.add(GNode::Load {
            offset: off,
            next: id,
        })
    }

    fn search_values(
        &mut self,
        run: &[(u32, NodeId)],
        off: u32,
        mask: u32,
        miss: usize,
        cont: &Cont,
        ctx: &PathCtx,
    ) -> usize {
        if run.len() < MIN_EQUALITY_SEARCH {
            let mut next = miss;
            for &(d, m) in run.iter().rev() {
                let t = self.branch(m, true, cont, &ctx.learn(off, mask, Cmp::Eq, d, true));
                next = self.g.add(GNode::Jmp {
                    op: BPF_JEQ,
                    k: d,
                    t,
                    f: next,
                });
            }
            return next;
        }
        let mid = run.len() / 2;
        let right = self.search_values(&run[mid..], off, mask, miss, cont, ctx);
        let left = self.search_values(&run[..mid], off, mask, miss, cont, ctx);
        self.g.add(GNode::Jmp {
            op: BPF_JGE,
            k: run[mid].0,
            t: right,
            f: left,
        })
    }

    fn branch(&mut self, n: NodeId, r: bool, cont: &Cont, ctx: &PathCtx) -> usize {
        let node = &self.db.nodes[n];
        let (act, sub) = if r {
            (node.act_t, node.nxt_t)
        } else {
            (node.act_f, node.nxt_f)
        };
        let next = node.next;
        if let Some(a) = act {
            return self.g.ret(a.action);
        }
        match sub {
            Some(s) => {
                let c = Cont::Then(next, Box::new(cont.clone()));
                self.level(Some(s), &c, ctx)
            }
            None => self.at(next, cont, ctx),
        }
    }
}

// ------------------------------------------------------------------ program graph and layout

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum GNode {
    Ret(u32),
    Load { offset: u32, next: usize },
    And { k: u32, next: usize },
    Jmp { op: u16, k: u32, t: usize, f: usize },
}

#[derive(Default)]
struct Graph {
    nodes: Vec<GNode>,
    dedup: BTreeMap<GNode, usize>,
}

impl Graph {
    /// Adds a node, sharing an identical one (hash-consing keeps the program small).
    fn add(&mut self, n: GNode) -> usize {
        // A jump whose branches agree is no jump.
        if let GNode::Jmp { t, f, .. } = n {
            if t == f {
                return t;
            }
        }
        if let Some(&id) = self.dedup.get(&n) {
            return id;
        }
        self.nodes.push(n);
        let id = self.nodes.len() - 1;
        self.dedup.insert(n, id);
        id
    }

    fn ret(&mut self, v: u32) -> usize {
        self.add(GNode::Ret(v))
    }

    /// The instructions a run from `node` executes (its `ret` included) for syscall `nr` of
    /// the ABI `audit` with every argument and the instruction pointer zero: the call the
    /// benchmarks time, and the commonest one for the argument-checked syscalls of Docker's
    /// profile (`personality(0)`, `clone(SIGCHLD)`'s flags without namespace bits).
    fn zero_args_steps(&self, mut node: usize, nr: u32, audit: u32) -> usize {
        let mut a = 0u32;
        let mut steps = 1;
        loop {
            match self.nodes[node] {
                GNode::Ret(_) => return steps,
                GNode::Load { offset, next } => {
                    a = match offset {
                        0 => nr,
                        4 => audit,
                        _ => 0,
                    };
                    node = next;
                }
                GNode::And { k, next } => {
                    a &= k;
                    node = next;
                }
                GNode::Jmp { op, k, t, f } => {
                    let taken = match op {
                        BPF_JEQ => a == k,
                        BPF_JGT => a > k,
                        BPF_JGE => a >= k,
                        _ => a & k != 0, // BPF_JSET
                    };
                    node = if taken { t } else { f };
                }
            }
            steps += 1;
        }
    }

    /// Orders the nodes (depth first, false branch falling through) and resolves jumps;
    /// a conditional jump farther than 255 goes through a `ja`, or to a local `ret` copy.
    fn linearize(&self, entry: usize) -> Vec<Insn> {
        // 1. Order: reverse postorder (every edge points forward, as cBPF requires); the
        //    false branch and straight-line successors are visited last, so they come right
        //    after their predecessor when nothing else placed them earlier.
        let mut post: Vec<usize> = Vec::new();
        let mut seen = vec![false; self.nodes.len()];
        let mut stack: Vec<(usize, bool)> = vec![(entry, false)];
        while let Some((n, expanded)) = stack.pop() {
            if expanded {
                post.push(n);
                continue;
            }
            if seen[n] {
                continue;
            }
            seen[n] = true;
            stack.push((n, true));
            match self.nodes[n] {
                GNode::Ret(_) => {}
                GNode::Load { next, .. } | GNode::And { next, .. } => stack.push((next, false)),
                GNode::Jmp { t, f, .. } => {
                    // Pushed last = explored first = finishes first = placed last.
                    stack.push((f, false));
                    stack.push((t, false));
                }
            }
        }
        let order: Vec<usize> = post.into_iter().rev().collect();
        // Returns go last so that they are shared.
        let (rets, mut body): (Vec<usize>, Vec<usize>) = order
            .into_iter()
            .partition(|&n| matches!(self.nodes[n], GNode::Ret(_)));
        body.extend(rets);
        // 2. Items with symbolic targets; fix up until every jump fits.
        #[derive(Clone, Copy)]
        enum Item {
            Node(usize),
            Ja(usize),
            RetCopy(u32),
        }
        let mut items: Vec<Item> = Vec::new();
        for (i, &n) in body.iter().enumerate() {
            items.push(Item::Node(n));
            // Straight-line successors that were not placed right after need a `ja`.
            if let GNode::Load { next, .. } | GNode::And { next, .. } = self.nodes[n] {
                if body.get(i + 1) != Some(&next) {
                    items.push(Item::Ja(next));
                }
            }
        }
        let nodes = &self.nodes;
        let positions = |items: &[Item]| {
            let mut pos = vec![usize::MAX; nodes.len()];
            for (i, it) in items.iter().enumerate() {
                if let Item::Node(n) = it {
                    pos[*n] = i;
                }
            }
            pos
        };
        // Where the jump at `i` to `tgt` lands: the target itself when it is in reach, else the
        // trampoline for that target placed right after the jump (or the far target, if none
        // is there yet: the fix-up loop below then adds one).
        let landing = |items: &[Item], pos: &[usize], i: usize, tgt: usize| -> usize {
            if pos[tgt] - i - 1 <= 255 {
                return pos[tgt];
            }
            let mut j = i + 1;
            while let Some(it) = items.get(j) {
                match *it {
                    Item::Ja(t) if t == tgt => return j,
                    Item::RetCopy(v) if nodes[tgt] == GNode::Ret(v) => return j,
                    Item::Ja(_) | Item::RetCopy(_) => j += 1,
                    Item::Node(_) => break,
                }
            }
            pos[tgt]
        };
        loop {
            let pos = positions(&items);
            let far = items.iter().enumerate().find_map(|(i, it)| match *it {
                Item::Node(n) => match nodes[n] {
                    GNode::Jmp { t, f, .. } => [t, f]
                        .into_iter()
                        .find(|&tgt| landing(&items, &pos, i, tgt) - i - 1 > 255)
                        .map(|tgt| (i, tgt)),
                    _ => None,
                },
                _ => None,
            });
            let Some((i, tgt)) = far else {
                break;
            };
            // A trampoline right after the jump (after any already there): a local copy of a
            // `ret`, or a `ja` to anything else.
            let item = match nodes[tgt] {
                GNode::Ret(v) => Item::RetCopy(v),
                _ => Item::Ja(tgt),
            };
            let mut at = i + 1;
            while matches!(items.get(at), Some(Item::Ja(_) | Item::RetCopy(_))) {
                at += 1;
            }
            items.insert(at, item);
        }
        // 3. Emit.
        let pos = positions(&items);
        let mut out = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let insn = match *it {
                Item::Ja(t) => Insn::stmt(BPF_JMP | BPF_JA, (pos[t] - i - 1) as u32),
                Item::RetCopy(v) => Insn::stmt(BPF_RET | BPF_K, v),
                Item::Node(n) => match self.nodes[n] {
                    GNode::Ret(v) => Insn::stmt(BPF_RET | BPF_K, v),
                    GNode::Load { offset, .. } => Insn::stmt(BPF_LD | BPF_W | BPF_ABS, offset),
                    GNode::And { k, .. } => Insn::stmt(BPF_ALU | BPF_AND | BPF_K, k),
                    GNode::Jmp { op, k, t, f } => {
                        let tt = landing(&items, &pos, i, t);
                        let ff = landing(&items, &pos, i, f);
                        Insn::jump(
                            BPF_JMP | op | BPF_K,
                            k,
                            (tt - i - 1) as u8,
                            (ff - i - 1) as u8,
                        )
                    }
                },
            };
            out.push(insn);
        }
        out
    }
}

/// A 64-bit FNV-1a digest of the program's bytes in its ABI's byte order: the identity the
/// determinism tests compare across runs and targets (native and wasm).
pub fn digest(c: &Compiled) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in encode(&c.insns, c.arch.endian()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests;
