//! The rule database: libseccomp's per-ABI argument trees, built with its exact semantics.
//!
//! Each ABI of the filter has its own database (libseccomp's `struct db_filter`); every rule
//! of the [`Policy`] is added to every ABI in order (one transaction: if any ABI fails, the whole
//! add fails and the runtime refuses to start the container). Per syscall, rules merge into a
//! decision DAG of 32-bit word comparisons whose shape — and therefore whose decisions — follow
//! libseccomp 2.5's `db_rule_add`: first unconditional rule wins, unconditional discards
//! conditional, a rule extending a shorter one is dropped, identical conditions with different
//! actions conflict (EEXIST), higher argument index first, 64-bit values split in hi/lo words,
//! 32-bit ABIs compare the low word only, socket and IPC calls multiplexed on x86, s390, ppc,
//! mips o32, m68k and sh.
//!
//! Spec: seccomp-semantics.md §2.1–2.6. The node lifecycle (reference counts, level clean-up)
//! matters for which nodes stay reachable after pruning, so it is modelled too.

use crate::arch::Arch;
use crate::diag::{Diagnostic, Failure};
use crate::profile::Op;
use crate::resolve::{Condition, EnosysStub, Policy, Rule};
use crate::syscalls::{self, Multiplexed, Resolved, Syscall};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Index of a node in an ABI database's arena.
pub type NodeId = usize;

/// The comparison a node performs on a 32-bit word of `seccomp_data` (after rewriting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Cmp {
    /// `(word & mask) == datum`.
    Eq,
    /// `(word & mask) == datum` (from MASKED_EQ).
    MaskedEq,
    /// `(word & mask) > datum`.
    Gt,
    /// `(word & mask) >= datum`.
    Ge,
}

/// A branch outcome: an action, with the rule it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Leaf {
    /// The 32-bit action value.
    pub action: u32,
    /// The rule ([`Rule::id`]) whose chain ends here.
    pub rule: usize,
}

/// One comparison node of a syscall's decision DAG.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// Argument index.
    pub arg: u8,
    /// Compares the high word (else the low word).
    pub hi: bool,
    /// Offset of the word in `seccomp_data`.
    pub offset: u32,
    /// The comparison.
    pub cmp: Cmp,
    /// The operator of the rule that created the node.
    pub op_orig: Op,
    /// Mask applied to the word.
    pub mask: u32,
    /// Value compared with (already masked).
    pub datum: u32,
    /// The full 64-bit value of the rule's condition.
    pub datum_full: u64,
    /// Outcome when the comparison is true, if it is an action.
    pub act_t: Option<Leaf>,
    /// Outcome when the comparison is false, if it is an action.
    pub act_f: Option<Leaf>,
    /// Level evaluated when true.
    pub nxt_t: Option<NodeId>,
    /// Level evaluated when false.
    pub nxt_f: Option<NodeId>,
    /// Previous sibling on the level.
    pub prev: Option<NodeId>,
    /// Next sibling on the level.
    pub next: Option<NodeId>,
    // The true action's value is kept even without its flag, as libseccomp does (a 2.5 typo
    // can overwrite it).
    act_t_raw: u32,
    refs: u32,
}

impl Node {
    /// Whether the comparison holds for a 32-bit word.
    pub fn test(&self, word: u32) -> bool {
        let v = word & self.mask;
        match self.cmp {
            Cmp::Eq | Cmp::MaskedEq => v == self.datum,
            Cmp::Gt => v > self.datum,
            Cmp::Ge => v >= self.datum,
        }
    }

    fn is_leaf(&self) -> bool {
        self.nxt_t.is_none() && self.nxt_f.is_none()
    }

    fn is_zombie(&self) -> bool {
        self.is_leaf() && self.act_t.is_none() && self.act_f.is_none()
    }
}

/// What one syscall does on one ABI.
#[derive(Clone, Debug, Serialize)]
pub struct SyscallRules {
    /// The syscall number (base applied).
    pub nr: u32,
    /// The syscall name.
    pub name: &'static str,
    /// The unconditional action, when there is no argument tree.
    pub action: Option<Leaf>,
    /// Entry to the argument DAG (any node of the top level).
    pub chains: Option<NodeId>,
    /// libseccomp's node count (drives its emission priority).
    pub node_cnt: i64,
}

