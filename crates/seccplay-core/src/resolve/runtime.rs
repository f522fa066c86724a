//! The runtime's half of resolution (seccomp-semantics.md §3.2 runc, §3.4 crun): what runc or
//! crun hands libseccomp, one `seccomp_rule_add` per syscall name.
//!
//! 1. ABIs: the host first, then the listed ones libseccomp accepts (same endianness; runc
//!    knows fewer ABIs than crun).
//! 2. Actions: the 32-bit value of each action with its errno ([`action_value`]).
//! 3. Flags: `SECCOMP_FILTER_FLAG_*`, with SPEC_ALLOW when the profile lists none.
//! 4. Rules: per entry, refusals first (bad action, NOTIFY misuse, argument index), then one
//!    rule per known name. A repeated argument index splits the entry into one rule per
//!    condition (OR, not AND). A rule whose action equals the default is skipped.

use super::moby::entry_label;
use super::{Condition, Flags, Origin, Rule, Steps};
use crate::action::{Action, MAX_ERRNO};
use crate::arch::Arch;
use crate::context::{Context, Runtime};
use crate::diag::{Diagnostic, Location};
use crate::profile::{ActionName, Located, SyscallEntry};
use crate::{suggest, syscalls};

/// `EPERM`, the default errno of ERRNO and TRACE actions.
const EPERM: u64 = 1;

impl<'a> Steps<'a> {
    /// Step 3a: the filter's ABIs: the host first, then each listed ABI the runtime and
    /// libseccomp accept, without duplicates.
    pub(super) fn runtime_architectures(
        &mut self,
        listed: &[(Arch, Option<Location>)],
    ) -> Vec<Arch> {
        let ctx = self.ctx;
        let mut arches: Vec<Arch> = vec![ctx.host_arch];
        let endian = ctx.host_arch.endian();
        for (a, loc) in listed {
            if ctx.runtime == Runtime::Runc
                && matches!(
                    a,
                    Arch::Parisc | Arch::Parisc64 | Arch::M68k | Arch::Sh | Arch::Sheb
                )
            {
                self.errors.push(
                    Diagnostic::error(
                        "arch-unsupported-by-runtime",
                        format!(
                            "runc does not accept the architecture {} (crun does)",
                            a.oci_name()
                        ),
                    )
                    .at(loc.clone()),
                );
                continue;
            }
            if a.endian() != endian {
                self.errors.push(
                    Diagnostic::error(
                        "arch-endian-mismatch",
                        format!(
                            "{} is {:?}-endian but the host {} is {:?}-endian: libseccomp refuses to mix them (EDOM), so the container does not start",
                            a.oci_name(), a.endian(), ctx.host_arch, endian
                        ),
                    )
                    .at(loc.clone()),
                );
                continue;
            }
            if !arches.contains(a) {
                arches.push(*a);
            }
        }
        arches
    }

    /// Step 3b: the default action's value (0 after a refusal). NOTIFY cannot be the default.
    pub(super) fn runtime_default_action(&mut self, default: &Located<ActionName>) -> u32 {
        let profile = self.profile;
        let default_action = match action_value(
            default.value,
            profile.default_errno_ret.as_ref().map(|e| e.value),
            self.ctx.runtime,
        ) {
            Ok(v) => v,
            Err(msg) => {
                let loc = profile
                    .default_errno_ret
                    .as_ref()
                    .map(|e| e.location.clone())
                    .unwrap_or(default.location.clone());
                self.errors
                    .push(Diagnostic::error("invalid-default-action", msg).at(Some(loc)));
                0
            }
        };
        if default.value == ActionName::Notify {
            self.errors.push(
                Diagnostic::error(
                    "notify-default",
                    "SCMP_ACT_NOTIFY cannot be the default action: the runtime refuses it (a supervisor would have to answer every syscall)",
                )
                .at(Some(default.location.clone())),
            );
        }
        default_action
    }

