//! A filter (or stack) back to a Docker-format profile, and the check that it is equivalent.
//!
//! A profile states, for the ABIs it lists, a default action and per syscall name the rules
//! (action, at most one `SCMP_CMP_*` condition per argument) that override it. The decompiler
//! reads that off the [`FilterAnalysis`].
//!
//! 1. The default action is the analysis' (`FilterAnalysis::default_ret`): what numbers outside
//!    the syscall tables get; when they get several (runc's ENOSYS stub above the profile's
//!    highest number), the one of those the rows use most; failing both, the most frequent
//!    constant action of the rows.
//! 2. Every row emits its cases whose outcome is not the default: a case is a disjunction of
//!    conjunctions ([`super::cond`]), each a rule. The default's own region needs no rule: the
//!    cases of a row are disjoint, so what no rule matches is exactly the default's region.
//! 3. A profile's rules apply to a name on every ABI it lists. A name whose rules differ
//!    between ABIs (compared on the low word for 32-bit ABIs, as libseccomp compiles them) is
//!    emitted with the first ABI's rules and reported.
//! 4. On ABIs that multiplex socket and IPC calls, socketcall/ipc rules that libseccomp adds
//!    back from the socket/ipc names' own rules are not stated twice.
//! 5. Each syscall's rules come in an order libseccomp 2.5.4 builds into a program that decides
//!    the syscall as the filter does ([`super::order`]); socketcall's and ipc's own rules come
//!    first. A syscall for which no order tried does is reported (and, when none builds, left
//!    out).
//! 6. What no rule can state is reported with the syscall and the reason, and left out:
//!    instruction-pointer and `arch` tests, computed values, interior ranges, actions with data
//!    a profile cannot give (TRAP data, unknown actions), numbers outside the syscall tables,
//!    and other `arch` values that do not get libseccomp's bad-arch action (KILL_THREAD).
//!
//! [`round_trip`] proves the result: it compiles the profile and runs both programs on every
//! path witness of both analyses.

use super::cond::{ArgCond, Cond};
use super::{FilterAnalysis, Outcome, Row, Verdict};
use crate::action::Action;
use crate::arch::Arch;
use crate::bpf::{interp, Insn};
use serde::Serialize;
use std::collections::BTreeMap;

/// Something the profile could not state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Gap {
    /// The ABI (`None` for the "other arches" row).
    pub abi: Option<Arch>,
    /// The syscall name, `#nr`, or `(other numbers)` / `(other arches)`.
    pub syscall: String,
    /// Why, in words.
    pub why: String,
}

/// A decompiled profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decompiled {
    /// The profile, JSON text (deterministic).
    pub profile: String,
    /// Its ABIs (the order of `architectures`).
    pub abis: Vec<Arch>,
    /// The default action's value.
    pub default_ret: u32,
    /// What it leaves out or states for one ABI only.
    pub gaps: Vec<Gap>,
}

/// One rule: its return value and its conditions.
pub(crate) type Rule = (u32, Vec<ArgCond>);

fn action_json(ret: u32) -> Option<(String, Option<u16>)> {
    let a = Action::from_ret(ret);
    if ret != a.to_ret() {
        return None;
    }
    Some(match a {
        Action::Errno(d) if d < crate::action::MAX_ERRNO => (a.scmp_name().into(), Some(d)),
        Action::Trace(d) => (a.scmp_name().into(), Some(d)),
        Action::Trap(0)
        | Action::KillProcess
        | Action::KillThread
        | Action::UserNotif
        | Action::Log
        | Action::Allow => (a.scmp_name().into(), None),
        _ => return None,
    })
}

