//! The schema: what a profile is read into. Every value keeps where it is written.

use crate::arch::Arch;
use crate::diag::{Diagnostic, Location};
use serde::Serialize;

/// Which kind of document the profile came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ProfileFormat {
    /// A Docker/moby profile (uses `archMap`, `includes`/`excludes`, `name` or `comment`).
    Docker,
    /// An OCI runtime-spec `linux.seccomp` object.
    Oci,
    /// A whole OCI `config.json`; the profile is its `linux.seccomp`.
    OciConfig,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub location: Location,
}

/// A seccomp action name as written in a profile (`SCMP_ACT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ActionName {
    /// `SCMP_ACT_KILL` (= kill thread).
    Kill,
    /// `SCMP_ACT_KILL_PROCESS`.
    KillProcess,
    /// `SCMP_ACT_KILL_THREAD`.
    KillThread,
    /// `SCMP_ACT_TRAP`.
    Trap,
    /// `SCMP_ACT_ERRNO`.
    Errno,
    /// `SCMP_ACT_TRACE`.
    Trace,
    /// `SCMP_ACT_ALLOW`.
    Allow,
    /// `SCMP_ACT_LOG`.
    Log,
    /// `SCMP_ACT_NOTIFY`.
    Notify,
}

impl ActionName {
    /// Every action name.
    pub const ALL: [ActionName; 9] = [
        ActionName::Kill,
        ActionName::KillProcess,
        ActionName::KillThread,
        ActionName::Trap,
        ActionName::Errno,
        ActionName::Trace,
        ActionName::Allow,
        ActionName::Log,
        ActionName::Notify,
    ];

    /// The spelling in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionName::Kill => "SCMP_ACT_KILL",
            ActionName::KillProcess => "SCMP_ACT_KILL_PROCESS",
            ActionName::KillThread => "SCMP_ACT_KILL_THREAD",
            ActionName::Trap => "SCMP_ACT_TRAP",
            ActionName::Errno => "SCMP_ACT_ERRNO",
            ActionName::Trace => "SCMP_ACT_TRACE",
            ActionName::Allow => "SCMP_ACT_ALLOW",
            ActionName::Log => "SCMP_ACT_LOG",
            ActionName::Notify => "SCMP_ACT_NOTIFY",
        }
    }

    /// Looks up an exact spelling.
    pub fn parse(s: &str) -> Option<ActionName> {
        ActionName::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A comparison operator as written (`SCMP_CMP_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Op {
    /// `SCMP_CMP_NE`: arg != value.
    Ne,
    /// `SCMP_CMP_LT`: arg < value.
    Lt,
    /// `SCMP_CMP_LE`: arg <= value.
    Le,
    /// `SCMP_CMP_EQ`: arg == value.
    Eq,
    /// `SCMP_CMP_GE`: arg >= value.
    Ge,
    /// `SCMP_CMP_GT`: arg > value.
    Gt,
    /// `SCMP_CMP_MASKED_EQ`: (arg & value) == valueTwo.
    MaskedEq,
}

impl Op {
    /// Every operator.
    pub const ALL: [Op; 7] = [Op::Ne, Op::Lt, Op::Le, Op::Eq, Op::Ge, Op::Gt, Op::MaskedEq];

    /// The spelling in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ne => "SCMP_CMP_NE",
            Op::Lt => "SCMP_CMP_LT",
            Op::Le => "SCMP_CMP_LE",
            Op::Eq => "SCMP_CMP_EQ",
            Op::Ge => "SCMP_CMP_GE",
            Op::Gt => "SCMP_CMP_GT",
            Op::MaskedEq => "SCMP_CMP_MASKED_EQ",
        }
    }

    /// The C-like symbol (`!=`, `<`, ...), for explanations.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::MaskedEq => "&",
        }
    }

    /// Looks up an exact spelling.
    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A kernel version `X.Y` as moby writes `minKernel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct KernelVersion {
    /// The X in X.Y.
    pub major: u8,
    /// The Y in X.Y.
    pub minor: u8,
}

impl KernelVersion {
    /// Parses `X.Y` as moby does (two decimal parts fitting a byte, not both zero).
    pub fn parse(s: &str) -> Result<KernelVersion, String> {
        let parts: Vec<&str> = s.splitn(3, '.').collect();
        let bad = || {
            format!("invalid kernel version \"{s}\": expected \"<kernel>.<major>\" such as \"5.8\"")
        };
        if parts.len() != 2 {
            return Err(bad());
        }
        let p = |x: &str| {
            if x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                x.parse::<u8>().ok()
            }
        };
        let (Some(major), Some(minor)) = (p(parts[0]), p(parts[1])) else {
            return Err(bad());
        };
        if major == 0 && minor == 0 {
            return Err(format!(
                "invalid kernel version \"{s}\": 0.0 is not a kernel"
            ));
        }
        Ok(KernelVersion { major, minor })
    }
}

impl std::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// `includes` / `excludes` of a Docker profile entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Capabilities (`CAP_SYS_ADMIN`).
    pub caps: Vec<Located<String>>,
    /// Architectures in Go's spelling (`amd64`, `arm64`, `x86`, ...).
    pub arches: Vec<Located<String>>,
    /// Kernel version bound.
    pub min_kernel: Option<Located<KernelVersion>>,
}

