//! Every syscall of an ABI at once: the verdict whatever the arguments (or the rules they
//! depend on), the kernel's cache, the cost; and figures about the program.

use super::{describe_action, Analysis};
use crate::action::Action;
use crate::arch::Arch;
use crate::bpf::{cache, interp, SeccompData};
use crate::db::Database;
use crate::eval::{self, Query};
use crate::syscalls;
use serde::Serialize;
use std::fmt;

/// What decided a row that is blocked whatever the arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// A rule of the profile.
    Rule,
    /// The profile's default action (no rule names the syscall).
    Default,
    /// runc's ENOSYS stub, before the filter proper (numbers above the profile's largest).
    EnosysStub,
    /// libseccomp's bad-architecture action (the filter does not cover this ABI).
    BadArch,
}

impl DecidedBy {
    /// The words after a verdict (`default`, `runc's ENOSYS stub`), `None` for a rule.
    pub fn label(self) -> Option<&'static str> {
        match self {
            DecidedBy::Rule => None,
            DecidedBy::Default => Some("default"),
            DecidedBy::EnosysStub => Some("runc's ENOSYS stub"),
            DecidedBy::BadArch => Some("bad architecture"),
        }
    }
}

/// What a syscall gets, independent of its arguments where possible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind")]
pub enum RowVerdict {
    /// Allowed whatever the arguments (ALLOW or LOG).
    Allowed {
        /// The action value.
        ret: u32,
    },
    /// Blocked whatever the arguments.
    Blocked {
        /// The action value.
        ret: u32,
        /// Decided by the default action (no rule), kept for readers of the JSON: `by` says
        /// which of the default, runc's stub or the bad-architecture action it was.
        by_default: bool,
        /// What decided it.
        by: DecidedBy,
    },
    /// Depends on the arguments.
    Conditional {
        /// The rules, as `ALLOW when flags & 0x7e020000 == 0`.
        rules: Vec<String>,
        /// The action when no rule matches.
        otherwise: u32,
    },
}

impl RowVerdict {
    /// The verdict in words: `ALLOW`, `ERRNO(EPERM) (default)`, `ERRNO(ENOSYS) (runc's ENOSYS
    /// stub)`, `ALLOW when …; otherwise ERRNO(EPERM)`.
    pub fn label(&self) -> String {
        match self {
            RowVerdict::Allowed { ret } => describe_action(*ret),
            RowVerdict::Blocked { ret, by, .. } => match by.label() {
                Some(l) => format!("{} ({l})", describe_action(*ret)),
                None => describe_action(*ret),
            },
            RowVerdict::Conditional { rules, otherwise } => format!(
                "{}; otherwise {}",
                rules.join("; "),
                describe_action(*otherwise)
            ),
        }
    }

    /// `allowed`, `blocked` or `conditional`.
    pub fn kind(&self) -> &'static str {
        match self {
            RowVerdict::Allowed { .. } => "allowed",
            RowVerdict::Blocked { .. } => "blocked",
            RowVerdict::Conditional { .. } => "conditional",
        }
    }

    /// The same behaviour for every call, whatever decided it: the same action allowed or
    /// blocked, or the same rules and fallback.
    pub fn same_outcome(&self, other: &RowVerdict) -> bool {
        match (self, other) {
            (RowVerdict::Allowed { ret: a }, RowVerdict::Allowed { ret: b }) => a == b,
            (RowVerdict::Blocked { ret: a, .. }, RowVerdict::Blocked { ret: b, .. }) => a == b,
            (a, b) => a == b,
        }
    }

    /// 2 when allowed whatever the arguments, 1 when it depends on them, 0 when blocked.
    fn openness(&self) -> u8 {
        match self {
            RowVerdict::Allowed { .. } => 2,
            RowVerdict::Conditional { .. } => 1,
            RowVerdict::Blocked { .. } => 0,
        }
    }
}

/// One syscall of the table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableRow {
    /// Name.
    pub name: &'static str,
    /// Number (base applied).
    pub nr: u32,
    /// Verdict.
    pub verdict: RowVerdict,
    /// The kernel's constant-action cache would skip the filter for it (never before 5.11,
    /// which has no cache: [`Table::action_cache`]).
    pub cached: bool,
    /// Instructions executed with zero arguments.
    pub cost: Option<usize>,
    /// Most instructions executed over all arguments (an upper bound).
    pub worst: Option<usize>,
    /// Why, in a few words: the deciding rule and its line, or the default action and why no
    /// rule applies (`requires CAP_SYS_ADMIN`), runc's stub, or the rules it depends on.
    pub why: String,
    /// The profile has a rule for it, and hosts with libseccomp 2.5.x do not know the name, so
    /// they leave the rule out ([`syscalls::unknown_to_libseccomp_2_5`]).
    pub unknown_to_libseccomp_2_5: bool,
}