/// The database of one ABI.
#[derive(Clone, Debug, Serialize)]
pub struct ArchDb {
    /// The ABI.
    pub arch: Arch,
    /// Syscalls with rules, by number.
    pub syscalls: BTreeMap<u32, SyscallRules>,
    /// Rules on names this ABI lacks, under their `__PNR_*` pseudo number: libseccomp keeps
    /// them (so they can conflict) but never emits them. Empty on the "abi" ABIs (x86, s390,
    /// ppc, mips o32, m68k, sh), which drop such rules.
    pub pseudo: BTreeMap<i32, SyscallRules>,
    /// Node arena (unreachable nodes stay, as garbage).
    pub nodes: Vec<Node>,
    /// Names the policy has rules for that do not exist on this ABI (libseccomp stores them
    /// under a pseudo number and never emits them).
    pub absent: Vec<String>,
    /// A level's links formed a cycle, where libseccomp 2.5.4 loops forever.
    #[serde(skip)]
    hung: bool,
}

/// The whole rule database: default and bad-arch actions, one [`ArchDb`] per ABI, and the
/// policy it was built from.
#[derive(Clone, Debug, Serialize)]
pub struct Database {
    /// Default action.
    pub default_action: u32,
    /// Action for ABIs not in the filter.
    pub badarch_action: u32,
    /// One database per ABI, in filter order.
    pub dbs: Vec<ArchDb>,
    /// runc's ENOSYS stub.
    pub enosys: Option<EnosysStub>,
    /// The rules, for provenance: the policy's own.
    pub rules: Arc<Vec<Rule>>,
    /// Notes on rules changed per ABI (socketcall multiplexing, truncation, dropped rules).
    pub diagnostics: Vec<Diagnostic>,
}

impl Database {
    /// The database of an ABI, if it is in the filter.
    pub fn db(&self, arch: Arch) -> Option<&ArchDb> {
        self.dbs.iter().find(|d| d.arch == arch)
    }
}

/// Why a rule could not be added (libseccomp's error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddError {
    /// The errno libseccomp returns (EEXIST for conflicts).
    pub errno: i32,
    /// The rule already in the database that conflicts, when known.
    pub conflicts_with: Option<usize>,
}

const EEXIST: i32 = 17;
const DATUM_MAX: u64 = u64::MAX;

/// Builds the database from a policy, as libseccomp does for the runtime.
pub fn build(policy: &Policy) -> Result<Database, Failure> {
    let mut dbs: Vec<ArchDb> = policy
        .arches
        .iter()
        .map(|&arch| ArchDb {
            arch,
            syscalls: BTreeMap::new(),
            pseudo: BTreeMap::new(),
            nodes: Vec::new(),
            absent: Vec::new(),
            hung: false,
        })
        .collect();
    let mut diagnostics = Vec::new();
    for rule in policy.rules.iter() {
        let sys = syscalls::lookup_in(policy.libseccomp, &rule.syscall);
        for db in dbs.iter_mut() {
            let added = db.add_rule(rule, sys, &mut diagnostics);
            if db.hung {
                let mut d = Diagnostic::error(
                    "libseccomp-hangs",
                    format!(
                        "adding the rule for {} on {} makes libseccomp 2.5.4 loop forever (a cycle in its rule tree): {} would hang instead of starting the container",
                        rule.syscall, db.arch, policy.runtime.name()
                    ),
                )
                .on(db.arch);
                d.location = Some(rule.origin.location.clone());
                return Err(Failure::single(d));
            }
            if let Err(e) = added {
                let other = e.conflicts_with.and_then(|i| policy.rules.get(i));
                let msg = match (e.errno, other) {
                    (EEXIST, Some(o)) => format!(
                        "rule for {} at {} conflicts on {} with the rule at {} (same conditions, different actions, or a longer rule added before a shorter one): libseccomp fails with EEXIST and {} refuses to start the container",
                        rule.syscall, rule.origin.location, db.arch, o.origin.location, policy.runtime.name()
                    ),
                    (errno, _) => format!(
                        "libseccomp refuses the rule for {} on {} (errno {errno}): {} refuses to start the container",
                        rule.syscall, db.arch, policy.runtime.name()
                    ),
                };
                let mut d = Diagnostic::error("rule-conflict", msg).on(db.arch);
                d.location = Some(rule.origin.location.clone());
                return Err(Failure::single(d));
            }
        }
    }
    Ok(Database {
        default_action: policy.default_action,
        badarch_action: policy.badarch_action,
        dbs,
        enosys: policy.enosys.clone(),
        rules: Arc::clone(&policy.rules),
        diagnostics,
    })
}

