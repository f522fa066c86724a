//! The facade the CLI and the playground share: one call runs the whole pipeline on a
//! profile in a context, and the result answers the questions people ask — what happens to
//! this syscall and why, what does the filter do to every syscall of an ABI, how big and how
//! fast is the program. Shells format; they decide nothing.

use crate::action::Action;
use crate::arch::Arch;
use crate::bpf::{cache, interp, Insn, SeccompData};
use crate::codegen::{self, Compiled};
use crate::context::Context;
use crate::db::{self, Database};
use crate::diag::{Diagnostic, Failure, Location};
use crate::eval::{self, Decision, Query, Source};
use crate::expr::{self, Call, ExprError};
use crate::profile::{self, Parsed};
use crate::resolve::{self, Rule};
use crate::syscalls;
use serde::Serialize;
use std::fmt;

/// Everything the pipeline produced for one profile in one context.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The context used.
    pub context: Context,
    /// The parsed profile (absent when the text does not parse).
    pub parsed: Option<Parsed>,
    /// Why the container would run without seccomp, when it would.
    pub unconfined: Option<String>,
    /// The rule database (absent when unconfined or refused).
    pub database: Option<Database>,
    /// The compiled program.
    pub program: Option<Compiled>,
    /// Every diagnostic, errors first, then in pipeline order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    /// True when Docker/the runtime would refuse the profile (any error diagnostic).
    pub fn failed(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }

    /// The first error, if any.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.is_error())
    }
}

/// Runs parse → resolve → build → compile. Never fails: errors are diagnostics.
pub fn analyze(text: &str, ctx: &Context) -> Analysis {
    let mut a = Analysis {
        context: ctx.clone(),
        parsed: None,
        unconfined: None,
        database: None,
        program: None,
        diagnostics: Vec::new(),
    };
    let fail = |a: &mut Analysis, f: Failure| {
        let (mut errs, rest): (Vec<_>, Vec<_>) =
            f.diagnostics.into_iter().partition(|d| d.is_error());
        errs.extend(rest);
        errs.append(&mut a.diagnostics);
        a.diagnostics = errs;
    };
    if text.len() > MAX_PROFILE_BYTES {
        a.diagnostics.push(Diagnostic::error(
            "profile-too-large",
            format!(
                "the profile is {:.1} MiB; seccplay reads profiles up to {} MiB (Docker's default is {} KiB): a 20 MiB profile takes seconds and over a GiB of memory to analyse",
                text.len() as f64 / (1 << 20) as f64,
                MAX_PROFILE_BYTES >> 20,
                crate::tables::presets::DOCKER_DEFAULT.len() >> 10
            ),
        ));
        return a;
    }
    // Any format (Docker/OCI, SPO, seccompiler): the first policy of the input.
    let parsed = match crate::frontend::read_one(text) {
        Ok(p) => p,
        Err(f) => {
            fail(&mut a, f);
            return a;
        }
    };
    a.diagnostics.extend(parsed.warnings.iter().cloned());
    let resolution = resolve::resolve(&parsed.profile, ctx);
    a.parsed = Some(parsed);
    let resolution = match resolution {
        Ok(r) => r,
        Err(f) => {
            fail(&mut a, f);
            return a;
        }
    };
    a.diagnostics.extend(resolution.diagnostics);
    let Some(policy) = resolution.policy else {
        a.unconfined = resolution.unconfined_reason;
        return a;
    };
    if let Some(d) = rule_budget(&policy) {
        a.diagnostics.insert(0, d);
        return a;
    }
    let database = match db::build(&policy) {
        Ok(d) => d,
        Err(f) => {
            fail(&mut a, f);
            return a;
        }
    };
    a.diagnostics.extend(database.diagnostics.iter().cloned());
    if let Some(arch) = cyclic_rule_tree(&database) {
        a.diagnostics.insert(
            0,
            Diagnostic::error(
                "libseccomp-hangs",
                format!(
                    "libseccomp 2.5.4 corrupts its rule tree for {arch} on these rules (a cycle among a syscall's argument comparisons) and then loops forever in seccomp_rule_add: the runtime would hang instead of starting the container"
                ),
            )
            .on(arch),
        );
        a.database = Some(database);
        return a;
    }
    match codegen::compile(&database) {
        Ok(p) => a.program = Some(p),
        Err(e) => a
            .diagnostics
            .insert(0, Diagnostic::error("program-too-large", e.message)),
    }
    a.database = Some(database);
    a
}

