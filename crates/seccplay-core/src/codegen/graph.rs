//! The program graph and its layout: nodes shared by hash-consing, then laid out as cBPF.
//!
//! 1. Nodes ([`GNode`]): `ret`, `ld`, `and`, conditional jumps. Identical nodes are one, and a
//!    jump whose branches agree is no jump.
//! 2. Layout ([`Graph::linearize`]): depth first, the false branch falling through. A
//!    conditional jump reaches at most 255 instructions; farther, it goes through a `ja`:
//!    ```text
//!    jeq #k, 0, 1            ; near: fall through to the false branch
//!    ja  far_target
//!    ```
//!    Every action is returned by one shared `ret` where jumps reach it, and by a local copy
//!    where they would not.
//! 3. The usual path ([`Graph::zero_args_steps`]): how many instructions a call with zero
//!    arguments runs, for the search's budget.

use crate::bpf::insn::*;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum GNode {
    Ret(u32),
    Load { offset: u32, next: usize },
    And { k: u32, next: usize },
    Jmp { op: u16, k: u32, t: usize, f: usize },
}

#[derive(Default)]
pub(super) struct Graph {
    pub(super) nodes: Vec<GNode>,
    pub(super) dedup: BTreeMap<GNode, usize>,
}

impl Graph {
    /// Adds a node, sharing an identical one (hash-consing keeps the program small).
    pub(super) fn add(&mut self, n: GNode) -> usize {
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

    pub(super) fn ret(&mut self, v: u32) -> usize {
        self.add(GNode::Ret(v))
    }

    /// The instructions a run from `node` executes (its `ret` included) for syscall `nr` of
    /// the ABI `audit` with every argument and the instruction pointer zero: the call the
    /// benchmarks time, and the commonest one for the argument-checked syscalls of Docker's
    /// profile (`personality(0)`, `clone(SIGCHLD)`'s flags without namespace bits).
    pub(super) fn zero_args_steps(&self, mut node: usize, nr: u32, audit: u32) -> usize {
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
    pub(super) fn linearize(&self, entry: usize) -> Vec<Insn> {
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
