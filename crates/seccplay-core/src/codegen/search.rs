//! The syscall-number search planner: which comparisons find a number's range. Like
//! Chromium's codegen apart from its policy compiler, it plans a shape; `graph.rs` emits it.
//!
//! A block's numbers fall into ranges of one outcome each. The plan is a tree of `jge` splits
//! whose leaves cover a stretch of ranges. It is chosen by an exact dynamic programme.
//!
//! 1. Weights ([`NumberModel`]): every number of the native table is equally likely;
//!    the weights are integers, so every target plans the same tree.
//! 2. Cost: the expected number of comparisons, weights times depths ([`SearchPlan::new`]).
//! 3. Exception leaves ([`exception_leaf`]): a stretch of one outcome with up to
//!    [`MAX_EXCEPTIONS`] single numbers in it is one leaf:
//!    ```text
//!    jeq #nr1, out1, next    ; each exception
//!    jeq #nr2, out2, next
//!    ja  base                ; the stretch's outcome
//!    ```
//! 4. Rebalancing ([`SearchPlan::balanced`]): the weights of ranges whose usual call runs
//!    past the budget grow until every native syscall fits in [`MAX_USUAL_PATH`].
//! 5. Tables ([`DpTables`]): kept by the thread between compilations. A first plan writes
//!    every cell it reads, so what an earlier compilation left never reaches a result.

use super::graph::{GNode, Graph};
use super::Outcome;
use crate::bpf::insn::*;
use crate::db::ArchDb;

/// The search's model of which syscall numbers occur. The search minimises the expected number
/// of comparisons under it:
/// 1. Every number of the group's first ABI's table is equally likely, from its lowest to its
///    highest syscall number. Unassigned numbers between count too (x86_64's 335..423): probes,
///    fuzzers and the project's benchmark call them, and the kernel runs the filter for them.
/// 2. Numbers of the group's other ABIs (x32, which most kernels disable) count
///    [`WEIGHT_SECONDARY`] each.
/// 3. Every range gets [`WEIGHT_FLOOR`], so numbers outside every table sit at a bounded depth.
///
/// Weights are integers in units of 1/1280 of a native number: the planning is exact, with no
/// rounding, and plans the same tree on every target. docs/BENCHMARKS.md ("Weights") has the
/// measurements behind the choice.
pub(super) const WEIGHT_NATIVE: Weight = 1280;
/// See [`WEIGHT_NATIVE`]: 1/64 of a native number.
pub(super) const WEIGHT_SECONDARY: Weight = 20;
/// See [`WEIGHT_NATIVE`]: 1/20 of a native number.
pub(super) const WEIGHT_FLOOR: Weight = 64;
/// No weight grows past this when the search is rebalanced, so that sums of weights times
/// depths stay far below `u64::MAX` (at most ~2^12 ranges, each at most ~2^12 deep).
pub(super) const WEIGHT_MAX: Weight = 1 << 38;

/// A range's weight in the search (see [`WEIGHT_NATIVE`]).
pub(super) type Weight = u64;
/// A hole of at least this many numbers between two syscalls of an ABI is outside its table
/// (ARM's private calls at 0xf0001.. do not make the million numbers below them likely).
pub(super) const TABLE_HOLE: u64 = 1024;

/// Where range `i` ends (exclusive): the next range's start, or 2^32 for the last.
pub(super) fn range_end(ranges: &[(u32, Outcome)], i: usize) -> u64 {
    ranges.get(i + 1).map_or(1 << 32, |r| r.0 as u64)
}

/// The syscall tables of a group's ABIs, for [`WEIGHT_SECONDARY`]'s model.
pub(super) struct NumberModel {
    /// Per ABI, in filter order: its weight per number and the spans `[lo, hi)` of its table.
    pub(super) abis: Vec<(Weight, Vec<(u64, u64)>)>,
}

