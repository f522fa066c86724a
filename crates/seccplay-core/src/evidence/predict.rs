//! A strace log read against a profile: what the filter would answer to every call, without
//! running the program under seccomp.
//!
//! 1. Each call is decided on its ABI (the host's, or the one strace reported for the
//!    process) with the arguments strace printed; arguments strace could not show as numbers
//!    (strings, structs, arrays: the filter sees their address) may hold any value.
//! 2. When the syscall's rules compare such an argument, every decision reachable by varying it
//!    is enumerated ([`outcomes`]): one action is a verdict, several are [`Status::Depends`]
//!    with the argument named.
//! 3. Answers are cached per (ABI, number, known arguments the rules compare), so a trace of a
//!    million calls costs a few thousand decisions.
//! 4. The output: the first call refused (the one that breaks the program), every refused call
//!    with its deciding rule, a summary per syscall, and the profile entries that would allow
//!    the refused calls ([`Prediction::snippet`]).
//! 5. What strace recorded for each call is compared with the prediction
//!    ([`recorded`](crate::evidence::recorded)): a log taken under a filter shows whether
//!    the profile given is the one that ran ([`Prediction::mismatches`]).

use crate::analysis::{describe_action, Analysis};
use crate::arch::Arch;
use crate::diag::Location;
use crate::eval::{Query, Source};
use crate::evidence::outcomes::outcomes;
use crate::evidence::recorded::{self, Check, Counts, Recorded, Verdict};
use crate::evidence::strace::{Arg, Trace};
use crate::supervise::decided_by;
use crate::syscalls::{self, Resolved};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What this reading is, for every output that shows it.
pub const NOTE: &str = "predicted from the trace: the program was not run under this filter (calls it would make only after a refusal, and values strace shows as strings, structs or arrays, are not known)";

/// The verdict for one call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status")]
pub enum Status {
    /// The filter lets it run (ALLOW, LOG).
    Allowed,
    /// The filter refuses it.
    Refused,
    /// Allowed or refused depending on an argument strace did not show as a number.
    Depends {
        /// Indices of those arguments.
        args: Vec<u8>,
    },
    /// The name is not a syscall of the ABI: nothing to decide.
    Unknown,
}

/// The answer shared by every call with the same ABI, number and relevant arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// The verdict.
    pub status: Status,
    /// The filter's return value (for Depends: the first refusal found).
    pub ret: u32,
    /// `ERRNO(EPERM)`.
    pub action: String,
    /// Who decided, with the location: `syscalls[12] ("clone", line 612:9 of preset docker)`.
    pub rule: String,
    /// Where the deciding part of the profile is.
    pub location: Option<Location>,
    /// One or two sentences.
    pub explanation: String,
}

/// One call with its answer (refused and depending calls are kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Judged {
    /// Index in [`Trace::calls`].
    pub call: usize,
    /// 1-based line.
    pub line: usize,
    /// Input index.
    pub input: usize,
    /// The process.
    pub pid: Option<u32>,
    /// The ABI decided on.
    pub abi: Arch,
    /// The call as strace printed it (shortened).
    pub text: String,
    /// The answer.
    pub answer: Arc<Answer>,
    /// What strace recorded, compared with the answer.
    pub recorded: Check,
}

/// Calls of one syscall.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SyscallSummary {
    /// `openat`, on the ABI if not the host's: `x86 getpid`.
    pub syscall: String,
    /// Calls.
    pub calls: u64,
    /// Allowed.
    pub allowed: u64,
    /// Refused.
    pub refused: u64,
    /// Depending on unknown arguments.
    pub depends: u64,
    /// Whose recorded result contradicts the prediction.
    pub mismatched: u64,
    /// The actions seen, e.g. `ALLOW`, `ERRNO(EPERM)`.
    pub actions: BTreeSet<String>,
}