fn row_rules(
    r: &Row,
    default: u32,
    gaps: &mut Vec<Gap>,
    abi: Option<Arch>,
    what: &str,
) -> Vec<Rule> {
    let gap = |gaps: &mut Vec<Gap>, why: String| {
        gaps.push(Gap {
            abi,
            syscall: what.to_string(),
            why,
        })
    };
    let mut out = Vec::new();
    match &r.verdict {
        Verdict::Constant { ret, .. } if *ret == default => {}
        Verdict::Constant { ret, .. } => out.push((*ret, vec![])),
        Verdict::TooComplex { limit } => gap(gaps, format!("not analysed: {limit}")),
        Verdict::Conditional { cases } => {
            for c in cases {
                let ret = match &c.outcome {
                    Outcome::Ret(v) if *v == default => continue,
                    Outcome::Ret(v) => *v,
                    o => {
                        gap(
                            gaps,
                            format!("returns {}, which no profile action is", o.describe()),
                        );
                        continue;
                    }
                };
                for conj in &c.when {
                    let mut args = Vec::new();
                    let mut raw = None;
                    for x in conj {
                        match x {
                            Cond::Arg(a) => args.push(*a),
                            Cond::Raw { text, why } => raw = Some(format!("{text}: {why}")),
                        }
                    }
                    match raw {
                        Some(w) => gap(
                            gaps,
                            format!(
                                "{} when {w}; left to the default action",
                                crate::analysis::describe_action(ret)
                            ),
                        ),
                        None => out.push((ret, args)),
                    }
                }
            }
        }
    }
    crate::sort::sort(&mut out);
    out.dedup();
    out
}

fn truncate(rules: &[Rule]) -> Vec<Rule> {
    let mut v: Vec<Rule> = rules
        .iter()
        .map(|(r, c)| {
            let c = c
                .iter()
                .map(|a| ArgCond {
                    value: a.value & 0xffff_ffff,
                    value_two: a.value_two & 0xffff_ffff,
                    ..*a
                })
                .collect();
            (*r, c)
        })
        .collect();
    crate::sort::sort(&mut v);
    v
}

