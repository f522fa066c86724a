//! The reference evaluator: decides a syscall straight from the rule database, with the
//! provenance of the decision — which stage answered (runc's ENOSYS stub, the bad-arch check,
//! a syscall's rules or the default) and, for rules, which profile entry and which comparison
//! nodes were visited. The compiled BPF must agree with it on every input.

use crate::action::Action;
use crate::arch::{Arch, X32_SYSCALL_BIT};
use crate::db::{ArchDb, Database, Leaf, NodeId};
use serde::Serialize;

/// The input of a decision: what the kernel puts in `struct seccomp_data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Query {
    /// `AUDIT_ARCH_*` of the calling ABI.
    pub audit_arch: u32,
    /// Syscall number as the filter sees it.
    pub nr: u32,
    /// The six arguments.
    pub args: [u64; 6],
    /// The instruction pointer.
    pub instruction_pointer: u64,
}

/// One comparison visited while deciding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The node.
    pub node: NodeId,
    /// The 32-bit word compared.
    pub word: u32,
    /// Whether the comparison held.
    pub result: bool,
}

/// Which stage decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Source {
    /// runc's stub: the number is above the largest the profile names on this ABI.
    EnosysStub {
        /// The ABI's maximum.
        max: u32,
    },
    /// No ABI of the filter matches `seccomp_data.arch`.
    BadArch,
    /// The x86_64 block (without x32) saw an x32 number, or the x32 block a non-x32 number.
    WrongAbiNumber,
    /// No rule for the syscall, or no rule matched.
    Default {
        /// The ABI whose block ran.
        arch: Arch,
        /// The syscall has rules, but none matched.
        had_rules: bool,
    },
    /// A rule decided.
    Rule {
        /// The ABI whose block ran.
        arch: Arch,
        /// The rule ([`crate::resolve::Rule::id`]).
        rule: usize,
        /// It was an unconditional rule.
        unconditional: bool,
    },
}

/// A decision and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The 32-bit value the filter returns.
    pub ret: u32,
    /// The decoded action.
    pub action: Action,
    /// Who decided.
    pub source: Source,
    /// Comparisons visited, in order.
    pub steps: Vec<Step>,
}

/// The ABI database that handles `(audit_arch, nr)`, or the reason none does.
pub fn select(db: &Database, audit_arch: u32, nr: u32) -> Result<&ArchDb, Source> {
    let has = |a: Arch| db.dbs.iter().find(|d| d.arch == a);
    if audit_arch == Arch::X86_64.audit_arch() {
        return match (has(Arch::X86_64), has(Arch::X32)) {
            (Some(x), Some(x32)) => Ok(if nr & X32_SYSCALL_BIT != 0 && nr != u32::MAX {
                x32
            } else {
                x
            }),
            (Some(x), None) => {
                if nr >= X32_SYSCALL_BIT && nr != u32::MAX {
                    Err(Source::WrongAbiNumber)
                } else {
                    Ok(x)
                }
            }
            (None, Some(x32)) => {
                if nr >= X32_SYSCALL_BIT {
                    Ok(x32)
                } else {
                    Err(Source::WrongAbiNumber)
                }
            }
            (None, None) => Err(Source::BadArch),
        };
    }
    db.dbs
        .iter()
        .find(|d| d.arch.audit_arch() == audit_arch)
        .ok_or(Source::BadArch)
}

/// Decides a query from the database.
pub fn decide(db: &Database, q: &Query) -> Decision {
    let done = |ret: u32, source: Source, steps: Vec<Step>| Decision {
        ret,
        action: Action::from_ret(ret),
        source,
        steps,
    };
    if let Some(stub) = &db.enosys {
        if let Some(ret) = stub.decide(q.audit_arch, q.nr) {
            let abis = Arch::from_audit_arch(q.audit_arch);
            let max = stub
                .max
                .iter()
                .filter(|(a, _)| abis.contains(a))
                .map(|&(a, m)| {
                    let x32 = q.nr & X32_SYSCALL_BIT != 0;
                    (a == Arch::X32, x32, m)
                })
                .find(|&(is32, x32, _)| is32 == x32 || abis.len() == 1)
                .map(|(_, _, m)| m)
                .unwrap_or(0);
            return done(ret, Source::EnosysStub { max }, Vec::new());
        }
    }
    let adb = match select(db, q.audit_arch, q.nr) {
        Ok(a) => a,
        Err(source) => return done(db.badarch_action, source, Vec::new()),
    };
    let Some(sys) = adb.syscalls.get(&q.nr) else {
        return done(
            db.default_action,
            Source::Default {
                arch: adb.arch,
                had_rules: false,
            },
            Vec::new(),
        );
    };
    if let Some(leaf) = sys.action {
        return done(
            leaf.action,
            Source::Rule {
                arch: adb.arch,
                rule: leaf.rule,
                unconditional: true,
            },
            Vec::new(),
        );
    }
    let mut steps = Vec::new();
    match eval_level(adb, sys.chains, q, &mut steps) {
        Some(leaf) => done(
            leaf.action,
            Source::Rule {
                arch: adb.arch,
                rule: leaf.rule,
                unconditional: false,
            },
            steps,
        ),
        None => done(
            db.default_action,
            Source::Default {
                arch: adb.arch,
                had_rules: true,
            },
            steps,
        ),
    }
}

/// The 32-bit word of `seccomp_data` at `offset` for an ABI's byte order (0 outside it).
pub fn word(arch: Arch, q: &Query, offset: u32) -> u32 {
    let mut d = crate::bpf::SeccompData::new(q.nr, q.audit_arch, q.args);
    d.instruction_pointer = q.instruction_pointer;
    d.load_word(offset, arch.endian()).unwrap_or(0)
}

/// Evaluates a level (§2.6): siblings in order; a true/false branch is an action, a sub-level
/// (whose fall-through continues with the next sibling here), or nothing (next sibling).
fn eval_level(
    db: &ArchDb,
    level: Option<NodeId>,
    q: &Query,
    steps: &mut Vec<Step>,
) -> Option<Leaf> {
    let mut cur = level.map(|mut n| {
        while let Some(p) = db.nodes[n].prev {
            n = p;
        }
        n
    });
    // Sub-levels are DAG-shared; depth is bounded by 6 args × 3 nodes, so recursion is fine.
    while let Some(i) = cur {
        let node = &db.nodes[i];
        let w = word(db.arch, q, node.offset);
        let result = node.test(w);
        steps.push(Step {
            node: i,
            word: w,
            result,
        });
        let (act, sub) = if result {
            (node.act_t, node.nxt_t)
        } else {
            (node.act_f, node.nxt_f)
        };
        if let Some(a) = act {
            return Some(a);
        }
        if sub.is_some() {
            if let Some(a) = eval_level(db, sub, q, steps) {
                return Some(a);
            }
        }
        cur = node.next;
    }
    None
}