/// How many blocked rows end in one action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The action value.
    pub ret: u32,
    /// `EPERM`, `ENOSYS`, `KILL_PROCESS`: the errno name for ERRNO actions.
    pub label: String,
    /// Rows blocked with it.
    pub count: usize,
}

/// The table of an ABI: every syscall with its verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The ABI.
    pub arch: Arch,
    /// Rows by number.
    pub rows: Vec<TableRow>,
    /// Allowed whatever the arguments.
    pub allowed: usize,
    /// Depends on the arguments.
    pub conditional: usize,
    /// Blocked whatever the arguments.
    pub blocked: usize,
    /// The blocked rows by the action they get, most first (ties by action value).
    pub blocked_by: Vec<Outcome>,
    /// The default action.
    pub default_action: Option<u32>,
    /// The kernel of the context has the constant-action cache (5.11 and later).
    pub action_cache: bool,
}

impl fmt::Display for Table {
    /// `x86_64: 385 syscalls, 306 allowed, 3 conditional, 76 blocked (70 EPERM, 6 ENOSYS)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} syscalls, {} allowed, {} conditional, {} blocked",
            self.arch,
            self.rows.len(),
            self.allowed,
            self.conditional,
            self.blocked
        )?;
        if !self.blocked_by.is_empty() {
            let parts: Vec<String> = self
                .blocked_by
                .iter()
                .map(|o| format!("{} {}", o.count, o.label))
                .collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

/// `EPERM` for ERRNO actions, the action's name otherwise.
fn outcome_label(ret: u32) -> String {
    let a = Action::from_ret(ret);
    match a.errno() {
        Some(e) => syscalls::errno_name(e)
            .map(str::to_string)
            .unwrap_or_else(|| format!("ERRNO({e})")),
        None => a.to_string(),
    }
}

fn blocked_by(rows: &[TableRow]) -> Vec<Outcome> {
    let mut by: std::collections::BTreeMap<u32, usize> = Default::default();
    for r in rows {
        if let RowVerdict::Blocked { ret, .. } = r.verdict {
            *by.entry(ret).or_default() += 1;
        }
    }
    let mut v: Vec<Outcome> = by
        .into_iter()
        .map(|(ret, count)| Outcome {
            ret,
            label: outcome_label(ret),
            count,
        })
        .collect();
    crate::sort::sort_by(&mut v, |a, b| b.count.cmp(&a.count).then(a.ret.cmp(&b.ret)));
    v
}

/// How a syscall's verdict changes from one table to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// B allows more: blocked → conditional or allowed, conditional → allowed.
    Looser,
    /// B allows less.
    Tighter,
    /// As open on both sides: another action, other rules, or another decider.
    Other,
}

/// A syscall whose verdict differs between two tables of one ABI.
#[derive(Clone, Debug, Serialize)]
pub struct RowChange {
    /// Name.
    pub name: &'static str,
    /// Number.
    pub nr: u32,
    /// The verdict in table A.
    pub a: RowVerdict,
    /// The verdict in table B.
    pub b: RowVerdict,
    /// Both sides behave the same for every call (only what decided it differs, e.g. EPERM
    /// from a rule on one side and from the default action on the other).
    pub same_outcome: bool,
    /// Looser or tighter in B.
    pub direction: Direction,
}

/// The syscalls whose verdict differs between `a` and `b` (two tables of the same ABI: rows
/// are matched by number; a number only one side has is left out), in number order.
pub fn diff_tables(a: &Table, b: &Table) -> Vec<RowChange> {
    // Inserted one by one (the last row of a number wins, as with `collect`, which would sort
    // first: a sort instance of its own in the playground's wasm).
    let mut by_nr: std::collections::BTreeMap<u32, &TableRow> = Default::default();
    for r in &b.rows {
        by_nr.insert(r.nr, r);
    }
    a.rows
        .iter()
        .filter_map(|ra| {
            let rb = by_nr.get(&ra.nr)?;
            (ra.verdict != rb.verdict).then(|| RowChange {
                name: ra.name,
                nr: ra.nr,
                a: ra.verdict.clone(),
                b: rb.verdict.clone(),
                same_outcome: ra.verdict.same_outcome(&rb.verdict),
                direction: match rb.verdict.openness().cmp(&ra.verdict.openness()) {
                    std::cmp::Ordering::Greater => Direction::Looser,
                    std::cmp::Ordering::Less => Direction::Tighter,
                    std::cmp::Ordering::Equal => Direction::Other,
                },
            })
        })
        .collect()
}

