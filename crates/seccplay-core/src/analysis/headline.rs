//! The answer in one plain sentence: the outcome, then the reason with the profile line that
//! holds it ("Blocked: unshare needs CAP_SYS_ADMIN (line 633)"). The [`Verdict`]'s explanation
//! is the detail that follows it; both are derived from the same decision.
//!
//! 1. The outcome is one word for the action's effect (Allowed, Blocked, Killed, ...).
//! 2. The reason is the decision's source: the rule that matched, the entry the context left
//!    out (its `entry-excluded` reason shortened), or the default action.
//! 3. The line is the one a person would look at: the deciding rule, the left-out entry, or the
//!    default action.

use super::simulate::{describe_condition, Verdict};
use super::Analysis;
use crate::action::Action;
use crate::eval::Source;

/// The effect of an action in one word (or two): how the headline starts.
pub fn outcome_word(a: Action) -> &'static str {
    match a {
        Action::Allow => "Allowed",
        Action::Log => "Allowed (logged)",
        Action::Errno(_) => "Blocked",
        Action::KillProcess | Action::KillThread | Action::Unknown(_) => "Killed",
        Action::Trap(_) => "Trapped",
        Action::Trace(_) => "Sent to the tracer",
        Action::UserNotif => "Sent to the supervisor",
    }
}

/// An `entry-excluded` reason (`resolve::moby::excluded_by`) in a few words: "needs
/// CAP_SYS_ADMIN", "needs kernel ≥ 4.8", "is left out when the container has CAP_X".
fn short_reason(sys: &str, reason: &str) -> String {
    if let Some(r) = reason.strip_prefix("requires ") {
        let what = r.split_once(", ").map_or(r, |(w, _)| w);
        return format!("{sys} needs {what}");
    }
    if let Some(c) = reason.strip_prefix("excluded because the container has ") {
        return format!("{sys}'s rule is left out because the container has {c}");
    }
    format!("{sys}'s rule is left out here ({reason})")
}

impl Analysis {
    /// The verdict in one plain sentence, ending with the profile line it refers to.
    pub fn headline(&self, v: &Verdict) -> String {
        let out = outcome_word(v.action);
        let sys = v
            .name
            .map(str::to_string)
            .unwrap_or_else(|| format!("syscall {}", v.query.nr as i32));
        let at = |line: Option<u32>| line.map(|l| format!(" (line {l})")).unwrap_or_default();
        let Some(d) = &v.decision else {
            return format!("{out}: no seccomp filter runs.");
        };
        if v.bypassed {
            return format!(
                "{}: the kernel runs no seccomp filter for {sys} on x86_64 (the filter would answer {}).",
                outcome_word(Action::Allow),
                super::describe_action(v.ret)
            );
        }
        let line = v.location.as_ref().map(|l| l.line);
        match &d.source {
            Source::EnosysStub { .. } => {
                format!("{out}: {sys} is newer than every syscall the profile names, so runc's ENOSYS stub answers.")
            }
            Source::BadArch | Source::WrongAbiNumber => {
                format!("{out}: the filter does not cover this ABI.")
            }
            Source::Rule { unconditional, .. } => match &v.rule {
                Some(r) if !*unconditional => {
                    let conds: Vec<String> = r
                        .conditions
                        .iter()
                        .map(|c| describe_condition(&sys, c))
                        .collect();
                    format!(
                        "{out}: the rule for {sys} matches {}{}.",
                        conds.join(" and "),
                        at(line)
                    )
                }
                _ => format!("{out}: the profile's rule for {sys} decides{}.", at(line)),
            },
            Source::Default { had_rules, .. } => {
                if *had_rules && v.name.is_some_and(|n| self.has_rule_for(n)) {
                    return format!(
                        "{out}: none of {sys}'s argument rules matches, so the default action applies{}.",
                        at(line)
                    );
                }
                let left = v.name.map(|n| self.left_out(n)).unwrap_or_default();
                if let Some(e) = left.iter().find(|e| !e.reason.is_empty()) {
                    return format!(
                        "{out}: {}{}.",
                        short_reason(&sys, &e.reason),
                        at(Some(e.location.line))
                    );
                }
                let listed = v.name.is_some_and(|n| {
                    self.parsed.as_ref().is_some_and(|p| {
                        p.profile
                            .syscalls
                            .iter()
                            .any(|e| e.names.iter().any(|x| x.value == n))
                    })
                });
                if listed {
                    format!(
                        "{out}: no rule for {sys} applies here, so the default action does{}.",
                        at(line)
                    )
                } else {
                    format!(
                        "{out}: the profile does not list {sys}, so the default action applies{}.",
                        at(line)
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::short_reason;

    #[test]
    fn reasons_as_excluded_by_writes_them() {
        assert_eq!(
            short_reason(
                "unshare",
                "requires CAP_SYS_ADMIN, which the container does not have"
            ),
            "unshare needs CAP_SYS_ADMIN"
        );
        assert_eq!(
            short_reason("ptrace", "requires kernel ≥ 4.8, the host runs 4.4"),
            "ptrace needs kernel ≥ 4.8"
        );
        assert_eq!(
            short_reason("clone", "excluded because the container has CAP_SYS_ADMIN"),
            "clone's rule is left out because the container has CAP_SYS_ADMIN"
        );
    }
}