/// Decompiles an analysis (see the module docs).
pub fn decompile(an: &FilterAnalysis) -> Decompiled {
    // ABIs the filter does not handle (see super::handles) are left out; the recompiled
    // filter treats them the same way (the round trip checks this).
    let handled = |abi: Arch| super::handles(&an.arches, abi);
    let all: Vec<Arch> = an
        .arches
        .iter()
        .flat_map(|a| a.abis.iter().copied())
        .collect();
    let mut abis: Vec<Arch> = all.iter().copied().filter(|a| handled(*a)).collect();
    if abis.is_empty() {
        abis.extend(all.first().copied());
    }
    let mut gaps = Vec::new();
    // 1. The default action.
    let default_ret = an
        .default_ret
        .filter(|r| action_json(*r).is_some())
        .unwrap_or(Action::KillThread.to_ret());
    // 2. Rules per ABI and name, for the ABIs the profile lists.
    let mut per_name: BTreeMap<&'static str, Vec<(Arch, Vec<Rule>)>> = BTreeMap::new();
    for ar in &an.arches {
        for r in &ar.rows {
            let (Some(abi), Some(name)) = (r.abi, r.name) else {
                continue;
            };
            if !abis.contains(&abi) {
                continue;
            }
            let rules = row_rules(r, default_ret, &mut gaps, Some(abi), name);
            per_name.entry(name).or_default().push((abi, rules));
        }
        let other = &ar.other_numbers;
        if !matches!(other.verdict, Verdict::Constant { ret, .. } if ret == default_ret) {
            gaps.push(Gap {
                abi: ar.abis.first().copied(),
                syscall: "(other numbers)".into(),
                why: format!(
                    "numbers outside the syscall tables get {}; a profile names syscalls, so they get the default action {}",
                    verdict_text(other),
                    crate::analysis::describe_action(default_ret)
                ),
            });
        }
    }
    let badarch = Action::KillThread.to_ret();
    if !matches!(an.other_arches.verdict, Verdict::Constant { ret, .. } if ret == badarch) {
        gaps.push(Gap {
            abi: None,
            syscall: "(other arches)".into(),
            why: format!(
                "other architectures get {}; a profile gives them libseccomp's bad-arch action KILL_THREAD",
                verdict_text(&an.other_arches)
            ),
        });
    }
    // 3. One rule set per name.
    let mut chosen: BTreeMap<&'static str, (Arch, Vec<Rule>)> = BTreeMap::new();
    for (name, per_abi) in &per_name {
        let (first_abi, first) = &per_abi[0];
        for (abi, rules) in &per_abi[1..] {
            let same = if abi.bits() == 32 && first_abi.bits() == 64 {
                truncate(first) == truncate(rules)
            } else {
                first == rules
            };
            if !same {
                gaps.push(Gap {
                    abi: Some(*abi),
                    syscall: name.to_string(),
                    why: format!(
                        "its rules differ from {first_abi}'s, and a profile's rules apply to every ABI it lists; {first_abi}'s are stated"
                    ),
                });
            }
        }
        let mut kept = Vec::new();
        for rule in first {
            if action_json(rule.0).is_none() {
                gaps.push(Gap {
                    abi: Some(*first_abi),
                    syscall: name.to_string(),
                    why: format!("returns {:#010x}, which no profile action gives", rule.0),
                });
                continue;
            }
            kept.push(rule.clone());
        }
        if !kept.is_empty() {
            chosen.insert(name, (*first_abi, kept));
        }
    }
    // 4. On ABIs that multiplex socket and SysV IPC calls, libseccomp adds every rule of a
    // socket/ipc name to socketcall(2)/ipc(2) with a0 == the call number. The filter's rules of
    // socketcall/ipc with that a0 come back from the name's rules: stating them again would
    // add each twice (a conflict, or a different rule tree).
    mux_rules_from_names(&mut chosen, &abis);
    for &abi in &abis {
        let Some(m) = abi.multiplexers() else {
            continue;
        };
        let emitted = chosen
            .keys()
            .filter(|n| crate::syscalls::multiplexed(n).is_some())
            .count();
        if emitted > 0 {
            for (mux, nr) in [("socketcall", m.socketcall), ("ipc", m.ipc)] {
                if crate::syscalls::name(abi, nr).is_some() {
                    gaps.push(Gap {
                        abi: Some(abi),
                        syscall: mux.into(),
                        why: format!("the profile's socket/ipc names also add rules to {mux} on {abi} (libseccomp multiplexes them), so {mux} may get more than the filter gives it"),
                    });
                }
            }
        }
    }
    // 5. Rules in an order libseccomp builds (super::order): names in the canonical order share
    // entries; a name that needs another order gets entries of its own.
    let mut grouped: BTreeMap<(usize, Rule), Vec<&'static str>> = BTreeMap::new();
    let mut own: Vec<(Rule, Vec<&'static str>)> = Vec::new();
    // socketcall's and ipc's own rules go first, and are stated before a socket/ipc name's
    // rules when those are checked.
    let mux_first = |n: &&'static str| !matches!(*n, "socketcall" | "ipc");
    let mut names: Vec<&'static str> = chosen.keys().copied().collect();
    crate::sort::sort_by_key(&mut names, |n| (mux_first(n), *n));
    let mut mux_entries: BTreeMap<&'static str, Vec<(Rule, Vec<&'static str>)>> = BTreeMap::new();
    let multiplexing = abis.iter().any(|a| a.multiplexers().is_some());
    for name in names {
        let Some((_, mut rules)) = chosen.remove(name) else {
            continue;
        };
        super::order::canonical(&mut rules);
        let mux = match crate::syscalls::multiplexed(name) {
            Some(crate::syscalls::Multiplexed::Socket(_)) if multiplexing => "socketcall",
            Some(crate::syscalls::Multiplexed::Ipc(_)) if multiplexing => "ipc",
            _ => "",
        };
        let check = super::order::Check {
            default_ret,
            abis: &abis,
            an,
            prefix: mux_entries.get(mux).map_or(&[], |v| v.as_slice()),
        };
        let (order, why) = super::order::choose(name, &rules, &check);
        if let Some(why) = why {
            for (abi, _) in per_name.get(name).into_iter().flatten() {
                gaps.push(Gap {
                    abi: Some(*abi),
                    syscall: name.to_string(),
                    why: why.clone(),
                });
            }
        }
        if matches!(name, "socketcall" | "ipc") {
            mux_entries.insert(name, order.into_iter().map(|r| (r, vec![name])).collect());
        } else if order == rules {
            for r in rules {
                grouped.entry((r.1.len(), r)).or_default().push(name);
            }
        } else {
            own.extend(order.into_iter().map(|r| (r, vec![name])));
        }
    }
    let mut entries: Vec<(Rule, Vec<&'static str>)> = mux_entries.into_values().flatten().collect();
    entries.extend(grouped.into_iter().map(|((_, r), n)| (r, n)));
    entries.extend(own);
    crate::sort::sort(&mut gaps);
    gaps.dedup();
    let profile = render(default_ret, &abis, &entries);
    Decompiled {
        profile,
        abis,
        default_ret,
        gaps,
    }
}

/// Drops, from socketcall's and ipc's rules on a multiplexing ABI, those whose a0 condition is
/// `== call` for a socket/ipc name that has rules of its own (libseccomp adds them back).
fn mux_rules_from_names(chosen: &mut BTreeMap<&'static str, (Arch, Vec<Rule>)>, abis: &[Arch]) {
    use crate::syscalls::Multiplexed;
    let from_names: Vec<Multiplexed> = chosen
        .keys()
        .filter_map(|n| crate::syscalls::multiplexed(n))
        .collect();
    for (mux, socket) in [("socketcall", true), ("ipc", false)] {
        if !abis.iter().any(|a| a.multiplexers().is_some()) {
            return;
        }
        let Some((_, rules)) = chosen.get_mut(mux) else {
            continue;
        };
        rules.retain(|(_, conds)| {
            let call = conds
                .iter()
                .find(|c| c.index == 0 && c.op == crate::profile::Op::Eq)
                .map(|c| c.value as u32);
            let Some(call) = call else { return true };
            let m = if socket {
                Multiplexed::Socket(call)
            } else {
                Multiplexed::Ipc(call)
            };
            !from_names.contains(&m)
        });
        if rules.is_empty() {
            chosen.remove(mux);
        }
    }
}

fn verdict_text(r: &Row) -> String {
    match &r.verdict {
        Verdict::Constant { action, .. } => action.clone(),
        Verdict::Conditional { .. } => "different actions depending on the arguments".into(),
        Verdict::TooComplex { limit } => format!("(not analysed: {limit})"),
    }
}

/// The profile's JSON text: `entries` in order, each a rule and its names.
pub(crate) fn render(
    default_ret: u32,
    abis: &[Arch],
    entries: &[(Rule, Vec<&'static str>)],
) -> String {
    use crate::json::Out;
    let (da, de) = action_json(default_ret).unwrap_or(("SCMP_ACT_KILL_THREAD".into(), None));
    let mut top = vec![("defaultAction", Out::Str(da))];
    if let Some(e) = de {
        top.push(("defaultErrnoRet", Out::Num(e.into())));
    }
    top.push((
        "architectures",
        Out::Arr(abis.iter().map(|a| Out::Str(a.oci_name())).collect()),
    ));
    let mut list = Vec::new();
    for ((ret, args), names) in entries {
        let Some((a, e)) = action_json(*ret) else {
            continue;
        };
        let mut m = vec![("names", Out::strs(names)), ("action", Out::Str(a))];
        if let Some(e) = e {
            m.push(("errnoRet", Out::Num(e.into())));
        }
        if !args.is_empty() {
            let v: Vec<Out> = args
                .iter()
                .map(|c| {
                    Out::Obj(vec![
                        ("index", Out::Num(c.index.into())),
                        ("value", Out::Num(c.value)),
                        ("valueTwo", Out::Num(c.value_two)),
                        ("op", Out::Str(c.op.as_str().to_string())),
                    ])
                })
                .collect();
            m.push(("args", Out::Arr(v)));
        }
        list.push(Out::Obj(m));
    }
    top.push(("syscalls", Out::Arr(list)));
    let mut s = Out::Obj(top).pretty();
    s.push('\n');
    s
}

/// A query on which two programs differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The input.
    pub data: crate::bpf::SeccompData,
    /// The original stack's value (or error).
    pub original: Result<u32, String>,
    /// The other program's value (or error).
    pub other: Result<u32, String>,
}

/// Runs `original` and `other` (both stacks, newest first) on every path witness of both
/// analyses and returns where they differ; witnesses of `a` are also run with every `arch`
/// value of `b`.
pub fn differences(
    original: &[&[Insn]],
    a: &FilterAnalysis,
    other: &[&[Insn]],
    b: &FilterAnalysis,
) -> Vec<Mismatch> {
    let endian = a.endian;
    let mut out = Vec::new();
    let run = |s: &[&[Insn]], d: &crate::bpf::SeccompData| {
        interp::run_stack(s, d, endian).map_err(|e| e.to_string())
    };
    for an in [a, b] {
        for r in an.all_rows() {
            for p in &r.paths {
                let Some(w) = p.witness else { continue };
                let d = super::sym::data_of_words(&w, endian);
                let (x, y) = (run(original, &d), run(other, &d));
                if x != y {
                    out.push(Mismatch {
                        data: d,
                        original: x,
                        other: y,
                    });
                }
            }
        }
    }
    out
}