/// The whole reading.
#[derive(Clone, Debug, Serialize)]
pub struct Prediction {
    /// [`NOTE`].
    pub note: &'static str,
    /// Calls read.
    pub calls: usize,
    /// The first refused call (the one that breaks the program), if any.
    pub first_refused: Option<Judged>,
    /// Every refused call, in order.
    pub refused: Vec<Judged>,
    /// Calls whose verdict depends on an argument strace did not show.
    pub depends: Vec<Judged>,
    /// Calls whose name is not a syscall of their ABI.
    pub unknown: Vec<Judged>,
    /// Per syscall, by name.
    pub summary: Vec<SyscallSummary>,
    /// What strace recorded against the prediction, counted over every call.
    pub recorded: Counts,
    /// Calls whose recorded result contradicts the prediction, in order.
    pub mismatches: Vec<Judged>,
    /// Docker-profile entries that would allow the refused calls: a `{"syscalls": [...]}`
    /// fragment (JSON), empty when none.
    pub snippet: String,
    /// The profile's own rules that refuse those calls first and must go or change
    /// (`mkdir: syscalls[0] ("mkdir", line 1:40 of the profile)`), by syscall.
    pub remove_or_change: Vec<String>,
}

/// Decides every call of `trace` under the analysed profile; `host` is the ABI of processes
/// strace did not report another one for.
pub fn predict(trace: &Trace, an: &Analysis, host: Arch) -> Prediction {
    predict_named(trace, an, host, "the profile")
}

/// As [`predict`], naming the profile `origin` in locations (`line 5:16 of profile.json`).
pub fn predict_named(trace: &Trace, an: &Analysis, host: Arch, origin: &str) -> Prediction {
    let mut cache = Cache::default();
    let mut p = Prediction {
        note: NOTE,
        calls: trace.calls.len(),
        first_refused: None,
        refused: Vec::new(),
        depends: Vec::new(),
        unknown: Vec::new(),
        summary: Vec::new(),
        recorded: Counts::default(),
        mismatches: Vec::new(),
        snippet: String::new(),
        remove_or_change: Vec::new(),
    };
    let rec = recorded::recorded_of(trace);
    let deaths = rec.iter().filter(|r| **r == Recorded::Killed).count();
    let mut summary: BTreeMap<String, SyscallSummary> = BTreeMap::new();
    // (name, arch) → argument tuples that were refused (None: an unconditional entry).
    let mut allow: AllowMap = BTreeMap::new();
    // name → the profile's own entries that refuse it (they must go too).
    let mut explicit: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, c) in trace.calls.iter().enumerate() {
        let abi = c.abi.unwrap_or(host);
        let nr = number(abi, &c.name);
        let label = if abi == host {
            c.name.clone()
        } else {
            format!("{abi} {}", c.name)
        };
        let s = summary.entry(label).or_insert_with(|| SyscallSummary {
            syscall: String::new(),
            ..Default::default()
        });
        s.calls += 1;
        let mut known: [Option<u64>; 6] = [Some(0); 6];
        for (k, a) in c.args.iter().enumerate().take(6) {
            known[k] = a.value();
        }
        let judged = |answer: Arc<Answer>, recorded: Check| Judged {
            call: i,
            line: c.line,
            input: c.input,
            pid: c.pid,
            abi,
            text: c.text.clone(),
            answer,
            recorded,
        };
        let Some(nr) = nr else {
            let answer = Arc::new(Answer {
                status: Status::Unknown,
                ret: 0,
                action: "?".into(),
                rule: String::new(),
                location: None,
                explanation: format!("{} is not a syscall of {abi}", c.name),
            });
            let check = recorded::compare(&rec[i], &answer, deaths);
            p.recorded.add(&check);
            p.unknown.push(judged(answer, check));
            continue;
        };
        let (answer, tested) = decide(an, origin, abi, nr, &known, &c.args, &mut cache);
        let check = recorded::compare(&rec[i], &answer, deaths);
        p.recorded.add(&check);
        if check.verdict == Verdict::Mismatch {
            s.mismatched += 1;
            p.mismatches.push(judged(answer.clone(), check.clone()));
        }
        s.actions.insert(answer.action.clone());
        match answer.status {
            Status::Allowed => s.allowed += 1,
            Status::Refused | Status::Depends { .. } => {
                if matches!(answer.status, Status::Refused) {
                    s.refused += 1;
                } else {
                    s.depends += 1;
                }
                let key: Vec<(u8, Option<u64>)> =
                    tested.iter().map(|&a| (a, known[a as usize])).collect();
                allow.entry((c.name.clone(), abi)).or_default().insert(key);
                if answer.rule.starts_with("syscalls[") || answer.rule.starts_with("argument rule")
                {
                    explicit
                        .entry(c.name.clone())
                        .or_default()
                        .insert(answer.rule.clone());
                }
                let j = judged(answer.clone(), check);
                if matches!(answer.status, Status::Refused) {
                    if p.first_refused.is_none() {
                        p.first_refused = Some(j.clone());
                    }
                    p.refused.push(j);
                } else {
                    p.depends.push(j);
                }
            }
            Status::Unknown => {}
        }
    }
    p.summary = summary
        .into_iter()
        .map(|(k, mut v)| {
            v.syscall = k;
            v
        })
        .collect();
    p.snippet = snippet(&allow);
    p.remove_or_change = explicit
        .iter()
        .map(|(n, r)| format!("{n}: {}", r.iter().cloned().collect::<Vec<_>>().join(", ")))
        .collect();
    p
}

