//! Resolution: what dockerd (moby `setupSeccomp`) and the OCI runtime (runc or crun) do with a
//! profile before libseccomp sees it. The result is a [`Policy`]: a default action, the ABIs of
//! the filter and a flat list of rules in profile order. Every rule that was dropped, split or
//! changed on the way gets a diagnostic with the reason.
//!
//! [`resolve`] reads as the script the real stack runs, one named step each:
//! 1. Unconfined: `--privileged` (with a given profile too, where the engine drops it), or a
//!    profile with neither `defaultAction` nor syscalls, runs without seccomp.
//! 2. moby (`moby.rs`, seccomp-semantics.md §3.1): the ABIs from `architectures` or the
//!    host's `archMap` entry, then the entries that `includes` and `excludes` keep.
//! 3. The runtime (`runtime.rs`, §3.2 runc, §3.4 crun): the ABIs libseccomp accepts, the
//!    default action, the flags, then one rule per name (split where an argument index repeats).
//! 4. runc's ENOSYS stub (`enosys.rs`, §3.3).
//!
//! The steps add notes and warnings to one list and refusals to another. A refusal means the
//! container does not start: after the rules step, any refusal fails the whole resolution,
//! refusals first.

mod enosys;
mod moby;
mod runtime;

pub use enosys::EnosysStub;
pub use moby::moby_arch_string;
pub(crate) use moby::NOT_APPLIED;
pub(crate) use moby::{excluded_by, moby_seccomp_arch};
pub use runtime::action_value;

use crate::action::Action;
use crate::arch::Arch;
use crate::context::{Context, Runtime};
use crate::diag::{Diagnostic, Failure, Location};
use crate::profile::{Op, Profile};
use serde::Serialize;
use std::sync::Arc;

/// `ENOSYS`, what runc's stub returns for syscalls newer than the profile.
pub const ENOSYS: u16 = 38;

/// One argument comparison of a rule (libseccomp's `scmp_arg_cmp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Condition {
    /// Argument index, 0..=5.
    pub arg: u8,
    /// The operator.
    pub op: Op,
    /// `datum_a`: the value (the mask for MASKED_EQ).
    pub value: u64,
    /// `datum_b`: the expected masked value for MASKED_EQ (unused otherwise).
    pub value_two: u64,
}

impl Condition {
    /// Whether a 64-bit argument value satisfies the condition (the intended semantics).
    pub fn matches(&self, arg: u64) -> bool {
        match self.op {
            Op::Ne => arg != self.value,
            Op::Lt => arg < self.value,
            Op::Le => arg <= self.value,
            Op::Eq => arg == self.value,
            Op::Ge => arg >= self.value,
            Op::Gt => arg > self.value,
            Op::MaskedEq => arg & self.value == self.value_two & self.value,
        }
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.op {
            Op::MaskedEq => write!(
                f,
                "(a{} & {:#x}) == {:#x}",
                self.arg,
                self.value,
                self.value_two & self.value
            ),
            op => write!(f, "a{} {} {:#x}", self.arg, op.symbol(), self.value),
        }
    }
}

/// Where a rule came from in the profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Index of the entry in `syscalls[]`.
    pub entry: usize,
    /// Index of the name in the entry's `names`.
    pub name_index: usize,
    /// Where the name is written.
    pub location: Location,
    /// Where the whole entry is written.
    pub entry_location: Location,
    /// When the entry was split into one rule per condition (duplicate argument index): the
    /// index of the condition this rule holds.
    pub split: Option<usize>,
    /// The entry's `comment`, if any.
    pub comment: Option<String>,
}

/// One rule as the runtime adds it to libseccomp: an action on a syscall name, if every
/// condition holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Position in [`Policy::rules`]: the order of `seccomp_rule_add` calls.
    pub id: usize,
    /// The syscall name.
    pub syscall: String,
    /// The 32-bit action value (`SCMP_ACT_*` with data).
    pub action: u32,
    /// Conditions, all of which must hold (AND), in the order written.
    pub conditions: Vec<Condition>,
    /// Where it came from.
    pub origin: Origin,
}

/// Filter flags the runtime passes to `seccomp(2)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flags {
    /// `SECCOMP_FILTER_FLAG_TSYNC`.
    pub tsync: bool,
    /// `SECCOMP_FILTER_FLAG_LOG`.
    pub log: bool,
    /// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`.
    pub spec_allow: bool,
    /// `SECCOMP_FILTER_FLAG_NEW_LISTENER`.
    pub new_listener: bool,
    /// `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`.
    pub wait_killable_recv: bool,
}

impl Flags {
    /// The flag bits for `seccomp(SECCOMP_SET_MODE_FILTER, flags, ...)`.
    pub fn bits(&self) -> u32 {
        (self.tsync as u32)
            | (self.log as u32) << 1
            | (self.spec_allow as u32) << 2
            | (self.new_listener as u32) << 3
            | (self.wait_killable_recv as u32) << 5
    }
}

