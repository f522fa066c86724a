//! Resolution: what dockerd (moby `setupSeccomp`) and the OCI runtime (runc or crun) do with a
//! profile before libseccomp sees it. The result is a [`Policy`]: a default action, the ABIs of
//! the filter and a flat list of rules in profile order — plus a diagnostic for every rule that
//! was dropped, split or changed on the way, with the reason.
//!
//! Spec: seccomp-semantics.md §3.1 (moby), §3.2 (runc), §3.3 (runc's ENOSYS stub), §3.4 (crun).

use crate::action::{Action, MAX_ERRNO};
use crate::arch::Arch;
use crate::context::{Context, Runtime};
use crate::diag::{Diagnostic, Failure, Location};
use crate::profile::{ActionName, Filter, Op, Profile, SyscallEntry};
use crate::syscalls::{self, Resolved, Syscall};
use serde::Serialize;
use std::sync::Arc;

/// `EPERM`, the default errno of ERRNO and TRACE actions.
const EPERM: u64 = 1;
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

/// runc's ENOSYS stub (§3.3): per `AUDIT_ARCH` value, the largest syscall number the profile
/// names on each ABI; larger numbers get `ERRNO(ENOSYS)` before the filter runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnosysStub {
    /// `(abi, max nr)` for every ABI with at least one known name, in filter ABI order.
    pub max: Vec<(Arch, u32)>,
}