/// (syscall, ABI) → the refused combinations of the compared arguments (`None`: not shown).
type AllowMap = BTreeMap<(String, Arch), BTreeSet<Vec<(u8, Option<u64>)>>>;

/// ABI, number, and the known values of the arguments the rules compare.
type AnswerKey = (Arch, u32, [Option<u64>; 6]);

/// Answers already computed, and which arguments each syscall's rules compare.
#[derive(Default)]
struct Cache {
    answers: BTreeMap<AnswerKey, Arc<Answer>>,
    tested: BTreeMap<(Arch, u32), Vec<u8>>,
}

/// The number of a name strace printed on an ABI (`syscall_0x1b9` for unknown numbers).
fn number(abi: Arch, name: &str) -> Option<u32> {
    if let Some(h) = name.strip_prefix("syscall_") {
        let v = match h.strip_prefix("0x") {
            Some(x) => u32::from_str_radix(x, 16).ok(),
            None => h.parse().ok(),
        };
        return v.map(|v| v.wrapping_add(if abi == Arch::X32 { 0 } else { abi.nr_base() }));
    }
    match syscalls::resolve(abi, name) {
        Resolved::Number(nr) => Some(nr),
        _ => None,
    }
}

fn decide(
    an: &Analysis,
    origin: &str,
    abi: Arch,
    nr: u32,
    known: &[Option<u64>; 6],
    args: &[Arg],
    cache: &mut Cache,
) -> (Arc<Answer>, Vec<u8>) {
    let Some(db) = &an.database else {
        let v = an.simulate(
            abi,
            Query {
                audit_arch: abi.audit_arch(),
                nr,
                args: [0; 6],
                instruction_pointer: 0,
            },
        );
        return (
            Arc::new(Answer {
                status: Status::Allowed,
                ret: v.ret,
                action: describe_action(v.ret),
                rule: "no filter".into(),
                location: None,
                explanation: v.explanation,
            }),
            Vec::new(),
        );
    };
    // Which arguments the rules compare: one decision with every argument known tells.
    let tested = cache
        .tested
        .entry((abi, nr))
        .or_insert_with(|| outcomes(db, abi.audit_arch(), nr, &[Some(0); 6]).tested_args)
        .clone();
    // Arguments the rules do not compare cannot change the verdict: they count as 0.
    let query_known: [Option<u64>; 6] = std::array::from_fn(|i| {
        if tested.contains(&(i as u8)) {
            known[i]
        } else {
            Some(0)
        }
    });
    let key = (abi, nr, query_known);
    if let Some(a) = cache.answers.get(&key) {
        return (a.clone(), tested);
    }
    let found = outcomes(db, abi.audit_arch(), nr, &query_known);
    let refusal = found.list.iter().find(|o| !o.decision.action.is_allow());
    let allowed_too = found.list.iter().any(|o| o.decision.action.is_allow());
    let chosen = refusal.unwrap_or(&found.list[0]);
    let v = an.simulate(
        abi,
        Query {
            audit_arch: abi.audit_arch(),
            nr,
            args: chosen.witness,
            instruction_pointer: 0,
        },
    );
    let unknown_tested: Vec<u8> = tested
        .iter()
        .copied()
        .filter(|&t| known[t as usize].is_none())
        .collect();
    let status = if refusal.is_none() {
        Status::Allowed
    } else if allowed_too {
        Status::Depends {
            args: unknown_tested.clone(),
        }
    } else {
        Status::Refused
    };
    let mut explanation = v.explanation.clone();
    if let Status::Depends { args: dep } = &status {
        let what: Vec<String> = dep
            .iter()
            .map(|&i| {
                let kind = match args.get(i as usize) {
                    Some(Arg::Pointer(k)) => format!("a {k} strace printed instead of the address"),
                    Some(Arg::Unknown(t)) => {
                        format!("`{t}`, which seccplay cannot turn into a number")
                    }
                    _ => "not shown".into(),
                };
                format!("argument {i} ({kind})")
            })
            .collect();
        explanation = format!(
            "The verdict depends on {}: seccomp compares the value, strace did not show it. For example: {explanation}",
            what.join(" and ")
        );
    }
    let rule = decided_by(an, &v, origin);
    let location = match &v.decision.as_ref().map(|d| &d.source) {
        Some(Source::Rule { .. }) | Some(Source::Default { .. }) => v.location.clone(),
        _ => None,
    };
    let a = Arc::new(Answer {
        status,
        ret: v.ret,
        action: describe_action(v.ret),
        rule,
        location,
        explanation,
    });
    cache.answers.insert(key, a.clone());
    (a, tested)
}