impl Analysis {
    /// Every syscall of an ABI with its verdict, cache status and cost.
    pub fn table(&self, arch: Arch) -> Table {
        let mut rows = Vec::new();
        let action_cache = self.context.has_action_cache();
        let (mut allowed, mut conditional, mut blocked) = (0, 0, 0);
        for (name, nr) in syscalls::syscalls(arch) {
            let bypass = self.context.filter_bypass(arch, nr);
            let bypassed = matches!(bypass, Some(crate::context::Bypass::Always(_)));
            let verdict = match &self.database {
                None => RowVerdict::Allowed {
                    ret: Action::Allow.to_ret(),
                },
                // The kernel runs no filter for it: allowed whatever the rules say.
                Some(_) if bypassed => RowVerdict::Allowed {
                    ret: Action::Allow.to_ret(),
                },
                Some(db) => row_verdict(db, arch, nr),
            };
            match verdict {
                RowVerdict::Allowed { .. } => allowed += 1,
                RowVerdict::Blocked { .. } => blocked += 1,
                RowVerdict::Conditional { .. } => conditional += 1,
            }
            let (cached, cost, worst) = match &self.program {
                Some(p) => {
                    let audit = arch.audit_arch();
                    let data = SeccompData::new(nr, audit, [0; 6]);
                    (
                        action_cache && (bypassed || cache::is_const_allow(&p.insns, audit, nr)),
                        interp::run_counted(&p.insns, &data, p.arch.endian())
                            .ok()
                            .map(|r| r.1),
                        cache::worst_case_steps(&p.insns, audit, nr)
                            .ok()
                            .map(|w| w.steps),
                    )
                }
                None => (false, None, None),
            };
            let why = match (bypass, &self.database) {
                (Some(b), Some(db)) if bypassed => {
                    let filter = row_verdict(db, arch, nr);
                    format!(
                        "{} Without that: {}.",
                        b.describe(),
                        self.row_why(arch, name, nr, &filter)
                    )
                }
                (Some(b), Some(_)) => {
                    format!(
                        "{} {}",
                        self.row_why(arch, name, nr, &verdict),
                        b.describe()
                    )
                }
                _ => self.row_why(arch, name, nr, &verdict),
            };
            rows.push(TableRow {
                name,
                nr,
                why,
                unknown_to_libseccomp_2_5: self.has_rule_for(name)
                    && syscalls::unknown_to_libseccomp_2_5(name),
                verdict,
                cached,
                cost,
                worst,
            });
        }
        Table {
            arch,
            blocked_by: blocked_by(&rows),
            rows,
            allowed,
            conditional,
            blocked,
            default_action: self.database.as_ref().map(|d| d.default_action),
            action_cache,
        }
    }

    /// The `why` of a row (see [`TableRow::why`]).
    fn row_why(&self, arch: Arch, name: &str, nr: u32, verdict: &RowVerdict) -> String {
        let Some(db) = &self.database else {
            return match &self.unconfined {
                Some(u) => format!("no filter: {u}"),
                None => String::new(),
            };
        };
        let entries = |pick: &dyn Fn(&crate::resolve::Rule) -> bool| {
            let mut v: Vec<String> = Vec::new();
            for r in db.rules.iter().filter(|r| pick(r)) {
                let e = format!(
                    "syscalls[{}] line {}",
                    r.origin.entry, r.origin.location.line
                );
                if !v.contains(&e) {
                    v.push(e);
                }
            }
            v.join(", ")
        };
        if let RowVerdict::Conditional { .. } = verdict {
            return format!(
                "argument rules: {}",
                entries(&|r| r.syscall == name && !r.conditions.is_empty())
            );
        }
        let q = Query {
            audit_arch: arch.audit_arch(),
            nr,
            args: [0; 6],
            instruction_pointer: 0,
        };
        match eval::decide(db, &q).source {
            eval::Source::Rule { rule, .. } => match db.rules.get(rule) {
                Some(r) => format!(
                    "syscalls[{}] line {}",
                    r.origin.entry, r.origin.location.line
                ),
                None => String::new(),
            },
            eval::Source::Default { .. } => {
                format!("default action{}", self.why_no_rule(Some(name)))
            }
            eval::Source::EnosysStub { max } => {
                format!("runc's ENOSYS stub: above {max}, the largest number the profile names")
            }
            eval::Source::BadArch | eval::Source::WrongAbiNumber => {
                "the filter does not cover this ABI".into()
            }
        }
    }