impl EnosysStub {
    /// The stub's verdict: `Some(ERRNO(ENOSYS))` if it answers, `None` if the filter runs.
    pub fn decide(&self, audit_arch: u32, nr: u32) -> Option<u32> {
        let on = |a: Arch| self.max.iter().find(|(x, _)| *x == a).map(|&(_, m)| m);
        // The stub's ABIs with this AUDIT_ARCH value: none, one, or x86_64 and x32 (the
        // only two ABIs that share one). No allocation: the compiler asks for every range.
        let mut listed = self
            .max
            .iter()
            .map(|&(a, _)| a)
            .filter(|a| a.audit_arch() == audit_arch);
        let first = listed.next();
        let more = first.is_some_and(|f| listed.any(|a| a != f));
        let enosys = Action::Errno(ENOSYS).to_ret();
        match (first, more) {
            (None, _) => None,
            (Some(a), false) => {
                // s390/s390x: syscall 0 is the multiplexer, always ENOSYS.
                if matches!(a, Arch::S390 | Arch::S390x) && nr == 0 {
                    return Some(enosys);
                }
                match a {
                    Arch::X86_64 if nr & crate::arch::X32_SYSCALL_BIT != 0 => None,
                    Arch::X32 if nr & crate::arch::X32_SYSCALL_BIT == 0 => None,
                    _ => (nr > on(a)?).then_some(enosys),
                }
            }
            (Some(_), true) => {
                // x86_64 and x32 share AUDIT_ARCH_X86_64.
                let a = if nr & crate::arch::X32_SYSCALL_BIT != 0 {
                    Arch::X32
                } else {
                    Arch::X86_64
                };
                (nr > on(a)?).then_some(enosys)
            }
        }
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

/// moby's native-arch string for a daemon ABI (`goToNative[GOARCH]`), used for `arches`
/// filters; `None` for ABIs Docker does not run on.
pub fn moby_arch_string(a: Arch) -> Option<&'static str> {
    Some(match a {
        Arch::X86_64 => "amd64",
        Arch::X86 => "x86",
        Arch::Arm => "arm",
        Arch::Aarch64 => "arm64",
        Arch::Loongarch64 => "loongarch64",
        Arch::Mips64 => "mips64",
        Arch::Mips64n32 => "mips64n32",
        Arch::Mipsel64 => "mipsel64",
        Arch::Mipsel64n32 => "mips3l64n32",
        Arch::Mipsel => "mipsel",
        Arch::Ppc => "ppc",
        Arch::Ppc64 => "ppc64",
        Arch::Ppc64le => "ppc64le",
        Arch::Riscv64 => "riscv64",
        Arch::S390 => "s390",
        Arch::S390x => "s390x",
        _ => return None,
    })
}

/// moby's `nativeToSeccomp` lookup: the archMap key for a native-arch string. Upstream keys
/// `loong64` and `mipsle` never match `goToNative`'s values, so those hosts ignore `archMap`.
pub(crate) fn moby_seccomp_arch(native: &str) -> Option<Arch> {
    Some(match native {
        "x86" => Arch::X86,
        "amd64" => Arch::X86_64,
        "arm" => Arch::Arm,
        "arm64" => Arch::Aarch64,
        "loong64" => Arch::Loongarch64,
        "mips64" => Arch::Mips64,
        "mips64n32" => Arch::Mips64n32,
        "mipsel64" => Arch::Mipsel64,
        "mips3l64n32" => Arch::Mipsel64n32,
        "mipsle" => Arch::Mipsel,
        "ppc" => Arch::Ppc,
        "ppc64" => Arch::Ppc64,
        "ppc64le" => Arch::Ppc64le,
        "riscv64" => Arch::Riscv64,
        "s390" => Arch::S390,
        "s390x" => Arch::S390x,
        _ => return None,
    })
}

/// Resolves a profile in a context: moby's filtering, then runc's or crun's conversion.
/// Errors are what Docker or the runtime would refuse (the container would not start).
pub fn resolve(profile: &Profile, ctx: &Context) -> Result<Resolution, Failure> {
    let mut diags = Vec::new();
    let mut suggestions_left = MAX_SUGGESTIONS;
    let mut errors = Vec::new();

    if ctx.privileged && !ctx.explicit_profile {
        return Ok(Resolution {
            policy: None,
            unconfined_reason: Some(
                "--privileged: Docker runs privileged containers without seccomp unless a profile is given with --security-opt seccomp=...".into(),
            ),
            diagnostics: diags,
        });
    }
    let Some(default) = &profile.default_action else {
        if profile.syscalls.is_empty() {
            return Ok(Resolution {
                policy: None,
                unconfined_reason: Some(
                    "the profile has no defaultAction and no syscalls: Docker treats it as seccomp disabled".into(),
                ),
                diagnostics: diags,
            });
        }
        return Err(Failure::single(Diagnostic::error(
            "missing-default-action",
            format!(
                "the profile has syscalls but no defaultAction: {}",
                match ctx.runtime {
                    Runtime::Runc => "runc refuses it (unknown action \"\")",
                    Runtime::Crun => "crun refuses it (defaultAction is required)",
                }
            ),
        )));
    };

    // ---- moby: architectures / archMap
    if !profile.architectures.is_empty() && !profile.arch_map.is_empty() {
        return Err(Failure::single(Diagnostic::error(
            "architectures-and-archmap",
            "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap' (Docker refuses this)",
        )));
    }
    let native = moby_arch_string(ctx.host_arch);
    let mut listed: Vec<(Arch, Option<Location>)> = profile
        .architectures
        .iter()
        .map(|a| (a.value, Some(a.location.clone())))
        .collect();
    if !profile.arch_map.is_empty() {
        match native.and_then(moby_seccomp_arch) {
            Some(key) => {
                if let Some(e) = profile.arch_map.iter().find(|e| e.architecture.value == key) {
                    listed.push((e.architecture.value, Some(e.architecture.location.clone())));
                    for s in &e.sub_architectures {
                        listed.push((s.value, Some(s.location.clone())));
                    }
                } else {
                    diags.push(Diagnostic::note(
                        "archmap-no-match",
                        format!("archMap has no entry for the host architecture {}: the filter covers {} only", ctx.host_arch.oci_name(), ctx.host_arch),
                    ));
                }
            }
            None => diags.push(Diagnostic::warning(
                "archmap-ignored",
                format!(
                    "dockerd on {} does not look up archMap (moby's table has no matching key): the filter covers the native architecture only",
                    ctx.host_arch
                ),
            )),
        }
    }

    // ---- moby: includes / excludes
    let mut kept: Vec<&SyscallEntry> = Vec::new();
    for e in &profile.syscalls {
        match excluded_by(e, native, ctx) {
            Some(reason) => diags.push(
                Diagnostic::note(
                    "entry-excluded",
                    format!("{}{NOT_APPLIED}{reason}", entry_label(e)),
                )
                .at(Some(e.location.clone())),
            ),
            None => kept.push(e),
        }
    }

    // ---- runtime: architectures
    let mut arches: Vec<Arch> = vec![ctx.host_arch];
    let endian = ctx.host_arch.endian();
    for (a, loc) in &listed {
        if ctx.runtime == Runtime::Runc
            && matches!(
                a,
                Arch::Parisc | Arch::Parisc64 | Arch::M68k | Arch::Sh | Arch::Sheb
            )
        {
            errors.push(
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
            errors.push(
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

    // ---- runtime: default action
    let default_action = match action_value(
        default.value,
        profile.default_errno_ret.as_ref().map(|e| e.value),
        ctx.runtime,
    ) {
        Ok(v) => v,
        Err(msg) => {
            let loc = profile
                .default_errno_ret
                .as_ref()
                .map(|e| e.location.clone())
                .unwrap_or(default.location.clone());
            errors.push(Diagnostic::error("invalid-default-action", msg).at(Some(loc)));
            0
        }
    };
    if default.value == ActionName::Notify {
        errors.push(
            Diagnostic::error(
                "notify-default",
                "SCMP_ACT_NOTIFY cannot be the default action: the runtime refuses it (a supervisor would have to answer every syscall)",
            )
            .at(Some(default.location.clone())),
        );
    }

    // ---- runtime: flags
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
                            diags.push(
                                Diagnostic::note("flag-ignored", "runc accepts SECCOMP_FILTER_FLAG_TSYNC and ignores it")
                                    .at(Some(f.location.clone())),
                            );
                        }
                    }
                    "SECCOMP_FILTER_FLAG_LOG" => flags.log = true,
                    "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => flags.spec_allow = true,
                    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" => flags.wait_killable_recv = true,
                    other => errors.push(
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
    if profile.listener_metadata.is_some()
        && profile.listener_path.as_deref().unwrap_or("").is_empty()
    {
        errors.push(Diagnostic::error(
            "listener-metadata-without-path",
            "listenerMetadata is set without listenerPath (the OCI spec forbids it)",
        ));
    }

    // ---- runtime: rules
    let mut rules: Vec<Rule> = Vec::new();
    let mut any_notify = false;
    for e in &kept {
        if e.action.value == ActionName::Notify {
            any_notify = true;
        }
        let action = match action_value(
            e.action.value,
            e.errno_ret.as_ref().map(|v| v.value),
            ctx.runtime,
        ) {
            Ok(v) => v,
            Err(msg) => {
                let loc = e
                    .errno_ret
                    .as_ref()
                    .map(|v| v.location.clone())
                    .unwrap_or(e.action.location.clone());
                errors.push(Diagnostic::error("invalid-action", msg).at(Some(loc)));
                continue;
            }
        };
        if e.action.value == ActionName::Notify {
            if e.names.iter().any(|n| n.value == "write") {
                errors.push(
                    Diagnostic::error(
                        "notify-write",
                        "SCMP_ACT_NOTIFY on write is refused by runc: the supervisor could deadlock writing to the container",
                    )
                    .at(Some(e.action.location.clone())),
                );
            }
            if ctx.runtime == Runtime::Runc
                && profile.listener_path.as_deref().unwrap_or("").is_empty()
            {
                errors.push(
                    Diagnostic::error(
                        "notify-without-listener",
                        "SCMP_ACT_NOTIFY needs listenerPath: runc refuses to start the container without one",
                    )
                    .at(Some(e.action.location.clone())),
                );
            }
        }
        // Conditions: index check, crun's cap of six, duplicate-index split.
        let mut conds: Vec<(Condition, usize)> = Vec::new();
        let mut bad = false;
        for (ci, a) in e.args.iter().enumerate() {
            if ctx.runtime == Runtime::Crun && ci >= 6 {
                diags.push(
                    Diagnostic::warning(
                        "condition-ignored",
                        "crun uses only the first 6 conditions of an entry; this one is ignored",
                    )
                    .at(Some(a.location.clone())),
                );
                continue;
            }
            if a.index.value > 5 {
                errors.push(
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
        if bad {
            continue;
        }
        let mut seen = [0u8; 6];
        for (c, _) in &conds {
            seen[c.arg as usize] += 1;
        }
        let split = seen.iter().any(|&n| n > 1);
        if split {
            diags.push(
                Diagnostic::warning(
                    "or-split",
                    format!(
                        "{}: an argument index repeats, so {} adds every condition as a separate rule: they are OR'ed, not AND'ed (conditions on other arguments too)",
                        entry_label(e),
                        ctx.runtime.name()
                    ),
                )
                .at(Some(e.location.clone())),
            );
        }
        for (ni, name) in e.names.iter().enumerate() {
            let origin = |split: Option<usize>| Origin {
                entry: e.index,
                name_index: ni,
                location: name.location.clone(),
                entry_location: e.location.clone(),
                split,
                comment: e.comment.clone(),
            };
            if action == default_action {
                diags.push(
                    Diagnostic::note(
                        "equals-default",
                        format!(
                            "{}: the action equals the default action, so {} skips this rule",
                            name.value,
                            ctx.runtime.name()
                        ),
                    )
                    .at(Some(name.location.clone())),
                );
                continue;
            }
            if !syscalls::is_known(&name.value) {
                if !name.value.is_empty() {
                    diags.push(
                        Diagnostic::warning(
                            "unknown-syscall",
                            format!(
                                "libseccomp does not know the syscall \"{}\": {} skips this rule{}",
                                name.value,
                                ctx.runtime.name(),
                                if suggestions_left > 0 {
                                    suggestions_left -= 1;
                                    suggestion(&name.value)
                                } else {
                                    String::new()
                                }
                            ),
                        )
                        .at(Some(name.location.clone())),
                    );
                }
                continue;
            }
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
    if !errors.is_empty() {
        errors.extend(diags);
        return Err(Failure {
            diagnostics: errors,
        });
    }
    match ctx.runtime {
        Runtime::Runc => flags.new_listener = any_notify,
        Runtime::Crun => {
            flags.new_listener = !profile.listener_path.as_deref().unwrap_or("").is_empty()
        }
    }

    // ---- runc's ENOSYS stub
    let enosys = (ctx.runtime == Runtime::Runc
        && ctx.enosys_stub
        && !Action::from_ret(default_action).is_allow()
        && !matches!(Action::from_ret(default_action), Action::Trace(_)))
    .then(|| enosys_stub(&arches, &kept));
    let binary_tree =
        ctx.runtime == Runtime::Runc && kept.iter().map(|e| e.names.len()).sum::<usize>() > 32;
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
            binary_tree,
        }),
        unconfined_reason: None,
        diagnostics: diags,
    })
}

/// The stub's per-ABI maximum: the largest number of any name the profile lists (all entries
/// kept by moby, whatever their action), ignoring names unknown to the table.
fn enosys_stub(arches: &[Arch], kept: &[&SyscallEntry]) -> EnosysStub {
    let mut max = Vec::new();
    let known: Vec<Syscall> = kept
        .iter()
        .flat_map(|e| e.names.iter())
        .filter_map(|n| syscalls::lookup(&n.value))
        .collect();
    for &a in arches {
        let m = known
            .iter()
            .filter_map(|s| match s.on(a) {
                // libseccomp's "abi" resolvers give socket/ipc names their pseudo number.
                Resolved::Number(_) if a.multiplexers().is_some() && s.multiplexed().is_some() => {
                    None
                }
                Resolved::Number(nr) => Some(nr),
                _ => None,
            })
            .max();
        if let Some(m) = m {
            max.push((a, m));
        }
    }
    EnosysStub { max }
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

/// Why moby drops an entry in this context, or `None` if it is kept (§3.1, in moby's order).
pub(crate) fn excluded_by(e: &SyscallEntry, native: Option<&str>, ctx: &Context) -> Option<String> {
    let native_s = native.unwrap_or("");
    let ex: &Filter = &e.excludes;
    if ex.arches.iter().any(|a| a.value == native_s) {
        return Some(format!(
            "excludes.arches contains \"{native_s}\", the host architecture"
        ));
    }
    if let Some(c) = ex.caps.iter().find(|c| ctx.has_cap(&c.value)) {
        return Some(format!("excluded because the container has {}", c.value));
    }
    if let Some(k) = &ex.min_kernel {
        if ctx.kernel >= k.value {
            return Some(format!(
                "excludes.minKernel {} ≤ host kernel {}",
                k.value, ctx.kernel
            ));
        }
    }
    let inc = &e.includes;
    if !inc.arches.is_empty() && !inc.arches.iter().any(|a| a.value == native_s) {
        let list: Vec<&str> = inc.arches.iter().map(|a| a.value.as_str()).collect();
        return Some(format!(
            "only for architectures [{}], and the host is \"{}\"",
            list.join(", "),
            if native_s.is_empty() {
                ctx.host_arch.name()
            } else {
                native_s
            }
        ));
    }
    if let Some(c) = inc.caps.iter().find(|c| !ctx.has_cap(&c.value)) {
        return Some(format!(
            "requires {}, which the container does not have",
            c.value
        ));
    }
    if let Some(k) = &inc.min_kernel {
        if ctx.kernel < k.value {
            return Some(format!(
                "requires kernel ≥ {}, the host runs {}",
                k.value, ctx.kernel
            ));
        }
    }
    None
}

/// What separates an `entry-excluded` note's entry label from its reason.
pub(crate) const NOT_APPLIED: &str = " not applied: ";

fn entry_label(e: &SyscallEntry) -> String {
    let names: Vec<&str> = e.names.iter().take(3).map(|n| n.value.as_str()).collect();
    let more = if e.names.len() > 3 {
        format!(", … ({} names)", e.names.len())
    } else {
        String::new()
    };
    format!("syscalls[{}] ({}{more})", e.index, names.join(", "))
}

/// Unknown syscall names get a "did you mean" for the first this many per resolution; the
/// rest get the plain warning (a profile of 300,000 unknown names stays fast: each suggestion
/// compares the name with all 508 known ones).
const MAX_SUGGESTIONS: usize = 100;

fn suggestion(name: &str) -> String {
    let best = syscalls::all_names()
        .map(|k| (crate::profile::edit_distance(k, name), k))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d);
    best.map(|(_, b)| format!(" (did you mean \"{b}\"?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile;

    fn resolve_text(text: &str, ctx: &Context) -> Result<Resolution, Failure> {
        resolve(&profile::parse(text).unwrap().profile, ctx)
    }

    const DOCKERISH: &str = r#"{
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                  {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
      "syscalls": [
        {"names": ["read", "write", "mseal_nope"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
         "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
        {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
        {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
        {"names": ["getpid"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 3, "op": "SCMP_CMP_EQ"}]}
      ]}"#;

    #[test]
    fn docker_context_filters_like_moby() {
        let r = resolve_text(DOCKERISH, &Context::docker(Arch::X86_64)).unwrap();
        let p = r.policy.unwrap();
        assert_eq!(p.arches, [Arch::X86_64, Arch::X86, Arch::X32]);
        assert_eq!(p.default_action, 0x0005_0001);
        let names: Vec<&str> = p.rules.iter().map(|r| r.syscall.as_str()).collect();
        assert_eq!(
            names,
            [
                "read",
                "write",
                "clone",
                "arch_prctl",
                "ptrace",
                "socket",
                "socket",
                "socket"
            ]
        );
        // The split keeps one condition per rule, including the one on arg 1.
        assert_eq!(p.rules[7].conditions[0].arg, 1);
        let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&"unknown-syscall"));
        assert!(codes.contains(&"equals-default"));
        assert!(codes.contains(&"or-split"));
        assert!(codes.contains(&"entry-excluded"));
        assert!(p.enosys.is_some());
    }

    #[test]
    fn capabilities_and_arches_change_the_rules() {
        let ctx = Context::docker(Arch::Aarch64)
            .with_caps(&["SYS_ADMIN"], &[] as &[&str], false)
            .unwrap();
        let p = resolve_text(DOCKERISH, &ctx).unwrap().policy.unwrap();
        assert_eq!(p.arches, [Arch::Aarch64, Arch::Arm]);
        let clones: Vec<&Rule> = p.rules.iter().filter(|r| r.syscall == "clone").collect();
        assert_eq!(clones.len(), 1);
        assert!(clones[0].conditions.is_empty());
        assert!(!p.rules.iter().any(|r| r.syscall == "arch_prctl"));
    }

    #[test]
    fn old_kernels_drop_min_kernel_entries() {
        let mut ctx = Context::docker(Arch::X86_64);
        ctx.kernel = crate::profile::KernelVersion { major: 4, minor: 4 };
        let p = resolve_text(DOCKERISH, &ctx).unwrap().policy.unwrap();
        assert!(!p.rules.iter().any(|r| r.syscall == "ptrace"));
    }

    #[test]
    fn runtime_differences() {
        let text = r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_PARISC"],
            "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","errnoRet":5}]}"#;
        let e = resolve_text(text, &Context::docker(Arch::X86_64)).unwrap_err();
        assert_eq!(e.first_error().unwrap().code, "arch-unsupported-by-runtime");
        let mut crun = Context::docker(Arch::X86_64);
        crun.runtime = Runtime::Crun;
        let e = resolve_text(text, &crun).unwrap_err();
        let codes: Vec<_> = e
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        // crun accepts PARISC's name but libseccomp refuses to mix endianness; crun also refuses errnoRet on ALLOW.
        assert_eq!(codes, ["arch-endian-mismatch", "invalid-action"]);
    }

    #[test]
    fn errno_values_are_truncated_and_checked() {
        assert_eq!(
            action_value(ActionName::Errno, Some(65536 + 13), Runtime::Runc),
            Ok(0x0005_000d)
        );
        assert_eq!(
            action_value(ActionName::Errno, Some(65536), Runtime::Runc),
            Ok(0x0005_0000)
        );
        assert!(action_value(ActionName::Errno, Some(4095), Runtime::Runc).is_err());
        assert_eq!(
            action_value(ActionName::Errno, Some(4094), Runtime::Runc),
            Ok(0x0005_0ffe)
        );
        assert_eq!(
            action_value(ActionName::Trace, None, Runtime::Runc),
            Ok(0x7ff0_0001)
        );
        assert_eq!(
            action_value(ActionName::Trap, Some(9), Runtime::Runc),
            Ok(0x0003_0000)
        );
        assert!(action_value(ActionName::Trap, Some(9), Runtime::Crun).is_err());
    }

    #[test]
    fn enosys_stub_answers_above_the_profiles_largest_number() {
        let r = resolve_text(DOCKERISH, &Context::docker(Arch::X86_64)).unwrap();
        let stub = r.policy.unwrap().enosys.unwrap();
        let x86_64_max = stub.max.iter().find(|(a, _)| *a == Arch::X86_64).unwrap().1;
        assert_eq!(x86_64_max, 158); // arch_prctl is the largest named x86_64 number here.
        let audit = Arch::X86_64.audit_arch();
        assert_eq!(stub.decide(audit, 158), None);
        assert_eq!(stub.decide(audit, 159), Some(0x0005_0026));
        // x32 calls are judged against the x32 maximum.
        assert!(stub.decide(audit, 0x4000_0000 + 158).is_none());
    }

    #[test]
    fn unconfined_cases() {
        let r = resolve_text("{}", &Context::docker(Arch::X86_64)).unwrap();
        assert!(r.policy.is_none());
        let mut ctx = Context::docker(Arch::X86_64);
        ctx.explicit_profile = false;
        let ctx = ctx.with_caps(&[] as &[&str], &[] as &[&str], true).unwrap();
        assert!(resolve_text(DOCKERISH, &ctx).unwrap().policy.is_none());
    }

    /// The stub's verdict as first written (one list of the ABIs per AUDIT_ARCH value, in
    /// `Arch::ALL` order), kept as the reference for the allocation-free `decide`.
    fn stub_reference(stub: &EnosysStub, audit_arch: u32, nr: u32) -> Option<u32> {
        let on = |a: Arch| stub.max.iter().find(|(x, _)| *x == a).map(|&(_, m)| m);
        let listed: Vec<Arch> = Arch::from_audit_arch(audit_arch)
            .into_iter()
            .filter(|a| on(*a).is_some())
            .collect();
        let enosys = Action::Errno(ENOSYS).to_ret();
        let x32 = crate::arch::X32_SYSCALL_BIT;
        match listed.as_slice() {
            [] => None,
            [a] if matches!(a, Arch::S390 | Arch::S390x) && nr == 0 => Some(enosys),
            [Arch::X86_64] if nr & x32 != 0 => None,
            [Arch::X32] if nr & x32 == 0 => None,
            [a] => (nr > on(*a)?).then_some(enosys),
            _ => {
                let a = if nr & x32 != 0 {
                    Arch::X32
                } else {
                    Arch::X86_64
                };
                (nr > on(a)?).then_some(enosys)
            }
        }
    }

    #[test]
    fn stub_decides_like_its_reference_for_every_abi_set() {
        let abis = [
            Arch::X86_64,
            Arch::X32,
            Arch::X86,
            Arch::S390x,
            Arch::Aarch64,
            Arch::Arm,
        ];
        let nrs = [
            0u32,
            1,
            100,
            334,
            335,
            462,
            463,
            0x4000_0000,
            0x4000_0200,
            0x4000_0300,
            0x8000_0000,
            u32::MAX,
        ];
        for set in 0u32..1 << abis.len() {
            let max: Vec<(Arch, u32)> = abis
                .iter()
                .enumerate()
                .filter(|&(b, _)| set & 1 << b != 0)
                .map(|(b, &a)| {
                    (
                        a,
                        if a == Arch::X32 {
                            0x4000_0000 | 300
                        } else {
                            300 + b as u32
                        },
                    )
                })
                .collect();
            let stub = EnosysStub { max };
            for audit in abis.iter().map(|a| a.audit_arch()) {
                for &nr in &nrs {
                    assert_eq!(
                        stub.decide(audit, nr),
                        stub_reference(&stub, audit, nr),
                        "{:?} audit {audit:#x} nr {nr:#x}",
                        stub.max
                    );
                }
            }
        }
    }
}
