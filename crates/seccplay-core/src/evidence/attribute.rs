//! Audit records read against a profile: for each record, the parts of the profile that can
//! produce exactly the logged action for that syscall on that ABI.
//!
//! 1. A record has no arguments, so every decision the profile can reach for the call is
//!    enumerated ([`outcomes`]) and those whose action is the logged one are the candidates.
//! 2. Each candidate names who decides (a rule with its entry, location and conditions; the
//!    default action; runc's ENOSYS stub; the bad-architecture action) and, when arguments
//!    matter, arguments that lead to it (the enumeration's witness, shown as a call).
//! 3. No candidate: this profile can never log that action for that call, so the record came
//!    from another filter (one stacked by the runtime or the program) or another profile.
//! 4. Records with the same ABI, number and action share one answer (computed once).

use crate::analysis::{describe_action, Analysis};
use crate::arch::Arch;
use crate::diag::Location;
use crate::eval::Source;
use crate::evidence::audit::{AuditLog, AuditRecord, LoggedAction};
use crate::evidence::outcomes::outcomes;
use crate::supervise::format_call;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One way the profile produces the logged action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// `rule`, `default`, `enosys-stub`, `bad-arch`, `wrong-abi-number`.
    pub kind: &'static str,
    /// The full return value (with the errno or data the record does not carry).
    pub ret: u32,
    /// `ERRNO(EPERM)`.
    pub action: String,
    /// `syscalls[12]` for a rule.
    pub entry: Option<usize>,
    /// Where in the profile.
    pub location: Option<Location>,
    /// The rule's argument conditions (`flags & 0x7e020000 != 0`), empty when unconditional.
    pub conditions: Vec<String>,
    /// Arguments lead here only for some values: an example call that does.
    pub example: Option<String>,
    /// One sentence.
    pub explanation: String,
}

/// The answer for one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// Index of the record in [`AuditLog::records`].
    pub record: usize,
    /// The parts of the profile that log this action for this call.
    pub candidates: Arc<Vec<Candidate>>,
    /// The verdict in one sentence (also when there is no candidate).
    pub summary: Arc<str>,
}

/// Every record of `log` read against the analysed profile.
pub fn attribute(log: &AuditLog, an: &Analysis) -> Vec<Attribution> {
    type Key = (u32, Option<u32>, LoggedAction);
    let mut cache: BTreeMap<Key, (Arc<Vec<Candidate>>, Arc<str>)> = BTreeMap::new();
    log.records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let (candidates, summary) = cache
                .entry((r.audit_arch, r.nr, r.action))
                .or_insert_with(|| {
                    let (c, s) = answer(r, an);
                    (Arc::new(c), Arc::from(s))
                })
                .clone();
            Attribution {
                record: i,
                candidates,
                summary,
            }
        })
        .collect()
}

fn answer(r: &AuditRecord, an: &Analysis) -> (Vec<Candidate>, String) {
    let what = format!("{} on {}", r.syscall_label(), r.abi_label());
    let logged = r.action.name();
    let Some(nr) = r.nr else {
        return (
            Vec::new(),
            format!("{what}: the record gives no syscall number"),
        );
    };
    let Some(db) = &an.database else {
        let why = an.unconfined.clone().unwrap_or_else(|| {
            "the profile was refused, so the container would not have started".into()
        });
        return (
            Vec::new(),
            format!("This profile installs no filter ({why}): the {logged} of {what} came from another filter or another profile."),
        );
    };
    let found = outcomes(db, r.audit_arch, nr, &[None; 6]);
    let several = found.list.len() > 1;
    let abi = r.abi.unwrap_or(Arch::X86_64);
    let mut cands = Vec::new();
    for o in &found.list {
        if !r.action.matches(o.decision.ret) {
            continue;
        }
        let d = &o.decision;
        let example = several.then(|| format_call(abi, nr, &o.witness, &mut |_| None));
        let action = describe_action(d.ret);
        let c = match &d.source {
            Source::Rule { rule, .. } => {
                let rule = db.rules.get(*rule);
                let conditions: Vec<String> = rule
                    .map(|r| r.conditions.iter().map(|c| c.to_string()).collect())
                    .unwrap_or_default();
                let entry = rule.map(|r| r.origin.entry);
                let how = if conditions.is_empty() {
                    "unconditionally".to_string()
                } else {
                    format!("when {}", conditions.join(" && "))
                };
                Candidate {
                    kind: "rule",
                    ret: d.ret,
                    action: action.clone(),
                    entry,
                    location: rule.map(|r| r.origin.location.clone()),
                    explanation: format!(
                        "syscalls[{}] returns {action} for {} {how}",
                        entry.unwrap_or(0),
                        r.syscall_label()
                    ),
                    conditions,
                    example,
                }
            }
            Source::Default { had_rules, .. } => Candidate {
                kind: "default",
                ret: d.ret,
                action: action.clone(),
                entry: None,
                location: an
                    .parsed
                    .as_ref()
                    .and_then(|p| p.profile.default_action.as_ref())
                    .map(|l| l.location.clone()),
                conditions: Vec::new(),
                explanation: if *had_rules {
                    format!("the default action {action}, when none of the argument rules for {} matches", r.syscall_label())
                } else {
                    format!("the default action {action}: no rule applies to {} on {}", r.syscall_label(), r.abi_label())
                },
                example,
            },
            Source::EnosysStub { max } => Candidate {
                kind: "enosys-stub",
                ret: d.ret,
                action: action.clone(),
                entry: None,
                location: None,
                conditions: Vec::new(),
                explanation: format!("runc's ENOSYS stub: number {nr} is above {max}, the largest the profile names on {}", r.abi_label()),
                example,
            },
            Source::BadArch => Candidate {
                kind: "bad-arch",
                ret: d.ret,
                action: action.clone(),
                entry: None,
                location: None,
                conditions: Vec::new(),
                explanation: format!("the bad-architecture action: the profile does not cover {}", r.abi_label()),
                example,
            },
            Source::WrongAbiNumber => Candidate {
                kind: "wrong-abi-number",
                ret: d.ret,
                action: action.clone(),
                entry: None,
                location: None,
                conditions: Vec::new(),
                explanation: format!("the bad-architecture action: number {nr:#x} belongs to no ABI of the filter (x32 numbers carry bit 30)"),
                example,
            },
        };
        cands.push(c);
    }
    let caveat = r
        .action
        .caveat()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    let summary = match cands.len() {
        0 => {
            let can: Vec<String> = found
                .list
                .iter()
                .map(|o| describe_action(o.decision.ret))
                .collect();
            format!(
                "This profile never logs {logged} for {what}: it can only answer {}. The record came from another filter (one stacked by the runtime or the program) or from another profile.",
                can.join(" or ")
            )
        }
        1 if !several => format!("{what}: {logged}{caveat}: {}.", cands[0].explanation),
        1 => format!(
            "{what}: {logged}{caveat}: {}; the arguments decide, e.g. {}.",
            cands[0].explanation,
            cands[0].example.as_deref().unwrap_or("?")
        ),
        n => format!(
            "{what}: {logged}{caveat}: {n} parts of the profile can produce it; the arguments, which the record does not carry, decide which."
        ),
    };
    let summary = if found.exhaustive {
        summary
    } else {
        format!("{summary} (not every argument combination was tried)")
    };
    (cands, summary)
}
