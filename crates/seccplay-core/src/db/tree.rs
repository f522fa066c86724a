//! The nodes of an ABI's trees: their lifecycle (reference counts, level clean-up, as
//! libseccomp's `_db_tree_put` and `_db_level_clean`), their order and equality, and the chain
//! of nodes a rule becomes (`_db_rule_gen_64`/`_32`).

use super::{ArchDb, ArchRule, Cmp, Leaf, Node, NodeId, Slot, DATUM_MAX};
use crate::profile::Op;
use crate::resolve::Condition;
impl ArchDb {
    pub(super) fn alloc(&mut self, n: Node) -> NodeId {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    pub(super) fn get(&mut self, id: Option<NodeId>) -> Option<NodeId> {
        if let Some(i) = id {
            self.nodes[i].refs += 1;
        }
        id
    }

    pub(super) fn slot(&self, s: Slot) -> Option<NodeId> {
        match s {
            Slot::Root(nr) => self.entry(nr).and_then(|s| s.chains),
            Slot::T(n) => self.nodes[n].nxt_t,
            Slot::F(n) => self.nodes[n].nxt_f,
        }
    }

    pub(super) fn set_slot(&mut self, s: Slot, v: Option<NodeId>) {
        match s {
            Slot::Root(nr) => {
                if let Some(sys) = self.entry_mut(nr) {
                    sys.chains = v;
                }
            }
            Slot::T(n) => self.nodes[n].nxt_t = v,
            Slot::F(n) => self.nodes[n].nxt_f = v,
        }
    }

    /// Drops one reference; a node whose count reaches zero leaves its level and releases
    /// its sub-levels. `node` is updated to a surviving neighbour (or `None`). Returns the
    /// number of nodes released.
    pub(super) fn put(&mut self, node: &mut Option<NodeId>) -> i64 {
        let Some(n) = *node else { return 0 };
        let mut cnt = 0;
        self.nodes[n].refs = self.nodes[n].refs.saturating_sub(1);
        if self.nodes[n].refs == 0 {
            let (mut lp, mut ln) = (self.nodes[n].prev, self.nodes[n].next);
            let (nt, nf) = (self.nodes[n].nxt_t, self.nodes[n].nxt_f);
            if let Some(p) = lp {
                self.nodes[p].next = None;
            }
            if let Some(q) = ln {
                self.nodes[q].prev = None;
            }
            if lp.is_some() {
                cnt += self.put(&mut lp);
            }
            if ln.is_some() {
                cnt += self.put(&mut ln);
            }
            if let Some(p) = lp {
                self.nodes[p].next = self.get(ln);
            }
            if let Some(q) = ln {
                self.nodes[q].prev = self.get(lp);
            }
            *node = lp.or(ln);
            cnt += self.tree_put(nt);
            cnt += self.tree_put(nf);
            let dead = &mut self.nodes[n];
            dead.prev = None;
            dead.next = None;
            dead.nxt_t = None;
            dead.nxt_f = None;
            cnt += 1;
        }
        cnt
    }

    /// Drops the reference to a level and releases the level if nothing else points into it.
    pub(super) fn tree_put(&mut self, tree: Option<NodeId>) -> i64 {
        if self.hung {
            return 0;
        }
        let mut t = tree;
        let mut cnt = self.put(&mut t);
        if let Some(n) = t {
            cnt += self.level_clean(n);
        }
        cnt
    }

    pub(super) fn level_start(&self, mut n: NodeId) -> NodeId {
        let mut steps = 0usize;
        while let Some(p) = self.nodes[n].prev {
            steps += 1;
            if steps > self.nodes.len() {
                break; // a cycle: level_clean and analysis::cyclic_rule_tree report it
            }
            n = p;
        }
        n
    }

    pub(super) fn level_clean(&mut self, node: NodeId) -> i64 {
        let start = self.level_start(node);
        let mut n = Some(start);
        // More steps than nodes means a cycle, where libseccomp spins forever: stop, report.
        let mut steps = 0usize;
        while let Some(i) = n {
            steps += 1;
            if steps > self.nodes.len() {
                self.hung = true;
                return 0;
            }
            let links = self.nodes[i].prev.is_some() as u32 + self.nodes[i].next.is_some() as u32;
            if self.nodes[i].refs > links {
                return 0;
            }
            n = self.nodes[i].next;
        }
        let mut cnt = 0;
        let mut n = Some(start);
        while n.is_some() && !self.hung {
            steps += 1;
            if steps > 2 * self.nodes.len() + 2 {
                self.hung = true;
                break;
            }
            cnt += self.put(&mut n);
        }
        cnt
    }

    /// Removes `node` (and zombie nodes met on the way) from the DAG under `tree`.
    pub(super) fn tree_remove(&mut self, tree: Slot, node: NodeId) -> i64 {
        let Some(first) = self.slot(tree) else {
            return 0;
        };
        let mut cnt = 0;
        let mut c = self.level_start(first);
        let found = loop {
            if c == node {
                break true;
            }
            cnt += self.tree_remove(Slot::T(c), node);
            cnt += self.tree_remove(Slot::F(c), node);
            if self.nodes[c].is_zombie() {
                break true;
            }
            match self.nodes[c].next {
                Some(nx) if cnt == 0 => c = nx,
                _ => break false,
            }
        };
        if !found {
            return cnt;
        }
        if self.slot(tree) == Some(c) {
            let v = self.nodes[c].prev.or(self.nodes[c].next);
            self.set_slot(tree, v);
        }
        let (p, nx) = (self.nodes[c].prev, self.nodes[c].next);
        if let Some(p) = p {
            self.nodes[p].next = nx;
        }
        if let Some(q) = nx {
            self.nodes[q].prev = p;
        }
        self.nodes[c].prev = None;
        self.nodes[c].next = None;
        let mut h = Some(c);
        cnt + self.put(&mut h)
    }

    pub(super) fn arg_priority(n: &Node) -> u32 {
        ((n.arg as u32) << 1) + n.hi as u32
    }

    pub(super) fn op_priority(op: Op) -> u32 {
        match op {
            Op::MaskedEq | Op::Eq | Op::Ne => 3,
            Op::Le | Op::Lt => 2,
            Op::Ge | Op::Gt => 1,
        }
    }

    /// `a` sorts after `b` on a level (levels are kept in descending order of this relation).
    pub(super) fn chain_lt(a: &Node, b: &Node) -> bool {
        let (aa, ba) = (Self::arg_priority(a), Self::arg_priority(b));
        if aa != ba {
            return aa < ba;
        }
        let (ao, bo) = (Self::op_priority(a.op_orig), Self::op_priority(b.op_orig));
        if ao != bo {
            return ao < bo;
        }
        match a.op_orig {
            Op::Le | Op::Lt => a.datum > b.datum,
            _ => a.datum < b.datum,
        }
    }

    pub(super) fn chain_eq(a: &Node, b: &Node) -> bool {
        Self::arg_priority(a) == Self::arg_priority(b)
            && a.cmp == b.cmp
            && a.datum == b.datum
            && a.mask == b.mask
    }

    /// Every action in the DAG under `tree` equals `action`, or the first leaf that differs.
    pub(super) fn act_check(&self, tree: Option<NodeId>, action: u32) -> Result<(), usize> {
        let Some(t) = tree else { return Ok(()) };
        let mut c = Some(self.level_start(t));
        while let Some(i) = c {
            let n = &self.nodes[i];
            for l in [n.act_t, n.act_f].into_iter().flatten() {
                if l.action != action {
                    return Err(l.rule);
                }
            }
            self.act_check(n.nxt_t, action)?;
            self.act_check(n.nxt_f, action)?;
            c = n.next;
        }
        Ok(())
    }

    pub(super) fn new_node(
        &mut self,
        c: &Condition,
        hi: bool,
        cmp: Cmp,
        mask: u64,
        datum: u64,
    ) -> NodeId {
        let (m, d) = if hi {
            ((mask >> 32) as u32, (datum >> 32) as u32)
        } else {
            (mask as u32, datum as u32)
        };
        let offset = if hi {
            self.arch.arg_offset_hi(c.arg)
        } else {
            self.arch.arg_offset_lo(c.arg)
        };
        self.alloc(Node {
            arg: c.arg,
            hi,
            offset,
            cmp,
            op_orig: c.op,
            mask: m,
            datum: d & m,
            datum_full: datum,
            act_t: None,
            act_f: None,
            nxt_t: None,
            nxt_f: None,
            prev: None,
            next: None,
            act_t_raw: 0,
            refs: 0,
        })
    }

    pub(super) fn link(&mut self, prev: &[NodeId], tf: bool, to: NodeId) {
        for &p in prev {
            let v = self.get(Some(to));
            if tf {
                self.nodes[p].nxt_t = v;
            } else {
                self.nodes[p].nxt_f = v;
            }
        }
    }

    /// Builds the chain of a rule; returns (chains, node count).
    pub(super) fn gen(&mut self, r: &ArchRule) -> (Option<NodeId>, i64) {
        let mut chains: Option<NodeId> = None;
        let mut prev: Vec<NodeId> = Vec::new();
        let mut tf = false;
        let mut cnt = 0;
        for c in r.chain.iter().flatten() {
            let (mask, datum) = match c.op {
                Op::MaskedEq => (c.value, c.value_two),
                _ => (DATUM_MAX, c.value),
            };
            if self.arch.bits() == 32 {
                if c.op == Op::MaskedEq && mask as u32 == 0 {
                    continue;
                }
                let (cmp, ntf) = match c.op {
                    Op::Ne => (Cmp::Eq, false),
                    Op::Lt => (Cmp::Ge, false),
                    Op::Le => (Cmp::Gt, false),
                    Op::Eq => (Cmp::Eq, true),
                    Op::Ge => (Cmp::Ge, true),
                    Op::Gt => (Cmp::Gt, true),
                    Op::MaskedEq => (Cmp::MaskedEq, true),
                };
                let n = self.new_node(c, false, cmp, mask, datum);
                self.link(&prev, tf, n);
                if chains.is_none() {
                    chains = self.get(Some(n));
                }
                cnt += 1;
                prev = vec![n];
                tf = ntf;
                continue;
            }
            if c.op == Op::MaskedEq && mask == 0 {
                continue;
            }
            match c.op {
                Op::Gt | Op::Ge | Op::Lt | Op::Le => {
                    let c0 = self.new_node(c, true, Cmp::Gt, mask, datum);
                    let c1 = self.new_node(c, true, Cmp::Eq, mask, datum);
                    let lo = if matches!(c.op, Op::Gt | Op::Le) {
                        Cmp::Gt
                    } else {
                        Cmp::Ge
                    };
                    let c2 = self.new_node(c, false, lo, mask, datum);
                    self.link(&prev, tf, c0);
                    self.nodes[c0].nxt_f = self.get(Some(c1));
                    self.nodes[c1].nxt_t = self.get(Some(c2));
                    if chains.is_none() {
                        chains = self.get(Some(c0));
                    }
                    cnt += 3;
                    if matches!(c.op, Op::Gt | Op::Ge) {
                        prev = vec![c0, c2];
                        tf = true;
                    } else {
                        prev = vec![c1, c2];
                        tf = false;
                    }
                }
                Op::Eq | Op::MaskedEq | Op::Ne => {
                    let cmp = if c.op == Op::MaskedEq {
                        Cmp::MaskedEq
                    } else {
                        Cmp::Eq
                    };
                    let c0 = self.new_node(c, true, cmp, mask, datum);
                    let c1 = self.new_node(c, false, cmp, mask, datum);
                    self.link(&prev, tf, c0);
                    self.nodes[c0].nxt_t = self.get(Some(c1));
                    if chains.is_none() {
                        chains = self.get(Some(c0));
                    }
                    cnt += 2;
                    if c.op == Op::Ne {
                        prev = vec![c0, c1];
                        tf = false;
                    } else {
                        prev = vec![c1];
                        tf = true;
                    }
                }
            }
        }
        if chains.is_some() {
            let leaf = Leaf {
                action: r.action,
                rule: r.rule,
            };
            for &p in &prev {
                if tf {
                    self.nodes[p].act_t = Some(leaf);
                    self.nodes[p].act_t_raw = r.action;
                } else {
                    self.nodes[p].act_f = Some(leaf);
                }
            }
        }
        (chains, cnt)
    }
}