/// A rule as added to one ABI: a syscall number and per-argument conditions.
struct ArchRule {
    nr: i64,
    name: &'static str,
    action: u32,
    rule: usize,
    chain: [Option<Condition>; 6],
}

/// Where a pointer to a level lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Root(i64),
    T(NodeId),
    F(NodeId),
}

const IST_MATCH: u32 = 0x1;
const IST_MATCH_ONCE: u32 = 0x2;
const IST_X_FINISHED: u32 = 0x10;
const IST_N_FINISHED: u32 = 0x20;
const IST_X_PREFIX: u32 = 0x100;
const IST_N_PREFIX: u32 = 0x200;
const IST_MATCHSET: u32 = IST_MATCH | IST_MATCH_ONCE;
const IST_REDUNDANT: u32 = IST_MATCH | IST_X_FINISHED | IST_N_PREFIX;

#[derive(Clone, Copy)]
struct IterState {
    flags: u32,
    action: u32,
    root: i64,
}

impl ArchDb {
    /// Adds `rule`, whose name is `sys` in libseccomp's table (`None`: unknown).
    fn add_rule(
        &mut self,
        rule: &Rule,
        sys: Option<Syscall>,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<(), AddError> {
        let mut chain: [Option<Condition>; 6] = [None; 6];
        for c in &rule.conditions {
            if chain[c.arg as usize].is_some() {
                return Err(AddError {
                    errno: 22,
                    conflicts_with: None,
                });
            }
            chain[c.arg as usize] = Some(*c);
        }
        let resolved = sys.map_or(Resolved::Unknown, |s| s.on(self.arch));
        let name = sys.map_or("?", Syscall::name);
        let mux = self
            .arch
            .multiplexers()
            .and_then(|m| sys?.multiplexed().map(|x| (m, x)));
        if let Some((m, x)) = mux {
            // Rule A on socketcall/ipc with a0 == call (the rule's own a0 condition is lost),
            // then rule B on the direct syscall if the ABI has one.
            let (mux_nr, call, mux_name) = match x {
                Multiplexed::Socket(c) => (m.socketcall, c, "socketcall"),
                Multiplexed::Ipc(c) => (m.ipc, c, "ipc"),
            };
            let mut a_chain = chain;
            if let Some(c0) = chain[0] {
                diags.push(
                    Diagnostic::warning(
                        "multiplexer-overwrites-a0",
                        format!(
                            "on {} the rule for {} also applies to {mux_name}({call}, ...), and libseccomp replaces its condition {c0} by a0 == {call}: the argument filter is lost on that path",
                            self.arch, rule.syscall
                        ),
                    )
                    .on(self.arch)
                    .at(Some(rule.origin.location.clone())),
                );
            }
            a_chain[0] = Some(Condition {
                arg: 0,
                op: Op::Eq,
                value: call as u64,
                value_two: 0,
            });
            self.db_rule_add(&ArchRule {
                nr: mux_nr as i64,
                name: mux_name,
                action: rule.action,
                rule: rule.id,
                chain: a_chain,
            })?;
            if let Resolved::Number(nr) = resolved {
                self.db_rule_add(&ArchRule {
                    nr: nr as i64,
                    name,
                    action: rule.action,
                    rule: rule.id,
                    chain,
                })?;
            }
            return Ok(());
        }
        match resolved {
            Resolved::Number(nr) => {
                if self.arch.bits() == 32 {
                    for c in chain.iter().flatten() {
                        let trunc =
                            c.value >> 32 != 0 || (c.op == Op::MaskedEq && c.value_two >> 32 != 0);
                        if trunc {
                            diags.push(
                                Diagnostic::warning(
                                    "truncated-to-32-bits",
                                    format!(
                                        "{} is a 32-bit ABI: libseccomp compares only the low 32 bits, so {c} on {} behaves as if the value were {:#x}",
                                        self.arch, rule.syscall, c.value as u32
                                    ),
                                )
                                .on(self.arch)
                                .at(Some(rule.origin.location.clone())),
                            );
                        }
                    }
                }
                self.db_rule_add(&ArchRule {
                    nr: nr as i64,
                    name,
                    action: rule.action,
                    rule: rule.id,
                    chain,
                })
            }
            Resolved::Pseudo(pnr) if self.arch.multiplexers().is_none() => {
                if !self.absent.contains(&rule.syscall) {
                    self.absent.push(rule.syscall.clone());
                }
                self.db_rule_add(&ArchRule {
                    nr: pnr as i64,
                    name,
                    action: rule.action,
                    rule: rule.id,
                    chain,
                })
            }
            Resolved::Pseudo(_) | Resolved::Unknown => {
                if !self.absent.contains(&rule.syscall) {
                    self.absent.push(rule.syscall.clone());
                }
                Ok(())
            }
        }
    }

    fn entry(&self, key: i64) -> Option<&SyscallRules> {
        if key >= 0 {
            self.syscalls.get(&(key as u32))
        } else {
            self.pseudo.get(&(key as i32))
        }
    }

    fn entry_mut(&mut self, key: i64) -> Option<&mut SyscallRules> {
        if key >= 0 {
            self.syscalls.get_mut(&(key as u32))
        } else {
            self.pseudo.get_mut(&(key as i32))
        }
    }

    fn insert_entry(&mut self, key: i64, e: SyscallRules) {
        if key >= 0 {
            self.syscalls.insert(key as u32, e);
        } else {
            self.pseudo.insert(key as i32, e);
        }
    }

    // ---------------------------------------------------------------- node lifecycle

    fn alloc(&mut self, n: Node) -> NodeId {
        self.nodes.push(n);
        self.nodes.len() - 1
    }

    fn get(&mut self, id: Option<NodeId>) -> Option<NodeId> {
        if let Some(i) = id {
            self.nodes[i].refs += 1;
        }
        id
    }

    fn slot(&self, s: Slot) -> Option<NodeId> {
        match s {
            Slot::Root(nr) => self.entry(nr).and_then(|s| s.chains),
            Slot::T(n) => self.nodes[n].nxt_t,
            Slot::F(n) => self.nodes[n].nxt_f,
        }
    }

    fn set_slot(&mut self, s: Slot, v: Option<NodeId>) {
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
    fn put(&mut self, node: &mut Option<NodeId>) -> i64 {
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
    fn tree_put(&mut self, tree: Option<NodeId>) -> i64 {
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

    fn level_start(&self, mut n: NodeId) -> NodeId {
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

    fn level_clean(&mut self, node: NodeId) -> i64 {
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
    fn tree_remove(&mut self, tree: Slot, node: NodeId) -> i64 {
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

    // ---------------------------------------------------------------- ordering and equality

    fn arg_priority(n: &Node) -> u32 {
        ((n.arg as u32) << 1) + n.hi as u32
    }

    fn op_priority(op: Op) -> u32 {
        match op {
            Op::MaskedEq | Op::Eq | Op::Ne => 3,
            Op::Le | Op::Lt => 2,
            Op::Ge | Op::Gt => 1,
        }
    }

    /// `a` sorts after `b` on a level (levels are kept in descending order of this relation).
    fn chain_lt(a: &Node, b: &Node) -> bool {
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

    fn chain_eq(a: &Node, b: &Node) -> bool {
        Self::arg_priority(a) == Self::arg_priority(b)
            && a.cmp == b.cmp
            && a.datum == b.datum
            && a.mask == b.mask
    }

    /// Every action in the DAG under `tree` equals `action`, or the first leaf that differs.
    fn act_check(&self, tree: Option<NodeId>, action: u32) -> Result<(), usize> {
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

    // ---------------------------------------------------------------- rule → chain

    fn new_node(&mut self, c: &Condition, hi: bool, cmp: Cmp, mask: u64, datum: u64) -> NodeId {
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

    fn link(&mut self, prev: &[NodeId], tf: bool, to: NodeId) {
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
    fn gen(&mut self, r: &ArchRule) -> (Option<NodeId>, i64) {
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

    // ---------------------------------------------------------------- db_rule_add

    fn db_rule_add(&mut self, r: &ArchRule) -> Result<(), AddError> {
        let (new_chains, new_cnt) = self.gen(r);
        let leaf = Leaf {
            action: r.action,
            rule: r.rule,
        };
        let Some(existing) = self.entry(r.nr) else {
            self.insert_entry(
                r.nr,
                SyscallRules {
                    nr: r.nr as u32,
                    name: r.name,
                    action: new_chains.is_none().then_some(leaf),
                    chains: new_chains,
                    node_cnt: new_cnt,
                },
            );
            return Ok(());
        };
        let nr = r.nr;
        if existing.chains.is_none() {
            // Unconditional already: the first unconditional rule wins; conditional ones are ignored.
            self.tree_put(new_chains);
            return Ok(());
        }
        let Some(new_root) = new_chains else {
            // New unconditional rule: discard every conditional chain.
            let old = existing.chains;
            self.tree_put(old);
            let s = self.entry_mut(nr).expect("present");
            s.chains = None;
            s.node_cnt = 0;
            s.action = Some(leaf);
            return Ok(());
        };
        let mut state = IterState {
            flags: 0,
            action: r.action,
            root: nr,
        };
        let root_node = existing.chains;
        let rc = self.prune(root_node, Some(new_root), &mut state);
        if rc > 0 {
            let s = self.entry_mut(nr).expect("present");
            s.node_cnt -= rc;
            if s.chains.is_none() {
                // Pruned everything: the new chain replaces it.
                s.chains = new_chains;
                s.action = None;
                s.node_cnt = new_cnt;
                return Ok(());
            }
        } else if state.flags & IST_REDUNDANT == IST_REDUNDANT {
            // The existing tree is shorter: the new rule is dropped.
            self.tree_put(new_chains);
            return Ok(());
        }
        let mut st = IterState {
            flags: 0,
            action: 0,
            root: nr,
        };
        let mut removed = 0;
        self.tree_add(Slot::Root(nr), new_root, &mut st, &mut removed)?;
        let freed = self.tree_put(new_chains);
        let s = self.entry_mut(nr).expect("present");
        s.node_cnt += new_cnt - removed - freed;
        Ok(())
    }

    fn prune(
        &mut self,
        existing: Option<NodeId>,
        new: Option<NodeId>,
        state: &mut IterState,
    ) -> i64 {
        let mut cnt = 0;
        let mut sn = *state;
        'ret: {
            let (Some(x0), Some(n)) = (existing, new) else {
                break 'ret;
            };
            if state.flags & IST_MATCHSET == IST_MATCH_ONCE {
                break 'ret;
            }
            let mut x = Some(self.level_start(x0));
            while let Some(xi) = x {
                let x_next = self.nodes[xi].next;
                let mut xc = Some(xi);
                'node: {
                    if Self::chain_eq(&self.nodes[xi], &self.nodes[n]) {
                        sn.flags |= IST_MATCHSET;
                        if self.nodes[n].is_leaf() {
                            sn.flags |= IST_N_FINISHED;
                        }
                        if self.nodes[xi].is_leaf() {
                            sn.flags |= IST_X_FINISHED;
                        }
                        let (xn, nn) = (&self.nodes[xi], &self.nodes[n]);
                        if (xn.act_t.is_some() || xn.nxt_t.is_some())
                            && !(nn.act_t.is_some() || nn.nxt_t.is_some())
                        {
                            break 'ret;
                        }
                        if (xn.act_f.is_some() || xn.nxt_f.is_some())
                            && !(nn.act_f.is_some() || nn.nxt_f.is_some())
                        {
                            break 'ret;
                        }
                        if sn.flags & IST_N_FINISHED != 0 && sn.flags & IST_X_FINISHED != 0 {
                            let same = |a: Option<Leaf>, b: Option<Leaf>| match (a, b) {
                                (None, None) => true,
                                (Some(a), Some(b)) => a.action == b.action,
                                _ => false,
                            };
                            if !same(nn.act_t, xn.act_t) || !same(nn.act_f, xn.act_f) {
                                break 'ret;
                            }
                            // Raw true values also compare when both flags are unset.
                            if nn.act_t.is_none() && nn.act_t_raw != xn.act_t_raw {
                                break 'ret;
                            }
                        }
                        for t in [true, false] {
                            let nsub = if t {
                                self.nodes[n].nxt_t
                            } else {
                                self.nodes[n].nxt_f
                            };
                            let Some(nsub) = nsub else { continue };
                            let cur = xc.expect("live");
                            self.get(Some(cur));
                            let mut st = *state;
                            st.flags |= IST_MATCHSET;
                            let xsub = if t {
                                self.nodes[cur].nxt_t
                            } else {
                                self.nodes[cur].nxt_f
                            };
                            cnt += self.prune(xsub, Some(nsub), &mut st);
                            cnt += self.put(&mut xc);
                            if st.flags & IST_MATCH != 0 {
                                sn.flags |= st.flags;
                            }
                            if xc.is_none() {
                                break 'node;
                            }
                        }
                        let cur = xc.expect("live");
                        let ok = self.act_check(Some(cur), sn.action).is_ok()
                            && sn.flags & IST_MATCH != 0;
                        if ok && sn.flags & IST_N_FINISHED != 0 && sn.flags & IST_X_PREFIX != 0 {
                            cnt += self.tree_remove(Slot::Root(state.root), cur);
                            if self.entry(state.root).and_then(|s| s.chains).is_none() {
                                break 'ret;
                            }
                        } else if ok
                            && sn.flags & IST_X_FINISHED != 0
                            && sn.flags & IST_N_PREFIX != 0
                        {
                            break 'ret;
                        }
                    } else if Self::chain_lt(&self.nodes[xi], &self.nodes[n]) {
                        if state.flags & IST_N_PREFIX != 0 {
                            break 'ret;
                        }
                        for t in [true, false] {
                            let cur = xc.expect("live");
                            let xsub = if t {
                                self.nodes[cur].nxt_t
                            } else {
                                self.nodes[cur].nxt_f
                            };
                            if xsub.is_none() {
                                continue;
                            }
                            self.get(Some(cur));
                            let mut st = *state;
                            st.flags &= !IST_MATCH;
                            st.flags |= IST_X_PREFIX;
                            cnt += self.prune(xsub, Some(n), &mut st);
                            cnt += self.put(&mut xc);
                            if st.flags & IST_MATCH != 0 {
                                sn.flags |= st.flags;
                                break 'ret;
                            }
                            if xc.is_none() {
                                break 'node;
                            }
                        }
                    } else {
                        if state.flags & IST_X_PREFIX != 0 {
                            break 'ret;
                        }
                        for t in [true, false] {
                            let nsub = if t {
                                self.nodes[n].nxt_t
                            } else {
                                self.nodes[n].nxt_f
                            };
                            let Some(nsub) = nsub else { continue };
                            let cur = xc.expect("live");
                            self.get(Some(cur));
                            let mut st = *state;
                            st.flags &= !IST_MATCH;
                            st.flags |= IST_N_PREFIX;
                            cnt += self.prune(Some(cur), Some(nsub), &mut st);
                            cnt += self.put(&mut xc);
                            if st.flags & IST_MATCH != 0 {
                                sn.flags |= st.flags;
                                break 'ret;
                            }
                            if xc.is_none() {
                                break 'node;
                            }
                        }
                    }
                }
                x = x_next;
            }
            sn.flags &= !IST_MATCH;
        }
        if sn.flags & IST_MATCH != 0 {
            state.flags |= sn.flags;
        } else {
            state.flags &= !IST_MATCH;
        }
        cnt
    }

    #[allow(clippy::only_used_in_recursion)]
    fn tree_add(
        &mut self,
        existing: Slot,
        new: NodeId,
        state: &mut IterState,
        removed: &mut i64,
    ) -> Result<(), AddError> {
        let Some(mut x) = self.slot(existing) else {
            return Ok(());
        };
        let n = new;
        loop {
            if Self::chain_eq(&self.nodes[x], &self.nodes[n]) {
                if let Some(nt) = self.nodes[n].act_t {
                    match self.nodes[x].act_t {
                        None => {
                            self.act_check(self.nodes[x].nxt_t, nt.action)
                                .map_err(|r| AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(r),
                                })?;
                            let mut sub = self.nodes[x].nxt_t;
                            *removed += self.put(&mut sub);
                            let xn = &mut self.nodes[x];
                            xn.nxt_t = None;
                            xn.act_t = Some(nt);
                            xn.act_t_raw = nt.action;
                        }
                        Some(xt) if xt.action != nt.action => {
                            if self.nodes[n].hi
                                && self.nodes[n].datum_full > self.nodes[x].datum_full
                            {
                                self.nodes[x].act_t = Some(nt);
                                self.nodes[x].act_t_raw = nt.action;
                            }
                            if self.nodes[x].is_leaf() || self.nodes[n].is_leaf() {
                                return Err(AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(xt.rule),
                                });
                            }
                        }
                        Some(_) => {}
                    }
                }
                if let Some(nf) = self.nodes[n].act_f {
                    match self.nodes[x].act_f {
                        None => {
                            self.act_check(self.nodes[x].nxt_f, nf.action)
                                .map_err(|r| AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(r),
                                })?;
                            let mut sub = self.nodes[x].nxt_f;
                            *removed += self.put(&mut sub);
                            let xn = &mut self.nodes[x];
                            xn.nxt_f = None;
                            xn.act_f = Some(nf);
                        }
                        Some(xf) if xf.action != nf.action => {
                            if self.nodes[n].hi
                                && self.nodes[n].datum_full < self.nodes[x].datum_full
                            {
                                // libseccomp < 2.6.1 assigns the *true* action here (a typo fixed
                                // in 2.6.1): the false action stays the first rule's.
                                let raw = self.nodes[n].act_t_raw;
                                let xn = &mut self.nodes[x];
                                xn.act_t_raw = raw;
                                if let Some(t) = xn.act_t.as_mut() {
                                    t.action = raw;
                                }
                            }
                            if self.nodes[x].is_leaf() || self.nodes[n].is_leaf() {
                                return Err(AddError {
                                    errno: EEXIST,
                                    conflicts_with: Some(xf.rule),
                                });
                            }
                        }
                        Some(_) => {}
                    }
                }
                for t in [true, false] {
                    let nsub = if t {
                        self.nodes[n].nxt_t
                    } else {
                        self.nodes[n].nxt_f
                    };
                    let Some(nsub) = nsub else { continue };
                    let (xsub, xact) = if t {
                        (self.nodes[x].nxt_t, self.nodes[x].act_t.is_some())
                    } else {
                        (self.nodes[x].nxt_f, self.nodes[x].act_f.is_some())
                    };
                    if xsub.is_some() {
                        let s = if t { Slot::T(x) } else { Slot::F(x) };
                        self.tree_add(s, nsub, state, removed)?;
                    } else if !xact {
                        let v = self.get(Some(nsub));
                        if t {
                            self.nodes[x].nxt_t = v;
                        } else {
                            self.nodes[x].nxt_f = v;
                        }
                    } else {
                        // The existing tree is shorter: done.
                        return Ok(());
                    }
                }
                return Ok(());
            } else if !Self::chain_lt(&self.nodes[x], &self.nodes[n]) {
                match self.nodes[x].next {
                    None => {
                        self.nodes[n].prev = self.get(Some(x));
                        self.nodes[x].next = self.get(Some(n));
                        return Ok(());
                    }
                    Some(nx) => x = nx,
                }
            } else {
                match self.nodes[x].prev {
                    Some(p) => {
                        self.nodes[p].next = self.get(Some(n));
                        self.nodes[n].prev = Some(p);
                        self.nodes[x].prev = self.get(Some(n));
                        self.nodes[n].next = Some(x);
                    }
                    None => {
                        self.nodes[x].prev = self.get(Some(n));
                        self.nodes[n].next = self.get(Some(x));
                    }
                }
                if self.slot(existing) == Some(x) {
                    let v = self.get(Some(n));
                    self.set_slot(existing, v);
                    let mut old = Some(x);
                    self.put(&mut old);
                }
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests;
