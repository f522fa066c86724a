//! The argument compiler: a syscall's rule DAG → code specialised for each path.
//!
//! The rule database's decision DAG is partially evaluated under what the path already knows.
//! So no comparison is repeated, and the accumulator is reloaded exactly when it holds another
//! word: the flaw of libseccomp's generator (seccomp-semantics.md §2.8) cannot happen.
//!
//! 1. What a path knows ([`PathCtx`]): the accumulator's content ([`Acc`]), an interval per
//!    argument word, the results of masked tests.
//! 2. A comparison the path decides is no instruction; others load the word when needed:
//!    ```text
//!    ld  [args[0] hi]        ; only if the accumulator holds another word
//!    and #mask               ; MaskedEq
//!    jeq #value, t, f
//!    ```
//! 3. Equality runs: tests of one word against many values (personality's) become a binary
//!    search over the values (`jge` splits, `jeq` leaves).
//! 4. A budget: after 20,000 specialised nodes a syscall's code stops specialising on what
//!    the path knows (still correct, only longer), so no database makes compilation blow up.

use super::graph::{GNode, Graph};
use crate::bpf::insn::*;
use crate::db::{ArchDb, Cmp, NodeId};
use std::collections::BTreeMap;

/// Equality tests of one word against at least this many values become a binary search.
const MIN_EQUALITY_SEARCH: usize = 4;

/// The code of a syscall with argument rules, from the root of its DAG (`chains`), entered
/// with the syscall number (word 0) in the accumulator.
pub(super) fn syscall_code(
    g: &mut Graph,
    db: &ArchDb,
    default: u32,
    chains: Option<NodeId>,
) -> usize {
    let ctx = PathCtx {
        acc: Acc::Word(0, u32::MAX),
        ..Default::default()
    };
    ArgCompiler {
        g,
        db,
        default,
        memo: BTreeMap::new(),
        budget: 20_000,
    }
    .level(chains, &Cont::Done, &ctx)
}

/// What the accumulator holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Acc {
    #[default]
    Unknown,
    /// `word(offset) & mask`.
    Word(u32, u32),
}

/// What a path knows: the accumulator, an interval per word, and masked-test results.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct PathCtx {
    pub(super) acc: Acc,
    pub(super) ranges: SmallMap<u32, (u32, u32)>,
    pub(super) facts: SmallMap<(u32, u32, u32, u8), bool>,
}

/// A map of a few entries (a path knows a handful of words and masked tests) as a `Vec` of
/// pairs sorted by key: compared and ordered as the `BTreeMap` it replaces (its pairs in key
/// order, lexicographically), so [`ArgCompiler`]'s memo keys order alike; cloned in one copy,
/// and without a B-tree's code per key type in the playground's wasm.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    fn find(&self, k: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(x, _)| x.cmp(k))
    }

    /// The value of `k`.
    pub(super) fn get(&self, k: &K) -> Option<&V> {
        self.find(k).ok().map(|i| &self.0[i].1)
    }

    /// Sets the value of `k` (in place of the old one, if any).
    pub(super) fn insert(&mut self, k: K, v: V) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }
}

impl PathCtx {
    pub(super) fn range(&self, off: u32) -> (u32, u32) {
        self.ranges.get(&off).copied().unwrap_or((0, u32::MAX))
    }

    /// The comparison's result if the path already decides it.
    pub(super) fn known(&self, off: u32, mask: u32, cmp: Cmp, d: u32) -> Option<bool> {
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

    pub(super) fn learn(&self, off: u32, mask: u32, cmp: Cmp, d: u32, r: bool) -> PathCtx {
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

pub(super) fn cmp_code(c: Cmp) -> u8 {
    match c {
        Cmp::Eq | Cmp::MaskedEq => 0,
        Cmp::Gt => 1,
        Cmp::Ge => 2,
    }
}

/// Where evaluation continues when a level falls through: the next siblings of the levels
/// above, innermost first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cont {
    Done,
    Then(Option<NodeId>, Box<Cont>),
}

pub(super) struct ArgCompiler<'a> {
    pub(super) g: &'a mut Graph,
    pub(super) db: &'a ArchDb,
    pub(super) default: u32,
    pub(super) memo: BTreeMap<(Option<NodeId>, Cont, PathCtx), usize>,
    pub(super) budget: usize,
}

impl ArgCompiler<'_> {
    /// Code for evaluating from `pos` (a node, evaluated with its following siblings) on.
    pub(super) fn level(&mut self, level: Option<NodeId>, cont: &Cont, ctx: &PathCtx) -> usize {
        let start = level.map(|mut n| {
            while let Some(p) = self.db.nodes[n].prev {
                n = p;
            }
            n
        });
        self.at(start, cont, ctx)
    }

    pub(super) fn at(&mut self, pos: Option<NodeId>, cont: &Cont, ctx: &PathCtx) -> usize {
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
    pub(super) fn equality_run(&self, n: NodeId, ctx: &PathCtx) -> Vec<(u32, NodeId)> {
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
        crate::sort::sort(&mut run);
        run
    }

    /// A binary search over an [`Self::equality_run`] starting at `n`; where no value
    /// matches, evaluation continues after the run.
    pub(super) fn equality_search(
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
    pub(super) fn with_word(&mut self, acc: Acc, off: u32, mask: u32, next: usize) -> usize {
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

    pub(super) fn search_values(
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

    pub(super) fn branch(&mut self, n: NodeId, r: bool, cont: &Cont, ctx: &PathCtx) -> usize {
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
