//! The rule database: libseccomp's per-ABI argument trees, built with its exact semantics
//! (libseccomp 2.5's `db_rule_add`; seccomp-semantics.md §2.1–2.6).
//!
//! Each ABI of the filter has its own database (libseccomp's `struct db_filter`). Every rule of
//! the [`Policy`] is added to every ABI in order, as one transaction: if any ABI fails, the
//! whole add fails and the runtime refuses to start the container. Per syscall, rules merge
//! into a decision DAG of 32-bit word comparisons. Its shape, and so its decisions, follow
//! libseccomp:
//! 1. The first unconditional rule wins; an unconditional rule discards conditional ones.
//! 2. A rule extending a shorter one is dropped.
//! 3. Identical conditions with different actions conflict (EEXIST).
//! 4. Higher argument index first. 64-bit values split into hi and lo words; 32-bit ABIs
//!    compare the low word only.
//! 5. Socket and IPC calls are multiplexed on x86, s390, ppc, mips o32, m68k and sh.
//!
//! The node lifecycle (reference counts, level clean-up) decides which nodes stay reachable
//! after pruning, so it is modelled too. `tree.rs` holds the nodes, their order and a rule's
//! chain; `add.rs` adds a rule (`db_rule_add`: prune, then merge).

mod add;
mod tree;

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

impl ArchDb {
    /// The rules ([`Rule::id`]) whose chains end in a leaf of syscall `nr`'s decision DAG (or
    /// its unconditional action): the rules that can decide a call of it on this ABI. A rule of
    /// the policy for `nr` that is not among them left no trace: libseccomp dropped it, or
    /// merged it into an identical one (seccomp-semantics.md §2.5).
    pub fn leaf_rules(&self, nr: u32) -> std::collections::BTreeSet<usize> {
        let mut rules = std::collections::BTreeSet::new();
        let Some(s) = self.syscalls.get(&nr) else {
            return rules;
        };
        rules.extend(s.action.map(|l| l.rule));
        let mut seen = vec![false; self.nodes.len()];
        let mut levels: Vec<NodeId> = s.chains.into_iter().collect();
        while let Some(n) = levels.pop() {
            let mut at = Some(self.level_start(n));
            while let Some(i) = at {
                if std::mem::replace(&mut seen[i], true) {
                    break; // a level already walked (a DAG shares levels), or a cycle
                }
                let node = &self.nodes[i];
                rules.extend(node.act_t.iter().chain(node.act_f.iter()).map(|l| l.rule));
                levels.extend(node.nxt_t.iter().chain(node.nxt_f.iter()).copied());
                at = node.next;
            }
        }
        rules
    }
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

#[cfg(test)]
mod tests;