/// The largest profile text [`analyze`] reads (4 MiB, 200 times Docker's default): analysis
/// takes time and memory linear in the text (about 65 bytes of memory per byte of profile), so
/// this bounds both for the playground and the CLI.
pub const MAX_PROFILE_BYTES: usize = 4 << 20;

/// Most distinct rules with argument conditions one syscall may have. libseccomp's rule
/// database checks every new rule against the syscall's whole tree, so building it takes time
/// quadratic in them (100,000 distinct rules on one syscall: minutes); that many distinct rules
/// cannot fit the kernel's 4096 instructions anyway unless most of them cancel out. Repeated
/// identical rules cost nothing and are not counted. Docker's default profile has at most 3
/// per syscall.
pub const MAX_CONDITIONAL_RULES_PER_SYSCALL: usize = 4096;

/// The error for a policy with more than [`MAX_CONDITIONAL_RULES_PER_SYSCALL`] distinct
/// conditional rules on one syscall, located at the first rule over the limit.
pub fn rule_budget(policy: &resolve::Policy) -> Option<Diagnostic> {
    type Distinct = std::collections::BTreeSet<(u32, String)>;
    let mut seen: std::collections::BTreeMap<&str, Distinct> = Default::default();
    for r in policy.rules.iter().filter(|r| !r.conditions.is_empty()) {
        let set = seen.entry(r.syscall.as_str()).or_default();
        set.insert((r.action, format!("{:?}", r.conditions)));
        if set.len() > MAX_CONDITIONAL_RULES_PER_SYSCALL {
            return Some(
                Diagnostic::error(
                    "too-many-rules",
                    format!(
                        "{} has more than {MAX_CONDITIONAL_RULES_PER_SYSCALL} distinct rules with argument conditions, the most seccplay accepts for one syscall: libseccomp needs time quadratic in them to build its rule database, and so many distinct rules cannot fit in the kernel's 4096 instructions",
                        r.syscall
                    ),
                )
                .at(Some(r.origin.location.clone())),
            );
        }
    }
    None
}

/// The first ABI whose rule tree has a cycle (following sibling, true and false links), as
/// libseccomp 2.5.4 builds for some pairs of rules on one syscall before it loops forever;
/// compiling such a tree would not terminate either. Linear in the nodes.
pub fn cyclic_rule_tree(db: &Database) -> Option<Arch> {
    for adb in &db.dbs {
        let n = adb.nodes.len();
        // 0 = unvisited, 1 = on the current path, 2 = done.
        let mut color = vec![0u8; n];
        let succ = |i: usize| {
            let node = &adb.nodes[i];
            [node.next, node.nxt_t, node.nxt_f]
        };
        for root in 0..n {
            if color[root] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            color[root] = 1;
            while let Some(&mut (i, ref mut k)) = stack.last_mut() {
                if *k == 3 {
                    color[i] = 2;
                    stack.pop();
                    continue;
                }
                let next = succ(i)[*k];
                *k += 1;
                match next {
                    Some(j) if j < n && color[j] == 1 => return Some(adb.arch),
                    Some(j) if j < n && color[j] == 0 => {
                        color[j] = 1;
                        stack.push((j, 0));
                    }
                    _ => {}
                }
            }
        }
        // Walking back along a level must end too.
        let mut seen = vec![usize::MAX; n];
        for start in 0..n {
            let mut i = start;
            while let Some(p) = adb.nodes[i].prev {
                if p >= n || seen[p] == start {
                    return Some(adb.arch);
                }
                if seen[p] != usize::MAX {
                    break;
                }
                seen[p] = start;
                i = p;
            }
        }
    }
    None
}