/// A profile resolved in a context: what libseccomp is asked to build.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The default action value.
    pub default_action: u32,
    /// Where `defaultAction` is written.
    pub default_location: Option<Location>,
    /// ABIs of the filter: native first, then the listed ones, without duplicates.
    pub arches: Vec<Arch>,
    /// The action for ABIs not in the filter (libseccomp's default: KILL_THREAD).
    pub badarch_action: u32,
    /// Rules in `seccomp_rule_add` order (shared with the [`crate::db::Database`] built
    /// from the policy).
    pub rules: Arc<Vec<Rule>>,
    /// Flags passed to `seccomp(2)`.
    pub flags: Flags,
    /// The runtime.
    pub runtime: Runtime,
    /// runc's ENOSYS stub, when modelled.
    pub enosys: Option<EnosysStub>,
    /// runc uses libseccomp's binary-tree layout (optimize 2) above 32 rules.
    pub binary_tree: bool,
    /// The libseccomp whose table resolves the rules' names.
    #[serde(skip_serializing_if = "crate::libseccomp::Libseccomp::is_current")]
    pub libseccomp: crate::libseccomp::Libseccomp,
}

/// The outcome of resolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resolution {
    /// The policy, or `None` when the container runs without seccomp.
    pub policy: Option<Policy>,
    /// Why there is no policy, when there is none.
    pub unconfined_reason: Option<String>,
    /// Everything resolution dropped, split or changed, in profile order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves a profile in a context: moby's filtering, then runc's or crun's conversion.
/// Errors are what Docker or the runtime would refuse (the container would not start).
pub fn resolve(profile: &Profile, ctx: &Context) -> Result<Resolution, Failure> {
    if let Some(reason) = unconfined(profile, ctx) {
        return Ok(Resolution {
            policy: None,
            unconfined_reason: Some(reason.into()),
            diagnostics: Vec::new(),
        });
    }
    let Some(default) = &profile.default_action else {
        return Err(missing_default_action(ctx));
    };
    let mut s = Steps::new(profile, ctx);
    if let (true, Ok(applies)) = (ctx.privileged, ctx.engine.given_profile_when_privileged()) {
        s.diags
            .push(Diagnostic::note("privileged-given-profile", applies));
    }
    let listed = s.moby_architectures()?;
    let kept = s.moby_entries();
    let arches = s.runtime_architectures(&listed);
    let default_action = s.runtime_default_action(default);
    let mut flags = s.runtime_flags();
    let rules = s.runtime_rules(&kept, default_action);
    s.refuse_on_errors()?;
    flags.new_listener = runtime::new_listener(profile, ctx, &kept);
    let enosys = enosys::modelled(ctx, default_action)
        .then(|| enosys::enosys_stub(&arches, &kept, ctx.libseccomp));
    Ok(Resolution {
        policy: Some(Policy {
            default_action,
            default_location: Some(default.location.clone()),
            arches,
            badarch_action: Action::KillThread.to_ret(),
            rules: Arc::new(rules),
            flags,
            runtime: ctx.runtime,
            enosys,
            binary_tree: runtime::binary_tree(ctx, &kept),
            libseccomp: ctx.libseccomp,
        }),
        unconfined_reason: None,
        diagnostics: s.diags,
    })
}

/// Step 1: why the container runs without seccomp, if it does.
fn unconfined(profile: &Profile, ctx: &Context) -> Option<&'static str> {
    if ctx.privileged && !ctx.explicit_profile {
        return Some(ctx.engine.privileged_unconfined());
    }
    if ctx.privileged {
        if let Err(dropped) = ctx.engine.given_profile_when_privileged() {
            return Some(dropped);
        }
    }
    (profile.default_action.is_none() && profile.syscalls.is_empty()).then_some(
        "the profile has no defaultAction and no syscalls: Docker treats it as seccomp disabled",
    )
}

/// A profile with syscalls but no `defaultAction`: both runtimes refuse it.
fn missing_default_action(ctx: &Context) -> Failure {
    Failure::single(Diagnostic::error(
        "missing-default-action",
        format!(
            "the profile has syscalls but no defaultAction: {}",
            match ctx.runtime {
                Runtime::Runc => "runc refuses it (unknown action \"\")",
                Runtime::Crun => "crun refuses it (defaultAction is required)",
            }
        ),
    ))
}

/// What the steps share: the input, and what they have said so far.
struct Steps<'a> {
    profile: &'a Profile,
    ctx: &'a Context,
    /// Notes and warnings, kept in the result.
    diags: Vec<Diagnostic>,
    /// Refusals: any one means the container does not start.
    errors: Vec<Diagnostic>,
    /// How many more unknown syscall names get a "did you mean".
    suggestions_left: usize,
}

impl<'a> Steps<'a> {
    fn new(profile: &'a Profile, ctx: &'a Context) -> Self {
        Steps {
            profile,
            ctx,
            diags: Vec::new(),
            errors: Vec::new(),
            suggestions_left: runtime::MAX_SUGGESTIONS,
        }
    }

    /// Fails with the refusals, then the other diagnostics, if there is any refusal.
    fn refuse_on_errors(&mut self) -> Result<(), Failure> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut diagnostics = std::mem::take(&mut self.errors);
        diagnostics.append(&mut self.diags);
        Err(Failure { diagnostics })
    }
}

#[cfg(test)]
mod tests;