impl NumberModel {
    pub(super) fn new(members: &[&ArchDb]) -> NumberModel {
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
    pub(super) fn weights(&self, ranges: &[(u32, Outcome)]) -> Vec<Weight> {
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
    pub(super) fn others_start(&self) -> Option<u64> {
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
    pub(super) fn primary(&self, ranges: &[(u32, Outcome)]) -> Vec<bool> {
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
pub(super) const MAX_USUAL_PATH: usize = 14;

/// Rounds of reweighting in [`SearchPlan::balanced`] (each runs the dynamic programme once).
pub(super) const BALANCE_ROUNDS: usize = 12;

/// At most this many single syscall numbers are tested by `jeq` in one leaf of the search.
pub(super) const MAX_EXCEPTIONS: usize = 3;

/// The search over ranges of syscall numbers: a weighted decision tree whose inner nodes are
/// `jge` splits and whose leaves are either one range or a run of ranges with one outcome
/// interrupted by at most [`MAX_EXCEPTIONS`] single numbers with other outcomes, tested by
/// `jeq` (an allowed stretch with one blocked syscall in it costs one comparison, not two
/// splits). The tree minimises the weighted number of comparisons by Knuth's dynamic
/// programme for optimal alphabetic trees (O(n²) with his root bounds; with exception leaves
/// the bounds make it a close approximation rather than a guaranteed optimum).
pub(super) struct SearchPlan {
    /// The tree, root first.
    pub(super) nodes: Vec<PlanNode>,
    pub(super) weights: Vec<Weight>,
}

/// A node of a [`SearchPlan`] over ranges `i..j`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PlanNode {
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
pub(super) const LEAF: u32 = u32::MAX;

/// A leaf of the search: the base outcome and the single-number exceptions in test order.
pub(super) struct Leaf {
    pub(super) cost: Weight,
    pub(super) base: usize,
    pub(super) exceptions: [usize; MAX_EXCEPTIONS],
    pub(super) count: usize,
}

/// The dynamic programme's tables, shared by the blocks and the rounds of
/// [`SearchPlan::balanced`]; a search over `n` ranges uses the first `(n + 1)²` cells.
#[derive(Default)]
pub(super) struct DpTables {
    /// Cost of the best search of `i..j`, at `i * (n + 1) + j`.
    pub(super) cost: Vec<Weight>,

    /// Best split of `i..j`, kept even where a leaf wins (Knuth's bounds need it).
    pub(super) split: Vec<u32>,
    /// What `i..j` is searched by: the first range of the right half, or [`LEAF`].
    pub(super) choice: Vec<u32>,
}

thread_local! {
    /// The dynamic programme's tables between two compilations on this thread.
    pub(super) static SCRATCH: std::cell::Cell<DpTables> = const {
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
    pub(super) fn new(n: usize) -> DpTables {
        let mut t = DpTables::default();
        t.reserve(n);
        t
    }

    /// Grows the tables to hold searches over `n` ranges (cells keep what they hold).
    pub(super) fn reserve(&mut self, n: usize) {
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
    pub(super) fn new(
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
    pub(super) fn extract(
        choice: &[u32],
        n: usize,
        i: usize,
        j: usize,
        nodes: &mut Vec<PlanNode>,
    ) -> usize {
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
    pub(super) fn balanced(
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
    pub(super) fn depths(&self, ranges: &[(u32, Outcome)]) -> Vec<usize> {
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
    pub(super) fn emit(
        &self,
        g: &mut Graph,
        ranges: &[(u32, Outcome)],
        leaf_code: &mut impl FnMut(&mut Graph, Outcome) -> usize,
    ) -> usize {
        self.emit_node(g, ranges, 0, leaf_code)
    }

    pub(super) fn emit_node(
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
pub(super) fn exception_leaf(
    ranges: &[(u32, Outcome)],
    w: &[Weight],
    i: usize,
    j: usize,
) -> Option<Leaf> {
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
    // Heaviest first, ties by position: a total order on at most MAX_EXCEPTIONS items, so an
    // insertion sort gives `sort_by`'s order without a copy of the standard sort.
    for k in 1..count {
        let mut m = k;
        while m > 0 && (w[exceptions[m]], exceptions[m - 1]) > (w[exceptions[m - 1]], exceptions[m])
        {
            exceptions.swap(m, m - 1);
            m -= 1;
        }
    }
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