/// The answer for one syscall.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The ABI the syscall was issued on.
    pub arch: Arch,
    /// The syscall's name on that ABI, if it has one.
    pub name: Option<&'static str>,
    /// The input.
    pub query: Query,
    /// What the filter returns (0x7fff0000 when unconfined).
    pub ret: u32,
    /// The decoded action.
    pub action: Action,
    /// The errno the caller sees, for ERRNO actions.
    pub errno: Option<u16>,
    /// `EPERM`.
    pub errno_name: Option<&'static str>,
    /// "Operation not permitted".
    pub errno_message: Option<&'static str>,
    /// The rule database's decision with provenance (None when unconfined).
    pub decision: Option<Decision>,
    /// The profile rule that decided, if one did.
    pub rule: Option<Rule>,
    /// Where in the profile text the deciding rule (or the default action) is.
    pub location: Option<Location>,
    /// One or two sentences that say why.
    pub explanation: String,
    /// The compiled program's answer, when there is a program: must equal `ret`.
    pub program_ret: Option<u32>,
    /// Instructions the program executed for this input.
    pub program_steps: Option<usize>,
}

impl Analysis {
    /// Decides one query: the rule database's decision, the program's, and why.
    pub fn simulate(&self, arch: Arch, query: Query) -> Verdict {
        let name = syscalls::name(arch, query.nr);
        let Some(db) = &self.database else {
            let why = self.unconfined.clone().unwrap_or_else(|| {
                "the profile was refused, so the container would not start".into()
            });
            return Verdict {
                arch,
                name,
                query,
                ret: Action::Allow.to_ret(),
                action: Action::Allow,
                errno: None,
                errno_name: None,
                errno_message: None,
                decision: None,
                rule: None,
                location: None,
                explanation: format!("No seccomp filter: {why}."),
                program_ret: None,
                program_steps: None,
            };
        };
        let decision = eval::decide(db, &query);
        let (program_ret, program_steps) = match &self.program {
            Some(p) => {
                let data = data_of(&query);
                match interp::run_counted(&p.insns, &data, p.arch.endian()) {
                    Ok((r, s)) => (Some(r), Some(s)),
                    Err(_) => (None, None),
                }
            }
            None => (None, None),
        };
        let rule = match decision.source {
            Source::Rule { rule, .. } => db.rules.get(rule).cloned(),
            _ => None,
        };
        let location = match &rule {
            Some(r) => Some(r.origin.location.clone()),
            None => match decision.source {
                Source::Default { .. } => self
                    .parsed
                    .as_ref()
                    .and_then(|p| p.profile.default_action.as_ref())
                    .map(|d| d.location.clone()),
                _ => None,
            },
        };
        let explanation = self.explain(arch, name, &query, &decision, rule.as_ref());
        let errno = decision.action.errno();
        Verdict {
            arch,
            name,
            query,
            ret: decision.ret,
            action: decision.action,
            errno,
            errno_name: errno.and_then(syscalls::errno_name),
            errno_message: errno.and_then(syscalls::errno_message),
            decision: Some(decision),
            rule,
            location,
            explanation,
            program_ret,
            program_steps,
        }
    }

    /// Parses a syscall expression (`unshare(CLONE_NEWUSER)`, `nr=135 0x1`) and simulates it.
    pub fn simulate_call(&self, text: &str, arch: Arch) -> Result<Verdict, ExprError> {
        let call = expr::parse_call(text, arch)?;
        Ok(self.simulate(arch, query_of(&call, arch)))
    }