    /// Figures about the compiled program.
    pub fn stats(&self) -> Option<ProgramStats> {
        let p = self.program.as_ref()?;
        let arch = p.arch;
        let mut costs = Vec::new();
        let mut worst = 0;
        for (_, nr) in syscalls::syscalls(arch) {
            let data = SeccompData::new(nr, arch.audit_arch(), [0; 6]);
            if let Ok((_, s)) = interp::run_counted(&p.insns, &data, arch.endian()) {
                costs.push(s);
            }
            if let Ok(w) = cache::worst_case_steps(&p.insns, arch.audit_arch(), nr) {
                worst = worst.max(w.steps);
            }
        }
        let avg = costs.iter().sum::<usize>() as f64 / costs.len().max(1) as f64;
        Some(ProgramStats {
            instructions: p.insns.len(),
            bytes: p.insns.len() * 8,
            arch,
            average_executed: avg,
            most_executed: costs.iter().copied().max().unwrap_or(0),
            worst,
        })
    }
}

/// Figures about a compiled program.
#[derive(Clone, Debug, Serialize)]
pub struct ProgramStats {
    /// Instructions.
    pub instructions: usize,
    /// Bytes (8 per instruction).
    pub bytes: usize,
    /// The native ABI measured.
    pub arch: Arch,
    /// Average instructions executed over the native ABI's syscalls with zero arguments.
    pub average_executed: f64,
    /// Most instructions executed over those (zero arguments: not the worst case).
    pub most_executed: usize,
    /// The worst case, in the one sense seccplay uses the word: the most instructions any
    /// syscall of the native ABI can execute over every argument value
    /// ([`cache::worst_case_steps`], the table's "worst" column), the largest over the ABI.
    pub worst: usize,
}

pub(super) fn row_verdict(db: &Database, arch: Arch, nr: u32) -> RowVerdict {
    let q = Query {
        audit_arch: arch.audit_arch(),
        nr,
        args: [0; 6],
        instruction_pointer: 0,
    };
    let adb = match eval::select(db, q.audit_arch, nr) {
        Ok(a) if a.arch == arch => a,
        _ => {
            let d = eval::decide(db, &q);
            return classify(d.ret, DecidedBy::BadArch);
        }
    };
    if let Some(stub) = &db.enosys {
        if let Some(r) = stub.decide(q.audit_arch, nr) {
            return classify(r, DecidedBy::EnosysStub);
        }
    }
    match adb.syscalls.get(&nr) {
        None => classify(db.default_action, DecidedBy::Default),
        Some(s) => match s.action {
            Some(l) => classify(l.action, DecidedBy::Rule),
            None => {
                let name = s.name;
                let rules: Vec<String> = db
                    .rules
                    .iter()
                    .filter(|r| {
                        r.syscall == name
                            || syscalls::multiplexed(&r.syscall).is_some()
                                && adb
                                    .arch
                                    .multiplexers()
                                    .map(|m| m.socketcall == nr || m.ipc == nr)
                                    .unwrap_or(false)
                    })
                    .map(|r| {
                        let c: Vec<String> = r
                            .conditions
                            .iter()
                            .map(|c| super::simulate::describe_condition(&r.syscall, c))
                            .collect();
                        format!(
                            "{} when {}",
                            describe_action(r.action),
                            if c.is_empty() {
                                "always".into()
                            } else {
                                c.join(" and ")
                            }
                        )
                    })
                    .collect();
                RowVerdict::Conditional {
                    rules,
                    otherwise: db.default_action,
                }
            }
        },
    }
}

fn classify(ret: u32, by: DecidedBy) -> RowVerdict {
    if Action::from_ret(ret).is_allow() {
        RowVerdict::Allowed { ret }
    } else {
        RowVerdict::Blocked {
            ret,
            by_default: by == DecidedBy::Default,
            by,
        }
    }
}
