//! One call's answer: the rule database's decision, the program's, the deciding rule with its
//! location, and a sentence that says why.

use super::Analysis;
use crate::action::Action;
use crate::arch::Arch;
use crate::bpf::{interp, Insn, SeccompData};
use crate::context::Bypass;
use crate::diag::{Diagnostic, Location};
use crate::eval::{self, Decision, Query, Source};
use crate::expr::{self, Call, ExprError};
use crate::profile;
use crate::resolve::{self, Rule};
use crate::syscalls;
use serde::Serialize;
use std::fmt;

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
    /// When the profile has a rule for a name libseccomp 2.5.x does not know: what hosts with
    /// it do instead (they leave the rule out).
    pub older_libseccomp: Option<String>,
    /// When the context's kernel passes this call without running any filter (x86_64
    /// uretprobe and uprobe on new kernels, [`crate::context::FILTER_BYPASSES`]), or may
    /// (a series where it depends on the point release): the sentence that says so.
    pub kernel_bypass: Option<String>,
    /// The kernel surely runs no filter for this call: it proceeds (ALLOW) whatever `ret`, the
    /// filter's answer, says. See [`Verdict::outcome_ret`].
    pub bypassed: bool,
    /// When the call gets through (ALLOW or LOG) but the context's kernel does not implement
    /// it ([`syscalls::kernel::implemented`]): the sentence that says the kernel answers
    /// ENOSYS, with the version the call came in.
    pub kernel_enosys: Option<String>,
}

impl Verdict {
    /// What the process gets: ALLOW when the kernel runs no filter for the call, else the
    /// filter's return value.
    pub fn outcome_ret(&self) -> u32 {
        if self.bypassed {
            Action::Allow.to_ret()
        } else {
            self.ret
        }
    }
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
                older_libseccomp: None,
                kernel_bypass: None,
                bypassed: false,
                kernel_enosys: self.kernel_enosys(name, Action::Allow.to_ret()),
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
        let bypass = self.context.filter_bypass(arch, query.nr);
        let bypassed = matches!(bypass, Some(Bypass::Always(_)));
        let older_libseccomp = name
            .filter(|n| !bypassed && self.has_rule_for(n) && syscalls::unknown_to_libseccomp_2_5(n))
            .map(|n| {
                format!(
                    "Hosts with libseccomp 2.5.x (Debian 12, Ubuntu 22.04 and 24.04, RHEL 9) do not know {n}: their runc or crun leaves its rules out, so there the call gets runc's ENOSYS stub or the default action instead of {}.",
                    describe_action(decision.ret)
                )
            });
        let outcome = if bypassed {
            Action::Allow.to_ret()
        } else {
            decision.ret
        };
        let kernel_enosys = self.kernel_enosys(name, outcome);
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
            older_libseccomp,
            kernel_bypass: bypass.map(Bypass::describe),
            bypassed,
            kernel_enosys,
        }
    }

    /// What the kernel answers a call that reaches it with `outcome` (ALLOW or LOG) when the
    /// context's kernel does not implement it: [`Verdict::kernel_enosys`]'s sentence.
    fn kernel_enosys(&self, name: Option<&str>, outcome: u32) -> Option<String> {
        let name = name.filter(|_| Action::from_ret(outcome).is_allow())?;
        let k = syscalls::kernel::implemented(name, self.context.kernel);
        k.enosys().then(|| k.describe(name, self.context.kernel))
    }

    /// The warning `execve-blocked` when the host ABI's `execve` is not allowed: a container
    /// could not start its first process. `None` for a refused profile, an unconfined
    /// container, or an allowed `execve`. `lint` and the page's diagnostics add it.
    pub fn execve_blocked(&self) -> Option<Diagnostic> {
        if self.failed() || self.unconfined.is_some() {
            return None;
        }
        let arch = self.context.host_arch;
        let v = self.simulate_call("execve", arch).ok()?;
        (!v.action.is_allow()).then(|| {
            Diagnostic::warning(
                "execve-blocked",
                format!(
                    "execve gets {} on {arch}: a container could not even start its first process. {}",
                    super::describe_action(v.ret),
                    v.explanation
                ),
            )
        })
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
            // seccomp_data.nr is an int: 0xffffffff is syscall -1.
            .unwrap_or_else(|| format!("syscall {}", q.nr as i32));
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
                        r.conditions.iter().map(|c| describe_condition(&sys, c)).collect();
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
                                r.conditions.iter().map(|c| describe_condition(&sys, c)).collect();
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
    pub(super) fn why_no_rule(&self, name: Option<&str>) -> String {
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

/// A condition in words with the argument's name and its symbolic value:
/// `(clone_flags & 0x7e020000) == 0x0 (CLONE_NEWNS|…)`, `family == 0x26 (AF_ALG)`.
pub fn describe_condition(sys: &str, c: &resolve::Condition) -> String {
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

/// Runs a raw program (not compiled from a profile) on a query: for `emu` and pasted programs.
pub fn run_program(
    insns: &[Insn],
    arch: Arch,
    q: &Query,
) -> Result<interp::Trace, interp::RunError> {
    interp::trace(insns, &data_of(q), arch.endian())
}