    fn explain(
        &self,
        arch: Arch,
        name: Option<&str>,
        q: &Query,
        d: &Decision,
        rule: Option<&Rule>,
    ) -> String {
        let sys = name
            .map(str::to_string)
            .unwrap_or_else(|| format!("syscall {}", q.nr));
        let act = describe_action(d.ret);
        match &d.source {
            Source::EnosysStub { max } => format!(
                "{sys} (nr {}) is above {max}, the largest syscall number the profile names on {arch}: runc's ENOSYS stub answers {act} before the filter runs, so programs fall back as on an older kernel.",
                q.nr
            ),
            Source::BadArch => format!(
                "The filter does not cover the calling ABI (AUDIT_ARCH {:#010x}): libseccomp's bad-architecture action {act} applies.",
                q.audit_arch
            ),
            Source::WrongAbiNumber => format!(
                "Number {:#x} is not a syscall of the ABIs in this filter (x32 numbers carry bit 30): libseccomp treats it as a bad architecture, {act}.",
                q.nr
            ),
            Source::Rule { rule: _, unconditional, .. } => {
                let r = rule.expect("rule of the decision");
                let entry = format!("syscalls[{}]", r.origin.entry);
                if *unconditional {
                    format!("{sys} is {} unconditionally by {entry}: {act}.", verb(d.ret))
                } else {
                    let conds: Vec<String> =
                        r.conditions.iter().map(|c| self.describe_condition(&sys, c)).collect();
                    format!(
                        "{sys} matched {entry} ({}): {act}.{}",
                        conds.join(" and "),
                        self.args_note(name, q)
                    )
                }
            }
            Source::Default { had_rules, .. } => {
                let rules: Vec<&Rule> = self
                    .database
                    .as_ref()
                    .map(|db| {
                        db.rules
                            .iter()
                            .filter(|r| Some(r.syscall.as_str()) == name)
                            .collect()
                    })
                    .unwrap_or_default();
                if *had_rules && !rules.is_empty() {
                    let alts: Vec<String> = rules
                        .iter()
                        .map(|r| {
                            let c: Vec<String> =
                                r.conditions.iter().map(|c| self.describe_condition(&sys, c)).collect();
                            format!("{} when {}", describe_action(r.action), c.join(" and "))
                        })
                        .collect();
                    format!(
                        "{sys} has argument rules ({}), and none matched{}: the default action {act} applies.",
                        alts.join("; "),
                        match self.args_note(name, q).trim() {
                            "" => String::new(),
                            note => format!(
                                " ({})",
                                note.trim_start_matches("Here ").trim_end_matches('.')
                            ),
                        }
                    )
                } else {
                    let why = self.why_no_rule(name);
                    format!("No rule allows {sys} on {arch}{why}: the default action {act} applies.")
                }
            }
        }
    }

    fn describe_condition(&self, sys: &str, c: &resolve::Condition) -> String {
        let argname = syscalls::prototype(sys)
            .and_then(|p| p.args.get(c.arg as usize).map(|a| a.name.to_string()))
            .unwrap_or_else(|| format!("arg{}", c.arg));
        let sym = |v: u64| {
            syscalls::describe_arg(sys, c.arg as usize, v)
                .filter(|s| !s.starts_with("0x") && s != &v.to_string())
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        };
        match c.op {
            profile::Op::MaskedEq => format!(
                "({argname} & {:#x}) == {:#x}{}",
                c.value,
                c.value_two & c.value,
                sym(c.value)
            ),
            op => format!("{argname} {} {:#x}{}", op.symbol(), c.value, sym(c.value)),
        }
    }

    fn args_note(&self, name: Option<&str>, q: &Query) -> String {
        let Some(n) = name else { return String::new() };
        let described: Vec<String> = syscalls::describe_args(n, &q.args)
            .into_iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let d = d?;
                let argname = syscalls::prototype(n)
                    .and_then(|p| p.args.get(i).map(|a| a.name.to_string()))
                    .unwrap_or_else(|| format!("arg{i}"));
                (q.args[i] != 0 || !d.starts_with('0'))
                    .then(|| format!("{argname} = {d} ({:#x})", q.args[i]))
            })
            .collect();
        if described.is_empty() {
            String::new()
        } else {
            format!(" Here {}.", described.join(", "))
        }
    }

    /// The profile's entries that name `syscall` but were left out in this context (the
    /// `entry-excluded` notes: a capability, architecture or kernel version the entry requires
    /// or excludes), in profile order.
    pub fn left_out(&self, syscall: &str) -> Vec<LeftOut> {
        let Some(p) = &self.parsed else {
            return Vec::new();
        };
        p.profile
            .syscalls
            .iter()
            .filter(|e| e.names.iter().any(|n| n.value == syscall))
            .filter_map(|e| {
                let d = self.diagnostics.iter().find(|d| {
                    d.code == "entry-excluded" && d.location.as_ref() == Some(&e.location)
                })?;
                let (label, reason) = d
                    .message
                    .split_once(resolve::NOT_APPLIED)
                    .unwrap_or((d.message.as_str(), ""));
                Some(LeftOut {
                    entry: e.index,
                    label: label.to_string(),
                    location: e.location.clone(),
                    action: e.action.value.as_str(),
                    conditional: !e.args.is_empty(),
                    reason: reason.to_string(),
                })
            })
            .collect()
    }

    /// Why the profile has no rule for a syscall: excluded entries, unknown names...
    fn why_no_rule(&self, name: Option<&str>) -> String {
        let Some(n) = name else { return String::new() };
        let Some(p) = &self.parsed else {
            return String::new();
        };
        if !p
            .profile
            .syscalls
            .iter()
            .any(|e| e.names.iter().any(|x| x.value == n))
        {
            return " (the profile does not list it)".into();
        }
        let reasons: Vec<String> = self.left_out(n).iter().map(LeftOut::to_string).collect();
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join("; "))
        }
    }
}

