//! The compiler: rule database → classic BPF.
//!
//! Layout: `ld arch`, one `jeq` per ABI group, `ret badarch`. Each ABI block loads the syscall
//! number once and finds its outcome by a weighted binary search over ranges of numbers with
//! equal outcome (runc's ENOSYS stub and the bad-arch checks for x32 numbers are folded into
//! the ranges). A range whose syscall has argument rules continues into code specialised from
//! the rule database's decision DAG: the DAG is partially evaluated under what the path already
//! knows (intervals of each argument word, the accumulator's content), so no comparison is
//! repeated and the accumulator is reloaded exactly when it holds another word — the flaw of
//! libseccomp's generator (§2.8) cannot happen. Every action is returned by one shared `ret`
//! where jumps reach it, and by a local copy where they would not.
//!
//! Decisions equal [`crate::eval::decide`] for every input (property and differential tests).

use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::bpf::insn::*;
use crate::db::{ArchDb, Cmp, Database, NodeId};
use crate::eval::select;
use std::collections::{BTreeMap, BTreeSet};

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
    let mut next = badarch;
    for &audit in groups.iter().rev() {
        let block = compile_group(&mut g, db, audit);
        next = g.add(GNode::Jmp {
            op: BPF_JEQ,
            k: audit,
            t: block,
            f: next,
        });
    }
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

fn compile_group(g: &mut Graph, db: &Database, audit: u32) -> usize {
    // Breakpoints: every place the outcome can change. runc's stub tests bit 30 with jset, so
    // its answer also changes where bit 30 flips again above it (0x8000_0000, 0xc000_0000).
    let mut bps: BTreeSet<u64> = [
        0u64,
        1,
        X32_SYSCALL_BIT as u64,
        0x8000_0000,
        0xc000_0000,
        u32::MAX as u64,
    ]
    .into();
    let members: Vec<&ArchDb> = db
        .dbs
        .iter()
        .filter(|d| d.arch.audit_arch() == audit)
        .collect();
    for d in &members {
        for &nr in d.syscalls.keys() {
            bps.insert(nr as u64);
            bps.insert(nr as u64 + 1);
        }
    }
    if let Some(stub) = &db.enosys {
        for &(_, m) in &stub.max {
            bps.insert(m as u64 + 1);
        }
    }
    bps.retain(|&b| b <= u32::MAX as u64);
    let starts: Vec<u32> = bps.into_iter().map(|b| b as u32).collect();
    // Ranges [start, next start) with merged equal outcomes.
    let mut ranges: Vec<(u32, Outcome)> = Vec::new();
    for &s in &starts {
        let o = outcome(db, audit, s);
        if ranges.last().map(|r| r.1) != Some(o) {
            ranges.push((s, o));
        }
    }
    // Weights: the real syscalls each range holds (x32 counts 1/8: most kernels disable it),
    // plus a floor so that empty ranges stay reachable at a bounded depth.
    let numbers: Vec<(f64, Vec<u64>)> = members
        .iter()
        .map(|d| {
            let scale = if d.arch == Arch::X32 { 0.125 } else { 1.0 };
            let nrs = crate::syscalls::syscalls(d.arch)
                .iter()
                .map(|&(_, nr)| nr as u64)
                .collect();
            (scale, nrs)
        })
        .collect();
    let weights: Vec<f64> = ranges
        .iter()
        .enumerate()
        .map(|(i, &(s, _))| {
            let end = ranges.get(i + 1).map(|r| r.0 as u64).unwrap_or(1 << 32);
            let mut w = 0.05;
            for (scale, nrs) in &numbers {
                let n = nrs.partition_point(|&x| x < end) - nrs.partition_point(|&x| x < s as u64);
                w += n as f64 * scale;
            }
            w
        })
        .collect();
    let tree = optimal_tree(&weights);
    let mut leaf = |g: &mut Graph, o: Outcome| match o {
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
    let body = emit_search(g, &tree, &ranges, 0, ranges.len(), &mut leaf);
    g.add(GNode::Load {
        offset: 0,
        next: body,
    })
}

/// Split points of an optimal alphabetic search tree (Knuth's O(n²) dynamic programme):
/// `root[i][j]` is the first range of the right half for ranges `i..j`.
fn optimal_tree(w: &[f64]) -> Vec<Vec<usize>> {
    let n = w.len();
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + w[i];
    }
    let mut cost = vec![vec![0.0f64; n + 1]; n + 1];
    let mut root = vec![vec![0usize; n + 1]; n + 1];
    for i in 0..n {
        root[i][i + 1] = i;
    }
    for len in 2..=n {
        for i in 0..=n - len {
            let j = i + len;
            let (lo, hi) = if len == 2 {
                (i + 1, i + 1)
            } else {
                (root[i][j - 1].max(i + 1), root[i + 1][j].min(j - 1))
            };
            let mut best = (f64::INFINITY, lo);
            #[allow(clippy::needless_range_loop)]
            for k in lo..=hi.max(lo) {
                let c = cost[i][k] + cost[k][j];
                if c < best.0 {
                    best = (c, k);
                }
            }
            cost[i][j] = best.0 + prefix[j] - prefix[i];
            root[i][j] = best.1;
        }
    }
    root
}

fn emit_search(
    g: &mut Graph,
    root: &[Vec<usize>],
    ranges: &[(u32, Outcome)],
    i: usize,
    j: usize,
    leaf: &mut impl FnMut(&mut Graph, Outcome) -> usize,
) -> usize {
    if j - i == 1 {
        return leaf(g, ranges[i].1);
    }
    let k = root[i][j];
    let right = emit_search(g, root, ranges, k, j, leaf);
    let left = emit_search(g, root, ranges, i, k, leaf);
    g.add(GNode::Jmp {
        op: BPF_JGE,
        k: ranges[k].0,
        t: right,
        f: left,
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
                let mut id = self.g.add(GNode::Jmp { op, k: d, t, f });
                if ctx.acc != Acc::Word(off, mask) {
                    if mask != u32::MAX {
                        id = self.g.add(GNode::And { k: mask, next: id });
                    }
                    id = self.g.add(GNode::Load {
                        offset: off,
                        next: id,
                    });
                }
                id
            }
        };
        self.memo.insert(key, id);
        id
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