/// Docker-profile entries allowing what was refused: per syscall, one unconditional entry when
/// its rules compare no argument (or an argument strace did not show), else one entry per
/// refused combination of the compared arguments, with `SCMP_CMP_EQ` on each.
fn snippet(allow: &AllowMap) -> String {
    use crate::json::Out;
    if allow.is_empty() {
        return String::new();
    }
    let mut plain: BTreeSet<&str> = BTreeSet::new();
    let mut entries: Vec<(&str, Out)> = Vec::new();
    for ((name, _), combos) in allow {
        for combo in combos {
            if combo.is_empty() || combo.iter().any(|(_, v)| v.is_none()) {
                plain.insert(name);
                continue;
            }
            let args: Vec<Out> = combo
                .iter()
                .map(|(i, v)| {
                    Out::Obj(vec![
                        ("index", Out::Num(u64::from(*i))),
                        ("value", Out::Num(v.unwrap_or(0))),
                        ("op", Out::Str("SCMP_CMP_EQ".into())),
                    ])
                })
                .collect();
            let entry = Out::Obj(vec![
                ("names", Out::strs([name])),
                ("action", Out::Str("SCMP_ACT_ALLOW".into())),
                ("args", Out::Arr(args)),
                (
                    "comment",
                    Out::Str(
                        "added by seccplay-native replay: the argument values the trace used"
                            .into(),
                    ),
                ),
            ]);
            entries.push((name.as_str(), entry));
        }
    }
    let mut all = Vec::new();
    if !plain.is_empty() {
        all.push(Out::Obj(vec![
            ("names", Out::strs(&plain)),
            ("action", Out::Str("SCMP_ACT_ALLOW".into())),
            (
                "comment",
                Out::Str("added by seccplay-native replay: refused in the trace".into()),
            ),
        ]));
    }
    // A conditional entry for a name already allowed outright adds nothing.
    all.extend(
        entries
            .into_iter()
            .filter(|(n, _)| !plain.contains(n))
            .map(|(_, e)| e),
    );
    Out::Obj(vec![("syscalls", Out::Arr(all))]).pretty()
}
