//! Every decision a profile can reach for one syscall on one ABI, each with arguments that
//! reach it: what evidence without arguments (audit records) or with unreadable arguments
//! (strace's strings and structs, which the filter sees as pointers) needs to be answered.
//!
//! 1. The candidate values of an argument are the boundaries of the comparisons the rule
//!    database makes on it (each node's datum, datum ± 1, the datum with the bits outside the
//!    mask set, the datum with its lowest mask bit flipped; 0 and all ones), per 32-bit word.
//!    Every region of the word that a comparison distinguishes contains one of them.
//! 2. Arguments whose value is known keep it; the others range over their candidates; the
//!    product is decided with [`eval::decide`] (the reference evaluator, with provenance).
//! 3. Decisions are grouped by who decided (rule id, default, stub, bad arch), in the order
//!    first met, each with the first arguments that reached it. Past [`MAX_QUERIES`] the
//!    enumeration stops and says it is not exhaustive.

use crate::db::{ArchDb, Database, NodeId};
use crate::eval::{self, Decision, Query, Source};
use serde::Serialize;
use std::collections::BTreeSet;

/// Most argument vectors decided for one syscall (Docker's profile needs at most 49).
pub const MAX_QUERIES: usize = 4096;

/// One reachable decision.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The decision (action, source, steps) for the witness.
    pub decision: Decision,
    /// Arguments that reach it.
    pub witness: [u64; 6],
}

/// The reachable decisions of a syscall.
#[derive(Clone, Debug, Serialize)]
pub struct Outcomes {
    /// In the order first met.
    pub list: Vec<Outcome>,
    /// The arguments the rule database compares for this syscall on this ABI.
    pub tested_args: Vec<u8>,
    /// False when [`MAX_QUERIES`] stopped the enumeration.
    pub exhaustive: bool,
}

/// The key that makes two decisions "the same outcome": the return value and who decided.
fn key(d: &Decision) -> (u32, u8, usize) {
    match d.source {
        Source::EnosysStub { .. } => (d.ret, 0, 0),
        Source::BadArch => (d.ret, 1, 0),
        Source::WrongAbiNumber => (d.ret, 2, 0),
        Source::Default { .. } => (d.ret, 3, 0),
        Source::Rule { rule, .. } => (d.ret, 4, rule),
    }
}

/// The nodes of a syscall's argument DAG (every level, every branch).
fn tree_nodes(adb: &ArchDb, root: Option<NodeId>) -> Vec<NodeId> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<NodeId> = root.into_iter().collect();
    while let Some(n) = stack.pop() {
        if n >= adb.nodes.len() || !seen.insert(n) {
            continue;
        }
        let node = &adb.nodes[n];
        stack.extend(
            [node.prev, node.next, node.nxt_t, node.nxt_f]
                .into_iter()
                .flatten(),
        );
    }
    seen.into_iter().collect()
}

/// Every decision `db` can make for `(audit_arch, nr)` when the arguments marked `None` may
/// hold any value (see the module documentation).
pub fn outcomes(db: &Database, audit_arch: u32, nr: u32, known: &[Option<u64>; 6]) -> Outcomes {
    let base = Query {
        audit_arch,
        nr,
        args: known.map(|k| k.unwrap_or(0)),
        instruction_pointer: 0,
    };
    let first = eval::decide(db, &base);
    // Arguments matter only when the syscall's own rules compare them.
    let tree = match (&first.source, eval::select(db, audit_arch, nr)) {
        (Source::Rule { .. } | Source::Default { .. }, Ok(adb)) => adb
            .syscalls
            .get(&nr)
            .filter(|s| s.action.is_none())
            .map(|s| (adb, tree_nodes(adb, s.chains))),
        _ => None,
    };
    let Some((adb, nodes)) = tree else {
        return Outcomes {
            list: vec![Outcome {
                decision: first,
                witness: base.args,
            }],
            tested_args: Vec::new(),
            exhaustive: true,
        };
    };
    let mut lo: [BTreeSet<u32>; 6] = Default::default();
    let mut hi: [BTreeSet<u32>; 6] = Default::default();
    for &n in &nodes {
        let node = &adb.nodes[n];
        let i = (node.arg as usize).min(5);
        let set = if node.hi { &mut hi[i] } else { &mut lo[i] };
        let low_bit = node.mask & node.mask.wrapping_neg();
        set.extend([
            node.datum,
            node.datum.wrapping_add(1),
            node.datum.wrapping_sub(1),
            node.datum | !node.mask,
            node.datum ^ low_bit,
        ]);
    }
    let tested: Vec<u8> = (0..6u8)
        .filter(|&i| !lo[i as usize].is_empty() || !hi[i as usize].is_empty())
        .collect();
    let mut choices: Vec<Vec<u64>> = Vec::with_capacity(6);
    for i in 0..6 {
        if let Some(v) = known[i] {
            choices.push(vec![v]);
            continue;
        }
        if !tested.contains(&(i as u8)) {
            choices.push(vec![0]);
            continue;
        }
        let mut l = lo[i].clone();
        let mut h = hi[i].clone();
        l.extend([0, u32::MAX]);
        h.extend([0, u32::MAX]);
        let mut vals = BTreeSet::new();
        for &hw in &h {
            for &lw in &l {
                vals.insert(((hw as u64) << 32) | lw as u64);
            }
        }
        choices.push(vals.into_iter().collect());
    }
    let mut list: Vec<Outcome> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut idx = [0usize; 6];
    let mut count = 0;
    let exhaustive = loop {
        if count == MAX_QUERIES {
            break false;
        }
        count += 1;
        let mut q = base;
        for i in 0..6 {
            q.args[i] = choices[i][idx[i]];
        }
        let d = eval::decide(db, &q);
        if seen.insert(key(&d)) {
            list.push(Outcome {
                decision: d,
                witness: q.args,
            });
        }
        // Next combination (mixed radix, last argument fastest).
        let mut i = 6;
        loop {
            if i == 0 {
                break;
            }
            i -= 1;
            idx[i] += 1;
            if idx[i] < choices[i].len() {
                break;
            }
            idx[i] = 0;
            if i == 0 {
                i = usize::MAX;
                break;
            }
        }
        if i == usize::MAX {
            break true;
        }
    };
    Outcomes {
        list,
        tested_args: tested,
        exhaustive,
    }
}