/// A profile entry that names a syscall but was left out in this context.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// Index of the entry in `syscalls[]`.
    pub entry: usize,
    /// `syscalls[17] (bpf, clone, clone3, … (26 names))`.
    pub label: String,
    /// Where the whole entry is written (its `{`).
    pub location: Location,
    /// The entry's action as written (`SCMP_ACT_ALLOW`).
    pub action: &'static str,
    /// The entry has argument conditions (it would decide only some calls).
    pub conditional: bool,
    /// Why it was left out: `requires CAP_SYS_ADMIN, which the container does not have`.
    pub reason: String,
}

impl fmt::Display for LeftOut {
    /// `syscalls[17] (bpf, …) at line 617:5 (SCMP_ACT_ALLOW) not applied: requires …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}:{} ({}{}) not applied",
            self.label,
            self.location.line,
            self.location.column,
            self.action,
            if self.conditional {
                " with argument conditions"
            } else {
                ""
            }
        )?;
        if !self.reason.is_empty() {
            write!(f, ": {}", self.reason)?;
        }
        Ok(())
    }
}

fn verb(ret: u32) -> &'static str {
    if Action::from_ret(ret).is_allow() {
        "allowed"
    } else {
        "blocked"
    }
}

/// `ERRNO(EPERM)`, `ALLOW`, `KILL_PROCESS`, ... for messages.
pub fn describe_action(ret: u32) -> String {
    let a = Action::from_ret(ret);
    match a {
        Action::Errno(_) => {
            let e = a.errno().unwrap_or(0);
            match syscalls::errno_name(e) {
                Some(n) => format!("ERRNO({n})"),
                None => format!("ERRNO({e})"),
            }
        }
        other => other.to_string(),
    }
}

/// The query for a parsed call on an ABI.
pub fn query_of(call: &Call, arch: Arch) -> Query {
    Query {
        audit_arch: arch.audit_arch(),
        nr: call.nr,
        args: call.args,
        instruction_pointer: call.ip.unwrap_or(0),
    }
}

/// The `seccomp_data` of a query.
pub fn data_of(q: &Query) -> SeccompData {
    let mut d = SeccompData::new(q.nr, q.audit_arch, q.args);
    d.instruction_pointer = q.instruction_pointer;
    d
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
        /// Decided by the default action (no rule).
        by_default: bool,
    },
    /// Depends on the arguments.
    Conditional {
        /// The rules, as `ALLOW when flags & 0x7e020000 == 0`.
        rules: Vec<String>,
        /// The action when no rule matches.
        otherwise: u32,
    },
}

/// One syscall of the table.
#[derive(Clone, Debug, Serialize)]
pub struct TableRow {
    /// Name.
    pub name: &'static str,
    /// Number (base applied).
    pub nr: u32,
    /// Verdict.
    pub verdict: RowVerdict,
    /// The kernel's constant-action cache would skip the filter for it.
    pub cached: bool,
    /// Instructions executed with zero arguments.
    pub cost: Option<usize>,
    /// Most instructions executed over all arguments (an upper bound).
    pub worst: Option<usize>,
}

/// The table of an ABI: every syscall with its verdict.
#[derive(Clone, Debug, Serialize)]
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
    /// The default action.
    pub default_action: Option<u32>,
}

impl fmt::Display for Table {
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
        if let Some(d) = self.default_action {
            let a = Action::from_ret(d);
            if let Some(e) = a.errno() {
                write!(f, " ({})", syscalls::errno_name(e).unwrap_or("ERRNO"))?;
            } else {
                write!(f, " ({a})")?;
            }
        }
        Ok(())
    }
}

