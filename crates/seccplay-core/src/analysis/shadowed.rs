//! Rules libseccomp kept no trace of (seccomp-semantics.md §2.5).
//!
//! libseccomp adds rules one by one and drops some without an error: a rule after an
//! unconditional one for the same syscall, conditional rules an unconditional one replaces, and
//! a rule that extends a shorter one (its conditions start with all of the shorter rule's). The
//! program is right (the verdicts follow libseccomp); the profile's author may not know.
//!
//! 1. A rule has no trace on an ABI when none of the leaves of its syscall's decision DAG there
//!    comes from it ([`crate::db::ArchDb::leaf_rules`]). ABIs where the name does not exist,
//!    and multiplexed socket/IPC calls (their own rewrite, reported by the database), are not
//!    looked at.
//! 2. What decides the calls it matches instead: a call that satisfies every condition of the
//!    rule (its witness), decided by the reference evaluator.
//! 3. One diagnostic per rule, at its location: a warning when the deciding rule's action
//!    differs (the rule's own action never happens), a note when it is the same (redundant).
use crate::action::Action;
use crate::arch::Arch;
use crate::db::Database;
use crate::diag::Diagnostic;
use crate::eval::{self, Query, Source};
use crate::profile::Op;
use crate::resolve::{Policy, Rule};
use crate::syscalls::{self, Resolved};

/// The diagnostics for the rules of `policy` that left no trace in `db`.
pub(super) fn shadowed_rules(policy: &Policy, db: &Database) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in policy.rules.iter() {
        let Some(sys) = syscalls::lookup_in(policy.libseccomp, &rule.syscall) else {
            continue;
        };
        let mut traced = false;
        let mut lost: Vec<Lost> = Vec::new();
        for adb in &db.dbs {
            if sys.multiplexed().is_some() && adb.arch.multiplexers().is_some() {
                continue;
            }
            let Resolved::Number(nr) = sys.on(adb.arch) else {
                continue;
            };
            if adb.leaf_rules(nr).contains(&rule.id) {
                traced = true;
                continue;
            }
            lost.push(Lost {
                arch: adb.arch,
                unconditional: adb.syscalls.get(&nr).is_some_and(|s| s.chains.is_none()),
                decider: decider(db, adb.arch, nr, rule),
            });
        }
        if lost.is_empty() {
            continue;
        }
        out.push(diagnostic(policy, rule, &lost, traced));
    }
    out
}

/// A rule without a trace on one ABI.
struct Lost {
    arch: Arch,
    /// The syscall has an unconditional rule there.
    unconditional: bool,
    /// The rule and action that decide the calls the rule matches.
    decider: Option<(usize, u32)>,
}

/// The rule and action deciding a call that satisfies every condition of `rule` on `arch`
/// (`None`: no such call, or the default decided).
fn decider(db: &Database, arch: Arch, nr: u32, rule: &Rule) -> Option<(usize, u32)> {
    let mut args = [0u64; 6];
    for c in &rule.conditions {
        let v = match c.op {
            Op::Eq | Op::Le | Op::Ge => c.value,
            Op::Ne => c.value.wrapping_add(1),
            Op::Lt => c.value.checked_sub(1)?,
            Op::Gt => c.value.checked_add(1)?,
            Op::MaskedEq => c.value_two & c.value,
        };
        if !c.matches(v) {
            return None;
        }
        args[c.arg as usize] = v;
    }
    let q = Query {
        audit_arch: arch.audit_arch(),
        nr,
        args,
        instruction_pointer: 0,
    };
    match eval::decide(db, &q).source {
        Source::Rule { rule: r, .. } if r != rule.id => Some((r, policy_action(db, r)?)),
        _ => None,
    }
}

fn policy_action(db: &Database, rule: usize) -> Option<u32> {
    db.rules.get(rule).map(|r| r.action)
}

fn diagnostic(policy: &Policy, rule: &Rule, lost: &[Lost], traced: bool) -> Diagnostic {
    let abis: Vec<String> = lost.iter().map(|l| l.arch.to_string()).collect();
    let on = if traced {
        format!("on {}", abis.join(", "))
    } else {
        "on every ABI of the filter".to_string()
    };
    let mine = Action::from_ret(rule.action);
    let unconditional = lost.iter().any(|l| l.unconditional);
    let why = if unconditional {
        "the syscall has an unconditional rule, and libseccomp keeps only the first unconditional rule for a syscall (an unconditional rule also discards the conditional ones added before it)"
    } else {
        "libseccomp drops a rule whose conditions extend a shorter rule's, and merges a rule into an identical one"
    };
    let by = lost.iter().find_map(|l| l.decider);
    let (severity_warning, message) = match by.and_then(|(r, a)| Some((policy.rules.get(r)?, a))) {
        Some((other, action)) if action != rule.action => (
            true,
            format!(
                "the rule for {} ({mine}) never decides a call {on}: {why}; the calls it matches get {} from the rule at {}",
                rule.syscall,
                Action::from_ret(action),
                other.origin.location
            ),
        ),
        Some((other, _)) => (
            false,
            format!(
                "the rule for {} ({mine}) is redundant {on}: {why}; the calls it matches get the same action from the rule at {}",
                rule.syscall, other.origin.location
            ),
        ),
        None => (
            true,
            format!(
                "the rule for {} ({mine}) never decides a call {on}: {why}",
                rule.syscall
            ),
        ),
    };
    let d = if severity_warning {
        Diagnostic::warning("rule-shadowed", message)
    } else {
        Diagnostic::note("rule-redundant", message)
    };
    d.at(Some(rule.origin.location.clone()))
}