    /// Step 3c: the filter flags. No `flags` at all means SPEC_ALLOW; runc accepts TSYNC and
    /// ignores it. NEW_LISTENER is decided after the rules ([`new_listener`]).
    pub(super) fn runtime_flags(&mut self) -> Flags {
        let (profile, ctx) = (self.profile, self.ctx);
        let mut flags = Flags::default();
        match &profile.flags {
            None => flags.spec_allow = true,
            Some(list) => {
                for f in list {
                    match f.value.as_str() {
                        "SECCOMP_FILTER_FLAG_TSYNC" => {
                            if ctx.runtime == Runtime::Crun {
                                flags.tsync = true;
                            } else {
                                self.diags.push(
                                    Diagnostic::note("flag-ignored", "runc accepts SECCOMP_FILTER_FLAG_TSYNC and ignores it")
                                        .at(Some(f.location.clone())),
                                );
                            }
                        }
                        "SECCOMP_FILTER_FLAG_LOG" => flags.log = true,
                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => flags.spec_allow = true,
                        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => flags.wait_killable_recv = true,
                        other => self.errors.push(
                            Diagnostic::error(
                                "unknown-flag",
                                format!("unknown seccomp flag \"{other}\": expected SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW or SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
                            )
                            .at(Some(f.location.clone())),
                        ),
                    }
                }
            }
        }
        if profile.listener_metadata.is_some() && !has_listener(self.profile) {
            self.errors.push(Diagnostic::error(
                "listener-metadata-without-path",
                "listenerMetadata is set without listenerPath (the OCI spec forbids it)",
            ));
        }
        flags
    }

    /// Step 3d: the rules in `seccomp_rule_add` order, one per known name of each entry (one
    /// per condition and name when the entry is split).
    pub(super) fn runtime_rules(
        &mut self,
        kept: &[&SyscallEntry],
        default_action: u32,
    ) -> Vec<Rule> {
        let mut rules: Vec<Rule> = Vec::new();
        for e in kept {
            let Some(action) = self.entry_action(e) else {
                continue;
            };
            self.check_notify(e);
            let Some(conds) = self.conditions(e) else {
                continue;
            };
            let split = self.or_split(e, &conds);
            for (ni, name) in e.names.iter().enumerate() {
                if !self.name_added(name, action, default_action) {
                    continue;
                }
                let origin = |split: Option<usize>| Origin {
                    entry: e.index,
                    name_index: ni,
                    location: name.location.clone(),
                    entry_location: e.location.clone(),
                    split,
                    comment: e.comment.clone(),
                };
                if split {
                    for (c, ci) in &conds {
                        rules.push(Rule {
                            id: rules.len(),
                            syscall: name.value.clone(),
                            action,
                            conditions: vec![*c],
                            origin: origin(Some(*ci)),
                        });
                    }
                } else {
                    rules.push(Rule {
                        id: rules.len(),
                        syscall: name.value.clone(),
                        action,
                        conditions: conds.iter().map(|(c, _)| *c).collect(),
                        origin: origin(None),
                    });
                }
            }
        }
        rules
    }

    /// An entry's action value, or `None` after refusing it.
    fn entry_action(&mut self, e: &SyscallEntry) -> Option<u32> {
        match action_value(
            e.action.value,
            e.errno_ret.as_ref().map(|v| v.value),
            self.ctx.runtime,
        ) {
            Ok(v) => Some(v),
            Err(msg) => {
                let loc = e
                    .errno_ret
                    .as_ref()
                    .map(|v| v.location.clone())
                    .unwrap_or(e.action.location.clone());
                self.errors
                    .push(Diagnostic::error("invalid-action", msg).at(Some(loc)));
                None
            }
        }
    }

    /// Refuses NOTIFY on `write` (the supervisor could deadlock) and, for runc, NOTIFY without
    /// `listenerPath`.
    fn check_notify(&mut self, e: &SyscallEntry) {
        if e.action.value != ActionName::Notify {
            return;
        }
        if e.names.iter().any(|n| n.value == "write") {
            self.errors.push(
                Diagnostic::error(
                    "notify-write",
                    "SCMP_ACT_NOTIFY on write is refused by runc: the supervisor could deadlock writing to the container",
                )
                .at(Some(e.action.location.clone())),
            );
        }
        if self.ctx.runtime == Runtime::Runc && !has_listener(self.profile) {
            self.errors.push(
                Diagnostic::error(
                    "notify-without-listener",
                    "SCMP_ACT_NOTIFY needs listenerPath: runc refuses to start the container without one",
                )
                .at(Some(e.action.location.clone())),
            );
        }
    }

    /// The entry's conditions with their index in `args`, or `None` after refusing an argument
    /// index over 5. crun uses only the first six conditions and warns about the rest.
    fn conditions(&mut self, e: &SyscallEntry) -> Option<Vec<(Condition, usize)>> {
        let ctx = self.ctx;
        let mut conds: Vec<(Condition, usize)> = Vec::new();
        let mut bad = false;
        for (ci, a) in e.args.iter().enumerate() {
            if ctx.runtime == Runtime::Crun && ci >= 6 {
                self.diags.push(
                    Diagnostic::warning(
                        "condition-ignored",
                        "crun uses only the first 6 conditions of an entry; this one is ignored",
                    )
                    .at(Some(a.location.clone())),
                );
                continue;
            }
            if a.index.value > 5 {
                self.errors.push(
                    Diagnostic::error(
                        "arg-index",
                        format!(
                            "argument index {} is out of range: syscalls have 6 arguments (0..5); {} refuses it",
                            a.index.value,
                            ctx.runtime.name()
                        ),
                    )
                    .at(Some(a.index.location.clone())),
                );
                bad = true;
                continue;
            }
            conds.push((
                Condition {
                    arg: a.index.value as u8,
                    op: a.op.value,
                    value: a.value,
                    value_two: a.value_two,
                },
                ci,
            ));
        }
        (!bad).then_some(conds)
    }

    /// Whether an argument index repeats, so the runtime adds each condition as its own rule
    /// (warned about: the conditions are OR'ed).
    fn or_split(&mut self, e: &SyscallEntry, conds: &[(Condition, usize)]) -> bool {
        let mut seen = [0u8; 6];
        for (c, _) in conds {
            seen[c.arg as usize] += 1;
        }
        let split = seen.iter().any(|&n| n > 1);
        if split {
            self.diags.push(
                Diagnostic::warning(
                    "or-split",
                    format!(
                        "{}: an argument index repeats, so {} adds every condition as a separate rule: they are OR'ed, not AND'ed (conditions on other arguments too)",
                        entry_label(e),
                        self.ctx.runtime.name()
                    ),
                )
                .at(Some(e.location.clone())),
            );
        }
        split
    }

    /// Whether the runtime adds a rule for this name: not when its action equals the default
    /// (a note), not when libseccomp does not know the name (a warning, maybe a "did you mean").
    fn name_added(&mut self, name: &Located<String>, action: u32, default_action: u32) -> bool {
        let runtime = self.ctx.runtime.name();
        if action == default_action {
            self.diags.push(
                Diagnostic::note(
                    "equals-default",
                    format!(
                        "{}: the action equals the default action, so {runtime} skips this rule",
                        name.value,
                    ),
                )
                .at(Some(name.location.clone())),
            );
            return false;
        }
        if !syscalls::is_known(&name.value) {
            if !name.value.is_empty() {
                let hint = if self.suggestions_left > 0 {
                    self.suggestions_left -= 1;
                    suggest::closest(&name.value, syscalls::all_names())
                } else {
                    String::new()
                };
                self.diags.push(
                    Diagnostic::warning(
                        "unknown-syscall",
                        format!(
                            "libseccomp does not know the syscall \"{}\": {runtime} skips this rule{hint}",
                            name.value,
                        ),
                    )
                    .at(Some(name.location.clone())),
                );
            }
            return false;
        }
        true
    }
}

/// Whether the profile names a non-empty `listenerPath`.
fn has_listener(profile: &crate::profile::Profile) -> bool {
    !profile.listener_path.as_deref().unwrap_or("").is_empty()
}

/// NEW_LISTENER: runc sets it when an entry moby kept uses NOTIFY, crun when `listenerPath`
/// is set.
pub(super) fn new_listener(
    profile: &crate::profile::Profile,
    ctx: &Context,
    kept: &[&SyscallEntry],
) -> bool {
    match ctx.runtime {
        Runtime::Runc => kept.iter().any(|e| e.action.value == ActionName::Notify),
        Runtime::Crun => has_listener(profile),
    }
}

/// runc uses libseccomp's binary-tree layout (optimize 2) above 32 names.
pub(super) fn binary_tree(ctx: &Context, kept: &[&SyscallEntry]) -> bool {
    ctx.runtime == Runtime::Runc && kept.iter().map(|e| e.names.len()).sum::<usize>() > 32
}

/// The 32-bit value of an action as the runtime computes it, or why the runtime or
/// libseccomp refuses it.
pub fn action_value(
    a: ActionName,
    errno_ret: Option<u64>,
    runtime: Runtime,
) -> Result<u32, String> {
    if runtime == Runtime::Crun
        && errno_ret.is_some()
        && !matches!(a, ActionName::Errno | ActionName::Trace)
    {
        return Err(format!(
            "errnoRet is set on {}: crun refuses errnoRet on actions other than SCMP_ACT_ERRNO and SCMP_ACT_TRACE",
            a.as_str()
        ));
    }
    let data = |e: Option<u64>| (e.unwrap_or(EPERM) & 0xffff) as u16;
    let v = match a {
        ActionName::Kill | ActionName::KillThread => Action::KillThread,
        ActionName::KillProcess => Action::KillProcess,
        ActionName::Trap => Action::Trap(0),
        ActionName::Errno => {
            let d = data(errno_ret);
            if d >= MAX_ERRNO {
                return Err(format!(
                    "errno {d}{} is too large: libseccomp accepts ERRNO values below {MAX_ERRNO}, so the container does not start",
                    match errno_ret {
                        Some(e) if e > 0xffff => format!(" ({e} truncated to 16 bits)"),
                        _ => String::new(),
                    }
                ));
            }
            Action::Errno(d)
        }
        ActionName::Trace => Action::Trace(data(errno_ret)),
        ActionName::Allow => Action::Allow,
        ActionName::Log => Action::Log,
        ActionName::Notify => Action::UserNotif,
    };
    Ok(v.to_ret())
}

/// Unknown syscall names get a "did you mean" for the first this many per resolution; the
/// rest get the plain warning (a profile of 300,000 unknown names stays fast: each suggestion
/// compares the name with all 508 known ones).
pub(super) const MAX_SUGGESTIONS: usize = 100;