impl Analysis {
    /// Every syscall of an ABI with its verdict, cache status and cost.
    pub fn table(&self, arch: Arch) -> Table {
        let mut rows = Vec::new();
        let (mut allowed, mut conditional, mut blocked) = (0, 0, 0);
        for (name, nr) in syscalls::syscalls(arch) {
            let verdict = match &self.database {
                None => RowVerdict::Allowed {
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
                        cache::is_const_allow(&p.insns, audit, nr),
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
            rows.push(TableRow {
                name,
                nr,
                verdict,
                cached,
                cost,
                worst,
            });
        }
        Table {
            arch,
            rows,
            allowed,
            conditional,
            blocked,
            default_action: self.database.as_ref().map(|d| d.default_action),
        }
    }

    /// Figures about the compiled program.
    pub fn stats(&self) -> Option<ProgramStats> {
        let p = self.program.as_ref()?;
        let arch = p.arch;
        let mut costs = Vec::new();
        for (_, nr) in syscalls::syscalls(arch) {
            let data = SeccompData::new(nr, arch.audit_arch(), [0; 6]);
            if let Ok((_, s)) = interp::run_counted(&p.insns, &data, arch.endian()) {
                costs.push(s);
            }
        }
        let avg = costs.iter().sum::<usize>() as f64 / costs.len().max(1) as f64;
        Some(ProgramStats {
            instructions: p.insns.len(),
            bytes: p.insns.len() * 8,
            arch,
            average_executed: avg,
            worst_executed: costs.iter().copied().max().unwrap_or(0),
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
    /// Most instructions executed over those.
    pub worst_executed: usize,
}

fn row_verdict(db: &Database, arch: Arch, nr: u32) -> RowVerdict {
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
            return classify(d.ret, true);
        }
    };
    if let Some(stub) = &db.enosys {
        if let Some(r) = stub.decide(q.audit_arch, nr) {
            return classify(r, true);
        }
    }
    match adb.syscalls.get(&nr) {
        None => classify(db.default_action, true),
        Some(s) => match s.action {
            Some(l) => classify(l.action, false),
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
                        let c: Vec<String> = r.conditions.iter().map(|c| c.to_string()).collect();
                        format!(
                            "{} when {}",
                            describe_action(r.action),
                            if c.is_empty() {
                                "always".into()
                            } else {
                                c.join(" && ")
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

fn classify(ret: u32, by_default: bool) -> RowVerdict {
    if Action::from_ret(ret).is_allow() {
        RowVerdict::Allowed { ret }
    } else {
        RowVerdict::Blocked { ret, by_default }
    }
}

/// Runs a raw program (not compiled from a profile) on a query: for `emu` and pasted programs.
pub fn run_program(
    insns: &[Insn],
    arch: Arch,
    q: &Query,
) -> Result<interp::Trace, interp::RunError> {
    interp::trace(insns, &data_of(q), arch.endian())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCKERISH: &str = r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
      "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],
      "syscalls":[{"names":["read","write","exit_group","getrandom"],"action":"SCMP_ACT_ALLOW"},
        {"names":["unshare","clone"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
        {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}],"excludes":{"caps":["CAP_SYS_ADMIN"]}},
        {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]}]}"#;

    #[test]
    fn verdicts_explain_themselves() {
        let a = analyze(DOCKERISH, &Context::docker(Arch::X86_64));
        assert!(!a.failed(), "{:?}", a.diagnostics);
        let v = a
            .simulate_call("unshare(CLONE_NEWUSER)", Arch::X86_64)
            .unwrap();
        assert_eq!(v.errno_name, Some("EPERM"));
        assert_eq!(v.program_ret, Some(v.ret));
        assert!(v.explanation.contains("CAP_SYS_ADMIN"), "{}", v.explanation);
        let v = a
            .simulate_call("clone(CLONE_NEWUSER|SIGCHLD)", Arch::X86_64)
            .unwrap();
        assert_eq!(v.action, Action::Errno(1));
        assert!(v.explanation.contains("none matched"), "{}", v.explanation);
        let v = a
            .simulate_call("personality(0xffffffff)", Arch::X86_64)
            .unwrap();
        assert_eq!(v.action, Action::Allow);
        assert_eq!(v.rule.as_ref().unwrap().origin.entry, 3);
        assert_eq!(v.location.as_ref().unwrap().line, 6);
        let ctx = Context::docker(Arch::X86_64)
            .with_caps(&["SYS_ADMIN"], &[] as &[&str], false)
            .unwrap();
        let a = analyze(DOCKERISH, &ctx);
        assert_eq!(
            a.simulate_call("unshare(CLONE_NEWUSER)", Arch::X86_64)
                .unwrap()
                .action,
            Action::Allow
        );
    }

    #[test]
    fn table_counts_add_up() {
        let a = analyze(DOCKERISH, &Context::docker(Arch::X86_64));
        let t = a.table(Arch::X86_64);
        assert_eq!(t.allowed + t.conditional + t.blocked, t.rows.len());
        assert_eq!(t.allowed, 4);
        assert_eq!(t.conditional, 2);
        assert!(t.to_string().starts_with("x86_64: "));
        assert!(t.to_string().ends_with("(EPERM)"));
        let read = t.rows.iter().find(|r| r.name == "read").unwrap();
        assert!(read.cached);
    }

    #[test]
    fn too_many_conditional_rules_on_one_syscall_are_refused_quickly() {
        let rule = r#"{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":V,"op":"SCMP_CMP_EQ"}]}"#;
        let rules: Vec<String> = (0..=MAX_CONDITIONAL_RULES_PER_SYSCALL)
            .map(|i| rule.replace('V', &i.to_string()))
            .collect();
        let text = format!(
            r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{}]}}"#,
            rules.join(",\n")
        );
        let a = analyze(&text, &Context::docker(Arch::X86_64));
        let e = a.first_error().unwrap();
        assert_eq!(e.code, "too-many-rules");
        assert!(
            e.message
                .contains("personality has more than 4096 distinct rules"),
            "{e}"
        );
        assert_eq!(e.location.as_ref().unwrap().line, 4097);
        // One rule fewer is built (and is too large for the kernel).
        let text = text.replacen(&(rules[0].clone() + ",\n"), "", 1);
        let a = analyze(&text, &Context::docker(Arch::X86_64));
        assert_eq!(a.first_error().unwrap().code, "program-too-large");
    }

    #[test]
    fn profiles_over_4_mib_are_refused_unread() {
        let text = format!(
            r#"{{"defaultAction":"SCMP_ACT_ALLOW"}}{}"#,
            " ".repeat(MAX_PROFILE_BYTES)
        );
        let a = analyze(&text, &Context::docker(Arch::X86_64));
        let e = a.first_error().unwrap();
        assert_eq!(e.code, "profile-too-large");
        assert!(
            e.message
                .starts_with("the profile is 4.0 MiB; seccplay reads profiles up to 4 MiB"),
            "{e}"
        );
        assert!(a.parsed.is_none());
        let a = analyze(text.trim_end(), &Context::docker(Arch::X86_64));
        assert!(!a.failed());
    }

    /// Regression (found by fuzz/compile_differential): libseccomp 2.5.4 loops forever adding
    /// the second rule (python3-seccomp hangs in add_rule); our database reproduces its cyclic
    /// tree, and compiling it looped forever. Now an error.
    #[test]
    fn a_rule_pair_that_hangs_libseccomp_is_an_error() {
        let text = r#"{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[
          {"names":["ptrace"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"SCMP_CMP_LE","value":5},{"index":1,"op":"SCMP_CMP_NE","value":2}]},
          {"names":["ptrace"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"op":"SCMP_CMP_LE","value":5},{"index":3,"op":"SCMP_CMP_NE","value":0}]}]}"#;
        let a = analyze(text, &Context::docker(Arch::X86_64));
        let e = a.first_error().unwrap();
        assert_eq!(e.code, "libseccomp-hangs", "{e}");
        assert!(a.program.is_none());
        // The presets have no cycle.
        let crate::presets::PresetKind::Profile(docker) =
            crate::presets::get("docker").unwrap().kind
        else {
            unreachable!()
        };
        let a = analyze(docker, &Context::docker(Arch::X86_64));
        assert!(cyclic_rule_tree(a.database.as_ref().unwrap()).is_none());
    }

    #[test]
    fn broken_profiles_are_diagnostics_not_panics() {
        let a = analyze("{\"defaultAction\": ", &Context::docker(Arch::X86_64));
        assert!(a.failed());
        assert_eq!(a.first_error().unwrap().code, "json-syntax");
        let v = a.simulate_call("read(0)", Arch::X86_64).unwrap();
        assert!(v.explanation.contains("refused"));
    }
}