impl Filter {
    /// True if nothing is set.
    pub fn is_empty(&self) -> bool {
        self.caps.is_empty() && self.arches.is_empty() && self.min_kernel.is_none()
    }
}

/// One argument condition of a syscall entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArgSpec {
    /// The argument index as written (runc and crun refuse > 5).
    pub index: Located<u64>,
    /// `value` (the mask for MASKED_EQ).
    pub value: u64,
    /// `valueTwo` (the expected value for MASKED_EQ).
    pub value_two: u64,
    /// The operator.
    pub op: Located<Op>,
    /// The whole condition object.
    pub location: Location,
}

/// One entry of `syscalls[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyscallEntry {
    /// Position in `syscalls[]`.
    pub index: usize,
    /// The whole entry.
    pub location: Location,
    /// The names (`names`, or the legacy `name` as a one-element list).
    pub names: Vec<Located<String>>,
    /// The action.
    pub action: Located<ActionName>,
    /// `errnoRet`, if given.
    pub errno_ret: Option<Located<u64>>,
    /// Conditions, in the order written.
    pub args: Vec<ArgSpec>,
    /// `comment`.
    pub comment: Option<String>,
    /// `includes`.
    pub includes: Filter,
    /// `excludes`.
    pub excludes: Filter,
}

/// An `archMap` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchMapEntry {
    /// `architecture`.
    pub architecture: Located<Arch>,
    /// `subArchitectures`.
    pub sub_architectures: Vec<Located<Arch>>,
}

/// A parsed profile, still as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Docker, OCI or OCI config.json.
    pub format: ProfileFormat,
    /// `defaultAction`; `None` when empty or absent.
    pub default_action: Option<Located<ActionName>>,
    /// `defaultErrnoRet`.
    pub default_errno_ret: Option<Located<u64>>,
    /// `architectures`.
    pub architectures: Vec<Located<Arch>>,
    /// `archMap`.
    pub arch_map: Vec<ArchMapEntry>,
    /// `flags`: `None` when absent, `Some(vec![])` when an empty list.
    pub flags: Option<Vec<Located<String>>>,
    /// `listenerPath`.
    pub listener_path: Option<String>,
    /// `listenerMetadata`.
    pub listener_metadata: Option<String>,
    /// `syscalls[]`.
    pub syscalls: Vec<SyscallEntry>,
    /// Bounding capabilities from a config.json's `process.capabilities.bounding`, if present.
    pub config_bounding_caps: Option<Vec<String>>,
}

/// A parsed profile with the warnings found while reading it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Parsed {
    /// The profile.
    pub profile: Profile,
    /// Warnings (unknown fields, duplicate keys, ...).
    pub warnings: Vec<Diagnostic>,
}
